"""A long run's recording is bounded: recent rows whole, the history thinned (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.engine import Trainer
from gdviz.core.recording import Recording
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS

CONFIG = RunConfig(dataset="synthetic", n_examples=200, batch_size=10, lr=0.01, steps=30_000,
                   epochs=None)  # fmt: skip


def trainers(max_rows: int, config: RunConfig = CONFIG, runs: int = 1, lr=None):
    """The same run twice: bounded to ``max_rows`` rows, and unbounded (the reference)."""
    problem = build_problem(config)
    made = []
    for bound in (max_rows, None):
        trainer = build_trainer(config, problem, runs=runs, lr=lr)
        trainer.trajectory.max_rows = bound
        made.append(trainer)
    return made


def test_a_bounded_run_keeps_at_most_its_rows_and_every_kept_row_is_exact():
    bounded, reference = trainers(2048)
    for trainer in (bounded, reference):
        trainer.advance(30_000)
    t, r = bounded.trajectory, reference.trajectory
    assert r.length == 30_001 and t.made == 30_001
    assert t.length <= 2048 and t.capacity <= 2048 and t.thinned > 0
    steps = t.step[: t.length]
    assert steps[0] == 0 and steps[-1] == 30_000 and np.all(np.diff(steps) > 0)
    # The newest half of the rows is every iteration; older rows are a subset of iterations.
    assert np.array_equal(steps[-1024:], np.arange(30_000 - 1023, 30_001))
    for name in FLOAT_FIELDS + INT_FIELDS:  # each kept row is that iteration's row, exactly
        np.testing.assert_array_equal(t.fields[name][: t.length], r.fields[name][steps])
    assert bounded.params == reference.params  # thinning never touches the computation
    gaps = np.diff(steps)
    assert gaps.max() <= 2**t.thinned  # resolution halves with age, no more


def test_examples_seen_and_epochs_of_a_thinned_history_stay_true():
    bounded, _ = trainers(1024)
    bounded.advance(30_000)
    t = bounded.trajectory
    steps = t.step[: t.length]
    # B = 10 of N = 200, shuffled: iteration s has used 10 s examples, in epoch ceil(s / 20).
    assert np.array_equal(t.fields["seen"][: t.length, 0], 10 * steps)
    assert np.array_equal(t.fields["epoch"][1 : t.length, 0], -(-steps[1:] // 20))
    recording = Recording(t, bounded.statuses)
    assert np.array_equal(recording.x_values("examples seen"), 10.0 * steps)
    assert np.allclose(recording.x_values("epochs"), steps / 20)


def test_a_run_that_stopped_early_keeps_its_last_row_through_thinning():
    lr = np.array([0.01, 1e3])  # the second diverges within a few steps
    bounded, reference = trainers(1024, runs=2, lr=lr)
    for trainer in (bounded, reference):
        trainer.advance(30_000)
    t, r = bounded.trajectory, reference.trajectory
    assert bounded.statuses[1].status == "diverged"
    last = int(t.ends[1]) - 1
    assert t.step[last] == r.step[int(r.ends[1]) - 1]  # the diverged run's end is kept
    assert t.fields["loss"][last, 1] == r.fields["loss"][int(r.ends[1]) - 1, 1]
    assert t.ends[0] == t.length


def test_a_recording_reads_the_snapshot_it_was_given_while_the_engine_thins():
    bounded, _ = trainers(1024)
    recording = Recording(bounded.trajectory, bounded.statuses)
    bounded.advance(900)
    snapshot = bounded.trajectory.rows()
    recording.publish(snapshot.length, snapshot.ends, bounded.statuses, snapshot=snapshot)
    shown = recording.column("p1").copy()
    bounded.advance(5_000)  # thins: new arrays, the snapshot's stay as they were
    assert bounded.trajectory.thinned > 0
    assert np.array_equal(recording.column("p1"), shown)
    snapshot = bounded.trajectory.rows()
    recording.publish(snapshot.length, snapshot.ends, bounded.statuses, snapshot=snapshot)
    assert len(recording) == snapshot.length and recording.thinned == snapshot.thinned
    assert recording.last("step") == 5_900
    boundaries = recording.epoch_boundaries("iterations")
    assert np.all(np.diff(boundaries) > 0) and boundaries[-1] <= 5_900


def test_the_window_trainer_is_bounded_by_the_recording_budget():
    from gdviz.core.limits import RECORDING_BYTES, recording_rows
    from gdviz.core.trajectory import ROW_BYTES_PER_RUN

    trainer = build_trainer(CONFIG.replace(steps=10_000_000), build_problem(CONFIG))
    rows = trainer.trajectory.max_rows
    assert rows == recording_rows(1) and rows * (8 + ROW_BYTES_PER_RUN) <= RECORDING_BYTES
    assert trainer.trajectory.capacity <= rows


@pytest.mark.parametrize("runs", [1, 6, 64])
def test_the_row_budget_shrinks_with_the_runs(runs):
    from gdviz.core.limits import RECORDING_BYTES, recording_rows
    from gdviz.core.trajectory import ROW_BYTES_PER_RUN

    assert recording_rows(runs) * (8 + runs * ROW_BYTES_PER_RUN) <= RECORDING_BYTES


def test_trainer_without_a_bound_keeps_every_row():
    problem = build_problem(CONFIG)
    trainer = build_trainer(CONFIG, problem)
    trainer.trajectory.max_rows = None
    trainer.advance(5000)
    assert isinstance(trainer, Trainer) and trainer.trajectory.length == 5001
