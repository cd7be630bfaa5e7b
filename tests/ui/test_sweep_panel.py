"""SweepPanel: a background sweep that ends in a labelled plot, picking a rate by clicking it,
stale results dropped, and a thread that stops on shutdown."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math
import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from gdviz.core.config import RunConfig
from gdviz.core.sweep import REGIONS

TIMEOUT_MS = 20_000
PNG = "/tmp/sweep_panel.png"


@pytest.fixture
def panel(make_panel):
    from gdviz.ui.sweep_panel import SweepPanel

    return make_panel(SweepPanel, (900, 500))


def items(panel, kind):
    return [item for item in panel.plot.items if isinstance(item, kind)]


def test_sweep_draws_regions_limits_and_best_rate(panel, qtbot):
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS) as blocker:
        panel.set_config(RunConfig())  # Auto MPG, full batch: 2/l_max = 1, fastest 0.5
    result = blocker.args[0]
    assert result is panel.result and not panel.busy
    assert len(result.rates) == 40 and result.steps == 200
    assert result.rates[0] == pytest.approx(1e-3) and result.rates[-1] == pytest.approx(10)
    assert panel.lr_min.value() == pytest.approx(1e-3)  # the derived range is shown
    assert panel.progress.value() == panel.progress.maximum()
    names = [item.textItem.toPlainText() for item in items(panel, pg.TextItem)]
    for region in ("too slow", "converges", "oscillates", "diverges"):
        assert region in names
    assert len(items(panel, pg.LinearRegionItem)) == len(result.region_spans()) == 4
    lines = items(panel, pg.InfiniteLine)
    assert sorted(line.value() for line in lines) == pytest.approx([math.log10(0.5), 0.0])
    assert any(name.startswith("best ") for name in names)
    assert panel.plot.getAxis("bottom").log10
    # The first paint sizes the axes to their tick labels and places the text items.
    panel.grab()
    qtbot.wait(50)
    panel.grab().save(PNG)
    assert os.path.getsize(PNG) > 10_000
    # Every name lies inside the view (readable, not clipped), region names above the data.
    view = panel.plot.getViewBox().sceneBoundingRect()
    top_point = min(panel.plot.getViewBox().mapViewToScene(QPointF(x, y)).y()
                    for x, y in zip(*panel.curve.getData(), strict=True))  # fmt: skip
    for item in items(panel, pg.TextItem):
        rect = item.sceneBoundingRect()
        assert view.contains(rect), item.textItem.toPlainText()
        if item.textItem.toPlainText() in REGIONS:
            assert rect.bottom() < top_point


def test_clicking_the_plot_picks_the_nearest_rate(panel, qtbot):
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS):
        panel.set_config(RunConfig(surface="bowl", condition=4))
    rates = panel.result.rates
    view, widget = panel.plot.getViewBox(), panel.plot_widget
    y_mid = float(np.mean(view.viewRange()[1]))
    for k in (3, 20, 37):
        # A little off the point, still nearest to it on the log axis.
        x = math.log10(rates[k]) + 0.3 * math.log10(rates[1] / rates[0])
        scene = view.mapViewToScene(QPointF(x, y_mid))
        with qtbot.waitSignal(panel.learningRatePicked, timeout=2000) as blocker:
            qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton,
                             pos=widget.mapFromScene(scene))  # fmt: skip
        assert blocker.args[0] == rates[k]
    outside = view.sceneBoundingRect().bottomLeft() + QPointF(-5, 5)  # on the axes
    assert panel.pick_at(outside) is None


def test_latest_configuration_wins(panel, qtbot):
    received = []
    panel.finished.connect(received.append)
    first, second = RunConfig(steps=5000), RunConfig(surface="bowl", condition=4)
    panel.set_config(first)
    panel.compute()  # starts at once
    panel.set_config(second)
    panel.compute()  # replaces it: the first is cancelled or, if done, dropped as stale
    qtbot.waitUntil(lambda: len(received) > 0, timeout=TIMEOUT_MS)
    qtbot.wait(400)  # a stale reply would arrive meanwhile
    assert len(received) == 1 and received[0].config == second
    assert panel.result.config == second


def test_changes_in_a_burst_start_one_sweep(panel, qtbot):
    received = []
    panel.finished.connect(received.append)
    for condition in (2.0, 3.0, 5.0):
        panel.set_config(RunConfig(surface="bowl", condition=condition))
    qtbot.waitUntil(lambda: len(received) > 0, timeout=TIMEOUT_MS)
    qtbot.wait(400)
    assert len(received) == 1 and received[0].config.condition == 5.0


def test_manual_range_and_failure(panel, qtbot):
    panel.auto_range.setChecked(False)
    panel.lr_min.setValue(0.01)
    panel.lr_max.setValue(0.1)
    panel.num_rates.setValue(5)
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS) as blocker:
        panel.set_config(RunConfig(steps=20))
    assert blocker.args[0].rates == pytest.approx([0.01, 0.01778279, 0.03162278, 0.05623413, 0.1])
    panel.lr_max.setValue(20)
    panel.lr_min.setValue(2)  # all above 2/l_max = 1: nothing to draw but the region
    with qtbot.waitSignal(panel.finished, timeout=TIMEOUT_MS) as blocker:
        panel.compute()
    assert set(blocker.args[0].regions) == {"diverges"} and "diverged" in panel.status.text()
    with qtbot.waitSignal(panel.failed, timeout=TIMEOUT_MS) as blocker:
        panel.set_config(RunConfig(dataset="no-such-file.csv", x_column="a", y_column="b"))
    assert "no-such-file" in blocker.args[0] and "failed" in panel.status.text()


def test_shutdown_stops_the_thread_and_is_idempotent(panel, qtbot):
    panel.num_rates.setValue(200)
    panel.iterations.setValue(10_000)  # logistic mini-batches: ~15 s if nothing stopped it
    panel.set_config(RunConfig(model="logistic", batch_size=10))
    panel.compute()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=TIMEOUT_MS)
    assert panel.busy
    started = time.perf_counter()
    panel.shutdown()  # cancels the running sweep between chunks and joins the thread
    assert panel.is_shut_down() and time.perf_counter() - started < 3
    panel.shutdown()
    panel.set_config(RunConfig())
    panel.compute()  # ignored after shutdown
    assert not panel.busy
