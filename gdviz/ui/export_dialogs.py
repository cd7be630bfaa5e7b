"""The File menu's sessions and exports: save and open a session (and the recent ones), pictures,
animations with a cancellable progress dialog, and CSV files.

A session is taken from and put back into the window here (:func:`window_session`,
:func:`restore_session`); a reopened session is a recording: its views show the saved run and
Reset (R) runs its configuration again.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import numpy as np
from PySide6 import QtWidgets as qw
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt
from PySide6.QtGui import QKeySequence

from gdviz.core.config import ConfigError, batch_size_of, build_problem, total_steps
from gdviz.core.data import DataError
from gdviz.core.lessons import CompareRun
from gdviz.core.session import (
    Session,
    SessionError,
    load_session,
    save_session,
    write_sweep_csv,
    write_trajectory_csv,
)
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS
from gdviz.ui import export
from gdviz.ui.run_buffer import RunBuffer

RECENT_KEY, MAX_RECENT = "sessions/recent", 8
SESSION_FILTER = "gdviz sessions (*.json);;All files (*)"
PICTURE_FILTERS = {"PNG image (*.png)": 1, "PNG image at 2x resolution (*.png)": 2,
                   "SVG drawing (*.svg)": 1}  # fmt: skip
VIEW_TITLES = {"window": "Whole window", "surface": "Loss surface", "loss": "Loss curve",
               "data": "Data", "sweep": "Learning-rate sweep"}  # fmt: skip
# Per window: (run id, statuses) of a reopened recording, and recent files without QSettings.
_RECORDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RECENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- the window <-> a Session ------------------------------------------------------------------
def settle(window, timeout_ms: int = 3000) -> None:
    """Pause the run and wait until the engine thread has delivered its last rows, so the
    buffer and the trainer's statuses agree."""
    controller = window.controller
    if not controller.running:
        return
    stopped: list = []

    def on_stopped(*_args) -> None:
        stopped.append(True)

    controller.stopped.connect(on_stopped)
    controller.pause()
    clock = QElapsedTimer()
    clock.start()
    while not stopped and clock.elapsed() < timeout_ms:
        qw.QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    controller.stopped.disconnect(on_stopped)


def buffer_trajectory(buffer) -> dict:
    """The recorded rows of a RunBuffer as session trajectory columns (copies)."""
    runs = buffer.runs
    columns = {"step": np.array(buffer.column("step"))}
    for name in INT_FIELDS + FLOAT_FIELDS:
        columns[name] = np.column_stack([buffer.column(name, k) for k in range(runs)])
    columns["ends"] = np.array([buffer.end(k) for k in range(runs)])
    columns["last_examples"] = np.asarray(buffer.last_examples, dtype=np.int64)
    return columns


def window_session(window) -> Session:
    """The window's configuration, lesson, look and recorded run as a Session (the run is
    paused first, so the rows and the statuses agree)."""
    settle(window)
    c, b, t = window.controller, window.buffer, window.toolbar
    trajectory = buffer_trajectory(b)
    views = (("surface", window.surface_view), ("loss", window.loss_view),
             ("data", window.data_view), ("sweep", window.sweep_dock))  # fmt: skip
    shown = [name for name, widget in views if not widget.isHidden()]
    index = window.navigator.index
    view = {"x_axis": t.x_axis(), "log_surface": t.log_surface(), "log_loss": t.log_loss(),
            "theme": window.theme_name, "scale": window.scale, "views": shown,
            "speed": t.speed(), "timeline": window.timeline.rows_shown}  # fmt: skip
    compare = tuple((r.label, r.config) for r in window.compare_runs) if c.comparing else ()
    # A reopened session's trainer starts afresh (run id unchanged until Reset): its statuses
    # are the recorded ones.
    run_id, recorded = _RECORDED.get(window, (None, ()))
    statuses = recorded if run_id == c.run_id else tuple(c.trainer.statuses)
    return Session(
        config=window.controls.config() if c.comparing else c.config, trajectory=trajectory,
        compare=compare, view=view, statuses=statuses, markers=tuple(b.markers),
        lesson_id=window.navigator.lessons[index].id if index is not None else None,
    )  # fmt: skip


