"""Batch size against steps and examples: how far a larger batch speeds training up.

For a target training loss, every batch size ``B`` of a list trains to the target (``R``
seeds each, the median reported) and two counts are read off each run: the iterations it took
(*steps to target*) and the examples it used (*examples to target*, ``seen`` in the recording;
in epochs, divided by N). McCandlish, Kaplan and Amodei ("An Empirical Model of Large-Batch
Training", 2018) found the same shape on every task they measured,

    S(B) = S_min (1 + B_noise / B),    E(B) = E_min (1 + B / B_noise),

*perfect scaling* at small B (twice the batch, half the steps, the same examples), diminishing
returns near ``B_noise`` and a ceiling beyond it (steps stop falling, examples grow with B).

The *gradient noise scale* predicts where the bend is. With per-example gradients ``g_i`` at
the parameters, ``G = mean g_i`` and ``Sigma`` their covariance with 1/N normalisation,

    B_simple = tr(Sigma) / |G|^2 = mean |g_i - G|^2 / |G|^2,

the batch size at which the noise of a batch mean, ``tr(Sigma) / B``, equals the signal
``|G|^2``. It grows as training nears the minimum (``G`` shrinks, the spread stays). On an
analytic surface with gradient noise ``sigma`` per coordinate (gdviz.core.surfaces) the
examples' spread is ``tr(Sigma) = 2 sigma^2``. The runs themselves give the measured critical
batch size ``B_crit = E_min / S_min`` (the paper's estimate), read here as the least examples
over the least steps of the batch sizes that reached the target.

The learning rate follows a rule from ``base_lr`` at ``base_batch``: ``none`` (the same for
every B), ``linear`` (``lr = base_lr B / base_batch``: Goyal et al. 2017, with the run's warm-up
if it has one, their section 2.2) or ``sqrt`` (``lr = base_lr sqrt(B / base_batch)``).

All runs go in lockstep in one vectorised trainer (each with its batch size and seed), in
chunks, off the caller's thread when it likes, with progress and cancelling as a sweep's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.core.batching import BatchSampler
from gdviz.core.config import (
    ConfigError,
    RunConfig,
    build_parts,
    build_problem,
)
from gdviz.core.engine import Trainer
from gdviz.core.limits import work_problem
from gdviz.core.noise_scale import gradient_noise_scale
from gdviz.core.problems import LogisticRegression
from gdviz.core.stops import Budget
from gdviz.core.sweep import SweepCancelled

LR_RULES = ("none", "linear", "sqrt")
TARGET_GAP = 0.01  # default target: the optimum's loss plus 1 % of the start's gap above it
MAX_STEPS = 10_000
CHUNK = 256  # iterations between looks at the loss (and progress reports, cancel checks)
MAX_RUNS = 2_000
# Example terms the runs may compute in all (every run's batch and full loss, every step):
# ~20 s here. Cancelling is looked at every CANCEL_WORK of them (~0.05 s).
MAX_EXAMPLE_STEPS = 1_000_000_000
CANCEL_WORK = 2_000_000


def scaled_lr(base_lr: float, batch_size, base_batch: int, rule: str):
    """The learning rate of batch size ``batch_size`` under ``rule`` (module docstring)."""
    ratio = np.asarray(batch_size, dtype=float) / float(base_batch)
    if rule == "none":
        return base_lr * np.ones_like(ratio)
    if rule == "linear":
        return base_lr * ratio
    if rule == "sqrt":
        return base_lr * np.sqrt(ratio)
    raise ConfigError(f"unknown learning-rate rule {rule!r}; choose one of {', '.join(LR_RULES)}")


def default_batch_sizes(n: int) -> tuple[int, ...]:
    """1, 2, 4, ... below N, and N (full batch)."""
    sizes = [1 << k for k in range(max(int(n - 1).bit_length(), 0)) if 1 << k < n]
    return (*sizes, int(n))


def default_target(problem, start_loss: float) -> float:
    """The optimum's loss plus TARGET_GAP of the gap between it and the start's loss."""
    minima = problem.minima()
    if not minima:
        raise ConfigError("this problem has no known minimum, so no default target: give a "
                          "target loss")  # fmt: skip
    low = float(problem.full_loss(*minima[0]))
    return low + TARGET_GAP * (start_loss - low)


@dataclass(frozen=True)
class ScalingRow:
    """One batch size: its rate and the medians over the repeats that reached the target
    (None when none did); ``reached`` is the fraction of repeats that did."""

    batch_size: int
    lr: float
    steps_to_target: float | None
    examples_to_target: float | None
    epochs_to_target: float | None
    reached: float

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in CSV_FIELDS}


CSV_FIELDS = ("batch_size", "lr", "steps_to_target", "examples_to_target", "epochs_to_target",
              "reached")  # fmt: skip


@dataclass(frozen=True)
class BatchScaling:
    """The rows (one per batch size, in the order given), the target, the predicted critical
    batch size ``noise_scale`` (B_simple at the start) and the measured one
    ``critical_batch_estimate`` (E_min / S_min; None when no batch size reached the target),
    and ``noise_scale_at_target``, B_simple where the largest batch size first reached the
    target: the noise scale grows along a run as the gradient shrinks (B_simple is the paper's
    simple estimate of the critical batch, not its exact B_noise)."""

    rows: tuple[ScalingRow, ...]
    target: float
    noise_scale: float | None
    critical_batch_estimate: float | None
    noise_scale_at_target: float | None
    n_examples: int
    repeats: int
    lr_rule: str
    base_batch: int
    max_steps: int

    def summary(self) -> dict:
        return {"target": self.target, "noise_scale": self.noise_scale,
                "critical_batch_estimate": self.critical_batch_estimate,
                "noise_scale_at_target": self.noise_scale_at_target,
                "n_examples": self.n_examples, "repeats": self.repeats, "lr_rule": self.lr_rule,
                "base_batch": self.base_batch, "max_steps": self.max_steps,
                "rows": [row.to_dict() for row in self.rows]}  # fmt: skip


def batch_scaling(
    config: RunConfig,
    batch_sizes=None,
    target: float | None = None,
    repeats: int = 3,
    lr_rule: str = "none",
    base_batch: int | None = None,
    max_steps: int = MAX_STEPS,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
    problem=None,
) -> BatchScaling:
    """Train every batch size ``repeats`` times (seeds ``config.seed``, ``+1``, ...) for at most
    ``max_steps`` iterations or until the full training loss is at most ``target`` (default:
    :func:`default_target`). The rate of each batch size follows ``lr_rule`` from
    ``config.lr`` at ``base_batch`` (default: the configuration's batch size); everything else
    (optimizer, schedule and warm-up, sampling, start) is the configuration's. ConfigError for
    bad arguments; SweepCancelled when ``cancel`` is set."""
    problem = build_problem(config) if problem is None else problem
    n = problem.n_examples
    sizes = _checked_sizes(default_batch_sizes(n) if batch_sizes is None else batch_sizes, n)
    if isinstance(repeats, bool) or not 1 <= int(repeats) <= 100:
        raise ConfigError(f"repeats must be between 1 and 100, got {repeats!r}")
    if isinstance(max_steps, bool) or not 1 <= int(max_steps) <= 10_000_000:
        raise ConfigError(f"the step limit must be between 1 and 10,000,000, got {max_steps!r}")
    repeats, max_steps = int(repeats), int(max_steps)
    if base_batch is None:
        base_batch = n if config.batch_size is None else config.batch_size
    base_batch = int(base_batch)
    if not 1 <= base_batch <= n:
        raise ConfigError(f"the base batch must be between 1 and N = {n}, got {base_batch}")
    start = config.start if config.start is not None else problem.default_start
    with np.errstate(all="ignore"):
        start_loss = float(problem.full_loss(*start))
    if not np.isfinite(start_loss):
        raise ConfigError("the loss at the start point is not finite; choose another start")
    target = default_target(problem, start_loss) if target is None else float(target)
    if not np.isfinite(target):
        raise ConfigError(f"the target loss must be a number, got {target!r}")
    if target >= start_loss:
        raise ConfigError(f"the target loss {target:.6g} is not below the start's loss "
                          f"({start_loss:.6g}): every run is there at once")  # fmt: skip
    rates = scaled_lr(config.lr, np.asarray(sizes), base_batch, lr_rule)
    runs = len(sizes) * repeats
    per_step = step_work(problem, sizes, repeats)
    too_much = work_problem(max_steps, runs) or (
        f"{runs:,} runs are more than {MAX_RUNS:,}" if runs > MAX_RUNS else None
    )
    if not too_much and per_step * max_steps > MAX_EXAMPLE_STEPS:
        too_much = (f"{len(sizes)} batch sizes x {repeats} seeds x {max_steps:,} steps is "
                    f"{per_step * max_steps:.1e} example terms, more than "
                    f"{MAX_EXAMPLE_STEPS:.0e} (minutes of computing): choose fewer or smaller "
                    "batch sizes, fewer seeds or a lower step limit")  # fmt: skip
    if too_much:
        raise ConfigError(f"this cannot start: {too_much}")
    hits = _run_to_target(config, problem, sizes, rates, repeats, target, max_steps, start,
                          cancel, progress)  # fmt: skip
    rows = tuple(_row(size, float(rate), hits[i], n) for i, (size, rate) in
                 enumerate(zip(sizes, rates, strict=True)))  # fmt: skip
    noise = gradient_noise_scale(problem, *start)
    largest = hits[int(np.argmax(sizes)), 0]  # its first repeat
    late = None if np.isnan(largest[0]) else gradient_noise_scale(problem, *largest[2:])
    return BatchScaling(rows, target, noise, critical_batch(rows), late, n, repeats, lr_rule,
                        base_batch, max_steps)  # fmt: skip


def step_work(problem, sizes, repeats: int) -> int:
    """Example terms one lockstep iteration of every run computes: each run's batch (logistic
    regression pads every batch to the largest, and works out its full loss over all N every
    step; linear regression's is O(1)); nothing on an analytic surface."""
    if getattr(problem, "data", None) is None:
        return 0
    runs = len(sizes) * repeats
    if isinstance(problem, LogisticRegression):
        return runs * (max(sizes) + problem.n_examples)
    return repeats * sum(sizes)


def critical_batch(rows) -> float | None:
    """``E_min / S_min`` over the rows that reached the target (McCandlish et al., eq. 2.11)."""
    reached = [row for row in rows if row.steps_to_target is not None]
    if not reached:
        return None
    least_steps = min(row.steps_to_target for row in reached)
    least_examples = min(row.examples_to_target for row in reached)
    return least_examples / least_steps if least_steps > 0 else None


def _checked_sizes(batch_sizes, n: int) -> tuple[int, ...]:
    values = np.asarray(batch_sizes, dtype=float).ravel()
    whole = np.isfinite(values) & (values == np.round(values)) & (values >= 1) & (values <= n)
    if values.size == 0 or not whole.all():
        shown = ", ".join(f"{v:g}" for v in values) or "none"
        raise ConfigError(f"batch sizes must be whole numbers from 1 to N = {n}, got {shown}")
    return tuple(int(v) for v in values)


def _run_to_target(config, problem, sizes, rates, repeats, target, max_steps, start, cancel,
                   progress) -> np.ndarray:  # fmt: skip
    """``(len(sizes), repeats, 4)``: each run's steps and examples to the target and its
    parameters there (NaN: not reached within ``max_steps``, or diverged first). Run
    ``i * repeats + r`` is batch size i with seed ``config.seed + r``."""
    optimizer, _lr, schedule, _sampler = build_parts(config, problem)
    samplers = [
        BatchSampler(
            problem.n_examples,
            size,
            config.sampling,
            config.drop_last,
            config.seed + r,
            draw_noise=problem.needs_noise,
        )
        for size in sizes
        for r in range(repeats)
    ]
    runs = len(samplers)
    try:
        trainer = Trainer(problem, optimizer, np.repeat(rates, repeats), samplers, start,
                          runs=runs, schedule=schedule, tol=None, capacity=CHUNK + 1,
                          budget=Budget(steps=max_steps), max_rows=4 * CHUNK)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    # Inner chunks small enough that a cancel (a closed window) is seen within ~0.05 s.
    inner = int(np.clip(CANCEL_WORK // max(step_work(problem, sizes, repeats), 1), 1, CHUNK))
    hit = np.full((runs, 4), np.nan)
    seen_rows = 0
    while trainer.step < max_steps and _pending(trainer, hit).any():
        if cancel is not None and cancel.is_set():
            raise SweepCancelled
        trainer.advance(min(CHUNK, max_steps - trainer.step), cancel, chunk_size=inner)
        seen_rows = _note_hits(trainer.trajectory, target, hit, seen_rows)
        if progress is not None:
            progress(trainer.step / max_steps)
    if cancel is not None and cancel.is_set():
        raise SweepCancelled
    trainer.finish()
    return hit.reshape(len(sizes), repeats, 4)


def _pending(trainer, hit: np.ndarray) -> np.ndarray:
    """The runs still on their way: not at the target yet, and neither diverged nor done."""
    running = np.array([status.status == "running" for status in trainer.statuses])
    return running & np.isnan(hit[:, 0])


def _note_hits(trajectory, target: float, hit: np.ndarray, seen_rows: int) -> int:
    """Record in ``hit`` (runs x (step, examples, p1, p2)) the first row made since
    ``seen_rows`` rows where each run's full loss is at most ``target``; returns the rows made
    in all. The rows of the latest chunk are always whole in the recording
    (gdviz.core.trajectory)."""
    new = trajectory.made - seen_rows
    first = trajectory.length - new
    rows = np.arange(first, trajectory.length)
    loss = trajectory.fields["loss"][first : trajectory.length]
    valid = rows[:, None] < trajectory.ends[None, :]  # a stopped run's later rows are not its
    below = (loss <= target) & valid & np.isnan(hit[:, 0])[None, :]
    for k in np.flatnonzero(below.any(axis=0)):
        row = first + int(np.argmax(below[:, k]))
        fields = trajectory.fields
        hit[k] = trajectory.step[row], fields["seen"][row, k], fields["p1"][row, k], \
            fields["p2"][row, k]  # fmt: skip
    return trajectory.made


def _row(size: int, rate: float, hits: np.ndarray, n: int) -> ScalingRow:
    """Medians over the repeats that reached the target."""
    reached = ~np.isnan(hits[:, 0])
    if not reached.any():
        return ScalingRow(size, rate, None, None, None, 0.0)
    steps, examples = np.median(hits[reached, :2], axis=0)
    return ScalingRow(size, rate, float(steps), float(examples), float(examples) / n,
                      float(reached.mean()))  # fmt: skip
