"""RunConfig's field specs are the one description the field sets, panels and CLI derive from."""

from __future__ import annotations

from dataclasses import fields

import pytest

from gdviz.core import compare, config, lessons
from gdviz.core.config import FIELD_SPECS, RunConfig
from gdviz.core.fields import ROLES, FieldSpec


def test_every_field_has_a_spec_with_a_role():
    names = [f.name for f in fields(RunConfig)]
    assert list(FIELD_SPECS) == names
    assert all(s.role in ROLES for s in FIELD_SPECS.values())


def test_roles_partition_the_fields():
    problem, hyper = set(config.PROBLEM_FIELDS), set(config.HYPERPARAMETER_FIELDS)
    run = set(config.RUN_FIELDS)
    assert problem.isdisjoint(run) and hyper <= run
    assert problem | run == set(FIELD_SPECS)
    assert {"seed", "start", "tol"} == run - hyper  # identity: a change starts a new run
    assert {"lr", "batch_size", "epochs", "steps", "optimizer"} <= hyper
    assert {"dataset", "surface", "model", "n_examples"} <= problem


def test_modules_use_the_derived_sets():
    assert set(config.RUN_FIELDS) == compare.RUN_FIELDS
    assert lessons.PROBLEM_FIELDS == config.PROBLEM_FIELDS


def test_optimizer_knobs_are_the_optional_hyperparameters():
    assert set(config.OPTIONAL_HYPER) == {
        "momentum", "dampening", "beta1", "beta2", "eps", "alpha", "weight_decay", "lr_decay"
    }  # fmt: skip
    for name in config.OPTIONAL_HYPER:
        s = FIELD_SPECS[name]
        assert s.low is not None and s.high is not None and s.low < s.high, name


def test_cli_options_come_from_the_specs():
    import argparse

    from gdviz.cli.options import add_run_options

    parser = argparse.ArgumentParser()
    add_run_options(parser)
    by_dest = {a.dest: a for a in parser._actions if a.option_strings}
    for name, s in FIELD_SPECS.items():
        if s.flag is None:
            continue
        assert s.flag in by_dest[name].option_strings, name
        if s.choices:
            assert tuple(by_dest[name].choices) == s.choices
    # The defaults of the parsed command line are RunConfig's defaults.
    args = vars(parser.parse_args([]))
    assert RunConfig(**{k: v for k, v in args.items() if k in FIELD_SPECS}) == RunConfig()


def test_lower_bounds_come_from_the_specs():
    with pytest.raises(config.ConfigError, match="batch size must be at least 1"):
        RunConfig(batch_size=0)
    with pytest.raises(config.ConfigError, match="seed must be 0 or more"):
        RunConfig(seed=-1)


def test_unknown_role_is_refused():
    with pytest.raises(ValueError, match="role"):
        FieldSpec("colour")
