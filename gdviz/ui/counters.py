"""LectureCounters: the numbers the lesson is about, big, above the views in lecture mode.

The status line has them too, at 12 pt in a corner; from the back of a room a student needs the
iteration, the epoch (which batch of how many) and the loss where the pictures are.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

COUNTER_PX = 34  # the counters' height in pixels (lecture text elsewhere is at least 20 px)


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
        font = self.font()
        font.setPixelSize(COUNTER_PX)
        font.setBold(True)
        self.setFont(font)
        self.setToolTip("Lecture mode (F5): the iteration, the epoch and the loss shown")

    def update_from(self, recording, rows: int) -> None:
        if self.isVisible():  # hidden outside lecture mode: nothing to format
            self.setText(counter_text(recording, rows))
