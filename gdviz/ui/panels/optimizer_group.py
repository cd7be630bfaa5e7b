"""The "Optimizer" group: the update rule and only the knobs that rule listens to."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QLabel

from gdviz.core.config import FIELD_SPECS, OPTIONAL_HYPER, RunConfig
from gdviz.core.optimizers import OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES
from gdviz.ui.panels.control_tips import TIPS, add_row, new_form
from gdviz.ui.panels.quiet import signals_blocked
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox, format_number
from gdviz.ui.roles import set_role

OPTIMIZER_LABELS = {
    "sgd": "SGD (plain gradient descent)",
    "momentum": "SGD + momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW (decoupled decay)",
}
# knob -> (label, minimum, maximum, arrow step, log steps?), from RunConfig's field specs; the
# ranges follow the optimizers' checks.
KNOBS = {
    name: (spec.label, spec.low, spec.high, spec.step, spec.log)
    for name, spec in FIELD_SPECS.items()
    if name in OPTIONAL_HYPER
}


class OptimizerGroup(QGroupBox):
    """Optimizer choice and its hyperparameters, prefilled with the ``torch.optim`` defaults.

    A knob left at its default becomes None in the RunConfig, so the config records only what
    the user changed and never names a knob the optimizer does not use.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Optimizer", parent)
        # RunConfig(optimizer="momentum", nesterov=True) shows as "nesterov" and is given back
        # in the same form until the user picks another optimizer.
        self._alias: str | None = None
        self.optimizer_combo = QComboBox()
        for name in OPTIMIZER_NAMES:
            self.optimizer_combo.addItem(OPTIMIZER_LABELS.get(name, name), name)
        self.optimizer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.optimizer_combo.setMinimumContentsLength(10)
        self.form = form = new_form()
        add_row(form, "Update rule", self.optimizer_combo, TIPS["optimizer"])
        self.knobs: dict[str, ScientificSpinBox | QCheckBox] = {}
        for key, (label, low, high, step, log_step) in KNOBS.items():
            spin = ScientificSpinBox(low, high, low, step=step, log_step=log_step, digits=5)
            self.knobs[key] = spin
            add_row(form, label, spin, TIPS[key])
            spin.valueChanged.connect(self._on_knob_changed)
        centered = QCheckBox("Centered")
        centered.setToolTip(TIPS["centered"])
        centered.toggled.connect(self._on_knob_changed)
        self.knobs["centered"] = centered
        form.addRow(centered)
        self.defaults_label = QLabel()
        self.defaults_label.setWordWrap(True)
        set_role(self.defaults_label, "note")
        form.addRow(self.defaults_label)
        self.setLayout(form)
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer_changed)
        self._reset_knobs()
        self._update()

    def optimizer(self) -> str:
        return self.optimizer_combo.currentData()

    def values(self) -> dict:
        """The optimizer fields of a RunConfig."""
        name = self.optimizer()
        defaults = OPTIMIZER_DEFAULTS[name]
        out: dict = dict.fromkeys(OPTIONAL_HYPER)
        for key in OPTIONAL_HYPER:
            if key in defaults:
                value = self.knobs[key].value()
                out[key] = None if value == defaults[key] else value
        out["centered"] = self.knobs["centered"].isChecked()
        if name == "nesterov" and self._alias:
            out.update(optimizer=self._alias, nesterov=True)
        else:
            out.update(optimizer=name, nesterov=False)
        return out

    def set_values(self, c: RunConfig) -> None:
        """Show a configuration's optimizer without emitting ``changed``."""
        name = c.optimizer_name
        self._alias = c.optimizer if c.nesterov else None
        with signals_blocked(self.optimizer_combo):
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(name))
        self._reset_knobs()
        with signals_blocked(*self.knobs.values()):
            for key in OPTIMIZER_DEFAULTS[name]:
                value = getattr(c, key)
                knob = self.knobs[key]
                if isinstance(knob, QCheckBox):
                    knob.setChecked(bool(value))
                elif value is not None:
                    knob.setValue(value)
        self.knobs["centered"].setChecked(c.centered)
        self._update()

    def _reset_knobs(self) -> None:
        """Prefill every knob with the current optimizer's torch default (others to their own)."""
        defaults = OPTIMIZER_DEFAULTS[self.optimizer()]
        with signals_blocked(*self.knobs.values()):
            for key, knob in self.knobs.items():
                if isinstance(knob, QCheckBox):
                    knob.setChecked(bool(defaults.get(key, False)))
                else:
                    knob.setValue(float(defaults.get(key, knob.minimum())))

    def _on_optimizer_changed(self, _index: int) -> None:
        self._alias = None
        self._reset_knobs()
        self._update()
        self.changed.emit()

    def _on_knob_changed(self, *_args) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        defaults = OPTIMIZER_DEFAULTS[self.optimizer()]
        for key, knob in self.knobs.items():
            self.form.setRowVisible(knob, key in defaults)
        changed = [
            key
            for key in defaults
            if key != "centered" and key in KNOBS and self.knobs[key].value() != defaults[key]
        ]
        shown = ", ".join(
            f"{key} {format_number(float(v))}"
            for key, v in defaults.items()
            if not isinstance(v, bool)
        )
        note = f"PyTorch defaults: {shown}." if shown else "Only the learning rate."
        if changed:
            note += " Changed: " + ", ".join(changed) + "."
        self.defaults_label.setText(note)
