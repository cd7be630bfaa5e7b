"""RunConfig: every choice of a run in one immutable, validated, JSON-friendly value, and the
factories that turn it into a problem and a trainer."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields

import numpy as np

from gdviz.core.batching import SAMPLING_MODES, BatchSampler, iterations_per_epoch
from gdviz.core.data import (
    MAX_PAINTED,
    PAINTED,
    DataError,
    load_dataset,
    needs_reading,
    read_csv_columns,
)
from gdviz.core.engine import Trainer
from gdviz.core.fields import knob_fields, names_with_role, spec, specs
from gdviz.core.limits import memory_problem, recording_rows, work_problem
from gdviz.core.optimizers import OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, Optimizer, make_optimizer
from gdviz.core.problems import LinearRegression, LogisticRegression, Problem
from gdviz.core.schedules import SCHEDULE_NAMES, Schedule
from gdviz.core.stops import Budget
from gdviz.core.surfaces import SURFACE_NAMES, AnalyticSurface

MODELS = ("linear", "logistic")
MAX_COUNT = 10**9  # upper bound for every count (epochs, steps, seeds, ...)


class ConfigError(ValueError):
    """A configuration value is invalid; the message names it and what would be valid."""


@dataclass(frozen=True)
class RunConfig:
    """One run: the problem (data and model, or an analytic surface) and the hyperparameters.

    ``batch_size=None`` means the whole training set (full-batch gradient descent). ``epochs``
    and ``steps`` are alternative budgets; ``steps`` wins when both are set. Optimizer knobs left
    at None take the ``torch.optim`` defaults of the chosen optimizer.
    """

    # fmt: off
    # problem
    dataset: str = spec("auto-mpg", "problem", label="data set", flag="--dataset", sets_n=True,
                        metavar="NAME|PATH",
                        help="built-in data set (auto-mpg, synthetic, ...) or a CSV file")
    x_column: str | None = spec(None, "problem", label="x column", flag="--x", sets_n=True,
                                metavar="COL", help="x column of the CSV")
    y_column: str | None = spec(None, "problem", label="y column", flag="--y", sets_n=True,
                                metavar="COL", help="y column of the CSV")
    standardize: bool = spec(True, "problem", label="standardise x", flag="--no-normalize",
                             help="train on raw x (no z-score standardisation of the feature)")
    model: str = spec("linear", "problem", label="model", flag="--model", choices=MODELS)
    surface: str | None = spec(None, "problem", label="surface", flag="--surface", sets_n=True,
                               choices=SURFACE_NAMES,
                               help="an analytic surface, no data")
    n_examples: int = spec(100, "problem", label="number of examples", low=2, high=10_000_000,
                           sets_n=True,
                           flag="--n-examples",
                           help="examples of a synthetic data set, or nominal N of a surface")
    data_noise: float = spec(1.0, "problem", label="data noise", low=0, high=1e6,
                             flag="--data-noise",
                             help="synthetic data: noise of y")
    data_seed: int = spec(0, "problem", label="data seed", low=0, flag="--data-seed")
    threshold: float | None = spec(None, "problem", label="threshold", flag="--threshold",
                                   help="logistic: y > THRESHOLD is class 1")
    condition: float = spec(10.0, "problem", label="condition number", low=1, high=1e6,
                            flag="--condition", help="condition number of the quadratic bowl")
    gradient_noise: float = spec(0.0, "problem", label="gradient noise", low=0, high=1e6,
                                 flag="--noise",
                                 help="surfaces: per-example gradient noise level sigma")
    # dataset "painted": the (x, y) examples placed by hand in the data view (no flag)
    points: tuple[tuple[float, float], ...] | None = spec(None, "problem", label="painted data",
                                                          sets_n=True)
    # hyperparameters
    optimizer: str = spec("sgd", "hyperparameter", label="optimizer", flag="--optimizer",
                       choices=OPTIMIZER_NAMES)
    lr: float = spec(0.1, "hyperparameter", label="learning rate", low=0, low_open=True,
                     log=True, flag="--lr", help="learning rate")
    momentum: float | None = spec(None, "hyperparameter", label="Momentum", low=0.0,
                                  high=0.9999, step=0.05, knob=True, flag="--momentum")
    dampening: float | None = spec(None, "hyperparameter", label="Dampening", low=0.0,
                                   high=0.999, step=0.05, knob=True, flag="--dampening")
    nesterov: bool = spec(False, "hyperparameter", label="Nesterov", flag="--nesterov")
    beta1: float | None = spec(None, "hyperparameter", label="β₁ (beta1)", low=0.0,
                               high=0.9999, step=0.01, knob=True, flag="--beta1")
    beta2: float | None = spec(None, "hyperparameter", label="β₂ (beta2)", low=0.0,
                               high=0.99999, step=0.001, knob=True, flag="--beta2")
    eps: float | None = spec(None, "hyperparameter", label="ε (eps)", low=1e-15, high=0.1,
                             step=1e-15, log=True, knob=True, flag="--eps")
    alpha: float | None = spec(None, "hyperparameter", label="α (alpha)", low=0.0, high=0.9999,
                               step=0.01, knob=True, flag="--alpha")
    weight_decay: float | None = spec(None, "hyperparameter", label="Weight decay", low=0.0,
                                      high=10.0, step=1e-5, log=True, knob=True,
                                      flag="--weight-decay")
    lr_decay: float | None = spec(None, "hyperparameter", label="lr decay", low=0.0, high=10.0,
                                  step=1e-5, log=True, knob=True, flag="--lr-decay")
    centered: bool = spec(False, "hyperparameter", label="centered", flag="--centered",
                          help="RMSProp: centered variant")
    schedule: str = spec("constant", "hyperparameter", label="schedule", flag="--schedule",
                      choices=SCHEDULE_NAMES)
    gamma: float = spec(0.5, "hyperparameter", label="gamma", flag="--gamma",
                        help="step/exponential decay")
    step_size: int = spec(100, "hyperparameter", label="step size", low=1, flag="--step-size")
    t_max: int = spec(1000, "hyperparameter", label="T_max", low=1, flag="--t-max",
                      help="cosine: iterations")
    eta_min: float = spec(0.0, "hyperparameter", label="eta min", low=0, flag="--eta-min",
                          help="cosine: final rate")
    warmup: int = spec(0, "hyperparameter", label="warm-up", low=0, flag="--warmup",
                       help="linear warm-up iterations")
    batch_size: int | None = spec(None, "hyperparameter", label="batch size", low=1, log=True,
                                  flag="--batch-size", help="examples per batch (default: all, "
                                  "i.e. full-batch gradient descent)")
    sampling: str = spec("shuffle", "hyperparameter", label="sampling", flag="--sampling",
                      choices=SAMPLING_MODES)
    drop_last: bool = spec(False, "hyperparameter", label="drop last", flag="--drop-last")
    epochs: int | None = spec(20, "hyperparameter", label="epochs", low=1, flag="--epochs")
    steps: int | None = spec(None, "hyperparameter", label="steps", low=1, flag="--steps")
    # which run of the problem
    seed: int = spec(0, "identity", label="seed", low=0, flag="--seed")
    start: tuple[float, float] | None = spec(None, "identity", label="start", flag="--start",
                                             metavar="P1,P2",
                                             help="start point")
    tol: float | None = spec(None, "identity", label="tolerance", low=0, low_open=True,
                             flag="--tol", help="stop as converged when the full gradient "
                             "norm falls to TOL")
    # fmt: on

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
        data["points"] = [list(p) for p in self.points] if self.points is not None else None
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
        if values.get("points") is not None:
            points = values["points"]
            if not isinstance(points, list | tuple) or not all(
                isinstance(p, list | tuple) for p in points
            ):
                raise ConfigError("points must be a list of [x, y] pairs")
            values["points"] = tuple(tuple(p) for p in points)
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(str(exc)) from None


FIELD_SPECS = specs(RunConfig)
PROBLEM_FIELDS = names_with_role(RunConfig, "problem")  # define the data and the surface
HYPERPARAMETER_FIELDS = names_with_role(RunConfig, "hyperparameter")  # change mid-run
RUN_FIELDS = names_with_role(RunConfig, "hyperparameter", "identity")  # compared runs differ in
OPTIONAL_HYPER = knob_fields(RunConfig)  # optimizer knobs; None takes the torch default
COUNT_FIELDS = tuple(f.name for f in fields(RunConfig) if str(f.type).startswith("int"))


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
        elif f.name == "points":
            _check_points(value)
        elif kind.startswith("bool"):
            if not isinstance(value, bool):
                raise ConfigError(f"{f.name} must be true or false, got {value!r}")
        elif kind.startswith("int"):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ConfigError(f"{f.name} must be a whole number, got {value!r}")
        elif kind.startswith("float"):
            if not _is_number(value):
                raise ConfigError(f"{_named(f.name)} must be a finite number, got {_shown(value)}")
        elif kind.startswith("str") and not isinstance(value, str):
            raise ConfigError(f"{f.name} must be text, got {value!r}")
    for name, s in FIELD_SPECS.items():
        if s.choices and getattr(c, name) is not None:
            _choice(name, getattr(c, name), s.choices)
    if not c.dataset:
        raise ConfigError("dataset must name a built-in data set or a CSV file")
    if (c.dataset == PAINTED) != (c.points is not None):
        raise ConfigError(
            "painted data comes from the window (View › Paint data); export it "
            "as CSV (File › Export › Data as CSV) to train on it here"
        )
    if not c.lr > 0:
        raise ConfigError(f"learning rate must be a positive number, got {c.lr!r}")
    for name in COUNT_FIELDS:
        value = getattr(c, name)
        if value is not None and not -MAX_COUNT <= value <= MAX_COUNT:
            raise ConfigError(f"{name.replace('_', ' ')} must be at most {MAX_COUNT:,}")
    _check_bounds(c)
    if c.epochs is None and c.steps is None:
        raise ConfigError("give a budget: a number of epochs or of steps")
    try:
        make_optimizer(c.optimizer_name, **c.optimizer_hyper())
        build_schedule(c)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


# -- the fields in a few words (change markers, pinned runs' labels) ---------------------------
SHORT_NAMES = {"batch_size": "batch"}  # the rest: the field's name with spaces


def short_name(name: str) -> str:
    """A field as a marker or a label names it: "batch", "lr", "weight decay"."""
    return SHORT_NAMES.get(name, name.replace("_", " "))


def short_value(value, none: str = "auto") -> str:
    """A field's value in a few characters: 0.05, 1e-08, 10, ``none`` for None."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return none if value is None else str(value)


