"""``gdviz lr-range-test``: the learning-rate range test (gdviz.core.lr_range); rows to a CSV
file, the summary as JSON on stdout."""

from __future__ import annotations

import argparse

from gdviz.cli.options import add_run_options, config_from_args
from gdviz.cli.output import dumps, summary_stream, write_atomic
from gdviz.core.lr_range import range_test


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lr-range-test",
        help="one run with a geometrically rising learning rate (JSON)",
        description="The learning-rate range test: one run whose rate rises from --lr-min to "
        "--lr-max over its iterations (--steps, or its epochs), stopped at divergence. The "
        "summary gives steepest_lr, diverged_at_lr and, for linear regression, lr_limit "
        "(2/lambda_max) and lr_fastest (2/(lambda_min+lambda_max)).",
    )
    add_run_options(parser)
    parser.add_argument("--lr-min", type=float, default=1e-5, help="the first rate (1e-5)")
    parser.add_argument("--lr-max", type=float, default=10.0, help="the last rate (10)")
    parser.add_argument("--out", metavar="FILE.csv", help="write step,lr,batch_loss,loss,"
                        "smoothed_loss; - for standard output")  # fmt: skip
    parser.set_defaults(command=lr_range_command)


def lr_range_command(args: argparse.Namespace) -> int:
    result = range_test(config_from_args(args), args.lr_min, args.lr_max)
    if args.out is not None:

        def write(handle) -> None:
            handle.write("step,lr,batch_loss,loss,smoothed_loss\n")
            columns = (result.lr, result.batch_loss, result.loss, result.smoothed_loss)
            for step, row in enumerate(zip(*columns, strict=True), start=1):
                handle.write(f"{step}," + ",".join(f"{float(v):.17g}" for v in row) + "\n")

        write_atomic(args.out, write)
    print(dumps(result.summary()), file=summary_stream(args.out))
    return 0
