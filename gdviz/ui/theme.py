"""Presenter styling: colour themes (light, dark, high contrast) and a presentation scale that
enlarges fonts, lines and markers of the whole window for a lecture hall.

``apply_theme(window, THEMES[name], scale)`` restyles a running window in place: the widgets'
palette and font, and every child with an ``apply_style(theme, scale)`` method (the
plot views). Nothing is re-created, so a run keeps animating while the look changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStyle,
    QToolBar,
    QToolButton,
    QToolTip,
    QWidget,
)  # fmt: skip

from gdviz.ui.notice import NoticeBanner
from gdviz.ui.roles import RoleColors, role_of, role_sheet
from gdviz.ui.status import StatusLine
from gdviz.ui.views import colors as c

DEFAULT_SCALE = 1.0
MIN_SCALE, MAX_SCALE, SCALE_STEP = 0.75, 2.5, 0.25
STATUS_PT, BANNER_PT = 12.0, 15.0  # the sizes status.py and notice.py set in their style sheets


@dataclass(frozen=True)
class Theme:
    """Colours of one theme. Plot colours are hex strings; ``*_alpha`` are opacities in [0, 1]
    (all 1 in the high-contrast theme); ``widgets`` are QPalette roles (``"Disabled:Text"`` for
    a colour group) for the Qt widgets, empty for the style's own palette."""

    name: str
    background: str  # plot backgrounds
    foreground: str  # axes, ticks, titles and text items in the plots
    grid_alpha: float
    path: str  # the descent path line
    path_halo: str | None  # drawn under the path and arrow shafts: visible on both map ends
    contour: str
    contour_alpha: float
    marker_edge: str  # outline of path markers, minima, start marker and arrow heads
    gradient: str  # arrow of the batch gradient
    step: str  # arrow of the step taken
    current: str  # the current point (fill; its outline is ``current_edge``)
    current_edge: str
    start: str
    batch_loss: str
    batch_loss_alpha: float
    training_loss: str
    boundary: str  # epoch lines on the loss curve
    boundary_alpha: float
    change_marker: str  # dashed line where a hyperparameter changed
    examples: str
    examples_alpha: float
    examples_edge: str
    examples_edge_alpha: float
    batch: str  # examples of the current batch
    batch_edge: str
    used: str  # examples used earlier in the epoch in progress (greyed)
    repeat: str  # the ring around an example used twice or more in the epoch
    model: str  # the model line or sigmoid
    fill_alpha: float  # behind text items and legends (the plot background colour)
    frame_alpha: float  # legend frames
    surface_tint: str  # the surface colour map is viridis blended toward this colour...
    surface_blend: float  # ...by this fraction
    line_boost: float = 1.0  # line widths on top of the presentation scale
    marker_boost: float = 1.0
    bold: bool = False  # bold fonts everywhere
    widgets: tuple[tuple[str, str], ...] = ()
    hint: str = "#a04000"  # labels saying a value was changed to fit (roles.py)
    error: str = "#c0392b"  # labels saying a value was not applied
    fusion: bool = False  # needs the Fusion style (native styles ignore a dark palette)

    @property
    def opaque(self) -> bool:
        """No translucent drawing (the grid excepted: a solid grid would hide the data)."""
        alphas = (self.contour_alpha, self.batch_loss_alpha, self.boundary_alpha,
                  self.examples_alpha, self.examples_edge_alpha, self.fill_alpha,
                  self.frame_alpha)  # fmt: skip
        return all(a == 1.0 for a in alphas)

    def palette(self) -> QPalette:
        """The widgets' palette: the application's (the desktop's) when ``widgets`` is empty,
        else the style's standard palette with ``widgets`` set."""
        if not self.widgets:
            return QPalette(QApplication.palette())
        app = QApplication.instance()
        palette = app.style().standardPalette() if app is not None else QPalette()
        for role_name, color in self.widgets:
            group, _, role = role_name.rpartition(":")
            role = getattr(QPalette.ColorRole, role)
            if group:
                palette.setColor(getattr(QPalette.ColorGroup, group), role, QColor(color))
            else:
                palette.setColor(role, QColor(color))  # all groups
        return palette

    def role_colors(self) -> RoleColors:
        """The colours of labels with a role (roles.py), from this theme's palette."""
        palette = self.palette()
        return RoleColors(palette.color(QPalette.ColorRole.WindowText).name(),
                          palette.color(QPalette.ColorRole.Mid).name(), self.hint,
                          self.error)  # fmt: skip