def summarized(parts: list[str], most: int) -> str:
    """The first ``most`` of ``parts``, comma-separated, with " …" when there were more."""
    return ", ".join(parts[:most]) + (" …" if len(parts) > most else "")


def _check_points(points) -> None:
    """Painted examples: a tuple of (x, y) pairs of finite numbers, at most MAX_PAINTED."""
    if not isinstance(points, tuple) or len(points) > MAX_PAINTED:
        raise ConfigError(f"points must be at most {MAX_PAINTED:,} (x, y) pairs")
    for point in points:
        if not (isinstance(point, tuple) and len(point) == 2 and all(map(_is_number, point))):
            raise ConfigError(f"each painted point must be two finite numbers, got {point!r}")


def _named(name: str) -> str:
    """A field in a message: its label, and its key when that reads differently."""
    label = FIELD_SPECS[name].label
    return label if label == name else f"{label} ({name})"


def _shown(value) -> str:
    """A value in a message: its repr, shortened (a number of 400 digits is not read)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"


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


def _check_bounds(c: RunConfig) -> None:
    """The lower bounds of the field specs (the optimizer checks its own knobs' ranges)."""
    for name, s in FIELD_SPECS.items():
        value = getattr(c, name)
        if s.low is None or s.knob or value is None or name == "lr":
            continue
        if s.low_open and not value > s.low:
            bound = "positive" if s.low == 0 else f"above {s.low:g}"
            raise ConfigError(f"{s.label} must be {bound}, got {value!r}")
        if value < s.low:
            bound = "0 or more" if s.low == 0 else f"at least {s.low:g}"
            raise ConfigError(f"{s.label} must be {bound}, got {value!r}")
        if s.high is not None and value > s.high:
            raise ConfigError(f"{s.label} must be at most {s.high:g}, got {value!r}")


# -- factories ----------------------------------------------------------------------------------
def data_to_read(c: RunConfig) -> bool:
    """The configuration's data is a user CSV not read yet (:func:`read_data` reads it, a
    worker thread in the window, so that :func:`build_problem` does not wait for the disk)."""
    return c.surface is None and needs_reading(c.dataset, c.x_column, c.y_column)


def read_data(c: RunConfig, progress=None) -> None:
    """Read the configuration's CSV columns once (``progress(fraction)`` told how far; it may
    raise to cancel). DataError, naming the file and the problem, when they cannot be read."""
    read_csv_columns(c.dataset, c.x_column, c.y_column, progress=progress)


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
        points=c.points,
    )
    return LogisticRegression(data) if c.model == "logistic" else LinearRegression(data)


