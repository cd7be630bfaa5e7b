"""Data loading: built-in sets, standardisation, synthetic data, bad CSV files, random CSV text."""

from __future__ import annotations

import csv
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gdviz.core.data import (
    DATASET_NAMES,
    DataError,
    csv_header,
    load_dataset,
    read_csv_columns,
)
from gdviz.resources import resource_path


def manual_count(file, x_column, y_column, where=None):
    """(usable, skipped) rows counted with the csv module: a row is usable when both cells parse
    as finite floats."""
    usable = skipped = 0
    with open(resource_path("datasets", file), newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if where and row[where[0]] != where[1]:
                continue
            try:
                ok = all(math.isfinite(float(row[c])) for c in (x_column, y_column))
            except ValueError:
                ok = False
            usable, skipped = (usable + 1, skipped) if ok else (usable, skipped + 1)
    return usable, skipped


# -- built-in data sets ---------------------------------------------------------------------------
def test_auto_mpg_counts():
    data = load_dataset("auto-mpg")
    assert (data.n_examples, data.skipped_rows) == (398, 8)
    assert manual_count("auto_mpg.csv", "Weight_in_lbs", "Miles_per_Gallon") == (398, 8)
    assert (data.x_label, data.y_label) == ("Weight_in_lbs", "Miles_per_Gallon")
    assert "Auto MPG" in data.description


def test_penguins_counts():
    data = load_dataset("penguins")
    expected = manual_count("penguins.csv", "flipper_length_mm", "body_mass_g")
    assert expected == (342, 2)
    assert (data.n_examples, data.skipped_rows) == expected


@pytest.mark.parametrize("numeral", ["I", "II", "III", "IV"])
def test_anscombe_series_share_their_line(numeral):
    data = load_dataset(f"anscombe-{numeral.lower()}", standardize=False)
    assert manual_count("anscombe.csv", "X", "Y", ("Series", numeral)) == (11, 0)
    assert data.n_examples == 11 and data.skipped_rows == 0
    # Anscombe (1973): every series has the least-squares line y = 3.00 + 0.500 x
    slope, intercept = np.polyfit(data.x, data.y, 1)
    assert slope == pytest.approx(0.500, abs=1e-3)
    assert intercept == pytest.approx(3.00, abs=3e-3)
    assert np.mean(data.x) == pytest.approx(9.0)


def test_every_builtin_name_loads():
    for name in DATASET_NAMES:
        data = load_dataset(name)
        assert data.name == name
        assert data.n_examples >= 11
        assert np.all(np.isfinite(data.x)) and np.all(np.isfinite(data.y))


def test_standardisation_of_x_only():
    data = load_dataset("auto-mpg")
    raw = load_dataset("auto-mpg", standardize=False)
    assert data.standardized and not raw.standardized
    assert np.mean(data.x) == pytest.approx(0.0, abs=1e-12)
    assert np.std(data.x) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_array_equal(data.y, raw.y)  # y is never rescaled
    np.testing.assert_array_equal(data.raw_x, raw.x)
    assert data.x_shift == pytest.approx(np.mean(raw.x), rel=1e-14)
    assert data.x_scale == pytest.approx(np.std(raw.x), rel=1e-14)
    np.testing.assert_allclose(data.x, (raw.x - data.x_shift) / data.x_scale, atol=1e-13)
    # raw units: the first car of the file weighs 3504 lbs and does 18 mpg
    assert (raw.x[0], raw.y[0]) == (3504.0, 18.0)
    assert (raw.x_shift, raw.x_scale) == (0.0, 1.0)
    assert 1600 < raw.x.min() < raw.x.max() < 5200


def test_dataset_arrays_are_read_only():
    data = load_dataset("anscombe-i")
    for array in (data.x, data.y, data.raw_x):
        with pytest.raises(ValueError):
            array[0] = 0.0


def test_synthetic_line():
    exact = load_dataset("synthetic", n=50, noise=0.0, seed=3, standardize=False)
    assert exact.n_examples == 50
    np.testing.assert_allclose(exact.y, 2.0 * exact.x + 1.0, rtol=1e-15)
    assert np.all((exact.x >= 0) & (exact.x <= 10))
    noisy = load_dataset("synthetic", n=2000, noise=1.0, seed=3, standardize=False)
    slope, intercept = np.polyfit(noisy.x, noisy.y, 1)
    # standard errors: slope ~ 1 / (sqrt(n) * std x) ~ 0.008, intercept ~ 0.045
    assert slope == pytest.approx(2.0, abs=0.05)
    assert intercept == pytest.approx(1.0, abs=0.25)
    residuals = noisy.y - 2 * noisy.x - 1
    assert np.std(residuals) == pytest.approx(1.0, abs=0.1)
    again = load_dataset("synthetic", n=50, noise=0.0, seed=3, standardize=False)
    np.testing.assert_array_equal(exact.x, again.x)
    other = load_dataset("synthetic", n=50, seed=4)
    assert not np.array_equal(other.raw_x, exact.raw_x)


def test_two_class_data():
    data = load_dataset("two-class", n=40, noise=0.0, standardize=False, binary=True)
    assert set(data.y.tolist()) == {0.0, 1.0}
    assert int(data.y.sum()) == 20  # balanced
    np.testing.assert_array_equal(data.x, np.where(data.y > 0, 7.0, 3.0))
    assert data.y_label == "class"  # already 0/1: no threshold


def test_logistic_threshold():
    raw = load_dataset("auto-mpg", standardize=False)
    data = load_dataset("auto-mpg", binary=True, threshold=25)
    np.testing.assert_array_equal(data.y, (raw.y > 25).astype(float))
    assert data.y_label == "Miles_per_Gallon > 25"
    median = float(np.median(raw.y))
    by_median = load_dataset("auto-mpg", binary=True)
    np.testing.assert_array_equal(by_median.y, (raw.y > median).astype(float))
    assert by_median.y_label == f"Miles_per_Gallon > {median:g}"
    with pytest.raises(DataError, match="one class"):
        load_dataset("auto-mpg", binary=True, threshold=100)


# -- CSV files ------------------------------------------------------------------------------------
def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_skips_bad_rows(tmp_path):
    text = "a, b ,c\n1,2,x\n\n3,,x\n4,abc,x\nnan,5,x\n6,inf,x\n7\n8,9\n  , \n10,11,12\n"
    path = write(tmp_path, text)
    x, y, skipped = read_csv_columns(path, "a", "b")
    assert x.tolist() == [1.0, 8.0, 10.0]
    assert y.tolist() == [2.0, 9.0, 11.0]
    assert skipped == 5  # empty, non-numeric, nan, inf, short row; blank lines are not rows
    data = load_dataset(str(path), x_column="a", y_column="b", standardize=False)
    assert data.skipped_rows == 5 and data.name == "data.csv"
    assert csv_header(path) == ["a", "b", "c"]


def test_csv_with_bom_and_quotes(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes('\ufeff"x","y"\n"1.5","2"\n" 3 ",4\n'.encode())
    x, y, skipped = read_csv_columns(path, "x", "y")
    assert (x.tolist(), y.tolist(), skipped) == ([1.5, 3.0], [2.0, 4.0], 0)


@pytest.mark.parametrize(
    ("text", "columns", "fragments"),
    [
        ("", ("x", "y"), ["empty"]),
        ("\n\n", ("x", "y"), ["empty"]),
        ("x,y\n", ("x", "y"), ["0 usable", "at least 2"]),
        ("x,y\n1,2\n", ("x", "y"), ["1 usable", "at least 2"]),
        ("x,y\n1,2\nfoo,3\n,4\n", ("x", "y"), ["1 usable", "2 skipped"]),
        ("x,y\n5,1\n5,2\n5,3\n", ("x", "y"), ["'x'", "constant"]),
        ("x,y\n1,2\n3,4\n", ("x", "weight"), ["no column 'weight'", "x, y"]),
        ("x,y\n1,2\n3,4\n", ("height", "y"), ["no column 'height'"]),
    ],
)
def test_bad_csv_files_raise_helpful_errors(tmp_path, text, columns, fragments):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_dataset(str(path), x_column=columns[0], y_column=columns[1])
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(info.value, ValueError)


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataError, match="not found"):
        load_dataset(str(missing), x_column="x", y_column="y")
    with pytest.raises(DataError, match=r"nope\.csv"):
        csv_header(missing)


def test_csv_without_column_names_or_unknown_name():
    with pytest.raises(DataError, match="not a built-in data set"):
        load_dataset("mystery.csv")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"x,y\n1,\xff\xfe\n")
    with pytest.raises(DataError, match="UTF-8"):
        load_dataset(str(path), x_column="x", y_column="y")


