"""CompareView: 2-6 runs side by side — their paths on one loss surface and their training losses
on one plot, each run in its own colour-blind-safe colour with a legend."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from gdviz.ui.views import colors as c
from gdviz.ui.views.surface_view import SurfaceView

# Okabe-Ito, in an order whose first three stay apart for every common colour-vision deficiency.
RUN_COLORS = (c.BLUE, c.VERMILLION, c.GREEN, c.PURPLE, c.ORANGE, c.SKY_BLUE)
PATH_POINTS = 3000  # vertices per run path drawn


class CompareView(QWidget):
    """A SurfaceView with one path and current point per run, and a linked loss plot."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.surface = SurfaceView()
        # The single-run decorations of the surface view are not used here.
        self.surface.set_path([], [])
        self.loss_widget = QWidget()
        self.loss_plot_widget, self.loss_plot = c.embed_plot(self.loss_widget, "iteration", "loss")
        self.legend = self.loss_plot.addLegend(
            offset=(-8, 8), labelTextSize=f"{c.TICK_PT}pt", brush=c.brush(c.WHITE, 0.85)
        )
        # Peak downsampling and clipping: a curve costs what the screen shows, not the run length.
        self.loss_plot.setDownsampling(auto=True, mode="peak")
        self.loss_plot.setClipToView(True)
        self._fast = False
        self._grid_alpha = c.GRID_ALPHA
        self._look = c.Look()
        self._x_mode = "iteration"
        self.paths: list[pg.PlotCurveItem] = []
        self.points: list[pg.ScatterPlotItem] = []
        self.curves: list[pg.PlotDataItem] = []
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.surface)
        split.addWidget(self.loss_widget)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def set_runs(self, labels: list[str]) -> None:
        """One colour, path, current point and loss curve per run (items are reused)."""
        while len(self.paths) < len(labels):
            color = RUN_COLORS[len(self.paths) % len(RUN_COLORS)]
            path = pg.PlotCurveItem(pen=c.pen(color, 2), connect="finite")
            point = pg.ScatterPlotItem(size=16, pen=c.pen(c.BLACK, 1.5), brush=c.brush(color))
            for item, z in ((path, 20), (point, 30)):
                item.setZValue(z)
                self.surface.plot.addItem(item)
            curve = pg.PlotDataItem(pen=c.pen(color, 2), antialias=not self._fast)
            path.opts["antialias"] = not self._fast
            self.loss_plot.addItem(curve)
            self.paths.append(path)
            self.points.append(point)
            self.curves.append(curve)
        self.legend.clear()
        for index, (path, point, curve) in enumerate(zip(self.paths, self.points, self.curves,
                                                         strict=True)):  # fmt: skip
            used = index < len(labels)
            for item in (path, point, curve):
                item.setVisible(used)
            path.setData([], [])
            point.setData([], [])
            curve.setData([], [])
            if used:
                self.legend.addItem(curve, labels[index])

    def set_surface(self, grid, minima, param_names, log_scale: bool = True) -> None:
        self.surface.set_surface(grid, minima, param_names, log_scale=log_scale)
        self.surface.set_path([], [])

    def update_from(self, buffer, x_mode: str, count: int | None = None) -> None:
        """Redraw every run from the first ``count`` rows of the recording ``buffer`` (default
        all): strided history, exact newest point."""
        count = len(buffer) if count is None else count
        rows = buffer.draw_rows(PATH_POINTS, 0, count)
        if x_mode != self._x_mode:  # rebuilding the axis title every frame costs
            self._x_mode = x_mode
            c.set_axis_label(self.loss_plot, "bottom", x_mode, self._look)
        for run in range(buffer.runs):
            end = min(buffer.end(run), count)
            mine = rows[rows < end]  # a stopped run's rows end where it stopped
            if mine.size == 0 or mine[-1] != end - 1:
                mine = np.append(mine, end - 1) if end else mine
            p1, p2 = buffer.column("p1", run), buffer.column("p2", run)
            x, y = self.surface.clip_points(p1[mine], p2[mine])
            self.paths[run].setData(x, y)
            last = (buffer.column("p1", run)[end - 1], buffer.column("p2", run)[end - 1])
            if np.isfinite(last).all():
                lx, ly = self.surface.clip_points([last[0]], [last[1]])
                self.points[run].setData(lx, ly)
            loss = buffer.column("loss", run)[mine]
            shown = np.where(np.isfinite(loss), np.clip(loss, -1e300, 1e300), np.nan)
            self.curves[run].setData(buffer.x_values(x_mode, mine, run), shown, connect="finite")

    def set_fast(self, fast: bool) -> None:
        """While runs go flat out: no antialiasing and no grid (most of a frame's paint cost,
        benchmarks/bench_gui); the still picture after they stop is drawn in full."""
        self._fast = fast
        width = 1 if fast else self._look.width(2)  # 1 px takes Qt's fast line path
        for index, item in enumerate((*self.paths, *self.curves)):
            item.opts["antialias"] = not fast
            if hasattr(item, "curve"):
                item.curve.opts["antialias"] = not fast
            item.setPen(c.pen(RUN_COLORS[index % len(self.paths) % len(RUN_COLORS)], width))
        self.loss_plot.showGrid(x=not fast, y=not fast, alpha=self._grid_alpha)
        self.surface.set_fast(fast)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle the loss plot, legend and run pens (the surface styles itself)."""
        look = self._look = c.Look(theme, scale)
        self.loss_plot_widget.setBackground(theme.background)
        c.style_axes(self.loss_plot, look)
        self._grid_alpha = theme.grid_alpha
        self.loss_plot.showGrid(x=not self._fast, y=not self._fast, alpha=theme.grid_alpha)
        for index, (path, point, curve) in enumerate(zip(self.paths, self.points, self.curves,
                                                         strict=True)):  # fmt: skip
            color = RUN_COLORS[index % len(RUN_COLORS)]
            width = 1 if self._fast else look.width(2)
            path.setPen(c.pen(color, width))
            point.setSize(look.size(16))
            point.setPen(look.pen(theme.foreground, 1.5))
            curve.setPen(c.pen(color, width))
        c.fit_legend(self.legend, self.loss_plot.getViewBox(), look, force=True)

    def set_log_y(self, on: bool) -> None:
        if bool(on) != self.loss_plot.getAxis("left").logMode:
            self.loss_plot.setLogMode(y=bool(on))
            self.loss_plot.getViewBox().autoRange()  # see LossView.set_log_y
            self.loss_plot.enableAutoRange()
