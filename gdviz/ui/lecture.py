"""Lecture mode of the main window: lessons, compared runs, the learning-rate sweep dock and
presenter controls (themes, scaling, full screen, clean view, the shortcut overview)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from gdviz.core.batching import iterations_per_epoch
from gdviz.core.config import ConfigError, RunConfig, batch_size_of, build_problem
from gdviz.core.data import DataError
from gdviz.core.lessons import LessonError, load_lessons
from gdviz.core.surface import loss_grid
from gdviz.ui.run_buffer import BUFFER_ROWS, RunBuffer
from gdviz.ui.shortcuts_dialog import DEFAULT_SHORTCUTS, ShortcutsDialog
from gdviz.ui.theme import THEMES, apply_theme


class LectureMixin:
    """Methods of MainWindow for teaching; they use its controller, views and panels."""

    def _apply_compare(self, config: RunConfig, previous: RunConfig | None) -> None:
        """Rebuild the compared runs: what the panel changed applies to every run."""
        changed = {}
        if previous is not None:
            changed = {f: getattr(config, f) for f in RunConfig.__dataclass_fields__
                       if getattr(config, f) != getattr(previous, f)}  # fmt: skip
        was_running = self.controller.running
        try:
            configs = [run.config.replace(**changed) for run in self.compare_runs]
            problem = build_problem(configs[0])
            labels = [run.label for run in self.compare_runs]
            self.controller.reset_compare(configs, labels, problem)
        except (ConfigError, DataError, ValueError) as exc:
            self._show_problem(str(exc), previous)
            return
        self.compare_runs = tuple(
            type(run)(run.label, c) for run, c in zip(self.compare_runs, configs, strict=True)
        )
        self.badge.dismiss()
        self._reported_divergences.clear()
        self.view_stack.setCurrentWidget(self.compare_view)
        lockstep = self.controller.trainer
        ipe = [iterations_per_epoch(problem.n_examples, batch_size_of(c, problem), c.drop_last,
                                    c.sampling) for c in configs]  # fmt: skip
        rows = min(self.controller.budget + 1, BUFFER_ROWS)
        self.buffer = RunBuffer(ipe, rows, runs=len(configs))
        window = problem.default_window(configs[0].start)
        self.compare_view.set_runs(labels)
        if hasattr(self, "theme_name"):  # new run items take the current theme and scale
            self.compare_view.apply_style(THEMES[self.theme_name], self.scale)
        self.compare_view.set_surface(loss_grid(problem, window, (200, 200)), problem.minima(),
                                      problem.param_names, self.toolbar.log_surface())  # fmt: skip
        self.toolbar.set_finished(False)
        self.buffer.append(lockstep.rows(0, 1), np.zeros(0, dtype=np.int64), (1,) * len(configs))
        self._update_status(tuple(lockstep.statuses))
        self._mark_dirty()
        if was_running:
            self.controller.play()

    def _report_divergences(self, statuses) -> None:
        """In a comparison a run that diverges stops while the others go on: say which."""
        labels = [run.label for run in self.compare_runs or ()]
        for k, status in enumerate(statuses):
            if status.status == "diverged" and k not in self._reported_divergences:
                self._reported_divergences.add(k)
                gone = [f"{labels[i]} diverged at iteration {statuses[i].step}"
                        for i in sorted(self._reported_divergences)]  # fmt: skip
                self.badge.show_message("diverged", "; ".join(gone) + ".")
                self.toolbar.set_log_loss(True)  # the others stay visible beside the blow-up

    # -- learning-rate sweep ----------------------------------------------------------------------
    def _on_sweep_dock_shown(self) -> None:
        # A third of the height: the lesson's own views stay readable above it.
        self.resizeDocks([self.sweep_dock], [self.height() // 3], Qt.Orientation.Vertical)
        self._update_sweep()

    def _update_sweep(self) -> None:
        """Sweep the current configuration, in the background, while the panel is shown."""
        if self.sweep_dock.isVisible() and self.controller.config is not None:
            self.sweep_panel.set_config(self.controller.config)

    def _on_sweep_rate_picked(self, lr: float) -> None:
        """A click on the sweep: run that learning rate in the main view, from the start."""
        if self.compare_runs is not None:
            self._leave_lesson()
        config = self.controls.config().replace(lr=lr)
        self.controls.set_config(config)
        self._apply_config(config, reset=True)
        self.controller.play()

    # -- lessons and presenting -------------------------------------------------------------------
    def _load_lessons(self) -> list:
        try:
            return load_lessons()
        except (LessonError, OSError) as exc:
            self.badge.show_message("warning", f"Lessons could not be loaded: {exc}")
            return []

    def start_over(self, config: RunConfig, compare_runs: tuple | None) -> None:
        """A new run (or comparison) of exactly ``config`` and ``compare_runs``, whatever was
        shown before: lessons, leaving them and reopened sessions all start this way."""
        self.compare_runs = compare_runs
        self._panel_config = config  # the compared runs are used as they are
        self.controller.config = None
        self._apply_config(config, reset=True)

    def open_lesson(self, index: int) -> None:
        """Show lesson ``index``: its configuration, comparison, views and explanation."""
        lesson = self.navigator.lessons[index]
        self.controller.pause()
        self.controls.set_config(lesson.config)
        self.toolbar.set_x_axis(lesson.x_axis)
        self.toolbar.set_speed(lesson.speed)
        self.lesson_card.show_lesson(lesson, index + 1, len(self.navigator.lessons))
        self.start_over(lesson.config, lesson.compare or None)
        views = set(lesson.views)
        self.loss_view.setVisible("loss" in views or not views)
        self.data_view.setVisible("data" in views or not views)
        self.sweep_dock.setVisible("sweep" in views)

    def _leave_lesson(self) -> None:
        self.navigator.index = None
        self.lesson_card.hide()
        self.loss_view.show()
        self.data_view.show()
        self.start_over(self.controls.config(), None)

    def _set_look(self, theme_name: str, scale: float) -> None:
        """Theme and presentation scale (fonts, line widths, markers) for the whole window."""
        self.theme_name, self.scale = theme_name, scale
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == theme_name)
        apply_theme(self, THEMES[theme_name], scale)
        self.statusBar().showMessage(f"{theme_name} theme, {scale:.0%} size", 3000)

    def _show_shortcuts(self) -> None:
        self.shortcuts_dialog = ShortcutsDialog(DEFAULT_SHORTCUTS, self)
        self.shortcuts_dialog.show()  # not modal: the lecture goes on behind it

    def _toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _toggle_clean_view(self) -> None:
        """Only the views: hide the controls, the lesson card and the toolbar (H again)."""
        clean = self.controls_dock.isVisible()
        for widget in (self.controls_dock, self.toolbar):
            widget.setVisible(not clean)
        if clean:
            self.lesson_card.hide()
        elif self.navigator.index is not None:
            self.lesson_card.show()