def restore_session(window, session: Session) -> None:
    """Show ``session`` in ``window`` as it was saved. Raises SessionError, leaving the window
    as it was, when the session's problem cannot be built here (e.g. a missing CSV file)."""
    configs = [session.config] + [config for _, config in session.compare]
    try:
        problem = build_problem(session.config)
        for config in configs:  # what starting the run would check, before anything changes
            batch_size_of(config, problem)
            total_steps(config, problem)
            with np.errstate(all="ignore"):
                start = problem.full_loss(*(config.start or problem.default_start))
            if not np.all(np.isfinite(start)):
                raise ValueError("the loss at the start point is not finite")
    except (ConfigError, DataError, ValueError, OSError) as exc:
        raise SessionError(f"This session cannot be shown here: {exc}") from None
    settle(window)
    view, t = session.view, window.toolbar
    lessons = window.navigator.lessons
    index = next((i for i, lesson in enumerate(lessons) if lesson.id == session.lesson_id), None)
    window.navigator.index = index
    window.navigator.picker.setCurrentIndex(0 if index is None else index + 1)
    if index is None:
        window.lesson_card.hide()
    else:
        window.lesson_card.show_lesson(lessons[index], index + 1, len(lessons))
    window.controls.set_config(session.config)
    t.set_x_axis(view["x_axis"])
    t.set_speed(view["speed"])
    t.log_surface_action.blockSignals(True)  # its redraw would start the compared runs anew
    t.log_surface_action.setChecked(view["log_surface"])
    t.log_surface_action.blockSignals(False)
    with np.errstate(over="ignore"):  # pyqtgraph computes 10**range of a log axis: may overflow
        window._set_look(view["theme"], view["scale"])
    compare = tuple(CompareRun(label, c) for label, c in session.compare) or None
    window.start_over(session.config, compare)  # always a new run, as a lesson does
    if window.controller.config is None:  # not expected after the checks above
        raise SessionError(f"This session cannot be shown here: {window.badge.text()}")
    _load_rows(window, session)
    for name, widget in (("surface", window.surface_view), ("loss", window.loss_view),
                         ("data", window.data_view)):  # fmt: skip
        widget.setVisible(name in view["views"])
    window.right_split.setVisible(bool({"loss", "data"} & set(view["views"])))
    window.sweep_dock.setVisible("sweep" in view["views"])
    t.set_log_loss(view["log_loss"])  # after drawing, which may have switched it on
    export.show_prefix(window, view["timeline"])
    t.set_finished(True)  # a recording: Reset runs it again


def _load_rows(window, session: Session) -> None:
    """Replace the fresh run's buffer by the recorded rows and report how the runs ended."""
    data, runs = session.trajectory, session.runs
    buffer = RunBuffer(window.buffer.runs_per_epoch, max(session.rows, 2), runs=runs)
    rows = {name: data[name] for name in ("step", *INT_FIELDS, *FLOAT_FIELDS)}
    buffer.append(rows, data.get("last_examples", np.zeros(0, np.int64)), data["ends"])
    window.buffer = buffer
    _RECORDED[window] = (window.controller.run_id, session.statuses)
    for step, text in session.markers:
        buffer.markers.append((step, text))
        window.add_marker(step, text)
    if session.compare:
        window._report_divergences(session.statuses)
        window.status_line.update_compare(buffer, session.statuses,
                                          [label for label, _ in session.compare])  # fmt: skip
    else:
        window._on_controller_stopped(session.statuses)
    window._mark_dirty()
    window._redraw()


# -- menu actions -------------------------------------------------------------------------------
def add_file_actions(window, menu) -> None:
    """Sessions, the recent sessions and the Export submenu, added to ``menu`` (File)."""
    menu.addAction("&Save session…", lambda: save_session_as(window)).setShortcut(
        QKeySequence.StandardKey.Save)  # fmt: skip
    menu.addAction("Open &session…", lambda: open_session(window)).setShortcut(
        QKeySequence("Ctrl+Shift+O"))  # fmt: skip
    recent = menu.addMenu("Open &recent session")
    recent.aboutToShow.connect(lambda: _fill_recent(window, recent))
    exports = menu.addMenu("&Export")
    for name, title in VIEW_TITLES.items():
        exports.addAction(f"{title} as picture…", lambda n=name: export_picture(window, n))
    exports.addSeparator()
    exports.addAction("Animation (GIF or MP4)…", lambda: export_animation(window))
    exports.addSeparator()
    exports.addAction("Trajectory as CSV…", lambda: export_trajectory_csv(window))
    exports.addAction("Sweep as CSV…", lambda: export_sweep_csv(window))


