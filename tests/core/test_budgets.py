"""Stop conditions belong to the trainer and count on the sampler's epoch counter: epoch
budgets across batch-size changes, the end of the current epoch, continuing a finished run."""

from __future__ import annotations

import numpy as np

from gdviz.core.config import RunConfig, build_parts, build_problem, build_trainer
from gdviz.core.stops import Budget

# N = 100, B = 10: 10 iterations per epoch.
CONFIG = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=20)


def trainer_of(config=CONFIG):
    problem = build_problem(config)
    return build_trainer(config, problem, record_examples=True), problem


def change_batch(trainer, problem, batch_size):
    sampler = build_parts(CONFIG.replace(batch_size=batch_size), problem)[3]
    trainer.set_samplers([sampler])


def last(trainer, name):
    return int(trainer.trajectory.run_view(0)[name][-1])


def test_epoch_budget_after_a_larger_batch_ends_at_the_budgets_epoch():
    # 0.1.0: B 10 -> 50 after 15 epochs ended at epoch 15 (20 x 2 = 40 steps, counted from 0).
    trainer, problem = trainer_of()
    trainer.advance(150)
    assert last(trainer, "epoch") == 15
    change_batch(trainer, problem, 50)  # 2 iterations per epoch from epoch 16 on
    trainer.advance(10**6)
    assert trainer.statuses[0].status == "finished"
    assert last(trainer, "epoch") == 20 and trainer.step == 150 + 5 * 2


def test_epoch_budget_after_a_smaller_batch_does_not_overrun():
    # 0.1.0: B 50 -> 5 ran to epoch 34.
    config = CONFIG.replace(batch_size=50)
    trainer, problem = trainer_of(config)
    trainer.advance(30)  # 15 epochs of 2
    change_batch(trainer, problem, 5)  # 20 iterations per epoch
    trainer.advance(10**6)
    assert last(trainer, "epoch") == 20 and trainer.step == 30 + 5 * 20


def test_a_batch_change_mid_epoch_starts_the_next_epoch():
    trainer, problem = trainer_of()
    trainer.advance(155)  # epoch 16, batch 5 of 10
    change_batch(trainer, problem, 25)  # 4 iterations per epoch
    trainer.advance(1)
    view = trainer.trajectory.run_view(0)
    assert (int(view["epoch"][-1]), int(view["batch"][-1])) == (17, 1)
    assert list(view["epoch_iterations"][-2:]) == [10, 4]  # recorded with each row


def test_steps_to_the_end_of_the_epoch_come_from_the_sampler():
    trainer, problem = trainer_of()
    assert trainer.steps_to_epoch_end() == 10
    trainer.advance(3)
    assert trainer.steps_to_epoch_end() == 7
    trainer.advance(7)
    assert trainer.steps_to_epoch_end() == 10  # one just ended: a whole epoch
    trainer.advance(4)
    change_batch(trainer, problem, 30)  # ceil(100 / 30) = 4, a fresh epoch
    assert trainer.steps_to_epoch_end() == 4


def test_advance_never_passes_the_budget_and_finishes_there():
    trainer, _ = trainer_of(CONFIG.replace(epochs=3))
    assert trainer.advance(1000) == 30
    assert trainer.statuses[0].status == "finished" and trainer.statuses[0].step == 30
    assert trainer.advance(5) == 0


def test_a_finished_run_continues_with_a_larger_budget_exactly_as_one_long_run():
    short, _ = trainer_of(CONFIG.replace(epochs=10))
    short.advance(10**6)
    assert short.statuses[0].status == "finished"
    short.set_budget(Budget(epochs=20))
    assert short.statuses[0].status == "running" and short.active
    short.advance(10**6)
    long, _ = trainer_of(CONFIG.replace(epochs=20))
    long.advance(10**6)
    a, b = short.trajectory.run_view(0), long.trajectory.run_view(0)
    assert short.step == long.step == 200
    for name in ("p1", "p2", "epoch", "batch", "loss"):
        np.testing.assert_array_equal(a[name], b[name])


def test_a_continued_adam_run_keeps_its_bias_corrections():
    config = CONFIG.replace(optimizer="adam", epochs=5)
    short, _ = trainer_of(config)
    short.advance(10**6)
    short.set_budget(Budget(epochs=8))
    short.advance(10**6)
    long, _ = trainer_of(config.replace(epochs=8))
    long.advance(10**6)
    assert short.step == long.step == 80
    np.testing.assert_array_equal(short.trajectory.run_view(0)["p1"],
                                  long.trajectory.run_view(0)["p1"])  # fmt: skip


def test_the_optimizer_state_counts_its_own_steps():
    trainer, problem = trainer_of(CONFIG.replace(optimizer="adam"))
    trainer.advance(25)
    assert trainer.optimizer_steps == 25
    optimizer, lr, *_ = build_parts(CONFIG.replace(optimizer="sgd"), problem)
    trainer.set_optimizer(optimizer, lr)  # another kind: a fresh state, counting from 0
    trainer.advance(5)
    assert trainer.optimizer_steps == 5 and trainer.step == 30


def test_a_diverged_run_does_not_continue():
    trainer, _ = trainer_of(CONFIG.replace(lr=50.0))
    trainer.advance(1000)
    assert trainer.statuses[0].status == "diverged"
    trainer.set_budget(Budget(epochs=100))
    assert not trainer.active


def test_only_the_latest_chunks_batches_are_kept():
    # A full-batch run used to keep N indices a row (209 MB after 100,000 rows of Auto MPG).
    trainer, _ = trainer_of(CONFIG.replace(batch_size=None, epochs=10**6))
    trainer.advance(20_000)
    assert trainer.last_examples().size == 100
    assert trainer.trajectory._chunk_examples.size <= 100 * 8192
    assert trainer.trajectory.examples(1).size == 0  # long gone


def test_a_budget_already_spent_finishes_the_run_now():
    # Lowering epochs below the current epoch (or a new batch size in the last epoch) used to
    # leave the run neither running nor finished: Play did nothing.
    trainer, problem = trainer_of()
    trainer.advance(150)
    trainer.set_budget(Budget(epochs=10))
    assert trainer.statuses[0].status == "finished" and trainer.statuses[0].step == 150
    assert not trainer.active
    trainer, problem = trainer_of(CONFIG.replace(epochs=16))
    trainer.advance(153)  # epoch 16, batch 3: the last epoch
    change_batch(trainer, problem, 50)  # a new epoch would be the 17th: the budget is spent
    assert trainer.statuses[0].status == "finished" and trainer.advance(10) == 0
