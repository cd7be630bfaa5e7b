"""Vertical lines at values the reader should find on a chart's axis (a limit, a suggested
rate, a predicted batch size). Their values are said in the chart's key (views/key.py), not in
labels on the lines: on a short chart at lecture size, labels beside neighbouring lines ran
into each other."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from gdviz.ui.views import colors as c

# How each kind of line is drawn, and the mark that stands for it in the key.
STYLES = {
    "solid": (Qt.PenStyle.SolidLine, "┃"),
    "dashed": (Qt.PenStyle.DashLine, "╌╌"),
    "dotted": (Qt.PenStyle.DotLine, "┈┈"),
}


def vertical_mark(plot: pg.PlotItem, x: float, look: c.Look, color: str,
                  style: str = "dashed") -> str:  # fmt: skip
    """A line at ``x`` (view units) in ``color`` and ``style`` (one of STYLES); returns the
    key's mark for it."""
    pen_style, mark = STYLES[style]
    line = pg.InfiniteLine(x, pen=look.pen(color, 2.5, style=pen_style))
    line.setZValue(20)
    plot.addItem(line, ignoreBounds=True)
    return mark
