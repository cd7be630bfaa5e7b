"""NoticeBanner: one line above the views for what the class should notice — a divergence, a
setting that could not be used, an engine error. Never modal, so a lecture is not interrupted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

STYLES = {
    "diverged": "#b8420f",  # vermillion (Okabe-Ito), white text
    "error": "#8b1a1a",
    "warning": "#7a5b00",
}


class NoticeBanner(QWidget):
    """A coloured, word-wrapped message with a close button; hidden until shown."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this message")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setStyleSheet(
            f"NoticeBanner {{ background: {STYLES[kind]}; border-radius: 4px; }}"
            "QLabel, QToolButton { color: white; font-size: 15pt; font-weight: bold; }"
        )
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.kind = ""
        self.hide()
