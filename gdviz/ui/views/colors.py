"""Shared palette, pens and plot styling for the views.

Colours are the Okabe–Ito set (distinguishable with the common colour-vision deficiencies); text
is near-black and large, because the views are read from the back of a lecture room. A
:class:`Look` (a theme at a presentation scale, see ``gdviz/ui/theme.py``) gives the views their
colours, font sizes and line widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem

if TYPE_CHECKING:
    from gdviz.ui.theme import Theme

# Okabe–Ito palette.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
WHITE = "#FFFFFF"

RUN_COLORS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE)  # compared and pinned runs
TEXT = "#1A1A1A"  # near-black: full black looks harsh on some projectors
GRID_ALPHA = 0.15
LABEL_PT = 14  # axis titles (the brief asks for >= 12 pt)
TICK_PT = 12
ANNOTATION_PT = 13
LEGEND_PT = TICK_PT + 1
LECTURE_MIN_PX = 20  # lecture mode: no text smaller than this many pixels
LECTURE_FLOOR_PT = LECTURE_MIN_PX * 72 / 96  # the same in points at 96 dpi (15 pt)


def surface_colormap(tint: str = WHITE, blend: float = 0.35) -> pg.ColorMap:
    """Viridis blended ``blend`` toward ``tint`` (by default 35 % toward white): perceptually
    ordered, yet light enough that the dark path, arrows and labels drawn on top stay readable on
    a projector. Dark themes blend toward their background instead."""
    base = pg.colormap.get("viridis")
    pos = np.linspace(0.0, 1.0, 16)
    rgb = np.array([base.map(p, mode="float")[:3] for p in pos])
    toward = np.array(QColor(tint).getRgbF()[:3])
    return pg.ColorMap(pos, np.rint(((1 - blend) * rgb + blend * toward) * 255).astype(np.uint8))


# Path markers by time or epoch, old -> new: light to strong, distinct from the viridis surface.
TIME_MAP = pg.ColorMap([0.0, 0.5, 1.0], [YELLOW, ORANGE, VERMILLION])


def qcolor(color: str, alpha: float = 1.0) -> QColor:
    """A QColor from a hex string with an alpha in [0, 1]."""
    c = QColor(color)
    c.setAlphaF(alpha)
    return c


def pen(color: str, width: float = 1.0, alpha: float = 1.0, style=Qt.PenStyle.SolidLine):
    """A cosmetic pen: ``mkPen`` pens are cosmetic, so the width is in screen pixels whatever the
    zoom, and width 1 takes Qt's fast line path (wider pens cost ~8x on long paths)."""
    p = pg.mkPen(qcolor(color, alpha), width=width, style=style)
    p.setCosmetic(True)
    return p


def brush(color: str, alpha: float = 1.0):
    return pg.mkBrush(qcolor(color, alpha))


def font(points: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(points)  # fractional: 0.75 x 14 pt must not round to a different ratio
    f.setBold(bold)
    return f


class ReadableAxis(pg.AxisItem):
    """An axis whose major tick labels never run together: pyqtgraph asks for at least 2.25
    intervals whatever the text size, and at lecture size a 220 px axis of 1,500-5,200 read
    "200030004000". The spacing grows along 1-2-2.5-5 until labels are 1.3 widths apart, as long
    as two whole labels remain (labels a space apart are kept for that), or, where even two
    labels would be closer, one: one readable label (a data view of 0-10 in 110 px at the
    largest size) says more than four run together ("2468")."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self.orientation not in ("bottom", "top") or maxVal <= minVal:
            return levels
        spacing = levels[0][0]
        metrics = QFontMetricsF(self.style["tickFont"] or QFont())
        px_per_unit = size / (maxVal - minVal)

        def labels(step: float) -> tuple[int, float]:
            """How many labels at ``step`` show whole (pyqtgraph hides those cut at an end)
            and the widest of them."""
            values = np.arange(math.ceil(minVal / step), math.floor(maxVal / step) + 1) * step
            widths = [metrics.horizontalAdvance(t) for t in self.tickStrings(values, 1.0, step)]
            inside = [w for v, w in zip(values, widths, strict=True)
                      if min(v - minVal, maxVal - v) * px_per_unit >= w / 2]  # fmt: skip
            return len(inside), max(inside or widths, default=0.0)

        current = labels(spacing)
        for _ in range(12):  # 1-2-2.5-5 steps: 10^3 times wider at most
            wider = _next_nice(spacing)
            following = labels(wider)  # measured once: the next turn's current
            widest = max(current[1], 1.0)
            apart = spacing * px_per_unit >= 1.3 * widest
            # Clear: a space between them ("20 40 60 80" 1 px apart read "20406080").
            clear = spacing * px_per_unit >= widest + metrics.horizontalAdvance(" ")
            left = following[0]
            if apart or (left < 2 and clear) or left < 1:
                break  # apart enough; or clear, and two labels only this way; or the last
            spacing, current = wider, following
        if spacing == levels[0][0]:
            return levels
        minor = spacing / (4 if _mantissa(spacing) == 2 else 5)
        return [(spacing, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):
        """On a logarithmic vertical axis, the labels of the decades, and of the ticks between
        them only where they are a line apart from every label kept: within one decade at
        lecture size pyqtgraph's "10² 9·10¹ 8·10¹ 7·10¹" ran into one another. On a linear
        axis, a spacing of 2.5 gets the decimal it needs."""
        if spacing and spacing > 0 and not self.logMode and _mantissa(spacing * scale) == 2.5:
            spacing = spacing / 10  # pyqtgraph's decimals follow the spacing: 2.5 read "2"
        strings = super().tickStrings(values, scale, spacing)
        if self.orientation not in ("left", "right") or not self.logMode or not len(values):
            return strings
        lo, hi = self.range
        if not hi > lo or self.height() <= 0:
            return strings
        px_per_unit = self.height() / (hi - lo)
        line = 1.1 * QFontMetricsF(self.style["tickFont"] or QFont()).height()
        kept = [float(v) for v in range(math.ceil(lo), math.floor(hi) + 1)]  # the decades
        shown = []
        for value, text in zip(values, strings, strict=True):
            decade = abs(value - round(value)) < 1e-9
            if decade or all(abs(value - k) * px_per_unit >= line for k in kept):
                shown.append(text)
                if not decade:
                    kept.append(float(value))
            else:
                shown.append("")
        return shown


def _mantissa(value: float) -> float:
    """1, 2, 2.5 or 5 for the spacings of _next_nice (20 -> 2, 0.25 -> 2.5)."""
    return round(value / 10 ** math.floor(math.log10(value)), 6)


def _next_nice(spacing: float) -> float:
    """The next tick spacing along 1, 2, 2.5, 5, 10: 25 labels 25 50 75 where 20 ran
    together and 50 would leave one label between the hidden end ones."""
    step = {1.0: 2.0, 2.0: 1.25, 2.5: 2.0, 5.0: 2.0}.get(_mantissa(spacing), 2.0)
    return spacing * step


def embed_plot(widget, bottom: str = "", left: str = "") -> tuple[pg.PlotWidget, pg.PlotItem]:
    """A styled white PlotWidget filling ``widget`` (margins 0); returns it and its PlotItem."""
    from PySide6.QtWidgets import QVBoxLayout

    axes = {"bottom": ReadableAxis("bottom"), "left": ReadableAxis("left")}
    plot_widget = pg.PlotWidget(background="w", axisItems=axes)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(plot_widget)
    plot = plot_widget.getPlotItem()
    style_plot(plot, bottom, left)
    return plot_widget, plot


def style_plot(plot: pg.PlotItem, bottom: str = "", left: str = "", look: Look | None = None):
    """Dark, large axis text and a faint grid on a white background (or the ``look``'s)."""
    look = look or Look()
    style_axes(plot, look)
    set_axis_label(plot, "bottom", bottom, look)
    set_axis_label(plot, "left", left, look)
    plot.showGrid(x=True, y=True, alpha=look.grid_alpha)


def style_axes(plot: pg.PlotItem, look: Look, sides=("bottom", "left")) -> None:
    """Axis lines, tick text and titles of ``plot`` in ``look``; titles keep their text."""
    for name in sides:
        axis = plot.getAxis(name)
        style_axis(axis, look)
        plain_numbers(axis)
        if axis.labelText:
            set_axis_label(plot, name, axis.labelText, look)


def plain_numbers(axis: pg.AxisItem) -> None:
    """Tick labels in plain numbers, never scaled by an SI prefix: "(x1e+09)" in a title is
    unreadable at a distance and wrong next to log ticks. pyqtgraph 0.14's
    ``enableAutoSIPrefix(False)`` still computes a scale once from the range the axis has at
    that moment (a diverged run's: 1e-9) and keeps it for ever, so the scale is reset here."""
    with np.errstate(over="ignore", invalid="ignore"):  # 10**range of a log axis may overflow
        axis.enableAutoSIPrefix(False)
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    axis.picture = None  # drawn anew with the plain scale
    axis.update()


def style_axis(axis: pg.AxisItem, look: Look) -> None:
    """Pen, tick font and title font of one axis (also the colour bar's). The axis is cached
    as a pixmap: a frame that changes only the curves blits it instead of replaying its ticks
    (and its grid lines, which span the view, so every change of the view repainted them)."""
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    axis.setPen(look.pen(look.theme.foreground, 1))
    axis.setTextPen(pen(look.theme.foreground))
    axis.setTickFont(look.font(TICK_PT))
    axis.label.setFont(look.font(LABEL_PT))
    # Tick marks and the gap to their labels grow with the text, or 2.5x labels touch the line.
    gap = 5 if axis.orientation in ("left", "right") else 2  # pyqtgraph's defaults at 1x
    axis.setStyle(tickLength=round(-5 * look.scale), tickTextOffset=round(gap * look.scale))
    # Larger text, fewer ticks: at lecture size "2000 3000 4000" ran together into one number
    # (1/scale was not enough: the labels widen with the scale and so does their spacing).
    axis.setTickDensity(min(1.0, 1.0 / look.scale**2))


def set_axis_label(plot: pg.PlotItem, side: str, text: str, look: Look | None = None) -> None:
    # The size goes in the label's CSS too: AxisItem.setLabel rebuilds the HTML and would
    # otherwise fall back to pyqtgraph's small default.
    plot.setLabel(side, text, **(look or Look()).css(LABEL_PT))


def style_points(item: pg.ScatterPlotItem, size, edge, fill=None) -> None:
    """Size (None: kept), outline and fill of every point of a scatter, also its later ones."""
    if size is not None:
        item.setSize(size)
    item.setPen(edge)
    if fill is not None:
        item.setBrush(fill)


def arrow_label_anchor(label: pg.TextItem, view: pg.ViewBox, tip, direction, side=None):
    """The anchor for ``label`` placed at an arrow's ``tip``: just beyond it, or — where the
    view's edge would push the label back over the arrow (narrow views, large presentation
    fonts) — beside the tip, toward ``side`` (default: the arrow's left-hand side).
    ``direction`` and ``side`` are unit vectors on screen, y up."""
    ux, uy = direction
    anchor, shift = _anchor_inside(label, view, tip, (0.5 - 0.6 * ux, 0.5 + 0.6 * uy))
    if shift > 0.2:
        sx, sy = (-uy, ux) if side is None else side
        anchor, _ = _anchor_inside(label, view, tip, (0.5 - 0.9 * sx, 0.5 + 0.9 * sy))
    return anchor


def _anchor_inside(label: pg.TextItem, view: pg.ViewBox, at, anchor) -> tuple[tuple, float]:
    """``anchor`` shifted so the whole label stays in the view (else it is cut off), and how
    far it moved, as a fraction of the label's size."""
    size = label.textItem.boundingRect()  # pixels: TextItem ignores the zoom
    w, h = max(size.width(), 1.0), max(size.height(), 1.0)
    point = view.mapViewToScene(QPointF(*at))
    box = view.sceneBoundingRect()
    left, top = point.x() - anchor[0] * w, point.y() - anchor[1] * h
    dx = max(0.0, box.left() - left) or min(0.0, box.right() - (left + w))
    dy = max(0.0, box.top() - top) or min(0.0, box.bottom() - (top + h))
    return (anchor[0] - dx / w, anchor[1] - dy / h), max(abs(dx) / w, abs(dy) / h)


@dataclass(frozen=True)
class Look:
    """A theme at a presentation scale: what the views draw with. Font sizes scale with
    ``scale``; line widths also with the theme's ``line_boost`` and marker sizes with its
    ``marker_boost`` (high contrast draws thicker)."""

    theme: Theme | None = None  # None: the light theme (resolved lazily: theme.py imports us)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.theme is None:
            from gdviz.ui.theme import THEMES

            object.__setattr__(self, "theme", THEMES["light"])

    @property
    def grid_alpha(self) -> float:
        return self.theme.grid_alpha

    def pt(self, points: float) -> float:
        return points * self.scale

    def width(self, width: float) -> float:
        return width * self.scale * self.theme.line_boost

    def size(self, size: float) -> float:
        return size * self.scale * self.theme.marker_boost

    def pen(self, color: str, width: float = 1.0, alpha: float = 1.0, style=Qt.PenStyle.SolidLine):
        """A cosmetic pen whose ``width`` is scaled like every line of this look."""
        return pen(color, self.width(width), alpha, style)

    def font(self, points: float, bold: bool = False) -> QFont:
        return font(self.pt(points), bold or self.theme.bold)

    def css(self, points: float) -> dict[str, str]:
        """CSS for pyqtgraph's HTML labels (axis titles): colour, size and weight."""
        style = {"color": self.theme.foreground, "font-size": f"{self.pt(points):g}pt"}
        if self.theme.bold:
            style["font-weight"] = "bold"
        return style


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def log_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Ticks for an axis in log10 units: decades (plus 2 and 5 when the range is short) labelled
    with the actual values, since pyqtgraph's log axis labels every minor tick (clutter)."""
    ticks = []
    mults = (1,) if hi - lo >= 2 else (1, 2, 5)
    every = max(1, math.ceil((hi - lo) / 8))  # at most ~8 decades labelled
    for k in range(math.floor(lo), math.ceil(hi) + 1):
        if k % every:
            continue
        for m in mults:
            pos = k + math.log10(m)
            if lo <= pos <= hi:
                text = f"{m * 10.0**k:g}" if -2 <= k <= 3 else f"10{str(k).translate(_SUPERSCRIPT)}"
                ticks.append((pos, text if m == 1 or -2 <= k <= 3 else f"{m}·{text}"))
    return ticks


def stride_indices(n: int, cap: int) -> np.ndarray:
    """Indices ``0, k, 2k, ...`` with at most about ``cap`` entries, always ending at ``n - 1``
    (the newest point must be drawn exactly where it is)."""
    if n <= cap:
        return np.arange(n)
    step = -(-n // cap)  # ceil division
    idx = np.arange(0, n, step)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def corner_text(view: pg.ViewBox) -> pg.TextItem:
    """A text in ``view``'s top-left corner, unscaled and unmoved by the view's range (a child
    of the view box itself). A TextItem, not a LabelItem: a LabelItem, a layout widget with a
    Python sizeHint, was asked for its size while being destroyed and raised there."""
    item = pg.TextItem(anchor=(0, 0))
    item.setParentItem(view)
    item.setPos(6, 4)
    item.setZValue(40)
    item.setVisible(False)
    return item
