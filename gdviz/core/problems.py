"""Training problems over two parameters: linear and logistic regression on a data set.

Every problem exposes the same small interface, used by the trainer's inner loop:

* ``prepare(chunk) -> items``: per-iteration batch terms, computed for a whole chunk at once;
* ``loss_grad(p1, p2, item) -> (batch_loss, g1, g2)``: the loss and gradient on one batch. ``p1``,
  ``p2`` are floats (one run) or arrays of shape ``(K,)`` (K runs in lockstep); only arithmetic
  operators are used so both work;
* ``full_loss(P1, P2)`` / ``full_grad(P1, P2)``: the loss and gradient over the whole training set,
  vectorised over arrays of parameters of any shape.
"""

from __future__ import annotations

import numpy as np

from gdviz.core.batching import BatchChunk
from gdviz.core.data import Dataset


class Problem:
    """Common attributes; subclasses implement the interface in the module docstring."""

    param_names: tuple[str, str] = ("w", "b")
    n_examples: int = 1
    needs_noise = False
    default_start: tuple[float, float] = (0.0, 0.0)
    title = ""

    # Terms summed per point of the loss surface (gdviz.core.surface): 1 for closed forms.
    surface_terms: int = 1
    # gradient_statistics in O(1) (closed forms), not a pass over the N examples.
    cheap_gradient_statistics = False

    @property
    def equal_scales(self) -> bool:
        """Whether both parameters are measured on one scale, so that the surface is drawn with
        equal axes (one unit of p1 as long as one of p2) and its true shape shows: a model on a
        standardised feature, where w and b are both in units of y per standard deviation."""
        data = getattr(self, "data", None)
        return bool(data is not None and data.standardized)

    def minima(self) -> list[tuple[float, float]]:
        """Known minimisers, the global one first (empty when unknown or unbounded below)."""
        return []

    def surface_loss(self, p1, p2):
        """The loss the surface picture shows at parameters ``p1, p2`` (arrays): the full loss,
        unless a subclass draws an approximation that costs less (and says so in
        :meth:`surface_note`)."""
        return self.full_loss(p1, p2)

    def surface_note(self) -> str:
        """What the surface picture is computed from, when that is not the exact full loss."""
        return ""

    def hessian_at_optimum(self) -> np.ndarray | None:
        """The 2x2 Hessian at the (global) minimum, when there is one."""
        return None

    # sharpness(p1, p2) -> array: the largest eigenvalue of the full loss's Hessian at parameters
    # of one shape. Plain gradient descent with rate lr can settle only where it is at most
    # 2 / lr (gdviz.core.surfaces, scalar-net). None: the problem has no Hessian cheap enough
    # to evaluate along a whole run (logistic regression's costs O(N) a point).
    sharpness = None

    def example_gradients(self, p1, p2, indices: np.ndarray) -> np.ndarray:
        """Each listed example's own gradient at ``(p1, p2)``, shape ``(len(indices), 2)``: the
        batch gradient is their mean. Empty for a problem without examples."""
        return np.zeros((0, 2))

    def gradient_statistics(self, p1: float, p2: float) -> tuple[np.ndarray, float]:
        """The examples' mean gradient ``G`` (shape ``(2,)``) at ``(p1, p2)`` and their spread
        ``tr(Sigma) = mean |g_i - G|^2`` (the covariance with 1/N normalisation): what the
        gradient noise scale B_simple = tr(Sigma)/|G|^2 is made of (core.batch_scaling)."""
        grads = self.example_gradients(p1, p2, np.arange(self.n_examples))
        mean = grads.mean(axis=0)
        return mean, float(np.mean(np.sum((grads - mean) ** 2, axis=1)))

    def batch_loss_surface(self, p1, p2, indices: np.ndarray):
        """The loss of the batch of examples ``indices`` alone at parameters ``p1, p2``
        (arrays of any shape): the surface SGD descends at that step, not the full one. None
        for a problem without examples (a surface's batch loss is the surface itself)."""
        return None

    def stacked_items(self, items, runs: int):
        """Batch terms as :meth:`loss_grad_stacked` takes them (K runs in lockstep)."""
        if isinstance(items, np.ndarray) and items.ndim == 2:
            return items.tolist()  # shared by all runs: floats broadcast against (K,) arrays
        return items

    def loss_grad_stacked(self, params: np.ndarray, item):
        """Batch loss ``(K,)`` (or None when :meth:`batch_losses` computes it after the chunk)
        and gradient ``(2, K)`` for parameters of shape ``(2, K)``."""
        loss, g1, g2 = self.loss_grad(params[0], params[1], item)
        grad = np.empty(params.shape)
        grad[0], grad[1] = g1, g2
        return loss, grad

    def batch_losses(self, prepared, before: np.ndarray, grads: np.ndarray):
        """Batch losses of a chunk from the parameters before each update ``(C, 2, K)`` and the
        gradients; only problems whose :meth:`loss_grad_stacked` returns None implement it."""
        raise NotImplementedError

    def default_window(self, start=None) -> tuple[float, float, float, float]:
        """``(p1_min, p1_max, p2_min, p2_max)`` framing the start and the optimum."""
        (s1, s2), minima = start or self.default_start, self.minima()
        c1, c2 = minima[0] if minima else (s1, s2)
        h1 = max(1.4 * abs(s1 - c1), 0.05 * max(abs(c1), 1.0))
        h2 = max(1.4 * abs(s2 - c2), 0.05 * max(abs(c2), 1.0))
        return c1 - h1, c1 + h1, c2 - h2, c2 + h2


