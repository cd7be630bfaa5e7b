"""The views of a long run whose history was thinned (issue 11): rows are not iterations."""

from __future__ import annotations

import numpy as np


def test_the_loss_axis_shows_the_whole_run_of_a_thinned_history(qtbot):
    from gdviz.ui.views.loss_view import LossView

    view = LossView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    # A thinned history: its first million iterations in 20 rows, the newest 100,000 whole.
    x = np.concatenate([np.linspace(0, 1e6, 20, endpoint=False), np.arange(1e6, 1.1e6)])
    loss = 1.0 + 100.0 / (1.0 + x)
    view.set_data(x, loss, loss)
    qtbot.wait(50)
    (x0, x1), _ = view.plot.getViewBox().viewRange()
    assert x0 <= 0 and x1 >= 1.1e6 - 1  # autorange through clip-to-view crept in from the right


def test_the_timeline_names_iterations_not_rows(qtbot):
    from gdviz.ui.timeline import TimelineBar

    bar = TimelineBar()
    qtbot.addWidget(bar)
    steps = np.array([0, 4, 8, 9, 10])  # 5 rows of 10 iterations
    bar.set_length(5, steps)
    assert bar.label.text() == "live: iteration 10"
    bar.show_position(3)
    assert bar.label.text() == "iteration 8 of 10"
    bar.set_length(7)  # without steps: rows are iterations
    assert bar.label.text() == "iteration 2 of 6"
