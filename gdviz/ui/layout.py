"""The main window's layout: views in a splitter (or the compare view), the banner, the timeline,
the docks and the status line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gdviz.ui.compare_view import CompareView
from gdviz.ui.counters import LectureCounters
from gdviz.ui.lesson_navigator import LessonCard
from gdviz.ui.notice import NoticeBanner
from gdviz.ui.status import StatusLine
from gdviz.ui.sweep_panel import SweepPanel
from gdviz.ui.theme import FIT_WIDTH
from gdviz.ui.timeline import TimelineBar
from gdviz.ui.views.data_view import DataView
from gdviz.ui.views.loss_view import LossView
from gdviz.ui.views.surface_view import SurfaceView
from gdviz.ui.worked_panel import WorkedUpdatePanel


def build_views(window) -> None:
    """The views, the notice banner, the timeline, the lesson card, the sweep dock and the
    status line, as attributes of ``window``."""
    window.surface_view = SurfaceView()
    window.loss_view = LossView()
    window.data_view = DataView()
    window.badge = NoticeBanner()
    window.right_split = QSplitter(Qt.Orientation.Vertical)
    window.right_split.addWidget(window.loss_view)
    window.right_split.addWidget(window.data_view)
    window.main_split = QSplitter(Qt.Orientation.Horizontal)
    window.main_split.addWidget(window.surface_view)
    window.main_split.addWidget(window.right_split)
    window.main_split.setStretchFactor(0, 3)
    window.main_split.setStretchFactor(1, 2)
    window.view_stack = QStackedWidget()
    window.view_stack.addWidget(window.main_split)  # and the compare view, once built
    window.blank_page = QWidget()  # B or period: the views blanked (LectureMixin.toggle_blank)
    window.blank_page.setStyleSheet("background: black;")
    window.blank_page.setAutoFillBackground(True)
    window.view_stack.addWidget(window.blank_page)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(window.badge)
    window.counters = LectureCounters()  # lecture mode only
    window.counters.hide()
    layout.addWidget(window.counters)
    layout.addWidget(window.view_stack, 1)
    window.timeline = TimelineBar()
    layout.addWidget(window.timeline)
    window.setCentralWidget(central)
    window.lesson_card = LessonCard(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, window.lesson_card)
    window.lesson_card.hide()
    window.worked_dock = WorkedUpdatePanel(window)  # U: the shown iteration, worked out
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.worked_dock)
    window.worked_dock.hide()
    window.sweep_dock = QDockWidget("Learning-rate sweep", window)  # its panel: build_sweep_panel
    window.sweep_dock.setObjectName("sweep")
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.sweep_dock)
    window.sweep_dock.hide()
    window.status_line = StatusLine()
    window.statusBar().addPermanentWidget(window.status_line, 1)
    window.read_progress = QProgressBar()  # shown while a CSV is read (ui/data_reader.py)
    window.read_progress.setRange(0, 100)
    window.read_progress.setMaximumWidth(360)
    window.read_progress.hide()
    window.statusBar().addPermanentWidget(window.read_progress)


def build_compare_view(window) -> CompareView:
    """The compare view (two plots of up to six runs), built on the first comparison: most
    sessions never compare, and it took ~0.1 s of the first window's start-up."""
    view = CompareView()
    # Built after lecture mode was switched on, the surface kept the default size otherwise.
    for styled in (view, view.surface):
        styled.apply_style(window.theme, window.shown_scale)
    view.set_log_y(window.state.log_loss)
    view.set_tail(window.state.loss_tail)
    window.surfaces.watch(view.surface)
    window.view_stack.addWidget(view)
    return view


def build_sweep_panel(window) -> SweepPanel:
    """The learning-rate sweep panel, in its dock, built the first time it is shown (~70 ms of
    the first window's start-up otherwise)."""
    panel = SweepPanel()
    window.sweep_dock.setWidget(panel)
    return panel


def build_controls_dock(window) -> None:
    """The controls panel in a scrollable dock on the left."""
    scroll = QScrollArea()
    scroll.setWidget(window.controls)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(window.controls.minimumSizeHint().width() + 24)
    scroll.setProperty(FIT_WIDTH, True)  # as wide as its content (theme.apply_theme), or capped
    # Not "Hyperparameters": the dock also holds the problem, and the parameters training computes.
    window.controls_dock = QDockWidget("Settings", window)
    window.controls_dock.setObjectName("controls")
    window.controls_dock.setWidget(scroll)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.controls_dock)
