"""RangeTestPanel: the learning-rate range test (gdviz.core.lr_range) of the current
configuration: the batch loss against log lr, raw and smoothed, the steepest-descent point and
the divergence marked, and for linear regression the exact limits 2/λmax and 2/(λmin+λmax) on
the same axis, so the "suggested" rate is seen against the curve and the limits. A click runs
that rate in the main view. Computed off the GUI thread (gdviz/ui/experiment_panel.py).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets as qw
from PySide6.QtCore import QPointF, Qt, Signal

from gdviz.core.config import RunConfig
from gdviz.core.lr_range import range_test
from gdviz.ui.experiment_panel import ExperimentPanel
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.sweep_plot import LogAxis
from gdviz.ui.views import colors as c
from gdviz.ui.views.key import PlotKey
from gdviz.ui.views.marks import vertical_mark

HEADROOM = 1.6  # the y axis ends this far above the smoothed loss at the start


def picked_rate(x: float) -> float:
    """The rate at ``x`` (log10 units), to two significant digits: what a lecturer reads."""
    return float(f"{10.0**x:.2g}")


class RangeTestPanel(ExperimentPanel):
    """The range test of :meth:`set_config`'s configuration; a click picks a rate."""

    learningRatePicked = Signal(float)
    thread_name = "gdviz-range-test"
    idle_text = "Set a configuration to run the learning-rate range test."
    failure_text = "Range test failed"

    def __init__(self, parent: qw.QWidget | None = None) -> None:
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": LogAxis("bottom")})
        self.plot = self.plot_widget.getPlotItem()
        self.plot.getAxis("bottom").log10 = True
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot_widget.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.key = PlotKey(self.plot)  # the curves and the lines, above the chart
        super().__init__(self.plot_widget, parent)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.apply_style(self.look.theme, self.look.scale)

    def build_controls(self):
        self.lr_min = ScientificSpinBox(1e-12, 1e6, 1e-5, log_step=True)
        self.lr_max = ScientificSpinBox(1e-12, 1e6, 10.0, log_step=True)
        self.iterations = qw.QSpinBox(minimum=10, maximum=100_000, value=300, singleStep=100)
        self.lr_min.setToolTip("The rate of the first iteration")
        self.lr_max.setToolTip("The rate of the last iteration: it rises geometrically to it")
        self.iterations.setToolTip("Iterations of the one run (K)")
        self.follow_changes(self.lr_min, self.lr_max, self.iterations)
        return [("Learning rate from", self.lr_min), ("to", self.lr_max),
                ("over iterations", self.iterations)]  # fmt: skip

    def inputs(self, config: RunConfig):
        """Not the rate, the schedule or the budget: the test ramps its own over its own."""
        return config.replace(lr=1.0, schedule="constant", warmup=0, steps=1, epochs=None)

    def job_for(self, config: RunConfig):
        lo, hi, steps = self.lr_min.value(), self.lr_max.value(), self.iterations.value()
        test_config = config.replace(steps=steps, epochs=None)
        return lambda cancel, progress: range_test(test_config, lo, hi, cancel, progress)

    def apply_style(self, theme, scale: float) -> None:
        super().apply_style(theme, scale)
        look = self.look
        self.plot_widget.setBackground(theme.background)
        c.style_plot(self.plot, "learning rate (log scale)", "batch loss", look)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setTickFont(look.font(c.LABEL_PT))
        self.plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
        if self.result is not None:
            self._draw(self.result)

    # -- drawing ---------------------------------------------------------------------------------
    def show_result(self, result) -> str:
        self._draw(result)
        parts = []
        if result.steepest_lr is not None:
            parts.append(f"Steepest fall at lr ≈ {format_number(result.steepest_lr, 2)}")
        if result.diverged_at_lr is not None:
            parts.append(f"diverges at {format_number(result.diverged_at_lr, 2)}")
        if result.lr_limit is not None:
            parts.append(f"exact limit 2/λmax = {format_number(result.lr_limit, 3)}")
        text = "; ".join(parts) or "No clear fall: widen the range"
        return text + ". Click the plot to run a learning rate."

    def _draw(self, r) -> None:
        look, t = self.look, self.look.theme
        self.plot.clear()
        if not r.lr.size:
            self.key.set_entries([], look)
            return
        x = np.log10(r.lr)
        raw = np.where(np.isfinite(r.batch_loss), r.batch_loss, np.nan)
        thin = look.pen(t.batch_loss, 1.2, t.batch_loss_alpha)
        self.raw_curve = pg.PlotDataItem(x, raw, connect="finite", pen=thin)
        self.smooth_curve = pg.PlotDataItem(x, r.smoothed_loss, pen=look.pen(t.training_loss, 3))
        for item in (self.raw_curve, self.smooth_curve):
            self.plot.addItem(item)
        entries = [(t.batch_loss, "━━", "batch loss"),
                   (t.training_loss, "━━", "smoothed (β = 0.98)")]  # fmt: skip
        marks = ((r.steepest_lr, "steepest {}", c.GREEN, "solid", 2),
                 (r.diverged_at_lr, "diverges {}", c.VERMILLION, "solid", 2),
                 (r.lr_limit, "2/λmax = {}", t.foreground, "dashed", 3),
                 (r.lr_fastest, "2/(λmin+λmax) = {}", t.foreground, "dotted", 3))  # fmt: skip
        at = []
        for lr, text, color, style, digits in marks:
            if lr is not None:
                at.append(math.log10(lr))
                mark = vertical_mark(self.plot, at[-1], look, color, style)
                entries.append((color, mark, text.format(format_number(lr, digits))))
        self.key.set_entries(entries, look)
        smooth = r.smoothed_loss[np.isfinite(r.smoothed_loss)]
        low = float(min(smooth.min(), np.nanmin(raw))) if smooth.size else 0.0
        high = float(smooth[0]) * HEADROOM if smooth.size else 1.0
        self.plot.setXRange(min([x[0], *at]), max([x[-1], *at]), padding=0.03)
        self.plot.setYRange(min(low, 0.0), max(high, low + 1e-12), padding=0.02)

    # -- picking ---------------------------------------------------------------------------------
    def _on_click(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.pick_at(event.scenePos())

    def pick_at(self, scene_pos: QPointF) -> float | None:
        """Emit learningRatePicked with the rate under a scene position inside the plot (two
        significant digits), and return it (None outside the plot or before a result)."""
        view = self.plot.getViewBox()
        if self.result is None or not view.sceneBoundingRect().contains(scene_pos):
            return None
        rate = picked_rate(view.mapSceneToView(scene_pos).x())
        self.status.setText(f"Running learning rate {format_number(rate, 2)} in the main view.")
        self.learningRatePicked.emit(rate)
        return rate
