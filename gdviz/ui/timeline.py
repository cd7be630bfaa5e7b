"""TimelineBar: a scrubber over the recorded run. Dragging it rewinds the views to an earlier
iteration (replay); "Live" (or Play) returns to the newest iteration."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget


class TimelineBar(QWidget):
    """Emits ``scrubbed(rows)`` — show the first ``rows`` rows — or ``liveRequested``; shows the
    position the application state holds (:meth:`show_position`), it keeps none of its own."""

    scrubbed = Signal(int)
    liveRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(1, 1)
        self.slider.setToolTip(
            "Timeline of the recorded run: drag to rewind and replay it; the views follow. "
            "Play or Live returns to the newest iteration."
        )
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the arrow keys for stepping
        self.label = QLabel()
        self.label.setMinimumWidth(170)
        self.live_button = QPushButton("Live")
        self.live_button.setToolTip("Show the newest iteration again")
        self.live_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(QLabel("Timeline"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.live_button)
        self.live = True
        self._steps = None  # the iteration of each row (set_length)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.live_button.clicked.connect(self.go_live)
        self._update_label()

    def set_length(self, rows: int, steps=None) -> None:
        """The run now has ``rows`` rows (``steps``: the iteration of each, when a long run's
        thinned history has fewer rows than iterations); a live timeline follows the newest."""
        self._steps = steps
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(rows, 1))
        if self.live:
            self.slider.setValue(max(rows, 1))
        self.slider.blockSignals(False)
        self._update_label()

    def show_position(self, rows: int | None) -> None:
        """Show ``rows`` (the first rows shown) or, for None, the newest row (emits nothing)."""
        self.live = rows is None
        self.slider.blockSignals(True)
        self.slider.setValue(self.slider.maximum() if rows is None else int(rows))
        self.slider.blockSignals(False)
        self._update_label()

    def go_live(self) -> None:
        self.liveRequested.emit()

    def _on_slider_value_changed(self, value: int) -> None:
        self.live = value >= self.slider.maximum()
        self._update_label()
        if self.live:
            self.liveRequested.emit()
        else:
            self.scrubbed.emit(value)

    def _update_label(self) -> None:
        shown, total = self.slider.value() - 1, self.slider.maximum() - 1
        steps = self._steps
        if steps is not None and 0 <= shown < len(steps) and 0 <= total < len(steps):
            shown, total = int(steps[shown]), int(steps[total])
        self.label.setText(f"iteration {shown:,} of {total:,}" if not self.live
                           else f"live: iteration {total:,}")  # fmt: skip
        self.live_button.setEnabled(not self.live)
