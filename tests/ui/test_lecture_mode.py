"""Lecture mode (F5, --lecture, remembered): no text under 20 px, big counters above the views,
and nothing that widens the window past the screen."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit

from gdviz.ui.theme import LECTURE_MIN_PX, lecture_scale


def test_lecture_scale_makes_the_smallest_text_twenty_pixels():
    assert lecture_scale(9.0, 96) == 1.75  # 9 pt = 12 px: x1.67, rounded up to a 0.25 step
    assert lecture_scale(12.0, 96) == 1.25  # 16 px: x1.25
    assert lecture_scale(9.0, 96, scale=2.0) == 2.0  # a larger presenter's scale is kept
    assert lecture_scale(4.0, 96) == 2.5  # never beyond the largest scale
    for points in (7.0, 8.0, 9.0, 10.0, 11.0):
        assert points * 96 / 72 * lecture_scale(points, 96) >= LECTURE_MIN_PX - 1e-9


def _pixels(widget) -> int:
    return QFontInfo(widget.font()).pixelSize()


def test_lecture_mode_text_is_at_least_twenty_pixels(qtbot, window):
    window.commands.open_lesson(0)
    window.engine.run_synchronously(30)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.state.lecture and window.lecture_action.isChecked()
    qtbot.waitUntil(window.counters.isVisible, timeout=2000)
    window.frames.draw()
    dpi = window.logicalDpiY()
    kinds = (QLabel, QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)
    small = []
    for kind in kinds:
        for widget in window.findChildren(kind):
            if widget.isVisibleTo(window) and _pixels(widget) < LECTURE_MIN_PX:
                name = widget.text() if hasattr(widget, "text") else widget.objectName()
                small.append((type(widget).__name__, name, _pixels(widget)))
    assert not small, small
    # The plots' text: ticks, axis titles and legends.
    for view in (window.surface_view, window.loss_view, window.data_view):
        plot = view.plot
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            tick_px = axis.style["tickFont"].pointSizeF() * dpi / 72
            assert tick_px >= LECTURE_MIN_PX, (type(view).__name__, side, tick_px)
            title_pt = float(axis.labelStyle["font-size"].removesuffix("pt"))
            assert title_pt * dpi / 72 >= LECTURE_MIN_PX
    for view in (window.loss_view, window.data_view):
        assert view.key.text() and view.key.points() * dpi / 72 >= LECTURE_MIN_PX - 0.5
        assert view.plot.titleLabel.opts["size"] == f"{view.key.points():g}pt"  # as drawn
    # The counters: the numbers of the row shown, in large type.
    text = window.counters.text()
    recording = window.engine.recording
    assert text.startswith(f"Iteration {int(recording.last('step')):,}")
    assert "loss" in text and _pixels(window.counters) >= LECTURE_MIN_PX
    qtbot.keyClick(window, Qt.Key.Key_F5)  # and off again: the presenter's own scale
    assert not window.state.lecture and not window.counters.isVisible()
    assert window.shown_scale == window.state.scale


def test_the_counters_never_widen_the_window(qtbot, window):
    # Reproduction: a label's minimum width is its text's, and a long counter line pushed the
    # maximised window past the right edge of the screen (the lesson card cut off).
    window.state.lecture = True
    window.counters.setText("Iteration 1")
    narrow = window.minimumSizeHint().width()
    window.counters.setText("Iteration 123,456,789   ·   epoch 99,999, batch 12 of 345   ·   "
                            "loss 1.234e+56")  # fmt: skip
    assert window.minimumSizeHint().width() == narrow


def test_lecture_mode_is_remembered(tmp_path):
    from gdviz.ui.persistence import save_lecture, saved_lecture

    settings = QSettings(str(tmp_path / "gdviz.ini"), QSettings.Format.IniFormat)
    assert saved_lecture(settings) is False and saved_lecture(None) is False
    save_lecture(settings, True)
    assert saved_lecture(settings) is True
    settings.setValue("look/lecture", "garbage")
    assert saved_lecture(settings) is False


@pytest.mark.parametrize("given", [True, False])
def test_the_command_line_opens_in_lecture_mode(qtbot, given):
    from gdviz.__main__ import build_parser
    from gdviz.ui.app import WindowStart, apply_start
    from gdviz.ui.main_window import MainWindow

    args = build_parser().parse_args(["--lecture"] if given else [])
    assert isinstance(args, argparse.Namespace)
    start = WindowStart.from_args(args)
    win = MainWindow(config=start.config, settings=None)
    qtbot.addWidget(win)
    try:
        apply_start(win, start)
        assert win.state.lecture is given
    finally:
        win.close()


def test_a_clickers_page_down_opens_a_lesson_then_starts_it(qtbot, window):
    """A presenter's clicker sends PageDown and PageUp only: PageDown opens the next lesson, a
    second PageDown starts it (no Space needed), a third goes on to the lesson after it."""
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.state.lesson is not None
    first = window.state.lesson
    assert len(window.engine.recording) == 1 and not window.engine.playing
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.state.lesson == first and window.engine.playing
    qtbot.waitUntil(lambda: len(window.engine.recording) > 1, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.state.lesson != first
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.state.lesson == first


def test_b_or_period_blanks_the_views_and_back(qtbot, window):
    shown = window.view_stack.currentWidget()
    for key in (Qt.Key.Key_B, Qt.Key.Key_Period):
        qtbot.keyClick(window, key)
        assert window.view_stack.currentWidget() is window.blank_page
        qtbot.keyClick(window, key)
        assert window.view_stack.currentWidget() is shown


# The data view's Weight_in_lbs axis at lecture size, a budget of 100 and of 500 iterations, and
# small parameters (a narrower axis than 220 px for 1,250-5,400 is left: see the note).
# Then lesson 4's data view (x from 0 to 10) at the largest size, 30 px ticks, and lesson 3's
# loss axis of 100 iterations in 190 px, whose "20 40 60 80" were 1 px apart.
CASES = [(1250.0, 5400.0, 220, 21), (-2.0, 102.0, 200, 21), (-10.0, 510.0, 200, 21),
         (-0.03, 0.04, 400, 21), (-0.5, 10.5, 110, 30), (-2.0, 102.0, 190, 21),
         (-0.3, 10.3, 190, 21)]  # fmt: skip


@pytest.mark.parametrize("low, high, pixels, points", CASES)
def test_tick_labels_at_lecture_size_never_run_together(qtbot, low, high, pixels, points):
    """Reproduction: at lecture size the data view's x axis read "200030004000", lesson 3's
    loss axis "20406080", and at the largest size lesson 4's data view "2468"."""
    from PySide6.QtGui import QFontMetricsF

    from gdviz.ui.views.colors import ReadableAxis, font

    axis = ReadableAxis("bottom")
    axis.setTickFont(font(points))  # 12 pt ticks at lecture scale 1.75 (21), or 2.5 (30)
    spacing = axis.tickSpacing(low, high, pixels)[0][0]
    metrics = QFontMetricsF(font(points))
    per_unit = pixels / (high - low)
    ticks = [v for v in np.arange(np.ceil(low / spacing), high / spacing + 1) * spacing
             if low <= v <= high]  # fmt: skip
    texts = axis.tickStrings(ticks, 1.0, spacing)
    # Each label reads its value exactly (a spacing of 2.5 with pyqtgraph's decimals read "2")
    assert [float(t.replace("\u2212", "-")) for t in texts] == pytest.approx(ticks)
    # The labels drawn whole (pyqtgraph hides one that would stick out at an end).
    shown = [metrics.horizontalAdvance(t) for v, t in zip(ticks, texts, strict=True)
             if min(v - low, high - v) * per_unit >= metrics.horizontalAdvance(t) / 2]  # fmt: skip
    assert len(shown) >= (2 if pixels >= 200 else 1)  # still a scale to read
    width = max(shown)
    gap = metrics.horizontalAdvance(" ")
    assert spacing * pixels / (high - low) >= width + gap  # labels never touch


