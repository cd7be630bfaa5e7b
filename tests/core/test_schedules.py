"""Learning-rate schedules against the torch.optim.lr_scheduler closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz.core.schedules import Schedule

LR = 0.2


def test_constant():
    rates = Schedule("constant").rates(LR, np.arange(50))
    assert rates.shape == (50,)
    assert np.all(rates == LR)


def test_step_decay():
    # lr_t = lr * gamma ** floor(t / step_size)
    sched = Schedule("step", gamma=0.5, step_size=3)
    t = np.arange(10)
    expected = [0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    np.testing.assert_allclose(sched.rates(LR, t), expected, rtol=1e-15)


def test_exponential_decay():
    # lr_t = lr * gamma ** t
    sched = Schedule("exponential", gamma=0.9)
    t = np.arange(6)
    expected = [LR * 0.9**k for k in range(6)]
    np.testing.assert_allclose(sched.rates(LR, t), expected, rtol=1e-14)
    assert sched.rates(LR, np.array([2]))[0] == pytest.approx(0.162, rel=1e-14)


def test_cosine_annealing():
    # lr_t = eta_min + (lr - eta_min) (1 + cos(pi t / T)) / 2, held at eta_min after T
    t_max, eta_min = 8, 0.02
    sched = Schedule("cosine", t_max=t_max, eta_min=eta_min)
    t = np.arange(12)
    expected = [
        eta_min + (LR - eta_min) * (1 + math.cos(math.pi * min(k, t_max) / t_max)) / 2
        for k in range(12)
    ]
    rates = sched.rates(LR, t)
    np.testing.assert_allclose(rates, expected, rtol=1e-14)
    assert rates[0] == pytest.approx(LR)
    assert rates[4] == pytest.approx((LR + eta_min) / 2)  # halfway: the mean of the ends
    assert np.allclose(rates[8:], eta_min, rtol=1e-14)


def test_warmup_alone_is_linear():
    # factor = start + (1 - start) * t / W for t < W, then 1
    sched = Schedule("constant", warmup=4, warmup_start=0.2)
    expected = [LR * f for f in (0.2, 0.4, 0.6, 0.8, 1.0, 1.0)]
    np.testing.assert_allclose(sched.rates(LR, np.arange(6)), expected, rtol=1e-14)


def test_warmup_with_cosine():
    w, start, t_max = 5, 0.1, 20
    sched = Schedule("cosine", t_max=t_max, warmup=w, warmup_start=start)
    t = np.arange(30)
    expected = []
    for k in t:
        cosine = LR * (1 + math.cos(math.pi * min(k, t_max) / t_max)) / 2
        factor = start + (1 - start) * k / w if k < w else 1.0
        expected.append(cosine * factor)
    rates = sched.rates(LR, t)
    np.testing.assert_allclose(rates, expected, rtol=1e-13, atol=1e-18)
    assert rates[0] == pytest.approx(start * LR)
    assert rates[-1] == pytest.approx(0.0, abs=1e-18)
    # rises during the warm-up, then falls
    assert np.all(np.diff(rates[:w]) > 0)
    assert np.all(np.diff(rates[w : t_max + 1]) < 0)


def test_warmup_with_step_decay():
    sched = Schedule("step", gamma=0.1, step_size=2, warmup=2, warmup_start=0.5)
    expected = [LR * 0.5, LR * 0.75, LR * 0.1, LR * 0.1, LR * 0.01]
    np.testing.assert_allclose(sched.rates(LR, np.arange(5)), expected, rtol=1e-14)


def test_array_learning_rates_broadcast():
    lrs = np.array([0.1, 0.3])
    rates = Schedule("exponential", gamma=0.5).rates(lrs, np.arange(4))
    assert rates.shape == (4, 2)
    np.testing.assert_allclose(rates[:, 0], [0.1, 0.05, 0.025, 0.0125], rtol=1e-15)
    np.testing.assert_allclose(rates[:, 1], [0.3, 0.15, 0.075, 0.0375], rtol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "linear"},
        {"name": "step", "gamma": 0.0},
        {"name": "step", "gamma": 1.5},
        {"name": "step", "step_size": 0},
        {"name": "cosine", "t_max": 0},
        {"name": "cosine", "eta_min": -0.1},
        {"name": "cosine", "eta_min": float("nan")},
        {"warmup": -1},
        {"warmup": 3, "warmup_start": 0.0},
        {"warmup": 3, "warmup_start": 1.5},
    ],
)
def test_invalid_schedules_raise(kwargs):
    with pytest.raises(ValueError):
        Schedule(**kwargs)


def test_describe_mentions_warmup():
    assert "warm-up 5" in Schedule("cosine", warmup=5).describe()
    assert Schedule().describe() == "constant"
