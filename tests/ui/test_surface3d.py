"""The optional 3-D view: disabled with a reason offscreen, drawn for real under Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


def test_offscreen_disables_the_3d_view_and_says_why(qtbot):
    from gdviz.core.config import RunConfig
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow
    from gdviz.ui.views.surface3d import opengl_problem

    create_application()
    reason = opengl_problem()
    assert reason and ("offscreen" in reason or "PyOpenGL" in reason)
    win = MainWindow(RunConfig(dataset="synthetic", batch_size=10, epochs=2), settings=None)
    qtbot.addWidget(win)
    try:
        assert not win.surface3d_action.isEnabled()
        assert win.surface3d_action.toolTip() == reason
    finally:
        win.close()


XVFB_SCRIPT = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "xcb"
from PySide6.QtWidgets import QApplication
from gdviz.core.config import RunConfig
from gdviz.ui.app import create_application
from gdviz.ui.main_window import MainWindow
from gdviz.ui.views.surface3d import opengl_problem
app = create_application()
assert opengl_problem() is None, opengl_problem()
w = MainWindow(RunConfig(surface="rosenbrock", optimizer="adam", lr=0.05, steps=300),
               settings=None)
w.resize(1280, 720); w.show()
w.surface3d_action.trigger()
w.state.speed = 0; w.engine.play()
t = time.time()
while (w.engine.running or len(w.engine.recording) < 301) and time.time() - t < 30:
    QApplication.processEvents(); time.sleep(0.01)
w.frames.mark_dirty(); w.frames.draw(); QApplication.processEvents()
image = w.surface3d.view.grabFramebuffer()
assert image.width() > 50 and image.height() > 50, (image.width(), image.height())
colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
           for y in range(0, image.height(), 7)}
assert len(colours) > 20, len(colours)  # a shaded surface, not an empty white frame
pos = w.surface3d.path.pos
image.save(sys.argv[1])
# The path ends at the last point: the surface's window maps onto [-1, 1] x [-1, 1].
assert pos.shape[0] > 100, pos.shape
x, y = w.engine.recording.last("p1"), w.engine.recording.last("p2")
x0, x1, y0, y1 = w.surface3d.mesh_window
assert x0 <= -2 and 2 <= x1 and y0 <= -1 and 3 <= y1, w.surface3d.mesh_window  # Rosenbrock's window
u, v = (x - x0) / (x1 - x0) * 2 - 1, (y - y0) / (y1 - y0) * 2 - 1
assert abs(pos[-1, 0] - u) < 1e-5 and abs(pos[-1, 1] - v) < 1e-5, (pos[-1], u, v)
# Opened beside a lesson card, in its column: half of it, never a zero-height strip (it was).
w2 = MainWindow(settings=None)
w2.resize(1280, 720); w2.show()
w2.commands.open_lesson(0)
for _ in range(20):
    QApplication.processEvents(); time.sleep(0.01)
w2.surface3d_action.trigger()
for _ in range(50):
    QApplication.processEvents(); time.sleep(0.01)
height = w2.surface3d.view.height()
assert w2.lesson_card.isVisible() and height >= 240, height
w2.close()
print("ok", image.width(), image.height())
w.close()
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed here")
def test_3d_view_draws_the_surface_and_path_under_xvfb(tmp_path):
    pytest.importorskip("OpenGL", reason="PyOpenGL (gdviz[3d]) is not installed")
    out = tmp_path / "surface3d.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x900x24", sys.executable, "-c", XVFB_SCRIPT,
         str(out)], capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-3000:]
    assert "ok" in result.stdout and out.exists()
    shutil.copy(out, "/tmp/surface3d.png")  # for a person to look at
