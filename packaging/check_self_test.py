"""Run a frozen ``gdviz --self-test`` and check the window grab it saved decodes as a PNG.

    python packaging/check_self_test.py dist/gdviz/gdviz          # Linux (set QT_QPA_PLATFORM
    python packaging/check_self_test.py dist\\gdviz\\gdviz.exe      #  or run under xvfb-run)

Standard library only (it runs on the release machines without the test extras). Exits 0 when
the app exited 0 and the grab is a complete PNG; prints the app's output, the first
frame time and the whole run's wall time. On Windows the app is a GUI program whose output only
exists when redirected, which this does; if it printed nothing the newest grab is used.
"""

from __future__ import annotations

import glob
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib


def decode_png(path: str) -> tuple[int, int]:
    """(width, height) of a PNG after inflating all of its pixel data; raises ValueError."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"{path}: bad CRC in {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None:
        raise ValueError(f"{path}: no IHDR")
    width, height, depth, colour = header[:4]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(idat)
    if len(raw) != height * (1 + (width * channels * depth + 7) // 8):
        raise ValueError(f"{path}: pixel data of the wrong size")
    stride = len(raw) // height
    if any(raw[row * stride] > 4 for row in range(height)):
        raise ValueError(f"{path}: bad row filter")
    return width, height


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    exe = os.path.abspath(argv[0])
    pattern = os.path.join(tempfile.gettempdir(), "gdviz-self-test-*.png")
    before = set(glob.glob(pattern))
    started = time.perf_counter()
    result = subprocess.run(
        [exe, "--self-test"], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    if result.returncode != 0:
        print(f"check_self_test: {exe} --self-test exited {result.returncode}", file=sys.stderr)
        return 1
    lines = result.stdout.strip().splitlines()
    if lines and lines[-1].endswith(".png"):
        grab = lines[-1].strip()
    else:
        new = sorted(set(glob.glob(pattern)) - before, key=os.path.getmtime)
        if not new:
            print("check_self_test: no window grab found", file=sys.stderr)
            return 1
        grab = new[-1]
    try:
        width, height = decode_png(grab)
    except (OSError, ValueError, zlib.error) as exc:
        print(f"check_self_test: {exc}", file=sys.stderr)
        return 1
    print(f"check_self_test: passed: {grab} is a {width}x{height} PNG; run took {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
