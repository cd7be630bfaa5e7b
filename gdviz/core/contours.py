"""Contour lines of a loss grid (numpy only): levels and marching-squares segments."""

from __future__ import annotations

import numpy as np

CONTOURS = 12


def contour_levels(loss: np.ndarray, count: int = CONTOURS) -> np.ndarray:
    """Levels at log-spaced quantiles of the grid: dense near the minimum, where the path ends,
    and sparse on the steep walls. Quantiles do not depend on the colour scale."""
    finite = loss[np.isfinite(loss)]
    if finite.size < 4:
        return np.zeros(0)
    levels = np.unique(np.quantile(finite, np.geomspace(0.003, 0.85, count)))
    return levels[levels > finite.min()]


def contour_segments(x, y, z, levels) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares, vectorised over cells: line segments as point pairs (draw with
    ``connect='pairs'``). ``z[j, i]`` is the value at ``(x[i], y[j])``. This is ~50x faster than
    one pg.IsocurveItem per level."""
    xs, ys = [], []
    for level in levels:
        above = np.nan_to_num(z, nan=-np.inf) > level
        b00, b10, b01, b11 = above[:-1, :-1], above[:-1, 1:], above[1:, :-1], above[1:, 1:]
        # Crossed edges in the order bottom, right, top, left.
        edges = np.stack([b00 != b10, b10 != b11, b01 != b11, b00 != b01])
        jj, ii = np.nonzero(edges.any(axis=0))
        if jj.size == 0:
            continue
        za, zb, zc, zd = z[jj, ii], z[jj, ii + 1], z[jj + 1, ii], z[jj + 1, ii + 1]
        x0, x1, y0, y1 = x[ii], x[ii + 1], y[jj], y[jj + 1]
        px = np.stack([_lerp(x0, x1, za, zb, level), x1, _lerp(x0, x1, zc, zd, level), x0])
        py = np.stack([y0, _lerp(y0, y1, zb, zd, level), y1, _lerp(y0, y1, za, zc, level)])
        flags = edges[:, jj, ii]
        first = np.argmax(flags, axis=0)
        last = 3 - np.argmax(flags[::-1], axis=0)
        segments = [(np.arange(jj.size), first, last)]
        saddle = np.nonzero(flags.all(axis=0))[0]
        if saddle.size:  # two segments: the centre decides which corners they cut off
            centre = (za + zb + zc + zd)[saddle] / 4 > level
            same = centre == b00[jj[saddle], ii[saddle]]
            first[saddle], last[saddle] = np.where(same, 0, 3), np.where(same, 1, 0)
            segments.append((saddle, np.where(same, 2, 1), np.where(same, 3, 2)))
        for cols, e1, e2 in segments:
            xs.append(np.column_stack([px[e1, cols], px[e2, cols]]).ravel())
            ys.append(np.column_stack([py[e1, cols], py[e2, cols]]).ravel())
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def _lerp(p, q, zp, zq, level):
    with np.errstate(all="ignore"):
        t = (level - zp) / (zq - zp)
    return p + np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0) * (q - p)
