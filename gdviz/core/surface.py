"""The loss landscape: a grid of the full-data loss over a parameter window, and the curvature
facts the GUI marks (optimum, Hessian eigenvalues, learning-rate limits)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LossGrid:
    """``loss[j, i]`` is the loss at ``(p1[i], p2[j])``: row-major, as ``np.meshgrid`` gives it
    and as pyqtgraph's ``imageAxisOrder='row-major'`` draws it."""

    p1: np.ndarray
    p2: np.ndarray
    loss: np.ndarray


GRID_SHAPE = (200, 200)  # the surface picture's grid
COARSE_SHAPE = (50, 50)  # drawn first when the full grid takes a while
QUICK_TERMS = 2_000_000  # grid points x terms per point computed at once (~20 ms); more: off
# the GUI thread, coarse first (gdviz.ui.surface_maker)


def loss_grid(problem, window: tuple[float, float, float, float], shape=GRID_SHAPE) -> LossGrid:
    """Evaluate the loss the surface shows (``problem.surface_loss``: the full training loss,
    or its documented approximation) on a ``shape = (n1, n2)`` grid over ``window``.

    For linear regression this is the closed form ``L* + d^T (H/2) d`` of the quadratic, so its
    cost does not depend on the number of examples.
    """
    p1_min, p1_max, p2_min, p2_max = window
    p1 = np.linspace(p1_min, p1_max, shape[0])
    p2 = np.linspace(p2_min, p2_max, shape[1])
    return LossGrid(p1, p2, loss_on(problem, p1, p2))


def loss_on(problem, p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """``loss[j, i]`` at ``(p1[i], p2[j])`` for the given axes (a grid, or some rows of one)."""
    grid1, grid2 = np.meshgrid(p1, p2)
    with np.errstate(all="ignore"):
        return np.asarray(problem.surface_loss(grid1, grid2), dtype=float)


def grid_terms(problem, shape=GRID_SHAPE) -> int:
    """The work of one grid: its points times the terms summed per point."""
    return shape[0] * shape[1] * int(problem.surface_terms)


def is_quick(problem, shape=GRID_SHAPE) -> bool:
    """Whether a grid is cheap enough to compute where it is asked for (on the GUI thread)."""
    return grid_terms(problem, shape) <= QUICK_TERMS


def lowest_loss(problem) -> float | None:
    """The full training loss at the problem's (global) minimum, when it has a known one."""
    minima = problem.minima()
    if not minima:
        return None
    with np.errstate(all="ignore"):
        value = float(np.asarray(problem.full_loss(*minima[0])))
    return value if np.isfinite(value) else None


@dataclass(frozen=True)
class Curvature:
    """Eigenvalues of the Hessian at the optimum and the full-batch learning-rate limits.

    On a quadratic with Hessian eigenvalues ``l_min <= l_max`` (all positive), full-batch gradient
    descent converges exactly when ``lr < 2 / l_max``; ``lr = 2 / (l_min + l_max)`` minimises the
    worst-case contraction factor ``(l_max - l_min) / (l_max + l_min)``. On other surfaces the
    same numbers hold near the minimum (a local quadratic approximation).
    """

    eigenvalues: tuple[float, float]
    lr_max_stable: float | None
    lr_fastest: float | None

    @property
    def condition_number(self) -> float | None:
        low, high = self.eigenvalues
        return high / low if low > 0 else None


def curvature(problem) -> Curvature | None:
    """Curvature at the problem's optimum, or None when it has no (known) minimum."""
    hessian = problem.hessian_at_optimum()
    if hessian is None:
        return None
    low, high = (float(v) for v in np.linalg.eigvalsh(hessian))
    stable = 2.0 / high if high > 0 else None
    fastest = 2.0 / (low + high) if low > 0 and high > 0 else None
    return Curvature((low, high), stable, fastest)
