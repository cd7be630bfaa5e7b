"""SweepPanel: final loss against learning rate for the current configuration, computed in the
background (gdviz/ui/experiment_panel.py), with the regions "too slow", "converges",
"oscillates", "diverges" shaded and the full-batch limits 2/λmax and 2/(λmin+λmax) marked.
Clicking the plot picks a learning rate. The chart is gdviz/ui/sweep_plot.py.
"""

from __future__ import annotations

from PySide6 import QtWidgets as qw
from PySide6.QtCore import QPointF, Qt, Signal

from gdviz.core.config import RunConfig, build_problem
from gdviz.core.sweep import default_lr_range, learning_rates, sweep
from gdviz.ui.experiment_panel import ExperimentPanel
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.sweep_plot import SweepPlot


def sweep_job(config: RunConfig, lr_range, num: int, steps: int):
    """The sweep of ``config`` as a job: ``lr_range`` None derives it from the curvature."""

    def compute(cancel, progress):
        problem = build_problem(config)
        lo, hi = lr_range or default_lr_range(config, problem)
        return sweep(config, learning_rates(lo, hi, num), steps, cancel, progress, problem)

    return compute


class SweepPanel(ExperimentPanel):
    """Final loss vs learning rate; :meth:`set_config` recomputes in the background."""

    learningRatePicked = Signal(float)
    thread_name = "gdviz-sweep"
    idle_text = "Set a configuration to see how the learning rate matters."
    failure_text = "Sweep failed"

    def __init__(self, parent: qw.QWidget | None = None) -> None:
        self.chart = SweepPlot()
        super().__init__(self.chart.plot_widget, parent)
        self.plot_widget, self.plot = self.chart.plot_widget, self.chart.plot
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.apply_style(self.look.theme, self.look.scale)

    def build_controls(self):
        self.lr_min = ScientificSpinBox(1e-12, 1e6, 1e-4, log_step=True)
        self.lr_max = ScientificSpinBox(1e-12, 1e6, 10.0, log_step=True)
        self.auto_range = qw.QCheckBox("from 2/λmax", checked=True)
        self.auto_range.setToolTip("2/λmax ÷ 1000 … 2/λmax × 10 when the curvature is known")
        # The trainer keeps every iteration of every run (80 bytes each): at most 2e6 of them.
        self.num_rates = qw.QSpinBox(minimum=2, maximum=200, value=40)
        self.iterations = qw.QSpinBox(minimum=1, maximum=10_000, value=200, singleStep=50)
        for box in (self.lr_min, self.lr_max):  # a typed range replaces the derived one
            box.valueChanged.connect(lambda _v: self.auto_range.setChecked(False))
        self.follow_changes(self.lr_min, self.lr_max, self.num_rates, self.iterations,
                            self.auto_range)  # fmt: skip
        return [("Learning rate", self.lr_min), ("to", self.lr_max), (None, self.auto_range),
                ("Rates", self.num_rates), ("Iterations", self.iterations)]  # fmt: skip

    def inputs(self, config: RunConfig):
        """Not the rate or the budget: the sweep runs its own rates for its own iterations."""
        return config.replace(lr=1.0, steps=1, epochs=None)

    def job_for(self, config: RunConfig):
        manual = (self.lr_min.value(), self.lr_max.value())
        lr_range = None if self.auto_range.isChecked() else manual
        return sweep_job(config, lr_range, self.num_rates.value(), self.iterations.value())

    def apply_style(self, theme, scale: float) -> None:
        super().apply_style(theme, scale)
        self.chart.apply_style(theme, self.look)

    @property
    def curve(self):
        """The plotted final losses (None before a result)."""
        return self.chart.curve

    def show_result(self, result) -> str:
        if self.auto_range.isChecked():  # show the range used, without starting another sweep
            for box, value in ((self.lr_min, result.rates[0]), (self.lr_max, result.rates[-1])):
                box.blockSignals(True)
                box.setValue(float(value))
                box.blockSignals(False)
        best = result.best_lr
        self.chart.draw(result, self.look)
        return (
            (f"Best learning rate ≈ {format_number(best, 3)} (lowest final loss). "
             if best is not None else "Every learning rate diverged. ")
            + ("▼ = below the axis. " if self.chart.clipped else "")
            + "Click the plot to run a learning rate."
        )  # fmt: skip

    # -- picking ---------------------------------------------------------------------------------
    def _on_click(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.pick_at(event.scenePos())

    def pick_at(self, scene_pos: QPointF) -> float | None:
        """Emit learningRatePicked with the swept rate nearest (on the log axis) to a scene
        position inside the plot, and return it (None outside the plot or before a result)."""
        rate = self.chart.rate_at(scene_pos)
        if rate is None:
            return None
        self.status.setText(f"Running learning rate {format_number(rate, 3)} in the main view.")
        self.learningRatePicked.emit(rate)
        return rate
