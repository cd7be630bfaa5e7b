"""CompareView: 2-6 runs side by side — their paths on one loss surface and their training losses
on one plot, each run in its own colour-blind-safe colour, dash and symbol, with keys above."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from gdviz.ui.views import colors as c
from gdviz.ui.views.framing import SteppedFraming
from gdviz.ui.views.key import PlotKey
from gdviz.ui.views.ranges import data_box, tail_start
from gdviz.ui.views.surface_view import SurfaceView

# Okabe-Ito, in an order whose first three stay apart for every common colour-vision deficiency.
RUN_COLORS = c.RUN_COLORS
# And a dash and a symbol each, so that paths that cross or share a line stay apart in grey
# print, on a washed-out projector and for any colour vision.
_DASH = Qt.PenStyle
RUN_DASHES = (_DASH.SolidLine, _DASH.DashLine, _DASH.DotLine, _DASH.DashDotLine,
              _DASH.DashDotDotLine, _DASH.SolidLine)  # fmt: skip
RUN_SYMBOLS = ("o", "s", "t", "d", "h", "star")
KEY_MARKS = ("●━━", "■╍╍", "▼┉┉", "◆━╸", "⬢╸╸", "★━━")  # the symbols and dashes, in text
PATH_POINTS = 3000  # vertices per run path drawn
STACKED_SHARE = 0.8  # stacked when it shows the surface at least 0.8 x as large as side by side


class CompareView(QWidget):
    """A SurfaceView with one path and current point per run, and a linked loss plot."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.surface = SurfaceView()
        # The single-run decorations of the surface view are not used here.
        self.surface.set_path([], [])
        self.surface.drop_colorbar()
        self.loss_widget = QWidget()
        self.loss_plot_widget, self.loss_plot = c.embed_plot(self.loss_widget, "iteration", "loss")
        # Which path is which: keys above the plots (inside, a legend hid a start, a minimum
        # or a path in one lesson or another).
        self.surface_key, self.loss_key = PlotKey(self.surface.plot), PlotKey(self.loss_plot)
        self._labels: list[str] = []
        self.surface.homeChanged.connect(self.arrange)
        # Ranges in steps, the whole run framed from its start (views/framing.py).
        self.framing = SteppedFraming(self.loss_plot)
        self._tail = False  # set_tail
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
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.surface)
        split.addWidget(self.loss_widget)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Side by side, or the surface above the loss plot: whichever shows the surface's home
        window larger, with equal axes (one above the other when that is nearly as large,
        STACKED_SHARE, since a loss plot is wider than tall by nature). Between a lecture's
        docks side by side made lesson 8's wide bowl a strip; stacked, lesson 9's tall one."""
        width, height = self.width(), self.height()
        home = self.surface.home_window
        if home is None or width < 10 or height < 10:
            return
        span_x, span_y = max(home[1] - home[0], 1e-300), max(home[3] - home[2], 1e-300)
        if not self.surface.equal_axes:
            span_x = span_y = 1.0  # stretched to fill: the area decides
        side = min(width / 2 / span_x, height / span_y)
        stacked = min(width / span_x, height / 2 / span_y)
        tall = stacked >= STACKED_SHARE * side
        wanted = Qt.Orientation.Vertical if tall else Qt.Orientation.Horizontal
        if self.split.orientation() != wanted:
            self.split.setOrientation(wanted)
            half = (height if tall else width) // 2
            self.split.setSizes([half, half])

    def set_runs(self, labels: list[str]) -> None:
        """One colour, path, current point and loss curve per run (items are reused)."""
        while len(self.paths) < len(labels):
            index = len(self.paths)
            color = RUN_COLORS[index % len(RUN_COLORS)]
            path = pg.PlotCurveItem(pen=self._pen(index), connect="finite")
            point = pg.ScatterPlotItem(size=16, pen=c.pen(c.BLACK, 1.5), brush=c.brush(color),
                                       symbol=RUN_SYMBOLS[index % len(RUN_SYMBOLS)])  # fmt: skip
            for item, z in ((path, 20), (point, 30)):
                item.setZValue(z)
                self.surface.plot.addItem(item)
            curve = pg.PlotDataItem(pen=self._pen(index, dashed=False), antialias=not self._fast)
            path.opts["antialias"] = not self._fast
            self.loss_plot.addItem(curve)
            self.paths.append(path)
            self.points.append(point)
            self.curves.append(curve)
        self._labels = list(labels)
        for index, (path, point, curve) in enumerate(zip(self.paths, self.points, self.curves,
                                                         strict=True)):  # fmt: skip
            used = index < len(labels)
            for item in (path, point, curve):
                item.setVisible(used)
            path.setData([], [])
            point.setData([], [])
            curve.setData([], [])
        self.framing.clear()
        self._show_key()

    def update_from(self, buffer, x_mode: str, count: int | None = None, growing: bool = False,
                    end: float | None = None) -> None:  # fmt: skip
        """Redraw every run from the first ``count`` rows of the recording ``buffer`` (default
        all): strided history, exact newest point. The loss plot is framed as the loss view
        is: ``growing``, the runs are adding rows; ``end``, the x where the longest stops."""
        count = len(buffer) if count is None else count
        rows = buffer.draw_rows(PATH_POINTS, 0, count)
        if x_mode != self._x_mode:  # rebuilding the axis title every frame costs
            self._x_mode = x_mode
            c.set_axis_label(self.loss_plot, "bottom", x_mode, self._look)
        framed, x_ends = [], []
        for run in range(buffer.runs):
            stop = min(buffer.end(run), count)
            mine = rows[rows < stop]  # a stopped run's rows end where it stopped
            if mine.size == 0 or mine[-1] != stop - 1:
                mine = np.append(mine, stop - 1) if stop else mine
            p1, p2 = buffer.column("p1", run), buffer.column("p2", run)
            x, y = self.surface.clip_points(p1[mine], p2[mine])
            self.paths[run].setData(x, y)
            last = (buffer.column("p1", run)[stop - 1], buffer.column("p2", run)[stop - 1])
            if np.isfinite(last).all():
                lx, ly = self.surface.clip_points([last[0]], [last[1]])
                self.points[run].setData(lx, ly)
            loss = buffer.column("loss", run)[mine]
            shown = np.where(np.isfinite(loss), np.clip(loss, -1e300, 1e300), np.nan)
            x = buffer.x_values(x_mode, mine, run)
            self.curves[run].setData(x, shown, connect="finite")
            # Tail: each run's loss after its first drop frames y (SGD's noise beside the
            # calmer mini-batch loss, not under the full batch's slow start).
            framed.append(shown[tail_start(shown) if self._tail else 0 :])
            if x.size:
                x_ends += [float(x[0]), float(x[-1])]
        self.framing.set_box(data_box(sorted(x_ends), *framed), growing, end)

    def set_fast(self, fast: bool) -> None:
        """While runs go flat out: no antialiasing and no grid (most of a frame's paint cost,
        benchmarks/bench_gui); the still picture after they stop is drawn in full."""
        self._fast = fast
        for index, (path, curve) in enumerate(zip(self.paths, self.curves, strict=True)):
            for item in (path, curve, curve.curve):
                item.opts["antialias"] = not fast
            path.setPen(self._pen(index))
            curve.setPen(self._pen(index, dashed=False))
        self.loss_plot.showGrid(x=not fast, y=not fast, alpha=self._grid_alpha)
        self.surface.set_fast(fast)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle the loss plot, the keys and run pens (the surface is a view of its own:
        apply_theme restyles it, and build_compare_view when it is built)."""
        look = self._look = c.Look(theme, scale)
        self.loss_plot_widget.setBackground(theme.background)
        c.style_axes(self.loss_plot, look)
        self._grid_alpha = theme.grid_alpha
        self.loss_plot.showGrid(x=not self._fast, y=not self._fast, alpha=theme.grid_alpha)
        for index, (path, point, curve) in enumerate(zip(self.paths, self.points, self.curves,
                                                         strict=True)):  # fmt: skip
            path.setPen(self._pen(index))
            point.setSize(look.size(16))
            point.setPen(look.pen(theme.foreground, 1.5))
            curve.setPen(self._pen(index, dashed=False))
        self._show_key()

    def _show_key(self) -> None:
        """Each run's key: above the surface its symbol and dash, above the loss plot its
        line, in its colour; wrapped to each plot's width."""
        colors = [RUN_COLORS[i % len(RUN_COLORS)] for i in range(len(self._labels))]
        marks = [KEY_MARKS[i % len(KEY_MARKS)] for i in range(len(self._labels))]
        self.surface_key.set_entries(zip(colors, marks, self._labels, strict=True), self._look)
        self.loss_key.set_entries(
            ((color, "━━", label) for color, label in zip(colors, self._labels, strict=True)),
            self._look,
        )

    def _pen(self, index: int, dashed: bool = True):
        """Run ``index``'s line: its colour, and on the surface its dash (the loss curves are
        told apart by colour: dashes would break up a noisy curve); 1 px solid flat out (Qt's
        fast path: wide or dashed pens cost ~8x on long paths)."""
        color = RUN_COLORS[index % len(RUN_COLORS)]
        if self._fast:
            return c.pen(color, 1)
        dash = RUN_DASHES[index % len(RUN_DASHES)] if dashed else Qt.PenStyle.SolidLine
        return self._look.pen(color, 2, style=dash)

    def set_tail(self, on: bool) -> None:
        """Frame the losses after their first drop (see LossView.set_tail), or all of them."""
        if bool(on) != self._tail:
            self._tail = bool(on)
            self.framing.new_y()

    def set_log_y(self, on: bool) -> None:
        if bool(on) != self.loss_plot.getAxis("left").logMode:
            self.loss_plot.setLogMode(y=bool(on))
            self.framing.follow()  # in the new units now (see LossView.set_log_y)
