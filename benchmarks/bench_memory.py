"""Memory of long runs: the window flat out, `gdviz run` and `gdviz sweep`, each in a fresh
process, its resident memory read from /proc.

Not a test; a script that prints a table and always exits 0::

    PYTHONPATH=. python benchmarks/bench_memory.py [--seconds 10] [--repeats 3]

* **window**: the main window (offscreen unless a display is set) plays a 50,000,000-step run
  at full speed; resident memory (VmRSS) after ``--seconds`` seconds, with the steps made, and
  the high-water mark (VmHWM);
* **compare**: the same, with six learning rates compared side by side (lockstep);
* **run**: ``gdviz run --steps 10000000`` (N = 1,000, B = 10, no ``--out``), peak memory;
* **sweep**: ``gdviz sweep --num 64 --steps 200000``, peak memory;
* **floor**: a Python process that imports numpy, PySide6 and pyqtgraph and shows an empty
  pyqtgraph window: what any such program costs.

Medians (min-max) of the repeats are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WINDOW = """
import os, sys, time
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from gdviz.core.config import RunConfig
from gdviz.ui.app import create_application
from gdviz.ui.main_window import MainWindow
app = create_application()
config = RunConfig(dataset="synthetic", n_examples=1000, batch_size=10, lr=0.01, steps=50_000_000)
window = MainWindow(config=config, settings=None)
window.show()
if sys.argv[2] == "compare":
    from gdviz.core.lessons import CompareRun
    rates = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
    runs = tuple(CompareRun(f"lr {lr}", config.replace(lr=lr)) for lr in rates)
    window.commands.start({"config": config, "compare": runs})
window.state.speed = 0
window.commands.toggle_play()
end = time.perf_counter() + float(sys.argv[1])
while time.perf_counter() < end:
    app.processEvents()
    time.sleep(0.005)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
steps = int(window.engine.recording.last("step", 0))
print(int(status["VmRSS"].split()[0]) // 1024, int(status["VmHWM"].split()[0]) // 1024, steps)
window.close()
"""

FLOOR = """
import os, time
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
import numpy, pyqtgraph as pg
from PySide6.QtWidgets import QApplication
app = QApplication([])
w = pg.PlotWidget(); w.show()
for _ in range(50):
    app.processEvents(); time.sleep(0.01)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(int(status["VmRSS"].split()[0]) // 1024, int(status["VmHWM"].split()[0]) // 1024, 0)
"""


def peak_of(argv: list[str]) -> int:
    """Peak resident memory in MB of a command (GNU time's "Maximum resident set size")."""
    result = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True,
                            cwd=ROOT, env=_env())  # fmt: skip
    for line in result.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) // 1024
    raise RuntimeError(result.stderr[-500:])


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def python(code: str, *args) -> list[int]:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                         text=True, cwd=ROOT, env=_env(), check=True).stdout  # fmt: skip
    return [int(v) for v in out.split()[-3:]]


def describe(values) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    gdviz = [sys.executable, "-m", "gdviz"]
    rows = {"window": [], "compare": [], "floor": [], "run": [], "sweep": []}
    for _ in range(args.repeats):
        rows["window"].append(python(WINDOW, args.seconds, "single"))
        rows["compare"].append(python(WINDOW, args.seconds, "compare"))
        rows["floor"].append(python(FLOOR))
        run = ["run", "--dataset", "synthetic", "--n-examples", "1000", "--batch-size", "10"]
        rows["run"].append(peak_of([*gdviz, *run, "--steps", "10000000"]))
        rows["sweep"].append(peak_of([*gdviz, "sweep", "--dataset", "synthetic", "--num", "64",
                                      "--steps", "200000", "--lr-min", "0.001", "--lr-max",
                                      "0.1"]))  # fmt: skip
    print(f"median (min-max) of {args.repeats}; MB")
    for name, title in (("window", "window"), ("compare", "window, 6 runs compared,")):
        window = rows[name]
        print(f"  {title} after {args.seconds:g} s flat out: resident "
              f"{describe([w[0] for w in window])}, peak {describe([w[1] for w in window])}, "
              f"steps {describe([w[2] for w in window])}")  # fmt: skip
    print(
        f"  python + PySide6 + pyqtgraph window (floor): {describe([f[0] for f in rows['floor']])}"
    )
    print(f"  gdviz run --steps 10000000, peak: {describe(rows['run'])}")
    print(f"  gdviz sweep --num 64 --steps 200000, peak: {describe(rows['sweep'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
