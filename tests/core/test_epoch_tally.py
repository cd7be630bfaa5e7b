"""The epoch's use of the examples (EpochTally), checked against a replay of the same batches one
at a time: the trainer draws and tallies them a chunk at a time."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_parts, build_problem, build_trainer
from gdviz.core.epoch_tally import EpochTally


def replayed_counts(config, problem, steps: int):
    """(epoch, counts) after ``steps`` iterations, drawn one batch at a time from a fresh
    sampler with the same seed, counting only the batches of the last epoch."""
    sampler = build_parts(config, problem)[3]
    counts, epoch = np.zeros(problem.n_examples, np.int64), 0
    for _ in range(steps):
        chunk = sampler.next_chunk(1)
        batch_epoch = int(chunk.epochs[0]) + 1
        if batch_epoch != epoch:
            counts[:], epoch = 0, batch_epoch
        np.add.at(counts, chunk.batch(0), 1)
    return epoch, counts


@pytest.mark.parametrize(
    ("batch_size", "sampling"),
    [(1, "replacement"), (7, "shuffle"), (10, "shuffle"), (3, "replacement")],
)
def test_tally_matches_a_replay_over_uneven_chunks(batch_size, sampling):
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=batch_size,
                       sampling=sampling, lr=0.01, epochs=None, steps=400)  # fmt: skip
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True)
    assert trainer.epoch_counts()[0] == 0 and not trainer.epoch_counts()[1].any()
    done = 0
    for size in (1, 5, 13, 2, 64, 100, 3, 150):  # chunks across epoch boundaries
        done += trainer.advance(size, chunk_size=max(size // 2, 1))
        epoch, counts = trainer.epoch_counts()
        want_epoch, want = replayed_counts(config, problem, done)
        assert epoch == want_epoch == int(trainer.trajectory.fields["epoch"][done, 0])
        np.testing.assert_array_equal(counts, want)


def test_shuffle_uses_each_example_once_per_epoch():
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, sampling="shuffle",
                       lr=0.01, epochs=3)  # fmt: skip
    trainer = build_trainer(config, build_problem(config), record_examples=True)
    trainer.advance(14)  # epoch 2, batch 4
    epoch, counts = trainer.epoch_counts()
    assert epoch == 2 and counts.sum() == 40 and counts.max() == 1
    trainer.advance(6)  # the end of epoch 2: every example exactly once
    epoch, counts = trainer.epoch_counts()
    assert epoch == 2 and np.all(counts == 1)


def test_replacement_repeats_some_and_misses_others():
    """100 draws from 100 with replacement: about 1 - 1/e = 63 % distinct (p of > 99 % for
    50 to 75 distinct), so some counts are 2 or more and some 0."""
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=1,
                       sampling="replacement", lr=0.01, epochs=1)  # fmt: skip
    trainer = build_trainer(config, build_problem(config), record_examples=True)
    trainer.advance(100)
    epoch, counts = trainer.epoch_counts()
    assert epoch == 1 and counts.sum() == 100
    assert 50 <= np.count_nonzero(counts) <= 75 and counts.max() >= 2


def test_tally_follows_a_run_that_stops_mid_chunk():
    """A run that diverges inside a chunk: the counts are those up to its last row."""
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=1, sampling="shuffle",
                       lr=50.0, epochs=None, steps=300)  # fmt: skip
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True)
    trainer.advance(300, chunk_size=256)
    last = int(trainer.trajectory.ends[0]) - 1
    assert 0 < last < 256  # it stopped inside the first chunk
    epoch, counts = trainer.epoch_counts()
    assert (epoch, counts.sum()) == (1, last)
    np.testing.assert_array_equal(counts, replayed_counts(config, problem, last)[1])


def test_full_batches_count_every_example_once():
    tally = EpochTally(4)
    tally.add_chunk(np.arange(4), [0, 4, 8, 12], [1, 2, 3], full=True)
    epoch, counts = tally.counts(1)
    assert epoch == 2 and counts.tolist() == [1, 1, 1, 1]


def test_no_tally_without_data_or_for_many_examples():
    surface = RunConfig(surface="bowl", lr=0.1, epochs=None, steps=10)
    trainer = build_trainer(surface, build_problem(surface), record_examples=True)
    trainer.advance(10)
    assert trainer.epoch_counts() is None
    big = RunConfig(dataset="synthetic", n_examples=50_000, batch_size=10, lr=0.01, epochs=1)
    trainer = build_trainer(big, build_problem(big), record_examples=True)
    trainer.advance(10)
    assert trainer.epoch_counts() is None


def test_tally_survives_a_thinned_history():
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=3, sampling="shuffle",
                       lr=0.01, epochs=None, steps=5000)  # fmt: skip
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True, max_rows=1024)
    trainer.advance(4321, chunk_size=300)
    assert trainer.trajectory.thinned > 0
    epoch, counts = trainer.epoch_counts()
    want_epoch, want = replayed_counts(config, problem, 4321)
    assert epoch == want_epoch
    np.testing.assert_array_equal(counts, want)