def test_log_axis_labels_within_a_decade_never_overlap(qtbot):
    """Reproduction: a loss from 120 down to 73 on a log axis at lecture size read
    "10² 9·10¹ 8·10¹ 7·10¹" one on top of the other."""
    from PySide6.QtGui import QFontMetricsF

    from gdviz.ui.theme import THEMES
    from gdviz.ui.views.loss_view import LossView

    view = LossView()
    qtbot.addWidget(view)
    view.resize(450, 400)
    view.apply_style(THEMES["light"], 1.75)
    view.show()
    view.set_log_y(True)
    steps = np.arange(500.0)
    view.set_data(steps, 120 * 0.999**steps, 120 * 0.999**steps)
    qtbot.wait(50)
    axis = view.plot.getAxis("left")
    lo, hi = axis.range
    line = QFontMetricsF(axis.style["tickFont"]).height()
    shown = []
    for spacing, values in axis.tickValues(lo, hi, axis.height()):
        for value, text in zip(values, axis.tickStrings(values, 1.0, spacing), strict=True):
            if text and lo <= value <= hi:
                shown.append(value * axis.height() / (hi - lo))  # pixels up the axis
    shown.sort()
    assert len(shown) >= 3  # 10² and ticks beside it: still a scale to read
    gaps = np.diff(shown)
    assert np.all(gaps >= line)  # a line apart: none drawn on another


