"""EngineSession: the one owner of the trainer(s) and of the engine thread.

Commands come in on the GUI thread (:meth:`start`, :meth:`play`, :meth:`step`,
:meth:`step_to_epoch_end`, :meth:`pause`, :meth:`change_hyperparameters`, :meth:`continue_with`,
:meth:`set_speed`); the worker carries out jobs on its own thread and reports immutable progress
and acknowledgements (engine_protocol), which this session publishes to its :class:`Recording`
before it re-emits them: ``started`` (a new run, with its recording), ``progressed``, ``stopped``
(the worker has really stopped, with its exact last row) and ``failed``. Nothing outside this
module touches a trainer; nothing outside it and the worker knows of threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Signal
from PySide6.QtWidgets import QApplication

from gdviz.core.compare import Lockstep
from gdviz.core.config import RunConfig, budget_of, build_parts, build_problem, build_trainer
from gdviz.core.engine import Trainer
from gdviz.core.explain import WorkedUpdate, work_out
from gdviz.core.problems import Problem
from gdviz.core.recording import Recording
from gdviz.ui.engine_protocol import (
    UNLIMITED,
    Change,
    Job,
    Play,
    Progress,
    SpeedChange,
    Step,
    StepToEpochEnd,
    Stopped,
    progress_of,
)
from gdviz.ui.engine_worker import EngineWorker
from gdviz.ui.worker_thread import WorkerThread


@dataclass(frozen=True)
class RunInfo:
    """A run (or comparison) the session has just started."""

    run_id: int
    problem: Problem
    configs: tuple[RunConfig, ...]  # one per run; one for a single run
    labels: tuple[str, ...]  # compared runs' legend labels; () for a single run
    recording: Recording

    @property
    def comparing(self) -> bool:
        return bool(self.labels)


class EngineSession(QObject):
    """The GUI's single handle on the engine (see the module docstring)."""

    started = Signal(object)  # RunInfo
    progressed = Signal(object)  # Progress, already published to the recording
    stopped = Signal(object)  # Stopped: the worker stopped (or a synchronous run ended)
    failed = Signal(str)
    playingChanged = Signal(bool)  # a Play/Step job is wanted (True) or over (False)

    _jobRequested = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._worker = EngineWorker()
        self._thread = WorkerThread(self._worker, "gdviz-engine")
        self._jobRequested.connect(self._worker.run_job)
        self._worker.progressed.connect(self._on_worker_progressed)
        self._worker.stopped.connect(self._on_worker_stopped)
        self._worker.failed.connect(self._on_worker_failed)
        self.run_id = 0
        self.info: RunInfo | None = None
        self._trainer = None
        self._job: Job | None = None  # the job wanted now (None: paused)
        self._busy: set[int] = set()  # jobs the worker has not acknowledged yet
        self._job_ids = 0
        self._speed = 100
        self._worked = None  # (key, WorkedUpdate): the last step worked out (worked_update)

    # -- what the session knows ------------------------------------------------------------------
    @property
    def frame_turn(self):
        """A lock to hold while drawing and painting a frame: the engine computes no chunk
        meanwhile (EngineWorker), so the frame does not fight it for the GIL."""
        return self._worker.turn

    @property
    def recording(self) -> Recording | None:
        return self.info.recording if self.info is not None else None

    @property
    def problem(self) -> Problem | None:
        return self.info.problem if self.info is not None else None

    @property
    def comparing(self) -> bool:
        return self.info is not None and self.info.comparing

    @property
    def playing(self) -> bool:
        """A Play or Step job is wanted (the toolbar shows Pause)."""
        return self._job is not None

    @property
    def running(self) -> bool:
        """The worker is working on a job (until it acknowledges that it stopped)."""
        return bool(self._busy)

    @property
    def ended(self) -> bool:
        """Every run has stopped (finished, converged or diverged), as the worker reported."""
        recording = self.recording
        return recording is None or all(s.status != "running" for s in recording.statuses)

    @property
    def speed(self) -> int:
        return self._speed

    @property
    def full_speed(self) -> bool:
        return self._speed == UNLIMITED

    def is_shut_down(self) -> bool:
        return self._thread.is_finished() or self._thread.shut_down

    # -- commands --------------------------------------------------------------------------------
    def start(self, configs, labels=(), problem: Problem | None = None) -> RunInfo:
        """A new run of ``configs[0]`` (or a comparison of ``configs`` labelled ``labels``).
        Raises ConfigError, DataError or ValueError, leaving the current run as it was."""
        configs = tuple(configs)
        problem = problem if problem is not None else build_problem(configs[0])
        if labels:
            trainer = Lockstep(problem, list(configs), list(labels))
        else:
            trainer = build_trainer(configs[0], problem, record_examples=True)
        self._cancel()
        self.run_id += 1
        self._trainer = trainer
        recording = Recording(trainer.trajectory, trainer.statuses)
        self.info = RunInfo(self.run_id, problem, configs, tuple(labels), recording)
        self.started.emit(self.info)
        return self.info

    def open_recording(self, configs, labels, problem: Problem, recording: Recording) -> RunInfo:
        """Show a saved recording (a reopened session): nothing runs until :meth:`start`."""
        self._cancel()
        self.run_id += 1
        self._trainer = None
        self.info = RunInfo(self.run_id, problem, tuple(configs), tuple(labels), recording)
        self.started.emit(self.info)
        return self.info

    @property
    def can_continue(self) -> bool:
        """There is a trainer whose first run has not diverged or converged (a finished run may
        go on with a larger budget; a reopened recording has no trainer)."""
        recording = self.recording
        if self._trainer is None or recording is None:
            return False
        return all(s.status in ("running", "finished") for s in recording.statuses[:1])

    @property
    def can_run(self) -> bool:
        """There is a trainer that has not stopped (a reopened recording has none)."""
        return self._trainer is not None and not self.ended

    @property
    def can_step_back(self) -> bool:
        """A single run's trainer that may go back one iteration (not past the start, nor past
        its last change of settings: Trainer.rewind)."""
        trainer = self._trainer
        if not isinstance(trainer, Trainer) or self.comparing:
            return False
        return trainer.step - 1 >= trainer.last_change

    def step_back(self) -> bool:
        """One iteration back, exactly (optimizer state, sampler position and epoch tally
        included: Trainer.rewind), so that Step makes the very same batch and update again;
        the rows after are dropped from the recording. Pauses first. False when the run cannot
        go back (see :attr:`can_step_back`)."""
        if not self.can_step_back or not self.wait_until_stopped():
            return False
        # A change still queued to the worker may have been applied while it stopped.
        if not self.can_step_back:
            return False
        trainer = self._trainer
        try:
            trainer.rewind(trainer.step - 1)  # the worker is stopped: this thread may touch it
        except ValueError:
            return False
        progress = progress_of(self.run_id, 0, trainer)
        self._publish(progress)
        self.progressed.emit(progress)
        return True

    def worked_update(self, step: int) -> WorkedUpdate | None:
        """Iteration ``step`` of the single run made again, with its numbers (core.explain);
        None for a comparison, a reopened recording (no trainer) or the start. Called while
        a frame is drawn, when the worker waits (frame_turn) and its checkpoints stand still."""
        trainer = self._trainer
        if not isinstance(trainer, Trainer) or self.comparing or step < 1:
            return None
        # The panel and the surface's arrows ask for the same step in one frame: work it
        # out once (a change of settings may change the steps after it: markers count them).
        key = (self.run_id, step, len(self.recording.markers), trainer.last_change)
        if self._worked is not None and self._worked[0] == key:
            return self._worked[1]
        try:
            work = work_out(trainer, step)
        except ValueError:  # a step the run has not made (any more)
            return None
        self._worked = (key, work)
        return work

    def play(self) -> None:
        self._request(Play())

    def step(self, count: int = 1) -> None:
        self._request(Step(max(int(count), 1)))

    def step_to_epoch_end(self) -> None:
        self._request(StepToEpochEnd())

    def pause(self) -> None:
        self._cancel()

    def set_speed(self, iterations_per_second: int) -> None:
        """Iterations per second, or 0 (UNLIMITED) for as fast as possible; at once."""
        self._speed = max(0, int(iterations_per_second))
        self._worker.submit(SpeedChange(self._speed))

    def change_hyperparameters(self, config: RunConfig, description: str) -> None:
        """Continue the single run with new hyperparameters from the next iteration on (a new
        budget, batch size or optimizer included). Raises ConfigError when they do not fit."""
        if self._trainer is None:
            raise ValueError("there is no run to change: press R to start one")
        optimizer, lr, schedule, sampler = build_parts(config, self.problem)  # validates
        budget = budget_of(config)

        def apply(trainer) -> str:
            trainer.set_optimizer(optimizer, lr)
            trainer.set_schedule(schedule)
            if trainer.samplers[0].signature != sampler.signature:
                trainer.set_samplers([sampler])
            trainer.set_budget(budget)
            return description

        self._change(apply)
        self.info = RunInfo(self.run_id, self.problem, (config,), (), self.recording)

    def continue_with(self, budgets) -> None:
        """New budgets (a Budget, or one per compared run): finished runs may go on."""
        if self._trainer is None:
            raise ValueError("there is no run to continue: press R to start one")

        def apply(trainer) -> str:
            trainer.set_budget(budgets)
            return ""

        self._change(apply)

    def wait_until_stopped(self, timeout_ms: int = 3000) -> bool:
        """Pause and wait until the worker has stopped and its last rows are published."""
        self._cancel()
        clock = QElapsedTimer()
        clock.start()
        while self._busy and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not self._busy

    def run_synchronously(self, steps: int | None = None) -> None:
        """Run ``steps`` more iterations (default: to the budget) on this thread and report them
        as the worker would (``gdviz render``, tests). Waits for the worker to stop first."""
        if self._trainer is None or not self.wait_until_stopped():
            return
        trainer = self._trainer
        count = trainer.steps_to_budget() if steps is None else max(int(steps), 0)
        trainer.advance(min(count, trainer.steps_to_budget()))
        progress = progress_of(self.run_id, 0, trainer)
        self._publish(progress)
        self.progressed.emit(progress)
        self.stopped.emit(Stopped(self.run_id, 0, progress))

    def shutdown(self, timeout_ms: int = 2000) -> None:
        """Stop any job, end the thread and wait for it (closeEvent / aboutToQuit)."""
        self._cancel()
        self._thread.shutdown(timeout_ms)

    # -- internals -------------------------------------------------------------------------------
    def _request(self, goal) -> None:
        if self._trainer is None or self._thread.shut_down:
            return
        self._cancel(quiet=True)
        if self.ended:  # known from the worker's reports: the GUI never asks the trainer
            self.playingChanged.emit(False)
            return
        self._job_ids += 1
        self._job = Job(self._job_ids, self.run_id, self._trainer, goal, self._speed)
        self._busy.add(self._job.job_id)
        self.playingChanged.emit(True)
        self._jobRequested.emit(self._job)

    def _cancel(self, quiet: bool = False) -> None:
        if self._job is not None:
            self._job.cancel.set()
            self._job = None
            if not quiet:
                self.playingChanged.emit(False)

    def _change(self, apply) -> None:
        """Apply a change of the trainer: through the worker while it works (between chunks),
        or here at once when it is idle (a marker is published with it)."""
        if self._busy:
            self._worker.submit(Change(self.run_id, apply))
            return
        trainer = self._trainer
        text = apply(trainer)
        markers = ((trainer.step, text),) if text else ()
        progress = progress_of(self.run_id, 0, trainer, markers, examples=False)
        self._publish(progress)
        self.progressed.emit(progress)  # e.g. a finished run that may go on again

    def _publish(self, progress: Progress) -> None:
        self.recording.publish(progress.rows, progress.ends, progress.statuses, progress.markers,
                               progress.last_examples, progress.snapshot,
                               progress.epoch_counts)  # fmt: skip

    def _on_worker_progressed(self, progress: Progress) -> None:
        if progress.run_id != self.run_id:
            return  # a run that was replaced
        self._publish(progress)
        self.progressed.emit(progress)

    def _on_worker_stopped(self, report: Stopped) -> None:
        self._busy.discard(report.job_id)
        if report.run_id != self.run_id:
            return
        if self._job is not None and report.job_id == self._job.job_id:
            self._job = None  # it ended by itself (budget, divergence, Step done)
            self.playingChanged.emit(False)
        if not self._busy:
            for change in self._worker.take_pending():  # arrived after the job's last look
                if isinstance(change, Change) and change.run_id == self.run_id:
                    self._change(change.apply)
            self.stopped.emit(report)

    def _on_worker_failed(self, run_id: int, job_id: int, message: str) -> None:
        self._busy.discard(job_id)
        if run_id == self.run_id:
            self._cancel()
            self.failed.emit(message)
