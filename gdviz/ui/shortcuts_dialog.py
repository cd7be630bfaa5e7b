"""ShortcutsDialog: every keyboard shortcut of the app in a large two-column table (F1 or ?), so
a lecturer can look one up in front of the class."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

# The table's text relative to the window's (already presentation-scaled) font; less when the
# table would not fit the screen, down to MIN_TEXT_FACTOR.
TEXT_FACTOR, MIN_TEXT_FACTOR = 1.4, 0.8

# (keys, what they do), in the order a lecture uses them.
DEFAULT_SHORTCUTS: list[tuple[str, str]] = [
    ("Space", "Play / pause the training"),
    ("Right", "One step: one batch, one update"),
    ("Left or Backspace", "One step back (Right makes the same step again)"),
    ("Shift+Right", "Run to the end of the epoch"),
    ("R", "Reset: start again from the start point"),
    ("U", "Worked update: this step with its numbers"),
    ("P", "Pin this run as a ghost (Shift+P clears the pins)"),
    ("N", "New seed: other batches, same settings"),
    ("D", "Paint data: click adds, drag moves, right-click removes"),
    ("F", "Fit the path into the surface view"),
    ("L", "Log colours on the loss surface"),
    ("Y", "Logarithmic loss axis"),
    ("T", "Loss axis after the first drop (SGD's noise fills it)"),
    ("E", "Equal axes on the surface"),
    ("G", "Step arrow at its true length"),
    ("A", "Each example's gradient, and their mean"),
    ("O", "The batch's own loss surface (dashed contours)"),
    ("Ctrl+1", "Maximise the surface view"),
    ("Ctrl+2", "Maximise the loss curve"),
    ("Ctrl+3", "Maximise the data view"),
    ("Ctrl+O", "Open a CSV data file"),
    ("Ctrl+S", "Save the session"),
    ("Ctrl+Shift+O", "Open a session"),
    ("F5", "Lecture mode: large text and counters"),
    ("F11", "Full screen"),
    ("F3", "3-D surface (needs OpenGL)"),
    ("Ctrl+Plus", "Larger text and lines (presentation scale)"),
    ("Ctrl+Minus", "Smaller text and lines"),
    ("Ctrl+0", "Normal size"),
    ("H", "Clean view: hide the controls"),
    ("S", "Learning-rate sweep"),
    ("Shift+S", "Learning-rate range test"),
    ("Shift+B", "Batch size: steps and examples to a target"),
    ("Shift+H", "Sharpness against 2/η (edge of stability)"),
    ("Page Down", "Next lesson (a lesson not started yet: start it)"),
    ("B or .", "Blank the views, and back"),
    ("Page Up", "Previous lesson"),
    ("Home", "Restart the lesson"),
    ("1 … 9", "Jump to lesson 1 … 9"),
    ("F1 or ?", "This overview"),
    ("Ctrl+Q", "Quit"),
]


class ShortcutsDialog(QDialog):
    """A read-only table of ``rows`` (keys, action) with a Close button; Esc closes it too.
    The pairs stand in two halves side by side (keys, action, keys, action): one column of
    forty rows did not fit a 1280x720 projector even at the smallest text.

    It takes the parent window's palette and font, so it follows the theme and presentation
    scale (a dialog is a window of its own and would not inherit them)."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        if parent is not None:
            self.setPalette(parent.window().palette())
            self.setFont(parent.window().font())
        self._count = len(rows)
        half = -(-len(rows) // 2)
        self.table = QTableWidget(half, 4)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Esc and Enter reach the dialog
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)  # one line a shortcut: the dialog is sized to fit them
        self.table.setStyleSheet("QTableWidget::item { padding: 2px 16px 2px 10px; }")
        self.table.horizontalHeader().setStretchLastSection(True)
        for row in range(half):
            for column in range(4):
                self.table.setItem(row, column, QTableWidgetItem(""))
        for index, (keys, action) in enumerate(rows):
            row, column = index % half, 2 * (index // half)
            self.table.item(row, column).setText(keys)
            self.table.item(row, column + 1).setText(action)
        note = QLabel("Shortcuts work whenever the main window has the focus.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._fit_size()

    def rows(self) -> list[tuple[str, str]]:
        """The listed (keys, action) pairs, as shown."""
        half = self.table.rowCount()
        cells = [(index % half, 2 * (index // half)) for index in range(self._count)]
        return [(self.table.item(r, c).text(), self.table.item(r, c + 1).text()) for r, c in cells]

    def _set_text_size(self, factor: float) -> None:
        """Table text ``factor`` times the window's font; the keys in bold (what the eye looks
        for)."""
        big = QFont(self.font())
        big.setPointSizeF(max(big.pointSizeF(), 9.0) * factor)
        bold = QFont(big)
        bold.setBold(True)
        self.table.setFont(big)
        for column in range(4):
            self.table.horizontalHeaderItem(column).setFont(big)
            for row in range(self.table.rowCount()):
                self.table.item(row, column).setFont(big if column % 2 else bold)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()

    def _fit_size(self) -> None:
        """Every row in view without scrolling: the largest text (up to TEXT_FACTOR) whose table
        fits the screen, e.g. a 1280x720 projector at presentation scale 1.5."""
        screen = self.screen().availableGeometry() if self.screen() else None
        factor = TEXT_FACTOR
        while True:
            self._set_text_size(factor)
            width = sum(self.table.columnWidth(c) for c in range(4)) + 60
            height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
            header = self.table.horizontalHeader().sizeHint().height()
            height += header + 110  # note, buttons, margins
            fits = screen is None or (width <= screen.width() and height <= screen.height())
            if fits or factor <= MIN_TEXT_FACTOR:
                break
            factor = max(MIN_TEXT_FACTOR, factor - 0.1)
        if screen is not None:
            width, height = min(width, screen.width()), min(height, screen.height())
        self.resize(width, height)
