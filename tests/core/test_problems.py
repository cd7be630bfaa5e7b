"""Losses and gradients of the training problems against brute force and finite differences."""

from __future__ import annotations

import inspect
import itertools
import math

import numpy as np
import pytest

from gdviz.core.batching import BatchSampler
from gdviz.core.data import load_dataset
from gdviz.core.problems import LinearRegression, LogisticRegression
from gdviz.core.surface import curvature, loss_grid
from gdviz.core.surfaces import SURFACE_NAMES, AnalyticSurface


# -- helpers: the losses written out from their definitions ----------------------------------------
def mse(w, b, x, y):
    """mean((w x + b - y)^2), broadcast over arrays of w and b."""
    w, b = np.asarray(w, float)[..., None], np.asarray(b, float)[..., None]
    return np.mean((w * x + b - y) ** 2, axis=-1)


def bce(w, b, x, y):
    """mean(-y log p - (1 - y) log(1 - p)), p = 1 / (1 + exp(-(w x + b))), with plain math."""
    total = 0.0
    for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
        p = 1.0 / (1.0 + math.exp(-(w * xi + b)))
        total += -yi * math.log(p) - (1.0 - yi) * math.log(1.0 - p)
    return total / len(x)


def central_diff(f, w, b, h):
    """Central finite-difference gradient of a scalar f(w, b)."""
    return (
        (f(w + h, b) - f(w - h, b)) / (2 * h),
        (f(w, b + h) - f(w, b - h)) / (2 * h),
    )


