"""The checks of a session's parts: every value a session file holds is validated here, with a
message that names the bad part (SessionError); gdviz/core/session.py reads and writes files."""

from __future__ import annotations

import base64
import binascii
import re

import numpy as np

from gdviz.core.compare import MAX_RUNS
from gdviz.core.config import RunConfig
from gdviz.core.lessons import PROBLEM_FIELDS, VIEWS, X_AXES
from gdviz.core.stops import RunStatus
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS

COLUMNS = ("step", *INT_FIELDS, *FLOAT_FIELDS, "ends", "last_examples", "epoch_counts")
INDEX_COLUMNS = ("last_examples", "epoch_counts")  # optional; lists, not one value per row
THEMES = ("light", "dark", "high contrast")  # gdviz.ui.theme.THEMES (core may not import Qt)
SCALES = (0.75, 2.5)
STATUSES = ("running", "finished", "converged", "diverged")
MAX_ROWS = 10**8  # far beyond any run the window keeps (and an early "no" for absurd shapes)
VIEW_DEFAULTS = {"x_axis": "iterations", "log_surface": True, "log_loss": False,
                 "equal_axes": None, "loss_tail": False, "true_step": False,
                 "example_arrows": False, "batch_surface": False,
                 "theme": "light", "scale": 1.0,
                 "views": ["surface", "loss", "data"], "speed": 100, "timeline": None}  # fmt: skip
LESSON_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# What a session may hold beyond any the window makes: a file is refused, not shown for minutes
# (5,000 markers froze the window for 30 s) or drawn 32,767 pixels wide (a 100,000-character
# status reason).
MAX_MARKERS = 1_000
MAX_TEXT = 500


class SessionError(ValueError):
    """A session cannot be saved or opened; the one-line message says which file and why."""


def require(condition, message: str) -> None:
    if not condition:
        raise SessionError(message)


