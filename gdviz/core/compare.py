"""Lockstep: several runs of one problem side by side, each with its own hyperparameters.

Runs that share an optimizer kind and a schedule are one vectorised :class:`Trainer` (their
learning rates, momenta, betas, batch sizes and budgets may all differ); runs with another
optimizer form another group. Every group advances by the same number of iterations, so after
``advance(n)`` all runs have done n iterations (or stopped: diverged, converged, finished).

Memory is bounded whatever the budget: :attr:`Lockstep.trajectory`, every run's rows in run
order (what the views draw and sessions save), thins its history as a single run's does
(gdviz.core.trajectory), and each group keeps only the rows not gathered yet (GROUP_ROWS: its
own history thins too, long after those rows were copied). Rows are matched by the count of
rows made, which is the step: a group appends one row per iteration while it is active.
"""

from __future__ import annotations

import threading
from dataclasses import fields

import numpy as np

from gdviz.core.batching import BatchSampler
from gdviz.core.config import RUN_FIELDS as CONFIG_RUN_FIELDS
from gdviz.core.config import RunConfig, budget_of, build_schedule, make_sampler, total_steps
from gdviz.core.engine import Trainer
from gdviz.core.limits import memory_problem, recording_rows
from gdviz.core.optimizers import OPTIMIZER_DEFAULTS, make_optimizer
from gdviz.core.problems import Problem
from gdviz.core.stops import Budget, RunStatus
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS, Trajectory

MAX_RUNS = 6
GROUP_ROWS = 16_384  # rows a group's own trajectory holds: gathered at least every quarter
SCHEDULE_FIELDS = ("schedule", "gamma", "step_size", "t_max", "eta_min", "warmup")
# Fields that may differ between compared runs (hyperparameters and identity, from RunConfig's
# field specs); everything else defines the shared problem.
RUN_FIELDS = set(CONFIG_RUN_FIELDS)


def _group_key(config: RunConfig) -> tuple:
    """Runs with equal keys can share one vectorised trainer."""
    return (config.optimizer_name, config.centered, config.tol,
            *(getattr(config, name) for name in SCHEDULE_FIELDS))  # fmt: skip


def _vector_hyper(configs: list[RunConfig]) -> dict:
    """Each optimizer hyperparameter as one float, or a (K,) array where the runs differ."""
    name = configs[0].optimizer_name
    per_run = [{**OPTIMIZER_DEFAULTS[name], **c.optimizer_hyper()} for c in configs]
    hyper = {}
    for key, default in OPTIMIZER_DEFAULTS[name].items():
        values = [run[key] for run in per_run]
        if isinstance(default, bool) or all(v == values[0] for v in values):
            hyper[key] = values[0]
        else:
            hyper[key] = np.array(values, dtype=float)
    return hyper


