"""PlotKey: a plot's legend as a line of text above it, outside the data.

A legend inside the plot covered what it named: SGD's noisy loss under the loss view's legend,
examples under the data view's, a start point or a minimum under a comparison's. Above the
plot it covers nothing, reads at any presentation size, and wraps onto a second line where the
plot is narrow instead of widening it (a title wider than the view pushed the colour bar off
screen).
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QSizeF, Qt
from PySide6.QtGui import QFontMetricsF

from gdviz.ui.views import colors as c

GAP = "&nbsp;&nbsp;&nbsp;"  # between entries


class PlotKey:
    """The key of ``plot``: entries ``(colour, mark, label)``, e.g. ``("#0072B2", "━━", "training
    loss")``; the mark is drawn in the colour, the label in the theme's text colour."""

    def __init__(self, plot: pg.PlotItem, max_lines: int | None = None) -> None:
        self.plot = plot
        self.max_lines = max_lines  # shrink (to the same floor) rather than wrap onto more
        self._entries: list[tuple[str, str, str]] = []
        self._look = c.Look()
        self._width = 0.0
        self._lines: list[list[str]] = []
        self._points = self._shown_points = self._look.pt(c.LEGEND_PT)
        plot.getViewBox().sigResized.connect(self._refit)
        _use_key_label(plot)

    def set_entries(self, entries, look: c.Look | None = None) -> None:
        """The entries, drawn in ``look`` (default: the last one given): laid out once, when
        either changed (a restyle with new entry colours is one layout, not two)."""
        entries = [tuple(entry) for entry in entries]
        if look is not None:
            self._look = look
        if entries != self._entries or look is not None:
            self._entries = entries
            self._show(force=look is not None)

    def _refit(self, *_args) -> None:
        """Wrap to the view box's width, after a resize."""
        width = self.plot.getViewBox().width()
        if abs(width - self._width) >= 1:
            self._width = width
            self._show()

    def text(self) -> str:
        """The key as plain text, one line per line shown (for tests and screen readers)."""
        return "\n".join("   ".join(line) for line in self._lines)

    def points(self) -> float:
        """The font size of the key, in points: the look's, or smaller (never below the
        unscaled size, nor below lecture mode's 20 px) where an entry would not fit."""
        return self._points

    def _show(self, force: bool = False) -> None:
        look = self._look
        room = max(self._width - look.size(8), 80.0)
        full = look.pt(c.LEGEND_PT)
        floor = min(full, max(c.LEGEND_PT, c.LECTURE_FLOOR_PT))
        points = full
        while True:
            metrics = QFontMetricsF(c.font(points, look.theme.bold))
            widths = [metrics.horizontalAdvance(f"{m} {t}   ") for _, m, t in self._entries]
            fits = max(widths, default=0.0) <= room + metrics.horizontalAdvance("   ")
            if fits and self.max_lines is not None:
                fits = len(_wrap(widths, room)) <= self.max_lines
            if fits or points <= floor or self._width <= 0:
                break
            points = max(floor, points - 0.5)
        self._points = points
        colors = [color for color, _, _ in self._entries]
        marks = [mark for _, mark, _ in self._entries]
        labels = [label for _, _, label in self._entries]
        if self._width > 0:  # the last resort: an entry never widens the plot
            labels = [metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                         room - metrics.horizontalAdvance(f"{mark} "))
                      for mark, label in zip(marks, labels, strict=True)]  # fmt: skip
        widths = [metrics.horizontalAdvance(f"{mark} {label}   ")
                  for mark, label in zip(marks, labels, strict=True)]  # fmt: skip
        groups = _wrap(widths, room)
        plain = [[f"{marks[i]} {labels[i]}" for i in group] for group in groups]
        lines = [[f'<span style="color:{colors[i]}">{marks[i]}</span>&nbsp;{html.escape(labels[i])}'
                  for i in group] for group in groups]  # fmt: skip
        if (plain, points) == (self._lines, self._shown_points) and not force:
            return
        self._lines, self._shown_points = plain, points
        text = "<br>".join(GAP.join(line) for line in lines)
        self.plot.setTitle(text or None, color=look.theme.foreground, size=f"{points:g}pt",
                           bold=look.theme.bold)  # fmt: skip
        if text:  # pyqtgraph gives a title one 30 px row: make it as tall as its lines
            label = self.plot.titleLabel
            height = label.item.boundingRect().height() + 2
            label.setMaximumHeight(height)
            self.plot.layout.setRowFixedHeight(0, height)
            label.updateMin()


def key_html(entries) -> str:
    """Entries ``(colour, mark, label)`` as one paragraph of rich text for a QLabel (a key
    shared by several plots): each mark in its colour, the labels in the label's own."""
    return GAP.join(f'<span style="color:{color}">{html.escape(mark)}</span>&nbsp;'
                    f"{html.escape(label)}" for color, mark, label in entries)  # fmt: skip


def _wrap(widths, room: float) -> list[list[int]]:
    """The entries (their indices) on each line: a line takes entries while their widths
    fit in ``room``; one wider than the room has a line of its own."""
    lines: list[list[int]] = []
    used = 0.0
    for index, width in enumerate(widths):
        if not lines or used + width > room:
            lines.append([])
            used = 0.0
        lines[-1].append(index)
        used += width
    return lines


class KeyLabel(pg.LabelItem):
    """A plot title that asks its layout for its height only: LabelItem makes its text's width
    its minimum and preferred width (again on every resize), and the layout widened the view
    box's column, and the plot past its widget, to it. The key wraps its text to the column."""

    def updateMin(self) -> None:
        self.setMinimumWidth(0)
        self.setMinimumHeight(self.itemRect().height())
        self.updateGeometry()

    def sizeHint(self, which, constraint=None):
        if which == Qt.SizeHint.MaximumSize:
            return QSizeF(-1, -1)
        return QSizeF(0, self.itemRect().height() if self.isVisible() else 0)


def _use_key_label(plot: pg.PlotItem) -> None:
    """Put a KeyLabel where the plot's title goes (row 0, the view box's column)."""
    old = plot.titleLabel
    label = KeyLabel("", size="11pt")
    plot.layout.removeItem(old)
    old.setParentItem(None)
    plot.layout.addItem(label, 0, 1)
    plot.titleLabel = label
    plot.setTitle(None)
