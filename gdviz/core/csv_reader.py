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

The rows go to ``numpy.loadtxt`` (its C parser, quoted fields included) for just the two columns,
a slice of rows at a time so that a ``progress(fraction)`` callback can be told how far it is;
only a slice with empty or odd cells, a quote never closed or rows of other lengths goes through
the strict reader, which finds and counts them row by row (a million rows with one bad cell cost
one slice of Python, not a million rows of it).

A file is parsed once: the columns read are kept (read-only) for the file as it is on disk (its
path, inode, size, modification time and a checksum of its ends), so the window's N display and
the problem builder share one read, and a file saved anew is read anew. The column picker reads
the first 64 KiB only.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import stat
import sys
import threading
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
NOT_UTF8 = "not UTF-8 text: save it as UTF-8 (CSV UTF-8)"
HEAD_BYTES = 64 * 1024  # enough for a header and the first rows the column picker looks at
READ_BYTES = 4 * 1024 * 1024  # a file is read this much at a time, reporting progress
# Rows per numpy.loadtxt call: its parser holds the GIL, so a window reading on a worker thread
# waits that long (~15 ms here) between its own frames.
PARSE_ROWS = 20_000
CACHED_FILES = 4  # column pairs kept parsed (a 1e6-row pair is 16 MB)

Progress = Callable[[float], None]  # told the fraction done, 0..1; it may raise to cancel


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


def _regular_file(path: Path) -> os.stat_result:
    """The stat of a regular file; CsvError for a missing path, a folder, a FIFO or a device
    (reading a FIFO would wait for a writer for ever, ``/dev/zero`` would never end)."""
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
    return info


def _read_bytes(path: Path, limit: int | None = None, progress: Progress | None = None) -> bytes:
    """The file's bytes (its first ``limit`` bytes when given), in slices that report progress."""
    size = _regular_file(path).st_size
    try:
        with path.open("rb") as handle:
            if limit is not None:
                return handle.read(limit)
            parts, done = [], 0
            while part := handle.read(READ_BYTES):
                parts.append(part)
                done += len(part)
                if progress is not None:
                    progress(0.3 * min(1.0, done / max(size, 1)))  # reading is ~30 % of the work
            return b"".join(parts)
    except OSError as exc:
        raise CsvError(f"cannot read {path.name}: {exc.strerror or exc}") from None


