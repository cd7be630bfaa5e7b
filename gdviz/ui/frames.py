"""FrameDrawer: the views redrawn from the recording and the state, at most once a frame.

A 16 ms timer redraws only when something changed (new rows, the timeline, an axis mode), and
stops when nothing has: a paused window wakes for nothing (the timer's 60 wake-ups a second
were most of its CPU when idle).
While a run plays, frames are paced to ~30 a second (at a slow speed, one per iteration): a
frame (redraw + paint) costs ~15-25 ms of CPU in software rendering, so 60 frames a second would
take all of the GUI thread; 30 keep an animation smooth at half the cost. The views repaint only
what changed (stepped axis ranges, cached stills), see benchmarks/bench_cpu.py. Every frame
costs the same after 10^6 iterations as after 10^3: the path and loss curves are decimated here.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer

from gdviz.core.config import ConfigError, budget_extent, total_steps
from gdviz.core.contours import contour_levels, contour_segments

PATH_POINTS, PATH_TAIL = 4000, 300  # path vertices drawn: strided history + recent points
FRAME_INTERVAL = 1 / 30  # seconds between frames while a run plays
WHOLE_RUN_AXIS = 100_000  # iterations: shorter runs are framed whole from their start
LOSS_POINTS = 6_000  # loss-curve points drawn (pyqtgraph downsamples further for the screen)
BATCH_GRID = 64  # points a side of the grid the batch's own contours are traced on


class FrameDrawer(QObject):
    """Draws ``window``'s views (surface, loss, data, compare, 3-D) from its engine's recording
    and its state; :meth:`mark_dirty` asks for a frame, :meth:`draw` makes one now."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._dirty = False
        self._stopped = False
        self._last_frame = 0.0
        self._batch_surface = None  # (worked update, view range) the batch contours are of
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive() and not self._stopped:
            self._timer.start()

    def rows_shown(self) -> int:
        """The rows the views show: all of them live, the first ``timeline`` when rewound."""
        recording = self.window.engine.recording
        if recording is None:
            return 0
        rewound = self.window.state.timeline
        return len(recording) if rewound is None else int(np.clip(rewound, 1, len(recording)))

    def _on_timer_timeout(self) -> None:
        if not self._dirty:
            self._timer.stop()  # started again by the next mark_dirty
            return
        engine = self.window.engine
        now = time.perf_counter()
        # Paused, a change (a slider, the timeline) is drawn at once.
        pace = FRAME_INTERVAL if engine.running else 0.0
        if now - self._last_frame >= pace - 0.004:  # the 16 ms timer's jitter
            self.draw()

    def draw(self) -> None:
        """Redraw every view now (the engine waits meanwhile: EngineSession.frame_turn)."""
        with self.window.engine.frame_turn:
            self._draw()

    def _draw(self) -> None:
        w = self.window
        recording = w.engine.recording
        self._dirty = False
        self._last_frame = time.perf_counter()
        if recording is None or not len(recording):
            return
        n = self.rows_shown()
        w.timeline.set_length(len(recording), recording.column("step"))
        # A run near the end of the float range (parameters of 1e308) overflows in the step
        # and the arrows: drawn as far as it can be, never a warning printed at the user.
        with np.errstate(all="ignore"):
            w.update_status()
            if w.engine.comparing:
                mode, growing = w.state.x_axis, w.engine.running and n == len(recording)
                end = self._run_end(mode, w.engine.info.configs)
                w.compare_view.update_from(recording, mode, n, growing, end)
            else:
                self._draw_single(recording, n)
            if w.worked_dock.isVisible():
                w.worked_dock.follow(w.engine, recording, min(n, recording.end(0)))
            w.lab.draw(recording, n)
            self._draw_fan(recording, min(n, recording.end(0)))
            self._draw_batch_surface(recording, min(n, recording.end(0)))

    def _shown_update(self, r, n: int, wanted: bool):
        """The worked update of row ``n - 1`` (the engine works each step out once), when
        ``wanted`` and there is one: a single run past its start."""
        if not wanted or self.window.engine.comparing or n < 2:
            return None
        return self.window.engine.worked_update(int(r.column("step")[n - 1]))

    def _draw_batch_surface(self, r, n: int) -> None:
        """The loss of the shown step's batch alone (O), as dashed contours over the view: the
        surface that step descended, computed again only for another step or view."""
        w = self.window
        work = self._shown_update(r, n, w.state.batch_surface)
        if work is None or not work.batch_size:
            self._batch_surface = None
            w.surface_view.set_batch_contours()
            return
        (x0, x1), (y0, y1) = w.surface_view.view.viewRange()
        shown = self._batch_surface
        if shown is not None and shown[0] is work and shown[1] == (x0, x1, y0, y1):
            return
        self._batch_surface = (work, (x0, x1, y0, y1))
        xs, ys = np.linspace(x0, x1, BATCH_GRID), np.linspace(y0, y1, BATCH_GRID)
        with np.errstate(all="ignore"):
            loss = w.engine.problem.batch_loss_surface(*np.meshgrid(xs, ys), work.examples)
        w.surface_view.set_batch_contours(*contour_segments(xs, ys, loss, contour_levels(loss)))

    def _draw_fan(self, r, n: int) -> None:
        """Each example's gradient of the shown step, their mean and the full gradient (A),
        from the point where they were computed: the step's own worked update."""
        w = self.window
        work = self._shown_update(r, n, w.state.example_arrows)
        if work is None:
            w.surface_view.set_examples(None)
            return
        full = w.engine.problem.full_grad(*work.params_before)
        if work.true_grad is not None:  # a surface: the noisy gradient used, and the true one
            labels = ("gradient with noise", "without noise")
            w.surface_view.set_examples(work.params_before, (), work.grad, full, labels)
            return
        w.surface_view.set_examples(work.params_before, work.example_grads, work.grad, full)

    def _run_end(self, mode: str, configs) -> float | None:
        """Where the runs of ``configs`` stop on the loss curve's x axis (``mode``; the last
        of them), when the axis is to show them whole from the start: budgets up to
        WHOLE_RUN_AXIS iterations. Before the first iteration the empty axis then says what is
        coming (0 ... 10 epochs), not -0.5 ... 0.5 (or -50 ... 50 for a comparison)."""
        problem = self.window.engine.problem
        if problem is None:
            return None
        try:  # the state's configuration may be ahead of the run's problem (a CSV being read)
            if any(total_steps(c, problem) > WHOLE_RUN_AXIS for c in configs):
                return None
            return max(budget_extent(c, problem, mode) for c in configs)
        except ConfigError:
            return None

    def _draw_single(self, r, n: int) -> None:
        w = self.window
        n = min(n, r.end(0))
        p1, p2 = r.column("p1")[:n], r.column("p2")[:n]
        path_rows = r.draw_rows(PATH_POINTS, PATH_TAIL, n)
        w.surface_view.set_path(p1[path_rows], p2[path_rows], r.column("epoch")[path_rows])
        current = (float(p1[-1]), float(p2[-1]))
        w.controls.parameters.show_values(w.engine.problem.param_names, current)
        gradient = (float(r.column("g1")[n - 1]), float(r.column("g2")[n - 1]))
        step = (float(p1[-1] - p1[-2]), float(p2[-1] - p2[-2])) if n > 1 else None
        w.surface_view.set_current(current, None if np.isnan(gradient[0]) else gradient, step)
        if w.surface3d is not None and w.surface3d.isVisible():
            w.surface3d.set_path(p1[path_rows], p2[path_rows], r.column("loss")[path_rows])
        mode = w.state.x_axis
        rows = r.draw_rows(LOSS_POINTS, 0, n)
        w.loss_view.set_x_label(mode)
        growing = w.engine.running and n == len(r)
        end = self._run_end(mode, [w.state.config])
        w.loss_view.set_data(r.x_values(mode, rows), r.column("batch_loss")[rows],
                             r.column("loss")[rows], growing, end)  # fmt: skip
        # With one iteration per epoch (full batch) every iteration is a boundary: draw none.
        full_batch = int(r.column("epoch_iterations")[n - 1]) == 1 if n > 1 else True
        w.loss_view.set_epoch_boundaries(np.zeros(0) if full_batch else r.epoch_boundaries(mode, n))
        problem = w.engine.problem
        data = getattr(problem, "data", None)
        if data is not None:
            logistic = w.engine.info.configs[0].model == "logistic"
            w.data_view.set_model(*current, data.x_shift, data.x_scale, logistic=logistic)
            # A full batch is every example: highlighting all of them would hide the data. Only
            # the newest batch is kept: none is highlighted while the timeline is rewound.
            batch = r.last_examples
            size = w.state.config.batch_size  # None: the full batch
            full = size is None or size >= data.n_examples
            hidden = full or batch.size >= data.n_examples or n < len(r)
            w.data_view.set_batch(batch[:0] if hidden else batch, full)
            replacement = w.engine.info.configs[0].sampling == "replacement"
            w.data_view.set_tally(None if hidden else r.epoch_counts, replacement)
