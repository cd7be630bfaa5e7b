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
    assert win.engine.is_shut_down()


def press(qtbot, win, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(win, key, modifier)


def test_number_keys_and_clicker_keys_navigate_lessons(qtbot, lecture):
    press(qtbot, lecture, Qt.Key.Key_1)
    assert lecture.navigator.index == 0
    assert lecture.lesson_card.isVisible() and LESSONS[0].title in lecture.lesson_card.text.text()
    assert lecture.state.config == LESSONS[0].config
    press(qtbot, lecture, Qt.Key.Key_PageDown)  # a lesson not started: PageDown starts it
    assert lecture.navigator.index == 0 and lecture.engine.playing
    press(qtbot, lecture, Qt.Key.Key_PageDown)  # then the next lesson
    assert lecture.navigator.index == 1 and lecture.state.config == LESSONS[1].config
    press(qtbot, lecture, Qt.Key.Key_PageUp)
    assert lecture.navigator.index == 0
    press(qtbot, lecture, Qt.Key.Key_3)
    assert lecture.navigator.index == 2
    lecture.engine.step(5)
    qtbot.waitUntil(lambda: int(lecture.engine.recording.last("step")) == 5, timeout=3000)
    run_id = lecture.engine.run_id
    press(qtbot, lecture, Qt.Key.Key_Home)  # restart the lesson
    assert lecture.engine.run_id == run_id + 1 and int(lecture.engine.recording.last("step")) == 0
    press(qtbot, lecture, Qt.Key.Key_9)
    assert lecture.navigator.index == 8
    for _ in range(2 * len(LESSONS) + 2):  # start, next, ...: it stops at the last lesson
        press(qtbot, lecture, Qt.Key.Key_PageDown)
    assert lecture.navigator.index == len(LESSONS) - 1


def test_goldilocks_trio_compares_three_runs_in_lockstep(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    assert lecture.engine.comparing and lecture.engine.recording.runs == 3
    assert lecture.view_stack.currentWidget() is lecture.compare_view
    lecture.state.speed = 0
    lecture.engine.play()
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=15000)
    statuses = [s.status for s in lecture.engine.recording.statuses]
    # too small: still going at the end; just right: converged (the lesson sets a tolerance);
    # too large: diverged.
    assert statuses == ["finished", "converged", "diverged"]
    diverged_at = lecture.engine.recording.statuses[2].step
    losses = [lecture.engine.recording.column("loss", k) for k in range(3)]
    # All three advanced together; the too-large one stopped, the others went on past it.
    assert np.isfinite(losses[0][-1])
    assert int(lecture.engine.recording.last("step")) > diverged_at
    assert np.isnan(losses[2][diverged_at + 1 :]).all()
    assert "diverged" in lecture.badge.text() and lecture.badge.isVisible()
    recording = lecture.engine.recording
    assert recording.last("loss", run=1) < losses[0][-1]  # just right beats too small
    lecture.frames.draw()
    assert all(curve.isVisible() for curve in lecture.compare_view.curves[:3])


def test_batch_size_compare_runs_by_epochs(qtbot, lecture):
    lecture.navigator.choose(index_of("batch-size"))
    assert lecture.toolbar.x_axis() == "epochs"
    lecture.engine.step(1)
    qtbot.waitUntil(lambda: len(lecture.engine.recording) == 2, timeout=3000)
    ipe = [int(lecture.engine.recording.column("epoch_iterations", k)[1]) for k in range(3)]
    assert ipe[0] > ipe[1] > ipe[2] == 1  # SGD, mini-batch, full batch
    lecture.state.speed = 0
    lecture.engine.play()
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=15000)
    epochs = LESSONS[index_of("batch-size")].compare[0].config.epochs
    for k in range(3):  # each run did the same number of epochs
        assert lecture.engine.recording.x_values("epochs", run=k)[
            lecture.engine.recording.end(k) - 1
        ] == pytest.approx(epochs)


