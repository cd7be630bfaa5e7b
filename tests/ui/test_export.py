"""Exports from the real window: PNG (1x, 2x) and SVG of the window and its views, GIF and MP4
replays of the run, CSV, sessions saved and reopened; failures and cancels leave no file."""

from __future__ import annotations

import errno
import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.report import write_trajectory_csv as report_csv
from gdviz.core.session import THEMES, SessionError, load_session, save_session
from gdviz.ui import animation_dialog, export
from gdviz.ui import export_dialogs as dialogs


def make_window(lesson: str | None = None, config: RunConfig | None = None):
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    window = MainWindow(config=config, settings=None)
    window.resize(1100, 650)
    window.show()
    if lesson is not None:
        ids = [item.id for item in window.navigator.lessons]
        window.navigator.choose(ids.index(lesson))
    window.engine.run_synchronously()
    return window


def close(window) -> None:
    window.close()
    assert window.engine.is_shut_down(), "the engine thread is still running"


@pytest.fixture(scope="module")
def trio(qapp):
    window = make_window("goldilocks-trio")
    yield window
    close(window)


@pytest.fixture(scope="module")
def single(qapp):
    config = RunConfig(dataset="synthetic", n_examples=60, batch_size=10, lr=0.05, epochs=4)
    window = make_window(config=config)
    yield window
    close(window)


def only_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# -- pictures -----------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("view", ["window", "surface", "loss", "data"])
def test_png_of_the_window_and_each_view_at_1x_and_2x(single, tmp_path, view, scale):
    widget = export.view_widget(single, view)
    path = tmp_path / f"{view}.png"
    export.export_widget_png(widget, path, scale)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (widget.width() * scale, widget.height() * scale)
        rgb = np.asarray(image.convert("RGB")).astype(np.int64)
        assert len(np.unique(rgb @ [65536, 256, 1])) > 10  # something was drawn
    assert only_files(tmp_path) == [f"{view}.png"]


def test_svg_of_the_window_a_view_and_a_plot_item(trio, tmp_path):
    export.export_picture(trio, tmp_path / "window.svg")
    export.export_picture(export.view_widget(trio, "loss"), tmp_path / "loss.svg")
    export.export_view_svg(trio.compare_view.surface.plot, tmp_path / "plot.svg")
    for name in ("window", "loss", "plot"):
        root = ET.parse(tmp_path / f"{name}.svg").getroot()
        assert root.tag.endswith("svg") and len(list(root.iter())) > 20


def test_an_svg_has_the_tick_numbers_as_text_though_the_axes_are_cached(single, tmp_path):
    from PySide6.QtWidgets import QGraphicsItem

    axis = single.loss_view.plot.getAxis("bottom")
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert axis.cacheMode() == cached  # the window blits it each frame
    export.export_picture(single.loss_view, tmp_path / "loss.svg")
    texts = [t.text for t in ET.parse(tmp_path / "loss.svg").iter() if t.text and t.text.strip()]
    assert any(text.strip().isdigit() for text in texts)  # vectors, not a bitmap of the axis
    assert axis.cacheMode() == cached  # and cached again afterwards


def test_the_compare_mode_has_no_data_view(trio):
    with pytest.raises(export.ExportError, match="no data view"):
        export.view_widget(trio, "data")


