"""Sessions: a run saved to one JSON file and opened again to show exactly the same picture.

A session file is a JSON object::

    {"format": "gdviz-session", "schema": 3, "app_version": "0.2.0",
     "config": {RunConfig fields},
     "compare": [{"label": "...", "config": {RunConfig fields}}, ...],   ([] for a single run)
     "lesson": "goldilocks-trio" | null,
     "view": {"x_axis": ..., "log_surface": ..., "log_loss": ..., "theme": ..., "scale": ...,
              "views": [...], "speed": ..., "timeline": rows shown | null},
     "statuses": [{"status": "diverged", "step": 38, "reason": "..."}, ...],   (one per run)
     "markers": [[step, "lr 0.1 → 0.01"], ...],
     "thinned": 0,   (times the history of a long run was halved; 0: a row per iteration)
     "trajectory": {name: {"dtype": "<f8", "shape": [n, K], "data": "<base64>"}, ...}}

Trajectory columns are stored as base64 of their little-endian bytes (``<f8`` for floats, ``<i8``
for integers) with the shape beside them: a diverged run's inf and NaN survive bit for bit (JSON
has no NaN), and 10^5 rows load in milliseconds instead of seconds of parsing number lists.
Columns: ``step`` (n,); ``epoch``, ``batch``, ``epoch_iterations``, ``size``, ``seen``, ``lr``,
``p1``, ``p2``, ``batch_loss``, ``loss``, ``g1``, ``g2`` (n, K); ``ends`` (K,), the valid rows
of each run; ``last_examples`` (m,), the newest batch; ``epoch_counts`` (N,), how often each
example was used in the newest row's epoch (both optional). NaN is expected on the start row (no
batch yet) and after a run's end.

Schema 1 (gdviz 0.1.0) had no ``epoch_iterations`` column: it is read as 0, "not recorded",
and whoever shows the session fills it in from the configuration (:func:`fill_epoch_iterations`).
Schemas 1 and 2 had no ``seen`` column (examples used so far) nor ``thinned``: their rows are
every iteration, so ``seen`` is counted from ``size``.
"""

from __future__ import annotations

import errno
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdviz import __version__
from gdviz.core import session_checks as checks
from gdviz.core.atomic import WriteError, failure_reason, write_text_atomic
from gdviz.core.config import RunConfig
from gdviz.core.report import (
    TRAJECTORY_FIELDS,
    trajectory_header,
    with_sharpness,
    write_trajectory_rows,
)
from gdviz.core.report import write_sweep_csv as report_sweep_csv
from gdviz.core.session_checks import THEMES, VIEW_DEFAULTS, SessionError
from gdviz.core.stops import RunStatus

SCHEMA = 3
READABLE_SCHEMAS = (1, 2, 3)
FORMAT = "gdviz-session"
KEYS = ("format", "schema", "app_version", "config", "compare", "lesson", "view", "statuses",
        "markers", "thinned", "trajectory")  # fmt: skip


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
    thinned: int = 0  # times the history was halved before it was saved (0: every iteration)
    app_version: str = __version__
    schema: int = SCHEMA

    def __post_init__(self) -> None:
        runs = len(self.compare) or 1
        object.__setattr__(self, "compare", tuple(self.compare))
        checks.check_compare(self.config, self.compare)
        object.__setattr__(self, "view", checks.check_view(self.view))
        object.__setattr__(self, "trajectory", checks.check_trajectory(self.trajectory, runs))
        statuses = tuple(self.statuses) or (RunStatus(),) * runs
        if len(statuses) != runs or not all(isinstance(s, RunStatus) for s in statuses):
            raise SessionError(f"statuses: need one run status per run ({runs})")
        object.__setattr__(self, "statuses", statuses)
        object.__setattr__(self, "markers", tuple(tuple(m) for m in self.markers))
        checks.require(self.lesson_id is None or (isinstance(self.lesson_id, str)
                                            and checks.LESSON_ID.fullmatch(self.lesson_id)),
                 f"lesson must be a lesson id or null, got {self.lesson_id!r}")  # fmt: skip
        checks.require(len(self.markers) <= checks.MAX_MARKERS,
                       f"a session has at most {checks.MAX_MARKERS:,} change markers, this one "
                       f"{len(self.markers):,}")  # fmt: skip
        for step, text in self.markers:
            checks.require(checks.is_int(step) and step >= 0 and isinstance(text, str),
                     f"markers must be [step, text] pairs, got {[step, text]!r}")  # fmt: skip
            checks.require(len(text) <= checks.MAX_TEXT, f"a marker's text is at most "
                           f"{checks.MAX_TEXT} characters, not {len(text):,}")  # fmt: skip

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
        "thinned": int(session.thinned),
        "trajectory": {name: checks.encode(array) for name, array in session.trajectory.items()},
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
        reason = exc.reason if isinstance(exc, WriteError) else failure_reason(exc, path.parent)
        raise SessionError(f"could not save the session to {path}: {reason}") from exc


