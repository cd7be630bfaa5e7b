"""The experiment lab: three docks under the views, each a measured picture of one trade-off.

* ``range_test``: the learning-rate range test (ui/range_test_panel.py), Shift+S;
* ``batch_scaling``: batch size against steps and examples (ui/batch_scaling_panel.py),
  Shift+B;
* ``sharpness``: the sharpness of the run against 2/η (ui/views/sharpness_view.py), Shift+H.

Which are shown is the state's ``views`` (a lesson's, or the user's), as for the sweep dock; a
dock's panel is built the first time it is shown. The range test and the batch scaling follow
the state's configuration while shown, computing off the GUI thread; a click on either runs
what it points at in the main view. The sharpness view is drawn by the frames from the
recording.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget


@dataclass(frozen=True)
class Experiment:
    view: str  # its name in the state's views (and a lesson's)
    title: str
    key: str
    tip: str


EXPERIMENTS = (
    Experiment("range_test", "Learning-rate range test", "Shift+S",
               "One run whose learning rate rises geometrically: the loss against the rate, "
               "the steepest fall and the divergence marked"),
    Experiment("batch_scaling", "Batch size: steps and examples", "Shift+B",
               "Every batch size trained to a target loss: the steps and the examples it "
               "took, and the gradient noise scale"),
    Experiment("sharpness", "Sharpness and 2/η", "Shift+H",
               "The largest Hessian eigenvalue along the run, against the stability limit "
               "2/η (the edge of stability)"),
)  # fmt: skip


def note_dock(window, name: str, dock: QDockWidget) -> bool:
    """Whether ``dock`` is open, recorded in the state's views as ``name`` (at the end, or
    removed). Open is "not closed": a dock tabbed behind another is reported invisible but is
    still open (taking that for a close hid both tabs). A hidden window hides its docks too,
    which is not the user's choice: then the views are left as they are."""
    shown = not dock.isHidden()
    if window.isVisible():
        views = tuple(v for v in window.state.views if v != name)
        window.state.views = views + ((name,) if shown else ())
    return shown


class ExperimentLab:
    """The docks of EXPERIMENTS on ``window`` (a MainWindow), their panels built on first show."""

    def __init__(self, window) -> None:
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict = {}
        self._open: set[str] = set()  # the docks open (shown, or tabbed behind another)
        for experiment in EXPERIMENTS:
            dock = QDockWidget(experiment.title, window)
            dock.setObjectName(experiment.view)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.hide()
            dock.visibilityChanged.connect(
                lambda shown, name=experiment.view: self._on_visibility(name, shown)
            )
            self.docks[experiment.view] = dock

    def add_actions(self, menu) -> None:
        """A checkable action per dock, with its key, in ``menu``."""
        for experiment in EXPERIMENTS:
            action = self.docks[experiment.view].toggleViewAction()
            action.setShortcut(QKeySequence(experiment.key))
            action.setToolTip(f"{experiment.tip} ({experiment.key})")
            menu.addAction(action)

    def panel(self, name: str):
        """The dock's panel, built (styled and wired) the first time it is asked for."""
        if name not in self.panels:
            self.panels[name] = self._build(name)
            self.docks[name].setWidget(self.panels[name])
        return self.panels[name]

    def _build(self, name: str):
        w = self.window
        if name == "range_test":
            from gdviz.ui.range_test_panel import RangeTestPanel

            panel = RangeTestPanel()
            panel.learningRatePicked.connect(self.run_rate)
        elif name == "batch_scaling":
            from gdviz.ui.batch_scaling_panel import BatchScalingPanel

            panel = BatchScalingPanel()
            panel.batchSizePicked.connect(self.run_batch_size)
        else:
            from gdviz.ui.views.sharpness_view import SharpnessView

            panel = SharpnessView()
        panel.apply_style(w.theme, w.shown_scale)
        return panel

    def shown(self, name: str) -> bool:
        return name in self.window.state.views

    # -- the state, shown ------------------------------------------------------------------------
    def show_views(self, views) -> None:
        """Show the docks named in ``views``, hide the others. While one is shown, the right
        column (the lesson card) runs the window's whole height and the lab's dock takes its
        height from the views: under the card too it left the card's text no room. Otherwise
        the docks under the views span the window (the worked update needs the width)."""
        shown = any(name in views for name in self.docks)
        area = (
            Qt.DockWidgetArea.RightDockWidgetArea
            if shown
            else Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.window.setCorner(Qt.Corner.BottomRightCorner, area)
        for name, dock in self.docks.items():
            if name in views:
                self.panel(name)
            dock.setVisible(name in views)

    def follow(self) -> None:
        """The shown experiments recompute for the state's configuration (in the background)."""
        state = self.window.state
        for name in ("range_test", "batch_scaling"):
            if self.shown(name):
                self.panel(name).set_config(state.config, state.lesson)

    def _on_visibility(self, name: str, _visible: bool) -> None:
        w = self.window
        shown = note_dock(w, name, self.docks[name])
        opened = shown and name not in self._open  # just opened, not a tab brought forward
        self._open = self._open - {name} | ({name} if shown else set())
        if shown:
            self.panel(name)
            # The experiment is the picture when it is shown: 45 % of the height for its
            # charts (a third left them a strip at lecture size), the views keep the rest.
            share = 0.35 if name == "sharpness" else 0.45
            if opened:  # not when its tab comes to the front again
                w.resizeDocks([self.docks[name]], [int(w.height() * share)],
                              Qt.Orientation.Vertical)  # fmt: skip
            self.follow()
            w.frames.mark_dirty()

    def draw(self, recording, n: int) -> None:
        """The sharpness view from the first ``n`` rows of the recording, when it is shown."""
        if "sharpness" not in self.panels or not self.docks["sharpness"].isVisible():
            return
        view, problem = self.panels["sharpness"], self.window.engine.problem
        if problem is None or problem.sharpness is None:
            view.show_message("No sharpness here: logistic regression's Hessian costs a pass "
                              "over the data at every point (linear regression and the "
                              "surfaces have one).")  # fmt: skip
            return
        labels = self.window.engine.info.labels if self.window.engine.comparing else ("",)
        view.show_runs(recording, problem.sharpness, n, labels)

    # -- picks -----------------------------------------------------------------------------------
    def run_rate(self, lr: float) -> None:
        """A click on the range test: that learning rate, from the start, in the main view."""
        config = self.window.state.config.replace(lr=lr)
        self.window.commands.start({"config": config, "compare": ()}, play=True)

    def run_batch_size(self, batch_size: int, lr: float) -> None:
        """A click on the batch scaling: that batch size at its rate (full batch for N)."""
        config, problem = self.window.state.config, self.window.engine.problem
        n = problem.n_examples if problem is not None else None
        size = None if batch_size == n else batch_size
        self.window.commands.start(
            {"config": config.replace(batch_size=size, lr=lr), "compare": ()}, play=True
        )

    def shutdown(self) -> None:
        for panel in self.panels.values():
            if hasattr(panel, "shutdown"):
                panel.shutdown()