def _decode(raw: bytes, name: str, head: bool = False) -> str:
    """UTF-8 (a BOM allowed) or UTF-16 with its BOM; ``head``: ``raw`` may end mid-character."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16", errors="ignore" if head else "strict")
        except UnicodeDecodeError:
            raise CsvError(f"{name} is damaged UTF-16 text: save it as UTF-8") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if head and exc.start >= len(raw) - 3:  # a character cut at the end of the head
            return raw[: exc.start].decode("utf-8-sig")
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvError(f"{name} is {NOT_UTF8} (line {line})") from None


def read_text(path: str | Path, progress: Progress | None = None) -> str:
    """The text of a regular file in UTF-8 (a BOM allowed) or UTF-16 with its BOM; lines
    ended by a carriage return alone (old Mac files) are given "\n" ends."""
    path = Path(path)
    return _mac_lines(_decode(_read_bytes(path, progress=progress), path.name))


def _mac_lines(text: str) -> str:
    return text.replace("\r", "\n") if "\r" in text and "\n" not in text else text


def read_head(path: str | Path) -> str:
    """The first 64 KiB of a CSV file as text (its header and first rows), cut at a line end
    when there is more."""
    path = Path(path)
    raw = _read_bytes(path, HEAD_BYTES)
    text = _mac_lines(_decode(raw, path.name, head=len(raw) == HEAD_BYTES))
    if len(raw) == HEAD_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


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
             where: tuple[str, str] | None = None,
             progress: Progress | None = None) -> CsvColumns:  # fmt: skip
    """Columns ``x_column`` and ``y_column`` of the CSV at ``path`` (rows where column
    ``where[0]`` equals ``where[1]`` only, when given). CsvError for every problem.

    A file read before, unchanged since, is not read again (see the module's docstring)."""
    path = Path(path)
    key = _cache_key(path, x_column, y_column, where)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    text = read_text(path, progress)
    header, separator = header_of(text, path.name)
    wanted = [x_column, y_column] + ([where[0]] if where else [])
    for column in wanted:
        if column not in header:
            raise CsvError(f"{path.name} has no column {column!r}; its columns are: "
                           + ", ".join(header))  # fmt: skip
    ix, iy = header.index(x_column), header.index(y_column)
    keep = (header.index(where[0]), where[1]) if where else None
    columns = _columns(text, path.name, separator, ix, iy, keep, progress)
    del text
    for array in (columns.x, columns.y):
        array.setflags(write=False)  # shared by everyone who reads this file
    with _CACHE_LOCK:
        _CACHE[key] = columns
        while len(_CACHE) > CACHED_FILES:
            _CACHE.popitem(last=False)
    if progress is not None:
        progress(1.0)
    return columns


def is_read(path: str | Path, x_column: str, y_column: str,
            where: tuple[str, str] | None = None) -> bool:  # fmt: skip
    """These columns of the file as it is now on disk were read already (read_csv returns at
    once); False as well for a path that cannot be read (read_csv says why)."""
    try:
        key = _cache_key(Path(path), x_column, y_column, where)
    except CsvError:
        return False
    with _CACHE_LOCK:
        return key in _CACHE


def forget_read_files() -> None:
    """Forget every file read (the next read_csv parses again; for benchmarks and tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


_CACHE: OrderedDict[tuple, CsvColumns] = OrderedDict()  # least recently used first
_CACHE_LOCK = threading.Lock()  # the window reads on a worker thread


def _cache_key(path: Path, x_column, y_column, where) -> tuple:
    """The file as it is on disk now. Modification times tick every few milliseconds on Linux,
    so a file rewritten with the same size within one tick would look unchanged: a checksum of
    its first and last 64 KiB (all of a small file) tells such rewrites apart."""
    info = _regular_file(path)
    try:
        with path.open("rb") as handle:
            checksum = zlib.crc32(handle.read(HEAD_BYTES))
            if info.st_size > 2 * HEAD_BYTES:
                handle.seek(-HEAD_BYTES, os.SEEK_END)
            checksum = zlib.crc32(handle.read(), checksum)
    except OSError as exc:
        raise CsvError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    identity = (str(path.resolve()), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    return (*identity, checksum, x_column, y_column, where)


def _columns(text, name, separator, ix, iy, keep, progress) -> CsvColumns:
    """Columns ``ix`` and ``iy`` of the rows after the header, PARSE_ROWS rows at a time: each
    slice goes to numpy.loadtxt (quoted fields too), and only a slice that it cannot take (an
    empty or odd cell, a quote never closed, a row of other length, a non-finite value, a row
    filter ``keep = (column, value)``) goes through the strict reader, which finds and counts
    its rows one by one."""
    body = text.find("\n") + 1
    if body == 0:  # the header alone
        return CsvColumns(np.zeros(0), np.zeros(0), 0, 0, separator)
    parts, missing, not_numbers = [], 0, 0
    start, line, size = body, 2, len(text)
    quoted = '"' in text
    while start < size:
        end = _line_end_after(text, start, PARSE_ROWS, quoted)
        piece = text[start:end]
        table = None if keep else _loadtxt(piece, separator, ix, iy, quoted)
        if table is None:
            xs, ys, m, n = _strict_rows(piece, name, separator, ix, iy, keep, line)
            table = np.column_stack([np.asarray(xs, float), np.asarray(ys, float)])
            missing, not_numbers = missing + m, not_numbers + n
        parts.append(table)
        line += piece.count("\n")
        start = end
        if progress is not None:
            progress(0.3 + 0.7 * start / size)
    table = np.concatenate(parts) if parts else np.empty((0, 2))
    return CsvColumns(np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]),
                      missing, not_numbers, separator)  # fmt: skip


def _loadtxt(piece: str, separator: str, ix: int, iy: int, quoted: bool) -> np.ndarray | None:
    """The two columns of a slice of rows by numpy's C parser, shape (rows, 2); None when a
    row needs a closer look."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": a slice of blank lines
            table = np.loadtxt(io.StringIO(piece), delimiter=separator, usecols=(ix, iy), ndmin=2,
                               comments=None, quotechar='"' if quoted else None)  # fmt: skip
    except (ValueError, IndexError):
        return None
    table = table.reshape(-1, 2)
    return table if np.isfinite(table).all() else None


def _line_end_after(text: str, start: int, rows: int, quoted: bool = False) -> int:
    """The position after the line end that closes about ``rows`` lines from ``start`` (the end
    of the text when fewer are left). Lines are ~20-100 characters, so it estimates the
    position from the lines before and then moves to the next line end. With ``quoted``, a
    line end inside a quoted field is no end: the slice holds an even number of quotes (a
    doubled quote inside a field counts twice), so no field is cut in two."""
    first = text[start : start + 64 * 1024]
    per_line = max(1, len(first) // max(1, first.count("\n")))
    end = start + rows * per_line
    while True:
        if end >= len(text):
            return len(text)
        end = text.find("\n", end)
        if end < 0:
            return len(text)
        end += 1
        if not quoted or text.count('"', start, end) % 2 == 0:
            return end


def _strict_rows(piece, name, separator, ix, iy, keep, first_line):
    """``(xs, ys, missing, not numbers)`` of a slice of rows read one by one by the csv module;
    errors name the line in the whole file (``first_line`` is the slice's first)."""
    csv.field_size_limit(sys.maxsize)  # a long cell in a column we do not read is fine
    reader = csv.reader(io.StringIO(piece, newline=""), delimiter=separator, strict=True)
    xs, ys, missing, not_numbers = [], [], 0, 0
    done = 0  # lines of the slice read as whole rows
    try:
        for row in reader:
            done = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not data rows
            if keep is not None and (len(row) <= keep[0] or row[keep[0]].strip() != keep[1]):
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
        if "end of data" in str(exc):  # named by the line where the quote opens
            raise CsvError(f"{name}, line {first_line + done}: a quote is never closed") from None
        raise CsvError(f"{name}, line {first_line + reader.line_num - 1}: {exc}") from None
    return xs, ys, missing, not_numbers


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def csv_columns_of(path: str | Path) -> list[str]:
    """The column names of a CSV file (for the window's column pickers), from its first line."""
    path = Path(path)
    return header_of(read_head(path), path.name)[0]


def first_rows(path: str | Path, count: int = 50) -> list[list[str]]:
    """Up to ``count`` data rows from the head of a CSV file, split by its separator (for the
    column picker's guess of which columns are numeric); [] when they cannot be read."""
    path = Path(path)
    try:
        text = read_head(path)
        _, separator = header_of(text, path.name)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        next(reader)
        return [row for _, row in zip(range(count), reader, strict=False)]
    except (CsvError, csv.Error, StopIteration):
        return []


__all__ = ["CsvColumns", "CsvError", "csv_columns_of", "first_rows", "forget_read_files", "is_read",
           "read_csv", "read_head", "read_text"]  # fmt: skip
