"""``gdviz render``: a lesson or a saved session as a picture or an animation, without a screen.

The real window is built on Qt's offscreen platform and the run is driven on this thread (the
engine thread stays idle), so the file shows exactly what the app shows, e.g. for slides::

    gdviz render --lesson goldilocks-trio --view window --size 1280x720 --out trio.png
    gdviz render --lesson 3 --view views --lecture --size 1920x1080 --out too-large.png

``--view views`` is the window with only its views (no controls, lesson card, toolbar, menus or
status line), ``--lecture`` draws it as lecture mode does (text of at least 20 px, counters).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import numpy as np

from gdviz.cli.options import UsageError
from gdviz.core.atomic import check_target
from gdviz.core.session import THEMES

VIEWS = ("window", "views", "surface", "loss", "data", "sweep", "range_test", "batch_scaling",
         "sharpness")  # fmt: skip
WHOLE = ("window", "views")  # the window itself, at the size asked for
EXPERIMENTS = ("sweep", "range_test", "batch_scaling")  # computed in the background: waited for
FORMATS = (".png", ".svg", ".gif", ".mp4")
# One view on its own: 800x600.
DEFAULT_SIZES = {"window": (1280, 720), "views": (1280, 720), "sweep": (1000, 500),
                 "range_test": (1000, 500), "batch_scaling": (1200, 500),
                 "sharpness": (1000, 450)}  # fmt: skip
SWEEP_TIMEOUT_MS = 120_000


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*", text)
    if not match or not all(16 <= int(v) <= 8192 for v in match.groups()):
        raise argparse.ArgumentTypeError(f"expected WxH in pixels (16 to 8192), got {text!r}")
    return int(match.group(1)), int(match.group(2))


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render a lesson or a session to PNG, SVG, GIF or MP4 (no screen needed)",
        description="Open a lesson (and run it) or a saved session in the real window, off "
        "screen, and save the window or one view as a picture or an animation of the run.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--lesson", metavar="NAME", help="a lesson: number (8) or id "
                        "(goldilocks-trio)")  # fmt: skip
    source.add_argument("--session", metavar="FILE", help="a session saved by the app")
    parser.add_argument("--view", choices=VIEWS, default="window")
    parser.add_argument("--steps", type=int, metavar="K", help="iterations to run (default: "
                        "the whole budget); for a session: show its first K")  # fmt: skip
    parser.add_argument("--size", type=_size, metavar="WxH", help="pixels (default 1280x720 "
                        "for the window, 800x600 for a view)")  # fmt: skip
    parser.add_argument("--scale", type=int, choices=(1, 2), default=1,
                        help="resolution of PNG, GIF and MP4: 2 draws twice the pixels each "
                        "way")  # fmt: skip
    parser.add_argument("--theme", choices=THEMES, help="colour theme (default: light, or the "
                        "session's)")  # fmt: skip
    parser.add_argument("--lecture", action="store_true", help="draw as lecture mode does: "
                        "text of at least 20 px, big counters above the views")  # fmt: skip
    parser.add_argument("--frames", type=int, default=60, help="animation frames (default 60)")
    parser.add_argument("--fps", type=float, default=20, help="animation frames a second")
    parser.add_argument("--out", required=True, metavar="FILE", help="FILE.png, .svg, .gif "
                        "or .mp4")  # fmt: skip
    parser.set_defaults(command=render_command)


def find_lesson(lessons: list, name: str) -> int:
    """Index of the lesson called ``name``: its number, id or file name (UsageError if none)."""
    key = name.strip().lower().removesuffix(".json")
    for index, lesson in enumerate(lessons):
        if key in (str(lesson.order), f"{lesson.order:02d}", lesson.id,
                   f"{lesson.order:02d}-{lesson.id}"):  # fmt: skip
            return index
    names = ", ".join(f"{lesson.order} {lesson.id}" for lesson in lessons)
    raise UsageError(f"no lesson called {name!r}; the lessons are: {names}")


def render_command(args: argparse.Namespace) -> int:
    check_target(args.out)  # the path as typed: Path() would drop a trailing separator
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"--out must end in {', '.join(FORMATS)}, got {args.out!r}")
    if args.steps is not None and args.steps < 0:
        raise UsageError(f"--steps must be 0 or more, got {args.steps}")
    animated = suffix in (".gif", ".mp4")
    if animated and args.view in EXPERIMENTS:
        raise UsageError(f"the {args.view} view is a still picture: save it as .png or .svg")
    if animated and not (2 <= args.frames <= 2000 and 1 <= args.fps <= 60):
        raise UsageError("--frames must be 2 to 2000 and --fps 1 to 60")
    # Before Qt is imported: no screen is needed, and none is used even where there is one.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import qInstallMessageHandler

    from gdviz.ui.app import quiet_qt_messages

    previous = quiet_qt_messages()
    try:
        _render(args, out, animated)
    finally:
        qInstallMessageHandler(previous)
    print(out)
    return 0


def _render(args, out: Path, animated: bool) -> None:
    from gdviz.core.lessons import LessonError
    from gdviz.core.session import SessionError, load_session
    from gdviz.ui import export
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    if out.suffix.lower() == ".mp4" and export.ffmpeg_executable() is None:
        raise UsageError(export.VIDEO_HELP)
    try:
        session = load_session(args.session) if args.session else None
    except SessionError as exc:
        raise UsageError(str(exc)) from None
    app = create_application()
    window = MainWindow(settings=None)
    detached = None
    try:
        if not window.navigator.lessons and args.lesson:
            raise UsageError("the lessons could not be loaded")
        size = args.size or DEFAULT_SIZES.get(args.view, (800, 600))
        window.resize(*(size if args.view in WHOLE else DEFAULT_SIZES["window"]))
        if args.lecture:
            window.state.lecture = True
        window.show()
        app.processEvents()
        _show(window, args, session)
        if args.view == "views":
            _views_only(window)
        _finish_experiments(window, app, args.view)
        widget = export.view_widget(window, "window" if args.view in WHOLE else args.view)
        if widget is not window:  # on its own, at exactly the size asked for
            detached = _detach(widget, window, size)
        app.processEvents()
        window.surfaces.settle()  # the surface fills the view as laid out for the picture
        window.frames.draw()
        if app.focusWidget() is not None:  # no text cursor blinking in a slide
            app.focusWidget().clearFocus()
        if (widget.width(), widget.height()) != tuple(size):
            hint = widget.minimumSizeHint()
            raise UsageError(f"the {args.view} cannot be {size[0]}x{size[1]}; it needs at least "
                             f"{hint.width()}x{hint.height()} pixels")  # fmt: skip
        if animated:
            pixels = (size[0] * args.scale, size[1] * args.scale)
            export.export_animation(window, widget, out, args.frames, args.fps, pixels,
                                    args.scale)  # fmt: skip
        else:
            export.export_picture(widget, out, args.scale)
    except (export.ExportError, SessionError, LessonError) as exc:
        raise UsageError(str(exc)) from None
    finally:
        window.close()
        if detached is not None:
            detached.close()
        app.processEvents()


def _show(window, args, session) -> None:
    """The session (its first ``--steps`` rows) or the lesson run ``--steps``, in its theme."""
    from gdviz.ui import export
    from gdviz.ui.export_dialogs import restore_session

    if session is not None:
        restore_session(window, session)
        if args.steps is not None:
            step = np.asarray(window.engine.recording.column("step"))
            export.show_prefix(window, int(np.searchsorted(step, args.steps, "right")))
    else:
        window.commands.open_lesson(find_lesson(window.navigator.lessons, args.lesson))
        window.engine.run_synchronously(args.steps)
    if args.theme:
        with np.errstate(over="ignore"):  # pyqtgraph: 10**range of a log axis may overflow
            window.set_look(args.theme, window.state.scale)
    window.frames.draw()


def _views_only(window) -> None:
    """The window with its views only, for a slide: no docks, toolbar, menus or status line."""
    from PySide6.QtWidgets import QDockWidget, QToolBar

    for part in (*window.findChildren(QDockWidget), *window.findChildren(QToolBar),
                 window.menuBar(), window.statusBar()):  # fmt: skip
        part.hide()
    window.timeline.hide()


def _detach(widget, window, size):
    """One view on its own, in the window's look, at exactly ``size``."""
    widget.setParent(None)
    widget.setPalette(window.palette())
    widget.setFont(window.font())
    widget.resize(*size)
    widget.show()
    return widget


def _finish_experiments(window, app, view: str) -> None:
    """Show the asked-for experiment's dock, and wait for every experiment shown (the one
    asked for, or a lesson's in the window) to finish its background computation, started now
    without the panels' debounce (UsageError when one fails or takes too long)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    if view == "views":  # the views alone: no dock is in the picture
        return
    if view in (*EXPERIMENTS, "sharpness") and view not in window.state.views:
        window.state.views = (*window.state.views, view)
    shown = [name for name in EXPERIMENTS if name in window.state.views]
    if view not in WHOLE and view in EXPERIMENTS:
        shown = [view]
    panels = {name: window.sweep_panel if name == "sweep" else window.lab.panel(name)
              for name in shown}  # fmt: skip
    failures = []
    for name, panel in panels.items():
        panel.failed.connect(lambda message, n=name: failures.append(f"{n}: {message}"))
        panel.compute()
    clock = QElapsedTimer()
    clock.start()
    while any(p.busy or p.result is None for p in panels.values()) and not failures:
        if clock.elapsed() > SWEEP_TIMEOUT_MS:
            raise UsageError("the experiment took too long: " + ", ".join(panels))
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if failures:
        raise UsageError(f"the experiment failed ({failures[0]})")
    window.frames.draw()
