"""The experiment lab's three experiments at their default sizes, in process, each beside a
reference in the same run: one ordinary run of the same configuration for as many iterations
(what a single ``gdviz run`` of that length costs), interleaved A B A B ...

Not a test; a script that prints a table and always exits 0::

    env PYTHONPATH=. python benchmarks/bench_lab.py [--repeats 7]

Experiments (the window's panel defaults; the commands' are in the README):

* range test: Auto MPG, batch 10, 1e-5 to 10 over 300 iterations (the panel's default);
* batch scaling: Auto MPG, lr 0.1, batch sizes 1, 2, 4, ... 398, three seeds each, to the
  default target, at most 5,000 steps (the panel's): from the default start, from lesson 16's,
  and to a target (18.79) most runs never reach, so that all 30 make the 5,000 steps; its
  reference is one run of 5,000 steps;
* edge of stability: scalar-net from (3, 0.1), lr 0.3, 3,000 iterations with the sharpness
  of every row (``gdviz run --out`` writes it), against the same run without.

Each figure: median (min-max) of ``--repeats`` timings, in milliseconds.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from gdviz.core.batch_scaling import batch_scaling
from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.lr_range import range_test
from gdviz.core.report import write_trajectory_csv


def plain_run(config: RunConfig, steps: int) -> None:
    trainer = build_trainer(config.replace(steps=steps, epochs=None), build_problem(config))
    trainer.advance(steps)


def csv_run(config: RunConfig) -> None:
    trainer = build_trainer(config, build_problem(config))
    write_trajectory_csv(io.StringIO(), trainer)


RANGE = RunConfig(dataset="auto-mpg", batch_size=10, steps=300, epochs=None)
SCALING = RunConfig(dataset="auto-mpg", lr=0.1)
LESSON_16 = SCALING.replace(batch_size=10, start=(-4.0, 21.0))
EDGE = RunConfig(surface="scalar-net", lr=0.3, steps=3000, epochs=None)

CASES = {
    "range test (300 iterations)": (
        lambda: range_test(RANGE, 1e-5, 10.0),
        lambda: plain_run(RANGE, 300),
    ),
    "batch scaling (10 sizes x 3 seeds)": (
        lambda: batch_scaling(SCALING, max_steps=5000),
        lambda: plain_run(SCALING, 5000),
    ),
    "batch scaling, lesson 16": (
        lambda: batch_scaling(LESSON_16, max_steps=5000),
        lambda: plain_run(LESSON_16, 5000),
    ),
    "batch scaling, all 5,000 steps (target 18.79)": (
        lambda: batch_scaling(SCALING, target=18.79, max_steps=5000),
        lambda: plain_run(SCALING, 5000),
    ),
    "edge of stability (3,000 rows with sharpness)": (
        lambda: csv_run(EDGE),
        lambda: plain_run(EDGE, 3000),
    ),
}


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return 1000 * (time.perf_counter() - start)


def summary(values) -> str:
    return f"{statistics.median(values):8.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'experiment':46} {'experiment ms':>24} {'reference ms':>24}")
    for name, (experiment, reference) in CASES.items():
        experiment(), reference()  # warm: imports, data read once
        times = {"experiment": [], "reference": []}
        for _ in range(args.repeats):
            times["experiment"].append(timed(experiment))
            times["reference"].append(timed(reference))
        print(f"{name:46} {summary(times['experiment']):>24} {summary(times['reference']):>24}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