def is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def no_duplicates(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is given twice")
    return dict(pairs)


def no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def config(values, where: str) -> RunConfig:
    try:
        return RunConfig.from_dict(values)
    except (ValueError, TypeError, ArithmeticError) as exc:  # ConfigError and odd values
        raise SessionError(f"{where}: {exc}") from None


def status(value) -> RunStatus:
    ok = isinstance(value, dict) and set(value) == {"status", "step", "reason"}
    require(ok, "each status must be an object with status, step and reason")
    step = value["step"]
    require(value["status"] in STATUSES, f"status must be one of {', '.join(STATUSES)}")
    require(step is None or (is_int(step) and step >= 0), "a status step must be 0 or more")
    require(isinstance(value["reason"], str), "a status reason must be text")
    require(len(value["reason"]) <= MAX_TEXT, f"a status reason is at most {MAX_TEXT} "
            f"characters, not {len(value['reason']):,}")  # fmt: skip
    return RunStatus(value["status"], step, value["reason"])


def check_compare(config: RunConfig, compare: tuple) -> None:
    require(isinstance(config, RunConfig), "config must be a RunConfig")
    if not compare:
        return
    count = len(compare)
    require(2 <= count <= MAX_RUNS, f"compare has 2 to {MAX_RUNS} runs, not {count}")
    labels = [label for label, _ in compare]
    require(all(isinstance(x, str) and x.strip() for x in labels), "compare labels are text")
    require(all(len(x) <= MAX_TEXT for x in labels), f"compare labels are at most {MAX_TEXT} "
            "characters")  # fmt: skip
    require(len(set(labels)) == len(labels), "compare runs need different labels")
    for label, run in compare:
        require(isinstance(run, RunConfig), f"compare run {label!r} needs a RunConfig")
        changed = [f for f in PROBLEM_FIELDS if getattr(run, f) != getattr(config, f)]
        require(not changed, f"compare run {label!r} changes the problem ({', '.join(changed)})")


def check_view(view) -> dict:
    require(isinstance(view, dict), "view must be an object")
    unknown = sorted(set(view) - set(VIEW_DEFAULTS), key=str)
    require(not unknown, f"unknown view setting(s) {', '.join(map(str, unknown))}")
    v = {**VIEW_DEFAULTS, **view}
    require(v["x_axis"] in X_AXES, f"view x_axis must be one of {', '.join(X_AXES)}")
    require(v["theme"] in THEMES, f"view theme must be one of {', '.join(THEMES)}")
    for key in ("log_surface", "log_loss", "loss_tail", "true_step", "example_arrows",
                "batch_surface"):  # fmt: skip
        require(isinstance(v[key], bool), f"view {key} must be true or false")
    require(
        v["equal_axes"] is None or isinstance(v["equal_axes"], bool),
        "view equal_axes must be true, false or null",
    )
    scale = v["scale"]
    number = isinstance(scale, int | float) and not isinstance(scale, bool)
    require(number and SCALES[0] <= scale <= SCALES[1], f"view scale must be {SCALES[0]} to "
             f"{SCALES[1]}, got {scale!r}")  # fmt: skip
    views = v["views"]
    listed = isinstance(views, list | tuple) and all(isinstance(x, str) for x in views)
    require(listed and set(views) <= set(VIEWS) and len(set(views)) == len(views),
             f"view views must list some of {', '.join(VIEWS)}, each once")  # fmt: skip
    require(is_int(v["speed"]) and 0 <= v["speed"] <= 10**6, "view speed must be 0 to 10^6")
    require(v["timeline"] is None or (is_int(v["timeline"]) and v["timeline"] >= 1),
             "view timeline must be a row count or null")  # fmt: skip
    return {**v, "scale": float(scale), "views": list(views)}


def check_trajectory(columns, runs: int) -> dict:
    """Shapes, dtypes and values of the columns (a copy of each, owned and writable)."""
    require(isinstance(columns, dict), "trajectory must be a dict of columns")
    required = set(COLUMNS) - {*INDEX_COLUMNS, "seen"}  # seen: counted when missing
    missing = sorted(required - set(columns))
    unknown = sorted(set(columns) - set(COLUMNS), key=str)
    require(not missing, f"trajectory lacks column(s) {', '.join(missing)}")
    require(not unknown, f"unknown trajectory column(s) {', '.join(map(str, unknown))}")
    out = {}
    for name, value in columns.items():
        floats = name in FLOAT_FIELDS
        array = np.asarray(value)
        kinds = "fiu" if floats else "iu"
        require(array.dtype.kind in kinds, f"trajectory column {name} must hold "
                 + ("numbers" if floats else "whole numbers"))  # fmt: skip
        out[name] = np.array(array, dtype=np.float64 if floats else np.int64)
    if "seen" not in out:  # schemas 1 and 2: every iteration is a row
        out["seen"] = np.cumsum(out["size"], axis=0)
    n = len(out["step"])
    for name, array in out.items():
        shape = {"step": (n,), "ends": (runs,)}.get(name, (n, runs))
        if name in INDEX_COLUMNS:
            what = "row indices" if name == "last_examples" else "counts, one per example"
            require(array.ndim == 1, f"{name} must be a list of {what}")
            require(np.all(array >= 0), f"{name} must be 0 or more")
            continue
        require(array.shape == shape, f"trajectory column {name} has shape {array.shape}, "
                 f"expected {shape} ({n} rows, {runs} run(s)): the lengths disagree")  # fmt: skip
    step, ends = out["step"], out["ends"]
    require(1 <= n <= MAX_ROWS, f"a trajectory has 1 to {MAX_ROWS:,} rows, not {n}")
    require(step[0] == 0 and np.all(np.diff(step) > 0), "steps must count up from 0")
    require(np.all((ends >= 1) & (ends <= n)), f"run ends must be between 1 and {n}")
    for name in INT_FIELDS:
        require(np.all(out[name] >= 0), f"trajectory column {name} must be 0 or more")
    for name in ("p1", "p2", "loss"):
        require(np.all(np.isfinite(out[name][0])), f"the start row's {name} must be finite")
    valid = np.arange(n)[:, None] < ends[None, :]  # rows each run actually reached
    valid[0] = False  # the start row has no learning rate
    lr = out["lr"][valid]
    require(np.all(np.isfinite(lr) & (lr >= 0)), "learning rates must be finite and >= 0")
    return out


def encode(array: np.ndarray) -> dict:
    array = np.asarray(array)
    dtype = "<f8" if array.dtype.kind == "f" else "<i8"
    data = np.ascontiguousarray(array, dtype=dtype).tobytes()
    return {"dtype": dtype, "shape": list(array.shape),
            "data": base64.b64encode(data).decode("ascii")}  # fmt: skip


def decode(value, name: str) -> np.ndarray:
    what = f"trajectory column {name}"
    require(name in COLUMNS, f"unknown trajectory column {name}")
    ok = isinstance(value, dict) and set(value) == {"dtype", "shape", "data"}
    require(ok, f"{what} must be an object with dtype, shape and data")
    expected = "<f8" if name in FLOAT_FIELDS else "<i8"
    require(value["dtype"] == expected, f"{what} must have dtype {expected}")
    shape = value["shape"]
    sizes = isinstance(shape, list) and all(is_int(s) and 0 <= s <= MAX_ROWS for s in shape)
    require(sizes and 1 <= len(shape) <= 2, f"{what} has an invalid shape {shape!r}")
    require(isinstance(value["data"], str), f"{what} data must be base64 text")
    try:
        raw = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        raise SessionError(f"{what} is damaged (its data is not base64)") from None
    needed = 8 * int(np.prod(shape, dtype=object))
    require(len(raw) == needed, f"{what} is damaged or truncated: it holds {len(raw)} bytes, "
             f"its shape {shape} needs {needed}")  # fmt: skip
    native = np.float64 if expected == "<f8" else np.int64
    return np.frombuffer(raw, dtype=expected).reshape(shape).astype(native)  # an owned copy
