"""RunController: owns the engine thread and its worker; start, pause, step, reset, shut down."""

from __future__ import annotations

import atexit
import weakref

from PySide6.QtCore import QObject, QThread, Signal

from gdviz.core.compare import Lockstep
from gdviz.core.config import HYPERPARAMETER_FIELDS as CONFIG_HYPERPARAMETER_FIELDS
from gdviz.core.config import RunConfig, build_parts, build_trainer, total_steps
from gdviz.core.engine import Trainer
from gdviz.core.problems import Problem
from gdviz.ui.worker import UNLIMITED, EngineWorker, Job

# Fields whose change only alters how training proceeds (continue from the current parameters);
# any other field (data, model, start point, seed) starts a new run.
HYPERPARAMETER_FIELDS = set(CONFIG_HYPERPARAMETER_FIELDS)


class RunController(QObject):
    """The GUI's single handle on the engine. Only this module and worker.py know of threads."""

    stepped = Signal(object)  # StepBatch of the current run only
    stopped = Signal(object)  # RunStatus of each run when a job ends (paused, finished, ...)
    failed = Signal(str)
    runningChanged = Signal(bool)

    _jobRequested = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("gdviz-engine")
        self._worker = EngineWorker()
        self._worker.moveToThread(self._thread)
        self._jobRequested.connect(self._worker.run_job)
        self._worker.stepped.connect(self._on_worker_stepped)
        self._worker.stopped.connect(self._on_worker_stopped)
        self._worker.failed.connect(self._on_worker_failed)
        self._thread.start()
        self.run_id = 0
        self.config: RunConfig | None = None
        self.problem: Problem | None = None
        self.trainer: Trainer | None = None
        self._job: Job | None = None
        self._budget = 0
        self._ended = False  # every run of the current trainer has stopped
        self.comparing = False
        self._shut_down = False
        # Also stop the thread if the interpreter exits without closing the window (an error in
        # a script or test): Qt aborts when a running QThread is destroyed.
        reference = weakref.ref(self)
        atexit.register(lambda: (controller := reference()) and controller.shutdown())

    # -- state -----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def budget(self) -> int:
        """Iterations the current run (or the longest compared run) may take."""
        return self._budget

    @property
    def full_speed(self) -> bool:
        """True when runs go as fast as possible (no iterations-per-second limit)."""
        return self._worker.speed == UNLIMITED

    def set_speed(self, iterations_per_second: int) -> None:
        """Iterations per second, or 0 for as fast as possible (takes effect at once)."""
        self._worker.speed = max(0, int(iterations_per_second)) or UNLIMITED

    # -- commands --------------------------------------------------------------------------------
    def reset(self, config: RunConfig, problem: Problem) -> None:
        """Start over with a new run (new run id; batches of the old run will be dropped)."""
        self._cancel()
        self.run_id += 1
        self.config, self.problem = config, problem
        self.trainer = build_trainer(config, problem, record_examples=True)
        self._budget = total_steps(config, problem)
        self.comparing = False
        self._ended = False

    def reset_compare(self, configs: list[RunConfig], labels: list[str], problem: Problem) -> None:
        """Start over with several runs side by side (the engine's vectorised lockstep mode)."""
        self._cancel()
        self.run_id += 1
        self.config, self.problem = configs[0], problem
        self.trainer = Lockstep(problem, configs, labels)
        self._budget = int(self.trainer.budgets.max())
        self.comparing = True
        self._ended = False

    def play(self) -> None:
        self._start(None)

    def step(self, count: int = 1) -> None:
        self._start(count)

    def pause(self) -> None:
        self._cancel()

    def change_hyperparameters(self, config: RunConfig, description: str) -> None:
        """Continue the current run with new hyperparameters from the next iteration on; a new
        budget (epochs, steps, batch size) applies to the running job at once."""
        if self.trainer is None or self.comparing:
            return
        optimizer, lr, schedule, sampler = build_parts(config, self.problem)  # validates
        self.config = config
        self._budget = total_steps(config, self.problem)
        if self._job is not None:
            self._job.budget = self._budget  # an int the worker reads between chunks

        def apply(trainer: Trainer) -> str:
            trainer.set_optimizer(optimizer, lr)
            trainer.schedule = schedule
            if trainer.samplers[0].signature != sampler.signature:
                trainer.set_samplers([sampler])
            return description

        # Always through the worker: a cancelled job may still be finishing its last chunk, so
        # the GUI thread never touches the trainer itself. Idle runs apply it on the next job.
        self._worker.submit_change(self.run_id, apply)

    def shutdown(self, timeout_ms: int = 2000) -> None:
        """Stop any job, end the thread and wait for it (closeEvent / aboutToQuit)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._cancel()
        self._thread.quit()
        self._thread.wait(timeout_ms)

    # -- internals -------------------------------------------------------------------------------
    def _start(self, steps: int | None) -> None:
        if self.trainer is None or self._shut_down:
            return
        self._cancel()
        if self._ended:  # known from the worker's reports: the GUI never asks the trainer
            return
        self._job = Job(self.run_id, self.trainer, max(self.budget, 1), steps)
        self.runningChanged.emit(True)
        self._jobRequested.emit(self._job)

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel.set()
            self._job = None
            self.runningChanged.emit(False)

    def _on_worker_stepped(self, batch) -> None:
        if batch.run_id == self.run_id:
            self.stepped.emit(batch)

    def _on_worker_stopped(self, job: Job, statuses) -> None:
        if job.run_id != self.run_id:
            return
        self._ended = all(status.status != "running" for status in statuses)
        if job is self._job:
            self._job = None
            self.runningChanged.emit(False)
            self.stopped.emit(statuses)
        elif self._job is None:  # cancelled by Pause and not replaced: report where it ended
            self.stopped.emit(statuses)

    def _on_worker_failed(self, run_id: int, message: str) -> None:
        if run_id == self.run_id:
            self._cancel()
            self.failed.emit(message)
