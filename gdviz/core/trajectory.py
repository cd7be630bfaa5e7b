"""Trajectory: the per-iteration record of K runs in preallocated, growable numpy arrays."""

from __future__ import annotations

import numpy as np

# Per-run fields, each stored as an array of shape (capacity, K). Row 0 is the start point.
FLOAT_FIELDS = ("lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")
INT_FIELDS = ("epoch", "batch", "epoch_iterations", "size")


class Trajectory:
    """Rows ``0 .. length-1``: row 0 is the start (step 0), row k the state after update k.

    Per row and run: ``epoch`` and ``batch`` (1-based; 0 on the start row), ``epoch_iterations``
    (the iterations of that epoch, N/B rounded as the sampler does: the batch size in effect then
    decides it), ``size`` (examples in the batch), ``lr`` used, parameters ``p1, p2`` after the
    update, the ``batch_loss`` and batch gradient ``g1, g2`` that produced it, and the full
    training ``loss`` after it. Fields that do not exist for the start row are NaN there.
    ``ends[k]`` is the number of valid rows of run k (a run that diverged or converged stops
    early). With ``record_examples`` the indices of the
    batches of the latest appended chunk are kept (for runs that share their batches): a caller
    that wants every batch (``gdviz run --log-batches``) writes them out after each chunk, and
    memory does not grow with N x iterations.
    """

    def __init__(self, runs: int, capacity: int = 1024, record_examples: bool = False) -> None:
        self.runs = runs
        self.length = 0
        self.ends = np.zeros(runs, dtype=np.int64)
        capacity = max(int(capacity), 2)
        # np.empty: the operating system commits pages only when rows are written, so a large
        # capacity costs nothing until it is used (append writes every field of every row).
        self.step = np.empty(capacity, dtype=np.int64)
        self.fields = {name: np.empty((capacity, runs)) for name in FLOAT_FIELDS}
        self.fields.update(
            {name: np.empty((capacity, runs), dtype=np.int64) for name in INT_FIELDS}
        )
        self.record_examples = record_examples
        self._chunk_first = 0  # row of the first batch kept in _chunk_examples
        self._chunk_examples = np.zeros(0, dtype=np.int32)
        self._chunk_offsets = np.zeros(1, dtype=np.int64)

    @property
    def capacity(self) -> int:
        return self.step.shape[0]

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more rows, growing geometrically (amortised O(1) per row)."""
        needed = self.length + rows
        if needed <= self.capacity:
            return
        new_capacity = max(needed, 2 * self.capacity)
        self.step = _grown(self.step, new_capacity)
        self.fields = {name: _grown(a, new_capacity) for name, a in self.fields.items()}

    def append(self, step: np.ndarray, values: dict[str, np.ndarray], examples=None) -> None:
        """Append ``len(step)`` rows; ``values[name]`` has shape ``(rows,)`` or ``(rows, K)``."""
        rows = len(step)
        self.reserve(rows)
        start, stop = self.length, self.length + rows
        self.step[start:stop] = step
        for name, array in self.fields.items():
            target = array[start:stop]
            if name not in values:  # e.g. the start row has no batch loss or gradient
                target[...] = np.nan if array.dtype.kind == "f" else 0
                continue
            value = values[name]
            target[...] = value if np.ndim(value) == 2 else np.reshape(value, (rows, -1))
        if self.record_examples and examples is not None:
            flat, sizes = examples
            self._chunk_first = start
            self._chunk_examples = np.asarray(flat)
            self._chunk_offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        self.length = stop

    def examples(self, row: int) -> np.ndarray:
        """Indices of the examples in the batch of row ``row``: kept for the rows of the latest
        chunk only (empty for other rows, the start row, or without ``record_examples``)."""
        k = row - self._chunk_first
        if not self.record_examples or not 0 <= k < len(self._chunk_offsets) - 1:
            return np.zeros(0, dtype=np.int32)
        return self._chunk_examples[self._chunk_offsets[k] : self._chunk_offsets[k + 1]]

    def truncate_run(self, run: int, rows: int) -> None:
        """Mark only the first ``rows`` rows of ``run`` as valid."""
        self.ends[run] = min(self.ends[run], rows)

    def column(self, name: str, run: int = 0) -> np.ndarray:
        """Read-only view of one field of one run over its valid rows."""
        source = self.step if name == "step" else self.fields[name][:, run]
        view = source[: self.ends[run]]
        view.flags.writeable = False
        return view

    def run_view(self, run: int = 0) -> dict[str, np.ndarray]:
        """All fields of one run (plus ``step``) as read-only views."""
        return {name: self.column(name, run) for name in ("step", *self.fields)}


def _grown(array: np.ndarray, rows: int) -> np.ndarray:
    grown = np.empty((rows, *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown
