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
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.note = c.corner_text(self.plot.getViewBox())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.curves: list[pg.PlotDataItem] = []
        self.limits: list[pg.PlotDataItem] = []
        self._labels: tuple[str, ...] = ()
        self.apply_style(self.look.theme, self.look.scale)

    def apply_style(self, theme, scale: float) -> None:
        look = self.look = c.Look(theme, scale)
        self.plot_widget.setBackground(theme.background)
        c.style_plot(self.plot, "iteration", "sharpness λmax", look)
        self.note.setFont(look.font(c.ANNOTATION_PT + 1))
        self.note.setColor(theme.foreground)
        self.legend.setLabelTextSize(f"{look.pt(c.LEGEND_PT):g}pt")
        self.legend.setLabelTextColor(theme.foreground)
        self.legend.setBrush(c.brush(theme.background, theme.fill_alpha))
        self._restyle()

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
        self.legend.clear()
        self.curves, self.limits, self._labels = [], [], labels
        for label in labels:
            curve = pg.PlotDataItem(name=f"{label}: sharpness" if label else "sharpness")
            limit = pg.PlotDataItem(name=f"{label}: 2/η" if label else "2/η")
            for item in (curve, limit):
                self.plot.addItem(item)
            self.curves.append(curve)
            self.limits.append(limit)
        self._restyle()

    def show_message(self, text: str) -> None:
        """No sharpness to draw (logistic regression, no run): say why in the corner."""
        self._ensure(())
        self.note.setText(text)
        self.note.setVisible(True)

    def show_runs(self, recording, sharpness, n: int, labels=("",)) -> None:
        """The first ``n`` rows of every run of ``recording``: ``sharpness(p1, p2)`` against
        the step, and ``2 / lr`` of the rate each update used."""
        labels = tuple(labels)
        self._ensure(labels)
        finals = []
        for run, (curve, limit) in enumerate(zip(self.curves, self.limits, strict=True)):
            stop = min(recording.end(run), n)
            rows = recording.draw_rows(POINTS, 0, stop)
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
            if stop:
                finals.append((labels[run], values[-1], two_over[-1]))
        self.note.setText("   ".join(
            f"{label + ': ' if label else ''}λmax {format_number(s, 3)}, 2/η {format_number(t, 3)}"
            for label, s, t in finals if np.isfinite(s)))  # fmt: skip
        self.note.setVisible(bool(finals))
