"""The "Problem" group: data source (built-in, CSV, analytic surface), model and synthetic data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from gdviz.core.config import MODELS, ConfigError, RunConfig
from gdviz.core.data import (
    BUILTIN_DATASETS,
    DATASET_NAMES,
    PAINTED,
    SYNTHETIC_CLASSES,
    DataError,
    csv_header,
)
from gdviz.core.surfaces import SURFACE_NAMES
from gdviz.ui.panels.control_tips import TIPS, add_row, new_form
from gdviz.ui.panels.problem_sources import (
    CSV_SOURCE,
    DATASET_LABELS,
    MODEL_LABELS,
    SURFACE_LABELS,
    SURFACE_SOURCE,
    SYNTHETIC,
    default_columns,
)
from gdviz.ui.panels.quiet import signals_blocked
from gdviz.ui.panels.sci_spinbox import ScientificSpinBox


class _ElidedLabel(QLabel):
    """A label that shortens its text in the middle to the width it gets (long file names)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        mode = Qt.TextElideMode.ElideMiddle
        self.setText(self.fontMetrics().elidedText(self._full, mode, max(20, self.width())))


class ProblemGroup(QGroupBox):
    """Chooses what is minimised; ``values()`` gives the problem fields of a RunConfig."""

    changed = Signal()
    openDataRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Problem", parent)
        self._csv_path: str | None = None
        self._dataset = DATASET_NAMES[0]  # the data set in use, kept while a surface is shown
        self._builtin_columns: dict[str, tuple[str | None, str | None]] = {}
        self._points: tuple | None = None  # the painted examples shown (source PAINTED)
        self._make_widgets()
        self._lay_out()
        self._connect()
        self._update_visibility()

    def _make_widgets(self) -> None:
        self.source_combo = QComboBox()
        for name in DATASET_NAMES:
            self.source_combo.addItem(DATASET_LABELS.get(name, name), name)
            if name in BUILTIN_DATASETS:
                index = self.source_combo.count() - 1
                tip = BUILTIN_DATASETS[name].description
                self.source_combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.source_combo.addItem("Painted data (D)", PAINTED)
        index = self.source_combo.count() - 1
        self.source_combo.setItemData(index, "Examples placed by hand: View › Paint data (D)",
                                      Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        self.source_combo.addItem("CSV file…", CSV_SOURCE)
        self.source_combo.addItem("Analytic surface", SURFACE_SOURCE)
        self.file_label = _ElidedLabel("no file chosen")
        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip(TIPS["open_csv"])
        self.file_row = file_row = QWidget()
        file_layout = QHBoxLayout(file_row)
        file_layout.setContentsMargins(0, 0, 0, 0)
        file_layout.addWidget(self.open_button)
        file_layout.addWidget(self.file_label, 1)
        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        self.surface_combo = QComboBox()
        for name in SURFACE_NAMES:
            self.surface_combo.addItem(SURFACE_LABELS.get(name, name), name)
        self.condition_spin = ScientificSpinBox(1.0, 1e6, 10.0, log_step=True)
        self.gradient_noise_spin = ScientificSpinBox(0.0, 1e3, 0.0, step=0.5)
        self.model_combo = QComboBox()
        for name in MODELS:
            self.model_combo.addItem(MODEL_LABELS.get(name, name), name)
        self.standardize_check = QCheckBox("Standardise x")
        self.standardize_check.setToolTip(TIPS["standardize"])
        self.n_spin = QSpinBox()
        self.n_spin.setRange(2, 1_000_000)
        self.n_spin.setKeyboardTracking(False)
        self.data_noise_spin = ScientificSpinBox(0.0, 1e3, 1.0, step=0.1)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setToolTip(
            "The number of training examples N, after rows with missing "
            "or non-numeric values were left out."
        )
        for combo in (
            self.source_combo,
            self.x_combo,
            self.y_combo,
            self.surface_combo,
            self.model_combo,
        ):
            # Let combos shrink to a narrow dock; the popup still shows the full names.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)

    def _lay_out(self) -> None:
        file_row = self.file_row
        self.form = form = new_form()
        add_row(form, "Source", self.source_combo, TIPS["source"])
        add_row(form, "File", file_row, TIPS["open_csv"])
        add_row(form, "x column", self.x_combo, TIPS["x_column"])
        add_row(form, "y column", self.y_combo, TIPS["y_column"])
        add_row(form, "Surface", self.surface_combo, TIPS["surface"])
        add_row(form, "Condition κ", self.condition_spin, TIPS["condition"])
        add_row(form, "Gradient noise", self.gradient_noise_spin, TIPS["gradient_noise"])
        add_row(form, "Model", self.model_combo, TIPS["model"])
        form.addRow(self.standardize_check)
        self.n_label = add_row(form, "Examples N", self.n_spin, TIPS["n_examples"])
        add_row(form, "Noise", self.data_noise_spin, TIPS["data_noise"])
        form.addRow(self.info_label)
        self.setLayout(form)

    def _connect(self) -> None:
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.open_button.clicked.connect(self.openDataRequested)
        for combo in (self.x_combo, self.y_combo, self.surface_combo, self.model_combo):
            combo.currentIndexChanged.connect(self._on_field_changed)
        self.standardize_check.toggled.connect(self._on_field_changed)
        for spin in (
            self.condition_spin,
            self.gradient_noise_spin,
            self.n_spin,
            self.data_noise_spin,
        ):
            spin.valueChanged.connect(self._on_field_changed)

    # -- state -------------------------------------------------------------------------------
    def source(self) -> str:
        """A data set name, CSV_SOURCE or SURFACE_SOURCE."""
        return self.source_combo.currentData()

    def values(self) -> dict:
        """The problem fields of a RunConfig (ConfigError when no CSV file was chosen yet)."""
        source = self.source()
        if source == CSV_SOURCE and not self._csv_path:
            raise ConfigError("choose a CSV file with “Open CSV…”, or pick another source")
        if source == PAINTED and self._points is None:
            raise ConfigError("paint examples in the data view first: View › Paint data (D)")
        dataset = (
            self._dataset
            if source == SURFACE_SOURCE
            else (self._csv_path if source == CSV_SOURCE else source)
        )
        if dataset == self._csv_path:
            columns = (self.x_combo.currentText() or None, self.y_combo.currentText() or None)
        else:
            columns = self._builtin_columns.get(dataset, (None, None))
        return {
            "dataset": dataset,
            "points": self._points if dataset == PAINTED else None,
            "x_column": columns[0],
            "y_column": columns[1],
            "surface": self.surface_combo.currentData() if source == SURFACE_SOURCE else None,
            "model": self.model_combo.currentData(),
            "standardize": self.standardize_check.isChecked(),
            "n_examples": self.n_spin.value(),
            "data_noise": self.data_noise_spin.value(),
            "condition": self.condition_spin.value(),
            "gradient_noise": self.gradient_noise_spin.value(),
        }

    def set_values(self, c: RunConfig) -> None:
        """Show a configuration's problem without emitting ``changed``."""
        with signals_blocked(*self.findChildren(QWidget)):
            self._dataset = c.dataset
            if c.points is not None:
                self._points = c.points
            if c.dataset in DATASET_NAMES:
                self._builtin_columns[c.dataset] = (c.x_column, c.y_column)
            elif c.dataset != PAINTED:
                try:
                    columns = csv_header(c.dataset)
                except DataError:
                    columns = []
                self._fill_csv(c.dataset, columns, c.x_column, c.y_column)
            source = (
                SURFACE_SOURCE
                if c.surface
                else (c.dataset if c.dataset in (*DATASET_NAMES, PAINTED) else CSV_SOURCE)
            )
            self.source_combo.setCurrentIndex(self.source_combo.findData(source))
            if c.surface:
                self.surface_combo.setCurrentIndex(self.surface_combo.findData(c.surface))
            self.model_combo.setCurrentIndex(self.model_combo.findData(c.model))
            self.standardize_check.setChecked(c.standardize)
            self.n_spin.setValue(c.n_examples)
            self.data_noise_spin.setValue(c.data_noise)
            self.condition_spin.setValue(c.condition)
            self.gradient_noise_spin.setValue(c.gradient_noise)
        self._update_visibility()

    def set_csv(self, path: str, columns: list[str]) -> None:
        """Switch to a CSV file with its columns (a user action: emits ``changed``)."""
        self.source_combo.blockSignals(True)
        self.source_combo.setCurrentIndex(self.source_combo.findData(CSV_SOURCE))
        self.source_combo.blockSignals(False)
        self._fill_csv(path, columns, None, None)
        self._dataset = path
        self._update_visibility()
        self.changed.emit()

    def set_info(self, n: int | None, skipped: int, nominal: bool = False,
                 reading: bool = False) -> None:  # fmt: skip
        """Show N and the skipped-row count (``nominal``: a surface's pretend data set;
        ``reading``: N is not known yet because the file is being read)."""
        if n is None:
            self.info_label.setText("Reading the file…" if reading
                                    else "N is not known: the data cannot be read")  # fmt: skip
            return
        text = f"N = {n} {'nominal' if nominal else 'training'} examples"
        if skipped:
            # Short enough for one line of the dock at lecture size: a label that wraps onto
            # a third line after a change of text was cut off (the scroll area sizes its panel
            # from the labels' size hints, not from the lines at their width).
            text += f"\n{skipped} row{'s' if skipped != 1 else ''} skipped (blank or text)"
        self.info_label.setText(text)

    def _fill_csv(self, path: str, columns: list[str], x: str | None, y: str | None) -> None:
        self._csv_path = path
        columns = list(columns) + [c for c in (x, y) if c and c not in columns]
        default_x, default_y = default_columns(path, columns) if columns else (None, None)
        self.file_label.set_full_text(Path(path).name)
        self.file_label.setToolTip(path)
        for combo, pick in ((self.x_combo, x or default_x), (self.y_combo, y or default_y)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(columns)
            combo.setCurrentIndex(max(0, combo.findText(pick or "")))
            combo.blockSignals(False)

    # -- reactions ---------------------------------------------------------------------------
    def _on_source_changed(self, _index: int) -> None:
        source = self.source()
        if source == CSV_SOURCE:
            if self._csv_path:
                self._dataset = self._csv_path
        elif source != SURFACE_SOURCE:
            self._dataset = source
            if source == SYNTHETIC_CLASSES:
                # Two classes call for logistic regression; the student can still switch back.
                self.model_combo.blockSignals(True)
                self.model_combo.setCurrentIndex(self.model_combo.findData("logistic"))
                self.model_combo.blockSignals(False)
        self._update_visibility()
        self.changed.emit()
        if source == CSV_SOURCE and not self._csv_path:
            self.openDataRequested.emit()

    def _on_field_changed(self, *_args) -> None:
        self._update_visibility()
        self.changed.emit()

    def _update_visibility(self) -> None:
        source = self.source()
        surface = source == SURFACE_SOURCE
        csv_file = source == CSV_SOURCE
        bowl = surface and self.surface_combo.currentData() == "bowl"
        rows = {
            self.file_row: csv_file,
            self.x_combo: csv_file,
            self.y_combo: csv_file,
            self.surface_combo: surface,
            self.condition_spin: bowl,
            self.gradient_noise_spin: surface,
            self.model_combo: not surface,
            self.standardize_check: not surface,
            self.n_spin: surface or source in SYNTHETIC,
            self.data_noise_spin: source in SYNTHETIC,
        }
        for widget, visible in rows.items():
            self.form.setRowVisible(widget, visible)
        self.n_label.setText("Nominal N" if surface else "Examples N")
