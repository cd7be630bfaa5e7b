"""Lecture mode driven from the keyboard: lessons, comparisons and presenter keys."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.core.lessons import load_lessons

LESSONS = load_lessons()


def index_of(lesson_id: str) -> int:
    return next(i for i, lesson in enumerate(LESSONS) if lesson.id == lesson_id)


@pytest.fixture
def lecture(qtbot):
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    win = MainWindow(settings=None)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    assert win.controller._thread.isFinished()


def press(qtbot, win, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(win, key, modifier)


def test_number_keys_and_clicker_keys_navigate_lessons(qtbot, lecture):
    press(qtbot, lecture, Qt.Key.Key_1)
    assert lecture.navigator.index == 0
    assert lecture.lesson_card.isVisible() and LESSONS[0].title in lecture.lesson_card.text.text()
    assert lecture.controller.config == LESSONS[0].config
    press(qtbot, lecture, Qt.Key.Key_PageDown)
    assert lecture.navigator.index == 1 and lecture.controller.config == LESSONS[1].config
    press(qtbot, lecture, Qt.Key.Key_PageUp)
    assert lecture.navigator.index == 0
    press(qtbot, lecture, Qt.Key.Key_3)
    assert lecture.navigator.index == 2
    lecture.controller.step(5)
    qtbot.waitUntil(lambda: int(lecture.buffer.last("step")) == 5, timeout=3000)
    run_id = lecture.controller.run_id
    press(qtbot, lecture, Qt.Key.Key_Home)  # restart the lesson
    assert lecture.controller.run_id == run_id + 1 and int(lecture.buffer.last("step")) == 0
    press(qtbot, lecture, Qt.Key.Key_9)
    assert lecture.navigator.index == 8
    for _ in range(len(LESSONS) + 2):  # PageDown stops at the last lesson
        press(qtbot, lecture, Qt.Key.Key_PageDown)
    assert lecture.navigator.index == len(LESSONS) - 1


def test_goldilocks_trio_compares_three_runs_in_lockstep(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    assert lecture.controller.comparing and lecture.buffer.runs == 3
    assert lecture.view_stack.currentWidget() is lecture.compare_view
    lecture.controller.set_speed(0)
    lecture.controller.play()
    qtbot.waitUntil(lambda: not lecture.controller.running, timeout=15000)
    statuses = [s.status for s in lecture.controller.trainer.statuses]
    # too small: still going at the end; just right: converged (the lesson sets a tolerance);
    # too large: diverged.
    assert statuses == ["finished", "converged", "diverged"]
    diverged_at = lecture.controller.trainer.statuses[2].step
    losses = [lecture.buffer.column("loss", k) for k in range(3)]
    # All three advanced together; the too-large one stopped, the others went on past it.
    assert np.isfinite(losses[0][-1])
    assert int(lecture.buffer.last("step")) > diverged_at
    assert np.isnan(losses[2][diverged_at + 1 :]).all()
    assert "diverged" in lecture.badge.text() and lecture.badge.isVisible()
    assert lecture.buffer.last_valid("loss", 1) < losses[0][-1]  # just right beats too small
    lecture._redraw()
    assert all(curve.isVisible() for curve in lecture.compare_view.curves[:3])


def test_batch_size_compare_runs_by_epochs(qtbot, lecture):
    lecture.navigator.choose(index_of("batch-size"))
    assert lecture.toolbar.x_axis() == "epochs"
    ipe = lecture.buffer.runs_per_epoch
    assert ipe[0] > ipe[1] > ipe[2] == 1  # SGD, mini-batch, full batch
    lecture.controller.set_speed(0)
    lecture.controller.play()
    qtbot.waitUntil(lambda: not lecture.controller.running, timeout=15000)
    epochs = LESSONS[index_of("batch-size")].compare[0].config.epochs
    for k in range(3):  # each run did the same number of epochs
        assert lecture.buffer.x_values("epochs", run=k)[
            lecture.controller.trainer.ends[k] - 1
        ] == pytest.approx(epochs)


def test_leaving_a_comparison_returns_to_one_run(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    lecture._leave_lesson()
    assert not lecture.controller.comparing and lecture.buffer.runs == 1
    assert not lecture.lesson_card.isVisible()
    assert lecture.view_stack.currentWidget() is lecture.main_split


def test_presenter_keys_full_screen_and_clean_view(qtbot, lecture):
    press(qtbot, lecture, Qt.Key.Key_H)
    assert not lecture.controls_dock.isVisible() and not lecture.toolbar.isVisible()
    press(qtbot, lecture, Qt.Key.Key_H)
    assert lecture.controls_dock.isVisible() and lecture.toolbar.isVisible()
    press(qtbot, lecture, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: lecture.isFullScreen(), timeout=2000)
    press(qtbot, lecture, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not lecture.isFullScreen(), timeout=2000)


def test_view_keys(qtbot, lecture):
    log_before = lecture.toolbar.log_surface()
    press(qtbot, lecture, Qt.Key.Key_L)
    assert lecture.toolbar.log_surface() != log_before
    press(qtbot, lecture, Qt.Key.Key_Y)
    assert lecture.toolbar.log_loss()
    press(qtbot, lecture, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert lecture.loss_view.isVisible() and not lecture.surface_view.isVisible()
    press(qtbot, lecture, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert lecture.surface_view.isVisible()
    press(qtbot, lecture, Qt.Key.Key_F)  # fit path: must not raise with only the start row
    press(qtbot, lecture, Qt.Key.Key_R)
    assert int(lecture.buffer.last("step")) == 0


def test_sweep_dock_computes_and_a_click_runs_that_rate(qtbot, lecture):
    press(qtbot, lecture, Qt.Key.Key_S)
    assert lecture.sweep_dock.isVisible()
    with qtbot.waitSignal(lecture.sweep_panel.finished, timeout=30000) as blocker:
        pass
    result = blocker.args[0]
    assert result.config == lecture.controller.config
    run_id = lecture.controller.run_id
    picked = float(result.rates[len(result.rates) // 3])
    lecture.sweep_panel.learningRatePicked.emit(picked)
    assert lecture.controller.run_id == run_id + 1
    assert lecture.controller.config.lr == pytest.approx(picked)
    assert lecture.controls.config().lr == pytest.approx(picked)
    qtbot.waitUntil(lambda: int(lecture.buffer.last("step")) > 0, timeout=5000)


def test_presentation_scaling_and_themes_from_the_keyboard(qtbot, lecture):
    from gdviz.ui.shortcuts_dialog import ShortcutsDialog

    base = lecture.loss_view.plot.getAxis("left").label.font().pointSizeF()
    press(qtbot, lecture, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, lecture, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert lecture.scale == pytest.approx(1.5)
    assert lecture.loss_view.plot.getAxis("left").label.font().pointSizeF() > base
    press(qtbot, lecture, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert lecture.scale == pytest.approx(1.25)
    press(qtbot, lecture, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert lecture.scale == pytest.approx(1.0)
    dark = next(a for a in lecture.theme_actions.actions() if a.data() == "dark")
    dark.trigger()
    assert lecture.theme_name == "dark" and dark.isChecked()
    press(qtbot, lecture, Qt.Key.Key_F1)
    dialog = lecture.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_look_persists_and_bad_values_fall_back(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gdviz.ui.main_window import MainWindow

    path = str(tmp_path / "gdviz.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    settings.setValue("look/theme", "neon")
    settings.setValue("look/scale", "huge")
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert (win.theme_name, win.scale) == ("light", 1.0)
    win._set_look("high contrast", 1.75)
    win.close()
    again = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert (again.theme_name, again.scale) == ("high contrast", 1.75)
    again.close()


def test_timeline_rewinds_the_views_and_play_resumes_from_the_end(qtbot, lecture):
    lecture.controller.step(60)
    qtbot.waitUntil(lambda: int(lecture.buffer.last("step")) == 60, timeout=3000)
    lecture._mark_dirty()
    lecture._redraw()
    timeline = lecture.timeline
    assert timeline.live and timeline.slider.maximum() == 61
    timeline.slider.setValue(11)  # rows 0..10: the state after iteration 10
    assert not timeline.live and "iteration 10 of 60" in timeline.label.text()
    path_x, _ = lecture.surface_view.path_line.getData()
    assert path_x[-1] == pytest.approx(lecture.buffer.column("p1")[10])
    loss_x, _ = lecture.loss_view.loss_curve.getData()
    assert loss_x.max() == pytest.approx(10)
    timeline.slider.setValue(31)  # scrub forward again
    assert lecture.loss_view.loss_curve.getData()[0].max() == pytest.approx(30)
    press(qtbot, lecture, Qt.Key.Key_Space)  # Play resumes from the end: the timeline goes live
    qtbot.waitUntil(lambda: timeline.live, timeout=3000)
    lecture.controller.pause()
    qtbot.waitUntil(lambda: not lecture.controller.running, timeout=3000)
    lecture._mark_dirty()
    lecture._redraw()
    assert lecture.loss_view.loss_curve.getData()[0].max() == int(lecture.buffer.last("step"))


def test_panel_edits_in_a_comparison_keep_each_runs_settings(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    rates = [run.config.lr for run in lecture.compare_runs]
    run_id = lecture.controller.run_id
    lecture.toolbar.log_surface_action.toggle()  # a new picture, not a new comparison
    assert lecture.controller.run_id == run_id
    lecture._apply_config(lecture.controls.config().replace(steps=1000), reset=False)
    assert [run.config.lr for run in lecture.compare_runs] == rates
    assert [run.config.steps for run in lecture.compare_runs] == [1000] * 3
    assert list(lecture.controller.trainer.budgets) == [1000] * 3
