"""Learning-rate sweeps: K rates run in lockstep on the same batches, each final loss classified.

A sweep answers the lecture question "which learning rate?" with one picture: the final training
loss against the rate, split into four regions. On a quadratic with Hessian eigenvalues
``l_min <= l_max``, full-batch gradient descent multiplies the error along eigenvector i by
``1 - lr * l_i`` each step, which gives the textbook landmarks:

* ``lr < 2 / (l_min + l_max)``: the slowest factor is ``1 - lr * l_min`` (positive): the path
  creeps monotonically along the flat direction, faster as lr grows;
* ``lr = 2 / (l_min + l_max)``: both factors have equal size, the worst one is smallest (fastest);
* ``2 / (l_min + l_max) < lr < 2 / l_max``: the slowest factor is ``1 - lr * l_max < 0``: the
  error along the steep direction flips sign every step, so the path zigzags to the end;
* ``lr > 2 / l_max``: ``|1 - lr * l_max| > 1``, the zigzag grows: divergence.

The classification below is measured on the runs themselves, so it also applies to mini-batches,
other optimizers and non-quadratic surfaces; on a full-batch quadratic it reproduces the list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.core.config import (
    RunConfig,
    batch_size_of,
    build_problem,
    build_trainer,
    total_steps,
)
from gdviz.core.surface import curvature

REGIONS = ("too slow", "converges", "oscillates", "diverges")
SLOW_GAP = 0.01  # "too slow": more than 1 % of the start-to-optimum loss gap left at the end
FLIP_SHARE = 2 / 3  # "oscillates": more than this share of late steps reverse direction, or
RISE_SHARE = 0.1  # (exact gradients only) the loss rose in more than this share of late steps
SETTLED = 1e-10  # steps shorter than this fraction of the longest one: settled, not moving
MIN_PAIRS = 3  # consecutive late step pairs needed before a run can count as oscillating
TIE = 1e-12  # final losses this close (relative) are equal: both reached the float floor
PROGRESS_CHUNKS = 50  # about this many progress reports (and cancel checks) per sweep
GRADIENT_SCALED = ("sgd", "momentum", "nesterov")  # step = lr x gradient: 2/l_max sets the scale


class SweepCancelled(Exception):
    """The sweep's ``cancel`` event was set before it finished."""


@dataclass(frozen=True)
class SweepResult:
    """Per rate (arrays and tuples of length K, in the order given): ``rates``, ``final_loss``
    (full training loss after the last step; NaN when the run diverged), ``status`` (finished,
    converged or diverged), ``diverged_at`` (step or None) and ``regions`` (one of REGIONS, see
    :func:`classify`). Problem facts: ``start_loss``, ``optimum_loss`` (None when unknown) and the
    full-batch limits ``lr_max_stable = 2/l_max`` and ``lr_fastest = 2/(l_min + l_max)``;
    ``limits_apply`` says whether they hold for this optimizer (plain SGD without momentum or
    weight decay). ``best_lr`` / ``best_loss``: see :func:`best_index`."""

    config: RunConfig
    steps: int
    rates: np.ndarray
    final_loss: np.ndarray
    status: tuple[str, ...]
    diverged_at: tuple[int | None, ...]
    regions: tuple[str, ...]
    start_loss: float
    optimum_loss: float | None
    lr_max_stable: float | None
    lr_fastest: float | None
    limits_apply: bool
    best_lr: float | None
    best_loss: float | None

    def region_spans(self) -> list[tuple[float, float, str]]:
        """``(lr_low, lr_high, region)`` of runs of neighbouring rates in the same region, each
        rate owning the interval up to the geometric midpoints with its neighbours."""
        order = np.argsort(self.rates, kind="stable")
        rates = self.rates[order]
        names = [self.regions[i] for i in order]
        logs = np.log(rates)
        # The outer rates get half a grid step beyond them (a factor 2 for a single rate).
        half = (logs[-1] - logs[0]) / (2 * (len(logs) - 1)) if logs[-1] > logs[0] else np.log(2.0)
        edges = np.exp(np.concatenate([[logs[0] - half], (logs[1:] + logs[:-1]) / 2,
                                       [logs[-1] + half]]))  # fmt: skip
        spans: list[tuple[float, float, str]] = []
        for i, name in enumerate(names):
            if spans and spans[-1][2] == name:
                spans[-1] = (spans[-1][0], float(edges[i + 1]), name)
            else:
                spans.append((float(edges[i]), float(edges[i + 1]), name))
        return spans


