"""Arrow: a labelled arrow in a pyqtgraph view box (the gradient and the step on the surface)."""

from __future__ import annotations

import math

import pyqtgraph as pg

from gdviz.ui.views import colors as c

ANGLE_TOLERANCE = 0.1  # degrees: a head turned by less is not redrawn


class Arrow:
    """A thick shaft, a pixel-sized head (pg.ArrowItem) and a text label, in one view box."""

    def __init__(self, view: pg.ViewBox, text: str) -> None:
        self.text = text
        self.view = view  # labels are kept inside it
        self.shaft = pg.PlotCurveItem()  # two points: a wide pen is cheap here
        self.head = pg.ArrowItem(tipAngle=40, tailLen=None)
        self.label = pg.TextItem(text)
        for item, z in ((self.shaft, 30), (self.head, 31), (self.label, 32)):
            item.setZValue(z)
            view.addItem(item, ignoreBounds=True)  # arrows never drive the view range
        self.hide()

    def restyle(self, look: c.Look, color: str) -> None:
        t = look.theme
        self.shaft.setPen(look.pen(color, 4))
        # The halo outlines the shaft where its colour meets the same hue in the colour map.
        self.shaft.setShadowPen(c.pen(t.path_halo, look.width(4) + 3) if t.path_halo else None)
        self.head.setStyle(
            headLen=look.size(20), pen=look.pen(t.marker_edge, 1), brush=c.brush(color)
        )
        self.label.setColor(t.foreground)
        self.label.fill = c.brush(t.background, t.fill_alpha)
        self.label.setFont(look.font(c.ANNOTATION_PT, bold=True))
        self.label.update()

    def hide(self) -> None:
        for item in (self.shaft, self.head, self.label):
            item.setVisible(False)

    def show(self, origin, tip, screen_dir, text: str, side=None) -> None:
        """Draw from ``origin`` to ``tip`` (data coordinates); ``screen_dir`` is the unit
        direction in pixels with y up, which orients the pixel-sized head and the label;
        ``side``, if the label has no room beyond the tip, the side of the arrow it goes to."""
        ux, uy = screen_dir
        # Each setter below re-lays out or repaints its item: called only for a change.
        # ArrowItem points left at angle 0 and turns clockwise on screen (y down).
        angle = math.degrees(math.atan2(uy, -ux))
        if abs(angle - self.head.opts["angle"]) > ANGLE_TOLERANCE:
            self.head.setStyle(angle=angle)
        self.head.setPos(*tip)
        self.shaft.setData([origin[0], tip[0]], [origin[1], tip[1]])
        if text != self.label.textItem.toPlainText():
            self.label.setText(text)
        anchor = c.arrow_label_anchor(self.label, self.view, tip, (ux, uy), side)
        if pg.Point(anchor) != self.label.anchor:
            self.label.setAnchor(anchor)
        self.label.setPos(*tip)
        for item in (self.shaft, self.head):
            if not item.isVisible():
                item.setVisible(True)
        if self.label.isVisible() != bool(text):  # no text: no label (a key names the arrow)
            self.label.setVisible(bool(text))
