"""``gdviz sweep``: final loss against learning rate, K log-spaced rates run vectorised on the
same batches."""

from __future__ import annotations

import argparse

from gdviz.cli.options import UsageError, add_run_options, config_from_args
from gdviz.cli.output import dumps, summary_stream, write_atomic
from gdviz.core import sweep as core_sweep
from gdviz.core.atomic import check_target
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
    parser.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write lr,final_loss,status,diverged_at; - for standard output"
        " (the summary then goes to standard error)",
    )
    parser.set_defaults(command=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    try:
        rates = core_sweep.learning_rates(args.lr_min, args.lr_max, args.num)
    except ValueError as exc:  # the same rules as the GUI's sweep, worded for the options
        message = str(exc).replace("lr_min", "--lr-min").replace("lr_max", "--lr-max")
        raise UsageError(message.replace("the number of rates", "--num")) from None
    config = config_from_args(args)
    if args.out is not None:
        check_target(args.out)  # before a sweep that may take minutes
    problem = build_problem(config)
    result = core_sweep.sweep(config, rates, problem=problem)
    if args.out is not None:  # "" is an error, not "no file"
        columns = (result.rates, result.final_loss, result.status, result.diverged_at)
        write_atomic(args.out, lambda handle: write_sweep_csv(handle, *columns))
    results = [
        {"lr": float(lr), "final_loss": float(loss), "status": status, "diverged_at": at}
        for lr, loss, status, at in zip(
            result.rates, result.final_loss, result.status, result.diverged_at, strict=True
        )
    ]
    summary = {
        "best_lr": result.best_lr,  # the GUI's choice too: among ties, the fewest steps
        "best_loss": result.best_loss,
        "steps": total_steps(config, problem),
        "diverged": sum(r["status"] == "diverged" for r in results),
        "results": results,
    }
    summary.update(problem_facts(problem))
    print(dumps(summary), file=summary_stream(args.out))
    return 0
