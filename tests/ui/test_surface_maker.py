"""The loss surface never stops the window: a logistic surface (a softplus per example, or per
bin of x, at 40,000 grid points: seconds) is made on its own thread, coarse first, and the view
says how it was computed; the binned loss is within its proven bound of the exact one."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.core.config import RunConfig, build_problem
from gdviz.core.data import Dataset
from gdviz.core.problems import SURFACE_BINS, LogisticRegression
from gdviz.core.surface import COARSE_SHAPE, GRID_SHAPE, grid_terms, is_quick, loss_grid


def _logistic(n: int, seed: int = 0) -> LogisticRegression:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * rng.uniform(0.5, 2.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x + 0.3)))).astype(float)
    return LogisticRegression(Dataset("test", x, y, x, "x", "y"))


@settings(max_examples=25, deadline=None)
@given(st.integers(SURFACE_BINS + 1, 30_000), st.integers(0, 2**31), st.floats(-8, 8),
       st.floats(-8, 8))  # fmt: skip
def test_binned_surface_is_within_its_bound_of_the_exact_loss(n, seed, w, b):
    problem = _logistic(n, seed)
    exact = float(problem.full_loss(np.array([w]), np.array([b]))[0])
    binned = float(problem.surface_loss(np.array([w]), np.array([b]))[0])
    assert abs(binned - exact) <= problem.surface_error(w) + 1e-12 * max(1.0, abs(exact))
    assert problem.surface_error(w) <= 1e-3 * max(w * w, 1e-12)  # and the bound is small


def test_small_data_sets_are_exact_and_big_ones_cost_the_same():
    small = _logistic(SURFACE_BINS)
    w, b = np.linspace(-3, 3, 7), np.linspace(-2, 2, 7)
    assert np.array_equal(small.surface_loss(w, b), small.full_loss(w, b))
    assert small.surface_note() == "" and small.surface_error(3.0) == 0.0
    big = _logistic(200_000)
    assert (
        grid_terms(big)
        == grid_terms(_logistic(20_000))
        == GRID_SHAPE[0] * GRID_SHAPE[1] * SURFACE_BINS
    )
    assert "200,000 examples in 2,048 bins" in big.surface_note()
    linear = build_problem(RunConfig(n_examples=1_000_000))
    assert is_quick(linear) and not is_quick(big)  # the closed form: 1 term per point


def _spy(problem, threads: list) -> None:
    real = problem.surface_loss

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    problem.surface_loss = spy


def test_a_logistic_surface_is_made_off_the_gui_thread_coarse_first(qtbot):
    """Reproduction: every reset computed the logistic grid on the GUI thread (0.9 s at
    N = 1,000, 278 s at N = 224,081)."""
    from gdviz.ui.surface_maker import SurfaceMaker

    maker = SurfaceMaker()
    problem, threads, made = _logistic(5_000), [], []
    _spy(problem, threads)
    maker.made.connect(lambda p, grid, final: made.append((p, grid, final)))
    window = problem.default_window()
    maker.request(problem, window)
    assert maker.computing and not made  # returned at once
    qtbot.waitUntil(lambda: len(made) == 2, timeout=30_000)
    assert threads and not any(threads)  # never on the GUI (main) thread
    (_, coarse, first_final), (_, grid, final) = made
    assert coarse.loss.shape == COARSE_SHAPE[::-1] and not first_final
    assert final and not maker.computing
    expected = loss_grid(problem, window)
    np.testing.assert_allclose(grid.loss, expected.loss, rtol=1e-12)
    maker.request(problem, window)  # the same surface again (the log scale toggled): at once
    assert len(made) == 3 and made[-1][1] is grid
    maker.shutdown()


def test_a_newer_request_supersedes_one_under_way(qtbot):
    from gdviz.ui.surface_maker import SurfaceMaker

    maker = SurfaceMaker()
    old, new, made = _logistic(30_000, 1), _logistic(3_000, 2), []
    maker.made.connect(lambda p, grid, final: made.append(p))
    maker.request(old, old.default_window())
    maker.request(new, new.default_window())
    qtbot.waitUntil(lambda: not maker.computing, timeout=30_000)
    assert made and all(p is new for p in made)
    maker.shutdown()


def test_the_window_draws_a_logistic_surface_and_says_how(qtbot, window):
    config = RunConfig(dataset="two-class", model="logistic", n_examples=5_000, batch_size=10)
    window.commands.change_config(config)
    window.commands.restart()
    view = window.surface_view
    assert window.surfaces.maker.computing and view.note.isVisible()
    qtbot.waitUntil(lambda: not window.surfaces.maker.computing, timeout=30_000)
    assert view.image.image.shape == GRID_SHAPE[::-1]
    assert view.note.isVisible() and "5,000 examples in 2,048 bins" in view.note.text
    window.commands.change_config(config.replace(model="linear"))
    window.commands.restart()
    assert not window.surfaces.maker.computing and not view.note.isVisible()


@pytest.mark.parametrize("n", [100, 1_000])
def test_quick_surfaces_are_drawn_at_once(qtbot, window, n):
    window.commands.change_config(window.state.config.replace(n_examples=n))
    window.commands.restart()
    assert not window.surfaces.maker.computing
    assert window.surface_view.image.image.shape == GRID_SHAPE[::-1]
