"""The worked update against independent computations: the parameters against torch.optim's
own trajectories (committed data, tests/core/data), the optimizer state against closed forms
over the recorded gradients, the per-example gradients against the loss's derivative written
out here, and the equation's last number against the new parameter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.explain import num, work_out

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "torch_references.json").read_text(encoding="utf-8")
)
CASES = {case["name"]: case for case in REFERENCE["cases"]}
STEPS = REFERENCE["steps"]


def trained(config, steps=None):
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(steps or 10**9)
    return trainer


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_worked_update_is_torchs_step(name):
    case = CASES[name]
    config = RunConfig.from_dict(case["config"])
    trainer = trained(config, STEPS)
    start = build_problem(config).default_start if config.start is None else config.start
    torch_p = np.column_stack([case["p1"], case["p2"]])  # after updates 1 .. STEPS
    for k in (1, 2, 3, 101, STEPS // 2, STEPS):
        work = work_out(trainer, k)
        before = start if k == 1 else torch_p[k - 2]
        np.testing.assert_allclose(work.params_before, before, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(work.params_after, torch_p[k - 1], rtol=1e-9, atol=1e-12)
        assert work.lr == pytest.approx(case["lr"][k - 1], rel=1e-12)
        assert work.step == k and len(work.examples) == config.batch_size
        np.testing.assert_array_equal(work.examples, REFERENCE["batches"][k - 1])


def closed_form_state(kind, hyper, grads, params):
    """The optimizer's state after len(grads) updates, written as sums over the gradients
    g_1 .. g_t (each with its weight decay term from the parameters before it)."""
    t = len(grads)
    g = grads + hyper.get("weight_decay", 0.0) * params if kind != "adamw" else grads
    age = (t - 1 - np.arange(t))[:, None]  # t - j for update j
    if kind == "sgd":
        return {}
    if kind in ("momentum", "nesterov"):  # no dampening: u_t = sum_j momentum^(t-j) g_j
        return {"velocity": np.sum(hyper["momentum"] ** age * g, axis=0)}
    if kind == "adagrad":
        return {"sum": np.sum(g * g, axis=0)}
    if kind == "rmsprop":
        alpha = hyper["alpha"]
        state = {"v": np.sum((1 - alpha) * alpha**age * g * g, axis=0)}
        if hyper["centered"]:
            state["m"] = np.sum((1 - alpha) * alpha**age * g, axis=0)
        return state
    b1, b2 = hyper["beta1"], hyper["beta2"]
    return {"m": np.sum((1 - b1) * b1**age * g, axis=0),
            "v": np.sum((1 - b2) * b2**age * g * g, axis=0)}  # fmt: skip


EVERY_OPTIMIZER = {
    "sgd": RunConfig(batch_size=10, lr=0.05, epochs=3, weight_decay=0.1),
    "momentum": RunConfig(batch_size=10, lr=0.02, epochs=3, optimizer="momentum"),
    "nesterov": RunConfig(batch_size=5, lr=0.01, epochs=3, optimizer="nesterov", weight_decay=0.05),
    "adagrad": RunConfig(batch_size=10, lr=0.5, epochs=3, optimizer="adagrad"),
    "rmsprop": RunConfig(batch_size=10, lr=0.01, epochs=3, optimizer="rmsprop", centered=True),
    "adam": RunConfig(
        batch_size=1, lr=0.1, epochs=1, optimizer="adam", schedule="step", step_size=40, gamma=0.5
    ),
    "adamw": RunConfig(batch_size=10, lr=0.1, epochs=3, optimizer="adamw"),
}


@pytest.mark.parametrize("kind", sorted(EVERY_OPTIMIZER))
def test_state_per_example_gradients_and_equation_for_every_optimizer(kind):
    config = EVERY_OPTIMIZER[kind]
    trainer = trained(config)
    problem = trainer.problem
    view = trainer.trajectory.run_view(0)
    recorded = np.column_stack([view["g1"], view["g2"]])[1:]  # batch gradient of update k
    before = np.column_stack([view["p1"], view["p2"]])[:-1]  # parameters before update k
    hyper = trainer.optimizer.hyper
    for k in (1, 2, 57, 100):
        work = work_out(trainer, k)
        assert work.optimizer == kind
        assert work.params_after == (view["p1"][k], view["p2"][k])  # bit for bit the row
        assert work.grad == tuple(recorded[k - 1])
        # Each example's gradient, from the loss written out: L_i = (w x_i + b - y_i)^2.
        w, b = work.params_before
        x, y = problem.data.x[list(work.examples)], problem.data.y[list(work.examples)]
        mine = np.column_stack([2 * (w * x + b - y) * x, 2 * (w * x + b - y)])
        np.testing.assert_allclose([e.grad for e in work.per_example], mine, rtol=1e-12)
        np.testing.assert_allclose(mine.mean(axis=0), work.grad, rtol=1e-9, atol=1e-9)
        assert [e.x for e in work.per_example] == list(x)
        expected = closed_form_state(kind, hyper, recorded[:k], before[:k])
        assert work.state_after.keys() == expected.keys()
        for name, value in expected.items():
            np.testing.assert_allclose(work.state_after[name], value, rtol=1e-9, err_msg=name)
        if k > 1:
            previous = closed_form_state(kind, hyper, recorded[: k - 1], before[: k - 1])
            for name, value in previous.items():
                np.testing.assert_allclose(work.state_before[name], value, rtol=1e-9)
        # The update's two last lines end on the new parameters, as printed.
        final = [line for line in work.equation if line.startswith(("w ← w −", "b ← b −"))]
        assert final[-2].endswith(num(work.params_after[0]))
        assert final[-1].endswith(num(work.params_after[1]))
    if kind == "adam":  # the schedule's factor, and Adam's bias corrections at t = 57
        work = work_out(trainer, 57)
        assert work.lr == 0.05 and work.lr_factor == 0.5 and work.base_lr == 0.1
        np.testing.assert_allclose(work.terms["bias_correction"], (1 - 0.9**57, 1 - 0.999**57))
        np.testing.assert_allclose(work.terms["m_hat"], np.divide(work.state_after["m"],
                                                                  1 - 0.9**57))  # fmt: skip
        assert "lr = 0.1 × 0.5" in work.equation[0]


def test_the_first_momentum_step_starts_the_velocity():
    work = work_out(trained(EVERY_OPTIMIZER["momentum"], 1), 1)
    assert work.state_before == {"velocity": None}
    assert work.state_after["velocity"] == work.grad
    assert "the first step starts the velocity" in work.equation[2]


def test_a_noisy_surface_step_is_its_gradient_plus_the_noise():
    config = RunConfig(surface="bowl", condition=10, gradient_noise=2.0, batch_size=10,
                       lr=0.05, steps=50)  # fmt: skip
    trainer = trained(config)
    view = trainer.trajectory.run_view(0)
    for k in (1, 20, 50):
        work = work_out(trainer, k)
        x, y = work.params_before
        assert work.true_grad == (x, 10 * y)  # f = (x^2 + 10 y^2) / 2
        assert work.grad == (work.true_grad[0] + work.noise[0], work.true_grad[1] + work.noise[1])
        assert work.noise != (0.0, 0.0) and work.batch_size == 0 and work.per_example == ()
        assert work.params_after == (view["p1"][k], view["p2"][k])
        assert "∂f/∂x + noise" in work.equation[1]


def test_the_run_is_left_as_it_was():
    trainer = trained(EVERY_OPTIMIZER["adam"], 60)
    params, rows = trainer.params, trainer.trajectory.length
    work_out(trainer, 30)
    nxt = work_out(trainer, 61)  # the next one, not made yet
    assert trainer.params == params and trainer.trajectory.length == rows
    trainer.advance(1)
    assert trainer.params == nxt.params_after
    with pytest.raises(ValueError, match="not between 1 and 62"):
        work_out(trainer, 63)


def test_far_from_the_minimum_the_examples_agree_and_near_it_they_scatter():
    """Lesson 14's claim, measured: the mean of the examples' unit gradients (1 when they all
    pull one way, 0 when every way) is about 0.8 over the first iterations and under half
    that after 90."""
    lesson = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=10)
    trainer = trained(lesson)

    def agreement(step):
        grads = np.array([e.grad for e in work_out(trainer, step).per_example])
        units = grads / np.linalg.norm(grads, axis=1, keepdims=True)
        return float(np.linalg.norm(units.mean(axis=0)))

    early = [agreement(k) for k in range(1, 6)]
    late = [agreement(k) for k in range(91, 101)]
    assert min(early) > 0.7 and np.median(late) < 0.45 and max(late) < 0.7, (early, late)


def test_the_batch_loss_surface_is_the_loss_of_the_batch_alone():
    """Checked against the loss written out here and against the batch loss the run
    recorded at that step (the engine's own formula, from the optimum's residuals)."""
    for config in (RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05,
                             epochs=2),
                   RunConfig(dataset="two-class", model="logistic", batch_size=8, lr=0.5,
                             epochs=2)):  # fmt: skip
        trainer = trained(config)
        problem = trainer.problem
        view = trainer.trajectory.run_view(0)
        work = work_out(trainer, 7)
        x, y = problem.data.x[work.examples], problem.data.y[work.examples]
        w, b = work.params_before
        if config.model == "linear":
            mine = np.mean((w * x + b - y) ** 2)
        else:
            z = w * x + b
            mine = np.mean(np.log1p(np.exp(z)) - y * z)
        got = problem.batch_loss_surface(np.array([w]), np.array([b]), work.examples)[0]
        assert got == pytest.approx(mine, rel=1e-12)
        assert got == pytest.approx(view["batch_loss"][7], rel=1e-9)
        grid = problem.batch_loss_surface(*np.meshgrid([w, w + 1], [b, b - 1]), work.examples)
        assert grid.shape == (2, 2) and grid[0, 0] == pytest.approx(got, rel=1e-12)
