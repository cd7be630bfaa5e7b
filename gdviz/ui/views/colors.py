"""Shared palette, pens and plot styling for the views.

Colours are the Okabe–Ito set (distinguishable with the common colour-vision deficiencies); text
is near-black and large, because the views are read from the back of a lecture room.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

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

TEXT = "#1A1A1A"  # near-black: full black looks harsh on some projectors
GRID_ALPHA = 0.15
LABEL_PT = 14  # axis titles (the brief asks for >= 12 pt)
TICK_PT = 12
ANNOTATION_PT = 13


def surface_colormap() -> pg.ColorMap:
    """Viridis blended 35 % toward white: perceptually ordered, yet light enough that the dark
    path, arrows and labels drawn on top stay readable on a projector."""
    base = pg.colormap.get("viridis")
    pos = np.linspace(0.0, 1.0, 16)
    rgb = np.array([base.map(p, mode="float")[:3] for p in pos])
    return pg.ColorMap(pos, ((0.65 * rgb + 0.35) * 255).astype(np.uint8))


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


def font(points: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(points)
    f.setBold(bold)
    return f


def embed_plot(widget, bottom: str = "", left: str = "") -> tuple[pg.PlotWidget, pg.PlotItem]:
    """A styled white PlotWidget filling ``widget`` (margins 0); returns it and its PlotItem."""
    from PySide6.QtWidgets import QVBoxLayout

    plot_widget = pg.PlotWidget(background="w")
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(plot_widget)
    plot = plot_widget.getPlotItem()
    style_plot(plot, bottom, left)
    return plot_widget, plot


def style_plot(plot: pg.PlotItem, bottom: str = "", left: str = "") -> None:
    """Dark, large axis text and a faint grid on a white background."""
    for name in ("bottom", "left"):
        axis = plot.getAxis(name)
        axis.setPen(pen(TEXT))
        axis.setTextPen(pen(TEXT))
        axis.setTickFont(font(TICK_PT))
        axis.label.setFont(font(LABEL_PT))
        # "(x1e+09)" in the title is unreadable at a distance, and wrong next to log ticks.
        axis.enableAutoSIPrefix(False)
    set_axis_label(plot, "bottom", bottom)
    set_axis_label(plot, "left", left)
    plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)


def set_axis_label(plot: pg.PlotItem, side: str, text: str) -> None:
    # The size goes in the label's CSS too: AxisItem.setLabel rebuilds the HTML and would
    # otherwise fall back to pyqtgraph's small default.
    plot.setLabel(side, text, **{"color": TEXT, "font-size": f"{LABEL_PT}pt"})


def place_legend(legend: pg.LegendItem, view: pg.ViewBox, x, y, margin: int = 12) -> None:
    """Anchor ``legend`` in the corner of ``view`` that covers the fewest of the points."""
    (x0, x1), (y0, y1) = view.viewRange()
    u = (np.asarray(x, float) - x0) / ((x1 - x0) or 1.0)
    v = (np.asarray(y, float) - y0) / ((y1 - y0) or 1.0)
    best, corner = None, (0, 0)
    for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):  # (right?, bottom?) in screen terms
        in_x = u > 0.6 if cx else u < 0.4
        in_y = v < 0.3 if cy else v > 0.7  # screen bottom is data low
        count = int(np.count_nonzero(in_x & in_y))
        if best is None or count < best:
            best, corner = count, (cx, cy)
    offset = (-margin if corner[0] else margin, -margin if corner[1] else margin)
    legend.anchor(itemPos=corner, parentPos=corner, offset=offset)


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