class Lockstep:
    """K runs (2..6) of one problem advanced together; the Trainer interface the GUI worker
    uses (advance, active, step, statuses, finish, rows, ends) over all runs in given order."""

    def __init__(self, problem: Problem, configs: list[RunConfig], labels: list[str]) -> None:
        if not 1 <= len(configs) <= MAX_RUNS:
            raise ValueError(f"compare 1 to {MAX_RUNS} runs, got {len(configs)}")
        base = configs[0]
        for c in configs[1:]:
            shared = [f.name for f in fields(RunConfig) if f.name not in RUN_FIELDS]
            differing = [n for n in shared if getattr(c, n) != getattr(base, n)]
            if differing:
                raise ValueError("compared runs must share the problem; they differ in "
                                 + ", ".join(differing))  # fmt: skip
        self.problem, self.configs, self.labels = problem, configs, labels
        self.runs = len(configs)
        self.budgets = np.array([total_steps(c, problem) for c in configs])
        # The gathered rows (thinned beyond recording_rows) and the groups' recent rows.
        self.max_rows = recording_rows(self.runs)
        rows = min(int(self.budgets.max()) + 1, self.max_rows) + GROUP_ROWS
        problem_of_memory = memory_problem(rows, self.runs)
        if problem_of_memory:
            raise ValueError(f"these runs cannot start: {problem_of_memory}")
        groups: dict[tuple, list[int]] = {}
        for index, config in enumerate(configs):
            groups.setdefault(_group_key(config), []).append(index)
        self.groups: list[tuple[list[int], Trainer]] = []
        for members in groups.values():
            self.groups.append(
                (members, self._group_trainer([configs[i] for i in members], members))
            )
        self._column = {}  # run index -> (group trainer, column in it)
        for members, trainer in self.groups:
            for column, index in enumerate(members):
                self._column[index] = (trainer, column)
        # Every run's rows in run order: what the views draw and sessions save.
        self.trajectory = Trajectory(self.runs, int(min(self.budgets.max() + 1, self.max_rows)),
                                     max_rows=self.max_rows)  # fmt: skip
        self._gather()

    def _group_trainer(self, configs: list[RunConfig], members: list[int]) -> Trainer:
        c = configs[0]
        problem = self.problem
        samplers: list[BatchSampler] = [make_sampler(config, problem) for config in configs]
        if all(s.signature == samplers[0].signature for s in samplers) and all(
            config.seed == c.seed for config in configs
        ):
            samplers = samplers[:1]  # identical batches: prepare them once
        starts = [config.start or problem.default_start for config in configs]
        return Trainer(
            problem,
            make_optimizer(c.optimizer_name, **_vector_hyper(configs)),
            np.array([config.lr for config in configs]),
            samplers,
            (np.array([s[0] for s in starts]), np.array([s[1] for s in starts])),
            runs=len(configs),
            schedule=build_schedule(c),
            tol=c.tol,
            capacity=int(min(self.budgets[members].max(), GROUP_ROWS)),
            budget=[budget_of(config) for config in configs],
            max_rows=GROUP_ROWS,
        )

    # -- the Trainer-like interface ---------------------------------------------------------------
    @property
    def active(self) -> bool:
        return any(trainer.active for _, trainer in self.groups)

    @property
    def step(self) -> int:
        return max(trainer.step for _, trainer in self.groups)

    @property
    def statuses(self) -> list[RunStatus]:
        return [self._column[k][0].statuses[self._column[k][1]] for k in range(self.runs)]

    @property
    def ends(self) -> np.ndarray:
        """Valid rows of each run in :attr:`trajectory` (the groups' rows are gathered after
        every round of :meth:`advance`)."""
        self._gather()
        return self.trajectory.ends

    def advance(self, steps: int, cancel: threading.Event | None = None, chunk_size: int = 512):
        """Advance every group that is still active by up to ``steps`` iterations (their rows
        reach :attr:`trajectory` when :attr:`ends` is read)."""
        target = self.step + min(int(steps), self.steps_to_budget())
        if cancel is not None and cancel.is_set():
            return 0
        while self.step < target and self.active:
            # Rounds of at most a quarter of a group's rows, each gathered at once: the rows not
            # gathered yet are always among the newest half, which thinning leaves as they are.
            # No cancel inside a round: every active group reaches the same step, so made row m
            # of every run is iteration m (a Pause is seen before the next round).
            round_end = min(target, self.step + GROUP_ROWS // 4)
            for _, trainer in self.groups:
                if trainer.active:
                    trainer.advance(round_end - trainer.step, None, chunk_size)
            self._gather()
        return steps

    def steps_to_budget(self) -> int:
        return max((t.steps_to_budget() for _, t in self.groups if t.active), default=0)

    def steps_to_epoch_end(self) -> int:
        """Iterations left in the current epoch of the first run."""
        trainer, column = self._column[0]
        sampler = trainer.samplers[min(column, len(trainer.samplers) - 1)]
        return sampler.iterations_per_epoch - sampler.position

    def set_budget(self, budgets) -> list[int]:
        """New budgets (one Budget per run, in run order) for the runs that are at the newest
        row: finished ones among them continue. A run that stopped earlier keeps its end (it
        cannot catch up: the runs go in lockstep). Returns the runs that took the budget."""
        rows = int(np.max(self.ends))
        taking = [k for k in range(self.runs) if int(self.trajectory.ends[k]) == rows
                  and self.statuses[k].status in ("running", "finished")]  # fmt: skip
        for members, trainer in self.groups:
            kept = [budgets[k] if k in taking else Budget(steps=self._end_step(k))
                    for k in members]  # fmt: skip
            trainer.set_budget(kept)
        return taking

    def _end_step(self, run: int) -> int:
        """The step of a run's last valid row."""
        return int(self.trajectory.step[int(self.trajectory.ends[run]) - 1])

    def finish(self) -> None:
        for _, trainer in self.groups:
            trainer.finish()

    def last_examples(self) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)  # compared runs do not record their batches

    def epoch_counts(self) -> None:
        return None  # nor their use of the examples

    def _gather(self) -> None:
        """Copy the rows the groups made since the last call into :attr:`trajectory` (rows a
        stopped run never reached are NaN; integer fields 0), matched by rows made (module
        docstring)."""
        gathered = self.trajectory.made
        made = max(int(t.trajectory.made) for _, t in self.groups)
        new = made - gathered
        if new <= 0:
            return
        values = {}
        for name in FLOAT_FIELDS + INT_FIELDS:
            kind = float if name in FLOAT_FIELDS else np.int64
            values[name] = np.full((new, self.runs), np.nan if kind is float else 0, dtype=kind)
        valid = np.zeros(self.runs, dtype=np.int64)  # new rows that are run k's
        for k in range(self.runs):
            trainer, column = self._column[k]
            source = trainer.trajectory
            first = source.length - (source.made - gathered)  # its row of made row `gathered`
            valid[k] = np.clip(int(source.ends[column]) - first, 0, new)
            for name in FLOAT_FIELDS + INT_FIELDS if valid[k] else ():
                rows = source.fields[name][first : first + valid[k], column]
                values[name][: valid[k], k] = rows
        longest = max((t.trajectory for _, t in self.groups), key=lambda t: t.made)
        steps = longest.step[longest.length - new : longest.length]  # = gathered .. made - 1
        self.trajectory.append(steps.copy(), values)
        # Runs with new rows end among them; the others keep their ends (remapped if thinned).
        first = self.trajectory.length - new
        grew = valid > 0
        self.trajectory.ends[grew] = first + valid[grew]
