"""A user's CSV is read once, off the GUI thread, with progress; a newer choice supersedes it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from gdviz.core import csv_reader


@pytest.fixture
def big_csv(tmp_path):
    """300,000 rows of y = 3x - 1 (exactly, so the fit is known), three columns."""
    x = np.arange(300_000, dtype=float) / 1000.0
    path = tmp_path / "big.csv"
    table = np.column_stack([x, 3.0 * x - 1.0, np.zeros_like(x)])
    np.savetxt(path, table, delimiter=",", header="x,y,unused", comments="", fmt="%.6f")
    csv_reader.forget_read_files()
    return path


@pytest.fixture
def parses(monkeypatch):
    """Whether big.csv was parsed on the main (GUI) thread, one entry per parse."""
    seen = []
    real = csv_reader.read_text

    def spy(path, progress=None):
        if Path(path).name == "big.csv":  # the small built-in files are read where needed
            seen.append(threading.current_thread() is threading.main_thread())
        return real(path, progress)

    monkeypatch.setattr(csv_reader, "read_text", spy)
    return seen


def test_a_big_csv_is_parsed_once_off_the_gui_thread_with_progress(qtbot, window, big_csv,
                                                                    parses):  # fmt: skip
    shown = []
    window.reader.progressed.connect(lambda name, fraction: shown.append((name, fraction)))
    window.controls.set_csv_columns(str(big_csv), ["x", "y", "unused"])
    qtbot.waitUntil(lambda: window.state.config.dataset == str(big_csv), timeout=10000)
    assert parses == [False]  # once, and not on the GUI (main) thread
    assert shown and all(name == "big.csv" for name, _ in shown)
    fractions = [fraction for _, fraction in shown]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] <= fractions[-1] <= 1.0
    assert window.read_progress.isHidden()
    assert (window.state.config.x_column, window.state.config.y_column) == ("x", "y")
    assert window.engine.info.problem.n_examples == 300_000
    assert "N = 300000 training examples" in window.controls.problem.info_label.text()
    # Changing the batch size or the learning rate does not read the file again.
    window.commands.change_config(window.state.config.replace(lr=0.02))
    window.commands.restart()
    assert parses == [False]


def test_a_newer_choice_supersedes_a_read_under_way(qtbot, window, big_csv):
    before = window.state.config
    window.commands.start({"config": before.replace(dataset=str(big_csv), x_column="x",
                                                    y_column="y")})  # fmt: skip
    assert window.commands.start_pending and window.reader.reading
    window.commands.start({"config": before.replace(lr=0.2)})  # a built-in data set: at once
    assert not window.commands.start_pending and not window.reader.reading
    assert window.state.config == before.replace(lr=0.2)
    qtbot.wait(1500)  # the cancelled read must not start its run when it ends
    assert window.state.config == before.replace(lr=0.2)


def test_an_unreadable_file_leaves_the_run_and_the_panel_as_they_were(qtbot, window, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("température,ventes\n1,2\n3,4\n".encode("latin-1"))
    before = window.state.config
    window.commands.start({"config": before.replace(dataset=str(path), x_column="température",
                                                    y_column="ventes")})  # fmt: skip
    qtbot.waitUntil(lambda: "Not applied" in window.badge.text(), timeout=5000)
    assert "not UTF-8 text: save it as UTF-8 (CSV UTF-8)" in window.badge.text()
    assert window.state.config == before and window.controls.config() == before
    assert window.read_progress.isHidden() and not window.commands.start_pending


def test_a_batch_larger_than_the_new_file_shrinks_to_it(qtbot, window, tmp_path):
    path = tmp_path / "five.csv"
    path.write_text("x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")
    csv_reader.forget_read_files()
    window.commands.change_config(window.state.config.replace(batch_size=50))
    window.controls.set_csv_columns(str(path), ["x", "y"])
    qtbot.waitUntil(lambda: window.state.config.dataset == str(path), timeout=5000)
    assert window.state.config.batch_size == 5 and window.engine.info.problem.n_examples == 5
    assert "Not applied" not in window.badge.text()


def test_a_run_of_the_new_file_matches_the_command_line(qtbot, window, big_csv):
    config = window.state.config.replace(dataset=str(big_csv), x_column="x", y_column="y",
                                         steps=20, epochs=None)  # fmt: skip
    window.commands.start({"config": config})
    qtbot.waitUntil(lambda: window.state.config == config, timeout=10000)
    window.engine.run_synchronously()
    from gdviz.core.config import build_problem, build_trainer

    trainer = build_trainer(config, build_problem(config))
    trainer.advance(20)
    shown = window.engine.recording
    assert len(shown) == 21 and shown.last("step") == 20
    assert (shown.last("p1"), shown.last("p2")) == tuple(map(float, trainer.params))


def test_core_reads_in_slices_exactly_as_loadtxt(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "PARSE_ROWS", 777)  # many slices, one of them short
    rng = np.random.default_rng(3)
    table = rng.normal(size=(10_001, 3)) * 1e3
    path = tmp_path / "t.csv"
    np.savetxt(path, table, delimiter=";", header="a;b;c", comments="", fmt="%.12g")
    csv_reader.forget_read_files()
    fractions = []
    columns = csv_reader.read_csv(path, "c", "a", progress=fractions.append)
    reference = np.loadtxt(path, delimiter=";", skiprows=1, usecols=(2, 0))
    assert np.array_equal(columns.x, reference[:, 0]) and np.array_equal(columns.y, reference[:, 1])
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 10
    assert not columns.x.flags.writeable  # shared: nobody may change what others read


def test_core_reads_a_changed_file_again(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    first = csv_reader.read_csv(path, "a", "b")
    assert csv_reader.is_read(path, "a", "b") and csv_reader.read_csv(path, "a", "b") is first
    path.write_text("a,b\n1,2\n3,4\n5,6\n")  # another size: another file
    assert not csv_reader.is_read(path, "a", "b")
    assert csv_reader.read_csv(path, "a", "b").x.tolist() == [1.0, 3.0, 5.0]


def test_core_column_names_come_from_the_head_of_the_file(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("x\ty\n" + "1\t2\n" * 200_000)  # 800 kB: only the first 64 KiB are read
    assert csv_reader.csv_columns_of(path) == ["x", "y"]
    rows = csv_reader.first_rows(path, 3)
    assert rows == [["1", "2"]] * 3
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("größe,preis\n1,2\n" * 5000, encoding="utf-16")
    assert csv_reader.csv_columns_of(utf16) == ["größe", "preis"]


def test_many_examples_are_drawn_as_a_density_that_counts_each_once(qtbot):
    from gdviz.ui.views.data_view import DENSITY_ABOVE, DataView

    view = DataView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(1)
    x = rng.normal(size=DENSITY_ABOVE + 1)
    view.set_data(x, 2 * x, "x", "y")
    assert len(view.points.data) == 0 and view.density.isVisible()
    assert view.density_counts.sum() == x.size  # every example in exactly one bin
    rgba = view.density.image
    assert rgba.shape[-1] == 4 and (rgba[..., 3][view.density_counts > 0] > 0).all()
    assert (rgba[..., 3][view.density_counts == 0] == 0).all()
    view.set_data(x[:100], 2 * x[:100], "x", "y")  # few examples: points again
    assert len(view.points.data) == 100 and view.density_counts is None


def test_a_session_on_a_big_csv_is_read_off_the_gui_thread(qtbot, window, big_csv, parses,
                                                           tmp_path):  # fmt: skip
    from gdviz.ui import export_dialogs

    config = window.state.config.replace(dataset=str(big_csv), x_column="x", y_column="y",
                                         steps=5, epochs=None)  # fmt: skip
    window.commands.start({"config": config})
    qtbot.waitUntil(lambda: window.state.config == config, timeout=10000)
    window.engine.run_synchronously()
    saved = tmp_path / "s.json"
    assert export_dialogs.save_session_as(window, str(saved))
    window.commands.open_lesson(0)
    csv_reader.forget_read_files()  # as in a new launch
    parses.clear()
    assert export_dialogs.open_session(window, str(saved))
    assert parses == [False]  # once, on the reader's thread
    assert window.state.config == config and len(window.engine.recording) == 6
    assert window.engine.info.problem.n_examples == 300_000


def test_a_session_whose_csv_moved_says_so_and_changes_nothing(qtbot, window, tmp_path,
                                                               monkeypatch):  # fmt: skip
    from gdviz.ui import export_dialogs

    path = tmp_path / "small.csv"
    path.write_text("x,y\n1,2\n2,4\n3,7\n")
    config = window.state.config.replace(dataset=str(path), x_column="x", y_column="y",
                                         batch_size=2)  # fmt: skip
    window.commands.start({"config": config})
    qtbot.waitUntil(lambda: window.state.config == config, timeout=5000)
    saved = tmp_path / "s.json"
    assert export_dialogs.save_session_as(window, str(saved))
    window.commands.open_lesson(0)
    before = window.state.config
    path.unlink()
    said = []
    monkeypatch.setattr(export_dialogs, "warn", lambda _w, _title, text: said.append(text))
    assert not export_dialogs.open_session(window, str(saved))
    assert len(said) == 1 and "data file not found" in said[0] and "small.csv" in said[0]
    assert window.state.config == before


def test_cancelling_the_read_of_a_session_changes_nothing(qtbot, window, big_csv, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    from gdviz.ui.data_reader import read_with_progress

    monkeypatch.setattr(csv_reader, "PARSE_ROWS", 20)  # a slow read: seconds of slices
    qtbot.waitExposed(window)
    qtbot.wait(300)  # the window's first paint (~0.3 s) is over before the read starts
    config = window.state.config.replace(dataset=str(big_csv), x_column="x", y_column="y")
    before = window.state.config

    def press_cancel(_name, fraction):
        if fraction > 0:  # the first report from the reader's thread
            window.findChild(QProgressDialog).canceled.emit()

    window.reader.progressed.connect(press_cancel)
    assert read_with_progress(window, config) is None
    assert not window.reader.reading and window.state.config == before
    assert not csv_reader.is_read(big_csv, "x", "y")  # the read stopped at its next report
