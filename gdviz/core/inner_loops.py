"""The sequential part of training: batch gradient and optimizer update, iteration by iteration.

Everything else (batch terms, learning rates, full losses, stop checks) is computed for a whole
chunk at once by the trainer; these loops do only what cannot be vectorised over iterations.
Both take the optimizer's state with its own step count ``t`` and return it advanced.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class OptimizerState(NamedTuple):
    """The optimizer's state for the coordinates, with its own step count ``t`` (the number of
    updates this state has seen: bias corrections and AdaGrad's decay count from it)."""

    t: int
    coords: Any


def scalar_loop(loss_grad, update, params, state: OptimizerState, items, rates, out, count):
    """One run on Python floats (several times faster than numpy for two parameters): returns
    ``(params, state, done)``, ``done`` < ``count`` only when float arithmetic overflowed (that
    iteration diverged). ``out`` receives batch_loss, g1, g2, p1, p2 of each iteration."""
    (p1, p2), (t, (s1, s2)) = params, state
    out_loss, out_g1, out_g2 = out["batch_loss"], out["g1"], out["g2"]
    out_p1, out_p2 = out["p1"], out["p2"]
    done = 0
    try:
        for i in range(count):
            batch_loss, g1, g2 = loss_grad(p1, p2, items[i])
            lr = rates[i]
            t += 1
            p1, s1 = update(g1, p1, s1, lr, t)
            p2, s2 = update(g2, p2, s2, lr, t)
            out_loss[i], out_g1[i], out_g2[i], out_p1[i], out_p2[i] = batch_loss, g1, g2, p1, p2
            done = i + 1
    except (OverflowError, ZeroDivisionError):
        pass  # Python floats raise where numpy gives inf: iteration `done + 1` diverged
    return (p1, p2), OptimizerState(t, (s1, s2)), done


def stacked_loop(loss_grad, update, params, state: OptimizerState, items, rates, out_grads,
                 out_params, count: int, runs: int):  # fmt: skip
    """K runs: parameters, gradients and optimizer state are ``(2, K)`` arrays, so each
    iteration costs a fixed handful of numpy calls. Row i + 1 of ``out_params`` receives the
    parameters after update i. Returns ``(params, state, losses)``; losses are None when the
    problem defers them to ``Problem.batch_losses``."""
    t, coords = state
    losses = None
    for i in range(count):
        batch_loss, grad = loss_grad(params, items[i])
        t += 1
        params, coords = update(grad, params, coords, rates[i], t)
        out_grads[i] = grad
        out_params[i + 1] = params
        if batch_loss is not None:
            if losses is None:
                losses = np.empty((count, runs))
            losses[i] = batch_loss
    return params, OptimizerState(t, coords), losses
