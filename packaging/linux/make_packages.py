"""Pack the Linux onedir (dist/gdviz) into gdviz-<version>-linux-x86_64.tar.gz and a .deb.

    python packaging/linux/make_packages.py --bundle dist/gdviz --dist dist

The .deb installs the app under /opt/gdviz, a `gdviz` command (/usr/bin/gdviz -> /opt/gdviz/gdviz),
the menu entry /usr/share/applications/gdviz.desktop and the icons in the hicolor theme (PNG sizes
and the scalable SVG). Its dependencies are the libraries PyInstaller leaves to the system on
purpose (glibc, the GL/EGL driver stack, libxcb) plus fontconfig's configuration; glibc's minimum
version is read from the bundled binaries. dist/build-info.json records what was built, from which
sources (a fingerprint the packaging test uses to reuse a fresh build) and the sizes.
Called by scripts/build_installers.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from build_info import bundle_size, source_fingerprint  # noqa: E402

ICONS = ROOT / "resources" / "icons"
DEPENDS = ["libgl1", "libegl1", "libxcb1", "fontconfig-config"]
RECOMMENDS = [
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libgl1-mesa-dri",
    "fonts-dejavu-core | fonts-liberation2 | fonts-noto-core",
]
DESCRIPTION = """\
Description: see gradient descent: learning rate, batch size and epochs
 gdviz is a desktop application that makes gradient descent visible: choose
 the hyperparameters (learning rate, batch size, number of epochs) and watch
 training move the parameters over the loss surface, with the loss curves and
 the model line over the data. Lessons for lectures are built in.
 .
 This package bundles its own Python, Qt (PySide6), pyqtgraph and numpy under
 /opt/gdviz; nothing else needs to be installed.
"""


def version() -> str:
    text = (ROOT / "gdviz" / "__init__.py").read_text()
    return re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M).group(1)


def glibc_needed(bundle: Path) -> str:
    """The newest GLIBC_2.N symbol version any bundled ELF file needs, e.g. "2.36"."""
    newest = 0
    pattern = re.compile(rb"GLIBC_2\.(\d+)")
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if data[:4] == b"\x7fELF":
                newest = max([newest, *(int(m) for m in pattern.findall(data))])
    return f"2.{newest}"


def make_tarball(bundle: Path, out: Path, top: str) -> None:
    def owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    tmp = out.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=owner)
    tmp.replace(out)


def make_deb(bundle: Path, out: Path, ver: str, work: Path) -> None:
    root = work / "root"
    if work.exists():
        shutil.rmtree(work)
    (root / "opt").mkdir(parents=True)
    shutil.copytree(bundle, root / "opt" / "gdviz", symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink("/opt/gdviz/gdviz", root / "usr" / "bin" / "gdviz")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(HERE / "gdviz.desktop", apps / "gdviz.desktop")
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    for png in sorted(ICONS.glob("gdviz-*.png")):
        size = png.stem.split("-")[1]
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target / "gdviz.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ICONS / "gdviz.svg", hicolor / "scalable" / "apps" / "gdviz.svg")
    doc = root / "usr" / "share" / "doc" / "gdviz"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "gdviz: MIT licence, the gdviz team.\n"
        "Bundled: CPython (PSF licence), Qt 6 and PySide6 (LGPLv3), pyqtgraph (MIT), numpy (BSD)\n"
        "with OpenBLAS (BSD), and the system libraries copied from the build machine, each under\n"
        "its own licence. Data sets: see /opt/gdviz/_internal/resources/datasets/README.md.\n"
    )
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
        elif path.is_file() and not path.is_symlink():
            path.chmod(0o755 if os.access(path, os.X_OK) else 0o644)
    installed_kib = (
        sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink()) // 1024
    )
    maintainer = os.environ.get("GDVIZ_MAINTAINER", "The gdviz team <gdviz@example.org>")
    control = (
        f"Package: gdviz\nVersion: {ver}\nArchitecture: amd64\nMaintainer: {maintainer}\n"
        f"Installed-Size: {installed_kib}\nSection: education\nPriority: optional\n"
        f"Depends: libc6 (>= {glibc_needed(bundle)}), {', '.join(DEPENDS)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n{DESCRIPTION}"
    )
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(control)
    # xz is what every dpkg reads; the hicolor and desktop-file triggers of the system refresh
    # the menu and the icon cache, so no maintainer scripts are needed.
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "gdviz")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "deb")
    args = parser.parse_args(argv)
    ver = version()
    tarball = args.dist / f"gdviz-{ver}-linux-x86_64.tar.gz"
    deb = args.dist / f"gdviz_{ver}_amd64.deb"
    for pattern in ("gdviz-*-linux-x86_64.tar.gz", "gdviz_*_amd64.deb"):
        for old in args.dist.glob(pattern):
            old.unlink()
    make_tarball(args.bundle, tarball, f"gdviz-{ver}")
    print(f"make_packages: {tarball} ({tarball.stat().st_size / 1e6:.1f} MB)")
    make_deb(args.bundle, deb, ver, args.work)
    print(f"make_packages: {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    info = {
        "version": ver,
        "fingerprint": source_fingerprint(),
        "bundle": str(args.bundle.relative_to(args.dist)),
        "bundle_bytes_on_disk": bundle_size(args.bundle),
        "tarball": tarball.name,
        "tarball_bytes": tarball.stat().st_size,
        "deb": deb.name,
        "deb_bytes": deb.stat().st_size,
    }
    (args.dist / "build-info.json").write_text(json.dumps(info, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
