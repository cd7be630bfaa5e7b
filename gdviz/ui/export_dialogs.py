"""The File menu's sessions and exports: save and open a session (and the recent ones), pictures,
animations with a cancellable progress dialog, and CSV files.

A session is taken from and put back into the window here (:func:`window_session`,
:func:`restore_session`); a reopened session is a recording: its views show the saved run and
Reset (R) runs its configuration again.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from PySide6 import QtWidgets as qw
from PySide6.QtGui import QKeySequence

from gdviz.core.config import ConfigError, data_to_read
from gdviz.core.data import DataError
from gdviz.core.session import (
    Session,
    SessionError,
    load_session,
    save_session,
    write_sweep_csv,
    write_trajectory_csv,
)
from gdviz.core.session_checks import MAX_MARKERS
from gdviz.ui import animation_dialog, export
from gdviz.ui.data_reader import read_with_progress
from gdviz.ui.file_prompts import VIEW_TITLES, ask_save_name, settle, warn

RECENT_KEY, MAX_RECENT = "sessions/recent", 8
SESSION_FILTER = "gdviz sessions (*.json);;All files (*)"
PICTURE_FILTERS = {"PNG image (*.png)": 1, "PNG image at 2x resolution (*.png)": 2,
                   "SVG drawing (*.svg)": 1}  # fmt: skip
# Per window: recent files when there are no QSettings (tests, gdviz render).
_RECENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- the window <-> a Session ------------------------------------------------------------------
def window_session(window) -> Session:
    """The window's state and recording as a Session (the run is paused first, so the rows
    and the statuses agree)."""
    settle(window)
    state, recording = window.state, window.engine.recording
    if recording is None:
        raise SessionError("There is no run to save yet: the configuration could not start")
    view = state.view_settings()
    view["views"] = list(view["views"])
    return Session(
        config=state.config, trajectory=recording.columns(),
        compare=tuple((r.label, r.config) for r in state.compare), view=view,
        statuses=recording.statuses, lesson_id=state.lesson,
        markers=tuple(recording.markers)[-MAX_MARKERS:],  # the newest, if ever so many
        thinned=recording.thinned,
    )  # fmt: skip


def restore_session(window, session: Session) -> bool:
    """Show ``session`` in ``window`` as it was saved: its state, and its recording in the
    views; False when the user cancelled reading its CSV. Raises SessionError, leaving the
    window as it was, when the session's problem cannot be built here (e.g. a missing CSV)."""
    settle(window)
    try:
        problem = None
        if data_to_read(session.config):  # its CSV, read off the GUI thread first
            window.commands.drop_pending_start()
            problem = read_with_progress(window, session.config)
            if problem is None:
                return False
        window.commands.restore(session, problem)
        return True
    except (ConfigError, DataError, ValueError, OSError) as exc:
        raise SessionError(f"This session cannot be shown here: {exc}") from None


LAST_SESSION_ROWS = 2_000_000  # rows x runs: larger recordings are not kept on quit (seconds)


def keep_last_session(window, path: Path) -> bool:
    """Save the window's session to ``path`` (on quit: File > Reopen last session opens it).
    Nothing is written, and nothing said, when there is no run or it is very long."""
    recording = window.engine.recording
    if recording is None or len(recording) * recording.runs > LAST_SESSION_ROWS:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_session(path, window_session(window))
    except (SessionError, OSError, MemoryError):
        return False  # quitting goes on; the previous last session is left as it was
    return True


def reopen_last_session(window) -> bool:
    from gdviz.ui.persistence import last_session_path

    path = last_session_path()
    if not path.is_file():
        warn(window, "No last session", f"No session was kept yet ({path} does not exist).")
        return False
    return open_session(window, str(path))


