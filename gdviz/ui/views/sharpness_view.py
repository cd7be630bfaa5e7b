"""SharpnessView: the sharpness (the largest eigenvalue of the loss's Hessian at the parameters,
Problem.sharpness) against iterations, with the stability limit 2/η of each run dashed in the
same colour. On a quadratic a run whose sharpness is above 2/η diverges; on a non-convex loss
(the scalar-net surface) gradient descent can instead be thrown to a flatter region and settle
where the sharpness is at most 2/η: the edge of stability (Cohen et al., ICLR 2021).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gdviz.ui.panels.sci_spinbox import format_number
from gdviz.ui.views import colors as c
from gdviz.ui.views.key import PlotKey

POINTS = 4_000  # rows drawn per run: strided, the newest exact


class SharpnessView(QWidget):
    """One curve of sharpness and one dashed 2/η line per run; :meth:`show_runs` draws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        # The key above the plot names each run's lines with their newest values; a legend
        # inside covered the curves. A message (no sharpness) goes in the corner.
        self.key = PlotKey(self.plot)
        self.note = c.corner_text(self.plot.getViewBox())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.curves: list[pg.PlotDataItem] = []
        self.limits: list[pg.PlotDataItem] = []
        self._labels: tuple[str, ...] = ()
        self._entries: list[tuple[str, str, str]] = []
        self.apply_style(self.look.theme, self.look.scale)

    def apply_style(self, theme, scale: float) -> None:
        look = self.look = c.Look(theme, scale)
        self.plot_widget.setBackground(theme.background)
        c.style_plot(self.plot, "iteration", "sharpness", look)
        self.note.setFont(look.font(c.ANNOTATION_PT + 1))
        self.note.setColor(theme.foreground)
        self._restyle()
        self.key.set_entries(self._entries, look)

    def _colors(self) -> tuple[str, ...]:
        single = (self.look.theme.training_loss,)
        return single if len(self.curves) == 1 else c.RUN_COLORS

    def _restyle(self) -> None:
        look = self.look
        for curve, limit, color in zip(self.curves, self.limits, self._colors(), strict=False):
            curve.setPen(look.pen(color, 3))
            limit.setPen(look.pen(color, 2, style=Qt.PenStyle.DashLine))

    def _ensure(self, labels: tuple[str, ...]) -> None:
        """One curve and one limit line per run, named in the legend."""
        if labels == self._labels and len(self.curves) == len(labels):
            return
        for item in (*self.curves, *self.limits):
            self.plot.removeItem(item)
        self.curves, self.limits, self._labels = [], [], labels
        for _label in labels:
            curve, limit = pg.PlotDataItem(), pg.PlotDataItem()
            for item in (curve, limit):
                self.plot.addItem(item)
            self.curves.append(curve)
            self.limits.append(limit)
        self._restyle()

    def show_message(self, text: str) -> None:
        """No sharpness to draw (logistic regression, no run): say why in the corner."""
        self._ensure(())
        self._entries = []
        self.key.set_entries([])
        self.note.setText(text)
        self.note.setVisible(True)

    def show_runs(self, recording, sharpness, n: int, labels=("",)) -> None:
        """The first ``n`` rows of every run of ``recording``: ``sharpness(p1, p2)`` against
        the step, and ``2 / lr`` of the rate each update used."""
        labels = tuple(labels)
        self._ensure(labels)
        entries = []
        for run, (curve, limit, color) in enumerate(zip(self.curves, self.limits, self._colors(),
                                                        strict=False)):  # fmt: skip
            stop = min(recording.end(run), n)
            rows = recording.draw_rows(POINTS, 1, stop)  # the newest row exactly
            steps = recording.column("step")[rows].astype(float)
            with np.errstate(all="ignore"):
                values = sharpness(recording.column("p1", run)[rows],
                                   recording.column("p2", run)[rows])  # fmt: skip
                lr = recording.column("lr", run)[rows]
                two_over = np.where(lr > 0, 2.0 / lr, np.nan)
            two_over[0] = two_over[1] if two_over.size > 1 else np.nan  # the start: the first rate
            shown = np.where(np.isfinite(values), np.clip(values, -1e30, 1e30), np.nan)
            curve.setData(steps, shown, connect="finite")
            limit.setData(steps, two_over, connect="finite")
            name = f"{labels[run]}: " if labels[run] else ""
            newest = f" {format_number(values[-1], 3)}" if stop and np.isfinite(values[-1]) else ""
            entries.append((color, "━━", f"{name}λmax{newest}"))
            if stop and np.isfinite(two_over[-1]):
                entries.append((color, "╌╌", f"2/η = {format_number(two_over[-1], 3)}"))
        self._entries = entries
        self.key.set_entries(entries)
        self.note.setVisible(False)
