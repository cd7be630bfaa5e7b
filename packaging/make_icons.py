"""Make every application icon file from the one SVG source, resources/icons/gdviz.svg.

Writes, next to the SVG: gdviz-<N>.png for N in PNG_SIZES (the hicolor sizes the Linux .deb
installs; the window icon), gdviz.ico (Windows: exe, installer, Start menu) and gdviz.icns
(macOS .app). The SVG is rendered with Qt's own SVG renderer (QtSvg, part of
PySide6-Essentials) on the offscreen platform, so no display and no extra tool is needed; Pillow
(in the test extras) writes the .ico and .icns.

    .venv/bin/python packaging/make_icons.py          # rewrite the files
    .venv/bin/python packaging/make_icons.py --check  # exit 1 if any file is missing or stale

The generated files are committed, so a build never needs to run this; run it after editing the
SVG.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "gdviz.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(size: int):
    """The SVG rendered to a size x size RGBA Pillow image."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def build() -> dict[str, bytes]:
    """File name -> bytes of every generated icon file."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    images = {n: render(n) for n in sizes}
    out: dict[str, bytes] = {}
    for n in PNG_SIZES:
        out[f"gdviz-{n}.png"] = _encode(images[n], "PNG")
    biggest_ico = images[max(ICO_SIZES)]
    out["gdviz.ico"] = _encode(
        biggest_ico,
        "ICO",
        sizes=[(n, n) for n in ICO_SIZES],
        append_images=[images[n] for n in ICO_SIZES if n != max(ICO_SIZES)],
    )
    out["gdviz.icns"] = _encode(
        images[max(ICNS_SIZES)],
        "ICNS",
        append_images=[images[n] for n in ICNS_SIZES if n != max(ICNS_SIZES)],
    )
    return out


def _encode(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the files are current")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        # PNG encoders differ between Qt/Pillow versions: compare pixels, not bytes.
        stale = [name for name in files if not _same_pixels(ICONS / name, files[name])]
        if stale:
            print("make_icons: missing or stale: " + ", ".join(stale), file=sys.stderr)
            return 1
        print(f"make_icons: {len(files)} icon files are current")
        return 0
    for name, data in files.items():
        (ICONS / name).write_bytes(data)
        print(ICONS / name)
    return 0


def _same_pixels(path: Path, data: bytes) -> bool:
    from PIL import Image, ImageChops

    if not path.is_file():
        return False
    if path.suffix != ".png":
        return path.stat().st_size > 0
    with Image.open(path) as have, Image.open(io.BytesIO(data)) as want:
        if have.size != want.size:
            return False
        diff = ImageChops.difference(have.convert("RGBA"), want.convert("RGBA"))
        return max(band_max for _, band_max in diff.getextrema()) <= 8


if __name__ == "__main__":
    sys.exit(main())
