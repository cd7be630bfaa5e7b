"""Lecture-mode lessons: ready-made runs that each show one idea of the lesson notes.

A lesson is data, not code: one JSON file per lesson in ``resources/lessons/``, named
``NN-some-id.json`` where ``NN`` is its two-digit place in the list. Every file goes through the
one code path here (:func:`load_lesson`), which checks it strictly, so a typo in a lesson fails
loudly when it is loaded instead of quietly showing the wrong thing in front of a class. A file::

    {"schema": 1, "title": "...", "explanation": "Two to five sentences.",
     "config": {RunConfig fields}, "views": ["surface", "loss"],
     "compare": [{"label": "...", "overrides": {RunConfig fields}}, ...],   (optional)
     "x_axis": "iterations", "speed": 100, "expect": "converges",           (optional)
     "loss_tail": true, "example_arrows": true}                              (optional)

``loss_tail`` frames the loss axis on the rows after the first drop, so that SGD's noise fills
the plot instead of a flat line under the first iterations' loss; ``example_arrows`` draws each
example's gradient in the batch and their mean on the surface. The view "worked" is the worked
update under the views.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdviz.core.config import PROBLEM_FIELDS as CONFIG_PROBLEM_FIELDS
from gdviz.core.config import RunConfig, build_problem, total_steps
from gdviz.resources import resource_path

SCHEMA = 1
# worked: the worked update (U); range_test, batch_scaling, sharpness: the lab (ui/lab.py)
VIEWS = ("surface", "loss", "data", "sweep", "worked", "range_test", "batch_scaling", "sharpness")
X_AXES = ("iterations", "epochs", "examples seen")
EXPECTATIONS = ("converges", "diverges", "slow")
REQUIRED_KEYS = ("schema", "title", "explanation", "config", "views")
OPTIONAL_KEYS = ("compare", "x_axis", "speed", "expect", "loss_tail", "example_arrows")
SENTENCES = (2, 5)
COMPARE_RUNS = (2, 6)
MAX_SPEED = 1_000_000
# Lessons must open at once in front of a class; this also keeps a malformed file from asking
# for a synthetic data set of a billion examples while it is being checked.
MAX_EXAMPLES = 100_000
# A comparison draws every run on one loss surface, so its runs may differ only in how they
# train (hyperparameters), never in the problem that defines the surface.
PROBLEM_FIELDS = CONFIG_PROBLEM_FIELDS
FILE_NAME = re.compile(r"(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)")
# A sentence ends with . ! or ? (possibly closed by a quote or bracket) before a space or the
# end; a dot inside a number such as 0.1 is followed by a digit and does not count.
SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")


class LessonError(ValueError):
    """A lesson file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class CompareRun:
    """One run of a side-by-side comparison."""

    label: str  # legend text, e.g. "lr = 0.01 (too small)"
    config: RunConfig  # the lesson's base config with this run's overrides applied


@dataclass(frozen=True)
class Lesson:
    """A ready-made run with a short explanation for students."""

    id: str  # file stem without the order prefix, e.g. "learning-rate-just-right"
    order: int
    title: str
    explanation: str  # 2-5 sentences, plain words
    config: RunConfig  # the full run configuration (main view)
    views: tuple[str, ...]  # which of VIEWS to show, in this order
    compare: tuple[CompareRun, ...] = ()  # 2-6 runs for lessons shown side by side
    x_axis: str = "iterations"  # loss-curve x axis, one of X_AXES
    speed: int = 100  # animation speed in iterations per second (0 = as fast as possible)
    expect: str | None = None  # what the run shows: one of EXPECTATIONS (checked by the tests)
    loss_tail: bool = False  # the loss axis frames the rows after the first drop
    example_arrows: bool = False  # each example's gradient and their mean on the surface


def default_folder() -> Path:
    return resource_path("lessons")


