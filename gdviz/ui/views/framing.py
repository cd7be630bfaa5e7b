"""SteppedFraming: a plot's x and y ranges set in steps from the box of its data
(views/ranges.py), not by pyqtgraph's autorange, which changed them every frame (each change
repaints the axes) and framed the lone start point of a run as -50 ... 50 epochs and a loss of
175 ... 185. A pan or zoom by the user stops the following until the plot's "A" button or
:meth:`SteppedFraming.follow`. The loss view and the compare view's loss plot use it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gdviz.ui.views.ranges import run_range, stepped_range


class SteppedFraming:
    """Frames ``plot`` on the box of its data (see ``ranges.data_box``) while following it."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        plot.disableAutoRange()
        self.following = True
        self.shown: tuple = (None, None)  # the x and y ranges set, in view units
        self.box: tuple | None = None  # x0, x1, y0, y1 (linear), p0, p1 (positive y)
        self._growing, self._end = False, None
        plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
        plot.autoBtn.clicked.connect(self.follow)  # after pyqtgraph's own handler

    def set_box(self, box: tuple | None, growing: bool = False, end: float | None = None) -> None:
        """The data's box; ``growing``: the run is adding rows (its x range is given room
        ahead); ``end``: the x where the run will stop, to frame it whole from its start."""
        self.box, self._growing, self._end = box, growing, end
        self.apply()

    def apply(self) -> None:
        """x: the whole run (autorange would see only what clip-to-view hands it, so a thinned
        history, sparse at its start, took hundreds of frames to come back into view); y: the
        data; each in steps, set only when they change."""
        if not self.following or self.box is None:
            return
        x0, x1, y0, y1, p0, p1 = self.box
        x_shown, y_shown = self.shown
        x_range = run_range(x_shown, x0, x1, self._growing, self._end)
        if self.plot.ctrl.logYCheck.isChecked():
            y_range = y_shown if p0 is None else stepped_range(
                y_shown, np.log10(p0), np.log10(p1), log=True)  # fmt: skip
        else:
            y_range = stepped_range(y_shown, y0, y1)
        if (x_range, y_range) != self.shown:
            self.shown = (x_range, y_range)
            self.plot.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)

    def new_y(self) -> None:
        """A new y range at the next data, not the one kept while the data fits it."""
        self.shown = (self.shown[0], None)

    def follow(self) -> None:
        """Frame the data again, and keep framing it as it grows."""
        self.plot.disableAutoRange()  # the "A" button turned pyqtgraph's on
        self.following, self.shown = True, (None, None)
        self.apply()

    def clear(self) -> None:
        """No data (a new run): framed again from its first box."""
        self.box = None
        self.follow()

    def _stop_following(self, *_args) -> None:
        self.following = False
