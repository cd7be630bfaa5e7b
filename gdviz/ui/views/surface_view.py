"""SurfaceView: the loss surface over the two parameters, with minima, the descent path, the
current point and arrows for the batch gradient and the step actually taken."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem, QWidget

from gdviz.core.contours import contour_levels, contour_segments
from gdviz.ui.views import colors as c
from gdviz.ui.views.arrows import Arrow
from gdviz.ui.views.example_fan import ExampleFan
from gdviz.ui.views.hover import HoverReadout

pg.setConfigOption("imageAxisOrder", "row-major")  # LossGrid.loss[j, i] is row-major

PATH_CAP = 5000  # most path vertices drawn; longer paths are strided (the last point kept)
MARKER_TAIL = 300  # markers only on the most recent points
CLIP_FACTOR = 10.0  # path points beyond 10 window-widths are clipped (diverged runs)
GRADIENT_FRACTION = 0.12  # gradient arrow length, as a fraction of the view width
TAIL_BRUSHES = [pg.mkBrush(color) for color in c.TIME_MAP.getLookupTable(nPts=12, mode="qcolor")]
STEP_MIN_FRACTION = 0.06  # tiny steps are enlarged to at least this fraction
AXIS_TITLES = {"w": "weight w", "b": "bias b"}
COVER_WAIT_MS = 250  # a pan or zoom settles this long before the surface is extended to it
COVER_MARGIN = 0.15  # an extended surface reaches this fraction of the view beyond each side


class SurfaceView(QWidget):
    """The loss surface as a heatmap with contours; the descent path on top.

    Left-click on the surface emits :attr:`pointPicked` with parameter coordinates (the app uses
    it as the start point); the ``start`` marker can also be dragged. When a pan, a zoom, a
    resize or equal axes show parameters beyond the computed surface, :attr:`uncovered` asks for
    a surface over :meth:`wanted_window`, so the picture never has a blank margin.
    """

    pointPicked = Signal(float, float)
    uncovered = Signal()
    homeChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self._fast = False
        self.plot_widget, self.plot = c.embed_plot(self, "x", "y")
        self.view: pg.ViewBox = self.plot.getViewBox()
        self.plot.showGrid(x=False, y=False)  # contours already give a reference
        self.surface_window = (-1.0, 1.0, -1.0, 1.0)
        self._current = None
        self._minima_sizes = np.zeros(0)  # unscaled marker sizes of the minima shown

        self.image = pg.ImageItem(np.zeros((2, 2)))
        self.plot.addItem(self.image)
        self.colorbar = self.plot.addColorBar(
            self.image, colorMap=c.surface_colormap(), interactive=False, values=(0, 1)
        )
        self.contours = pg.PlotCurveItem(connect="pairs")
        # The batch's own loss (set_batch_contours): dashed, over the full loss's contours.
        self.batch_contours = pg.PlotCurveItem(connect="pairs")
        # The surface changes only with the problem: drawn once into pixmaps, blitted each frame.
        for still in (self.image, self.contours):
            still.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.path_line = pg.PlotCurveItem(connect="finite")
        self.path_markers = pg.ScatterPlotItem()
        self.minima = pg.ScatterPlotItem(symbol="star")
        self.start_marker = pg.TargetItem(symbol="s", movable=True)
        self.start_marker.setVisible(False)
        self.current_marker = pg.ScatterPlotItem()
        overlays = (self.contours, self.batch_contours, self.path_line, self.path_markers,
                    self.minima)  # fmt: skip
        overlays += (self.start_marker, self.current_marker)
        for z, item in enumerate(overlays, start=10):
            item.setZValue(z)
            self.plot.addItem(item, ignoreBounds=True)  # the surface window frames the view
        self._note_text = ""
        self.note = pg.LabelItem(justify="left")  # set_note
        self.note.setParentItem(self.view)
        self.note.anchor(itemPos=(0, 1), parentPos=(0, 1), offset=(8, -6))
        self.note.setZValue(40)
        self.note.setVisible(False)
        # With equal axes the y range follows the view's width, which follows the y axis's
        # labels: "-0.5" for "-1" widened the axis by 26 px, which narrowed the view, which
        # changed the labels back, every frame (lesson 11 at lecture size). The axis keeps the
        # room its labels once took, for the surface shown (set_surface gives it back).
        self.plot.getAxis("left").setStyle(autoReduceTextSpace=False)
        self.gradient_arrow = Arrow(self.view, "gradient")
        self.step_arrow = Arrow(self.view, "step")
        self.fan = ExampleFan(self.view)  # set_examples: each example's gradient, their mean
        self.hover = HoverReadout(self.plot)  # the loss at the cursor (set_loss_at)
        self.apply_style(self.look.theme, self.look.scale)

        self._equal_axes = False
        self._true_step = False  # set_true_step
        self.home_window: tuple | None = None  # set_home
        self._at_home = True  # the view frames the home window (not moved since)
        self.view.sigRangeChangedManually.connect(self._left_home)
        self.view.sigResized.connect(self._on_resized)
        self._cover_timer = QTimer(self, singleShot=True, interval=COVER_WAIT_MS)
        self._cover_timer.timeout.connect(self._check_covered)
        self.view.sigRangeChanged.connect(self._redraw_arrows)
        self.view.sigResized.connect(self._redraw_arrows)
        for changed in (self.view.sigRangeChanged, self.view.sigResized):
            changed.connect(lambda *_: self._cover_timer.start())
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.start_marker.sigPositionChangeFinished.connect(self._on_start_dragged)
        self.reset_view()

    # -- surface ----------------------------------------------------------------------------
    def set_surface(self, grid, minima, param_names, log_scale: bool = False,
                    reset: bool = True) -> None:  # fmt: skip
        """Show ``grid`` (a LossGrid) as a heatmap with contours, mark ``minima`` (global first)
        and name the axes after ``param_names``; the view is reset to the grid's window (unless
        not ``reset``: a finer grid of the same surface)."""
        p1, p2 = np.asarray(grid.p1, float), np.asarray(grid.p2, float)
        loss = np.asarray(grid.loss, float)
        self.surface_window = (float(p1[0]), float(p1[-1]), float(p2[0]), float(p2[-1]))
        finite = loss[np.isfinite(loss)]
        low = float(finite.min()) if finite.size else 0.0
        shown = np.where(np.isfinite(loss), loss, finite.max() if finite.size else 0.0)
        if log_scale:
            # loss - min >= 0 (some surfaces go negative); eps keeps the minimum's cell finite.
            span = float(np.quantile(shown, 0.99)) - low if finite.size else 1.0
            shown = np.log10(shown - low + max(span, 1e-300) * 1e-4)
        levels = (float(np.quantile(shown, 0.001)), float(np.quantile(shown, 0.995)))
        if not levels[1] > levels[0]:  # a flat surface
            levels = (levels[0] - 0.5, levels[0] + 0.5)
        self.image.setImage(shown, autoLevels=False)
        # Pixel centres sit on the grid points.
        d1 = (p1[-1] - p1[0]) / max(p1.size - 1, 1)
        d2 = (p2[-1] - p2[0]) / max(p2.size - 1, 1)
        self.image.setRect(
            QRectF(p1[0] - d1 / 2, p2[0] - d2 / 2, p1[-1] - p1[0] + d1, p2[-1] - p2[0] + d2)
        )
        self.colorbar.setLevels(levels)
        self.colorbar.axis.setTicks([c.log_ticks(*levels), []] if log_scale else None)
        bar_title = "loss − min" if log_scale else "loss"
        self.colorbar.axis.setLabel(bar_title, **self.look.css(c.LABEL_PT))
        self.contours.setData(*contour_segments(p1, p2, loss, contour_levels(loss)))
        pts = np.array([(float(a), float(b)) for a, b in minima]).reshape(-1, 2)
        self._minima_sizes = np.array(([26] + [18] * len(pts))[: len(pts)], float)
        self.minima.setData(pts[:, 0], pts[:, 1], size=self._minima_sizes * self.look.size(1))
        names = [AXIS_TITLES.get(n, n) for n in param_names]
        c.set_axis_label(self.plot, "bottom", names[0], self.look)
        c.set_axis_label(self.plot, "left", names[1], self.look)
        if reset:
            self.plot.getAxis("left").textWidth = 30  # a new surface: its own labels' room
            self.reset_view()

    def set_note(self, text: str) -> None:
        """A line in the view's bottom-left corner on how the surface was computed ("" hides
        it): it is still being refined, or drawn from bins of the examples."""
        if text != self._note_text:
            self._note_text = text
            self.note.setText(text, color=self.look.theme.foreground,
                              size=f"{self.look.pt(c.TICK_PT):g}pt")  # fmt: skip
            self.note.setVisible(bool(text))

    def apply_style(self, theme, scale: float) -> None:
        """Restyle every item in place for ``theme`` (a gdviz.ui.theme.Theme) at presentation
        ``scale``: fonts, line widths and marker sizes grow with it."""
        look = self.look = c.Look(theme, scale)
        t = theme
        self.plot_widget.setBackground(t.background)
        c.style_axes(self.plot, look)
        # Room for the top tick label and the colour bar's ticks and title at this font size.
        self.plot.layout.setContentsMargins(4, 14 * scale, 8, 4)
        self.colorbar.setColorMap(c.surface_colormap(t.surface_tint, t.surface_blend))
        self.colorbar.layout.setColumnFixedWidth(1, look.size(18))  # the bar itself
        c.style_axis(self.colorbar.axis, look)
        self.colorbar.axis.setWidth(round(78 * scale))
        self.colorbar.axis.setLabel(self.colorbar.axis.labelText, **look.css(c.LABEL_PT))
        # Contours are the backdrop: no high-contrast boost, or near the minimum they bury the path.
        self.contours.setPen(c.pen(t.contour, scale, alpha=t.contour_alpha))
        self.batch_contours.setPen(look.pen(t.batch, 1.5, style=Qt.PenStyle.DashLine))
        self.path_line.setPen(c.pen(t.path, 1) if self._fast else look.pen(t.path, 1.5))
        self.path_line.setShadowPen(self._halo())
        c.style_points(self.path_markers, look.size(7), look.pen(t.marker_edge, 1))
        c.style_points(self.minima, None, look.pen(t.marker_edge, 1.5), c.brush(c.WHITE))
        if self._minima_sizes.size and self._minima_sizes.size == len(self.minima.data):
            self.minima.setSize(self._minima_sizes * look.size(1))
        self.start_marker.setPen(look.pen(t.marker_edge, 2))
        self.start_marker.setBrush(c.brush(t.start))
        self.start_marker.prepareGeometryChange()
        self.start_marker.scale = look.size(16)  # TargetItem keeps its pixel size here
        self.start_marker.viewTransformChanged()  # drops its cached outline
        edge, fill = look.pen(t.current_edge, 2.5), c.brush(t.current)
        c.style_points(self.current_marker, look.size(18), edge, fill)
        self.gradient_arrow.restyle(look, t.gradient)
        self.step_arrow.restyle(look, t.step)
        self.fan.restyle(look)
        self.hover.restyle(look)
        note, self._note_text = self._note_text, ""
        self.set_note(note)  # in the new font and colour
        self._redraw_arrows()

    def reset_view(self) -> None:
        """Frame the home window (or the surface's, before there is one): with equal axes the
        view widens one axis to its shape, and does so again on a resize until moved."""
        x0, x1, y0, y1 = self.home_window or self.surface_window
        self.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._at_home = True

    def set_home(self, window) -> None:
        """The parameters the view frames when reset (e.g. the start and the optimum)."""
        self.home_window = tuple(float(v) for v in window)
        self.homeChanged.emit()

    def drop_colorbar(self) -> None:
        """No colour bar (and no room kept for it): where the surface is the map the paths
        are drawn on, not a quantity to read (the compare view, where it took a third of the
        surface's width at lecture size)."""
        self.plot.layout.removeItem(self.colorbar)
        self.colorbar.hide()

    def set_true_step(self, on: bool) -> None:
        """The step arrow at its true length (``lr`` times the gradient, for plain SGD), or
        enlarged to a visible length with its factor in the label ("step ×4.4e4")."""
        if bool(on) != self._true_step:
            self._true_step = bool(on)
            self._redraw_arrows()

    # -- equal axes and the surface's extent ------------------------------------------------
    @property
    def equal_axes(self) -> bool:
        return self._equal_axes

    def set_equal_axes(self, on: bool) -> None:
        """One unit of each parameter equally long on screen (a round bowl looks round), or
        each axis stretched to fill the view."""
        if bool(on) != self._equal_axes:
            self._equal_axes = bool(on)
            self.view.setAspectLocked(self._equal_axes, ratio=1.0)
            self.reset_view()

    def fitted_window(self, window) -> tuple[float, float, float, float]:
        """``window`` widened about its centre to the view's shape when the axes are equal (so
        that framing it leaves no blank margin); as it is otherwise."""
        x0, x1, y0, y1 = (float(v) for v in window)
        width_px, height_px = self.view.width(), self.view.height()
        if not self._equal_axes or width_px < 10 or height_px < 10:
            return x0, x1, y0, y1
        half_x, half_y, aspect = (x1 - x0) / 2, (y1 - y0) / 2, width_px / height_px
        if half_x < half_y * aspect:
            half_x = half_y * aspect
        else:
            half_y = half_x / aspect
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return cx - half_x, cx + half_x, cy - half_y, cy + half_y

    def wanted_window(self) -> tuple[float, float, float, float]:
        """The shown range with a margin: the window to extend the surface to."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        mx, my = COVER_MARGIN * (x1 - x0), COVER_MARGIN * (y1 - y0)
        return x0 - mx, x1 + mx, y0 - my, y1 + my

    def covers_view(self) -> bool:
        """Whether the computed surface fills the shown range (to a thousandth of it)."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        w0, w1, v0, v1 = self.surface_window
        tx, ty = 1e-3 * (x1 - x0), 1e-3 * (y1 - y0)
        return w0 <= x0 + tx and x1 - tx <= w1 and v0 <= y0 + ty and y1 - ty <= v1

    def _left_home(self, *_args) -> None:
        self._at_home = False

    def _on_resized(self, *_args) -> None:
        if self._at_home and self._equal_axes:
            self.reset_view()  # framed for the new shape

    def _check_covered(self) -> None:
        if self.isVisible() and not self.covers_view():
            self.uncovered.emit()

    def fit_path(self) -> None:
        """Frame the drawn path and the minima."""
        xs, ys = self.path_line.getData()
        mx, my = self.minima.getData()
        self._at_home = False
        xs = np.concatenate([np.zeros(0) if xs is None else xs, mx])
        ys = np.concatenate([np.zeros(0) if ys is None else ys, my])
        if xs.size == 0:
            return self.reset_view()
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        w0, w1, v0, v1 = self.surface_window
        pad_x, pad_y = max(x1 - x0, 0.02 * (w1 - w0)), max(y1 - y0, 0.02 * (v1 - v0))
        self.view.setRange(
            xRange=(x0 - 0.08 * pad_x, x1 + 0.08 * pad_x),
            yRange=(y0 - 0.08 * pad_y, y1 + 0.08 * pad_y),
            padding=0,
        )

    # -- path and current point -----------------------------------------------------------
    def clip_points(self, p1, p2) -> tuple[np.ndarray, np.ndarray]:
        """Drop NaN points and clip the rest (inf and 1e300 included) to a box 10 window-widths
        around the surface, so a diverged run can neither overflow Qt nor stretch the view.
        The box is the home window's (the surface's grows when the view is extended: Fit path
        on a diverged run, again and again, would otherwise widen it tenfold each time)."""
        p1, p2 = np.asarray(p1, float).ravel(), np.asarray(p2, float).ravel()
        keep = ~(np.isnan(p1) | np.isnan(p2))
        x0, x1, y0, y1 = self.home_window or self.surface_window
        mx, my = CLIP_FACTOR * (x1 - x0), CLIP_FACTOR * (y1 - y0)
        return np.clip(p1[keep], x0 - mx, x1 + mx), np.clip(p2[keep], y0 - my, y1 + my)

    def set_path(self, p1, p2, color_values=None) -> None:
        """The descent path: a strided line (at most ~PATH_CAP vertices, the last point always
        included) and markers on the last MARKER_TAIL points, coloured by ``color_values``
        (e.g. epoch) when given, else by recency."""
        n = min(np.size(p1), np.size(p2))
        values = None if color_values is None else np.asarray(color_values, float).ravel()[:n]
        x, y = self.clip_points(np.ravel(p1)[:n], np.ravel(p2)[:n])
        if x.size == 0:
            self.path_line.setData([], [])
            self.path_markers.setData([], [])
            self.start_marker.setVisible(False)
            return
        idx = c.stride_indices(x.size, PATH_CAP)
        self.path_line.setData(x[idx], y[idx])
        tail = slice(max(0, x.size - MARKER_TAIL), x.size)
        if values is not None and values.size == n == x.size:
            # Normalised over the tail, so epoch changes among the recent points show.
            v = np.nan_to_num(values[tail], nan=np.nanmax(values[tail], initial=0.0))
            span = float(v.max() - v.min())
            shade = (v - v.min()) / span if span > 0 else np.ones(v.size)
        else:  # by recency
            shade = np.linspace(0.0, 1.0, x[tail].size)
        # A few fixed brushes: every distinct brush is a new symbol for the scatter's atlas to
        # render, and continuous shades made that the most expensive part of a frame.
        levels = np.rint(shade * (len(TAIL_BRUSHES) - 1)).astype(int)
        if self._fast:  # flat out the tail is new in every frame: one brush costs 2.5x less
            self.path_markers.setData(x[tail], y[tail], brush=TAIL_BRUSHES[int(levels[-1])])
        else:
            self.path_markers.setData(x[tail], y[tail], brush=[TAIL_BRUSHES[i] for i in levels])
        if not self.start_marker.isVisible() or self.start_marker.pos() != pg.Point(x[0], y[0]):
            self.start_marker.setPos(float(x[0]), float(y[0]))
        self.start_marker.setVisible(True)

    def set_fast(self, fast: bool) -> None:
        """No antialiasing of the path and contours, and a 1 px path, while a run goes flat out
        (cheaper frames); the still picture is drawn in full."""
        self._fast = fast
        for item in (self.path_line, self.contours):
            item.opts["antialias"] = not fast
            item.update()
        t = self.look.theme
        self.path_line.setPen(c.pen(t.path, 1) if fast else self.look.pen(t.path, 1.5))
        self.path_line.setShadowPen(self._halo())

    def _halo(self):
        """The path's halo: a fixed 1.5 px rim each side (wider, it reads as a second line);
        none flat out, where it drew the whole path a second time in every frame."""
        t = self.look.theme
        return (
            c.pen(t.path_halo, self.look.width(1.5) + 3) if t.path_halo and not self._fast else None
        )

    def set_start(self, point) -> None:
        """Show the (draggable) start marker before any path exists."""
        x, y = self.clip_points([point[0]], [point[1]])
        if x.size:
            self.start_marker.setPos(float(x[0]), float(y[0]))
            self.start_marker.setVisible(True)

    def drawn_point_count(self) -> int:
        """Number of vertices of the drawn path line (after striding)."""
        xs, _ = self.path_line.getData()
        return 0 if xs is None else int(np.size(xs))

    def set_current(self, point, gradient=None, step=None) -> None:
        """The current point, the batch gradient direction from it (fixed on-screen length) and
        the step just taken (``p_new - p_old``, drawn from the previous point, enlarged when it
        would be too small to see)."""
        self._current = (point, gradient, step)
        x, y = self.clip_points([point[0]], [point[1]])
        if not x.size:
            self.current_marker.setData([], [])
        else:
            # One spot at the item's origin, moved with setPos: a setData per frame rebuilt
            # the scatter's spot table and bounds (a third of the Python part of a frame).
            if len(self.current_marker.data) != 1:
                self.current_marker.setData([0.0], [0.0])
            self.current_marker.setPos(float(x[0]), float(y[0]))
        self._redraw_arrows()

    def set_loss_at(self, loss_at, param_names) -> None:
        """What the readout under the mouse says: ``loss_at(p1, p2)`` (the problem's full
        loss) at the cursor, e.g. "loss 12.3 at w = 1.5, b = -0.2"."""
        n1, n2 = param_names

        def describe(x: float, y: float) -> str | None:
            with np.errstate(all="ignore"):
                loss = float(loss_at(x, y))
            if not np.isfinite(loss):
                return None
            return f"loss {loss:.4g} at {n1} = {x:.3g}, {n2} = {y:.3g}"

        self.hover.describe = describe

    def set_batch_contours(self, x=(), y=()) -> None:
        """Contour segments (point pairs) of the current batch's own loss; none hides them."""
        if not len(x) and not self.batch_contours.isVisible():
            return  # none, as before (asked every frame)
        self.batch_contours.setData(np.asarray(x, float), np.asarray(y, float))
        self.batch_contours.setVisible(bool(len(x)))

    def set_examples(self, origin=None, examples=(), mean=None, full=None,
                     labels: tuple[str, str] = ("batch mean", "all data")) -> None:  # fmt: skip
        """The fan of the batch (ExampleFan): each example's gradient at ``origin``, their
        ``mean`` and the ``full``-data gradient; it takes the gradient arrow's place. No
        ``origin``: no fan, the gradient arrow again."""
        if origin is None and not self.fan.shown:
            return  # no fan, as before: nothing to redraw (this is asked every frame)
        self.fan.set_vectors(origin, examples, mean, full, labels)
        self._redraw_arrows()

    def _redraw_arrows(self, *_args) -> None:
        """Arrow lengths are in pixels, so they are recomputed whenever the view changes."""
        shown = self._place_arrows()
        # Hidden only when not shown again: a hide and show every frame repainted both.
        for arrow in (self.gradient_arrow, self.step_arrow):
            if arrow not in shown:
                arrow.hide()

    def _place_arrows(self) -> set:
        """Place the arrows that have a direction and an anchor on screen; returns them."""
        shown = set()
        if self._current is None:
            return shown
        point, gradient, step = (
            None if v is None else np.asarray(v, float).ravel()[:2] for v in self._current
        )
        (vx0, vx1), (vy0, vy1) = self.view.viewRange()
        if point is None or not (vx0 <= point[0] <= vx1 and vy0 <= point[1] <= vy1):
            return shown  # off screen (e.g. diverged): arrows would float without an anchor
        width_px, height_px = max(self.view.width(), 1.0), max(self.view.height(), 1.0)
        px_per = np.array([width_px / (vx1 - vx0), height_px / (vy1 - vy0)])  # px per unit
        inside = lambda p: vx0 <= p[0] <= vx1 and vy0 <= p[1] <= vy1  # noqa: E731
        if self.fan.place(px_per, min(width_px, height_px), inside):
            gradient = None  # the fan's bold mean is the batch gradient
        with np.errstate(all="ignore"):  # a diverged run may overflow; such arrows are skipped
            step_dir = side = None
            # A zero gradient or step (a stationary start, a run that converged exactly) has no
            # direction: no arrow, rather than a division by zero.
            if step is not None and not _has_length(step * px_per):
                step = None
            if gradient is not None and not _has_length(gradient * px_per):
                gradient = None
            if step is not None:
                step_screen = step * px_per
                step_dir = step_screen / float(np.hypot(*step_screen))
            if gradient is not None:
                screen = gradient * px_per
                norm = float(np.hypot(*screen))
                # At least twice the head's length, which grows with the presentation scale.
                length = max(GRADIENT_FRACTION * width_px, self.look.size(40))
                tip = point + gradient * (length / norm)
                # A label beside the arrow goes away from the path's last segment, the step
                # label to the other side.
                side = np.array([-screen[1], screen[0]]) / norm
                if step_dir is not None and side @ step_dir < 0:
                    side = -side
                args = (point, tip, screen / norm, "gradient", side)
                if self._show_arrow(self.gradient_arrow, *args):
                    shown.add(self.gradient_arrow)
            if step is not None:
                norm = float(np.hypot(*step_screen))
                scale = max(1.0, max(STEP_MIN_FRACTION * width_px, self.look.size(30)) / norm)
                factor = f"{scale:.0f}" if scale < 1000 else f"{scale:.1e}".replace("e+0", "e")
                text = "step" if scale < 1.5 else f"step ×{factor}"
                if self._true_step:  # as long as it is: lesson 1's and 2's differ by 100x
                    scale, text = 1.0, "step (true length)"
                origin = point - step
                tip = origin + step * scale
                other = None if side is None else -side
                if self._show_arrow(self.step_arrow, origin, tip, step_dir, text, other):
                    shown.add(self.step_arrow)
        return shown

    def _show_arrow(self, arrow: Arrow, origin, tip, screen_dir, text: str, side=None) -> bool:
        if not (
            np.all(np.isfinite(screen_dir))
            and np.all(np.isfinite(tip))
            and np.all(np.isfinite(origin))
        ):
            return False
        xs, ys = self.clip_points([origin[0], tip[0]], [origin[1], tip[1]])
        arrow.show((xs[0], ys[0]), (xs[1], ys[1]), screen_dir, text, side)
        return True

    # -- interaction ------------------------------------------------------------------------
    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        if not self.view.sceneBoundingRect().contains(event.scenePos()):
            return  # on an axis or the colour bar
        pos = self.view.mapSceneToView(event.scenePos())
        self.pointPicked.emit(float(pos.x()), float(pos.y()))

    def _on_start_dragged(self, marker) -> None:
        pos = marker.pos()
        self.pointPicked.emit(float(pos.x()), float(pos.y()))


def _has_length(vector) -> bool:
    """A finite vector longer than zero on screen (one that can be normalised)."""
    norm = float(np.hypot(*vector))
    return np.isfinite(norm) and norm > 0.0
