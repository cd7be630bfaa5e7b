"""The "Training length" group: epochs or steps, random seed and the start point."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gdviz.core.config import RunConfig
from gdviz.ui.panels.control_tips import TIPS, add_row, new_form
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.roles import set_role

BUDGETS = {"epochs": "Epochs", "steps": "Steps"}


def _plural(iterations: int) -> str:
    return f"{iterations} iteration{'' if iterations == 1 else 's'}"


class TrainingGroup(QGroupBox):
    """Budget (epochs or steps), seed and start point; ``values()`` gives those RunConfig fields.

    The start point is None ("the problem's default") until the user types one or clicks the
    surface view; the Default button goes back to None.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Training length", parent)
        self._custom_start = False
        self._epochs_when_steps: int | None = 20  # kept for RunConfig.epochs in "steps" mode
        self._default_start = (0.0, 0.0)
        self._ipe: int | None = None
        self._make_widgets()
        self._lay_out()
        self.budget_combo.currentIndexChanged.connect(self._on_budget_changed)
        self.epochs_spin.valueChanged.connect(self._on_field_changed)
        self.steps_spin.valueChanged.connect(self._on_field_changed)
        self.seed_spin.valueChanged.connect(self._on_field_changed)
        self.p1_spin.valueChanged.connect(self._on_start_edited)
        self.p2_spin.valueChanged.connect(self._on_start_edited)
        self.default_button.clicked.connect(self._on_default_clicked)
        self._update()

    def _make_widgets(self) -> None:
        self.budget_combo = QComboBox()
        for key, text in BUDGETS.items():
            self.budget_combo.addItem(text, key)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 100_000)
        self.epochs_spin.setToolTip(TIPS["epochs"])
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 10_000_000)
        self.steps_spin.setToolTip(TIPS["steps"])
        for spin in (self.epochs_spin, self.steps_spin):
            spin.setKeyboardTracking(False)
            spin.setMinimumWidth(80)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        self.total_label.setToolTip(TIPS["epochs"])
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)
        self.p1_spin = ScientificSpinBox(-1e6, 1e6, 0.0, step=0.1, digits=5)
        self.p2_spin = ScientificSpinBox(-1e6, 1e6, 0.0, step=0.1, digits=5)
        self.p1_label, self.p2_label = QLabel("w"), QLabel("b")
        self.default_button = QPushButton("Default")
        self.default_button.setToolTip(TIPS["start_default"])
        self.start_note = QLabel()
        set_role(self.start_note, "note")
        self.start_note.setWordWrap(True)

    def _lay_out(self) -> None:
        budget_row = QWidget()
        budget_layout = QHBoxLayout(budget_row)
        budget_layout.setContentsMargins(0, 0, 0, 0)
        budget_layout.addWidget(self.budget_combo)
        budget_layout.addWidget(self.epochs_spin, 1)
        budget_layout.addWidget(self.steps_spin, 1)
        start_row = QWidget()
        start_layout = QHBoxLayout(start_row)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.setSpacing(4)
        for widget in (self.p1_label, self.p1_spin, self.p2_label, self.p2_spin):
            widget.setToolTip(TIPS["start"])
            start_layout.addWidget(widget, 1 if isinstance(widget, ScientificSpinBox) else 0)
        start_layout.addWidget(self.default_button)
        form = new_form()
        add_row(form, "Budget", budget_row, TIPS["budget"])
        self.budget_combo.setToolTip(TIPS["budget"])
        form.addRow(self.total_label)
        add_row(form, "Seed", self.seed_spin, TIPS["seed"])
        add_row(form, "Start", start_row, TIPS["start"])
        form.addRow(self.start_note)
        self.setLayout(form)

    # -- state -------------------------------------------------------------------------------
    def values(self) -> dict:
        steps_mode = self.budget_combo.currentData() == "steps"
        return {
            "epochs": self._epochs_when_steps if steps_mode else self.epochs_spin.value(),
            "steps": self.steps_spin.value() if steps_mode else None,
            "seed": self.seed_spin.value(),
            "start": (self.p1_spin.value(), self.p2_spin.value()) if self._custom_start else None,
        }

    def set_values(self, c: RunConfig) -> None:
        """Show a configuration's fields without emitting ``changed``."""
        self._block(True)
        steps_mode = c.steps is not None
        self.budget_combo.setCurrentIndex(1 if steps_mode else 0)
        self._epochs_when_steps = c.epochs
        self.epochs_spin.setValue(c.epochs if c.epochs is not None else 20)
        self.steps_spin.setValue(c.steps if c.steps is not None else 1000)
        self.seed_spin.setValue(c.seed)
        self._block(False)
        if c.start is None:
            self._custom_start = False
            self._show_start(self._default_start)
        else:
            self.set_start(*c.start)
        self._update()

    def set_start(self, p1: float, p2: float) -> None:
        """Use a custom start point (no ``changed``: the caller applies it)."""
        self._custom_start = True
        self._show_start((p1, p2))
        self._update()

    def set_problem_shape(self, names: tuple[str, str], default_start: tuple[float, float]) -> None:
        """Name the two parameters (w, b or x, y) and show the problem's default start."""
        self.p1_label.setText(names[0])
        self.p2_label.setText(names[1])
        self._default_start = default_start
        if not self._custom_start:
            self._show_start(default_start)
        self._update()

    def set_iterations_per_epoch(self, ipe: int | None) -> None:
        self._ipe = ipe
        self._update()

    # -- reactions ---------------------------------------------------------------------------
    def _block(self, on: bool) -> None:
        for widget in (
            self.budget_combo,
            self.epochs_spin,
            self.steps_spin,
            self.seed_spin,
            self.p1_spin,
            self.p2_spin,
        ):
            widget.blockSignals(on)

    def _show_start(self, start: tuple[float, float]) -> None:
        self.p1_spin.blockSignals(True)
        self.p2_spin.blockSignals(True)
        self.p1_spin.setValue(start[0])
        self.p2_spin.setValue(start[1])
        self.p1_spin.blockSignals(False)
        self.p2_spin.blockSignals(False)

    def _on_budget_changed(self, _index: int) -> None:
        if self.budget_combo.currentData() == "steps":
            self._epochs_when_steps = self.epochs_spin.value()
        self._on_field_changed()

    def _on_field_changed(self, *_args) -> None:
        self._update()
        self.changed.emit()

    def _on_start_edited(self, _value: float) -> None:
        self._custom_start = True
        self._on_field_changed()

    def _on_default_clicked(self) -> None:
        self._custom_start = False
        self._show_start(self._default_start)
        self._on_field_changed()

    def _update(self) -> None:
        steps_mode = self.budget_combo.currentData() == "steps"
        self.epochs_spin.setVisible(not steps_mode)
        self.steps_spin.setVisible(steps_mode)
        ipe = self._ipe
        if ipe is None:
            self.total_label.setText("")
        elif steps_mode:
            steps = self.steps_spin.value()
            epochs = format_number(steps / ipe, 3)
            self.total_label.setText(f"{steps} updates = {epochs} epochs of {_plural(ipe)}")
        else:
            epochs = self.epochs_spin.value()
            self.total_label.setText(f"{epochs} epochs × {_plural(ipe)} = {epochs * ipe} updates")
        self.total_label.setVisible(ipe is not None)
        self.default_button.setEnabled(self._custom_start)
        self.start_note.setText(
            "Custom start point."
            if self._custom_start
            else "The problem's default start; click the surface to pick another."
        )
