"""Exporting an animation from the window: the dialog (what, GIF or MP4, frame rate, length,
size) and the replay into a file under a progress dialog that can cancel."""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets as qw
from PySide6.QtCore import Qt

from gdviz.ui import export
from gdviz.ui.file_prompts import VIEW_TITLES, ask_save_name, settle, warn


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
    if dialog is None:
        dialog = AnimationDialog(window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if path is None and dialog.exec() != qw.QDialog.DialogCode.Accepted:
        return False
    suffix = dialog.format.currentText().lower()
    path = path or ask_save_name(window, "Export animation", f"run.{suffix}",
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
        warn(window, "Animation not saved", str(exc))
        return False


def animate_with_progress(window, widget, path, frames: int, fps: float, size,
                          scale: int = 1) -> bool:  # fmt: skip
    """Export an animation under a modal progress dialog; Cancel leaves no file (False). A
    running run pauses while its recording is replayed, and goes on afterwards."""
    playing = settle(window)
    progress = qw.QProgressDialog("Recording the animation…", "Cancel", 0, frames, window)
    progress.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
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
        if playing:
            window.engine.play()
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True
