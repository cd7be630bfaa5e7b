"""Session files: round trips (NaN and inf included), one clear SessionError for every kind of
bad file, atomic saving, CSV identical to the headless commands, and a property test that no
file at all makes the loader raise anything else."""

from __future__ import annotations

import base64
import contextlib
import copy
import errno
import io
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.core import session as S
from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.report import write_trajectory_csv as report_csv
from gdviz.core.stops import RunStatus
from gdviz.core.sweep import sweep

CONFIG = RunConfig(dataset="synthetic", n_examples=50, batch_size=10, lr=0.05, steps=60)


def trainer_of(config=CONFIG):
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(config.steps)
    trainer.finish()
    return trainer


def trajectory_of(trainer) -> dict:
    t = trainer.trajectory
    columns = {"step": t.step[: t.length].copy(), "ends": t.ends.copy()}
    columns.update({name: array[: t.length].copy() for name, array in t.fields.items()})
    return columns


def diverged_trajectory() -> dict:
    """A run whose last row blew up: inf and NaN where a diverged run has them."""
    columns = trajectory_of(trainer_of())
    columns["loss"][-1], columns["p1"][-1], columns["g2"][-1] = np.inf, np.nan, -np.inf
    return columns


def compare_session() -> S.Session:
    base = RunConfig(dataset="synthetic", n_examples=50, lr=0.1, steps=30)
    runs = [("slow", base.replace(lr=0.001)), ("fast", base), ("boom", base.replace(lr=3.0))]
    n, k = 31, 3
    rng = np.random.default_rng(0)
    columns = {"step": np.arange(n), "ends": np.array([31, 31, 12])}
    for name in ("epoch", "batch", "epoch_iterations", "size"):
        columns[name] = rng.integers(0, 5, (n, k))
    for name in ("lr", "p1", "p2", "batch_loss", "loss", "g1", "g2"):
        columns[name] = rng.normal(size=(n, k))
    columns["lr"] = np.abs(columns["lr"])
    columns["loss"][12:, 2] = np.nan  # rows the diverged run never reached
    view = {"x_axis": "epochs", "log_loss": True, "theme": "dark", "scale": 1.5,
            "views": ["surface", "loss"], "timeline": 7}  # fmt: skip
    statuses = (RunStatus("finished", 30), RunStatus("converged", 25),
                RunStatus("diverged", 11, "loss grew"))  # fmt: skip
    return S.Session(base, columns, tuple(runs), "goldilocks-trio", view, statuses,
                     ((5, "lr 0.1 → 0.01"),))  # fmt: skip


def assert_same(a: S.Session, b: S.Session) -> None:
    assert a.config == b.config and a.compare == b.compare and a.lesson_id == b.lesson_id
    assert a.view == b.view and a.statuses == b.statuses and a.markers == b.markers
    assert set(a.trajectory) == set(b.trajectory)
    for name, array in a.trajectory.items():
        other = b.trajectory[name]
        assert array.dtype == other.dtype and array.shape == other.shape, name
        # Bit for bit: NaN payloads and the sign of infinities included.
        assert array.tobytes() == other.tobytes(), name


def test_round_trip_keeps_everything_including_nan_and_inf(tmp_path):
    session = S.Session(CONFIG, diverged_trajectory(), markers=((10, "lr 0.05 → 0.5"),),
                        statuses=(RunStatus("diverged", 60, "loss grew"),))  # fmt: skip
    path = tmp_path / "run.json"
    S.save_session(path, session)
    loaded = S.load_session(path)
    assert_same(session, loaded)
    assert loaded.view == S.VIEW_DEFAULTS and loaded.schema == S.SCHEMA
    assert json.loads(path.read_text())["format"] == "gdviz-session"
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)  # a normal file, not the temp's mode


def test_round_trip_of_compared_runs(tmp_path):
    session = compare_session()
    S.save_session(tmp_path / "trio.json", session)
    assert_same(session, S.load_session(tmp_path / "trio.json"))


