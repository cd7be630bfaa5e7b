"""Recording: the one record of what a run did, which the views draw and sessions save.

The engine appends rows to its trainer's :class:`~gdviz.core.trajectory.Trajectory` on its own
thread; the recording reads that same trajectory's arrays (no copy), but only up to the rows
*published* to it (:meth:`publish`, called on the reader's thread when the engine reports
progress, with the trajectory's :class:`~gdviz.core.trajectory.Rows` snapshot taken on the
engine's thread). Rows below the published count are never written again, and a trajectory that
grows or thins its history writes new arrays, so reading the snapshot's while the engine appends
is safe. A long run's history is thinned (the trajectory's docstring): the recording then holds
fewer rows than iterations, each with its own step, epoch and examples seen.

Besides the rows it keeps the rows where a new epoch begins (so that no frame rescans the
history), how each run ended, the markers of hyperparameter changes and the newest batch's
example indices.
"""

from __future__ import annotations

import numpy as np

from gdviz.core.stops import RunStatus
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS, Rows, Trajectory

X_AXIS_MODES = ("iterations", "epochs", "examples seen")


class Recording:
    """Rows ``0 .. len(self) - 1`` of a trajectory of K runs, as published so far."""

    def __init__(self, trajectory: Trajectory, statuses=None) -> None:
        self.runs = trajectory.runs
        self._rows = 0
        self._store: Rows = trajectory.rows()  # the arrays read, as of the last publish
        self._ends = np.zeros(self.runs, dtype=np.int64)
        self.statuses: tuple[RunStatus, ...] = tuple(statuses or (RunStatus(),) * self.runs)
        self.markers: list[tuple[int, str]] = []
        self.last_examples = np.zeros(0, dtype=np.int64)
        # (epoch, counts): how often each example was used in the newest row's epoch, up to it
        self.epoch_counts: tuple[int, np.ndarray] | None = None
        self._boundaries = np.zeros(64, dtype=np.int64)  # grown geometrically
        self._boundary_count = 0
        self.thinned_before = 0  # times a saved session's history had been thinned
        self.publish(trajectory.length, trajectory.ends, self.statuses, snapshot=self._store)

    @classmethod
    def from_columns(cls, columns: dict, statuses=(), markers=(), thinned: int = 0) -> Recording:
        """A recording of saved columns (a session's trajectory: ``step``, every field ``(n, K)``
        (``seen`` is counted from ``size`` when missing), ``ends`` and optionally
        ``last_examples`` and ``epoch_counts``); ``thinned``: times its history had been halved."""
        runs = len(columns["ends"])
        n = len(columns["step"])
        trajectory = Trajectory(runs, max(n, 2))
        values = {name: columns[name] for name in FLOAT_FIELDS + INT_FIELDS if name in columns}
        trajectory.append(np.asarray(columns["step"]), values)
        trajectory.ends[:] = columns["ends"]
        recording = cls(trajectory, statuses or None)
        recording.thinned_before = int(thinned)
        recording.markers = [(int(step), str(text)) for step, text in markers]
        recording.last_examples = np.asarray(columns.get("last_examples", []), dtype=np.int64)
        counts = columns.get("epoch_counts")
        if counts is not None and len(counts):  # of the epoch of run 0's last row
            epoch = int(columns["epoch"][max(int(columns["ends"][0]) - 1, 0)][0])
            recording.epoch_counts = (epoch, np.asarray(counts, dtype=np.int32))
        return recording

    # -- what the engine reports ------------------------------------------------------------------
    def publish(self, rows: int, ends, statuses, markers=(), last_examples=None,
                snapshot: Rows | None = None, epoch_counts=None) -> None:  # fmt: skip
        """The engine has written rows up to ``rows`` (each run valid up to ``ends``) into the
        arrays of ``snapshot`` (default: those published before); ``last_examples`` and
        ``epoch_counts`` (see EpochTally) are those of the newest row, when given. Fewer rows
        than before: the run went back, and the rows after are forgotten (the engine writes
        them again only after this call, on the same thread, while it is stopped)."""
        if snapshot is not None:
            if snapshot.thinned != self._store.thinned:  # other rows: index them afresh
                self._rows = self._boundary_count = 0
            self._store = snapshot
        rows = min(int(rows), self._store.length)
        if rows < self._rows:  # the run went back (step back): forget the rows after
            self._forget_after(rows)
        first = self._rows
        self._ends = np.minimum(np.asarray(ends, dtype=np.int64), rows)
        self.statuses = tuple(statuses)
        self.markers.extend(markers)
        if last_examples is not None:
            self.last_examples = np.asarray(last_examples)
            self.epoch_counts = epoch_counts
        if rows > first:
            self._rows = rows
            self._index_new_rows(first, rows)

    def _forget_after(self, rows: int) -> None:
        """Keep rows ``0 .. rows - 1`` only, with the epoch starts and markers among them."""
        self._rows = rows
        kept = self._boundaries[: self._boundary_count]
        self._boundary_count = int(np.searchsorted(kept, rows - 1))  # row b and b + 1 both kept
        last_step = int(self._store.step[rows - 1]) if rows else 0
        self.markers = [(step, text) for step, text in self.markers if step <= last_step]

    @property
    def thinned(self) -> int:
        """Times the history was halved (0: every iteration is a row)."""
        return max(self._store.thinned, self.thinned_before)

    def _index_new_rows(self, first: int, rows: int) -> None:
        """Epoch starts for rows ``first .. rows - 1`` (O(new rows))."""
        epochs = self._store.fields["epoch"][:rows, 0]
        lo = max(first - 1, 0)
        new = np.flatnonzero(np.diff(epochs[lo:rows]) > 0) + lo  # the row before a new epoch
        new = new[epochs[new] > 0]
        count = self._boundary_count + new.size
        if count > self._boundaries.size:
            grown = np.zeros(max(count, 2 * self._boundaries.size), dtype=np.int64)
            grown[: self._boundary_count] = self._boundaries[: self._boundary_count]
            self._boundaries = grown
        self._boundaries[self._boundary_count : count] = new
        self._boundary_count = count

    # -- reading ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._rows

    def end(self, run: int = 0) -> int:
        """Valid rows of a run (one that stopped early has fewer than ``len(self)``)."""
        return int(self._ends[run])

    @property
    def ends(self) -> tuple[int, ...]:
        return tuple(int(e) for e in self._ends)

    def column(self, name: str, run: int = 0) -> np.ndarray:
        """A read-only view of one field of one run over the published rows (no copy)."""
        source = self._store.step if name == "step" else self._store.fields[name][:, run]
        view = source[: self._rows]
        view.flags.writeable = False
        return view

    def last(self, name: str, default=np.nan, run: int = 0):
        """The value of a run's last valid row."""
        end = self.end(run)
        return self.column(name, run)[end - 1] if end else default

    def columns(self, rows: int | None = None) -> dict:
        """Copies of the first ``rows`` rows (default all) in a session's column layout."""
        n = self._rows if rows is None else min(int(rows), self._rows)
        out = {"step": np.array(self._store.step[:n])}
        for name in INT_FIELDS + FLOAT_FIELDS:
            out[name] = np.array(self._store.fields[name][:n])
        out["ends"] = np.minimum(self._ends, n)
        out["last_examples"] = np.asarray(self.last_examples, dtype=np.int64)
        if self.epoch_counts is not None:
            out["epoch_counts"] = np.asarray(self.epoch_counts[1], dtype=np.int64)
        return out

    def row_of_step(self, step: int) -> int:
        """The row of iteration ``step`` (the last row when it lies beyond)."""
        steps = self.column("step")
        return min(int(np.searchsorted(steps, step)), max(len(steps) - 1, 0))

    def draw_rows(self, cap: int, tail: int = 0, n: int | None = None) -> np.ndarray:
        """Rows to draw of the first ``n`` (default all): at most about ``cap`` evenly strided,
        plus the last ``tail`` rows exactly (the recent path is drawn point by point), always
        including the newest."""
        n = len(self) if n is None else n
        if n <= cap + tail:
            return np.arange(n)
        step = -(-(n - tail) // cap)
        return np.concatenate([np.arange(0, n - tail, step), np.arange(n - tail, n)])

    def x_values(self, mode: str, rows: np.ndarray | None = None, run: int = 0) -> np.ndarray:
        """The loss curve's x at ``rows`` (default all) for one run: iterations; epochs, from
        the recorded epoch and batch (``epoch - 1 + batch / iterations of that epoch``, so a
        batch-size change never moves the history drawn before it); or examples seen."""
        rows = np.arange(self._rows) if rows is None else np.asarray(rows, dtype=np.intp)
        fields = self._store.fields
        if mode == "examples seen":
            return fields["seen"][rows, run].astype(float)
        if mode == "epochs":
            epoch = fields["epoch"][rows, run].astype(float)
            batch = fields["batch"][rows, run]
            length = np.maximum(fields["epoch_iterations"][rows, run], 1)
            return np.where(epoch > 0, epoch - 1 + batch / length, 0.0)
        return self._store.step[rows].astype(float)

    def epoch_boundaries(self, mode: str, n: int | None = None) -> np.ndarray:
        """x positions where a new epoch of run 0 begins (after the first), within the first
        ``n`` rows (default all)."""
        rows = self._boundaries[: self._boundary_count]
        if n is not None:
            rows = rows[: np.searchsorted(rows, n - 1)]
        return self.x_values(mode, rows)