LIGHT = Theme(
    name="light", background=c.WHITE, foreground=c.TEXT, grid_alpha=c.GRID_ALPHA, path=c.BLACK,
    path_halo=None, contour=c.BLACK, contour_alpha=0.35, marker_edge=c.BLACK,
    gradient=c.VERMILLION, step=c.BLUE, current=c.VERMILLION, current_edge=c.WHITE,
    start=c.SKY_BLUE, batch_loss=c.SKY_BLUE, batch_loss_alpha=0.75, training_loss=c.BLUE,
    boundary=c.TEXT, boundary_alpha=0.22, change_marker=c.VERMILLION, examples=c.SKY_BLUE,
    examples_alpha=0.45, examples_edge=c.BLUE, examples_edge_alpha=0.6, batch=c.VERMILLION,
    batch_edge=c.BLACK, used="#A0A0A0", repeat=c.PURPLE, model=c.BLACK, fill_alpha=0.85,
    frame_alpha=0.4, surface_tint=c.WHITE, surface_blend=0.35,
)  # fmt: skip

_DARK_WIDGETS = (
    ("Window", "#2B2B2B"), ("WindowText", "#EDEDED"), ("Base", "#1E1E1E"),
    ("AlternateBase", "#333333"), ("Text", "#EDEDED"), ("Button", "#3A3A3A"),
    ("ButtonText", "#EDEDED"), ("BrightText", "#FFFFFF"), ("Highlight", c.SKY_BLUE),
    ("HighlightedText", "#000000"), ("Light", "#5A5A5A"), ("Midlight", "#474747"),
    ("Mid", "#9A9A9A"), ("Dark", "#1A1A1A"), ("Shadow", "#000000"), ("Link", c.SKY_BLUE),
    ("ToolTipBase", "#3A3A3A"), ("ToolTipText", "#EDEDED"), ("PlaceholderText", "#A0A0A0"),
    ("Disabled:WindowText", "#7A7A7A"), ("Disabled:Text", "#7A7A7A"),
    ("Disabled:ButtonText", "#7A7A7A"), ("Disabled:Light", "#2B2B2B"),
)  # fmt: skip

_HIGH_CONTRAST_WIDGETS = (
    ("Window", "#FFFFFF"), ("WindowText", "#000000"), ("Base", "#FFFFFF"),
    ("AlternateBase", "#F0F0F0"), ("Text", "#000000"), ("Button", "#F0F0F0"),
    ("ButtonText", "#000000"), ("Highlight", c.BLUE), ("HighlightedText", "#FFFFFF"),
    ("Mid", "#3C3C3C"), ("Dark", "#3C3C3C"), ("Shadow", "#000000"), ("Link", c.BLUE),
    ("ToolTipBase", "#FFFFFF"), ("ToolTipText", "#000000"), ("PlaceholderText", "#3C3C3C"),
    ("Disabled:WindowText", "#5A5A5A"), ("Disabled:Text", "#5A5A5A"),
    ("Disabled:ButtonText", "#5A5A5A"),
)  # fmt: skip