def learning_rates(lr_min: float, lr_max: float, num: int) -> np.ndarray:
    """``num`` log-spaced rates from ``lr_min`` to ``lr_max`` inclusive (ValueError if invalid):
    equal ratios between neighbours, because what matters about a rate is its order of
    magnitude."""
    if not (np.isfinite(lr_min) and np.isfinite(lr_max) and 0 < lr_min <= lr_max):
        raise ValueError(f"need 0 < lr_min <= lr_max, got {lr_min:g} and {lr_max:g}")
    if isinstance(num, bool) or not isinstance(num, int | np.integer) or not 1 <= num <= 10_000:
        raise ValueError(f"the number of rates must be between 1 and 10000, got {num!r}")
    return np.geomspace(lr_min, lr_max, int(num))


def default_lr_range(config: RunConfig, problem) -> tuple[float, float]:
    """``[2/l_max / 1000, 10 * 2/l_max]`` (two significant digits) for optimizers whose step is
    lr x gradient on a problem of known curvature: three decades below the stability limit reach
    "too slow", and one above shows divergence (for momentum methods, whose limit is
    ``2 (1 + beta) / l_max``, too). Otherwise (adaptive optimizers, unknown curvature)
    ``[1e-4, 10]``."""
    shape = curvature(problem)
    if config.optimizer_name in GRADIENT_SCALED and shape and shape.lr_max_stable:
        stable = shape.lr_max_stable
        return float(f"{stable / 1000:.2g}"), float(f"{stable * 10:.2g}")
    return 1e-4, 10.0


def sweep(
    config: RunConfig,
    rates,
    steps: int | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
    problem=None,
) -> SweepResult:
    """Run every rate for ``steps`` iterations (default: the configuration's budget), vectorised
    over K on identical batches: the result for each rate equals a separate run with that rate.
    ``progress(fraction)`` is called after each chunk; ``cancel`` is checked between chunks and
    raises SweepCancelled. ``problem`` skips rebuilding it from the configuration."""
    rates = np.array(rates, dtype=float).ravel()
    if rates.size == 0 or not np.all(np.isfinite(rates) & (rates > 0)):
        raise ValueError("learning rates must be one or more positive numbers")
    problem = build_problem(config) if problem is None else problem
    steps = total_steps(config, problem) if steps is None else int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    # The trainer sizes its buffers from the configuration's budget: make that the sweep's.
    trainer = build_trainer(config.replace(steps=steps), problem, lr=rates, runs=rates.size)
    advance_reporting(trainer, steps, cancel, progress)
    trainer.finish()
    return _result(config, steps, rates, trainer, problem)


