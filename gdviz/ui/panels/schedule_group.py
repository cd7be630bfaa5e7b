"""The "Learning-rate schedule" group: schedule type, its own knobs, and a warm-up."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QSpinBox

from gdviz.core.config import RunConfig
from gdviz.core.schedules import SCHEDULE_NAMES
from gdviz.ui.panels.control_tips import TIPS, add_row, new_form
from gdviz.ui.panels.quiet import signals_blocked
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox

SCHEDULE_LABELS = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine annealing",
}
# Which knobs each schedule reads (warm-up applies to all of them).
SCHEDULE_KNOBS = {
    "constant": (),
    "step": ("gamma", "step_size"),
    "exponential": ("gamma",),
    "cosine": ("t_max", "eta_min"),
}


def _iterations_spin(low: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, 10_000_000)
    spin.setKeyboardTracking(False)
    spin.setSuffix(" it.")
    return spin


class ScheduleGroup(QGroupBox):
    """How the learning rate changes over the iterations; ``values()`` gives its config fields."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Learning-rate schedule", parent)
        self.schedule_combo = QComboBox()
        for name in SCHEDULE_NAMES:
            self.schedule_combo.addItem(SCHEDULE_LABELS.get(name, name), name)
        self.gamma_spin = ScientificSpinBox(1e-4, 1.0, 0.5, step=0.05, digits=5)
        self.step_size_spin = _iterations_spin(1)
        self.t_max_spin = _iterations_spin(1)
        self.eta_min_spin = ScientificSpinBox(0.0, 10.0, 0.0, step=1e-5, log_step=True)
        self.warmup_spin = _iterations_spin(0)
        self.knobs = {
            "gamma": self.gamma_spin,
            "step_size": self.step_size_spin,
            "t_max": self.t_max_spin,
            "eta_min": self.eta_min_spin,
        }
        self.form = form = new_form()
        add_row(form, "Schedule", self.schedule_combo, TIPS["schedule"])
        add_row(form, "Decay γ", self.gamma_spin, TIPS["gamma"])
        add_row(form, "Every", self.step_size_spin, TIPS["step_size"])
        add_row(form, "T_max", self.t_max_spin, TIPS["t_max"])
        add_row(form, "Final lr", self.eta_min_spin, TIPS["eta_min"])
        add_row(form, "Warm-up", self.warmup_spin, TIPS["warmup"])
        self.setLayout(form)
        self.schedule_combo.currentIndexChanged.connect(self._on_field_changed)
        for spin in (*self.knobs.values(), self.warmup_spin):
            spin.valueChanged.connect(self._on_field_changed)
        self._update()

    def values(self) -> dict:
        return {
            "schedule": self.schedule_combo.currentData(),
            "gamma": self.gamma_spin.value(),
            "step_size": self.step_size_spin.value(),
            "t_max": self.t_max_spin.value(),
            "eta_min": self.eta_min_spin.value(),
            "warmup": self.warmup_spin.value(),
        }

    def set_values(self, c: RunConfig) -> None:
        """Show a configuration's schedule without emitting ``changed``."""
        with signals_blocked(self.schedule_combo, *self.knobs.values(), self.warmup_spin):
            self.schedule_combo.setCurrentIndex(max(0, self.schedule_combo.findData(c.schedule)))
            self.gamma_spin.setValue(c.gamma)
            self.step_size_spin.setValue(c.step_size)
            self.t_max_spin.setValue(c.t_max)
            self.eta_min_spin.setValue(c.eta_min)
            self.warmup_spin.setValue(c.warmup)
        self._update()

    def _on_field_changed(self, *_args) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        used = SCHEDULE_KNOBS.get(self.schedule_combo.currentData(), ())
        for key, spin in self.knobs.items():
            self.form.setRowVisible(spin, key in used)
