"""RunConfig: every choice of a run in one immutable, validated, JSON-friendly value, and the
factories that turn it into a problem and a trainer."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields

import numpy as np

from gdviz.core.batching import SAMPLING_MODES, BatchSampler, iterations_per_epoch
from gdviz.core.data import DataError, load_dataset
from gdviz.core.engine import Trainer
from gdviz.core.optimizers import OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, Optimizer, make_optimizer
from gdviz.core.problems import LinearRegression, LogisticRegression, Problem
from gdviz.core.schedules import SCHEDULE_NAMES, Schedule
from gdviz.core.surfaces import SURFACE_NAMES, AnalyticSurface

MODELS = ("linear", "logistic")
MAX_COUNT = 10**9  # upper bound for every count (epochs, steps, seeds, ...)
OPTIONAL_HYPER = ("momentum", "dampening", "beta1", "beta2", "eps", "alpha", "weight_decay",
                  "lr_decay")  # fmt: skip


class ConfigError(ValueError):
    """A configuration value is invalid; the message names it and what would be valid."""


@dataclass(frozen=True)
class RunConfig:
    """One run: the problem (data and model, or an analytic surface) and the hyperparameters.

    ``batch_size=None`` means the whole training set (full-batch gradient descent). ``epochs``
    and ``steps`` are alternative budgets; ``steps`` wins when both are set. Optimizer knobs left
    at None take the ``torch.optim`` defaults of the chosen optimizer.
    """

    # problem
    dataset: str = "auto-mpg"
    x_column: str | None = None
    y_column: str | None = None
    standardize: bool = True
    model: str = "linear"
    surface: str | None = None
    n_examples: int = 100  # synthetic data sets, and the nominal N of a surface
    data_noise: float = 1.0  # synthetic data sets
    data_seed: int = 0
    threshold: float | None = None  # logistic: y > threshold is class 1
    condition: float = 10.0  # quadratic bowl
    gradient_noise: float = 0.0  # analytic surfaces
    # hyperparameters
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float | None = None
    dampening: float | None = None
    nesterov: bool = False
    beta1: float | None = None
    beta2: float | None = None
    eps: float | None = None
    alpha: float | None = None
    weight_decay: float | None = None
    lr_decay: float | None = None
    centered: bool = False
    schedule: str = "constant"
    gamma: float = 0.5
    step_size: int = 100
    t_max: int = 1000
    eta_min: float = 0.0
    warmup: int = 0
    batch_size: int | None = None
    sampling: str = "shuffle"
    drop_last: bool = False
    epochs: int | None = 20
    steps: int | None = None
    seed: int = 0
    start: tuple[float, float] | None = None
    tol: float | None = None

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes) -> RunConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    @property
    def optimizer_name(self) -> str:
        """The optimizer actually used (``nesterov=True`` turns SGD with momentum into Nesterov)."""
        if self.nesterov and self.optimizer in ("sgd", "momentum"):
            return "nesterov"
        return self.optimizer

    def optimizer_hyper(self) -> dict:
        """The optimizer's hyperparameters that were set (the rest take torch defaults)."""
        allowed = OPTIMIZER_DEFAULTS[self.optimizer_name]
        hyper = {k: getattr(self, k) for k in OPTIONAL_HYPER if getattr(self, k) is not None}
        unused = sorted(set(hyper) - set(allowed))
        if unused:
            raise ConfigError(
                f"optimizer {self.optimizer_name} does not use {', '.join(unused)}; it takes "
                + (", ".join(k for k in allowed) or "only the learning rate")
            )
        if "centered" in allowed:
            hyper["centered"] = self.centered
        return hyper

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["start"] = list(self.start) if self.start is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunConfig:
        """Build from a dict (e.g. parsed JSON); unknown keys and wrong types are errors."""
        if not isinstance(data, dict):
            raise ConfigError("a run configuration must be a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown configuration key(s): {', '.join(unknown)}")
        values = dict(data)
        if values.get("start") is not None:
            start = values["start"]
            if not isinstance(start, list | tuple) or len(start) != 2:
                raise ConfigError(f"start must be two numbers, got {start!r}")
            values["start"] = tuple(start)
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(str(exc)) from None


