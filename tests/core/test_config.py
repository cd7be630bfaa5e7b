"""RunConfig: validation messages, dict round trips, and a property test of from_dict."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from gdviz.core.config import (
    ConfigError,
    RunConfig,
    build_problem,
    build_trainer,
    total_steps,
)
from gdviz.core.optimizers import OPTIMIZER_NAMES
from gdviz.core.schedules import SCHEDULE_NAMES
from gdviz.core.surfaces import SURFACE_NAMES

FIELD_NAMES = [f.name for f in dataclasses.fields(RunConfig)]


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"lr": -0.1}, ["learning rate", "positive", "-0.1"]),
        ({"lr": 0.0}, ["learning rate", "positive"]),
        ({"lr": float("nan")}, ["lr", "finite"]),
        ({"lr": float("inf")}, ["lr", "finite"]),
        ({"batch_size": 0}, ["batch size", "at least 1", "0"]),
        ({"batch_size": -3}, ["batch size", "at least 1"]),
        ({"optimizer": "lion"}, ["optimizer", "lion", "sgd", "adam"]),
        ({"beta1": 0.9}, ["optimizer sgd", "beta1"]),
        ({"optimizer": "adam", "momentum": 0.9}, ["optimizer adam", "momentum"]),
        ({"optimizer": "momentum", "alpha": 0.9}, ["alpha"]),
        ({"optimizer": "rmsprop", "lr_decay": 0.1}, ["lr_decay"]),
        ({"optimizer": "momentum", "momentum": 1.5}, ["momentum"]),
        ({"optimizer": "adam", "beta2": 1.0}, ["beta2"]),
        ({"optimizer": "adam", "eps": 0.0}, ["eps"]),
        ({"optimizer": "momentum", "nesterov": True, "dampening": 0.5}, ["dampening"]),
        ({"schedule": "cyclic"}, ["schedule", "cyclic", "cosine"]),
        ({"schedule": "step", "gamma": 2.0}, ["gamma"]),
        ({"sampling": "bootstrap"}, ["sampling", "shuffle", "replacement"]),
        ({"model": "svm"}, ["model", "linear", "logistic"]),
        ({"surface": "egg"}, ["surface", "bowl"]),
        ({"epochs": 0}, ["epochs", "at least 1"]),
        ({"epochs": None, "steps": None}, ["budget"]),
        ({"steps": 0}, ["steps", "at least 1"]),
        ({"n_examples": 1}, ["number of examples", "at least 2"]),
        ({"condition": 0.5}, ["condition number", "at least 1"]),
        ({"gradient_noise": -1.0}, ["gradient noise", "0 or more"]),
        ({"tol": 0.0}, ["tolerance", "positive"]),
        ({"dataset": ""}, ["dataset"]),
        ({"start": (float("nan"), 0.0)}, ["start", "finite"]),
        ({"lr": "0.1"}, ["lr", "finite number", "'0.1'"]),
        ({"batch_size": 2.5}, ["batch_size", "whole number"]),
        ({"batch_size": True}, ["batch_size", "whole number"]),
        ({"standardize": "yes"}, ["standardize", "true or false"]),
        ({"optimizer": None}, ["optimizer", "must be set"]),
        ({"x_column": 3}, ["x_column", "text"]),
    ],
)
def test_validation_messages(changes, fragments):
    with pytest.raises(ConfigError) as info:
        RunConfig(**changes)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, ValueError)


def test_valid_configurations():
    assert RunConfig().optimizer_name == "sgd"
    assert RunConfig(optimizer="momentum", nesterov=True).optimizer_name == "nesterov"
    assert RunConfig(optimizer="adam", beta1=0.8).optimizer_hyper() == {"beta1": 0.8}
    hyper = RunConfig(optimizer="rmsprop", centered=True).optimizer_hyper()
    assert hyper == {"centered": True}
    config = RunConfig(batch_size=10, steps=5, epochs=None, start=(1, 2.5), seed=np.int64(3))
    assert config.start == (1, 2.5)
    with pytest.raises(ConfigError, match="learning rate"):
        config.replace(lr=-1.0)
    assert config.replace(lr=0.5).lr == 0.5


def test_round_trip_through_dict_and_json():
    configs = [
        RunConfig(),
        RunConfig(
            surface="rosenbrock",
            gradient_noise=0.5,
            optimizer="adamw",
            beta1=0.8,
            weight_decay=0.1,
            schedule="cosine",
            t_max=300,
            warmup=20,
            batch_size=10,
            sampling="replacement",
            steps=1000,
            start=(-1.5, 2.0),
            tol=1e-6,
        ),
        RunConfig(dataset="penguins", model="logistic", threshold=4000.0, standardize=False),
    ]
    for config in configs:
        data = config.to_dict()
        assert set(data) == set(FIELD_NAMES)
        assert RunConfig.from_dict(data) == config
        assert RunConfig.from_dict(json.loads(json.dumps(data))) == config
    assert configs[1].to_dict()["start"] == [-1.5, 2.0]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"learning_rate": 0.1}, "unknown configuration key(s): learning_rate"),
        ({"lr": 0.1, "foo": 1, "bar": 2}, "bar, foo"),
        ({"lr": "fast"}, "lr"),
        ({"epochs": 2.0}, "epochs"),
        ({"start": [1.0]}, "start"),
        ({"start": [1.0, 2.0, 3.0]}, "start"),
        ({"start": "ab"}, "start"),
        ({"start": [1.0, "2"]}, "start"),
        ({"drop_last": 1}, "drop_last"),
        ({"sampling": ["shuffle"]}, "sampling"),
    ],
)
def test_from_dict_rejects_unknown_keys_and_wrong_types(data, fragment):
    with pytest.raises(ConfigError) as info:
        RunConfig.from_dict(data)
    assert fragment in str(info.value)


def test_from_dict_rejects_non_objects():
    for data in ([], "lr=0.1", None, 3):
        with pytest.raises(ConfigError, match="JSON object"):
            RunConfig.from_dict(data)


def test_from_dict_rejects_integers_beyond_float_range():
    # JSON allows arbitrarily long integers; 10**400 is not a finite float.
    for key in ("lr", "condition", "eta_min"):
        with pytest.raises(ConfigError, match=key):
            RunConfig.from_dict({key: 10**400})
    with pytest.raises(ConfigError, match="start"):
        RunConfig.from_dict({"start": [10**400, 0]})


# -- factories ------------------------------------------------------------------------------------
def test_build_problem_and_trainer_budget():
    config = RunConfig(dataset="anscombe-i", batch_size=3, epochs=5)
    problem = build_problem(config)
    assert problem.n_examples == 11
    assert total_steps(config, problem) == 5 * math.ceil(11 / 3)
    trainer = build_trainer(config, problem)
    assert trainer.advance(total_steps(config, problem)) == 20
    full = RunConfig(dataset="anscombe-i", epochs=3)  # batch_size None: the whole set
    trainer = build_trainer(full, build_problem(full))
    trainer.advance(3)
    assert trainer.trajectory.run_view(0)["size"][1:].tolist() == [11, 11, 11]
    with pytest.raises(ConfigError, match="between 1 and N = 11"):
        build_trainer(config.replace(batch_size=12), problem)


def test_build_vectorised_trainer_and_surface():
    config = RunConfig(surface="bowl", condition=4.0, batch_size=100, steps=10, epochs=None)
    problem = build_problem(config)
    lrs = np.array([0.1, 0.2, 0.3])
    trainer = build_trainer(config, problem, lr=lrs, runs=3)
    trainer.advance(10)
    x, y = trainer.params
    # full batch, no noise: x_k = (1 - lr)^k x_0 and y_k = (1 - 4 lr)^k y_0 on f = (x^2 + 4y^2)/2
    x0, y0 = problem.default_start
    np.testing.assert_allclose(x, (1 - lrs) ** 10 * x0, rtol=1e-12)
    np.testing.assert_allclose(y, (1 - 4 * lrs) ** 10 * y0, rtol=1e-12, atol=1e-15)


# -- property: from_dict never raises anything but ConfigError ------------------------------------
VALUES = st.one_of(
    st.integers(),
    st.integers(10**300, 10**400),  # JSON integers may exceed the float range
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(), st.text(max_size=2)), max_size=3),
    st.tuples(st.integers(), st.floats()).map(list),  # start-like pairs
    st.sampled_from([*OPTIMIZER_NAMES, *SCHEDULE_NAMES, *SURFACE_NAMES, "shuffle", "linear"]),
    st.sampled_from([0, 1, 2, 10, 0.5, 0.9, 0.999, 1e-8, -1, 1e-3]),
)
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(["foo", "learningRate", ""]))


@settings(
    max_examples=400,
    deadline=None,
    database=None,  # no example database in the working tree
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
)
@given(
    data=st.one_of(
        st.dictionaries(KEYS, VALUES, max_size=2),  # few keys: often valid but for one value
        st.dictionaries(KEYS, VALUES, max_size=8),
    )
)
def test_from_dict_builds_or_raises_config_error(data):
    try:
        config = RunConfig.from_dict(data)
    except ConfigError as exc:
        assert str(exc)
        return
    assert isinstance(config, RunConfig)
    assert RunConfig.from_dict(config.to_dict()) == config
    assert math.isfinite(config.lr) and config.lr > 0


CHANGES = [dict(batch_size=7, epochs=3), dict(batch_size=7, epochs=3, drop_last=True),
           dict(batch_size=7, steps=40), dict(batch_size=3, sampling="replacement", epochs=2),
           dict(batch_size=None, epochs=4)]  # fmt: skip


@pytest.mark.parametrize("changes", CHANGES)
def test_budget_extent_is_where_the_recorded_run_ends_on_each_axis(changes):
    """The whole-run x axis before a run: checked against the last row of the run itself."""
    from gdviz.core.config import budget_extent
    from gdviz.core.recording import X_AXIS_MODES, Recording

    config = RunConfig(dataset="synthetic", n_examples=100, lr=0.01, **changes)
    problem = build_problem(config)
    trainer = build_trainer(config, problem)
    trainer.advance(10_000)
    recording = Recording(trainer.trajectory)
    for mode in X_AXIS_MODES:
        assert budget_extent(config, problem, mode) == pytest.approx(
            recording.x_values(mode)[-1]
        ), mode