def test_huge_x_values_are_standardised():
    # Finite values near the top of the float range still have a finite mean and spread:
    # x = (1, 2, 3) * 1e200 standardises to (-sqrt(1.5), 0, sqrt(1.5)).
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "x,y\n1e200,1\n2e200,2\n3e200,3\n")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overflow warning is a failure too
            data = load_dataset(str(path), x_column="x", y_column="y")
    expected = [-math.sqrt(1.5), 0.0, math.sqrt(1.5)]
    np.testing.assert_allclose(data.x, expected, rtol=1e-12, atol=1e-12)
    assert data.x_scale == pytest.approx(math.sqrt(2 / 3) * 1e200, rel=1e-12)


# -- property: any CSV text loads cleanly or raises DataError --------------------------------------
BLANK_CELLS = ["", " ", '""', '"  "']
# (a lone '"' would open a quoted field spanning lines: that case is in the arbitrary-text test)
TEXT_CELLS = ["abc", "nan", "NaN", "inf", "-inf", "Infinity", "1,5", '"1,5"', '"x""y"', "1.2.3",
              "--1", "0x10", "1e", "e5", "true", "'3'", "\t", "é"]  # fmt: skip


def number_cell():
    finite = st.floats(allow_nan=False, allow_infinity=False).map(repr)
    return st.one_of(
        finite,
        st.integers(-(10**6), 10**6).map(str),
        st.floats(-1e3, 1e3).map(lambda v: f" {v:.3f} "),
        st.floats(-1e3, 1e3).map(lambda v: f'"{v}"'),
        st.sampled_from(["1e400", "-1e400", "1_000"]),
    )


