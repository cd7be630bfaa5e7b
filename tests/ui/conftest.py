"""GUI tests run on Qt's offscreen platform; a test that leaves a QThread or a QTimer running
fails (napari's rule), and nothing a test does writes into the user's own data folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# File > Reopen last session and the session kept on quit live here during the tests.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="gdviz-test-data-")

import pytest
from PySide6.QtCore import QThread, QTimer

SINGLE_SHOT_GRACE_MS = 1000  # a debounce timer started at the end of a test may still fire


@pytest.fixture(scope="session", autouse=True)
def garbage_collected_on_the_gui_thread(qapp):
    """As the app does (gdviz.ui.app.create_application), before any test's own timers."""
    from gdviz.ui.app import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread(qapp)


@pytest.fixture(autouse=True)
def no_threads_or_timers_left(qapp):
    """Fail the test if a QThread it started still runs, or a QTimer it started is still
    active, once the test and its own fixtures are done (set up before them, this fixture is
    torn down after them)."""
    threads, timers = [], []
    thread_start, timer_start = QThread.start, QTimer.start

    def tracked_thread_start(self, *args):
        threads.append(self)
        return thread_start(self, *args)

    def tracked_timer_start(self, *args):
        timers.append(self)
        return timer_start(self, *args)

    QThread.start, QTimer.start = tracked_thread_start, tracked_timer_start
    try:
        yield
    finally:
        QThread.start, QTimer.start = thread_start, timer_start
    running = [t.objectName() or repr(t) for t in threads if _alive(t, QThread.isRunning)]
    assert not running, f"the test left QThread(s) running: {', '.join(running)}"
    waited = 0  # a single-shot timer (a debounce) started at the very end gets a moment to fire
    while waited < SINGLE_SHOT_GRACE_MS and any(_alive(t, QTimer.isActive) for t in timers):
        qapp.processEvents()
        QThread.msleep(20)
        waited += 20
    active = [t.objectName() or repr(t) for t in timers if _alive(t, QTimer.isActive)]
    assert not active, f"the test left QTimer(s) running: {', '.join(active)}"


def _alive(obj, check) -> bool:
    try:
        return bool(check(obj))
    except RuntimeError:  # the C++ object is gone: it cannot be running
        return False


@pytest.fixture
def window(qtbot):
    """The real main window with a fast, small default run; closed (thread joined) afterwards."""
    from gdviz.core.config import RunConfig
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    config = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=50)
    win = MainWindow(config=config, settings=None)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    assert win.engine.is_shut_down(), "the engine thread is still running"


@pytest.fixture
def make_panel(qtbot):
    """``make_panel(cls, (w, h))``: an experiment panel (gdviz/ui/experiment_panel.py) shown
    at that size; shut down afterwards, its thread checked to have ended."""
    from gdviz.ui.app import create_application

    made = []

    def make(cls, size):
        create_application()
        panel = cls()
        qtbot.addWidget(panel)
        panel.resize(*size)
        panel.show()
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
        assert panel.is_shut_down(), f"the {panel.thread_name} thread is still running"
