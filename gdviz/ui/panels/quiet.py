"""signals_blocked: set widgets without their change signals firing (showing a configuration is
not a user's edit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def signals_blocked(*widgets) -> Iterator[None]:
    """Block the widgets' signals for the block, then restore each one's previous state."""
    previous = [widget.blockSignals(True) for widget in widgets]
    try:
        yield
    finally:
        for widget, was_blocked in zip(widgets, previous, strict=True):
            widget.blockSignals(was_blocked)
