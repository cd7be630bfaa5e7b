"""SurfaceView, LossView and DataView with realistic inputs (offscreen Qt)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from gdviz.core.config import RunConfig, build_problem, build_trainer, total_steps
from gdviz.core.contours import contour_segments
from gdviz.core.surface import loss_grid
from gdviz.ui.views import colors
from gdviz.ui.views.data_view import NO_DATA_MESSAGE, DataView
from gdviz.ui.views.loss_view import MAX_BOUNDARIES, LossView
from gdviz.ui.views.surface_view import MARKER_TAIL, PATH_CAP, SurfaceView

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w")


def _run(config: RunConfig, record_examples: bool = False):
    """Problem, trainer and the run's fields (one run, valid rows only)."""
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=record_examples)
    trainer.advance(total_steps(config, problem))
    n = int(trainer.trajectory.ends[0])
    fields = {k: v[:n, 0] for k, v in trainer.trajectory.fields.items()}
    return problem, trainer, fields


def _show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _surface_view(qtbot, config: RunConfig, log_scale=False):
    problem = build_problem(config)
    view = _show(qtbot, SurfaceView())
    start = config.start or problem.default_start
    grid = loss_grid(problem, problem.default_window(start))
    view.set_surface(grid, problem.minima(), problem.param_names, log_scale=log_scale)
    return view, problem, grid


def _screen_angle(view: SurfaceView, origin, tip) -> float:
    """The ArrowItem angle that points from ``origin`` to ``tip`` on screen."""
    a = view.view.mapViewToScene(QPointF(*origin))
    b = view.view.mapViewToScene(QPointF(*tip))
    dx, dy_down = b.x() - a.x(), b.y() - a.y()
    return math.degrees(math.atan2(-dy_down, -dx))  # ArrowItem: 0 = left, clockwise on screen


def _same_angle(a: float, b: float, tol: float = 1.0) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) < tol


# -- SurfaceView -----------------------------------------------------------------------------
def test_surface_view_shows_auto_mpg_run(qtbot):
    config = RunConfig(batch_size=8, lr=0.05, epochs=4)
    view, problem, grid = _surface_view(qtbot, config)
    _, _, f = _run(config)
    view.set_path(f["p1"], f["p2"], f["epoch"].astype(float))
    k = f["p1"].size - 1
    step = (f["p1"][k] - f["p1"][k - 1], f["p2"][k] - f["p2"][k - 1])
    view.set_current((f["p1"][k], f["p2"][k]), (f["g1"][k], f["g2"][k]), step)
    (x0, x1), (y0, y1) = view.view.viewRange()
    assert (x0, x1, y0, y1) == pytest.approx(view.surface_window)
    assert view.image.image.shape == grid.loss.shape
    assert view.contours.getData()[0].size > 100
    assert view.plot.getAxis("bottom").labelText == "weight w"
    assert view.plot.getAxis("left").labelText == "bias b"
    assert view.minima.getData()[0][0] == pytest.approx(problem.minima()[0][0])
    assert view.drawn_point_count() == f["p1"].size
    assert len(view.path_markers.data) == min(MARKER_TAIL, f["p1"].size)
    assert view.gradient_arrow.head.isVisible() and view.step_arrow.head.isVisible()
    view.grab().save("/tmp/view_surface.png")


def test_rosenbrock_log_scale_is_not_flat(qtbot):
    view, _, _ = _surface_view(qtbot, RunConfig(surface="rosenbrock"), log_scale=True)
    low, high = view.colorbar.levels()
    assert math.isfinite(low) and math.isfinite(high) and high - low > 2  # orders of magnitude
    image = view.image.image
    assert np.all(np.isfinite(image))
    # Most of the window must not sit in one colour: the middle 80 % spans a real range.
    q10, q90 = np.quantile(image, [0.1, 0.9])
    assert (q90 - q10) > 0.3 * (high - low)
    assert view.plot.getAxis("bottom").labelText == "x"
    view.grab().save("/tmp/view_surface_rosenbrock.png")


