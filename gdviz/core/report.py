"""Results as people and tools read them: the run summary and the trajectory CSV."""

from __future__ import annotations

from typing import TextIO

import numpy as np

from gdviz.core.batching import iterations_per_epoch
from gdviz.core.engine import Trainer
from gdviz.core.surface import curvature


def problem_facts(problem) -> dict:
    """Optimum, Hessian eigenvalues and learning-rate limits, where the problem has them."""
    facts: dict = {"n_examples": problem.n_examples}
    data = getattr(problem, "data", None)
    facts["skipped_rows"] = data.skipped_rows if data is not None else 0
    minima = problem.minima()
    names = problem.param_names
    facts["optimum"] = dict(zip(names, minima[0], strict=True)) if minima else None
    facts["optimum_loss"] = float(problem.full_loss(*minima[0])) if minima else None
    facts["hessian_eigenvalues"] = None
    facts["lr_max_stable"] = facts["lr_fastest"] = None
    shape = curvature(problem)
    if shape is not None:
        facts["hessian_eigenvalues"] = list(shape.eigenvalues)
        facts["lr_max_stable"] = shape.lr_max_stable
        facts["lr_fastest"] = shape.lr_fastest
    return facts


def run_summary(trainer: Trainer, run: int = 0) -> dict:
    """The JSON summary of one run of a trainer (after ``finish()``)."""
    problem, status = trainer.problem, trainer.statuses[run]
    view = trainer.trajectory.run_view(run)
    sampler = trainer.samplers[min(run, len(trainer.samplers) - 1)]
    ipe = iterations_per_epoch(
        sampler.n_examples, sampler.batch_size, sampler.drop_last, sampler.sampling
    )
    steps = int(view["step"][-1])
    p1, p2 = problem.param_names
    summary = {
        "status": status.status,
        "steps": steps,
        "epochs": steps / ipe,
        "iterations_per_epoch": ipe,
        "batch_size": sampler.batch_size,
        "final": {p1: float(view["p1"][-1]), p2: float(view["p2"][-1])},
        "final_loss": float(view["loss"][-1]),
        "diverged_at": status.step if status.status == "diverged" else None,
        "reason": status.reason or None,
    }
    summary.update(problem_facts(problem))
    return summary


def write_trajectory_csv(
    handle: TextIO, trainer: Trainer, run: int = 0, with_examples: bool = False
) -> None:
    """One row per update plus the start row (step 0): ``step,epoch,batch,lr,<p1>,<p2>,
    batch_loss,loss,grad_<p1>,grad_<p2>`` and, with ``with_examples``, ``examples`` (space-separated
    0-based row indices of the batch). Values that do not exist on the start row are empty."""
    p1, p2 = trainer.problem.param_names
    columns = ["step", "epoch", "batch", "lr", p1, p2, "batch_loss", "loss", f"grad_{p1}",
               f"grad_{p2}"]  # fmt: skip
    handle.write(",".join(columns + (["examples"] if with_examples else [])) + "\n")
    view = trainer.trajectory.run_view(run)
    table = np.column_stack([view[name] for name in (
        "step", "epoch", "batch", "lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")])  # fmt: skip
    formats = ["%d", "%d", "%d"] + ["%.17g"] * 7
    for row_index, row in enumerate(table):
        cells = [
            "" if np.isnan(value) and row_index == 0 else fmt % value
            for fmt, value in zip(formats, row, strict=True)
        ]
        if with_examples:
            cells.append(" ".join(map(str, trainer.trajectory.examples(row_index))))
        handle.write(",".join(cells) + "\n")
