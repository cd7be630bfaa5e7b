"""``gdviz batch-scaling``: batch size against steps and examples to a target loss, with the
gradient noise scale (gdviz.core.batch_scaling); rows to a CSV file, the summary as JSON."""

from __future__ import annotations

import argparse

from gdviz.cli.options import UsageError, add_run_options, config_from_args
from gdviz.cli.output import dumps, summary_stream, write_atomic
from gdviz.core import batch_scaling as core
from gdviz.core.atomic import check_target


def batch_size_list(text: str) -> tuple[float, ...]:
    """``1,2,4,8``: the sizes as numbers (checked against N once the data is read)."""
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected batch sizes separated by commas, like 1,2,4,8; got {text!r}"
        ) from None


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "batch-scaling",
        help="steps and examples to a target loss for each batch size (JSON)",
        description="Train every batch size of a list to a target training loss (--repeats "
        "seeds each, the median reported) and count the steps and the examples it took; the "
        "summary gives the gradient noise scale B_simple = tr(Sigma)/|G|^2 at the start (the "
        "predicted critical batch size) and the measured estimate E_min/S_min. Each run goes "
        "to the target or --max-steps: --steps, --epochs and --tol do not apply.",
    )
    add_run_options(parser)
    parser.add_argument("--batch-sizes", type=batch_size_list, metavar="B1,B2,...",
                        help="the batch sizes (default 1, 2, 4, ... and N)")  # fmt: skip
    parser.add_argument("--target", type=float, metavar="LOSS",
                        help="the training loss to reach (default: the optimum's loss plus 1 %% "
                        "of the start's gap above it)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="seeds per batch size (3)")
    parser.add_argument("--lr-rule", choices=core.LR_RULES, default="none",
                        help="the rate for each batch size from --lr at --base-batch: the same "
                        "(none), times B/B0 (linear) or times sqrt(B/B0) (sqrt)")  # fmt: skip
    parser.add_argument("--base-batch", type=int, metavar="B0",
                        help="the batch size --lr is for (default --batch-size, or N)")  # fmt: skip
    parser.add_argument("--max-steps", type=int, default=core.MAX_STEPS, metavar="M",
                        help=f"give up a run after M iterations ({core.MAX_STEPS:,})")  # fmt: skip
    parser.add_argument("--out", metavar="FILE.csv", help="write " + ",".join(core.CSV_FIELDS)
                        + "; - for standard output")  # fmt: skip
    parser.set_defaults(command=batch_scaling_command)


def batch_scaling_command(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    if args.steps is not None:
        raise UsageError("gdviz batch-scaling: each run goes to the target or --max-steps; "
                         "--steps does not apply")  # fmt: skip
    if args.out is not None:
        check_target(args.out)  # before runs that may take a while
    result = core.batch_scaling(
        config,
        args.batch_sizes,
        args.target,
        args.repeats,
        args.lr_rule,
        args.base_batch,
        args.max_steps,
    )
    if args.out is not None:

        def write(handle) -> None:
            handle.write(",".join(core.CSV_FIELDS) + "\n")
            for row in result.rows:
                cells = [_cell(value) for value in row.to_dict().values()]
                handle.write(",".join(cells) + "\n")

        write_atomic(args.out, write)
    print(dumps(result.summary()), file=summary_stream(args.out))
    return 0


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.17g}"
