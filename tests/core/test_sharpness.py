"""The sharpness (largest Hessian eigenvalue) against independent computations: each surface's
closed-form Hessian against central differences of its gradient, the 2x2 eigenvalue formula
against numpy.linalg.eigvalsh, linear regression's against its data, and the edge of stability
on ``scalar-net``: plain gradient descent, written out here in numpy, settles only where the
sharpness is at most 2/lr, and gdviz's runs end where it does."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.core.config import RunConfig, build_problem, build_trainer, total_steps
from gdviz.core.report import run_summary, write_trajectory_csv
from gdviz.core.surfaces import SURFACE_NAMES, AnalyticSurface, top_eigenvalue

coordinate = st.floats(-3, 3, allow_nan=False)


@pytest.mark.parametrize("name", SURFACE_NAMES)
@settings(max_examples=25, deadline=None)
@given(x=coordinate, y=coordinate)
def test_each_hessian_is_the_derivative_of_its_gradient(name, x, y):
    spec = AnalyticSurface(name).spec
    h = 1e-6
    column_x = (np.array(spec.grad(x + h, y)) - np.array(spec.grad(x - h, y))) / (2 * h)
    column_y = (np.array(spec.grad(x, y + h)) - np.array(spec.grad(x, y - h))) / (2 * h)
    a, b, c = spec.hessian(x, y)
    scale = 1.0 + np.abs([a, b, c]).max()
    np.testing.assert_allclose([a, b], column_x, atol=1e-5 * scale)
    np.testing.assert_allclose([b, c], column_y, atol=1e-5 * scale)


@settings(max_examples=50, deadline=None)
@given(a=st.floats(-1e3, 1e3), b=st.floats(-1e3, 1e3), c=st.floats(-1e3, 1e3))
def test_the_top_eigenvalue_formula_is_numpys(a, b, c):
    expected = np.linalg.eigvalsh(np.array([[a, b], [b, c]]))[-1]
    assert top_eigenvalue(a, b, c) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_the_scalar_net_is_one_half_of_one_minus_xy_squared():
    surface = AnalyticSurface("scalar-net")
    x, y = np.meshgrid(np.linspace(-2, 3, 7), np.linspace(-1, 2, 5))
    np.testing.assert_allclose(surface.full_loss(x, y), 0.5 * (1 - x * y) ** 2)
    # On the valley xy = 1 the sharpness is x^2 + y^2 (the eigenvalues are 0 and x^2 + y^2).
    xs = np.array([0.5, 1.0, 2.0, 3.0143])
    np.testing.assert_allclose(surface.sharpness(xs, 1 / xs), xs**2 + 1 / xs**2)
    assert curvature_of(surface) == pytest.approx((0.0, 2.0), abs=1e-12)


def curvature_of(surface):
    return tuple(np.linalg.eigvalsh(surface.hessian_at_optimum()))


def test_linear_regressions_sharpness_is_its_constant_top_eigenvalue():
    problem = build_problem(RunConfig(dataset="auto-mpg", standardize=False))
    x = problem.data.x
    expected = np.linalg.eigvalsh(2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1]]))
    np.testing.assert_allclose(problem.sharpness(np.zeros(3), np.ones(3)), [expected[-1]] * 3)


def plain_descent(lr: float, start=(3.0, 0.1), steps: int = 3000):
    """Full-batch gradient descent on L = (1 - xy)^2 / 2, independently of gdviz (numpy
    floats: a blow-up gives inf and NaN, not an OverflowError)."""
    x, y = np.float64(start[0]), np.float64(start[1])
    losses = []
    for _ in range(steps):
        r = 1.0 - x * y
        x, y = x + lr * r * y, y + lr * r * x
        losses.append(0.5 * (1.0 - x * y) ** 2)
    return x, y, np.array(losses)


@pytest.mark.parametrize(("lr", "settles_at"), [(0.05, 9.19), (0.3, 2.71)])
def test_the_issues_two_runs_settle_where_it_says(lr, settles_at):
    config = RunConfig(surface="scalar-net", lr=lr, steps=3000)
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(total_steps(config, trainer.problem))
    trainer.finish()
    summary = run_summary(trainer)
    x, y, losses = plain_descent(lr)
    assert summary["final"]["x"] == pytest.approx(x, rel=1e-9)
    assert summary["final_sharpness"] == pytest.approx(x * x + y * y, rel=1e-9)
    assert summary["final_sharpness"] == pytest.approx(settles_at, abs=0.005)
    assert summary["final_sharpness"] <= 2 / lr
    if lr == 0.3:  # the catapult: the loss spikes far above its start before settling
        assert losses.max() > 5 * 0.5 * (1 - 0.3) ** 2


@pytest.mark.parametrize("lr", [0.02, 0.1, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.8])
def test_converged_runs_end_no_sharper_than_two_over_lr(lr):
    """gdviz's run ends where plain numpy descent does; where that converged, its sharpness
    is at most 2/lr; where it blew up (0.45 and above: no minimum near is flat enough), so
    did gdviz's run."""
    config = RunConfig(surface="scalar-net", lr=lr, steps=4000)
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(4000)
    trainer.finish()
    summary = run_summary(trainer)
    with np.errstate(all="ignore"):
        x, y, losses = plain_descent(lr, steps=4000)
    if not np.isfinite(losses[-1]):
        assert summary["status"] == "diverged" and lr >= 0.45
        return
    assert summary["final"]["x"] == pytest.approx(x, rel=1e-9)
    assert summary["final"]["y"] == pytest.approx(y, rel=1e-9)
    assert summary["final_loss"] < 1e-12  # it did converge to the valley
    assert summary["final_sharpness"] == pytest.approx(x * x + y * y, rel=1e-9)
    assert summary["final_sharpness"] <= 2 / lr


def test_the_csv_has_a_sharpness_column_where_the_problem_has_one():
    config = RunConfig(surface="scalar-net", lr=0.3, steps=5)
    trainer = build_trainer(config, build_problem(config))
    out = io.StringIO()
    write_trajectory_csv(out, trainer)
    header, *rows = out.getvalue().splitlines()
    assert header.split(",")[-1] == "sharpness"
    first = rows[0].split(",")
    assert float(first[-1]) == pytest.approx(top_eigenvalue(0.01, 2 * 0.3 - 1, 9.0))
    logistic = RunConfig(dataset="auto-mpg", model="logistic", steps=3)
    trainer = build_trainer(logistic, build_problem(logistic))
    out = io.StringIO()
    write_trajectory_csv(out, trainer)
    assert "sharpness" not in out.getvalue().splitlines()[0]
