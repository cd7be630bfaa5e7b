"""Optimizer updates against the torch.optim equations, computed by hand with plain Python math.

Every reference below follows the pseudo-code of the PyTorch documentation for the algorithm
(https://pytorch.org/docs/stable/optim.html); the gradient sequence is fixed in advance, so the
updates can be checked without a loss function.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz.core.optimizers import OPTIMIZER_NAMES, adagrad, make_optimizer, rmsprop, sgd

P0 = 1.0
GRADS = (0.5, -1.0, 2.0)
LR = 0.1


def run(opt, grads=GRADS, p0=P0, lr=LR):
    """Parameters after each of the updates of ``opt`` on the fixed gradient sequence."""
    p, state = p0, opt.init(p0)
    out = []
    for t, g in enumerate(grads, start=1):
        p, state = opt.update(g, p, state, lr, t)
        out.append(float(p))
    return out


def assert_steps(actual, expected, rel=1e-13):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert a == pytest.approx(e, rel=rel, abs=1e-15)


# -- SGD family -----------------------------------------------------------------------------------
def test_plain_sgd_three_steps():
    # p <- p - lr * g
    assert_steps(run(make_optimizer("sgd")), [0.95, 1.05, 0.85])


def test_momentum_three_steps_by_hand():
    # b_1 = g_1; b_t = mu * b_{t-1} + g_t; p <- p - lr * b_t   (mu = 0.9, no dampening)
    # b = 0.5, -0.55, 1.505 -> p = 0.95, 1.005, 0.8545
    assert_steps(run(make_optimizer("momentum", momentum=0.9)), [0.95, 1.005, 0.8545])


def test_momentum_with_dampening():
    # torch: the first buffer is the raw gradient (no dampening); later
    # b_t = mu * b_{t-1} + (1 - dampening) * g_t
    mu, damp = 0.9, 0.5
    b1 = GRADS[0]
    p1 = P0 - LR * b1
    b2 = mu * b1 + (1 - damp) * GRADS[1]
    p2 = p1 - LR * b2
    b3 = mu * b2 + (1 - damp) * GRADS[2]
    p3 = p2 - LR * b3
    assert_steps(run(make_optimizer("momentum", momentum=mu, dampening=damp)), [p1, p2, p3])
    # Literal values: b = 0.5, -0.05, 0.955
    assert_steps([p1, p2, p3], [0.95, 0.955, 0.8595])


def test_nesterov_three_steps():
    # b_t as for momentum; the step uses g_t + mu * b_t
    mu = 0.9
    b1 = GRADS[0]
    p1 = P0 - LR * (GRADS[0] + mu * b1)
    b2 = mu * b1 + GRADS[1]
    p2 = p1 - LR * (GRADS[1] + mu * b2)
    b3 = mu * b2 + GRADS[2]
    p3 = p2 - LR * (GRADS[2] + mu * b3)
    assert_steps(run(make_optimizer("nesterov", momentum=mu)), [p1, p2, p3])
    # By hand: 1 - 0.1*0.95 = 0.905; 0.905 - 0.1*(-1 - 0.495) = 1.0545;
    # 1.0545 - 0.1*(2 + 1.3545) = 0.71905
    assert_steps([p1, p2, p3], [0.905, 1.0545, 0.71905])


def test_sgd_weight_decay():
    # g <- g + wd * p, then p <- p - lr * g
    wd = 0.2
    p1 = P0 - LR * (GRADS[0] + wd * P0)
    p2 = p1 - LR * (GRADS[1] + wd * p1)
    p3 = p2 - LR * (GRADS[2] + wd * p2)
    assert_steps(run(make_optimizer("sgd", weight_decay=wd)), [p1, p2, p3])
    assert_steps([p1], [0.93])


def test_momentum_with_weight_decay():
    # Weight decay enters the gradient before the momentum buffer.
    mu, wd = 0.9, 0.1
    g1 = GRADS[0] + wd * P0
    b1 = g1
    p1 = P0 - LR * b1
    g2 = GRADS[1] + wd * p1
    b2 = mu * b1 + g2
    p2 = p1 - LR * b2
    g3 = GRADS[2] + wd * p2
    b3 = mu * b2 + g3
    p3 = p2 - LR * b3
    assert_steps(run(make_optimizer("momentum", momentum=mu, weight_decay=wd)), [p1, p2, p3])


# -- AdaGrad --------------------------------------------------------------------------------------
def test_adagrad_three_steps():
    # s_t = s_{t-1} + g^2 (s_0 = 0); p <- p - lr * g / (sqrt(s_t) + eps)
    eps = 1e-10
    s1 = 0.25
    p1 = P0 - LR * 0.5 / (math.sqrt(s1) + eps)
    s2 = s1 + 1.0
    p2 = p1 - LR * -1.0 / (math.sqrt(s2) + eps)
    s3 = s2 + 4.0
    p3 = p2 - LR * 2.0 / (math.sqrt(s3) + eps)
    assert_steps(run(make_optimizer("adagrad")), [p1, p2, p3])
    # Roughly 1 - 0.1, then + 0.1/sqrt(1.25), then - 0.2/sqrt(5.25)
    assert p1 == pytest.approx(0.9, abs=1e-9)


def test_adagrad_lr_decay_and_weight_decay():
    # lr_t = lr / (1 + (t - 1) * lr_decay); g <- g + wd * p
    decay, wd, eps = 0.5, 0.1, 1e-10
    s, p, expected = 0.0, P0, []
    for t, g in enumerate(GRADS, start=1):
        g = g + wd * p
        s = s + g * g
        p = p - LR / (1 + (t - 1) * decay) * g / (math.sqrt(s) + eps)
        expected.append(p)
    assert_steps(run(make_optimizer("adagrad", lr_decay=decay, weight_decay=wd)), expected)


def test_adagrad_initial_accumulator():
    # s_0 = initial_accumulator_value
    s0, eps = 2.0, 1e-10
    s1 = s0 + 0.25
    p1 = P0 - LR * 0.5 / (math.sqrt(s1) + eps)
    assert run(adagrad(initial_accumulator_value=s0), GRADS[:1]) == pytest.approx([p1], rel=1e-14)


# -- RMSProp --------------------------------------------------------------------------------------
def test_rmsprop_plain_three_steps():
    # v_t = alpha v_{t-1} + (1 - alpha) g^2; p <- p - lr g / (sqrt(v_t) + eps)
    alpha, eps = 0.99, 1e-8
    v1 = (1 - alpha) * 0.25
    p1 = P0 - LR * 0.5 / (math.sqrt(v1) + eps)
    v2 = alpha * v1 + (1 - alpha) * 1.0
    p2 = p1 - LR * -1.0 / (math.sqrt(v2) + eps)
    v3 = alpha * v2 + (1 - alpha) * 4.0
    p3 = p2 - LR * 2.0 / (math.sqrt(v3) + eps)
    assert_steps(run(make_optimizer("rmsprop")), [p1, p2, p3])
    # First step: sqrt(0.0025) = 0.05, so the step is 0.1 * 0.5 / 0.05 = 1 (a big first step).
    assert p1 == pytest.approx(0.0, abs=1e-6)


def test_rmsprop_centered():
    # m_t = alpha m_{t-1} + (1 - alpha) g; denominator sqrt(v_t - m_t^2) + eps
    alpha, eps = 0.9, 1e-8
    v = m = 0.0
    p, expected = P0, []
    for g in GRADS:
        v = alpha * v + (1 - alpha) * g * g
        m = alpha * m + (1 - alpha) * g
        p = p - LR * g / (math.sqrt(v - m * m) + eps)
        expected.append(p)
    assert_steps(run(make_optimizer("rmsprop", alpha=alpha, centered=True)), expected)
    # First step: v - m^2 = 0.1*0.25 - 0.0025 = 0.0225 -> sqrt = 0.15; step 0.1*0.5/0.15
    assert expected[0] == pytest.approx(1 - 1 / 3, rel=1e-7)


def test_rmsprop_momentum_and_weight_decay():
    # b_t = mu b_{t-1} + g / (sqrt(v_t) + eps)  (b_0 = 0); p <- p - lr b_t
    alpha, eps, mu, wd = 0.9, 1e-8, 0.5, 0.1
    v = b = 0.0
    p, expected = P0, []
    for g in GRADS:
        g = g + wd * p
        v = alpha * v + (1 - alpha) * g * g
        b = mu * b + g / (math.sqrt(v) + eps)
        p = p - LR * b
        expected.append(p)
    opt = make_optimizer("rmsprop", alpha=alpha, momentum=mu, weight_decay=wd)
    assert_steps(run(opt), expected)


def test_rmsprop_centered_with_momentum():
    alpha, eps, mu = 0.8, 1e-6, 0.7
    v = m = b = 0.0
    p, expected = P0, []
    for g in GRADS:
        v = alpha * v + (1 - alpha) * g * g
        m = alpha * m + (1 - alpha) * g
        b = mu * b + g / (math.sqrt(v - m * m) + eps)
        p = p - LR * b
        expected.append(p)
    opt = make_optimizer("rmsprop", alpha=alpha, eps=eps, momentum=mu, centered=True)
    assert_steps(run(opt), expected)


# -- Adam / AdamW ---------------------------------------------------------------------------------
def adam_reference(beta1, beta2, eps, wd=0.0, decoupled=False):
    m = v = 0.0
    p, out = P0, []
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            p = p * (1 - LR * wd)  # AdamW: decay the weights first
        else:
            g = g + wd * p  # Adam: L2 penalty in the gradient
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - LR * m_hat / (math.sqrt(v_hat) + eps)  # eps outside the square root
        out.append(p)
    return out


def test_adam_first_step_is_lr_times_sign():
    # m_hat_1 = g, v_hat_1 = g^2, so the first step is lr * g / (|g| + eps)
    p1 = run(make_optimizer("adam"), GRADS[:1])[0]
    assert p1 == pytest.approx(P0 - LR * 0.5 / (0.5 + 1e-8), rel=1e-14)


def test_adam_three_steps():
    assert_steps(run(make_optimizer("adam")), adam_reference(0.9, 0.999, 1e-8))


def test_adam_eps_is_outside_the_square_root():
    # With a large eps the two placements differ clearly: lr*0.5/(0.5 + 0.25) vs lr*0.5/sqrt(0.5).
    p1 = run(make_optimizer("adam", eps=0.25), GRADS[:1])[0]
    assert p1 == pytest.approx(P0 - LR * 0.5 / 0.75, rel=1e-14)
    assert_steps(run(make_optimizer("adam", eps=0.25)), adam_reference(0.9, 0.999, 0.25))


def test_adam_other_betas_and_l2_weight_decay():
    opt = make_optimizer("adam", beta1=0.5, beta2=0.75, eps=1e-3, weight_decay=0.3)
    assert_steps(run(opt), adam_reference(0.5, 0.75, 1e-3, wd=0.3))


def test_adamw_decoupled_weight_decay():
    expected = adam_reference(0.9, 0.999, 1e-8, wd=0.01, decoupled=True)
    assert_steps(run(make_optimizer("adamw")), expected)  # torch default wd = 1e-2
    expected = adam_reference(0.8, 0.9, 1e-8, wd=0.5, decoupled=True)
    opt = make_optimizer("adamw", beta1=0.8, beta2=0.9, weight_decay=0.5)
    assert_steps(run(opt), expected)
    # First step: p = 1 * (1 - 0.1*0.5) = 0.95, then minus lr * sign(g)
    assert expected[0] == pytest.approx(0.95 - 0.1, rel=1e-7)


def test_adamw_differs_from_adam_with_l2():
    adam_l2 = run(make_optimizer("adam", weight_decay=0.5))
    adamw = run(make_optimizer("adamw", weight_decay=0.5))
    assert abs(adam_l2[-1] - adamw[-1]) > 1e-3


# -- floats and (K,) arrays -----------------------------------------------------------------------
CONFIGS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.1}),
    ("momentum", {"momentum": 0.9}),
    ("momentum", {"momentum": 0.8, "dampening": 0.3}),
    ("nesterov", {"momentum": 0.9, "weight_decay": 0.05}),
    ("adagrad", {"lr_decay": 0.1, "weight_decay": 0.05}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "alpha": 0.9}),
    ("adam", {"weight_decay": 0.1}),
    ("adamw", {}),
]


@pytest.mark.parametrize(("name", "hyper"), CONFIGS)
def test_float_and_array_coordinates_agree(name, hyper):
    k = 3
    opt = make_optimizer(name, **hyper)
    grads = [np.array([0.5, -2.0, 1.5]), np.array([-1.0, 0.25, 3.0]), np.array([2.0, 1.0, -0.5])]
    p0 = np.array([1.0, -0.5, 2.0])
    lrs = np.array([0.1, 0.05, 0.2])
    p, state = p0.copy(), opt.init(p0.copy())
    for t, g in enumerate(grads, start=1):
        p, state = opt.update(g, p, state, lrs, t)
    assert isinstance(p, np.ndarray) and p.shape == (k,)
    for j in range(k):
        expected = run(opt, [float(g[j]) for g in grads], float(p0[j]), float(lrs[j]))[-1]
        assert p[j] == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("momentum", {"momentum": np.array([0.0, 0.5, 0.9]), "dampening": np.array([0, 0.2, 0])}),
        ("rmsprop", {"alpha": np.array([0.5, 0.9, 0.99]), "eps": np.array([1e-8, 1e-3, 0.1])}),
        ("adam", {"beta1": np.array([0.5, 0.8, 0.9]), "beta2": np.array([0.9, 0.99, 0.999])}),
        ("adagrad", {"lr_decay": np.array([0.0, 0.1, 1.0])}),
    ],
)
def test_array_hyperparameters_match_per_run_floats(name, hyper):
    opt = make_optimizer(name, **hyper)
    grads = [np.full(3, g) for g in GRADS]
    p, state = np.full(3, P0), opt.init(np.full(3, P0))
    for t, g in enumerate(grads, start=1):
        p, state = opt.update(g, p, state, LR, t)
    for j in range(3):
        single = make_optimizer(name, **{key: float(v[j]) for key, v in hyper.items()})
        assert p[j] == pytest.approx(run(single)[-1], rel=1e-14)


def test_optimizer_names_and_unknown_hyperparameters():
    for name in OPTIMIZER_NAMES:
        assert make_optimizer(name).name == name
    with pytest.raises(ValueError, match="beta1"):
        make_optimizer("sgd", beta1=0.9)
    with pytest.raises(ValueError, match="lion"):
        make_optimizer("lion")


# -- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: make_optimizer("momentum", momentum=-0.1), "momentum"),
        (lambda: sgd(momentum=-0.5), "momentum"),
        (lambda: make_optimizer("momentum", momentum=1.5), "momentum"),
        (lambda: make_optimizer("momentum", dampening=-1.0), "dampening"),
        (lambda: make_optimizer("adam", beta1=1.0), "beta1"),
        (lambda: make_optimizer("adam", beta1=1.2), "beta1"),
        (lambda: make_optimizer("adamw", beta2=1.0), "beta2"),
        (lambda: make_optimizer("adam", eps=0.0), "eps"),
        (lambda: make_optimizer("adam", eps=-1e-8), "eps"),
        (lambda: make_optimizer("rmsprop", eps=0.0), "eps"),
        (lambda: make_optimizer("adagrad", eps=0.0), "eps"),
        (lambda: make_optimizer("rmsprop", alpha=-0.1), "alpha"),
        (lambda: make_optimizer("sgd", weight_decay=-1.0), "weight decay"),
        (lambda: make_optimizer("adam", beta1=float("nan")), "beta1"),
        (lambda: make_optimizer("nesterov", momentum=0.0), "Nesterov"),
        (lambda: sgd(momentum=0.0, nesterov=True), "Nesterov"),
        (lambda: sgd(momentum=0.9, dampening=0.5, nesterov=True), "Nesterov"),
    ],
)
def test_invalid_hyperparameters_raise_value_error_naming_them(build, name):
    with pytest.raises(ValueError, match=name):
        build()


def test_rmsprop_centered_differs_from_plain():
    # sqrt(v - m^2) < sqrt(v) whenever m != 0, so the centred steps are larger
    a = run(rmsprop(alpha=0.9, centered=True))
    b = run(rmsprop(alpha=0.9, centered=False))
    assert abs(a[0] - P0) > abs(b[0] - P0)


# torch.optim itself: tests/core/test_torch_reference.py checks every optimizer, schedule and
# weight decay against trajectories torch computed, on every run.
