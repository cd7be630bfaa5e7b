"""SurfacePresenter: the run's loss surface in the surface view that shows the run.

It asks the SurfaceMaker (surface_maker.py) for the grid the view needs and draws what comes
back. The grid covers the problem's window (the start and the optimum), widened to the view's
shape when the axes are equal; after a pan, a zoom, a resize or Fit path that shows parameters
beyond it, the grid is made again over what is shown, so the picture has no blank margin.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from gdviz.ui.surface_maker import SurfaceMaker


class SurfacePresenter(QObject):
    """Keeps ``window``'s shown surface view (single run or comparison) drawn."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.maker = SurfaceMaker(self)
        self.maker.made.connect(self._on_made)
        self.maker.failed.connect(self._on_failed)
        self._coarse_of = None  # the problem whose coarse surface is shown, until refined
        self._reset = True  # whether the grid being made frames the view when it comes
        self._window = None  # (problem, window) last asked for
        self.watch(window.surface_view)

    def watch(self, view) -> None:
        """Extend the surface when ``view`` shows beyond it (the compare view's, once built)."""
        view.uncovered.connect(lambda: self.extend(view))

    def shown_view(self):
        w = self.window
        return w.compare_view.surface if w.engine.comparing else w.surface_view

    def equal_axes(self, problem) -> bool:
        """The state's choice, or where it has none, whether the parameters share a scale."""
        chosen = self.window.state.equal_axes
        return problem.equal_scales if chosen is None else chosen

    def draw(self, *_args) -> None:
        """The run's surface over the problem's window, framing the view when it comes."""
        info = self.window.engine.info
        if info is None:
            return
        problem, view = info.problem, self.shown_view()
        equal = self.equal_axes(problem)
        view.set_equal_axes(equal)
        self.window.equal_axes_action.setChecked(equal)  # emits nothing: see build_menus
        home = problem.default_window(info.configs[0].start)
        view.set_home(home)
        self._request(problem, view.fitted_window(home), reset=True)

    def redraw(self, *_args) -> None:
        """The same grid drawn again (in log or linear colours), the view kept as it is."""
        info = self.window.engine.info
        if info is None:
            return
        last = self._window
        if last is None or last[0] is not info.problem:
            return self.draw()
        self._request(*last, reset=False)

    def extend(self, view) -> None:
        """The surface made again over what ``view`` shows, when that goes beyond it."""
        info = self.window.engine.info
        if info is None or view is not self.shown_view() or view.covers_view():
            return
        self._request(info.problem, view.wanted_window(), reset=False)

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Extend the shown surface to its view now, and wait until it is made: for a picture
        taken at once (gdviz render), where the debounced extension would come too late."""
        from PySide6.QtCore import QElapsedTimer, QEventLoop
        from PySide6.QtWidgets import QApplication

        self.extend(self.shown_view())
        clock = QElapsedTimer()
        clock.start()
        while self.maker.computing and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def shutdown(self) -> None:
        self.maker.shutdown()

    def _request(self, problem, window, reset: bool) -> None:
        self._reset, self._window = reset, (problem, tuple(window))
        self.maker.request(problem, window)
        if self.maker.computing:
            self.shown_view().set_note("loss surface: computing…")

    def _on_made(self, problem, grid, final: bool) -> None:
        w = self.window
        info = w.engine.info
        if info is None or info.problem is not problem:
            return  # a surface of an earlier run
        # A grid that refines a coarse one keeps the view as the user may have moved it since.
        refines, self._coarse_of = self._coarse_of is problem, None if final else problem
        view = self.shown_view()
        view.set_surface(grid, problem.minima(), problem.param_names, w.state.log_surface,
                         reset=self._reset and not refines)  # fmt: skip
        if info.comparing:  # only the picture changes: the runs go on
            view.set_path([], [])
        view.set_note(problem.surface_note() if final else "loss surface: refining…")
        if w.surface3d is not None and final and self._reset:
            w.surface3d.set_surface(grid)  # the problem's window, not a pan's extension
        w.frames.mark_dirty()

    def _on_failed(self, message: str) -> None:
        self.shown_view().set_note("")
        self.window.badge.show_message("warning", f"The loss surface could not be drawn: {message}")
