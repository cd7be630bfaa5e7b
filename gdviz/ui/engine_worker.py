"""EngineWorker: carries out the engine session's jobs on the engine thread.

While a job loops, this thread's event loop is busy, so a job is stopped through its cancel
event and changes (hyperparameters, budget, speed) arrive through a thread-safe queue, both
checked between chunks of about 4 ms. Reports are immutable (engine_protocol) and carry the
run id and the job id. Progress is reported at most ~60 times a second (one queued signal per
iteration would freeze the GUI and slow the engine 8x); the rows themselves stay in the
trainer's trajectory, which the GUI's recording reads.
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gdviz.ui.engine_protocol import (
    UNLIMITED,
    Change,
    Job,
    Play,
    SpeedChange,
    Step,
    Stopped,
    progress_of,
)

EMIT_INTERVAL = 1.0 / 60.0  # at most ~60 progress reports a second: one per frame
TURN_TIMEOUT = 0.25  # seconds the engine waits for a frame to end before it goes on anyway
MAX_PACED_CHUNK = 4096  # at a set speed, never more at once (so cancel stays quick)
YIELD_SECONDS = 0.001  # pause after each ~4 ms chunk at full speed: the GUI runs meanwhile


class EngineWorker(QObject):
    """Runs jobs; emits ``progressed`` (Progress), ``stopped`` (Stopped), ``failed``.

    ``turn`` is a lock the worker holds while it computes a chunk and the GUI thread holds
    while it draws and paints a frame (EngineSession.frame_turn). Without it the two threads
    took turns at the GIL at each of the hundreds of Python/C++ crossings of a frame, and the
    GUI thread waited up to a switch interval at each: a 20 ms frame took ~50 ms flat out and
    the 16 ms timer's gaps reached 80-100 ms (benchmarks/bench_gui.py). With it, a frame waits
    for at most one chunk (~4 ms) and then runs alone.
    """

    progressed = Signal(object)
    stopped = Signal(object)
    failed = Signal(int, int, str)  # run id, job id, message

    def __init__(self) -> None:
        super().__init__()
        self._changes: queue.Queue = queue.Queue()
        self.turn = threading.Lock()

    def submit(self, change: Change | SpeedChange) -> None:
        """Queue a change for the running job (or the next one), applied on this thread."""
        self._changes.put(change)

    def take_pending(self) -> list:
        """The changes no job has applied (called on the GUI thread once the worker is idle)."""
        pending = []
        while True:
            try:
                pending.append(self._changes.get_nowait())
            except queue.Empty:
                return pending

    @Slot(object)
    def run_job(self, job: Job) -> None:
        try:
            self._run(job)
        except Exception as exc:  # reported, never a dead thread
            self.failed.emit(job.run_id, job.job_id, f"{type(exc).__name__}: {exc}")

    def _drain(self, job: Job, speed: int) -> tuple[list, int]:
        """Apply queued changes of this run; returns their markers and the speed to use. A
        change for a newer run (queued while this job ends) is kept for that run's jobs."""
        markers, later = [], []
        while True:
            try:
                change = self._changes.get_nowait()
            except queue.Empty:
                break
            if isinstance(change, SpeedChange):
                speed = change.speed
            elif change.run_id == job.run_id:
                text = change.apply(job.trainer)
                if text:
                    markers.append((job.trainer.step, text))
            elif change.run_id > job.run_id:
                later.append(change)
        for change in later:
            self._changes.put(change)
        return markers, speed

    def _target(self, job: Job) -> int:
        """The step this job ends at, worked out here, where the trainer is."""
        trainer, goal = job.trainer, job.goal
        if isinstance(goal, Play):
            return trainer.step + trainer.steps_to_budget()
        if isinstance(goal, Step):
            return trainer.step + max(int(goal.count), 0)
        return trainer.step + trainer.steps_to_epoch_end()

    def _run(self, job: Job) -> None:
        trainer, cancel = job.trainer, job.cancel
        markers, speed = self._drain(job, job.speed)
        target = self._target(job)
        last_emit = time.perf_counter()
        pace_speed, pace_start, pace_step = None, 0.0, 0  # origin of the speed limit
        chunk = 64
        while not cancel.is_set() and trainer.active:
            more, speed = self._drain(job, speed)
            markers += more
            if isinstance(job.goal, Play):  # a new budget applies to a playing job at once
                target = trainer.step + trainer.steps_to_budget()
            remaining = min(target - trainer.step, trainer.steps_to_budget())
            if remaining <= 0:
                break
            if speed != pace_speed:  # a new speed counts from now, not from the job's start
                pace_speed, pace_start, pace_step = speed, time.perf_counter(), trainer.step
            if speed == UNLIMITED:
                count = min(remaining, chunk)
            else:
                # The first iteration is due at once: a Step at 1 it/s happens now, not in 1 s.
                paced = int(speed * (time.perf_counter() - pace_start))
                due = 1 + paced - (trainer.step - pace_step)
                count = min(remaining, due, MAX_PACED_CHUNK)
                if count <= 0:  # asleep until the next iteration is due (or a change may be)
                    next_due = pace_start + (trainer.step - pace_step) / speed
                    time.sleep(min(max(next_due - time.perf_counter(), 0.0005), EMIT_INTERVAL))
                    continue
            # A frame being drawn finishes first (a frame never waits for more than one chunk).
            turn = self.turn.acquire(timeout=TURN_TIMEOUT)
            tick = time.perf_counter()
            try:
                trainer.advance(count, cancel, chunk_size=min(count, 512))
            finally:
                if turn:
                    self.turn.release()
            elapsed = time.perf_counter() - tick
            if elapsed > 0 and speed == UNLIMITED:
                # Chunks of ~4 ms: cancel and pause are checked far more often than frames.
                chunk = int(np.clip(chunk * 0.004 / elapsed, 16, 8192))
                # A moment after every chunk for the GUI thread's other work (input, signals):
                # a frame takes the turn (the class docstring); the rest needs the GIL.
                time.sleep(YIELD_SECONDS)
            now = time.perf_counter()
            if now - last_emit >= EMIT_INTERVAL:
                self.progressed.emit(progress_of(job.run_id, job.job_id, job.trainer, markers))
                markers, last_emit = [], now
        more, _ = self._drain(job, speed)
        last = progress_of(job.run_id, job.job_id, job.trainer, markers + more)
        self.progressed.emit(last)
        self.stopped.emit(Stopped(job.run_id, job.job_id, last))
