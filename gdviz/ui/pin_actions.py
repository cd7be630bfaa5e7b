"""The Run menu's pinned runs and one-click comparisons, and the ghosts they draw.

P pins the current run (PinBoard, gdviz.app.pins), Shift+P clears the pins, "Compare with"
runs a variant of the current run beside it in lockstep, and N starts over with a new seed (the
only action that changes the batches). The ghosts (PinLayer) follow the pins, the x axis, the
log axis, the look (the window redraws them) and the current settings (their labels say what
differs from these).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from gdviz.app.pins import COMPARISONS
from gdviz.ui.pin_layer import PinLayer


def install_pins(window, run_menu) -> PinLayer:
    """The pin actions in ``run_menu`` and the ghosts in ``window``'s surface and loss views."""
    layer = PinLayer(window.surface_view.plot, window.loss_view.plot)
    board, state, commands = window.commands.pins, window.state, window.commands

    def redraw(*_args) -> None:
        layer.restyle(window.loss_view.look)  # the look the views were last styled in
        pins = () if state.comparing else board.pins  # a comparison shows its own runs
        layer.show(pins, state.x_axis, state.config, state.log_loss)

    board.changed.connect(redraw)
    for event in ("config", "compare", "x_axis", "log_loss"):
        getattr(state.events, event).connect(redraw)
    window.redraw_pins = redraw  # the window's apply_look calls it, once the views are restyled

    run_menu.addSeparator()
    pin = run_menu.addAction("Pin this run")
    pin.setShortcut(QKeySequence("P"))
    pin.setToolTip("Keep this run as a faded ghost while you change a setting and run again: "
                   "path, loss curve and what differs (P; up to 6)")  # fmt: skip
    pin.triggered.connect(lambda: window.statusBar().showMessage(commands.pin_run(), 5000))
    clear = run_menu.addAction("Clear the pins")
    clear.setShortcut(QKeySequence("Shift+P"))
    clear.triggered.connect(commands.clear_pins)
    compare = run_menu.addMenu("Compare with")
    compare.setToolTipsVisible(True)
    for name in COMPARISONS:
        action = compare.addAction(name)
        action.setToolTip(f"This run beside the same run with {name}, from the same start and "
                          "with the same seed, in lockstep")  # fmt: skip
        action.triggered.connect(lambda *_, n=name: commands.compare_with(n))
    seed = run_menu.addAction("New seed")
    seed.setShortcut(QKeySequence("N"))
    seed.setToolTip("Other batches for the same settings: the run starts over (N). Pins and "
                    "comparisons keep the seed they were made with.")  # fmt: skip
    seed.triggered.connect(commands.new_seed)
    run_menu.setToolTipsVisible(True)
    window.pin_actions = (pin, clear, seed)
    redraw()
    return layer
