"""Opening a big CSV in the window: the longest stall of the GUI thread, side by side with the
same file parsed on the GUI thread (what 0.1.0 did, twice).

Not a test; a script that prints a table and always exits 0::

    PYTHONPATH=. python benchmarks/bench_open_csv.py [--rows N] [--repeats R]

A file of N rows (default 1,000,000) of two numeric columns is written to a temporary folder.
A 16 ms QTimer runs on the GUI thread and records the longest gap between its ticks while

* **gdviz**: the file is chosen in the panel (as Ctrl+O does) and the window reads it, builds the
  problem and shows the new run's first frame;
* **on the GUI thread**: the same file is parsed by ``read_csv`` inside a timer tick (the cache
  forgotten first), i.e. the stall a reader on the GUI thread would cause, once.

Medians (min-max) of R repeats (default 3) are printed, with the time to the new run. Runs on
the offscreen platform unless a display is set (QT_QPA_PLATFORM=xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from gdviz.core.csv_reader import forget_read_files, read_csv


class GapMeter:
    """The longest gap between the ticks of a 16 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0

    def start(self) -> None:
        self.longest = 0.0
        self.clock.start()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.restart() / 1000)


def wait(app, condition, timeout=60.0) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    return condition()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from gdviz.ui.main_window import MainWindow

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, args.rows)
    table = np.column_stack([x, 2 * x + 1 + rng.normal(size=args.rows)])
    results = {"gdviz (stall)": [], "gdviz (to the new run)": [], "on the GUI thread": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        np.savetxt(path, table, delimiter=",", header="x,y", comments="", fmt="%.8g")
        window = MainWindow(settings=None)
        window.show()
        meter = GapMeter()
        for _ in range(args.repeats):
            forget_read_files()
            window.commands.open_lesson(0)  # back to a built-in data set
            wait(app, lambda: window.engine.info is not None, 5)
            app.processEvents()
            meter.start()
            started = time.perf_counter()
            window.controls.set_csv_columns(str(path), ["x", "y"])
            done = wait(app, lambda: window.engine.info.problem.n_examples == args.rows)
            took = time.perf_counter() - started
            app.processEvents()
            time.sleep(0.1)
            app.processEvents()
            results["gdviz (stall)"].append(meter.stop())
            results["gdviz (to the new run)"].append(took if done else float("nan"))
            forget_read_files()
            meter.start()
            QTimer.singleShot(50, lambda: read_csv(path, "x", "y"))
            wait(app, lambda: False, 1.5)
            results["on the GUI thread"].append(meter.stop())
        window.close()
    print(f"{args.rows:,}-row CSV opened in the window; median (min-max) of {args.repeats}, "
          f"platform {app.platformName()}")  # fmt: skip
    for name, values in results.items():
        print(f"  {name:24s} {statistics.median(values) * 1e3:7.0f} ms "
              f"({min(values) * 1e3:.0f}-{max(values) * 1e3:.0f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
