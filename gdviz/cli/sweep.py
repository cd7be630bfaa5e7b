"""``gdviz sweep``: final loss against learning rate, K log-spaced rates run vectorised on the
same batches."""

from __future__ import annotations

import argparse

import numpy as np

from gdviz.cli.options import UsageError, add_run_options, config_from_args
from gdviz.cli.output import dumps, write_atomic
from gdviz.core import sweep as core_sweep
from gdviz.core.config import build_problem, total_steps
from gdviz.core.report import problem_facts, write_sweep_csv


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="final loss for a range of learning rates",
        description="Run K log-spaced learning rates in lockstep on the same batches and report "
        "the final loss of each; the summary JSON names the best learning rate.",
    )
    parser.add_argument("--lr-min", type=float, required=True)
    parser.add_argument("--lr-max", type=float, required=True)
    parser.add_argument("--num", type=int, default=25, help="number of learning rates (K)")
    add_run_options(parser)
    parser.add_argument("--out", metavar="FILE.csv", help="write lr,final_loss,status,diverged_at")
    parser.set_defaults(command=sweep_command)


def learning_rates(lr_min: float, lr_max: float, num: int) -> np.ndarray:
    """``num`` log-spaced learning rates from lr_min to lr_max (UsageError when invalid)."""
    if not (np.isfinite(lr_min) and np.isfinite(lr_max) and 0 < lr_min <= lr_max):
        raise UsageError(f"need 0 < --lr-min <= --lr-max, got {lr_min:g} and {lr_max:g}")
    if not 1 <= num <= 10_000:
        raise UsageError(f"--num must be between 1 and 10000, got {num}")
    return core_sweep.learning_rates(lr_min, lr_max, num)


def sweep_results(config, problem, rates: np.ndarray) -> list[dict]:
    """Final loss, status and divergence step per learning rate."""
    result = core_sweep.sweep(config, rates, problem=problem)
    return [
        {"lr": float(lr), "final_loss": float(loss), "status": status, "diverged_at": at}
        for lr, loss, status, at in zip(
            result.rates, result.final_loss, result.status, result.diverged_at, strict=True
        )
    ]


def sweep_command(args: argparse.Namespace) -> int:
    rates = learning_rates(args.lr_min, args.lr_max, args.num)
    config = config_from_args(args)
    problem = build_problem(config)
    results = sweep_results(config, problem, rates)
    finite = [r for r in results if r["status"] != "diverged" and np.isfinite(r["final_loss"])]
    best = min(finite, key=lambda r: r["final_loss"]) if finite else None
    if args.out:

        def write(handle):
            write_sweep_csv(
                handle,
                [r["lr"] for r in results],
                [r["final_loss"] for r in results],
                [r["status"] for r in results],
                [r["diverged_at"] for r in results],
            )

        write_atomic(args.out, write)
    summary = {
        "best_lr": best["lr"] if best else None,
        "best_loss": best["final_loss"] if best else None,
        "steps": total_steps(config, problem),
        "diverged": sum(r["status"] == "diverged" for r in results),
        "results": results,
    }
    summary.update(problem_facts(problem))
    print(dumps(summary))
    return 0