# -- opening ------------------------------------------------------------------------------------
def load_session(path: str | Path) -> Session:
    """Read and check a session file; any problem raises SessionError with one clear message
    naming the file (never another exception, whatever the file holds)."""
    path = Path(path)
    name = path.name
    data = _parse_json(_read_text(path), name)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f'{name} is not a gdviz session (no "format": "{FORMAT}")')
    schema = data.get("schema")
    if checks.is_int(schema) and schema > SCHEMA:
        raise SessionError(f"{name} was made by a newer gdviz (schema {schema}); this version "
                           f"reads schema {SCHEMA}")  # fmt: skip
    try:
        return session_from_dict(data)
    except SessionError as exc:
        raise SessionError(f"{name} is damaged or invalid: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        # A safety net: the checks above should have caught it, but a file never crashes us.
        raise SessionError(f"{name} is damaged or invalid: {exc}") from None


MAX_SESSION_BYTES = 2 * 1024**3  # far beyond the longest run kept (and no /dev/zero read)


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_SESSION_BYTES bytes, in UTF-8."""
    name = path.name
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "it is a folder" if stat.S_ISDIR(info.st_mode) else "it is not a regular file"
            raise SessionError(f"cannot read {name}: {kind}; choose a session file (.json)")
        if info.st_size > MAX_SESSION_BYTES:
            raise SessionError(f"{name} is {info.st_size / 1024**3:.1f} GB: more than any "
                               f"session ({MAX_SESSION_BYTES // 1024**3} GB at most)")  # fmt: skip
        raw = path.read_bytes()
    except OSError as exc:
        reasons = {errno.ENOENT: "it does not exist", errno.EACCES: "no permission to read it"}
        reason = reasons.get(exc.errno, exc.strerror or str(exc))
        raise SessionError(f"cannot read {name}: {reason}") from None
    if not raw.strip():
        raise SessionError(f"{name} is empty: it holds no session")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SessionError(f"{name} is UTF-16 text; gdviz sessions are UTF-8 JSON")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{name} is not a gdviz session (it is not a text file in UTF-8)"
                           ) from None  # fmt: skip


def _parse_json(text: str, name: str):
    try:
        return json.loads(
            text, object_pairs_hook=checks.no_duplicates, parse_constant=checks.no_constant
        )
    except json.JSONDecodeError as exc:
        # Every session is one object: an object that never closes was cut off, and text
        # after the object that closes was added.
        body = text.strip()
        if body.startswith("{") and exc.msg == "Extra data":
            raise SessionError(f"{name} has extra text after the session (line {exc.lineno})"
                               ) from None  # fmt: skip
        cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(body) - 2
        if body.startswith("{") and (cut or not body.endswith("}")):
            raise SessionError(f"{name} is truncated: the file ends in the middle") from None
        raise SessionError(f"{name} is not a gdviz session (not JSON: {exc.msg} at line "
                           f"{exc.lineno})") from None  # fmt: skip
    except RecursionError:
        raise SessionError(f"{name} is not a gdviz session (nested too deeply)") from None
    except ValueError as exc:  # duplicate keys, NaN, numbers of thousands of digits
        if "digits" in str(exc):
            raise SessionError(f"{name} is not a gdviz session (a number has thousands of "
                               "digits)") from None  # fmt: skip
        raise SessionError(f"{name} is not a gdviz session ({exc})") from None


def session_from_dict(data: dict) -> Session:
    """Build a Session from its parsed JSON form (SessionError naming the bad part)."""
    schema = data.get("schema")
    checks.require(checks.is_int(schema) and schema in READABLE_SCHEMAS,
             f"schema must be one of {READABLE_SCHEMAS}, got {schema!r}")  # fmt: skip
    unknown = sorted(set(data) - set(KEYS))
    checks.require(not unknown, f"unknown key(s) {', '.join(unknown)}")
    missing = [k for k in ("app_version", "config", "trajectory") if k not in data]
    checks.require(not missing, f"missing key(s) {', '.join(missing)}")
    checks.require(isinstance(data["app_version"], str), "app_version must be text")
    compare = data.get("compare", [])
    checks.require(isinstance(compare, list), "compare must be a list of runs")
    runs = []
    for number, run in enumerate(compare, 1):
        checks.require(
            isinstance(run, dict) and set(run) == {"label", "config"},
            f"compare run {number} must be an object with a label and a config",
        )
        runs.append((run["label"], checks.config(run["config"], f"compare run {number}")))
    statuses = data.get("statuses", [])
    checks.require(isinstance(statuses, list), "statuses must be a list")
    trajectory = data["trajectory"]
    checks.require(isinstance(trajectory, dict), "trajectory must be an object of columns")
    view = data.get("view", {})
    markers = data.get("markers", [])
    pairs = isinstance(markers, list) and all(isinstance(m, list) and len(m) == 2 for m in markers)
    checks.require(pairs, "markers must be [step, text] pairs")
    columns = {name: checks.decode(value, name) for name, value in trajectory.items()}
    if schema == 1 and "epoch_iterations" not in columns and "epoch" in columns:
        columns["epoch_iterations"] = np.zeros_like(columns["epoch"])  # not recorded in 0.1.0
    thinned = data.get("thinned", 0)
    checks.require(checks.is_int(thinned) and 0 <= thinned <= 64,
                   f"thinned must be a count of halvings (0 to 64), got {thinned!r}")  # fmt: skip
    return Session(
        config=checks.config(data["config"], "config"),
        trajectory=columns,
        compare=tuple(runs), lesson_id=data.get("lesson"), view=view,
        statuses=tuple(checks.status(s) for s in statuses), markers=tuple(map(tuple, markers)),
        thinned=thinned, app_version=data["app_version"], schema=schema,
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


# -- CSV ----------------------------------------------------------------------------------------
def write_trajectory_csv(handle, trajectory: dict, param_names, labels=(), sharpness=None) -> None:
    """The trajectory in the columns of ``gdviz run --out`` (core.report): for one run exactly
    that text (``sharpness``, the problem's Problem.sharpness, adds its column). Compared runs
    go into one file with a leading ``run`` column (the run's label), the valid rows of each
    run one after another."""
    runs = len(trajectory["ends"])
    header = (["run"] if runs > 1 else []) + trajectory_header(param_names, sharpness is not None)
    handle.write(",".join(header) + "\n")
    for run in range(runs):
        end = int(trajectory["ends"][run])
        columns = {"step": trajectory["step"][:end]}
        columns.update({name: trajectory[name][:end, run] for name in TRAJECTORY_FIELDS[1:]})
        lead = [_csv_text(labels[run])] if runs > 1 else []
        write_trajectory_rows(handle, with_sharpness(columns, sharpness), lead)


def write_sweep_csv(handle, result) -> None:
    """A sweep (core.sweep.SweepResult) in the columns of ``gdviz sweep --out``."""
    report_sweep_csv(handle, result.rates, result.final_loss, result.status, result.diverged_at)


def _csv_text(text: str) -> str:
    """A CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


__all__ = ["SCHEMA", "THEMES", "VIEW_DEFAULTS", "Session", "SessionError", "load_session",
           "save_session",
           "session_from_dict", "session_to_dict", "write_sweep_csv",
           "write_trajectory_csv"]  # fmt: skip
