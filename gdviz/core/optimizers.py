"""Optimizers as pure ``(init, update)`` pairs, following the ``torch.optim`` algorithms.

``state = init(p)`` and ``p_new, state = update(g, p, state, lr, t)`` for one parameter
coordinate, where ``g`` is the (batch) gradient, ``lr`` the learning rate of this iteration and
``t = 1, 2, ...`` the step count. All optimizers here are element-wise, so a coordinate may be a
float (one run) or an array of shape ``(K,)`` (K runs in lockstep); numeric hyperparameters may
likewise be floats or ``(K,)`` arrays. Defaults, the momentum/dampening/Nesterov conventions, the
place of epsilon and Adam's bias correction are those of the PyTorch documentation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class Optimizer(NamedTuple):
    """A named pair of pure functions; ``hyper`` records the hyperparameters it was built with."""

    name: str
    init: Callable[[Any], Any]
    update: Callable[[Any, Any, Any, Any, int], tuple[Any, Any]]
    hyper: dict


def _check(name: str, value, low: float, high: float, *, low_open=False, high_open=True) -> None:
    """Raise ValueError naming the bad value unless every element lies in the interval."""
    array = np.asarray(value, dtype=float)
    below = array <= low if low_open else array < low
    above = array >= high if high_open else array > high
    if not np.all(np.isfinite(array)) or np.any(below | above):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")


def _nonzero(value) -> bool:
    return bool(np.any(np.asarray(value) != 0))


def sgd(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0) -> Optimizer:
    """Stochastic gradient descent, with optional momentum (``torch.optim.SGD``); ``u`` is the
    velocity (torch's momentum buffer ``b``).

    ::

        g <- g + weight_decay * p
        u_1 = g;  u_t = momentum * u_{t-1} + (1 - dampening) * g        (when momentum != 0)
        g <- g + momentum * u_t  (Nesterov)   or   g <- u_t
        p <- p - lr * g
    """
    _check("momentum", momentum, 0, 1)
    _check("dampening", dampening, 0, 1)
    _check("weight decay", weight_decay, 0, float("inf"))
    if nesterov and (not _nonzero(momentum) or _nonzero(dampening)):
        raise ValueError("Nesterov momentum needs a momentum above 0 and zero dampening")
    use_momentum, use_decay = _nonzero(momentum), _nonzero(weight_decay)
    damped = _nonzero(dampening)
    keep = 1.0 - np.asarray(dampening)

    def update(g, p, buf, lr, t):
        if use_decay:
            g = g + weight_decay * p
        if use_momentum:
            if t == 1 or buf is None:
                buf = g
            else:
                buf = momentum * buf + (keep * g if damped else g)
            g = g + momentum * buf if nesterov else buf
        return p - lr * g, buf

    name = "nesterov" if nesterov else ("momentum" if use_momentum else "sgd")
    hyper = dict(
        momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
    )
    return Optimizer(name, lambda p: None, update, hyper)


def adagrad(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10) -> Optimizer:
    """AdaGrad (``torch.optim.Adagrad``)::

    g <- g + weight_decay * p
    lr_t = lr / (1 + (t - 1) * lr_decay)
    s_t = s_{t-1} + g^2                 (s_0 = initial_accumulator_value)
    p <- p - lr_t * g / (sqrt(s_t) + eps)
    """
    _check("lr decay", lr_decay, 0, float("inf"))
    _check("weight decay", weight_decay, 0, float("inf"))
    _check("initial accumulator value", initial_accumulator_value, 0, float("inf"))
    _check("epsilon", eps, 0, 1, low_open=True)
    use_decay = _nonzero(weight_decay)

    def update(g, p, total, lr, t):
        if use_decay:
            g = g + weight_decay * p
        total = total + g * g
        return p - (lr / (1.0 + (t - 1) * lr_decay)) * g / (total**0.5 + eps), total

    hyper = dict(
        lr_decay=lr_decay,
        weight_decay=weight_decay,
        initial_accumulator_value=initial_accumulator_value,
        eps=eps,
    )
    return Optimizer("adagrad", lambda p: initial_accumulator_value + 0.0 * p, update, hyper)


def rmsprop(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False) -> Optimizer:
    """RMSProp (``torch.optim.RMSprop``)::

    g <- g + weight_decay * p
    v_t = alpha * v_{t-1} + (1 - alpha) * g^2                       (v_0 = 0)
    centered: m_t = alpha * m_{t-1} + (1 - alpha) * g;  d = sqrt(v_t - m_t^2) + eps
    otherwise: d = sqrt(v_t) + eps
    momentum > 0: u_t = momentum * u_{t-1} + g / d (u_0 = 0);  p <- p - lr * u_t  (u: velocity)
    otherwise:  p <- p - lr * g / d
    """
    _check("alpha", alpha, 0, 1)
    _check("epsilon", eps, 0, 1, low_open=True)
    _check("weight decay", weight_decay, 0, float("inf"))
    _check("momentum", momentum, 0, 1)
    use_decay, use_momentum = _nonzero(weight_decay), _nonzero(momentum)

    def update(g, p, state, lr, t):
        v, mean, buf = state
        if use_decay:
            g = g + weight_decay * p
        v = alpha * v + (1.0 - alpha) * g * g
        if centered:
            mean = alpha * mean + (1.0 - alpha) * g
            # v - m^2 >= 0 in exact arithmetic; clip rounding so a float never turns complex.
            denom = np.sqrt(np.maximum(v - mean * mean, 0.0)) + eps
        else:
            denom = v**0.5 + eps
        if use_momentum:
            buf = momentum * buf + g / denom
            return p - lr * buf, (v, mean, buf)
        return p - lr * g / denom, (v, mean, buf)

    hyper = dict(alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                 centered=centered)  # fmt: skip
    return Optimizer("rmsprop", lambda p: (0.0 * p, 0.0 * p, 0.0 * p), update, hyper)


def adam(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False) -> Optimizer:
    """Adam (``torch.optim.Adam``), or AdamW with ``decoupled=True`` (``torch.optim.AdamW``)::

    Adam:  g <- g + weight_decay * p          AdamW:  p <- p * (1 - lr * weight_decay)
    m_t = beta1 * m_{t-1} + (1 - beta1) * g                       (m_0 = 0)
    v_t = beta2 * v_{t-1} + (1 - beta2) * g^2                     (v_0 = 0)
    p <- p - (lr / (1 - beta1^t)) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)
    """
    _check("beta1", beta1, 0, 1)
    _check("beta2", beta2, 0, 1)
    _check("epsilon", eps, 0, 1, low_open=True)
    _check("weight decay", weight_decay, 0, float("inf"))
    use_decay = _nonzero(weight_decay)

    def update(g, p, state, lr, t):
        m, v = state
        if use_decay:
            if decoupled:
                p = p * (1.0 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * g * g
        bias1 = 1.0 - beta1**t
        bias2_sqrt = (1.0 - beta2**t) ** 0.5
        return p - (lr / bias1) * m / (v**0.5 / bias2_sqrt + eps), (m, v)

    hyper = dict(beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return Optimizer("adamw" if decoupled else "adam", lambda p: (0.0 * p, 0.0 * p), update, hyper)


OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

# Which hyperparameters each optimizer listens to (the GUI shows only these), with torch defaults.
OPTIMIZER_DEFAULTS: dict[str, dict[str, float | bool]] = {
    "sgd": {"weight_decay": 0.0},
    "momentum": {"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
    "nesterov": {"momentum": 0.9, "weight_decay": 0.0},
    "adagrad": {"lr_decay": 0.0, "eps": 1e-10, "weight_decay": 0.0},
    "rmsprop": {
        "alpha": 0.99,
        "eps": 1e-8,
        "momentum": 0.0,
        "centered": False,
        "weight_decay": 0.0,
    },
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
}


def make_optimizer(name: str, **hyper) -> Optimizer:
    """Build an optimizer by name; hyperparameters not given take the torch defaults and
    hyperparameters the optimizer does not use are an error."""
    if name not in OPTIMIZER_DEFAULTS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}")
    unknown = set(hyper) - set(OPTIMIZER_DEFAULTS[name])
    if unknown:
        raise ValueError(f"optimizer {name} has no hyperparameter {', '.join(sorted(unknown))}")
    h = {**OPTIMIZER_DEFAULTS[name], **hyper}
    if name in ("sgd", "momentum", "nesterov"):
        return sgd(h.get("momentum", 0.0), h.get("dampening", 0.0), name == "nesterov",
                   h["weight_decay"])  # fmt: skip
    if name == "adagrad":
        return adagrad(h["lr_decay"], h["weight_decay"], 0.0, h["eps"])
    if name == "rmsprop":
        return rmsprop(h["alpha"], h["eps"], h["weight_decay"], h["momentum"], h["centered"])
    return adam(h["beta1"], h["beta2"], h["eps"], h["weight_decay"], decoupled=name == "adamw")
