"""What crosses between the engine session (GUI thread) and its worker thread: immutable jobs and
changes going in, immutable reports coming out. Nothing here is ever modified after it is made;
a job is stopped through its ``cancel`` event, the only shared object, which is thread-safe."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

UNLIMITED = 0  # speed meaning "as fast as possible"


# -- jobs: what the worker should do with the run's trainer ------------------------------------
@dataclass(frozen=True)
class Play:
    """Train until the budget is spent (or the run stops, or the job is cancelled)."""


@dataclass(frozen=True)
class Step:
    """Do exactly ``count`` more iterations (fewer at the budget)."""

    count: int = 1


@dataclass(frozen=True)
class StepToEpochEnd:
    """Train to the end of the current epoch, as the trainer's sampler counts it."""


@dataclass(frozen=True)
class Job:
    """One request to the worker: ``goal`` (Play, Step or StepToEpochEnd) for the trainer of run
    ``run_id``, paced at ``speed`` iterations per second (UNLIMITED: flat out)."""

    job_id: int
    run_id: int
    trainer: object  # a Trainer or a Lockstep; only the worker thread touches it while it runs
    goal: Play | Step | StepToEpochEnd
    speed: int = UNLIMITED
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


# -- changes applied between chunks -------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """A change of the running trainer (new hyperparameters or budget), applied on the worker
    thread between chunks: ``apply(trainer)`` returns the marker text for the loss curve (or
    an empty string for none)."""

    run_id: int
    apply: object  # Callable[[trainer], str]


@dataclass(frozen=True)
class SpeedChange:
    """A new pace for the running job, counted from the moment it arrives."""

    speed: int


# -- reports ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """The trainer of ``run_id`` has written rows up to ``rows`` (each run valid up to ``ends``);
    ``markers`` are the (step, text) of changes applied since the last report."""

    run_id: int
    job_id: int
    rows: int
    ends: tuple[int, ...]
    statuses: tuple
    markers: tuple = ()
    last_examples: np.ndarray | None = None
    epoch_counts: tuple | None = None  # (epoch, counts): run 0's use of each example (EpochTally)
    snapshot: object = None  # the trajectory's Rows: the arrays the GUI may read up to ``rows``


def progress_of(run_id: int, job_id: int, trainer, markers=(), examples: bool = True) -> Progress:
    """The report of what ``trainer`` has written so far (read on the thread that runs it). A
    run that stopped mid-chunk may have rows past its end: only valid rows are published."""
    ends = tuple(int(e) for e in trainer.ends)  # a Lockstep gathers its rows here
    return Progress(run_id, job_id, max(ends), ends, tuple(trainer.statuses), tuple(markers),
                    trainer.last_examples() if examples else None,
                    trainer.epoch_counts() if examples else None,
                    trainer.trajectory.rows())  # fmt: skip


@dataclass(frozen=True)
class Stopped:
    """The job has ended: nothing more will be written until the next job. ``progress`` holds
    the exact last row (it was published before this report)."""

    run_id: int
    job_id: int
    progress: Progress
