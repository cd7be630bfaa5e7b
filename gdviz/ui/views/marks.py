"""Labelled vertical lines on a chart: a value the reader should find on the axis (a limit, a
suggested rate, a predicted batch size), in the look's sizes, its label kept on the screen."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from gdviz.ui.views import colors as c


def vertical_mark(plot: pg.PlotItem, x: float, text: str | None, look: c.Look, color: str,
                  dashed: bool = True, height: float = 0.9) -> pg.InfiniteLine:  # fmt: skip
    """A line at ``x`` (view units) labelled ``text`` at ``height`` (0 bottom, 1 top of the
    view), beside the line on its right; the caller moves labels that would collide. No text:
    a bare line (its value said in the chart's key)."""
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    if text is None:
        line = pg.InfiniteLine(x, pen=look.pen(color, 2.5, style=style))
        line.setZValue(20)
        plot.addItem(line, ignoreBounds=True)
        return line
    line = pg.InfiniteLine(
        x, pen=look.pen(color, 2.5, style=style), label=text,
        labelOpts={"color": look.theme.foreground, "fill": c.brush(look.theme.background, 0.9),
                   "position": height, "anchors": [(-0.04, 0.5), (-0.04, 0.5)]},
    )  # fmt: skip
    line.label.setFont(look.font(c.ANNOTATION_PT + 1))
    line.setZValue(20)
    plot.addItem(line, ignoreBounds=True)
    return line


def keep_labels_inside(plot: pg.PlotItem, lines) -> None:
    """Each line's label on the line's right, or on its left where the right runs off the
    view (a label past the edge is not read)."""
    view = plot.getViewBox()
    (x0, x1), width = view.viewRange()[0], view.width()
    if width < 2 or x1 <= x0:
        return
    for line in lines:
        if line.label is None:
            continue
        at = (line.value() - x0) / (x1 - x0) * width
        right = at + line.label.boundingRect().width() + 8 < width
        anchor = (-0.04, 0.5) if right else (1.04, 0.5)
        line.label.anchors = [anchor, anchor]
        line.label.updatePosition()
