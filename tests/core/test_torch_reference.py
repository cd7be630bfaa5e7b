"""The engine against torch.optim itself, on every run: trajectories that torch 2.13 (CPU)
computed once (scripts/make_torch_references.py) are committed as data, so CI checks all seven
optimizers, the schedules, warm-up and weight decay against torch without installing it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gdviz.core.config import RunConfig, build_problem, build_trainer, make_sampler

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "torch_references.json").read_text(encoding="utf-8")
)
CASES = {case["name"]: case for case in REFERENCE["cases"]}
STEPS = REFERENCE["steps"]


def test_the_reference_covers_every_optimizer_and_schedule():
    configs = [RunConfig.from_dict(case["config"]) for case in CASES.values()]
    assert {c.optimizer_name for c in configs} == {
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"
    }  # fmt: skip
    assert {c.schedule for c in configs} == {"constant", "step", "exponential", "cosine"}
    assert any(c.warmup for c in configs) and any(c.weight_decay for c in configs)
    assert "torch 2.13" in REFERENCE["made_by"]


def test_data_and_batches_are_those_the_reference_used():
    # If this fails, the data set or the sampler changed, not the optimizers.
    config = RunConfig.from_dict(next(iter(CASES.values()))["config"])
    problem = build_problem(config)
    np.testing.assert_array_equal(problem.data.x, REFERENCE["x"])
    np.testing.assert_array_equal(problem.data.y, REFERENCE["y"])
    chunk = make_sampler(config, problem).next_chunk(STEPS)
    for i, batch in enumerate(REFERENCE["batches"]):
        np.testing.assert_array_equal(chunk.batch(i), batch)


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_equals_torch_optim(name):
    case = CASES[name]
    config = RunConfig.from_dict(case["config"])
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(STEPS)
    view = trainer.trajectory.run_view(0)
    assert trainer.step == STEPS and trainer.statuses[0].status == "finished"
    # Row k holds the learning rate of update k and the parameters after it.
    np.testing.assert_allclose(view["lr"][1:], case["lr"], rtol=1e-12)
    np.testing.assert_allclose(view["p1"][1:], case["p1"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(view["p2"][1:], case["p2"], rtol=1e-9, atol=1e-12)