SURFACE_FORMULAS = {
    "bowl": lambda x, y: 0.5 * (x**2 + 10.0 * y**2),  # default condition 10
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "six-hump-camel": lambda x, y: (
        (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2
    ),
    "scalar-net": lambda x, y: 0.5 * (1 - x * y) ** 2,
}


@pytest.fixture(scope="module")
def line_data():
    return load_dataset("synthetic", n=60, noise=2.0, seed=4, standardize=False)


@pytest.fixture(scope="module")
def linear(line_data):
    return LinearRegression(line_data)


@pytest.fixture(scope="module")
def logistic():
    return LogisticRegression(load_dataset("two-class", n=80, noise=2.0, seed=1, binary=True))


POINTS = [(0.0, 0.0), (1.5, -2.0), (-3.0, 4.0), (2.2, 0.9)]


# -- linear regression ----------------------------------------------------------------------------
def test_linear_optimum_is_polyfit(linear, line_data):
    slope, intercept = np.polyfit(line_data.x, line_data.y, 1)
    assert linear.optimum == pytest.approx((slope, intercept), rel=1e-10)
    # and the data really follow y = 2x + 1 + noise
    assert linear.optimum[0] == pytest.approx(2.0, abs=0.3)


def test_linear_hessian(linear, line_data):
    x = line_data.x
    expected = 2.0 * np.array([[np.mean(x**2), np.mean(x)], [np.mean(x), 1.0]])
    np.testing.assert_allclose(linear.hessian_at_optimum(), expected, rtol=1e-13)
    # and it is the derivative of the full gradient (exact for a quadratic)
    h = 1e-3
    w0, b0 = linear.optimum
    gw_p, gb_p = linear.full_grad(w0 + h, b0)
    gw_m, gb_m = linear.full_grad(w0 - h, b0)
    gw_bp, gb_bp = linear.full_grad(w0, b0 + h)
    gw_bm, gb_bm = linear.full_grad(w0, b0 - h)
    fd = np.array(
        [
            [(gw_p - gw_m) / (2 * h), (gw_bp - gw_bm) / (2 * h)],
            [(gb_p - gb_m) / (2 * h), (gb_bp - gb_bm) / (2 * h)],
        ]
    )
    np.testing.assert_allclose(fd, expected, rtol=1e-6)


def test_linear_full_loss_equals_brute_force_on_a_grid(linear, line_data):
    w, b = np.meshgrid(np.linspace(-5, 8, 21), np.linspace(-10, 12, 17))
    expected = mse(w, b, line_data.x, line_data.y)
    np.testing.assert_allclose(linear.full_loss(w, b), expected, rtol=1e-11)
    assert linear.full_loss(*linear.optimum) == pytest.approx(
        float(mse(*linear.optimum, line_data.x, line_data.y)), rel=1e-12
    )


@pytest.mark.parametrize(("w", "b"), POINTS)
def test_linear_full_grad_finite_differences(linear, line_data, w, b):
    x, y = line_data.x, line_data.y
    fd = central_diff(lambda w_, b_: float(mse(w_, b_, x, y)), w, b, 1e-4)
    np.testing.assert_allclose(linear.full_grad(w, b), fd, rtol=1e-7, atol=1e-7)
    # closed form: 2 mean((y_hat - y) x), 2 mean(y_hat - y)
    r = w * x + b - y
    np.testing.assert_allclose(linear.full_grad(w, b), (2 * np.mean(r * x), 2 * np.mean(r)))


@pytest.mark.parametrize("standardize", [True, False])
def test_linear_batch_loss_grad(standardize):
    data = load_dataset("auto-mpg", standardize=standardize)
    problem = LinearRegression(data)
    chunk = BatchSampler(data.n_examples, 7, seed=3).next_chunk(60)  # includes a partial batch
    items = problem.prepare(chunk)
    assert items.shape == (60, 5)
    w_scale = 1.0 if standardize else 1e-3  # keep w x of the order of y in raw units
    for i, (w, b) in itertools.product(range(0, 60, 7), POINTS):
        w = w * w_scale
        idx = chunk.batch(i)
        xb, yb = data.x[idx], data.y[idx]
        loss, g1, g2 = problem.loss_grad(w, b, items[i])
        assert loss == pytest.approx(float(mse(w, b, xb, yb)), rel=1e-10)
        h = 1e-4 * w_scale
        fd_w = (float(mse(w + h, b, xb, yb)) - float(mse(w - h, b, xb, yb))) / (2 * h)
        fd_b = (float(mse(w, b + 1e-4, xb, yb)) - float(mse(w, b - 1e-4, xb, yb))) / 2e-4
        assert g1 == pytest.approx(fd_w, rel=1e-6, abs=1e-6 / w_scale)
        assert g2 == pytest.approx(fd_b, rel=1e-6, abs=1e-6)


# -- logistic regression --------------------------------------------------------------------------
def test_logistic_full_loss_and_grad(logistic):
    x, y = logistic.data.x, logistic.data.y
    for w, b in POINTS:
        assert float(logistic.full_loss(w, b)) == pytest.approx(bce(w, b, x, y), rel=1e-12)
        fd = central_diff(lambda w_, b_: bce(w_, b_, x, y), w, b, 1e-5)
        np.testing.assert_allclose(logistic.full_grad(w, b), fd, rtol=1e-6, atol=1e-8)
    # vectorised over a grid of parameters
    grid_w, grid_b = np.meshgrid([-1.0, 0.5, 2.0], [-0.5, 0.25])
    losses = logistic.full_loss(grid_w, grid_b)
    assert losses.shape == grid_w.shape
    for (j, i), value in np.ndenumerate(losses):
        assert value == pytest.approx(bce(grid_w[j, i], grid_b[j, i], x, y), rel=1e-12)


def test_logistic_batch_loss_grad(logistic):
    x, y = logistic.data.x, logistic.data.y
    chunk = BatchSampler(logistic.n_examples, 9, seed=5).next_chunk(12)
    items = logistic.prepare(chunk)
    for i, (w, b) in itertools.product(range(12), POINTS[:3]):
        idx = chunk.batch(i)
        loss, g1, g2 = logistic.loss_grad(w, b, items[i])
        assert float(loss) == pytest.approx(bce(w, b, x[idx], y[idx]), rel=1e-12)
        fd = central_diff(lambda w_, b_: bce(w_, b_, x[idx], y[idx]), w, b, 1e-5)  # noqa: B023
        np.testing.assert_allclose((g1, g2), fd, rtol=1e-6, atol=1e-8)


def test_logistic_optimum_and_hessian(logistic):
    x, y = logistic.data.x, logistic.data.y
    (w0, b0), *_ = logistic.minima()
    fd = central_diff(lambda w_, b_: bce(w_, b_, x, y), w0, b0, 1e-5)
    assert np.hypot(*fd) < 1e-8
    # Hessian of the mean BCE: mean(p (1 - p) [x 1]^T [x 1])
    p = 1 / (1 + np.exp(-(w0 * x + b0)))
    s = p * (1 - p)
    expected = np.array([[np.mean(s * x * x), np.mean(s * x)], [np.mean(s * x), np.mean(s)]])
    np.testing.assert_allclose(logistic.hessian_at_optimum(), expected, rtol=1e-8)


def test_logistic_separable_classes_have_no_optimum():
    data = load_dataset("two-class", n=40, noise=0.1, seed=0, binary=True)
    assert data.x[data.y == 0].max() < data.x[data.y == 1].min()  # separable
    problem = LogisticRegression(data)
    assert problem.minima() == []
    assert problem.hessian_at_optimum() is None


def test_logistic_loss_is_stable_for_large_logits(logistic):
    # log(1 + e^z) - y z must not overflow for |z| ~ 1e3
    loss = logistic.full_loss(1e3, 0.0)
    assert np.isfinite(loss)
    g1, g2 = logistic.full_grad(1e3, 0.0)
    assert np.isfinite(g1) and np.isfinite(g2)


# -- stacked (K runs) evaluation ------------------------------------------------------------------
PARAMS_K3 = np.array([[0.5, -1.0, 2.5], [1.0, 3.0, -2.0]])


def stacked_eval(problem, prepared, params):
    """Batch losses ``(C, K)`` and gradients ``(C, 2, K)`` through the K-run path, at the same
    parameters for every iteration. The batch loss may come from ``loss_grad_stacked`` itself or,
    when that returns None, from ``batch_losses`` after the chunk (as the trainer does)."""
    runs = params.shape[1]
    if "runs" in inspect.signature(problem.stacked_items).parameters:
        items = problem.stacked_items(prepared, runs)
    else:
        items = problem.stacked_items(prepared)
    count = len(items)
    losses, grads = [], np.empty((count, 2, runs))
    for i in range(count):
        loss, grad = problem.loss_grad_stacked(params.copy(), items[i])
        assert grad.shape == (2, runs)
        grads[i] = grad
        losses.append(loss)
    if all(loss is None for loss in losses):
        before = np.broadcast_to(params, (count, 2, runs)).copy()
        return np.asarray(problem.batch_losses(prepared, before, grads)), grads
    return np.array(losses, dtype=float), grads


def problems_for_stacking():
    data = load_dataset("synthetic", n=40, seed=2)
    return [
        LinearRegression(data),
        LogisticRegression(load_dataset("two-class", n=40, noise=2.0, seed=3, binary=True)),
        AnalyticSurface("himmelblau", noise=1.5, n_examples=40),
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["linear", "logistic", "surface"])
def test_loss_grad_stacked_shared_batches(index):
    problem = problems_for_stacking()[index]
    chunk = BatchSampler(40, 6, seed=1, draw_noise=problem.needs_noise).next_chunk(10)
    items = problem.prepare(chunk)
    losses, grads = stacked_eval(problem, items, PARAMS_K3)
    assert losses.shape == (10, 3)
    for i, k in itertools.product(range(10), range(3)):
        ref = problem.loss_grad(float(PARAMS_K3[0, k]), float(PARAMS_K3[1, k]), items[i])
        np.testing.assert_allclose(
            [losses[i, k], grads[i, 0, k], grads[i, 1, k]], np.ravel(ref), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize("index", [0, 1, 2], ids=["linear", "logistic", "surface"])
def test_loss_grad_stacked_per_run_batches(index):
    problem = problems_for_stacking()[index]
    needs = problem.needs_noise
    samplers = [
        BatchSampler(40, 6, seed=1, draw_noise=needs),
        BatchSampler(40, 11, seed=2, draw_noise=needs),
        BatchSampler(40, 3, sampling="replacement", seed=3, draw_noise=needs),
    ]
    per_run = [problem.prepare(s.next_chunk(8)) for s in samplers]
    losses, grads = stacked_eval(problem, problem.stack(per_run), PARAMS_K3)
    assert losses.shape == (8, 3)
    for i, k in itertools.product(range(8), range(3)):
        ref = problem.loss_grad(float(PARAMS_K3[0, k]), float(PARAMS_K3[1, k]), per_run[k][i])
        np.testing.assert_allclose(
            [losses[i, k], grads[i, 0, k], grads[i, 1, k]], np.ravel(ref), rtol=1e-12, atol=1e-12
        )


def test_linear_stacked_against_brute_force_per_run_batches():
    data = load_dataset("synthetic", n=30, seed=7, standardize=False)
    problem = LinearRegression(data)
    samplers = [BatchSampler(30, b, seed=b) for b in (4, 9, 30)]
    chunks = [s.next_chunk(5) for s in samplers]
    prepared = problem.stack([problem.prepare(c) for c in chunks])
    losses, grads = stacked_eval(problem, prepared, PARAMS_K3)
    for i, k in itertools.product(range(5), range(3)):
        idx = chunks[k].batch(i)
        w, b = PARAMS_K3[:, k]
        r = w * data.x[idx] + b - data.y[idx]
        assert losses[i, k] == pytest.approx(np.mean(r * r), rel=1e-11)
        assert grads[i, 0, k] == pytest.approx(2 * np.mean(r * data.x[idx]), rel=1e-11)
        assert grads[i, 1, k] == pytest.approx(2 * np.mean(r), rel=1e-11)


# -- analytic surfaces ----------------------------------------------------------------------------
SURFACE_POINTS = [(0.3, -0.7), (-1.2, 0.8), (1.1, 1.3), (2.0, -1.5)]


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_surface_values_and_gradients(name):
    surface = AnalyticSurface(name)
    f = SURFACE_FORMULAS[name]
    for x, y in SURFACE_POINTS:
        assert float(surface.full_loss(x, y)) == pytest.approx(f(x, y), rel=1e-13, abs=1e-13)
        fd = central_diff(f, x, y, 1e-5)
        np.testing.assert_allclose(surface.full_grad(x, y), fd, rtol=1e-7, atol=1e-6)
        loss, g1, g2 = surface.loss_grad(x, y, (0.0, 0.0))  # no noise
        assert loss == pytest.approx(f(x, y), rel=1e-13, abs=1e-13)
        np.testing.assert_allclose((g1, g2), fd, rtol=1e-7, atol=1e-6)


def test_bowl_condition_number():
    surface = AnalyticSurface("bowl", condition=25.0)
    assert surface.full_loss(1.0, 2.0) == pytest.approx(0.5 * (1 + 25 * 4))
    np.testing.assert_allclose(surface.hessian_at_optimum(), [[1, 0], [0, 25]], atol=1e-6)
    c = curvature(surface)
    assert c.eigenvalues == pytest.approx((1.0, 25.0), rel=1e-6)
    assert c.lr_max_stable == pytest.approx(2 / 25, rel=1e-6)
    assert c.lr_fastest == pytest.approx(2 / 26, rel=1e-6)
    assert c.condition_number == pytest.approx(25.0, rel=1e-6)


@pytest.mark.parametrize("name", [n for n in SURFACE_NAMES if n != "saddle"])
def test_surface_minima_have_zero_gradient(name):
    surface = AnalyticSurface(name)
    f = SURFACE_FORMULAS[name]
    minima = surface.minima()
    assert minima
    for x, y in minima:
        gx, gy = central_diff(f, x, y, 1e-6)
        assert math.hypot(gx, gy) < 1e-4  # minima are given to 6-7 decimals
        # a minimum: no lower value nearby
        assert all(
            f(x, y) <= f(x + dx, y + dy) + 1e-9
            for dx, dy in itertools.product((-1e-3, 0, 1e-3), repeat=2)
        )
    if name == "himmelblau":
        assert all(f(x, y) == pytest.approx(0.0, abs=1e-9) for x, y in minima)
    if name == "six-hump-camel":
        assert all(f(x, y) == pytest.approx(-1.0316284535, abs=1e-8) for x, y in minima)


def test_saddle_has_no_minimum():
    surface = AnalyticSurface("saddle")
    assert surface.minima() == []
    assert surface.hessian_at_optimum() is None
    assert curvature(surface) is None


def test_unknown_surface():
    with pytest.raises(ValueError, match="unknown surface"):
        AnalyticSurface("egg-crate")


# -- gradient noise -------------------------------------------------------------------------------
def test_noise_scale_formula():
    sigma, n = 2.0, 100
    surface = AnalyticSurface("bowl", noise=sigma, n_examples=n)
    sizes = np.array([1, 10, 50, 100])
    shuffle = surface.noise_scale(sizes, with_replacement=False)
    expected = [sigma * math.sqrt((n - b) / (b * (n - 1))) for b in sizes]
    np.testing.assert_allclose(shuffle, expected, rtol=1e-14)
    assert shuffle[0] == pytest.approx(sigma)  # one example: the full per-example spread
    assert shuffle[-1] == 0.0  # full batch under shuffle: the exact gradient
    replacement = surface.noise_scale(sizes, with_replacement=True)
    np.testing.assert_allclose(replacement, sigma / np.sqrt(sizes), rtol=1e-14)
    assert replacement[-1] == pytest.approx(0.2)
    assert np.all(AnalyticSurface("bowl", noise=0.0).noise_scale(sizes, False) == 0.0)


@pytest.mark.parametrize("b", [1, 2, 3, 5, 6])
def test_noise_scale_matches_exact_enumeration(b):
    # A population of N = 6 per-example gradients with (divisor-N) standard deviation sigma:
    # enumerate every batch and compare the spread of batch means with the documented formula.
    values = np.array([0.3, -1.2, 2.0, 0.7, -0.4, 1.6])
    n = values.size
    sigma = float(np.std(values))
    surface = AnalyticSurface("bowl", noise=sigma, n_examples=n)
    distinct = [np.mean(values[list(c)]) for c in itertools.combinations(range(n), b)]
    assert float(surface.noise_scale(np.array([b]), False)[0]) == pytest.approx(
        float(np.std(distinct)), rel=1e-12, abs=1e-15
    )
    if b <= 3:
        draws = [np.mean(values[list(c)]) for c in itertools.product(range(n), repeat=b)]
        assert float(surface.noise_scale(np.array([b]), True)[0]) == pytest.approx(
            float(np.std(draws)), rel=1e-12
        )


def test_surface_prepare_scales_standard_normal_draws():
    sigma, n, b = 3.0, 50, 10
    surface = AnalyticSurface("bowl", noise=sigma, n_examples=n)
    chunk = BatchSampler(n, b, seed=0, draw_noise=True).next_chunk(5)
    items = surface.prepare(chunk)
    scale = sigma * math.sqrt((n - b) / (b * (n - 1)))
    np.testing.assert_allclose(items, chunk.noise * scale, rtol=1e-14)
    loss, g1, g2 = surface.loss_grad(1.0, 2.0, items[0])
    assert loss == pytest.approx(0.5 * (1 + 10 * 4))  # the batch loss has no noise
    assert (g1, g2) == pytest.approx((1.0 + items[0][0], 20.0 + items[0][1]))


# -- loss grid ------------------------------------------------------------------------------------
def test_loss_grid_orientation_and_values(linear, line_data):
    grid = loss_grid(linear, (-1.0, 4.0, -3.0, 5.0), shape=(11, 7))
    assert grid.p1.shape == (11,) and grid.p2.shape == (7,)
    assert grid.loss.shape == (7, 11)  # loss[j, i] is at (p1[i], p2[j])
    np.testing.assert_allclose(grid.p1, np.linspace(-1, 4, 11))
    for j, i in [(0, 0), (6, 10), (2, 9), (5, 1)]:
        expected = float(mse(grid.p1[i], grid.p2[j], line_data.x, line_data.y))
        assert grid.loss[j, i] == pytest.approx(expected, rel=1e-11)


def test_curvature_of_linear_regression(linear, line_data):
    x = line_data.x
    a, m = 2 * np.mean(x * x), 2 * np.mean(x)
    # eigenvalues of [[a, m], [m, 2]]: (a + 2)/2 +- sqrt(((a - 2)/2)^2 + m^2)
    mid, rad = (a + 2) / 2, math.sqrt(((a - 2) / 2) ** 2 + m * m)
    c = curvature(linear)
    assert c.eigenvalues == pytest.approx((mid - rad, mid + rad), rel=1e-9)
    assert c.lr_max_stable == pytest.approx(2 / (mid + rad), rel=1e-12)
    assert c.lr_fastest == pytest.approx(2 / (2 * mid), rel=1e-9)
