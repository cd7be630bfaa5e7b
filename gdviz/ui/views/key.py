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

    def set_entries(self, entries) -> None:
        entries = [tuple(entry) for entry in entries]
        if entries != self._entries:
            self._entries = entries
            self._show()

    def restyle(self, look: c.Look) -> None:
        self._look = look
        self._show(force=True)

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
                fits = _lines_needed(widths, room) <= self.max_lines
            if fits or points <= floor or self._width <= 0:
                break
            points = max(floor, points - 0.5)
        self._points = points
        lines, plain, used = [], [], 0.0
        for color, mark, label in self._entries:
            if self._width > 0:  # the last resort: an entry never widens the plot
                left = room - metrics.horizontalAdvance(f"{mark} ")
                label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, left)
            width = metrics.horizontalAdvance(f"{mark} {label}   ")
            if plain and plain[-1] and used + width > room:
                lines.append([])
                plain.append([])
                used = 0.0
            if not lines:
                lines.append([])
                plain.append([])
            lines[-1].append(f'<span style="color:{color}">{mark}</span>&nbsp;{html.escape(label)}')
            plain[-1].append(f"{mark} {label}")
            used += width
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


def _lines_needed(widths, room: float) -> int:
    """Lines that entries of these widths fill, wrapped greedily as ``PlotKey._show`` does."""
    lines, used = 0, room
    for width in widths:
        if used + width > room:
            lines, used = lines + 1, 0.0
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
