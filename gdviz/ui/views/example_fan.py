"""ExampleFan: each example's gradient in the batch as a thin arrow, their mean (the batch
gradient) as the bold one, and the gradient of all the data for comparison, on the surface.

All drawn from the point where they were computed (the start of the last step), on one scale:
the longest of them is FAN_FRACTION of the view's width, so their lengths compare. Far from the
minimum the examples pull the same way and the mean is about as long as they are; near it they
pull every way, their mean is short and strays from the gradient of all the data: that is the
noise of SGD. An analytic surface has no examples: its gradient with the noise added and
without are drawn.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gdviz.ui.views import colors as c
from gdviz.ui.views.arrows import Arrow

FAN_FRACTION = 0.4  # the longest arrow, as a fraction of the view's shorter side
MAX_EXAMPLE_ARROWS = 400  # a larger batch: this many of its examples, evenly taken


class ExampleFan:
    """The fan's items in ``view``; :meth:`set_vectors` gives it data, :meth:`place` draws it
    for the current view range (lengths are in pixels)."""

    def __init__(self, view: pg.ViewBox) -> None:
        self.view = view
        self.shafts = pg.PlotCurveItem(connect="pairs")
        self.tips = pg.ScatterPlotItem()
        for item, z in ((self.shafts, 28), (self.tips, 29)):
            item.setZValue(z)
            view.addItem(item, ignoreBounds=True)
        self.mean = Arrow(view, "")
        self.full = Arrow(view, "")
        # The key, in the view's top-left corner: labels at the tips ran into each other where
        # the arrows agree, which is exactly where they are worth looking at.
        self.key = c.corner_text(view)
        self._look = c.Look()
        self._vectors = None  # (origin, examples (k, 2), mean, full, mean label)
        self.hide()

    def restyle(self, look: c.Look) -> None:
        self._look = look
        t = look.theme
        # Grey shafts, tips in the batch's colour (its examples in the data view): the bold
        # mean keeps the gradient arrow's colour, as in every other lesson.
        self.shafts.setPen(c.pen(t.used, look.width(2.5), alpha=0.9))
        c.style_points(self.tips, look.size(9), c.pen(t.batch_edge, 1), c.brush(t.batch))
        self.mean.restyle(look, t.gradient)
        self.full.restyle(look, t.foreground)
        if self.shown:
            self._show_key(self._vectors[4], len(self._vectors[1]) > 0)

    def _show_key(self, labels: tuple[str, str], examples: bool) -> None:
        t = self._look.theme
        lines = [(t.used, "━●", "each example")] if examples else []
        lines += [(t.gradient, "━━", labels[0]), (t.foreground, "━━", labels[1])]
        text = "<br>".join(f"<span style='color: {color}'>{mark}</span> {word}"
                           for color, mark, word in lines)  # fmt: skip
        self.key.setHtml(f"<div style='color: {t.foreground}'>{text}</div>")
        self.key.setFont(self._look.font(c.TICK_PT))
        self.key.fill = c.brush(t.background, t.fill_alpha)
        self.key.setVisible(True)

    @property
    def shown(self) -> bool:
        return self._vectors is not None

    @property
    def vectors(self):
        """``(origin, examples, mean, full, labels)`` as given (None: no fan)."""
        return self._vectors

    def set_vectors(self, origin, examples, mean, full,
                    labels: tuple[str, str] = ("batch mean", "all data")) -> None:  # fmt: skip
        """The vectors to draw from ``origin``: the examples' gradients ``(k, 2)`` (k may be
        0), their mean and the full-data gradient, named in the key by ``labels``; None for
        ``origin`` hides the fan."""
        if origin is None:
            if self._vectors is not None:  # each frame says "none": only a change is drawn
                self._vectors = None
                self.hide()
            return
        examples = np.asarray(examples, dtype=float).reshape(-1, 2)
        if len(examples) > MAX_EXAMPLE_ARROWS:
            examples = examples[np.linspace(0, len(examples) - 1, MAX_EXAMPLE_ARROWS).astype(int)]
        self._vectors = (np.asarray(origin, float), examples, np.asarray(mean, float),
                         np.asarray(full, float), labels)  # fmt: skip
        self._show_key(labels, len(examples) > 0)

    def hide(self) -> None:
        # An empty setData tells the view its bounds changed: a frame would restart its timers.
        for item in (self.shafts, self.tips):
            if item.isVisible():
                item.setData([], [])
                item.setVisible(False)
        self.mean.hide()
        self.full.hide()
        self.key.setVisible(False)

    def place(self, px_per: np.ndarray, side_px: float, in_view) -> bool:
        """Draw for ``px_per`` pixels per unit (x, y) in a view whose shorter side is
        ``side_px`` long; ``in_view``
        tells whether a point is inside the view range. False (nothing drawn) when the origin
        is off screen or nothing has a length."""
        if self._vectors is None:
            return False
        origin, examples, mean, full, _ = self._vectors
        with np.errstate(all="ignore"):
            lengths = np.hypot(*(np.vstack([examples, mean, full]) * px_per).T)
            longest = float(np.max(lengths)) if lengths.size else 0.0
            if not (in_view(origin) and np.isfinite(longest) and longest > 0.0):
                self.hide()
                return False
            scale = FAN_FRACTION * side_px / longest  # data units of gradient -> of the plot
            self.key.setVisible(True)
            tips = origin + examples * scale
            pairs = np.empty((2 * len(tips), 2))
            pairs[0::2], pairs[1::2] = origin, tips
            self.shafts.setData(pairs[:, 0], pairs[:, 1])
            self.tips.setData(tips[:, 0], tips[:, 1])
            for item in (self.shafts, self.tips):
                item.setVisible(True)
            for arrow, vector in ((self.mean, mean), (self.full, full)):
                screen = vector * px_per
                norm = float(np.hypot(*screen))
                if not (np.isfinite(norm) and norm > 0.0):
                    arrow.hide()
                    continue
                arrow.show(origin, origin + vector * scale, screen / norm, "")
        return True
