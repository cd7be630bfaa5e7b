"""Learning-rate sweeps: the best rate against the curvature theory, the region rules, cancelling,
and equality with separate single runs."""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.sweep import (
    REGIONS,
    SweepCancelled,
    default_lr_range,
    learning_rates,
    sweep,
)

AUTO_MPG = RunConfig()  # standardised x, full batch: H = 2I, so 2/(l_min+l_max) = 0.5, 2/l_max = 1
BOWL = RunConfig(surface="bowl", condition=4)  # full batch, l = 1, 4: fastest 0.4, stable 0.5


def within_one_grid_step(rates: np.ndarray, found: float, target: float) -> bool:
    step = math.log(rates[1] / rates[0])
    return abs(math.log(found / target)) <= step * (1 + 1e-9)


@pytest.mark.parametrize(
    "config, fastest, stable",
    [(AUTO_MPG, 0.5, 1.0), (BOWL, 0.4, 0.5)],
    ids=["auto-mpg", "bowl-condition-4"],
)
@pytest.mark.parametrize("num, steps", [(25, 30), (40, 200)])
def test_best_rate_is_the_fastest_full_batch_rate(config, fastest, stable, num, steps):
    rates = learning_rates(1e-3, 10, num)
    result = sweep(config, rates, steps=steps)
    assert result.lr_fastest == pytest.approx(fastest)
    assert result.lr_max_stable == pytest.approx(stable)
    assert result.limits_apply
    assert within_one_grid_step(rates, result.best_lr, fastest), result.best_lr
    assert result.best_loss == pytest.approx(np.nanmin(result.final_loss), rel=1e-12)


def test_regions_follow_the_full_batch_theory():
    # Below 2/(l_min+l_max) the path creeps monotonically (converges); between it and 2/l_max
    # the error along l_max flips sign every step (oscillates); above 2/l_max it diverges.
    rates = np.array([1e-5, 1e-4, 0.05, 0.2, 0.45, 0.55, 0.7, 0.9, 1.05, 1.5, 3.0])
    expected = ["too slow"] * 2 + ["converges"] * 3 + ["oscillates"] * 3 + ["diverges"] * 3
    assert sweep(AUTO_MPG, rates, steps=2000).regions == tuple(expected)
    bowl_rates = np.array([0.05, 0.2, 0.35, 0.43, 0.47, 0.49, 0.52, 0.6])
    expected = ["converges"] * 3 + ["oscillates"] * 3 + ["diverges"] * 2
    assert sweep(BOWL, bowl_rates, steps=2000).regions == tuple(expected)


def test_rates_above_the_stability_limit_diverge_given_enough_iterations():
    rates = learning_rates(1.02, 20, 15)  # all above 2/l_max = 1
    result = sweep(AUTO_MPG, rates, steps=2000)
    assert set(result.status) == {"diverged"} and set(result.regions) == {"diverges"}
    assert all(at is not None and at >= 1 for at in result.diverged_at)
    assert np.all(np.isnan(result.final_loss))
    assert result.best_lr is None and result.best_loss is None


def test_just_above_the_limit_counts_as_diverging_before_the_trainer_says_so():
    # |1 - 2 lr| = 1.004: after 100 steps the loss has grown, but far from 10^6 x.
    result = sweep(AUTO_MPG, [1.002], steps=100)
    assert result.status == ("finished",) and result.regions == ("diverges",)
    assert result.final_loss[0] > result.start_loss


def test_tiny_rates_are_too_slow():
    result = sweep(AUTO_MPG, learning_rates(1e-6, 1e-4, 5), steps=200)
    assert set(result.regions) == {"too slow"}
    gap = result.start_loss - result.optimum_loss
    assert np.all(result.final_loss - result.optimum_loss > 0.01 * gap)


def test_noise_ball_of_minibatch_sgd_is_not_oscillation():
    # Mini-batch steps reverse about half the time at the noise floor; only a negative factor
    # 1 - lr * l (here lr > 1/2) makes them reverse more than 2/3 of the time.
    config = AUTO_MPG.replace(batch_size=10)
    result = sweep(config, learning_rates(0.01, 0.3, 8), steps=600)
    assert "oscillates" not in result.regions and "diverges" not in result.regions


