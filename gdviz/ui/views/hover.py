"""HoverReadout: the numbers under the mouse in a plot, in a small label beside the cursor.

``describe(x, y)`` (data coordinates) gives the text, or None for nothing there; the surface
says the loss at the cursor, the loss curve the iteration and both losses nearest to it. Mouse
moves are taken at most HOVER_RATE times a second (pyqtgraph's SignalProxy), and the label goes
when the mouse leaves the plot.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg

from gdviz.ui.views import colors as c

HOVER_RATE = 30  # readouts a second at most


class HoverReadout:
    """A label that follows the mouse over ``plot``'s view box."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.view = plot.getViewBox()
        self.describe: Callable[[float, float], str | None] = lambda x, y: None
        self.label = pg.TextItem(anchor=(0, 1))
        self.label.setZValue(50)
        self.label.setVisible(False)
        self.view.addItem(self.label, ignoreBounds=True)
        self._proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=HOVER_RATE,
                                     slot=self._on_moved)  # fmt: skip

    def restyle(self, look: c.Look) -> None:
        t = look.theme
        self.label.setColor(t.foreground)
        self.label.fill = c.brush(t.background, t.fill_alpha)
        self.label.setFont(look.font(c.TICK_PT))

    def text(self) -> str:
        """What the label says ("" when hidden)."""
        return self.label.textItem.toPlainText() if self.label.isVisible() else ""

    def show_at(self, x: float, y: float) -> None:
        """The readout for data point ``(x, y)`` (what a mouse move there shows)."""
        text = self.describe(x, y)
        if not text:
            self.label.setVisible(False)
            return
        if text != self.label.textItem.toPlainText():
            self.label.setText(text)
        # Left of the cursor in the right half of the view, so it never runs off the edge.
        (x0, x1), _ = self.view.viewRange()
        anchor = (1, 1) if x > (x0 + x1) / 2 else (0, 1)
        if pg.Point(anchor) != self.label.anchor:
            self.label.setAnchor(anchor)
        self.label.setPos(x, y)
        self.label.setVisible(True)

    def _on_moved(self, event) -> None:
        pos = event[0]
        if not self.view.sceneBoundingRect().contains(pos):
            self.label.setVisible(False)
            return
        point = self.view.mapSceneToView(pos)
        self.show_at(float(point.x()), float(point.y()))
