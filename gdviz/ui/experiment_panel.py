"""ExperimentPanel: the frame every experiment panel shares (the learning-rate sweep, the range
test, the batch-size scaling): a row of controls with Compute and a progress bar, a chart, a
status line, and the computing itself, off the GUI thread.

Threading as the engine's (gdviz/ui/worker_thread.py): an ExperimentWorker lives on the panel's
own QThread and gets jobs through a queued signal; a running job is stopped with its
``threading.Event`` (LatestRequest); every reply carries the request id, so replies to replaced
jobs are dropped. A configuration change restarts the experiment once the configuration has
been still for DEBOUNCE_MS (a slider drag starts one computation, not fifty).

A subclass gives its controls (:meth:`build_controls`), the work for a configuration
(:meth:`job_for`), and draws the result (:meth:`show_result`).
"""

from __future__ import annotations

from PySide6 import QtWidgets as qw
from PySide6.QtCore import QTimer, Signal

from gdviz.core.config import RunConfig
from gdviz.ui.experiment_worker import ExperimentWorker, Job
from gdviz.ui.views import colors as c
from gdviz.ui.worker_thread import LatestRequest, WorkerThread

DEBOUNCE_MS = 300


class ExperimentPanel(qw.QWidget):
    """Controls, chart and status of one experiment, computed in the background."""

    finished = Signal(object)  # the result of the latest job
    failed = Signal(str)
    _requested = Signal(object)

    thread_name = "gdviz-experiment"
    idle_text = "Set a configuration to run the experiment."
    failure_text = "The experiment failed"

    def __init__(self, chart_widget: qw.QWidget, parent: qw.QWidget | None = None) -> None:
        super().__init__(parent)
        self.look = c.Look()
        self.result = None  # the latest job's result (None before one finished)
        self._config: RunConfig | None = None
        self._computed_for = None  # inputs() of the configuration last computed
        self._requests = LatestRequest()
        self._shut_down = False
        self.compute_button = qw.QPushButton("Compute", clicked=self.compute)
        self.compute_button.setToolTip("Compute again now (it also follows every change)")
        self.progress = qw.QProgressBar(minimum=0, maximum=1000, textVisible=False)
        row = qw.QHBoxLayout()
        controls = self.build_controls()
        # What each control starts at: a lesson opens with these, never with what the lesson
        # before it left (reset_controls).
        self._defaults = [(widget, _value_of(widget)) for _, widget in controls]
        self._lesson: str | None = None
        for label, widget in (*controls, (None, self.compute_button),
                              (None, self.progress)):  # fmt: skip
            if label:
                row.addWidget(qw.QLabel(label))
            row.addWidget(widget)
        self.status = qw.QLabel(self.idle_text)
        self.status.setWordWrap(True)
        layout = qw.QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(chart_widget, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.compute)
        self._worker = ExperimentWorker()
        self._thread = WorkerThread(self._worker, self.thread_name)
        self._requested.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.progress.connect(self._on_progress)

    # -- for subclasses --------------------------------------------------------------------------
    def build_controls(self) -> list[tuple[str | None, qw.QWidget]]:
        """``(label, widget)`` pairs of the controls row (before Compute and the progress)."""
        return []

    def inputs(self, config: RunConfig):
        """What of ``config`` the experiment depends on: a change elsewhere (a rate the range
        test ramps over anyway, the budget of a run it does not make) computes nothing again.
        Subclasses leave out what they ignore."""
        return config

    def job_for(self, config: RunConfig):
        """``compute(cancel, progress) -> result`` for ``config`` and the controls' values."""
        raise NotImplementedError

    def show_result(self, result) -> str:
        """Draw ``result``; returns the status line's text."""
        raise NotImplementedError

    def follow_changes(self, *widgets) -> None:
        """Compute again (debounced) when any of these controls changes."""
        for widget in widgets:
            for name in ("valueChanged", "toggled", "currentIndexChanged"):
                signal = getattr(widget, name, None)
                if signal is not None:
                    signal.connect(self.schedule)
                    break

    # -- public API ------------------------------------------------------------------------------
    @property
    def config(self) -> RunConfig | None:
        """The configuration the experiment is of."""
        return self._config

    def set_config(self, config: RunConfig, lesson: str | None = None) -> None:
        """Experiment on this configuration: a running job stops now, the new one starts once
        the configuration has been still for DEBOUNCE_MS. A ``lesson`` other than the last one
        given starts from the controls' defaults."""
        fresh = lesson is not None and lesson != self._lesson
        if fresh:
            self.reset_controls()
        self._lesson = lesson
        unchanged = self._config is not None and self.inputs(config) == self._computed_for
        self._config = config
        if unchanged and not fresh:
            return  # its result (or the job under way) is the one for this configuration
        self._requests.cancel()
        self.schedule()

    def reset_controls(self) -> None:
        """Every control back to its default value (no computation started by it)."""
        for widget, value in self._defaults:
            widget.blockSignals(True)
            _set_value(widget, value)
            widget.blockSignals(False)

    def compute(self) -> None:
        """Start the experiment of the current configuration now (replacing a running one)."""
        self._timer.stop()
        if self._config is None or self._shut_down:
            return
        work = self.job_for(self._config)
        self._computed_for = self.inputs(self._config)
        job = self._requests.new(lambda request_id, cancel: Job(request_id, work, cancel))
        self.progress.setValue(0)
        self.status.setText("Computing …")
        self._requested.emit(job)

    @property
    def busy(self) -> bool:
        return self._requests.current is not None

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop any job, end the thread and wait for it (closeEvent; safe to call again)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._timer.stop()
        self._requests.cancel()
        self._thread.shutdown(timeout_ms)

    def is_shut_down(self) -> bool:
        return self._thread.is_finished()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def apply_style(self, theme, scale: float) -> None:
        """Restyle for ``theme`` (gdviz.ui.theme.Theme) at presentation ``scale``."""
        self.look = c.Look(theme, scale)
        self.status.setFont(self.look.font(c.ANNOTATION_PT))

    # -- worker replies --------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        if self._config is not None and not self._shut_down:
            self._timer.start()

    def _on_progress(self, request_id: int, fraction: float) -> None:
        if self._requests.get(request_id) is not None:
            self.progress.setValue(round(1000 * fraction))

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._requests.finish(request_id) is not None:
            self.progress.setValue(0)
            self.status.setText(f"{self.failure_text}: {message}")
            self.failed.emit(message)

    def _on_finished(self, request_id: int, result) -> None:
        if self._requests.finish(request_id) is None:
            return  # a stale reply: its job was replaced
        self.progress.setValue(1000)
        self.result = result
        self.status.setText(self.show_result(result))
        self.finished.emit(result)


def _value_of(widget):
    if isinstance(widget, qw.QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, qw.QComboBox):
        return widget.currentText()
    return widget.value()


def _set_value(widget, value) -> None:
    if isinstance(widget, qw.QAbstractButton):
        widget.setChecked(value)
    elif isinstance(widget, qw.QComboBox):
        widget.setCurrentText(value)
    else:
        widget.setValue(value)
