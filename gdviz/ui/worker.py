"""EngineWorker: runs a Trainer on its own QThread and reports progress in rate-limited batches.

Threading contract: the worker object lives on a QThread; the controller hands it jobs through a
queued signal. While a job loops, the worker's event loop is busy, so stopping goes through a
``threading.Event`` and hyperparameter changes through a thread-safe queue, both checked between
small chunks of iterations. Everything emitted is immutable (frozen dataclasses, read-only
arrays) and carries the run id, so the GUI can drop batches of a run it has replaced.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gdviz.core.engine import Trainer

EMIT_INTERVAL = 1.0 / 60.0  # at most ~60 progress signals a second: one per frame
UNLIMITED = 0  # speed value meaning "as fast as possible"
MAX_PACED_CHUNK = 4096  # at a set speed, never more at once (so cancel stays quick)
YIELD_SECONDS = 0.001  # pause after each ~4 ms chunk at full speed: the GUI runs meanwhile


@dataclass(frozen=True)
class StepBatch:
    """New trajectory rows of the run(s): ``rows[name]`` are read-only arrays, ``(n, K)``."""

    run_id: int
    rows: dict
    last_examples: np.ndarray
    statuses: tuple  # RunStatus of each run
    changes: tuple = ()  # (step, description) of hyperparameter changes applied in this batch
    ends: tuple = ()  # valid rows of each run (a stopped run has fewer)


@dataclass
class Job:
    """What the worker should do next with the run's trainer."""

    run_id: int
    trainer: Trainer
    budget: int  # total iterations of the run
    steps: int | None = None  # do exactly this many (Step), or None to play until the budget
    start: int = 0  # the trainer's step when the job began (Step counts from here)
    cancel: threading.Event = field(default_factory=threading.Event)


class EngineWorker(QObject):
    """Steps the trainer of the current job; emits ``stepped`` batches at most ~60 times/s."""

    stepped = Signal(object)  # StepBatch
    stopped = Signal(object, object)  # Job, RunStatus of each run (running when paused)
    failed = Signal(int, str)  # run id, message

    def __init__(self) -> None:
        super().__init__()
        self.speed = UNLIMITED  # iterations per second; written by the GUI thread, read here
        self._changes: queue.Queue[tuple[int, Callable[[Trainer], str | None]]] = queue.Queue()

    def submit_change(self, run_id: int, change: Callable[[Trainer], str | None]) -> None:
        """Queue a change of the run's trainer (e.g. a new learning rate), applied on this
        thread between chunks; the callable returns a description to mark on the loss curve."""
        self._changes.put((run_id, change))

    @Slot(object)
    def run_job(self, job: Job) -> None:
        try:
            self._run(job)
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(job.run_id, f"{type(exc).__name__}: {exc}")

    def _apply_changes(self, job: Job) -> list[tuple[int, str]]:
        applied = []
        while True:
            try:
                run_id, change = self._changes.get_nowait()
            except queue.Empty:
                return applied
            if run_id == job.run_id:
                description = change(job.trainer)
                if description:
                    applied.append((job.trainer.step, description))

    def _run(self, job: Job) -> None:
        trainer, cancel = job.trainer, job.cancel
        job.start = trainer.step  # read here: only this thread touches the trainer
        emitted_rows = int(np.max(trainer.ends))
        changes: list[tuple[int, str]] = []
        last_emit = time.perf_counter()
        pace_speed, pace_start, pace_step = None, 0.0, 0  # origin of the speed limit
        chunk = 64
        while not cancel.is_set() and trainer.active:
            changes += self._apply_changes(job)
            # Step and Step-epoch never go past the budget, which may change while running.
            target = job.budget if job.steps is None else min(job.start + job.steps, job.budget)
            remaining = target - trainer.step
            if remaining <= 0:
                break
            speed = self.speed
            if speed != pace_speed:  # a new speed counts from now, not from the job's start
                pace_speed, pace_start, pace_step = speed, time.perf_counter(), trainer.step
            if speed == UNLIMITED:
                count = min(remaining, chunk)
            else:
                due = int(speed * (time.perf_counter() - pace_start)) - (trainer.step - pace_step)
                count = min(remaining, due, MAX_PACED_CHUNK)
                if count <= 0:
                    time.sleep(min(1.0 / speed, EMIT_INTERVAL) / 2)
                    continue
            tick = time.perf_counter()
            trainer.advance(count, cancel, chunk_size=min(count, 512))
            elapsed = time.perf_counter() - tick
            # Size chunks to ~4 ms so cancel and pause are checked far more often than frames.
            if elapsed > 0 and speed == UNLIMITED:
                chunk = int(np.clip(chunk * 0.004 / elapsed, 16, 8192))
                # Give the GUI thread the GIL for a moment after every chunk: without this it
                # waits up to a switch interval at each of the many Python/C++ crossings of a
                # redraw, and frames stall for hundreds of milliseconds (benchmarks/bench_gui).
                time.sleep(YIELD_SECONDS)
            now = time.perf_counter()
            if now - last_emit >= EMIT_INTERVAL:
                emitted_rows = self._emit(job, emitted_rows, changes)
                changes, last_emit = [], now
        changes += self._apply_changes(job)
        if trainer.active and trainer.step >= job.budget:
            trainer.finish()
        self._emit(job, emitted_rows, changes)
        self.stopped.emit(job, tuple(trainer.statuses))

    def _emit(self, job: Job, first_row: int, changes: list) -> int:
        """Emit rows ``first_row ..`` of every run (fields ``(n, K)``) as read-only copies;
        returns the next first row."""
        trainer = job.trainer
        last = int(np.max(trainer.ends))
        if last <= first_row and not changes:
            return first_row
        rows = trainer.rows(first_row, last)
        for array in rows.values():
            array.flags.writeable = False
        self.stepped.emit(
            StepBatch(
                job.run_id,
                rows,
                trainer.last_examples(),
                tuple(trainer.statuses),
                tuple(changes),
                tuple(int(end) for end in trainer.ends),
            )
        )
        return last
