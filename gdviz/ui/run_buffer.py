"""RunBuffer: the GUI's copy of the current run, appended from worker batches, read by views."""

from __future__ import annotations

import numpy as np

from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS, Trajectory

X_AXIS_MODES = ("iterations", "epochs", "examples seen")


class RunBuffer:
    """Preallocated, geometrically grown arrays of one run; views draw slices of them."""

    def __init__(self, iterations_per_epoch: int, capacity: int = 4096) -> None:
        self.iterations_per_epoch = max(1, iterations_per_epoch)
        self._trajectory = Trajectory(1, capacity)
        self.last_examples = np.zeros(0, dtype=np.int64)
        self.markers: list[tuple[int, str]] = []
        # Kept up to date on append, so a frame never rescans the whole history.
        self._seen = np.zeros(capacity)
        self._boundary_rows: list[int] = []

    def __len__(self) -> int:
        return self._trajectory.length

    def append(self, rows: dict, last_examples: np.ndarray) -> None:
        count = len(rows["step"])
        if count:
            first = self._trajectory.length
            values = {name: rows[name] for name in FLOAT_FIELDS + INT_FIELDS}
            self._trajectory.append(rows["step"], values)
            self._trajectory.ends[0] = self._trajectory.length
            self._index_new_rows(first)
        if last_examples.size or count:
            self.last_examples = last_examples

    def column(self, name: str) -> np.ndarray:
        """A view of one field over the rows so far (no copy)."""
        n = self._trajectory.length
        if name == "step":
            return self._trajectory.step[:n]
        return self._trajectory.fields[name][:n, 0]

    def last(self, name: str, default=np.nan):
        n = self._trajectory.length
        return self.column(name)[n - 1] if n else default

    def _index_new_rows(self, first: int) -> None:
        """Examples seen and epoch starts for rows ``first ..`` (O(new rows))."""
        n = self._trajectory.length
        if n > self._seen.size:
            grown = np.zeros(max(n, 2 * self._seen.size))
            grown[: self._seen.size] = self._seen
            self._seen = grown
        before = self._seen[first - 1] if first else 0.0
        sizes = self.column("size")[first:n]
        self._seen[first:n] = before + np.cumsum(sizes)
        epochs = self.column("epoch")
        lo = max(first - 1, 0)
        new_epochs = np.flatnonzero(np.diff(epochs[lo:n]) > 0) + lo  # row before a new epoch
        self._boundary_rows.extend(int(r) for r in new_epochs if epochs[r] > 0)

    def draw_rows(self, cap: int, tail: int = 0) -> np.ndarray:
        """Rows to draw: at most about ``cap`` evenly strided, plus the last ``tail`` rows
        exactly (the recent path is drawn point by point), always including the newest."""
        n = len(self)
        if n <= cap + tail:
            return np.arange(n)
        step = -(-(n - tail) // cap)
        return np.concatenate([np.arange(0, n - tail, step), np.arange(n - tail, n)])

    def x_values(self, mode: str, rows: np.ndarray | None = None) -> np.ndarray:
        """The loss curve's x axis at ``rows`` (default all): iterations, epochs (fractional)
        or examples seen."""
        rows = slice(None) if rows is None else rows
        if mode == "examples seen":
            return self._seen[: len(self)][rows]
        steps = self.column("step")[rows]
        if mode == "epochs":
            return steps / self.iterations_per_epoch
        return steps.astype(float)

    def epoch_boundaries(self, mode: str) -> np.ndarray:
        """x positions where a new epoch begins (after the first)."""
        return self.x_values(mode, np.asarray(self._boundary_rows, dtype=np.intp))
