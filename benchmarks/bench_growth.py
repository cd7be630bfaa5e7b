"""How the engine's cost grows with N and with the run's length: seconds and peak memory of
``gdviz run`` in a fresh process for each case, side by side.

Not a test; a script that prints a table and always exits 0::

    PYTHONPATH=. python benchmarks/bench_growth.py [--repeats 3]

* linear regression on the synthetic line, 10,000 iterations, N = 1e3, 1e4, 1e5, 1e6, for B = 10
  and for full batch (B = N): full batch should cost the same at every N (its batch means are the
  data's, worked out once);
* B = 10, N = 1,000, 1e5, 1e6 and 1e7 iterations: the memory must not grow with the length (the
  recording thins its history).

Each case is timed with GNU time (wall clock and maximum resident set size); medians (min-max).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(argv: list[str]) -> tuple[float, float]:
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "gdviz",
                             *argv], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def describe(values) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = []
    for n in (1_000, 10_000, 100_000, 1_000_000):
        for label, batch in (("10", 10), ("full", n)):
            cases.append((f"N = {n:,}, B = {label}, 10,000 steps",
                          ["run", "--dataset", "synthetic", "--n-examples", str(n),
                           "--batch-size", str(batch), "--steps", "10000"]))  # fmt: skip
    for steps in (1_000, 100_000, 1_000_000, 10_000_000):
        cases.append((f"N = 1,000, B = 10, {steps:,} steps",
                      ["run", "--dataset", "synthetic", "--n-examples", "1000", "--batch-size",
                       "10", "--steps", str(steps)]))  # fmt: skip
    print(f"median (min-max) of {args.repeats}: wall seconds, peak MB")
    for name, argv in cases:
        runs = [measure(argv) for _ in range(args.repeats)]
        print(f"  {name:40s} {describe([r[0] for r in runs])} s   "
              f"{describe([r[1] for r in runs])} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
