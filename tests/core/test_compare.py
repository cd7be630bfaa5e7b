"""Lockstep: compared runs equal the same runs done one by one, whatever groups they form."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.compare import Lockstep
from gdviz.core.config import RunConfig, build_problem, build_trainer, total_steps
from gdviz.core.recording import Recording


def single_run(config, problem):
    trainer = build_trainer(config, problem)
    trainer.advance(total_steps(config, problem))
    trainer.finish()
    return trainer.trajectory.run_view(0), trainer.statuses[0]


def test_goldilocks_trio_matches_single_runs_and_ends_three_ways():
    base = RunConfig(epochs=60)  # Auto MPG, standardised, full batch: 2/lambda_max = 1
    configs = [base.replace(lr=lr) for lr in (0.005, 0.4, 1.1)]
    problem = build_problem(base)
    lock = Lockstep(problem, configs, ["too small", "just right", "too large"])
    assert len(lock.groups) == 1  # one optimizer kind: one vectorised trainer
    lock.advance(60)
    lock.finish()
    statuses = [s.status for s in lock.statuses]
    assert statuses == ["finished", "finished", "diverged"]
    assert lock.ends.max() > 1  # reading the ends gathers the groups' rows
    rows = Recording(lock.trajectory).columns()
    for k, config in enumerate(configs):
        view, status = single_run(config, problem)
        end = lock.ends[k]
        assert status.status == statuses[k] and end == len(view["step"])
        np.testing.assert_allclose(rows["p1"][:end, k], view["p1"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(rows["loss"][:end, k], view["loss"], rtol=1e-12)
        assert np.isnan(rows["loss"][end:, k]).all()
    optimum = problem.full_loss(*problem.minima()[0])
    assert rows["loss"][59, 1] == pytest.approx(optimum, rel=1e-9)  # just right: converged
    assert rows["loss"][59, 0] > 1.5 * optimum  # too small: still far away


def test_batch_sizes_compare_with_their_own_epoch_budgets():
    base = RunConfig(dataset="synthetic", n_examples=100, lr=0.05, epochs=3, seed=4)
    configs = [base.replace(batch_size=b) for b in (1, 10, 100)]
    problem = build_problem(base)
    lock = Lockstep(problem, configs, ["SGD", "mini-batch", "full batch"])
    assert list(lock.budgets) == [300, 30, 3]  # 3 epochs each: ceil(100/B) iterations per epoch
    while lock.active:
        lock.advance(50)
    assert [s.status for s in lock.statuses] == ["finished"] * 3
    assert list(lock.ends) == [301, 31, 4]
    assert lock.ends.max() > 1  # reading the ends gathers the groups' rows
    rows = Recording(lock.trajectory).columns()
    for k, config in enumerate(configs):
        view, _ = single_run(config, problem)
        np.testing.assert_allclose(rows["p2"][: lock.ends[k], k], view["p2"], rtol=1e-12)
        assert rows["epoch"][lock.ends[k] - 1, k] == 3


def test_different_optimizers_form_groups_in_lockstep():
    base = RunConfig(surface="rosenbrock", steps=200)
    configs = [base.replace(optimizer="sgd", lr=1e-3), base.replace(optimizer="adam", lr=0.05),
               base.replace(optimizer="momentum", lr=1e-3)]  # fmt: skip
    problem = build_problem(base)
    lock = Lockstep(problem, configs, ["sgd", "adam", "momentum"])
    assert len(lock.groups) == 3
    lock.advance(120)
    assert lock.step == 120 and all(t.step == 120 for _, t in lock.groups)
    assert lock.ends.max() > 1  # reading the ends gathers the groups' rows
    rows = Recording(lock.trajectory).columns()
    for k, config in enumerate(configs):
        view, _ = single_run(config.replace(steps=120), problem)
        np.testing.assert_allclose(rows["p1"][:121, k], view["p1"], rtol=1e-12)


def test_runs_must_share_the_problem():
    problem = build_problem(RunConfig())
    with pytest.raises(ValueError, match="dataset"):
        Lockstep(problem, [RunConfig(), RunConfig(dataset="penguins")], ["a", "b"])
    with pytest.raises(ValueError, match="compare"):
        Lockstep(problem, [RunConfig()] * 7, ["r"] * 7)


def test_a_pause_between_groups_keeps_the_runs_in_step():
    import threading

    from gdviz.core.config import build_problem

    base = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.01, steps=500,
                     epochs=None)  # fmt: skip
    configs = [base, base.replace(optimizer="momentum", momentum=0.9)]  # two groups
    lock = Lockstep(build_problem(base), configs, ["sgd", "momentum"])
    cancel = threading.Event()
    lock.advance(50)
    cancel.set()
    assert lock.advance(50, cancel) == 0  # a pause is seen before a round, never inside one
    assert [t.step for _, t in lock.groups] == [50, 50]
    lock.advance(100)
    ends = lock.ends
    loss = lock.trajectory.fields["loss"]
    assert list(ends) == [151, 151] and not np.isnan(loss[:151]).any()


def test_a_long_comparison_keeps_bounded_memory_and_exact_kept_rows(monkeypatch):
    """Reproduction: the groups' rows and the gathered copy both grew with the run (two full
    copies, unbounded). Now the gathered recording thins as a single run's does, each group
    keeps only rows not gathered yet, and every row kept is the very row of the run done alone
    at that step; a run that diverges early keeps its end through the thinning."""
    from gdviz.core import compare

    monkeypatch.setattr(compare, "recording_rows", lambda runs: 1024)
    monkeypatch.setattr(compare, "GROUP_ROWS", 1024)
    base = RunConfig(dataset="synthetic", n_examples=200, batch_size=10, steps=20_000)
    configs = [base.replace(lr=0.01), base.replace(lr=0.05, optimizer="momentum"),
               base.replace(lr=3.0)]  # fmt: skip
    problem = build_problem(base)
    lock = Lockstep(problem, configs, ["slow", "momentum", "diverges"])
    for _ in range(40):  # as the worker does: chunks, and the ends read between them
        lock.advance(500)
        _ = lock.ends
    lock.finish()
    traj = lock.trajectory
    assert lock.step == 20_000 and traj.made == 20_001
    assert traj.thinned > 0 and traj.capacity <= 1024 + 500
    for _, trainer in lock.groups:
        assert trainer.trajectory.capacity <= 1024
    steps = traj.step[: traj.length]
    assert steps[0] == 0 and steps[-1] == 20_000 and np.all(np.diff(steps) > 0)
    for k, config in enumerate(configs):
        view, status = single_run(config, problem)
        assert lock.statuses[k].status == status.status
        end = int(traj.ends[k])
        kept = traj.step[:end]
        assert kept[-1] == view["step"][-1]  # its last row survives the thinning
        for name in ("p1", "p2", "loss", "epoch", "seen"):
            np.testing.assert_allclose(traj.fields[name][:end, k], view[name][kept], rtol=1e-12)
    assert lock.statuses[2].status == "diverged" and traj.ends[2] < traj.length
