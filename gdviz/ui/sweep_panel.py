"""SweepPanel: final loss against learning rate for the current configuration, computed in the
background, with the regions "too slow", "converges", "oscillates", "diverges" shaded and the
full-batch limits 2/λmax and 2/(λmin+λmax) marked. Clicking the plot picks a learning rate.

Threading as the engine's (gdviz/ui/worker_thread.py): a SweepWorker (sweep_worker.py) lives
on the panel's own QThread and gets requests through a queued signal; a running sweep is stopped
with its ``threading.Event``; every reply carries the request id, so replies to replaced requests
are dropped. The chart is gdviz/ui/sweep_plot.py.
"""

from __future__ import annotations

import threading

from PySide6 import QtWidgets as qw
from PySide6.QtCore import QPointF, Qt, QTimer, Signal

from gdviz.core.config import RunConfig
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.sweep_plot import SweepPlot
from gdviz.ui.sweep_worker import SweepRequest, SweepWorker
from gdviz.ui.views import colors as c
from gdviz.ui.worker_thread import WorkerThread

DEBOUNCE_MS = 300  # a burst of configuration changes (a slider drag) starts one sweep


class SweepPanel(qw.QWidget):
    """Final loss vs learning rate; :meth:`set_config` recomputes in the background."""

    finished = Signal(object)  # SweepResult of the latest request
    failed = Signal(str)
    learningRatePicked = Signal(float)
    _requested = Signal(object)

    def __init__(self, parent: qw.QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self._config: RunConfig | None = None
        self._request: SweepRequest | None = None
        self._request_id = 0
        self._shut_down = False
        controls = self._build_controls()
        self.chart = SweepPlot()
        self.plot_widget, self.plot = self.chart.plot_widget, self.chart.plot
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.status = qw.QLabel("Set a configuration to see how the learning rate matters.")
        self.status.setWordWrap(True)
        layout = qw.QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.compute)
        self._worker = SweepWorker()
        self._thread = WorkerThread(self._worker, "gdviz-sweep")  # as the engine's
        self._requested.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.progress.connect(self._on_progress)
        self.apply_style(self.look.theme, self.look.scale)

    def _build_controls(self) -> qw.QHBoxLayout:
        self.lr_min = ScientificSpinBox(1e-12, 1e6, 1e-4, log_step=True)
        self.lr_max = ScientificSpinBox(1e-12, 1e6, 10.0, log_step=True)
        self.auto_range = qw.QCheckBox("from 2/λmax", checked=True)
        self.auto_range.setToolTip("2/λmax ÷ 1000 … 2/λmax × 10 when the curvature is known")
        # The trainer keeps every iteration of every run (80 bytes each): at most 2e6 of them.
        self.num_rates = qw.QSpinBox(minimum=2, maximum=200, value=40)
        self.iterations = qw.QSpinBox(minimum=1, maximum=10_000, value=200, singleStep=50)
        self.compute_button = qw.QPushButton("Compute", clicked=self.compute)
        self.progress = qw.QProgressBar(minimum=0, maximum=1000, textVisible=False)
        for box in (self.lr_min, self.lr_max):  # a typed range replaces the derived one
            box.valueChanged.connect(lambda _v: self.auto_range.setChecked(False))
        for widget in (self.lr_min, self.lr_max, self.num_rates, self.iterations):
            widget.valueChanged.connect(self._schedule)
        self.auto_range.toggled.connect(self._schedule)
        row = qw.QHBoxLayout()
        for label, widget in (("Learning rate", self.lr_min), ("to", self.lr_max),
                              (None, self.auto_range), ("Rates", self.num_rates),
                              ("Iterations", self.iterations), (None, self.compute_button),
                              (None, self.progress)):  # fmt: skip
            if label:
                row.addWidget(qw.QLabel(label))
            row.addWidget(widget)
        return row

    # -- public API ------------------------------------------------------------------------------
    def set_config(self, config: RunConfig) -> None:
        """Sweep this configuration: a running sweep stops now, the new one starts once the
        configuration has been still for DEBOUNCE_MS."""
        self._config = config
        self._cancel()
        self._schedule()

    def compute(self) -> None:
        """Start a sweep of the current configuration now (replacing a running one)."""
        self._timer.stop()
        if self._config is None or self._shut_down:
            return
        self._cancel()
        self._request_id += 1
        manual = (self.lr_min.value(), self.lr_max.value())
        self._request = SweepRequest(
            self._request_id, self._config, None if self.auto_range.isChecked() else manual,
            self.num_rates.value(), self.iterations.value(), threading.Event(),
        )  # fmt: skip
        self.progress.setValue(0)
        self.status.setText("Computing …")
        self._requested.emit(self._request)

    def result(self):
        """The latest SweepResult, or None."""
        return self.chart.result

    @property
    def busy(self) -> bool:
        return self._request is not None

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop any sweep, end the thread and wait for it (closeEvent; safe to call again)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._timer.stop()
        self._cancel()
        self._thread.shutdown(timeout_ms)

    def is_shut_down(self) -> bool:
        return self._thread.is_finished()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle for ``theme`` (gdviz.ui.theme.Theme) at presentation ``scale``."""
        self.look = c.Look(theme, scale)
        self.chart.apply_style(theme, self.look)
        self.status.setFont(self.look.font(c.ANNOTATION_PT))

    @property
    def curve(self):
        """The plotted final losses (None before a result)."""
        return self.chart.curve

    # -- worker replies --------------------------------------------------------------------------
    def _schedule(self, *_args) -> None:
        if self._config is not None and not self._shut_down:
            self._timer.start()

    def _cancel(self) -> None:
        if self._request is not None:
            self._request.cancel.set()
            self._request = None

    def _current(self, request_id: int) -> bool:
        return self._request is not None and request_id == self._request.request_id

    def _on_progress(self, request_id: int, fraction: float) -> None:
        if self._current(request_id):
            self.progress.setValue(round(1000 * fraction))

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._current(request_id):
            self._request = None
            self.progress.setValue(0)
            self.status.setText(f"Sweep failed: {message}")
            self.failed.emit(message)

    def _on_finished(self, request_id: int, result) -> None:
        if not self._current(request_id):
            return  # a stale reply: its request was replaced
        self._request = None
        self.progress.setValue(1000)
        if self.auto_range.isChecked():  # show the range used, without starting another sweep
            for box, value in ((self.lr_min, result.rates[0]), (self.lr_max, result.rates[-1])):
                box.blockSignals(True)
                box.setValue(float(value))
                box.blockSignals(False)
        best = result.best_lr
        self.chart.draw(result, self.look)
        self.status.setText(
            (f"Best learning rate ≈ {format_number(best, 3)} (lowest final loss). "
             if best is not None else "Every learning rate diverged. ")
            + ("▼ = below the axis. " if self.chart.clipped else "")
            + "Click the plot to run a learning rate."
        )  # fmt: skip
        self.finished.emit(result)

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
