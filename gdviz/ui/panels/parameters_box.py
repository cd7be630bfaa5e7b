"""ParametersBox: what training computes (the weight and the bias), read-only, beside the
hyperparameters the user chooses: lesson 7's distinction, on screen."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from gdviz.ui.panels.sci_spinbox import format_number
from gdviz.ui.views.surface_view import AXIS_TITLES


class ParametersBox(QGroupBox):
    """The model's parameters at the iteration shown; nothing to edit."""

    def __init__(self, parent=None) -> None:
        super().__init__("Parameters (training computes them)", parent)
        self.setToolTip("Parameters are what training calculates, step by step: you do not set "
                        "them. The settings below are the hyperparameters you choose.")  # fmt: skip
        self.values_label = QLabel("—")
        self.values_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.values_label)
        self._shown: tuple | bool | None = False  # nothing shown yet

    def show_values(self, names, values) -> None:
        """``names`` (e.g. ``("w", "b")``) and their values; None: no single run to show."""
        shown = None if values is None else (tuple(names), tuple(float(v) for v in values))
        if shown == self._shown:
            return
        self._shown = shown
        if shown is None:
            self.values_label.setText("— (compared runs: see the status line)")
            return
        parts = [
            f"{AXIS_TITLES.get(name, name)} = {format_number(value, 4)}"
            for name, value in zip(*shown, strict=True)
        ]
        self.values_label.setText("     ".join(parts))
