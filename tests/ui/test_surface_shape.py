"""The surface shows its true shape: equal axes where both parameters share a scale (a
standardised bowl is round, as lesson 12 says), a toggle otherwise; and however the view is
framed (equal axes, a pan, a zoom, Fit path), the computed surface fills it, never a blank margin.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_problem


def _units_per_pixel(view) -> tuple[float, float]:
    (x0, x1), (y0, y1) = view.view.viewRange()
    return (x1 - x0) / view.view.width(), (y1 - y0) / view.view.height()


def _covered(view) -> bool:
    (x0, x1), (y0, y1) = view.view.viewRange()
    w0, w1, v0, v1 = view.surface_window
    tx, ty = 1e-9 * (x1 - x0), 1e-9 * (y1 - y0)  # rounding in the view's range
    return w0 <= x0 + tx and x1 - tx <= w1 and v0 <= y0 + ty and y1 - ty <= v1


@pytest.mark.parametrize(
    ("config", "equal"),
    [
        (RunConfig(dataset="synthetic", n_examples=100), True),  # standardised x: w, b in y
        (RunConfig(dataset="synthetic", n_examples=100, standardize=False), False),
        (RunConfig(surface="bowl", epochs=None, steps=10), True),
        (RunConfig(dataset="two-class", model="logistic", n_examples=200), True),
    ],
)
def test_which_problems_share_a_scale(config, equal):
    assert build_problem(config).equal_scales is equal


def test_a_standardised_bowl_is_drawn_round_and_filled(qtbot, window):
    view = window.surface_view
    # H = 2 [[mean x², mean x], [mean x, 1]] = 2 I for standardised x: circles in (w, b).
    problem = window.engine.info.problem
    assert problem.mean_x == pytest.approx(0, abs=1e-12)
    assert problem.mean_xx == pytest.approx(1, rel=1e-12)
    assert view.equal_axes and window.equal_axes_action.isChecked()
    qtbot.waitUntil(lambda: _covered(view), timeout=5_000)
    ux, uy = _units_per_pixel(view)
    assert ux == pytest.approx(uy, rel=0.01)
    # The optimum and the start are both framed.
    (x0, x1), (y0, y1) = view.view.viewRange()
    for w, b in (problem.optimum, window.state.config.start or problem.default_start):
        assert x0 < w < x1 and y0 < b < y1


def test_raw_features_stretch_each_axis_and_the_toggle_overrides(qtbot, window):
    window.commands.change_config(window.state.config.replace(standardize=False))
    window.commands.restart()
    view = window.surface_view
    assert not view.equal_axes and not window.equal_axes_action.isChecked()
    window.equal_axes_action.trigger()  # the user's choice, kept in the state
    assert window.state.equal_axes is True and view.equal_axes
    window.equal_axes_action.trigger()
    assert window.state.equal_axes is False and not view.equal_axes
    window.commands.change_config(window.state.config.replace(standardize=True))
    window.commands.restart()
    assert not view.equal_axes  # the choice holds for the next problem


def test_panning_beyond_the_surface_extends_it(qtbot, window):
    view = window.surface_view
    qtbot.waitUntil(lambda: _covered(view), timeout=5_000)
    x0, x1 = view.view.viewRange()[0]
    width = x1 - x0
    view.view.setRange(xRange=(x0 + 3 * width, x1 + 3 * width), padding=0)  # far to the right
    assert not _covered(view)
    qtbot.waitUntil(lambda: _covered(view), timeout=5_000)
    # The new grid is the loss there: checked against the problem at its corners.
    problem = window.engine.info.problem
    grid_x = view.image.mapRectToParent(view.image.boundingRect())
    assert grid_x.left() <= x0 + 3 * width and x1 + 3 * width <= grid_x.right()
    w0, w1, v0, v1 = view.surface_window
    lows = problem.full_loss(np.array([w0, w1]), np.array([v0, v1]))
    assert np.all(np.isfinite(lows))


def test_fit_path_of_a_diverged_run_leaves_no_blank(qtbot, window):
    config = window.state.config.replace(lr=1.5, batch_size=None, epochs=None, steps=40)
    window.commands.change_config(config)
    window.commands.restart()
    window.state.speed = 0
    window.commands.play()
    qtbot.waitUntil(lambda: not window.engine.can_run, timeout=10_000)
    window.frames.draw()
    window.surface_view.fit_path()
    qtbot.waitUntil(lambda: _covered(window.surface_view), timeout=5_000)
    # Again and again: the frame stays put (the path is clipped to a box around the home
    # window, not around a surface that every extension widens tenfold).
    view = window.surface_view
    ranges = []
    for _ in range(3):
        view.fit_path()
        qtbot.waitUntil(lambda: _covered(view), timeout=5_000)
        window.frames.mark_dirty()
        window.frames.draw()
        ranges.append(np.array(view.view.viewRange()))
    assert np.allclose(ranges[1], ranges[2], rtol=1e-6) and np.allclose(ranges[0], ranges[2])


def test_the_step_arrow_at_its_true_length(qtbot, window):
    """G: the step drawn as long as it is (lr times the gradient): lessons 1 and 2 differ by
    100x, which the enlarged arrow ("step x4.4e4" and "step x268") hid."""
    view = window.surface_view
    window.engine.run_synchronously(400)  # near the minimum: tiny steps, drawn enlarged
    window.frames.draw()
    recording = window.engine.recording
    n = len(recording)
    p1, p2 = recording.column("p1"), recording.column("p2")
    step = np.array([p1[n - 1] - p1[n - 2], p2[n - 1] - p2[n - 2]])
    gradient = np.array([recording.column("g1")[n - 1], recording.column("g2")[n - 1]])
    assert np.allclose(step, -window.state.config.lr * gradient)  # plain SGD: -lr * gradient
    assert "×" in view.step_arrow.label.toPlainText()  # enlarged to be seen
    window.true_step_action.trigger()
    assert window.state.true_step and view.step_arrow.label.toPlainText() == "step (true length)"
    xs, ys = view.step_arrow.shaft.getData()
    assert np.allclose([xs[-1] - xs[0], ys[-1] - ys[0]], step, rtol=1e-6, atol=1e-12)
    window.true_step_action.trigger()
    assert not window.state.true_step and "×" in view.step_arrow.label.toPlainText()


@pytest.mark.parametrize(
    ("home", "stacked"),
    [((-3.0, 3.0, -2.0, 2.0), True),  # lesson 8's wide bowl: above the loss plot
     ((-8.4, 8.4, -16.8, 16.8), False)],  # lesson 9's tall one: beside it
)  # fmt: skip
def test_compared_runs_give_the_surface_the_larger_picture(qtbot, home, stacked):
    from PySide6.QtCore import Qt

    from gdviz.ui.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.resize(990, 750)  # between a lecture's docks at 1920 x 1080
    view.show()
    view.surface.set_equal_axes(True)
    view.surface.set_home(home)
    wanted = Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
    assert view.split.orientation() == wanted
    # The rule: the surface's home window drawn larger (px per unit) than the other way, or
    # nearly as large and stacked (a loss plot is wide by nature).
    span_x, span_y = home[1] - home[0], home[3] - home[2]
    side, above = min(495 / span_x, 750 / span_y), min(990 / span_x, 375 / span_y)
    assert (above >= 0.8 * side) is stacked