def test_contours_follow_a_circle():
    x = np.linspace(-2, 2, 101)
    y = np.linspace(-2, 2, 81)
    gx, gy = np.meshgrid(x, y)
    xs, ys = contour_segments(x, y, gx**2 + gy**2, [1.0])
    assert xs.size > 50 and xs.size % 2 == 0
    assert np.allclose(np.hypot(xs, ys), 1.0, atol=0.02)


@pytest.mark.parametrize("gradient", [(1.0, 0.0), (0.0, -3.0), (-2.0, 5.0), (40.0, 0.1)])
def test_gradient_arrow_points_along_plus_gradient(qtbot, gradient):
    view, _, _ = _surface_view(qtbot, RunConfig(surface="bowl"))
    point = np.array([0.5, -0.3])
    view.set_current(point, gradient)
    xs, ys = view.gradient_arrow.shaft.getData()
    origin, tip = np.array([xs[0], ys[0]]), np.array([xs[1], ys[1]])
    g = np.asarray(gradient)
    assert origin == pytest.approx(point)
    d = tip - origin
    assert d @ g > 0 and abs(d[0] * g[1] - d[1] * g[0]) < 1e-9 * np.linalg.norm(d) * np.hypot(*g)
    head = view.gradient_arrow.head
    assert (head.pos().x(), head.pos().y()) == pytest.approx(tuple(tip))
    assert _same_angle(head.opts["angle"], _screen_angle(view, origin, tip))
    # Visible: about 12 % of the view width on screen.
    a, b = (view.view.mapViewToScene(QPointF(*p)) for p in (origin, tip))
    length = math.hypot(b.x() - a.x(), b.y() - a.y())
    assert 0.10 * view.view.width() < length < 0.14 * view.view.width()
    assert view.gradient_arrow.label.textItem.toPlainText() == "gradient"


@pytest.mark.parametrize("step", [(-0.4, 0.2), (1e-4, 1e-4), (0.0, -0.8)])
def test_step_arrow_starts_at_previous_point_along_step(qtbot, step):
    view, _, _ = _surface_view(qtbot, RunConfig(surface="bowl"))
    point, step = np.array([0.5, -0.3]), np.asarray(step)
    view.set_current(point, gradient=None, step=step)
    assert not view.gradient_arrow.head.isVisible()
    xs, ys = view.step_arrow.shaft.getData()
    origin, tip = np.array([xs[0], ys[0]]), np.array([xs[1], ys[1]])
    assert origin == pytest.approx(point - step)
    d = tip - origin
    assert d @ step > 0 and abs(d[0] * step[1] - d[1] * step[0]) < 1e-9
    assert np.linalg.norm(d) >= np.linalg.norm(step) * (1 - 1e-12)  # enlarged, never shrunk
    assert _same_angle(view.step_arrow.head.opts["angle"], _screen_angle(view, origin, tip))
    assert view.step_arrow.label.textItem.toPlainText().startswith("step")


def test_diverged_path_keeps_the_view_on_the_surface(qtbot):
    config = RunConfig(lr=1.2, steps=300)
    view, _, _ = _surface_view(qtbot, config)
    _, _, f = _run(config)
    p1 = np.concatenate([f["p1"], [1e300, np.inf, -np.inf, np.nan, -1e300]])
    p2 = np.concatenate([f["p2"], [-1e300, np.nan, np.inf, 3.0, 1e300]])
    view.set_path(p1, p2)
    view.set_current((p1[-1], p2[-1]), (1e300, np.inf), (np.inf, 1e300))
    qtbot.wait(10)
    (x0, x1), (y0, y1) = view.view.viewRange()
    assert (x0, x1, y0, y1) == pytest.approx(view.surface_window)
    xs, ys = view.path_line.getData()
    assert np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))
    w0, w1, v0, v1 = view.surface_window
    assert np.all(np.abs(xs) <= max(abs(w0), abs(w1)) + 11 * (w1 - w0))
    assert np.all(np.abs(ys) <= max(abs(v0), abs(v1)) + 11 * (v1 - v0))
    view.fit_path()  # framing a diverged path stays finite and bounded
    (x0, x1), (y0, y1) = view.view.viewRange()
    assert all(math.isfinite(v) and abs(v) < 1e6 for v in (x0, x1, y0, y1))
    view.reset_view()
    assert view.view.viewRange()[0] == pytest.approx(view.surface_window[:2])
    view.grab().save("/tmp/view_surface_diverged.png")


