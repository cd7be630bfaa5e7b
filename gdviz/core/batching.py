"""Mini-batch sampling, exactly as the lesson describes it.

* ``batch_size = 1`` is stochastic gradient descent (SGD), ``1 < B < N`` mini-batch SGD and
  ``B = N`` full-batch gradient descent.
* ``shuffle`` (default): each epoch is a fresh random permutation of the N examples split into
  consecutive batches, so every example is used exactly once per epoch. The last, partial batch is
  kept unless ``drop_last``; an epoch is ``ceil(N / B)`` iterations (``floor`` with ``drop_last``).
* ``replacement``: every batch is B examples drawn at random with replacement, so the same example
  can come again, even within one batch. An epoch is still ``ceil(N / B)`` draws (``drop_last``
  does not apply: every batch is full).

Batches and gradient noise come from two random streams of the one seed, and each stream is
drawn in the same order however the iterations are split into chunks: the batches of a run do
not depend on how fast it was played, and a run stepped back and replayed (SamplerPosition)
makes the very same batches again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SAMPLING_MODES = ("shuffle", "replacement")


def iterations_per_epoch(
    n_examples: int, batch_size: int, drop_last: bool = False, sampling: str = "shuffle"
) -> int:
    """Number of iterations (parameter updates) in one epoch: ``ceil(N/B)``, or ``floor`` with
    ``drop_last`` under shuffle sampling."""
    if n_examples < 1 or not 1 <= batch_size <= n_examples:
        raise ValueError(f"batch size must be between 1 and N = {n_examples}, got {batch_size}")
    if drop_last and sampling == "shuffle":
        return n_examples // batch_size
    return math.ceil(n_examples / batch_size)


def regime_name(n_examples: int, batch_size: int) -> str:
    """The name the lesson gives a batch size: SGD, mini-batch SGD or full batch."""
    if batch_size >= n_examples:
        return "full batch"
    return "SGD" if batch_size == 1 else "mini-batch SGD"


@dataclass(frozen=True)
class BatchChunk:
    """The batches of ``len(sizes)`` consecutive iterations.

    Batch ``i`` is ``indices[offsets[i] : offsets[i] + sizes[i]]``; ``epochs[i]`` and
    ``positions[i]`` say which epoch it belongs to and its 0-based place within the epoch.
    ``noise`` holds standard normal draws (shape ``(C, 2)``) for problems with gradient noise.
    ``full``: every batch is the whole training set, ``indices`` once (``0 .. N-1``) and every
    offset 0, so a chunk costs O(N) memory, not O(chunk x N), and a problem may compute its
    full-data terms once (linear regression: O(1) per iteration).
    """

    indices: np.ndarray
    sizes: np.ndarray
    offsets: np.ndarray
    epochs: np.ndarray
    positions: np.ndarray
    with_replacement: bool
    noise: np.ndarray | None = None
    full: bool = False

    def batch(self, i: int) -> np.ndarray:
        if self.full:
            return self.indices
        start = self.offsets[i]
        return self.indices[start : start + self.sizes[i]]


@dataclass(frozen=True)
class SamplerPosition:
    """Where a sampler stands: both random streams, the epoch, the place in it and the epoch's
    permutation. :meth:`BatchSampler.position_state` and :meth:`BatchSampler.restore` save and
    restore it, so the batches after a restore are exactly those after the save."""

    batches: dict  # the batch stream's bit-generator state
    noise: dict
    epoch: int
    position: int
    permutation: np.ndarray


class BatchSampler:
    """Yields the batches of successive iterations, reproducibly from a seed."""

    def __init__(
        self,
        n_examples: int,
        batch_size: int,
        sampling: str = "shuffle",
        drop_last: bool = False,
        seed: int = 0,
        draw_noise: bool = False,
    ) -> None:
        if sampling not in SAMPLING_MODES:
            raise ValueError(
                f"sampling must be one of {', '.join(SAMPLING_MODES)}, got {sampling!r}"
            )
        self.n_examples = n_examples
        self.batch_size = batch_size
        self.sampling = sampling
        self.drop_last = drop_last
        self.iterations_per_epoch = iterations_per_epoch(
            n_examples, batch_size, drop_last, sampling
        )
        self.draw_noise = draw_noise
        self.seed = seed
        # Two streams of one seed: the seed's own for permutations and draws with replacement,
        # and a child of it (independent of the first) for gradient noise.
        self._rng = np.random.default_rng(seed)
        self._noise_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        self._epoch = 0
        self._position = 0  # next batch's place within the current epoch
        self._permutation = np.arange(0)

    @property
    def signature(self) -> tuple:
        """Two samplers with equal signatures and seeds produce identical batches."""
        return (self.n_examples, self.batch_size, self.sampling, self.drop_last, self.draw_noise)

    @property
    def epoch(self) -> int:
        """Epochs completed (the 0-based index of the current epoch)."""
        return self._epoch

    @property
    def position(self) -> int:
        """The 0-based place of the next batch within the current epoch."""
        return self._position

    @property
    def epochs_started(self) -> int:
        """Epochs begun so far (a partly done epoch counts)."""
        return self._epoch + (1 if self._position else 0)

    def position_state(self) -> SamplerPosition:
        """Where the sampler stands now (a copy, which later draws leave alone)."""
        return SamplerPosition(self._rng.bit_generator.state, self._noise_rng.bit_generator.state,
                               self._epoch, self._position, self._permutation)  # fmt: skip

    def restore(self, saved: SamplerPosition) -> None:
        """Stand where ``saved`` was taken (of a sampler with the same signature and seed)."""
        self._rng.bit_generator.state = saved.batches
        self._noise_rng.bit_generator.state = saved.noise
        self._epoch, self._position = saved.epoch, saved.position
        self._permutation = saved.permutation  # replaced at each epoch, never written into

    def copy(self) -> BatchSampler:
        """A sampler standing where this one stands, drawing on its own."""
        twin = BatchSampler(self.n_examples, self.batch_size, self.sampling, self.drop_last,
                            self.seed, self.draw_noise)  # fmt: skip
        twin.restore(self.position_state())
        return twin

    def start_epoch_at(self, epoch: int) -> None:
        """Continue counting from ``epoch`` (0-based) with a fresh epoch."""
        self._epoch, self._position = epoch, 0

    def _sizes_of_epoch(self) -> np.ndarray:
        sizes = np.full(self.iterations_per_epoch, self.batch_size, dtype=np.intp)
        if self.sampling == "shuffle" and not self.drop_last:
            sizes[-1] = self.n_examples - self.batch_size * (self.iterations_per_epoch - 1)
        return sizes

    def _full_batch_chunk(self, count: int) -> BatchChunk:
        """B = N under shuffle: every iteration is one whole epoch and the order within a batch
        does not change its mean, so no permutation is drawn, and the indices are given once
        (``full``: see BatchChunk)."""
        first = self._epoch
        self._epoch += count
        n = self.n_examples
        sizes = np.full(count, n, dtype=np.intp)
        return BatchChunk(
            np.arange(n, dtype=np.intp),
            sizes,
            np.zeros(count, dtype=np.intp),
            np.arange(first, first + count, dtype=np.intp),
            np.zeros(count, dtype=np.intp),
            False,
            self._noise_rng.standard_normal((count, 2)) if self.draw_noise else None,
            full=True,
        )

    def next_chunk(self, count: int) -> BatchChunk:
        """The batches of the next ``count`` iterations."""
        if self.iterations_per_epoch == 1 and self.sampling == "shuffle":
            return self._full_batch_chunk(count)
        epoch_sizes = self._sizes_of_epoch()
        pieces, sizes, epochs, positions = [], [], [], []
        remaining = count
        while remaining > 0:
            if self._position == 0 and self.sampling == "shuffle":
                self._permutation = self._rng.permutation(self.n_examples)
            take = min(remaining, self.iterations_per_epoch - self._position)
            chunk_sizes = epoch_sizes[self._position : self._position + take]
            if self.sampling == "shuffle":
                start = self._position * self.batch_size
                pieces.append(self._permutation[start : start + int(chunk_sizes.sum())])
            else:
                pieces.append(self._rng.integers(0, self.n_examples, int(chunk_sizes.sum())))
            sizes.append(chunk_sizes)
            epochs.append(np.full(take, self._epoch, dtype=np.intp))
            positions.append(np.arange(self._position, self._position + take, dtype=np.intp))
            self._position += take
            remaining -= take
            if self._position == self.iterations_per_epoch:
                self._position = 0
                self._epoch += 1
        all_sizes = np.concatenate(sizes)
        offsets = np.zeros_like(all_sizes)
        np.cumsum(all_sizes[:-1], out=offsets[1:])
        noise = self._noise_rng.standard_normal((count, 2)) if self.draw_noise else None
        return BatchChunk(
            np.concatenate(pieces).astype(np.intp, copy=False),
            all_sizes,
            offsets,
            np.concatenate(epochs),
            np.concatenate(positions),
            self.sampling == "replacement",
            noise,
        )
