"""The real window driven like a user: play, step, change, diverge, close — under load."""

from __future__ import annotations

import os
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.core.config import RunConfig


def step_count(win) -> int:
    return int(win.engine.recording.last("step", 0))


def wait_for_steps(qtbot, win, count, timeout=10000):
    qtbot.waitUntil(lambda: step_count(win) >= count, timeout=timeout)


def test_play_runs_iterations(qtbot, window):
    window.state.speed = 0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    wait_for_steps(qtbot, window, 200)
    assert window.engine.running or window.engine.recording.statuses[0].status == "finished"
    qtbot.keyClick(window, Qt.Key.Key_Space)  # pause
    qtbot.waitUntil(lambda: not window.engine.running, timeout=2000)
    paused_at = step_count(window)
    qtbot.wait(200)
    assert step_count(window) == paused_at


def test_step_one_iteration_and_one_epoch(qtbot, window):
    # N = 100, B = 10: an epoch is ceil(100/10) = 10 iterations.
    assert "batch 0 of 10" in window.status_line.plain_text()  # ceil(100 / 10), before any step
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: step_count(window) == 1, timeout=3000)
    assert (
        int(window.engine.recording.last("epoch")) == 1
        and int(window.engine.recording.last("batch")) == 1
    )
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: step_count(window) == 10, timeout=3000)
    assert (
        int(window.engine.recording.last("epoch")) == 1
        and int(window.engine.recording.last("batch")) == 10
    )
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: step_count(window) == 20, timeout=3000)
    assert int(window.engine.recording.last("epoch")) == 2
    # The status line is drawn with the next frame (frames are paced while a run plays).
    qtbot.waitUntil(lambda: "Iteration 20" in window.status_line.plain_text(), timeout=1000)


def test_uneven_epoch_counts_ceil(qtbot):
    from gdviz.ui.main_window import MainWindow

    config = RunConfig(dataset="synthetic", n_examples=10, batch_size=3, lr=0.05, epochs=5)
    win = MainWindow(config=config, settings=None)
    qtbot.addWidget(win)
    try:
        assert "batch 0 of 4" in win.status_line.plain_text()  # ceil(10 / 3)
        win.toolbar.epochRequested.emit()
        qtbot.waitUntil(lambda: step_count(win) == 4, timeout=3000)
        assert list(win.engine.recording.column("size")[1:]) == [3, 3, 3, 1]
    finally:
        win.close()


def test_learning_rate_change_mid_run_continues(qtbot, window):
    window.commands.start({"config": window.state.config.replace(epochs=10_000)})
    window.state.speed = 2000
    run_id = window.engine.run_id
    window.engine.play()
    wait_for_steps(qtbot, window, 50)
    window.controls.set_config(window.controls.config().replace(lr=0.2))
    window.commands.change_config(window.controls.config())
    before = step_count(window)
    wait_for_steps(qtbot, window, before + 50)
    assert window.engine.run_id == run_id  # no reset
    qtbot.waitUntil(lambda: len(window.engine.recording.markers) == 1, timeout=3000)
    step, text = window.engine.recording.markers[0]
    assert "lr" in text and step >= before - 1
    lrs = window.engine.recording.column("lr")
    assert lrs[1] == pytest.approx(0.05) and lrs[-1] == pytest.approx(0.2)


def test_learning_rate_far_above_limit_diverges(qtbot, window):
    # linear: 2 / lambda_max = 1 on standardised x
    window.commands.start({"config": window.controls.config().replace(lr=5.0, batch_size=100)})
    window.state.speed = 0
    window.engine.play()
    qtbot.waitUntil(lambda: window.badge.isVisible(), timeout=5000)
    assert window.engine.recording.statuses[0].status == "diverged"
    assert window.badge.text().startswith("Diverged at iteration")
    assert window.state.log_loss and window.toolbar.log_loss_action.isChecked()
    assert not window.toolbar.play_action.isEnabled()


