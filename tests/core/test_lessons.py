"""Lecture-mode lessons: every shipped file loads, runs, and really shows what it says; broken
files fail with a LessonError that names the file."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.core.batching import iterations_per_epoch
from gdviz.core.config import RunConfig, build_problem, build_trainer, total_steps
from gdviz.core.lessons import (
    VIEWS,
    Lesson,
    LessonError,
    lesson_to_dict,
    load_lesson,
    load_lessons,
)
from gdviz.core.surface import curvature
from gdviz.resources import resource_path

LESSONS = load_lessons()
BY_ID = {lesson.id: lesson for lesson in LESSONS}
BUDGET = 500  # iterations every lesson must run without trouble
NOTES_TITLES = (  # the seven ideas of the lesson notes
    "Learning rate: just right",
    "Learning rate: too small",
    "Learning rate: too large (diverges)",
    "SGD: one random example per step (noisy gradient)",
    "Mini-batch SGD (100 examples, batches of 10: 10 iterations = 1 epoch)",
    "Epochs: 1,000 examples, batches of 100",
    "Parameters vs hyperparameters",
)
ALL_TITLES = (*NOTES_TITLES, "The Goldilocks trio", "Batch size: SGD, mini-batch and full batch",
              "Momentum vs plain SGD on a narrow valley", "Adam vs SGD on Rosenbrock",
              "Feature scaling: raw Auto MPG", "One step, by hand: the numbers of one update",
              "Why SGD is noisy: each example pulls its own way",
              "Finding a learning rate: the range test",
              "Bigger batches: fewer steps, then only more examples",
              "The edge of stability: too sharp to stay")  # fmt: skip


def run(config: RunConfig, steps: int = BUDGET):
    """Train headlessly, turning every warning into an error; return (trainer, problem)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        problem = build_problem(config)
        trainer = build_trainer(config, problem)
        trainer.advance(steps)
    return trainer, problem


def loss_ratio(trainer, problem) -> float:
    """Final full training loss over the optimum loss."""
    best = problem.full_loss(*problem.minima()[0])
    return float(problem.full_loss(*trainer.params) / best)


def lesson_steps(config: RunConfig) -> int:
    """What a class sees: the lesson's own budget, at most BUDGET iterations."""
    return min(BUDGET, total_steps(config, build_problem(config)))


# -- the shipped lessons ------------------------------------------------------------------------
def test_lessons_load_in_order_with_unique_ids():
    assert len(LESSONS) >= 11
    assert [lesson.order for lesson in LESSONS] == sorted({lesson.order for lesson in LESSONS})
    assert len(BY_ID) == len(LESSONS)
    titles = [lesson.title for lesson in LESSONS]
    assert set(NOTES_TITLES) <= set(titles)
    assert tuple(titles) == ALL_TITLES
    files = sorted(p.name for p in resource_path("lessons").glob("*.json"))
    assert files == [f"{lesson.order:02d}-{lesson.id}.json" for lesson in LESSONS]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_lesson_runs_headlessly(lesson: Lesson):
    assert set(lesson.views) <= set(VIEWS)
    runs = [("main", lesson.config)] + [(r.label, r.config) for r in lesson.compare]
    for label, config in runs:
        trainer, _ = run(config)
        assert trainer.step > 0
        # Only a run that is meant to blow up may do so.
        if lesson.expect != "diverges" and "too large" not in label:
            assert trainer.statuses[0].status != "diverged", (label, trainer.statuses)


@pytest.mark.parametrize("lesson", [x for x in LESSONS if x.expect], ids=lambda x: x.id)
def test_lesson_shows_what_it_expects(lesson: Lesson):
    trainer, problem = run(lesson.config, lesson_steps(lesson.config))
    status = trainer.statuses[0].status
    if lesson.expect == "converges":
        assert status == "converged" or loss_ratio(trainer, problem) <= 1.01
    elif lesson.expect == "diverges":
        assert status == "diverged"
    else:
        assert status != "diverged" and loss_ratio(trainer, problem) > 1.5


def way_left(trainer, problem, config) -> float:
    """The distance still to go to the minimum, as a fraction of the start's."""
    best = np.array(problem.minima()[0])
    start = np.array(config.start or problem.default_start)
    return float(np.hypot(*(np.array(trainer.params).ravel() - best)) / np.hypot(*(start - best)))


