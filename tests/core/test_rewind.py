"""Going back: a run's batches do not depend on how its iterations were chunked, and a run
rewound to a step and advanced again makes the very same rows (optimizer state, sampler
position and epoch tally included), after a divergence too."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.checkpoints import CHECKPOINT_EVERY, MAX_CHECKPOINTS
from gdviz.core.config import RunConfig, build_parts, build_problem, build_trainer

CONFIGS = {
    "shuffled mini-batches": RunConfig(batch_size=10, lr=0.05, epochs=30),
    "sgd with replacement, adam": RunConfig(
        batch_size=1, sampling="replacement", lr=0.02, epochs=6, optimizer="adam"
    ),
    "logistic, rmsprop": RunConfig(
        dataset="two-class", model="logistic", batch_size=5, lr=0.05, epochs=60, optimizer="rmsprop"
    ),
    # Before the noise had its own stream, this one's rows depended on the chunking.
    "noisy surface, shuffled": RunConfig(
        surface="rosenbrock",
        gradient_noise=2.0,
        batch_size=5,
        lr=1e-3,
        steps=2000,
        optimizer="momentum",
    ),
    "noisy surface, replacement": RunConfig(
        surface="bowl",
        gradient_noise=1.0,
        batch_size=3,
        sampling="replacement",
        lr=0.05,
        steps=1500,
    ),
    "full batch, cosine": RunConfig(lr=0.1, epochs=1200, schedule="cosine", t_max=500),
}


def rows(trainer):
    view = trainer.trajectory.run_view(0)
    return {name: np.array(values) for name, values in view.items()}


def assert_same_rows(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def trained(config, chunks=None, record_examples=True):
    trainer = build_trainer(config, build_problem(config), record_examples=record_examples)
    for count in chunks or ():
        trainer.advance(count)
    trainer.advance(10**9)
    return trainer


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_rows_do_not_depend_on_the_chunking(name):
    config = CONFIGS[name]
    whole = trained(config)
    pieces = trained(config, [1, 7, 300, 2, 999, 13] * 3)
    assert whole.step == pieces.step > 1000
    assert_same_rows(rows(whole), rows(pieces))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_a_rewound_run_makes_the_same_rows_again(name):
    config = CONFIGS[name]
    reference = rows(trained(config))
    trainer = trained(config)
    end = trainer.step
    for target in (end - 1, end - 2, 1000, 777, 3, 0):
        trainer.rewind(target)
        assert trainer.step == target and trainer.statuses[0].status == "running"
        assert trainer.trajectory.length == target + 1
        p1, p2 = trainer.params
        assert (p1, p2) == (reference["p1"][target], reference["p2"][target])
        trainer.advance(1)  # the very same batch and update again
        assert trainer.params == (reference["p1"][target + 1], reference["p2"][target + 1])
    trainer.advance(10**9)
    assert trainer.statuses[0].status == "finished"
    assert_same_rows(rows(trainer), reference)


def test_the_batch_and_the_epoch_tally_after_a_rewind_are_the_runs():
    config = CONFIGS["sgd with replacement, adam"]
    trainer = trained(config)
    for target in (555, 401, 400, 1):
        fresh = build_trainer(config, build_problem(config), record_examples=True)
        fresh.advance(target)
        trainer.rewind(target)
        np.testing.assert_array_equal(trainer.last_examples(), fresh.last_examples())
        (epoch, counts), (fresh_epoch, fresh_counts) = trainer.epoch_counts(), fresh.epoch_counts()
        assert epoch == fresh_epoch and np.array_equal(counts, fresh_counts)
    trainer.rewind(0)
    epoch, counts = trainer.epoch_counts()
    assert trainer.last_examples().size == 0 and epoch == 0 and not counts.any()


def test_a_diverged_run_goes_back_and_diverges_the_same_way_again():
    config = RunConfig(batch_size=10, lr=3.0, epochs=50)
    trainer = trained(config)
    status = trainer.statuses[0]
    assert status.status == "diverged"
    reference, last = rows(trainer), trainer.step
    trainer.rewind(last - 1)
    assert trainer.statuses[0].status == "running" and trainer.step == last - 1
    trainer.advance(10**9)
    assert trainer.statuses[0] == status
    assert_same_rows(rows(trainer), reference)


def test_going_back_stops_at_a_change_of_settings():
    config = RunConfig(batch_size=10, lr=0.05, epochs=30)
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True)
    trainer.advance(300)
    optimizer, _, _, _ = build_parts(config, problem)
    trainer.set_optimizer(optimizer, 0.05)  # the same settings: no change
    assert trainer.last_change == 0
    trainer.set_optimizer(optimizer, 0.01)
    assert trainer.last_change == 300
    trainer.advance(200)
    reference = rows(trainer)
    trainer.rewind(350)
    trainer.advance(150)
    assert_same_rows(rows(trainer), reference)  # replayed with the new rate, from the change
    with pytest.raises(ValueError, match="not between 300 and 500"):
        trainer.rewind(299)


def test_checkpoints_stay_few_and_a_past_step_is_replayed_exactly():
    config = RunConfig(batch_size=1, lr=0.01, steps=200_000)
    trainer = trained(config, record_examples=False)
    held = trainer.trajectory  # a thinned history: only recent rows are whole
    steps = trainer.checkpoint_steps
    assert len(steps) <= MAX_CHECKPOINTS and steps[0] == 0
    assert steps[-1] >= 200_000 - 512 - CHECKPOINT_EVERY
    tail = held.length - 1
    for back in (1, 50, 2_000):
        row = tail - back
        replica = trainer.replica_at(int(held.step[row]))
        assert replica.params == (held.fields["p1"][row, 0], held.fields["p2"][row, 0])
    early = trainer.replica_at(12_345)  # far back: replayed from an older checkpoint
    again = trained(config.replace(steps=12_345), record_examples=False)
    assert early.params == again.params


def test_going_back_to_the_change_itself_keeps_the_new_settings():
    """Review finding: rewind(last_change) replayed from before the change and brought the
    old learning rate back."""
    config = RunConfig(batch_size=10, lr=0.05, epochs=30)
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True)
    trainer.advance(300)
    optimizer, _, _, _ = build_parts(config.replace(optimizer="momentum"), problem)
    trainer.set_optimizer(optimizer, 0.01)  # a new kind: its state starts afresh
    trainer.advance(20)
    reference = rows(trainer)
    trainer.rewind(300)
    assert trainer.lr == 0.01 and trainer.optimizer.name == "momentum"
    assert trainer.last_change == 300 and trainer.optimizer_state.t == 0
    trainer.advance(20)
    assert_same_rows(rows(trainer), reference)


def test_going_back_after_the_budget_was_lowered_goes_one_step_back():
    """Review finding: the replay was clipped by the lowered budget (it went back to the
    checkpoint, 44 steps too far)."""
    config = RunConfig(batch_size=10, lr=0.05, epochs=30)
    problem = build_problem(config)
    trainer = build_trainer(config, problem, record_examples=True)
    trainer.advance(300)
    trainer.set_budget(_epochs(5))  # 5 epochs of 40 batches: 200 steps, below 300
    assert trainer.statuses[0].status == "finished"
    trainer.rewind(299)
    assert trainer.step == 299 and trainer.trajectory.length == 300
    assert trainer.statuses[0].status == "finished"  # 299 is past the budget of 200 still


def _epochs(count):
    from gdviz.core.stops import Budget

    return Budget(epochs=count)


def test_checkpoints_are_spread_evenly_over_a_long_run():
    """Review finding: thinning the older half again and again left nothing between 0 and
    the last 20,000 iterations; now the gaps stay even."""
    config = RunConfig(batch_size=1, lr=0.01, steps=300_000)
    trainer = trained(config, record_examples=False)
    gaps = np.diff(trainer.checkpoint_steps)
    assert len(trainer.checkpoint_steps) <= MAX_CHECKPOINTS
    assert gaps.max() <= 3 * 300_000 / MAX_CHECKPOINTS, gaps


def test_going_back_into_the_thinned_history_is_refused():
    config = RunConfig(batch_size=1, lr=0.01, steps=300_000)
    problem = build_problem(config)
    trainer = build_trainer(config, problem, max_rows=4096)
    trainer.advance(300_000)
    held = set(trainer.trajectory.step[: trainer.trajectory.length].tolist())
    lost = [s for s in trainer.checkpoint_steps if s not in held]  # their rows were thinned
    assert lost
    with pytest.raises(ValueError, match="thinned"):
        trainer.rewind(lost[0] + 1)
    assert trainer.step == 300_000
