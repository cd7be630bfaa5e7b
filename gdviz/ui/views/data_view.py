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
        self.look = c.Look()
        self._fast = False
        self.plot_widget = pg.PlotWidget()
        self.message = QLabel(NO_DATA_MESSAGE, alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.plot_widget)
        self._stack.addWidget(self.message)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        c.style_plot(self.plot, "x", "y")
        self.legend = self.plot.addLegend(offset=(12, 12))
        self.points = pg.ScatterPlotItem(name="examples")
        self.batch = pg.ScatterPlotItem(name="current batch")
        self.model_line = pg.PlotCurveItem(name="model")
        for z, item in enumerate((self.points, self.model_line, self.batch)):
            item.setZValue(10 + z)
            # Only the data frames the view: a wild model must not zoom the examples away.
            self.plot.addItem(item, ignoreBounds=item is not self.points)
        self._x = self._y = np.zeros(0)
        self._shown_y = np.zeros(0)
        self._logistic = False
        self.plot.getViewBox().sigResized.connect(self._on_resized)
        self.apply_style(self.look.theme, self.look.scale)

    def _on_resized(self, *_args) -> None:
        c.fit_legend(self.legend, self.plot.getViewBox(), self.look)
        self._place_legend()

    def apply_style(self, theme, scale: float) -> None:
        """Restyle axes, legend, examples, batch, model and the no-data message in place for
        ``theme`` (a gdviz.ui.theme.Theme) at presentation ``scale``."""
        look = self.look = c.Look(theme, scale)
        t = theme
        self.plot_widget.setBackground(t.background)
        self.message.setFont(look.font(c.LABEL_PT + 4))
        self.message.setStyleSheet(f"color: {t.foreground}; background: {t.background};")
        c.style_axes(self.plot, look)
        self.plot.layout.setContentsMargins(4, 14 * scale, 14 * scale, 4)  # edge ticks fit
        self.plot.showGrid(x=not self._fast, y=not self._fast, alpha=t.grid_alpha)
        c.fit_legend(self.legend, self.plot.getViewBox(), look, force=True)
        edge = look.pen(t.examples_edge, 1, alpha=t.examples_edge_alpha)
        c.style_points(self.points, look.size(8), edge, c.brush(t.examples, t.examples_alpha))
        c.style_points(self.batch, look.size(13), look.pen(t.batch_edge, 1.2), c.brush(t.batch))
        self.model_line.setPen(look.pen(t.model, 3))
        self._place_legend()  # its corner depends on its (new) size

    def set_fast(self, fast: bool) -> None:
        """No grid lines while a run goes flat out: they are most of a frame's paint cost."""
        self._fast = fast
        self.plot.showGrid(x=not fast, y=not fast, alpha=self.look.grid_alpha)

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
        c.set_axis_label(self.plot, "bottom", x_label, self.look)
        c.set_axis_label(self.plot, "left", y_label, self.look)
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
        self._place_legend()

    def _place_legend(self) -> None:
        """The legend in the corner where it covers the fewest examples."""
        if self._x.size:
            c.place_legend(self.legend, self.plot.getViewBox(), self._x, self._shown_y)

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