def batch_size_of(c: RunConfig, problem: Problem) -> int:
    """The batch size, checked against N (None means the whole training set)."""
    n = problem.n_examples
    size = n if c.batch_size is None else c.batch_size
    if not 1 <= size <= n:
        raise ConfigError(f"batch size must be between 1 and N = {n} examples, got {size}")
    return size


def epoch_length(c: RunConfig, problem: Problem) -> int:
    """Iterations per epoch of the configuration on ``problem``: N/B as the sampler rounds it."""
    return iterations_per_epoch(
        problem.n_examples, batch_size_of(c, problem), c.drop_last, c.sampling
    )


def total_steps(c: RunConfig, problem: Problem) -> int:
    """The step budget: ``steps``, or ``epochs x iterations per epoch``."""
    if c.steps is not None:
        return c.steps
    return c.epochs * epoch_length(c, problem)


def budget_extent(c: RunConfig, problem: Problem, mode: str) -> float:
    """Where the run's budget ends on a loss curve's x axis (``mode``, one of
    recording.X_AXIS_MODES): its iterations; its epochs; or the examples it will have used (B a
    batch, a shuffled epoch's last, partial batch smaller: N an epoch then)."""
    steps = total_steps(c, problem)
    if mode == "iterations":
        return float(steps)
    length = epoch_length(c, problem)
    if mode == "epochs":
        return steps / length
    size = batch_size_of(c, problem)
    partial_last = c.sampling == "shuffle" and not c.drop_last
    per_epoch = problem.n_examples if partial_last else length * size
    epochs, rest = divmod(steps, length)
    return float(epochs * per_epoch + rest * size)


