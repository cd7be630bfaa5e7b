"""Presenter styling: themes and the presentation scale applied to the real window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from gdviz.core.config import RunConfig
from gdviz.ui.shortcuts_dialog import DEFAULT_SHORTCUTS, ShortcutsDialog
from gdviz.ui.theme import (
    BANNER_PT,
    DEFAULT_SCALE,
    MAX_SCALE,
    MIN_SCALE,
    STATUS_PT,
    THEMES,
    apply_theme,
    next_scale,
)  # fmt: skip
from gdviz.ui.views import colors as c


@pytest.fixture
def win(qtbot):
    """The real window at 1280x720 after a few steps; back to the light theme and closed (its
    engine thread joined) afterwards, so no theme leaks into other tests."""
    from gdviz.ui.app import create_application
    from gdviz.ui.main_window import MainWindow

    create_application()
    w = MainWindow(RunConfig(dataset="synthetic", batch_size=10, epochs=5), settings=None)
    try:
        w.resize(1280, 720)
        w.show()
        qtbot.waitExposed(w)
        w.engine.step(50)
        qtbot.waitUntil(
            lambda: len(w.engine.recording) > 1 and w.engine.recording.last("step", 0) >= 50
        )
        w.frames.draw()
        yield w
    finally:
        apply_theme(w, THEMES["light"], DEFAULT_SCALE)
        w.close()
    assert w.engine.is_shut_down()


def views(w):
    return [x for x in w.findChildren(QWidget) if hasattr(x, "apply_style")]


def label_pt(axis) -> float:
    """The axis title's size, from the CSS pyqtgraph renders it with."""
    return float(axis.labelStyle["font-size"].removesuffix("pt"))


def pen_widths(w) -> dict[str, float]:
    s, loss, data = w.surface_view, w.loss_view, w.data_view
    pens = {
        "path": s.path_line.opts["pen"],
        "contours": s.contours.opts["pen"],
        "gradient shaft": s.gradient_arrow.shaft.opts["pen"],
        "training loss": loss.loss_curve.opts["pen"],
        "batch loss": loss.batch_curve.opts["pen"],
        "epoch lines": loss.boundaries.opts["pen"],
        "model": data.model_line.opts["pen"],
        "axis": s.plot.getAxis("bottom").pen(),
    }
    return {name: pen.widthF() for name, pen in pens.items()}


def marker_sizes(w) -> dict[str, float]:
    s, data = w.surface_view, w.data_view
    return {
        "current": s.current_marker.opts["size"],
        "path markers": s.path_markers.opts["size"],
        "start": s.start_marker.scale,
        "examples": data.points.opts["size"],
        "batch": data.batch.opts["size"],
    }


def test_theme_table():
    assert set(THEMES) == {"light", "dark", "high contrast"}
    light, dark, contrast = THEMES["light"], THEMES["dark"], THEMES["high contrast"]
    # Light is the look the views had before themes existed.
    assert (light.background, light.foreground, light.path) == (c.WHITE, c.TEXT, c.BLACK)
    assert QColor(dark.background).lightness() < 60 and QColor(dark.foreground).lightness() > 200
    assert QColor(dark.path).lightness() > 200  # a white path on the dark end of the map
    assert contrast.opaque and contrast.bold and contrast.line_boost > 1
    assert contrast.foreground == c.BLACK and contrast.background == c.WHITE
    assert not light.opaque  # the batch loss and the examples are translucent
    assert dark.palette().color(QPalette.ColorRole.Window).lightness() < 60


def test_next_scale_steps_and_clamps():
    assert next_scale(1.0, +1) == 1.25 and next_scale(1.0, -1) == 0.75
    assert next_scale(MAX_SCALE, +1) == MAX_SCALE and next_scale(MIN_SCALE, -1) == MIN_SCALE
    assert next_scale(2.0, 0) == DEFAULT_SCALE
    assert next_scale(1.1, +1) == 1.25  # off the grid: back onto it
    scales = [MIN_SCALE]
    while scales[-1] < MAX_SCALE:
        scales.append(next_scale(scales[-1], +1))
    assert all(b - a == 0.25 for a, b in itertools.pairwise(scales)) and len(scales) == 8