CELLS = st.one_of(number_cell(), st.sampled_from(BLANK_CELLS), st.sampled_from(TEXT_CELLS))
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=4), max_size=12)


# No example database or patch files in the working tree; tmp_path is reused (overwritten).
HYPOTHESIS = dict(
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def is_blank(row):
    return all(cell in BLANK_CELLS or cell == "\t" for cell in row)


@settings(max_examples=200, **HYPOTHESIS)
@given(rows=ROWS, header=st.sampled_from(["x,y", "x,y,z", " x , y ", "y,x", '"x","y"']))
def test_random_csv_loads_or_raises_data_error(tmp_path, rows, header):
    path = tmp_path / "random.csv"
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    data_rows = sum(1 for r in rows if not is_blank(r))
    try:
        data = load_dataset(str(path), x_column="x", y_column="y")
    except DataError as exc:
        assert str(exc)
        return
    assert np.all(np.isfinite(data.x)) and np.all(np.isfinite(data.y))
    assert np.all(np.isfinite(data.raw_x))
    assert len(data.x) + data.skipped_rows == data_rows
    assert np.mean(data.x) == pytest.approx(0.0, abs=1e-9)
    assert np.std(data.x) == pytest.approx(1.0, rel=1e-9)


NOISE_ALPHABET = '0123456789.,-e"x y\n\r\tnaif\x00'


@settings(max_examples=150, **HYPOTHESIS)
@given(text=st.text(alphabet=st.sampled_from(list(NOISE_ALPHABET)), max_size=200))
def test_arbitrary_text_loads_or_raises_data_error(tmp_path, text):
    path = tmp_path / "noise.csv"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        data = load_dataset(str(path), x_column="x", y_column="y", standardize=False)
    except DataError:
        return
    assert np.all(np.isfinite(data.x)) and np.all(np.isfinite(data.y))
    assert len(data.x) + data.skipped_rows <= text.count("\n") + text.count("\r") + 1


FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)


def read_in_slices(path, x: str, y: str, slice_rows: int):
    """read_csv afresh with slices of ``slice_rows`` rows (hypothesis forbids the function-scoped
    monkeypatch fixture, so PARSE_ROWS is set and put back here)."""
    from gdviz.core import csv_reader

    kept = csv_reader.PARSE_ROWS
    csv_reader.PARSE_ROWS = slice_rows
    try:
        csv_reader.forget_read_files()
        return csv_reader.read_csv(path, x, y)
    finally:
        csv_reader.PARSE_ROWS = kept


@settings(max_examples=100, **HYPOTHESIS)
@given(table=st.lists(st.tuples(FINITE, FINITE, FINITE), min_size=1, max_size=60),
       separator=st.sampled_from([",", ";", "\t"]), slice_rows=st.integers(1, 7),
       formats=st.sampled_from(["{!r}", "{:.17g}", "{:e}"]))  # fmt: skip