def advance_reporting(trainer, steps: int, cancel=None, progress=None) -> None:
    """Advance ``trainer`` to ``steps`` iterations (or until every run stopped) in about
    PROGRESS_CHUNKS chunks: ``progress(fraction)`` after each, ``cancel`` checked between and
    within them (SweepCancelled). What a background experiment (a sweep, a range test) runs."""
    chunk = max(64, -(-steps // PROGRESS_CHUNKS))
    while trainer.step < steps and trainer.active:
        if cancel is not None and cancel.is_set():
            raise SweepCancelled
        trainer.advance(min(chunk, steps - trainer.step), cancel)
        if progress is not None:
            progress(trainer.step / steps)
    if cancel is not None and cancel.is_set():
        raise SweepCancelled


def _result(config, steps, rates, trainer, problem) -> SweepResult:
    traj, k = trainer.trajectory, np.arange(rates.size)
    rows = traj.length
    loss, p1, p2 = (traj.fields[name][:rows] for name in ("loss", "p1", "p2"))
    status = tuple(s.status for s in trainer.statuses)
    diverged = np.array([s == "diverged" for s in status])
    final = np.where(diverged, np.nan, loss[traj.ends - 1, k])
    start_loss = float(loss[0, 0])
    minima = problem.minima()
    optimum = float(problem.full_loss(*minima[0])) if minima else None
    exact = batch_size_of(config, problem) == problem.n_examples and config.sampling == "shuffle"
    exact = exact and not (problem.needs_noise and config.gradient_noise > 0)
    regions = classify(loss, p1, p2, traj.ends, diverged, start_loss, optimum, exact)
    best = best_index(final, loss, traj.ends)
    shape = curvature(problem)
    plain = config.optimizer_name == "sgd" and not config.momentum and not config.weight_decay
    return SweepResult(
        config=config,
        steps=steps,
        rates=_frozen(rates),
        final_loss=_frozen(final),
        status=status,
        diverged_at=tuple(s.step if s.status == "diverged" else None for s in trainer.statuses),
        regions=regions,
        start_loss=start_loss,
        optimum_loss=optimum,
        lr_max_stable=shape.lr_max_stable if shape else None,
        lr_fastest=shape.lr_fastest if shape else None,
        limits_apply=bool(plain and shape is not None),
        best_lr=None if best is None else float(rates[best]),
        best_loss=None if best is None else float(final[best]),
    )


def classify(
    loss, p1, p2, ends, diverged, start_loss: float, optimum, deterministic: bool = False
) -> tuple[str, ...]:
    """The region of each run (columns of the ``(rows, K)`` arrays, ``ends[k]`` valid rows),
    by the first rule that holds:

    1. **diverges**: the trainer stopped it as diverged (loss beyond 10^6 x its start, or not
       finite), or its final loss is above the starting loss (near ``2/l_max`` the growth is
       slow and need not reach the threshold within the budget).
    2. **oscillates**: late in the run the path keeps turning back. "Late" means the second half
       of the steps ``d_t = theta_{t+1} - theta_t`` that are still moving (longer than 1e-10 x
       the longest step; shorter ones are floating-point settling). Either

       a. projected on their principal direction (largest singular vector), more than 2/3 of
          consecutive late steps (at least 3 pairs) change sign. Full-batch GD on a quadratic
          flips every step exactly when its slowest factor ``1 - lr * l_max`` is negative, i.e.
          ``lr > 2/(l_min + l_max)``; a monotone creep never flips. Pure gradient noise flips
          about half the time while ``lr * l < 1`` (steps of an AR(1) process with factor
          ``1 - lr * l`` flip more than 2/3 of the time only when that factor is negative), so
          2/3 also separates overshooting from an SGD noise ball; or
       b. with exact gradients only (``deterministic``: full batch, no gradient noise), the
          training loss rose in more than 10 % of the late steps. Plain GD below ``2/l_max``
          never raises the loss of a quadratic; momentum that rings (turning back every few
          steps, too slowly for a.) does. With noisy gradients the loss jitters up and down
          anyway, so b. would mislabel every noise ball.
    3. **too slow**: more than 1 % of the loss gap is left at the end, ``L_T - L_ref > 0.01
       (L_0 - L_ref)``, with ``L_ref`` the optimum's loss when known (else the lowest final loss
       of the sweep). 1 %, not 5 %: on an ill-conditioned bowl the steep direction alone removes
       most of the gap, and a run still creeping along the flat one has not converged. A run
       stuck in a worse local minimum, or in a noise ball wider than 1 %, also lands here.
    4. **converges** otherwise.
    """
    finals = loss[np.asarray(ends) - 1, np.arange(len(ends))]
    candidates = finals[~np.asarray(diverged) & np.isfinite(finals)]
    reference = [optimum] if optimum is not None else []
    reference = min([*reference, *candidates.tolist()], default=start_loss)
    gap = start_loss - reference
    regions = []
    for k, end in enumerate(ends):
        final = finals[k]
        if diverged[k] or not np.isfinite(final) or final > start_loss + TIE * abs(start_loss):
            regions.append("diverges")
        elif _turns_back(p1[:end, k], p2[:end, k], loss[:end, k], deterministic):
            regions.append("oscillates")
        elif gap > 0 and final - reference > SLOW_GAP * gap:
            regions.append("too slow")
        else:
            regions.append("converges")
    return tuple(regions)


def _turns_back(p1: np.ndarray, p2: np.ndarray, loss: np.ndarray, deterministic: bool) -> bool:
    """Rule 2 of :func:`classify` for one path."""
    steps = np.column_stack([np.diff(p1), np.diff(p2)])
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    if lengths.size == 0 or not lengths.max() > 0:
        return False
    moving = np.flatnonzero(lengths > SETTLED * lengths.max())
    late = moving[len(moving) // 2 :]
    if len(late) < MIN_PAIRS + 1:
        return False
    direction = np.linalg.svd(steps[late], full_matrices=False)[2][0]
    along = steps[late] @ direction
    if np.count_nonzero(along[1:] * along[:-1] < 0) > FLIP_SHARE * (len(along) - 1):
        return True
    # Rises smaller than the loss's float resolution are rounding, not motion.
    rises = loss[late + 1] - loss[late] > TIE * np.abs(loss[late])
    return deterministic and np.count_nonzero(rises) > RISE_SHARE * len(late)


def best_index(final: np.ndarray, loss: np.ndarray, ends) -> int | None:
    """The run with the lowest final loss among those that did not diverge (``final`` is NaN
    for those). Final losses within 1e-12 (relative) of the lowest count as equal: such runs all
    reached the optimum to floating-point precision, and the one that settled there in the fewest
    steps wins (on a full-batch quadratic that is the rate nearest ``2/(l_min + l_max)``)."""
    ok = np.flatnonzero(np.isfinite(final))
    if ok.size == 0:
        return None
    low = float(final[ok].min())
    ceiling = low + TIE * abs(low)
    tied = ok[final[ok] <= ceiling]

    def settled_at(k: int) -> int:
        above = np.flatnonzero(loss[: ends[k], k] > ceiling)
        return int(above[-1]) + 1 if above.size else 0

    return int(min(tied, key=lambda k: (settled_at(k), final[k], k)))


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


__all__ = ["REGIONS", "SweepCancelled", "SweepResult", "advance_reporting", "default_lr_range",
           "learning_rates", "sweep"]  # fmt: skip
