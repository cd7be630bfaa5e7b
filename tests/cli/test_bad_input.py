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
@pytest.mark.parametrize("command", [RUN, SWEEP], ids=["run", "sweep"])
def test_writes_that_cannot_happen_say_why_in_one_line(capsys, tmp_path, command, name, path,
                                                       code, words):  # fmt: skip
    (tmp_path / "a-file").write_text("keep me")
    out = path(tmp_path)
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
