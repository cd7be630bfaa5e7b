"""``gdviz render``: lessons and sessions to PNG, SVG and GIF without a screen, at the size asked
for; bad input is one line on stderr and exit status 2, with no file written."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdviz.cli import render
from gdviz.cli.options import OneLineParser, UsageError, fail
from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.session import Session, save_session

ROOT = Path(__file__).resolve().parents[2]
# Until `render` is registered in gdviz/__main__.py the tests build the same parser around it.
MINI_MAIN = """
import sys
from gdviz.__main__ import build_parser, main
from gdviz.cli import render
from gdviz.cli.options import OneLineParser, UsageError, fail

def run(argv):
    if "render" in build_parser().format_help():
        return main(argv)
    parser = OneLineParser(prog="gdviz")
    render.add_parser(parser.add_subparsers(parser_class=OneLineParser))
    try:
        args = parser.parse_args(argv)
        return args.command(args)
    except UsageError as exc:
        return fail(f"gdviz: {exc}")
"""


def gdviz(capsys, *argv) -> tuple[int, str, str]:
    """Run ``gdviz ARGV`` in this process: main() once `render` is wired, else the same parser."""
    from gdviz.__main__ import build_parser, main

    if "render" in build_parser().format_help():
        code = main(list(argv))
    else:
        parser = OneLineParser(prog="gdviz")
        render.add_parser(parser.add_subparsers(parser_class=OneLineParser))
        try:
            args = parser.parse_args(list(argv))
            code = args.command(args)
        except UsageError as exc:
            code = fail(f"gdviz: {exc}")
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _app(qapp):
    """One QApplication for the in-process renders (pytest-qt's)."""


def test_a_lesson_as_a_png_of_the_window(capsys, tmp_path):
    out = tmp_path / "trio.png"
    code, stdout, err = gdviz(capsys, "render", "--lesson", "goldilocks-trio", "--out", str(out))
    assert code == 0, err
    assert stdout.strip() == str(out) and err == ""
    with Image.open(out) as image:
        assert image.size == (1280, 720)
        pixels = np.asarray(image.convert("RGB"))
    # The diverged run's banner (vermillion) is in the picture.
    assert (np.abs(pixels - [184, 66, 15]).sum(axis=2) < 30).sum() > 1000


def test_a_view_at_the_size_asked_for_and_twice_that(capsys, tmp_path):
    for scale, expected in ((1, (400, 300)), (2, (800, 600))):
        out = tmp_path / f"surface{scale}.png"
        code, _, err = gdviz(capsys, "render", "--lesson", "1", "--view", "surface",
                             "--size", "400x300", "--scale", str(scale), "--steps", "20",
                             "--out", str(out))  # fmt: skip
        assert code == 0, err
        with Image.open(out) as image:
            assert image.size == expected


def test_svg_of_a_view(capsys, tmp_path):
    out = tmp_path / "loss.svg"
    code, _, err = gdviz(capsys, "render", "--lesson", "8", "--view", "loss", "--theme", "dark",
                         "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_gif_with_the_frames_asked_for(capsys, tmp_path):
    out = tmp_path / "run.gif"
    code, _, err = gdviz(capsys, "render", "--lesson", "1", "--view", "surface", "--size",
                         "200x150", "--frames", "6", "--fps", "12", "--steps", "40",
                         "--out", str(out))  # fmt: skip
    assert code == 0, err
    with Image.open(out) as gif:
        assert gif.n_frames == 6 and gif.size == (200, 150)


def test_the_sweep_view(capsys, tmp_path):
    out = tmp_path / "sweep.png"
    code, _, err = gdviz(capsys, "render", "--lesson", "1", "--view", "sweep", "--out", str(out))
    assert code == 0, err
    with Image.open(out) as image:
        assert image.size == (1000, 500)


def colour_pixels(path: Path, rgb) -> int:
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    return int((np.abs(pixels - rgb).sum(axis=2) < 30).sum())


GREEN, PURPLE = (0, 158, 115), (204, 121, 167)  # the lab's steepest / B_simple lines


@pytest.mark.parametrize(("lesson", "view", "size", "colour"), [
    ("learning-rate-range-test", "range_test", (1000, 500), GREEN),
    ("batch-size-steps-and-examples", "batch_scaling", (1200, 500), PURPLE),
    ("learning-rate-range-test", "window", (1280, 720), GREEN),  # its dock, computed
])  # fmt: skip
def test_the_labs_views_are_rendered_once_computed(capsys, tmp_path, lesson, view, size, colour):
    out = tmp_path / f"{view}.png"
    code, _, err = gdviz(capsys, "render", "--lesson", lesson, "--view", view, "--out", str(out))
    assert code == 0, err
    with Image.open(out) as image:
        assert image.size == size
    assert colour_pixels(out, colour) > 100  # the experiment's lines are drawn, not "Computing"


def test_the_sharpness_view_of_the_edge_of_stability(capsys, tmp_path):
    out = tmp_path / "edge.png"
    code, _, err = gdviz(capsys, "render", "--lesson", "edge-of-stability", "--view",
                         "sharpness", "--out", str(out))  # fmt: skip
    assert code == 0, err
    vermillion = (213, 94, 0)  # the second run, eta = 0.3
    assert colour_pixels(out, vermillion) > 500


def save_run(path: Path, config: RunConfig, **session) -> None:
    """A session of ``config`` run to its budget, saved to ``path``."""
    trainer = build_trainer(config, build_problem(config))
    trainer.advance(10**9)
    t = trainer.trajectory
    columns = {"step": t.step[: t.length], "ends": t.ends}
    columns.update({name: array[: t.length] for name, array in t.fields.items()})
    save_session(path, Session(config, columns, **session))


def test_a_session(capsys, tmp_path):
    config = RunConfig(dataset="synthetic", n_examples=40, batch_size=8, lr=0.05, steps=50)
    save_run(tmp_path / "run.json", config, view={"theme": "dark"})
    out = tmp_path / "run.png"
    code, _, err = gdviz(capsys, "render", "--session", str(tmp_path / "run.json"), "--steps",
                         "10", "--size", "900x600", "--out", str(out))  # fmt: skip
    assert code == 0, err
    with Image.open(out) as image:
        assert image.size == (900, 600)
        assert np.asarray(image.convert("L"))[5:40].mean() < 128  # the dark theme


def svg_texts(path: Path) -> list[str]:
    return [element.text.strip() for element in ET.parse(path).getroot().iter()
            if element.tag.endswith("text") and element.text and element.text.strip()]  # fmt: skip


def test_the_loss_axis_of_a_short_session_reads_its_iterations(capsys, tmp_path):
    # 0.1.0 labelled a 50-iteration run "0 ... 50000 iterations" (ticks 0, 10000, ..., 50000).
    config = RunConfig(dataset="synthetic", n_examples=40, batch_size=8, lr=0.05, steps=50)
    save_run(tmp_path / "run.json", config)
    out = tmp_path / "loss.svg"
    code, _, err = gdviz(capsys, "render", "--session", str(tmp_path / "run.json"), "--view",
                         "loss", "--out", str(out))  # fmt: skip
    assert code == 0, err
    numbers = [float(text) for text in svg_texts(out) if text.replace(".", "").isdigit()]
    assert {0.0, 10.0, 20.0, 30.0, 40.0} <= set(numbers)  # the x ticks
    assert max(numbers) < 1000  # nothing scaled up a thousandfold


def test_a_session_of_a_run_that_converged_in_one_step_renders(capsys, tmp_path):
    # 0.1.0: a zero step divided by zero in the surface view: gdviz render exited 1.
    from gdviz.core.surface import curvature

    base = RunConfig(dataset="auto-mpg", batch_size=None, steps=30, epochs=None)
    config = base.replace(lr=curvature(build_problem(base)).lr_fastest)
    save_run(tmp_path / "run.json", config)
    code, _, err = gdviz(capsys, "render", "--session", str(tmp_path / "run.json"), "--out",
                         str(tmp_path / "run.png"))  # fmt: skip
    assert code == 0, err


def corrupt_session(folder: Path) -> str:
    path = folder / "bad.json"
    path.write_text('{"format": "gdviz-session", "schema": 1, "config": {')
    return str(path)


BAD = {
    "unknown lesson": (["--lesson", "99"], "no lesson called '99'"),
    "bad suffix": (["--lesson", "1", "--out", "x.jpg"], "--out must end in"),
    "bad size": (["--lesson", "1", "--size", "big"], "expected WxH"),
    "no data view": (["--lesson", "8", "--view", "data"], "no data view"),
    "too small": (["--lesson", "1", "--size", "100x100"], "cannot be 100x100"),
    "animated sweep": (["--lesson", "1", "--view", "sweep", "--out", "x.gif"], "still picture"),
    "no source": (["--view", "loss"], "one of the arguments --lesson --session is required"),
    "bad session": (["--session", "BAD"], "bad.json is truncated"),
    "bad frames": (["--lesson", "1", "--frames", "1", "--out", "x.gif"], "--frames must be"),
}  # fmt: skip


@pytest.mark.parametrize("argv,message", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, message):
    argv = [corrupt_session(tmp_path) if a == "BAD" else a for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "x.png")]
    else:
        argv[argv.index("--out") + 1] = str(tmp_path / argv[argv.index("--out") + 1])
    code, stdout, err = gdviz(capsys, "render", *argv)
    assert code == 2 and stdout == ""
    assert message in err and err.startswith("gdviz") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["bad.json"])


