"""Analytic loss surfaces over two parameters ``(x, y)``, with optional gradient noise.

There is no data, but batch size still matters when a gradient-noise level ``sigma`` is set: the
surface plays a data set of ``N`` nominal examples whose per-example gradients scatter around the
true gradient with standard deviation ``sigma`` per coordinate. The mean over a batch of B is then
the true gradient plus Gaussian noise of standard deviation

* ``sigma * sqrt((N - B) / (B (N - 1)))`` under shuffle sampling (B distinct examples: the finite
  population correction, zero at full batch), and
* ``sigma / sqrt(B)`` under sampling with replacement.

The batch loss reported is the surface value itself (the noise is only in the gradient).
Formulas use arithmetic operators only, so they evaluate floats and numpy arrays alike.

Each surface also gives its Hessian in closed form, so the *sharpness* (its largest eigenvalue)
is known at every point of a run. ``scalar-net``, ``L = (1 - x y)^2 / 2``, is the smallest
two-layer network (one weight per layer, target 1): its minima fill the hyperbola ``x y = 1``,
where the Hessian ``[[y^2, 2xy - 1], [2xy - 1, x^2]]`` is ``[[y^2, 1], [1, x^2]]`` with
eigenvalues 0 and ``x^2 + y^2``. Gradient descent with rate ``lr`` cannot settle at a minimum
sharper than ``2 / lr`` (there it is a quadratic with ``lr`` above its limit), but instead of
diverging it can be thrown to a flatter part of the valley: the edge of stability (Cohen et
al., ICLR 2021) and the catapult (Lewkowycz et al., 2020).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.core.batching import BatchChunk
from gdviz.core.problems import Problem


@dataclass(frozen=True)
class SurfaceSpec:
    """An analytic surface: value, gradient, minima, default start and view window, and the
    Hessian ``hessian(x, y) -> (f_xx, f_xy, f_yy)``."""

    title: str
    value: Callable
    grad: Callable
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    window: tuple[float, float, float, float]
    formula: str
    hessian: Callable


def top_eigenvalue(a, b, c):
    """The larger eigenvalue of the symmetric matrix ``[[a, b], [b, c]]`` (arrays alike):
    ``(a + c) / 2 + sqrt(((a - c) / 2)^2 + b^2)``."""
    half_gap = 0.5 * (a - c)
    return 0.5 * (a + c) + np.sqrt(half_gap * half_gap + b * b)


def _bowl(kappa: float) -> SurfaceSpec:
    return SurfaceSpec(
        f"Quadratic bowl (condition number {kappa:g})",
        lambda x, y: 0.5 * (x * x + kappa * y * y),
        lambda x, y: (x, kappa * y),
        ((0.0, 0.0),),
        (-2.5, 1.5),
        (-3.0, 3.0, -2.0, 2.0),
        f"f(x, y) = (x² + {kappa:g}·y²) / 2",
        lambda x, y: (1.0 + 0.0 * x, 0.0 * x, kappa + 0.0 * y),
    )


def _rosenbrock_value(x, y):
    a, c = 1.0 - x, y - x * x
    return a * a + 100.0 * c * c


def _rosenbrock_grad(x, y):
    c = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * c, 200.0 * c


def _rosenbrock_hessian(x, y):
    return 2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x, 200.0 + 0.0 * y


def _himmelblau_value(x, y):
    a, c = x * x + y - 11.0, x + y * y - 7.0
    return a * a + c * c


def _himmelblau_grad(x, y):
    a, c = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * c, 2.0 * a + 4.0 * y * c


def _himmelblau_hessian(x, y):
    a, c = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * a + 8.0 * x * x + 2.0, 4.0 * (x + y), 2.0 + 4.0 * c + 8.0 * y * y


def _camel_value(x, y):
    x2, y2 = x * x, y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


def _camel_grad(x, y):
    x2 = x * x
    return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y


def _camel_hessian(x, y):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0 + 0.0 * x, -8.0 + 48.0 * y * y


def _scalar_net_value(x, y):
    r = 1.0 - x * y
    return 0.5 * r * r


def _scalar_net_grad(x, y):
    r = 1.0 - x * y
    return -r * y, -r * x


def _scalar_net_hessian(x, y):
    return y * y, 2.0 * x * y - 1.0, x * x


SURFACES: dict[str, Callable[[float], SurfaceSpec]] = {
    "bowl": _bowl,
    "rosenbrock": lambda _: SurfaceSpec(
        "Rosenbrock's banana valley",
        _rosenbrock_value,
        _rosenbrock_grad,
        ((1.0, 1.0),),
        (-1.5, 2.0),
        (-2.0, 2.0, -1.0, 3.0),
        "f(x, y) = (1 − x)² + 100·(y − x²)²",
        _rosenbrock_hessian,
    ),
    "himmelblau": lambda _: SurfaceSpec(
        "Himmelblau (four minima)",
        _himmelblau_value,
        _himmelblau_grad,
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        (0.0, 0.0),
        (-5.0, 5.0, -5.0, 5.0),
        "f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
        _himmelblau_hessian,
    ),
    "saddle": lambda _: SurfaceSpec(
        "Saddle (no minimum)",
        lambda x, y: x * x - y * y,
        lambda x, y: (2.0 * x, -2.0 * y),
        (),
        (1.5, 0.05),
        (-2.0, 2.0, -2.0, 2.0),
        "f(x, y) = x² − y²",
        lambda x, y: (2.0 + 0.0 * x, 0.0 * x, -2.0 + 0.0 * y),
    ),
    "six-hump-camel": lambda _: SurfaceSpec(
        "Six-hump camel (six minima, two global)",
        _camel_value,
        _camel_grad,
        ((0.0898420, -0.7126564), (-0.0898420, 0.7126564)),
        (-1.6, 0.9),
        (-2.0, 2.0, -1.2, 1.2),
        "f(x, y) = (4 − 2.1x² + x⁴/3)x² + xy + (4y² − 4)y²",
        _camel_hessian,
    ),
    # The flattest minima, (1, 1) and (-1, -1) (sharpness 2), stand for the whole valley xy = 1;
    # the start (3, 0.1) lies beside a sharp part of it (sharpness 9.2 at the nearest minimum).
    "scalar-net": lambda _: SurfaceSpec(
        "Two-layer scalar network (a valley of minima)",
        _scalar_net_value,
        _scalar_net_grad,
        ((1.0, 1.0), (-1.0, -1.0)),
        (3.0, 0.1),
        (-0.5, 3.5, -1.0, 2.0),
        "f(x, y) = (1 − x·y)² / 2",
        _scalar_net_hessian,
    ),
}
SURFACE_NAMES = tuple(SURFACES)


class AnalyticSurface(Problem):
    """A :class:`SurfaceSpec` as a trainable problem (parameters named x, y)."""

    param_names = ("x", "y")
    needs_noise = True
    equal_scales = True  # x and y are coordinates of one plane
    cheap_gradient_statistics = True

    def __init__(
        self, name: str, noise: float = 0.0, n_examples: int = 100, condition: float = 10.0
    ) -> None:
        if name not in SURFACES:
            raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACE_NAMES)}")
        self.name = name
        self.spec = SURFACES[name](condition)
        self.title = self.spec.title
        self.noise = float(noise)
        self.n_examples = int(n_examples)
        self.default_start = self.spec.start
        self._value, self._grad = self.spec.value, self.spec.grad

    def minima(self) -> list[tuple[float, float]]:
        return list(self.spec.minima)

    def hessian_at_optimum(self) -> np.ndarray | None:
        """The analytic Hessian at the global minimum."""
        if not self.spec.minima:
            return None
        a, b, c = (float(v) for v in self.spec.hessian(*self.spec.minima[0]))
        return np.array([[a, b], [b, c]])

    def sharpness(self, p1, p2) -> np.ndarray:
        """The largest eigenvalue of the analytic Hessian at each point (the noise-free
        surface's: the gradient noise does not change it)."""
        x, y = np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(top_eigenvalue(*self.spec.hessian(x, y)), dtype=float)

    def default_window(self, start=None) -> tuple[float, float, float, float]:
        """The surface's own window, widened to include ``start``."""
        x0, x1, y0, y1 = self.spec.window
        if start is not None:
            sx, sy = start
            x0, x1, y0, y1 = min(x0, sx), max(x1, sx), min(y0, sy), max(y1, sy)
        return x0, x1, y0, y1

    def gradient_statistics(self, p1: float, p2: float) -> tuple[np.ndarray, float]:
        """The true gradient, and the spread of the nominal examples' gradients around it:
        ``sigma`` per coordinate, so ``tr(Sigma) = 2 sigma^2``."""
        gx, gy = self._grad(float(p1), float(p2))
        return np.array([float(gx), float(gy)]), 2.0 * self.noise**2

    def noise_scale(self, batch_sizes: np.ndarray, with_replacement: bool) -> np.ndarray:
        """Standard deviation of the batch-mean gradient noise for each batch size."""
        sizes = np.asarray(batch_sizes, dtype=float)
        if with_replacement:
            return self.noise / np.sqrt(sizes)
        n = self.n_examples
        population = (n - sizes) / (sizes * (n - 1)) if n > 1 else np.zeros_like(sizes)
        return self.noise * np.sqrt(population)

    def prepare(self, chunk: BatchChunk) -> np.ndarray:
        """Gradient noise per iteration, shape ``(C, 2)``."""
        scale = self.noise_scale(chunk.sizes, chunk.with_replacement)
        return chunk.noise * scale[:, None]

    @staticmethod
    def stack(per_run: list[np.ndarray]) -> np.ndarray:
        return np.stack(per_run, axis=-1)

    def loss_grad(self, x, y, item):
        noise_x, noise_y = item
        gx, gy = self._grad(x, y)
        return self._value(x, y), gx + noise_x, gy + noise_y

    def loss_grad_stacked(self, params: np.ndarray, item):
        """K runs: the gradient only. The batch loss is the surface value before the update,
        which :meth:`batch_losses` takes from the chunk's parameters at once."""
        noise_x, noise_y = item
        gx, gy = self._grad(params[0], params[1])
        grad = np.empty(params.shape)
        grad[0], grad[1] = gx + noise_x, gy + noise_y
        return None, grad

    def batch_losses(self, prepared, before: np.ndarray, grads: np.ndarray):
        return self._value(before[:, 0], before[:, 1])

    def full_loss(self, x, y):
        return self._value(np.asarray(x, dtype=float), np.asarray(y, dtype=float))

    def full_grad(self, x, y):
        return self._grad(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
