"""Re-make the README's screenshots of the real window on a (virtual) display; the lesson
pictures come from ``gdviz render`` (scripts/make_readme_images.py).

    xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python scripts/screenshots.py [NAME ...]

Each picture is the 1280x720 main window after a few seconds of a run (a lecture projector's
size); the scenes of "Show the numbers" (the worked update, each example's gradient, pinned
runs) and of the experiment lab (its three lessons, their panels computed) are a 1600x900
window driven step by step. They are written to resources/screenshots/; names given make only
those.
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


# The lessons "One step, by hand" and "Why SGD is noisy", as their configurations.
BY_HAND = RunConfig(dataset="synthetic", n_examples=20, batch_size=4, lr=0.1, epochs=20)
NOISY = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=10)


def _scene(config: RunConfig, steps: int, **state) -> MainWindow:
    """A 1600x900 window that has made ``steps`` iterations of ``config`` with ``state``'s
    view settings (e.g. views with "worked", example_arrows)."""
    window = MainWindow(config=config, settings=None)
    window.resize(1600, 900)
    window.show()
    window.commands.start({"config": config, **state})
    window.engine.run_synchronously(steps)
    return window


def scenes() -> dict:
    """name: a function making the window to grab."""
    worked = {"views": ("surface", "loss", "data", "worked")}

    def pinned() -> MainWindow:
        window = _scene(BY_HAND.replace(lr=0.01, epochs=8), 40)
        window.commands.pin_run()
        for lr in (0.3, 0.1):
            window.commands.start({"config": window.state.config.replace(lr=lr)})
            window.engine.run_synchronously(40)
            if lr == 0.3:
                window.commands.pin_run()
        return window

    def lesson(lesson_id: str, steps: int) -> MainWindow:
        window = MainWindow(settings=None)
        window.resize(1600, 900)
        window.show()
        ids = [lesson.id for lesson in window.navigator.lessons]
        window.commands.open_lesson(ids.index(lesson_id))
        window.engine.run_synchronously(steps)
        return window

    return {
        "lab-range-test": lambda: lesson("learning-rate-range-test", 150),
        "lab-batch-scaling": lambda: lesson("batch-size-steps-and-examples", 200),
        "lab-edge-of-stability": lambda: lesson("edge-of-stability", 60),
        "worked-sgd": lambda: _scene(BY_HAND, 3, **worked),
        "worked-momentum": lambda: _scene(BY_HAND.replace(optimizer="momentum"), 3, **worked),
        "worked-adam": lambda: _scene(BY_HAND.replace(optimizer="adam", lr=0.5), 3, **worked),
        "examples-far": lambda: _scene(NOISY, 2, example_arrows=True),
        "examples-near": lambda: _scene(NOISY, 95, example_arrows=True),
        "pinned": pinned,
    }


def main() -> int:
    create_application()
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = set(sys.argv[1:])
    for name, (config, speed, seconds) in SHOTS.items():
        if not wanted or name in wanted:
            print(shoot(name, config, speed, seconds))
    for name, make in scenes().items():
        if not wanted or name in wanted:  # the lab's panels compute in the background
            print(_grab_after(make(), name, 3.0 if name.startswith("lab-") else 1.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
