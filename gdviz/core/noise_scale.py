"""The gradient noise scale (McCandlish, Kaplan and Amodei, "An Empirical Model of Large-Batch
Training", 2018): with per-example gradients ``g_i``, ``G = mean g_i`` and ``Sigma`` their
covariance with 1/N normalisation,

    B_simple = tr(Sigma) / |G|^2,

the batch size at which the noise of a batch mean, ``tr(Sigma) / B``, equals the signal
``|G|^2``: far below it a larger batch cuts the noise of each step nearly in proportion, far
above it the step is nearly exact already. It grows as training nears a minimum (``G``
shrinks, the examples' spread stays).
"""

from __future__ import annotations

import numpy as np


def gradient_noise_scale(problem, p1: float, p2: float) -> float | None:
    """``B_simple = tr(Sigma) / |G|^2`` at ``(p1, p2)`` (Problem.gradient_statistics; module
    docstring). None where ``G = 0`` or there is no spread (a surface without noise: every
    batch is exact, or parameters that overflowed: a diverged run)."""
    with np.errstate(all="ignore"):  # a diverged run's parameters are inf or NaN
        mean, spread = problem.gradient_statistics(p1, p2)
        signal = float(mean @ mean)
        value = spread / signal if signal else np.inf
    return float(value) if spread > 0 and np.isfinite(value) else None


__all__ = ["gradient_noise_scale"]
