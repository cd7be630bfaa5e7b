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

    def __len__(self) -> int:
        return self._trajectory.length

    def append(self, rows: dict, last_examples: np.ndarray) -> None:
        count = len(rows["step"])
        if count:
            values = {name: rows[name] for name in FLOAT_FIELDS + INT_FIELDS}
            self._trajectory.append(rows["step"], values)
            self._trajectory.ends[0] = self._trajectory.length
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

    def x_values(self, mode: str) -> np.ndarray:
        """The loss curve's x axis: iterations, epochs (fractional) or examples seen."""
        steps = self.column("step")
        if mode == "epochs":
            return steps / self.iterations_per_epoch
        if mode == "examples seen":
            return np.cumsum(self.column("size"))
        return steps.astype(float)

    def epoch_boundaries(self, mode: str) -> np.ndarray:
        """x positions where a new epoch begins (after the first)."""
        epochs = self.column("epoch")
        if epochs.size < 2:
            return np.zeros(0)
        starts = np.flatnonzero(np.diff(epochs) > 0)  # row before the first batch of an epoch
        starts = starts[epochs[starts] > 0]
        return self.x_values(mode)[starts]
