"""SurfaceMaker: the loss-surface grid of a problem, computed where it does not stop the window.

A closed-form surface (linear regression, the analytic surfaces) takes a few milliseconds and is
made at once. A logistic surface sums a softplus per example (or per bin of x, see
``LogisticRegression.surface_loss``) at each of the 40,000 grid points: 1-3 s, which on the GUI
thread froze the window at every reset (278 s at N = 224,081 before the bins). Those are made on
the maker's own thread: a 50 x 50 grid first (~0.15 s), then the full one; a newer request
supersedes an older one, which stops at its next block of rows and whose grids are dropped.
NumPy releases the GIL in the ufunc loops that do the work, so the window keeps animating.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gdviz.core.surface import COARSE_SHAPE, GRID_SHAPE, LossGrid, is_quick, loss_grid, loss_on
from gdviz.ui.worker_thread import LatestRequest, WorkerThread

ROWS_PER_BLOCK = 25  # grid rows between checks for a newer request (~0.1-0.3 s at most)


@dataclass(frozen=True)
class SurfaceRequest:
    request_id: int
    problem: object
    window: tuple[float, float, float, float]
    cancel: threading.Event


class _Superseded(Exception):
    """A newer request came while this one was being computed."""


def grid_in_blocks(problem, window, shape, cancel: threading.Event) -> LossGrid:
    """:func:`loss_grid` computed ROWS_PER_BLOCK rows at a time, checking ``cancel`` between
    blocks (raises _Superseded)."""
    p1 = np.linspace(window[0], window[1], shape[0])
    p2 = np.linspace(window[2], window[3], shape[1])
    rows = []
    for start in range(0, p2.size, ROWS_PER_BLOCK):
        if cancel.is_set():
            raise _Superseded
        rows.append(loss_on(problem, p1, p2[start : start + ROWS_PER_BLOCK]))
    return LossGrid(p1, p2, np.vstack(rows))


class _SurfaceWorker(QObject):
    made = Signal(int, object, bool)  # request id, LossGrid, final
    failed = Signal(int, str)

    @Slot(object)
    def make(self, request: SurfaceRequest) -> None:
        try:
            for shape in (COARSE_SHAPE, GRID_SHAPE):
                grid = grid_in_blocks(request.problem, request.window, shape, request.cancel)
                self.made.emit(request.request_id, grid, shape == GRID_SHAPE)
        except _Superseded:
            return
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(request.request_id, f"{type(exc).__name__}: {exc}")


class SurfaceMaker(QObject):
    """``request(problem, window)``; then ``made(problem, grid, final)`` once (a quick surface,
    at once) or twice (coarse, then the final grid that refines it); ``failed(message)`` if it
    cannot be computed."""

    made = Signal(object, object, bool)  # the problem asked for, its LossGrid, final
    failed = Signal(str)
    _submit = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        worker = _SurfaceWorker()
        self._thread = WorkerThread(worker, "gdviz-surface")
        self._submit.connect(worker.make)
        worker.made.connect(self._on_made)
        worker.failed.connect(self._on_failed)
        self._requests = LatestRequest()
        self._last: tuple | None = None  # (problem, window, final grid): a redraw is free

    @property
    def computing(self) -> bool:
        """Whether a grid is being made off the GUI thread."""
        return self._requests.current is not None

    def request(self, problem, window) -> None:
        """Make ``problem``'s surface over ``window`` (superseding a request under way)."""
        self.cancel()
        window = tuple(window)
        last = self._last
        if last is not None and last[0] is problem and last[1] == window:
            self.made.emit(problem, last[2], True)  # the same surface drawn again (log scale)
            return
        if is_quick(problem):
            grid = loss_grid(problem, window, GRID_SHAPE)
            self._last = (problem, window, grid)
            self.made.emit(problem, grid, True)
            return
        self._submit.emit(
            self._requests.new(
                lambda request_id, cancel: SurfaceRequest(request_id, problem, window, cancel)
            )
        )

    def cancel(self) -> None:
        self._requests.cancel()

    def shutdown(self) -> None:
        self.cancel()
        self._thread.shutdown()

    def _on_made(self, request_id: int, grid: LossGrid, final: bool) -> None:
        request = self._requests.finish(request_id) if final else self._requests.get(request_id)
        if request is None:
            return  # superseded
        if final:
            self._last = (request.problem, request.window, grid)
        self.made.emit(request.problem, grid, final)

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._requests.finish(request_id):
            self.failed.emit(message)
