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
from gdviz.ui.views.marks import keep_labels_inside, vertical_mark

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
        self.result = None
        self._marks: list = []
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": LogAxis("bottom")})
        self.plot = self.plot_widget.getPlotItem()
        self.plot.getAxis("bottom").log10 = True
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot_widget.viewport().setCursor(Qt.CursorShape.CrossCursor)
        super().__init__(self.plot_widget, parent)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.getViewBox().sigResized.connect(self._place_labels)
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
        self.result = result
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
        self._marks = []
        if not r.lr.size:
            return
        x = np.log10(r.lr)
        raw = np.where(np.isfinite(r.batch_loss), r.batch_loss, np.nan)
        self.raw_curve = pg.PlotDataItem(x, raw, connect="finite",
                                         pen=look.pen(t.batch_loss, 1.2, t.batch_loss_alpha),
                                         name="batch loss")  # fmt: skip
        self.smooth_curve = pg.PlotDataItem(x, r.smoothed_loss, pen=look.pen(t.training_loss, 3),
                                            name="smoothed (EMA, β = 0.98)")  # fmt: skip
        for item in (self.raw_curve, self.smooth_curve):
            self.plot.addItem(item)
        marks = []
        if r.steepest_lr is not None:
            marks.append((r.steepest_lr, f"steepest {format_number(r.steepest_lr, 2)}", c.GREEN,
                          False))  # fmt: skip
        if r.diverged_at_lr is not None:
            marks.append((r.diverged_at_lr, f"diverges {format_number(r.diverged_at_lr, 2)}",
                          c.VERMILLION, False))  # fmt: skip
        if r.lr_limit is not None:
            marks.append((r.lr_limit, f"2/λmax = {format_number(r.lr_limit, 3)}", t.foreground,
                          True))  # fmt: skip
        if r.lr_fastest is not None:
            marks.append((r.lr_fastest, f"2/(λmin+λmax) = {format_number(r.lr_fastest, 3)}",
                          t.foreground, True))  # fmt: skip
        heights = (0.9, 0.75, 0.6, 0.45)
        for (lr, text, color, dashed), height in zip(marks, heights, strict=False):
            self._marks.append(vertical_mark(self.plot, math.log10(lr), text, look, color,
                                             dashed, height))  # fmt: skip
        smooth = r.smoothed_loss[np.isfinite(r.smoothed_loss)]
        low = float(min(smooth.min(), np.nanmin(raw))) if smooth.size else 0.0
        high = float(smooth[0]) * HEADROOM if smooth.size else 1.0
        lines = [math.log10(lr) for lr, *_ in marks]
        self.plot.setXRange(min([x[0], *lines]), max([x[-1], *lines]), padding=0.03)
        self.plot.setYRange(min(low, 0.0), max(high, low + 1e-12), padding=0.02)
        keep_labels_inside(self.plot, self._marks)

    def _place_labels(self, *_args) -> None:
        keep_labels_inside(self.plot, self._marks)

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
