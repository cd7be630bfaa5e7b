"""The Linux installers: built with scripts/build_installers.sh, then started without Python.

Runs only with GDVIZ_PACKAGING_TESTS=1 (see conftest.py). Reuses dist/ when dist/build-info.json
says it was built from the current sources (set GDVIZ_PACKAGING_REBUILD=1 to force a build);
otherwise builds (about a minute on 2 cores). Then: sizes within budget, the frozen self-test
offscreen and under Xvfb (xcb), the tar.gz and the .deb (unpacked with dpkg -x) each started too,
the menu entry, the icons and the package's dependencies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux installers"),
]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
sys.path.insert(0, str(ROOT / "packaging"))
from build_info import bundle_size, source_fingerprint  # noqa: E402
from check_build import classify  # noqa: E402

BUNDLE_BUDGET = 230e6  # bytes on disk
TARBALL_BUDGET = 95e6
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
FIRST_FRAME = re.compile(r"first frame after ([0-9.]+) s")


@pytest.fixture(scope="module")
def build(packaging_report) -> dict:
    """dist/build-info.json of a build of the current sources (built here when needed)."""
    info_path = DIST / "build-info.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    fresh = (
        os.environ.get("GDVIZ_PACKAGING_REBUILD") != "1"
        and info.get("fingerprint") == source_fingerprint()
        and all((DIST / info[key]).exists() for key in ("bundle", "tarball", "deb"))
        and (ROOT / "build" / "pyinstaller" / "build.log").is_file()
        and (ROOT / "build" / "pyinstaller" / "gdviz" / "PYZ-00.toc").is_file()
    )
    if not fresh:
        log = ROOT / "build" / "build_installers.log"
        log.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        with log.open("w") as out:
            result = subprocess.run(
                ["bash", "scripts/build_installers.sh"],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=1800,
            )
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        assert result.returncode == 0, f"scripts/build_installers.sh failed:\n{tail}"
        packaging_report["build time"] = f"{time.perf_counter() - started:.0f} s"
        info = json.loads(info_path.read_text())
        assert info["fingerprint"] == source_fingerprint()
    else:
        packaging_report["build"] = "reused a fresh dist/ (same sources)"
    return info


def frozen_env(**extra: str) -> dict[str, str]:
    """An environment as on a machine without Python: no virtualenv, no PYTHON* variables."""
    keep = ("HOME", "TMPDIR", "LANG", "LC_ALL", "DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env.update(extra)
    return env


def run_self_test(command: list[str], env: dict[str, str]) -> tuple[float, float, Path]:
    """Run a frozen ``gdviz --self-test``; (first frame s, whole run s, grab path)."""
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, output
    lines = result.stdout.strip().splitlines()
    match = FIRST_FRAME.search(result.stdout)
    assert match and lines, output
    grab = Path(lines[-1])
    assert_png(grab, min_size=(640, 400))
    grab.unlink()
    return float(match.group(1)), wall, grab


def assert_png(path: Path, min_size: tuple[int, int] = (1, 1), exact: int | None = None) -> None:
    from PIL import Image

    assert path.is_file(), f"{path} does not exist"
    with Image.open(path) as image:
        assert image.format == "PNG", path
        image.load()  # decodes every pixel
        width, height = image.size
        if exact is not None:
            assert image.size == (exact, exact), path
        assert width >= min_size[0] and height >= min_size[1], (path, image.size)
        low, high = image.convert("L").getextrema()
        assert low < high, f"{path} is a blank image"


def elf_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def test_missing_library_rule(build):
    """check_build fails a build on a missing xcb library of a bundled Qt plugin, and ignores
    a missing library of a plugin the spec drops on purpose (the gtk3 platform theme)."""
    log = (
        "1 WARNING: Library not found: could not resolve 'libxcb-cursor.so.0', dependency of "
        "'/venv/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so'.\n"
        "2 WARNING: Library not found: could not resolve 'libgtk-3.so.0', dependency of "
        "'/venv/site-packages/PySide6/Qt/plugins/platformthemes/libqgtk3.so'.\n"
    )
    fatal, ignored = classify(log, DIST / build["bundle"])
    assert [m.split()[0] for m in fatal] == ["libxcb-cursor.so.0"]
    assert [m.split()[0] for m in ignored] == ["libgtk-3.so.0"]


def test_known_traps_stay_avoided(build):
    """Binaries are not stripped (numpy's OpenBLAS breaks: the bundled copy must be the wheel's
    file byte for byte) and pydoc, which pyqtgraph imports, is in the bundle."""
    import numpy

    wheel_libs = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    openblas = sorted(wheel_libs.glob("*openblas*.so*"))
    assert openblas, f"no OpenBLAS in {wheel_libs}"
    internal = DIST / build["bundle"] / "_internal"
    for library in openblas:
        bundled = [p for p in internal.rglob(library.name) if not p.is_symlink()]
        assert bundled and bundled[0].read_bytes() == library.read_bytes(), library.name
    toc = (ROOT / "build" / "pyinstaller" / "gdviz" / "PYZ-00.toc").read_text()
    assert "'pydoc'" in toc


def test_build_log_has_no_missing_library(build):
    log = (ROOT / "build" / "pyinstaller" / "build.log").read_text(errors="replace")
    fatal, _ignored = classify(log, DIST / "gdviz")
    assert fatal == []


def test_sizes_within_budget(build, packaging_report):
    onedir = bundle_size(DIST / build["bundle"])
    tarball = (DIST / build["tarball"]).stat().st_size
    deb = (DIST / build["deb"]).stat().st_size
    packaging_report["dist/gdviz on disk"] = f"{onedir / 1e6:.0f} MB (budget 230 MB)"
    packaging_report[build["tarball"]] = f"{tarball / 1e6:.0f} MB (budget 95 MB)"
    packaging_report[build["deb"]] = f"{deb / 1e6:.0f} MB"
    assert onedir <= BUNDLE_BUDGET
    assert tarball <= TARBALL_BUDGET


def test_bundle_needs_no_python_from_the_build_machine(build):
    """Every library a bundled binary loads comes from the bundle or the system's /lib, /usr/lib
    (never from the build machine's Python or virtualenv), and none is missing except Wayland's."""
    bundle = DIST / build["bundle"]
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal}/PySide6/Qt/lib")
    bad = []
    for path in elf_files(bundle):
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            if "=>" not in line:
                continue
            library, target = (part.strip() for part in line.split("=>", 1))
            target = target.split(" (")[0]
            if target == "not found":
                if not library.startswith("libwayland-"):
                    bad.append(f"{path.name}: {library} not found")
            elif not (target.startswith(str(bundle)) or re.match(r"^/(usr/)?lib(64|32)?/", target)):
                bad.append(f"{path.name}: {library} from {target}")
    assert bad == []


def test_frozen_self_test_offscreen(build, packaging_report, tmp_path):
    first, wall, _ = run_self_test(
        [str(DIST / build["bundle"] / "gdviz")],
        frozen_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)),
    )
    packaging_report["frozen self-test, offscreen"] = (
        f"first frame after {first:.2f} s; whole run (launch to exit) {wall:.2f} s"
    )


def test_frozen_self_test_under_xvfb(build, packaging_report, tmp_path):
    if not shutil.which("xvfb-run"):
        pytest.skip("xvfb-run is not installed (scripts/setup.sh installs it)")
    exe = str(DIST / build["bundle"] / "gdviz")
    # QT_QPA_PLATFORM=xcb: a missing xcb library makes Qt abort instead of falling back.
    first, wall, _ = run_self_test(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", "env", "QT_QPA_PLATFORM=xcb", exe],
        frozen_env(HOME=str(tmp_path)),
    )
    packaging_report["frozen self-test, Xvfb (xcb)"] = (
        f"first frame after {first:.2f} s; whole run (launch to exit) {wall:.2f} s"
    )
    if shutil.which("xwininfo"):
        packaging_report["frozen launch to window shown, Xvfb"] = (
            f"{launch_to_window(exe, tmp_path):.2f} s"
        )


def launch_to_window(exe: str, home: Path) -> float:
    """Seconds from starting the frozen app under Xvfb to its main window being viewable."""
    script = (
        'start=$(date +%s.%N); "$1" & pid=$!; '
        "while ! xwininfo -root -tree 2>/dev/null | grep -q 'gradient descent, visible'; do "
        "sleep 0.01; done; end=$(date +%s.%N); kill $pid; wait $pid 2>/dev/null; "
        'echo "launch-to-window $start $end"'
    )
    result = subprocess.run(
        ["timeout", "120", "xvfb-run", "-a", "sh", "-c", script, "sh", exe],
        env=frozen_env(HOME=str(home)),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    match = re.search(r"launch-to-window ([0-9.]+) ([0-9.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match.group(2)) - float(match.group(1))


def test_tarball_starts(build, tmp_path):
    with tarfile.open(DIST / build["tarball"]) as tar:
        tops = {name.split("/")[0] for name in tar.getnames()}
        assert tops == {f"gdviz-{build['version']}"}
        tar.extractall(tmp_path, filter="tar")
    exe = tmp_path / f"gdviz-{build['version']}" / "gdviz"
    version = subprocess.run(
        [str(exe), "--version"], env=frozen_env(), capture_output=True, text=True, timeout=120
    )
    assert version.returncode == 0 and version.stdout.strip() == f"gdviz {build['version']}"
    run_self_test([str(exe)], frozen_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)))


@pytest.fixture(scope="module")
def deb_root(build, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(DIST / build["deb"]), str(root)], check=True)
    return root


def test_deb_contents(build, deb_root):
    fields = {
        name: subprocess.run(
            ["dpkg-deb", "-f", str(DIST / build["deb"]), name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name in ("Package", "Version", "Architecture", "Depends")
    }
    assert fields["Package"] == "gdviz"
    assert fields["Version"] == build["version"]
    assert fields["Architecture"] == "amd64"
    assert re.match(r"libc6 \(>= 2\.\d+\)", fields["Depends"])
    exe = deb_root / "opt" / "gdviz" / "gdviz"
    assert exe.is_file() and os.access(exe, os.X_OK)
    link = deb_root / "usr" / "bin" / "gdviz"
    assert link.is_symlink() and os.readlink(link) == "/opt/gdviz/gdviz"
    desktop = deb_root / "usr" / "share" / "applications" / "gdviz.desktop"
    entries = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entries["Exec"] == "gdviz" and entries["Icon"] == "gdviz"
    assert entries["Type"] == "Application" and entries["Terminal"] == "false"
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True
        )
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout
    hicolor = deb_root / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        assert_png(hicolor / f"{size}x{size}" / "apps" / "gdviz.png", exact=size)
    svg = (hicolor / "scalable" / "apps" / "gdviz.svg").read_text()
    assert "<svg" in svg


def test_deb_app_starts(build, deb_root, packaging_report, tmp_path):
    exe = deb_root / "opt" / "gdviz" / "gdviz"
    first, wall, _ = run_self_test(
        [str(exe)], frozen_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    )
    packaging_report["frozen self-test from the .deb, offscreen"] = (
        f"first frame after {first:.2f} s; whole run {wall:.2f} s"
    )
    # /usr/bin/gdviz is a symlink: the bootloader must find _internal next to the real file.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gdviz").symlink_to(exe)
    result = subprocess.run(
        ["gdviz", "--version"],
        env=frozen_env(PATH=f"{bin_dir}:/usr/bin:/bin"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and result.stdout.strip() == f"gdviz {build['version']}"


def test_deb_depends_cover_the_system_libraries(build, deb_root):
    """Each library the app takes from the system belongs to a package the .deb depends on
    (directly, through one of those packages' own dependencies, or recommended)."""
    if not shutil.which("dpkg-query"):
        pytest.skip("no dpkg here")

    def names(field: str) -> set[str]:
        return {
            re.split(r"[\s(:]", alternative.strip())[0]
            for group in field.split(",")
            for alternative in group.split("|")
            if alternative.strip()
        }

    deb = str(DIST / build["deb"])
    fields = ["Depends", "Recommends"]
    declared = set()
    for name in fields:
        declared |= names(
            subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True, text=True).stdout
        )
    covered = set(declared)
    for package in declared:
        query = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True
        )
        covered |= names(query.stdout)
    internal = deb_root / "opt" / "gdviz" / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal}/PySide6/Qt/lib")
    system_libs = set()
    for path in elf_files(deb_root / "opt" / "gdviz"):
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        system_libs |= set(re.findall(r"=> (/(?:usr/)?lib\S*) \(", out))
    uncovered = {}
    for library in sorted(system_libs):
        owner = ""
        for candidate in {library, os.path.realpath(library)}:
            for variant in {candidate, candidate.removeprefix("/usr"), "/usr" + candidate}:
                query = subprocess.run(["dpkg", "-S", variant], capture_output=True, text=True)
                if query.returncode == 0:
                    owner = query.stdout.split(":")[0]
                    break
            if owner:
                break
        if owner and owner not in covered:
            uncovered[library] = owner
    assert uncovered == {}


def test_icon_files_are_made_from_the_svg():
    """resources/icons holds the SVG and everything packaging/make_icons.py makes from it."""
    icons = ROOT / "resources" / "icons"
    for size in ICON_SIZES:
        assert_png(icons / f"gdviz-{size}.png", exact=size)
    from PIL import Image

    with Image.open(icons / "gdviz.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icons / "gdviz.icns") as icns:
        assert icns.size == (1024, 1024)
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
