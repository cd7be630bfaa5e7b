"""Surface3DView: the loss surface as a 3-D mesh with the descent path on it (pyqtgraph.opengl).

Optional: it needs PyOpenGL (``pip install "gdviz[3d]"``) and a display with OpenGL. Qt's
``offscreen`` platform cannot create an OpenGL context (grabs come back 0x0), so there the view
is unavailable and the reason is shown instead of a crash.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

HEIGHT = 1.0  # the surface is scaled to this height, whatever the loss range
PATH_POINTS = 2000


def opengl_problem() -> str | None:
    """Why a 3-D view cannot be shown here, or None when it can."""
    if importlib.util.find_spec("OpenGL") is None:
        return 'The 3-D view needs PyOpenGL: pip install "gdviz[3d]"'
    platform = QGuiApplication.platformName() or os.environ.get("QT_QPA_PLATFORM", "")
    if platform in ("offscreen", "minimal"):
        return f"The 3-D view needs a display with OpenGL (this one is {platform!r})"
    return None


def _lift(loss, low: float, unit: float):
    """Height before scaling: ``log(1 + (loss - min) / unit)``: logarithmic on the steep
    walls, linear near the minimum (a plain log would dig spikes into the valley floor)."""
    return np.log1p(np.maximum(np.asarray(loss, float) - low, 0.0) / unit)


def _normalised_height(loss: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Heights in [0, HEIGHT] and the mapping (min, unit, top) to place a path on them."""
    finite = loss[np.isfinite(loss)]
    low = float(finite.min()) if finite.size else 0.0
    span = float(finite.max() - low) if finite.size else 1.0
    unit = max(span * 1e-3, 1e-12)
    lifted = _lift(np.nan_to_num(loss, nan=low + span, posinf=low + span), low, unit)
    top = float(lifted.max()) or 1.0
    return lifted / top * HEIGHT, low, unit, top


class Surface3DView(QWidget):
    """A GLViewWidget with the surface mesh and the path; build only when opengl_problem() is
    None."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg
        import pyqtgraph.opengl as gl

        self._gl = gl
        self.view = gl.GLViewWidget()
        self.view.setBackgroundColor("w")
        self.view.setCameraPosition(distance=3.6, elevation=30, azimuth=-55)
        self.view.opts["center"] = pg.Vector(0, 0, HEIGHT / 3)  # look at the body, not the base
        self.surface = gl.GLSurfacePlotItem(shader="shaded", smooth=False)
        self.path = gl.GLLinePlotItem(width=4, color=pg.mkColor("#D55E00").getRgbF(),
                                      antialias=True)  # fmt: skip
        self.view.addItem(self.surface)
        self.view.addItem(self.path)
        self.caption = QLabel("Drag to turn the surface; scroll to zoom.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self._mapping = None

    def set_surface(self, grid) -> None:
        """Mesh of a LossGrid, mapped to a unit square with height in [0, 1] (log loss)."""
        import pyqtgraph as pg

        p1, p2 = np.asarray(grid.p1, float), np.asarray(grid.p2, float)
        height, low, unit, top = _normalised_height(np.asarray(grid.loss, float))
        x = (p1 - p1[0]) / (p1[-1] - p1[0]) * 2 - 1
        y = (p2 - p2[0]) / (p2[-1] - p2[0]) * 2 - 1
        # GLSurfacePlotItem wants z[i, j] at (x[i], y[j]): the transpose of row-major loss;
        # vertex colours go flat, in the same (x-major) order as its vertices.
        z = np.ascontiguousarray(height.T)
        colors = pg.colormap.get("viridis").map(z.ravel() / HEIGHT, mode="float")
        self.surface.setData(x=x, y=y, z=z, colors=np.asarray(colors, dtype=np.float32))
        self._mapping = (p1[0], p1[-1], p2[0], p2[-1], low, unit, top)

    @property
    def mesh_window(self) -> tuple[float, float, float, float] | None:
        """The parameters the mesh spans, ``(p1_min, p1_max, p2_min, p2_max)``."""
        return None if self._mapping is None else tuple(float(v) for v in self._mapping[:4])

    def set_path(self, p1: np.ndarray, p2: np.ndarray, loss: np.ndarray) -> None:
        """The path lifted slightly above the surface; points outside the window are clipped."""
        if self._mapping is None or len(p1) == 0:
            self.path.setData(pos=np.zeros((0, 3)))
            return
        x0, x1, y0, y1, low, unit, top = self._mapping
        step = max(1, len(p1) // PATH_POINTS)
        keep = np.r_[np.arange(0, len(p1), step), len(p1) - 1]
        with np.errstate(all="ignore"):
            x = np.clip((p1[keep] - x0) / (x1 - x0) * 2 - 1, -1, 1)
            y = np.clip((p2[keep] - y0) / (y1 - y0) * 2 - 1, -1, 1)
            z = _lift(loss[keep], low, unit) / top
        z = np.clip(np.nan_to_num(z, nan=1.0, posinf=1.0), 0, 1) * HEIGHT + 0.02
        self.path.setData(pos=np.column_stack([x, y, z]))