def test_the_status_line_wraps_between_its_fields_only(qtbot):
    """Enlarged, the status line wraps; laid out by Qt at every width from 120 px to its whole
    length, each line holds whole fields: never "|gradient|" without its value ("|" allows a
    break even before a no-break space), never a line that starts with the dot."""
    from PySide6.QtGui import QFont, QTextLayout, QTextOption

    from gdviz.ui.status import joined_fields

    fields = ["Iteration 500", "epoch 5 (batch 100 of 100)", "lr 0.05", "w = 6.186, b = 11.42",
              "loss 1.188", "|gradient| 1.79", "finished"]  # fmt: skip
    text = joined_fields(fields)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    for width in range(120, 1500, 37):
        layout = QTextLayout(text, QFont("DejaVu Sans", 20))
        layout.setTextOption(option)
        layout.beginLayout()
        lines = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(text[line.textStart() : line.textStart() + line.textLength()])
        layout.endLayout()
        plain = [line.replace("\u2060", "").replace("\u00a0", " ").strip() for line in lines]
        assert all(not line.startswith("·") for line in plain), (width, plain)
        parts = [part.strip() for line in plain for part in line.split("  ·") if part.strip()]
        assert parts == fields, (width, plain)


def test_the_lesson_picker_moves_to_a_second_row_rather_than_off_screen(qtbot, window):
    """Reproduction: at the largest size the picker was pushed behind the toolbar's overflow
    button. One row while both toolbars fit, two rows (a toolbar break) when they do not, and
    the picker whole inside the window either way."""
    from gdviz.ui.theme import MAX_SCALE

    window.resize(1920, 1000)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=2000)
    assert not window.toolBarBreak(window.lesson_bar)
    # The toolbar area lays its rows out after the resize (at first the run bar spans it all).
    qtbot.waitUntil(lambda: window.lesson_bar.y() == window.toolbar.y(), timeout=2000)
    window.set_look("light", MAX_SCALE)
    qtbot.waitUntil(lambda: window.toolBarBreak(window.lesson_bar), timeout=2000)
    qtbot.waitUntil(lambda: window.lesson_bar.y() > window.toolbar.y(), timeout=2000)
    picker = window.navigator.picker
    right = picker.mapTo(window, picker.rect().topRight()).x()
    assert picker.isVisible() and 0 < right <= window.width()
    window.set_look("light", 1.0)  # Ctrl+0: back to one row
    qtbot.waitUntil(lambda: not window.toolBarBreak(window.lesson_bar), timeout=2000)


def test_at_the_largest_size_the_docks_leave_the_views_half_the_window(qtbot, window):
    """Reproduction: at 2.5x the Settings dock (as wide as its enlarged content) and the lesson
    card (a third of the screen) left the views a third of a 1920 px window, their keys elided
    and arrow labels cut. Now each dock is at most a quarter of the screen (the Settings scroll
    sideways, never squeezed), and the views keep at least half."""
    from gdviz.ui.theme import MAX_SCALE

    window.resize(1920, 1000)
    window.navigator.choose(3)  # lesson 4: the lesson card beside the Settings
    window.set_look("light", MAX_SCALE)
    qtbot.waitUntil(lambda: window.main_split.width() >= 0.5 * window.width(), timeout=3000)
    scroll = window.controls_dock.widget()
    screen = window.screen().availableGeometry().width()
    assert scroll.minimumWidth() <= max(360, screen // 4)
    assert window.controls.width() >= window.controls.minimumSizeHint().width()  # not squeezed
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
    window.set_look("light", 1.0)  # Ctrl+0: the content fits again, no sideways scrolling
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
