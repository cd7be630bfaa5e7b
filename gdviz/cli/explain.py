"""``gdviz explain --step K``: one iteration worked out with its numbers, as JSON on stdout."""

from __future__ import annotations

import argparse

from gdviz.cli.options import UsageError, add_run_options, config_from_args
from gdviz.cli.output import dumps
from gdviz.core.config import build_problem, build_trainer, total_steps
from gdviz.core.explain import work_out
from gdviz.core.noise_scale import gradient_noise_scale


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="work one iteration out with its numbers (JSON)",
        description="Work iteration K of a run out with its numbers, for handouts and "
        "exercises: the batch, each example's gradient, their mean, the learning rate, the "
        "optimizer's state before and after, the update written out and the new parameters. "
        "params_before is row K-1 of gdviz run --out with the same options, params_after row K.",
    )
    parser.add_argument("--step", type=int, required=True, metavar="K",
                        help="the iteration to work out (1 is the first update)")  # fmt: skip
    add_run_options(parser)
    parser.set_defaults(command=explain_command)


def explain_command(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    problem = build_problem(config)
    budget = total_steps(config, problem)
    if not 1 <= args.step <= budget:
        raise UsageError(f"gdviz explain: --step must be between 1 and the run's budget of "
                         f"{budget:,}, got {args.step}")  # fmt: skip
    trainer = build_trainer(config, problem, max_rows=4096)
    trainer.advance(args.step - 1)
    if trainer.statuses[0].status != "running":  # it converged or diverged before step K
        status = trainer.statuses[0]
        raise UsageError(f"gdviz explain: the run {status.status} at iteration {status.step}, "
                         f"before iteration {args.step}")  # fmt: skip
    work = work_out(trainer, args.step)
    # The gradient noise scale at the step's parameters (core.noise_scale), beside the update.
    noise = gradient_noise_scale(problem, *work.params_before)
    print(dumps({**work.to_json(), "noise_scale": noise}))
    return 0
