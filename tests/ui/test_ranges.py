"""Axis ranges in steps (gdviz/ui/views/ranges.py) and the loss view that uses them: the range
holds the data, is kept while the data fits it, and a growing run changes it O(log) times
instead of every frame (each change repaints the axes, benchmarks/bench_cpu.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gdviz.ui.views.ranges import FILL, fits, nice_step, run_range, stepped_range

finite = st.floats(-1e12, 1e12, allow_nan=False)


@given(finite, finite)
@example(0.0, 5e-324)  # found by hypothesis: span / 4 underflowed to 0, log10(0) raised
@example(0.0, -2.225073858507203e-309)  # found by hypothesis: rounded to a subnormal step, the
# range was three times the data's span
def test_new_range_holds_the_data_and_is_kept(a, b):
    lo, hi = min(a, b), max(a, b)
    shown = stepped_range(None, lo, hi)
    assert shown[0] <= lo and hi <= shown[1]
    if lo >= 0:  # a loss is shown from zero: its fall is seen in proportion
        assert shown[0] == 0
    low = min(lo, 0.0) if lo >= 0 else lo
    if hi > low:
        assert (hi - low) >= FILL * (shown[1] - shown[0])
        assert stepped_range(shown, lo, hi) == shown  # kept: no new range


@given(st.floats(-30, 30), st.floats(0, 30))
def test_log_range_is_half_decades_around_the_data(lo, span):
    shown = stepped_range(None, lo, lo + span, log=True)
    assert shown[0] <= lo and lo + span <= shown[1]
    for bound in shown:
        assert bound * 2 == pytest.approx(round(bound * 2))


def test_nice_step_is_one_two_five():
    assert nice_step(1000) == 200
    assert nice_step(40) == 10
    assert nice_step(3e-3) == pytest.approx(5e-4)
    for span in np.geomspace(1e-6, 1e9, 97):
        step = nice_step(span)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 9) in (1, 2, 5) and step <= span / 4 < 10 * step


def test_growing_run_changes_its_range_rarely():
    """A run's x axis from 1 to 10^6 iterations: at most a few dozen new ranges (every frame
    was a new range before), and every one holds the data."""
    shown, changes = None, 0
    for x1 in np.unique(np.geomspace(1, 1e6, 5000).round()):
        new = run_range(shown, 0.0, float(x1), growing=True)
        changes += new != shown
        shown = new
        assert shown[0] < 0 <= x1 <= shown[1]  # the first tick (0) inside, not on the edge
    assert changes <= 3 * math.log(1e6) / math.log(1 + 0.25)  # at least 25 % growth each time
    still = run_range(shown, 0.0, 1e6, growing=False)  # paused or finished: framed tightly
    assert still == pytest.approx((-2e4, 1.02e6))


def test_shrunk_data_gets_a_new_range():
    shown = stepped_range(None, 0.0, 1000.0)
    assert not fits(shown, 0.0, 10.0)
    assert stepped_range(shown, 0.0, 10.0)[1] <= 25


def test_a_short_run_is_framed_whole_from_its_start():
    """Reproduction: before a run the loss axis read -0.01 ... 0.01 iterations and 550-675 for
    the loss; now it shows the whole budget and the loss from zero to the start."""
    assert run_range(None, 0.0, 0.0, growing=False, end=500.0) == pytest.approx((-10.0, 510.0))
    assert run_range(None, 0.0, 120.0, growing=True, end=500.0) == pytest.approx((-10.0, 510.0))
    assert run_range(None, 0.0, 600.0, growing=True, end=500.0)[1] >= 600  # continued beyond
    low, high = stepped_range(None, 613.9, 613.9)
    assert low == 0 and 613.9 <= high <= 700


def test_non_finite_data_keeps_the_range():
    assert stepped_range((0.0, 1.0), 0.0, math.inf) == (0.0, 1.0)
    assert stepped_range(None, math.nan, 1.0) is None


def test_loss_view_range_changes_in_steps(qtbot):
    """Reproduction: the view's range changed on every set_data (autorange and the run's x
    extent), and with it both axes repainted; now 2,000 frames of a growing run change it a
    few dozen times, and the curves stay inside it."""
    from gdviz.ui.views.loss_view import LossView

    view = LossView()
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.show()
    changes = []
    view.plot.getViewBox().sigRangeChanged.connect(lambda *_: changes.append(1))
    steps = np.arange(20_001, dtype=float)
    loss = 5 * np.exp(-steps / 3000) + 1
    noisy = loss * (1 + 0.3 * np.random.default_rng(0).standard_normal(steps.size) ** 2)
    for n in range(10, 20_001, 10):
        view.set_data(steps[:n], noisy[:n], loss[:n], growing=True)
    assert len(changes) < 60
    (x0, x1), (y0, y1) = view.plot.getViewBox().viewRange()
    assert x0 <= 0 and x1 >= 20_000
    assert y0 <= min(noisy.min(), loss.min()) and y1 >= max(noisy.max(), loss.max())


def test_loss_view_keeps_a_user_zoom_until_asked(qtbot):
    from gdviz.ui.views.loss_view import LossView

    view = LossView()
    qtbot.addWidget(view)
    view.show()
    x = np.arange(100.0)
    view.set_data(x, 10 - 0.05 * x, 10 - 0.05 * x)
    box = view.plot.getViewBox()
    box.scaleBy((0.5, 0.5))  # a user zoom (as the mouse wheel does)
    box.sigRangeChangedManually.emit(box.state["mouseEnabled"])
    zoomed = box.viewRange()
    x = np.arange(400.0)
    view.set_data(x, 10 - 0.01 * x, 10 - 0.01 * x)
    assert box.viewRange() == zoomed
    view.follow()  # the "A" button
    (x0, x1), _ = box.viewRange()
    assert x0 <= 0 and x1 >= 399


def test_the_lowest_loss_is_the_least_squares_loss_and_is_drawn(qtbot):
    """Lessons 1-3: "far from done" is the gap between the curve and the lowest possible loss,
    now a dashed line; its value is that of numpy's least-squares fit, independently."""
    from gdviz.core.config import RunConfig, build_problem
    from gdviz.core.surface import lowest_loss
    from gdviz.ui.views.loss_view import LossView

    problem = build_problem(RunConfig())
    x, y = problem.data.x, problem.data.y
    (w, b), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    assert lowest_loss(problem) == pytest.approx(float(problem.full_loss(w, b)), rel=1e-12)
    assert lowest_loss(build_problem(RunConfig(surface="saddle"))) is None  # no minimum
    view = LossView()
    qtbot.addWidget(view)
    view.show()
    view.set_lowest(18.78)
    steps = np.arange(100.0)
    view.set_data(steps, 600 * 0.97**steps + 100, 600 * 0.97**steps + 100, end=500.0)
    assert view.lowest_line.isVisible() and view.lowest_line.value() == pytest.approx(18.78)
    assert "╌╌ lowest 18.78" in view.key.text()  # in the key, not over the curve
    _, (y0, y1) = view.plot.getViewBox().viewRange()
    assert y0 <= 18.78 <= y1
    view.set_log_y(True)
    assert view.lowest_line.value() == pytest.approx(np.log10(18.78))
    view.set_lowest(None)
    assert not view.lowest_line.isVisible()