class LinearRegression(Problem):
    """``y_hat = w*x + b`` with the mean squared error ``L = mean((y_hat - y)**2)`` (no 1/2).

    Gradient: ``dL/dw = 2 mean((y_hat - y) x)``, ``dL/db = 2 mean(y_hat - y)``. Hessian (constant):
    ``H = 2 [[mean(x^2), mean(x)], [mean(x), 1]]``.

    For accuracy near the optimum every batch term is written relative to the least-squares
    solution ``(w*, b*)`` with residuals ``e = w* x + b* - y``: with ``d = (w - w*, b - b*)``,
    ``L_batch = dw^2 m_xx + 2 dw db m_x + db^2 + 2 dw m_xe + 2 db m_e + m_ee`` where ``m_.`` are
    batch means. Five means per batch are all an iteration needs, whatever the batch size.
    """

    title = "Linear regression"
    cheap_gradient_statistics = True

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.n_examples = data.n_examples
        x, y = data.x, data.y
        design = np.column_stack([x, np.ones_like(x)])
        (w_opt, b_opt), *_ = np.linalg.lstsq(design, y, rcond=None)
        self.optimum = (float(w_opt), float(b_opt))
        self._optimum_column = np.array([[w_opt], [b_opt]])
        self._optimum_stacked = self._optimum_column  # repeated to (2, K) for the K-run loop
        e = w_opt * x + b_opt - y
        # Per-example terms whose batch means give loss and gradient: x, x^2, x e, e, e^2.
        self._terms = np.column_stack([x, x * x, x * e, e, e * e])
        # The full batch's means, summed exactly as a batch of all N is (bit for bit the same).
        self._full_means = np.add.reduceat(self._terms, [0], axis=0) / x.size
        self.mean_x, self.mean_xx = float(np.mean(x)), float(np.mean(x * x))
        self.min_loss = float(np.mean(e * e))
        # mean(x^2 q), mean(q), mean(e^2 q), mean(x q), mean(x e q), mean(e q), q = 1 + x^2:
        # the spread of the examples' gradients in closed form (gradient_statistics).
        q = 1.0 + x * x
        self._spread_means = tuple(float(np.mean(v)) for v in
                                   (x * x * q, q, e * e * q, x * q, x * e * q, e * q))  # fmt: skip

    def minima(self) -> list[tuple[float, float]]:
        return [self.optimum]

    def gradient_statistics(self, w: float, b: float) -> tuple[np.ndarray, float]:
        """O(1) from moments: with ``d = (w - w*, b - b*)`` each example's gradient is
        ``g_i = 2 r_i (x_i, 1)``, ``r_i = dw x_i + db + e_i``, so
        ``mean |g_i|^2 = 4 mean(r_i^2 (1 + x_i^2))`` expands into six means of ``x`` and the
        optimum's residuals ``e`` worked out once; ``tr(Sigma) = mean |g_i|^2 - |G|^2``. (The
        generic form costs a pass over the data, every frame the worked update is shown.)"""
        dw, db = w - self.optimum[0], b - self.optimum[1]
        m = self._spread_means
        square = (dw * dw * m[0] + db * db * m[1] + m[2]
                  + 2.0 * (dw * db * m[3] + dw * m[4] + db * m[5]))  # fmt: skip
        mean = np.array([float(g) for g in self.full_grad(w, b)])
        return mean, max(4.0 * square - float(mean @ mean), 0.0)

    def hessian_at_optimum(self) -> np.ndarray:
        return 2.0 * np.array([[self.mean_xx, self.mean_x], [self.mean_x, 1.0]])

    def sharpness(self, p1, p2) -> np.ndarray:
        """Constant: the loss is quadratic, its Hessian the same everywhere."""
        top = float(np.linalg.eigvalsh(self.hessian_at_optimum())[-1])
        return np.full(np.shape(p1), top)

    def prepare(self, chunk: BatchChunk) -> np.ndarray:
        """Batch means of the five terms, shape ``(C, 5)`` (full batch: the same means each
        iteration, worked out once: O(1) per iteration whatever N)."""
        if chunk.full:
            return np.repeat(self._full_means, len(chunk.sizes), axis=0)
        sums = np.add.reduceat(self._terms[chunk.indices], chunk.offsets, axis=0)
        return sums / chunk.sizes[:, None]

    @staticmethod
    def stack(per_run: list[np.ndarray]) -> np.ndarray:
        """Combine K runs' batch means into shape ``(C, 5, K)``."""
        return np.stack(per_run, axis=-1)

    def stacked_items(self, items: np.ndarray, runs: int) -> list:
        """Per iteration ``(A, c)`` with ``A = 2 [[m_xx, m_x], [m_x, 1]]`` and ``c = 2 (m_xe, m_e)``
        so that the gradient is ``A d + c``. A is (2, 2) when the runs share their batches and
        (K, 2, 2) when they do not; c is expanded to (2, K): numpy operations on equal shapes
        are about twice as fast as broadcasting ones, and this is the hot loop."""
        m_x, m_xx, m_xe, m_e, _ = np.moveaxis(items, 1, 0)
        matrices = np.moveaxis(np.array([[m_xx, m_x], [m_x, np.ones_like(m_x)]]), (0, 1), (-2, -1))
        offsets = np.stack([m_xe, m_e], axis=1)  # (C, 2) or (C, 2, K)
        if offsets.ndim == 2:
            offsets = offsets[:, :, None]
        offsets = np.ascontiguousarray(np.broadcast_to(2.0 * offsets, (len(items), 2, runs)))
        if self._optimum_stacked.shape[1] != runs:
            self._optimum_stacked = np.repeat(self._optimum_column, runs, axis=1)
        return list(zip(2.0 * matrices, offsets, strict=True))

    def loss_grad_stacked(self, params: np.ndarray, item):
        """The gradient only: the batch loss follows after the chunk (:meth:`batch_losses`)."""
        matrix, offset = item
        d = params - self._optimum_stacked
        if matrix.ndim == 2:
            grad = matrix @ d
        else:  # one matrix per run
            grad = (matrix @ d.T[..., None])[..., 0].T
        grad += offset
        return None, grad

    def batch_losses(self, prepared: np.ndarray, before: np.ndarray, grads: np.ndarray):
        """``L_batch = d . (g/2 + r) + m_ee`` for a whole chunk, vectorised: with
        ``g/2 = M d + r`` this is the batch formula of the class docstring."""
        r = prepared[:, 2:4]  # (C, 2) or (C, 2, K)
        if r.ndim == 2:
            r = r[:, :, None]
        m_ee = prepared[:, 4] if prepared.ndim == 2 else prepared[:, 4, :]
        d = before - self._optimum_column
        terms = d * (0.5 * grads + r)
        return terms[:, 0] + terms[:, 1] + (m_ee[:, None] if m_ee.ndim == 1 else m_ee)

    def loss_grad(self, w, b, item):
        m_x, m_xx, m_xe, m_e, m_ee = item
        dw = w - self.optimum[0]
        db = b - self.optimum[1]
        r_x = dw * m_xx + db * m_x + m_xe  # mean((y_hat - y) x)
        r_1 = dw * m_x + db + m_e  # mean(y_hat - y)
        loss = dw * (r_x + m_xe) + db * (r_1 + m_e) + m_ee
        return loss, 2.0 * r_x, 2.0 * r_1

    def example_gradients(self, w, b, indices: np.ndarray) -> np.ndarray:
        """``(2 (y_hat_i - y_i) x_i, 2 (y_hat_i - y_i))`` for each listed example i."""
        x, y = self.data.x[indices], self.data.y[indices]
        residual = 2.0 * (w * x + b - y)
        return np.column_stack([residual * x, residual])

    def batch_loss_surface(self, w, b, indices: np.ndarray):
        """``mean_i (w x_i + b - y_i)^2`` over the batch, from five of its means:
        ``w^2 m_xx + 2 w b m_x + b^2 - 2 w m_xy - 2 b m_y + m_yy``."""
        x, y = self.data.x[indices], self.data.y[indices]
        m_x, m_xx, m_y, m_xy, m_yy = (float(np.mean(v)) for v in (x, x * x, y, x * y, y * y))
        w, b = np.asarray(w, float), np.asarray(b, float)
        return w * w * m_xx + 2 * w * b * m_x + b * b - 2 * w * m_xy - 2 * b * m_y + m_yy

    def full_loss(self, w, b):
        dw = np.asarray(w, dtype=float) - self.optimum[0]
        db = np.asarray(b, dtype=float) - self.optimum[1]
        # At the least-squares optimum mean(e) = mean(x e) = 0, so the loss is L* + d^T (H/2) d.
        return self.min_loss + dw * (dw * self.mean_xx + 2.0 * db * self.mean_x) + db * db

    def full_grad(self, w, b):
        dw = np.asarray(w, dtype=float) - self.optimum[0]
        db = np.asarray(b, dtype=float) - self.optimum[1]
        return 2.0 * (dw * self.mean_xx + db * self.mean_x), 2.0 * (dw * self.mean_x + db)


