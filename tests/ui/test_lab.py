"""The experiment lab in the window: the range test and the batch scaling compute off the GUI
thread and show the core's numbers, a click runs what it points at, the sharpness view draws
Problem.sharpness along the run against 2/eta, and the docks follow the state's views."""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF

from gdviz.core.batch_scaling import batch_scaling
from gdviz.core.config import RunConfig, build_problem
from gdviz.core.lr_range import range_test

TIMEOUT_MS = 20_000


@pytest.fixture
def range_panel(make_panel):
    from gdviz.ui.range_test_panel import RangeTestPanel

    return make_panel(RangeTestPanel, (1000, 420))


@pytest.fixture
def scaling_panel(make_panel):
    from gdviz.ui.batch_scaling_panel import BatchScalingPanel

    return make_panel(BatchScalingPanel, (1200, 420))


def lines(plot):
    return sorted(item.value() for item in plot.items if isinstance(item, pg.InfiniteLine))


def test_the_range_test_panel_shows_the_cores_numbers_and_limits(range_panel, qtbot):
    config = RunConfig(dataset="auto-mpg", batch_size=None, epochs=None, steps=50)
    range_panel.lr_min.setValue(1e-4)
    range_panel.lr_max.setValue(100.0)
    range_panel.iterations.setValue(200)
    with qtbot.waitSignal(range_panel.finished, timeout=TIMEOUT_MS) as blocker:
        range_panel.set_config(config)
    result = blocker.args[0]
    expected = range_test(config.replace(steps=200), 1e-4, 100.0)
    np.testing.assert_array_equal(result.smoothed_loss, expected.smoothed_loss)
    assert result.steepest_lr == expected.steepest_lr and result.lr_limit == pytest.approx(1.0)
    marked = [expected.steepest_lr, expected.diverged_at_lr, expected.lr_limit,
              expected.lr_fastest]  # fmt: skip
    assert lines(range_panel.plot) == pytest.approx(sorted(math.log10(v) for v in marked))
    text = range_panel.status.text()
    assert "2/λmax = 1" in text and "Steepest fall at lr ≈" in text
    # A click at x = log10(0.3) runs 0.3.
    view = range_panel.plot.getViewBox()
    y = sum(view.viewRange()[1]) / 2
    with qtbot.waitSignal(range_panel.learningRatePicked) as picked:
        range_panel.pick_at(view.mapViewToScene(QPointF(math.log10(0.3), y)))
    assert picked.args[0] == pytest.approx(0.3)


def test_the_batch_scaling_panel_is_the_core_run_with_its_controls(scaling_panel, qtbot):
    config = RunConfig(dataset="synthetic", n_examples=64, lr=0.05, batch_size=8)
    scaling_panel.repeats.setValue(2)
    scaling_panel.rule.setCurrentText("linear")
    scaling_panel.max_steps.setValue(2000)
    with qtbot.waitSignal(scaling_panel.finished, timeout=TIMEOUT_MS) as blocker:
        scaling_panel.set_config(config)
    result = blocker.args[0]
    assert scaling_panel.base_batch.value() == 8  # the configuration's batch
    expected = batch_scaling(config, None, None, 2, "linear", 8, 2000)
    assert result.rows == expected.rows and result.noise_scale == expected.noise_scale
    assert [row.batch_size for row in result.rows] == [1, 2, 4, 8, 16, 32, 64]
    assert [row.lr for row in result.rows] == pytest.approx([0.05 * b / 8 for b in
                                                             (1, 2, 4, 8, 16, 32, 64)])  # fmt: skip
    assert scaling_panel.target.value() == pytest.approx(result.target, rel=1e-3)
    marks = [v for v in (result.noise_scale, result.critical_batch_estimate) if v]
    for plot in scaling_panel.plots.values():
        assert lines(plot) == pytest.approx(sorted(math.log10(v) for v in marks))
    assert "perfect scaling" in scaling_panel.legend.text()
    # A click on the steps chart at B = 16 runs batch 16 at its rate.
    view = scaling_panel.plots["steps"].getViewBox()
    y = sum(view.viewRange()[1]) / 2
    with qtbot.waitSignal(scaling_panel.batchSizePicked) as picked:
        scaling_panel.pick_at(view.mapViewToScene(QPointF(math.log10(16), y)))
    assert picked.args == [16, pytest.approx(0.1)]


def test_a_replaced_configuration_drops_the_first_answer(scaling_panel, qtbot):
    scaling_panel.set_config(RunConfig(dataset="auto-mpg", lr=0.1))
    scaling_panel.compute()
    second = RunConfig(dataset="synthetic", n_examples=32, lr=0.1)
    with qtbot.waitSignal(scaling_panel.finished, timeout=TIMEOUT_MS) as blocker:
        scaling_panel.set_config(second)
    assert blocker.args[0].n_examples == 32 and not scaling_panel.busy


