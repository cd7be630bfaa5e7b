"""Writing results: atomic CSV files and JSON summaries with no NaN in them."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from gdviz.core.atomic import write_text_atomic


def write_atomic(path: str | Path, write: Callable[[TextIO], None]) -> None:
    """Write a text file atomically (gdviz.core.atomic): never half-written; ``-`` is
    standard output, devices and FIFOs are written to directly."""
    write_text_atomic(path, write)


def summary_stream(out: str | None) -> TextIO:
    """Where the JSON summary goes: standard output, or standard error when the CSV itself
    goes to standard output (``--out -``), so the two never mix."""
    return sys.stderr if out == "-" else sys.stdout


def json_safe(value):
    """Replace non-finite floats by None (JSON has no NaN or Infinity), recursively."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(summary: dict) -> str:
    """Indented JSON; text such as "∂L/∂w" as it is where standard output takes UTF-8."""
    utf8 = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") == "utf8"
    return json.dumps(json_safe(summary), indent=2, allow_nan=False, ensure_ascii=not utf8)
