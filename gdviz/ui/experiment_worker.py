"""ExperimentWorker: computes one experiment (a learning-rate sweep, a range test, a batch-size
scaling) at a time on its panel's own QThread.

A :class:`Job` carries the work as a function of a cancel event and a progress callback, so
one worker serves every panel (gdviz/ui/experiment_panel.py); the functions are the core's
(gdviz.core.sweep, lr_range, batch_scaling), which check the event between chunks and raise
SweepCancelled. Replies carry the job's request id: the panel drops those of replaced jobs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from gdviz.core.sweep import SweepCancelled

PROGRESS_INTERVAL = 0.05  # seconds between progress signals: the GUI needs ~20 a second


@dataclass(frozen=True)
class Job:
    """``compute(cancel, progress)`` returns the result; ``progress(fraction)`` may be called
    as often as it likes (the worker passes on at most one report each PROGRESS_INTERVAL)."""

    request_id: int
    compute: Callable[[threading.Event, Callable[[float], None]], object]
    cancel: threading.Event


class ExperimentWorker(QObject):
    """Runs each job it is given; replies are tagged with the job's request id."""

    finished = Signal(int, object)  # request id, result
    failed = Signal(int, str)
    progress = Signal(int, float)

    @Slot(object)
    def run(self, job: Job) -> None:
        if job.cancel.is_set():
            return  # replaced while it waited in the queue
        last = [0.0]

        def report(fraction: float) -> None:
            if time.perf_counter() - last[0] >= PROGRESS_INTERVAL:
                last[0] = time.perf_counter()
                self.progress.emit(job.request_id, fraction)

        try:
            result = job.compute(job.cancel, report)
        except SweepCancelled:
            return
        except ValueError as exc:  # ConfigError, DataError, a bad range: the message says it
            self.failed.emit(job.request_id, str(exc))
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(job.request_id, f"{type(exc).__name__}: {exc}")
        else:
            if not job.cancel.is_set():
                self.finished.emit(job.request_id, result)
