"""Axis ranges that move in steps: a range is kept while the data fits it well, and replaced by a
rounded one with headroom when the data leaves it or shrinks into a small part of it.

Why: an axis repaints (its ticks and labels, in software ~3 ms each) whenever its range changes,
and an autorange that follows a growing run changes it every frame; pyqtgraph's autorange also
runs just before a paint, so each frame painted the loss view twice (benchmarks/bench_cpu.py).
With steps an axis repaints a few times a run instead of every frame. Pure numpy: no Qt here.
"""

from __future__ import annotations

import math

import numpy as np

HEADROOM = 0.25  # a growing run's x range reaches this fraction of its span beyond it
FILL = 0.4  # a kept range must have the data span at least this fraction of it
PAD = 0.04  # the bounds of a new range sit this fraction of the span outside the data
LOG_STEP = 0.5  # log axes (log10 units) are rounded to half decades


def nice_step(span: float) -> float:
    """The 1-2-5 multiple of a power of ten nearest below ``span / 4``: ranges are rounded to
    it, so a new range reads as tick values (0-2500, not 0-2317.4)."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / 4
    if not raw >= 1e-300:  # subnormal: a power of ten of it underflows to 0 (hypothesis: 5e-324)
        return span
    power = 10.0 ** math.floor(math.log10(raw))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= raw)


def fits(shown: tuple[float, float] | None, lo: float, hi: float) -> bool:
    """Whether the data [lo, hi] lies inside ``shown`` and fills at least FILL of it."""
    if shown is None:
        return False
    a, b = shown
    return a <= lo and hi <= b and (hi - lo) >= FILL * (b - a)


def stepped_range(shown, lo: float, hi: float, log: bool = False):
    """The range to show data spanning [lo, hi]: ``shown`` itself while :func:`fits` holds,
    else a new one, PAD beyond the data and rounded. Data that is not negative (a loss) is
    shown from zero on a linear axis: a loss falling from 614 to 99 must not fill the axis as
    if it had fallen to nothing. ``log``: the values are log10 units, rounded to LOG_STEP."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return shown
    if hi < lo:
        lo, hi = hi, lo
    if not log and lo >= 0:
        lo = 0.0
    if fits(shown, lo, hi):
        return shown
    span = hi - lo
    if log:
        pad = max(PAD * span, 0.05)
        return (LOG_STEP * math.floor((lo - pad) / LOG_STEP),
                LOG_STEP * math.ceil((hi + pad) / LOG_STEP))  # fmt: skip
    if span <= 0:  # one value: a unit (or its own size) around it; zero: from zero up
        half = max(abs(lo) * 0.1, 0.5)
        return (0.0, 1.0) if lo == 0 else (lo - half, hi + half)
    if not span / 4 >= 1e-300:  # subnormal: no power of ten to round to, the data padded
        return (lo - PAD * span if lo < 0 else lo, hi + PAD * span)
    step = nice_step(span)
    low = lo - PAD * span
    if lo >= 0 > low:
        low = 0.0
    return (step * math.floor(low / step), step * math.ceil((hi + PAD * span) / step))


def run_range(shown, first: float, last: float, growing: bool, end: float | None = None):
    """The x range of a run's curves from ``first`` to ``last`` (iterations, epochs or examples
    seen). ``end``, where the run will stop (its budget), frames the whole run from the start:
    the empty axis says what is coming and a slow run is seen to be far from done. Without it,
    while the run grows its end has HEADROOM, rounded, and is passed rarely: a run at a steady
    rate changes its range O(log steps) times. A still run (paused, finished, rewound) is
    framed tightly, 2 % each side, as an exported picture should be."""
    first, last = float(first), float(last)
    if not (math.isfinite(first) and math.isfinite(last)):
        return shown
    if end is not None and math.isfinite(end) and end > first and end >= last:
        return (first - 0.02 * (end - first), end + 0.02 * (end - first))
    span = max(last - first, 1.0)
    if not growing:
        return (first - 0.02 * span, last + 0.02 * span)
    if shown is not None and shown[0] <= first and last <= shown[1] and fits(shown, first, last):
        return shown
    end = last + HEADROOM * span
    end = first + nice_step(end - first) * math.ceil((end - first) / nice_step(end - first))
    return (first - 0.02 * (end - first), end)


def data_box(x, *curves) -> tuple | None:
    """``(x0, x1, y0, y1, p0, p1)``: the x extent (``x`` in order), the finite y extent of all
    ``curves`` and their positive extent (None, None without positive values); None without
    finite data."""
    x = np.asarray(x, float)
    y = np.concatenate([np.asarray(curve, float).ravel() for curve in curves])
    y = y[np.isfinite(y)]
    if not x.size or not y.size:
        return None
    positive = y[y > 0]
    p0, p1 = (float(positive.min()), float(positive.max())) if positive.size else (None, None)
    return float(x[0]), float(x[-1]), float(y.min()), float(y.max()), p0, p1


TAIL_MIN_FRACTION = 0.05  # the tail never includes the first 5 % of the rows
TAIL_FACTOR = 2.0  # the first drop ends where the loss is within 2x the later typical loss


def tail_start(loss) -> int:
    """The first row after the run's first drop: where the loss first comes within TAIL_FACTOR
    times the median of the later half (and not before TAIL_MIN_FRACTION of the rows).

    Framing the rows from there, SGD's jagged curve fills the plot: the first iterations' loss,
    hundreds of times the noise, squashed it into a flat line at the bottom. A run whose loss
    never settles (no finite later half) is framed whole (0)."""
    loss = np.asarray(loss, float)
    n = loss.size
    later = loss[n // 2 :]
    later = later[np.isfinite(later)]
    if n < 4 or not later.size:
        return 0
    typical = float(np.median(later))
    if not typical > 0:
        return 0
    settled = np.flatnonzero(loss <= TAIL_FACTOR * typical)
    first = int(settled[0]) if settled.size else 0
    return max(first, math.ceil(TAIL_MIN_FRACTION * n))
