"""Trainer: steps a problem with an optimizer, a sampler and a schedule; records a Trajectory.

One trainer runs K >= 1 runs in lockstep on the same problem, vectorised over K: the runs may
differ in every numeric hyperparameter (learning rate, momentum, betas, ...) and in their batches
(batch size, sampling, seed), and share the optimizer's kind. With K = 1 the inner loop works on
Python floats, which for two parameters is several times faster than numpy.

The inner loop does only what must be sequential (batch gradient, optimizer update); batch terms,
learning rates, the full training loss and the divergence and convergence checks are computed for
a whole chunk of iterations at once with numpy.

A single run keeps checkpoints (gdviz.core.checkpoints): :meth:`Trainer.rewind` takes it back to
any earlier step exactly (optimizer state and sampler position included), and
:meth:`Trainer.replica_at` makes a copy standing at a past step, to work that iteration out
again (gdviz.core.explain) without touching the run.
"""

from __future__ import annotations

import threading

import numpy as np

from gdviz.core.batching import BatchSampler
from gdviz.core.checkpoints import Checkpoint, Checkpoints
from gdviz.core.inner_loops import OptimizerState, scalar_loop, stacked_loop
from gdviz.core.optimizers import Optimizer
from gdviz.core.schedules import Schedule
from gdviz.core.stops import DIVERGENCE_FACTOR, NO_LIMIT, Budget, RunStatus, chunk_stops
from gdviz.core.trajectory import Trajectory

RECORDED = ("batch_loss", "g1", "g2", "p1", "p2")  # written by the inner loop


