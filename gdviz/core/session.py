"""Sessions: a run saved to one JSON file and opened again to show exactly the same picture.

A session file is a JSON object::

    {"format": "gdviz-session", "schema": 2, "app_version": "0.2.0",
     "config": {RunConfig fields},
     "compare": [{"label": "...", "config": {RunConfig fields}}, ...],   ([] for a single run)
     "lesson": "goldilocks-trio" | null,
     "view": {"x_axis": ..., "log_surface": ..., "log_loss": ..., "theme": ..., "scale": ...,
              "views": [...], "speed": ..., "timeline": rows shown | null},
     "statuses": [{"status": "diverged", "step": 38, "reason": "..."}, ...],   (one per run)
     "markers": [[step, "lr 0.1 → 0.01"], ...],
     "trajectory": {name: {"dtype": "<f8", "shape": [n, K], "data": "<base64>"}, ...}}

Trajectory columns are stored as base64 of their little-endian bytes (``<f8`` for floats, ``<i8``
for integers) with the shape beside them: a diverged run's inf and NaN survive bit for bit (JSON
has no NaN), and 10^5 rows load in milliseconds instead of seconds of parsing number lists.
Columns: ``step`` (n,); ``epoch``, ``batch``, ``epoch_iterations``, ``size``, ``lr``, ``p1``,
``p2``, ``batch_loss``, ``loss``, ``g1``, ``g2`` (n, K); ``ends`` (K,), the valid rows of each
run; ``last_examples`` (m,), the newest batch. NaN is expected on the start row (no batch yet)
and after a run's end.

Schema 1 (gdviz 0.1.0) had no ``epoch_iterations`` column: it is read as 0, "not recorded",
and whoever shows the session fills it in from the configuration (:func:`fill_epoch_iterations`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdviz import __version__
from gdviz.core.atomic import failure_reason, write_text_atomic
from gdviz.core.compare import MAX_RUNS
from gdviz.core.config import RunConfig
from gdviz.core.engine import RunStatus
from gdviz.core.lessons import PROBLEM_FIELDS, VIEWS, X_AXES
from gdviz.core.report import TRAJECTORY_FIELDS, trajectory_header, write_trajectory_rows
from gdviz.core.report import write_sweep_csv as report_sweep_csv
from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS

SCHEMA = 2
READABLE_SCHEMAS = (1, 2)
FORMAT = "gdviz-session"
KEYS = ("format", "schema", "app_version", "config", "compare", "lesson", "view", "statuses",
        "markers", "trajectory")  # fmt: skip
COLUMNS = ("step", *INT_FIELDS, *FLOAT_FIELDS, "ends", "last_examples")
THEMES = ("light", "dark", "high contrast")  # gdviz.ui.theme.THEMES (core may not import Qt)
SCALES = (0.75, 2.5)
STATUSES = ("running", "finished", "converged", "diverged")
MAX_ROWS = 10**8  # far beyond any run the window keeps (and an early "no" for absurd shapes)
VIEW_DEFAULTS = {"x_axis": "iterations", "log_surface": True, "log_loss": False,
                 "theme": "light", "scale": 1.0, "views": ["surface", "loss", "data"],
                 "speed": 100, "timeline": None}  # fmt: skip
LESSON_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class SessionError(ValueError):
    """A session cannot be saved or opened; the one-line message says which file and why."""


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays have no single truth value
class Session:
    """Everything needed to show a run again: checked on construction (SessionError)."""

    config: RunConfig  # the run, or the base configuration of a comparison
    trajectory: dict  # column name -> numpy array (see the module docstring)
    compare: tuple = ()  # (label, RunConfig) per compared run; () for a single run
    lesson_id: str | None = None
    view: dict = field(default_factory=dict)  # missing keys take VIEW_DEFAULTS
    statuses: tuple = ()  # RunStatus per run; () means every run is still running
    markers: tuple = ()  # (step, text) where a hyperparameter changed mid-run
    app_version: str = __version__
    schema: int = SCHEMA

    def __post_init__(self) -> None:
        runs = len(self.compare) or 1
        object.__setattr__(self, "compare", tuple(self.compare))
        _check_compare(self.config, self.compare)
        object.__setattr__(self, "view", _check_view(self.view))
        object.__setattr__(self, "trajectory", _check_trajectory(self.trajectory, runs))
        statuses = tuple(self.statuses) or (RunStatus(),) * runs
        if len(statuses) != runs or not all(isinstance(s, RunStatus) for s in statuses):
            raise SessionError(f"statuses: need one run status per run ({runs})")
        object.__setattr__(self, "statuses", statuses)
        object.__setattr__(self, "markers", tuple(tuple(m) for m in self.markers))
        _require(self.lesson_id is None or (isinstance(self.lesson_id, str)
                                            and LESSON_ID.fullmatch(self.lesson_id)),
                 f"lesson must be a lesson id or null, got {self.lesson_id!r}")  # fmt: skip
        for step, text in self.markers:
            _require(_is_int(step) and step >= 0 and isinstance(text, str),
                     f"markers must be [step, text] pairs, got {[step, text]!r}")  # fmt: skip

    @property
    def runs(self) -> int:
        return len(self.compare) or 1

    @property
    def rows(self) -> int:
        return len(self.trajectory["step"])


# -- saving -------------------------------------------------------------------------------------
def session_to_dict(session: Session) -> dict:
    """The JSON form of a session (the module docstring); :func:`session_from_dict` inverts it."""
    return {
        "format": FORMAT, "schema": SCHEMA, "app_version": session.app_version,
        "config": session.config.to_dict(),
        "compare": [{"label": label, "config": c.to_dict()} for label, c in session.compare],
        "lesson": session.lesson_id, "view": dict(session.view),
        "statuses": [{"status": s.status, "step": s.step, "reason": s.reason}
                     for s in session.statuses],
        "markers": [[int(step), text] for step, text in session.markers],
        "trajectory": {name: _encode(array) for name, array in session.trajectory.items()},
    }  # fmt: skip


def save_session(path: str | Path, session: Session) -> None:
    """Write ``session`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over ``path``, so a crash or a full disk never leaves half a session (or
    a damaged old one). On failure the temporary file is removed and SessionError raised."""
    path = Path(path)
    text = json.dumps(session_to_dict(session), indent=1, allow_nan=False)
    try:
        write_text_atomic(path, lambda handle: handle.write(text))
    except OSError as exc:
        reason = failure_reason(exc, path.parent)
        raise SessionError(f"could not save the session to {path}: {reason}") from exc


# -- opening ------------------------------------------------------------------------------------
def load_session(path: str | Path) -> Session:
    """Read and check a session file; any problem raises SessionError with one clear message
    naming the file (never another exception, whatever the file holds)."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SessionError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{name} is not a gdviz session (it is not a text file)") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        # Every session is one object: an object that never closes was cut off.
        if text.lstrip().startswith("{") and not text.rstrip().endswith("}"):
            raise SessionError(f"{name} is truncated: the file ends in the middle") from None
        raise SessionError(f"{name} is not a gdviz session (not JSON: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # duplicate keys, NaN, absurd nesting/numbers
        raise SessionError(f"{name} is not a gdviz session ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f'{name} is not a gdviz session (no "format": "{FORMAT}")')
    schema = data.get("schema")
    if _is_int(schema) and schema > SCHEMA:
        raise SessionError(f"{name} was made by a newer gdviz (schema {schema}); this version "
                           f"reads schema {SCHEMA}")  # fmt: skip
    try:
        return session_from_dict(data)
    except SessionError as exc:
        raise SessionError(f"{name} is damaged or invalid: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        # A safety net: the checks above should have caught it, but a file never crashes us.
        raise SessionError(f"{name} is damaged or invalid: {exc}") from None


def session_from_dict(data: dict) -> Session:
    """Build a Session from its parsed JSON form (SessionError naming the bad part)."""
    schema = data.get("schema")
    _require(_is_int(schema) and schema in READABLE_SCHEMAS,
             f"schema must be one of {READABLE_SCHEMAS}, got {schema!r}")  # fmt: skip
    unknown = sorted(set(data) - set(KEYS))
    _require(not unknown, f"unknown key(s) {', '.join(unknown)}")
    missing = [k for k in ("app_version", "config", "trajectory") if k not in data]
    _require(not missing, f"missing key(s) {', '.join(missing)}")
    _require(isinstance(data["app_version"], str), "app_version must be text")
    compare = data.get("compare", [])
    _require(isinstance(compare, list), "compare must be a list of runs")
    runs = []
    for number, run in enumerate(compare, 1):
        _require(
            isinstance(run, dict) and set(run) == {"label", "config"},
            f"compare run {number} must be an object with a label and a config",
        )
        runs.append((run["label"], _config(run["config"], f"compare run {number}")))
    statuses = data.get("statuses", [])
    _require(isinstance(statuses, list), "statuses must be a list")
    trajectory = data["trajectory"]
    _require(isinstance(trajectory, dict), "trajectory must be an object of columns")
    view = data.get("view", {})
    markers = data.get("markers", [])
    pairs = isinstance(markers, list) and all(isinstance(m, list) and len(m) == 2 for m in markers)
    _require(pairs, "markers must be [step, text] pairs")
    columns = {name: _decode(value, name) for name, value in trajectory.items()}
    if schema == 1 and "epoch_iterations" not in columns and "epoch" in columns:
        columns["epoch_iterations"] = np.zeros_like(columns["epoch"])  # not recorded in 0.1.0
    return Session(
        config=_config(data["config"], "config"),
        trajectory=columns,
        compare=tuple(runs), lesson_id=data.get("lesson"), view=view,
        statuses=tuple(_status(s) for s in statuses), markers=tuple(map(tuple, markers)),
        app_version=data["app_version"], schema=schema,
    )  # fmt: skip


def fill_epoch_iterations(session: Session, iterations_per_epoch) -> dict:
    """The session's trajectory columns; for a schema 1 session (which did not record
    ``epoch_iterations``) that column set to each run's ``iterations_per_epoch`` (from its
    configuration) on the rows the run reached."""
    columns = session.trajectory
    if session.schema != 1:
        return columns
    recorded = columns["epoch_iterations"]
    per_run = np.broadcast_to(np.asarray(iterations_per_epoch, dtype=np.int64), recorded.shape)
    reached = np.arange(len(recorded))[:, None] < columns["ends"][None, :]
    reached[0] = False  # the start row has no epoch
    return {**columns, "epoch_iterations": np.where(reached, per_run, 0)}


# -- checks -------------------------------------------------------------------------------------
def _require(condition, message: str) -> None:
    if not condition:
        raise SessionError(message)


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _no_duplicates(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is given twice")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _config(values, where: str) -> RunConfig:
    try:
        return RunConfig.from_dict(values)
    except (ValueError, TypeError, ArithmeticError) as exc:  # ConfigError and odd values
        raise SessionError(f"{where}: {exc}") from None


def _status(value) -> RunStatus:
    ok = isinstance(value, dict) and set(value) == {"status", "step", "reason"}
    _require(ok, "each status must be an object with status, step and reason")
    step = value["step"]
    _require(value["status"] in STATUSES, f"status must be one of {', '.join(STATUSES)}")
    _require(step is None or (_is_int(step) and step >= 0), "a status step must be 0 or more")
    _require(isinstance(value["reason"], str), "a status reason must be text")
    return RunStatus(value["status"], step, value["reason"])


def _check_compare(config: RunConfig, compare: tuple) -> None:
    _require(isinstance(config, RunConfig), "config must be a RunConfig")
    if not compare:
        return
    count = len(compare)
    _require(2 <= count <= MAX_RUNS, f"compare has 2 to {MAX_RUNS} runs, not {count}")
    labels = [label for label, _ in compare]
    _require(all(isinstance(x, str) and x.strip() for x in labels), "compare labels are text")
    _require(len(set(labels)) == len(labels), "compare runs need different labels")
    for label, run in compare:
        _require(isinstance(run, RunConfig), f"compare run {label!r} needs a RunConfig")
        changed = [f for f in PROBLEM_FIELDS if getattr(run, f) != getattr(config, f)]
        _require(not changed, f"compare run {label!r} changes the problem ({', '.join(changed)})")


def _check_view(view) -> dict:
    _require(isinstance(view, dict), "view must be an object")
    unknown = sorted(set(view) - set(VIEW_DEFAULTS), key=str)
    _require(not unknown, f"unknown view setting(s) {', '.join(map(str, unknown))}")
    v = {**VIEW_DEFAULTS, **view}
    _require(v["x_axis"] in X_AXES, f"view x_axis must be one of {', '.join(X_AXES)}")
    _require(v["theme"] in THEMES, f"view theme must be one of {', '.join(THEMES)}")
    for key in ("log_surface", "log_loss"):
        _require(isinstance(v[key], bool), f"view {key} must be true or false")
    scale = v["scale"]
    number = isinstance(scale, int | float) and not isinstance(scale, bool)
    _require(number and SCALES[0] <= scale <= SCALES[1], f"view scale must be {SCALES[0]} to "
             f"{SCALES[1]}, got {scale!r}")  # fmt: skip
    views = v["views"]
    listed = isinstance(views, list | tuple) and all(isinstance(x, str) for x in views)
    _require(listed and set(views) <= set(VIEWS) and len(set(views)) == len(views),
             f"view views must list some of {', '.join(VIEWS)}, each once")  # fmt: skip
    _require(_is_int(v["speed"]) and 0 <= v["speed"] <= 10**6, "view speed must be 0 to 10^6")
    _require(v["timeline"] is None or (_is_int(v["timeline"]) and v["timeline"] >= 1),
             "view timeline must be a row count or null")  # fmt: skip
    return {**v, "scale": float(scale), "views": list(views)}


def _check_trajectory(columns, runs: int) -> dict:
    """Shapes, dtypes and values of the columns (a copy of each, owned and writable)."""
    _require(isinstance(columns, dict), "trajectory must be a dict of columns")
    required = set(COLUMNS) - {"last_examples"}
    missing = sorted(required - set(columns))
    unknown = sorted(set(columns) - set(COLUMNS), key=str)
    _require(not missing, f"trajectory lacks column(s) {', '.join(missing)}")
    _require(not unknown, f"unknown trajectory column(s) {', '.join(map(str, unknown))}")
    out = {}
    for name, value in columns.items():
        floats = name in FLOAT_FIELDS
        array = np.asarray(value)
        kinds = "fiu" if floats else "iu"
        _require(array.dtype.kind in kinds, f"trajectory column {name} must hold "
                 + ("numbers" if floats else "whole numbers"))  # fmt: skip
        out[name] = np.array(array, dtype=np.float64 if floats else np.int64)
    n = len(out["step"])
    for name, array in out.items():
        shape = {"step": (n,), "ends": (runs,)}.get(name, (n, runs))
        if name == "last_examples":
            _require(array.ndim == 1, "last_examples must be a list of row indices")
            _require(np.all(array >= 0), "last_examples must be 0 or more")
            continue
        _require(array.shape == shape, f"trajectory column {name} has shape {array.shape}, "
                 f"expected {shape} ({n} rows, {runs} run(s)): the lengths disagree")  # fmt: skip
    step, ends = out["step"], out["ends"]
    _require(1 <= n <= MAX_ROWS, f"a trajectory has 1 to {MAX_ROWS:,} rows, not {n}")
    _require(step[0] == 0 and np.all(np.diff(step) > 0), "steps must count up from 0")
    _require(np.all((ends >= 1) & (ends <= n)), f"run ends must be between 1 and {n}")
    for name in INT_FIELDS:
        _require(np.all(out[name] >= 0), f"trajectory column {name} must be 0 or more")
    for name in ("p1", "p2", "loss"):
        _require(np.all(np.isfinite(out[name][0])), f"the start row's {name} must be finite")
    valid = np.arange(n)[:, None] < ends[None, :]  # rows each run actually reached
    valid[0] = False  # the start row has no learning rate
    lr = out["lr"][valid]
    _require(np.all(np.isfinite(lr) & (lr >= 0)), "learning rates must be finite and >= 0")
    return out


def _encode(array: np.ndarray) -> dict:
    array = np.asarray(array)
    dtype = "<f8" if array.dtype.kind == "f" else "<i8"
    data = np.ascontiguousarray(array, dtype=dtype).tobytes()
    return {"dtype": dtype, "shape": list(array.shape),
            "data": base64.b64encode(data).decode("ascii")}  # fmt: skip


def _decode(value, name: str) -> np.ndarray:
    what = f"trajectory column {name}"
    _require(name in COLUMNS, f"unknown trajectory column {name}")
    ok = isinstance(value, dict) and set(value) == {"dtype", "shape", "data"}
    _require(ok, f"{what} must be an object with dtype, shape and data")
    expected = "<f8" if name in FLOAT_FIELDS else "<i8"
    _require(value["dtype"] == expected, f"{what} must have dtype {expected}")
    shape = value["shape"]
    sizes = isinstance(shape, list) and all(_is_int(s) and 0 <= s <= MAX_ROWS for s in shape)
    _require(sizes and 1 <= len(shape) <= 2, f"{what} has an invalid shape {shape!r}")
    _require(isinstance(value["data"], str), f"{what} data must be base64 text")
    try:
        raw = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        raise SessionError(f"{what} is damaged (its data is not base64)") from None
    needed = 8 * int(np.prod(shape, dtype=object))
    _require(len(raw) == needed, f"{what} is damaged or truncated: it holds {len(raw)} bytes, "
             f"its shape {shape} needs {needed}")  # fmt: skip
    native = np.float64 if expected == "<f8" else np.int64
    return np.frombuffer(raw, dtype=expected).reshape(shape).astype(native)  # an owned copy


# -- CSV ----------------------------------------------------------------------------------------
def write_trajectory_csv(handle, trajectory: dict, param_names, labels=()) -> None:
    """The trajectory in the columns of ``gdviz run --out`` (core.report): for one run exactly
    that text. Compared runs go into one file with a leading ``run`` column (the run's label),
    the valid rows of each run one after another."""
    runs = len(trajectory["ends"])
    header = (["run"] if runs > 1 else []) + trajectory_header(param_names)
    handle.write(",".join(header) + "\n")
    for run in range(runs):
        end = int(trajectory["ends"][run])
        columns = {"step": trajectory["step"][:end]}
        columns.update({name: trajectory[name][:end, run] for name in TRAJECTORY_FIELDS[1:]})
        lead = [_csv_text(labels[run])] if runs > 1 else []
        write_trajectory_rows(handle, columns, lead)


def write_sweep_csv(handle, result) -> None:
    """A sweep (core.sweep.SweepResult) in the columns of ``gdviz sweep --out``."""
    report_sweep_csv(handle, result.rates, result.final_loss, result.status, result.diverged_at)


def _csv_text(text: str) -> str:
    """A CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


__all__ = ["SCHEMA", "Session", "SessionError", "load_session", "save_session",
           "session_from_dict", "session_to_dict", "write_sweep_csv",
           "write_trajectory_csv"]  # fmt: skip
