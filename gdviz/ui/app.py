"""Starting the desktop app, and ``gdviz --self-test`` (the smoke test packaging relies on)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass

from gdviz.core.config import RunConfig

SELF_TEST_ITERATIONS = 3000


def application_icon():
    """The gdviz icon in every size made by packaging/make_icons.py."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from gdviz.resources import resource_path

    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        path = resource_path("icons", f"gdviz-{size}.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def create_application(argv: list[str] | None = None):
    """The QApplication with gdviz's look (created once; returns the existing one if any)."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w", foreground="k")
    # The engine thread and the GUI share the GIL: a 1 ms switch interval (default 5 ms) keeps
    # the GUI's many short Python/C++ crossings from each waiting behind a busy engine.
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    collect_garbage_on_gui_thread(app)
    app.setApplicationName("gdviz")
    app.setOrganizationName("gdviz")
    app.setDesktopFileName("gdviz")  # the Wayland app id matches gdviz.desktop
    app.setWindowIcon(application_icon())
    return app


def collect_garbage_on_gui_thread(app) -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate: in the
    engine or sweep thread it may destroy a closed window's Qt objects there, and Qt then waits
    for the GUI thread's lock for ever (seen as a hung test). pyqtgraph's GarbageCollector turns
    automatic collection off and collects on a GUI-thread timer instead, as often as the
    automatic collector would have. Installed once per application."""
    if getattr(app, "gdviz_garbage_collector", None) is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        app.gdviz_garbage_collector = GarbageCollector(interval=0.25)


def quiet_qt_messages():
    """Let only Qt's errors reach stderr (the offscreen platform's notices are noise for a
    headless command); returns the previous handler to restore."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, _context, message: str) -> None:
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            print(f"gdviz: Qt: {message}", file=sys.stderr)

    return qInstallMessageHandler(handler)


def settle_heap() -> None:
    """Move the objects of start-up (Qt wrappers, pyqtgraph items) out of the garbage
    collector's reach: full collections otherwise rescan them all and stall frames by ~20 ms
    while a run animates (benchmarks/bench_gui)."""
    gc.collect()
    gc.freeze()


def display_problem() -> str | None:
    """Why no window can open here (Linux without a display), or None."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "gdviz: no display to open a window on (DISPLAY is not set). Run it on a desktop, "
        "under xvfb-run, or use the headless commands: gdviz run --help"
    )


@dataclass(frozen=True)
class WindowStart:
    """How the window opens: at a lesson (index), a speed, playing, with a configuration (the
    options of gdviz run that were given), or showing a saved session."""

    lesson: int | None = None
    speed: int | None = None
    play: bool = False
    config: RunConfig | None = None
    session: str | None = None
    lecture: bool = False

    @classmethod
    def from_args(cls, args) -> WindowStart:
        """From gdviz's parsed command line (UsageError or ConfigError for bad values)."""
        from gdviz.cli.options import config_from_args
        from gdviz.cli.render import find_lesson
        from gdviz.core.config import FIELD_SPECS
        from gdviz.core.lessons import load_lessons

        given = {name: value for name, value in vars(args).items() if name in FIELD_SPECS}
        config = config_from_args(argparse.Namespace(**given)) if given else None
        lesson = find_lesson(load_lessons(), args.lesson) if args.lesson else None
        return cls(lesson, args.speed, args.play, config, lecture=args.lecture)


def run_app(argv: list[str] | None = None, session: str | None = None,
            start: WindowStart | None = None) -> int:  # fmt: skip
    """Open the main window (with a saved session, a lesson or a configuration, if given) and
    run the event loop."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from PySide6.QtCore import QSettings

    from gdviz.ui.main_window import MainWindow

    start = start or WindowStart(session=session)
    app = create_application(argv)
    window = MainWindow(config=start.config, settings=QSettings())
    app.aboutToQuit.connect(window.engine.shutdown)
    window.show_on_screen()
    if start.session:
        from gdviz.ui.export_dialogs import open_session

        open_session(window, start.session)  # a bad file: one message; the window opens
    apply_start(window, start)
    settle_heap()
    window.surface_view.setFocus()
    return app.exec()


def apply_start(window, start: WindowStart) -> None:
    """The lesson, speed and Play of the command line, on an open window."""
    if start.lesson is not None:
        window.commands.open_lesson(start.lesson)
    if start.speed is not None:
        window.state.speed = start.speed
    if start.lecture:
        window.state.lecture = True
    if start.play:
        window.commands.play()


def self_test(timeout_s: float = 60.0) -> int:
    """Open the real window, run a few thousand iterations flat out, grab the window to a PNG,
    print its path; exit status 0 when all of that worked, 1 with a reason otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "")
    if not os.environ["QT_QPA_PLATFORM"]:
        del os.environ["QT_QPA_PLATFORM"]
    from PySide6.QtCore import QElapsedTimer
    from PySide6.QtWidgets import QApplication

    from gdviz.ui.main_window import MainWindow

    started = time.perf_counter()
    quiet_qt_messages()
    app = create_application()
    config = RunConfig(batch_size=10, lr=0.05, steps=SELF_TEST_ITERATIONS)
    window = MainWindow(config=config, settings=None)
    window.show()
    settle_heap()
    window.state.speed = 0
    first_frame = time.perf_counter() - started
    window.engine.play()
    clock = QElapsedTimer()
    clock.start()
    while window.engine.running and clock.elapsed() < timeout_s * 1000:
        QApplication.processEvents()
        time.sleep(0.001)
    QApplication.processEvents()
    window.frames.draw()
    done = int(window.engine.recording.last("step", 0))
    path = os.path.join(tempfile.gettempdir(), f"gdviz-self-test-{os.getpid()}.png")
    saved = window.grab().save(path)
    window.close()
    app.processEvents()
    if done < SELF_TEST_ITERATIONS:
        print(
            f"gdviz self-test FAILED: {done} of {SELF_TEST_ITERATIONS} iterations", file=sys.stderr
        )
        return 1
    if not saved:
        print(f"gdviz self-test FAILED: could not save a window grab to {path}", file=sys.stderr)
        return 1
    print(f"gdviz self-test passed: {done} iterations, first frame after {first_frame:.2f} s")
    print(path)
    return 0
