"""The trainer against closed-form gradient-descent behaviour on quadratics."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from gdviz.core.batching import BatchSampler
from gdviz.core.data import load_dataset
from gdviz.core.engine import Trainer
from gdviz.core.optimizers import OPTIMIZER_NAMES, make_optimizer
from gdviz.core.problems import LinearRegression, LogisticRegression
from gdviz.core.schedules import Schedule
from gdviz.core.stops import DIVERGENCE_FACTOR, RunStatus
from gdviz.core.surfaces import AnalyticSurface

# Any warning (overflow, invalid value, ...) is a test failure in this module.
pytestmark = pytest.mark.filterwarnings("error")


def eigenvalues_by_hand(x):
    """Eigenvalues of H = 2 [[mean x^2, mean x], [mean x, 1]] from the 2x2 closed form."""
    a, m = 2 * np.mean(x * x), 2 * np.mean(x)
    mid, rad = (a + 2) / 2, math.sqrt(((a - 2) / 2) ** 2 + m * m)
    return mid - rad, mid + rad


@pytest.fixture(scope="module")
def raw_line():
    """Unstandardised synthetic line: x in [0, 10], so the Hessian is far from a multiple of I."""
    return LinearRegression(load_dataset("synthetic", n=100, noise=1.0, seed=0, standardize=False))


@pytest.fixture(scope="module")
def std_line():
    """Standardised synthetic line: mean x = 0, mean x^2 = 1, so H = 2 I."""
    return LinearRegression(load_dataset("synthetic", n=100, noise=1.0, seed=0))


def full_batch(problem, lr, start=(0.0, 0.0), name="sgd", **kwargs):
    n = problem.n_examples
    return Trainer(problem, make_optimizer(name), lr, [BatchSampler(n, n)], start, **kwargs)


# -- convergence and divergence of full-batch gradient descent ------------------------------------
@pytest.mark.parametrize("standardize", [True, False])
def test_full_batch_gd_reaches_least_squares_optimum(standardize):
    data = load_dataset("auto-mpg", standardize=standardize)
    problem = LinearRegression(data)
    lmin, lmax = eigenvalues_by_hand(data.x)
    if standardize:
        steps = 200
        lr = 2 / (lmin + lmax)  # the fastest rate: contraction (k-1)/(k+1) = 0 here
    else:
        # raw pounds: condition number ~ 1e7, too slow for plain GD; check a few steps instead
        steps = 50
        lr = 1.0 / lmax
    trainer = full_batch(problem, lr)
    assert trainer.advance(steps) == steps
    slope, intercept = np.polyfit(data.x, data.y, 1)
    w, b = trainer.params
    if standardize:
        assert w == pytest.approx(slope, abs=1e-8)
        assert b == pytest.approx(intercept, abs=1e-8)
    else:
        # d_k = (I - lr H)^k d_0 exactly (no noise in full-batch GD), H = 2 [[m_xx, m_x], [m_x, 1]]
        x = data.x
        h = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
        d = np.array([0.0 - slope, 0.0 - intercept])
        for _ in range(steps):
            d = d - lr * h @ d
        assert (w - slope, b - intercept) == pytest.approx(tuple(d), rel=1e-6, abs=1e-9)


def test_full_batch_gd_ill_conditioned_reaches_polyfit(raw_line):
    x, y = raw_line.data.x, raw_line.data.y
    lmin, lmax = eigenvalues_by_hand(x)
    lr = 2 / (lmin + lmax)
    rho = (lmax - lmin) / (lmax + lmin)  # worst-case contraction per step
    steps = math.ceil(math.log(1e-12) / math.log(rho))
    trainer = full_batch(raw_line, lr)
    trainer.advance(steps)
    slope, intercept = np.polyfit(x, y, 1)
    assert trainer.params == pytest.approx((slope, intercept), abs=1e-8)
    assert trainer.statuses[0].status == "running"
    trainer.finish()
    assert trainer.statuses[0] == RunStatus("finished", steps, "")


def test_stability_threshold_two_over_lambda_max(raw_line):
    _, lmax = eigenvalues_by_hand(raw_line.data.x)
    lr_max = 2 / lmax
    below = full_batch(raw_line, 0.99 * lr_max)
    below.advance(4000)  # slowest factor max(|1 - lr lmin|, |1 - lr lmax|) ~ 0.986
    below.finish()
    assert below.statuses[0].status == "finished"
    assert below.params == pytest.approx(raw_line.optimum, abs=1e-8)

    above = full_batch(raw_line, 1.05 * lr_max)
    above.advance(4000)
    status = above.statuses[0]
    assert status.status == "diverged"
    assert isinstance(status.step, int) and 1 <= status.step <= 4000
    assert status.reason and "\n" not in status.reason
    # along the top eigenvector the error grows by |1 - 1.05 * 2| = 1.1 per step
    assert above.trajectory.ends[0] == status.step + 1
    assert above.step >= status.step


def test_divergence_step_matches_closed_form(std_line):
    # H = 2 I: with lr = 1.05 every step multiplies d by (1 - 2 lr) = -1.1, so
    # L_k = L* + 1.21^k (L_0 - L*). The run diverges at the first k with L_k > 1e6 max(L_0, 1).
    lmin, lmax = eigenvalues_by_hand(std_line.data.x)
    assert lmin == pytest.approx(2.0) and lmax == pytest.approx(2.0)
    x, y = std_line.data.x, std_line.data.y
    loss0 = float(np.mean(y**2))  # at w = b = 0
    slope, intercept = np.polyfit(x, y, 1)
    best = float(np.mean((slope * x + intercept - y) ** 2))
    limit = DIVERGENCE_FACTOR * max(loss0, 1.0)
    expected = next(k for k in range(1, 1000) if best + 1.21**k * (loss0 - best) > limit)
    trainer = full_batch(std_line, 1.05)
    trainer.advance(1000)
    status = trainer.statuses[0]
    assert (status.status, status.step) == ("diverged", expected)
    assert "1e+06" in status.reason


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("lr", [1e9, 1e300])
def test_huge_learning_rate_diverges_quietly(std_line, name, lr):
    trainer = full_batch(std_line, lr, name=name)
    done = trainer.advance(100)
    assert 1 <= done <= 512
    status = trainer.statuses[0]
    assert status.status == "diverged"
    assert status.step is not None and status.step >= 1
    assert status.reason and "\n" not in status.reason
    assert not trainer.active


def test_huge_learning_rate_on_surfaces_diverges_quietly():
    for name in ("rosenbrock", "six-hump-camel", "himmelblau"):
        surface = AnalyticSurface(name, noise=0.5)
        sampler = BatchSampler(100, 10, seed=0, draw_noise=True)
        trainer = Trainer(surface, make_optimizer("sgd"), 1e9, [sampler], surface.default_start)
        trainer.advance(100)
        assert trainer.statuses[0].status == "diverged"


# -- per-step records -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def recorded(std_line):
    lr = 0.05
    sampler = BatchSampler(100, 10, seed=9)
    trainer = Trainer(
        std_line, make_optimizer("sgd"), lr, [sampler], (1.0, -2.0), record_examples=True
    )
    trainer.advance(25)
    return trainer, lr


def test_step_epoch_batch_columns(recorded):
    trainer, _ = recorded
    view = trainer.trajectory.run_view(0)
    assert trainer.trajectory.length == 26
    assert view["step"].tolist() == list(range(26))
    epoch, batch = view["epoch"].tolist(), view["batch"].tolist()
    assert (epoch[0], batch[0]) == (0, 0)  # the start row
    assert (epoch[1], batch[1]) == (1, 1)
    assert (epoch[10], batch[10]) == (1, 10)
    assert (epoch[11], batch[11]) == (2, 1)
    assert (epoch[20], batch[20]) == (2, 10)
    assert (epoch[21], batch[21]) == (3, 1)
    assert epoch[1:] == [1 + (s - 1) // 10 for s in range(1, 26)]
    assert batch[1:] == [1 + (s - 1) % 10 for s in range(1, 26)]
    assert view["size"][1:].tolist() == [10] * 25


def test_partial_last_batch_size_column(std_line):
    data = load_dataset("synthetic", n=95, seed=1)
    problem = LinearRegression(data)
    trainer = Trainer(problem, make_optimizer("sgd"), 0.01, [BatchSampler(95, 10)], (0.0, 0.0))
    trainer.advance(20)
    sizes = trainer.trajectory.run_view(0)["size"][1:].tolist()
    assert sizes == [10] * 9 + [5] + [10] * 9 + [5]


def test_recorded_losses_gradients_and_updates(recorded, std_line):
    trainer, lr = recorded
    x, y = std_line.data.x, std_line.data.y
    view = trainer.trajectory.run_view(0)
    p1, p2 = view["p1"], view["p2"]
    assert (p1[0], p2[0]) == (1.0, -2.0)
    for row in range(26):
        # full loss at the recorded parameters, brute force and via the problem
        brute = np.mean((p1[row] * x + p2[row] - y) ** 2)
        assert view["loss"][row] == pytest.approx(brute, rel=1e-11)
        assert view["loss"][row] == pytest.approx(float(std_line.full_loss(p1[row], p2[row])))
    assert np.isnan(view["batch_loss"][0]) and np.isnan(view["g1"][0])
    seen = []
    for row in range(1, 26):
        idx = trainer.trajectory.examples(row)
        assert idx.size == 10
        seen.append(idx)
        # batch loss and gradient at the parameters *before* the update, on this row's batch
        r = p1[row - 1] * x[idx] + p2[row - 1] - y[idx]
        assert view["batch_loss"][row] == pytest.approx(np.mean(r * r), rel=1e-11)
        assert view["g1"][row] == pytest.approx(2 * np.mean(r * x[idx]), rel=1e-10, abs=1e-12)
        assert view["g2"][row] == pytest.approx(2 * np.mean(r), rel=1e-10, abs=1e-12)
        assert view["lr"][row] == lr
        # plain SGD: p_k = p_{k-1} - lr g_k
        assert p1[row] == pytest.approx(p1[row - 1] - lr * view["g1"][row], rel=1e-14)
        assert p2[row] == pytest.approx(p2[row - 1] - lr * view["g2"][row], rel=1e-14)
    # shuffle sampling: epoch 1 (rows 1-10) and epoch 2 (rows 11-20) each use all 100 examples
    assert sorted(np.concatenate(seen[:10]).tolist()) == list(range(100))
    assert sorted(np.concatenate(seen[10:20]).tolist()) == list(range(100))
    assert trainer.trajectory.examples(0).size == 0


def test_trajectory_views_are_read_only(recorded):
    trainer, _ = recorded
    column = trainer.trajectory.column("p1")
    with pytest.raises(ValueError):
        column[0] = 5.0


def test_schedule_rates_recorded(std_line):
    schedule = Schedule("step", gamma=0.5, step_size=4)
    trainer = full_batch(std_line, 0.2, schedule=schedule)
    trainer.advance(12)
    lrs = trainer.trajectory.run_view(0)["lr"][1:]
    # iteration t = 0, 1, ... uses 0.2 * 0.5 ** floor(t / 4)
    np.testing.assert_allclose(lrs, [0.2] * 4 + [0.1] * 4 + [0.05] * 4, rtol=1e-15)


def test_trajectory_grows_beyond_capacity(std_line):
    trainer = full_batch(std_line, 0.1, capacity=3)
    trainer.advance(1000)
    traj = trainer.trajectory
    assert traj.length == 1001 and traj.capacity >= 1001
    d0 = -np.array(std_line.optimum)  # start at (0, 0)
    # H ~ 2 I: d_k = (1 - 2 lr)^k d_0 = 0.8^k d_0
    for k in (0, 1, 7, 30):
        expected = np.array(std_line.optimum) + 0.8**k * d0
        assert (traj.column("p1")[k], traj.column("p2")[k]) == pytest.approx(
            tuple(expected), rel=1e-9, abs=1e-12
        )


# -- K runs in lockstep ---------------------------------------------------------------------------
LRS = np.array([0.01, 0.05, 0.2, 0.4])
FIELDS = ("step", "epoch", "batch", "size", "lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")


def k_mode_problems():
    return {
        "linear": LinearRegression(load_dataset("synthetic", n=100, seed=3)),
        "logistic": LogisticRegression(
            load_dataset("two-class", n=100, noise=2.0, seed=3, binary=True)
        ),
        "surface": AnalyticSurface("six-hump-camel", noise=0.5),
    }


@pytest.mark.parametrize(
    ("problem_name", "optimizer"),
    [
        ("linear", "sgd"),
        ("linear", "momentum"),
        ("linear", "adam"),
        ("linear", "rmsprop"),
        ("logistic", "nesterov"),
        ("surface", "adagrad"),
        ("surface", "adamw"),
    ],
)
def test_k_runs_equal_separate_runs(problem_name, optimizer):
    problem = k_mode_problems()[problem_name]
    n, steps = problem.n_examples, 300
    lrs = LRS / 10 if problem_name == "surface" else LRS

    def sampler():
        return BatchSampler(n, 10, seed=21, draw_noise=problem.needs_noise)

    start = (0.5, -0.5)
    together = Trainer(problem, make_optimizer(optimizer), lrs, [sampler()], start, runs=4)
    together.advance(steps)
    assert isinstance(together.params[0], np.ndarray) and together.params[0].shape == (4,)
    for k in range(4):
        alone = Trainer(problem, make_optimizer(optimizer), float(lrs[k]), [sampler()], start)
        alone.advance(steps)
        a, b = together.trajectory.run_view(k), alone.trajectory.run_view(0)
        assert together.statuses[k] == alone.statuses[0]
        for name in FIELDS:
            assert a[name].shape == b[name].shape == (steps + 1,)
            np.testing.assert_allclose(
                a[name], b[name], rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=name
            )


def test_k_runs_with_per_run_batches_equal_separate_runs():
    problem = LinearRegression(load_dataset("synthetic", n=60, seed=5))
    specs = [(5, "shuffle", 1), (12, "shuffle", 2), (7, "replacement", 3)]
    lrs = np.array([0.05, 0.1, 0.02])
    samplers = [BatchSampler(60, b, s, seed=seed) for b, s, seed in specs]
    together = Trainer(problem, make_optimizer("adam"), lrs, samplers, (3.0, 3.0), runs=3)
    together.advance(200)
    for k, (b, s, seed) in enumerate(specs):
        sampler = BatchSampler(60, b, s, seed=seed)
        alone = Trainer(problem, make_optimizer("adam"), float(lrs[k]), [sampler], (3.0, 3.0))
        alone.advance(200)
        a, c = together.trajectory.run_view(k), alone.trajectory.run_view(0)
        for name in FIELDS:
            np.testing.assert_allclose(a[name], c[name], rtol=1e-12, atol=1e-12, err_msg=name)


def test_diverged_run_stops_while_others_continue(std_line):
    lrs = np.array([0.3, 1.05, 0.9, 0.5])
    n = std_line.n_examples
    trainer = Trainer(std_line, make_optimizer("sgd"), lrs, [BatchSampler(n, n)], (0.0, 0.0),
                      runs=4)  # fmt: skip
    trainer.advance(1500)
    assert [s.status for s in trainer.statuses] == ["running", "diverged", "running", "running"]
    diverged_at = trainer.statuses[1].step
    assert diverged_at == 73  # the closed form of test_divergence_step_matches_closed_form
    ends = trainer.trajectory.ends.tolist()
    assert ends == [1501, diverged_at + 1, 1501, 1501]
    trainer.finish()
    assert [s.status for s in trainer.statuses] == ["finished", "diverged", "finished", "finished"]
    w, b = trainer.params
    for k in (0, 2, 3):  # |1 - 2 lr| < 1: these converge
        assert (w[k], b[k]) == pytest.approx(std_line.optimum, abs=1e-9)
    # the rows of the stopped run end at its divergence
    assert trainer.trajectory.run_view(1)["p1"].shape == (diverged_at + 1,)


def test_tolerance_gives_converged_at_the_predicted_step(std_line):
    # H = 2 I and lr = 0.3: d_k = 0.4^k d_0 and the gradient is 2 d_k, so |g_k| <= tol first at
    # k = ceil(log(tol / (2 |d_0|)) / log(0.4)).
    tol = 1e-6
    d0 = math.hypot(*std_line.optimum)
    expected = math.ceil(math.log(tol / (2 * d0)) / math.log(0.4))
    trainer = full_batch(std_line, 0.3, tol=tol)
    trainer.advance(10_000)
    status = trainer.statuses[0]
    assert (status.status, status.step) == ("converged", expected)
    assert trainer.trajectory.ends[0] == expected + 1
    assert not trainer.active
    view = trainer.trajectory.run_view(0)
    g1, g2 = std_line.full_grad(view["p1"][-1], view["p2"][-1])
    assert math.hypot(g1, g2) <= tol


def test_cancel_event_set_does_nothing(std_line):
    trainer = full_batch(std_line, 0.1)
    cancel = threading.Event()
    cancel.set()
    assert trainer.advance(1000, cancel=cancel) == 0
    assert trainer.step == 0
    assert trainer.trajectory.length == 1
    assert trainer.params == (0.0, 0.0)
    assert trainer.statuses[0].status == "running"


def test_invalid_learning_rate_and_start(std_line):
    for lr in (0.0, -0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning rate"):
            full_batch(std_line, lr)
    surface = AnalyticSurface("rosenbrock")
    with pytest.raises(ValueError, match="start"):
        Trainer(surface, make_optimizer("sgd"), 0.1, [BatchSampler(100, 10)], (1e200, 1e200))


def test_million_steps_are_stored_in_numpy_arrays():
    problem = LinearRegression(load_dataset("synthetic", n=100, seed=0))
    trainer = Trainer(problem, make_optimizer("sgd"), 0.01, [BatchSampler(100, 10)], (0.0, 0.0),
                      capacity=1024)  # fmt: skip
    steps = 1_000_000
    assert trainer.advance(steps) == steps
    traj = trainer.trajectory
    assert traj.length == steps + 1
    assert isinstance(traj.step, np.ndarray) and traj.step.dtype == np.int64
    assert traj.step.shape[0] >= steps + 1
    for name, array in traj.fields.items():
        assert isinstance(array, np.ndarray), name
        assert array.shape[0] >= steps + 1 and array.shape[1:] == (1,), name
        assert array.dtype in (np.float64, np.int64), name
        assert array.dtype != object
    view = traj.run_view(0)
    assert view["p1"].shape == (steps + 1,) and view["p1"].dtype == np.float64
    assert view["step"][-1] == steps
    assert view["epoch"][-1] == steps // 10 and view["batch"][-1] == 10
    # mini-batch SGD with a small rate hovers near the optimum (noise ~ lr)
    assert trainer.params == pytest.approx(problem.optimum, abs=0.1)