# -- failures leave nothing behind ----------------------------------------------------------------
def test_an_unwritable_folder_is_an_export_error_and_leaves_no_file(single, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(export.ExportError, match="a part of the path is a file, not a folder"):
        export.export_widget_png(single, blocker / "window.png")
    with pytest.raises(export.ExportError, match="does not exist"):
        export.export_widget_png(single, tmp_path / "missing" / "window.png")
    assert only_files(tmp_path) == ["a-file"]


def test_a_full_disk_removes_the_partial_file(single, tmp_path, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(export.ExportError, match="the disk is full"):
        export.export_widget_png(single, tmp_path / "window.png")
    with pytest.raises(export.ExportError, match="the disk is full"):
        export.export_animation(single, single, tmp_path / "run.gif", frames=3, size=(80, 60))
    assert only_files(tmp_path) == []


# -- animations ---------------------------------------------------------------------------------
def test_gif_replays_the_run_with_the_frames_asked_for(single, tmp_path):
    path = tmp_path / "run.gif"
    export.export_animation(single, single, path, frames=12, fps=10, size=(440, 260))
    with Image.open(path) as gif:
        assert gif.n_frames == 12 and gif.size == (440, 260)
        assert gif.info["loop"] == 0
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"))
        gif.seek(11)
        last = np.asarray(gif.convert("RGB"))
    assert (first != last).any()  # the run moves
    assert single.state.timeline is None  # back to the live picture


def test_frames_go_from_the_start_point_to_the_whole_run():
    rows = [export.frame_rows(i, 10, 101) for i in range(10)]
    assert rows[0] == 1 and rows[-1] == 101 and rows == sorted(rows)


def test_a_cancelled_animation_leaves_no_file(single, tmp_path):
    calls = []

    def cancel_at_third(done, total):
        calls.append(done)
        return done < 3

    with pytest.raises(export.ExportCancelled):
        export.export_animation(single, single, tmp_path / "run.gif", frames=10,
                                size=(200, 120), progress=cancel_at_third)  # fmt: skip
    assert calls == [1, 2, 3] and only_files(tmp_path) == []
    assert single.state.timeline is None


def test_cancel_in_the_progress_dialog_leaves_no_file(single, tmp_path, monkeypatch):
    monkeypatch.setattr(animation_dialog.qw.QProgressDialog, "wasCanceled", lambda self: True)
    widget = export.view_widget(single, "surface")
    path = tmp_path / "a.gif"
    assert not animation_dialog.animate_with_progress(single, widget, path, 5, 10, (90, 60))
    assert only_files(tmp_path) == []


def test_mp4_is_disabled_with_a_tip_without_ffmpeg(single, monkeypatch):
    monkeypatch.setattr(export, "ffmpeg_executable", lambda: None)
    dialog = animation_dialog.AnimationDialog(single)
    item = dialog.format.model().item(1)
    assert item.text() == "MP4" and not item.isEnabled()
    assert 'pip install "gdviz[video]"' in item.toolTip()
    dialog.close()


@pytest.mark.skipif(export.ffmpeg_executable() is None, reason="no ffmpeg here")
def test_mp4_when_ffmpeg_is_there(single, tmp_path):
    path = tmp_path / "run.mp4"
    export.export_animation(single, single, path, frames=8, fps=8, size=(321, 201))
    assert path.read_bytes()[4:8] == b"ftyp" and only_files(tmp_path) == ["run.mp4"]


# -- CSV ----------------------------------------------------------------------------------------
def test_trajectory_csv_equals_gdviz_run_out(single, tmp_path):
    assert dialogs.export_trajectory_csv(single, str(tmp_path / "t.csv"))
    expected = io.StringIO()
    config = single.state.config
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(len(single.engine.recording) - 1)
    report_csv(expected, trainer)  # the same run, by gdviz run's own code
    assert (tmp_path / "t.csv").read_text() == expected.getvalue()


def test_compared_runs_csv_has_a_run_column(trio, tmp_path):
    assert dialogs.export_trajectory_csv(trio, str(tmp_path / "t.csv"))
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].startswith("run,step,") and lines[1].startswith("too small: lr 0.0015,0,")


def test_sweep_csv_needs_a_sweep(single, tmp_path, monkeypatch):
    said = []
    monkeypatch.setattr(dialogs, "warn", lambda _w, title, _text: said.append(title))
    assert not dialogs.export_sweep_csv(single, str(tmp_path / "s.csv"))
    assert said == ["No sweep yet"] and only_files(tmp_path) == []


# -- sessions -----------------------------------------------------------------------------------
def test_a_reopened_session_shows_the_same_picture(qtbot, trio, tmp_path):
    path = tmp_path / "trio.json"
    assert dialogs.save_session_as(trio, str(path))
    other = make_window()
    try:
        assert dialogs.open_session(other, str(path))
        saved, shown = load_session(path), dialogs.window_session(other)
        for name, array in saved.trajectory.items():
            assert np.array_equal(array, shown.trajectory[name], equal_nan=True), name
        assert shown.view == saved.view and shown.compare == saved.compare
        assert shown.lesson_id == "goldilocks-trio" and shown.statuses == saved.statuses
        assert other.badge.text() == trio.badge.text() and "diverged" in other.badge.text()
        assert not other.toolbar.play_action.isEnabled()  # a recording: Reset runs it again
        for window in (trio, other):
            # Equal axes: the surface is extended to the view's shape once it is laid out.
            surface = window.compare_view.surface
            qtbot.waitUntil(surface.covers_view, timeout=5_000)
            qtbot.waitUntil(lambda w=window: not w.surfaces.maker.computing, timeout=5_000)
            window.frames.mark_dirty()
            window.frames.draw()
        # What the plots draw, and where, once painted (a paint runs pyqtgraph's autorange).
        # Not pixel for pixel: pyqtgraph keeps an axis's width within 10 px of its widest labels
        # so far, and the two windows' histories differ.
        for window in (trio, other):
            export.render_image(window.view_stack)
        loss_a, loss_b = (w.compare_view.loss_plot.getViewBox() for w in (trio, other))
        assert np.allclose(loss_a.viewRange(), loss_b.viewRange(), rtol=0.05)
        # The surfaces frame the same home window, filled by the computed surface (with equal
        # axes, how much more of the plane shows depends on the view's shape: a key above it
        # may wrap onto one more line in one window than in the other).
        for w in (trio, other):
            surface = w.compare_view.surface
            (x0, x1), (y0, y1) = surface.view.viewRange()
            h0, h1, v0, v1 = surface.home_window
            assert x0 <= h0 + 1e-9 and h1 - 1e-9 <= x1 and y0 <= v0 + 1e-9 and v1 - 1e-9 <= y1
            assert surface.covers_view()
        for p, q in zip(trio.compare_view.curves, other.compare_view.curves, strict=True):
            assert all(
                np.array_equal(u, v, equal_nan=True)
                for u, v in zip(p.getData(), q.getData(), strict=True)
            )
        one, two = trio.compare_view.surface, other.compare_view.surface
        assert one.home_window == two.home_window
        for p, q in zip(trio.compare_view.paths, other.compare_view.paths, strict=True):
            assert all(np.array_equal(u, v) for u, v in zip(p.getData(), q.getData(), strict=True))
        assert str(path.resolve()) in dialogs._recent(other)
    finally:
        close(other)


def test_a_single_run_session_keeps_the_timeline_and_the_views(single, tmp_path):
    export.show_prefix(single, 9)
    single.state.views = ("surface", "loss")
    try:
        assert dialogs.save_session_as(single, str(tmp_path / "run.json"))
    finally:
        export.show_prefix(single, None)
        single.state.views = ("surface", "loss", "data")
    other = make_window(lesson="goldilocks-trio")  # a comparison, replaced by the single run
    try:
        assert dialogs.open_session(other, str(tmp_path / "run.json"))
        assert not other.engine.comparing and other.state.compare == ()
        assert other.state.timeline == 9 and other.data_view.isHidden()
        assert other.lesson_card.isHidden() and other.navigator.index is None
        assert len(other.engine.recording) == len(single.engine.recording)
        other.toolbar.reset_action.trigger()  # Reset runs the configuration again
        assert len(other.engine.recording) == 1 and other.toolbar.play_action.isEnabled()
    finally:
        close(other)


def test_a_bad_session_says_so_and_changes_nothing(single, tmp_path, monkeypatch):
    said = []
    monkeypatch.setattr(dialogs, "warn", lambda _w, _title, text: said.append(text))
    before = (single.engine.recording, single.state.config, single.engine.run_id)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "gdviz-session", "schema": 7}')
    assert not dialogs.open_session(single, str(bad))
    assert said == ["bad.json was made by a newer gdviz (schema 7); this version reads schema 3"]
    assert (single.engine.recording, single.state.config, single.engine.run_id) == before


def test_a_session_whose_data_file_is_gone_cannot_be_shown(single, tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,7\n")
    session = dialogs.window_session(single)
    gone = type(session)(RunConfig(dataset=str(csv), x_column="x", y_column="y"),
                         session.trajectory)  # fmt: skip
    save_session(tmp_path / "s.json", gone)
    csv.unlink()
    before = single.engine.recording
    with pytest.raises(SessionError, match="cannot be shown here"):
        dialogs.restore_session(single, load_session(tmp_path / "s.json"))
    assert single.engine.recording is before


def test_the_file_menu_entries(single):
    from PySide6.QtWidgets import QMenu

    menu = QMenu()
    dialogs.add_file_actions(single, menu)
    texts = [action.text() for action in menu.actions()]
    assert texts[:2] == ["&Save session…", "Open &session…"]
    assert "Open &recent session" in texts and "&Export" in texts


def test_session_themes_are_the_app_themes():
    from gdviz.ui.theme import THEMES as APP_THEMES

    assert tuple(APP_THEMES) == THEMES
