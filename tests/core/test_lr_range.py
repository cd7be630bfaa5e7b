"""The learning-rate range test against independent computations: the geometric schedule
(numpy.geomspace), the smoothing (its closed form), and for linear regression the exact limit
2/lambda_max (gradient descent cannot blow up below it)."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core.config import ConfigError, RunConfig, build_problem
from gdviz.core.lr_range import BETA, range_test, smoothed
from gdviz.core.surface import curvature


def test_the_rate_rises_geometrically_exactly():
    config = RunConfig(dataset="synthetic", batch_size=10, steps=300)
    result = range_test(config, 1e-4, 1e-1)  # stays well below divergence: all 300 made
    assert result.lr.size == 300 and result.diverged_at_lr is None
    np.testing.assert_allclose(result.lr, np.geomspace(1e-4, 1e-1, 300), rtol=1e-12)


def test_the_smoothing_is_the_bias_corrected_moving_average():
    losses = np.random.default_rng(0).exponential(size=50)
    t = np.arange(1, 51)
    closed = np.array([(1 - BETA) * np.sum(BETA ** (k - np.arange(1, k + 1)) * losses[:k])
                       for k in t]) / (1 - BETA**t)  # fmt: skip
    np.testing.assert_allclose(smoothed(losses), closed, rtol=1e-12)


def test_full_batch_descent_diverges_only_above_two_over_lambda_max():
    config = RunConfig(dataset="auto-mpg", steps=200)  # full batch: plain gradient descent
    result = range_test(config, 1e-4, 100.0)
    shape = curvature(build_problem(config))
    assert result.lr_limit == pytest.approx(shape.lr_max_stable)
    assert result.lr_fastest == pytest.approx(shape.lr_fastest)
    assert result.diverged_at_lr is not None and result.diverged_at_lr > result.lr_limit
    assert result.steepest_lr < result.lr_limit
    # The recorded loss is the full loss after each update, the rows stop at the divergence.
    assert result.lr[-1] == result.diverged_at_lr
    assert np.all(np.isfinite(result.smoothed_loss))


def test_a_surface_has_no_exact_limits_and_bad_bounds_are_refused():
    result = range_test(RunConfig(surface="rosenbrock", steps=300), 1e-5, 1.0)
    assert result.lr_limit is None and result.lr_fastest is None
    assert result.diverged_at_lr is not None and result.steepest_lr < result.diverged_at_lr
    with pytest.raises(ConfigError, match="must rise"):
        range_test(RunConfig(steps=10), 1.0, 0.1)
    with pytest.raises(ConfigError, match="at least 2"):
        range_test(RunConfig(steps=1), 1e-3, 1.0)