def test_close_while_running_flat_out(qtbot):
    from gdviz.ui.main_window import MainWindow

    config = RunConfig(dataset="synthetic", n_examples=1000, batch_size=1, steps=10_000_000)
    win = MainWindow(config=config, settings=None)
    qtbot.addWidget(win)
    win.state.speed = 0
    win.engine.play()
    qtbot.waitUntil(lambda: step_count(win) > 1000, timeout=5000)
    started = time.perf_counter()
    win.close()
    assert time.perf_counter() - started < 1.0
    assert win.engine.is_shut_down()


def test_rapid_slider_changes_leave_one_consistent_run(qtbot, window):
    from gdviz.ui.panels.log_slider import LogSlider

    long_run = window.controls.config().replace(epochs=None, steps=100_000_000)
    window.controls.set_config(long_run)
    window.commands.start({"config": long_run})
    slider = window.controls.findChild(LogSlider)
    window.state.speed = 0
    window.engine.play()
    run_id = window.engine.run_id
    started = time.perf_counter()
    for i in range(1000):  # a lecturer dragging the learning-rate slider back and forth
        slider.setValue(100 + (i * 37) % 700)
        if i % 100 == 0:
            qtbot.wait(1)
    assert time.perf_counter() - started < 5
    final_lr = window.controls.config().lr
    qtbot.waitUntil(lambda: window.state.config.lr == pytest.approx(final_lr), timeout=3000)
    qtbot.wait(300)
    window.engine.pause()
    qtbot.waitUntil(lambda: not window.engine.running, timeout=3000)
    qtbot.wait(100)
    assert window.engine.run_id == run_id  # hyperparameter changes never reset the run
    steps = window.engine.recording.column("step")
    assert (steps == steps[0] + np.arange(len(steps))).all()  # no gap, no repeat
    assert window.engine.recording.column("lr")[-1] == pytest.approx(final_lr)
    # The debounce turned the burst into a handful of changes, each marked on the loss curve.
    assert 1 <= len(window.engine.recording.markers) <= 50


