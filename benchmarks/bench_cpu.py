"""CPU the window costs: paused, animating at the default speed (100 iterations/s) and flat out,
over 10 s each, in a fresh process; best under a real X server (Xvfb), offscreen otherwise.

Not a test; a script that prints a table and always exits 0::

    xvfb-run -s "-screen 0 1920x1080x24" env PYTHONPATH=. python benchmarks/bench_cpu.py

CPU % is the process's CPU time (every thread) over the wall time, in % of one core, for the
main window at 1280x720, in the application's own event loop; beside it, frames drawn per
second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import os, sys, time
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
from gdviz.core.config import RunConfig
from gdviz.ui.app import create_application
from gdviz.ui.main_window import MainWindow
app = create_application()
mode, seconds = sys.argv[1], float(sys.argv[2])
config = RunConfig(dataset="synthetic", n_examples=1000, batch_size=10, lr=0.01, steps=50_000_000)
window = MainWindow(config=config, settings=None)
window.show()
end = time.perf_counter() + 2
while time.perf_counter() < end:  # first paint and settling
    app.processEvents(); time.sleep(0.005)
if mode != "paused":
    window.state.speed = 100 if mode == "default speed" else 0
    window.commands.toggle_play()
from PySide6.QtCore import QTimer
frames = [0]
draw = window.frames.draw
def counted(draw=draw):
    frames[0] += 1
    draw()
window.frames.draw = counted
wall, cpu = time.perf_counter(), time.process_time()
QTimer.singleShot(int(seconds * 1000), app.quit)
app.exec()  # the application's own event loop: no polling of ours in the figure
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(100 * cpu / wall, frames[0] / wall)
window.close()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"platform {'xcb' if os.environ.get('DISPLAY') else 'offscreen'}; "
          f"median (min-max) of {args.repeats}, {args.seconds:g} s each")  # fmt: skip
    for mode in ("paused", "default speed", "flat out"):
        runs = []
        for _ in range(args.repeats):
            argv = [sys.executable, "-c", CODE, mode, str(args.seconds)]
            out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT).stdout
            runs.append([float(v) for v in out.split()[-2:]])
        cpu, fps = [r[0] for r in runs], [r[1] for r in runs]
        print(f"  {mode:14s} CPU {statistics.median(cpu):5.1f} % ({min(cpu):.1f}-{max(cpu):.1f})"
              f"   frames/s {statistics.median(fps):5.1f} "
              f"({min(fps):.1f}-{max(fps):.1f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
