"""``gdviz explain --step K``: iteration K of the very run ``gdviz run`` makes with the same
options (its parameters before and after are rows K-1 and K of ``--out``), and bad steps."""

from __future__ import annotations

import csv
import json

import pytest

from gdviz.__main__ import main

OPTIONS = {
    "sgd, replacement, step decay": [
        "--batch-size",
        "1",
        "--sampling",
        "replacement",
        "--lr",
        "0.02",
        "--schedule",
        "step",
        "--step-size",
        "30",
        "--epochs",
        "1",
    ],
    "adam on logistic": [
        "--dataset",
        "two-class",
        "--model",
        "logistic",
        "--batch-size",
        "8",
        "--optimizer",
        "adam",
        "--lr",
        "0.1",
        "--epochs",
        "5",
    ],
    "noisy rosenbrock, momentum": [
        "--surface",
        "rosenbrock",
        "--noise",
        "1",
        "--batch-size",
        "4",
        "--optimizer",
        "momentum",
        "--lr",
        "0.0005",
        "--steps",
        "6000",
    ],
}


def run_main(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_explain_is_the_step_gdviz_run_makes(capsys, tmp_path, name):
    options = OPTIONS[name]
    out_file = tmp_path / "run.csv"
    code, _, err = run_main(capsys, "run", *options, "--out", str(out_file))
    assert code == 0, err
    rows = list(csv.DictReader(out_file.open()))
    p1, p2 = list(rows[0])[4:6]  # the parameters' names: w, b or x, y
    for k in (1, 2, 45, len(rows) - 1):
        code, out, err = run_main(capsys, "explain", "--step", str(k), *options)
        assert code == 0, err
        work = json.loads(out)
        assert work["step"] == k and int(rows[k]["epoch"]) == work["epoch"]
        assert int(rows[k]["batch"]) == work["batch"]
        assert work["params_before"] == {p1: float(rows[k - 1][p1]), p2: float(rows[k - 1][p2])}
        assert work["params_after"] == {p1: float(rows[k][p1]), p2: float(rows[k][p2])}
        assert work["grad"] == {p1: float(rows[k][f"grad_{p1}"]), p2: float(rows[k][f"grad_{p2}"])}
        assert work["lr"] == float(rows[k]["lr"])
        assert work["equation"] and work["equation"][0].startswith("lr = ")


def test_explain_prints_the_batch_and_every_examples_gradient(capsys):
    code, out, _ = run_main(capsys, "explain", "--step", "3", "--batch-size", "4", "--lr",
                            "0.05", "--optimizer", "momentum")  # fmt: skip
    assert code == 0
    work = json.loads(out)
    assert len(work["examples"]) == 4 == len(work["per_example"])
    assert [e["index"] for e in work["per_example"]] == work["examples"]
    mean_w = sum(e["grad"]["w"] for e in work["per_example"]) / 4
    assert mean_w == pytest.approx(work["grad"]["w"], rel=1e-9)
    assert set(work["state_before"]) == set(work["state_after"]) == {"velocity"}
    assert any(line.startswith("u_w ← momentum·u_w + g_w") for line in work["equation"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--step", "0"], "between 1 and the run's budget of 20"),
        (["--step", "21"], "between 1 and the run's budget of 20"),
        (["--step", "x"], "invalid int value"),
        (["--step", "90", "--lr", "5", "--steps", "100"], "diverged at iteration 4"),
        ([], "the following arguments are required: --step"),
    ],
)
def test_bad_steps_are_one_line_and_status_2(capsys, argv, message):
    code, out, err = run_main(capsys, "explain", *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tol", "1e3", "--steps", "10", "--step", "2"], "converged at iteration 1"),
        (
            ["--lr", "1e300", "--optimizer", "adam", "--steps", "10", "--step", "2"],
            "diverged at iteration 1",
        ),
    ],
)
def test_a_run_that_stopped_just_before_step_k_has_no_step_k(capsys, argv, message):
    """Review finding: a run that stopped at exactly K - 1 was worked out at K anyway."""
    code, out, err = run_main(capsys, "explain", *argv)
    assert code == 2 and out == "" and message in err


def test_the_lr_range_test_writes_its_rows_and_summary(capsys, tmp_path):
    out_file = tmp_path / "range.csv"
    code, out, err = run_main(capsys, "lr-range-test", "--steps", "120", "--lr-min", "1e-4",
                              "--lr-max", "30", "--out", str(out_file))  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    assert set(summary) == {"steps", "steepest_lr", "diverged_at_lr", "lr_limit", "lr_fastest"}
    rows = list(csv.DictReader(out_file.open()))
    assert list(rows[0]) == ["step", "lr", "batch_loss", "loss", "smoothed_loss"]
    assert len(rows) == summary["steps"] and float(rows[0]["lr"]) == pytest.approx(1e-4)
    assert float(rows[-1]["lr"]) == pytest.approx(summary["diverged_at_lr"])
    code, _, err = run_main(capsys, "lr-range-test", "--lr-min", "1", "--lr-max", "0.5")
    assert code == 2 and "must rise" in err


def test_batch_scaling_writes_its_rows_and_summary(capsys, tmp_path):
    out_file = tmp_path / "scaling.csv"
    options = ["--batch-sizes", "1,4,398", "--target", "19", "--repeats", "2", "--lr", "0.1"]
    code, out, err = run_main(capsys, "batch-scaling", *options, "--out", str(out_file))
    assert code == 0, err
    summary = json.loads(out)
    assert summary["noise_scale"] > 0 and summary["critical_batch_estimate"] > 0
    assert [row["batch_size"] for row in summary["rows"]] == [1, 4, 398]
    rows = list(csv.DictReader(out_file.open()))
    assert list(rows[0]) == ["batch_size", "lr", "steps_to_target", "examples_to_target",
                             "epochs_to_target", "reached"]  # fmt: skip
    assert [int(r["batch_size"]) for r in rows] == [1, 4, 398]
    assert float(rows[2]["examples_to_target"]) == 398 * float(rows[2]["steps_to_target"])
    code, _, err = run_main(capsys, "batch-scaling", "--batch-sizes", "1,x")
    assert code == 2 and "separated by commas" in err
    code, _, err = run_main(capsys, "batch-scaling", "--steps", "5")
    assert code == 2 and "--steps does not apply" in err
