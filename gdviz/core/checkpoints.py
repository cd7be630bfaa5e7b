"""Checkpoints: a single run's whole state at a few steps, so that it can go back (step back) or
work one past iteration out again (the worked update) by replaying from the nearest one.

Training is deterministic: from a checkpoint (parameters, optimizer state, the settings in force
and the sampler's position), replaying ``k`` iterations makes bit for bit the rows the run made
(the sampler's streams do not depend on how iterations are chunked). So a few checkpoints stand
for every step: one at the start, one wherever the settings changed (replaying across a change
with the old settings would make other rows), and one every :data:`CHECKPOINT_EVERY` iterations
or so, thinned as the run grows (the one with the closest neighbours goes), so that their number
stays at :data:`MAX_CHECKPOINTS` and reaching any step replays about 1/MAX_CHECKPOINTS of the
run at most. A checkpoint is immutable and owns its
copies, so another thread may replay from it while the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.core.batching import BatchSampler
from gdviz.core.inner_loops import OptimizerState
from gdviz.core.optimizers import Optimizer
from gdviz.core.schedules import Schedule

CHECKPOINT_EVERY = 256  # iterations between checkpoints, before thinning
MAX_CHECKPOINTS = 64


@dataclass(frozen=True)
class Checkpoint:
    """A run's state after ``step`` iterations, with the settings it went on with."""

    step: int
    params: tuple[float, float]
    state: OptimizerState
    optimizer: Optimizer
    lr: float
    schedule: Schedule
    sampler: BatchSampler  # a copy standing where the run's stood: never drawn from
    tally: tuple[int, np.ndarray] | None  # EpochTally.snapshot() then
    change: bool = False  # the settings changed here: never thinned away

    def sampler_copy(self) -> BatchSampler:
        """A sampler to replay with, standing where the run's stood."""
        return self.sampler.copy()


class Checkpoints:
    """The checkpoints of one run, oldest first (see the module docstring)."""

    def __init__(self, first: Checkpoint) -> None:
        self._kept: list[Checkpoint] = [first]

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def last(self) -> Checkpoint:
        return self._kept[-1]

    def steps(self) -> tuple[int, ...]:
        return tuple(c.step for c in self._kept)

    def due(self, step: int) -> bool:
        """Whether a checkpoint at ``step`` is wanted (enough iterations since the last)."""
        return step - self._kept[-1].step >= CHECKPOINT_EVERY

    def add(self, checkpoint: Checkpoint) -> None:
        """Keep ``checkpoint`` (one at the same step is replaced: a change of settings there
        makes that step's checkpoint the one to replay from); thin when there are too many."""
        kept = [c for c in self._kept if c.step < checkpoint.step]
        kept.append(checkpoint)
        while len(kept) > MAX_CHECKPOINTS:
            # Drop the periodic one whose neighbours are closest: the gaps stay even, so that
            # any step is at most about run / MAX_CHECKPOINTS iterations from a checkpoint.
            gaps = [(kept[i + 1].step - kept[i - 1].step, i) for i in range(1, len(kept) - 1)
                    if not kept[i].change]  # fmt: skip
            if not gaps:
                break
            kept.pop(min(gaps)[1])
        self._kept = kept

    def before(self, step: int) -> Checkpoint:
        """The latest checkpoint at or before ``step``."""
        kept = self._kept  # one list: add() replaces it whole, never edits it
        steps = [c.step for c in kept]
        return kept[max(int(np.searchsorted(steps, step, side="right")) - 1, 0)]

    def drop_after(self, step: int) -> None:
        """Forget the checkpoints after ``step`` (the run went back to it)."""
        self._kept = [c for c in self._kept if c.step <= step] or self._kept[:1]

    def change_at(self, step: int) -> Checkpoint | None:
        """The checkpoint of a change of settings at ``step``, if there is one."""
        return next((c for c in self._kept if c.change and c.step == step), None)

    def last_change(self) -> int:
        """The step of the latest change of settings (0: none since the start)."""
        return max((c.step for c in self._kept if c.change), default=0)
