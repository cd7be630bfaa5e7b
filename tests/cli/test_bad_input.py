"""Bad input, table-driven (issue 10): each row is a command line, the exit status it must give,
words its one line on stderr must hold, and what must be true of the files afterwards. Writing
files never damages what they replace; messages name the user's path, never a temporary file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gdviz.__main__ import main

RUN = ["run", "--dataset", "synthetic", "--steps", "3"]
SWEEP = ["sweep", "--dataset", "synthetic", "--steps", "5", "--num", "3", "--lr-min", "0.01",
         "--lr-max", "0.1"]  # fmt: skip
RENDER = ["render", "--lesson", "1", "--frames", "2"]
CSV_HEADER = "step,epoch,batch,lr,w,b,"


def gdviz(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- section 1: writing files --------------------------------------------------------------------
WRITES = [
    # (name, the --out path made from tmp_path, exit status, words of the message)
    ("empty path", lambda t: "", 2, "the output path is empty"),
    ("trailing separator", lambda t: f"{t}/x.csv/", 2, "ends with a separator"),
    ("a folder", lambda t: t, 2, "it is a folder"),
    ("missing folder", lambda t: t / "nope" / "deeper" / "out.csv", 2,
     "the folder {t}/nope/deeper does not exist"),
    ("parent is a file", lambda t: t / "a-file" / "out.csv", 2,
     "a part of the path is a file, not a folder"),
    ("name too long", lambda t: t / ("x" * 300 + ".csv"), 2, "the file name is too long"),
    ("full device", lambda t: "/dev/full", 2, "could not write /dev/full: the disk is full"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "path", "code", "words"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("command", [RUN, SWEEP, RENDER], ids=["run", "sweep", "render"])
def test_writes_that_cannot_happen_say_why_in_one_line(capsys, tmp_path, command, name, path,
                                                       code, words):  # fmt: skip
    (tmp_path / "a-file").write_text("keep me")
    out = path(tmp_path)
    if command is RENDER:  # a picture: its file name says its format
        out = str(out).replace(".csv", ".gif")
        if name == "full device":  # /dev/full says no format
            words = "--out must end in .png, .svg, .gif, .mp4"
    got, _, err = gdviz(capsys, *command, "--out", out)
    line = one_line(err)
    assert got == code and words.format(t=tmp_path) in line, line
    assert ".part" not in line and "gdviz-" not in line.replace("gdviz:", "")
    assert (tmp_path / "a-file").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing left behind
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # a device is never replaced


def test_a_device_is_written_to_not_replaced(capsys):
    code, out, _ = gdviz(capsys, *RUN, "--out", "/dev/null")
    assert code == 0 and '"status"' in out
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", [RUN, SWEEP], ids=["run", "sweep"])
def test_dash_is_standard_output_and_the_summary_goes_to_stderr(capsys, command):
    code, out, err = gdviz(capsys, *command, "--out", "-")
    assert code == 0 and not Path("-").exists()
    assert out.startswith(CSV_HEADER if command is RUN else "lr,final_loss,status")
    assert err.lstrip().startswith("{")  # the JSON summary, apart from the CSV


def test_a_symbolic_link_is_kept_and_its_target_replaced(capsys, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, _, err = gdviz(capsys, *RUN, "--out", link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith(CSV_HEADER)


def test_the_permission_bits_of_a_replaced_file_are_kept(capsys, tmp_path):
    out = tmp_path / "private.csv"
    out.write_text("old\n")
    out.chmod(0o600)
    assert gdviz(capsys, *RUN, "--out", out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().startswith(CSV_HEADER)


def test_a_hard_link_keeps_seeing_the_file(capsys, tmp_path):
    out, other = tmp_path / "out.csv", tmp_path / "other-name.csv"
    out.write_text("old\n")
    os.link(out, other)
    assert gdviz(capsys, *RUN, "--out", out)[0] == 0
    assert other.read_text() == out.read_text() and out.read_text().startswith(CSV_HEADER)
    assert out.stat().st_ino == other.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-name.csv", "out.csv"]


def test_a_fifo_is_written_to_directly(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    code, _, err = gdviz(capsys, *RUN, "--out", fifo)
    reader.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and received[0].startswith(CSV_HEADER)


def test_temporaries_of_a_killed_write_are_removed_and_live_ones_kept(capsys, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f".out.csv.gdviz-{dead}-abc123.part"
    live = tmp_path / f".out.csv.gdviz-{os.getppid()}-def456.part"  # a writer still running
    other = tmp_path / f".other.csv.gdviz-{dead}-abc123.part"  # another target's
    for path in (stale, live, other):
        path.write_text("partial")
    assert gdviz(capsys, *RUN, "--out", tmp_path / "out.csv")[0] == 0
    assert not stale.exists() and live.exists() and other.exists()


def test_a_failed_write_keeps_the_old_file(capsys, tmp_path, monkeypatch):
    import errno

    out = tmp_path / "out.csv"
    out.write_text("the good old file\n")

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = gdviz(capsys, *RUN, "--out", out)
    assert code == 2 and f"could not write {out}: the disk is full" in one_line(err)
    assert out.read_text() == "the good old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# -- section 2: sessions that cannot be opened ---------------------------------------------------
def a_session(tmp_path) -> bytes:
    from gdviz.core.config import RunConfig, build_problem, build_trainer
    from gdviz.core.session import Session, save_session

    config = RunConfig(dataset="synthetic", n_examples=40, batch_size=8, steps=20, epochs=None)
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(20)
    t = trainer.trajectory
    columns = {"step": t.step[: t.length], "ends": t.ends}
    columns.update({name: array[: t.length] for name, array in t.fields.items()})
    save_session(tmp_path / "good.json", Session(config, columns))
    return (tmp_path / "good.json").read_bytes()


SESSIONS = [
    # (name, file content from a good session's bytes, words of the message)
    ("cut by one byte", lambda good: good[:-1], "is truncated"),
    ("cut by two bytes", lambda good: good[:-2], "is truncated"),
    ("cut in a column", lambda good: good[: len(good) // 2], "is truncated"),
    ("trailing garbage", lambda good: good + b"garbage", "has extra text after the session"),
    ("empty", lambda good: b"", "is empty"),
    ("only spaces", lambda good: b"  \n ", "is empty"),
    ("UTF-16", lambda good: good.decode().encode("utf-16"), "is UTF-16 text"),
    ("binary", lambda good: b"\xff\x00\x81" * 10, "not a text file in UTF-8"),
    ("deep nesting", lambda good: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("huge number", lambda good: b'{"format": ' + b"9" * 5000 + b"}",
     "a number has thousands of digits"),
    ("not JSON", lambda good: b"hello", "not JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "words"), SESSIONS, ids=[s[0] for s in SESSIONS])
def test_a_bad_session_file_is_one_plain_line(tmp_path, name, content, words):
    from gdviz.core.session import SessionError, load_session

    path = tmp_path / "bad.json"
    path.write_bytes(content(a_session(tmp_path)))
    with pytest.raises(SessionError) as info:
        load_session(path)
    message = str(info.value)
    assert words in message and "bad.json" in message and "\n" not in message, message
    for raw in ("Errno", "codec", "sys.set_int_max_str_digits", "maximum recursion"):
        assert raw not in message


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_a_special_file_as_a_session_is_refused_at_once(tmp_path, special):
    from gdviz.core.session import SessionError, load_session

    path = {"/dev/zero": Path("/dev/zero"), "fifo": tmp_path / "pipe", "folder": tmp_path}[special]
    if special == "fifo":
        os.mkfifo(path)  # opening it to read would wait for a writer for ever
    with pytest.raises(SessionError, match=r"it is (not a regular file|a folder)"):
        load_session(path)


def test_a_bad_session_through_gdviz_render_is_exit_2(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(a_session(tmp_path)[:-2])
    code, _, err = gdviz(capsys, "render", "--session", path, "--out", tmp_path / "x.png")
    assert code == 2 and "bad.json is truncated" in one_line(err)


# -- sections 2 and 4: values, limits and memory ------------------------------------------------
VALUES = [
    # (name, arguments after the command, exit status, words of the one line)
    ("lr -inf (not an option)", ["run", "--lr", "-inf", "--steps", "2"], 2,
     "learning rate (lr) must be a finite number, got -inf"),
    ("lr -1e-5 (not an option)", ["run", "--lr", "-1e-5", "--steps", "2"], 2,
     "learning rate must be a positive number, got -1e-05"),
    ("lr nan", ["run", "--lr", "nan", "--steps", "2"], 2, "must be a finite number"),
    ("condition 1e308", ["run", "--surface", "bowl", "--condition", "1e308", "--steps", "2"], 2,
     "condition number must be at most 1e+06"),
    ("data noise 1e308", ["run", "--dataset", "synthetic", "--data-noise", "1e308", "--steps",
                          "2"], 2, "data noise must be at most 1e+06"),
    ("gradient noise 1e308", ["run", "--surface", "bowl", "--noise", "1e308", "--steps", "2"], 2,
     "gradient noise must be at most 1e+06"),
    ("a billion examples", ["run", "--dataset", "synthetic", "--n-examples", "1000000000",
                            "--steps", "2"], 2, "number of examples must be at most 1e+07"),
    ("a huge sweep", ["sweep", "--dataset", "synthetic", "--num", "10000", "--steps", "1000000",
                      "--lr-min", "0.001", "--lr-max", "1"], 2,
     "10,000 runs x 1,000,000 iterations is 1.0e+10 run-iterations, more than the 1e+09"),
    ("a huge number", ["run", "--seed", "9" * 5000, "--steps", "2"], 2, "seed"),
    ("fps 0.001", ["render", "--lesson", "1", "--frames", "5", "--fps", "0.001", "--out",
                   "{t}/x.gif"], 2, "--fps 1 to 60"),
    ("a learning rate of 1e9", ["run", "--dataset", "synthetic", "--lr", "1e9", "--steps", "5"],
     0, ""),
]  # fmt: skip


def files_in(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes: what must be unchanged after a refusal."""
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def with_kept_output(argv: list[str], folder: Path) -> list[str]:
    """``argv`` writing over an existing output file (``--out`` added when it has none)."""
    argv = [a.format(t=folder) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(folder / "keep.csv")]
    Path(argv[argv.index("--out") + 1]).write_bytes(b"the user's earlier output\n")
    return argv


