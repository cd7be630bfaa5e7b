"""GUI tests run on Qt's offscreen platform and must leave no engine thread running."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


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
    # napari's rule: a test that leaves a QThread running fails.
    assert win.engine.is_shut_down(), "the engine thread is still running"
