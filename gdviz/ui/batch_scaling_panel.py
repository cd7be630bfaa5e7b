"""BatchScalingPanel: batch size against steps and examples to a target loss
(gdviz.core.batch_scaling) for the current configuration, on two log-log charts side by side:
steps to the target (perfect scaling is the dotted line of slope -1: twice the batch, half the
steps) and epochs to the target (perfect scaling is flat: the same examples), with the gradient
noise scale B_simple at the start (the predicted critical batch size) and the measured
E_min/S_min marked. Batch sizes that never reached the target stand as ▲ on the top edge. A
click runs the batch size nearest to it, at its rate. Computed off the GUI thread.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets as qw
from PySide6.QtCore import QPointF, Qt, Signal

from gdviz.core.batch_scaling import LR_RULES, batch_scaling
from gdviz.core.config import RunConfig, build_problem
from gdviz.ui.experiment_panel import ExperimentPanel
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.sweep_plot import LogAxis
from gdviz.ui.views import colors as c
from gdviz.ui.views.key import key_html
from gdviz.ui.views.marks import vertical_mark

GUI_MAX_STEPS = 5_000  # the panel's default step limit: a few seconds at most here
CHARTS = {"steps": "steps", "epochs": "epochs"}  # to the target (the dock's title says so)


class BatchScalingPanel(ExperimentPanel):
    """Steps and epochs to a target for each batch size; a click picks a batch size."""

    batchSizePicked = Signal(int, float)  # batch size, its learning rate
    thread_name = "gdviz-batch-scaling"
    idle_text = "Set a configuration to see what a larger batch buys."
    failure_text = "Batch scaling failed"

    def __init__(self, parent: qw.QWidget | None = None) -> None:
        self._base_of: int | str | None = "unset"  # the batch size B0 was last set from
        self.charts = pg.GraphicsLayoutWidget()
        self.plots = {}
        for column, name in enumerate(CHARTS):
            axes = {"bottom": LogAxis("bottom"), "left": LogAxis("left")}
            plot = self.charts.addPlot(row=0, col=column, axisItems=axes)
            for side in ("bottom", "left"):
                plot.getAxis(side).log10 = True
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            self.plots[name] = plot
        self.charts.viewport().setCursor(Qt.CursorShape.CrossCursor)
        # One key above both charts (they share their lines): a key in each took four lines
        # at lecture size and left the charts a strip.
        self.legend = qw.QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        body = qw.QWidget()
        column = qw.QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.legend)
        column.addWidget(self.charts, 1)
        super().__init__(body, parent)
        self.charts.scene().sigMouseClicked.connect(self._on_click)
        self.apply_style(self.look.theme, self.look.scale)

    def build_controls(self):
        # Any sign: a surface's loss can be negative (the six-hump camel's minima are -1.03).
        self.target = ScientificSpinBox(-1e12, 1e12, 1.0, step=0.1)
        self.auto_target = qw.QCheckBox("auto", checked=True)
        self.auto_target.setToolTip("The optimum's loss plus 1 % of the start's gap above it")
        self.target.valueChanged.connect(lambda _v: self.auto_target.setChecked(False))
        self.target.setToolTip("The training loss each run must reach")
        self.repeats = qw.QSpinBox(minimum=1, maximum=20, value=3)
        self.repeats.setToolTip("Seeds per batch size: the median is drawn")
        self.rule = qw.QComboBox()
        self.rule.addItems(LR_RULES)
        self.rule.setToolTip("The rate of batch B from the configuration's rate at batch B0: "
                             "the same (none), × B/B0 (linear), × √(B/B0) (sqrt)")  # fmt: skip
        self.base_batch = qw.QSpinBox(minimum=1, maximum=10_000_000, value=1)
        self.base_batch.setToolTip("B0: the batch size the configuration's rate is for")
        self.max_steps = qw.QSpinBox(minimum=10, maximum=1_000_000, value=GUI_MAX_STEPS,
                                     singleStep=1000)  # fmt: skip
        self.max_steps.setToolTip("A run that has not reached the target by then gives up")
        self.follow_changes(self.target, self.auto_target, self.repeats, self.rule,
                            self.base_batch, self.max_steps)  # fmt: skip
        return [("Target loss", self.target), (None, self.auto_target),
                ("Repeats", self.repeats), ("Rate rule", self.rule), ("B0", self.base_batch),
                ("Max steps", self.max_steps)]  # fmt: skip

    def set_config(self, config: RunConfig, lesson: str | None = None) -> None:
        """As ExperimentPanel's; the base batch starts at the configuration's batch size."""
        super().set_config(config, lesson)
        if self._base_of != config.batch_size:
            self._base_of = config.batch_size
            self.base_batch.blockSignals(True)
            self.base_batch.setValue(config.batch_size or self.base_batch.maximum())
            self.base_batch.blockSignals(False)

    def inputs(self, config: RunConfig):
        """Not the budget: each run goes to the target or the step limit."""
        return config.replace(steps=1, epochs=None)

    def reset_controls(self) -> None:
        super().reset_controls()
        self._base_of = "unset"  # B0 from the next configuration's batch size

    def job_for(self, config: RunConfig):
        target = None if self.auto_target.isChecked() else self.target.value()
        values = (target, self.repeats.value(), self.rule.currentText(),
                  self.base_batch.value(), self.max_steps.value())  # fmt: skip

        def compute(cancel, progress):
            problem = build_problem(config)
            base = min(values[3], problem.n_examples)  # "full batch" is N, whatever N is
            return batch_scaling(config, None, values[0], values[1], values[2], base, values[4],
                                 cancel, progress, problem)  # fmt: skip

        return compute

    def apply_style(self, theme, scale: float) -> None:
        super().apply_style(theme, scale)
        look = self.look
        self.charts.setBackground(theme.background)
        self.legend.setFont(look.font(c.LEGEND_PT))
        for name, title in CHARTS.items():
            plot = self.plots[name]
            c.style_plot(plot, "batch size B (log scale)", title, look)
            plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
        if self.result is not None:
            self._draw(self.result)

    # -- drawing ---------------------------------------------------------------------------------
    def show_result(self, result) -> str:
        if self.auto_target.isChecked():  # show the target used, without computing again
            self.target.blockSignals(True)
            self.target.setValue(result.target)
            self.target.blockSignals(False)
        self._draw(result)
        parts = [f"Target loss {format_number(result.target, 4)}"]
        if result.noise_scale is not None:
            parts.append(f"B_simple {format_number(result.noise_scale, 3)} at the start"
                         + (f", {format_number(result.noise_scale_at_target, 3)} at the target"
                            if result.noise_scale_at_target is not None else ""))  # fmt: skip
        missed = [row.batch_size for row in result.rows if not row.reached]
        if missed:
            parts.append("▲ never reached: B = " + ", ".join(f"{b:,}" for b in missed))
        return " · ".join(parts) + " · click a batch size to run it"

    def _draw(self, r) -> None:
        look, t = self.look, self.look.theme
        x = np.log10([row.batch_size for row in r.rows])
        marks = [(r.noise_scale, "B_simple = {} at the start (predicted)", c.PURPLE, "dashed"),
                 (r.critical_batch_estimate, "E_min/S_min = {} (measured)", c.GREEN,
                  "solid")]  # fmt: skip
        marks = [(math.log10(v), text.format(format_number(v, 3)), color, style)
                 for v, text, color, style in marks if v is not None and v > 0]  # fmt: skip
        for name, plot in self.plots.items():
            plot.clear()
            counts = [getattr(row, f"{name}_to_target") for row in r.rows]
            y = np.array([np.nan if v is None or v <= 0 else math.log10(v) for v in counts])
            reached = np.isfinite(y)
            low, high = (np.nanmin(y), np.nanmax(y)) if reached.any() else (0.0, 1.0)
            if high - low < 1.0:  # at least a decade: log ticks to read the values by
                middle = (high + low) / 2
                low, high = middle - 0.5, middle + 0.5
            top = high + 0.1 * (high - low)  # the ▲ of sizes that never got there
            entries = [(t.training_loss, "━●━", f"median of {r.repeats} seeds")]
            if reached.any():
                self._draw_ideal(plot, x, y, int(np.flatnonzero(reached)[0]), name)
                entries.append((t.foreground, "┈┈", "perfect scaling"))
            if self._draw_counts(plot, x, y, top):
                entries.append((c.VERMILLION, "▲", "not reached"))
            for at, text, color, style in marks:
                entries.append((color, vertical_mark(plot, at, look, color, style), text))
            self.legend.setText(key_html(entries))
            lines = [at for at, *_ in marks]  # a mark beyond the sizes is still drawn
            plot.setXRange(min([x[0], *lines]), max([x[-1], *lines]), padding=0.06)
            plot.setYRange(low - 0.06 * (high - low), top + 0.06 * (high - low), padding=0)

    def _draw_ideal(self, plot, x, y, first: int, name: str) -> None:
        """Perfect scaling from the smallest batch that got there: steps ∝ 1/B (slope −1 on
        log-log axes), epochs flat."""
        look, t = self.look, self.look.theme
        ideal = y[first] - (x - x[first]) if name == "steps" else np.full(x.shape, y[first])
        dotted = look.pen(t.foreground, 2, 0.7, Qt.PenStyle.DotLine)
        plot.addItem(pg.PlotDataItem(x, ideal, pen=dotted))

    def _draw_counts(self, plot, x, y, top: float) -> bool:
        """The medians as a line of points; a size that never reached the target as ▲ at
        ``top``. Returns whether there was one."""
        look, t = self.look, self.look.theme
        curve = pg.PlotDataItem(
            x, y, connect="finite", pen=look.pen(t.training_loss, 3), symbol="o",
            symbolSize=look.size(11), symbolBrush=c.brush(t.training_loss),
            symbolPen=look.pen(t.background, 1),
        )  # fmt: skip
        plot.addItem(curve)
        missed = ~np.isfinite(y)
        if missed.any():
            misses = pg.ScatterPlotItem(
                x[missed], np.full(missed.sum(), top), symbol="t1", size=look.size(16),
                brush=c.brush(c.VERMILLION), pen=look.pen(t.background),
            )  # fmt: skip
            plot.addItem(misses, ignoreBounds=True)
        return bool(missed.any())

    # -- picking ---------------------------------------------------------------------------------
    def _on_click(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.pick_at(event.scenePos())

    def pick_at(self, scene_pos: QPointF) -> int | None:
        """Emit batchSizePicked with the batch size nearest (on the log axis) to a scene
        position inside either chart, and its rate; return the size (None outside the charts
        or before a result)."""
        if self.result is None:
            return None
        for plot in self.plots.values():
            view = plot.getViewBox()
            if view.sceneBoundingRect().contains(scene_pos):
                x = view.mapSceneToView(scene_pos).x()
                sizes = np.array([row.batch_size for row in self.result.rows], dtype=float)
                row = self.result.rows[int(np.argmin(np.abs(np.log10(sizes) - x)))]
                self.status.setText(f"Running batch size {row.batch_size:,} at learning rate "
                                    f"{format_number(row.lr, 3)} in the main view.")  # fmt: skip
                self.batchSizePicked.emit(row.batch_size, row.lr)
                return row.batch_size
        return None