def test_the_reader_agrees_with_pythons_own_parser(tmp_path, table, separator, slice_rows, formats):
    """The fast path (numpy.loadtxt in slices of ``slice_rows`` rows) against an independent
    reference: the csv module and float() on every cell."""

    path = tmp_path / "t.csv"
    lines = [separator.join(("a", "b", "c"))]
    lines += [separator.join(formats.format(v) for v in row) for row in table]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=separator))[1:]
    expected_x = [float(r[2]) for r in rows]
    expected_y = [float(r[0]) for r in rows]
    columns = read_in_slices(path, "c", "a", slice_rows)
    assert columns.x.tolist() == expected_x and columns.y.tolist() == expected_y
    assert (columns.missing, columns.not_numbers, columns.separator) == (0, 0, separator)


def test_a_file_rewritten_at_once_with_the_same_size_is_read_again(tmp_path):
    import os

    from gdviz.core.csv_reader import read_csv

    path = tmp_path / "same-size.csv"
    tick = 1_700_000_000_000_000_000
    for value in range(10):  # ten rewrites within one clock tick of the file system (~4 ms)
        path.write_text(f"x,y\n1,{value}\n2,{value}\n")
        os.utime(path, ns=(tick, tick))
        assert read_csv(path, "x", "y").y.tolist() == [value, value]


NOTE = st.text(alphabet=st.sampled_from(list('ab ,;\n"')), max_size=8)


@settings(max_examples=150, **HYPOTHESIS)
@given(rows=st.lists(st.tuples(FINITE, NOTE, FINITE, st.booleans()), min_size=1, max_size=30),
       slice_rows=st.integers(1, 5))  # fmt: skip
def test_quoted_fields_with_separators_and_line_ends_are_never_cut(tmp_path, rows, slice_rows):
    """Quoted numbers, and a quoted note holding commas, quotes and line ends between them: the
    slices of the fast path must not cut a note in two (the csv module is the reference)."""

    def quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = ["x,note,y"]
    lines += [",".join((quote(repr(x)) if q else repr(x), quote(note), repr(y)))
              for x, note, y, q in rows]  # fmt: skip
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns = read_in_slices(path, "x", "y", slice_rows)
    assert columns.x.tolist() == [x for x, *_ in rows]
    assert columns.y.tolist() == [y for _, _, y, _ in rows]


def test_a_note_holding_a_line_like_data_is_not_split_into_a_row(tmp_path, monkeypatch):
    # Cut at the line end inside the note, the slice after it reads "7,8,9" as a row.
    from gdviz.core import csv_reader

    monkeypatch.setattr(csv_reader, "PARSE_ROWS", 1)
    path = tmp_path / "notes.csv"
    path.write_text('x,y,note\n1,2,"abc\n7,8,9"\n3,4,z\n')
    columns = csv_reader.read_csv(path, "x", "y")
    assert columns.x.tolist() == [1, 3] and columns.y.tolist() == [2, 4]


def test_bad_rows_deep_in_a_big_file_are_counted_and_named_by_their_line(tmp_path, monkeypatch):
    from gdviz.core import csv_reader

    monkeypatch.setattr(csv_reader, "PARSE_ROWS", 50)  # many slices: the bad ones go strict
    rows = [f"{i},{2 * i}" for i in range(1000)]
    rows[10], rows[500], rows[998] = ",5", "abc,1", "7,inf"
    path = tmp_path / "big.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    columns = csv_reader.read_csv(path, "x", "y")
    good = [i for i in range(1000) if i not in (10, 500, 998)]
    assert columns.x.tolist() == good and columns.y.tolist() == [2 * i for i in good]
    assert (columns.missing, columns.not_numbers) == (1, 2)
    rows[700] = '"7,14'  # line 702 of the file: the header is line 1
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(csv_reader.CsvError, match=r"big.csv, line 702: a quote is never closed"):
        csv_reader.read_csv(path, "x", "y")


def test_lines_ended_by_a_carriage_return_alone_are_rows(tmp_path):
    from gdviz.core.csv_reader import read_csv

    path = tmp_path / "mac.csv"
    path.write_bytes(b"x,y\r1,2\r3,4\r5,7\r")
    assert read_csv(path, "x", "y").x.tolist() == [1, 3, 5]
