"""Data sets: the built-in ones, synthetic ones, user CSV files; skipped rows; standardisation.

Standardisation is a z-score of the *feature* x only: ``x' = (x - mean(x)) / std(x)``.
The target y is never rescaled, so losses stay in the units of y (squared miles per gallon for
Auto MPG). With standardisation off every number (x, the weight w, the surface) is in raw units.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdviz.core.csv_reader import CsvError, Progress, csv_columns_of, is_read, read_csv
from gdviz.resources import resource_path


class DataError(ValueError):
    """A data set cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class BuiltinDataset:
    """A data set shipped in ``resources/datasets`` with its default columns."""

    file: str
    x: str
    y: str
    description: str
    series: str | None = None  # value of the "Series" column to keep (Anscombe's quartet)


BUILTIN_DATASETS: dict[str, BuiltinDataset] = {
    "auto-mpg": BuiltinDataset(
        "auto_mpg.csv",
        "Weight_in_lbs",
        "Miles_per_Gallon",
        "Auto MPG: car weight (lbs) against fuel efficiency (miles per gallon). UCI Machine "
        "Learning Repository (Quinlan, 1993), CC BY 4.0, via vega_datasets 0.9.0.",
    ),
    "penguins": BuiltinDataset(
        "penguins.csv",
        "flipper_length_mm",
        "body_mass_g",
        "Palmer penguins: flipper length (mm) against body mass (g). Gorman, Williams and "
        "Fraser (2014), CC0, via palmerpenguins 0.1.6.",
    ),
}
for _numeral in ("I", "II", "III", "IV"):
    BUILTIN_DATASETS[f"anscombe-{_numeral.lower()}"] = BuiltinDataset(
        "anscombe.csv",
        "X",
        "Y",
        f"Anscombe's quartet, series {_numeral}: four data sets with the same least-squares "
        "line (Anscombe, 1973), via vega_datasets 0.9.0.",
        series=_numeral,
    )

# Where the built-in data sets come from (shown in the About box; keep with the data).
DATASET_CREDITS = (
    "Auto MPG: UCI Machine Learning Repository (Quinlan, 1993), CC BY 4.0, via vega_datasets.",
    "Palmer penguins: Gorman, Williams and Fraser (2014), CC0, via palmerpenguins 0.1.6.",
    "Anscombe's quartet: Anscombe (1973), via vega_datasets 0.9.0.",
)

SYNTHETIC_LINE = "synthetic"
SYNTHETIC_CLASSES = "two-class"
PAINTED = "painted"  # examples placed by hand in the data view: RunConfig.points holds them
MAX_PAINTED = 10_000
DATASET_NAMES = (*BUILTIN_DATASETS, SYNTHETIC_LINE, SYNTHETIC_CLASSES)  # by name alone


@dataclass(frozen=True)
class Dataset:
    """Training examples ready for a model.

    ``x`` is the feature as the model sees it (standardised when ``standardized``), ``raw_x`` the
    original values; ``x = (raw_x - x_shift) / x_scale``. Rows with a missing or non-numeric value
    in the chosen columns were removed and are counted in ``skipped_rows``.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    raw_x: np.ndarray
    x_label: str
    y_label: str
    skipped_rows: int = 0
    standardized: bool = False
    x_shift: float = 0.0
    x_scale: float = 1.0
    description: str = ""

    @property
    def n_examples(self) -> int:
        return int(self.x.shape[0])


def read_csv_columns(
    path: str | Path,
    x_column: str,
    y_column: str,
    where: tuple[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Two numeric columns of a CSV file with a header row (gdviz.core.csv_reader, the one
    reader): ``(x, y, skipped)``; rows where either value is empty, not a number or not finite
    are skipped and counted. ``where=(column, value)`` keeps only rows whose column equals
    value. DataError, naming the file and the problem, when it cannot be read."""
    try:
        columns = read_csv(path, x_column, y_column, where, progress)
    except CsvError as exc:
        raise DataError(str(exc)) from None
    return columns.x, columns.y, columns.skipped


def is_user_csv(source: str) -> bool:
    """``source`` names a CSV file of the user's (not a built-in or synthetic data set)."""
    return source not in DATASET_NAMES and source != PAINTED


def needs_reading(source: str, x_column: str | None, y_column: str | None) -> bool:
    """A user CSV whose columns were not read yet: :func:`read_csv_columns` takes a while for a
    big file, so the window does it off its GUI thread first."""
    return (
        is_user_csv(source)
        and bool(x_column and y_column)
        and not is_read(source, x_column, y_column)
    )


def csv_header(path: str | Path) -> list[str]:
    """Column names of a CSV file (for the GUI's column pickers)."""
    try:
        return csv_columns_of(path)
    except CsvError as exc:
        raise DataError(str(exc)) from None