def test_ringing_momentum_counts_as_oscillating():
    config = AUTO_MPG.replace(optimizer="momentum")  # beta = 0.9: under-damped for most lr
    result = sweep(config, [0.05, 0.5], steps=300)
    assert result.regions == ("oscillates", "oscillates")
    assert not result.limits_apply  # 2/l_max is plain gradient descent's limit


def test_matches_separate_single_runs():
    config = AUTO_MPG.replace(batch_size=10, sampling="shuffle", seed=3)
    rates = np.array([0.003, 0.05, 0.4, 1.5])
    result = sweep(config, rates, steps=300)
    problem = build_problem(config)
    for k, lr in enumerate(rates):
        trainer = build_trainer(config.replace(lr=float(lr), steps=300), problem)
        trainer.advance(300)
        trainer.finish()
        status = trainer.statuses[0]
        assert result.status[k] == status.status
        if status.status == "diverged":
            assert result.diverged_at[k] == status.step and np.isnan(result.final_loss[k])
        else:
            final = trainer.trajectory.column("loss")[-1]
            assert result.final_loss[k] == pytest.approx(final, rel=1e-12, abs=0)


def test_progress_and_cancel():
    fractions = []
    sweep(BOWL, learning_rates(0.01, 1, 5), steps=1000, progress=fractions.append)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 5

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SweepCancelled):
        sweep(BOWL, [0.1], steps=100, cancel=cancel)

    cancel = threading.Event()
    seen = []

    def stop_midway(fraction):
        seen.append(fraction)
        cancel.set()  # as the GUI would, from another thread, between chunks

    with pytest.raises(SweepCancelled):
        sweep(BOWL, learning_rates(0.01, 0.1, 4), steps=10_000, cancel=cancel, progress=stop_midway)
    assert len(seen) == 1 and seen[0] < 0.1


def test_result_is_immutable_and_spans_cover_the_rates():
    rates = learning_rates(1e-4, 10, 30)
    result = sweep(AUTO_MPG, rates, steps=200)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.best_lr = 1.0
    with pytest.raises(ValueError):
        result.final_loss[0] = 0.0
    assert result.config == AUTO_MPG and result.steps == 200
    assert set(result.regions) <= set(REGIONS) and len(result.regions) == len(rates)
    spans = result.region_spans()
    assert spans[0][0] < rates[0] and spans[-1][1] > rates[-1]
    for (_, hi, name), (lo, _, next_name) in itertools.pairwise(spans):
        assert hi == lo and name != next_name  # contiguous, merged neighbours
    for rate, region in zip(rates, result.regions, strict=True):
        assert [name for lo, hi, name in spans if lo <= rate <= hi] == [region]
    # Ordered as the theory says for H = 2I: too slow < converges < oscillates < diverges.
    assert [name for *_, name in spans] == list(REGIONS)


def test_equal_rates_get_a_span():
    result = sweep(AUTO_MPG, learning_rates(0.1, 0.1, 3), steps=20)
    assert result.region_spans() == [(pytest.approx(0.05), pytest.approx(0.2), "converges")]


def test_learning_rates_and_default_range():
    rates = learning_rates(1e-3, 10, 5)
    assert rates == pytest.approx([1e-3, 1e-2, 1e-1, 1, 10])
    assert learning_rates(0.1, 0.1, 1) == pytest.approx([0.1])
    for bad in [(0, 1, 5), (1, 0.1, 5), (-1, 1, 5), (1e-3, np.inf, 5), (1e-3, 1, 0)]:
        with pytest.raises(ValueError):
            learning_rates(*bad)
    with pytest.raises(ValueError):
        sweep(AUTO_MPG, [0.1, -1.0], steps=5)
    assert default_lr_range(AUTO_MPG, build_problem(AUTO_MPG)) == (0.001, 10.0)
    adam = AUTO_MPG.replace(optimizer="adam")
    assert default_lr_range(adam, build_problem(adam)) == (1e-4, 10.0)
