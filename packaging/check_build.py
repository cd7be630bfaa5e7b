"""Fail a PyInstaller build of gdviz that would not start on a machine without Python.

    python packaging/check_build.py --log build/pyinstaller/build.log --bundle dist/gdviz

The rule (one sentence): every "Library not found" that PyInstaller logs is fatal, unless the
file that needs the library was left out of the bundle on purpose (packaging/bundle_rules.py
DROP: e.g. the gtk3 platform theme, which needs GTK); on Linux, additionally, every bundled
binary must resolve all its libraries from the bundle or from the system, except the Wayland
client libraries (PyInstaller never bundles them: a Wayland desktop has them, and without them Qt
uses the xcb plugin). A library that Qt's xcb platform needs and the build machine lacks
(libxcb-*, libxkbcommon*: scripts/setup.sh installs them) is therefore always fatal, because
the xcb plugin is never dropped. The files the frozen window cannot start without are checked too.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_rules import dropped

MISSING = re.compile(r"Library not found: could not resolve '([^']+)', dependency of '([^']+)'")
# Libraries a bundled file may lack on the build machine without harm (see the docstring).
ALLOWED_UNRESOLVED = re.compile(r"^libwayland-(client|cursor|egl|server)\.so")
# What the frozen window needs, per system (relative to the bundle's _internal folder).
REQUIRED = {
    "linux": [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "libxcb-cursor.so.0",
        "libxkbcommon-x11.so.0",
        "resources/datasets/auto_mpg.csv",
        "resources/icons/gdviz.svg",
    ],
    "darwin": [
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6/Qt/plugins/platforms/libqoffscreen.dylib",
        "resources/datasets/auto_mpg.csv",
    ],
    "win32": [
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/platforms/qoffscreen.dll",
        "resources/datasets/auto_mpg.csv",
    ],
}


def missing_libraries(log_text: str) -> list[tuple[str, str]]:
    """(library, needed by) for every "Library not found" line of a PyInstaller log."""
    return sorted(set(MISSING.findall(log_text)))


def bundled(bundle: Path, needed_by: str) -> bool:
    """Whether the file that needs a missing library ended up in the bundle."""
    source = needed_by.replace("\\", "/")
    if dropped(source):
        return False
    name = os.path.basename(source)
    return any(True for _ in bundle.rglob(name))


def classify(log_text: str, bundle: Path) -> tuple[list[str], list[str]]:
    """(fatal, ignored) messages for the "Library not found" lines of a build log."""
    fatal, ignored = [], []
    for library, needed_by in missing_libraries(log_text):
        message = f"{library} (needed by {needed_by})"
        (fatal if bundled(bundle, needed_by) else ignored).append(message)
    return fatal, ignored


def unresolved_on_linux(bundle: Path) -> list[str]:
    """Libraries that ldd cannot resolve for a bundled ELF file (bundle dirs on the path)."""
    internal = bundle / "_internal"
    lib_path = os.pathsep.join(
        str(p) for p in (internal, internal / "PySide6" / "Qt" / "lib") if p.is_dir()
    )
    env = dict(os.environ, LD_LIBRARY_PATH=lib_path)
    problems = []
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
        for line in result.stdout.splitlines():
            if "=> not found" not in line:
                continue
            library = line.split("=>")[0].strip()
            if not ALLOWED_UNRESOLVED.match(library):
                problems.append(f"{library} (needed by {path.relative_to(bundle)})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True, type=Path, help="PyInstaller's output")
    parser.add_argument("--bundle", required=True, type=Path, help="the onedir, e.g. dist/gdviz")
    args = parser.parse_args(argv)
    log_text = args.log.read_text(errors="replace") if args.log.is_file() else ""
    if "Build complete" not in log_text and "completed successfully" not in log_text:
        print(f"check_build: {args.log} is not a finished PyInstaller build's log", file=sys.stderr)
        return 1
    fatal, ignored = classify(log_text, args.bundle)
    for message in ignored:
        print(f"check_build: ignored (file dropped on purpose): missing {message}")
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    if platform == "linux":
        fatal += [f"unresolved {m}" for m in unresolved_on_linux(args.bundle)]
    internal = args.bundle / "_internal"
    if sys.platform == "darwin" and not internal.is_dir():  # files may sit in the .app's Frameworks
        internal = args.bundle
    required = REQUIRED.get(platform, [])
    fatal += [f"not in the bundle: {p}" for p in required if not (internal / p).exists()]
    for message in fatal:
        print(f"check_build: FATAL: {message}", file=sys.stderr)
    if fatal:
        print(
            "check_build: the bundle would not start everywhere. On Debian/Ubuntu install Qt's "
            "system libraries (scripts/setup.sh) and build again.",
            file=sys.stderr,
        )
        return 1
    print(f"check_build: {args.bundle} is complete ({len(ignored)} missing libraries ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
