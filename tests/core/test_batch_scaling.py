"""Batch size against steps and examples, against independent computations: B_simple from the
data with numpy (per-example gradients of the squared error written out here), each lockstep
row against a separate single run of that batch size and seed, the learning-rate rules, and the
medians over repeats."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core import batch_scaling as bs
from gdviz.core.config import ConfigError, RunConfig, build_problem, build_trainer
from gdviz.core.noise_scale import gradient_noise_scale


def test_default_batch_sizes_double_up_to_n():
    assert bs.default_batch_sizes(398) == (1, 2, 4, 8, 16, 32, 64, 128, 256, 398)
    assert bs.default_batch_sizes(64) == (1, 2, 4, 8, 16, 32, 64)
    assert bs.default_batch_sizes(2) == (1, 2)


def test_the_rules_scale_the_rate_as_goyal_and_the_square_root():
    sizes = np.array([1, 4, 16, 64])
    np.testing.assert_allclose(bs.scaled_lr(0.1, sizes, 4, "none"), [0.1] * 4)
    np.testing.assert_allclose(bs.scaled_lr(0.1, sizes, 4, "linear"), [0.025, 0.1, 0.4, 1.6])
    np.testing.assert_allclose(bs.scaled_lr(0.1, sizes, 4, "sqrt"), [0.05, 0.1, 0.2, 0.4])
    with pytest.raises(ConfigError, match="none, linear, sqrt"):
        bs.scaled_lr(0.1, sizes, 4, "cubic")


@pytest.mark.parametrize("params", [(0.0, 0.0), (3.0, 20.0), (-6.0, 23.4)])
def test_b_simple_is_the_spread_of_the_examples_gradients_over_their_mean(params):
    problem = build_problem(RunConfig(dataset="auto-mpg"))
    x, y = problem.data.x, problem.data.y
    w, b = params
    residual = w * x + b - y  # L_i = (w x_i + b - y_i)^2: g_i = 2 r_i (x_i, 1)
    grads = np.column_stack([2 * residual * x, 2 * residual])
    mean = grads.mean(axis=0)
    covariance = np.cov(grads.T, bias=True)  # the 1/N normalisation
    expected = np.trace(covariance) / (mean @ mean)
    assert gradient_noise_scale(problem, w, b) == pytest.approx(expected, rel=1e-10)


def test_a_noisy_surface_has_b_simple_two_sigma_squared_over_the_gradient():
    problem = build_problem(RunConfig(surface="bowl", gradient_noise=3.0))
    gx, gy = -2.5, 10 * 1.5  # the bowl's gradient (x, 10 y) at its start (-2.5, 1.5)
    expected = 2 * 9.0 / (gx * gx + gy * gy)
    assert gradient_noise_scale(problem, -2.5, 1.5) == pytest.approx(expected)
    assert gradient_noise_scale(problem, 0.0, 0.0) is None  # G = 0
    exact = build_problem(RunConfig(surface="bowl"))
    assert gradient_noise_scale(exact, -2.5, 1.5) is None  # no noise: every batch exact


def first_hit(config: RunConfig, batch_size: int, seed: int, target: float, steps: int):
    """One ordinary run of that batch size and seed: the step and examples where it got to the
    target, or None."""
    single = config.replace(batch_size=batch_size, seed=seed, steps=steps)
    trainer = build_trainer(single, build_problem(single))
    trainer.advance(steps)
    view = trainer.trajectory.run_view(0)
    below = np.flatnonzero(view["loss"] <= target)
    if not below.size:
        return None
    return int(view["step"][below[0]]), int(view["seen"][below[0]])


def test_each_row_is_the_median_of_separate_runs():
    config = RunConfig(dataset="auto-mpg", lr=0.1, seed=4)
    target, sizes, repeats = 19.0, (1, 2, 8, 64, 398), 3
    result = bs.batch_scaling(config, sizes, target, repeats, max_steps=600)
    for row in result.rows:
        hits = [first_hit(config, row.batch_size, 4 + r, target, 600) for r in range(repeats)]
        reached = [h for h in hits if h is not None]
        assert row.reached == pytest.approx(len(reached) / repeats)
        assert row.steps_to_target == np.median([h[0] for h in reached])
        assert row.examples_to_target == np.median([h[1] for h in reached])
        assert row.epochs_to_target == pytest.approx(row.examples_to_target / 398)
    # Full batch: every repeat is the same run, N examples a step.
    full = result.rows[-1]
    assert full.examples_to_target == 398 * full.steps_to_target
    assert result.critical_batch_estimate == pytest.approx(
        min(r.examples_to_target for r in result.rows) / min(r.steps_to_target for r in result.rows)
    )
    problem = build_problem(config)
    assert result.noise_scale == pytest.approx(gradient_noise_scale(problem, 0.0, 0.0))


def test_a_rate_beyond_the_limit_never_reaches_and_says_so():
    config = RunConfig(dataset="auto-mpg", lr=0.1)
    result = bs.batch_scaling(config, (1, 64), None, 2, "linear", base_batch=1, max_steps=300)
    slow, fast = result.rows
    assert slow.lr == pytest.approx(0.1) and fast.lr == pytest.approx(6.4)  # 6.4 > 2/lambda_max
    assert slow.reached == 1.0 and fast.reached == 0.0 and fast.steps_to_target is None
    start_loss = float(build_problem(config).full_loss(0.0, 0.0))
    optimum = build_problem(config).min_loss
    assert result.target == pytest.approx(optimum + 0.01 * (start_loss - optimum))


def test_bad_arguments_are_config_errors():
    config = RunConfig(dataset="auto-mpg")
    with pytest.raises(ConfigError, match="whole numbers from 1 to N = 398"):
        bs.batch_scaling(config, (1, 2.5))
    with pytest.raises(ConfigError, match="whole numbers"):
        bs.batch_scaling(config, (0, 4))
    with pytest.raises(ConfigError, match="repeats"):
        bs.batch_scaling(config, (1,), repeats=0)
    with pytest.raises(ConfigError, match="example terms"):  # before minutes of work
        bs.batch_scaling(RunConfig(dataset="synthetic", n_examples=200_000), max_steps=10_000)
    # Logistic regression pads every batch to the largest and sums its loss over all N.
    two_class = RunConfig(dataset="two-class", n_examples=20_000, model="logistic")
    with pytest.raises(ConfigError, match="example terms"):
        bs.batch_scaling(two_class, max_steps=5_000)
    with pytest.raises(ConfigError, match="not below the start's loss"):
        bs.batch_scaling(config, (1, 4), target=1e9)
    with pytest.raises(ConfigError, match="start point is not finite"):
        bs.batch_scaling(RunConfig(surface="rosenbrock", start=(1e200, 1e200)), (1,), 1.0)
    with pytest.raises(ConfigError, match="no known minimum"):
        bs.batch_scaling(RunConfig(surface="saddle"), (1,))


def test_a_diverged_batch_size_does_not_keep_the_others_going():
    """B = 64 at lr 6.4 diverges at once; B = 1 reaches the target in a few dozen steps: the
    runs stop there, not at the step limit."""
    reports = []
    config = RunConfig(dataset="auto-mpg", lr=0.1)
    result = bs.batch_scaling(config, (1, 64), None, 1, "linear", 1, 100_000,
                              progress=reports.append)  # fmt: skip
    assert result.rows[0].reached == 1.0 and result.rows[1].reached == 0.0
    assert max(reports) < 0.01  # a few chunks of 256 steps out of 100,000


def test_a_cancel_is_seen_within_a_chunk(monkeypatch):
    import threading

    cancel = threading.Event()
    calls = []
    original = bs.Trainer.advance

    def advance(self, steps, cancel_event=None, chunk_size=512):
        calls.append(chunk_size)
        cancel.set()  # the window closes during the first chunk
        return original(self, steps, cancel_event, chunk_size)

    monkeypatch.setattr(bs.Trainer, "advance", advance)
    two_class = RunConfig(dataset="two-class", n_examples=2_000, model="logistic")
    with pytest.raises(bs.SweepCancelled):
        bs.batch_scaling(two_class, max_steps=100, cancel=cancel)
    # 12 sizes (1 ... 1024, 2000) x 3 seeds x (2,000 + 2,000) terms a step: inner chunks of
    # 13 iterations, not 256; the cancel set in the first is seen before the second.
    assert calls == [bs.CANCEL_WORK // (36 * 4_000)] == [13]


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("offset", [(0.0, 0.0), (1e-3, -2e-3), (2.0, -7.0), (-30.0, 50.0)])
def test_linear_regressions_closed_form_spread_is_the_pass_over_the_data(standardize, offset):
    """The O(1) moments against every example's gradient, near and far from the optimum."""
    from gdviz.core.problems import Problem

    problem = build_problem(RunConfig(dataset="auto-mpg", standardize=standardize))
    scale = 1.0 if standardize else 0.01  # raw weight: w is per pound
    w, b = problem.optimum[0] + offset[0] * scale, problem.optimum[1] + offset[1]
    mean, spread = problem.gradient_statistics(w, b)
    by_pass = Problem.gradient_statistics(problem, w, b)
    np.testing.assert_allclose(mean, by_pass[0], rtol=1e-9, atol=1e-9)
    assert spread == pytest.approx(by_pass[1], rel=1e-9)


def test_a_diverged_runs_parameters_have_no_noise_scale():
    problem = build_problem(RunConfig(dataset="auto-mpg"))
    assert gradient_noise_scale(problem, np.inf, 1.0) is None
    assert gradient_noise_scale(problem, np.nan, np.nan) is None