class LogisticRegression(Problem):
    """``p = sigmoid(w*x + b)`` with the mean binary cross-entropy, y in {0, 1}.

    ``L = mean(log(1 + exp(z)) - y z)`` with ``z = w x + b`` (the stable form of
    ``-y log p - (1-y) log(1-p)``); gradient ``(mean((p - y) x), mean(p - y))``.
    """

    title = "Logistic regression"

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.n_examples = data.n_examples
        self._x, self._y = data.x, data.y
        self._optimum, self._hessian = _newton_logistic(self._x, self._y)
        self._bins = _x_bins(self._x, SURFACE_BINS) if self._x.size > SURFACE_BINS else None
        self.surface_terms = self._x.size if self._bins is None else SURFACE_BINS
        self._y_mean = float(np.mean(self._y)) if self._y.size else 0.0
        self._yx_mean = float(np.mean(self._y * self._x)) if self._y.size else 0.0

    def minima(self) -> list[tuple[float, float]]:
        return [self._optimum] if self._optimum else []

    def hessian_at_optimum(self) -> np.ndarray | None:
        return self._hessian

    def prepare(self, chunk: BatchChunk) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per iteration the batch's x, y and averaging weights (1/B each); full batch: the same
        arrays for every iteration (O(N) memory, not O(chunk x N))."""
        if chunk.full:
            item = (self._x, self._y, np.full(self._x.shape, 1.0 / self._x.size))
            return [item] * len(chunk.sizes)
        cuts = chunk.offsets[1:]
        xs = np.split(self._x[chunk.indices], cuts)
        ys = np.split(self._y[chunk.indices], cuts)
        return [(x, y, np.full(x.shape, 1.0 / x.size)) for x, y in zip(xs, ys, strict=True)]

    @staticmethod
    def stack(per_run: list[list]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Combine K runs' batches of different sizes, padded with weight 0: shape (K, B_max)."""
        stacked = []
        for items in zip(*per_run, strict=True):
            width = max(x.size for x, _, _ in items)
            x, y, weights = (np.zeros((len(items), width)) for _ in range(3))
            for k, (xk, yk, wk) in enumerate(items):
                x[k, : xk.size], y[k, : yk.size], weights[k, : wk.size] = xk, yk, wk
            stacked.append((x, y, weights))
        return stacked

    def loss_grad(self, w, b, item):
        x, y, weights = item
        # Parameters of shape (K,) broadcast against the batch along a new last axis.
        z = np.expand_dims(w, -1) * x + np.expand_dims(b, -1)
        residual = weights * (_sigmoid(z) - y)
        loss = np.sum(weights * (np.logaddexp(0.0, z) - y * z), axis=-1)
        return loss, np.sum(residual * x, axis=-1), np.sum(residual, axis=-1)

    def example_gradients(self, w, b, indices: np.ndarray) -> np.ndarray:
        """``((p_i - y_i) x_i, p_i - y_i)`` with ``p_i = sigmoid(w x_i + b)`` for each listed i."""
        x, y = self._x[indices], self._y[indices]
        residual = _sigmoid(w * x + b) - y
        return np.column_stack([residual * x, residual])

    def batch_loss_surface(self, w, b, indices: np.ndarray, block: int = 256):
        """``mean_i log(1 + exp(z_i)) - y_i z_i`` over the batch, ``z_i = w x_i + b``."""
        x, y = self._x[indices], self._y[indices]
        return _over_blocks(w, b, x, lambda z: np.mean(np.logaddexp(0.0, z) - y * z, axis=-1),
                            block)  # fmt: skip

    def full_loss(self, w, b, block: int = 256):
        def mean_loss(z):
            return np.mean(np.logaddexp(0.0, z) - self._y * z, axis=-1)

        return _over_blocks(w, b, self._x, mean_loss, block)

    def surface_loss(self, w, b, block: int = 256):
        """The full loss, with the examples grouped into SURFACE_BINS bins of x above that
        many examples: ``L = mean(softplus(z)) - w*mean(y x) - b*mean(y)`` with ``z = w x + b``;
        the second term is exact, the first sums ``count_k * softplus(w m_k + b)`` over the bins
        (``m_k`` a bin's mean x). As softplus'' <= 1/4, each bin's error is at most
        ``w^2 var_k / 8``: the whole surface is within ``w^2 * mean within-bin variance / 8`` of
        the exact loss (:meth:`surface_error`). Cost: grid points x bins, whatever N is."""
        if self._bins is None:
            return self.full_loss(w, b, block)
        means, weights, _ = self._bins
        softplus = _over_blocks(w, b, means, lambda z: np.logaddexp(0.0, z) @ weights, block)
        return softplus - (
            np.asarray(w, float) * self._yx_mean + np.asarray(b, float) * self._y_mean
        )

    def surface_error(self, w) -> float:
        """The bound on ``|surface_loss - full_loss|`` at weight ``w`` (0 when exact)."""
        return 0.0 if self._bins is None else float(w) ** 2 * self._bins[2] / 8

    def surface_note(self) -> str:
        if self._bins is None:
            return ""
        return f"surface: {self.n_examples:,} examples in {SURFACE_BINS:,} bins of x"

    def full_grad(self, w, b):
        z = np.multiply.outer(np.asarray(w, float), self._x) + np.expand_dims(b, -1)
        residual = _sigmoid(z) - self._y
        return np.mean(residual * self._x, axis=-1), np.mean(residual, axis=-1)


