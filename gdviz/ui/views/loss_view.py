"""LossView: batch loss and full training loss against iterations (or epochs, examples seen),
with epoch boundaries and markers where a hyperparameter changed mid-run."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from gdviz.ui.views import colors as c
from gdviz.ui.views.framing import SteppedFraming
from gdviz.ui.views.hover import HoverReadout
from gdviz.ui.views.key import PlotKey
from gdviz.ui.views.ranges import data_box, tail_start

MAX_BOUNDARIES = 200  # epoch lines drawn at most; beyond that every k-th epoch
VALUE_CAP = 1e30  # |loss| clipped here: finite for Qt and autorange, still "huge" on a log axis
DIVERGED_RATIO = 1e6  # a run whose loss grows this much counts as diverged (log-y switches on)
# Label heights (fractions of the view), cycled so neighbouring markers do not overlap.
MARKER_ROWS = (0.55, 0.45, 0.35)


def sanitize(x, y) -> tuple[np.ndarray, np.ndarray, bool]:
    """Finite x; y with +-inf clipped to +-VALUE_CAP (NaN kept: it breaks the line). Returns
    ``(x, y, diverged)`` where ``diverged`` flags infinite or exploding values."""
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    n = min(x.size, y.size)
    x, y = x[:n], y[:n]
    keep = np.isfinite(x)
    x, y = x[keep], y[keep]
    finite = y[np.isfinite(y)]
    diverged = bool(np.isinf(y).any())  # NaN is normal (the start row has no batch loss)
    if finite.size:
        scale = max(abs(float(finite[0])), 1.0)
        diverged = diverged or float(np.max(np.abs(finite))) > DIVERGED_RATIO * scale
    return x, np.clip(y, -VALUE_CAP, VALUE_CAP), diverged


class LossView(QWidget):
    """Two loss curves with their key above them; long runs are drawn with peak-preserving
    downsampling."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self._fast = False
        self.plot_widget, self.plot = c.embed_plot(self, "iteration", "loss")
        self.plot.showGrid(x=False, y=True, alpha=c.GRID_ALPHA)  # epoch lines mark x instead
        self.key = PlotKey(self.plot)
        # Batch loss: thin and translucent (it is noisy); training loss: bold on top. Peak
        # downsampling keeps the spikes of the noisy curve while drawing ~2 points per pixel,
        # which is also what makes the 2.5 px pen affordable on 10^5-point runs.
        self.batch_curve = pg.PlotDataItem(name="batch loss")
        self.loss_curve = pg.PlotDataItem(name="training loss")
        # Set on the PlotItem, not the curves: addItem copies the plot's (menu) settings over.
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        for z, curve in enumerate((self.batch_curve, self.loss_curve)):
            curve.setZValue(10 + z)
            self.plot.addItem(curve)
        # Epoch starts: ONE item of vertical segments (connect="pairs"). A pool of InfiniteLines
        # cost ~2 s of Python per 4 s of a fast run in boundingRect/paint (benchmarks/bench_gui).
        self.boundaries = pg.PlotDataItem(connect="pairs")
        self.boundaries.setZValue(1)
        self.plot.addItem(self.boundaries, ignoreBounds=True)
        self._boundary_xs = np.zeros(0)
        self._y_span = (1.0, 1.0)
        self._markers: list[pg.InfiniteLine] = []
        # The lowest loss possible (the problem's minimum), dashed: "far from done" is the gap
        # between the curve and this line.
        self._lowest: float | None = None
        self._tail = False  # set_tail
        # Its value is in the key: a label on the line covered SGD's noisy curve, which runs
        # along it, and was cut off in a narrow view at the largest size.
        self.lowest_line = pg.InfiniteLine(angle=0, movable=False)
        self.lowest_line.setZValue(5)
        self.lowest_line.setVisible(False)
        self.plot.addItem(self.lowest_line, ignoreBounds=True)
        # The view's ranges are set in steps (views/framing.py), not by pyqtgraph's autorange;
        # a pan or zoom by the user stops the following until "A" or a new run.
        self.framing = SteppedFraming(self.plot)
        self.hover = HoverReadout(self.plot)  # the iteration and both losses at the cursor
        self.hover.describe = self.describe_at
        self._x_name = "iteration"
        self.apply_style(self.look.theme, self.look.scale)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle axes, key, curves, epoch lines and markers in place for ``theme`` (a
        gdviz.ui.theme.Theme) at presentation ``scale``."""
        look = self.look = c.Look(theme, scale)
        t = theme
        self.plot_widget.setBackground(t.background)
        c.style_axes(self.plot, look)
        self.plot.layout.setContentsMargins(4, 14 * scale, 14 * scale, 4)  # edge ticks fit
        self.plot.showGrid(x=False, y=not self._fast, alpha=t.grid_alpha)
        self._show_key(look)
        self.batch_curve.setPen(look.pen(t.batch_loss, 1, alpha=t.batch_loss_alpha))
        self.loss_curve.setPen(
            c.pen(t.training_loss, 1) if self._fast else look.pen(t.training_loss, 2.5)
        )
        self.boundaries.setPen(look.pen(t.boundary, 1, alpha=t.boundary_alpha))
        for line in self._markers:
            self._style_marker(line)
        self.lowest_line.setPen(look.pen(t.foreground, 1.5, alpha=0.7, style=Qt.PenStyle.DashLine))
        self.hover.restyle(look)

    def describe_at(self, x: float, _y: float) -> str | None:
        """The row drawn nearest to ``x``: its x (iteration, epoch or examples seen) and both
        losses, e.g. "iteration 57: batch loss 1.23, training loss 0.981"."""
        xs = self.loss_curve.xData
        if xs is None or not len(xs):
            return None
        i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
        if i and abs(xs[i - 1] - x) <= abs(xs[i] - x):
            i -= 1
        where = {"epochs": f"epoch {xs[i]:.2f}",
                 "examples seen": f"{xs[i]:,.0f} examples seen"}.get(
            self._x_name, f"iteration {xs[i]:,.0f}")  # fmt: skip
        parts = [where]
        batch_x, batch_y = self.batch_curve.xData, self.batch_curve.yData
        if batch_x is not None and len(batch_x):
            j = int(np.clip(np.searchsorted(batch_x, xs[i]), 0, len(batch_x) - 1))
            if batch_x[j] == xs[i]:
                parts.append(f"batch loss {batch_y[j]:.4g}")
        parts.append(f"training loss {self.loss_curve.yData[i]:.4g}")
        return parts[0] + ": " + ", ".join(parts[1:])

    def _show_key(self, look: c.Look | None = None) -> None:
        """Both curves, and the lowest possible loss with its value when it is drawn."""
        t = self.look.theme
        entries = [(t.batch_loss, "──", "batch loss"), (t.training_loss, "━━", "training loss")]
        if self._lowest_drawn():
            entries.append((t.foreground, "╌╌", f"lowest {self._lowest:.4g}"))
        self.key.set_entries(entries, look)

    def _style_marker(self, line: pg.InfiniteLine) -> None:
        t = self.look.theme
        line.setPen(self.look.pen(t.change_marker, 1.5, style=Qt.PenStyle.DashLine))
        line.label.setColor(t.foreground)
        line.label.fill = c.brush(t.background, t.fill_alpha)
        line.label.setFont(self.look.font(c.TICK_PT))

    def set_data(self, x, batch_loss, loss, growing: bool = False, end=None) -> None:
        """``x`` per iteration (iteration, epoch or examples seen) and both losses (whether the
        y axis is logarithmic is the application state's: ``set_log_y``); ``growing``: the run
        is adding rows (its x range is given room ahead); ``end``: the x where the run will
        stop, if the whole run is to be framed from its start (views/ranges.py)."""
        xb, yb, _ = sanitize(x, batch_loss)
        xl, yl, _ = sanitize(x, loss)
        self.batch_curve.setData(xb, yb, connect="finite")
        self.loss_curve.setData(xl, yl, connect="finite")
        # Tail: the y range from the rows after the first drop (x still spans the whole run).
        first = tail_start(yl) if self._tail else 0
        tail_b = yb[xb >= xl[first]] if first else yb
        # The lowest possible loss is in the box, so its line is in view.
        lowest = [] if self._lowest is None else [self._lowest]
        box = data_box(xl if xl.size else xb, tail_b, yl[first:], lowest)
        if box is not None and box[4] is not None:
            self._y_span = box[4:]  # positive: boundaries exist on a log axis too
        self.framing.set_box(box, growing, end)
        self._turn_marker_labels()

    def follow(self) -> None:
        """Frame the curves again, and keep framing them as they grow."""
        self.framing.follow()

    def _turn_marker_labels(self) -> None:
        """Marker labels go right of their line, or left of it where they would be cut off at
        the right edge and there is more room on the left (a marker is added at the newest
        iteration, at the right edge)."""
        view = self.plot.getViewBox()
        (x0, x1), _ = view.viewRange()
        px_per_x = view.width() / ((x1 - x0) or 1.0)
        for line in self._markers:
            width = line.label.textItem.boundingRect().width()  # pixels
            right, left = (x1 - line.value()) * px_per_x, (line.value() - x0) * px_per_x
            fits = right > 1.1 * width or right >= left  # else the side with more room
            anchor = (-0.04, 0.0) if fits else (1.04, 0.0)
            if line.label.anchors[0] != anchor:
                line.label.anchors = [anchor, anchor]
                line.label.updatePosition()

    def set_fast(self, fast: bool) -> None:
        """While a run goes flat out, draw curves without antialiasing (a wide antialiased pen
        costs ~3x more per frame, benchmarks/bench_gui) and without grid lines; the still
        picture has both."""
        for curve in (self.batch_curve, self.loss_curve):
            curve.opts["antialias"] = not fast
            curve.curve.opts["antialias"] = not fast
            curve.update()
        # A wider pen leaves Qt's 1 px line path and draws segment by segment.
        t = self.look.theme
        pen = c.pen(t.training_loss, 1) if fast else self.look.pen(t.training_loss, 2.5)
        self.loss_curve.setPen(pen)
        # Grid lines are repainted with the axes on every frame and cost most of a frame.
        self._fast = fast
        self.plot.showGrid(x=False, y=not fast, alpha=self.look.grid_alpha)

    def set_x_label(self, text: str) -> None:
        # Called every frame; rebuilding the axis title's HTML only when it changes.
        self._x_name = text
        if text != self.plot.getAxis("bottom").labelText:
            c.set_axis_label(self.plot, "bottom", text, self.look)

    def set_lowest(self, loss: float | None) -> None:
        """The problem's lowest possible loss as a dashed line (None: not known, no line)."""
        finite = loss is not None and np.isfinite(loss)
        self._lowest = float(loss) if finite else None
        self._place_lowest()

    def _lowest_drawn(self) -> bool:
        """A lowest loss is known, and can be drawn on the axis (a log axis: above 0)."""
        return self._lowest is not None and (self._lowest > 0 or not self.is_log_y())

    def _place_lowest(self) -> None:
        value, shown = self._lowest, self._lowest_drawn()
        self.lowest_line.setVisible(shown)
        if shown:  # a log axis's view units are log10 (pyqtgraph maps curves, not lines)
            self.lowest_line.setValue(np.log10(value) if self.is_log_y() else value)
        self._show_key()

    def set_tail(self, on: bool) -> None:
        """Frame the loss after the first drop (SGD's noise then fills the plot; the first
        iterations run off the top), or all of it."""
        if bool(on) != self._tail:
            self._tail = bool(on)
            self.framing.new_y()

    def set_log_y(self, on: bool) -> None:
        if bool(on) != self.is_log_y():
            self.plot.setLogMode(y=bool(on))
            self._place_lowest()
            # The range in the new units now: painted with the old one, a log axis would be
            # asked for 10**(6e8) (a diverged run's linear range) and overflow.
            self.follow()
            if self.framing.box is None:
                self.plot.getViewBox().setYRange(0, 1, padding=0)

    def is_log_y(self) -> bool:
        return bool(self.plot.ctrl.logYCheck.isChecked())

    def set_epoch_boundaries(self, xs) -> None:
        """Faint vertical lines at epoch starts: at most MAX_BOUNDARIES, every k-th beyond.
        They span the data's loss range (not the axis: they must not widen autorange)."""
        xs = np.asarray(xs, float).ravel()
        xs = xs[np.isfinite(xs)]
        if xs.size > MAX_BOUNDARIES:
            xs = xs[:: -(-xs.size // MAX_BOUNDARIES)]
        self._boundary_xs = xs
        low, high = self._y_span
        self.boundaries.setData(np.repeat(xs, 2), np.tile([low, high], xs.size))

    def boundary_count(self) -> int:
        return int(self._boundary_xs.size)

    def add_marker(self, x: float, text: str) -> None:
        """A dashed vertical line with a short label, e.g. ``"lr 0.1→0.5"``."""
        row = MARKER_ROWS[len(self._markers) % len(MARKER_ROWS)]
        line = pg.InfiniteLine(
            pos=float(x),
            angle=90,
            movable=False,
            label=text,
            # The label hangs below its row: centred on it, a large font sticks out at the top.
            labelOpts={"position": row, "anchors": [(-0.04, 0.0), (-0.04, 0.0)]},
        )
        self._style_marker(line)
        line.setZValue(20)
        self.plot.addItem(line, ignoreBounds=True)
        self._markers.append(line)
        self._turn_marker_labels()

    def clear_markers(self) -> None:
        for line in self._markers:
            self.plot.removeItem(line)
        self._markers.clear()

    def marker_count(self) -> int:
        return len(self._markers)

    def clear(self) -> None:
        """Empty curves, no boundaries or markers (a new run); the y scale is kept."""
        self.batch_curve.setData([], [])
        self.loss_curve.setData([], [])
        self.set_epoch_boundaries([])
        self.clear_markers()
        self.framing.clear()
