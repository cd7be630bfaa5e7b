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
        "final_sharpness": None
        if problem.sharpness is None
        else float(problem.sharpness(view["p1"][-1:], view["p2"][-1:])[0]),
        "diverged_at": status.step if status.status == "diverged" else None,
        "reason": status.reason or None,
    }
    summary.update(problem_facts(problem))
    return summary


TRAJECTORY_FIELDS = ("step", "epoch", "batch", "lr", "p1", "p2", "batch_loss", "loss", "g1", "g2")
FORMATS = ("%d", "%d", "%d") + ("%.17g",) * 7


def trajectory_header(param_names, sharpness: bool = False) -> list[str]:
    """``step,epoch,batch,lr,<p1>,<p2>,batch_loss,loss,grad_<p1>,grad_<p2>`` and, for a
    problem with a sharpness (Problem.sharpness), ``sharpness``."""
    p1, p2 = param_names
    return ["step", "epoch", "batch", "lr", p1, p2, "batch_loss", "loss", f"grad_{p1}",
            f"grad_{p2}"] + (["sharpness"] if sharpness else [])  # fmt: skip


def with_sharpness(columns: dict, sharpness) -> dict:
    """``columns`` with a ``sharpness`` column worked out from the parameters of each row by
    ``sharpness(p1, p2)`` (a problem's; None: the columns as they are)."""
    if sharpness is None:
        return columns
    return {**columns, "sharpness": sharpness(columns["p1"], columns["p2"])}


def write_trajectory_rows(
    handle: TextIO, columns: dict, lead=(), examples=None, first_row: int = 0
) -> None:
    """One CSV line per row of ``columns`` (name -> 1-D array, TRAJECTORY_FIELDS and, when
    present, ``sharpness``). Values that do not exist on the start row (row 0; ``first_row``
    is the index of the first row given) are empty; ``lead`` cells go first on every line and
    ``examples(row)``, when given, adds the batch's indices as a last cell."""
    names = TRAJECTORY_FIELDS + (("sharpness",) if "sharpness" in columns else ())
    formats = FORMATS + ("%.17g",) * (len(names) - len(FORMATS))
    table = np.column_stack([columns[name] for name in names])
    lead = list(lead)
    for row_index, row in enumerate(table):
        cells = [
            "" if np.isnan(value) and row_index + first_row == 0 else fmt % value
            for fmt, value in zip(formats, row, strict=True)
        ]
        if examples is not None:
            cells.append(" ".join(map(str, examples(row_index))))
        handle.write(",".join(lead + cells) + "\n")


def write_trajectory_csv(
    handle: TextIO, trainer: Trainer, run: int = 0, with_examples: bool = False
) -> None:
    """One row per update plus the start row (step 0): ``step,epoch,batch,lr,<p1>,<p2>,
    batch_loss,loss,grad_<p1>,grad_<p2>``, ``sharpness`` for a problem that has one, and, with
    ``with_examples``, ``examples`` (space-separated 0-based row indices of the batch). Values
    that do not exist on the start row are empty.

    The rows recorded so far are written, then the trainer is advanced to its budget and each
    new chunk written as it is made: the trainer keeps only the latest chunk's batch indices,
    so every batch reaches the file without the run keeping N indices per iteration."""
    problem = trainer.problem
    header = trajectory_header(problem.param_names, problem.sharpness is not None)
    handle.write(",".join(header + (["examples"] if with_examples else [])) + "\n")
    written = _write_new_rows(handle, trainer, run, 0, with_examples)
    while trainer.active:
        trainer.advance(STREAM_CHUNK, chunk_size=STREAM_CHUNK)  # one chunk: one append
        written = _write_new_rows(handle, trainer, run, written, with_examples)


STREAM_CHUNK = 4096


def _write_new_rows(handle, trainer: Trainer, run: int, written: int, with_examples: bool) -> int:
    """The rows of ``run`` made since the first ``written`` (its valid rows); returns the rows
    written in all. Counted in rows *made*: a long run's trajectory thins its older history,
    but the rows of the latest chunks are always whole (see gdviz.core.trajectory)."""
    trajectory = trainer.trajectory
    stop = int(trajectory.ends[run])
    made = trajectory.made - (trajectory.length - stop)  # a stopped run's rows end earlier
    if made <= written:
        return written
    first = stop - (made - written)
    view = trajectory.run_view(run)
    columns = {name: view[name][first:stop] for name in TRAJECTORY_FIELDS}
    columns = with_sharpness(columns, trainer.problem.sharpness)
    examples = (lambda i: trainer.chunk_examples(first + i)) if with_examples else None
    write_trajectory_rows(handle, columns, examples=examples, first_row=written)
    return made


def write_sweep_csv(handle: TextIO, rates, final_loss, status, diverged_at) -> None:
    """``lr,final_loss,status,diverged_at``, one line per learning rate (an empty loss for a
    run that diverged, an empty step for one that did not)."""
    handle.write("lr,final_loss,status,diverged_at\n")
    for lr, loss, state, at in zip(rates, final_loss, status, diverged_at, strict=True):
        loss_text = f"{float(loss):.17g}" if np.isfinite(loss) else ""
        handle.write(f"{float(lr):.17g},{loss_text},{state},{'' if at is None else at}\n")