def _problem(window, title: str, message: str) -> None:
    qw.QMessageBox.warning(window, title, message)


def _save_name(window, title: str, name: str, filters: str) -> tuple[str, str]:
    return qw.QFileDialog.getSaveFileName(window, title, name, filters)


def save_session_as(window, path: str | None = None) -> bool:
    """Save the window's session (asking for a file when ``path`` is None)."""
    path = path or _save_name(window, "Save session", "session.json", SESSION_FILTER)[0]
    if not path:
        return False
    running = window.controller.running
    try:
        save_session(path, window_session(window))
    except SessionError as exc:
        _problem(window, "Session not saved", str(exc))
        return False
    finally:
        if running:  # saving pauses for a consistent picture; the run goes on afterwards
            window.controller.play()
    _remember(window, path)
    window.statusBar().showMessage(f"Session saved to {path}", 5000)
    return True


def open_session(window, path: str | None = None) -> bool:
    """Open a session file; a bad file shows one message and leaves the window as it was."""
    if not path:
        path, _ = qw.QFileDialog.getOpenFileName(window, "Open session", "", SESSION_FILTER)
    if not path:
        return False
    try:
        restore_session(window, load_session(path))
    except SessionError as exc:
        _problem(window, "Cannot open the session", str(exc))
        return False
    _remember(window, path)
    window.statusBar().showMessage(f"Opened {Path(path).name}: a recording (R runs it again)")
    return True


def _recent(window) -> list[str]:
    if window.settings is None:
        return list(_RECENT.get(window, []))
    value = window.settings.value(RECENT_KEY, [])
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _remember(window, path: str) -> None:
    paths = [str(Path(path).resolve())]
    paths += [p for p in _recent(window) if p != paths[0]]
    if window.settings is None:
        _RECENT[window] = paths[:MAX_RECENT]
    else:
        window.settings.setValue(RECENT_KEY, paths[:MAX_RECENT])


def _fill_recent(window, menu) -> None:
    menu.clear()
    for path in _recent(window):
        menu.addAction(Path(path).name, lambda p=path: open_session(window, p)).setToolTip(path)
    menu.setToolTipsVisible(True)
    if menu.isEmpty():
        menu.addAction("No recent sessions").setEnabled(False)


