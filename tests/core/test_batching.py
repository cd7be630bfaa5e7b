"""Mini-batch sampling: iteration counts, coverage of every example, counters, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz.core.batching import BatchSampler, iterations_per_epoch, regime_name


@pytest.mark.parametrize(
    ("n", "b", "keep_last", "drop_last"),
    [(100, 10, 10, 10), (1000, 100, 10, 10), (100, 1, 100, 100), (10, 3, 4, 3), (10, 10, 1, 1)],
)
def test_iterations_per_epoch(n, b, keep_last, drop_last):
    assert iterations_per_epoch(n, b) == keep_last == math.ceil(n / b)
    assert iterations_per_epoch(n, b, drop_last=True) == drop_last == n // b
    # with replacement every batch is full and drop_last does not apply: ceil(N / B) draws
    assert iterations_per_epoch(n, b, True, "replacement") == keep_last


@pytest.mark.parametrize(("n", "b"), [(10, 0), (10, 11), (0, 1), (5, -1)])
def test_iterations_per_epoch_rejects_bad_batch_sizes(n, b):
    with pytest.raises(ValueError, match="batch size"):
        iterations_per_epoch(n, b)


def test_regime_names():
    assert regime_name(100, 1) == "SGD"
    assert regime_name(100, 10) == "mini-batch SGD"
    assert regime_name(100, 99) == "mini-batch SGD"
    assert regime_name(100, 100) == "full batch"


def collect(sampler, chunk_sizes):
    """Batches (as index arrays) and their epoch/position counters, over several chunks."""
    batches, epochs, positions = [], [], []
    for count in chunk_sizes:
        chunk = sampler.next_chunk(count)
        assert len(chunk.sizes) == len(chunk.offsets) == len(chunk.epochs) == count
        if chunk.full:  # every batch is all N examples, given once
            assert np.all(chunk.sizes == chunk.indices.size) and np.all(chunk.offsets == 0)
        else:
            assert int(chunk.sizes.sum()) == chunk.indices.size
        batches += [chunk.batch(i) for i in range(count)]
        epochs += chunk.epochs.tolist()
        positions += chunk.positions.tolist()
    return batches, epochs, positions


@pytest.mark.parametrize("chunk_sizes", [[16], [1] * 16, [5, 7, 1, 3], [2, 14]])
def test_shuffle_uses_every_example_once_per_epoch_with_partial_last_batch(chunk_sizes):
    n, b = 10, 3  # batches of 3, 3, 3, 1
    sampler = BatchSampler(n, b, seed=11)
    batches, epochs, positions = collect(sampler, chunk_sizes)
    assert [len(x) for x in batches] == [3, 3, 3, 1] * 4
    assert epochs == [e for e in range(4) for _ in range(4)]
    assert positions == [0, 1, 2, 3] * 4
    for e in range(4):
        epoch_indices = np.concatenate(batches[4 * e : 4 * e + 4])
        assert sorted(epoch_indices.tolist()) == list(range(n))
    # a fresh permutation each epoch (the chance that 4 random permutations of 10 coincide is nil)
    orders = {tuple(np.concatenate(batches[4 * e : 4 * e + 4]).tolist()) for e in range(4)}
    assert len(orders) > 1


def test_shuffle_with_drop_last_skips_the_partial_batch():
    n, b = 10, 3
    sampler = BatchSampler(n, b, drop_last=True, seed=5)
    batches, epochs, positions = collect(sampler, [4, 4, 4])  # 4 epochs of 3 batches
    assert [len(x) for x in batches] == [3] * 12
    assert positions == [0, 1, 2] * 4
    assert epochs == [e for e in range(4) for _ in range(3)]
    for e in range(4):
        epoch_indices = np.concatenate(batches[3 * e : 3 * e + 3]).tolist()
        assert len(set(epoch_indices)) == 9  # no example twice within an epoch
        assert set(epoch_indices) <= set(range(n))


def test_full_batch_uses_all_examples_every_iteration():
    sampler = BatchSampler(7, 7, seed=1)
    batches, epochs, positions = collect(sampler, [5])
    assert all(sorted(x.tolist()) == list(range(7)) for x in batches)
    assert epochs == [0, 1, 2, 3, 4]
    assert positions == [0] * 5


def test_replacement_repeats_examples():
    n, b = 100, 30
    # Birthday bound: P(a batch of 30 drawn from 100 has no repeat) = prod(1 - i/100, i < 30)
    p_distinct = math.prod(1 - i / n for i in range(b))
    assert p_distinct < 0.02
    sampler = BatchSampler(n, b, sampling="replacement", seed=0)
    chunk = sampler.next_chunk(8)
    assert chunk.with_replacement
    assert np.all(chunk.sizes == b)
    repeats = [len(set(chunk.batch(i).tolist())) < b for i in range(8)]
    # P(no repeat in any of the 8 batches) = p_distinct**8 < 1e-13
    assert p_distinct**8 < 1e-13
    assert any(repeats)
    assert np.all((chunk.indices >= 0) & (chunk.indices < n))


def test_replacement_one_epoch_misses_examples():
    # 100 single draws from 100 examples are all distinct with probability 100!/100^100 ~ 1e-42
    n = 100
    assert math.factorial(n) / n**n < 1e-40
    sampler = BatchSampler(n, 1, sampling="replacement", seed=3)
    chunk = sampler.next_chunk(iterations_per_epoch(n, 1))
    assert len(set(chunk.indices.tolist())) < n
    assert chunk.epochs.tolist() == [0] * n
    assert chunk.positions.tolist() == list(range(n))


def test_replacement_ignores_drop_last_and_keeps_full_batches():
    sampler = BatchSampler(10, 3, sampling="replacement", drop_last=True, seed=2)
    chunk = sampler.next_chunk(8)
    assert chunk.sizes.tolist() == [3] * 8
    assert chunk.epochs.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert chunk.positions.tolist() == [0, 1, 2, 3] * 2


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_reproducible_with_a_seed(sampling):
    def draw(seed):
        sampler = BatchSampler(50, 7, sampling=sampling, seed=seed, draw_noise=True)
        chunks = [sampler.next_chunk(c) for c in (3, 10, 6)]
        indices = np.concatenate([c.indices for c in chunks])
        return indices, np.concatenate([c.noise for c in chunks])

    a_idx, a_noise = draw(42)
    b_idx, b_noise = draw(42)
    c_idx, _ = draw(43)
    np.testing.assert_array_equal(a_idx, b_idx)
    np.testing.assert_array_equal(a_noise, b_noise)
    assert not np.array_equal(a_idx, c_idx)
    assert a_noise.shape == (19, 2)


def test_offsets_are_cumulative_sizes():
    chunk = BatchSampler(10, 4, seed=0).next_chunk(6)  # sizes 4, 4, 2, 4, 4, 2
    assert chunk.sizes.tolist() == [4, 4, 2, 4, 4, 2]
    assert chunk.offsets.tolist() == [0, 4, 8, 10, 14, 18]
    assert chunk.noise is None


def test_epoch_counters_and_restart():
    sampler = BatchSampler(10, 3, seed=0)
    assert sampler.epochs_started == 0
    sampler.next_chunk(2)
    assert sampler.epochs_started == 1  # a partly done epoch counts
    sampler.next_chunk(2)
    assert sampler.epochs_started == 1  # exactly one epoch done
    sampler.next_chunk(1)
    assert sampler.epochs_started == 2
    sampler.start_epoch_at(7)
    chunk = sampler.next_chunk(5)
    assert chunk.epochs.tolist() == [7, 7, 7, 7, 8]
    assert chunk.positions.tolist() == [0, 1, 2, 3, 0]


def test_unknown_sampling_mode():
    with pytest.raises(ValueError, match="sampling"):
        BatchSampler(10, 2, sampling="bootstrap")
