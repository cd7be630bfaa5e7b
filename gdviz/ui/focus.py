"""FocusReturner: the single-key shortcuts (Space, 1-9, R, arrows...) belong to the lecture, not
to the last field edited. Enter or Escape in a field, or a click on a view, moves the keyboard
focus back to the views, so "1" opens lesson 1 instead of setting a learning rate of 1."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QGraphicsView, QLineEdit, QWidget

RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)


class FocusReturner(QObject):
    """Watches the fields and plots inside ``window`` and gives the focus to ``target``."""

    def __init__(self, window: QWidget, target: QWidget) -> None:
        super().__init__(window)
        self.target = target
        target.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        for field in window.findChildren(QWidget):
            if isinstance(field, QAbstractSpinBox | QLineEdit | QComboBox):
                field.installEventFilter(self)
            elif isinstance(field, QGraphicsView):  # the plots: a click is "back to the class"
                field.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and event.key() in RETURN_KEYS:
            QTimer.singleShot(0, self.give_back)  # after the field has taken the key
        elif kind == QEvent.Type.MouseButtonPress and isinstance(watched.parent(), QGraphicsView):
            self.give_back()
        return False

    def give_back(self) -> None:
        self.target.setFocus(Qt.FocusReason.OtherFocusReason)