# Dark: the surface map is darkened toward the background, so its low (purple) end is near black;
# the path turns white with a black halo and every outline and label turns light.
DARK = replace(
    LIGHT, name="dark", background="#242424", foreground="#EDEDED", grid_alpha=0.25,
    path=c.WHITE, path_halo=c.BLACK, contour=c.WHITE, contour_alpha=0.4, step=c.SKY_BLUE,
    batch_loss="#A9DCF7", batch_loss_alpha=0.6, training_loss=c.SKY_BLUE, boundary="#EDEDED",
    boundary_alpha=0.3, change_marker=c.ORANGE, examples_alpha=0.55, examples_edge=c.SKY_BLUE,
    examples_edge_alpha=0.9, batch_edge=c.WHITE, used="#6E6E6E", model=c.WHITE, frame_alpha=0.5,
    surface_tint="#242424", surface_blend=0.2, widgets=_DARK_WIDGETS,
    hint="#FFA15C", error="#FF7B6E", fusion=True,
)  # fmt: skip

# High contrast: pure black on white, thicker lines, no translucency, bold text.
HIGH_CONTRAST = replace(
    LIGHT, name="high contrast", foreground=c.BLACK, grid_alpha=0.35, path_halo=c.WHITE,
    contour="#666666", contour_alpha=1.0, batch_loss_alpha=1.0, boundary="#8C8C8C",
    boundary_alpha=1.0, examples_alpha=1.0, examples_edge_alpha=1.0, fill_alpha=1.0,
    frame_alpha=1.0, surface_blend=0.45, used="#8C8C8C", repeat="#8E2C6B", line_boost=1.6,
    marker_boost=1.2, bold=True,
    widgets=_HIGH_CONTRAST_WIDGETS, hint="#8A3000", fusion=True,
)  # fmt: skip

THEMES: dict[str, Theme] = {theme.name: theme for theme in (LIGHT, DARK, HIGH_CONTRAST)}


FIT_WIDTH = "gdviz_fit_width"  # a scroll area's property: sized by _fit_scroll_areas
DOCK_CAP_PX = 360  # a dock's content scrolls sideways beyond max(this, a quarter of the screen)
LECTURE_MIN_PX = c.LECTURE_MIN_PX  # lecture mode: no text smaller than this many pixels


def lecture_scale(smallest_pt: float, dpi: float, scale: float = DEFAULT_SCALE) -> float:
    """The presentation scale (a SCALE_STEP, at least ``scale``) at which text of
    ``smallest_pt`` points is at least LECTURE_MIN_PX pixels on a ``dpi`` screen."""
    needed = LECTURE_MIN_PX / (smallest_pt * dpi / 72)
    steps = math.ceil(round((needed - MIN_SCALE) / SCALE_STEP, 6))
    return min(max(scale, MIN_SCALE + steps * SCALE_STEP), MAX_SCALE)


def next_scale(scale: float, direction: int) -> float:
    """The presentation scale one step (0.25) up (``direction`` > 0) or down, within
    [MIN_SCALE, MAX_SCALE]; ``direction`` 0 gives DEFAULT_SCALE (Ctrl+0)."""
    if direction == 0:
        return DEFAULT_SCALE
    steps = round((scale - MIN_SCALE) / SCALE_STEP) + (1 if direction > 0 else -1)
    return min(MAX_SCALE, max(MIN_SCALE, MIN_SCALE + steps * SCALE_STEP))


def apply_theme(window: QMainWindow, theme: Theme, scale: float = DEFAULT_SCALE) -> None:
    """Restyle ``window`` and everything in it: palette and font of the widgets
    (controls, toolbar, menus, status line, notice banner) and ``apply_style`` of the views."""
    _use_style(theme)
    # A palette, not a window style sheet: any sheet on the window stops the palette reaching
    # the menu bar, toolbar and status bar (Qt's style-sheet style re-polishes them).
    window.setPalette(theme.palette())
    QToolTip.setPalette(theme.palette())  # tooltips are windows of their own
    window.setFont(_scaled_font(scale, theme.bold))
    for menu in window.findChildren(QMenu):  # popups are windows: fonts do not propagate
        menu.setFont(window.font())
        menu.setPalette(window.palette())
    for toolbar in window.findChildren(QToolBar):
        icon = round(toolbar.style().pixelMetric(QStyle.PixelMetric.PM_ToolBarIconSize) * scale)
        toolbar.setIconSize(QSize(icon, icon))
    widgets = window.findChildren(QWidget)
    views = [w for w in widgets if hasattr(w, "apply_style")]
    colors = theme.role_colors()
    for widget in widgets:
        if isinstance(widget, NoticeBanner):
            _style_banner(widget, scale)
        elif isinstance(widget, StatusLine):
            text = theme.palette().color(QPalette.ColorRole.WindowText).name()
            sheet = f"color: {text}; font-size: {STATUS_PT * scale:g}pt;"
            _override_sheet(widget, sheet, STATUS_PT * scale)
            _wrap_status(widget, scale)
        elif role_of(widget) is not None:
            # A sheet resolves its font when polished and then ignores the window's: set it.
            widget.setFont(window.font())
            widget.setStyleSheet(role_sheet(role_of(widget), colors, scale))
    for view in views:
        view.apply_style(theme, scale)
    _fit_scroll_areas(window)


