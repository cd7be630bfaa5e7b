"""RunBuffer: the GUI's copy of the current run(s), appended from worker batches, read by views."""

from __future__ import annotations

import numpy as np

from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS, Trajectory

X_AXIS_MODES = ("iterations", "epochs", "examples seen")
# Rows reserved up front (lazily committed memory): growing a buffer of 10^6 rows later would
# copy ~90 MB on the GUI thread and stall a frame for ~250 ms (beyond 5M rows it still grows).
BUFFER_ROWS = 5_000_000


class RunBuffer:
    """Preallocated, geometrically grown arrays of K runs (1 normally, 2-6 when comparing);
    views draw slices of them. Rows a stopped run never reached hold NaN."""

    def __init__(self, iterations_per_epoch, capacity: int = 4096, runs: int = 1) -> None:
        ipe = np.broadcast_to(np.maximum(np.asarray(iterations_per_epoch), 1), (runs,))
        self.runs_per_epoch = ipe.astype(int)
        self.runs = runs
        self._trajectory = Trajectory(runs, capacity)
        self.last_examples = np.zeros(0, dtype=np.int64)
        self.markers: list[tuple[int, str]] = []
        # Kept up to date on append, so a frame never rescans the whole history.
        self._seen = np.zeros((capacity, runs))
        self._boundary_rows: list[int] = []

    @property
    def iterations_per_epoch(self) -> int:
        """Iterations per epoch of run 0."""
        return int(self.runs_per_epoch[0])

    def __len__(self) -> int:
        return self._trajectory.length

    def append(self, rows: dict, last_examples: np.ndarray, ends=None) -> None:
        """Add rows (fields ``(n, K)``); ``ends`` are the valid rows of each run so far."""
        count = len(rows["step"])
        if count:
            first = self._trajectory.length
            values = {name: rows[name] for name in FLOAT_FIELDS + INT_FIELDS}
            self._trajectory.append(rows["step"], values)
            self._index_new_rows(first)
        self._trajectory.ends[:] = (
            self._trajectory.length if ends is None or not len(ends) else ends
        )
        if last_examples.size or count:
            self.last_examples = last_examples

    def column(self, name: str, run: int = 0) -> np.ndarray:
        """A view of one field of one run over the rows so far (no copy)."""
        n = self._trajectory.length
        if name == "step":
            return self._trajectory.step[:n]
        return self._trajectory.fields[name][:n, run]

    def last(self, name: str, default=np.nan, run: int = 0):
        n = self._trajectory.length
        return self.column(name, run)[n - 1] if n else default

    def end(self, run: int) -> int:
        """Valid rows of a run (a run that stopped early has fewer than ``len(self)``)."""
        return int(min(self._trajectory.ends[run], len(self)))

    def last_valid(self, name: str, run: int) -> float:
        """The value of a run's last valid row."""
        end = self.end(run)
        return float(self.column(name, run)[end - 1]) if end else float("nan")

    def _index_new_rows(self, first: int) -> None:
        """Examples seen and epoch starts for rows ``first ..`` (O(new rows))."""
        n = self._trajectory.length
        if n > self._seen.shape[0]:
            grown = np.zeros((max(n, 2 * self._seen.shape[0]), self.runs))
            grown[: self._seen.shape[0]] = self._seen
            self._seen = grown
        before = self._seen[first - 1] if first else 0.0
        sizes = self._trajectory.fields["size"][first:n]
        self._seen[first:n] = before + np.cumsum(sizes, axis=0)
        epochs = self.column("epoch")
        lo = max(first - 1, 0)
        new_epochs = np.flatnonzero(np.diff(epochs[lo:n]) > 0) + lo  # row before a new epoch
        self._boundary_rows.extend(int(r) for r in new_epochs if epochs[r] > 0)

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
        """The loss curve's x axis at ``rows`` (default all) for one run: iterations, epochs
        (fractional: iterations / iterations per epoch) or examples seen."""
        rows = slice(None) if rows is None else rows
        if mode == "examples seen":
            return self._seen[: len(self), run][rows]
        steps = self.column("step")[rows]
        if mode == "epochs":
            return steps / self.runs_per_epoch[run]
        return steps.astype(float)

    def epoch_boundaries(self, mode: str, n: int | None = None) -> np.ndarray:
        """x positions where a new epoch of run 0 begins (after the first), within the first
        ``n`` rows (default all)."""
        rows = np.asarray(self._boundary_rows, dtype=np.intp)
        if n is not None:
            rows = rows[rows < n - 1]
        return self.x_values(mode, rows)