def test_long_session_does_not_abort():
    """200,000 iterations at full speed in a child process: a binding refcount bug would abort
    the interpreter (exit status -6) long before the end."""
    code = (
        "import os; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
        "from gdviz.ui.app import create_application\n"
        "from gdviz.ui.main_window import MainWindow\n"
        "from gdviz.core.config import RunConfig\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import time\n"
        "app = create_application()\n"
        "w = MainWindow(RunConfig(dataset='synthetic', n_examples=1000, batch_size=10,"
        " lr=0.01, steps=200_000), settings=None)\n"
        "w.show(); w.state.speed = 0; w.engine.play()\n"
        "t = time.time()\n"
        "while w.engine.running and time.time() - t < 240:\n"
        "    QApplication.processEvents(); time.sleep(0.002)\n"
        "QApplication.processEvents()\n"
        "print(int(w.engine.recording.last('step'))); w.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) == 200_000


def test_self_test_command(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "gdviz", "--self-test"], capture_output=True,
                            text=True, timeout=120, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    png = result.stdout.strip().splitlines()[-1]
    from PySide6.QtGui import QImage

    image = QImage(png)
    assert not image.isNull() and image.width() >= 800
    os.unlink(png)


def test_corrupted_settings_fall_back_to_defaults(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gdviz.ui.main_window import DEFAULT_CONFIG, MainWindow

    settings = QSettings(str(tmp_path / "gdviz.ini"), QSettings.Format.IniFormat)
    settings.setValue("config/last", '{"lr": -5, "bogus": [')
    settings.setValue("window/geometry", b"not a geometry")
    settings.setValue("window/state", 12345)
    settings.setValue("main_split/state", "garbage")
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert win.state.config == DEFAULT_CONFIG
    win.close()
    # Closing saved a valid configuration that the next launch reads back.
    again = MainWindow(settings=QSettings(str(tmp_path / "gdviz.ini"),
                                          QSettings.Format.IniFormat))  # fmt: skip
    qtbot.addWidget(again)
    assert again.state.config == DEFAULT_CONFIG
    again.close()


def test_worker_exception_becomes_a_visible_message(qtbot, window):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated engine fault")

    window.engine.problem.loss_grad = broken
    window.engine.play()
    qtbot.waitUntil(lambda: window.badge.isVisible(), timeout=3000)
    assert "simulated engine fault" in window.badge.text()
    assert not window.engine.running
    assert not window.engine.is_shut_down()  # the thread survived; Reset starts anew
    window.commands.start({"config": window.controls.config()})
    window.engine.step(5)
    qtbot.waitUntil(lambda: step_count(window) == 5, timeout=3000)


def test_bad_csv_keeps_the_current_run(qtbot, window, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("a,b\n1,2\n")  # one usable row
    before = window.state.config
    window.controls.set_csv_columns(str(path), ["a", "b"])
    qtbot.waitUntil(lambda: window.badge.isVisible(), timeout=3000)
    assert "at least 2" in window.badge.text()
    assert window.state.config == before
    assert window.controls.config() == before


def test_no_display_gives_a_clear_message(monkeypatch):
    from gdviz.ui import app

    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert app.run_app() == 2


def test_budget_changes_apply_to_the_running_job(qtbot, window):
    # 50 epochs of 10 iterations; cut to 3 epochs while it plays: it stops at 30. At 50 it/s
    # the cut has half a second to arrive before step 30 (at 200 it/s a busy CI machine once
    # took longer than the 0.12 s that left, and the run stood at 91 when the cut came).
    window.state.speed = 50
    window.engine.play()
    wait_for_steps(qtbot, window, 5)
    window.commands.change_config(window.controls.config().replace(epochs=3))
    qtbot.waitUntil(lambda: not window.engine.running, timeout=5000)
    assert step_count(window) == 30
    assert window.engine.recording.statuses[0].status == "finished"


def test_step_never_passes_the_budget(qtbot, window):
    window.commands.start({"config": window.controls.config().replace(epochs=None, steps=12)})
    window.engine.step(10)
    qtbot.waitUntil(lambda: step_count(window) == 10, timeout=3000)
    qtbot.waitUntil(lambda: not window.engine.running, timeout=3000)
    window.engine.step(10)
    qtbot.waitUntil(lambda: not window.engine.running and step_count(window) == 12,
                    timeout=3000)  # fmt: skip
    qtbot.wait(100)
    assert step_count(window) == 12


def test_slowing_down_keeps_running_at_the_new_speed(qtbot):
    from gdviz.ui.main_window import MainWindow

    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, steps=10_000_000)
    win = MainWindow(config=config, settings=None)
    qtbot.addWidget(win)
    try:
        win.state.speed = 0
        win.engine.play()
        wait_for_steps(qtbot, win, 20_000)
        win.state.speed = 200  # the pace counts from now: no stall, no burst
        qtbot.wait(100)
        before = step_count(win)
        qtbot.wait(500)
        done = step_count(win) - before
        assert 40 <= done <= 160, done  # ~100 in 0.5 s at 200 it/s
    finally:
        win.close()


def test_the_command_line_opens_the_window_at_a_demo(qtbot):
    from gdviz.ui.app import WindowStart, apply_start
    from gdviz.ui.main_window import MainWindow

    start = WindowStart(lesson=2, speed=0, play=True)
    win = MainWindow(config=start.config, settings=None)
    qtbot.addWidget(win)
    try:
        apply_start(win, start)
        assert win.state.lesson == "learning-rate-too-large" and win.toolbar.speed() == 0
        qtbot.waitUntil(lambda: win.engine.recording.statuses[0].status == "diverged", timeout=5000)
    finally:
        win.close()


def test_play_on_the_command_line_plays_a_csv_once_it_is_read(qtbot, tmp_path):
    # Reproduction: `gdviz --dataset FILE --play` opened at iteration 0, "ready: press
    # Space": Play came while the file was read, before there was a run to play.
    from gdviz.ui.app import WindowStart, apply_start
    from gdviz.ui.main_window import MainWindow

    path = tmp_path / "line.csv"
    x = np.arange(200, dtype=float)
    np.savetxt(path, np.column_stack([x, 2 * x + 1]), delimiter=",", header="x,y", comments="")
    config = RunConfig(dataset=str(path), x_column="x", y_column="y", batch_size=10, steps=50)
    start = WindowStart(lesson=None, speed=0, play=True, config=config)
    win = MainWindow(config=start.config, settings=None)
    qtbot.addWidget(win)
    try:
        assert win.commands.start_pending  # the file is being read
        apply_start(win, start)
        qtbot.waitUntil(lambda: win.engine.recording is not None
                        and win.engine.recording.last("step", 0) == 50, timeout=10_000)  # fmt: skip
    finally:
        win.close()


def test_the_session_is_kept_on_quit_and_reopened(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gdviz.ui import export_dialogs
    from gdviz.ui.main_window import MainWindow
    from gdviz.ui.persistence import last_session_path

    path = last_session_path()
    assert str(path).startswith(os.environ["XDG_DATA_HOME"])  # never the tester's own folder
    settings = QSettings(str(tmp_path / "gdviz.ini"), QSettings.Format.IniFormat)
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, epochs=3)
    win = MainWindow(config=config, settings=settings)
    qtbot.addWidget(win)
    win.commands.open_lesson(4)
    win.engine.run_synchronously(17)
    win.close()
    assert path.is_file()
    again = MainWindow(settings=QSettings(str(tmp_path / "gdviz.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    try:
        assert export_dialogs.reopen_last_session(again)
        assert again.state.lesson == "mini-batch-sgd" and len(again.engine.recording) == 18
    finally:
        again.close()


def test_impossible_saved_settings_fall_back_to_the_defaults_with_a_notice(qtbot, tmp_path):
    # 0.1.0: n_examples = 1e9 in the saved settings: the window never started, at every launch.
    import json

    from PySide6.QtCore import QSettings

    from gdviz.app.state import DEFAULT_CONFIG
    from gdviz.ui.main_window import MainWindow
    from gdviz.ui.persistence import CONFIG_KEY

    settings = QSettings(str(tmp_path / "gdviz.ini"), QSettings.Format.IniFormat)
    settings.setValue(CONFIG_KEY, json.dumps({**DEFAULT_CONFIG.to_dict(), "dataset": "synthetic",
                                              "n_examples": 1_000_000_000}))  # fmt: skip
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    try:
        assert win.state.config == DEFAULT_CONFIG and win.engine.info is not None
        assert "saved settings could not be used" in win.badge.text()
        assert "number of examples must be at most" in win.badge.text()
    finally:
        win.close()


def test_a_frame_is_drawn_and_painted_while_the_engine_waits(qtbot, window):
    """Flat out, the engine and a frame took turns at the GIL at every Python/C++ crossing of
    the frame; now the frame holds the engine's turn while it draws and while the window
    paints, and the engine computes no chunk meanwhile."""
    from PySide6.QtCore import QEvent

    turn = window.engine.frame_turn
    held = []
    real_set_path = window.surface_view.set_path

    def set_path(*args, **kwargs):
        held.append(("draw", turn.locked()))
        return real_set_path(*args, **kwargs)

    window.surface_view.set_path = set_path
    real_paint = window.loss_view.plot_widget.paintEvent

    def paint(event):
        held.append(("paint", turn.locked()))
        return real_paint(event)

    window.loss_view.plot_widget.paintEvent = paint
    window.state.speed = 0
    window.engine.play()
    qtbot.waitUntil(lambda: {kind for kind, _ in held} == {"draw", "paint"}, timeout=10_000)
    window.engine.pause()
    qtbot.waitUntil(lambda: not window.engine.running, timeout=10_000)
    assert held and all(locked for _, locked in held)
    assert not turn.locked()  # and given back
    window.event(QEvent(QEvent.Type.UpdateRequest))  # the window's paint, by hand
    assert not turn.locked()