SURFACE_BINS = 2048  # logistic surface: above this many examples, bins of x (surface_loss)


def _over_blocks(w, b, x: np.ndarray, reduce, block: int) -> np.ndarray:
    """``reduce(z)`` over the last axis of ``z = w x + b`` for parameters ``w, b`` of any
    (broadcast) shape, ``block`` parameter pairs at a time: memory bounded for large grids."""
    w, b = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
    flat_w, flat_b = w.ravel(), b.ravel()
    out = np.empty(flat_w.shape)
    for start in range(0, flat_w.size, block):
        z = np.multiply.outer(flat_w[start : start + block], x)
        z += flat_b[start : start + block, None]
        out[start : start + block] = reduce(z)
    return out.reshape(w.shape)


def _x_bins(x: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``bins`` groups of sorted ``x`` of (nearly) equal counts: their means, their weights
    (count / N) and the count-weighted mean of their variances (for the error bound)."""
    ordered = np.sort(x)
    starts = (np.arange(bins) * ordered.size) // bins
    counts = np.diff(np.append(starts, ordered.size))
    means = np.add.reduceat(ordered, starts) / counts
    spread = np.add.reduceat((ordered - np.repeat(means, counts)) ** 2, starts)
    return means, counts / ordered.size, float(spread.sum() / ordered.size)


def _sigmoid(z):
    """Logistic function, stable for large |z| (no overflow warnings)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _newton_logistic(x: np.ndarray, y: np.ndarray, iterations: int = 50):
    """Maximum-likelihood (w, b) by Newton's method and the Hessian there; (None, None) when the
    classes are separable (no finite optimum) or Newton does not settle."""
    theta = np.zeros(2)
    design = np.column_stack([x, np.ones_like(x)])
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            p = _sigmoid(design @ theta)
            grad = design.T @ (p - y) / x.size
            hessian = (design * (p * (1 - p))[:, None]).T @ design / x.size
            try:
                step = np.linalg.solve(hessian, grad)
            except np.linalg.LinAlgError:
                return None, None
            theta -= step
            if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > 1e6:
                return None, None
            if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(theta))):
                return (float(theta[0]), float(theta[1])), hessian
    return None, None
