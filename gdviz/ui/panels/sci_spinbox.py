"""ScientificSpinBox: a float spin box that accepts "0.05" or "1e-3" and keeps the exact value."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

# Anything that can still grow into a float literal while being typed ("1e-" on the way to "1e-3").
_PARTIAL_FLOAT = re.compile(r"[+-]?\d*\.?\d*(?:[eE][+-]?\d*)?")


def format_number(value: float, digits: int = 4) -> str:
    """Short human form: 0.05, 1e-8 (not 1e-08), 398."""
    text = f"{value:.{digits}g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], text)


def step_125(value: float, steps: int) -> float:
    """Move ``steps`` notches along the 1-2-5 sequence (..., 0.01, 0.02, 0.05, 0.1, ...)."""
    for _ in range(abs(steps)):
        exponent = math.floor(math.log10(value))
        ladder = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
        if steps > 0:
            value = min(v for v in ladder if v > value * (1 + 1e-9))
        else:
            value = max(v for v in ladder if v < value * (1 - 1e-9))
    return float(format_number(value, 3))


class ScientificSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox for values that span orders of magnitude.

    Typing accepts plain and scientific notation; characters that cannot make a number are
    refused as they are typed, an unfinished number ("1e") reverts on Enter, and a number outside
    the range is clamped to it with ``outOfRange(typed, clamped)`` so the owner can say so. The
    arrows step along 1-2-5 (``log_step``) or by ``singleStep``.
    """

    outOfRange = Signal(float, float)

    def __init__(
        self,
        minimum: float,
        maximum: float,
        value: float,
        *,
        step: float = 0.1,
        log_step: bool = False,
        digits: int = 4,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._log_step = log_step
        self._digits = digits  # set first: Qt calls textFromValue from setDecimals/setRange
        # QDoubleSpinBox rounds every value to `decimals` places. 323 (its maximum) makes that
        # rounding a no-op, so 1e-10 or 0.0123456789 survive a set_config / config round trip.
        self.setDecimals(323)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        # Apply "1e-3" on Enter or focus-out, not "1", then "1e", ... while it is being typed.
        self.setKeyboardTracking(False)
        self.setValue(value)

    def textFromValue(self, value: float) -> str:
        return format_number(value, self._digits)

    def valueFromText(self, text: str) -> float:
        # The display is rounded; re-reading unchanged text must not round the exact value.
        if text == self.textFromValue(self.value()):
            return self.value()
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        if not _PARTIAL_FLOAT.fullmatch(text.strip()):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if math.isfinite(value) and self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        """Called by Qt on Enter / focus-out with an out-of-range or unfinished number."""
        try:
            typed = float(text)
        except ValueError:
            return text  # not a number yet: Qt restores the previous value
        if not math.isfinite(typed):
            return text
        clamped = min(max(typed, self.minimum()), self.maximum())
        self.outOfRange.emit(typed, clamped)
        return self.textFromValue(clamped)

    def stepBy(self, steps: int) -> None:
        if not self._log_step:
            super().stepBy(steps)
            return
        value = self.value()
        if value <= 0:
            # A log ladder has no rung at zero: the first step up lands on the smallest positive
            # 1-2-5 value the range allows.
            value = max(self.minimum(), self.singleStep()) if steps > 0 else value
        else:
            value = step_125(value, steps)
            if value < self.minimum() or (steps < 0 and value < self.singleStep()):
                value = self.minimum()
        self.setValue(min(max(value, self.minimum()), self.maximum()))
