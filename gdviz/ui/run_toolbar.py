"""RunToolbar: Play/Pause, Step, Step epoch, Reset, speed and view toggles, with shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QStyle, QToolBar

from gdviz.ui.run_buffer import X_AXIS_MODES

SPEEDS = (("1 it/s", 1), ("5 it/s", 5), ("20 it/s", 20), ("100 it/s", 100),
          ("1,000 it/s", 1000), ("10,000 it/s", 10000), ("As fast as possible", 0))  # fmt: skip
DEFAULT_SPEED_INDEX = 3


class RunToolbar(QToolBar):
    """The run controls; the window connects its signals to the controller."""

    playToggled = Signal()
    stepRequested = Signal()
    epochRequested = Signal()
    resetRequested = Signal()
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
        self.addSeparator()
        self.addWidget(QLabel(" Speed "))
        self.speed_box = QComboBox()
        for label, value in SPEEDS:
            self.speed_box.addItem(label, value)
        self.speed_box.setCurrentIndex(DEFAULT_SPEED_INDEX)
        self.speed_box.setToolTip("Iterations per second of the animation")
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space/arrows for the run
        self.speed_box.currentIndexChanged.connect(lambda _: self.speedChanged.emit(self.speed()))
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
        return [self.play_action, self.step_action, self.epoch_action, self.reset_action]

    def view_actions(self) -> list[QAction]:
        return [self.fit_action, self.log_surface_action, self.log_loss_action]

    def speed(self) -> int:
        return int(self.speed_box.currentData())

    def set_x_axis(self, mode: str) -> None:
        index = self.x_axis_box.findText(mode)
        if index >= 0:
            self.x_axis_box.setCurrentIndex(index)

    def set_speed(self, iterations_per_second: int) -> None:
        """Select the speed entry closest to the wish (0 = as fast as possible)."""
        values = [value for _, value in SPEEDS]
        if iterations_per_second in values:
            self.speed_box.setCurrentIndex(values.index(iterations_per_second))
            return
        finite = [(abs(v - iterations_per_second), i) for i, v in enumerate(values) if v]
        self.speed_box.setCurrentIndex(min(finite)[1])

    def x_axis(self) -> str:
        return self.x_axis_box.currentText()

    def log_surface(self) -> bool:
        return self.log_surface_action.isChecked()

    def log_loss(self) -> bool:
        return self.log_loss_action.isChecked()

    def set_log_loss(self, on: bool) -> None:
        self.log_loss_action.setChecked(on)

    def set_running(self, running: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_action.setIcon(self.style().standardIcon(icon))
        self.play_action.setText("Pause" if running else "Play")

    def set_finished(self, finished: bool) -> None:
        """A run that ended cannot continue: Play and Step wait for Reset."""
        for action in (self.play_action, self.step_action, self.epoch_action):
            action.setEnabled(not finished)