def load_lessons(folder: Path | None = None) -> list[Lesson]:
    """Every ``*.json`` lesson in ``folder`` (default: the built-in ones), sorted by order."""
    folder = Path(folder) if folder is not None else default_folder()
    lessons = [load_lesson(path) for path in sorted(folder.glob("*.json"))]
    seen: dict = {}
    for lesson in lessons:
        for key in (("order", lesson.order), ("id", lesson.id)):
            if key in seen:
                raise LessonError(
                    f"lessons {seen[key]} and {lesson.order:02d}-{lesson.id}.json share the "
                    f"same {key[0]} {key[1]!r}"
                )
            seen[key] = f"{lesson.order:02d}-{lesson.id}.json"
    return sorted(lessons, key=lambda lesson: lesson.order)


def load_lesson(path: str | Path) -> Lesson:
    """Read and check one lesson file; raise LessonError naming the file and the problem."""
    path = Path(path)
    match = FILE_NAME.fullmatch(path.stem)
    if path.suffix != ".json" or match is None:
        raise LessonError(
            f"{path.name}: a lesson file is named NN-some-id.json (two digits, then lower-case "
            "words joined by hyphens)"
        )
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError) as exc:
        # ValueError covers invalid JSON, bad UTF-8 and our own duplicate-key/NaN checks.
        raise LessonError(f"{path.name}: cannot read the lesson: {exc}") from None
    return lesson_from_dict(data, match.group(2), int(match.group(1)), path.name)


def lesson_from_dict(data, lesson_id: str, order: int, source: str = "lesson") -> Lesson:
    """Build a lesson from parsed JSON (the schema of the module docstring)."""
    try:
        return _parse(data, lesson_id, order)
    except LessonError as exc:
        raise LessonError(f"{source}: {exc}") from None


def lesson_to_dict(lesson: Lesson) -> dict:
    """The JSON form of a lesson; ``lesson_from_dict`` turns it back into an equal lesson.

    The base config is written in full (a session must not change when defaults do); each
    compare run is written as the fields where it differs from the base.
    """
    base = lesson.config.to_dict()
    data = {"schema": SCHEMA, "title": lesson.title, "explanation": lesson.explanation,
            "config": base, "views": list(lesson.views)}  # fmt: skip
    if lesson.compare:
        data["compare"] = [
            {"label": run.label,
             "overrides": {k: v for k, v in run.config.to_dict().items() if base[k] != v}}
            for run in lesson.compare
        ]  # fmt: skip
    data.update(
        x_axis=lesson.x_axis,
        speed=lesson.speed,
        expect=lesson.expect,
        loss_tail=lesson.loss_tail,
        example_arrows=lesson.example_arrows,
    )
    return data


# -- checking -----------------------------------------------------------------------------------
def _no_duplicates(pairs: list) -> dict:
    """JSON objects with a key given twice are an error (json keeps the last one silently)."""
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"key(s) given twice: {', '.join(duplicates)}")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(data, lesson_id: str, order: int) -> Lesson:
    if not isinstance(data, dict):
        raise LessonError("a lesson must be a JSON object")
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS), key=str)
    if unknown:
        raise LessonError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; a lesson has "
            + ", ".join(REQUIRED_KEYS + OPTIONAL_KEYS)
        )
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise LessonError(f"missing key(s): {', '.join(missing)}")
    if type(data["schema"]) is not int or data["schema"] != SCHEMA:
        raise LessonError(f"schema must be {SCHEMA}, got {data['schema']!r}")
    title = _text(data, "title")
    explanation = _text(data, "explanation")
    count = _sentence_count(explanation)
    if not SENTENCES[0] <= count <= SENTENCES[1]:
        raise LessonError(
            f"the explanation must be {SENTENCES[0]} to {SENTENCES[1]} sentences, it has {count}"
        )
    config = _config(data["config"], "config")
    _check_runnable(config, "config")
    views = data["views"]
    if not isinstance(views, list) or not views or any(v not in VIEWS for v in views):
        raise LessonError(f"views must be a non-empty list of {', '.join(VIEWS)}; got {views!r}")
    if len(set(views)) != len(views):
        raise LessonError(f"views lists a view twice: {views!r}")
    x_axis = data.get("x_axis", "iterations")
    if x_axis not in X_AXES:
        raise LessonError(f"x_axis must be one of {', '.join(X_AXES)}; got {x_axis!r}")
    speed = data.get("speed", 100)
    if type(speed) is not int or not 0 <= speed <= MAX_SPEED:
        raise LessonError(f"speed must be a whole number from 0 to {MAX_SPEED:,}; got {speed!r}")
    expect = data.get("expect")
    if expect is not None and expect not in EXPECTATIONS:
        raise LessonError(f"expect must be one of {', '.join(EXPECTATIONS)}; got {expect!r}")
    flags = {}
    for key in ("loss_tail", "example_arrows"):
        flags[key] = data.get(key, False)
        if not isinstance(flags[key], bool):
            raise LessonError(f"{key} must be true or false; got {flags[key]!r}")
    compare = _compare(data.get("compare", []), config)
    return Lesson(lesson_id, order, title, explanation, config, tuple(views), compare, x_axis,
                  speed, expect, flags["loss_tail"], flags["example_arrows"])  # fmt: skip


