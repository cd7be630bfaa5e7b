"""Trajectory: the per-iteration record of K runs in preallocated, growable numpy arrays."""

from __future__ import annotations

import numpy as np

# Per-run fields, each stored as an array of shape (capacity, K). Row 0 is the start point.
FLOAT_FIELDS = ("lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")
INT_FIELDS = ("epoch", "batch", "size")


class Trajectory:
    """Rows ``0 .. length-1``: row 0 is the start (step 0), row k the state after update k.

    Per row and run: ``epoch`` and ``batch`` (1-based; 0 on the start row), ``size`` (examples in
    the batch), ``lr`` used, parameters ``p1, p2`` after the update, the ``batch_loss`` and batch
    gradient ``g1, g2`` that produced it, and the full training ``loss`` after it. Fields that do
    not exist for the start row are NaN there. ``ends[k]`` is the number of valid rows of run k
    (a run that diverged or converged stops early). With ``record_examples`` the indices of each
    batch are kept (one flat int array and offsets), for runs that share their batches.
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
        self._examples = np.zeros(0, dtype=np.int32)
        self._example_count = 0
        self.example_offsets = np.zeros(capacity + 1, dtype=np.int64)

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
        self.example_offsets = _grown(self.example_offsets, new_capacity + 1)

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
        if self.record_examples:
            flat, sizes = (
                examples if examples is not None else (np.zeros(0, np.int32), np.zeros(rows))
            )
            self._store_examples(flat, sizes, start)
        self.length = stop

    def _store_examples(self, flat: np.ndarray, sizes: np.ndarray, start: int) -> None:
        needed = self._example_count + flat.size
        if needed > self._examples.size:
            self._examples = _grown(self._examples, max(needed, 2 * self._examples.size, 1024))
        self._examples[self._example_count : needed] = flat
        offsets = self.example_offsets
        offsets[start + 1 : start + 1 + len(sizes)] = self._example_count + np.cumsum(sizes)
        self._example_count = needed

    def examples(self, row: int) -> np.ndarray:
        """Indices of the examples in the batch of row ``row`` (empty for the start row)."""
        if not self.record_examples or not 0 <= row < self.length:
            return np.zeros(0, dtype=np.int32)
        return self._examples[self.example_offsets[row] : self.example_offsets[row + 1]]

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
