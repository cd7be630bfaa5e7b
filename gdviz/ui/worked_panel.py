"""The worked update (U): the iteration shown, written out with its numbers as on a blackboard.

For the row the views show (the newest, or the timeline's), the panel says which batch was
drawn, each example's x, y and gradient and their mean, the learning rate with the schedule's
factor, and each parameter's update as the optimizer's docstring writes it, with the numbers
plugged in (gdviz.core.explain, the same object ``gdviz explain`` prints). It follows Step,
Step back and the timeline. Each equation takes two lines, its formula and then its numbers, so
that at lecture size the two parameters fit side by side under the views.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QWidget,
)

from gdviz.core.explain import WorkedUpdate, num
from gdviz.core.noise_scale import gradient_noise_scale

BATCH_ROWS = 5  # examples listed across; a larger batch says how many more there are
NOISE_SCALE_PASS = 20_000  # examples a frame may pass over for the noise scale (~1 ms)


class WorkedUpdatePanel(QDockWidget):
    """A dock under the views; :meth:`show_update` fills it (the window's frames call it with
    the shown iteration while it is visible)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Worked update", parent)
        self.setObjectName("worked_update")
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(32)
        self.batch = self._label()
        self.parameters = (self._label(), self._label())
        self.batch.setToolTip("The gradient noise scale B_simple = tr Σ/|G|² of all the "
                              "examples' gradients here: the batch size at which a batch's "
                              "noise equals the gradient's signal. Much larger batches barely "
                              "calm a step more (Shift+B measures it).")  # fmt: skip
        layout.addWidget(self.batch, 3)
        for label in self.parameters:
            layout.addWidget(label, 2)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        self.setWidget(scroll)
        self.shown_key: tuple | None = None  # what is shown: (run, step, settings changed)
        self._fitted: tuple | None = None  # (lines, window height) the dock was fitted to

    @staticmethod
    def _label() -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_note(self, text: str, key: tuple | None = None) -> None:
        """No update to work out (the start, a comparison, a reopened recording): say why."""
        self.shown_key = key
        self.batch.setText(f"<p>{html.escape(text)}</p>")
        for label in self.parameters:
            label.clear()
        self.fit(0)

    def show_update(self, work: WorkedUpdate, key: tuple | None = None,
                    noise_scale: float | None = None) -> None:  # fmt: skip
        """The update, and the gradient noise scale at its parameters when given."""
        self.shown_key = key
        self.batch.setText(header_html(work) + batch_html(work)
                           + noise_scale_html(noise_scale, work.batch_size))  # fmt: skip
        for label, lines in zip(self.parameters, work.lines_by_parameter, strict=True):
            label.setText(equation_html(lines))
        self.fit(max(len(lines) for lines in work.lines_by_parameter))

    def fit(self, lines: int) -> None:
        """As tall as the lines need (Adam's are the most), at most 40 % of the window: the
        views above keep the picture the numbers belong to. Fitted again only when the
        number of lines or the window's height changes, so that a height the lecturer
        dragged it to stays."""
        window = self.parentWidget()
        if not isinstance(window, QMainWindow) or not self.isVisible():
            return
        fitted = (lines, window.height())
        if fitted == self._fitted:
            return
        self._fitted = fitted
        height = min(self.wanted_height(), int(0.4 * window.height()))
        window.resizeDocks([self], [height], Qt.Orientation.Vertical)

    def follow(self, engine, recording, rows: int) -> None:
        """Show the iteration of row ``rows - 1`` of ``engine``'s recording (the row the views
        show), worked out again only when it is another one than shown."""
        step = int(recording.column("step")[rows - 1]) if rows else 0
        key = (engine.run_id, step, len(recording.markers))  # a change of settings: anew
        if key == self.shown_key:
            return
        work = engine.worked_update(step)
        if work is not None:
            self.show_update(work, key, shown_noise_scale(engine.problem, work))
        elif engine.comparing:
            self.show_note("The worked update follows a single run; a comparison runs several "
                           "at once.", key)  # fmt: skip
        elif step == 0:
            names = engine.problem.param_names
            p1, p2 = (float(recording.column(name)[0]) for name in ("p1", "p2"))
            start = f"The start: {names[0]} = {num(p1)}, {names[1]} = {num(p2)}."
            self.show_note(f"{start} Press → (Step) for the first update, worked out here.", key)
        else:
            self.show_note("A saved recording has no run to work its steps out again: press R "
                           "to run it, and each step is worked out here.", key)  # fmt: skip

    def wanted_height(self) -> int:
        """The height that shows every line without scrolling (title bar included)."""
        body = self.widget().widget()
        body.layout().activate()
        title = self.style().pixelMetric(self.style().PixelMetric.PM_TitleBarHeight)
        return body.sizeHint().height() + title + 8

    def plain_text(self) -> str:
        """What the panel says, as plain text (tests read it)."""
        return "\n".join(label.text() for label in (self.batch, *self.parameters))


def header_html(work: WorkedUpdate) -> str:
    where = f"epoch {work.epoch}, batch {work.batch:,} of {work.iterations_per_epoch:,}"
    return (f"<p><b>Iteration {work.step:,}</b> &nbsp;·&nbsp; {where} &nbsp;·&nbsp; "
            f"{html.escape(work.equation[0])}</p>")  # fmt: skip


def batch_html(work: WorkedUpdate) -> str:
    """The batch's examples across (x, y and each one's gradient, then their mean: the batch
    gradient), or (an analytic surface) the point, its gradient and the noise added."""
    n1, n2 = work.names
    if work.true_grad is not None:
        columns = [("point", work.params_before), (f"∂f/∂{n1}, ∂f/∂{n2}", work.true_grad),
                   ("+ noise", work.noise), ("= gradient used", work.grad)]  # fmt: skip
        return _table(["", n1, n2], [[name, num(a), num(b)] for name, (a, b) in columns])
    size = work.batch_size
    shown = [work.example(k) for k in range(min(size, BATCH_ROWS))]
    more = size - len(shown)
    x_name = "x (std)" if work.standardized else "x"  # the model's x: standardised
    rows = [
        ["example", *(f"#{e.index}" for e in shown)],
        [x_name, *(num(e.x) for e in shown)],
        ["y", *(num(e.y) for e in shown)],
        [f"∂L/∂{n1}", *(num(e.grad[0]) for e in shown)],
        [f"∂L/∂{n2}", *(num(e.grad[1]) for e in shown)],
    ]
    if more:
        for row, text in zip(rows, (f"+{more:,}", "…", "…", "…", "…"), strict=True):
            row.append(text)
    mean = "the one" if size == 1 else f"mean of {size:,}"
    for row, text in zip(rows, (f"<b>{mean}</b>", "", "", f"<b>{num(work.grad[0])}</b>",
                                f"<b>{num(work.grad[1])}</b>"), strict=True):  # fmt: skip
        row.append(text)
    return _table(None, rows)


def shown_noise_scale(problem, work: WorkedUpdate) -> float | None:
    """B_simple at the step's parameters, where it costs the GUI thread little: O(1) for
    linear regression and the surfaces, a pass over the data otherwise (logistic
    regression), which is made for at most NOISE_SCALE_PASS examples (each frame of a
    playing run works a new step out)."""
    if not problem.cheap_gradient_statistics and problem.n_examples > NOISE_SCALE_PASS:
        return None
    return gradient_noise_scale(problem, *work.params_before)


def noise_scale_html(noise_scale: float | None, batch_size: int) -> str:
    """B_simple beside the batch size used (nothing where it is not defined: an exact
    gradient, or G = 0)."""
    if noise_scale is None:
        return ""
    # Short, so that it stays within the batch table's width at lecture size (a longer line
    # widened the column and pushed the equations off the dock); the tooltip says more.
    size = f"; B = {batch_size:,}" if batch_size else ""
    return (f"<p>noise scale B<sub>simple</sub> = tr Σ/|G|² = "
            f"<b>{noise_scale:.3g}</b>{size}</p>")  # fmt: skip


def _table(head, rows) -> str:
    """An HTML table: the first column's cells left-aligned, the others' right (numbers)."""

    def cells(row, tag="td"):
        return "".join(f"<{tag} align={'left' if i == 0 else 'right'}>{c}</{tag}>"
                       for i, c in enumerate(row))  # fmt: skip

    top = f"<tr>{cells(head, 'th')}</tr>" if head else ""
    body = "".join(f"<tr>{cells(row)}</tr>" for row in rows)
    return f"<table cellspacing=0 cellpadding=3>{top}{body}</table>"


def equation_lines(line: str) -> tuple[str, str]:
    """An equation as two lines: its formula, then ``= numbers = result`` (the result last)."""
    parts = line.split(" = ")
    if len(parts) < 3:
        return line, ""
    if "←" in parts[0]:
        return parts[0], "= " + " = ".join(parts[1:])
    return f"{parts[0]} = {parts[1]}", "= " + " = ".join(parts[2:])


def equation_html(lines) -> str:
    rows = []
    for line in lines:
        formula, numbers = equation_lines(line)
        if numbers:
            value, _, result = numbers.rpartition(" = ")
            numbers = f"{html.escape(value)} = <b>{html.escape(result)}</b>" if value else (
                html.escape(numbers))  # fmt: skip
        rows.append(f"<tr><td>{html.escape(formula)}</td></tr>"
                    f"<tr><td>&nbsp;&nbsp;&nbsp;{numbers}</td></tr>")  # fmt: skip
    return f"<table cellspacing=0 cellpadding=1>{''.join(rows)}</table>"
