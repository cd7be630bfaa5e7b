"""What the "Problem" group offers, without Qt: friendly names, N of a data set, CSV columns."""

from __future__ import annotations

import functools

from gdviz.core.config import PROBLEM_FIELDS as CONFIG_PROBLEM_FIELDS
from gdviz.core.config import RunConfig
from gdviz.core.csv_reader import first_rows
from gdviz.core.data import (
    BUILTIN_DATASETS,
    SYNTHETIC_CLASSES,
    SYNTHETIC_LINE,
    DataError,
    load_dataset,
    needs_reading,
)
from gdviz.core.fields import n_fields

DATASET_LABELS = {
    "auto-mpg": "Auto MPG (weight → mpg)",
    "penguins": "Penguins (flipper → mass)",
    "anscombe-i": "Anscombe's quartet I",
    "anscombe-ii": "Anscombe's quartet II",
    "anscombe-iii": "Anscombe's quartet III",
    "anscombe-iv": "Anscombe's quartet IV",
    SYNTHETIC_LINE: "Synthetic line (y = 2x + 1)",
    SYNTHETIC_CLASSES: "Synthetic two classes",
}
SURFACE_LABELS = {
    "bowl": "Quadratic bowl",
    "rosenbrock": "Rosenbrock valley",
    "himmelblau": "Himmelblau (4 minima)",
    "saddle": "Saddle (no minimum)",
    "six-hump-camel": "Six-hump camel",
    "scalar-net": "Scalar network",
}
MODEL_LABELS = {"linear": "Linear regression", "logistic": "Logistic regression"}
CSV_SOURCE, SURFACE_SOURCE = "\0csv", "\0surface"  # cannot clash with a data set name
SYNTHETIC = (SYNTHETIC_LINE, SYNTHETIC_CLASSES)


# The fields that define the problem: N, skipped rows and lr markers belong to one combination.
# The fields N depends on come first (RunConfig's field specs say which).
N_FIELDS = n_fields(RunConfig)
PROBLEM_FIELDS = N_FIELDS + tuple(f for f in CONFIG_PROBLEM_FIELDS if f not in N_FIELDS)


def examples_in(problem: dict) -> tuple[int, int] | None:
    """``(N, skipped rows)`` of a problem's training set (PROBLEM_FIELDS given as a dict), or
    None when it cannot be read, or is a CSV not read yet (the window reads it off the GUI
    thread, then asks again: :func:`reading_data`).

    Knowing N before the main window has built the problem lets the batch size be clamped to it
    before a config is emitted, instead of emitting a batch larger than the new data set.
    """
    dataset, x, y = problem["dataset"], problem["x_column"], problem["y_column"]
    if problem["surface"] is not None or dataset in SYNTHETIC:
        return problem["n_examples"], 0
    if dataset in BUILTIN_DATASETS:
        return _builtin_examples(dataset, x, y)
    if reading_data(problem):
        return None
    try:
        data = load_dataset(dataset, x_column=x, y_column=y)
    except (DataError, ValueError, OSError):
        return None
    return data.n_examples, data.skipped_rows


def reading_data(problem: dict) -> bool:
    """The problem's data is a CSV whose columns are not read yet."""
    return problem["surface"] is None and needs_reading(
        problem["dataset"], problem["x_column"], problem["y_column"]
    )


@functools.lru_cache(maxsize=32)
def _builtin_examples(name: str, x: str | None, y: str | None) -> tuple[int, int] | None:
    try:
        data = load_dataset(name, x_column=x, y_column=y)
    except (DataError, ValueError, OSError):
        return None
    return data.n_examples, data.skipped_rows


def default_columns(path: str, columns: list[str]) -> tuple[str, str]:
    """The first two columns whose first rows look numeric, else simply the first two."""
    numeric = []
    rows = first_rows(path, 50)
    for i, name in enumerate(columns):
        cells = [row[i].strip() for row in rows if i < len(row) and row[i].strip()]
        if cells and sum(_is_float(cell) for cell in cells) * 2 >= len(cells):
            numeric.append(name)
    picks = numeric if len(numeric) >= 2 else columns
    return picks[0], picks[1] if len(picks) > 1 else picks[0]


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