def test_learning_rates_just_right_and_too_small():
    right, small = BY_ID["learning-rate-just-right"], BY_ID["learning-rate-too-small"]
    limits = curvature(build_problem(right.config))
    assert right.config.lr < limits.lr_max_stable
    assert small.config.lr == pytest.approx(right.config.lr / 100)
    assert small.config.replace(lr=right.config.lr) == right.config.replace(
        steps=small.config.steps
    )  # same data, same start
    trainer, problem = run(right.config)
    assert trainer.statuses[0].status == "converged" and trainer.statuses[0].step <= 100
    assert loss_ratio(trainer, problem) == pytest.approx(1.0, abs=0.01)
    trainer, problem = run(small.config)
    assert trainer.step == BUDGET and loss_ratio(trainer, problem) > 1.5


def test_too_large_zig_zags_across_an_elongated_valley_and_climbs():
    config = BY_ID["learning-rate-too-large"].config
    limits = curvature(build_problem(config))
    assert limits.condition_number >= 5  # elongated: the overshoot goes across, not along
    assert limits.lr_max_stable < config.lr < 1.1 * limits.lr_max_stable
    trainer, _ = run(config)
    assert trainer.statuses[0].status == "diverged" and trainer.statuses[0].step <= 100
    t = trainer.trajectory
    x, y = (t.fields[name][: t.length, 0] for name in ("p1", "p2"))
    loss = t.fields["loss"][: t.length, 0]
    first = slice(0, 16)  # the steps that the lesson's view shows
    # Across the valley (y, the steep axis) every step lands on the other side, farther out.
    assert np.all(np.sign(y[first][1:]) == -np.sign(y[first][:-1]))
    assert np.all(np.abs(y[first][1:]) > np.abs(y[first][:-1]))
    # Along the gentle floor (x) it still slides towards the minimum.
    assert np.all(np.abs(x[first][1:]) < np.abs(x[first][:-1]))
    assert np.all(np.diff(loss[first]) > 0)  # and the loss only climbs


def test_goldilocks_trio():
    lesson = BY_ID["goldilocks-trio"]
    runs = [run(r.config) for r in lesson.compare]
    (slow, problem), (right, _), (large, _) = runs
    limits = curvature(problem)
    slow_lr, right_lr, large_lr = (r.config.lr for r in lesson.compare)
    assert slow_lr < right_lr < limits.lr_max_stable < large_lr
    assert slow.statuses[0].status != "diverged"
    assert 0.3 < way_left(slow, problem, lesson.config) < 0.7  # "only halfway"
    assert right.statuses[0].status == "converged" or way_left(right, problem, lesson.config) < 1e-6
    assert large.statuses[0].status == "diverged"


def test_sgd_lesson_is_one_random_example_with_a_noisy_loss():
    config = BY_ID["sgd-noisy-gradient"].config
    assert config.batch_size == 1 and config.sampling == "replacement"
    trainer, _ = run(config)
    loss = trainer.trajectory.fields["loss"][: trainer.trajectory.length, 0]
    assert np.mean(np.diff(loss) > 0) > 0.2  # the full loss often goes up: a noisy gradient


def test_mini_batch_and_epoch_lessons_count_iterations_per_epoch():
    mini, epochs = BY_ID["mini-batch-sgd"], BY_ID["epochs"]
    for lesson, n, batch in ((mini, 100, 10), (epochs, 1000, 100)):
        config, problem = lesson.config, build_problem(lesson.config)
        assert (problem.n_examples, config.batch_size) == (n, batch)
        assert iterations_per_epoch(n, batch, config.drop_last, config.sampling) == 10
        assert total_steps(config, problem) == 10 * config.epochs
        assert lesson.x_axis == "epochs"


def test_more_epochs_visibly_help_in_the_epochs_lesson():
    """Lesson 6: each epoch lowers the loss, less and less; its numbers are the text's."""
    lesson = BY_ID["epochs"]
    trainer, problem = run(lesson.config, total_steps(lesson.config, build_problem(lesson.config)))
    t = trainer.trajectory
    loss = t.fields["loss"][: t.length, 0]
    per_epoch = loss[10::10]  # the full loss after each epoch of 10 iterations
    assert per_epoch.size == 10 and np.all(np.diff(per_epoch) < 0)
    gaps = per_epoch - problem.min_loss
    assert np.all(np.diff(gaps) / gaps[:-1] < -0.2)  # every epoch still helps...
    assert np.all(np.diff(np.diff(per_epoch)) > 0)  # ...but each improves the loss less
    assert (round(per_epoch[0]), round(per_epoch[2]), round(per_epoch[9], 2)) == (48, 5, 1.05)
    assert "48 after one epoch, 5 after three and 1.05 after ten" in lesson.explanation


def test_batch_size_lesson_compares_sgd_mini_batch_and_full_batch_per_epoch():
    lesson = BY_ID["batch-size"]
    problem = build_problem(lesson.config)
    sizes = [r.config.batch_size or problem.n_examples for r in lesson.compare]
    assert sizes == [1, 10, 100] and problem.n_examples == 100 and lesson.x_axis == "epochs"
    ratios = [loss_ratio(*run(r.config, total_steps(r.config, problem))) for r in lesson.compare]
    assert ratios[2] > ratios[0] > ratios[1]  # per epoch, full batch makes the least progress


