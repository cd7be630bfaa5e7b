"""What the File menu's actions share: a warning box, the save-file question, the names of the
views and pausing a run until its recording is complete."""

from __future__ import annotations

from PySide6 import QtWidgets as qw

VIEW_TITLES = {"window": "Whole window", "surface": "Loss surface", "loss": "Loss curve",
               "data": "Data", "sweep": "Learning-rate sweep"}  # fmt: skip


def warn(window, title: str, message: str) -> None:
    """A file could not be read or written: say why (the window stays as it was)."""
    qw.QMessageBox.warning(window, title, message)


def ask_save_name(window, title: str, name: str, filters: str) -> tuple[str, str]:
    return qw.QFileDialog.getSaveFileName(window, title, name, filters)


def settle(window, timeout_ms: int = 3000) -> bool:
    """Pause the run and wait until the engine thread has stopped and its last rows are in the
    recording, so the rows and the statuses agree. Returns whether the run was playing."""
    window.commands.replay.stop()
    playing = window.engine.playing
    window.engine.wait_until_stopped(timeout_ms)
    return playing
