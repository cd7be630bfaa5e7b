"""The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
WACV 2017, section 3.3): one run whose learning rate rises geometrically from ``A`` to ``B``
over ``K`` iterations,

    lr_t = A * (B / A) ** ((t - 1) / (K - 1)),    t = 1 ... K,

with the loss read against log lr. What is reported, and how:

* ``smoothed_loss``: the batch loss through an exponential moving average with bias
  correction, ``s_t = beta s_{t-1} + (1 - beta) L_t``, ``smoothed_t = s_t / (1 - beta^t)``,
  ``beta = 0.98`` (the smoothing of fastai's and pytorch-lr-finder's finders);
* ``diverged_at_lr``: the rate of the first iteration whose smoothed loss exceeds
  DIVERGE_FACTOR (4) times the lowest smoothed loss before it, or where the engine stopped the
  run as diverged; the test stops there (None when neither happens);
* ``steepest_lr``: the rate where the smoothed loss falls fastest against log10 lr (the most
  negative ``numpy.gradient``), before the divergence, the first SKIP_START of the points left
  out (the average is still settling there);
* for linear regression the exact limits of plain gradient descent from the Hessian:
  ``lr_limit = 2 / lambda_max`` and ``lr_fastest = 2 / (lambda_min + lambda_max)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.core.config import ConfigError, RunConfig, build_problem, build_trainer, total_steps
from gdviz.core.problems import LinearRegression
from gdviz.core.surface import curvature
from gdviz.core.sweep import advance_reporting

BETA = 0.98
DIVERGE_FACTOR = 4.0
SKIP_START = 0.05  # the fraction of the first points the steepest descent is not looked for in


@dataclass(frozen=True)
class GeometricRamp:
    """A schedule (Trainer's ``rates(lr, steps)``) rising from ``low`` to ``high`` over
    ``steps`` iterations: the base learning rate is ignored."""

    low: float
    high: float
    steps: int

    def rates(self, lr, steps: np.ndarray) -> np.ndarray:
        t = np.asarray(steps, dtype=float)  # 0-based: t - 1 of the formula
        return self.low * (self.high / self.low) ** (t / max(self.steps - 1, 1))

    def describe(self) -> str:
        return f"rising from {self.low:g} to {self.high:g} over {self.steps:,} iterations"


@dataclass(frozen=True)
class RangeTest:
    """The rows of a range test (one per iteration made) and what they show."""

    lr: np.ndarray
    batch_loss: np.ndarray
    loss: np.ndarray
    smoothed_loss: np.ndarray
    steepest_lr: float | None
    diverged_at_lr: float | None
    lr_limit: float | None
    lr_fastest: float | None

    def summary(self) -> dict:
        return {"steps": int(self.lr.size), "steepest_lr": self.steepest_lr,
                "diverged_at_lr": self.diverged_at_lr, "lr_limit": self.lr_limit,
                "lr_fastest": self.lr_fastest}  # fmt: skip


def smoothed(losses: np.ndarray, beta: float = BETA) -> np.ndarray:
    """The bias-corrected exponential moving average of ``losses`` (module docstring)."""
    out = np.empty(len(losses))
    average = 0.0
    for t, value in enumerate(np.asarray(losses, dtype=float), start=1):
        average = beta * average + (1.0 - beta) * value
        out[t - 1] = average / (1.0 - beta**t)
    return out


def range_test(
    config: RunConfig,
    lr_min: float,
    lr_max: float,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> RangeTest:
    """Run the test on ``config``'s problem, batches and optimizer for its step budget (K, at
    least 2), the rate rising from ``lr_min`` to ``lr_max``. ConfigError for bad bounds;
    ``cancel`` (checked between chunks) raises SweepCancelled, ``progress(fraction)`` is told
    after each."""
    if not (0 < lr_min < lr_max and np.isfinite(lr_max)):
        raise ConfigError(f"the range must rise: 0 < --lr-min < --lr-max, got {lr_min:g} and "
                          f"{lr_max:g}")  # fmt: skip
    problem = build_problem(config)
    steps = total_steps(config, problem)
    if steps < 2:
        raise ConfigError("a range test needs at least 2 iterations (--steps)")
    trainer = build_trainer(config.replace(lr=lr_min, schedule="constant", warmup=0), problem)
    trainer.set_schedule(GeometricRamp(lr_min, lr_max, steps))
    advance_reporting(trainer, steps, cancel, progress)
    view = trainer.trajectory.run_view(0)
    lr, batch_loss, loss = (np.array(view[name][1:]) for name in ("lr", "batch_loss", "loss"))
    smooth = smoothed(batch_loss)
    best = np.minimum.accumulate(smooth)
    blown = np.flatnonzero((smooth > DIVERGE_FACTOR * best) | ~np.isfinite(smooth))
    end = int(blown[0]) + 1 if blown.size else lr.size
    diverged = blown.size > 0 or trainer.statuses[0].status == "diverged"
    if diverged and not blown.size:
        end = lr.size
    # The exact limits hold for a quadratic loss: linear regression's (a constant Hessian).
    shape = curvature(problem) if isinstance(problem, LinearRegression) else None
    return RangeTest(
        lr[:end], batch_loss[:end], loss[:end], smooth[:end],
        _steepest(lr[:end], smooth[:end], end - (1 if blown.size else 0)),
        float(lr[end - 1]) if diverged else None,
        shape.lr_max_stable if shape is not None else None,
        shape.lr_fastest if shape is not None else None,
    )  # fmt: skip


def _steepest(lr: np.ndarray, smooth: np.ndarray, usable: int) -> float | None:
    """The rate where the smoothed loss falls fastest against log10 lr, among the first
    ``usable`` points (not the one that diverged), past the first SKIP_START of them."""
    start = max(int(SKIP_START * usable), 1)
    if usable - start < 3:
        return None
    with np.errstate(all="ignore"):
        slope = np.gradient(smooth[:usable], np.log10(lr[:usable]))
    window = slope[start:usable]
    if not np.any(np.isfinite(window)):
        return None
    return float(lr[start + int(np.nanargmin(window))])
