"""The status line (iteration, epoch, batch, learning rate, loss, gradient norm, run status) and
the short descriptions of hyperparameter changes marked on the loss curve."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel

from gdviz.core.config import RunConfig, epoch_length, short_name, short_value, summarized

NO_BREAK_SPACE, WORD_JOINER = "\u00a0", "\u2060"
STATUS_WORDS = {"running": "ready", "finished": "finished", "converged": "converged",
                "diverged": "DIVERGED"}  # fmt: skip


def describe_changes(old: RunConfig, new: RunConfig) -> str:
    """E.g. ``lr 0.05 → 0.5, batch 10 → 1``: what changed mid-run, for the loss-curve marker."""
    parts = []
    for name in RunConfig.__dataclass_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if before != after and name == "points":  # painted examples: how many, not which
            count = [len(v) if v is not None else "none" for v in (before, after)]
            parts.append(f"painted data {count[0]} → {count[1]} examples")
        elif before != after:
            parts.append(f"{short_name(name)} {short_value(before)} → {short_value(after)}")
    return summarized(parts, 3)


def joined_fields(fields) -> str:
    """The fields separated by " · ", each one unbreakable: enlarged, the line wraps between
    fields, never inside "|gradient| 1.79" or "epoch 3 (batch 2 of 10)", and a line never
    starts with the dot. No-break spaces are not enough: Qt (as Unicode's line breaking
    rules say) breaks after "|" and "(" even before one, so a word joiner (zero width, no
    break on either side) goes between every two characters of a field."""
    glued = [WORD_JOINER.join(field.replace(" ", NO_BREAK_SPACE)) for field in fields]
    return (WORD_JOINER + NO_BREAK_SPACE * 2 + "·  ").join(glued)


class StatusLine(QLabel):
    """One line under the views, updated from the recording."""

    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet("font-size: 12pt;")

    def plain_text(self) -> str:
        """The line as plain text: ordinary spaces, no word joiners."""
        return self.text().replace(NO_BREAK_SPACE, " ").replace(WORD_JOINER, "")

    def update_from(self, recording, rows: int, info, playing: bool) -> None:
        """The line for the first ``rows`` rows of a single run's recording (its last row is
        the one shown: the newest, or the scrubbed one while the timeline is rewound)."""
        row = max(min(rows, recording.end(0)) - 1, 0)
        value = {name: recording.column(name)[row] for name in
                 ("step", "epoch", "batch", "epoch_iterations", "loss", "g1", "g2", "lr", "p1",
                  "p2")}  # fmt: skip
        config, problem = info.configs[0], info.problem
        step, epoch, batch = int(value["step"]), int(value["epoch"]), int(value["batch"])
        ipe = int(value["epoch_iterations"]) or epoch_length(config, problem)
        lr = float(value["lr"])
        lr_text = f"{lr:.3g}" if math.isfinite(lr) else f"{config.lr:.3g}"
        g1, g2 = float(value["g1"]), float(value["g2"])
        grad_text = f"{math.hypot(g1, g2):.3g}" if math.isfinite(g1 + g2) else "–"
        p1, p2 = problem.param_names
        status = recording.statuses[0]
        word = STATUS_WORDS.get(status.status, status.status)
        if row < recording.end(0) - 1:
            word = "rewound: Space replays from here"
        elif status.status == "running":
            word = "running" if playing else ("paused" if step else "ready: press Space")
        self.setText(joined_fields([
            f"Iteration {step:,}", f"epoch {epoch} (batch {batch} of {ipe})", f"lr {lr_text}",
            f"{p1} = {float(value['p1']):.4g}, {p2} = {float(value['p2']):.4g}",
            f"loss {float(value['loss']):.4g}", f"|gradient| {grad_text}", word,
        ]))  # fmt: skip

    def update_compare(self, recording, rows: int, labels: list[str]) -> None:
        """Iteration and each compared run's training loss or status."""
        row = max(rows - 1, 0)
        step = int(recording.column("step")[row])
        parts = []
        for run, (label, status) in enumerate(zip(labels, recording.statuses, strict=True)):
            if status.status == "diverged" and status.step <= step:
                parts.append(f"{label}: diverged at {status.step}")
            else:
                loss = recording.column("loss", run)[min(row, recording.end(run) - 1)]
                parts.append(f"{label}: loss {float(loss):.4g}")
        self.setText(joined_fields([f"Iteration {step:,}", *parts]))
