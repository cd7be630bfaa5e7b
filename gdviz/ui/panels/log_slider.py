"""The learning-rate control: a logarithmic slider with stability markers, tied to a typed field."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from gdviz.ui.panels.control_tips import TIPS
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.roles import set_role

DIVERGE_COLOR = QColor("#c0392b")
FASTEST_COLOR = QColor("#1e8449")


class LogSlider(QSlider):
    """A horizontal integer slider whose positions 0..steps map to ``low..high`` on a log10 scale.

    It paints decade ticks and two optional markers on its groove: where training diverges
    (red, with the region beyond it shaded) and the fastest learning rate (green).
    """

    def __init__(self, low: float, high: float, steps: int = 1000, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._log_low, self._log_high = math.log10(low), math.log10(high)
        self.setRange(0, steps)
        self.setPageStep(steps // 20)
        self.setMinimumHeight(30)  # room for the marker triangles under the groove
        self._diverge: float | None = None
        self._fastest: float | None = None

    def value_at(self, position: float) -> float:
        """The value at a slider position, rounded to 3 significant digits (0.0123, not
        0.012302687708123818) so a dragged learning rate reads well."""
        fraction = (position - self.minimum()) / (self.maximum() - self.minimum())
        exact = 10.0 ** (self._log_low + fraction * (self._log_high - self._log_low))
        return float(format_number(exact, 3))

    def position_of(self, value: float) -> float:
        """The (fractional) slider position of a value; outside the scale it is off the ends."""
        fraction = (math.log10(value) - self._log_low) / (self._log_high - self._log_low)
        return self.minimum() + fraction * (self.maximum() - self.minimum())

    def set_markers(self, diverge: float | None, fastest: float | None) -> None:
        self._diverge, self._fastest = diverge, fastest
        self.update()

    def markers(self) -> tuple[float | None, float | None]:
        return self._diverge, self._fastest

    def _x_of(self, position: float, option: QStyleOptionSlider) -> float:
        """Pixel x of the handle centre at a position, following the style's own geometry."""
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = max(1, groove.width() - handle.width())
        fraction = (position - self.minimum()) / (self.maximum() - self.minimum())
        return groove.x() + handle.width() / 2 + fraction * span

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bottom = self.height() - 1
        # Decade ticks (1e-5, 1e-4, ..., 10) so the log scale reads like a ruler.
        painter.setPen(QPen(self.palette().mid().color(), 1))
        for decade in range(math.ceil(self._log_low), math.floor(self._log_high) + 1):
            x = self._x_of(self.position_of(10.0**decade), option)
            painter.drawLine(QPointF(x, bottom - 4), QPointF(x, bottom))
        for value, color in ((self._diverge, DIVERGE_COLOR), (self._fastest, FASTEST_COLOR)):
            if value is None or not value > 0:
                continue
            position = self.position_of(value)
            if not self.minimum() <= position <= self.maximum():
                continue  # off the scale: the label below still gives the number
            x = self._x_of(position, option)
            if color == DIVERGE_COLOR:
                # Shade the "never converges" side, faintly so the handle stays visible on it.
                shade = QColor(DIVERGE_COLOR)
                shade.setAlpha(45)
                right = (
                    self.style()
                    .subControlRect(
                        QStyle.ComplexControl.CC_Slider,
                        option,
                        QStyle.SubControl.SC_SliderGroove,
                        self,
                    )
                    .right()
                )
                painter.fillRect(int(x), 2, max(0, int(right - x)), bottom - 4, shade)
            painter.setPen(QPen(color, 2))
            painter.drawLine(QPointF(x, 2), QPointF(x, bottom - 6))
            painter.setBrush(color)
            painter.drawPolygon(
                QPolygonF([QPointF(x, bottom - 6), QPointF(x - 4, bottom), QPointF(x + 4, bottom)])
            )
        painter.end()


