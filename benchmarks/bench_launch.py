"""Launch to the first visible window: gdviz's main window against the Python floor (a minimal
PySide6 + pyqtgraph window with one plot), in fresh processes, interleaved A B A B ...

Not a test; a script that prints a table and always exits 0::

    xvfb-run -s "-screen 0 1920x1080x24" env PYTHONPATH=. python benchmarks/bench_launch.py

The time runs from just before the process is spawned to the moment its window is exposed on
the display and has been painted once (``repaint``), measured in the child with the parent's
clock (``time.time()`` passed on the command line). Best under a real X server (Xvfb);
offscreen otherwise. Each figure: median (min-max) of ``--repeats`` pairs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHOWN = """
def shown(app, window):
    window.show()
    while window.windowHandle() is None or not window.windowHandle().isExposed():
        app.processEvents()
    window.repaint()
    app.processEvents()
    print(time.time() - float(sys.argv[1]))
"""

GDVIZ = (
    """
import os, sys, time
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
from gdviz.ui.app import create_application
from gdviz.ui.main_window import MainWindow
"""
    + SHOWN
    + """
app = create_application()
shown(app, MainWindow(settings=None))
"""
)

FLOOR = (
    """
import os, sys, time
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
"""
    + SHOWN
    + """
app = QApplication(sys.argv[:1])
plot = pg.PlotWidget()
plot.plot(np.arange(100.0), np.arange(100.0) ** 0.5)
plot.resize(1280, 720)
shown(app, plot)
"""
)


def launch(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", code, repr(time.time())]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return float(out.stdout.split()[-1])


def describe(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    launch(FLOOR), launch(GDVIZ)  # warm the file cache: every timed launch starts alike
    floor, gdviz = [], []
    for _ in range(args.repeats):
        floor.append(launch(FLOOR))
        gdviz.append(launch(GDVIZ))
    ratios = [g / f for g, f in zip(gdviz, floor, strict=True)]
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    print(f"launch to the first visible window ({platform}; {args.repeats} pairs, interleaved)")
    print(f"  floor: python + PySide6 + pyqtgraph plot  {describe(floor)}")
    print(f"  gdviz main window                         {describe(gdviz)}")
    print(f"  ratio, pair by pair                        {statistics.median(ratios):.2f}x "
          f"({min(ratios):.2f}-{max(ratios):.2f}); target <= 1.3x")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
