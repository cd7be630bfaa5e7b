"""MainWindow: composition and wiring of controls, views, run controls and the engine."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from gdviz.core.batching import iterations_per_epoch
from gdviz.core.config import ConfigError, RunConfig, batch_size_of, build_problem
from gdviz.core.data import DataError, csv_header
from gdviz.core.surface import curvature, loss_grid
from gdviz.ui.about import about_html
from gdviz.ui.controller import HYPERPARAMETER_FIELDS, RunController
from gdviz.ui.layout import build_controls_dock, build_views
from gdviz.ui.lecture import LectureMixin
from gdviz.ui.lesson_navigator import LessonNavigator
from gdviz.ui.menus import build_menus
from gdviz.ui.panels.controls import ControlsPanel
from gdviz.ui.persistence import (
    restore_window,
    save_look,
    save_window,
    saved_config,
    saved_look,
)
from gdviz.ui.run_buffer import BUFFER_ROWS, RunBuffer
from gdviz.ui.run_toolbar import RunToolbar
from gdviz.ui.status import describe_changes
from gdviz.ui.theme import THEMES, apply_theme
from gdviz.ui.views.surface3d import Surface3DView

DEFAULT_CONFIG = RunConfig(batch_size=10, lr=0.05, epochs=20)
PATH_POINTS, PATH_TAIL = 4000, 300  # path vertices drawn: strided history + recent points
FAST_FRAME_INTERVAL = 0.033  # seconds between frames while a run goes as fast as possible
LOSS_POINTS = 20_000  # loss-curve points drawn (pyqtgraph downsamples further for the screen)


class MainWindow(LectureMixin, QMainWindow):
    """The gdviz window. Owns a RunController; views only ever read the RunBuffer."""

    def __init__(self, config: RunConfig | None = None, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("gdviz — gradient descent, visible")
        self.settings = settings
        config = config or saved_config(settings) or DEFAULT_CONFIG
        self.controller = RunController(self)
        self.buffer = RunBuffer(1)
        self._dirty = False
        self._last_frame = 0.0
        self.surface3d: Surface3DView | None = None
        self.compare_runs: tuple | None = None  # CompareRun tuple of the current lesson, if any
        self._panel_config: RunConfig | None = None  # the configuration last taken from the panel
        self._reported_divergences: set[int] = set()
        build_views(self)
        self.controls = ControlsPanel(config)
        self.navigator = LessonNavigator(self._load_lessons(), self)
        build_controls_dock(self)
        self.toolbar = RunToolbar(self)
        self.addToolBar(self.toolbar)
        build_menus(self)
        self._wire()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(16)
        self._redraw_timer.timeout.connect(self._redraw)
        self._redraw_timer.start()
        self.resize(1280, 720)
        if settings is not None:
            restore_window(settings, self.layout_parts())
            self.lesson_card.hide()  # the saved layout may show it; no lesson is open yet
        self._apply_config(config, reset=True)
        self.theme_name, self.scale = saved_look(settings)
        apply_theme(self, THEMES[self.theme_name], self.scale)
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == self.theme_name)

    # -- construction ----------------------------------------------------------------------------
    def _wire(self) -> None:
        c, t = self.controller, self.toolbar
        c.stepped.connect(self._on_controller_stepped)
        c.stopped.connect(self._on_controller_stopped)
        c.failed.connect(self._on_controller_failed)
        c.runningChanged.connect(t.set_running)
        c.runningChanged.connect(self._on_controller_running_changed)
        t.playToggled.connect(lambda: c.pause() if c.running else c.play())
        t.stepRequested.connect(lambda: c.step(1))
        t.epochRequested.connect(lambda: c.step(self._steps_to_epoch_end()))
        t.resetRequested.connect(lambda: self._apply_config(self.controls.config(), reset=True))
        t.speedChanged.connect(c.set_speed)
        t.speedChanged.connect(lambda _: self._on_controller_running_changed(c.running))
        t.fitPathRequested.connect(self.surface_view.fit_path)
        t.logSurfaceToggled.connect(lambda _: self._draw_surface())
        t.xAxisChanged.connect(lambda _: self._on_x_axis_changed())
        t.logLossToggled.connect(self.loss_view.set_log_y)
        t.logLossToggled.connect(self.compare_view.set_log_y)
        self.loss_view.logYChanged.connect(t.set_log_loss)  # auto log axis on divergence
        c.set_speed(t.speed())
        self.controls.configChanged.connect(lambda cfg: self._apply_config(cfg, reset=False))
        self.controls.openDataRequested.connect(self._on_open_data)
        self.surface_view.pointPicked.connect(self._on_surface_point_picked)
        self.navigator.lessonChosen.connect(self.open_lesson)
        self.timeline.scrubbed.connect(lambda _: self._on_timeline_moved())
        self.timeline.liveRequested.connect(self._on_timeline_moved)
        c.runningChanged.connect(lambda running: running and self.timeline.go_live())
        self.sweep_dock.visibilityChanged.connect(
            lambda shown: shown and self._on_sweep_dock_shown()
        )
        self.sweep_panel.learningRatePicked.connect(self._on_sweep_rate_picked)

    # -- configuration ---------------------------------------------------------------------------
    def _apply_config(self, config: RunConfig, reset: bool) -> None:
        """Continue with new hyperparameters, or start a new run when the problem changed."""
        current = self.controller.config
        changed = (
            {f for f in RunConfig.__dataclass_fields__ if getattr(config, f) != getattr(current, f)}
            if current is not None
            else None
        )
        if not reset and changed is not None and not changed:
            return
        panel_before, self._panel_config = self._panel_config, config
        if self.compare_runs is not None:
            # Compared runs differ from the panel (run 0 is not the panel): apply only what the
            # panel changed since the last time, to every run.
            self._apply_compare(config, panel_before)
            return
        if not reset and changed is not None and changed <= HYPERPARAMETER_FIELDS:
            try:
                self.controller.change_hyperparameters(config, describe_changes(current, config))
                problem = self.controller.problem
                self.buffer.runs_per_epoch[0] = iterations_per_epoch(
                    problem.n_examples, batch_size_of(config, problem), config.drop_last,
                    config.sampling,
                )  # fmt: skip
                self._update_sweep()
            except (ConfigError, ValueError) as exc:
                self._show_problem(str(exc), current)
            return
        was_running = self.controller.running
        try:
            problem = build_problem(config)
            batch = batch_size_of(config, problem)
            self.controller.reset(config, problem)
        except (ConfigError, DataError, ValueError) as exc:
            self._show_problem(str(exc), current)
            return
        self.badge.dismiss()
        self.view_stack.setCurrentWidget(self.main_split)
        ipe = iterations_per_epoch(problem.n_examples, batch, config.drop_last, config.sampling)
        self.buffer = RunBuffer(ipe, min(self.controller.budget + 1, BUFFER_ROWS))
        shape = curvature(problem)
        data = getattr(problem, "data", None)
        self.controls.set_problem_info(
            problem.n_examples,
            data.skipped_rows if data is not None else 0,
            shape.lr_max_stable if shape else None,
            shape.lr_fastest if shape else None,
        )
        self._draw_surface()
        self._draw_data()
        self.loss_view.clear()
        self.loss_view.set_log_y(self.toolbar.log_loss())
        self.toolbar.set_finished(False)
        self._seed_start_row()
        self._update_sweep()
        if was_running and not reset:
            self.controller.play()

    def _show_problem(self, message: str, keep: RunConfig | None) -> None:
        """Bad input: say what is wrong and keep the current run and configuration."""
        self.badge.show_message("warning", f"Not applied: {message}")
        if keep is not None:
            self.controls.set_config(keep)

    def _seed_start_row(self) -> None:
        """Show the start point before the first step (row 0 of the trainer's trajectory)."""
        trajectory = self.controller.trainer.trajectory
        rows = {"step": trajectory.step[:1].copy()}
        for name, array in trajectory.fields.items():
            rows[name] = array[:1, 0].copy()
        self.buffer.append(rows, np.zeros(0, dtype=np.int64))
        self._update_status(tuple(self.controller.trainer.statuses))
        self._mark_dirty()

    def _steps_to_epoch_end(self) -> int:
        """Iterations left in the current epoch (a whole epoch when one just ended); counted
        from the batch number, which restarts when the batch size changes mid-run."""
        ipe = self.buffer.iterations_per_epoch
        return ipe - int(self.buffer.last("batch", 0)) % ipe

    # -- drawing ---------------------------------------------------------------------------------
    def _draw_surface(self) -> None:
        problem, config = self.controller.problem, self.controller.config
        if problem is None:
            return
        if self.controller.comparing:  # only the picture changes: the runs go on
            grid = loss_grid(problem, problem.default_window(config.start), (200, 200))
            log_scale = self.toolbar.log_surface()
            self.compare_view.set_surface(grid, problem.minima(), problem.param_names, log_scale)
            return
        window = problem.default_window(config.start)
        grid = loss_grid(problem, window, (200, 200))
        self.surface_view.set_surface(
            grid, problem.minima(), problem.param_names, log_scale=self.toolbar.log_surface()
        )
        if self.surface3d is not None:
            self.surface3d.set_surface(grid)

    def _draw_data(self) -> None:
        data = getattr(self.controller.problem, "data", None)
        if data is None:
            self.data_view.set_visible_message("No data: an analytic surface")
            return
        logistic = self.controller.config.model == "logistic"
        self.data_view.set_data(data.raw_x, data.y, data.x_label, data.y_label, logistic=logistic)

    def _toggle_3d(self, on: bool) -> None:
        """Show or hide the 3-D surface dock (built on first use: it needs OpenGL)."""
        if on and self.surface3d is None:
            self.surface3d = Surface3DView()
            self.surface3d_dock = QDockWidget("3-D surface", self)
            self.surface3d_dock.setObjectName("surface3d")
            self.surface3d_dock.setWidget(self.surface3d)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.surface3d_dock)
            self.surface3d_dock.visibilityChanged.connect(self.surface3d_action.setChecked)
            self._draw_surface()
        if self.surface3d is not None:
            self.surface3d_dock.setVisible(on)
            if on:  # wide enough to see the shape
                self.resizeDocks([self.surface3d_dock], [self.width() * 2 // 5],
                                 Qt.Orientation.Horizontal)  # fmt: skip
            self._mark_dirty()

    def _on_timeline_moved(self) -> None:
        self._mark_dirty()
        self._redraw()

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _redraw(self) -> None:
        """Timer slot: redraw the views only when new rows arrived."""
        if not self._dirty or not len(self.buffer):
            return
        now = time.perf_counter()
        # Flat out, frames are paced to ~30 a second: a frame (redraw + paint) costs ~15 ms,
        # and at 60 the GUI thread would have no time left for input and other timers.
        flat_out = self.controller.running and self.controller.full_speed
        pace = FAST_FRAME_INTERVAL if flat_out else 0.0
        if now - self._last_frame < pace:
            return
        self._last_frame = now
        self._dirty = False
        self.timeline.set_length(len(self.buffer))
        # The timeline may be rewound: every view then shows the first `n` rows only.
        n = min(self.timeline.rows_shown or len(self.buffer), len(self.buffer))
        if self.controller.comparing:
            self.compare_view.update_from(self.buffer, self.toolbar.x_axis(), n)
            return
        b = self.buffer
        p1, p2 = b.column("p1")[:n], b.column("p2")[:n]
        # Decimate here so a frame costs the same after 10^6 iterations as after 10^3.
        path_rows = b.draw_rows(PATH_POINTS, PATH_TAIL, n)
        self.surface_view.set_path(p1[path_rows], p2[path_rows], b.column("epoch")[path_rows])
        current = (float(p1[-1]), float(p2[-1]))
        gradient = (float(b.column("g1")[n - 1]), float(b.column("g2")[n - 1]))
        step = (float(p1[-1] - p1[-2]), float(p2[-1] - p2[-2])) if n > 1 else None
        self.surface_view.set_current(current, None if np.isnan(gradient[0]) else gradient, step)
        if self.surface3d is not None and self.surface3d.isVisible():
            self.surface3d.set_path(p1[path_rows], p2[path_rows], b.column("loss")[path_rows])
        mode = self.toolbar.x_axis()
        rows = b.draw_rows(LOSS_POINTS, 0, n)
        self.loss_view.set_x_label(mode)
        self.loss_view.set_data(
            b.x_values(mode, rows), b.column("batch_loss")[rows], b.column("loss")[rows]
        )
        # With one iteration per epoch (full batch) every iteration is a boundary: draw none.
        many = b.iterations_per_epoch == 1
        bounds = np.zeros(0) if many else b.epoch_boundaries(mode, n)
        self.loss_view.set_epoch_boundaries(bounds)
        data = getattr(self.controller.problem, "data", None)
        if data is not None:
            logistic = self.controller.config.model == "logistic"
            self.data_view.set_model(*current, data.x_shift, data.x_scale, logistic=logistic)
            # A full batch is every example: highlighting all of them would hide the data.
            # Only the newest batch is kept: none is highlighted while the timeline is rewound.
            full = b.last_examples.size >= data.n_examples or n < len(b)
            self.data_view.set_batch(b.last_examples[:0] if full else b.last_examples)

    # -- engine events ---------------------------------------------------------------------------
    def _on_controller_stepped(self, batch) -> None:
        self.buffer.append(batch.rows, batch.last_examples, batch.ends)
        if self.controller.comparing:
            self._report_divergences(batch.statuses)
        for step, text in batch.changes:
            self.buffer.markers.append((step, text))
            self.add_marker(step, text)
        self._update_status(batch.statuses)
        self._mark_dirty()

    def _on_controller_stopped(self, statuses) -> None:
        status = statuses[0]
        self._update_status(statuses)
        if self.controller.comparing:
            self._report_divergences(statuses)
            self.toolbar.set_finished(all(s.status != "running" for s in statuses))
            return
        if status.status == "diverged":
            reason = status.reason.replace("loss grew", "the loss grew")
            self.badge.show_message(
                "diverged",
                f"Diverged at iteration {status.step}: {reason}. "
                "The learning rate is too large for this surface.",
            )
            self.toolbar.set_log_loss(True)
        self.toolbar.set_finished(status.status != "running")

    def _on_controller_failed(self, message: str) -> None:
        self.badge.show_message("error", f"The training engine stopped: {message}. Press R.")
        self.toolbar.set_finished(True)

    def _on_controller_running_changed(self, running: bool) -> None:
        # Cheap frames (no antialiasing, no grid) while a run goes flat out; the still picture
        # after it stops is drawn in full quality.
        fast = running and self.controller.full_speed
        for view in (self.surface_view, self.loss_view, self.data_view, self.compare_view):
            view.set_fast(fast)
        self._mark_dirty()

    def _update_status(self, statuses) -> None:
        """The status line from the run statuses the worker reported (never the live trainer)."""
        b, config = self.buffer, self.controller.config
        if config is None:
            return
        if self.controller.comparing:
            labels = [run.label for run in self.compare_runs]
            self.status_line.update_compare(b, statuses, labels)
            return
        self.status_line.update_from(
            b, statuses[0], self.controller.problem, config, self.controller.running
        )

    def add_marker(self, step: int, text: str) -> None:
        """Mark a mid-run hyperparameter change on the loss curve, in the current x units."""
        row = min(int(np.searchsorted(self.buffer.column("step"), step)), len(self.buffer) - 1)
        x = self.buffer.x_values(self.toolbar.x_axis(), np.array([row]))
        self.loss_view.add_marker(float(x[0]), text)

    def _on_x_axis_changed(self) -> None:
        # Markers were placed in the old x units: place them again.
        self.loss_view.clear_markers()
        for step, text in self.buffer.markers:
            self.add_marker(step, text)
        self._mark_dirty()

    # -- user actions ----------------------------------------------------------------------------
    def _on_open_data(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open data", "", "CSV files (*.csv);;All (*)")
        if not path:
            return
        try:
            columns = csv_header(path)
        except DataError as exc:
            self._show_problem(str(exc), self.controller.config)
            return
        self.controls.set_csv_columns(path, columns)

    def _on_surface_point_picked(self, p1: float, p2: float) -> None:
        self.controls.set_start(p1, p2)
        self._apply_config(self.controls.config(), reset=True)

    def _maximise(self, widget: QWidget, on: bool) -> None:
        for view in (self.surface_view, self.loss_view, self.data_view):
            view.setVisible(view is widget or not on)
        self.right_split.setVisible(widget is not self.surface_view or not on)

    def _on_about(self) -> None:
        QMessageBox.about(self, "About gdviz", about_html())

    # -- persistence and shutdown ----------------------------------------------------------------
    def layout_parts(self) -> dict:
        """The widgets whose state persists between launches (see ui/persistence.py)."""
        return {"window": self, "main_split": self.main_split, "right_split": self.right_split}

    def closeEvent(self, event) -> None:
        self._redraw_timer.stop()
        self.controller.shutdown()
        self.sweep_panel.shutdown()
        if self.settings is not None:
            save_window(self.settings, self.layout_parts(), self.controls.config())
            save_look(self.settings, self.theme_name, self.scale)
        super().closeEvent(event)
