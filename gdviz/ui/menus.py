"""The menu bar of the main window: File, Lessons, Run, View (themes, scaling) and Help."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from gdviz.ui.export_dialogs import add_file_actions
from gdviz.ui.paint_actions import install_paint
from gdviz.ui.pin_actions import install_pins
from gdviz.ui.theme import THEMES, next_scale
from gdviz.ui.views.surface3d import opengl_problem


def build_menus(window) -> None:
    """Create the menus and their shortcuts; actions call the window's methods."""
    menus = window.menuBar()
    _file_menu(window, menus.addMenu("&File"))
    lessons_menu = menus.addMenu("&Lessons")
    window.navigator.build_menu(lessons_menu)
    lessons_menu.addSeparator()
    lessons_menu.addAction("Leave the lesson (single run)", window.leave_lesson)
    run_menu = menus.addMenu("&Run")
    for action in window.toolbar.run_actions():
        run_menu.addAction(action)
    window.pin_layer = install_pins(window, run_menu)
    view_menu = menus.addMenu("&View")
    _view_menu(window, view_menu)
    _look_actions(window, view_menu)
    _maximise_actions(window, view_menu)
    help_menu = menus.addMenu("&Help")
    shortcuts = help_menu.addAction("&Keyboard shortcuts", window.show_shortcuts)
    shortcuts.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
    help_menu.addAction("&About gdviz", window.show_about)


def _file_menu(window, file_menu) -> None:
    open_data = file_menu.addAction("&Open data…", window.open_data)
    open_data.setShortcut(QKeySequence.StandardKey.Open)
    add_file_actions(window, file_menu)  # sessions, recent sessions, export
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit", window.close)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)


def _view_menu(window, view_menu) -> None:
    """Docks, full screen, clean view, the toolbar's view toggles and the 3-D surface."""
    view_menu.addAction(window.controls_dock.toggleViewAction())
    view_menu.addAction(window.lesson_card.toggleViewAction())
    sweep_action = window.sweep_dock.toggleViewAction()
    sweep_action.setShortcut(QKeySequence("S"))
    view_menu.addAction(sweep_action)
    worked_action = window.worked_dock.toggleViewAction()
    worked_action.setShortcut(QKeySequence("U"))
    worked_action.setToolTip("The iteration shown, worked out with its numbers: the batch, each "
                             "example's gradient, the update equation (U)")  # fmt: skip
    view_menu.addAction(worked_action)
    window.lab.add_actions(view_menu)
    full_screen = view_menu.addAction("Full screen", window.toggle_full_screen)
    full_screen.setShortcut(QKeySequence("F11"))
    blank = view_menu.addAction("Blank the views", window.toggle_blank)
    blank.setShortcuts([QKeySequence("B"), QKeySequence(".")])
    window.lecture_action = view_menu.addAction("Lecture mode", window.toggle_lecture)
    window.lecture_action.setCheckable(True)
    window.lecture_action.setShortcut(QKeySequence("F5"))
    window.lecture_action.setToolTip("Text of at least 20 px, big counters over the views")
    clean = view_menu.addAction("Clean view (hide the controls)", window.toggle_clean_view)
    clean.setShortcut(QKeySequence("H"))
    for action in window.toolbar.view_actions():
        view_menu.addAction(action)
    # View settings of the state, one key each. Checked by whoever shows the state (the equal
    # axes by the surface presenter: a problem's default when the state has no choice).
    window.equal_axes_action = _state_toggle(
        window, view_menu, "Equal axes on the surface", "E", "equal_axes",
        "One unit of w as long as one unit of b, so the bowl shows its true shape")  # fmt: skip
    window.loss_tail_action = _state_toggle(
        window, view_menu, "Loss axis: after the first drop", "T", "loss_tail",
        "Frame the loss after its first drop, so that SGD's noise fills the plot")  # fmt: skip
    window.true_step_action = _state_toggle(
        window, view_menu, "Step arrow at its true length", "G", "true_step",
        "Draw the step as long as it really is (the learning rate times the gradient), not "
        "enlarged to be seen")  # fmt: skip
    window.example_arrows_action = _state_toggle(
        window, view_menu, "Each example's gradient", "A", "example_arrows",
        "Each example's gradient in the batch as a thin arrow, their mean (the batch gradient) "
        "bold, and the gradient of all the data: they agree far from the minimum and scatter "
        "near it")  # fmt: skip
    window.batch_surface_action = _state_toggle(
        window, view_menu, "The batch's own loss surface", "O", "batch_surface",
        "Dashed contours of the loss of this step's batch alone: SGD descends a different "
        "surface at every step, whose minimum is not the data's")  # fmt: skip
    view_menu.addSeparator()
    install_paint(window, view_menu)
    view_menu.addSeparator()
    window.surface3d_action = view_menu.addAction("3-D surface")
    window.surface3d_action.setCheckable(True)
    window.surface3d_action.toggled.connect(window.toggle_3d)
    window.surface3d_action.setShortcut(QKeySequence("F3"))
    problem = opengl_problem()
    if problem:  # disabled, saying why (menus show tooltips only when asked to)
        window.surface3d_action.setEnabled(False)
        window.surface3d_action.setToolTip(problem)
        view_menu.setToolTipsVisible(True)


def _state_toggle(window, menu, text: str, key: str, field: str, tip: str) -> QAction:
    """A checkable action that sets ``window.state.<field>``; triggered, not toggled, so that
    only the user's click sets the state, and showing the state (setChecked) emits nothing."""
    action = menu.addAction(text)
    action.setCheckable(True)
    action.setShortcut(QKeySequence(key))
    action.setToolTip(f"{tip} ({key})")
    action.triggered.connect(lambda on: setattr(window.state, field, bool(on)))
    return action


def _look_actions(window, view_menu) -> None:
    """Themes and the presentation size (Ctrl+Plus / Ctrl+Minus / Ctrl+0)."""
    theme_menu = view_menu.addMenu("Theme")
    window.theme_actions = QActionGroup(window)
    for name in THEMES:
        action = theme_menu.addAction(name.capitalize())
        action.setCheckable(True)
        action.setData(name)
        action.triggered.connect(lambda *_, n=name: window.set_look(n, window.state.scale))
        window.theme_actions.addAction(action)
    for text, keys, direction in (
        ("Larger (presentation)", (QKeySequence.StandardKey.ZoomIn, "Ctrl+="), +1),
        ("Smaller", (QKeySequence.StandardKey.ZoomOut,), -1),
        ("Normal size", ("Ctrl+0",), 0),
    ):
        action = view_menu.addAction(text)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(
            lambda *_, d=direction: window.set_look(
                window.state.theme, next_scale(window.state.scale, d))
        )  # fmt: skip


def _maximise_actions(window, view_menu) -> None:
    view_menu.addSeparator()
    for index, (name, widget) in enumerate(
        (("surface", window.surface_view), ("loss curve", window.loss_view),
         ("data", window.data_view)), start=1,
    ):  # fmt: skip
        action = QAction(f"Maximise {name}", window, checkable=True)
        action.setShortcut(QKeySequence(f"Ctrl+{index}"))
        action.toggled.connect(lambda on, w=widget: window.maximise(w, on))
        view_menu.addAction(action)
