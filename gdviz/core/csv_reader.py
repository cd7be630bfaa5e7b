"""The one CSV reader: two numeric columns of a file with a header row, read strictly and fast.

* Special files (a FIFO, a device such as ``/dev/zero``, a folder) are refused before anything is
  read: reading a FIFO would wait for a writer for ever.
* Text: UTF-8, with or without a byte-order mark, or UTF-16 with its mark. Anything else is
  refused with "not UTF-8 text: save it as UTF-8 (CSV UTF-8)".
* The separator is sniffed from the header: comma, semicolon or tab, whichever splits it most.
* Errors that name the problem and its line: duplicate column names, a single column, a quote
  that is never closed.
* Rows whose x or y is empty are counted as *missing*, those whose value is not a finite number as
  *not a number*; both are skipped.

The fast path hands a file without quotes to ``numpy.loadtxt`` (its C parser) for just the two
columns; a file with quotes, odd rows or bad values goes through the strict reader, which finds
and counts them row by row.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import stat
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
NOT_UTF8 = "not UTF-8 text: save it as UTF-8 (CSV UTF-8)"


class CsvError(ValueError):
    """A CSV file cannot be used; the message names the file, the problem and its line."""


@dataclass(frozen=True)
class CsvColumns:
    """Two columns of a CSV file and what was skipped on the way."""

    x: np.ndarray
    y: np.ndarray
    missing: int  # rows where x or y is empty
    not_numbers: int  # rows where x or y is not a finite number
    separator: str

    @property
    def skipped(self) -> int:
        return self.missing + self.not_numbers


def read_text(path: str | Path) -> str:
    """The text of a regular file in UTF-8 (a BOM allowed) or UTF-16 with its BOM."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CsvError(f"data file not found: {path}") from None
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise CsvError(f"{path} is a folder: choose a CSV file in it")
    if not stat.S_ISREG(info.st_mode):
        raise CsvError(f"{path} is not a regular file (a FIFO or a device): choose a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise CsvError(f"{path.name} is damaged UTF-16 text: save it as UTF-8") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvError(f"{path.name} is {NOT_UTF8} (line {line})") from None


def sniff_separator(header_line: str) -> str:
    """The separator that splits the header line most (comma when none does)."""
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def header_of(text: str, name: str) -> tuple[list[str], str]:
    """The column names and the separator; CsvError for an empty file, one column or
    duplicate names."""
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise CsvError(f"{name} is empty: expected a header row and data rows")
    separator = sniff_separator(first)
    try:
        header = [cell.strip() for cell in next(csv.reader([first], delimiter=separator))]
    except csv.Error as exc:
        raise CsvError(f"{name}, line 1: the header cannot be read ({exc})") from None
    if len(header) < 2:
        raise CsvError(f"{name} has one column ({header[0]!r}): a CSV needs an x and a y column "
                       "(separated by commas, semicolons or tabs)")  # fmt: skip
    seen: dict[str, int] = {}
    for index, column in enumerate(header, 1):
        if column in seen:
            raise CsvError(f"{name}, line 1: the column name {column!r} is given twice (columns "
                           f"{seen[column]} and {index}): rename one")  # fmt: skip
        seen[column] = index
    return header, separator


def read_csv(path: str | Path, x_column: str, y_column: str,
             where: tuple[str, str] | None = None) -> CsvColumns:  # fmt: skip
    """Columns ``x_column`` and ``y_column`` of the CSV at ``path`` (rows where column
    ``where[0]`` equals ``where[1]`` only, when given). CsvError for every problem."""
    path = Path(path)
    text = read_text(path)
    header, separator = header_of(text, path.name)
    wanted = [x_column, y_column] + ([where[0]] if where else [])
    for column in wanted:
        if column not in header:
            raise CsvError(f"{path.name} has no column {column!r}; its columns are: "
                           + ", ".join(header))  # fmt: skip
    ix, iy = header.index(x_column), header.index(y_column)
    if where is None and '"' not in text:
        fast = _fast_columns(text, separator, ix, iy)
        if fast is not None:
            return CsvColumns(fast[0], fast[1], 0, 0, separator)
    return _strict_columns(text, path.name, separator, ix, iy, where, header)


def _fast_columns(text: str, separator: str, ix: int, iy: int):
    """numpy's C parser for a plain file; None when any row needs a closer look."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": the strict path says it
            table = np.loadtxt(io.StringIO(text), delimiter=separator, skiprows=1,
                               usecols=(ix, iy), dtype=float, ndmin=2, comments=None)  # fmt: skip
    except (ValueError, IndexError):
        return None
    if table.size == 0:
        return None
    if not np.isfinite(table).all():
        return None
    return np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1])


def _strict_columns(text, name, separator, ix, iy, where, header) -> CsvColumns:
    csv.field_size_limit(sys.maxsize)  # a long cell in a column we do not read is fine
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    next(reader)  # the header
    iw = header.index(where[0]) if where else None
    xs, ys, missing, not_numbers = [], [], 0, 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not data rows
            if iw is not None and (len(row) <= iw or row[iw].strip() != where[1]):
                continue
            cells = [row[i].strip() if i < len(row) else "" for i in (ix, iy)]
            if not all(cells):
                missing += 1
                continue
            values = [_number(cell) for cell in cells]
            if None in values:
                not_numbers += 1
                continue
            xs.append(values[0])
            ys.append(values[1])
    except csv.Error as exc:
        line = reader.line_num
        what = "a quote is never closed" if "end of data" in str(exc) else str(exc)
        raise CsvError(f"{name}, line {line}: {what}") from None
    return CsvColumns(np.asarray(xs, float), np.asarray(ys, float), missing, not_numbers,
                      separator)  # fmt: skip


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def csv_columns_of(path: str | Path) -> list[str]:
    """The column names of a CSV file (for the window's column pickers)."""
    path = Path(path)
    return header_of(read_text(path), path.name)[0]


__all__ = ["CsvColumns", "CsvError", "csv_columns_of", "read_csv", "read_text"]
