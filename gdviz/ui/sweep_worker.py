"""SweepWorker: computes learning-rate sweeps on the sweep panel's own QThread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.core.config import RunConfig, build_problem
from gdviz.core.sweep import SweepCancelled, default_lr_range, learning_rates, sweep

PROGRESS_INTERVAL = 0.05  # seconds between progress signals


@dataclass(frozen=True)
class SweepRequest:
    request_id: int
    config: RunConfig
    lr_range: tuple[float, float] | None  # None: derived from the curvature (default_lr_range)
    num: int
    steps: int
    cancel: threading.Event


class SweepWorker(QObject):
    """Runs one sweep per request on the panel's thread; replies are tagged with the request id."""

    finished = Signal(int, object)  # request id, SweepResult
    failed = Signal(int, str)
    progress = Signal(int, float)

    @Slot(object)
    def run(self, request: SweepRequest) -> None:
        if request.cancel.is_set():
            return  # replaced while it waited in the queue
        last = [0.0]

        def report(fraction: float) -> None:  # rate-limited: the GUI needs ~20 updates a second
            if time.perf_counter() - last[0] >= PROGRESS_INTERVAL:
                last[0] = time.perf_counter()
                self.progress.emit(request.request_id, fraction)

        try:
            problem = build_problem(request.config)
            lo, hi = request.lr_range or default_lr_range(request.config, problem)
            rates = learning_rates(lo, hi, request.num)
            result = sweep(request.config, rates, request.steps, request.cancel, report, problem)
        except SweepCancelled:
            return
        except ValueError as exc:  # ConfigError, DataError, a bad range: the message says it
            self.failed.emit(request.request_id, str(exc))
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(request.request_id, f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(request.request_id, result)