@pytest.mark.parametrize("name", list(THEMES))
def test_each_theme_restyles_the_window(win, name):
    theme = THEMES[name]
    apply_theme(win, theme, DEFAULT_SCALE)
    assert len(views(win)) >= 3
    for view in (win.surface_view, win.loss_view, win.data_view):
        assert view.plot_widget.backgroundBrush().color() == QColor(theme.background)
        for side in ("bottom", "left"):
            axis = view.plot.getAxis(side)
            assert axis.textPen().color() == QColor(theme.foreground)
            assert axis.labelStyle["color"] == theme.foreground
    assert win.surface_view.colorbar.axis.textPen().color() == QColor(theme.foreground)
    assert win.surface_view.path_line.opts["pen"].color() == QColor(theme.path)
    assert win.surface_view.gradient_arrow.label.color == QColor(theme.foreground)
    assert win.loss_view.loss_curve.opts["pen"].color() == QColor(theme.training_loss)
    assert win.data_view.model_line.opts["pen"].color() == QColor(theme.model)
    key = win.loss_view.plot.titleLabel
    assert key.opts["color"] == theme.foreground and theme.training_loss in key.text
    window_color = win.palette().color(QPalette.ColorRole.Window)
    text = win.menuBar().palette().color(QPalette.ColorRole.WindowText)
    assert window_color == theme.palette().color(QPalette.ColorRole.Window)
    assert text == theme.palette().color(QPalette.ColorRole.WindowText)
    if theme.bold:
        assert win.font().bold() and win.controls.font().bold()
    if theme.opaque:
        assert win.loss_view.batch_curve.opts["pen"].color().alphaF() == 1.0
    # Labels with their own style sheet follow the theme too (they ignore palette changes).
    regime = win.controls.batch.regime_label
    assert QColor(theme.palette().color(QPalette.ColorRole.WindowText)).name() in (
        regime.styleSheet().lower()
    )


def test_dark_then_light_restores_the_light_look(win):
    apply_theme(win, THEMES["dark"], 1.5)
    apply_theme(win, THEMES["light"], DEFAULT_SCALE)
    assert win.surface_view.plot_widget.backgroundBrush().color() == QColor(c.WHITE)
    assert win.loss_view.batch_curve.opts["pen"].widthF() == 1.0
    assert label_pt(win.loss_view.plot.getAxis("bottom")) == c.LABEL_PT
    standard = QApplication.palette().color(QPalette.ColorRole.Window)
    assert win.palette().color(QPalette.ColorRole.Window) == standard


@pytest.mark.parametrize("name", list(THEMES))
def test_scale_enlarges_fonts_lines_and_markers(win, name):
    theme = THEMES[name]
    apply_theme(win, theme, 1.0)
    axes = [v.plot.getAxis(side) for v in (win.surface_view, win.loss_view, win.data_view)
            for side in ("bottom", "left")]  # fmt: skip
    titles = [label_pt(a) for a in axes]
    ticks = [a.style["tickFont"].pointSizeF() for a in axes]
    widths, sizes = pen_widths(win), marker_sizes(win)
    window_pt = win.font().pointSizeF()
    arrow_pt = win.surface_view.gradient_arrow.label.textItem.font().pointSizeF()
    apply_theme(win, theme, 1.5)
    assert [label_pt(a) for a in axes] == pytest.approx([1.5 * t for t in titles])
    big_ticks = [a.style["tickFont"].pointSizeF() for a in axes]
    assert big_ticks == pytest.approx([1.5 * t for t in ticks])
    assert axes[0].label.font().pointSizeF() == pytest.approx(1.5 * c.LABEL_PT)
    big_widths = pen_widths(win)
    for key, width in widths.items():
        assert big_widths[key] == pytest.approx(1.5 * width), key
    big_sizes = marker_sizes(win)
    for key, size in sizes.items():
        assert big_sizes[key] == pytest.approx(1.5 * size), key
    assert win.font().pointSizeF() == pytest.approx(1.5 * window_pt)
    assert win.controls.font().pointSizeF() == pytest.approx(1.5 * window_pt)
    label = win.surface_view.gradient_arrow.label.textItem.font().pointSizeF()
    assert label == pytest.approx(1.5 * arrow_pt)
    # The status line and the banner set their own sheets with sizes: those scale too.
    assert win.status_line.font().pointSizeF() == pytest.approx(1.5 * STATUS_PT)
    assert f"{1.5 * STATUS_PT:g}pt" in win.status_line.styleSheet()
    win.badge.show_message("warning", "Not applied: a test")  # resets the banner's own sheet
    assert win.badge.label.font().pointSizeF() == pytest.approx(1.5 * BANNER_PT)
    assert f"{1.5 * BANNER_PT:g}pt" in win.badge.label.styleSheet()


def test_set_fast_keeps_the_theme(win):
    theme = THEMES["dark"]
    apply_theme(win, theme, 1.5)
    before = pen_widths(win)
    colour = win.loss_view.loss_curve.opts["pen"].color()
    grid_alpha = int(theme.grid_alpha * 255)  # pyqtgraph keeps the grid as an int 0..255
    for fast in (True, False):
        for view in (win.surface_view, win.loss_view, win.data_view):
            view.set_fast(fast)
        grid = win.loss_view.plot.getAxis("left").grid
        assert grid == (False if fast else grid_alpha)
        assert win.data_view.plot.getAxis("bottom").grid == (False if fast else grid)
        # Flat out, the two long lines drop to 1 px (Qt's fast line path); all else is kept.
        thin = {"training loss": 1.0, "path": 1.0} if fast else {}
        assert pen_widths(win) == {**before, **thin}
        assert win.loss_view.loss_curve.opts["pen"].color() == colour
        halo = win.surface_view.path_line.opts["shadowPen"]
        assert (halo is None) == fast  # the dark halo, on the still picture
        assert win.loss_view.plot_widget.backgroundBrush().color() == QColor(theme.background)
    # Restyled while running flat out: the grid stays off until the run stops.
    win.loss_view.set_fast(True)
    apply_theme(win, THEMES["light"], 1.0)
    assert win.loss_view.plot.getAxis("left").grid is False
    win.loss_view.set_fast(False)
    assert win.loss_view.plot.getAxis("left").grid == int(THEMES["light"].grid_alpha * 255)