def test_the_sharpness_dock_draws_lambda_max_against_two_over_eta(qtbot, window):
    config = RunConfig(surface="scalar-net", lr=0.3, steps=60)
    window.commands.start({"config": config})
    window.state.views = ("surface", "loss", "sharpness")
    qtbot.waitUntil(lambda: window.lab.docks["sharpness"].isVisible(), timeout=3000)
    window.engine.step(60)
    qtbot.waitUntil(lambda: int(window.engine.recording.last("step", 0)) == 60, timeout=5000)
    window.frames.draw()
    view = window.lab.panels["sharpness"]
    steps, values = view.curves[0].getData()
    recording = window.engine.recording
    x, y = recording.column("p1"), recording.column("p2")
    np.testing.assert_array_equal(steps, recording.column("step"))  # every row: 61 < POINTS
    a, b, cc = y * y, 2 * x * y - 1, x * x  # the Hessian of (1 - xy)^2 / 2, by hand
    top = (a + cc) / 2 + np.sqrt(((a - cc) / 2) ** 2 + b * b)
    np.testing.assert_allclose(values, top, rtol=1e-12)
    _, limit = view.limits[0].getData()
    assert limit == pytest.approx(np.full(limit.shape, 2 / 0.3))
    assert "λmax 2.71" in view.key.text() and "2/η = 6.67" in view.key.text()


def test_the_docks_follow_the_views_and_their_keys(qtbot, window):
    window.state.views = ("surface", "loss", "range_test")
    qtbot.waitUntil(lambda: window.lab.docks["range_test"].isVisible(), timeout=3000)
    panel = window.lab.panels["range_test"]
    assert panel.config == window.state.config  # it follows the configuration shown
    qtbot.waitUntil(lambda: not panel.busy and panel.result is not None, timeout=TIMEOUT_MS)
    window.lab.docks["range_test"].toggleViewAction().trigger()  # Shift+S
    assert "range_test" not in window.state.views
    window.lab.docks["batch_scaling"].toggleViewAction().trigger()  # Shift+B
    assert window.state.views[-1] == "batch_scaling"
    scaling = window.lab.panels["batch_scaling"]
    qtbot.waitUntil(lambda: not scaling.busy and scaling.result is not None, timeout=TIMEOUT_MS)
    keys = {a.shortcut().toString() for a in window.findChildren(type(window.lecture_action))}
    assert {"Shift+S", "Shift+B", "Shift+H"} <= keys


def test_a_picked_batch_size_runs_at_its_rate(qtbot, window):
    window.lab.run_batch_size(100, 0.2)  # N of the window's data: full batch
    qtbot.waitUntil(lambda: window.state.config.batch_size is None, timeout=3000)
    assert window.state.config.lr == 0.2
    window.lab.run_batch_size(4, 0.01)
    qtbot.waitUntil(lambda: window.state.config.batch_size == 4, timeout=3000)
    assert build_problem(window.state.config).n_examples == 100


def test_logistic_regression_says_why_it_has_no_sharpness(qtbot, window):
    window.commands.start({"config": RunConfig(dataset="auto-mpg", model="logistic", steps=5)})
    window.state.views = ("surface", "loss", "sharpness")
    qtbot.waitUntil(lambda: window.lab.docks["sharpness"].isVisible(), timeout=3000)
    window.frames.draw()
    assert "logistic" in window.lab.panels["sharpness"].note.toPlainText()


# -- the lab's lessons: the card's numbers are the screen's ----------------------------------
def open_lesson(window, lesson_id: str):
    index = next(i for i, lesson in enumerate(window.navigator.lessons) if lesson.id == lesson_id)
    window.commands.open_lesson(index)
    return window.navigator.lessons[index]


def test_the_range_test_lesson_says_what_the_panel_shows(qtbot, window):
    panel = window.lab.panel("range_test")
    panel.lr_max.setValue(0.5)  # left over from before the lesson: the lesson starts afresh
    lesson = open_lesson(window, "learning-rate-range-test")
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy, timeout=TIMEOUT_MS)
    r = panel.result
    assert (panel.lr_min.value(), panel.lr_max.value(), panel.iterations.value()) == (1e-5, 10, 300)
    text = lesson.explanation
    for value in (r.steepest_lr, r.diverged_at_lr):
        assert f"{value:.2g}" in text and f"{value:.2g}" in panel.status.text()
    assert "2/λmax = 1 " in text and f"{r.lr_limit:.3g}" == "1" and r.lr_fastest == 0.5
    assert f"lr = {lesson.config.lr:g} " in text
    assert lesson.config.lr == float(f"{r.steepest_lr:.2g}")  # the main view runs it