def test_long_path_is_strided_and_ends_at_the_last_point(qtbot):
    view, _, _ = _surface_view(qtbot, RunConfig(surface="rosenbrock"))
    t = np.linspace(0, 30, 200_003)
    p1, p2 = np.cos(t) * np.exp(-t / 30), 1 + np.sin(t) * np.exp(-t / 30)
    view.set_path(p1, p2, color_values=t)
    xs, ys = view.path_line.getData()
    assert 0 < view.drawn_point_count() <= PATH_CAP + 1
    assert (xs[-1], ys[-1]) == (p1[-1], p2[-1])
    assert len(view.path_markers.data) == MARKER_TAIL


def test_click_emits_point_picked_in_parameter_coordinates(qtbot):
    view, _, _ = _surface_view(qtbot, RunConfig())
    x0, x1, y0, y1 = view.surface_window
    target = (x0 + 0.3 * (x1 - x0), y0 + 0.7 * (y1 - y0))
    scene_pos = view.view.mapViewToScene(QPointF(*target))
    widget_pos = view.plot_widget.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.pointPicked, timeout=2000) as blocker:
        qtbot.mouseClick(view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    px, py = blocker.args
    assert px == pytest.approx(target[0], abs=0.01 * (x1 - x0))
    assert py == pytest.approx(target[1], abs=0.01 * (y1 - y0))


def test_saddle_and_himmelblau_minima_and_start_drag(qtbot):
    view, _, _ = _surface_view(qtbot, RunConfig(surface="saddle"))
    assert view.minima.getData()[0].size == 0
    view, _, _ = _surface_view(qtbot, RunConfig(surface="himmelblau"))
    sizes = [p.size() for p in view.minima.points()]
    assert len(sizes) == 4 and sizes[0] > max(sizes[1:])  # the global minimum stands out
    view.set_path([0.0, 0.5, np.nan], [0.0, 0.2, np.nan], color_values=[np.nan] * 3)
    view.set_start((1.0, -2.0))
    assert view.start_marker.isVisible()
    with qtbot.waitSignal(view.pointPicked, timeout=1000) as blocker:
        view.start_marker.setPos(2.0, -1.5)
        view.start_marker.sigPositionChangeFinished.emit(view.start_marker)
    assert blocker.args == [2.0, -1.5]


# -- LossView --------------------------------------------------------------------------------
def test_loss_view_curves_log_toggle_boundaries_markers(qtbot):
    view = _show(qtbot, LossView())
    _, _, f = _run(RunConfig(batch_size=8, lr=0.05, epochs=20))
    x = np.arange(f["loss"].size, dtype=float)
    view.set_data(x, f["batch_loss"], f["loss"])
    view.set_x_label("iteration")
    assert view.loss_curve.getOriginalDataset()[1].size == x.size
    assert not view.is_log_y()
    view.set_log_y(True)
    assert view.is_log_y()
    view.set_log_y(False)
    assert not view.is_log_y()
    boundaries = np.nonzero(np.diff(f["epoch"]))[0] + 1.0
    view.set_epoch_boundaries(boundaries)
    assert view.boundary_count() == boundaries.size
    xs, _ = view.boundaries.getData()
    assert np.array_equal(xs[::2], boundaries) and np.array_equal(xs[1::2], boundaries)
    view.set_epoch_boundaries(np.arange(0, 10_000, 7.0))
    assert 0 < view.boundary_count() <= MAX_BOUNDARIES
    view.add_marker(x.size / 3, "lr 0.05→0.5")
    view.add_marker(x.size / 2, "batch 8→64")
    assert view.marker_count() == 2
    view.set_epoch_boundaries(boundaries)
    view.grab().save("/tmp/view_loss.png")
    view.clear_markers()
    assert view.marker_count() == 0
    view.clear()
    assert view.loss_curve.getOriginalDataset()[0] is None or view.loss_curve.xData.size == 0


def test_loss_view_divergence_keeps_autorange_finite(qtbot):
    view = _show(qtbot, LossView())
    _, _, f = _run(RunConfig(lr=1.2, steps=300))
    loss = np.concatenate([f["loss"], [1e300, np.inf, np.nan]])
    batch = np.concatenate([f["batch_loss"], [np.inf, -np.inf, 1e308]])
    view.set_log_y(True)  # the application switches it on when a run diverges
    view.set_data(np.arange(loss.size), batch, loss)
    qtbot.wait(20)
    assert view.is_log_y()
    (x0, x1), (y0, y1) = view.plot.getViewBox().viewRange()
    assert all(math.isfinite(v) for v in (x0, x1, y0, y1))
    assert y1 < 40  # log10 units: nothing beyond the 1e30 cap
    view.grab().save("/tmp/view_loss_diverged.png")
    view.set_log_y(False)  # the user's choice (Y) wins
    view.set_data(np.arange(loss.size), batch, loss)
    assert not view.is_log_y()
    (_, _), (y0, y1) = view.plot.getViewBox().viewRange()
    assert math.isfinite(y0) and math.isfinite(y1)


def test_loss_view_downsamples_long_runs(qtbot):
    view = _show(qtbot, LossView())
    n = 200_000
    rng = np.random.default_rng(0)
    loss = 10 * np.exp(-np.arange(n) / 5e4) + 1
    view.set_data(np.arange(n), loss + rng.exponential(size=n), loss)
    qtbot.wait(50)
    view.grab()
    for curve in (view.batch_curve, view.loss_curve):
        drawn = curve.curve.getData()[0].size
        assert 0 < drawn < 20_000
    view.grab().save("/tmp/view_loss_long.png")


# -- DataView --------------------------------------------------------------------------------
def test_data_view_line_batch_and_message(qtbot):
    view = _show(qtbot, DataView())
    problem, _, f = _run(RunConfig(batch_size=16, lr=0.05, epochs=3))
    d = problem.data
    view.set_data(d.raw_x, d.y, d.x_label, d.y_label)
    w, b = f["p1"][-1], f["p2"][-1]
    view.set_model(w, b, d.x_shift, d.x_scale)
    xs, ys = view.model_line.getData()
    assert xs.size >= 2
    assert ys == pytest.approx(w * (xs - d.x_shift) / d.x_scale + b)
    assert xs.min() <= d.raw_x.min() and xs.max() >= d.raw_x.max()
    view.set_batch(np.arange(10, 26))
    bx, by = view.batch.getData()
    assert bx == pytest.approx(d.raw_x[10:26]) and by == pytest.approx(d.y[10:26])
    view.grab().save("/tmp/view_data.png")
    view.set_batch(np.array([], dtype=int))
    assert view.batch.getData()[0].size == 0
    view.set_model(np.nan, b)
    assert view.model_line.getData()[0].size == 0
    view.set_model(1e300, 1e300, d.x_shift, d.x_scale)  # a diverged model: clipped, still exact
    xs, ys = view.model_line.getData()
    assert np.all(np.isfinite(ys))
    view.set_visible_message(NO_DATA_MESSAGE)
    assert view.message_visible() and view.message.text() == NO_DATA_MESSAGE
    view.grab().save("/tmp/view_data_message.png")
    view.set_visible_message(None)
    assert not view.message_visible()


def test_data_view_greys_the_epochs_used_examples_and_rings_a_repeat(qtbot):
    """Counts of a known epoch: 3 examples used, one (7) twice, which the current batch picks
    again; the used are drawn grey at their own coordinates, the repeat is ringed."""
    view = _show(qtbot, DataView())
    x, y = np.arange(10.0), 2 * np.arange(10.0) + 1
    view.set_data(x, y, "x", "y")
    counts = np.zeros(10, np.int32)
    counts[[2, 5, 7]] = (1, 1, 2)
    view.set_batch(np.array([7]))
    view.set_tally((3, counts), replacement=True)
    ux, uy = view.used.getData()
    assert sorted(ux.tolist()) == [2.0, 5.0, 7.0] and sorted(uy.tolist()) == [5.0, 11.0, 15.0]
    assert view.repeats.getData()[0].tolist() == [7.0]
    assert view.tally_text() == "3 of 10 examples seen in epoch 3, 1 of them more than once"
    assert view.plot_widget.toolTip() == view.tally_text()
    assert "used this epoch" in view.key.text()
    assert "repeat" in view.key.text()
    view.set_batch(np.array([2]))  # a first pick: no ring
    counts[2] = 1
    view.set_tally((3, counts), replacement=True)
    assert view.repeats.getData()[0].size == 0
    view.set_tally((3, np.ones(4, np.int32)))  # counts of other data: none shown
    assert view.used.getData()[0].size == 0 and view.tally_text() == ""
    assert "used" not in view.key.text()
    view.set_tally((1, np.ones(10, np.int32)))  # shuffle, the epoch's end: all grey, no ring
    assert view.used.getData()[0].size == 10 and "repeat" not in view.key.text()
    view.set_tally(None)
    view.set_batch(np.arange(10), full=True)  # full batch: nothing highlighted, no "batch"
    assert view.batch.getData()[0].size == 0 and "batch" not in view.key.text()
    view.set_batch(np.array([3]))
    assert view.batch.getData()[0].tolist() == [3.0] and "batch" in view.key.text()


def test_a_model_line_off_the_view_leaves_a_mark_at_that_edge(qtbot):
    view = _show(qtbot, DataView())
    x = np.arange(10.0)
    view.set_data(x, 2 * x + 1, "x", "y")
    view.set_model(2.0, 1.0)
    assert view.off_view_side() is None and not view.off_view.isVisible()
    view.set_model(0.0, 1e6)  # far above every example
    assert view.off_view_side() == "above" and view.off_view.isVisible()
    assert "above" in view.off_view.textItem.toPlainText()
    (_, _), (_, top) = view.plot.getViewBox().viewRange()
    assert view.off_view.pos().y() == pytest.approx(top)
    view.set_model(-5.0, -1e6)
    assert view.off_view_side() == "below" and "below" in view.off_view.textItem.toPlainText()
    view.plot.getViewBox().setYRange(-2e6, 0)  # the user pans to it: the mark goes
    assert view.off_view_side() is None and not view.off_view.isVisible()
    view.set_model(np.nan, 0.0)
    assert not view.off_view.isVisible()


def test_data_view_logistic_sigmoid(qtbot):
    view = _show(qtbot, DataView())
    problem, _, f = _run(RunConfig(model="logistic", batch_size=16, lr=0.5, epochs=10))
    d = problem.data
    view.set_data(d.raw_x, d.y, d.x_label, d.y_label, logistic=True)
    w, b = f["p1"][-1], f["p2"][-1]
    view.set_model(w, b, d.x_shift, d.x_scale, logistic=True)
    xs, ys = view.model_line.getData()
    z = w * (xs - d.x_shift) / d.x_scale + b
    assert ys == pytest.approx(1 / (1 + np.exp(-z)))
    view.grab().save("/tmp/view_data_logistic.png")


def test_stride_indices_keep_the_last_point():
    idx = colors.stride_indices(200_001, 5000)
    assert idx[0] == 0 and idx[-1] == 200_000 and idx.size <= 5001
    assert colors.stride_indices(10, 5000).tolist() == list(range(10))
