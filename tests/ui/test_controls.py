"""ControlsPanel: widgets <-> RunConfig, the learning-rate and batch controls, signals, layout."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QWidget,
)

from gdviz.core.config import RunConfig, build_problem, read_data
from gdviz.core.optimizers import OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES
from gdviz.ui.panels.controls import ControlsPanel
from gdviz.ui.panels.optimizer_group import KNOBS
from gdviz.ui.panels.problem_sources import CSV_SOURCE, SURFACE_SOURCE
from gdviz.ui.panels.schedule_group import SCHEDULE_KNOBS


@pytest.fixture
def make_panel(qtbot):
    def make(config: RunConfig | None = None) -> ControlsPanel:
        panel = ControlsPanel(config) if config is not None else ControlsPanel()
        qtbot.addWidget(panel)
        return panel

    return make


class Recorder:
    """Collects the configs a signal carries."""

    def __init__(self, signal) -> None:
        self.configs: list = []
        signal.connect(self.configs.append)


def rebuild_from_widgets(panel: ControlsPanel) -> RunConfig:
    """Make the panel read every widget again (toggle a checkbox there and back)."""
    check = panel.problem.standardize_check
    check.toggle()
    check.toggle()
    return panel.config()


def type_into(qtbot, spin: QAbstractSpinBox, text: str) -> None:
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


# -- RunConfig round trips ---------------------------------------------------------------------
def test_default_config_round_trips(make_panel):
    panel = make_panel()
    assert panel.config() == RunConfig()
    assert rebuild_from_widgets(panel) == RunConfig()


ROUND_TRIPS = [
    RunConfig(optimizer="adam", beta2=0.99, lr=0.0123456789, batch_size=10),
    RunConfig(optimizer="adamw", weight_decay=0.1, eps=1e-6, sampling="replacement"),
    RunConfig(
        optimizer="rmsprop", alpha=0.9, centered=True, momentum=0.5, drop_last=True, batch_size=7
    ),
    RunConfig(optimizer="momentum", nesterov=True, momentum=0.8),
    RunConfig(optimizer="adagrad", lr_decay=0.01, schedule="cosine", t_max=300, eta_min=1e-4),
    RunConfig(schedule="step", gamma=0.25, step_size=40, warmup=10, steps=500, seed=7),
    RunConfig(surface="bowl", condition=50.0, gradient_noise=2.0, n_examples=64, start=(1.0, 2)),
    RunConfig(surface="rosenbrock", lr=0.001, start=(-1.5, 2.0)),
    RunConfig(dataset="two-class", model="logistic", n_examples=60, data_noise=0.5),
    RunConfig(dataset="penguins", standardize=False, lr=1e-5, epochs=3),
]


@pytest.mark.parametrize("config", ROUND_TRIPS, ids=range(len(ROUND_TRIPS)))
def test_set_config_then_config_returns_it(make_panel, qtbot, config):
    panel = make_panel()
    with qtbot.assertNotEmitted(panel.configChanging), qtbot.assertNotEmitted(panel.configChanged):
        panel.set_config(config)
        qtbot.wait(200)
    assert panel.config() == config
    assert rebuild_from_widgets(panel) == config


def test_csv_config_round_trips(make_panel, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,h,w\na,1.7,70\nb,1.8,80\nc,1.6,\n")
    config = RunConfig(dataset=str(path), x_column="w", y_column="h")
    panel = make_panel(config)
    assert rebuild_from_widgets(panel) == config
    assert panel.problem.x_combo.isVisibleTo(panel)
    # The panel never parses a CSV on the GUI thread: N shows once the window has read it.
    assert panel.problem.info_label.text() == "Reading the file…"
    read_data(config)  # what the window's reader does off the GUI thread, then tells the panel
    data = build_problem(config).data
    assert not panel.data_read(data.n_examples, data.skipped_rows)  # batch 10 need not change
    assert "N = 2" in panel.problem.info_label.text()
    assert "1 row skipped (blank or text)" in panel.problem.info_label.text()


# -- learning rate ------------------------------------------------------------------------------
def test_typing_scientific_notation_sets_lr_and_moves_slider(make_panel, qtbot):
    panel = make_panel()
    slider = panel.lr.slider
    type_into(qtbot, panel.lr.spin, "1e-3")
    assert panel.config().lr == pytest.approx(0.001)
    assert slider.value() == round(slider.position_of(0.001)) == 333
    type_into(qtbot, panel.lr.spin, "0.05")
    assert panel.config().lr == pytest.approx(0.05)


def test_slider_ends_give_the_range_ends(make_panel):
    panel = make_panel()
    panel.lr.slider.setValue(panel.lr.slider.maximum())
    assert panel.config().lr == 10.0
    assert panel.lr.spin.text() == "10"
    panel.lr.slider.setValue(panel.lr.slider.minimum())
    assert panel.config().lr == pytest.approx(1e-5)


def test_out_of_range_lr_is_clamped_with_a_hint_and_junk_is_refused(make_panel, qtbot):
    panel = make_panel()
    panel.show()
    type_into(qtbot, panel.lr.spin, "20")  # beyond the slider, within what can be typed
    assert panel.config().lr == 20.0
    assert panel.lr.slider.value() == panel.lr.slider.maximum()
    type_into(qtbot, panel.lr.spin, "5000")
    assert panel.config().lr == 1000.0
    assert panel.lr.hint_label.isVisibleTo(panel)
    assert "between 1e-10 and 1000" in panel.lr.hint_label.text()
    type_into(qtbot, panel.lr.spin, "abc")  # letters cannot be typed at all
    type_into(qtbot, panel.lr.spin, "1e")  # an unfinished number reverts
    assert panel.config().lr == 1000.0


def test_lr_markers_show_stability_limits(make_panel):
    panel = make_panel()
    panel.set_problem_info(398, 8, lr_max_stable=0.52, lr_fastest=0.26)
    assert panel.lr.slider.markers() == (0.52, 0.26)
    text = panel.lr.markers_label.text()
    assert "diverges above 0.52" in text and "fastest 0.26" in text
    assert "8 rows skipped (blank or text)" in panel.problem.info_label.text()
    # Raw Auto MPG (lesson 12): λmin/λmax ~ 1e-8, so 2/(λmin+λmax) rounds to 2/λmax; the
    # fastest rate must not read as the same number as the limit.
    from gdviz.core.config import RunConfig, build_problem
    from gdviz.core.surface import curvature

    shape = curvature(build_problem(RunConfig(standardize=False)))
    assert shape.lr_fastest < shape.lr_max_stable and f"{shape.lr_fastest:.3g}" == (
        f"{shape.lr_max_stable:.3g}")  # fmt: skip
    panel.set_problem_info(398, 8, shape.lr_max_stable, shape.lr_fastest)
    text = panel.lr.markers_label.text()
    assert "diverges above 1.05e-7" in text and "fastest just below the limit" in text
    # Another problem: its markers are not known yet, so none are shown.
    combo = panel.problem.source_combo
    combo.setCurrentIndex(combo.findData("penguins"))
    assert panel.lr.slider.markers() == (None, None)


# -- batch size ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "b", "regime", "readout"),
    [
        (100, 10, "mini-batch SGD", "100 examples / batch 10 = 10 iterations per epoch"),
        (100, 1, "SGD", "100 examples / batch 1 = 100 iterations per epoch"),
        (100, 100, "full batch", "100 examples / batch 100 = 1 iteration per epoch"),
        (398, 10, "mini-batch SGD", "398 examples / batch 10 = 40 iterations per epoch"),
    ],
)
def test_batch_regime_and_readout(make_panel, n, b, regime, readout):
    panel = make_panel()
    panel.set_problem_info(n)
    panel.batch.spin.setValue(b)
    assert panel.batch.regime_label.text() == regime
    assert panel.batch.readout_label.text() == readout
    # None (full batch) stays None when B = N was not picked: the spin already showed N.
    assert (panel.config().batch_size or n) == b


def test_batch_slider_is_logarithmic_over_1_to_n(make_panel):
    panel = make_panel()
    panel.set_problem_info(398)
    slider = panel.batch.slider
    slider.setValue(slider.minimum())
    assert panel.config().batch_size == 1
    slider.setValue(slider.maximum())
    assert panel.config().batch_size == 398


@pytest.mark.parametrize(("typed", "kept", "words"), [
    (1_000_000, 398, "1,000,000 was changed to 398 (full batch)"),
    (0, 1, "0 was changed to 1 (SGD)"),
    (-5, 1, "-5 was changed to 1 (SGD)"),
])  # fmt: skip
def test_a_batch_size_outside_1_to_n_is_clamped_and_said(make_panel, typed, kept, words):
    # 0.1.0: with N = 3, typing 1000000 gave B = 1 without a word; 0 and -5 were ignored.
    panel = make_panel(RunConfig(dataset="auto-mpg", batch_size=10))
    panel.set_problem_info(398)
    panel.batch.spin.setValue(typed)  # as when typed and confirmed with Enter
    assert panel.config().batch_size == kept
    assert panel.batch.hint_label.isVisibleTo(panel) and words in panel.batch.hint_label.text()
    panel.batch.spin.setValue(20)
    assert not panel.batch.hint_label.isVisibleTo(panel)


def test_an_applied_batch_size_does_not_follow_a_new_n(make_panel):
    # 0.1.0, lesson 5 -> 6: B = 100 of the new lesson equalled the old N and "followed" it to
    # the new N = 1000 (full batch, 1 iteration per epoch) while the lesson runs B = 100.
    panel = make_panel(RunConfig(dataset="synthetic", n_examples=100, batch_size=10))
    panel.set_problem_info(100)
    panel.set_config(RunConfig(dataset="synthetic", n_examples=1000, batch_size=100))
    panel.set_problem_info(1000)
    assert panel.config().batch_size == 100 and panel.batch.spin.value() == 100
    assert "= 10 iterations per epoch" in panel.batch.readout_label.text()


def test_batch_shrinks_to_a_smaller_data_set_before_it_is_emitted(make_panel, qtbot):
    panel = make_panel(RunConfig(batch_size=300))
    panel.set_problem_info(398)
    changing = Recorder(panel.configChanging)
    combo = panel.problem.source_combo
    combo.setCurrentIndex(combo.findData("anscombe-i"))  # 11 examples
    assert changing.configs[-1].batch_size == 11
    with qtbot.waitSignal(panel.configChanged, timeout=1000) as blocker:
        panel.set_problem_info(5)  # the application learned a smaller N: emit the fix
    assert blocker.args[0].batch_size == 5


# -- optimizer and schedule ---------------------------------------------------------------------
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_only_the_optimizers_own_knobs_are_visible(make_panel, name):
    panel = make_panel()
    combo = panel.optimizer.optimizer_combo
    combo.setCurrentIndex(combo.findData(name))
    visible = {key for key, knob in panel.optimizer.knobs.items() if knob.isVisibleTo(panel)}
    assert visible == set(OPTIMIZER_DEFAULTS[name])
    config = panel.config()
    assert config.optimizer == name
    assert all(getattr(config, key) is None for key in KNOBS)  # defaults map to None


def test_changed_knob_is_recorded_and_default_maps_back_to_none(make_panel):
    panel = make_panel(RunConfig(optimizer="adam"))
    beta1 = panel.optimizer.knobs["beta1"]
    assert beta1.value() == 0.9
    beta1.setValue(0.8)
    assert panel.config().beta1 == 0.8
    beta1.setValue(0.9)
    assert panel.config().beta1 is None


@pytest.mark.parametrize("name", list(SCHEDULE_KNOBS))
def test_only_the_schedules_own_knobs_are_visible(make_panel, name):
    panel = make_panel()
    combo = panel.schedule.schedule_combo
    combo.setCurrentIndex(combo.findData(name))
    visible = {key for key, spin in panel.schedule.knobs.items() if spin.isVisibleTo(panel)}
    assert visible == set(SCHEDULE_KNOBS[name])
    assert panel.schedule.warmup_spin.isVisibleTo(panel)
    assert panel.config().schedule == name


def test_invalid_combination_is_shown_in_red_and_not_emitted(make_panel, qtbot):
    panel = make_panel(RunConfig(optimizer="nesterov"))
    before = panel.config()
    with qtbot.assertNotEmitted(panel.configChanged), qtbot.assertNotEmitted(panel.configChanging):
        panel.optimizer.knobs["momentum"].setValue(0.0)  # Nesterov needs momentum > 0
        qtbot.wait(300)
    assert panel.error_label.isVisibleTo(panel)
    assert "momentum" in panel.error_label.text().lower()
    assert panel.config() == before
    panel.optimizer.knobs["momentum"].setValue(0.5)
    assert not panel.error_label.isVisibleTo(panel)
    assert panel.config().momentum == 0.5


# -- problem ------------------------------------------------------------------------------------
def test_source_shows_only_its_own_fields(make_panel):
    panel = make_panel()
    p = panel.problem
    combo = p.source_combo

    def shown():
        widgets = {
            "n": p.n_spin,
            "noise": p.data_noise_spin,
            "x": p.x_combo,
            "surface": p.surface_combo,
            "condition": p.condition_spin,
            "model": p.model_combo,
            "open": p.open_button,
        }
        return {name for name, widget in widgets.items() if widget.isVisibleTo(panel)}

    assert shown() == {"model"}
    combo.setCurrentIndex(combo.findData("synthetic"))
    assert shown() == {"model", "n", "noise"}
    combo.setCurrentIndex(combo.findData("two-class"))
    assert panel.config().model == "logistic"  # two classes call for logistic regression
    combo.setCurrentIndex(combo.findData(SURFACE_SOURCE))
    assert shown() == {"surface", "condition", "n"}
    assert panel.config().surface == "bowl"
    assert panel.training.p1_label.text() == "x"
    p.surface_combo.setCurrentIndex(p.surface_combo.findData("himmelblau"))
    assert "condition" not in shown()


def test_csv_source_asks_for_a_file_then_uses_numeric_columns(make_panel, qtbot, tmp_path):
    panel = make_panel()
    combo = panel.problem.source_combo
    with qtbot.waitSignal(panel.openDataRequested, timeout=500):
        combo.setCurrentIndex(combo.findData(CSV_SOURCE))
    assert panel.error_label.isVisibleTo(panel)  # no file yet: nothing to apply
    assert panel.config() == RunConfig()
    with qtbot.waitSignal(panel.openDataRequested, timeout=500):
        panel.problem.open_button.click()
    path = tmp_path / "cars.csv"
    path.write_text(
        "name,origin,weight,mpg\nford,USA,3500,18\nvw,Europe,2100,\nfiat,Europe,2000,30\n"
    )
    with qtbot.waitSignal(panel.configChanged, timeout=1000) as blocker:
        panel.set_csv_columns(str(path), ["name", "origin", "weight", "mpg"])
    config = blocker.args[0]
    assert (config.dataset, config.x_column, config.y_column) == (str(path), "weight", "mpg")
    assert not panel.error_label.isVisibleTo(panel)
    read_data(config)  # what the window's reader does off the GUI thread
    data = build_problem(config).data
    panel.data_read(data.n_examples, data.skipped_rows)
    assert "1 row skipped (blank or text)" in panel.problem.info_label.text()
    panel.problem.y_combo.setCurrentIndex(panel.problem.y_combo.findText("weight"))
    panel.problem.x_combo.setCurrentIndex(panel.problem.x_combo.findText("mpg"))
    assert (panel.config().x_column, panel.config().y_column) == ("mpg", "weight")


# -- training length ----------------------------------------------------------------------------
def test_start_point_custom_and_default(make_panel, qtbot):
    panel = make_panel()
    with qtbot.assertNotEmitted(panel.configChanged):
        panel.set_start(1.5, -2.0)
        qtbot.wait(200)
    assert panel.config().start == (1.5, -2.0)
    assert panel.training.default_button.isEnabled()
    with qtbot.waitSignal(panel.configChanged, timeout=1000) as blocker:
        panel.training.default_button.click()
    assert blocker.args[0].start is None
    panel.training.p2_spin.setValue(3.0)
    assert panel.config().start == (0.0, 3.0)


def test_budget_in_steps_and_total_updates(make_panel):
    panel = make_panel(RunConfig(dataset="synthetic", batch_size=10))
    assert panel.training.total_label.text() == "20 epochs × 10 iterations = 200 updates"
    panel.training.budget_combo.setCurrentIndex(1)
    panel.training.steps_spin.setValue(250)
    assert panel.config().steps == 250
    assert panel.training.total_label.text() == "250 updates = 25 epochs of 10 iterations"


# -- signals ------------------------------------------------------------------------------------
def test_burst_of_changes_emits_config_changed_once(make_panel, qtbot):
    panel = make_panel()
    changing, changed = Recorder(panel.configChanging), Recorder(panel.configChanged)
    for i in range(50):
        panel.lr.spin.setValue(0.001 * (i + 1))
    assert len(changing.configs) == 50  # the cheap signal follows every change
    assert changed.configs == []
    qtbot.wait(300)
    assert len(changed.configs) == 1
    assert changed.configs[0].lr == pytest.approx(0.05)
    assert changed.configs[0] == panel.config()


# -- tooltips and layout ------------------------------------------------------------------------
INTERACTIVE = (QAbstractSpinBox, QComboBox, QSlider, QCheckBox, QAbstractButton, QLineEdit)


def test_every_control_has_a_tooltip(make_panel):
    panel = make_panel()
    controls = [w for kind in INTERACTIVE for w in panel.findChildren(kind)]
    assert len(controls) > 30
    for widget in controls:
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
            continue  # a spin box's own editor: Qt shows the spin box's tooltip over it
        assert widget.toolTip().strip(), f"{type(widget).__name__} {widget.objectName()!r}"


@pytest.mark.parametrize("config", [RunConfig(), ROUND_TRIPS[2], ROUND_TRIPS[6]], ids=range(3))
def test_fits_a_340_px_dock_without_clipping(make_panel, qtbot, config):
    panel = make_panel(config)
    panel.set_problem_info(398, 8, 0.52, 0.26)
    assert panel.minimumSizeHint().width() <= 360
    scroll = QScrollArea()
    qtbot.addWidget(scroll)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(panel)
    bar = scroll.verticalScrollBar().sizeHint().width()
    scroll.resize(340 + bar + 2 * scroll.frameWidth(), 720)
    scroll.show()
    qtbot.waitExposed(scroll)
    assert panel.width() >= 340
    for widget in panel.findChildren(QWidget):
        if not widget.isVisibleTo(panel) or widget.parent() is None:
            continue
        right = widget.mapTo(panel, widget.rect().topRight()).x()
        assert right <= panel.width(), f"{type(widget).__name__} sticks out ({right})"
        hint = widget.minimumSizeHint()
        if hint.isValid() and not (isinstance(widget, QLabel) and widget.wordWrap()):
            assert widget.width() >= hint.width(), f"{type(widget).__name__} is squeezed"
    panel.resize(340, 1100)
    image = panel.grab()
    assert image.save(str(Path(tempfile.gettempdir()) / "controls.png"))