def budget_of(c: RunConfig) -> Budget:
    """The run's budget: ``steps`` iterations, or ``epochs`` on the sampler's epoch counter."""
    return Budget(steps=c.steps) if c.steps is not None else Budget(epochs=c.epochs)


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
    c: RunConfig,
    problem: Problem,
    *,
    lr=None,
    runs: int = 1,
    record_examples: bool = False,
    max_rows: int | None = None,
) -> Trainer:
    """A trainer for the configuration; ``lr`` (an array of shape ``(K,)``) and ``runs`` make a
    vectorised sweep over learning rates on identical batches. A start point where the loss is
    not finite is a ConfigError. The trainer's recording is bounded to ``max_rows`` rows
    (default: what limits.RECORDING_BYTES holds): a longer run keeps its recent rows whole and
    a thinned history."""
    start = c.start if c.start is not None else problem.default_start
    max_rows = recording_rows(runs) if max_rows is None else max_rows
    problem_of_memory = work_problem(total_steps(c, problem), runs) or memory_problem(
        min(total_steps(c, problem) + 1, max_rows), runs
    )
    if problem_of_memory:
        raise ConfigError(f"this run cannot start: {problem_of_memory}")
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
            capacity=min(total_steps(c, problem), max_rows),  # lazily committed memory
            budget=budget_of(c),
            max_rows=max_rows,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


__all__ = ["ConfigError", "DataError", "RunConfig", "build_problem", "build_trainer",
           "data_to_read", "read_data"]  # fmt: skip
