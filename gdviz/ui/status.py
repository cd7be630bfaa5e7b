"""The status line (iteration, epoch, batch, learning rate, loss, gradient norm, run status) and
the short descriptions of hyperparameter changes marked on the loss curve."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel

from gdviz.core.config import RunConfig

STATUS_WORDS = {"running": "ready", "finished": "finished", "converged": "converged",
                "diverged": "DIVERGED"}  # fmt: skip


def describe_changes(old: RunConfig, new: RunConfig) -> str:
    """E.g. ``lr 0.05 → 0.5, batch 10 → 1``: what changed mid-run, for the loss-curve marker."""
    short = {"lr": "lr", "batch_size": "batch", "optimizer": "optimizer", "momentum": "momentum"}
    parts = []
    for name in RunConfig.__dataclass_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = short.get(name, name.replace("_", " "))
            parts.append(f"{label} {_fmt(before)} → {_fmt(after)}")
    return ", ".join(parts[:3]) + (" …" if len(parts) > 3 else "")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "auto" if value is None else str(value)


class StatusLine(QLabel):
    """One line under the views, updated from the run buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet("font-size: 12pt;")

    def update_from(self, buffer, status, problem, config: RunConfig, running: bool) -> None:
        step = int(buffer.last("step", 0))
        ipe = buffer.iterations_per_epoch
        epoch, batch = int(buffer.last("epoch", 0)), int(buffer.last("batch", 0))
        loss = float(buffer.last("loss"))
        g1, g2 = float(buffer.last("g1")), float(buffer.last("g2"))
        lr = float(buffer.last("lr"))
        lr_text = f"{lr:.3g}" if math.isfinite(lr) else f"{config.lr:.3g}"
        grad_text = f"{math.hypot(g1, g2):.3g}" if math.isfinite(g1 + g2) else "–"
        p1, p2 = problem.param_names if problem is not None else ("p1", "p2")
        w, b = float(buffer.last("p1")), float(buffer.last("p2"))
        word = STATUS_WORDS.get(status.status, status.status)
        if status.status == "running":
            word = "running" if running else ("paused" if step else "ready: press Space")
        self.setText(
            f"Iteration {step:,}  ·  epoch {epoch} (batch {batch} of {ipe})  ·  lr {lr_text}  ·  "
            f"{p1} = {w:.4g}, {p2} = {b:.4g}  ·  loss {loss:.4g}  ·  |gradient| {grad_text}  ·  "
            f"{word}"
        )

    def update_compare(self, buffer, statuses, labels: list[str]) -> None:
        """Iteration and each compared run's training loss or status."""
        step = int(buffer.last("step", 0))
        parts = []
        for run, (label, status) in enumerate(zip(labels, statuses, strict=True)):
            if status.status == "diverged":
                parts.append(f"{label}: diverged at {status.step}")
            else:
                parts.append(f"{label}: loss {buffer.last_valid('loss', run):.4g}")
        self.setText(f"Iteration {step:,}  ·  " + "  ·  ".join(parts))
