"""Commands: what the lecturer asks for, carried out on the application state and the engine.

Every change of what is shown goes through here. A command that needs a new run asks the
engine session first and changes the state only when the run could be started, so a rejected
edit (a bad value, a CSV that moved, an optimizer a comparison cannot take) leaves state, panel
and run exactly as they were and says why. Observers keep the rest in step: the engine follows
``state.speed``; a divergence switches ``state.log_loss`` on once per run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gdviz.app.pins import COMPARISONS, Pin, PinBoard
from gdviz.app.state import AppState, free_snapshot, lesson_snapshot
from gdviz.core.config import (
    HYPERPARAMETER_FIELDS,
    MAX_COUNT,
    ConfigError,
    RunConfig,
    batch_size_of,
    budget_of,
    build_problem,
    data_to_read,
    epoch_length,
    total_steps,
)
from gdviz.core.data import PAINTED, DataError
from gdviz.core.lessons import CompareRun, Lesson
from gdviz.core.recording import Recording
from gdviz.core.session import fill_epoch_iterations
from gdviz.ui.engine_session import EngineSession, RunInfo
from gdviz.ui.replay import Replay
from gdviz.ui.status import describe_changes

CONTINUING = set(HYPERPARAMETER_FIELDS)  # may change without a new run once it has begun


def changed_fields(old: RunConfig, new: RunConfig) -> dict:
    """The fields where ``new`` differs from ``old``, with their new values."""
    return {name: getattr(new, name) for name in RunConfig.__dataclass_fields__
            if getattr(old, name) != getattr(new, name)}  # fmt: skip


def check_startable(config: RunConfig, problem) -> None:
    """Raise ConfigError or ValueError when ``config`` cannot start on ``problem``."""
    batch_size_of(config, problem)
    total_steps(config, problem)
    with np.errstate(all="ignore"):
        start = problem.full_loss(*(config.start or problem.default_start))
    if not np.all(np.isfinite(start)):
        raise ValueError("the loss at the start point is not finite")


class Commands:
    """The window's commands over ``state`` and ``engine``; ``notify(kind, text)`` shows a
    message (kinds as NoticeBanner: warning, error, diverged)."""

    def __init__(self, state: AppState, engine: EngineSession, lessons: list[Lesson],
                 notify: Callable[[str, str], None], reader=None) -> None:  # fmt: skip
        self.state, self.engine, self.lessons = state, engine, lessons
        self.pins = PinBoard()  # runs kept as ghosts (P); a run on other data clears them
        # A DataReader (ui/data_reader.py): a start whose CSV is not read yet waits for it, and
        # the window calls resume_start() when it is read. None: read where the run starts.
        self.reader = reader
        self._pending: tuple[dict, bool] | None = None
        self.notify = notify
        self._diverged: set[int] = set()  # compared runs whose divergence was announced
        self.replay = Replay(state, engine, engine)
        state.events.speed.connect(engine.set_speed)
        engine.set_speed(state.speed)
        engine.progressed.connect(self._on_engine_reported)
        engine.stopped.connect(self._on_engine_reported)
        # A run that plays is shown live (a replay hands over at the newest row itself).
        engine.playingChanged.connect(lambda playing: playing and self.go_live())

    # -- the run spec ------------------------------------------------------------------------------
    def start(self, values: dict, play: bool = False, problem=None) -> bool:
        """Start the run that ``values`` (state fields) describe and, if it starts, apply them
        to the state. False (state and run unchanged, a message shown) when it cannot.

        With a reader, a CSV not read yet is read first, off the GUI thread (True: the start
        waits, :meth:`resume_start` carries it out with the problem built there). Compared runs
        share the first run's problem, so only its data is read."""
        config = values.get("config", self.state.config)
        compare = values.get("compare", self.state.compare)
        configs = [run.config for run in compare] or [config]
        labels = [run.label for run in compare]
        self.drop_pending_start()  # this request supersedes one waiting for its data
        if problem is None and self.reader is not None and data_to_read(configs[0]):
            self._pending = (values, play)
            self.reader.read(configs[0])
            return True
        try:
            self.engine.start(configs, labels, problem)
        except (ConfigError, DataError, ValueError, OSError) as exc:
            self.notify("warning", f"Not applied: {exc}")
            return False
        self._diverged.clear()
        self.replay.stop()
        self.pins.keep_problem(configs[0])
        self.state.apply({**values, "timeline": None})
        if play:
            self.engine.play()
        return True

    def play(self) -> None:
        """Play the run; a start that waits for its CSV plays once it has started (the
        command line's --play with --dataset FILE was lost while the file was read)."""
        if self._pending is not None:
            values, _ = self._pending
            self._pending = (values, True)
        else:
            self.engine.play()

    @property
    def start_pending(self) -> bool:
        """A start waits for its CSV to be read."""
        return self._pending is not None

    def resume_start(self, problem) -> bool:
        """Carry out the start that waited for its data, on ``problem`` (the reader built it
        for that start's first configuration)."""
        if self._pending is None:
            return False
        values, play = self._pending
        self._pending = None
        return self.start(values, play, problem)

    def drop_pending_start(self) -> None:
        """Forget a start that waits for its data (it failed, or another replaces it)."""
        self._pending = None
        if self.reader is not None:
            self.reader.cancel()

    def change_config(self, config: RunConfig) -> bool:
        """An edit of the panel. Hyperparameters of a run that has begun change from the next
        iteration on; anything else (or any edit before the first step) starts the run anew.
        In a comparison the fields the edit changed apply to every compared run."""
        current = self.state.config
        changed = changed_fields(current, config)
        if not changed:
            return True
        if self.state.comparing:
            try:
                runs = tuple(CompareRun(r.label, r.config.replace(**changed))
                             for r in self.state.compare)  # fmt: skip
            except (ConfigError, ValueError) as exc:
                self.notify("warning", f"Not applied: {exc}")
                return False
            return self.start({"config": config, "compare": runs}, play=self.engine.playing)
        # Only a single run that has begun and can still go on (not diverged or converged, not
        # a reopened recording) continues with new hyperparameters; otherwise: a new run.
        recording = self.engine.recording
        begun = recording is not None and len(recording) > 1 and self.engine.can_continue
        if begun and set(changed) <= CONTINUING and not self.engine.comparing:
            try:
                self.engine.change_hyperparameters(config, describe_changes(current, config))
            except (ConfigError, ValueError) as exc:
                self.notify("warning", f"Not applied: {exc}")
                return False
            self.state.config = config
            return True
        return self.start({"config": config}, play=self.engine.playing)

    def restart(self) -> bool:
        """Run the state's configuration (or comparison) again from its start point."""
        return self.start({})

    def open_lesson(self, index: int) -> bool:
        """Show lesson ``index`` exactly as when opened first (whatever was shown before)."""
        if not 0 <= index < len(self.lessons):
            return False
        return self.start(lesson_snapshot(self.lessons[index]))

    def leave_lesson(self) -> bool:
        """One run of the current configuration, outside any lesson."""
        return self.start(free_snapshot(self.state.config))

    def restore(self, session, problem=None) -> None:
        """Show a saved session: its state, and its recording in the views (a recording: R runs
        its configuration again), on ``problem`` when it was built already (for its first
        configuration). Raises ConfigError, DataError or ValueError, changing nothing, when its
        problem cannot be built here."""
        self.replay.stop()
        self.drop_pending_start()
        configs = [config for _, config in session.compare] or [session.config]
        problem = build_problem(session.config) if problem is None else problem
        for config in configs:  # what starting the run would check, before anything changes
            check_startable(config, problem)
        columns = fill_epoch_iterations(session, [epoch_length(c, problem) for c in configs])
        recording = Recording.from_columns(columns, session.statuses, session.markers,
                                           session.thinned)  # fmt: skip
        labels = [label for label, _ in session.compare]
        self.engine.open_recording(configs, labels, problem, recording)
        self._diverged.clear()
        view = dict(session.view)
        view["views"] = tuple(view["views"])
        compare = tuple(CompareRun(label, config) for label, config in session.compare)
        ids = [lesson.id for lesson in self.lessons]
        lesson = session.lesson_id if session.lesson_id in ids else None
        self.state.apply({**view, "config": session.config, "compare": compare,
                          "lesson": lesson})  # fmt: skip
        self._announce(session.statuses)  # the saved log axis stays as it was saved

    def lesson_index(self) -> int | None:
        ids = [lesson.id for lesson in self.lessons]
        return ids.index(self.state.lesson) if self.state.lesson in ids else None

    def continue_training(self, epochs: int) -> bool:
        """Raise the budget by ``epochs`` epochs (a step budget by as many iterations) and go
        on from where the run stopped, with its optimizer state and sampler position. Compared
        runs that stopped before the newest iteration keep their end (they run in lockstep)."""
        if not self.engine.can_continue:
            self.notify("warning", "This run cannot go on (it diverged, converged or is a "
                        "reopened recording): press R to run it again.")  # fmt: skip
            return False
        if self.state.comparing:
            recording = self.engine.recording
            taking = [k for k, s in enumerate(recording.statuses) if s.status in
                      ("running", "finished") and recording.end(k) == len(recording)]  # fmt: skip
            runs = tuple(CompareRun(r.label, self._longer(r.config, epochs)) if k in taking
                         else r for k, r in enumerate(self.state.compare))  # fmt: skip
            self.engine.continue_with([budget_of(r.config) for r in runs])
            self.state.apply({"config": self._longer(self.state.config, epochs),
                              "compare": runs})  # fmt: skip
        else:
            config = self._longer(self.state.config, epochs)
            self.engine.change_hyperparameters(config, "")
            self.state.config = config
        self.go_live()
        self.engine.play()
        return True

    def _longer(self, config: RunConfig, epochs: int) -> RunConfig:
        """``config`` with ``epochs`` more epochs (a step budget: as many epochs' iterations)."""
        if config.steps is None:
            return config.replace(epochs=config.epochs + epochs)
        ipe = epoch_length(config, self.engine.problem)
        return config.replace(steps=config.steps + epochs * ipe)

    # -- painted data -----------------------------------------------------------------------------
    def paint(self, points) -> bool:
        """The examples painted in the data view (``(x, y)`` pairs) become the run's data: the
        surface, its minimum and the limits follow, and the run starts over. Refused (with a
        message, everything as it was) when they cannot make a line: under 2 examples, or all
        at one x."""
        if self.state.comparing:
            self.notify("warning", "Paint data in a single run (a comparison shares its data).")
            return False
        c, n = self.state.config, len(points)
        size = c.batch_size if c.batch_size is None or c.batch_size <= n else max(n, 1)
        # Painted y is the class itself with a logistic model (0 or 1): no threshold.
        painted = {"dataset": PAINTED, "points": tuple(map(tuple, points)), "x_column": None,
                   "y_column": None, "surface": None, "threshold": None}  # fmt: skip
        config = c.replace(batch_size=size, **painted)
        return self.start({"config": config})

    # -- pinned runs and one-click comparisons --------------------------------------------------
    def pin_run(self) -> str:
        """P: keep the current run as a ghost while the next one runs; returns what to say."""
        recording = self.engine.recording
        if self.state.comparing or recording is None or recording.end(0) < 2:
            return "Pin a single run that has made a step (P)"
        dropped = self.pins.pin(Pin.of(recording, self.state.config))
        shown = len(self.pins.pins)
        note = " (the oldest of 6 was dropped)" if dropped is not None else ""
        return f"Pinned: {shown} run{'s' if shown > 1 else ''} kept{note}; Shift+P clears them"

    def clear_pins(self) -> None:
        self.pins.clear()

    def compare_with(self, name: str) -> bool:
        """The current run beside a variant of it (pins.COMPARISONS), in lockstep from the same
        start with the same seed; the comparison's first run is the current one."""
        base = self.state.config
        variant = COMPARISONS[name](base)
        runs = (CompareRun("this run", base), CompareRun(name, variant))
        return self.start({"config": base, "compare": runs, "lesson": None})

    def new_seed(self) -> bool:
        """Other batches (and other gradient noise) for the same settings: the run starts over.
        Pins and compared runs share the seed; only this action changes it."""
        config = self.state.config
        seed = (config.seed + 1) % MAX_COUNT
        compare = tuple(CompareRun(r.label, r.config.replace(seed=seed))
                        for r in self.state.compare)  # fmt: skip
        return self.start({"config": config.replace(seed=seed), "compare": compare})

    # -- playing -----------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        """Space: pause what plays (a run or a replay); rewound, replay from there; else play."""
        if self.replay.active:
            self.replay.stop()
        elif self.engine.playing:
            self.engine.pause()
        elif self.state.timeline is not None:
            self.replay.start()
        else:
            self.engine.play()

    def step(self) -> None:
        """Right arrow: one iteration more (of the recording while rewound)."""
        if self.state.timeline is not None:
            self.scrub_to(self.state.timeline + 1)
        else:
            self.engine.step(1)

    def step_back(self) -> None:
        """Left arrow, Backspace: one iteration back. Live, the run itself goes back exactly
        (its optimizer state and sampler position too), so that Right makes the very same
        batch and update again; rewound, a comparison, a reopened recording or at the run's
        last change of settings, the timeline shows one row earlier."""
        recording = self.engine.recording
        if recording is None or (len(recording) <= 1 and self.state.timeline is None):
            return
        if self.state.timeline is None and self.engine.step_back():
            self._diverged.discard(0)  # a divergence made again is said again
            return
        shown = len(recording) if self.state.timeline is None else self.state.timeline
        self.scrub_to(max(shown - 1, 1))

    def step_epoch(self) -> None:
        """Shift+Right: to the end of the epoch (the recorded one while rewound)."""
        rewound = self.state.timeline
        if rewound is None or self.engine.recording is None:
            self.engine.step_to_epoch_end()
            return
        r = self.engine.recording
        batch, length = r.column("batch")[rewound:], r.column("epoch_iterations")[rewound:]
        ends = np.flatnonzero(batch == length)  # rows that close an epoch, after the shown one
        self.scrub_to(rewound + int(ends[0]) + 1 if ends.size else len(r))

    def scrub_to(self, rows: int) -> None:
        """Show the first ``rows`` rows of the recording (the newest: live again)."""
        self.replay.stop()
        recording = self.engine.recording
        live = recording is None or rows >= len(recording)
        self.state.timeline = None if live else max(int(rows), 1)

    def go_live(self) -> None:
        self.replay.stop()
        self.state.timeline = None

    # -- reports ----------------------------------------------------------------------------------
    def _on_engine_reported(self, report) -> None:
        progress = getattr(report, "progress", report)
        if self._announce(progress.statuses):
            self.state.log_loss = True  # the blow-up and the runs that did not both stay visible

    def _announce(self, statuses) -> bool:
        """Say which runs diverged (each once per run); True when one is new."""
        info: RunInfo | None = self.engine.info
        fresh = [k for k, s in enumerate(statuses) if s.status == "diverged"
                 and k not in self._diverged]  # fmt: skip
        if info is None or not fresh:
            return False
        self._diverged.update(fresh)
        if info.comparing:
            gone = [f"{info.labels[k]} diverged at iteration {statuses[k].step}"
                    for k in sorted(self._diverged)]  # fmt: skip
            self.notify("diverged", "; ".join(gone) + ".")
        else:
            status = statuses[0]
            reason = status.reason.replace("loss grew", "the loss grew")
            self.notify("diverged", f"Diverged at iteration {status.step}: {reason}. "
                        "The learning rate is too large for this surface.")  # fmt: skip
        return True