def test_momentum_beats_plain_sgd_on_the_narrow_valley():
    plain, momentum = BY_ID["momentum-narrow-valley"].compare
    assert plain.config.lr == momentum.config.lr
    for steps in (lesson_steps(plain.config), BUDGET):
        (sgd_run, problem), (mom_run, _) = run(plain.config, steps), run(momentum.config, steps)
        assert problem.full_loss(*mom_run.params) < problem.full_loss(*sgd_run.params) / 10


def test_the_momentum_lesson_states_its_gap_rightly():
    """ "about 17,000 times lower (and about 770 times closer)" after 200 iterations: the loss
    and the distance differ, since the bowl is not round (the distance is not the square root
    of the loss ratio, 130)."""
    plain, momentum = BY_ID["momentum-narrow-valley"].compare
    (sgd_run, problem), (mom_run, _) = run(plain.config, 200), run(momentum.config, 200)
    loss_ratio_ = problem.full_loss(*sgd_run.params) / problem.full_loss(*mom_run.params)
    distance_ratio = np.hypot(*sgd_run.params) / np.hypot(*mom_run.params)  # minimum at 0
    assert 15_000 < loss_ratio_ < 19_000 and 700 < distance_ratio < 850
    assert "17,000 times lower" in BY_ID["momentum-narrow-valley"].explanation


def test_the_sgd_lesson_explains_where_its_minimum_is():
    lesson = BY_ID["sgd-noisy-gradient"]
    w, b = build_problem(lesson.config).optimum
    assert abs(w - 6) < 0.5 and abs(b - 12) < 0.5  # of y = 2x + 1, x uniform on [0, 10]
    assert "w = 6, b = 12" in lesson.explanation and "standardised" in lesson.explanation


def test_adam_gets_closer_to_the_rosenbrock_minimum():
    sgd, adam = BY_ID["adam-vs-sgd-rosenbrock"].compare
    assert (sgd.config.optimizer, adam.config.optimizer) == ("sgd", "adam")
    for steps in (BUDGET, total_steps(sgd.config, build_problem(sgd.config))):
        sgd_run, adam_run = run(sgd.config, steps)[0], run(adam.config, steps)[0]
        assert sgd_run.statuses[0].status != "diverged"
        dist = [np.hypot(t.params[0] - 1, t.params[1] - 1) for t in (sgd_run, adam_run)]
        assert dist[1] < dist[0] / 2


def test_raw_feature_scaling_uses_a_stable_tiny_learning_rate():
    config = BY_ID["feature-scaling-raw-auto-mpg"].config
    limits = curvature(build_problem(config))
    assert not config.standardize and config.lr < limits.lr_max_stable < 1e-6
    assert limits.condition_number > 1e6  # a long, thin valley
    trainer, problem = run(config)
    assert trainer.statuses[0].status != "diverged" and loss_ratio(trainer, problem) > 1.5


def test_round_trip_through_dict_and_file(tmp_path):
    for lesson in LESSONS:
        data = json.loads(json.dumps(lesson_to_dict(lesson)))
        path = tmp_path / f"{lesson.order:02d}-{lesson.id}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        assert load_lesson(path) == lesson


# -- broken files -------------------------------------------------------------------------------
def valid() -> dict:
    return json.loads(resource_path("lessons", "08-goldilocks-trio.json").read_text("utf-8"))


def edit(**changes) -> str:
    data = valid()
    for key, value in changes.items():
        data.pop(key) if value is ... else data.__setitem__(key, value)
    return json.dumps(data)