def test_a_hundred_thousand_rows_load_well_under_a_second(tmp_path):
    n = 100_000
    columns = {"step": np.arange(n), "ends": np.array([n])}
    integers = ("epoch", "batch", "epoch_iterations", "size")
    columns.update({name: np.ones((n, 1), dtype=np.int64) for name in integers})
    columns.update({name: np.linspace(1, 2, n)[:, None] for name in
                    ("lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")})  # fmt: skip
    S.save_session(tmp_path / "big.json", S.Session(CONFIG, columns))
    started = time.perf_counter()
    loaded = S.load_session(tmp_path / "big.json")
    assert time.perf_counter() - started < 1.0
    assert loaded.rows == n


# -- bad files ----------------------------------------------------------------------------------
def valid_dict() -> dict:
    return S.session_to_dict(compare_session())


def with_change(path: tuple, value):
    data = valid_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data)


def truncated_column() -> str:
    data = valid_dict()
    text = data["trajectory"]["p1"]["data"]
    data["trajectory"]["p1"]["data"] = base64.b64encode(base64.b64decode(text)[:-8]).decode()
    return json.dumps(data)


def nan_start_loss() -> str:
    data = valid_dict()
    loss = np.frombuffer(base64.b64decode(data["trajectory"]["loss"]["data"])).copy()
    loss[0] = np.nan
    data["trajectory"]["loss"]["data"] = base64.b64encode(loss.tobytes()).decode()
    return json.dumps(data)