def layout_widgets(layout) -> list[QWidget]:
    """The widgets of ``layout`` and its sub-layouts (all children of one parent widget)."""
    found = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is not None:
            found.append(item.widget())
        elif item.layout() is not None:
            found.extend(layout_widgets(item.layout()))
    return found


@pytest.mark.parametrize("name", ["light", "high contrast"])  # high contrast: bold, wider text
def test_controls_fit_at_scale_one_and_a_half(qtbot, win, name):
    apply_theme(win, THEMES[name], 1.5)
    qtbot.wait(50)  # layouts settle
    panel = win.controls
    assert panel.width() >= panel.minimumSizeHint().width()  # no cut-off right edge
    for owner in [panel, *panel.findChildren(QWidget)]:
        if owner.layout() is None or not owner.isVisible():
            continue
        shown = [x for x in layout_widgets(owner.layout()) if x.isVisible()]
        for a, b in itertools.combinations(shown, 2):
            overlap = a.geometry().intersected(b.geometry())
            assert overlap.isEmpty(), f"{a!r} overlaps {b!r} in {owner!r}"
    for label in panel.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            assert label.sizeHint().width() <= label.width(), f"clipped: {label.text()!r}"


def test_shortcuts_dialog_lists_every_shortcut(qtbot, win):
    apply_theme(win, THEMES["dark"], 1.5)
    dialog = ShortcutsDialog(DEFAULT_SHORTCUTS, win)
    qtbot.addWidget(dialog)
    assert len(DEFAULT_SHORTCUTS) >= 20
    half = -(-len(DEFAULT_SHORTCUTS) // 2)  # two halves side by side
    assert dialog.table.rowCount() == half and dialog.table.columnCount() == 4
    assert dialog.rows() == DEFAULT_SHORTCUTS
    keys = {k for k, _ in DEFAULT_SHORTCUTS}
    for needed in ("Space", "Right", "Shift+Right", "R", "F", "L", "Y", "Ctrl+1", "Ctrl+2",
                   "Ctrl+3", "Ctrl+O", "F11", "Ctrl+Plus", "Ctrl+Minus", "Ctrl+0", "H",
                   "Page Down", "Page Up", "Home", "Ctrl+Q"):  # fmt: skip
        assert needed in keys
    assert any("F1" in k for k in keys) and any("9" in k for k in keys)
    # Large text, shrunk (never below MIN_TEXT_FACTOR) only as far as the rows need to fit the
    # (small, offscreen) screen.
    from gdviz.ui.shortcuts_dialog import MIN_TEXT_FACTOR

    assert dialog.table.font().pointSizeF() >= 0.99 * MIN_TEXT_FACTOR * win.font().pointSizeF()
    if dialog.table.font().pointSizeF() < 0.99 * win.font().pointSizeF():
        rows = sum(dialog.table.rowHeight(r) for r in range(dialog.table.rowCount()))
        assert rows <= dialog.screen().availableGeometry().height()
    # It follows the window's theme (a dialog does not inherit it by itself).
    assert dialog.palette().color(QPalette.ColorRole.Window) == win.palette().color(
        QPalette.ColorRole.Window
    )
    custom = ShortcutsDialog([("A", "first"), ("B", "second")])
    qtbot.addWidget(custom)
    assert custom.rows() == [("A", "first"), ("B", "second")]


def test_labels_stay_readable_at_large_scale(qtbot, win):
    apply_theme(win, THEMES["high contrast"], MAX_SCALE)
    win.frames.draw()
    surface = win.surface_view
    surface.plot_widget.grab()  # a paint: text items place themselves
    box = surface.view.sceneBoundingRect().adjusted(-1, -1, 1, 1)
    for arrow in (surface.gradient_arrow, surface.step_arrow):
        if arrow.label.isVisible():
            assert box.contains(arrow.label.sceneBoundingRect()), arrow.text
    # A change marker is added at the newest iteration, at the right edge: its label turns left.
    loss = win.loss_view
    loss.add_marker(float(win.engine.recording.last("step")), "lr 0.1 → 0.5")
    line = loss._markers[-1]
    assert line.label.anchors[0][0] > 1
    assert line.label.textItem.font().pointSizeF() == pytest.approx(MAX_SCALE * c.TICK_PT)
    assert line.pen.color() == QColor(THEMES["high contrast"].change_marker)
