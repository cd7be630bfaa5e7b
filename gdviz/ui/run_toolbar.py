"""RunToolbar: Play/Pause, Step back, Step, Step epoch, Reset, speed and view toggles, with
shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QMainWindow,
    QSpinBox,
    QStyle,
    QToolBar,
)

from gdviz.core.recording import X_AXIS_MODES
from gdviz.ui.panels.quiet import signals_blocked

MAX_SPEED = 1_000_000  # iterations per second the box offers; 0 is "as fast as possible"


class SpeedBox(QSpinBox):
    """Any speed from 1 it/s up, or 0 = as fast as possible; the arrows step 1-2-5 style."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRange(0, MAX_SPEED)
        self.setSpecialValueText("As fast as possible")
        self.setSuffix(" it/s")
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)  # a value counts once typed, not at every digit
        self.setAccelerated(True)
        self.setToolTip(
            "Iterations per second of the animation: type any number, or go to 0 for as fast "
            "as possible. Enter or Escape gives the keys back to the run."
        )


class RunToolbar(QToolBar):
    """The run controls; the window connects its signals to the controller."""

    playToggled = Signal()
    stepRequested = Signal()
    stepBackRequested = Signal()
    epochRequested = Signal()
    resetRequested = Signal()
    continueRequested = Signal()
    speedChanged = Signal(int)
    fitPathRequested = Signal()
    logSurfaceToggled = Signal(bool)
    logLossToggled = Signal(bool)
    xAxisChanged = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__("Run", parent)
        self.setObjectName("run_toolbar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self.play_action = self._action(
            "Play", "Space", "Play or pause training (Space)", self.playToggled,
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
        )  # fmt: skip
        self.step_back_action = self._action(
            "Step back", "Left", "Go one iteration back, optimizer state and batch included: "
            "Step then makes the very same update again (Left arrow or Backspace)",
            self.stepBackRequested, style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward),
        )  # fmt: skip
        self.step_back_action.setShortcuts([QKeySequence("Left"), QKeySequence("Backspace")])
        # Its icon only (◀◀ beside ▶▶ Step): with its words the run toolbar and the lesson
        # picker no longer shared one row at lecture size.
        self.widgetForAction(self.step_back_action).setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        self.step_action = self._action(
            "Step", "Right", "Do one iteration: one batch, one update (Right arrow)",
            self.stepRequested, style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
        )  # fmt: skip
        self.epoch_action = self._action(
            "Step epoch", "Shift+Right",
            "Run to the end of the current epoch: every example used once (Shift+Right)",
            self.epochRequested, style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward),
        )  # fmt: skip
        self.reset_action = self._action(
            "Reset", "R", "Start again from the start point with the current settings (R)",
            self.resetRequested, style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload),
        )  # fmt: skip
        self.continue_action = QAction("Train 10 more epochs", self)
        self.continue_action.setShortcut(QKeySequence("C"))
        self.continue_action.setToolTip("Raise the budget by 10 epochs and go on from where the "
                                        "run stopped, optimizer state and all (C)")  # fmt: skip
        self.continue_action.triggered.connect(lambda *_: self.continueRequested.emit())
        self.addSeparator()
        self.addWidget(QLabel(" Speed "))
        self.speed_box = SpeedBox()
        self.speed_box.setValue(100)
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Space/arrows stay the run's
        self.speed_box.valueChanged.connect(self.speedChanged)
        self.addWidget(self.speed_box)
        self.addSeparator()
        self.fit_action = self._action(
            "Fit path", "F", "Frame the descent path in the surface view (F)",
            self.fitPathRequested,
        )  # fmt: skip
        self.log_surface_action = self._toggle(
            "Log colours", "L", "Colour the surface by log(loss): shows detail near the minimum",
            self.logSurfaceToggled, True,
        )  # fmt: skip
        self.log_loss_action = self._toggle(
            "Log loss axis", "Y", "Logarithmic loss axis", self.logLossToggled, False
        )
        self.addWidget(QLabel(" Loss against "))
        self.x_axis_box = QComboBox()
        self.x_axis_box.addItems(X_AXIS_MODES)
        self.x_axis_box.setToolTip("x axis of the loss curve: iterations, epochs or examples seen")
        self.x_axis_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.x_axis_box.currentTextChanged.connect(self.xAxisChanged)
        self.addWidget(self.x_axis_box)

    def _action(self, text, shortcut, tip, signal, icon=None) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip)
        action.triggered.connect(lambda *_: signal.emit())
        self.addAction(action)
        return action

    def _toggle(self, text, shortcut, tip, signal, checked: bool) -> QAction:
        action = QAction(text, self, checkable=True)
        action.setChecked(checked)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({shortcut})")
        action.toggled.connect(signal)
        self.addAction(action)
        return action

    def run_actions(self) -> list[QAction]:
        return [self.play_action, self.step_back_action, self.step_action, self.epoch_action,
                self.reset_action, self.continue_action]  # fmt: skip

    def view_actions(self) -> list[QAction]:
        return [self.fit_action, self.log_surface_action, self.log_loss_action]

    def speed(self) -> int:
        return int(self.speed_box.value())

    def show_view(self, state) -> None:
        """Show the state's speed, x axis and log toggles (emitting nothing)."""
        widgets = (self.speed_box, self.x_axis_box, self.log_surface_action, self.log_loss_action)
        with signals_blocked(*widgets):
            self.speed_box.setValue(state.speed)
            self.x_axis_box.setCurrentIndex(max(self.x_axis_box.findText(state.x_axis), 0))
            self.log_surface_action.setChecked(state.log_surface)
            self.log_loss_action.setChecked(state.log_loss)

    def x_axis(self) -> str:
        return self.x_axis_box.currentText()

    def set_running(self, running: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_action.setIcon(self.style().standardIcon(icon))
        self.play_action.setText("Pause" if running else "Play")

    def set_finished(self, finished: bool) -> None:
        """A run that ended cannot go on (Play and Step wait for Reset, or for Continue when it
        finished its budget)."""
        for action in (self.play_action, self.step_action, self.epoch_action):
            action.setEnabled(not finished)


def lesson_toolbar(window: QMainWindow, picker: QComboBox) -> QToolBar:
    """The lesson picker's own toolbar, beside the run toolbar: when both do not fit (enlarged
    for a lecture hall), it goes onto a second row (fit_toolbars) instead of behind the run
    toolbar's overflow button, where a presenter would not find it."""
    bar = QToolBar("Lesson", window)
    bar.setObjectName("lesson_toolbar")
    bar.addWidget(picker)
    window.addToolBar(bar)
    return bar


def fit_toolbars(window: QMainWindow, run_bar: QToolBar, lesson_bar: QToolBar) -> None:
    """One row of toolbars where both fit in the window's width (the picker narrowed to its
    minimum, 24 characters), else two (a toolbar break before the lesson bar). Their size
    hints do not depend on the break: no oscillation."""
    wanted = run_bar.sizeHint().width() + lesson_bar.minimumSizeHint().width() + 16
    two_rows = wanted > window.width()
    if two_rows and not window.toolBarBreak(lesson_bar):
        window.insertToolBarBreak(lesson_bar)
    elif not two_rows and window.toolBarBreak(lesson_bar):
        window.removeToolBarBreak(lesson_bar)
