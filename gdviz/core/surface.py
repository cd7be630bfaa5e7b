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


def loss_grid(problem, window: tuple[float, float, float, float], shape=(200, 200)) -> LossGrid:
    """Evaluate the full training loss on a ``shape = (n1, n2)`` grid over ``window``.

    For linear regression this is the closed form ``L* + d^T (H/2) d`` of the quadratic, so its
    cost does not depend on the number of examples.
    """
    p1_min, p1_max, p2_min, p2_max = window
    p1 = np.linspace(p1_min, p1_max, shape[0])
    p2 = np.linspace(p2_min, p2_max, shape[1])
    grid1, grid2 = np.meshgrid(p1, p2)
    with np.errstate(all="ignore"):
        loss = np.asarray(problem.full_loss(grid1, grid2), dtype=float)
    return LossGrid(p1, p2, loss)


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