def test_leaving_a_comparison_returns_to_one_run(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    lecture.leave_lesson()
    assert not lecture.engine.comparing and lecture.engine.recording.runs == 1
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
    log_before = lecture.state.log_surface
    press(qtbot, lecture, Qt.Key.Key_L)
    assert lecture.state.log_surface != log_before
    assert lecture.toolbar.log_surface_action.isChecked() == lecture.state.log_surface
    press(qtbot, lecture, Qt.Key.Key_Y)
    assert lecture.state.log_loss and lecture.loss_view.is_log_y()
    press(qtbot, lecture, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert lecture.loss_view.isVisible() and not lecture.surface_view.isVisible()
    press(qtbot, lecture, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert lecture.surface_view.isVisible()
    press(qtbot, lecture, Qt.Key.Key_F)  # fit path: must not raise with only the start row
    press(qtbot, lecture, Qt.Key.Key_R)
    assert int(lecture.engine.recording.last("step")) == 0


def test_sweep_dock_computes_and_a_click_runs_that_rate(qtbot, lecture):
    press(qtbot, lecture, Qt.Key.Key_S)
    assert lecture.sweep_dock.isVisible()
    with qtbot.waitSignal(lecture.sweep_panel.finished, timeout=30000) as blocker:
        pass
    result = blocker.args[0]
    assert result.config == lecture.state.config
    run_id = lecture.engine.run_id
    picked = float(result.rates[len(result.rates) // 3])
    lecture.sweep_panel.learningRatePicked.emit(picked)
    assert lecture.engine.run_id == run_id + 1
    assert lecture.state.config.lr == pytest.approx(picked)
    assert lecture.controls.config().lr == pytest.approx(picked)
    qtbot.waitUntil(lambda: int(lecture.engine.recording.last("step")) > 0, timeout=5000)


def test_presentation_scaling_and_themes_from_the_keyboard(qtbot, lecture):
    from gdviz.ui.shortcuts_dialog import ShortcutsDialog

    base = lecture.loss_view.plot.getAxis("left").label.font().pointSizeF()
    press(qtbot, lecture, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, lecture, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert lecture.state.scale == pytest.approx(1.5)
    assert lecture.loss_view.plot.getAxis("left").label.font().pointSizeF() > base
    press(qtbot, lecture, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert lecture.state.scale == pytest.approx(1.25)
    press(qtbot, lecture, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert lecture.state.scale == pytest.approx(1.0)
    dark = next(a for a in lecture.theme_actions.actions() if a.data() == "dark")
    dark.trigger()
    assert lecture.state.theme == "dark" and dark.isChecked()
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
    assert (win.state.theme, win.state.scale) == ("light", 1.0)
    win.set_look("high contrast", 1.75)
    win.close()
    again = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert (again.state.theme, again.state.scale) == ("high contrast", 1.75)
    again.close()


def test_timeline_rewinds_the_views_and_play_resumes_from_the_end(qtbot, lecture):
    lecture.engine.step(60)
    qtbot.waitUntil(lambda: int(lecture.engine.recording.last("step")) == 60, timeout=3000)
    lecture.frames.mark_dirty()
    lecture.frames.draw()
    timeline = lecture.timeline
    assert timeline.live and timeline.slider.maximum() == 61
    timeline.slider.setValue(11)  # rows 0..10: the state after iteration 10
    assert not timeline.live and "iteration 10 of 60" in timeline.label.text()
    path_x, _ = lecture.surface_view.path_line.getData()
    assert path_x[-1] == pytest.approx(lecture.engine.recording.column("p1")[10])
    loss_x, _ = lecture.loss_view.loss_curve.getData()
    assert loss_x.max() == pytest.approx(10)
    timeline.slider.setValue(31)  # scrub forward again
    assert lecture.loss_view.loss_curve.getData()[0].max() == pytest.approx(30)
    press(qtbot, lecture, Qt.Key.Key_Space)  # Play resumes from the end: the timeline goes live
    qtbot.waitUntil(lambda: timeline.live, timeout=3000)
    lecture.engine.pause()
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=3000)
    lecture.frames.mark_dirty()
    lecture.frames.draw()
    assert lecture.loss_view.loss_curve.getData()[0].max() == int(
        lecture.engine.recording.last("step")
    )


def test_panel_edits_in_a_comparison_keep_each_runs_settings(qtbot, lecture):
    lecture.navigator.choose(index_of("goldilocks-trio"))
    rates = [run.config.lr for run in lecture.state.compare]
    run_id = lecture.engine.run_id
    lecture.toolbar.log_surface_action.toggle()  # a new picture, not a new comparison
    assert lecture.engine.run_id == run_id
    lecture.commands.change_config(lecture.controls.config().replace(steps=1000))
    assert [run.config.lr for run in lecture.state.compare] == rates
    assert [run.config.steps for run in lecture.state.compare] == [1000] * 3
    assert [run.config.steps for run in lecture.state.compare] == [1000] * 3
    assert all(c.steps == 1000 for c in lecture.engine.info.configs)


@pytest.mark.parametrize(("lesson_id", "steps"), [("sgd-noisy-gradient", 137),
                                                  ("mini-batch-sgd", 14)])  # fmt: skip
def test_data_view_shows_the_examples_used_in_the_epoch(qtbot, lecture, lesson_id, steps):
    """Lesson 4 (SGD with replacement) and 5 (batches of 10, shuffled): after ``steps`` the
    grey examples are exactly the ones a replay of the lesson's batches used in this epoch."""
    from gdviz.core.config import build_parts

    lecture.navigator.choose(index_of(lesson_id))
    lecture.engine.step(steps)
    qtbot.waitUntil(lambda: int(lecture.engine.recording.last("step")) == steps, timeout=3000)
    lecture.frames.mark_dirty()
    lecture.frames.draw()
    config, problem = lecture.engine.info.configs[0], lecture.engine.problem
    sampler = build_parts(config, problem)[3]
    chunk = sampler.next_chunk(steps)
    epoch = int(chunk.epochs[-1])
    used = np.concatenate([chunk.batch(i) for i in range(steps) if chunk.epochs[i] == epoch])
    view, x = lecture.data_view, problem.data.raw_x
    assert sorted(view.used.getData()[0].tolist()) == sorted(x[np.unique(used)].tolist())
    counts = np.bincount(used, minlength=problem.n_examples)
    assert view.tally_text().startswith(
        f"{np.count_nonzero(counts)} of 100 examples seen in epoch {epoch + 1}"
    )
    last = chunk.batch(steps - 1)
    again = last[counts[last] > 1]
    assert view.repeats.getData()[0].size == again.size
    lecture.timeline.slider.setValue(5)  # rewound: the tally is of the newest row, not shown
    assert view.used.getData()[0].size == 0


@pytest.mark.parametrize("lesson_id", ["mini-batch-sgd", "batch-size"])
def test_empty_loss_axes_before_a_run_show_what_is_coming(qtbot, lecture, lesson_id):
    """Reproduction: before the first iteration the loss axis of lesson 5 (against epochs)
    read -0.5 ... 0.5, and lesson 9's comparison -50 ... 50 epochs and a loss of 175 ... 185.
    Now: the whole budget, 0 ... 10 epochs, and the loss from 0 up to the start."""
    lecture.navigator.choose(index_of(lesson_id))
    lecture.frames.mark_dirty()
    lecture.frames.draw()
    plot = lecture.compare_view.loss_plot if lecture.engine.comparing else lecture.loss_view.plot
    (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
    epochs = LESSONS[index_of(lesson_id)].config.epochs
    assert x0 <= 0 < epochs <= x1 <= 1.1 * epochs
    start = float(lecture.engine.recording.column("loss")[0])
    assert y0 == 0 and start <= y1 <= 1.5 * start


def test_batch_size_lesson_frames_sgds_noise_beside_the_calmer_mini_batch(qtbot, lecture):
    """Lesson 9 opens with the loss tail: the first epochs' drop (and the full batch's slow
    start) run off the top, so that SGD's jagged loss and mini-batch's calmer one fill the
    plot; on the whole range SGD's wobble was a flat line at the bottom of 0 ... 190."""
    lecture.navigator.choose(index_of("batch-size"))
    assert lecture.state.loss_tail
    lecture.state.speed = 0
    lecture.engine.play()
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=15000)
    lecture.frames.mark_dirty()
    lecture.frames.draw()
    (_, _), (y0, y1) = lecture.compare_view.loss_plot.getViewBox().viewRange()
    recording = lecture.engine.recording
    start = float(recording.column("loss", 0)[0])
    assert y1 < 0.1 * start  # the first drop runs off the top
    sgd = recording.column("loss", 0)[: recording.end(0)]
    late = sgd[len(sgd) // 2 :]
    assert (late.max() - late.min()) > 0.05 * (y1 - y0)  # SGD's wobble is seen
    mini = recording.column("loss", 1)[: recording.end(1)]
    assert np.ptp(mini[len(mini) // 2 :]) < np.ptp(late)  # mini-batch is calmer
