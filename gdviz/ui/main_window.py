"""MainWindow: composition and wiring. The application state (gdviz/app/state.py) says what is
shown, the engine session (engine_session.py) owns the run and its recording, the commands
(commands.py) change both; the window connects widgets to commands and views to the state."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QWidget

from gdviz.app.state import DEFAULT_CONFIG, AppState
from gdviz.core.config import RunConfig
from gdviz.core.data import DataError, csv_header
from gdviz.core.lessons import LessonError, load_lessons
from gdviz.core.surface import curvature, lowest_loss
from gdviz.ui.about import about_html
from gdviz.ui.commands import Commands
from gdviz.ui.data_reader import DataReader
from gdviz.ui.engine_session import EngineSession, RunInfo
from gdviz.ui.export_dialogs import keep_last_session
from gdviz.ui.focus import FocusReturner
from gdviz.ui.frames import FrameDrawer
from gdviz.ui.lab import ExperimentLab
from gdviz.ui.layout import build_compare_view, build_controls_dock, build_sweep_panel, build_views
from gdviz.ui.lecture import LectureMixin
from gdviz.ui.lesson_navigator import LessonNavigator
from gdviz.ui.menus import build_menus
from gdviz.ui.panels.controls import ControlsPanel
from gdviz.ui.persistence import (
    last_session_path,
    restore_window,
    restored_geometry,
    save_lecture,
    save_look,
    save_window,
    saved_config_and_problem,
    saved_lecture,
    saved_look,
)
from gdviz.ui.run_toolbar import RunToolbar, fit_toolbars, lesson_toolbar
from gdviz.ui.status import describe_changes
from gdviz.ui.surface_presenter import SurfacePresenter
from gdviz.ui.views.surface3d import Surface3DView


class MainWindow(LectureMixin, QMainWindow):
    """The gdviz window: ``state`` (what is shown), ``engine`` (the run), ``commands``."""

    def __init__(self, config: RunConfig | None = None, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("gdviz — gradient descent, visible")
        self.settings = settings
        theme, scale = saved_look(settings)
        saved, unusable = saved_config_and_problem(settings) if config is None else (None, "")
        config = config or saved or DEFAULT_CONFIG
        self.state = AppState(config=config, theme=theme, scale=scale,
                              lecture=saved_lecture(settings))  # fmt: skip
        self.engine = EngineSession(self)
        self.surface3d: Surface3DView | None = None
        self._compare_view = self._sweep_panel = None  # built on first use (properties)
        build_views(self)
        self.lab = ExperimentLab(self)  # the range test, batch scaling and sharpness docks
        lessons = self._load_lessons()
        self.reader = DataReader(self)
        self.surfaces = SurfacePresenter(self)
        self.commands = Commands(self.state, self.engine, lessons, self.badge.show_message,
                                 self.reader)  # fmt: skip
        self.controls = ControlsPanel(config)
        self.navigator = LessonNavigator(lessons, self.commands.lesson_index, self,
                                         self._lesson_waiting)  # fmt: skip
        build_controls_dock(self)
        self.toolbar = RunToolbar(self)
        self.addToolBar(self.toolbar)
        self.lesson_bar = lesson_toolbar(self, self.navigator.picker)
        build_menus(self)
        self.frames = FrameDrawer(self)
        self._wire()
        self.resize(1280, 720)
        if settings is not None:
            restore_window(settings, self.layout_parts())
        self.lesson_card.hide()  # the saved layout may show it; no lesson is open yet
        self.focus_returner = FocusReturner(self, self.surface_view)
        if not self.commands.start({"config": config}) and config != DEFAULT_CONFIG:
            self._start_defaults()  # its data moved, say: the window starts all the same
        if unusable:  # the window starts with the defaults, and says why
            self.badge.show_message("warning", "The saved settings could not be used "
                                    f"({unusable}); the defaults are shown.")  # fmt: skip
        self.apply_look()
        self._on_state_views()

    @property
    def compare_view(self):
        """The compare view, built the first time it is asked for."""
        if self._compare_view is None:
            self._compare_view = build_compare_view(self)
        return self._compare_view

    @property
    def sweep_panel(self):
        """The learning-rate sweep panel, built the first time it is asked for."""
        if self._sweep_panel is None:
            self._sweep_panel = build_sweep_panel(self)
            self._sweep_panel.learningRatePicked.connect(self._on_sweep_rate_picked)
        return self._sweep_panel

    def _lesson_waiting(self) -> bool:
        """The run shown has not made an iteration and is not playing (PageDown starts it)."""
        recording = self.engine.recording
        waiting = recording is not None and len(recording) == 1
        return waiting and not self.engine.playing and not self.commands.start_pending

    def sweep_result(self):
        """The latest finished learning-rate sweep (None: none, or the panel was never shown)."""
        return None if self._sweep_panel is None else self._sweep_panel.result

    def run_page(self):
        """The page of the view stack that shows the run: the compare view or the views."""
        return self.compare_view if self.engine.comparing else self.main_split

    def _views(self) -> list:
        """The views that exist (the compare view only once built)."""
        views = [self.surface_view, self.loss_view, self.data_view]
        return views + ([self._compare_view] if self._compare_view is not None else [])

    def event(self, event) -> bool:
        """The window's paint (every view, in one pass over its backing store, on the window's
        UpdateRequest) holds the engine's frame turn, as drawing does (frames.py)."""
        if event.type() == QEvent.Type.UpdateRequest:
            with self.engine.frame_turn:
                return super().event(event)
        return super().event(event)

    def _load_lessons(self) -> list:
        try:
            return load_lessons()
        except (LessonError, OSError) as exc:
            self.badge.show_message("warning", f"Lessons could not be loaded: {exc}")
            return []

    # -- wiring ------------------------------------------------------------------------------------
    def _wire(self) -> None:
        s, e, t, k = self.state, self.engine, self.toolbar, self.commands
        t.playToggled.connect(k.toggle_play)
        t.stepRequested.connect(k.step)
        t.stepBackRequested.connect(k.step_back)
        t.epochRequested.connect(k.step_epoch)
        t.resetRequested.connect(k.restart)
        t.continueRequested.connect(lambda: k.continue_training(10))
        t.speedChanged.connect(lambda speed: setattr(s, "speed", speed))
        t.xAxisChanged.connect(lambda mode: setattr(s, "x_axis", mode))
        t.logSurfaceToggled.connect(lambda on: setattr(s, "log_surface", on))
        t.logLossToggled.connect(lambda on: setattr(s, "log_loss", on))
        t.fitPathRequested.connect(self.surface_view.fit_path)
        self.controls.configChanged.connect(self._on_controls_config_changed)
        self.controls.openDataRequested.connect(self.open_data)
        self.surface_view.pointPicked.connect(self._on_surface_point_picked)
        self.navigator.lessonChosen.connect(k.open_lesson)
        self.navigator.startRequested.connect(k.play)
        self.timeline.scrubbed.connect(k.scrub_to)
        k.replay.activeChanged.connect(self._on_engine_playing_changed)
        self.timeline.liveRequested.connect(k.go_live)
        self.sweep_dock.visibilityChanged.connect(self._on_sweep_dock_visibility_changed)
        self.worked_dock.visibilityChanged.connect(self._on_worked_dock_visibility_changed)
        self.reader.progressed.connect(self._on_data_progressed)
        self.reader.finished.connect(self._on_data_read)
        self.reader.failed.connect(self._on_data_failed)
        e.started.connect(self._on_engine_started)
        e.progressed.connect(self._on_engine_progressed)
        e.stopped.connect(lambda _report: self._on_engine_progressed())
        e.failed.connect(self._on_engine_failed)
        e.playingChanged.connect(self._on_engine_playing_changed)
        s.events.config.connect(self._on_state_run_spec)
        s.events.compare.connect(self._on_state_run_spec)
        s.events.lesson.connect(self._on_state_run_spec)
        for name in ("speed", "x_axis", "log_surface", "log_loss", "loss_tail", "true_step",
                     "example_arrows", "batch_surface"):  # fmt: skip
            getattr(s.events, name).connect(self._on_state_view)
        s.events.speed.connect(self._on_engine_playing_changed)  # flat out draws cheaper
        s.events.x_axis.connect(self._place_markers)
        s.events.log_surface.connect(self.surfaces.redraw)
        s.events.equal_axes.connect(self.surfaces.draw)
        s.events.views.connect(self._on_state_views)
        s.events.timeline.connect(self._on_state_timeline)
        s.events.theme.connect(self.apply_look)
        s.events.scale.connect(self.apply_look)
        s.events.lecture.connect(self.apply_look)

    # -- the state, shown -------------------------------------------------------------------------
    def _on_state_run_spec(self, *_args) -> None:
        self.controls.set_config(self.state.config)
        self.sweep_panel_follow()
        self.lab.follow()
        index = self.commands.lesson_index()
        self.navigator.show_index(index)
        if index is None:
            self.lesson_card.hide()
            return
        lesson = self.navigator.lessons[index]
        changes = "" if self.state.config == lesson.config else (
            describe_changes(lesson.config, self.state.config))  # fmt: skip
        self.lesson_card.show_lesson(lesson, index + 1, len(self.navigator.lessons), changes)

    def _on_state_view(self, *_args) -> None:
        self.toolbar.show_view(self.state)
        for view in (self.loss_view, self._compare_view):
            if view is not None:  # the compare view: once built
                view.set_log_y(self.state.log_loss)
                view.set_tail(self.state.loss_tail)
        self.surface_view.set_true_step(self.state.true_step)
        self.loss_tail_action.setChecked(self.state.loss_tail)  # emits nothing (build_menus)
        self.true_step_action.setChecked(self.state.true_step)
        self.example_arrows_action.setChecked(self.state.example_arrows)
        self.batch_surface_action.setChecked(self.state.batch_surface)
        self.frames.mark_dirty()

    def _on_state_views(self, *_args) -> None:
        views = set(self.state.views)
        self.loss_view.setVisible("loss" in views)
        self.data_view.setVisible("data" in views)
        self.right_split.setVisible(bool({"loss", "data"} & views))
        if "sweep" in views:
            self.sweep_panel  # noqa: B018 - built (into its dock) before the dock is shown
        self.sweep_dock.setVisible("sweep" in views)
        self.worked_dock.setVisible("worked" in views)
        self.lab.show_views(views)

    def _on_state_timeline(self, rows) -> None:
        if self.engine.recording is not None:
            recording = self.engine.recording
            self.timeline.set_length(len(recording), recording.column("step"))
        self.timeline.show_position(rows)
        self.frames.mark_dirty()
        self.frames.draw()

    # -- the engine, reported ---------------------------------------------------------------------
    def _on_engine_started(self, info: RunInfo) -> None:
        """A new run (or comparison): its problem drawn, the panel told N and the limits."""
        self.badge.dismiss()
        problem, config = info.problem, info.configs[0]
        self.view_stack.setCurrentWidget(self.run_page())
        if info.comparing:
            self.compare_view.set_runs(list(info.labels))
            self.compare_view.apply_style(self.theme, self.shown_scale)
            self.controls.parameters.show_values((), None)  # several runs: no one (w, b)
        shape = curvature(problem)
        data = getattr(problem, "data", None)
        self.controls.set_problem_info(
            problem.n_examples, data.skipped_rows if data is not None else 0,
            shape.lr_max_stable if shape else None, shape.lr_fastest if shape else None,
            config=config,  # the state (and the panel) show this problem right after
        )  # fmt: skip
        self.timeline.set_length(len(info.recording), info.recording.column("step"))
        self.surfaces.draw()
        for surface in (self.surface_view, info.comparing and self.compare_view.surface):
            if surface:  # the loss under the mouse
                surface.set_loss_at(problem.full_loss, problem.param_names)
        if data is None:
            self.data_view.set_visible_message("No data: an analytic surface")
        else:
            self.data_view.set_data(data.raw_x, data.y, data.x_label, data.y_label,
                                    logistic=config.model == "logistic")  # fmt: skip
        self.loss_view.clear()
        self.loss_view.set_lowest(lowest_loss(problem))
        self.loss_view.set_log_y(self.state.log_loss)
        self._place_markers()
        self._on_engine_progressed()
        self.update_status()

    def _on_data_progressed(self, name: str, fraction: float) -> None:
        if not self.commands.start_pending:
            return  # a session being opened shows its own progress dialog
        self.read_progress.setFormat(f"Reading {name}… %p%")
        self.read_progress.setValue(round(100 * fraction))
        self.read_progress.show()

    def _on_data_read(self, problem) -> None:
        """The CSV a start waited for is read: N in the panel, then the run (unless the batch
        size had to shrink to N: then the panel's corrected configuration starts it)."""
        self.read_progress.hide()
        if not self.commands.start_pending:
            return  # read for a session being opened: export_dialogs.restore_session waits for it
        data = problem.data
        if self.controls.data_read(data.n_examples, data.skipped_rows):
            self.commands.drop_pending_start()
        elif not self.commands.resume_start(problem):  # e.g. one usable row: the message says so
            self.controls.set_config(self.state.config)

    def _on_data_failed(self, message: str) -> None:
        self.read_progress.hide()
        if not self.commands.start_pending:
            return  # the session being opened says why
        self.commands.drop_pending_start()
        if self.engine.info is None:  # the first run of the window (saved settings): defaults
            self._start_defaults()
        self.badge.show_message("warning", f"Not applied: {message}")
        self.controls.set_config(self.state.config)  # the panel shows what runs

    def _start_defaults(self) -> None:
        self.commands.start({"config": DEFAULT_CONFIG})

    def _on_engine_progressed(self, progress=None) -> None:
        markers = progress.markers if progress is not None else ()
        for step, text in markers:
            self._add_marker(step, text)
        self.toolbar.set_finished(not self.engine.can_run)
        self.toolbar.continue_action.setEnabled(self.engine.can_continue)
        self.frames.mark_dirty()

    def _on_engine_failed(self, message: str) -> None:
        self.badge.show_message("error", f"The training engine stopped: {message}. Press R.")
        self.toolbar.set_finished(True)

    def _on_engine_playing_changed(self, *_args) -> None:
        playing = self.engine.playing or self.commands.replay.active
        self.toolbar.set_running(playing)
        # Cheap frames (no antialiasing, no grid) while a run goes flat out; the still picture
        # after it stops is drawn in full quality.
        fast = playing and self.engine.full_speed
        for view in self._views():
            view.set_fast(fast)
        self.frames.mark_dirty()

    def update_status(self) -> None:
        """The status line for the rows shown (the scrubbed row while rewound)."""
        info, recording = self.engine.info, self.engine.recording
        if info is None:
            return
        n = self.frames.rows_shown()
        self.counters.update_from(recording, n)
        if info.comparing:
            self.status_line.update_compare(recording, n, list(info.labels))
        else:
            self.status_line.update_from(recording, n, info, self.engine.playing)

    def _add_marker(self, step: int, text: str) -> None:
        """Mark a mid-run hyperparameter change on the loss curve, in the current x units."""
        recording = self.engine.recording
        row = recording.row_of_step(step)
        x = recording.x_values(self.state.x_axis, np.array([row]))
        self.loss_view.add_marker(float(x[0]), text)

    def _place_markers(self, *_args) -> None:
        """Markers in the x units of the axis (again after the units change)."""
        self.loss_view.clear_markers()
        for step, text in self.engine.recording.markers if self.engine.recording else ():
            self._add_marker(step, text)

    def toggle_3d(self, on: bool) -> None:
        """Show or hide the 3-D surface dock (built on first use: it needs OpenGL)."""
        if on and self.surface3d is None:
            self.surface3d = Surface3DView()
            self.surface3d_dock = QDockWidget("3-D surface", self)
            self.surface3d_dock.setObjectName("surface3d")
            self.surface3d_dock.setWidget(self.surface3d)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.surface3d_dock)
            self.surface3d_dock.visibilityChanged.connect(self.surface3d_action.setChecked)
            self.surfaces.draw()
        if self.surface3d is not None:
            self.surface3d_dock.setVisible(on)
            if on:  # wide enough to see the shape, and never a zero-height strip
                self.surface3d.view.setMinimumSize(300, 240)
                if self.lesson_card.isVisible():  # it shares the card's column: half of it
                    half = self.height() // 2
                    self.resizeDocks([self.lesson_card, self.surface3d_dock], [half, half],
                                     Qt.Orientation.Vertical)  # fmt: skip
                self.resizeDocks([self.surface3d_dock], [self.width() * 2 // 5],
                                 Qt.Orientation.Horizontal)  # fmt: skip
            self.frames.mark_dirty()

    # -- user actions -----------------------------------------------------------------------------
    def _on_controls_config_changed(self, config: RunConfig) -> None:
        if not self.commands.change_config(config):
            self.controls.set_config(self.state.config)  # the panel shows what runs

    def open_data(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open data", "", "CSV files (*.csv);;All (*)")
        if not path:
            return
        try:
            columns = csv_header(path)
        except DataError as exc:
            self.badge.show_message("warning", f"Not applied: {exc}")
            return
        self.controls.set_csv_columns(path, columns)

    def _on_surface_point_picked(self, p1: float, p2: float) -> None:
        self.commands.change_config(self.state.config.replace(start=(float(p1), float(p2))))

    def maximise(self, widget: QWidget, on: bool) -> None:
        for view in (self.surface_view, self.loss_view, self.data_view):
            view.setVisible(view is widget or (not on and self._view_wanted(view)))
        self.right_split.setVisible(widget is not self.surface_view or not on)

    def _view_wanted(self, view) -> bool:
        names = {self.surface_view: "surface", self.loss_view: "loss", self.data_view: "data"}
        return names[view] == "surface" or names[view] in self.state.views

    def show_about(self) -> None:
        QMessageBox.about(self, "About gdviz", about_html())

    # -- persistence and shutdown -----------------------------------------------------------------
    def show_on_screen(self) -> None:
        """Show the window as it was left, or, the first time (no saved geometry), filling the
        screen: 1280x720 on a 1920x1080 projector left a third of it empty."""
        if restored_geometry(self.settings):
            self.show()
            return
        screen = self.screen().availableGeometry()
        self.setGeometry(screen)  # without a window manager, maximising does nothing
        self.showMaximized()

    def layout_parts(self) -> dict:
        """The widgets whose state persists between launches (see ui/persistence.py)."""
        return {"window": self, "main_split": self.main_split, "right_split": self.right_split}

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        fit_toolbars(self, self.toolbar, self.lesson_bar)

    def closeEvent(self, event) -> None:
        self.frames.stop()
        self.commands.replay.stop()
        if self.settings is not None:  # the app, not a test or gdviz render
            keep_last_session(self, last_session_path())
            save_window(self.settings, self.layout_parts(), self.state.config)
            save_look(self.settings, self.state.theme, self.state.scale)
            save_lecture(self.settings, self.state.lecture)
        self.engine.shutdown()
        self.reader.shutdown()
        self.surfaces.shutdown()
        if self._sweep_panel is not None:
            self._sweep_panel.shutdown()
        self.lab.shutdown()
        super().closeEvent(event)