def _use_style(theme: Theme) -> None:
    """Fusion for themes with their own palette (Windows' and macOS' native styles draw
    parts of the widgets in system colours); the native style back for the light theme."""
    app = QApplication.instance()
    current = app.style().name().lower()
    native = app.property("gdviz_native_style")
    if theme.fusion and current != "fusion":
        app.setProperty("gdviz_native_style", current)
        app.setStyle("Fusion")
    elif not theme.fusion and native and current != native:
        app.setStyle(native)


def _scaled_font(scale: float, bold: bool) -> QFont:
    """The application font times ``scale``."""
    font = QFont(QApplication.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    else:  # a pixel-sized platform font
        font.setPixelSize(max(1, round(font.pixelSize() * scale)))
    font.setBold(bold)
    return font


def _override_sheet(widget: QWidget, sheet: str, points: float) -> None:
    # A widget's own style sheet wins over its parent's font, so the size goes in both; and
    # such a widget keeps the palette it was first polished with, so sheets name the colour.
    font = QFont(widget.window().font())
    font.setPointSizeF(points)
    widget.setFont(font)
    widget.setStyleSheet(sheet)


def _wrap_status(status: QLabel, scale: float) -> None:
    """Enlarged, the status line is wider than the window: two lines rather than a cut-off
    end. The status bar sizes it by its sizeHint (for a narrow guess of the width, three
    lines), not by its height at the real width, so two lines is also the cap."""
    status.setWordWrap(scale > 1.0)
    lines = 2 if scale > 1.0 else 0
    status.setMaximumHeight(lines * status.fontMetrics().lineSpacing() + 4 if lines else 16777215)


def _style_banner(banner: NoticeBanner, scale: float) -> None:
    """The banner resets its own sheet (15 pt) on every message; its label's and button's own
    sheets win over it, so the scaled size goes there."""
    points = BANNER_PT * scale
    sheet = f"color: white; font-size: {points:g}pt; font-weight: bold;"
    for child in (banner.label, *banner.findChildren(QToolButton)):
        _override_sheet(child, sheet, points)


def _fit_scroll_areas(window: QMainWindow) -> None:
    """A scroll area marked FIT_WIDTH (the controls dock) is as wide as its content's minimum
    at the new font size, or the content is cut off on the right; but never wider than a
    quarter of the screen (at least DOCK_CAP_PX): enlarged past that for a lecture hall, its
    content scrolls sideways instead, and the views keep the room (at 2.5x the two docks left
    the views a third of a 1920 px screen, their labels cut)."""
    screen = window.screen()
    cap = max(DOCK_CAP_PX, (screen.availableGeometry().width() if screen else 1920) // 4)
    for area in window.findChildren(QScrollArea):
        inner = area.widget()
        if inner is None or not area.property(FIT_WIDTH):
            continue
        if inner.layout() is not None:
            inner.layout().activate()  # the minimum size of the new font, now
        # + 24: the vertical scroll bar and frame, as MainWindow sizes the dock at start-up.
        wanted = inner.minimumSizeHint().width() + 24
        area.setMinimumWidth(min(wanted, cap))
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if wanted > cap
                                          else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # fmt: skip
