"""Command-line options shared by ``gdviz run`` and ``gdviz sweep``, mapped onto RunConfig."""

from __future__ import annotations

import argparse
import sys

from gdviz.core.batching import SAMPLING_MODES
from gdviz.core.config import MODELS, ConfigError, RunConfig
from gdviz.core.data import DATASET_NAMES
from gdviz.core.optimizers import OPTIMIZER_NAMES
from gdviz.core.schedules import SCHEDULE_NAMES
from gdviz.core.surfaces import SURFACE_NAMES

EXIT_USAGE = 2  # bad input of any kind: one line on stderr, no traceback


class UsageError(Exception):
    """Bad command-line input; main() prints the message on one line and exits 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _point(text: str) -> tuple[float, float]:
    try:
        first, second = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers as P1,P2, got {text!r}") from None
    return first, second


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Every knob of a run, with the RunConfig field as ``dest``."""
    d = RunConfig()
    data = parser.add_argument_group("problem")
    data.add_argument(
        "--dataset",
        default=d.dataset,
        metavar="NAME|PATH",
        help=f"built-in data set ({', '.join(DATASET_NAMES)}) or a CSV file",
    )
    data.add_argument("--x", dest="x_column", metavar="COL", help="x column of the CSV")
    data.add_argument("--y", dest="y_column", metavar="COL", help="y column of the CSV")
    data.add_argument(
        "--no-normalize",
        dest="standardize",
        action="store_false",
        help="train on raw x (no z-score standardisation of the feature)",
    )
    data.add_argument("--model", choices=MODELS, default=d.model)
    data.add_argument("--threshold", type=float, help="logistic: y > THRESHOLD is class 1")
    data.add_argument("--surface", choices=SURFACE_NAMES, help="an analytic surface, no data")
    data.add_argument(
        "--condition",
        type=float,
        default=d.condition,
        help="condition number of the quadratic bowl",
    )
    data.add_argument(
        "--noise",
        dest="gradient_noise",
        type=float,
        default=d.gradient_noise,
        help="surfaces: per-example gradient noise level sigma",
    )
    data.add_argument(
        "--n-examples",
        type=int,
        default=d.n_examples,
        help="examples of a synthetic data set, or nominal N of a surface",
    )
    data.add_argument(
        "--data-noise", type=float, default=d.data_noise, help="synthetic data: noise of y"
    )
    data.add_argument("--data-seed", type=int, default=d.data_seed)
    train = parser.add_argument_group("hyperparameters")
    train.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default=d.optimizer)
    train.add_argument("--lr", type=float, default=d.lr, help="learning rate")
    for name in ("momentum", "dampening", "beta1", "beta2", "eps", "alpha", "weight-decay",
                 "lr-decay"):  # fmt: skip
        train.add_argument(f"--{name}", type=float)
    train.add_argument("--nesterov", action="store_true")
    train.add_argument("--centered", action="store_true", help="RMSProp: centered variant")
    train.add_argument("--schedule", choices=SCHEDULE_NAMES, default=d.schedule)
    train.add_argument("--gamma", type=float, default=d.gamma, help="step/exponential decay")
    train.add_argument("--step-size", type=int, default=d.step_size)
    train.add_argument("--t-max", type=int, default=d.t_max, help="cosine: iterations")
    train.add_argument("--eta-min", type=float, default=d.eta_min, help="cosine: final rate")
    train.add_argument("--warmup", type=int, default=d.warmup, help="linear warm-up iterations")
    train.add_argument("--batch-size", type=int, help="examples per batch (default: all, i.e. "
                       "full-batch gradient descent)")  # fmt: skip
    train.add_argument("--sampling", choices=SAMPLING_MODES, default=d.sampling)
    train.add_argument("--drop-last", action="store_true")
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=int, default=d.epochs)
    budget.add_argument("--steps", type=int)
    train.add_argument("--seed", type=int, default=d.seed)
    train.add_argument("--start", type=_point, metavar="P1,P2", help="start point")
    train.add_argument("--tol", type=float, help="stop as converged when the full gradient "
                       "norm falls to TOL")  # fmt: skip


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """A validated RunConfig from parsed options (raises ConfigError)."""
    names = set(RunConfig.__dataclass_fields__)
    values = {k: v for k, v in vars(args).items() if k in names}
    if values.get("steps") is not None:
        values["epochs"] = None
    try:
        return RunConfig(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print one line on stderr and return the exit status."""
    print(" ".join(str(message).split()), file=sys.stderr)
    return code
