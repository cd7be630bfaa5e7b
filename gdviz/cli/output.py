"""Writing results: atomic CSV files and JSON summaries with no NaN in them."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_atomic(path: str | Path, write: Callable[[TextIO], None]) -> None:
    """Write a text file through a temporary file in the same folder, then rename it into place,
    so a failure never leaves a half-written file (the temporary file is removed)."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(
        "w", dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp", delete=False,
        newline="", encoding="utf-8",
    )  # fmt: skip
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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
    return json.dumps(json_safe(summary), indent=2, allow_nan=False)
