"""LessonNavigator: the Lessons menu, the lesson picker, presenter-clicker keys and the
explanation card. It only chooses lessons (``lessonChosen``); which lesson is shown is the
application state's, which the navigator and the card only display."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QMenu, QScrollArea

from gdviz.core.lessons import Lesson
from gdviz.ui.theme import LECTURE_MIN_PX

CARD_WIDTH = 320  # pixels at presentation scale 1


class LessonCard(QDockWidget):
    """The lesson's title and explanation beside the views; the lecturer can close it."""

    def __init__(self, parent=None) -> None:
        super().__init__("Lesson", parent)
        self.setObjectName("lesson_card")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setStyleSheet("font-size: 13pt; padding: 6px;")
        self.text.setMinimumWidth(200)
        self.setMaximumWidth(CARD_WIDTH)  # the views, not the card, are the lesson
        self.scroll = scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        self.setWidget(scroll)
        self._style = ("", 13.0)  # the sheet without the font size, and the full size (pt)
        self.text_points = 13.0  # the size shown (fit_text)
        scroll.viewport().installEventFilter(self)

    def apply_style(self, theme, scale: float) -> None:
        """Wider with the presentation scale, so the text is not cut off: at least 85 % of its
        full width (a quarter of the screen at most: the views keep the room; the text shrinks
        to fit), or the dock area squeezed it to ~190 px and a lesson title broke into three
        lines, its words cut at the edge."""
        self.setMaximumWidth(int(CARD_WIDTH * scale))
        screen = self.screen().availableGeometry().width() if self.screen() else 1920
        self.setMinimumWidth(min(int(0.85 * CARD_WIDTH * scale), screen // 4))
        self._style = (f"padding: 6px; color: {theme.foreground}; background: {theme.background};",
                       13 * scale)  # fmt: skip
        self.fit_text()

    def eventFilter(self, watched, event) -> bool:
        # The viewport resizes with the card, and narrows when a scroll bar appears: fit the
        # text again then (once: a resizeEvent of the card as well fitted it twice).
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_text()
        return False

    def fit_text(self) -> None:
        """The text at its full size, or smaller (never under 20 px, nor the unscaled size)
        where it would not fit the card without scrolling: the end of lesson 4's or 10's text
        was below the bottom of the screen, where the back row cannot scroll to it."""
        sheet, full = self._style
        dpi = self.logicalDpiY() or 96
        floor = min(full, max(13.0, LECTURE_MIN_PX * 72 / dpi))
        room = self.scroll.viewport().size()
        points = full
        while True:
            self.text.setStyleSheet(f"font-size: {points:g}pt; {sheet}")
            self.text.ensurePolished()
            # Without a scroll bar: the width the text has once it fits.
            width = room.width() + (
                self.scroll.verticalScrollBar().width()
                if self.scroll.verticalScrollBar().isVisible()
                else 0
            )
            fits = self.text.heightForWidth(width) <= room.height()
            if fits or points <= floor or room.height() < 50:
                break
            points = max(floor, points - 1.0)
        self.text_points = points

    def show_lesson(self, lesson: Lesson, number: int, count: int, changes: str = "") -> None:
        """The lesson's title and explanation (plain text, shown as written: "lr < 2/λmax"
        is not a tag), and ``changes``, what differs from the lesson now, if anything."""
        note = f"<p><i>Changed from the lesson: {html.escape(changes)}.</i></p>" if changes else ""
        self.text.setText(
            f"<p>Lesson {number} of {count}</p><h3>{html.escape(lesson.title)}</h3>"
            f"<p>{html.escape(lesson.explanation)}</p>{note}"
        )
        self.show()
        self.fit_text()


class LessonNavigator(QObject):
    """Menu actions (1-9, PageDown, PageUp, Home) and a toolbar picker over a list of lessons."""

    lessonChosen = Signal(int)  # index into the lessons list
    startRequested = Signal()  # Next on a lesson that has not started: start it

    def __init__(self, lessons: list[Lesson], current: Callable[[], int | None], parent,
                 waiting: Callable[[], bool] = lambda: False) -> None:  # fmt: skip
        super().__init__(parent)
        self.lessons = lessons
        self._current = current  # the index of the lesson shown (the state knows it)
        self._waiting = waiting  # whether the lesson shown has not started (the engine knows)
        self.picker = QComboBox()
        self.picker.addItem("Choose a lesson…")
        for number, lesson in enumerate(lessons, start=1):
            self.picker.addItem(f"{number}. {lesson.title}")
        self.picker.setToolTip("Ready-made lessons, one for each idea of the course")
        self.picker.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the keys for the lecture
        self.picker.setMinimumContentsLength(24)
        self.picker.activated.connect(lambda row: row > 0 and self.choose(row - 1))
        self.actions: list[QAction] = []

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Lessons menu: every lesson (1-9 for the first nine) and the navigation."""
        for index, lesson in enumerate(self.lessons):
            action = menu.addAction(f"{index + 1}. {lesson.title}")
            if index < 9:
                action.setShortcut(QKeySequence(str(index + 1)))
            action.triggered.connect(lambda *_, i=index: self.choose(i))
            self.actions.append(action)
        menu.addSeparator()
        for text, keys, slot in (
            ("Next lesson (or start the lesson shown)", ("PgDown",), self.next),
            ("Previous lesson", ("PgUp",), self.previous),
            ("Restart lesson", ("Home",), self.restart),
        ):
            action = menu.addAction(text)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(slot)
            self.actions.append(action)

    @property
    def index(self) -> int | None:
        return self._current()

    def show_index(self, index: int | None) -> None:
        """Show which lesson is open in the picker ("Choose a lesson…" for none)."""
        self.picker.setCurrentIndex(0 if index is None else index + 1)

    def choose(self, index: int) -> None:
        if 0 <= index < len(self.lessons):
            self.lessonChosen.emit(index)

    def next(self) -> None:
        """The next lesson, or, on a lesson that has not started, its start: a presenter's
        clicker has only PageDown and PageUp, and the lecture must go on without Space."""
        index = self.index
        if index is not None and self._waiting():
            self.startRequested.emit()
            return
        self.choose(0 if index is None else min(index + 1, len(self.lessons) - 1))

    def previous(self) -> None:
        index = self.index
        self.choose(0 if index is None else max(index - 1, 0))

    def restart(self) -> None:
        if self.index is not None:
            self.choose(self.index)
