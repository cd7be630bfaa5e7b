"""SweepPlot: the sweep's chart. Final loss against log learning rate, the regions "too slow",
"converges", "oscillates", "diverges" shaded and named, the limits 2/λmax and 2/(λmin+λmax) as
dashed lines and the best rate ringed; its text is placed in pixels so nothing overlaps."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt

from gdviz.ui.panels.sci_spinbox import format_number
from gdviz.ui.views import colors as c

# Colour-blind-safe (Okabe-Ito) tints, light enough that the curve on top stays the strongest.
REGION_COLORS = {"too slow": c.SKY_BLUE, "converges": c.GREEN, "oscillates": c.YELLOW,
                 "diverges": c.VERMILLION}  # fmt: skip
REGION_ALPHA = 0.22
REGION_PT = 17  # region names are read from the back of the room
LOG_Y_RATIO = 50.0  # log-y when the finite final losses span more than this factor
LOG_Y_DECADES = 12  # on log-y, losses below max / 10^12 are drawn at that floor as ▼


class LogAxis(pg.AxisItem):
    """With ``log10 = True`` the view coordinates are log10 values: ticks at decades labelled
    with the values (colors.log_ticks), without pyqtgraph's labelled minor ticks. The plot draws
    everything in log10 units, so curve, regions, limit lines and clicks share one system."""

    log10 = False

    def tickValues(self, minVal, maxVal, size):
        if not self.log10:  # major ticks only: minor grid lines stripe the shaded regions
            return super().tickValues(minVal, maxVal, size)[:1]
        self._labels = dict(c.log_ticks(min(minVal, maxVal), max(minVal, maxVal)))
        return [(1.0, list(self._labels))]

    def tickStrings(self, values, scale, spacing):
        if not self.log10:
            return super().tickStrings(values, scale, spacing)
        return [self._labels.get(v, "") for v in values]


def _free_spot(left, w, h, tops, taken: list, points) -> float:
    """The first of ``tops`` (pixels) where the ``w x h`` box at ``left``, with a margin, covers
    none of the ``points`` ``(xs, ys)`` and no box in ``taken`` (else the one covering fewest);
    its box is added to ``taken``."""
    xs, ys = points
    best = None
    for top in tops:
        box = (left - 4, left + w + 4, top - 4, top + h + 4)
        hits = np.count_nonzero((xs > box[0]) & (xs < box[1]) & (ys > box[2]) & (ys < box[3]))
        hits += 10 * sum(box[0] < o[1] and o[0] < box[1] and box[2] < o[3] and o[2] < box[3]
                         for o in taken)  # fmt: skip
        if best is None or hits < best[0]:
            best = (hits, top, box)
        if not hits:
            break
    taken.append(best[2])
    return best[1]


class SweepPlot:
    """The chart's plot widget and the items drawn on it (see the module docstring)."""

    def __init__(self) -> None:
        self.look = c.Look()
        self.result = None
        self.curve = None
        # Drawn items, set by draw: region names (label, lo, hi), limit lines (line, prefers
        # the right side), the "best" tag (item, anchor x, x, y), the points and their y span.
        self._labels, self._lines, self._tag, self.clipped = [], [], None, False
        self._points, self._data_y = (np.zeros(0), np.zeros(0)), (0.0, 1.0)
        axes = {"bottom": LogAxis("bottom"), "left": LogAxis("left")}
        self.plot_widget = pg.PlotWidget(axisItems=axes)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.getAxis("bottom").log10 = True
        self.plot.setMouseEnabled(x=False, y=False)  # a fixed overview: a click picks a rate
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot_widget.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.plot.getViewBox().sigResized.connect(self.layout)

    def apply_style(self, theme, look: c.Look) -> None:
        self.look = look
        self.plot_widget.setBackground(theme.background)
        c.style_plot(self.plot, look=look)
        # One chart for the whole room: ticks and titles a step larger than the other views'.
        for side, title in (
            ("bottom", "learning rate (log scale)"),
            ("left", "final training loss"),
        ):
            self.plot.getAxis(side).setTickFont(look.font(c.LABEL_PT))
            self.plot.setLabel(side, title, **look.css(c.LABEL_PT + 2))
        self.plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
        self.draw(self.result, look)

    def rate_at(self, scene_pos: QPointF) -> float | None:
        """The swept rate nearest (on the log axis) to a scene position inside the plot."""
        view = self.plot.getViewBox()
        if self.result is None or not view.sceneBoundingRect().contains(scene_pos):
            return None
        x = view.mapSceneToView(scene_pos).x()
        rates = self.result.rates
        return float(rates[int(np.argmin(np.abs(np.log10(rates) - x)))])

    # -- drawing (everything in log10 units on x, and on y when log-y) ---------------------------
    def draw(self, result, look: c.Look) -> None:
        """Draw ``result`` (a SweepResult, or None for an empty plot) in ``look``."""
        self.look, self.result = look, result
        self.plot.clear()
        self._labels, self._lines, self._tag, self.clipped = [], [], None, False
        r, look, t = result, self.look, self.look.theme
        if r is None:
            return
        x, loss = np.log10(r.rates), np.asarray(r.final_loss, float)
        finite = loss[np.isfinite(loss)]
        log_y = finite.size > 0 and finite.min() > 0 and finite.max() > LOG_Y_RATIO * finite.min()
        self.plot.getAxis("left").log10 = log_y
        floor = finite.max() / 10.0**LOG_Y_DECADES if log_y else -np.inf
        below = loss < floor  # off the bottom of a log axis: drawn at the floor as ▼ ("less")
        self.clipped = bool(below.any())
        y = np.log10(np.maximum(loss, floor)) if log_y else loss
        edges = self._draw_regions(r)
        shown = slice(None) if np.isfinite(y).any() else slice(0)  # all-NaN data: a warning
        self.curve = pg.PlotDataItem(
            x[shown], y[shown], connect="finite", pen=look.pen(t.training_loss, 2.5),
            symbol=["t" if b else "o" for b in below[shown]], symbolSize=look.size(10),
            symbolBrush=c.brush(t.training_loss), symbolPen=look.pen(t.background, 1),
        )  # fmt: skip
        self.plot.addItem(self.curve)
        self._draw_limits(r)
        if r.best_lr is not None:
            self._draw_best(r, x, y)
        self._points = (x, y)
        ys = y[np.isfinite(y)]
        self._data_y = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
        self.plot.setXRange(edges[0], edges[-1], padding=0)
        self.layout()

    def _draw_regions(self, r) -> np.ndarray:
        """The shaded regions (too slow, converges, ...) with a label each; returns the x
        edges of the plot (log10 of the rates, padded at both ends)."""
        look, t = self.look, self.look.theme
        spans = r.region_spans()
        edges = np.log10([lo for lo, _, _ in spans] + [spans[-1][1]])
        pad = 0.04 * (edges[-1] - edges[0])  # the outer regions widen: room for end tick labels
        edges[0], edges[-1] = edges[0] - pad, edges[-1] + pad
        widest = {}  # each name labels only its widest span: the colour marks the others
        for span, (*_, name) in zip(pairwise(edges), spans, strict=True):
            color = REGION_COLORS[name]
            region = pg.LinearRegionItem(span, movable=False, pen=pg.mkPen(None),
                                         brush=c.brush(color, REGION_ALPHA))  # fmt: skip
            region.setHoverBrush(region.brush)
            region.setZValue(-10)
            self.plot.addItem(region, ignoreBounds=True)
            if name not in widest or span[1] - span[0] > widest[name][1] - widest[name][0]:
                widest[name] = span
        for name, span in sorted(widest.items(), key=lambda item: item[1]):
            color = REGION_COLORS[name]
            label = pg.TextItem(name, color=t.foreground, anchor=(0.5, 0),
                                fill=c.brush(color, 0.45), border=look.pen(color, 1.5))  # fmt: skip
            label.setFont(look.font(REGION_PT, bold=True))
            label.setZValue(25)  # above the limit lines
            self.plot.addItem(label, ignoreBounds=True)
            self._labels.append((label, *span))
        return edges

    def _draw_limits(self, r) -> None:
        """Dashed lines at 2/λmax and 2/(λmin+λmax) where they apply."""
        look, t = self.look, self.look.theme
        limits = ((r.lr_max_stable, "2/λmax = {}\ndiverges above", True),
                  (r.lr_fastest, "2/(λmin+λmax) = {}\nfastest", False))  # fmt: skip
        for lr, text, right in limits if r.limits_apply else ():
            if not lr:
                continue
            # Dashed lines; _layout puts each label beside its line, on the side named (the
            # diverging side for 2/λmax) when there is room.
            line = pg.InfiniteLine(
                math.log10(lr), pen=look.pen(t.foreground, 2, style=Qt.PenStyle.DashLine),
                label=text.format(format_number(lr, 3)),
                labelOpts={"color": t.foreground, "fill": c.brush(t.background, 0.95)},
            )  # fmt: skip
            line.label.setFont(look.font(c.ANNOTATION_PT + 1))
            line.setZValue(20 + len(self._lines))  # a label that must cross a line covers it
            self.plot.addItem(line, ignoreBounds=True)
            self._lines.append((line, right))

    def _draw_best(self, r, x, y) -> None:
        """A ring and a tag on the best learning rate."""
        look, t = self.look, self.look.theme
        i = int(np.flatnonzero(r.rates == r.best_lr)[0])
        ring = pg.ScatterPlotItem([x[i]], [y[i]], size=look.size(26), brush=None,
                                  pen=look.pen(t.foreground, 3))  # fmt: skip
        # Centred above the point, or flush with the nearer edge of the plot at its ends.
        where = (x[i] - x[0]) / ((x[-1] - x[0]) or 1.0)
        anchor_x = 0.5 if 0.12 < where < 0.88 else float(where > 0.5)
        fill = c.brush(t.background, t.fill_alpha)
        tag = pg.TextItem(f"best {format_number(r.best_lr, 3)}", color=t.foreground,
                          anchor=(anchor_x, 1.4), fill=fill)  # fmt: skip
        tag.setFont(look.font(c.ANNOTATION_PT + 1, bold=True))
        tag.setPos(x[i], y[i])
        self._tag = (tag, anchor_x, x[i], y[i])
        for item in (ring, tag):
            item.setZValue(30)
            self.plot.addItem(item, ignoreBounds=True)

    def layout(self, *_args) -> None:
        """Place the text in pixels: region names in rows along the top, centred on their
        region (a name that would overlap another drops a row); the y range leaves exactly that
        band free above the data. Each limit line's label goes beside its line (on its preferred
        side if it fits) at the first height below the band covering no point and no other text.
        """
        view = self.plot.getViewBox()
        (x0, x1), width, height = view.viewRange()[0], view.width(), view.height()
        if not self._labels or width < 2 or height < 2:
            return
        taken: list[tuple] = []  # boxes (left, right, top, bottom) in pixels
        none, placed = (np.zeros(0), np.zeros(0)), []
        for label, lo, hi in self._labels:
            w, h = label.boundingRect().width(), label.boundingRect().height()
            middle = ((max(lo, x0) + min(hi, x1)) / 2 - x0) / (x1 - x0) * width
            left = min(max(middle - w / 2, 4.0), width - w - 4)
            tops = [6 + row * (h + 10) for row in range(len(self._labels))]
            top = _free_spot(left, w, h, tops, taken, none)
            placed.append((label, x0 + (left + w / 2) / width * (x1 - x0), top))
        band = max(box[3] for box in taken) + 6
        headroom = min(band / height, 0.6)  # fraction of the height kept for the names
        low, high = self._data_y
        span = (high - low) or max(abs(high), 1.0)
        low, high = low - 0.05 * span, high + 0.03 * span
        top_y = high + (high - low) * headroom / (1 - headroom)
        view.setYRange(low, top_y, padding=0)
        for label, x, top in placed:
            label.setPos(x, top_y - top / height * (top_y - low))

        def pixels(x, y):
            return (x - x0) / (x1 - x0) * width, (top_y - y) / (top_y - low) * height

        points = pixels(*self._points)
        if self._tag is not None:  # keep the line labels off the "best" tag
            tag, anchor_x, x, y = self._tag
            (px, py), rect = pixels(x, y), tag.boundingRect()
            left, top = px - anchor_x * rect.width(), py - 1.4 * rect.height()
            taken.append((left, left + rect.width(), top, top + rect.height()))
        for line, right in self._lines:
            w, h = line.label.boundingRect().width(), line.label.boundingRect().height()
            at = (line.value() - x0) / (x1 - x0) * width
            right = at + w + 8 < width if right else at - w - 8 < 0
            free = height - band - h - 12
            tops = [band + 6 + free * f for f in (0.5, 0.3, 0.7, 0.1, 0.9)]
            top = _free_spot(at + 4 if right else at - 4 - w, w, h, tops, taken, points)
            anchor = (-0.04, 0.0) if right else (1.04, 0.0)
            line.label.anchors = [anchor, anchor]
            line.label.setPosition(1 - top / height)
