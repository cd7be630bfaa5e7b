"""The batch-size control: B from 1 to N, its regime (SGD, mini-batch, full) and epoch sums."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gdviz.core.batching import SAMPLING_MODES, iterations_per_epoch, regime_name
from gdviz.ui.panels.control_tips import TIPS, add_row, new_form
from gdviz.ui.panels.quiet import signals_blocked
from gdviz.ui.roles import set_role

SAMPLING_LABELS = {"shuffle": "Shuffle each epoch", "replacement": "With replacement"}
_SLIDER_STEPS = 1000
_TYPED_MAX = 10**9  # what may be typed; a value outside 1..N is clamped to it, with a note


class BatchSizeControl(QWidget):
    """Slider and spin box for the batch size B, plus sampling mode and drop-last.

    The slider is logarithmic in B, so B = 1, 10 and 100 are all reachable on a data set of 400.
    ``RunConfig.batch_size = None`` (the whole training set) is kept as None until the user picks
    a batch size; from then on the integer B is emitted, and ``set_n`` keeps it within 1..N.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._n: int | None = None
        self._last_known_n: int | None = None
        self._full = True  # batch_size None: "whatever N is"
        self._make_widgets()
        self._lay_out()
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.spin.valueChanged.connect(self._on_spin_value_changed)
        self.sampling_combo.currentIndexChanged.connect(self._on_option_changed)
        self.drop_last_check.toggled.connect(self._on_option_changed)
        self.set_n(None)

    def _make_widgets(self) -> None:
        self.spin = QSpinBox()
        self.spin.setRange(-_TYPED_MAX, _TYPED_MAX)  # any number typed is seen, then clamped
        self.spin.setKeyboardTracking(False)
        self.spin.setToolTip(TIPS["batch_size"])
        self.spin.setMinimumWidth(70)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _SLIDER_STEPS)
        self.slider.setToolTip(TIPS["batch_size"] + " The slider is logarithmic.")
        self.regime_label = QLabel()
        set_role(self.regime_label, "strong")
        self.regime_label.setToolTip(
            "The lesson's name for this batch size: 1 is stochastic gradient descent (SGD), "
            "between 1 and N mini-batch SGD, N full-batch gradient descent."
        )
        self.hint_label = QLabel()  # says when a typed batch size was changed to fit 1..N
        self.hint_label.setWordWrap(True)
        set_role(self.hint_label, "hint")
        self.hint_label.hide()
        self.readout_label = QLabel()
        self.readout_label.setWordWrap(True)
        self.readout_label.setToolTip(TIPS["epochs"])
        self.sampling_combo = QComboBox()
        for mode in SAMPLING_MODES:
            self.sampling_combo.addItem(SAMPLING_LABELS.get(mode, mode), mode)
        self.drop_last_check = QCheckBox("Drop the last, partial batch")
        self.drop_last_check.setToolTip(TIPS["drop_last"])

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        size_label = QLabel("B =")
        size_label.setToolTip(TIPS["batch_size"])
        top.addWidget(size_label)
        top.addWidget(self.spin)
        top.addStretch(1)
        top.addWidget(self.regime_label)
        form = new_form()
        form.setContentsMargins(0, 0, 0, 0)
        add_row(form, "Sampling", self.sampling_combo, TIPS["sampling"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.slider)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.readout_label)
        layout.addLayout(form)
        layout.addWidget(self.drop_last_check)

    # -- state -------------------------------------------------------------------------------
    def values(self) -> dict:
        """The RunConfig fields of this control."""
        return {
            "batch_size": None if self._full else self.spin.value(),
            "sampling": self.sampling_combo.currentData(),
            "drop_last": self.drop_last_check.isChecked(),
        }

    def set_values(self, batch_size: int | None, sampling: str, drop_last: bool) -> None:
        """Show a configuration's batch fields without emitting ``changed``."""
        self._full = batch_size is None
        with signals_blocked(self.spin, self.slider, self.sampling_combo, self.drop_last_check):
            if batch_size is not None:
                self.spin.setValue(batch_size)  # shown as given; the config decides
                # The application's B is the batch size meant, not "the whole data set": a
                # later N must not make it follow N (lesson 5 -> 6 showed B = N = 1000).
                self._last_known_n = None
            elif self._n is not None:
                self.spin.setValue(self._n)
            self.sampling_combo.setCurrentIndex(max(0, self.sampling_combo.findData(sampling)))
            self.drop_last_check.setChecked(drop_last)
            self._sync_slider()
        self._update_labels()

    def set_n(self, n: int | None) -> bool:
        """Set the number of training examples N (None: not known yet) and clamp B to 1..N.

        A batch that was the whole old data set follows N (full batch stays full batch). Returns
        True when an explicit batch size had to change, so the owner can emit a new config.
        """
        old = self.spin.value()
        follow = not self._full and old == self._last_known_n
        self._n = n
        if n is not None:
            with signals_blocked(self.spin):
                self.spin.setValue(n if self._full or follow else max(1, min(old, n)))
            self._last_known_n = n
        self.slider.setEnabled(n is not None and n > 1)
        self._sync_slider()
        self._update_labels()
        return not self._full and self.spin.value() != old

    def batch(self) -> int | None:
        """The effective batch size B (None while it is "full batch" of an unknown N)."""
        return self._n if self._full else self.spin.value()

    def iterations(self) -> int | None:
        """Iterations per epoch, or None while N is unknown."""
        b = self.batch()
        if self._n is None or b is None or not 1 <= b <= self._n:
            return None
        sampling = self.sampling_combo.currentData()
        return iterations_per_epoch(self._n, b, self.drop_last_check.isChecked(), sampling)

    # -- slider <-> spin ---------------------------------------------------------------------
    def _size_at(self, position: int) -> int:
        n = self._n or 1
        return max(1, min(n, round(n ** (position / _SLIDER_STEPS))))

    def _sync_slider(self) -> None:
        n, b = self._n, self.spin.value()
        position = 0 if not n or n <= 1 else round(_SLIDER_STEPS * math.log(b) / math.log(n))
        self.slider.blockSignals(True)
        self.slider.setValue(min(position, _SLIDER_STEPS))
        self.slider.blockSignals(False)

    def _on_slider_value_changed(self, position: int) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(self._size_at(position))
        self.spin.blockSignals(False)
        self._full = False
        self._update_labels()
        self.changed.emit()

    def _on_spin_value_changed(self, value: int) -> None:
        high = self._n if self._n is not None else _TYPED_MAX
        clamped = max(1, min(value, high))
        if clamped != value:
            with signals_blocked(self.spin):
                self.spin.setValue(clamped)
            what = f"N = {high:,} examples" if self._n is not None else f"{high:,}"
            regime = f" ({regime_name(self._n, clamped)})" if self._n is not None else ""
            self.hint_label.setText(
                f"The batch size must be between 1 and {what}: {value:,} was changed to "
                f"{clamped:,}{regime}."
            )
            self.hint_label.show()
        else:
            self.hint_label.hide()
        self._full = False
        self._sync_slider()
        self._update_labels()
        self.changed.emit()

    def _on_option_changed(self, *_args) -> None:
        self._update_labels()
        self.changed.emit()

    def _update_labels(self) -> None:
        n, b = self._n, self.batch()
        shuffle = self.sampling_combo.currentData() == "shuffle"
        # drop_last means nothing when every batch is drawn full (sampling with replacement).
        self.drop_last_check.setEnabled(shuffle)
        k = self.iterations()
        if n is None or b is None or k is None:
            # Without N, a batch the user picked is taken to be smaller than the data set.
            unknown = "full batch" if b is None else ("SGD" if b == 1 else "mini-batch SGD")
            self.regime_label.setText(unknown)
            self.readout_label.setText(
                "N is not known yet: load the data to see iterations per epoch."
            )
            return
        self.regime_label.setText(regime_name(n, b))
        text = f"{n} examples / batch {b} = {k} iteration{'s' if k != 1 else ''} per epoch"
        if shuffle and self.drop_last_check.isChecked() and n % b:
            text += f" ({n % b} left out each epoch)"
        self.readout_label.setText(text)