BROKEN = {
    "invalid json": ('{"schema": 1, "title": ', "cannot read"),
    "not an object": ("[1, 2]", "JSON object"),
    "unknown key": (edit(colour="red"), "unknown key"),
    "missing title": (edit(title=...), "missing key"),
    "duplicate key": ('{"schema": 1, "schema": 1}', "twice"),
    "nan": (edit(speed=float("nan")), "NaN"),
    "bad schema": (edit(schema=2), "schema"),
    "bad lr": (edit(config={"lr": -1.0, "steps": 10}), "learning rate"),
    "lr as text": (edit(config={"lr": "fast", "steps": 10}), "lr"),
    "unknown config key": (edit(config={"learning_rate": 0.1}), "learning_rate"),
    "batch larger than N": (edit(config={"batch_size": 1000}), "batch size"),
    "unknown data set": (edit(config={"dataset": "no-such-set"}), "no-such-set"),
    "one sentence": (edit(explanation="Only one sentence here."), "it has 1"),
    "six sentences": (edit(explanation="A. " * 6), "it has 6"),
    "seven compare runs": (
        edit(compare=[{"label": f"run {i}", "overrides": {"lr": 0.1}} for i in range(7)]),
        "it has 7",
    ),
    "one compare run": (edit(compare=[{"label": "a", "overrides": {}}]), "it has 1"),
    "compare changes the problem": (
        edit(
            compare=[
                {"label": "a", "overrides": {}},
                {"label": "b", "overrides": {"standardize": False}},
            ]
        ),
        "standardize",
    ),
    "compare bad override": (
        edit(compare=[{"label": "a", "overrides": {}}, {"label": "b", "overrides": {"lr": 0}}]),
        "compare run 2",
    ),
    "same labels": (
        edit(compare=[{"label": "a", "overrides": {}}, {"label": "a", "overrides": {}}]),
        "labels",
    ),
    "unknown view": (edit(views=["surface", "3d"]), "views"),
    "no views": (edit(views=[]), "views"),
    "bad x axis": (edit(x_axis="seconds"), "x_axis"),
    "negative speed": (edit(speed=-1), "speed"),
    "bool speed": (edit(speed=True), "speed"),
    "bad expect": (edit(expect="explodes"), "expect"),
}


@pytest.mark.parametrize("text, fragment", BROKEN.values(), ids=BROKEN.keys())
def test_broken_lesson_files_name_the_file_and_the_problem(tmp_path, text, fragment):
    path = tmp_path / "42-broken-lesson.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError, match=r"42-broken-lesson\.json") as info:
        load_lesson(path)
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", ["1-short.json", "01_underscore.json", "01-Upper.json",
                                  "01-lesson.txt"])  # fmt: skip
def test_badly_named_files_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text(edit(), encoding="utf-8")
    with pytest.raises(LessonError, match=name.replace(".", r"\.")):
        load_lesson(path)


def test_not_utf8_and_duplicate_orders(tmp_path):
    (tmp_path / "01-binary.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LessonError, match=r"01-binary\.json"):
        load_lessons(tmp_path)
    (tmp_path / "01-binary.json").unlink()
    (tmp_path / "01-one.json").write_text(edit(), encoding="utf-8")
    (tmp_path / "01-two.json").write_text(edit(), encoding="utf-8")
    with pytest.raises(LessonError, match=r"01-one\.json.*01-two\.json"):
        load_lessons(tmp_path)


# -- any file at all: a LessonError or a lesson, never another exception ---------------------------
JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
               | st.text(max_size=8))  # fmt: skip
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
# Values that get past the type checks and reach the deeper ones (data sets, ranges, sizes).
PLAUSIBLE_VALUES = [0, 1, -1, 2, 10, 100, 1e-7, 0.5, 1e308, 10**9, 10**30, None, True, "sgd",
                    "adam", "momentum", "bowl", "rosenbrock", "saddle", "synthetic", "two-class",
                    "auto-mpg", "logistic", "replacement", "surface", "epochs", [0, 0],
                    [1e308, -1e308], ["surface"]]  # fmt: skip
PLAUSIBLE = st.sampled_from(PLAUSIBLE_VALUES)
CONFIG_KEYS = st.sampled_from([*RunConfig.__dataclass_fields__, "bogus"])
LESSON_KEYS = st.sampled_from(["schema", "title", "explanation", "config", "views", "compare",
                               "x_axis", "speed", "expect", "bogus"])  # fmt: skip


@st.composite
def lesson_like(draw) -> dict:
    """A valid lesson with random damage: random values for its keys and its config's keys."""
    data = valid() if draw(st.booleans()) else {}
    for key in draw(st.lists(LESSON_KEYS, max_size=3)):
        data[key] = draw(PLAUSIBLE | JSON)
    config = data.get("config")
    if isinstance(config, dict):
        for key in draw(st.lists(CONFIG_KEYS, max_size=4)):
            config[key] = draw(PLAUSIBLE | JSON)
    compare = data.get("compare")
    if isinstance(compare, list) and compare and isinstance(compare[0], dict):
        compare[0]["overrides"] = draw(st.dictionaries(CONFIG_KEYS, PLAUSIBLE | JSON, max_size=3))
    return data


@settings(max_examples=300, deadline=None)
@given(data=lesson_like())
def test_any_file_gives_a_lesson_or_a_lesson_error(tmp_path_factory, data):
    path = Path(tmp_path_factory.getbasetemp()) / "07-fuzzed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        assert "07-fuzzed.json" in str(exc)
    else:
        assert lesson_to_dict(lesson)["schema"] == 1