def test_the_batch_size_lesson_says_what_the_panel_shows(qtbot, window):
    panel = window.lab.panel("batch_scaling")
    panel.repeats.setValue(1)  # left over from before the lesson
    lesson = open_lesson(window, "batch-size-steps-and-examples")
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy, timeout=TIMEOUT_MS)
    r, text = panel.result, lesson.explanation
    assert r.repeats == 3 and r.base_batch == 10 and r.lr_rule == "none"
    rows = {row.batch_size: row for row in r.rows}
    assert f"training loss {r.target:.4g} " in text
    assert f"fall from {rows[1].steps_to_target:g} at B = 1 to {rows[16].steps_to_target:g}" in text
    assert all(8 <= rows[b].steps_to_target <= 12 for b in (32, 64, 128, 256, 398))  # near 10
    assert f"from {rows[1].epochs_to_target:.2f} epochs" in text
    assert f"{rows[398].epochs_to_target:g} epochs at full batch" in text
    shown = panel.status.text() + panel.legend.text()
    for value in (r.noise_scale, r.noise_scale_at_target, r.critical_batch_estimate):
        assert f"{value:.3g}" in text and f"{value:.3g}" in shown
    assert r.noise_scale < r.critical_batch_estimate < r.noise_scale_at_target  # "between"


def test_the_edge_of_stability_lesson_says_what_the_runs_do(qtbot, window):
    lesson = open_lesson(window, "edge-of-stability")
    window.engine.run_synchronously(60)
    window.frames.draw()
    recording, problem, text = window.engine.recording, window.engine.problem, lesson.explanation
    finals = []
    for run in range(2):
        end = recording.end(run)
        p1, p2 = recording.column("p1", run)[:end], recording.column("p2", run)[:end]
        finals.append(float(problem.sharpness(p1[-1:], p2[-1:])[0]))
        assert recording.column("loss", run)[end - 1] < 1e-10  # both settled in the valley
    slow, fast = finals
    assert f"settles there, at {slow:.3g}" in text and f"sharpness {fast:.3g}, below" in text
    assert fast <= 2 / 0.3 and slow <= 2 / 0.05
    spike = float(np.nanmax(recording.column("loss", 1)[: recording.end(1)]))
    assert f"spikes to {spike:.2g}" in text
    assert "η = 0.05: λmax 9.19" in window.lab.panels["sharpness"].key.text()


def test_the_worked_update_gives_the_noise_scale_at_its_parameters(qtbot, window):
    window.state.views = ("surface", "loss", "data", "worked")
    window.engine.run_synchronously(3)
    window.frames.draw()
    work = window.engine.worked_update(3)
    data = window.engine.problem.data
    w, b = work.params_before
    residual = w * data.x + b - data.y  # each example's gradient 2 r (x, 1), by numpy
    grads = np.column_stack([2 * residual * data.x, 2 * residual])
    mean = grads.mean(axis=0)
    expected = np.trace(np.cov(grads.T, bias=True)) / (mean @ mean)
    assert f"= <b>{expected:.3g}</b>; B = 10" in window.worked_dock.batch.text()


def test_a_stale_answer_is_dropped_for_the_newer_one(scaling_panel, qtbot):
    """The first job's answer arrives after the second was asked for: only the second's is
    shown (LatestRequest). Held back here by a slow first computation."""
    import threading

    from gdviz.ui import batch_scaling_panel as module

    release = threading.Event()
    original = module.batch_scaling

    def slow_first(config, *args):
        if config.n_examples == 48:  # held, then finishes whatever its cancel event says
            release.wait(5)
            args = (*args[:6], threading.Event(), *args[7:])
        return original(config, *args)

    module.batch_scaling = slow_first
    try:
        scaling_panel.set_config(RunConfig(dataset="synthetic", n_examples=48, lr=0.1))
        scaling_panel.compute()  # under way, held
        second = RunConfig(dataset="synthetic", n_examples=32, lr=0.1)
        got = []
        scaling_panel.finished.connect(got.append)
        scaling_panel.set_config(second)
        release.set()  # the first finishes now: its answer is stale
        qtbot.waitUntil(lambda: bool(got), timeout=TIMEOUT_MS)
        qtbot.wait(200)
        assert [r.n_examples for r in got] == [32] and not scaling_panel.busy
    finally:
        module.batch_scaling = original
