"""The defects found when 0.1.0 was tried as a lecturer would (issue 9, numbered as there): each
test runs the sequence that showed the wrong number or the stuck state, on the real window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.app.state import DEFAULT_CONFIG
from gdviz.core.config import RunConfig
from gdviz.core.lessons import load_lessons
from gdviz.ui import export_dialogs as dialogs

LESSONS = load_lessons()
IDS = [lesson.id for lesson in LESSONS]


def index_of(lesson_id: str) -> int:
    return IDS.index(lesson_id)


@pytest.fixture(scope="module")
def lecture(qapp):
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    window = MainWindow(settings=None)
    window.resize(1280, 720)
    window.show()
    _ = window.sweep_panel  # built with the window (as before it was built on first use)
    for name in window.lab.docks:  # the lab's too: their threads live as long as the window
        window.lab.panel(name)
    yield window
    window.close()
    assert window.engine.is_shut_down()


def open_and_run(window, lesson_id: str, steps: int = 300) -> None:
    window.commands.open_lesson(index_of(lesson_id))
    window.engine.run_synchronously(steps)
    window.frames.draw()


def shown(window) -> dict:
    """What a student sees of the state: settings, panel, toolbar, views, card, axes."""
    t, s = window.toolbar, window.state
    loss_axes = (
        window.loss_view.plot.getAxis("left"),
        window.compare_view.loss_plot.getAxis("left"),
    )
    return {
        "state": {k: v for k, v in s.snapshot().items() if k not in ("theme", "scale")},
        "panel": window.controls.config(),
        "batch readout": window.controls.batch.readout_label.text(),
        "toolbar": (t.speed(), t.x_axis(), t.log_surface_action.isChecked(),
                    t.log_loss_action.isChecked(), t.play_action.isEnabled()),
        "log loss axis": (window.loss_view.is_log_y(), loss_axes[1].logMode),
        "axis scale": tuple(axis.autoSIPrefixScale for axis in loss_axes),
        "views": tuple(w.isHidden() for w in (window.loss_view, window.data_view,
                                              window.sweep_dock)),
        "comparing": window.view_stack.currentWidget() is window.compare_view,
        "card": window.lesson_card.text.text(),
        "picker": window.navigator.picker.currentIndex(),
        "rows": len(window.engine.recording),
        "configs": window.engine.info.configs,
        "status": window.status_line.plain_text(),
        "banner": window.badge.isVisible(),
    }  # fmt: skip


# -- 9: a lesson fully determines what is shown (12 x 12) ----------------------------------------
@pytest.mark.parametrize("after", IDS)
def test_each_lesson_after_each_other_is_as_when_opened_fresh(lecture, after):
    fresh = {}
    for before in IDS:
        open_and_run(lecture, before, 200)  # diverges, compares, scales: whatever it does
        lecture.state.x_axis = "examples seen"  # and a view setting the lecturer changed
        lecture.commands.open_lesson(index_of(after))
        lecture.frames.draw()
        now = shown(lecture)
        if not fresh:
            lecture.commands.leave_lesson()
            lecture.commands.open_lesson(index_of(after))
            lecture.frames.draw()
            fresh = shown(lecture)
        assert now == fresh, f"{after} after {before}"


# -- 1: axis numbers ---------------------------------------------------------------------------
def test_axis_numbers_are_plain_after_a_divergence_and_a_theme_change(lecture):
    # 0.1.0: lesson 8 (diverges), then 9: the loss axis read 1.8e-07 ... 9e-10 for losses of 1.
    open_and_run(lecture, "goldilocks-trio")
    open_and_run(lecture, "batch-size")
    axis = lecture.compare_view.loss_plot.getAxis("left")
    assert axis.autoSIPrefixScale == 1.0 and not axis.logMode
    assert axis.tickStrings([0.5, 1.0, 1.5], 1.0, 0.5) == ["0.5", "1.0", "1.5"]
    open_and_run(lecture, "learning-rate-too-large")  # a single run that diverges
    lecture.set_look("dark", 1.0)  # a theme change while the divergence is shown
    open_and_run(lecture, "learning-rate-just-right")
    lecture.set_look("light", 1.0)
    for axis in (lecture.loss_view.plot.getAxis(side) for side in ("left", "bottom")):
        assert axis.autoSIPrefixScale == 1.0


# -- 3: a zero step or gradient ---------------------------------------------------------------
def test_a_run_that_converges_in_one_step_keeps_drawing(lecture):
    # 0.1.0: Auto MPG, full batch, at the marked "fastest" rate converges in one step; every
    # frame then raised ZeroDivisionError and the views froze at 3 points.
    from gdviz.core.config import build_problem
    from gdviz.core.surface import curvature

    config = RunConfig(dataset="auto-mpg", batch_size=None, epochs=20)
    fastest = curvature(build_problem(config)).lr_fastest
    assert lecture.commands.start({"config": config.replace(lr=fastest)})
    lecture.engine.run_synchronously(20)
    lecture.frames.draw()  # raised in 0.1.0
    x, _ = lecture.surface_view.path_line.getData()
    assert x.size == 21 and "Iteration 20" in lecture.status_line.plain_text()


@pytest.mark.parametrize(("surface", "start"), [("bowl", (0.0, 0.0)), ("himmelblau", (3.0, 2.0))])
def test_starting_on_a_stationary_point_draws(lecture, surface, start):
    assert lecture.commands.start({"config": RunConfig(surface=surface, start=start, steps=5,
                                                       epochs=None)})  # fmt: skip
    lecture.engine.run_synchronously()
    lecture.frames.draw()
    assert not lecture.surface_view.gradient_arrow.shaft.isVisible()


# -- 4, 5: batch-size changes mid-run -------------------------------------------------------------
def test_an_epoch_budget_after_a_batch_change_ends_at_its_epoch(lecture):
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=20)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously(150)  # 15 epochs
    assert lecture.commands.change_config(config.replace(batch_size=50))
    lecture.engine.run_synchronously()
    r = lecture.engine.recording
    assert int(r.last("epoch")) == 20 and int(r.last("step")) == 160  # 5 epochs of 2 more


def test_the_epochs_axis_keeps_the_history_after_a_batch_change(lecture):
    # 0.1.0: iteration 50 (epoch 5) jumped to x = 25 when B went from 10 to 50.
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=20)
    lecture.commands.start({"config": config})
    lecture.state.x_axis = "epochs"
    lecture.engine.run_synchronously(50)
    lecture.commands.change_config(config.replace(batch_size=50))
    lecture.engine.run_synchronously(4)
    x = lecture.engine.recording.x_values("epochs")
    assert x[50] == pytest.approx(5.0) and x[-1] == pytest.approx(7.0)
    assert np.all(np.diff(x) > 0)


# -- 6, 7: sessions ----------------------------------------------------------------------------
def test_a_session_saved_after_an_edit_says_what_made_its_rows(lecture, tmp_path):
    # 0.1.0: lr edited after the run ended: the session said 0.5, its rows were made by 0.05.
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=2)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously()
    lecture.commands.change_config(config.replace(lr=0.5))
    assert dialogs.save_session_as(lecture, str(tmp_path / "s.json"))
    from gdviz.core.session import load_session

    session = load_session(tmp_path / "s.json")
    lr = session.trajectory["lr"][1:, 0]
    assert np.all(lr == 0.05) and session.config.lr == 0.5
    assert session.markers == ((20, "lr 0.05 → 0.5"),)  # where 0.5 takes over


def test_pause_then_save_keeps_every_row(qtbot, lecture, tmp_path):
    # 0.1.0: "pause, then save" missed the 512-13,409 rows still in flight.
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=10**6)
    lecture.commands.start({"config": config})
    lecture.state.speed = 0
    stops = []
    lecture.engine.stopped.connect(stops.append)
    lecture.engine.play()
    qtbot.waitUntil(lambda: len(lecture.engine.recording) > 2000, timeout=5000)
    lecture.engine.pause()
    assert dialogs.save_session_as(lecture, str(tmp_path / "s.json"))
    lecture.engine.stopped.disconnect(stops.append)
    from gdviz.core.session import load_session

    assert load_session(tmp_path / "s.json").rows == stops[0].progress.rows


# -- 8: markers and the lesson card --------------------------------------------------------------
def test_a_change_before_the_first_step_is_no_marker(lecture):
    # 0.1.0: "lr 0.05 → 1.5" marked at iteration 0 when lr changed before the first step.
    lecture.commands.open_lesson(index_of("learning-rate-just-right"))
    lecture.commands.change_config(lecture.state.config.replace(lr=1.5))
    assert lecture.engine.recording.markers == [] and lecture.loss_view.marker_count() == 0
    assert lecture.engine.info.configs[0].lr == 1.5 and len(lecture.engine.recording) == 1


def test_the_lesson_card_says_what_was_changed_and_from_what(lecture):
    # 0.1.0: the card still described lr = 0.1 after a sweep click had set lr = 0.00326.
    lecture.commands.open_lesson(index_of("learning-rate-just-right"))
    assert "Changed from the lesson" not in lecture.lesson_card.text.text()
    lecture.sweep_panel.learningRatePicked.emit(0.00326)
    assert lecture.state.lesson == "learning-rate-just-right"
    assert "Changed from the lesson: lr 0.1 → 0.00326" in lecture.lesson_card.text.text()


# -- 9: a divergence's log axis ends with its lesson ---------------------------------------------
def test_a_divergence_does_not_leave_the_log_axis_on(qtbot, lecture):
    open_and_run(lecture, "learning-rate-too-large")
    assert lecture.state.log_loss and lecture.loss_view.is_log_y()
    lecture.commands.open_lesson(index_of("sgd-noisy-gradient"))
    assert not lecture.state.log_loss and not lecture.loss_view.is_log_y()
    press(qtbot, lecture, Qt.Key.Key_Y)  # lesson 10's "press Y for a log axis" turns it on
    assert lecture.state.log_loss and lecture.loss_view.is_log_y()


# -- 10: a rejected edit in a comparison ---------------------------------------------------------
def test_a_rejected_comparison_edit_changes_nothing(lecture):
    # 0.1.0: choosing Adam in lesson 10 corrupted the state; later harmless edits failed too.
    lecture.commands.open_lesson(index_of("momentum-narrow-valley"))
    before, run_id = lecture.state.snapshot(), lecture.engine.run_id
    assert not lecture.commands.change_config(lecture.state.config.replace(optimizer="adam"))
    assert "Not applied" in lecture.badge.text()
    assert lecture.state.snapshot() == before and lecture.engine.run_id == run_id
    assert lecture.commands.change_config(lecture.state.config.replace(lr=0.02))
    assert all(r.config.lr == 0.02 for r in lecture.state.compare)
    assert [c.lr for c in lecture.engine.info.configs] == [0.02, 0.02]


def test_the_panel_shows_what_runs_after_a_rejected_edit(qtbot, lecture):
    lecture.commands.open_lesson(index_of("momentum-narrow-valley"))
    panel = lecture.controls
    combo = panel.optimizer.optimizer_combo
    with qtbot.waitSignal(panel.configChanged, timeout=3000):  # after the panel's debounce
        combo.setCurrentIndex(combo.findData("adam"))
    assert "Not applied" in lecture.badge.text()
    assert panel.config() == lecture.state.config and panel.config().optimizer == "sgd"


# -- 12: no run ---------------------------------------------------------------------------------
def test_save_and_export_without_a_run_say_so(qtbot, tmp_path, monkeypatch):
    # 0.1.0: AttributeError ('NoneType' object has no attribute 'statuses').
    from gdviz.ui.main_window import MainWindow

    said = []
    monkeypatch.setattr(dialogs, "warn", lambda _w, title, text: said.append(title))
    monkeypatch.setattr(MainWindow, "_start_defaults", lambda _self: None)  # no fallback run
    win = MainWindow(config=RunConfig(dataset=str(tmp_path / "moved.csv")), settings=None)
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: "Not applied" in win.badge.text(), timeout=3000)
        assert win.engine.info is None
        assert not dialogs.save_session_as(win, str(tmp_path / "s.json"))
        assert not dialogs.export_trajectory_csv(win, str(tmp_path / "t.csv"))
        assert said == ["Session not saved", "No run"] and not list(tmp_path.iterdir())
    finally:
        win.close()


def test_a_window_whose_csv_moved_starts_with_the_defaults_and_says_why(qtbot, tmp_path):
    from gdviz.ui.main_window import MainWindow

    moved = RunConfig(dataset=str(tmp_path / "moved.csv"), x_column="x", y_column="y")
    win = MainWindow(config=moved, settings=None)
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: "Not applied" in win.badge.text(), timeout=3000)
        assert "data file not found" in win.badge.text() and "moved.csv" in win.badge.text()
        assert win.state.config == DEFAULT_CONFIG and win.engine.info.configs[0] == DEFAULT_CONFIG
        assert win.controls.config() == DEFAULT_CONFIG
    finally:
        win.close()


# -- 13: keys belong to the lecture --------------------------------------------------------------
def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    target = window.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def test_enter_in_a_field_gives_the_keys_back(qtbot, lecture):
    # 0.1.0: after editing a field, "1" typed into it (lr = 1) instead of opening lesson 1.
    lecture.commands.open_lesson(index_of("epochs"))
    lecture.activateWindow()
    spin = lecture.controls.lr.spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=1000)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not spin.hasFocus(), timeout=1000)
    press(qtbot, lecture, Qt.Key.Key_1)
    assert lecture.state.lesson == "learning-rate-just-right"
    assert lecture.state.config.lr == LESSONS[0].config.lr


# -- 14: continue a finished run -----------------------------------------------------------------
def test_a_finished_run_continues_with_a_larger_budget(qtbot, lecture):
    # 0.1.0: raising the budget (epochs 10 -> 20) left Play disabled.
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=10)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously()
    assert not lecture.toolbar.play_action.isEnabled()
    assert lecture.commands.change_config(config.replace(epochs=20))
    assert lecture.toolbar.play_action.isEnabled()
    lecture.engine.run_synchronously()
    assert int(lecture.engine.recording.last("epoch")) == 20
    lecture.state.speed = 0
    lecture.toolbar.continue_action.trigger()  # C: ten more epochs
    qtbot.waitUntil(lambda: int(lecture.engine.recording.last("epoch")) == 30, timeout=5000)
    assert lecture.state.config.epochs == 30


# -- 15: the timeline ---------------------------------------------------------------------------
def test_a_rewound_timeline_is_shown_everywhere_and_keys_work(qtbot, lecture):
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=5)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously()
    lecture.commands.scrub_to(13)  # rows 0..12: after iteration 12
    status = lecture.status_line.plain_text()
    assert "Iteration 12 " in status and "rewound" in status
    lecture.commands.step()  # Right: one row further
    assert lecture.state.timeline == 14 and "Iteration 13 " in lecture.status_line.plain_text()
    lecture.commands.step_epoch()  # Shift+Right: to the end of epoch 2
    assert lecture.state.timeline == 21 and "batch 10 of 10" in lecture.status_line.plain_text()
    lecture.state.speed = 200
    lecture.commands.toggle_play()  # Space replays from here, then goes live
    assert lecture.commands.replay.active
    qtbot.waitUntil(lambda: lecture.state.timeline is None, timeout=3000)
    assert not lecture.commands.replay.active
    assert "Iteration 50 " in lecture.status_line.plain_text()


# -- 17: lesson speeds ----------------------------------------------------------------------------
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_lesson_plays_at_its_own_speed(lecture, lesson):
    # 0.1.0 rounded 10 -> 5, 25 -> 20, 50 -> 20, 200 -> 100 it/s without a word.
    lecture.commands.open_lesson(IDS.index(lesson.id))
    assert lecture.toolbar.speed() == lecture.engine.speed == lesson.speed


# -- 19: small faults -----------------------------------------------------------------------------
def test_the_shortcut_overview_is_one_dialog(lecture):
    from gdviz.ui.shortcuts_dialog import ShortcutsDialog

    for _ in range(3):
        lecture.show_shortcuts()
    assert len(lecture.findChildren(ShortcutsDialog)) == 1
    lecture.shortcuts_dialog.close()


def test_leaving_a_lesson_resets_the_picker_and_the_card(lecture):
    lecture.commands.open_lesson(index_of("epochs"))
    assert lecture.navigator.picker.currentIndex() == index_of("epochs") + 1
    lecture.leave_lesson()
    assert lecture.navigator.picker.currentIndex() == 0 and lecture.lesson_card.isHidden()


def test_lesson_text_is_shown_as_written(lecture):
    from gdviz.core.lessons import Lesson

    lesson = Lesson("x", 1, "Limits", "It converges when lr < 2/λmax. Above, <b> it diverges.",
                    LESSONS[0].config, ("surface",))  # fmt: skip
    lecture.lesson_card.show_lesson(lesson, 1, 12)
    text = lecture.lesson_card.text.text()
    assert "lr &lt; 2/λmax" in text and "&lt;b&gt;" in text


# -- found in review -------------------------------------------------------------------------
def test_the_learning_rate_markers_survive_opening_a_lesson(lecture):
    lecture.commands.open_lesson(index_of("learning-rate-just-right"))  # Auto MPG
    lecture.commands.open_lesson(index_of("sgd-noisy-gradient"))  # another problem
    diverge, fastest = lecture.controls.lr.slider.markers()
    assert diverge is not None and fastest is not None


def test_a_reopened_rewound_session_shows_its_place_on_the_timeline(lecture, tmp_path):
    lecture.commands.start({"config": RunConfig(dataset="synthetic", n_examples=100,
                                                batch_size=10, epochs=30)})  # fmt: skip
    lecture.engine.run_synchronously()
    lecture.commands.scrub_to(200)
    assert dialogs.save_session_as(lecture, str(tmp_path / "s.json"))
    lecture.commands.open_lesson(index_of("epochs"))
    assert dialogs.open_session(lecture, str(tmp_path / "s.json"))
    assert lecture.state.timeline == 200 and lecture.timeline.slider.value() == 200
    assert "iteration 199 of 300" in lecture.timeline.label.text()


def test_opening_a_session_stops_a_replay(qtbot, lecture, tmp_path):
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=5)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously()
    assert dialogs.save_session_as(lecture, str(tmp_path / "s.json"))
    lecture.state.speed = 5
    lecture.commands.scrub_to(5)
    lecture.commands.toggle_play()
    assert lecture.commands.replay.active
    assert dialogs.open_session(lecture, str(tmp_path / "s.json"))
    assert not lecture.commands.replay.active and lecture.state.timeline is None


def test_continuing_while_rewound_goes_live(qtbot, lecture):
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=5)
    lecture.commands.start({"config": config})
    lecture.engine.run_synchronously()
    lecture.commands.scrub_to(10)
    lecture.state.speed = 0
    assert lecture.commands.continue_training(10)
    assert lecture.state.timeline is None
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=5000)
    assert int(lecture.engine.recording.last("epoch")) == 15


def test_an_edit_of_a_diverged_run_starts_it_again(lecture):
    lecture.commands.open_lesson(index_of("learning-rate-too-large"))
    lecture.engine.run_synchronously()
    assert lecture.engine.recording.statuses[0].status == "diverged"
    run_id = lecture.engine.run_id
    assert lecture.commands.change_config(lecture.state.config.replace(lr=0.05))
    assert lecture.engine.run_id == run_id + 1 and len(lecture.engine.recording) == 1
    assert lecture.toolbar.play_action.isEnabled()


def test_continue_refuses_what_cannot_go_on(lecture, tmp_path):
    lecture.commands.open_lesson(index_of("learning-rate-too-large"))
    lecture.engine.run_synchronously()
    assert not lecture.commands.continue_training(10)
    assert "cannot go on" in lecture.badge.text()
    assert not lecture.toolbar.continue_action.isEnabled()


def test_continuing_a_comparison_goes_on_with_the_runs_at_the_newest_row(lecture):
    lecture.commands.open_lesson(index_of("batch-size"))
    lecture.engine.run_synchronously()  # SGD's 10 epochs take longest; the others ended before
    before = [r.config.epochs for r in lecture.state.compare]
    lecture.commands.continue_training(5)
    lecture.engine.run_synchronously()
    r = lecture.engine.recording
    epochs = [int(r.column("epoch", k)[r.end(k) - 1]) for k in range(3)]
    assert epochs == [before[0] + 5, before[1], before[2]]
    assert [run.config.epochs for run in lecture.state.compare] == epochs


def test_a_new_speed_while_playing_sets_the_drawing_quality(qtbot, lecture):
    # Flat out draws cheap frames (no antialiasing); at a set speed, full quality.
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=10**5)
    lecture.commands.start({"config": config})
    lecture.state.speed = 0
    lecture.engine.play()
    antialiased = lambda: lecture.loss_view.batch_curve.opts["antialias"]  # noqa: E731
    assert not antialiased()
    lecture.state.speed = 20
    assert antialiased()
    lecture.state.speed = 0
    assert not antialiased()
    lecture.engine.pause()
    qtbot.waitUntil(lambda: not lecture.engine.running, timeout=3000)
    assert antialiased()


def test_a_session_at_the_end_of_the_float_range_draws_without_warnings(lecture, tmp_path):
    # 0.1.0: a session with parameters of +-1e308 printed a RuntimeWarning from the window.
    import numpy as np

    from gdviz.core.config import build_problem, build_trainer
    from gdviz.core.session import Session, save_session

    config = RunConfig(dataset="synthetic", n_examples=40, batch_size=8, steps=6, epochs=None)
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(6)
    t = trainer.trajectory
    columns = {"step": t.step[: t.length], "ends": t.ends}
    columns.update({name: np.array(array[: t.length]) for name, array in t.fields.items()})
    columns["p1"][2:] = [[1e308], [-1e308], [1e308], [-1e308], [1e308]]
    save_session(tmp_path / "huge.json", Session(config, columns))
    assert dialogs.open_session(lecture, str(tmp_path / "huge.json"))
    lecture.frames.draw()  # RuntimeWarnings are errors in the tests
    assert "Iteration 6" in lecture.status_line.plain_text()
