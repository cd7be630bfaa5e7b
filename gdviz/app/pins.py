"""Pinned runs: runs kept as faded ghosts while the lecturer changes a hyperparameter and runs
again, and the one-click comparisons that run a variant beside the current run.

A :class:`Pin` is an immutable copy of what a run drew (its path and its training loss against
each x axis, decimated) with the configuration it ran with; its label says what differs from
the run shown now ("lr 0.5"). The :class:`PinBoard` owns the pins (at most MAX_PINS, the oldest
dropped first); the window's commands change it and the views observe ``board.changed``. Pins
belong to one problem: a run on other data or another surface clears them (their paths would
lie on another loss surface). Qt-free, like the application state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from gdviz.core.config import PROBLEM_FIELDS, RunConfig, short_name, short_value, summarized
from gdviz.core.recording import X_AXIS_MODES, Recording

MAX_PINS = 6
PIN_POINTS = 2000  # rows kept of a pinned run: a ghost needs its shape, not every iteration


@dataclass(frozen=True, eq=False)  # pins are told apart by identity (they hold arrays)
class Pin:
    """A run as it was pinned: ``x[mode]`` and ``loss`` its training loss curve, ``p1, p2`` its
    path, ``status`` how it ended (or ``running``), ``steps`` its last iteration."""

    config: RunConfig
    p1: np.ndarray
    p2: np.ndarray
    x: dict
    loss: np.ndarray
    status: str
    steps: int

    @classmethod
    def of(cls, recording: Recording, config: RunConfig) -> Pin:
        """A pin of run 0 of ``recording`` (every valid row, at most PIN_POINTS of them)."""
        n = recording.end(0)
        rows = recording.draw_rows(PIN_POINTS, 0, n)

        def kept(values):
            array = np.array(values, dtype=float)
            array.flags.writeable = False
            return array

        x = {mode: kept(recording.x_values(mode, rows)) for mode in X_AXIS_MODES}
        return cls(config, kept(recording.column("p1")[rows]), kept(recording.column("p2")[rows]),
                   x, kept(recording.column("loss")[rows]), recording.statuses[0].status,
                   int(recording.column("step")[n - 1]))  # fmt: skip

    def same_problem(self, config: RunConfig) -> bool:
        return all(getattr(self.config, f) == getattr(config, f) for f in PROBLEM_FIELDS)

    def label(self, current: RunConfig) -> str:
        """What this pin ran with that the current run does not: "lr 0.5, batch 1" (its own
        values), "same settings" when nothing differs."""
        parts = [f"{short_name(name)} {short_value(getattr(self.config, name), none='full')}"
                 for name in RunConfig.__dataclass_fields__
                 if name not in PROBLEM_FIELDS
                 and getattr(self.config, name) != getattr(current, name)]  # fmt: skip
        text = summarized(parts, 2) or "same settings"
        return text + (" (diverged)" if self.status == "diverged" else "")


class PinBoard:
    """The pinned runs, oldest first (module docstring)."""

    changed = Signal()

    def __init__(self) -> None:
        self.pins: tuple[Pin, ...] = ()

    def pin(self, pin: Pin) -> Pin | None:
        """Keep ``pin``; returns the pin dropped to make room (None when there was room)."""
        dropped = self.pins[0] if len(self.pins) >= MAX_PINS else None
        self.pins = (*self.pins[-(MAX_PINS - 1) :], pin)
        self.changed.emit()
        return dropped

    def clear(self) -> None:
        if self.pins:
            self.pins = ()
            self.changed.emit()

    def keep_problem(self, config: RunConfig) -> None:
        """Drop the pins of another problem than ``config``'s (another surface)."""
        kept = tuple(p for p in self.pins if p.same_problem(config))
        if kept != self.pins:
            self.pins = kept
            self.changed.emit()


# -- one-click comparisons: the current run beside a variant of it, in lockstep --------------
def _momentum(config: RunConfig) -> RunConfig:
    return config.replace(optimizer="momentum", momentum=0.9)


COMPARISONS: dict[str, Callable[[RunConfig], RunConfig]] = {
    "lr × 10": lambda c: c.replace(lr=c.lr * 10),
    "lr ÷ 10": lambda c: c.replace(lr=c.lr / 10),
    "batch 1": lambda c: c.replace(batch_size=1),
    "full batch": lambda c: c.replace(batch_size=None),
    "momentum 0.9": _momentum,
}