def _validate(c: RunConfig) -> None:
    """Check types and ranges of every field; raise ConfigError naming the first bad one."""
    for f in fields(c):
        value = getattr(c, f.name)
        kind = f.type if isinstance(f.type, str) else str(f.type)
        if value is None:
            if "None" not in kind:
                raise ConfigError(f"{f.name} must be set")
            continue
        if f.name == "start":
            if not (
                isinstance(value, tuple) and len(value) == 2 and all(_is_number(v) for v in value)
            ):
                raise ConfigError(f"start must be two finite numbers, got {value!r}")
        elif kind.startswith("bool"):
            if not isinstance(value, bool):
                raise ConfigError(f"{f.name} must be true or false, got {value!r}")
        elif kind.startswith("int"):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ConfigError(f"{f.name} must be a whole number, got {value!r}")
        elif kind.startswith("float"):
            if not _is_number(value):
                raise ConfigError(f"{f.name} must be a finite number, got {value!r}")
        elif kind.startswith("str") and not isinstance(value, str):
            raise ConfigError(f"{f.name} must be text, got {value!r}")
    _choice("model", c.model, MODELS)
    _choice("optimizer", c.optimizer, OPTIMIZER_NAMES)
    _choice("schedule", c.schedule, SCHEDULE_NAMES)
    _choice("sampling", c.sampling, SAMPLING_MODES)
    if c.surface is not None:
        _choice("surface", c.surface, SURFACE_NAMES)
    if not c.dataset:
        raise ConfigError("dataset must name a built-in data set or a CSV file")
    if not c.lr > 0:
        raise ConfigError(f"learning rate must be a positive number, got {c.lr!r}")
    for name in ("epochs", "steps", "batch_size", "n_examples", "step_size", "t_max", "warmup",
                 "seed", "data_seed"):  # fmt: skip
        value = getattr(c, name)
        if value is not None and not -MAX_COUNT <= value <= MAX_COUNT:
            raise ConfigError(f"{name.replace('_', ' ')} must be at most {MAX_COUNT:,}")
    if c.seed < 0 or c.data_seed < 0:
        raise ConfigError("random seeds must be 0 or more")
    _at_least("batch size", c.batch_size, 1)
    _at_least("epochs", c.epochs, 1)
    _at_least("steps", c.steps, 1)
    _at_least("number of examples", c.n_examples, 2)
    _at_least("step size", c.step_size, 1)
    _at_least("T_max", c.t_max, 1)
    _at_least("warm-up", c.warmup, 0)
    if c.epochs is None and c.steps is None:
        raise ConfigError("give a budget: a number of epochs or of steps")
    if c.condition < 1:
        raise ConfigError(f"condition number must be at least 1, got {c.condition!r}")
    for name in ("data_noise", "gradient_noise", "eta_min"):
        if getattr(c, name) < 0:
            raise ConfigError(f"{name.replace('_', ' ')} must be 0 or more")
    if c.tol is not None and not c.tol > 0:
        raise ConfigError(f"tolerance must be positive, got {c.tol!r}")
    try:
        make_optimizer(c.optimizer_name, **c.optimizer_hyper())
        build_schedule(c)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _is_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the range of floats
        return False


def _choice(name: str, value: str, options) -> None:
    if value not in options:
        raise ConfigError(f"{name} must be one of {', '.join(options)}, got {value!r}")


def _at_least(name: str, value, low: int) -> None:
    if value is not None and value < low:
        raise ConfigError(f"{name} must be at least {low}, got {value!r}")


# -- factories ----------------------------------------------------------------------------------
def build_problem(c: RunConfig) -> Problem:
    """The problem a configuration describes (may raise DataError for a bad data set)."""
    if c.surface is not None:
        return AnalyticSurface(c.surface, c.gradient_noise, c.n_examples, c.condition)
    data = load_dataset(
        c.dataset,
        x_column=c.x_column,
        y_column=c.y_column,
        standardize=c.standardize,
        n=c.n_examples,
        noise=c.data_noise,
        seed=c.data_seed,
        threshold=c.threshold,
        binary=c.model == "logistic",
    )
    return LogisticRegression(data) if c.model == "logistic" else LinearRegression(data)


def batch_size_of(c: RunConfig, problem: Problem) -> int:
    """The batch size, checked against N (None means the whole training set)."""
    n = problem.n_examples
    size = n if c.batch_size is None else c.batch_size
    if not 1 <= size <= n:
        raise ConfigError(f"batch size must be between 1 and N = {n} examples, got {size}")
    return size


def total_steps(c: RunConfig, problem: Problem) -> int:
    """The step budget: ``steps``, or ``epochs x iterations per epoch``."""
    if c.steps is not None:
        return c.steps
    ipe = iterations_per_epoch(
        problem.n_examples, batch_size_of(c, problem), c.drop_last, c.sampling
    )
    return c.epochs * ipe


def make_sampler(c: RunConfig, problem: Problem) -> BatchSampler:
    return BatchSampler(
        problem.n_examples,
        batch_size_of(c, problem),
        c.sampling,
        c.drop_last,
        c.seed,
        draw_noise=problem.needs_noise,
    )


def build_schedule(c: RunConfig) -> Schedule:
    return Schedule(c.schedule, c.gamma, c.step_size, c.t_max, c.eta_min, c.warmup)


def build_parts(c: RunConfig, problem: Problem) -> tuple[Optimizer, float, Schedule, BatchSampler]:
    """What a trainer is made of besides the problem: optimizer, learning rate, schedule and
    sampler. Changing hyperparameters mid-run swaps these without building a new trainer."""
    optimizer = make_optimizer(c.optimizer_name, **c.optimizer_hyper())
    return optimizer, c.lr, build_schedule(c), make_sampler(c, problem)


def build_trainer(
    c: RunConfig, problem: Problem, *, lr=None, runs: int = 1, record_examples: bool = False
) -> Trainer:
    """A trainer for the configuration; ``lr`` (an array of shape ``(K,)``) and ``runs`` make a
    vectorised sweep over learning rates on identical batches. A start point where the loss is
    not finite is a ConfigError."""
    start = c.start if c.start is not None else problem.default_start
    optimizer, base_lr, schedule, sampler = build_parts(c, problem)
    try:
        return Trainer(
            problem,
            optimizer,
            base_lr if lr is None else lr,
            [sampler],
            start,
            runs=runs,
            schedule=schedule,
            tol=c.tol,
            record_examples=record_examples,
            capacity=min(total_steps(c, problem), 5_000_000),  # lazily committed memory
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


__all__ = ["ConfigError", "DataError", "RunConfig", "build_problem", "build_trainer"]
