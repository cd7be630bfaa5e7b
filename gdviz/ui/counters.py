"""LectureCounters: the numbers the lesson is about, big, above the views in lecture mode.

The status line has them too, at 12 pt in a corner; from the back of a room a student needs the
iteration, the epoch (which batch of how many) and the loss where the pictures are.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy

from gdviz.ui.views.colors import LECTURE_MIN_PX

COUNTER_PX = 34  # the counters' text height in pixels (lecture text elsewhere is at least 20 px)
MIN_PX = LECTURE_MIN_PX  # shrunk to fit a narrow window, never below lecture mode's smallest


def counter_text(recording, rows: int) -> str:
    """``Iteration 1,234 · epoch 3, batch 4 of 10 · loss 12.34`` for the last of ``rows`` rows
    of run 0 (compared runs: iteration and epoch only, their losses are in the legend)."""
    row = max(min(rows, recording.end(0)) - 1, 0)
    step = int(recording.column("step")[row])
    epoch, batch = int(recording.column("epoch")[row]), int(recording.column("batch")[row])
    per_epoch = int(recording.column("epoch_iterations")[row])
    parts = [f"Iteration {step:,}"]
    if epoch:
        parts.append(f"epoch {epoch}, batch {batch} of {per_epoch}")
    if recording.runs == 1:
        loss = float(recording.column("loss")[row])
        parts.append(f"loss {loss:.4g}" if math.isfinite(loss) else "loss diverged")
    return "   ·   ".join(parts)


class LectureCounters(QLabel):
    """One large line of counters; the window shows it in lecture mode only."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("lectureCounters")
        # Its text must never widen the window (a label's minimum width is its text's: a long
        # loss pushed a maximised window past the screen's edge): the text shrinks instead.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._set_pixels(COUNTER_PX)
        self.setToolTip("Lecture mode (F5): the iteration, the epoch and the loss shown")

    def _set_pixels(self, pixels: int) -> None:
        font = self.font()
        font.setPixelSize(pixels)
        font.setBold(True)
        self.setFont(font)
        self.setFixedHeight(round(pixels * 1.5))

    def update_from(self, recording, rows: int) -> None:
        if self.isVisible():  # hidden outside lecture mode: nothing to format
            self.setText(counter_text(recording, rows))
            self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """COUNTER_PX, or smaller (never under MIN_PX) where the line would be cut off."""
        font = QFont(self.font())
        font.setPixelSize(COUNTER_PX)
        wide = QFontMetrics(font).horizontalAdvance(self.text()) + 16
        pixels = max(MIN_PX, min(COUNTER_PX, int(COUNTER_PX * self.width() / max(wide, 1))))
        if pixels != self.font().pixelSize():
            font.setPixelSize(pixels)
            self.setFont(font)
