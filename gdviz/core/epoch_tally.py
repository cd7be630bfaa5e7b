"""EpochTally: how many times each example has been used so far in the epoch in progress.

The lesson's picture of an epoch: with shuffling every example is used exactly once (the tally
fills up, each count 1, and starts again at 0 with the next epoch); drawing with replacement
picks some examples twice or more and misses others (counts of 0, 1, 2, …). The data view greys
the examples used so far and marks the repeats.

The engine samples its batches a chunk of iterations at a time, so the tally keeps the counts of
the batches *before* the latest chunk (``base``, for the epoch ``base_epoch``) and the latest
chunk's batches as they are: the counts after any batch of that chunk are ``base`` (when it is
the same epoch) plus the batches of that epoch in the chunk up to it, one ``bincount``. Memory
is O(N + chunk); nothing grows with the number of iterations.
"""

from __future__ import annotations

import numpy as np

# Examples tallied at most: the counts are copied for the window at every report, and beyond
# this many examples the data view draws a density, not points that could be greyed.
TALLY_UP_TO = 20_000


class EpochTally:
    """The counts of each of ``n_examples`` examples in the epoch in progress."""

    def __init__(self, n_examples: int) -> None:
        self.n_examples = int(n_examples)
        self._base = np.zeros(self.n_examples, dtype=np.int32)
        self._base_epoch = 0  # epochs are 1-based; 0 is the start row's
        self._indices = np.zeros(0, dtype=np.intp)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._epochs = np.zeros(0, dtype=np.int64)
        self._full = False

    def add_chunk(self, indices, offsets, epochs, full: bool = False) -> None:
        """The batches of the next ``len(epochs)`` iterations: batch ``i`` is
        ``indices[offsets[i]:offsets[i + 1]]`` (``full``: every batch is all of ``indices``, one
        epoch each) and belongs to the 1-based epoch ``epochs[i]``. The arrays are kept, not
        copied (the trajectory's own, for its latest chunk)."""
        self._fold()
        self._indices, self._offsets = np.asarray(indices), np.asarray(offsets)
        self._epochs = np.asarray(epochs, dtype=np.int64).ravel()
        self._full = bool(full)

    def counts(self, batch: int = -1) -> tuple[int, np.ndarray]:
        """``(epoch, counts)`` after the 0-based ``batch`` of the latest chunk (-1: before the
        chunk); ``counts[i]`` is how often example ``i`` was used in ``epoch`` up to then."""
        if batch < 0 or self._epochs.size == 0:
            return self._base_epoch, self._base.copy()
        batch = min(int(batch), self._epochs.size - 1)
        epoch = int(self._epochs[batch])
        if self._full:  # one batch is one epoch: every example once
            return epoch, np.ones(self.n_examples, dtype=np.int32)
        first = int(np.searchsorted(self._epochs, epoch))  # the epoch's first batch here
        start, stop = self._offsets[first], self._offsets[batch + 1]
        counts = self._base.copy() if epoch == self._base_epoch else np.zeros_like(self._base)
        counts += np.bincount(self._indices[start:stop], minlength=self.n_examples).astype(
            np.int32, copy=False
        )
        return epoch, counts

    def snapshot(self) -> tuple[int, np.ndarray]:
        """``(epoch, counts)`` after every batch added so far (a copy)."""
        return self.counts(self._epochs.size - 1) if self._epochs.size else self.counts(-1)

    def restore(self, epoch: int, counts: np.ndarray) -> None:
        """Stand where :meth:`snapshot` returned ``(epoch, counts)`` (a run gone back)."""
        self._base_epoch, self._base = int(epoch), np.array(counts, dtype=np.int32)
        self._indices = np.zeros(0, dtype=np.intp)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._epochs = np.zeros(0, dtype=np.int64)
        self._full = False

    def _fold(self) -> None:
        """Move the latest chunk into ``base``: the counts after its last batch."""
        if self._epochs.size:
            self._base_epoch, self._base = self.counts(self._epochs.size - 1)
