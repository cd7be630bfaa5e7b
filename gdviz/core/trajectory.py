"""Trajectory: the per-iteration record of K runs in preallocated, growable numpy arrays, bounded
in memory when asked: the recent part at full resolution, the older history thinned.

Thinning (``max_rows``): when an append would pass ``max_rows`` rows, the older half of the rows
held is thinned to every second row, and the newest ``max_rows / 2`` rows are kept as they are;
the start row and each run's last valid row are always kept. Repeated, it leaves a history whose
resolution halves with age (the first rows every 2nd, 4th, 8th, ... row) in at most ``max_rows``
rows: the path and the curves still show the whole run, and the memory is bounded whatever the
budget. Each row keeps its own ``step``, ``epoch`` and examples ``seen``, so a thinned history is
drawn against the right x; ``made`` counts every row ever appended and ``thinned`` how many
times the history was halved.

Readers on another thread hold a :class:`Rows` snapshot (:meth:`Trajectory.rows`): growing and
thinning write new arrays and never touch the ones a snapshot holds, so its first ``length`` rows
stay valid for as long as the reader keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdviz.core.epoch_tally import TALLY_UP_TO, EpochTally

# Per-run fields, each stored as an array of shape (capacity, K). Row 0 is the start point.
FLOAT_FIELDS = ("lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")
INT_FIELDS = ("epoch", "batch", "epoch_iterations", "size", "seen")
ROW_BYTES_PER_RUN = 8 * (len(FLOAT_FIELDS) + len(INT_FIELDS))  # plus 8 for the row's step


def rows_within(bytes_: int, runs: int) -> int:
    """Rows of ``runs`` runs that fit in ``bytes_`` (at least 1,024)."""
    return max(1024, int(bytes_) // (8 + runs * ROW_BYTES_PER_RUN))


@dataclass(frozen=True)
class Rows:
    """What a reader on another thread may read: the first ``length`` rows of these arrays."""

    step: np.ndarray
    fields: dict
    length: int
    ends: np.ndarray  # a copy: valid rows of each run
    thinned: int  # times the history had been halved when this was taken


class Trajectory:
    """Rows ``0 .. length-1``: row 0 is the start (step 0), row k the state after update k
    (after thinning: the k-th row kept).

    Per row and run: ``epoch`` and ``batch`` (1-based; 0 on the start row), ``epoch_iterations``
    (the iterations of that epoch, N/B rounded as the sampler does: the batch size in effect then
    decides it), ``size`` (examples in the batch), ``seen`` (examples used so far, this batch
    included), ``lr`` used, parameters ``p1, p2`` after the update, the ``batch_loss`` and batch
    gradient ``g1, g2`` that produced it, and the full training ``loss`` after it. Fields that do
    not exist for the start row are NaN there. ``ends[k]`` is the number of valid rows of run k
    (a run that diverged or converged stops early). With ``record_examples`` the indices of the
    batches of the latest appended chunk are kept (for runs that share their batches): a caller
    that wants every batch (``gdviz run --log-batches``) writes them out after each chunk, and
    memory does not grow with N x iterations.
    """

    def __init__(self, runs: int, capacity: int = 1024, record_examples: bool = False,
                 max_rows: int | None = None, n_examples: int = 0) -> None:  # fmt: skip
        self.runs = runs
        self.length = 0
        self.made = 0  # rows ever appended (more than length once the history was thinned)
        self.thinned = 0
        self.max_rows = None if max_rows is None else max(int(max_rows), 1024)
        self.ends = np.zeros(runs, dtype=np.int64)
        capacity = max(int(capacity), 2)
        if self.max_rows is not None:
            capacity = min(capacity, self.max_rows)
        # np.empty: the operating system commits pages only when rows are written, so a large
        # capacity costs nothing until it is used (append writes every field of every row).
        self.step = np.empty(capacity, dtype=np.int64)
        self.fields = _empty_fields(capacity, runs)
        self.record_examples = record_examples
        self._chunk_first = 0  # row of the first batch kept in _chunk_examples
        self._chunk_examples = np.zeros(0, dtype=np.int32)
        self._chunk_offsets = np.zeros(1, dtype=np.int64)
        self._chunk_full = False
        # With recorded examples of at most TALLY_UP_TO examples: their use in the epoch.
        tally = record_examples and 0 < n_examples <= TALLY_UP_TO
        self.tally = EpochTally(n_examples) if tally else None

    @property
    def capacity(self) -> int:
        return self.step.shape[0]

    def rows(self) -> Rows:
        """A snapshot for a reader on another thread (see the module docstring)."""
        return Rows(self.step, self.fields, self.length, self.ends.copy(), self.thinned)

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more rows: grow geometrically (amortised O(1) per row), or
        thin the history when that would pass ``max_rows``."""
        needed = self.length + rows
        if self.max_rows is not None and needed > self.max_rows:
            self._thin(rows)
            needed = self.length + rows
        if needed <= self.capacity:
            return
        new_capacity = max(needed, 2 * self.capacity)
        if self.max_rows is not None:
            new_capacity = max(needed, min(new_capacity, self.max_rows))
        self.step = _grown(self.step, new_capacity)
        self.fields = {name: _grown(a, new_capacity) for name, a in self.fields.items()}

    def _thin(self, incoming: int) -> None:
        """Every second row of the older half, the newest half as it is (module docstring)."""
        recent = min(self.length, max(self.max_rows // 2, incoming))
        split = self.length - recent
        keep = np.concatenate([np.arange(0, split, 2), np.arange(split, self.length)])
        last_rows = self.ends[self.ends > 0] - 1  # each run's last valid row is kept
        odd_old = last_rows[(last_rows < split) & (last_rows % 2 == 1)]
        if odd_old.size:
            keep = np.union1d(keep, odd_old)
        capacity = max(min(self.capacity, self.max_rows), len(keep) + incoming)
        step = np.empty(capacity, dtype=np.int64)
        fields = _empty_fields(capacity, self.runs)
        for target, source in (
            (step, self.step),
            *((fields[n], a) for n, a in self.fields.items()),
        ):
            if odd_old.size:  # a run that stopped long ago: its row among the thinned ones
                target[: len(keep)] = source[keep]
            else:  # two slices copy ~3x faster than the same rows gathered by index
                old = (split + 1) // 2
                target[:old] = source[0:split:2]
                target[old : len(keep)] = source[split : self.length]
        # New arrays: a reader's snapshot keeps the old ones, whole, until it lets them go.
        self.step, self.fields = step, fields
        self.ends = np.searchsorted(keep, self.ends).astype(np.int64)
        self._chunk_first = int(np.searchsorted(keep, self._chunk_first))
        self.length = len(keep)
        self.thinned += 1

    def append(self, step: np.ndarray, values: dict[str, np.ndarray], examples=None) -> None:
        """Append ``len(step)`` rows; ``values[name]`` has shape ``(rows,)`` or ``(rows, K)``
        (``seen`` is counted here from ``size`` unless given)."""
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
        if "seen" not in values:
            before = self.fields["seen"][start - 1] if start else 0
            np.cumsum(self.fields["size"][start:stop], axis=0, out=self.fields["seen"][start:stop])
            self.fields["seen"][start:stop] += before
        if self.record_examples and examples is not None:
            flat, sizes, *full = examples  # full: every batch is all of ``flat``
            self._chunk_first = start
            self._chunk_examples = np.asarray(flat)
            self._chunk_full = bool(full and full[0])
            self._chunk_offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
            if self.tally is not None:
                epochs = np.reshape(values["epoch"], (rows, -1))[:, 0]
                self.tally.add_chunk(self._chunk_examples, self._chunk_offsets, epochs,
                                     self._chunk_full)  # fmt: skip
        self.length = stop
        self.made += rows

    def examples(self, row: int) -> np.ndarray:
        """Indices of the examples in the batch of row ``row``: kept for the rows of the latest
        chunk only (empty for other rows, the start row, or without ``record_examples``)."""
        k = row - self._chunk_first
        if not self.record_examples or not 0 <= k < len(self._chunk_offsets) - 1:
            return np.zeros(0, dtype=np.int32)
        if self._chunk_full:
            return self._chunk_examples
        return self._chunk_examples[self._chunk_offsets[k] : self._chunk_offsets[k + 1]]

    def epoch_counts(self, row: int) -> tuple[int, np.ndarray] | None:
        """``(epoch, counts)``: how often each example was used in the epoch of row ``row``, up
        to and including its batch (see EpochTally); for the rows of the latest chunk, and the
        row before it (None for other rows, or without a tally)."""
        k = row - self._chunk_first
        batches = len(self._chunk_offsets) - 1  # 0 before the first chunk: row 0, the start
        if self.tally is None or not -1 <= k < max(batches, 1):
            return None
        return self.tally.counts(k if batches else -1)

    def truncate(self, rows: int) -> None:
        """Keep only the first ``rows`` rows of every run (a run gone back: the rows after are
        written again). No batch is kept until the next append."""
        rows = min(int(rows), self.length)
        self.made -= self.length - rows
        self.length = rows
        self.ends[:] = rows
        self._chunk_first = rows
        self._chunk_examples = np.zeros(0, dtype=np.int32)
        self._chunk_offsets = np.zeros(1, dtype=np.int64)
        self._chunk_full = False

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


def _empty_fields(capacity: int, runs: int) -> dict[str, np.ndarray]:
    fields = {name: np.empty((capacity, runs)) for name in FLOAT_FIELDS}
    fields.update({name: np.empty((capacity, runs), dtype=np.int64) for name in INT_FIELDS})
    return fields


def _grown(array: np.ndarray, rows: int) -> np.ndarray:
    grown = np.empty((rows, *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown
