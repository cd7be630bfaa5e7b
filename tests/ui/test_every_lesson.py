"""Every lesson at 1920 x 1080 in lecture mode, opened after the lesson before it: no text under
20 px, no label whose text is cut off, no key elided or wider than its plot, and nothing pushed
out of the window (the lecture-hall test, as a test)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontInfo, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
)

from gdviz.core.lessons import load_lessons
from gdviz.ui.theme import LECTURE_MIN_PX

LESSONS = load_lessons()
SCREEN = (1920, 1080)
TEXT_WIDGETS = (QLabel, QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)


@pytest.fixture(scope="module")
def hall(qapp):
    """One lecture-mode window the size of a projector's screen, shared by the lessons in
    order (each opened after the one before it, as in a lecture)."""
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    win = MainWindow(settings=None)
    win.resize(*SCREEN)
    for name in win.lab.docks:  # their threads live as long as the window, not one test
        win.lab.panel(name)
    win.sweep_panel  # noqa: B018 - the same
    win.show()
    win.state.lecture = True
    yield win
    win.close()


def _shown(window, widget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def _clipped(label: QLabel) -> bool:
    """Whether ``label``'s text is cut off: its lines (wrapped at its width, if it wraps) need
    more room than the label has."""
    text = label.text()
    if not text:
        return False
    room = label.contentsRect()
    if label.wordWrap():  # heightForWidth takes the label's own width (margins included)
        return label.heightForWidth(label.width()) > label.height() + 1
    if label.textFormat() == Qt.TextFormat.RichText or "<" in text:  # laid out as a document
        return label.minimumSizeHint().width() > label.width() + 1
    need = QFontMetrics(label.font()).boundingRect(
        QRect(0, 0, room.width(), 100_000), int(Qt.AlignmentFlag.AlignLeft.value), text
    )
    return need.width() > room.width() + 1 or need.height() > room.height() + 1


def _scrolled(widget) -> bool:
    """Inside a scroll area: out of sight is reachable by scrolling, not pushed off screen."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_reads_from_the_back_row(qtbot, hall, lesson):
    window = hall
    window.commands.open_lesson(LESSONS.index(lesson))
    window.engine.run_synchronously(20)
    qtbot.wait(400)  # layouts settle; the surface is extended to the view (debounced)
    window.frames.mark_dirty()
    window.frames.draw()
    qtbot.wait(50)
    dpi = window.logicalDpiY()
    inside = QRect(0, 0, window.width(), window.height())
    small, cut, outside = [], [], []
    for kind in TEXT_WIDGETS:
        for widget in window.findChildren(kind):
            if not _shown(window, widget):
                continue
            name = (getattr(widget, "text", lambda: "")() or widget.objectName())[:40]
            if QFontInfo(widget.font()).pixelSize() < LECTURE_MIN_PX:
                small.append((type(widget).__name__, name))
            if isinstance(widget, QLabel) and _clipped(widget):
                cut.append(name)
            box = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
            if not _scrolled(widget) and not inside.contains(box.center()):
                outside.append((type(widget).__name__, name))
    assert not small, small
    assert not cut, cut
    assert not outside, outside
    # The lesson card shows its whole text: the back row cannot scroll.
    card = window.lesson_card
    room = card.scroll.viewport()
    assert card.text.heightForWidth(room.width()) <= room.height(), card.text_points
    assert card.text_points * dpi / 72 >= LECTURE_MIN_PX - 0.5
    # The plots: ticks and axis titles, and each key unelided, within its plot.
    page = window.run_page()
    if window.engine.comparing:
        plots = [(page.surface.plot, page.surface_key), (page.loss_plot, page.loss_key)]
    else:
        plots = [(view.plot, view.key) for view in (window.loss_view, window.data_view)
                 if view.isVisible()]  # fmt: skip
        plots.append((window.surface_view.plot, None))
    for plot, key in plots:
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            assert axis.style["tickFont"].pointSizeF() * dpi / 72 >= LECTURE_MIN_PX
        if key is not None:
            assert key.points() * dpi / 72 >= LECTURE_MIN_PX - 0.5
            assert "…" not in key.text(), key.text()
            label = plot.titleLabel
            assert label.item.boundingRect().width() <= plot.getViewBox().width() + 2
        # The plot is not wider than its widget (a wide label once pushed the colour bar off),
        # once the layout has settled.
        widget = plot.scene().views()[0]
        qtbot.waitUntil(lambda p=plot, v=widget: p.sceneBoundingRect().right() <= v.width() + 1,
                        timeout=3_000)  # fmt: skip
