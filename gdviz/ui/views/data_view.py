"""DataView: the training examples, the current model (a line or a sigmoid), the examples of
the current batch and those used so far in the epoch; a centred message replaces the plot when
there is no data.

The epoch's use (an EpochTally's counts) is the lesson's picture of an epoch: the examples used
so far are greyed, so with shuffling the grey fills the data exactly once per epoch; drawing
with replacement, a pick of an example already used in the epoch is ringed, and some examples
are never picked. The tooltip counts them ("38 of 100 examples seen in epoch 2").

Up to DENSITY_ABOVE examples are drawn as points. More are drawn as a density image (a 2-D
histogram, coloured as the points are, its opacity rising with the log of the count), which is
computed once per data set: a scatter spot costs pyqtgraph ~4 µs to set up and to paint in every
frame (1e6 points: 4.6 s to set, about 0.2 s a frame), and a million overlapping dots show no
more than their density does.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem, QLabel, QStackedLayout, QWidget

from gdviz.ui.views import colors as c
from gdviz.ui.views.data_paint import DataPainter, PaintViewBox
from gdviz.ui.views.key import PlotKey

NO_DATA_MESSAGE = "No data: an analytic surface"
CURVE_POINTS = 241  # samples of the sigmoid (a line needs only its two clipped endpoints)
JITTER = 0.04  # logistic labels 0/1 are spread vertically so overlapping points stay countable
DENSITY_ABOVE = 20_000  # examples; more are drawn as a density image
DENSITY_BINS = (480, 320)  # x, y: finer than a view's pixels at 1920x1080 need not be


class DataView(QWidget):
    """Scatter of examples with the model drawn over the data's x range; in paint mode
    (:meth:`set_painting`) a click adds an example, a drag moves one and a right-click removes
    one, and ``pointsEdited`` carries the new examples (DataPainter)."""

    pointsEdited = Signal(object)  # tuple of (x, y): the examples after an edit
    paintingChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self._fast = False
        axes = {"bottom": c.ReadableAxis("bottom")}
        self.plot_widget = pg.PlotWidget(viewBox=PaintViewBox(), axisItems=axes)
        self.message = QLabel(NO_DATA_MESSAGE, alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.plot_widget)
        self._stack.addWidget(self.message)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        c.style_plot(self.plot, "x", "y")
        self.key = PlotKey(self.plot, max_lines=3)  # the data keep most of a short view
        self.points = pg.ScatterPlotItem(name="examples")
        self.density = pg.ImageItem()  # many examples (see the module docstring)
        self.density.setZValue(9)
        self.plot.addItem(self.density)
        self._counts: np.ndarray | None = None  # the density's histogram, [y bin, x bin]
        # The examples change only with the data: painted once into a pixmap, blitted in each
        # frame (the model line and the batch over them change every frame).
        for still in (self.points, self.density):
            still.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.batch = pg.ScatterPlotItem(name="current batch")
        self.used = pg.ScatterPlotItem(name="used in this epoch")
        self.repeats = pg.ScatterPlotItem(name="picked again in this epoch")
        self.model_line = pg.PlotCurveItem(name="model")
        layers = (self.points, self.used, self.model_line, self.batch, self.repeats)
        for z, item in enumerate(layers):
            item.setZValue(10 + z)
            # Only the data frames the view: a wild model must not zoom the examples away.
            self.plot.addItem(item, ignoreBounds=item is not self.points)
        # A model line wholly above or below the view (a diverging run) would just vanish: a
        # mark at that edge says where it went.
        self.off_view = pg.TextItem(anchor=(0.5, 0))
        self.off_view.setZValue(20)
        self.off_view.setVisible(False)
        self.plot.addItem(self.off_view, ignoreBounds=True)
        # "38 of 100 examples seen in epoch 2": the epoch's count, in the view's corner (a label
        # of its own: counted in the key, every iteration relaid the whole key out).
        # Top left: a rising line leaves that corner empty more often than the others.
        self.count_line = c.corner_text(self.plot.getViewBox())
        self._line: tuple[float, float, float, float] | None = None  # slope, offset, x0, x1
        self.plot.getViewBox().sigRangeChanged.connect(self._mark_off_view)
        self._x = self._y = np.zeros(0)
        self._batch = np.zeros(0, np.int64)  # indices highlighted
        # (epoch, seen, repeated, batch picks repeated, replacement) as drawn; None: no tally
        self._tally: tuple | None = None
        self._full_batch = False  # set_batch
        self._shown_y = np.zeros(0)
        self._bounds: tuple[float, float, float, float] | None = None
        self._logistic = False
        self.painter = DataPainter(self.plot.getViewBox(), self.painted_points,
                                   self.pointsEdited.emit)  # fmt: skip
        self.apply_style(self.look.theme, self.look.scale)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle axes, key, examples, batch, model and the no-data message in place for
        ``theme`` (a gdviz.ui.theme.Theme) at presentation ``scale``."""
        look = self.look = c.Look(theme, scale)
        t = theme
        self.plot_widget.setBackground(t.background)
        self.message.setFont(look.font(c.LABEL_PT + 4))
        self.message.setStyleSheet(f"color: {t.foreground}; background: {t.background};")
        c.style_axes(self.plot, look)
        self.plot.layout.setContentsMargins(4, 14 * scale, 14 * scale, 4)  # edge ticks fit
        self.plot.showGrid(x=not self._fast, y=not self._fast, alpha=t.grid_alpha)
        self._show_key(look)
        edge = look.pen(t.examples_edge, 1, alpha=t.examples_edge_alpha)
        c.style_points(self.points, look.size(8), edge, c.brush(t.examples, t.examples_alpha))
        c.style_points(self.used, look.size(8), look.pen(t.used, 1), c.brush(t.used))
        c.style_points(self.batch, look.size(13), look.pen(t.batch_edge, 1.2), c.brush(t.batch))
        c.style_points(self.repeats, look.size(22), look.pen(t.repeat, 3), pg.mkBrush(None))
        self._paint_density()
        self.model_line.setPen(look.pen(t.model, 3))
        self.off_view.setColor(t.foreground)
        self.off_view.fill = c.brush(t.background, t.fill_alpha)
        self.off_view.setFont(look.font(c.ANNOTATION_PT, bold=True))
        self._style_count()

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
        self._find_bounds()
        if shown.size > DENSITY_ABOVE:
            self.points.setData([], [])
            self._count_density()
        else:
            self._counts = None
            self.points.setData(self._x, shown)
        self._paint_density()
        self.batch.setData([], [])
        self._batch = np.zeros(0, np.int64)
        self.set_tally(None)
        self.model_line.setData([], [])
        c.set_axis_label(self.plot, "bottom", x_label, self.look)
        c.set_axis_label(self.plot, "left", y_label, self.look)
        self._stack.setCurrentWidget(self.plot_widget)
        self.painter.binary = self._logistic
        if self.painting and self.can_paint:
            return  # painting: the frame stays where the lecturer is putting examples
        self.set_painting(False)
        self.reset_view()

    # -- paint mode -------------------------------------------------------------------------------
    @property
    def painting(self) -> bool:
        return self.painter.active

    @property
    def can_paint(self) -> bool:
        """Examples drawn one by one (not as a density), and a plot shown (not a message)."""
        return self._counts is None and self._stack.currentWidget() is self.plot_widget

    def set_painting(self, on: bool) -> bool:
        """Paint mode on or off; False when it cannot be on (see :attr:`can_paint`)."""
        on = bool(on) and self.can_paint
        if on != self.painting:
            self.painter.set_painting(on)
            self.paintingChanged.emit(on)
        return on

    def painted_points(self) -> np.ndarray:
        """The examples as ``(x, y)`` rows in the view's units (raw x, y as given)."""
        return np.column_stack([self._x, self._y]) if self._x.size else np.zeros((0, 2))

    @property
    def density_counts(self) -> np.ndarray | None:
        """Examples per bin of the density image, ``[y bin, x bin]`` (None: drawn as points)."""
        return self._counts

    def _find_bounds(self) -> None:
        """The finite examples' box (x0, x1, y0, y1), once per data set: every frame's model
        line and every reset of the view use it."""
        x, y = self._x, self._shown_y
        finite = np.isfinite(x) & np.isfinite(y)
        if not finite.all():  # a CSV's examples are finite: no copies then
            x, y = x[finite], y[finite]
        self._bounds = None if x.size == 0 else (
            float(x.min()), float(x.max()), float(y.min()), float(y.max()))  # fmt: skip

    def _count_density(self) -> None:
        if self._bounds is None:
            self._counts = None
            return
        x0, x1, y0, y1 = self._bounds
        x1, y1 = (x1 if x1 > x0 else x0 + 1.0), (y1 if y1 > y0 else y0 + 1.0)
        nx, ny = DENSITY_BINS  # equal bins: an index by arithmetic, 10x np.histogram2d
        with np.errstate(all="ignore"):  # non-finite examples land outside and are dropped
            ix = ((self._x - x0) * (nx / (x1 - x0))).astype(np.int32)
            iy = ((self._shown_y - y0) * (ny / (y1 - y0))).astype(np.int32)
        np.minimum(ix, nx - 1, out=ix)
        np.minimum(iy, ny - 1, out=iy)
        inside = (ix >= 0) & (iy >= 0)
        iy *= nx
        iy += ix
        # Rows are y: the row-major image of pyqtgraph's configuration.
        self._counts = np.bincount(iy[inside], minlength=nx * ny).reshape(ny, nx)
        self._density_rect = (x0, y0, x1 - x0, y1 - y0)

    def _paint_density(self) -> None:
        """The histogram as an RGBA image in the theme's example colour: empty bins clear, one
        example faint, the densest bin opaque (log scale, so single points stay visible)."""
        if self._counts is None:
            self.density.clear()
            self.density.hide()
            return
        color = c.qcolor(self.look.theme.examples)
        rgba = np.empty((*self._counts.shape, 4), np.uint8)
        rgba[..., :3] = (color.red(), color.green(), color.blue())
        scale = np.log1p(self._counts) / np.log1p(max(float(self._counts.max()), 1.0))
        rgba[..., 3] = np.where(self._counts > 0, 70 + 185 * scale, 0).astype(np.uint8)
        self.density.setImage(rgba, autoLevels=False)
        self.density.setRect(*self._density_rect)
        self.density.show()

    def reset_view(self) -> None:
        if self._bounds is None:
            return
        x0, x1, y0, y1 = self._bounds
        y_range = (-0.15, 1.15) if self._logistic else (y0, y1)
        self.plot.setRange(xRange=(x0, x1), yRange=y_range, padding=0.06)

    def set_model(self, w, b, x_shift=0.0, x_scale=1.0, logistic: bool = False) -> None:
        """Draw ``z = w*(x - x_shift)/x_scale + b`` over the data's x range: the line ``y = z``,
        or ``sigmoid(z)`` for logistic regression. Non-finite parameters hide the model."""
        values = np.array([w, b, x_shift, x_scale], float)
        self._line = None
        if self._bounds is None or not np.all(np.isfinite(values)) or x_scale == 0:
            self.model_line.setData([], [])
            self._mark_off_view()
            return
        lo, hi = self._bounds[:2]
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        lo, hi = lo - pad, hi + pad
        slope, offset = w / x_scale, b - w * x_shift / x_scale  # z = slope*x + offset
        if logistic:
            xs = np.linspace(lo, hi, CURVE_POINTS)
            with np.errstate(all="ignore"):  # huge z saturates tanh without warnings
                ys = 0.5 * (1.0 + np.tanh(0.5 * (slope * xs + offset)))
        else:
            self._line = (slope, offset, lo, hi)
            xs, ys = self._clipped_line(slope, offset, lo, hi)
        ok = np.isfinite(xs) & np.isfinite(ys)
        self.model_line.setData(xs[ok], ys[ok])
        self._mark_off_view()

    def off_view_side(self) -> str | None:
        """ "above" or "below" when the model line passes wholly above or below the view
        (over the x range shown), else None."""
        if self._line is None:
            return None
        slope, offset, lo, hi = self._line
        (x0, x1), (v0, v1) = self.plot.getViewBox().viewRange()
        a, b = max(lo, x0), min(hi, x1)
        if not b > a:
            return None
        with np.errstate(all="ignore"):
            ends = (slope * a + offset, slope * b + offset)
        if min(ends) > v1:
            return "above"
        if max(ends) < v0:
            return "below"
        return None

    def _mark_off_view(self, *_args) -> None:
        side = self.off_view_side()
        if side is None:
            if self.off_view.isVisible():
                self.off_view.setVisible(False)
            return
        (x0, x1), (v0, v1) = self.plot.getViewBox().viewRange()
        text = "▲ model above" if side == "above" else "▼ model below"  # short: narrow views
        if text != self.off_view.textItem.toPlainText():
            self.off_view.setText(text)
            self.off_view.setAnchor((0.5, 0) if side == "above" else (0.5, 1))
        self.off_view.setPos((x0 + x1) / 2, v1 if side == "above" else v0)
        self.off_view.setVisible(True)

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

    def set_batch(self, indices, full: bool = False) -> None:
        """Highlight the examples at ``indices``; an empty array removes the highlight.
        ``full``: every batch is all the examples (full-batch gradient descent), so none is
        highlighted (it would hide the data) and the key has no "batch" to name."""
        if bool(full) != self._full_batch:
            self._full_batch = bool(full)
            self._show_key()
        idx = np.zeros(0, np.int64) if full else np.asarray(indices, dtype=np.int64).ravel()
        idx = idx[(idx >= 0) & (idx < self._x.size)]
        if idx.size == self._batch.size and np.array_equal(idx, self._batch):
            return  # the same batch (paused, or a full batch): no new spots
        self._batch = idx
        self.batch.setData(self._x[idx], self._shown_y[idx])

    def set_tally(self, tally, replacement: bool = False) -> None:
        """Grey the examples used in the epoch in progress (``tally``: ``(epoch, counts)``, an
        EpochTally's, one count per example; None shows none: a full batch, a rewound timeline,
        counts of other data) and ring the current batch's examples picked before in it.
        ``replacement``: the batches are drawn with replacement, so picks can repeat."""
        counts = None if tally is None else np.asarray(tally[1])
        if counts is None or counts.shape != self._x.shape:
            shown = None
        else:
            again = self._batch[counts[self._batch] > 1]
            shown = (int(tally[0]), int(np.count_nonzero(counts)), int(np.sum(counts > 1)),
                     tuple(again.tolist()), bool(replacement))  # fmt: skip
        if shown == self._tally:
            return  # unchanged: no new spots (every frame while paused)
        self._tally = shown
        if shown is None:
            self.used.setData([], [])
            self.repeats.setData([], [])
        else:
            used = counts > 0
            self.used.setData(self._x[used], self._shown_y[used])
            self.repeats.setData(self._x[again], self._shown_y[again])
        self._show_key()
        self._show_count()

    def _show_count(self) -> None:
        """The count line, its text only set when it changes (each setter relays it out: at
        every frame that cost a fifth of the frame rate)."""
        text = self.tally_text()
        if not text:
            if self.count_line.isVisible():
                self.count_line.setVisible(False)
            return
        room = self.plot.getViewBox().width() - 12
        if QFontMetricsF(self._count_font).horizontalAdvance(text) > room:
            text = self.tally_text(narrow=True)
        if text != self.count_line.textItem.toPlainText():
            self.count_line.setText(text)
        if not self.count_line.isVisible():
            self.count_line.setVisible(True)

    def _style_count(self) -> None:
        self._count_font = self.look.font(c.TICK_PT)
        self.count_line.setColor(self.look.theme.foreground)
        # A short view puts it over the examples: on a backing of its own, as the keys are.
        self.count_line.fill = c.brush(self.look.theme.background, self.look.theme.fill_alpha)
        self.count_line.setFont(self._count_font)
        self._show_count()

    def tally_text(self, narrow: bool = False) -> str:
        """The epoch's use in words, e.g. "38 of 100 examples seen in epoch 2" ("" if none);
        ``narrow``: in short lines, for a narrow view (the repeats' clause was cut off)."""
        if self._tally is None:
            return ""
        epoch, seen, repeated = self._tally[:3]
        if narrow:
            lines = [f"{seen:,} of {self._x.size:,} seen", f"in epoch {epoch}"]
            return "\n".join(lines + ([f"{repeated:,} more than once"] if repeated else []))
        text = f"{seen:,} of {self._x.size:,} examples seen in epoch {epoch}"
        return text + (f", {repeated:,} of them more than once" if repeated else "")

    def _show_key(self, look: c.Look | None = None) -> None:
        """The key, in short entries that pair up on a line of a narrow column. Its entries
        change only with the configuration: a key that gained a line at the first repeat would
        make the plot jump, and one relaid out at every iteration (to count the examples used)
        cost a tenth of a core and 4 frames a second. The count is in the tooltip. ``look``:
        a new one to draw the key in (see PlotKey.set_entries)."""
        t = self.look.theme
        entries = [(t.examples_edge, "●", "examples")]
        if not self._full_batch:
            entries.append((t.batch, "●", "batch"))
        if self._tally is not None:
            entries.append((t.used, "●", "used this epoch"))
            if self._tally[4]:
                entries.append((t.repeat, "◯", "repeat"))
        self.key.set_entries([*entries, (t.model, "━━", "model")], look)
        self.plot_widget.setToolTip(self.tally_text())

    def set_visible_message(self, text: str | None = NO_DATA_MESSAGE) -> None:
        """Show ``text`` centred instead of the plot (None or "" shows the plot again)."""
        if text:
            self.message.setText(text)
            self._stack.setCurrentWidget(self.message)
            self.set_painting(False)  # no examples shown: none to paint
        else:
            self._stack.setCurrentWidget(self.plot_widget)

    def message_visible(self) -> bool:
        return self._stack.currentWidget() is self.message