def export_picture(window, view: str) -> bool:
    """Ask for a file and save a view (or the window) as PNG at 1x or 2x, or as SVG."""
    path, chosen = _save_name(window, f"Export {VIEW_TITLES[view].lower()}", f"{view}.png",
                              ";;".join(PICTURE_FILTERS))  # fmt: skip
    if not path:
        return False
    if chosen.startswith("SVG") and not path.lower().endswith(".svg"):
        path += ".svg"
    elif chosen.startswith("PNG") and not path.lower().endswith(".png"):
        path += ".png"
    try:
        widget = export.view_widget(window, view)
        export.export_picture(widget, path, PICTURE_FILTERS.get(chosen, 1))
    except export.ExportError as exc:
        _problem(window, "Picture not saved", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True


class AnimationDialog(qw.QDialog):
    """What to animate, as GIF or MP4 (disabled, saying how to get it, without ffmpeg), the
    frame rate, the length and the size."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.view = qw.QComboBox()
        for name in ("window", "surface", "loss", "data"):
            self.view.addItem(VIEW_TITLES[name], name)
        self.format = qw.QComboBox()
        self.format.addItems(["GIF", "MP4"])
        if export.ffmpeg_executable() is None:
            item = self.format.model().item(1)
            item.setEnabled(False)
            item.setToolTip(export.VIDEO_HELP)
            self.format.setToolTip(export.VIDEO_HELP)
        self.fps = qw.QSpinBox(minimum=1, maximum=export.GIF_MAX_FPS, value=20,
                               suffix=" frames/s")  # fmt: skip
        self.format.currentTextChanged.connect(lambda name: self.fps.setMaximum(
            export.GIF_MAX_FPS if name == "GIF" else export.MAX_FPS))  # fmt: skip
        self.seconds = qw.QDoubleSpinBox(minimum=0.5, maximum=60, value=5, singleStep=0.5,
                                      suffix=" s")  # fmt: skip
        self.size = qw.QComboBox()
        for percent in (100, 75, 50, 200):
            self.size.addItem(f"{percent} % of the view on screen", percent / 100)
        form = qw.QFormLayout(self)
        for label, widget in (("View", self.view), ("Format", self.format),
                              ("Frame rate", self.fps), ("Length", self.seconds),
                              ("Size", self.size)):  # fmt: skip
            form.addRow(label, widget)
        buttons = qw.QDialogButtonBox(qw.QDialogButtonBox.StandardButton.Ok
                                   | qw.QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def frames(self) -> int:
        return int(np.clip(round(self.fps.value() * self.seconds.value()), 2, export.MAX_FRAMES))


def export_animation(window, path: str | None = None, dialog: AnimationDialog | None = None):
    """Ask what and how to animate, then replay the run into a file with a progress dialog."""
    dialog = dialog or AnimationDialog(window)
    if path is None and dialog.exec() != qw.QDialog.DialogCode.Accepted:
        return False
    suffix = dialog.format.currentText().lower()
    path = path or _save_name(window, "Export animation", f"run.{suffix}",
                              f"{suffix.upper()} (*.{suffix})")[0]  # fmt: skip
    if not path:
        return False
    try:
        widget = export.view_widget(window, dialog.view.currentData())
        factor = dialog.size.currentData()
        size = (round(widget.width() * factor), round(widget.height() * factor))
        return animate_with_progress(window, widget, path, dialog.frames(),
                                     dialog.fps.value(), size, 2 if factor > 1 else 1)  # fmt: skip
    except export.ExportError as exc:
        _problem(window, "Animation not saved", str(exc))
        return False


def animate_with_progress(window, widget, path, frames: int, fps: float, size,
                          scale: int = 1) -> bool:  # fmt: skip
    """Export an animation under a modal progress dialog; Cancel leaves no file (False). A
    running run pauses while its recording is replayed, and goes on afterwards."""
    running = window.controller.running
    settle(window)
    progress = qw.QProgressDialog("Recording the animation…", "Cancel", 0, frames, window)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def report(done: int, total: int) -> bool:
        progress.setValue(done)  # a modal progress dialog also handles the Cancel click
        return not progress.wasCanceled()

    try:
        export.export_animation(window, widget, path, frames, fps, size, scale, report)
    except export.ExportCancelled:
        window.statusBar().showMessage("Animation cancelled: no file was written", 5000)
        return False
    finally:
        progress.close()
        if running:
            window.controller.play()
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True


def export_trajectory_csv(window, path: str | None = None) -> bool:
    """The recorded trajectory as CSV (``gdviz run --out`` columns; compared runs: a run
    column)."""
    path = path or _save_name(window, "Export trajectory", "trajectory.csv", "CSV (*.csv)")[0]
    if not path:
        return False
    columns = buffer_trajectory(window.buffer)  # the rows shown now; the run goes on
    names = window.controller.problem.param_names
    labels = [run.label for run in window.compare_runs or ()]
    return _write_csv(window, path, lambda h: write_trajectory_csv(h, columns, names, labels))


def export_sweep_csv(window, path: str | None = None) -> bool:
    """The latest learning-rate sweep as CSV (``gdviz sweep --out`` columns)."""
    result = window.sweep_panel.result()
    if result is None:
        _problem(window, "No sweep yet", "Show the learning-rate sweep (S) and let it finish.")
        return False
    path = path or _save_name(window, "Export sweep", "sweep.csv", "CSV (*.csv)")[0]
    return bool(path) and _write_csv(window, path, lambda h: write_sweep_csv(h, result))


def _write_csv(window, path: str, write) -> bool:
    try:
        export.write_text(path, write)
    except export.ExportError as exc:
        _problem(window, "CSV not saved", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True
