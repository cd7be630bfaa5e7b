"""PinLayer: the pinned runs drawn as faded ghosts under the current run, on the surface (their
paths) and on the loss curve (their training loss), each labelled at its end with what it ran
with that the current run does not ("lr 0.5"). Redrawn only when the pins, the x axis, the log
axis or the current settings change, never per frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gdviz.app.pins import Pin
from gdviz.ui.views import colors as c

GHOST_ALPHA = 0.6
# Each pin its own dash as well as its own colour, so that ghosts differ without colour too.
DASHES = (Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine,
          Qt.PenStyle.DashDotDotLine)  # fmt: skip
# Pins take the compared runs' colours from the third on: the current path is the theme's own.
PIN_COLORS = (*c.RUN_COLORS[2:], *c.RUN_COLORS[:2])


class PinLayer:
    """Ghost items in ``surface_plot`` and ``loss_plot`` (PlotDataItems: a log loss axis,
    set on the plot, applies to them as to the current curve)."""

    def __init__(self, surface_plot: pg.PlotItem, loss_plot: pg.PlotItem) -> None:
        self.surface_plot, self.loss_plot = surface_plot, loss_plot
        self.items: list[tuple] = []  # per pin: path, its label, loss curve, its label
        self.look = c.Look()
        self._shown: tuple = ()

    def restyle(self, look: c.Look) -> None:
        self.look = look
        self._shown = ()  # drawn again in the new look at the next show()

    def labels(self) -> list[str]:
        """The labels shown, oldest pin first (tests, and the status bar's message)."""
        return [items[1].textItem.toPlainText() for items in self.items if items[0].isVisible()]

    def show(self, pins: tuple[Pin, ...], mode: str, current, log_y: bool) -> None:
        """Draw ``pins`` against the x axis ``mode``, labelled against ``current`` (the
        RunConfig shown); ``log_y``: the loss axis is logarithmic."""
        key = (pins, mode, current, log_y, self.look)
        if key == self._shown:
            return
        self._shown = key
        while len(self.items) < len(pins):
            self.items.append(self._new_items())
        t = self.look.theme
        for k, items in enumerate(self.items):
            if k >= len(pins):
                for item in items:
                    item.setVisible(False)
                continue
            path, path_label, curve, curve_label = items
            pin, color = pins[k], PIN_COLORS[k % len(PIN_COLORS)]
            pen = self.look.pen(color, 2.5, alpha=GHOST_ALPHA, style=DASHES[k % len(DASHES)])
            path.setData(pin.p1, pin.p2, pen=pen, connect="finite")
            x, loss = pin.x[mode], pin.loss
            keep = np.isfinite(loss) & (loss > 0 if log_y else True)
            curve.setData(x[keep], loss[keep], pen=pen, connect="finite")
            text = pin.label(current)
            end = (x[keep][-1], np.log10(loss[keep][-1]) if log_y else loss[keep][-1]) if (
                keep.any()) else None  # fmt: skip
            for label, at in ((path_label, (pin.p1[-1], pin.p2[-1])), (curve_label, end)):
                label.setText(text)
                label.setColor(color)
                label.fill = c.brush(t.background, t.fill_alpha)
                label.setFont(self.look.font(c.TICK_PT, bold=True))
                if at is not None and np.all(np.isfinite(at)):
                    label.setPos(*at)
            for item in items:
                item.setVisible(True)

    def _new_items(self) -> tuple:
        made = []
        # A loss curve's label ends where the curve does (its end is often the plot's right
        # edge); a path's starts at its end.
        for plot, anchor in ((self.surface_plot, (0, 1)), (self.loss_plot, (1, 1))):
            line = pg.PlotDataItem()
            line.setZValue(8)  # under the current path and curves, over the surface
            label = pg.TextItem(anchor=anchor)
            label.setZValue(9)
            plot.addItem(line, ignoreBounds=True)
            plot.addItem(label, ignoreBounds=True)
            made += [line, label]
        return tuple(made)
