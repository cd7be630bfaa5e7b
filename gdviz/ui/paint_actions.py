"""Paint data (D): the data view's paint mode, its Delete key, and the data as CSV.

In paint mode a click on the data view adds an example, a drag moves one, a right-click or
Delete over it removes one (gdviz.ui.views.data_paint); each edit becomes the run's data
(Commands.paint), which starts the run over on the new examples. The mode is the data view's
own (an interaction, not a view setting): it ends when the view shows no examples to paint.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

HOW = ("click on the data view to add an example, drag one to move it, right-click or Delete "
       "to remove it; the run starts over on them (D ends it)")  # fmt: skip
CANNOT = ("Paint data needs the examples drawn one by one in the data view (not an analytic "
          "surface, nor a density of many examples)")  # fmt: skip


def install_paint(window, menu) -> None:
    """The paint toggle and Delete in ``menu``, wired to ``window``'s data view and commands."""
    view, commands = window.data_view, window.commands
    view.pointsEdited.connect(commands.paint)
    action = menu.addAction("Paint data")
    action.setCheckable(True)
    action.setShortcut(QKeySequence("D"))
    action.setToolTip(HOW)

    def toggle(on: bool) -> None:
        shown = view.set_painting(on)
        action.setChecked(shown)
        if on and not shown:
            window.statusBar().showMessage(CANNOT, 5000)
        elif shown:
            if "data" not in window.state.views:
                window.state.views = (*window.state.views, "data")
            window.statusBar().showMessage(f"Paint data: {HOW}", 5000)

    action.triggered.connect(toggle)
    view.paintingChanged.connect(action.setChecked)
    remove = menu.addAction("Remove the example under the mouse")
    remove.setShortcut(QKeySequence("Delete"))
    remove.triggered.connect(view.painter.remove_hovered)
    window.paint_action = action
