"""Re-make the README's screenshots of the real window on a (virtual) display; the lesson
pictures come from ``gdviz render`` (scripts/make_readme_images.py).

    xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python scripts/screenshots.py

Each picture is the 1280x720 main window after a few seconds of a run (a lecture projector's
size); they are written to resources/screenshots/.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from gdviz.core.config import RunConfig
from gdviz.ui.app import create_application
from gdviz.ui.main_window import DEFAULT_CONFIG, MainWindow

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"

# name: (configuration, iterations per second, seconds to run)
SHOTS = {
    "running": (DEFAULT_CONFIG, 100, 3.0),
    "sgd": (RunConfig(batch_size=1, lr=0.02, epochs=3), 0, 2.0),
    "diverged": (RunConfig(batch_size=398, lr=1.05, epochs=200), 0, 2.0),
    "rosenbrock-adam": (
        RunConfig(surface="rosenbrock", optimizer="adam", lr=0.05, steps=3000),
        0,
        2.0,
    ),
}


def _grab_after(window: MainWindow, name: str, seconds: float) -> Path:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    window.frames.mark_dirty()
    window.frames.draw()
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    window.close()
    return path


def shoot(name: str, config: RunConfig, speed: int, seconds: float) -> Path:
    window = MainWindow(config=config, settings=None)
    window.resize(1280, 720)
    window.show()
    window.state.speed = speed
    window.engine.play()
    return _grab_after(window, name, seconds)


def main() -> int:
    create_application()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (config, speed, seconds) in SHOTS.items():
        print(shoot(name, config, speed, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
