"""How runs end: budgets (counted on the sampler's epoch counter), divergence and convergence.

A run stops at the earliest of: divergence (the loss or a parameter is not finite, or the loss
grew beyond DIVERGENCE_FACTOR x max(|starting loss|, 1)), convergence (the full gradient's norm
is at most ``tol``) and its budget. :func:`chunk_stops` finds them in a chunk of rows at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIVERGENCE_FACTOR = 1e6  # |loss| beyond this multiple of max(|starting loss|, 1) is divergence
NO_LIMIT = np.iinfo(np.int64).max // 2


@dataclass(frozen=True)
class RunStatus:
    """How a run ended (or ``running``), with the step and a one-line reason for divergence."""

    status: str = "running"  # running | finished | converged | diverged
    step: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Budget:
    """How long a run trains: ``steps`` iterations in all, or ``epochs`` epochs (``steps`` wins
    when both are set; neither: no limit). Epochs are counted on the sampler's own epoch counter,
    so a batch-size change mid-run (which starts a new epoch) keeps "20 epochs" meaning the end
    of the 20th epoch, whatever the iterations per epoch were before."""

    epochs: int | None = None
    steps: int | None = None

    def end_step(self, step: int, sampler) -> int:
        """The step at which this budget ends, for a run at ``step`` batched by ``sampler``:
        ``(epochs - epochs done) x iterations per epoch - batches done in this epoch`` more."""
        if self.steps is not None:
            return self.steps
        if self.epochs is None:
            return NO_LIMIT
        left = (self.epochs - sampler.epoch) * sampler.iterations_per_epoch - sampler.position
        return step + max(left, 0)


def chunk_stops(bad, finite, converged, budget_row, loss, overflow_step, active) -> list:
    """The runs that stop within a chunk of ``rows`` rows, as ``(run, kind, row, reason)`` with
    ``row`` the index within the chunk of its last valid row. ``bad``, ``finite``, ``converged``
    are ``(rows, K)`` flags; ``budget_row`` the row where each run's budget is reached (``rows``
    when later; None: no budgets); ``overflow_step`` set when float arithmetic overflowed at the
    end of the chunk. The earliest event of a run decides how it ends."""
    rows = len(loss)
    flagged = active & (bad.any(axis=0) | converged.any(axis=0))  # only these need a look
    if budget_row is not None:
        flagged |= active & (budget_row < rows)
    if overflow_step is not None:
        flagged |= active
    stops = []
    for k in np.flatnonzero(flagged):
        first_bad = int(np.argmax(bad[:, k])) if bad[:, k].any() else rows
        first_good = int(np.argmax(converged[:, k])) if converged[:, k].any() else rows
        last_budget = int(budget_row[k]) if budget_row is not None else rows
        if first_bad < rows and first_bad <= min(first_good, last_budget):
            reason = (
                f"loss grew beyond {DIVERGENCE_FACTOR:g} x its starting value "
                f"({abs(loss[first_bad, k]):.3g})"
                if finite[first_bad, k]
                else "the loss or a parameter became infinite or not a number"
            )
            stops.append((k, "diverged", first_bad, reason))
        elif first_good < rows and first_good <= last_budget:
            stops.append((k, "converged", first_good, ""))
        elif last_budget < rows:
            stops.append((k, "finished", last_budget, ""))
        elif overflow_step is not None:
            reason = "the update overflowed the range of floating-point numbers"
            stops.append((k, "overflow", rows - 1, reason))
    return stops
