"""Replay: Play while the timeline is rewound replays the recording from there, at the speed the
state holds, and hands over to the live run (which goes on if it can) at the newest row."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

INSTANT = 10**9  # rows a second at speed 0 ("as fast as possible")


class Replay(QObject):
    """Moves ``state.timeline`` forward through ``engine.recording`` while active."""

    activeChanged = Signal(bool)

    def __init__(self, state, engine, parent=None) -> None:
        super().__init__(parent)
        self.state, self.engine = state, engine
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._origin = (0.0, 1)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Replay from the row the timeline shows now."""
        self._origin = (time.perf_counter(), int(self.state.timeline or 1))
        self._timer.start()
        self.activeChanged.emit(True)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.activeChanged.emit(False)

    def _on_timer_timeout(self) -> None:
        started, first = self._origin
        speed = self.state.speed or INSTANT
        rows = first + int(speed * (time.perf_counter() - started))
        if rows < len(self.engine.recording):
            self.state.timeline = rows
            return
        self.stop()
        self.state.timeline = None  # live again: the newest row
        if self.engine.can_run:
            self.engine.play()
