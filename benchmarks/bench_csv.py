"""CSV reading: gdviz's reader against numpy.loadtxt on the same two columns, side by side.

Not a test; a script that prints a table and always exits 0::

    PYTHONPATH=. python benchmarks/bench_csv.py [--rows N] [--repeats R]

A file of N rows (default 1,000,000) and three numeric columns is written to a temporary folder;
gdviz.core.csv_reader.read_csv (columns 1 and 3) and numpy.loadtxt(usecols=(0, 2)) read it in
turn, R times each (default 5), and the medians (with min and max) and their ratio are printed.
gdviz keeps a file it has read; the timed reads start from a forgotten cache, and a last line
times the second read of the same file (what the window's later uses of it cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from gdviz.core.csv_reader import forget_read_files, read_csv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    table = rng.normal(size=(args.rows, 3)) * [10.0, 1.0, 100.0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        np.savetxt(path, table, delimiter=",", header="a,b,c", comments="", fmt="%.10g")
        size = path.stat().st_size / 1e6
        times = {"gdviz read_csv": [], "numpy.loadtxt": []}
        for _ in range(args.repeats):  # alternately, so load on the machine hits both alike
            forget_read_files()
            started = time.perf_counter()
            columns = read_csv(path, "a", "c")
            times["gdviz read_csv"].append(time.perf_counter() - started)
            started = time.perf_counter()
            reference = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 2))
            times["numpy.loadtxt"].append(time.perf_counter() - started)
        started = time.perf_counter()
        again = read_csv(path, "a", "c")
        second = time.perf_counter() - started
        assert again is columns
        assert np.array_equal(columns.x, reference[:, 0]) and np.array_equal(
            columns.y, reference[:, 1]
        )
    print(f"{args.rows:,} rows, 3 columns, {size:.1f} MB; median (min-max) of {args.repeats}")
    for name, values in times.items():
        print(f"  {name:16s} {statistics.median(values):.3f} s "
              f"({min(values):.3f}-{max(values):.3f})")  # fmt: skip
    ratio = statistics.median(times["gdviz read_csv"]) / statistics.median(times["numpy.loadtxt"])
    print(f"  ratio            {ratio:.2f}x numpy.loadtxt (target: within 2x)")
    print(f"  second read of the unchanged file: {second * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
