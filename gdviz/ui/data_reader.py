"""DataReader: reads a user's CSV file on its own thread, so that the window never waits for it.

A CSV of a million rows takes about a second to parse; on the GUI thread that would freeze the
animation and the keyboard. The reader parses it once (gdviz.core.csv_reader keeps what it read),
reports progress a few times a second, and says when it is done. The problem (standardised data,
least-squares optimum, per-example terms: another 0.2 s at 1e6 rows) is built there too and
handed to the run. A newer request supersedes an older one: the older is cancelled at its next
progress report and its answer is dropped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.core.config import RunConfig, build_problem, read_data
from gdviz.ui.worker_thread import LatestRequest, WorkerThread

PROGRESS_INTERVAL = 0.1  # seconds between progress signals


class _Cancelled(Exception):
    """Raised from the progress callback of a superseded read."""


@dataclass(frozen=True)
class ReadRequest:
    request_id: int
    config: RunConfig
    cancel: threading.Event


class _ReadWorker(QObject):
    finished = Signal(int, object)  # request id, the Problem
    failed = Signal(int, str)
    progressed = Signal(int, float)

    @Slot(object)
    def read(self, request: ReadRequest) -> None:
        if request.cancel.is_set():
            return
        last = [time.perf_counter()]

        def report(fraction: float) -> None:
            if request.cancel.is_set():
                raise _Cancelled
            if time.perf_counter() - last[0] >= PROGRESS_INTERVAL:
                last[0] = time.perf_counter()
                self.progressed.emit(request.request_id, fraction)

        try:
            read_data(request.config, report)
            problem = build_problem(request.config)
        except _Cancelled:
            return
        except ValueError as exc:  # DataError: the message names the file and the problem
            self.failed.emit(request.request_id, str(exc))
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(request.request_id, f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(request.request_id, problem)


class DataReader(QObject):
    """Reads one configuration's CSV at a time: ``read(config)``; then ``finished(problem)``
    (the configuration's Problem), or ``failed(message)``; ``progressed(file name, fraction)``
    meanwhile."""

    finished = Signal(object)
    failed = Signal(str)
    progressed = Signal(str, float)
    _submit = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        worker = _ReadWorker()
        self._thread = WorkerThread(worker, "gdviz-data-reader")  # idle until a read (~1 ms)
        self._submit.connect(worker.read)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.progressed.connect(self._on_progressed)
        self._requests = LatestRequest()

    @property
    def reading(self) -> bool:
        return self._requests.current is not None

    @property
    def file_name(self) -> str:
        request = self._requests.current
        return Path(request.config.dataset).name if request else ""

    def read(self, config: RunConfig) -> None:
        """Read ``config``'s CSV columns (superseding a read under way)."""
        request = self._requests.new(lambda request_id, cancel: ReadRequest(request_id, config,
                                                                            cancel))  # fmt: skip
        self.progressed.emit(self.file_name, 0.0)
        self._submit.emit(request)

    def cancel(self) -> None:
        self._requests.cancel()

    def shutdown(self) -> None:
        self.cancel()
        self._thread.shutdown()

    def _on_progressed(self, request_id: int, fraction: float) -> None:
        if self._requests.get(request_id):
            self.progressed.emit(self.file_name, fraction)

    def _on_finished(self, request_id: int, problem) -> None:
        if self._requests.finish(request_id):
            self.finished.emit(problem)

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._requests.finish(request_id):
            self.failed.emit(message)


def read_with_progress(window, config: RunConfig):
    """Read ``config``'s CSV on ``window.reader``'s thread while a progress dialog (after
    0.3 s, with Cancel) keeps the window painting; opening a session waits for it this way.
    Returns the problem, or None when cancelled; DataError when the file cannot be read."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    from gdviz.core.data import DataError

    reader: DataReader = window.reader
    outcome: dict = {}
    loop = QEventLoop()
    dialog = QProgressDialog(f"Reading {Path(config.dataset).name}…", "Cancel", 0, 100, window)
    dialog.setWindowTitle("Opening the session")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def done(key, value) -> None:
        outcome.setdefault(key, value)
        loop.quit()

    connections = [
        (reader.progressed, lambda _name, fraction: dialog.setValue(round(100 * fraction))),
        (reader.finished, lambda problem: done("problem", problem)),
        (reader.failed, lambda message: done("error", message)),
        (dialog.canceled, lambda: done("cancelled", True)),
    ]
    for signal, slot in connections:
        signal.connect(slot)
    try:
        reader.read(config)
        loop.exec()
    finally:
        for signal, slot in connections:
            signal.disconnect(slot)
        reader.cancel()
        dialog.close()
        dialog.setParent(None)  # gone with this function, not left among the window's children
    if "error" in outcome:
        raise DataError(outcome["error"])
    return outcome.get("problem")