def test_mp4_without_ffmpeg_says_how_to_get_it(capsys, tmp_path, monkeypatch):
    from gdviz.ui import export

    monkeypatch.setattr(export, "ffmpeg_executable", lambda: None)
    code, _, err = gdviz(capsys, "render", "--lesson", "1", "--out", str(tmp_path / "a.mp4"))
    assert code == 2 and 'pip install "gdviz[video]"' in err
    assert list(tmp_path.iterdir()) == []


def test_renders_in_a_fresh_process_with_no_screen_at_all(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}  # fmt: skip
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = tmp_path / "trio.png"
    script = MINI_MAIN + f"\nsys.exit(run(['render', '--lesson', '8', '--out', {str(out)!r}]))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # Qt's offscreen notices are not printed
    with Image.open(out) as image:
        assert image.size == (1280, 720)


def test_views_only_in_lecture_mode_for_a_slide(capsys, tmp_path, monkeypatch):
    """--view views: the window without its docks, toolbar, menus, status line or timeline;
    --lecture: drawn as lecture mode draws it (20 px text, the counters above the views)."""
    from gdviz.ui import export
    from gdviz.ui.theme import LECTURE_MIN_PX

    seen = {}
    real = export.export_picture

    def spy(widget, out, scale):
        names = ("controls_dock", "lesson_card", "toolbar", "timeline", "counters")
        seen["parts"] = {name: getattr(widget, name).isVisible() for name in names}
        seen["bars"] = (widget.menuBar().isVisible(), widget.statusBar().isVisible())
        seen["lecture"] = widget.state.lecture
        seen["ticks"] = widget.surface_view.plot.getAxis("left").style["tickFont"].pointSizeF()
        seen["dpi"] = widget.logicalDpiY()
        seen["covered"] = widget.surface_view.covers_view()
        return real(widget, out, scale)

    monkeypatch.setattr(export, "export_picture", spy)
    out = tmp_path / "slide.png"
    code, _, err = gdviz(capsys, "render", "--lesson", "3", "--view", "views", "--lecture",
                         "--size", "1920x1080", "--steps", "20", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert seen["parts"] == {"controls_dock": False, "lesson_card": False, "toolbar": False,
                             "timeline": False, "counters": True}  # fmt: skip
    assert seen["bars"] == (False, False) and seen["lecture"] and seen["covered"]
    assert seen["ticks"] * seen["dpi"] / 72 >= LECTURE_MIN_PX
    with Image.open(out) as image:
        assert image.size == (1920, 1080)