BAD_FILES = {
    "not JSON": ("lr,final_loss\n0.1,2\n", "is not a gdviz session"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\xff", "not a text file"),
    "other JSON": ('{"schema": 1, "title": "a lesson"}', "is not a gdviz session"),
    "a list": ("[1, 2, 3]", "is not a gdviz session"),
    "newer schema": (with_change(("schema",), 4),
                     "made by a newer gdviz (schema 4); this version reads schema 3"),
    "truncated": (json.dumps(valid_dict())[:5000], "is truncated"),
    "truncated column": (truncated_column(), "damaged or truncated"),
    "wrong type": (with_change(("config", "lr"), "fast"), "(lr) must be a finite number"),
    "out of range lr": (with_change(("config", "lr"), -1), "learning rate must be a positive"),
    "out of range scale": (with_change(("view", "scale"), 10), "view scale must be"),
    "unknown view": (with_change(("view", "views"), ["surface", "3d"]), "view views"),
    "lengths disagree": (with_change(("trajectory", "p2", "shape"), [30, 3]), "damaged"),
    "too many runs": (with_change(("trajectory", "ends", "shape"), [2]), "damaged"),
    "non-finite start": (nan_start_loss(), "start row's loss must be finite"),
    "bad status": (with_change(("statuses", 0, "status"), "exploded"), "status must be one"),
    "duplicate key": ('{"format": "gdviz-session", "format": "x"}', "given twice"),
    "NaN literal": ('{"format": "gdviz-session", "schema": NaN}', "NaN"),
}  # fmt: skip


@pytest.mark.parametrize("content,message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_every_bad_file_gives_one_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(S.SessionError) as error:
        S.load_session(path)
    text = str(error.value)
    assert message in text and "bad.json" in text
    assert "\n" not in text  # one line


def test_missing_file_and_folder_are_session_errors(tmp_path):
    with pytest.raises(S.SessionError, match=r"cannot read nothing\.json"):
        S.load_session(tmp_path / "nothing.json")
    with pytest.raises(S.SessionError, match="cannot read"):
        S.load_session(tmp_path)


def test_sessions_made_in_code_are_checked_too():
    columns = trajectory_of(trainer_of())
    with pytest.raises(S.SessionError, match="lengths disagree"):
        S.Session(CONFIG, {**columns, "p1": columns["p1"][:-1]})
    with pytest.raises(S.SessionError, match="changes the problem"):
        S.Session(CONFIG, columns, compare=(("a", CONFIG), ("b", CONFIG.replace(n_examples=9))))
    with pytest.raises(S.SessionError, match="one run status per run"):
        S.Session(CONFIG, columns, statuses=(RunStatus(), RunStatus()))


# -- atomic saving ------------------------------------------------------------------------------
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    S.save_session(path, S.Session(CONFIG, trajectory_of(trainer_of())))
    before = path.read_bytes()

    def disk_full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(S.SessionError, match="the disk is full"):
        S.save_session(path, compare_session())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def test_saving_into_a_missing_folder_is_a_session_error(tmp_path):
    with pytest.raises(S.SessionError, match="could not save"):
        S.save_session(tmp_path / "no" / "run.json", compare_session())


# -- CSV ----------------------------------------------------------------------------------------
def test_trajectory_csv_is_the_text_of_gdviz_run_out():
    trainer = trainer_of()
    expected, got = io.StringIO(), io.StringIO()
    report_csv(expected, trainer)
    problem = trainer.problem
    S.write_trajectory_csv(got, trajectory_of(trainer), problem.param_names, (), problem.sharpness)
    assert got.getvalue() == expected.getvalue()


def test_compared_runs_share_one_csv_with_a_run_column():
    session = compare_session()
    out = io.StringIO()
    S.write_trajectory_csv(out, session.trajectory, ("w", "b"), ["slow", "fast, big", "boom"])
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("run,step,epoch,batch,lr,w,b,")
    assert len(lines) == 1 + 31 + 31 + 12  # each run's valid rows
    assert lines[32].startswith('"fast, big",0,')


def test_sweep_csv_is_the_text_of_gdviz_sweep_out(tmp_path, capsys):
    from gdviz.__main__ import main

    out = tmp_path / "sweep.csv"
    assert main(["sweep", "--lr-min", "0.01", "--lr-max", "3", "--num", "5", "--dataset",
                 "synthetic", "--steps", "50", "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    config = RunConfig(dataset="synthetic", steps=50, epochs=None)
    text = io.StringIO()
    S.write_sweep_csv(text, sweep(config, np.geomspace(0.01, 3, 5)))
    assert text.getvalue() == out.read_text()


# -- property tests -----------------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)  # fmt: skip
PATHS = [("format",), ("schema",), ("app_version",), ("config",), ("config", "lr"),
         ("config", "batch_size"), ("config", "start"), ("compare",), ("compare", 0),
         ("compare", 1, "config"), ("lesson",), ("view",), ("view", "scale"), ("view", "views"),
         ("view", "timeline"), ("statuses",), ("statuses", 1), ("markers",), ("trajectory",),
         ("trajectory", "p1"), ("trajectory", "p1", "shape"), ("trajectory", "p1", "data"),
         ("trajectory", "ends", "data"), ("trajectory", "step", "dtype"),
         ("trajectory", "epoch", "shape")]  # fmt: skip
VALID = valid_dict()
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def loads_or_session_error(path) -> None:
    with contextlib.suppress(S.SessionError):  # the only exception allowed
        assert isinstance(S.load_session(path), S.Session)


@FAST
@given(value=JSON)
def test_random_json_only_ever_gives_a_session_error(tmp_path, value):
    path = tmp_path / "random.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    loads_or_session_error(path)


@FAST
@given(where=st.sampled_from(PATHS), value=JSON, delete=st.booleans())
def test_a_session_with_any_part_replaced_only_ever_gives_a_session_error(
    tmp_path, where, value, delete
):
    data = copy.deepcopy(VALID)
    target = data
    for key in where[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[where[-1]]
    else:
        target[where[-1]] = value
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loads_or_session_error(path)


@FAST
@given(cut=st.integers(min_value=0, max_value=len(json.dumps(VALID)) - 1))
def test_any_truncated_session_gives_a_session_error(tmp_path, cut):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(VALID)[:cut], encoding="utf-8")
    with pytest.raises(S.SessionError):
        S.load_session(path)


# -- sessions saved by gdviz 0.1.0 (schema 1) --------------------------------------------------
OLD_SESSIONS = Path(__file__).resolve().parent.parent / "data" / "sessions-0.1.0"


@pytest.mark.parametrize("name", sorted(p.name for p in OLD_SESSIONS.glob("*.json")))
def test_sessions_of_0_1_0_still_open(name):
    raw = json.loads((OLD_SESSIONS / name).read_text(encoding="utf-8"))
    assert raw["schema"] == 1 and raw["app_version"] == "0.1.0"
    session = S.load_session(OLD_SESSIONS / name)
    assert session.rows == raw["trajectory"]["step"]["shape"][0] > 20
    assert np.all(session.trajectory["epoch_iterations"] == 0)  # not recorded in schema 1
    filled = S.fill_epoch_iterations(session, 40)["epoch_iterations"]
    ends = session.trajectory["ends"]
    assert all(np.all(filled[1 : ends[k], k] == 40) for k in range(len(ends)))
    assert np.all(filled[0] == 0)


def test_a_saved_session_is_schema_3(tmp_path):
    session = S.Session(CONFIG, trajectory_of(trainer_of()))
    S.save_session(tmp_path / "s.json", session)
    raw = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert raw["schema"] == 3 and "epoch_iterations" in raw["trajectory"]
    assert raw["thinned"] == 0 and "seen" in raw["trajectory"]


def test_a_schema_2_session_counts_the_examples_seen(tmp_path):
    session = S.Session(CONFIG, trajectory_of(trainer_of()))
    S.save_session(tmp_path / "s.json", session)
    raw = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    raw["schema"] = 2
    del raw["thinned"], raw["trajectory"]["seen"]
    (tmp_path / "s.json").write_text(json.dumps(raw), encoding="utf-8")
    loaded = S.load_session(tmp_path / "s.json")
    sizes = loaded.trajectory["size"]
    assert np.array_equal(loaded.trajectory["seen"], np.cumsum(sizes, axis=0))
    assert np.array_equal(loaded.trajectory["seen"], session.trajectory["seen"])


def test_the_epochs_use_of_the_examples_is_saved_and_restored(tmp_path):
    """A session keeps the newest batch and how often each example was used in its epoch, so
    the data view greys the same examples after a reload; negative counts are refused."""
    from gdviz.core.recording import Recording

    trainer = build_trainer(CONFIG, build_problem(CONFIG), record_examples=True)
    trainer.advance(23)  # epoch 5 of 5 batches, batch 3: 30 of the 50 examples used
    epoch, counts = trainer.epoch_counts()
    assert (epoch, int(counts.sum())) == (5, 30)
    columns = trajectory_of(trainer)
    columns.update(last_examples=trainer.last_examples(), epoch_counts=counts)
    S.save_session(tmp_path / "s.json", S.Session(CONFIG, columns))
    loaded = S.load_session(tmp_path / "s.json")
    recording = Recording.from_columns(loaded.trajectory)
    assert recording.epoch_counts[0] == 5
    np.testing.assert_array_equal(recording.epoch_counts[1], counts)
    np.testing.assert_array_equal(recording.columns()["epoch_counts"], counts)
    columns["epoch_counts"] = -counts
    with pytest.raises(S.SessionError, match="epoch_counts must be 0 or more"):
        S.Session(CONFIG, columns)


def test_painted_data_is_kept_in_the_session_and_refused_when_broken(tmp_path):
    painted = CONFIG.replace(dataset="painted", points=((0.0, 1.0), (1.5, 2.25), (3.0, 7.0)),
                             batch_size=None)  # fmt: skip
    session = S.Session(painted, diverged_trajectory(),
                        statuses=(RunStatus("diverged", 60, "loss grew"),))  # fmt: skip
    S.save_session(tmp_path / "painted.json", session)
    loaded = S.load_session(tmp_path / "painted.json")
    assert loaded.config.points == painted.points and loaded.config == painted
    data = json.loads((tmp_path / "painted.json").read_text())
    data["config"]["points"] = [[0.0, 1.0], [1.0, "two"]]
    (tmp_path / "broken.json").write_text(json.dumps(data))
    with pytest.raises(S.SessionError, match="painted point"):
        S.load_session(tmp_path / "broken.json")