# -- the tail: SGD's noise fills the plot ---------------------------------------------------------
def test_the_tail_starts_after_the_first_drop():
    from gdviz.ui.views.ranges import TAIL_MIN_FRACTION, tail_start

    rng = np.random.default_rng(0)
    t = np.arange(500.0)
    loss = 180 * 0.8**t + 1.0 + 0.5 * rng.random(500)  # a fast drop onto a noisy floor
    first = tail_start(loss)
    # 180·0.8^t falls below the floor's typical 1.25 (x2 = 2.5, less the noise) near t = 20.
    assert 15 <= first <= 25 and np.all(loss[first:] < 180 * 0.8**first + 1.5)
    assert tail_start(np.full(100, 3.0)) == math.ceil(TAIL_MIN_FRACTION * 100)  # flat: a tail
    assert tail_start([5.0, np.inf, np.inf, np.inf, np.inf, np.inf]) == 0  # never settles
    assert tail_start([1.0, 2.0]) == 0


def test_lesson_4s_noisy_loss_fills_the_loss_axis(qtbot):
    """Lesson 4 on a linear axis: the per-example loss's jumps span most of the plot, and the
    first iterations (loss ~180) run off its top."""
    from gdviz.core.config import build_problem, build_trainer
    from gdviz.core.lessons import load_lessons
    from gdviz.ui.views.loss_view import LossView

    lesson = next(x for x in load_lessons() if x.id == "sgd-noisy-gradient")
    assert lesson.loss_tail
    problem = build_problem(lesson.config)
    trainer = build_trainer(lesson.config, problem)
    trainer.advance(500)
    t = trainer.trajectory
    batch, loss = (t.fields[k][: t.length, 0] for k in ("batch_loss", "loss"))
    steps = np.arange(t.length, dtype=float)
    view = LossView()
    qtbot.addWidget(view)
    view.show()
    view.set_tail(True)
    view.set_data(steps, batch, loss)
    _, (y0, y1) = view.plot.getViewBox().viewRange()
    assert loss[0] > 10 * y1  # the start runs off the top
    late = batch[250:]
    assert (np.nanmax(late) - np.nanmin(late)) > 0.4 * (y1 - y0)  # the noise fills the plot
    view.set_tail(False)
    view.set_data(steps, batch, loss)
    _, (y0, y1) = view.plot.getViewBox().viewRange()
    assert y1 >= loss[0]  # all of it, the noise squashed at the bottom
    assert (np.nanmax(late) - np.nanmin(late)) < 0.1 * (y1 - y0)
