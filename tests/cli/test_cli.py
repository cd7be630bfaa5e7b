"""The headless commands: their CSV and JSON contract, and bad input giving exit status 2."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from gdviz.__main__ import main


def run_main(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_one_row_per_update_plus_start(capsys, tmp_path):
    out_file = tmp_path / "traj.csv"
    code, out, err = run_main(
        capsys, "run", "--dataset", "auto-mpg", "--batch-size", "10", "--epochs", "3",
        "--lr", "0.05", "--out", str(out_file), "--log-batches",
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    assert summary["n_examples"] == 398 and summary["skipped_rows"] == 8
    assert summary["iterations_per_epoch"] == math.ceil(398 / 10) == 40
    assert summary["steps"] == 120 and summary["status"] == "finished"
    rows = list(csv.DictReader(out_file.open()))
    assert list(rows[0]) == ["step", "epoch", "batch", "lr", "w", "b", "batch_loss", "loss",
                             "grad_w", "grad_b", "sharpness", "examples"]  # fmt: skip
    assert len(rows) == 121
    assert rows[0]["step"] == "0" and rows[0]["batch_loss"] == "" and rows[0]["examples"] == ""
    # Epoch 1 has 40 batches; batch 40 holds the 398 - 39*10 = 8 remaining examples.
    assert [r["epoch"] for r in rows[40:42]] == ["1", "2"]
    assert len(rows[40]["examples"].split()) == 8
    assert len(rows[41]["examples"].split()) == 10
    epoch_one = [int(i) for r in rows[1:41] for i in r["examples"].split()]
    assert sorted(epoch_one) == list(range(398))
    # The recorded update is exactly SGD: w1 = w0 - lr * grad_w.
    first = rows[1]
    assert float(first["w"]) == pytest.approx(0.0 - 0.05 * float(first["grad_w"]), rel=1e-12)


def test_run_final_loss_matches_least_squares(capsys):
    code, out, _ = run_main(capsys, "run", "--dataset", "anscombe-i", "--lr", "0.5",
                            "--steps", "200")  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    assert summary["final_loss"] == pytest.approx(summary["optimum_loss"], rel=1e-9)
    # Anscombe I, standardised x: slope 0.5 per unit of x, i.e. 0.5 * std(x) per unit of z.
    x = np.array([10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5], dtype=float)
    assert summary["final"]["w"] == pytest.approx(0.5001 * x.std(), rel=1e-3)
    assert summary["lr_max_stable"] == pytest.approx(1.0)


def test_run_diverges_as_a_result(capsys):
    code, out, err = run_main(capsys, "run", "--lr", "1e9", "--steps", "50")
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["status"] == "diverged"
    assert summary["diverged_at"] == 1 and summary["reason"]


def test_converged_with_tol(capsys):
    code, out, _ = run_main(capsys, "run", "--surface", "bowl", "--lr", "0.1", "--steps",
                            "10000", "--tol", "1e-6")  # fmt: skip
    summary = json.loads(out)
    assert code == 0 and summary["status"] == "converged" and summary["steps"] < 10000
    assert summary["optimum"] == {"x": 0.0, "y": 0.0}


def test_sweep_names_best_rate(capsys, tmp_path):
    out_file = tmp_path / "sweep.csv"
    code, out, err = run_main(capsys, "sweep", "--lr-min", "0.01", "--lr-max", "3", "--num",
                              "12", "--steps", "30", "--out", str(out_file))  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    rows = list(csv.DictReader(out_file.open()))
    assert len(rows) == 12 and list(rows[0]) == ["lr", "final_loss", "status", "diverged_at"]
    statuses = {r["status"] for r in rows}
    assert statuses == {"finished", "diverged"}
    # Standardised x makes H = 2I: lr < 2/lambda_max = 1 converges; above, the error grows by
    # |1 - 2 lr| per step, so in 30 steps lr > 1.2 passes the 1e6 x divergence threshold.
    for r in rows:
        lr = float(r["lr"])
        if lr < 1.0 or lr > 1.2:
            assert (r["status"] == "diverged") == (lr > 1.2), r
    assert 0.3 < summary["best_lr"] < 0.8


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["run", "--lr", "-1"], "learning rate"),
        (["run", "--lr", "0"], "learning rate"),
        (["run", "--batch-size", "0"], "batch size"),
        (["run", "--batch-size", "100000"], "batch size"),
        (["run", "--dataset", "missing.csv", "--x", "a", "--y", "b"], "not found"),
        (["run", "--bogus"], "unrecognized"),
        (["run", "--optimizer", "lbfgs"], "invalid choice"),
        (["run", "--start", "1"], "P1,P2"),
        (["run", "--optimizer", "sgd", "--beta1", "0.9"], "beta1"),
        (["sweep", "--lr-min", "1", "--lr-max", "0.1"], "lr-min"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, _out, err = run_main(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "empty"),
        ("a,b\n", "at least 2"),
        ("a,b\n1,2\n", "at least 2"),
        ("a,b\n1,2\n1,3\n1,4\n", "constant"),
        ("a,c\n1,2\n2,3\n", "no column 'b'"),
    ],
)
def test_bad_csv_exits_2(capsys, tmp_path, content, fragment):
    path = tmp_path / "data.csv"
    path.write_text(content)
    code, _, err = run_main(capsys, "run", "--dataset", str(path), "--x", "a", "--y", "b")
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_module_entry_point_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "gdviz", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("gdviz ")


def test_a_start_point_with_an_infinite_loss_is_bad_input(capsys):
    code, _out, err = run_main(capsys, "run", "--surface", "rosenbrock", "--start", "1e200,0")
    assert code == 2 and "start" in err and "internal error" not in err


def test_out_files_are_normal_files(capsys, tmp_path):
    out_file = tmp_path / "traj.csv"
    assert main(["run", "--steps", "3", "--out", str(out_file)]) == 0
    capsys.readouterr()
    umask = os.umask(0o022)
    os.umask(umask)
    assert out_file.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["traj.csv"]


# -- the window's command line ------------------------------------------------------------------
def window_start(*argv):
    from gdviz.__main__ import build_parser
    from gdviz.ui.app import WindowStart

    return WindowStart.from_args(build_parser().parse_args(list(argv)))


def test_window_options_describe_a_prepared_demo():
    from gdviz.core.config import RunConfig

    start = window_start("--lesson", "learning-rate-too-large", "--speed", "max", "--play")
    assert (start.lesson, start.speed, start.play, start.config) == (2, 0, True, None)
    start = window_start("--dataset", "synthetic", "--batch-size", "1", "--steps", "30",
                         "--speed", "20")  # fmt: skip
    assert start.config == RunConfig(dataset="synthetic", batch_size=1, steps=30, epochs=None)
    assert start.speed == 20 and start.lesson is None and not start.play
    assert window_start("--lesson", "3").lesson == 2  # numbers count from 1


def test_no_window_option_keeps_the_saved_configuration():
    start = window_start()
    assert (start.lesson, start.speed, start.play, start.config) == (None, None, False, None)


@pytest.mark.parametrize(("argv", "message"), [
    (["--lesson", "99"], "no lesson called '99'"),
    (["--speed", "fast"], "expected a number or max"),
    (["--lr", "-1"], "learning rate must be a positive number"),
    (["--batch-size", "0"], "batch size must be at least 1"),
])  # fmt: skip
def test_bad_window_options_are_one_line_and_exit_2(capsys, argv, message):
    code, _, err = run_main(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_window_help_lists_the_demo_options(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(flag in out for flag in ("--lesson N|ID", "--speed N|max", "--play", "--lr LR"))
