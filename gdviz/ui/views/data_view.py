"""DataView: the training examples, the current model (a line or a sigmoid) and the examples of
the current batch; a centred message replaces the plot when there is no data."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from gdviz.ui.views import colors as c

NO_DATA_MESSAGE = "No data: an analytic surface"
CURVE_POINTS = 241  # samples of the sigmoid (a line needs only its two clipped endpoints)
JITTER = 0.04  # logistic labels 0/1 are spread vertically so overlapping points stay countable


class DataView(QWidget):
    """Scatter of examples with the model drawn over the data's x range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background="w")
        self.message = QLabel(NO_DATA_MESSAGE, alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setFont(c.font(c.LABEL_PT + 4))
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {c.TEXT}; background: white;")
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.plot_widget)
        self._stack.addWidget(self.message)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        c.style_plot(self.plot, "x", "y")
        self.plot.layout.setContentsMargins(4, 14, 14, 4)
        self.legend = self.plot.addLegend(
            offset=(12, 12),
            labelTextSize=f"{c.TICK_PT + 1}pt",
            labelTextColor=c.TEXT,
            brush=c.brush(c.WHITE, 0.85),
            pen=c.pen(c.TEXT, 1, alpha=0.4),
        )
        self.points = pg.ScatterPlotItem(
            size=8,
            pen=c.pen(c.BLUE, 1, alpha=0.6),
            brush=c.brush(c.SKY_BLUE, 0.45),
            name="examples",
        )
        self.batch = pg.ScatterPlotItem(
            size=13, pen=c.pen(c.BLACK, 1.2), brush=c.brush(c.VERMILLION), name="current batch"
        )
        self.model_line = pg.PlotCurveItem(pen=c.pen(c.BLACK, 3), name="model")
        for z, item in enumerate((self.points, self.model_line, self.batch)):
            item.setZValue(10 + z)
            # Only the data frames the view: a wild model must not zoom the examples away.
            self.plot.addItem(item, ignoreBounds=item is not self.points)
        self._x = self._y = np.zeros(0)
        self._shown_y = np.zeros(0)
        self._logistic = False

    def set_fast(self, fast: bool) -> None:
        """No grid lines while a run goes flat out: they are most of a frame's paint cost."""
        self.plot.showGrid(x=not fast, y=not fast, alpha=c.GRID_ALPHA)

    def set_data(self, x, y, x_label: str, y_label: str, logistic: bool = False) -> None:
        """The examples in the units the user knows (raw x); the view frames them."""
        self._x, self._y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
        self._logistic = bool(logistic)
        shown = self._y
        if logistic:  # fixed seed: the same data always looks the same
            shown = shown + np.random.default_rng(0).uniform(-JITTER, JITTER, shown.size)
        self._shown_y = shown
        self.points.setData(self._x, shown)
        self.batch.setData([], [])
        self.model_line.setData([], [])
        c.set_axis_label(self.plot, "bottom", x_label)
        c.set_axis_label(self.plot, "left", y_label)
        self._stack.setCurrentWidget(self.plot_widget)
        self.reset_view()

    def reset_view(self) -> None:
        if self._x.size == 0:
            return
        finite = np.isfinite(self._x) & np.isfinite(self._shown_y)
        x, y = self._x[finite], self._shown_y[finite]
        if x.size == 0:
            return
        y_range = (-0.15, 1.15) if self._logistic else (float(y.min()), float(y.max()))
        self.plot.setRange(xRange=(float(x.min()), float(x.max())), yRange=y_range, padding=0.06)
        c.place_legend(self.legend, self.plot.getViewBox(), x, y)

    def set_model(self, w, b, x_shift=0.0, x_scale=1.0, logistic: bool = False) -> None:
        """Draw ``z = w*(x - x_shift)/x_scale + b`` over the data's x range: the line ``y = z``,
        or ``sigmoid(z)`` for logistic regression. Non-finite parameters hide the model."""
        values = np.array([w, b, x_shift, x_scale], float)
        if self._x.size == 0 or not np.all(np.isfinite(values)) or x_scale == 0:
            self.model_line.setData([], [])
            return
        finite_x = self._x[np.isfinite(self._x)]
        lo, hi = float(finite_x.min()), float(finite_x.max())
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        lo, hi = lo - pad, hi + pad
        slope, offset = w / x_scale, b - w * x_shift / x_scale  # z = slope*x + offset
        if logistic:
            xs = np.linspace(lo, hi, CURVE_POINTS)
            with np.errstate(all="ignore"):  # huge z saturates tanh without warnings
                ys = 0.5 * (1.0 + np.tanh(0.5 * (slope * xs + offset)))
        else:
            xs, ys = self._clipped_line(slope, offset, lo, hi)
        ok = np.isfinite(xs) & np.isfinite(ys)
        self.model_line.setData(xs[ok], ys[ok])

    def _clipped_line(self, slope: float, offset: float, lo: float, hi: float):
        """Endpoints of the line inside a box 10 view-heights tall: exact slope on screen, and
        no 1e300 coordinates for Qt when the model has diverged."""
        (_, _), (v0, v1) = self.plot.getViewBox().viewRange()
        span = v1 - v0
        y_lo, y_hi = v0 - 10 * span, v1 + 10 * span
        if slope != 0:
            with np.errstate(all="ignore"):
                xa, xb = sorted(((y_lo - offset) / slope, (y_hi - offset) / slope))
            lo, hi = max(lo, xa), min(hi, xb)
        elif not y_lo <= offset <= y_hi:
            return np.zeros(0), np.zeros(0)
        if not hi > lo:
            return np.zeros(0), np.zeros(0)
        xs = np.array([lo, hi])
        return xs, slope * xs + offset

    def set_batch(self, indices) -> None:
        """Highlight the examples at ``indices``; an empty array removes the highlight."""
        idx = np.asarray(indices, dtype=np.int64).ravel()
        idx = idx[(idx >= 0) & (idx < self._x.size)]
        self.batch.setData(self._x[idx], self._shown_y[idx])

    def set_visible_message(self, text: str | None = NO_DATA_MESSAGE) -> None:
        """Show ``text`` centred instead of the plot (None or "" shows the plot again)."""
        if text:
            self.message.setText(text)
            self._stack.setCurrentWidget(self.message)
        else:
            self._stack.setCurrentWidget(self.plot_widget)

    def message_visible(self) -> bool:
        return self._stack.currentWidget() is self.message