# -- menu actions -------------------------------------------------------------------------------
def add_file_actions(window, menu) -> None:
    """Sessions, the recent sessions and the Export submenu, added to ``menu`` (File)."""
    menu.addAction("&Save session…", lambda: save_session_as(window)).setShortcut(
        QKeySequence.StandardKey.Save)  # fmt: skip
    menu.addAction("Open &session…", lambda: open_session(window)).setShortcut(
        QKeySequence("Ctrl+Shift+O"))  # fmt: skip
    menu.addAction("Reopen &last session", lambda: reopen_last_session(window)).setToolTip(
        "The session the window had when gdviz last quit")  # fmt: skip
    recent = menu.addMenu("Open &recent session")
    recent.aboutToShow.connect(lambda: _fill_recent(window, recent))
    exports = menu.addMenu("&Export")
    for name, title in VIEW_TITLES.items():
        exports.addAction(f"{title} as picture…", lambda n=name: export_picture(window, n))
    exports.addSeparator()
    exports.addAction("Animation (GIF or MP4)…", lambda: animation_dialog.export_animation(window))
    exports.addSeparator()
    exports.addAction("Trajectory as CSV…", lambda: export_trajectory_csv(window))
    exports.addAction("Sweep as CSV…", lambda: export_sweep_csv(window))
    exports.addAction("Data as CSV…", lambda: export_data_csv(window))


def save_session_as(window, path: str | None = None) -> bool:
    """Save the window's session (asking for a file when ``path`` is None)."""
    path = path or ask_save_name(window, "Save session", "session.json", SESSION_FILTER)[0]
    if not path:
        return False
    playing = window.engine.playing
    try:
        save_session(path, window_session(window))
    except SessionError as exc:
        warn(window, "Session not saved", str(exc))
        return False
    finally:
        if playing:  # saving pauses for a consistent picture; the run goes on afterwards
            window.engine.play()
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
        if not restore_session(window, load_session(path)):
            window.statusBar().showMessage("Opening the session was cancelled", 5000)
            return False
    except SessionError as exc:
        warn(window, "Cannot open the session", str(exc))
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
    path, chosen = ask_save_name(window, f"Export {VIEW_TITLES[view].lower()}", f"{view}.png",
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
        warn(window, "Picture not saved", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True


def export_trajectory_csv(window, path: str | None = None) -> bool:
    """The recorded trajectory as CSV (``gdviz run --out`` columns; compared runs: a run
    column)."""
    path = path or ask_save_name(window, "Export trajectory", "trajectory.csv", "CSV (*.csv)")[0]
    if not path:
        return False
    info = window.engine.info
    if info is None:
        warn(window, "No run", "There is no run to export: the configuration could not start.")
        return False
    columns = info.recording.columns()  # the rows recorded now; the run goes on
    names, labels, sharpness = info.problem.param_names, list(info.labels), info.problem.sharpness
    return _write_csv(
        window, path, lambda h: write_trajectory_csv(h, columns, names, labels, sharpness)
    )


def export_sweep_csv(window, path: str | None = None) -> bool:
    """The latest learning-rate sweep as CSV (``gdviz sweep --out`` columns)."""
    result = window.sweep_result()
    if result is None:
        warn(window, "No sweep yet", "Show the learning-rate sweep (S) and let it finish.")
        return False
    path = path or ask_save_name(window, "Export sweep", "sweep.csv", "CSV (*.csv)")[0]
    return bool(path) and _write_csv(window, path, lambda h: write_sweep_csv(h, result))


def export_data_csv(window, path: str | None = None) -> bool:
    """The run's examples as CSV, ``x,y`` as the data view shows them (raw x; painted ones
    too), one row each: gdviz --dataset FILE --x x --y y trains on them again."""
    problem = window.engine.problem
    data = getattr(problem, "data", None)
    if data is None:
        warn(window, "No data", "An analytic surface has no examples to export.")
        return False
    path = path or ask_save_name(window, "Export data", "data.csv", "CSV (*.csv)")[0]

    def write(handle) -> None:
        handle.write("x,y\n")
        for x, y in zip(data.raw_x.tolist(), data.y.tolist(), strict=True):
            handle.write(f"{x!r},{y!r}\n")

    return bool(path) and _write_csv(window, path, write)


def _write_csv(window, path: str, write) -> bool:
    try:
        export.write_text(path, write)
    except export.ExportError as exc:
        warn(window, "CSV not saved", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True
