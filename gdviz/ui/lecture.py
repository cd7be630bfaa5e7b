"""Presenting, for the main window: the look (theme and scale), the learning-rate sweep dock,
full screen, the clean view and the shortcut overview."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gdviz.ui.lab import note_dock
from gdviz.ui.roles import TICK_PT
from gdviz.ui.run_toolbar import fit_toolbars
from gdviz.ui.shortcuts_dialog import DEFAULT_SHORTCUTS, ShortcutsDialog
from gdviz.ui.theme import THEMES, apply_theme, lecture_scale


class LectureMixin:
    """Methods of MainWindow for teaching; they use its state, commands and widgets."""

    shortcuts_dialog: ShortcutsDialog | None = None

    @property
    def theme(self):
        return THEMES[self.state.theme]

    @property
    def shown_scale(self) -> float:
        """The scale the window is drawn at: the presenter's, or in lecture mode at least the
        one at which its smallest text (the panel's slider ends) is LECTURE_MIN_PX pixels."""
        if not self.state.lecture:
            return self.state.scale
        base = QApplication.font().pointSizeF()
        smallest = min(base if base > 0 else 9.0, TICK_PT)
        return lecture_scale(smallest, self.logicalDpiY(), self.state.scale)

    def apply_look(self, *_args) -> None:
        """Theme and presentation scale (fonts, line widths, markers) of the whole window, and
        lecture mode's counters."""
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == self.state.theme)
        self.lecture_action.setChecked(self.state.lecture)
        self.counters.setVisible(self.state.lecture)
        apply_theme(self, self.theme, self.shown_scale)
        self.redraw_pins()
        fit_toolbars(self, self.toolbar, self.lesson_bar)
        self.frames.mark_dirty()

    def toggle_lecture(self) -> None:
        """Lecture mode on or off (F5): readable from the back of the room."""
        self.state.lecture = not self.state.lecture
        scale = f"text {self.shown_scale:.0%}"
        word = "on" if self.state.lecture else "off"
        self.statusBar().showMessage(f"Lecture mode {word} ({scale}); F5 switches it", 3000)

    def set_look(self, theme_name: str, scale: float) -> None:
        self.state.apply({"theme": theme_name, "scale": scale})
        self.statusBar().showMessage(f"{theme_name} theme, {scale:.0%} size", 3000)

    # -- learning-rate sweep ----------------------------------------------------------------------
    def _on_sweep_dock_visibility_changed(self, _visible: bool) -> None:
        if note_dock(self, "sweep", self.sweep_dock):
            self.sweep_panel  # noqa: B018 - built (into the dock) when first shown
            # A third of the height: the lesson's own views stay readable above it.
            self.resizeDocks([self.sweep_dock], [self.height() // 3], Qt.Orientation.Vertical)
            self.sweep_panel_follow()

    def _on_worked_dock_visibility_changed(self, _visible: bool) -> None:
        if note_dock(self, "worked", self.worked_dock):
            self.worked_dock.shown_key = None  # worked out (and fitted) at the next frame
            self.frames.mark_dirty()

    def sweep_panel_follow(self) -> None:
        """Sweep the current configuration, in the background, while the panel is shown."""
        if "sweep" in self.state.views:
            self.sweep_panel.set_config(self.state.config, self.state.lesson)

    def _on_sweep_rate_picked(self, lr: float) -> None:
        """A click on the sweep: run that learning rate in the main view, from the start (a
        comparison is left for a single run; the lesson card says what changed)."""
        self.commands.start({"config": self.state.config.replace(lr=lr), "compare": ()},
                            play=True)  # fmt: skip

    # -- presenting -------------------------------------------------------------------------------
    def leave_lesson(self) -> None:
        self.commands.leave_lesson()

    def show_shortcuts(self) -> None:
        """The shortcut overview: one dialog, shown again (not modal: the lecture goes on)."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(DEFAULT_SHORTCUTS, self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def toggle_blank(self) -> None:
        """Blank the views to black and back (B or period: a presenter's clicker's "blank
        screen" key); the run, the controls and the lesson are left as they are."""
        stack = self.view_stack
        if stack.currentWidget() is self.blank_page:
            stack.setCurrentWidget(self.run_page())
            self.counters.setVisible(self.state.lecture)
        else:
            stack.setCurrentWidget(self.blank_page)
            self.counters.hide()

    def toggle_clean_view(self) -> None:
        """Only the views: hide the controls, the lesson card and the toolbar (H again)."""
        clean = self.controls_dock.isVisible()
        for widget in (self.controls_dock, self.toolbar):
            widget.setVisible(not clean)
        if clean:
            self.lesson_card.hide()
        elif self.state.lesson is not None:
            self.lesson_card.show()