@pytest.mark.parametrize(("name", "argv", "code", "words"), VALUES, ids=[v[0] for v in VALUES])
def test_values_and_limits_are_one_line(capsys, tmp_path, name, argv, code, words):
    argv = with_kept_output(argv, tmp_path)
    before = files_in(tmp_path)
    got, out, err = gdviz(capsys, *argv)
    assert got == code, err
    if code:
        assert files_in(tmp_path) == before  # the earlier output intact, nothing left behind
        line = one_line(err)
        assert words in line and "Traceback" not in line and "Warning" not in line, line
        assert len(line) < 400  # a value of 5,000 digits is not repeated in full
    else:
        assert err == "" and '"status": "diverged"' in out  # a run that diverges is a result


def test_a_csv_with_huge_values_gives_one_line_and_no_warnings(capsys, tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x,y\n" + "".join(f"{v}e307,{v}e307\n" for v in range(1, 10)))
    code, _, err = gdviz(capsys, "run", "--dataset", data, "--x", "x", "--y", "y",
                           "--steps", "3")  # fmt: skip
    assert "Warning" not in err and len(err.strip().splitlines()) <= 1
    assert code in (0, 2)


# -- section 3: CSV files ------------------------------------------------------------------------
CSVS = [
    # (name, file bytes, x, y, exit status of gdviz run, words of the one line)
    ("duplicate names", b"x,x,y\n1,2,3\n4,5,6\n", "x", "y", 2,
     "line 1: the column name 'x' is given twice (columns 1 and 2)"),
    ("unterminated quote", b'x,y\n1,2\n"3,4\n5,6\n7,8\n', "x", "y", 2,
     "line 3: a quote is never closed"),
    ("one column", b"x\n1\n2\n3\n", "x", "x", 2, "has one column ('x')"),
    ("latin-1", "temp,ventes\n1,2\n3,4\n5,é\n".encode("latin-1"), "temp", "ventes", 2,
     "not UTF-8 text: save it as UTF-8 (CSV UTF-8) (line 4)"),
    ("empty", b"", "x", "y", 2, "is empty"),
    ("unknown column", b"a,b\n1,2\n3,4\n", "x", "b", 2, "has no column 'x'; its columns are: a, b"),
    ("semicolons", b"temp;sales\n1;2\n2;4\n3;6.5\n", "temp", "sales", 0, ""),
    ("tabs", b"temp\tsales\n1\t2\n2\t4\n3\t6.5\n", "temp", "sales", 0, ""),
    ("UTF-8 with BOM", "\ufeffx,y\n1,2\n2,4\n3,7\n".encode(), "x", "y", 0, ""),
    ("UTF-16", "x,y\n1,2\n2,4\n3,7\n".encode("utf-16"), "x", "y", 0, ""),
    ("a long cell elsewhere", b"x,y,note\n1,2," + b"z" * 200_000 + b"\n2,4,a\n3,7,b\n", "x",
     "y", 0, ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "x", "y", "code", "words"), CSVS,
                         ids=[c[0] for c in CSVS])  # fmt: skip
def test_csv_files_are_read_strictly(capsys, tmp_path, name, content, x, y, code, words):
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    argv = with_kept_output(["run", "--dataset", str(data), "--x", x, "--y", y, "--steps", "3"],
                            tmp_path)  # fmt: skip
    before = files_in(tmp_path)
    got, out, err = gdviz(capsys, *argv)
    assert got == code, err
    if code:
        assert files_in(tmp_path) == before
        line = one_line(err)
        assert words in line and "data.csv" in line and "codec" not in line, line
    else:
        assert '"n_examples": 3' in out


def test_text_and_gaps_in_numeric_columns_are_counted_apart():
    import tempfile

    from gdviz.core.csv_reader import read_csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        path.write_text("x,y\n1,2\n,3\n4,\nabc,5\n6,inf\n7,8\n\n9,10\n")
        columns = read_csv(path, "x", "y")
    assert columns.x.tolist() == [1, 7, 9] and columns.y.tolist() == [2, 8, 10]
    assert (columns.missing, columns.not_numbers) == (2, 2)


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "folder"])
def test_a_special_file_as_data_is_refused_at_once(capsys, tmp_path, special):
    path = {"fifo": tmp_path / "pipe", "/dev/zero": "/dev/zero", "folder": tmp_path}[special]
    if special == "fifo":
        os.mkfifo(path)  # reading it would wait for a writer for ever
    code, _, err = gdviz(capsys, "run", "--dataset", path, "--x", "a", "--y", "b")
    assert code == 2 and ("not a regular file" in err or "is a folder" in err), err


# -- section 4: what a session may hold ------------------------------------------------------------
@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.__setitem__("markers", [[1, "lr"]] * 5000), "at most 1,000 change markers"),
    (lambda d: d.__setitem__("markers", [[1, "x" * 100_000]]), "at most 500 characters"),
    (lambda d: d["statuses"][0].__setitem__("reason", "y" * 100_000), "at most 500 characters"),
])  # fmt: skip
def test_a_session_beyond_its_limits_is_refused_quickly(tmp_path, change, words):
    import json
    import time

    from gdviz.core.session import SessionError, load_session

    data = json.loads(a_session(tmp_path))
    data.setdefault("statuses", [{"status": "finished", "step": 20, "reason": ""}])
    change(data)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    started = time.perf_counter()
    with pytest.raises(SessionError, match=words):
        load_session(path)
    assert time.perf_counter() - started < 5  # not minutes of markers drawn