def synthetic_line(
    n: int = 100, noise: float = 1.0, seed: int = 0, weight: float = 2.0, bias: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``y = weight * x + bias + noise * N(0, 1)`` with x uniform on [0, 10]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, size=n)
    y = weight * x + bias + noise * rng.standard_normal(n)
    return x, y


def synthetic_classes(
    n: int = 100, noise: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two classes on a line: class 0 around x = 3, class 1 around x = 7, spread ``noise``."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(float)
    rng.shuffle(y)
    x = np.where(y > 0, 7.0, 3.0) + noise * rng.standard_normal(n)
    return x, y


def load_dataset(
    source: str,
    *,
    x_column: str | None = None,
    y_column: str | None = None,
    standardize: bool = True,
    n: int = 100,
    noise: float = 1.0,
    seed: int = 0,
    threshold: float | None = None,
    binary: bool = False,
    points: tuple | None = None,
) -> Dataset:
    """Load a built-in data set by name, a synthetic one, a user CSV by path, or ``points``
    painted by hand (``(x, y)`` pairs, source PAINTED).

    ``binary=True`` prepares a logistic-regression target: y must be 0/1 already, or is made so by
    ``y > threshold`` (the median of y when no threshold is given).
    """
    raw_x, y, skipped, x_label, y_label, description = _read_source(
        source, x_column, y_column, n, noise, seed, points
    )
    name = source if source in DATASET_NAMES or source == PAINTED else Path(source).name
    if raw_x.size < 2:
        raise DataError(
            f"{name} has {raw_x.size} usable row(s) in columns {x_label!r}, {y_label!r} "
            f"({skipped} skipped): at least 2 are needed"
        )
    # Work on x / max|x| so that values near the top of the float range cannot overflow.
    magnitude = float(np.max(np.abs(raw_x)))
    unit = raw_x / magnitude if magnitude > 0 else raw_x
    unit_mean, unit_spread = float(np.mean(unit)), float(np.std(unit))
    if not unit_spread > 1e-12:
        raise DataError(f"column {x_label!r} of {name} is constant: x must vary to fit a line")
    if binary:
        y, y_label = _binary_target(y, y_label, threshold)
    if standardize:
        shift, scale = unit_mean * magnitude, unit_spread * magnitude
        x = (unit - unit_mean) / unit_spread
    else:
        shift, scale, x = 0.0, 1.0, raw_x.copy()
    for array in (x, y, raw_x):
        array.setflags(write=False)
    return Dataset(
        name, x, y, raw_x, x_label, y_label, skipped, standardize, shift, scale, description
    )


def _read_source(source, x_column, y_column, n, noise, seed, points=None):
    """``(raw x, y, skipped rows, x label, y label, description)`` of a source."""
    if source == PAINTED:
        pairs = np.asarray(points if points is not None else (), dtype=float).reshape(-1, 2)
        raw_x, y = pairs[:, 0].copy(), pairs[:, 1].copy()
        skipped, x_label, y_label = 0, "x", "y"
        description = f"Painted by hand: {len(pairs)} examples."
    elif source == SYNTHETIC_LINE:
        raw_x, y = synthetic_line(n, noise, seed)
        skipped, x_label, y_label = 0, "x", "y"
        description = f"Synthetic line y = 2x + 1 + noise: {n} examples, noise {noise:g}."
    elif source == SYNTHETIC_CLASSES:
        raw_x, y = synthetic_classes(n, noise, seed)
        skipped, x_label, y_label = 0, "x", "class"
        description = f"Two synthetic classes around x = 3 and x = 7: {n} examples."
    elif source in BUILTIN_DATASETS:
        spec = BUILTIN_DATASETS[source]
        x_label, y_label = x_column or spec.x, y_column or spec.y
        where = ("Series", spec.series) if spec.series else None
        raw_x, y, skipped = read_csv_columns(
            resource_path("datasets", spec.file), x_label, y_label, where
        )
        description = spec.description
    else:
        if not x_column or not y_column:
            raise DataError(
                f"{source!r} is not a built-in data set ({', '.join(DATASET_NAMES)}); for a CSV "
                "file give the x and y column names"
            )
        raw_x, y, skipped = read_csv_columns(source, x_column, y_column)
        x_label, y_label = x_column, y_column
        description = f"{Path(source).name}: {x_column} against {y_column}."
    return raw_x, y, skipped, x_label, y_label, description


def _binary_target(y: np.ndarray, label: str, threshold: float | None) -> tuple[np.ndarray, str]:
    """0/1 targets for logistic regression, thresholding y when it is not 0/1 already."""
    if threshold is None and np.all((y == 0) | (y == 1)):
        return y.astype(float), label
    cut = float(np.median(y)) if threshold is None else float(threshold)
    binary = (y > cut).astype(float)
    if binary.min() == binary.max():
        raise DataError(
            f"threshold {cut:g} puts every {label} in one class; choose a value between "
            f"{y.min():g} and {y.max():g}"
        )
    return binary, f"{label} > {cut:g}"
