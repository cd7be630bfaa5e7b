"""DataPainter: "Paint data" in the data view. A click adds an example, a drag moves one, a
right-click (or Delete over it) removes one; each edit hands the whole new set of examples,
``(x, y)`` pairs in the units the view shows (raw x), to ``edited``. The window makes them the
run's data (RunConfig.points), so the loss surface, its minimum, the Hessian and the
learning-rate limits follow, and the run starts over.

While painting, the data view's own view box (PaintViewBox) hands its clicks and drags to the
painter (the view neither pans nor zooms meanwhile); outside paint mode a click never adds a
point by accident.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

PICK_PX = 12  # a press within this many pixels of an example takes that example


class PaintViewBox(pg.ViewBox):
    """The data view's view box: while its painter is on, clicks and drags paint instead of
    panning, zooming or opening the menu. (The painter is not an item of its own in the
    scene: a Python item over the view was collected before the scene let it go, and the
    process crashed.)"""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.painter: DataPainter | None = None

    def mouseClickEvent(self, event) -> None:
        if self.painter is not None and self.painter.active:
            self.painter.click(event)
        else:
            super().mouseClickEvent(event)

    def mouseDragEvent(self, event, axis=None) -> None:
        if self.painter is not None and self.painter.active:
            self.painter.drag(event)
        else:
            super().mouseDragEvent(event, axis)


class DataPainter:
    """Paint mode over ``view`` (a PaintViewBox); ``points()`` gives the examples as drawn,
    ``edited(points)`` receives each edit's result, ``binary``: y snaps to 0 or 1."""

    def __init__(self, view: PaintViewBox, points: Callable[[], np.ndarray],
                 edited: Callable[[tuple], None]) -> None:  # fmt: skip
        self.view, self.points, self.edited = view, points, edited
        self.active = False
        self.binary = False
        self.hovered: int | None = None  # the example under the mouse (Delete removes it)
        self._dragging: int | None = None
        self.drag_marker = pg.ScatterPlotItem(size=16, symbol="o", pen=pg.mkPen("k", width=2),
                                              brush=pg.mkBrush(None))  # fmt: skip
        self.drag_marker.setZValue(60)
        view.addItem(self.drag_marker, ignoreBounds=True)
        view.painter = self
        self._moves = None  # the scene's mouse moves, connected while painting

    def set_painting(self, on: bool) -> None:
        self.active = bool(on)
        self.view.setMouseEnabled(not on, not on)  # a drag moves an example, not the view
        self.view.setMenuEnabled(not on)
        self.drag_marker.setData([], [])
        self.hovered = self._dragging = None
        scene = self.view.scene()
        if on and self._moves is None and scene is not None:
            self._moves = scene.sigMouseMoved
            self._moves.connect(self._on_moved)
        elif not on and self._moves is not None:
            self._moves.disconnect(self._on_moved)
            self._moves = None

    # -- editing ----------------------------------------------------------------------------------
    def nearest(self, x: float, y: float) -> int | None:
        """The example within PICK_PX pixels of data point (x, y), the nearest one."""
        xy = self.points()
        if not len(xy):
            return None
        (x0, x1), (y0, y1) = self.view.viewRange()
        px = np.array([self.view.width() / (x1 - x0), self.view.height() / (y1 - y0)])
        distance = np.hypot(*((xy - (x, y)) * px).T)
        best = int(np.argmin(distance))
        return best if distance[best] <= PICK_PX else None

    def _snap(self, x: float, y: float) -> tuple[float, float]:
        return float(x), (float(y > 0.5) if self.binary else float(y))

    def add(self, x: float, y: float) -> None:
        self.edited((*map(tuple, self.points().tolist()), self._snap(x, y)))

    def move(self, index: int, x: float, y: float) -> None:
        xy = [tuple(p) for p in self.points().tolist()]
        xy[index] = self._snap(x, y)
        self.edited(tuple(xy))

    def remove(self, index: int) -> None:
        xy = [tuple(p) for p in self.points().tolist()]
        del xy[index]
        self.edited(tuple(xy))

    def remove_hovered(self) -> bool:
        if self.hovered is None or not self.active:
            return False
        index, self.hovered = self.hovered, None
        self.remove(index)
        return True

    # -- the mouse (PaintViewBox hands its events here while painting) ----------------------------
    def _on_moved(self, scene_pos) -> None:
        if not self.view.sceneBoundingRect().contains(scene_pos):
            self.hovered = None
            return
        pos = self.view.mapSceneToView(scene_pos)
        self.hovered = self.nearest(pos.x(), pos.y())

    def click(self, event) -> None:
        pos = self.view.mapSceneToView(event.scenePos())
        index = self.nearest(pos.x(), pos.y())
        if event.button() == Qt.MouseButton.RightButton:
            if index is not None:
                self.remove(index)
            event.accept()
        elif event.button() == Qt.MouseButton.LeftButton:
            if index is None:  # on an example: a click is the start of a drag, not a new one
                self.add(pos.x(), pos.y())
            event.accept()

    def drag(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()  # never a pan while painting
        pos = self.view.mapSceneToView(event.scenePos())
        if event.isStart():
            start = self.view.mapSceneToView(event.buttonDownScenePos())
            self._dragging = self.nearest(start.x(), start.y())
        if self._dragging is None:
            return
        x, y = self._snap(pos.x(), pos.y())
        self.drag_marker.setData([x], [y])
        if event.isFinish():
            index, self._dragging = self._dragging, None
            self.drag_marker.setData([], [])
            self.move(index, x, y)
