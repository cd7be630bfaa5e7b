"""Step back and the worked update in the window: Left goes one iteration back exactly and
Right makes the very same row again (while paused, after a divergence, through the timeline),
and the panel (U) shows the shown iteration's numbers, the same as gdviz explain's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gdviz.core.config import build_problem, build_trainer
from gdviz.core.explain import num, work_out


def step_count(win) -> int:
    return int(win.engine.recording.last("step", 0))


def row(win, name):
    return float(win.engine.recording.last(name))


def step_to(qtbot, win, count: int, expect_step: int) -> None:
    """``count`` more iterations, waited for until the run stands at ``expect_step``."""
    win.engine.step(count)
    qtbot.waitUntil(lambda: step_count(win) == expect_step and not win.engine.running,
                    timeout=3000)  # fmt: skip


def press(qtbot, win, key, expect_step):
    qtbot.keyClick(win, key)
    qtbot.waitUntil(lambda: step_count(win) == expect_step and not win.engine.running,
                    timeout=3000)  # fmt: skip


def test_left_goes_back_and_right_makes_the_same_row_again(qtbot, window):
    for _ in range(25):
        window.engine.step(1)
        qtbot.waitUntil(lambda: not window.engine.running, timeout=3000)
    assert step_count(window) == 25
    made = {name: window.engine.recording.column(name).copy() for name in ("p1", "p2", "g1")}
    batch = window.engine.recording.last_examples.copy()
    press(qtbot, window, Qt.Key.Key_Left, 24)
    press(qtbot, window, Qt.Key.Key_Backspace, 23)
    assert len(window.engine.recording) == 24  # the rows after are gone
    press(qtbot, window, Qt.Key.Key_Right, 24)
    press(qtbot, window, Qt.Key.Key_Right, 25)
    for name, values in made.items():
        np.testing.assert_array_equal(window.engine.recording.column(name), values)
    np.testing.assert_array_equal(window.engine.recording.last_examples, batch)
    # The epoch's tally is the run's again: 25 = 2 epochs and 5 batches of 10.
    epoch, counts = window.engine.recording.epoch_counts
    assert epoch == 3 and int(counts.sum()) == 50


def test_a_divergence_steps_back_and_diverges_again(qtbot, window):
    window.commands.start({"config": window.state.config.replace(lr=3.0)})
    window.state.speed = 0
    window.engine.play()
    qtbot.waitUntil(lambda: window.engine.recording.statuses[0].status == "diverged",
                    timeout=5000)  # fmt: skip
    qtbot.waitUntil(lambda: not window.engine.running, timeout=3000)
    status, last = window.engine.recording.statuses[0], step_count(window)
    p_last = row(window, "p1")
    press(qtbot, window, Qt.Key.Key_Left, last - 1)
    assert window.engine.recording.statuses[0].status == "running"
    assert window.toolbar.step_action.isEnabled()
    press(qtbot, window, Qt.Key.Key_Right, last)
    assert window.engine.recording.statuses[0] == status and row(window, "p1") == p_last
    assert "Diverged at iteration" in window.badge.label.text()


def test_rewound_left_and_right_move_the_timeline(qtbot, window):
    step_to(qtbot, window, 30, 30)
    window.commands.scrub_to(11)  # the first 11 rows: iteration 10 shown
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.state.timeline == 10 and len(window.engine.recording) == 31  # nothing dropped
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.state.timeline == 11


def test_the_panel_works_the_shown_iteration_out(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_U)
    assert window.worked_dock.isVisible() and "worked" in window.state.views
    window.frames.draw()
    assert "The start: w = 0, b = 0" in window.worked_dock.plain_text()
    step_to(qtbot, window, 7, 7)
    window.frames.draw()
    config = window.state.config
    reference = build_trainer(config, build_problem(config))
    reference.advance(7)
    work = work_out(reference, 7)  # an independent run of the same configuration
    text = window.worked_dock.plain_text()
    assert "Iteration 7" in text and f"#{work.examples[0]}" in text
    assert num(work.grad[0]) in text and num(work.params_after[0]) in text
    assert num(work.params_after[1]) in text
    assert work.params_after == (row(window, "p1"), row(window, "p2"))
    window.commands.scrub_to(4)  # the timeline: iteration 3 worked out
    window.frames.draw()
    assert "Iteration 3" in window.worked_dock.plain_text()
    assert num(work_out(reference, 3).params_after[0]) in window.worked_dock.plain_text()
    qtbot.keyClick(window, Qt.Key.Key_U)
    assert not window.worked_dock.isVisible() and "worked" not in window.state.views


def test_a_momentum_run_shows_its_velocity_and_adam_its_corrections(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_U)
    for optimizer, expected in (("momentum", "u_w ← momentum·u_w + g_w"),
                                ("adam", "mhat_w = m_w / (1 − beta1^5)")):  # fmt: skip
        config = window.state.config.replace(optimizer=optimizer)
        assert window.commands.start({"config": config})
        step_to(qtbot, window, 5, 5)
        window.frames.draw()
        assert expected in window.worked_dock.plain_text().replace("&nbsp;", " ")


def test_a_comparison_says_the_panel_follows_a_single_run(qtbot, window):
    window.commands.open_lesson(7)  # lesson 8: the Goldilocks trio, compared
    qtbot.keyClick(window, Qt.Key.Key_U)
    window.engine.step(3)
    qtbot.waitUntil(lambda: step_count(window) >= 3 and not window.engine.running, timeout=3000)
    window.frames.draw()
    assert "follows a single run" in window.worked_dock.plain_text()
    qtbot.keyClick(window, Qt.Key.Key_Left)  # a comparison steps back along its timeline
    assert window.state.timeline == len(window.engine.recording) - 1


def test_the_fan_draws_each_examples_gradient_their_mean_and_all_the_data(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert window.state.example_arrows
    step_to(qtbot, window, 4, 4)
    window.frames.draw()
    fan = window.surface_view.fan
    assert fan.shown and fan.mean.shaft.isVisible() and fan.full.shaft.isVisible()
    r, problem = window.engine.recording, window.engine.problem
    w, b = r.column("p1")[3], r.column("p2")[3]  # before update 4: where its gradients were
    batch = r.last_examples
    x, y = problem.data.x[batch], problem.data.y[batch]
    residual = 2 * (w * x + b - y)
    origin, examples, mean, full, _ = fan.vectors
    np.testing.assert_allclose(origin, (w, b))
    np.testing.assert_allclose(examples, np.column_stack([residual * x, residual]), rtol=1e-12)
    np.testing.assert_allclose(mean, (r.column("g1")[4], r.column("g2")[4]), rtol=1e-9)
    np.testing.assert_allclose(full, problem.full_grad(w, b), rtol=1e-12)
    assert len(fan.shafts.xData) == 2 * len(batch)
    # The longest arrow is FAN_FRACTION of the view's shorter side, the others to scale.
    key = fan.key.textItem.toPlainText()
    assert "each example" in key and "all data" in key
    qtbot.keyClick(window, Qt.Key.Key_A)
    window.frames.draw()
    assert not fan.shown and not fan.shafts.isVisible() and not fan.key.isVisible()
    assert window.surface_view.gradient_arrow.shaft.isVisible()  # the gradient arrow is back


def test_the_data_view_says_how_much_of_the_epoch_it_has_seen(qtbot, window):
    step_to(qtbot, window, 13, 13)  # N = 100, B = 10: batch 3 of epoch 2
    window.frames.draw()
    line = window.data_view.count_line
    assert line.isVisible()
    text = line.textItem.toPlainText()
    assert "30 of 100" in text and "epoch 2" in text


def test_hover_reads_the_loss_on_the_surface_and_both_losses_on_the_curve(qtbot, window):
    step_to(qtbot, window, 12, 12)
    window.frames.draw()
    problem, r = window.engine.problem, window.engine.recording
    surface = window.surface_view
    # A real mouse move over the middle of the surface plot.
    view = surface.view
    centre = view.mapViewToScene(view.viewRect().center())
    widget_pos = surface.plot_widget.mapFromScene(centre)
    qtbot.mouseMove(surface.plot_widget.viewport(), widget_pos)
    qtbot.waitUntil(lambda: surface.hover.text() != "", timeout=2000)
    text = surface.hover.text()
    point = view.viewRect().center()
    assert text.startswith("loss ") and " at w = " in text and ", b = " in text
    shown = float(text.split()[1])
    assert shown == pytest.approx(float(problem.full_loss(point.x(), point.y())), rel=2e-3)
    surface.hover.show_at(1.0, 2.0)
    assert surface.hover.text() == f"loss {float(problem.full_loss(1.0, 2.0)):.4g} at w = 1, b = 2"
    loss = window.loss_view
    loss.hover.show_at(7.2, 0.0)  # nearest row: iteration 7
    assert loss.hover.text() == (f"iteration 7: batch loss {r.column('batch_loss')[7]:.4g}, "
                                 f"training loss {r.column('loss')[7]:.4g}")  # fmt: skip


def test_pinned_runs_stay_as_ghosts_labelled_by_what_differs(qtbot, window):
    step_to(qtbot, window, 30, 30)
    first = window.engine.recording.column("p1").copy()
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert len(window.commands.pins.pins) == 1
    assert window.pin_layer.labels() == ["same settings"]
    assert window.commands.start({"config": window.state.config.replace(lr=0.01)})
    assert window.pin_layer.labels() == ["lr 0.05"]  # the pin's own rate: what differs
    path = window.pin_layer.items[0][0]
    np.testing.assert_array_equal(path.xData, first)  # every row: 31 < PIN_POINTS
    for lr in (0.02, 0.03, 0.04, 0.06, 0.07, 0.08):  # six more pins: the oldest goes
        assert window.commands.start({"config": window.state.config.replace(lr=lr)})
        step_to(qtbot, window, 5, 5)
        qtbot.keyClick(window, Qt.Key.Key_P)
    assert len(window.commands.pins.pins) == 6
    assert window.pin_layer.labels()[0] == "lr 0.02" and window.pin_layer.labels()[-1] == (
        "same settings")  # fmt: skip
    # Other data: the ghosts lay on another surface, and go.
    assert window.commands.start({"config": window.state.config.replace(n_examples=50)})
    assert window.commands.pins.pins == () and window.pin_layer.labels() == []
    qtbot.keyClick(window, Qt.Key.Key_P)  # nothing made yet: nothing pinned
    assert window.commands.pins.pins == ()


def test_shift_p_clears_and_a_comparison_runs_the_variant_beside(qtbot, window):
    step_to(qtbot, window, 3, 3)
    qtbot.keyClick(window, Qt.Key.Key_P)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    assert window.commands.pins.pins == ()
    base = window.state.config
    assert window.commands.compare_with("lr × 10")
    assert window.engine.comparing and [r.label for r in window.state.compare] == [
        "this run", "lr × 10"]  # fmt: skip
    assert window.state.compare[1].config == base.replace(lr=base.lr * 10)
    assert (
        window.state.compare[0].config == base and base.seed == window.state.compare[1].config.seed
    )
    window.engine.run_synchronously(5)
    r = window.engine.recording
    p1 = [r.column("p1", k)[1] for k in range(2)]  # the first update of each, same batch
    assert p1[1] == pytest.approx(10 * p1[0], rel=1e-12)  # w1 = -lr g: ten times as far
    qtbot.keyClick(window, Qt.Key.Key_N)  # a new seed: the same settings, other batches
    assert window.state.config.seed == base.seed + 1


def test_painted_examples_become_the_data_and_move_the_optimum(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_D)
    view = window.data_view
    assert view.painting and window.paint_action.isChecked()
    before = view.painted_points()
    view.painter.add(5.0, 40.0)  # far above the line y = 2x + 1
    config = window.state.config
    assert config.dataset == "painted" and len(config.points) == len(before) + 1
    assert view.painting  # the mode stays on across the new run
    problem = window.engine.problem
    data = problem.data

    def fitted(problem, raw_x):  # the model at the problem's optimum, in raw x
        w, b = problem.optimum
        return w * (raw_x - problem.data.x_shift) / problem.data.x_scale + b

    xs, ys = np.array(config.points).T
    slope, offset = np.polyfit(xs, ys, 1)  # least squares of the new points, independently
    np.testing.assert_allclose(fitted(problem, xs), slope * xs + offset, rtol=1e-9, atol=1e-9)
    assert data.n_examples == len(before) + 1
    # A drag moves one, a right-click removes one: each time the optimum follows.
    view.painter.move(0, 1.0, 3.0)
    assert window.state.config.points[0] == (1.0, 3.0)
    view.painter.remove(len(window.state.config.points) - 1)
    assert window.engine.problem.n_examples == len(before)
    # Removed down to one example: refused, saying why, the data as it was.
    window.commands.paint(((1.0, 2.0),))
    assert window.engine.problem.n_examples == len(before)
    assert "Not applied" in window.badge.label.text()
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert not view.painting


def test_a_real_click_adds_an_example_and_the_data_exports_as_csv(qtbot, window, tmp_path):
    from gdviz.ui.export_dialogs import export_data_csv

    view = window.data_view
    window.frames.draw()
    qtbot.keyClick(window, Qt.Key.Key_D)
    n = len(view.painted_points())
    box = view.plot.getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    target = box.mapViewToScene(QPointF(x0 + 0.1 * (x1 - x0), y1 - 0.1 * (y1 - y0)))
    pos = view.plot_widget.mapFromScene(target)
    qtbot.mouseClick(view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: len(window.state.config.points or ()) == n + 1, timeout=2000)
    added = window.state.config.points[-1]
    assert added[0] == pytest.approx(x0 + 0.1 * (x1 - x0), rel=0.05, abs=0.1)
    assert export_data_csv(window, str(tmp_path / "data.csv"))
    rows = (tmp_path / "data.csv").read_text().splitlines()
    assert rows[0] == "x,y" and len(rows) == n + 2
    assert tuple(map(float, rows[-1].split(","))) == added


def test_the_batchs_own_surface_is_drawn_as_dashed_contours(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert window.state.batch_surface
    step_to(qtbot, window, 5, 5)
    window.frames.draw()
    contours = window.surface_view.batch_contours
    assert contours.isVisible() and len(contours.xData) > 20
    before = contours.xData.copy()
    step_to(qtbot, window, 1, 6)  # another step: another batch, other contours
    window.frames.draw()
    assert not np.array_equal(before, contours.xData)
    qtbot.keyClick(window, Qt.Key.Key_O)
    window.frames.draw()
    assert not contours.isVisible()


def test_a_narrow_data_view_counts_in_short_lines_that_fit(qtbot, window):
    """Seen at lecture size in lesson 4: the repeats' clause ran off a narrow view."""
    assert window.commands.start({"config": window.state.config.replace(
        batch_size=1, sampling="replacement")})  # fmt: skip
    step_to(qtbot, window, 60, 60)
    window.data_view.setFixedWidth(260)
    qtbot.wait(50)
    window.frames.draw()
    line = window.data_view.count_line
    text = line.textItem.toPlainText()
    assert "more than once" in text and "\n" in text
    room = window.data_view.plot.getViewBox().width()
    assert line.boundingRect().width() <= room, (text, room)
