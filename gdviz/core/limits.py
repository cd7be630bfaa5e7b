"""Memory a run needs, checked before it starts: a run that would not fit is refused with one
line saying how much it needs and how much there is, instead of a MemoryError later."""

from __future__ import annotations

from gdviz.core.trajectory import FLOAT_FIELDS, INT_FIELDS, rows_within

ROW_BYTES = 8 * (len(FLOAT_FIELDS) + len(INT_FIELDS) + 1)  # every field of a row, and its step
HEADROOM = 0.8  # of the memory available, what one run may take
# What a run's recording may hold (gdviz.core.trajectory thins its history beyond it): ~650,000
# rows of one run. The window's whole memory stays near 300 MB however long the run.
RECORDING_BYTES = 64 * 1024**2


MAX_RUN_STEPS = 1_000_000_000  # runs x steps of one sweep: ~3-4 minutes of lockstep here


def work_problem(steps: int, runs: int) -> str | None:
    """Why ``runs`` runs of ``steps`` iterations are too much work for one sweep (None: not)."""
    work = int(steps) * int(runs)
    if runs <= 1 or work <= MAX_RUN_STEPS:
        return None
    return (f"{runs:,} runs x {int(steps):,} iterations is {work:.1e} run-iterations, more than "
            f"the {MAX_RUN_STEPS:.0e} of one sweep (minutes of computing): choose fewer runs or "
            "iterations")  # fmt: skip


def recording_rows(runs: int = 1) -> int:
    """Rows a recording of ``runs`` runs keeps at most (its history thinned beyond)."""
    return rows_within(RECORDING_BYTES, runs)


def available_memory() -> int | None:
    """Bytes of memory available for new allocations (Linux: MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def gigabytes(count: int) -> str:
    return f"{count / 1024**3:.1f} GB" if count >= 1024**3 else f"{count / 1024**2:.0f} MB"


def memory_problem(rows: int, runs: int = 1, available: int | None = None) -> str | None:
    """Why ``rows`` recorded iterations of ``runs`` runs would not fit in memory (None: they
    fit, or the available memory is not known)."""
    needed = int(rows) * int(runs) * ROW_BYTES
    available = available_memory() if available is None else available
    if available is None or needed <= HEADROOM * available:
        return None
    return (f"it would need about {gigabytes(needed)} of memory ({rows:,} iterations x "
            f"{runs:,} run(s) x {ROW_BYTES} bytes) and {gigabytes(available)} are available: "
            "choose fewer steps, epochs or runs")  # fmt: skip