class Trainer:
    """K runs of one problem in lockstep.

    ``lr`` and the optimizer's numeric hyperparameters are floats or arrays of shape ``(K,)``;
    ``samplers`` is one sampler shared by all runs or one per run; ``start`` gives the initial
    parameters (floats, or ``(K,)`` arrays). ``budget`` (a :class:`Budget`, or one per run)
    stops each run as ``finished`` at its end. :meth:`advance` never goes past a budget;
    :meth:`set_budget` continues a finished run with a larger one.
    """

    def __init__(
        self,
        problem,
        optimizer: Optimizer,
        lr,
        samplers: list[BatchSampler],
        start: tuple,
        *,
        runs: int = 1,
        schedule: Schedule | None = None,
        tol: float | None = None,
        record_examples: bool = False,
        capacity: int = 1024,
        budget: Budget | list[Budget] | None = None,
        max_rows: int | None = None,
        replay: bool = False,
    ) -> None:
        if len(samplers) not in (1, runs):
            raise ValueError(f"give one sampler or one per run ({runs}), got {len(samplers)}")
        if record_examples and len(samplers) != 1:
            raise ValueError("batch indices are recorded only when all runs share their batches")
        self.problem = problem
        self.runs = runs
        self.samplers = samplers
        self.schedule = schedule or Schedule()
        self.tol = tol
        self._scalar = runs == 1
        # A replay (replica_at) makes rows the run has made and checked already: no full loss
        # (O(N) a row for logistic regression) and no stop checks.
        self._replay = replay
        self.set_optimizer(optimizer, lr)
        self.trajectory = Trajectory(runs, capacity + 1, record_examples, max_rows,
                                     self._tallied_examples())  # fmt: skip
        self.statuses = [RunStatus() for _ in range(runs)]
        self._t = 0  # iterations done
        if self._scalar:  # two floats, one optimizer state each
            self._params = (float(np.ravel(start[0])[0]), float(np.ravel(start[1])[0]))
        else:  # one (2, K) array: a single optimizer call updates both coordinates of all runs
            self._params = np.array([np.broadcast_to(np.asarray(v, float), (runs,)) for v in start])
        self._init_state()
        self._record_start()
        self._active = np.ones(runs, dtype=bool)
        # A replay is read, never rewound or replayed from: it keeps none.
        self._checkpoints = Checkpoints(self._checkpoint()) if self._scalar and not replay else None
        # Per-run step budgets (absolute step counts), worked out from the sampler's epoch
        # counter (again whenever the batching changes); None: no budget.
        self._budget = budget
        self.budgets = self._budget_steps() if budget is not None else None

    def _tallied_examples(self) -> int:
        """Examples whose use in each epoch is tallied: a data set's (0: an analytic surface,
        whose sampler only draws its noise)."""
        return self.samplers[0].n_examples if getattr(self.problem, "data", None) else 0

    def _record_start(self) -> None:
        """Row 0: the start point and its loss (which must be finite), and the divergence
        limit it sets."""
        p1, p2 = self.params
        with np.errstate(all="ignore"):
            loss0 = np.broadcast_to(
                np.nan if self._replay else self.problem.full_loss(p1, p2), (self.runs,)
            )
        if not self._replay and not np.all(np.isfinite(loss0)):
            raise ValueError("the loss at the start point is not finite; choose another start")
        self._loss_limit = DIVERGENCE_FACTOR * np.maximum(np.abs(loss0), 1.0)
        start_row = {
            "p1": np.broadcast_to(p1, (1, self.runs)),
            "p2": np.broadcast_to(p2, (1, self.runs)),
            "loss": loss0.reshape(1, self.runs),
        }
        self.trajectory.append(np.zeros(1, dtype=np.int64), start_row)
        self.trajectory.ends[:] = 1

    # -- hyperparameters that may change while running (no reset) ------------------------------
    def set_optimizer(self, optimizer: Optimizer, lr) -> None:
        """Use a new optimizer or learning rate from the next iteration on; the optimizer state is
        kept when the kind is unchanged (a new momentum value keeps the velocity)."""
        lr_array = np.asarray(lr, dtype=float)
        if not (np.all(np.isfinite(lr_array)) and np.all(lr_array > 0)):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        previous, previous_lr = getattr(self, "optimizer", None), getattr(self, "lr", None)
        if self._scalar or lr_array.ndim == 0:  # one run: a float for the fast float loop
            self.optimizer, self.lr = optimizer, float(np.ravel(lr_array)[0])
        else:
            self.optimizer, self.lr = optimizer, lr_array
        if previous is None:
            return
        if previous.name != optimizer.name:
            self._init_state()  # bias corrections restart with the new optimizer
        if self._scalar:  # K runs keep no checkpoints (and their knobs may be arrays)
            same = previous.name == optimizer.name and previous.hyper == optimizer.hyper
            if not (same and previous_lr == self.lr):
                self._settings_changed()

    def set_schedule(self, schedule: Schedule) -> None:
        """A new learning-rate schedule from the next iteration on."""
        if schedule != self.schedule:
            self.schedule = schedule
            self._settings_changed()

    def _init_state(self) -> None:
        init = self.optimizer.init
        coords = tuple(map(init, self._params)) if self._scalar else init(self._params)
        self._state = OptimizerState(0, coords)

    def set_samplers(self, samplers: list[BatchSampler]) -> None:
        """New batching (batch size or sampling) from the next iteration; a new epoch starts."""
        if len(samplers) not in (1, self.runs):
            raise ValueError(f"give one sampler or one per run ({self.runs}), got {len(samplers)}")
        if self.trajectory.record_examples and len(samplers) != 1:
            raise ValueError("batch indices are recorded only when all runs share their batches")
        epoch = max(sampler.epochs_started for sampler in self.samplers)
        for sampler in samplers:
            sampler.start_epoch_at(epoch)
        self.samplers = samplers
        self._settings_changed()
        if self._budget is not None:
            self.budgets = self._budget_steps()
            self._finish_spent()

    def _finish_spent(self) -> None:
        """Runs whose new budget is already spent (epochs lowered below the current one, a new
        batch size in the last epoch) finish here, at the current step."""
        for k in np.flatnonzero(self._active & (self.budgets <= self._t)):
            self.statuses[k] = RunStatus("finished", self._t)
            self._active[k] = False

    # -- checkpoints: going back, and working a past iteration out again ----------------------
    def _checkpoint(self, change: bool = False) -> Checkpoint:
        tally = self.trajectory.tally
        return Checkpoint(self._t, self._params, self._state, self.optimizer, self.lr,
                          self.schedule, self.samplers[0].copy(),
                          tally.snapshot() if tally is not None else None, change)  # fmt: skip

    def _settings_changed(self) -> None:
        """Later steps are made with other settings: replays start from here."""
        if self._checkpoints is not None:
            self._checkpoints.add(self._checkpoint(change=True))

    @property
    def checkpoint_steps(self) -> tuple[int, ...]:
        """The steps a replay may start from (none for K runs)."""
        return self._checkpoints.steps() if self._checkpoints is not None else ()

    @property
    def last_change(self) -> int:
        """The step where the settings last changed (0: none): :meth:`rewind` goes no further
        back, as the steps before it were made with settings no longer in force."""
        return self._checkpoints.last_change() if self._checkpoints is not None else self._t

    def rewind(self, step: int) -> None:
        """Go back to ``step`` (``last_change <= step <= self.step``) exactly: the rows after it
        are dropped, and parameters, optimizer state, sampler position, epoch tally and status
        are those the run had there, so that advancing again makes the very same batches and
        updates. A single run only (it is replayed from its nearest checkpoint)."""
        step = int(step)
        if self._checkpoints is None:
            raise ValueError("only a single run can go back")
        if not self.last_change <= step <= self._t:
            raise ValueError(f"step {step} is not between {self.last_change} and {self._t}")
        # Replay at least one iteration (from step >= 1): it leaves the batch of `step` kept.
        checkpoint = self._checkpoints.before(max(step - 1, 0))
        changed_here = self._checkpoints.change_at(step)  # settings changed at `step` itself
        steps = self.trajectory.step[: self.trajectory.length]
        row = int(np.searchsorted(steps, checkpoint.step, side="right"))
        if row == 0 or steps[row - 1] != checkpoint.step:
            raise ValueError(f"step {step} is in the thinned part of the run's history")
        self._checkpoints.drop_after(checkpoint.step)
        self.restore(checkpoint)
        self.trajectory.truncate(row)
        if self.trajectory.tally is not None and checkpoint.tally is not None:
            self.trajectory.tally.restore(*checkpoint.tally)
        self.statuses[0] = RunStatus()
        self._active[:] = True
        self.budgets = None  # the rows to `step` were made: replayed whatever the budget now
        self.advance(step - checkpoint.step)
        if changed_here is not None:  # the run stood at `step` with the new settings
            self.restore(changed_here)
            self._checkpoints.add(changed_here)
            if self.trajectory.tally is not None and changed_here.tally is not None:
                self.trajectory.tally.restore(*changed_here.tally)
        if self._budget is not None:
            self.budgets = self._budget_steps()
            self._finish_spent()  # a budget lowered below `step` since: finished there

    def restore(self, checkpoint: Checkpoint, loss_limit=None) -> None:
        """Stand where ``checkpoint`` was taken, with its settings (the rows recorded are left
        as they are; :meth:`rewind` drops those after it). ``loss_limit``: the divergence
        limit of the run it came from, when that started elsewhere."""
        if loss_limit is not None:
            self._loss_limit = loss_limit
        self._t, self._params, self._state = checkpoint.step, checkpoint.params, checkpoint.state
        self.optimizer, self.lr, self.schedule = (
            checkpoint.optimizer,
            checkpoint.lr,
            checkpoint.schedule,
        )
        self.samplers = [checkpoint.sampler_copy()]

    def replica_at(self, step: int) -> Trainer:
        """A new trainer standing where this run stood after ``step`` iterations (0 <= step <=
        self.step), with its settings then, replayed from the nearest checkpoint; this run is
        not touched (another thread may call this while it runs, between chunks)."""
        if self._checkpoints is None:
            raise ValueError("only a single run can be replayed")
        step = int(step)
        checkpoint = self._checkpoints.before(step)
        if not checkpoint.step <= step <= self._t:
            raise ValueError(f"step {step} is not between 0 and {self._t}")
        rows = min(step - checkpoint.step, 4096) + 1
        # The checkpoint's own sampler is only read here: restore() below draws on a copy.
        replica = Trainer(self.problem, checkpoint.optimizer, checkpoint.lr,
                          [checkpoint.sampler], checkpoint.params,
                          schedule=checkpoint.schedule, capacity=rows, max_rows=4096,
                          replay=True)  # fmt: skip
        replica.restore(checkpoint, self._loss_limit)  # divergence as the run judged it
        replica.advance(step - checkpoint.step)
        if replica.step != step:
            raise ValueError(f"the run stopped at step {replica.step}, before step {step}")
        return replica

    @property
    def optimizer_state(self) -> OptimizerState:
        """The optimizer's state now: its step count and each coordinate's state."""
        return self._state

    # -- budgets and stop conditions --------------------------------------------------------------
    def _budget_steps(self) -> np.ndarray:
        """The step at which each run's Budget ends, from the samplers' epoch counters."""
        budgets = self._budget if isinstance(self._budget, list) else [self._budget] * self.runs
        samplers = self.samplers if len(self.samplers) == self.runs else self.samplers * self.runs
        ends = [b.end_step(self._t, s) for b, s in zip(budgets, samplers, strict=True)]
        return np.array(ends, dtype=np.int64)

    def set_budget(self, budget: Budget | list[Budget]) -> None:
        """A new budget from now on. Runs that finished at the old budget continue (status
        ``running`` again, optimizer state and sampler position kept) when the new one is
        larger; diverged and converged runs stay stopped."""
        self._budget = budget
        self.budgets = self._budget_steps()
        self._finish_spent()
        for k in range(self.runs):
            status = self.statuses[k]
            if status.status == "finished" and self.budgets[k] > self._t:
                if int(self.trajectory.ends[k]) != self.trajectory.length:
                    continue  # a compared run that stopped earlier than the others
                self.statuses[k] = RunStatus()
                self._active[k] = True

    def steps_to_budget(self) -> int:
        """Iterations left before every active run reaches its budget (a large number when
        there is none)."""
        if self.budgets is None or not self._active.any():
            return 0 if not self._active.any() else NO_LIMIT
        return int(max(np.max(self.budgets[self._active]) - self._t, 0))

    def steps_to_epoch_end(self) -> int:
        """Iterations left in run 0's current epoch, on its sampler's counter (a whole epoch
        when one has just ended)."""
        sampler = self.samplers[0]
        return sampler.iterations_per_epoch - sampler.position

    # -- running ---------------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self._t

    @property
    def optimizer_steps(self) -> int:
        """Updates the current optimizer state has seen (a new optimizer kind starts at 0)."""
        return self._state.t

    @property
    def params(self) -> tuple:
        """Current ``(p1, p2)``: floats, or arrays of shape ``(K,)``."""
        return self._params[0], self._params[1]

    @property
    def active(self) -> bool:
        return bool(self._active.any())

    def advance(
        self, steps: int, cancel: threading.Event | None = None, chunk_size: int = 512
    ) -> int:
        """Run up to ``steps`` more iterations (fewer when every run has stopped, a budget is
        reached or ``cancel`` is set; it is checked between chunks). Returns the number of
        iterations done."""
        done = 0
        steps = min(int(steps), self.steps_to_budget())
        with np.errstate(all="ignore"):
            while done < steps and self._active.any():
                if cancel is not None and cancel.is_set():
                    break
                done += self._run_chunk(min(chunk_size, steps - done))
        return done

    @property
    def ends(self) -> np.ndarray:
        """Valid rows of each run (a run that stopped has fewer)."""
        return self.trajectory.ends

    def last_examples(self) -> np.ndarray:
        """Indices of the latest batch of run 0 (empty unless examples are recorded)."""
        return self.trajectory.examples(int(self.trajectory.ends[0]) - 1).copy()

    def epoch_counts(self) -> tuple[int, np.ndarray] | None:
        """``(epoch, counts)``: how often each example was used in run 0's epoch in progress,
        up to its latest batch (None unless examples are recorded; see EpochTally)."""
        return self.trajectory.epoch_counts(int(self.trajectory.ends[0]) - 1)

    def chunk_examples(self, row: int) -> np.ndarray:
        """Indices of the batch of ``row`` while it is in the latest chunk (``--log-batches``
        writes them after every :meth:`advance`)."""
        return self.trajectory.examples(row)

    def finish(self) -> None:
        """Mark runs that are still going as finished (the step budget is spent)."""
        for k in np.flatnonzero(self._active):
            self.statuses[k] = RunStatus("finished", self._t)
        self._active[:] = False

    def _next_batches(self, count: int):
        """Batch terms of the next ``count`` iterations as the problem prepared them (stacked
        over runs when the runs have their own samplers), with epochs, positions and sizes."""
        chunks = [sampler.next_chunk(count) for sampler in self.samplers]
        prepared = [self.problem.prepare(chunk) for chunk in chunks]
        prepared = prepared[0] if len(chunks) == 1 else self.problem.stack(prepared)

        def column(name):
            return np.stack([getattr(c, name) for c in chunks], axis=-1)

        examples = None
        if self.trajectory.record_examples:
            examples = (chunks[0].indices, chunks[0].sizes, chunks[0].full)
        lengths = np.array([s.iterations_per_epoch for s in self.samplers])
        return (
            prepared,
            column("epochs") + 1,
            column("positions") + 1,
            column("sizes"),
            lengths,
            examples,
        )

    def _run_chunk(self, count: int) -> int:
        if self._checkpoints is not None and self._checkpoints.due(self._t):
            self._checkpoints.add(self._checkpoint())
        prepared, epochs, positions, sizes, lengths, examples = self._next_batches(count)
        t0 = self._t
        steps = np.arange(t0 + 1, t0 + count + 1)
        rates = self.schedule.rates(self.lr, steps - 1)
        if self._scalar:
            # Python floats: fastest to unpack and to compute with for two parameters.
            items = prepared.tolist() if isinstance(prepared, np.ndarray) else prepared
            out = {name: [0.0] * count for name in RECORDED}
            self._params, self._state, done = scalar_loop(
                self.problem.loss_grad, self.optimizer.update, self._params, self._state, items,
                rates.tolist(), out, count,
            )  # fmt: skip
            self._t += done if done == count else done + 1
        else:
            out = self._run_stacked(prepared, rates, count)
            done = count
        out = {
            name: np.asarray(values[:done], dtype=float).reshape(done, -1)
            for name, values in out.items()
        }
        p1, p2 = out["p1"], out["p2"]
        loss = np.full(p1.shape, np.nan) if self._replay else self.problem.full_loss(p1, p2)
        values = dict(out, loss=loss, lr=np.asarray(rates[:done], dtype=float))
        values.update(epoch=epochs[:done], batch=positions[:done], size=sizes[:done])
        values["epoch_iterations"] = np.broadcast_to(lengths, (done, self.runs))
        if examples is not None and not examples[2]:  # a full chunk's indices are all, once
            cut = int(np.sum(sizes[:done, 0]))
            examples = (examples[0][:cut], examples[1][:done], False)
        self.trajectory.append(steps[:done], values, examples)
        before = self.trajectory.length - done  # after the append: it may thin the history
        self.trajectory.ends[self._active] = self.trajectory.length
        overflow_step = None if done == count else t0 + done + 1
        if not self._replay:
            self._check_stops(before, loss, p1, p2, out["batch_loss"], overflow_step)
        return done

    def _run_stacked(self, prepared, rates: np.ndarray, count: int) -> dict:
        """K runs: the inner loop on (2, K) arrays, then the chunk's batch losses."""
        runs = self.runs
        items = self.problem.stacked_items(prepared, runs)
        # Rates expanded to the parameters' shape: equal-shape numpy operations are the fastest.
        rates = rates.reshape(count, 1, -1)
        rates = np.ascontiguousarray(np.broadcast_to(rates, (count, 2, runs)))
        grads, params = np.empty((count, 2, runs)), np.empty((count + 1, 2, runs))
        params[0] = self._params
        self._params, self._state, losses = stacked_loop(
            self.problem.loss_grad_stacked, self.optimizer.update, self._params, self._state,
            items, rates, grads, params, count, runs,
        )  # fmt: skip
        self._t += count
        if losses is None:  # the problem computes batch losses for the whole chunk at once
            losses = self.problem.batch_losses(prepared, params[:-1], grads)
        return {"batch_loss": losses, "g1": grads[:, 0], "g2": grads[:, 1],
                "p1": params[1:, 0], "p2": params[1:, 1]}  # fmt: skip

    def _check_stops(self, first_row, loss, p1, p2, batch_loss, overflow_step) -> None:
        """Divergence, convergence and per-run budgets of each active run within the rows just
        appended; the earliest event of a run decides how it ends."""
        finite = np.isfinite(loss) & np.isfinite(p1) & np.isfinite(p2) & np.isfinite(batch_loss)
        bad = ~finite | (np.abs(loss) > self._loss_limit)
        if self.tol is not None:
            g1, g2 = self.problem.full_grad(p1, p2)
            converged = np.hypot(g1, g2) <= self.tol
        else:
            converged = np.zeros_like(bad)
        rows = len(loss)
        first_step = int(self.trajectory.step[first_row]) if rows else self._t + 1
        # Row index (within the chunk) where each run's budget is reached; `rows` when later.
        budget_row = (
            np.clip(self.budgets - first_step, 0, rows) if self.budgets is not None else None
        )
        events = chunk_stops(bad, finite, converged, budget_row, loss, overflow_step,
                             self._active)  # fmt: skip
        for k, kind, row, reason in events:
            if kind == "overflow":  # the iteration after the chunk's last row overflowed
                self._stop(k, RunStatus("diverged", overflow_step, reason), first_row + row)
                continue
            step = int(self.trajectory.step[first_row + row])
            self._stop(k, RunStatus(kind, step, reason), first_row + row)

    def _stop(self, run: int, status: RunStatus, last_row: int) -> None:
        self.statuses[run] = status
        self._active[run] = False
        self.trajectory.truncate_run(run, last_row + 1)
        if self._scalar:
            # The chunk ran past the stop: step and parameters go back to the last valid row.
            self._t = int(self.trajectory.step[last_row])
            fields = self.trajectory.fields
            self._params = (float(fields["p1"][last_row, 0]), float(fields["p2"][last_row, 0]))
