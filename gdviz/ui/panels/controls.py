"""ControlsPanel: every hyperparameter of a run as widgets that produce a valid RunConfig."""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from gdviz.core.config import RunConfig
from gdviz.core.surfaces import SURFACES
from gdviz.ui.panels.batch_control import BatchSizeControl
from gdviz.ui.panels.log_slider import LearningRateControl
from gdviz.ui.panels.optimizer_group import OptimizerGroup
from gdviz.ui.panels.parameters_box import ParametersBox
from gdviz.ui.panels.problem_group import ProblemGroup
from gdviz.ui.panels.problem_sources import N_FIELDS, PROBLEM_FIELDS, examples_in, reading_data
from gdviz.ui.panels.schedule_group import ScheduleGroup
from gdviz.ui.panels.training_group import TrainingGroup
from gdviz.ui.roles import set_role

DEBOUNCE_MS = 150
PANEL_WIDTH = 320  # fits a dock at 1280x720 next to the views; see minimumSizeHint


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return box


class ControlsPanel(QWidget):
    """The hyperparameter panel of the main window.

    ``configChanging`` carries the tentative config at once on every edit (cheap live labels);
    ``configChanged`` carries it once a burst of edits has been quiet for 150 ms (new runs).
    A combination RunConfig rejects is shown in red at the bottom and not emitted; ``config()``
    then still returns the last valid configuration. ``set_config``, ``set_start`` and
    ``set_problem_info`` are calls from the application and emit nothing (except that
    ``set_problem_info`` emits when it had to shrink the batch size to the new N).
    """

    configChanged = Signal(object)
    configChanging = Signal(object)
    openDataRequested = Signal()

    # RunConfig is frozen, so one shared default instance is safe.
    def __init__(self, config: RunConfig = RunConfig(), parent=None) -> None:  # noqa: B008
        super().__init__(parent)
        self._base = self._last_valid = self._last_emitted = config
        self._updating = False
        self._info: tuple | None = None  # (problem key, N, skipped, lr_max_stable, lr_fastest)
        self._local: tuple | None = None  # (data key, examples_in(...)) computed here
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.parameters = ParametersBox()  # shown, not edited: what training computes
        self.problem = ProblemGroup()
        self.lr = LearningRateControl(config.lr)
        self.batch = BatchSizeControl()
        self.training = TrainingGroup()
        self.optimizer = OptimizerGroup()
        self.schedule = ScheduleGroup()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_role(self.error_label, "error")
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(6)
        for widget in (
            self.parameters,
            self.problem,
            _boxed("Learning rate", self.lr),
            _boxed("Batch size", self.batch),
            self.training,
            self.optimizer,
            self.schedule,
            self.error_label,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        for source in (self.problem, self.batch, self.training, self.optimizer, self.schedule):
            source.changed.connect(self._on_widgets_changed)
        self.lr.valueChanged.connect(self._on_widgets_changed)
        self.problem.openDataRequested.connect(self.openDataRequested)
        self.set_config(config)

    # -- public API --------------------------------------------------------------------------
    def config(self) -> RunConfig:
        """The current configuration (the last valid one while the widgets hold a bad one)."""
        return self._last_valid

    def set_config(self, config: RunConfig) -> None:
        """Show a configuration in every widget, without emitting change signals."""
        self._timer.stop()  # a pending burst is superseded by the application's config
        self._updating = True
        try:
            self._base = config
            self.problem.set_values(config)
            self.lr.set_value(config.lr)
            self.batch.set_values(config.batch_size, config.sampling, config.drop_last)
            self.training.set_values(config)
            self.optimizer.set_values(config)
            self.schedule.set_values(config)
            self._refresh_problem({name: getattr(config, name) for name in PROBLEM_FIELDS})
        finally:
            self._updating = False
        self._last_valid = self._last_emitted = config
        self.error_label.hide()

    def set_problem_info(
        self,
        n_examples: int,
        skipped_rows: int = 0,
        lr_max_stable: float | None = None,
        lr_fastest: float | None = None,
        config: RunConfig | None = None,
    ) -> None:
        """What the application learned from building the current problem: N, skipped rows and
        the learning rates where plain gradient descent diverges (2/λmax) and is fastest.
        ``config`` names the problem they belong to (default: the one the panel shows), so
        they are kept when the panel is shown that configuration next."""
        problem = (self._last_valid_problem() if config is None
                   else {name: getattr(config, name) for name in PROBLEM_FIELDS})  # fmt: skip
        key = self._problem_key(problem)
        self._info = (key, n_examples, skipped_rows, lr_max_stable, lr_fastest)
        if self._refresh_problem(self._last_valid_problem()) and not self._updating:
            self._on_widgets_changed()  # the batch size had to shrink to the new N

    def data_read(self, n_examples: int, skipped_rows: int) -> bool:
        """The CSV the panel shows has been read (its training set: ``n_examples`` examples,
        ``skipped_rows`` skipped): show its N. True when an explicit batch size had to shrink
        to it (then the panel emits the corrected configuration, debounced)."""
        problem = self._last_valid_problem()
        # Told, not read again: standardising 10^6 examples here took 20-30 ms of the GUI thread.
        self._local = (self._problem_key(problem)[: len(N_FIELDS)], (n_examples, skipped_rows))
        changed = self._refresh_problem(problem)
        if changed and not self._updating:
            self._on_widgets_changed()
        return changed

    def set_csv_columns(self, path: str, columns: list[str]) -> None:
        """Use a CSV file (after the application's file dialog) with x/y pickers for columns."""
        self.problem.set_csv(path, columns)  # emits changed -> a new config

    def set_start(self, p1: float, p2: float) -> None:
        """Start from a point (picked on the surface view); the caller applies the config."""
        self.training.set_start(p1, p2)
        try:
            config = self._last_valid.replace(start=(float(p1), float(p2)))
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self._last_valid = self._last_emitted = config

    def minimumSizeHint(self) -> QSize:
        # The dock takes its width from here: wide enough for the form labels and fields, but
        # well under the 360 px a 1280x720 window can spare next to the views.
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), PANEL_WIDTH), hint.height())

    # -- reactions ---------------------------------------------------------------------------
    def _on_widgets_changed(self, *_args) -> None:
        if self._updating:
            return
        try:
            problem = self.problem.values()
            self._refresh_problem(problem)
            config = self._base.replace(
                **problem,
                lr=self.lr.value(),
                **self.batch.values(),
                **self.training.values(),
                **self.optimizer.values(),
                **self.schedule.values(),
            )
        except ValueError as exc:  # ConfigError, from RunConfig's validation
            self._show_error(str(exc))
            return
        self.error_label.hide()
        self._last_valid = config
        self.configChanging.emit(config)
        self._timer.start()  # restarting it is the debounce

    def _on_timer_timeout(self) -> None:
        if self._last_valid != self._last_emitted:
            self._last_emitted = self._last_valid
            self.configChanged.emit(self._last_valid)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(f"Not applied: {message[:1].upper()}{message[1:]}.")
        self.error_label.show()

    # -- problem-dependent parts -------------------------------------------------------------
    def _last_valid_problem(self) -> dict:
        return {name: getattr(self._last_valid, name) for name in PROBLEM_FIELDS}

    def _problem_key(self, problem: dict) -> tuple:
        return tuple(problem.get(name, getattr(self._base, name)) for name in PROBLEM_FIELDS)

    def _refresh_problem(self, problem: dict) -> bool:
        """Update N, batch range, lr markers and start point for the problem in the widgets.
        Returns True when an explicit batch size had to change to fit N."""
        key = self._problem_key(problem)
        fields = dict(zip(PROBLEM_FIELDS, key, strict=True))
        if self._info is not None and self._info[0] == key:
            _, n, skipped, lr_max, lr_fast = self._info
        else:
            # Only these fields change N: standardising or a new model must not re-read a CSV.
            data_key = key[: len(N_FIELDS)]
            if self._local is None or self._local[0] != data_key:
                self._local = (data_key, examples_in(fields))
            n, skipped = self._local[1] if self._local[1] is not None else (None, 0)
            lr_max = lr_fast = None  # markers of another problem would mislead
        changed = self.batch.set_n(n)
        reading = n is None and reading_data(fields)
        self.problem.set_info(n, skipped, nominal=fields["surface"] is not None, reading=reading)
        self.lr.set_markers(lr_max, lr_fast)
        surface = fields["surface"]
        if surface is not None:
            shape = (("x", "y"), SURFACES[surface](fields["condition"]).start)
        else:
            shape = (("w", "b"), (0.0, 0.0))
        self.training.set_problem_shape(*shape)
        self.training.set_iterations_per_epoch(self.batch.iterations())
        return changed