class LearningRateControl(QWidget):
    """Slider and typed field for the learning rate, kept in step without feedback loops."""

    valueChanged = Signal(float)

    LOW, HIGH = 1e-5, 10.0  # the slider's scale
    # Typed values may go beyond the slider: unscaled Auto MPG needs a learning rate near 1e-7
    # (a lesson in feature scaling) and a lecturer may want to show 1e2 blowing up at once.
    TYPED_LOW, TYPED_HIGH = 1e-10, 1e3

    def __init__(self, value: float = 0.1, parent=None) -> None:
        super().__init__(parent)
        self.slider = LogSlider(self.LOW, self.HIGH, 1000)
        self.slider.setToolTip(TIPS["lr_slider"])
        self.spin = ScientificSpinBox(
            self.TYPED_LOW, self.TYPED_HIGH, value, step=self.LOW, log_step=True
        )
        self.spin.setToolTip(TIPS["lr"])
        self.spin.setMinimumWidth(90)
        self.markers_label = QLabel()
        self.markers_label.setWordWrap(True)
        self.markers_label.setToolTip(
            "From the curvature of the loss at its minimum (largest and smallest eigenvalues "
            "λmax, λmin of the Hessian): plain full-batch gradient descent diverges above "
            "2/λmax and converges fastest at 2/(λmin + λmax)."
        )
        self.markers_label.hide()
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        set_role(self.hint_label, "hint")
        self.hint_label.hide()
        scale = QHBoxLayout()
        for text, align in (
            ("1e-5", Qt.AlignmentFlag.AlignLeft),
            ("1e-2", Qt.AlignmentFlag.AlignHCenter),
            ("10", Qt.AlignmentFlag.AlignRight),
        ):
            tick = QLabel(text)
            set_role(tick, "tick")
            scale.addWidget(tick, 1, align)
        row = QHBoxLayout()
        row.addWidget(QLabel("lr ="))
        row.addWidget(self.spin)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.slider)
        layout.addLayout(scale)
        layout.addWidget(self.markers_label)
        layout.addWidget(self.hint_label)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.spin.valueChanged.connect(self._on_spin_value_changed)
        self.spin.outOfRange.connect(self._on_spin_out_of_range)
        self.set_value(value)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, value: float) -> None:
        """Show a learning rate without emitting valueChanged (the slider stops at its ends for
        values off its scale; values beyond what can be typed are clamped)."""
        clamped = min(max(value, self.TYPED_LOW), self.TYPED_HIGH)
        self.spin.blockSignals(True)
        self.slider.blockSignals(True)
        self.spin.setValue(clamped)
        self.slider.setValue(round(self.slider.position_of(clamped)))
        self.slider.blockSignals(False)
        self.spin.blockSignals(False)
        if clamped != value:
            self._on_spin_out_of_range(value, clamped)
        else:
            self.hint_label.hide()

    def set_markers(self, diverge: float | None, fastest: float | None) -> None:
        """Mark 2/λmax ("diverges above") and 2/(λmin+λmax) ("fastest"); None hides a marker."""
        self.slider.set_markers(diverge, fastest)
        parts = []
        for value, color, text in (
            (diverge, DIVERGE_COLOR, "diverges above"),
            (fastest, FASTEST_COLOR, "fastest"),
        ):
            if value is not None and value > 0:
                off = "" if self.LOW <= value <= self.HIGH else " (off the scale)"
                shown = format_number(value, 3)
                if text == "fastest" and diverge and shown == format_number(diverge, 3):
                    # A very thin valley (λmin << λmax): 2/(λmin+λmax) is 2/λmax to many digits,
                    # and "fastest 1.05e-7" read as the same number as "diverges above 1.05e-7".
                    shown = "just below the limit"
                parts.append(f'<span style="color:{color.name()}">▲ {text} {shown}{off}</span>')
        self.markers_label.setText(" &nbsp; ".join(parts))
        self.markers_label.setVisible(bool(parts))

    def _on_slider_value_changed(self, position: int) -> None:
        value = self.slider.value_at(position)
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.hint_label.hide()
        self.valueChanged.emit(value)

    def _on_spin_value_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(self.slider.position_of(value)))
        self.slider.blockSignals(False)
        self.valueChanged.emit(value)

    def _on_spin_out_of_range(self, typed: float, clamped: float) -> None:
        self.hint_label.setText(
            f"The learning rate must be between {format_number(self.TYPED_LOW)} and "
            f"{format_number(self.TYPED_HIGH)}: {format_number(typed)} was changed to "
            f"{format_number(clamped)}."
        )
        self.hint_label.show()
