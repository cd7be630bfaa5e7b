"""``gdviz run``: train once without a screen; trajectory CSV to a file, summary JSON to stdout."""

from __future__ import annotations

import argparse

from gdviz.cli.options import add_run_options, config_from_args
from gdviz.cli.output import dumps, summary_stream, write_atomic
from gdviz.core.config import build_problem, build_trainer, total_steps
from gdviz.core.report import STREAM_CHUNK, run_summary, write_trajectory_csv

# Rows kept in memory: the summary needs the last, --out the newest chunk (written as made).
CLI_ROWS = 16 * STREAM_CHUNK


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="train once and print a JSON summary",
        description="Train once without a screen. The summary (status, steps, final parameters "
        "and loss, optimum and learning-rate limits) goes to stdout as JSON.",
    )
    add_run_options(parser)
    parser.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write the trajectory (one row a step); - for standard output"
        " (the summary then goes to standard error)",
    )
    parser.add_argument("--log-batches", action="store_true",
                        help="add the examples of each batch to the CSV")  # fmt: skip
    parser.set_defaults(command=run_command)


def run_command(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=args.log_batches, max_rows=CLI_ROWS)
    if args.out is not None:  # "" is an error, not "no file"; rows are written as they are made
        write_atomic(
            args.out, lambda handle: write_trajectory_csv(handle, trainer, 0, args.log_batches)
        )
    trainer.advance(total_steps(config, problem))
    trainer.finish()
    print(dumps(run_summary(trainer)), file=summary_stream(args.out))
    return 0