def _text(data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{key} must be non-empty text, got {value!r}")
    return value


def _sentence_count(text: str) -> int:
    """Sentences counted by their terminal punctuation; trailing words without any count too."""
    text = text.strip()
    ends = list(SENTENCE_END.finditer(text))
    return len(ends) + (not ends or ends[-1].end() < len(text))


def _config(values, where: str) -> RunConfig:
    try:
        return RunConfig.from_dict(values)
    except ValueError as exc:  # ConfigError, and anything RunConfig's checks raise
        raise LessonError(f"{where}: {exc}") from None


def _check_runnable(config: RunConfig, where: str) -> None:
    """Build the problem, the step budget and the starting loss, so that a bad data set, batch
    size or start fails when the lesson is loaded rather than when a lecturer presses Run."""
    if config.surface is None and config.n_examples > MAX_EXAMPLES:
        raise LessonError(f"{where}: a lesson uses at most {MAX_EXAMPLES:,} examples")
    try:
        # Overflow shows up as a non-finite starting loss, reported below, not as a warning.
        with np.errstate(all="ignore"):
            problem = build_problem(config)
            total_steps(config, problem)
            start_loss = problem.full_loss(*(config.start or problem.default_start))
    except (ValueError, OSError, ArithmeticError) as exc:  # ConfigError, DataError too
        raise LessonError(f"{where}: {exc}") from None
    if not np.all(np.isfinite(start_loss)):
        raise LessonError(f"{where}: the loss at the start point is not finite")


def _compare(runs, base: RunConfig) -> tuple[CompareRun, ...]:
    if not isinstance(runs, list):
        raise LessonError(f"compare must be a list of runs, got {runs!r}")
    if not runs:
        return ()
    if not COMPARE_RUNS[0] <= len(runs) <= COMPARE_RUNS[1]:
        raise LessonError(
            f"compare must have {COMPARE_RUNS[0]} to {COMPARE_RUNS[1]} runs, it has {len(runs)}"
        )
    result = []
    for number, run in enumerate(runs, 1):
        where = f"compare run {number}"
        if not isinstance(run, dict) or set(run) != {"label", "overrides"}:
            raise LessonError(f"{where} must be an object with exactly a label and overrides")
        label = _text(run, "label")
        overrides = run["overrides"]
        if not isinstance(overrides, dict):
            raise LessonError(f"{where}: overrides must be an object of configuration fields")
        changed = sorted(key for key in PROBLEM_FIELDS if key in overrides)
        if changed:
            raise LessonError(
                f"{where} changes the problem ({', '.join(changed)}); the runs of a comparison "
                "share one loss surface and may differ only in hyperparameters"
            )
        config = _config({**base.to_dict(), **overrides}, where)
        _check_runnable(config, where)
        result.append(CompareRun(label, config))
    labels = [run.label for run in result]
    if len(set(labels)) != len(labels):
        raise LessonError(f"compare runs need different labels, got {labels!r}")
    return tuple(result)


__all__ = ["CompareRun", "Lesson", "LessonError", "lesson_from_dict", "lesson_to_dict",
           "load_lesson", "load_lessons"]  # fmt: skip
