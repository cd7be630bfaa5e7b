"""The engine session's protocol, without the window: what each command does, in which order
the session reports it, and that what it reports is the truth of the trainer."""

from __future__ import annotations

import pytest

from gdviz.core.config import RunConfig, build_problem, build_trainer
from gdviz.core.stops import Budget
from gdviz.ui.engine_session import EngineSession

# N = 100, B = 10: 10 iterations per epoch, 5 epochs.
CONFIG = RunConfig(dataset="synthetic", n_examples=100, batch_size=10, lr=0.05, epochs=5)


class Log:
    """Every report of a session, in order: (signal name, payload)."""

    def __init__(self, session: EngineSession) -> None:
        self.events: list[tuple[str, object]] = []
        for name in ("started", "progressed", "stopped", "failed", "playingChanged"):
            getattr(session, name).connect(lambda value, n=name: self.events.append((n, value)))

    def names(self) -> list[str]:
        """Signal names with repeated progress collapsed to one."""
        out: list[str] = []
        for name, _ in self.events:
            if not (name == "progressed" and out and out[-1] == "progressed"):
                out.append(name)
        return out


@pytest.fixture
def session(qapp):
    engine = EngineSession()
    engine.set_speed(0)
    yield engine
    engine.shutdown()
    assert engine.is_shut_down()


def test_start_reports_the_new_run_with_its_start_row(session):
    log = Log(session)
    info = session.start([CONFIG])
    assert log.names() == ["started"] and log.events[0][1] is info
    assert len(info.recording) == 1 and info.recording.statuses[0].status == "running"
    assert session.run_id == 1 and not session.running and not session.playing


def test_play_reports_in_order_and_ends_at_the_budget(qtbot, session):
    session.start([CONFIG])
    log = Log(session)
    with qtbot.waitSignal(session.stopped, timeout=5000):
        session.play()
    assert log.names() == ["playingChanged", "progressed", "playingChanged", "stopped"]
    assert [v for n, v in log.events if n == "playingChanged"] == [True, False]
    stopped = log.events[-1][1]
    assert stopped.progress.rows == 51 == len(session.recording)  # the exact last row
    assert session.recording.statuses[0].status == "finished" and session.ended
    assert not session.running and not session.can_run


def test_pause_is_acknowledged_by_the_worker_with_its_last_row(qtbot, session):
    session.start([CONFIG.replace(epochs=10**6)])
    session.set_speed(2000)
    session.play()
    qtbot.waitUntil(lambda: len(session.recording) > 20, timeout=5000)
    log = Log(session)
    session.pause()
    assert not session.playing and session.running  # asked to stop; not yet stopped
    with qtbot.waitSignal(session.stopped, timeout=3000) as blocker:
        pass
    assert not session.running
    assert log.names()[0] == "playingChanged" and log.names()[-1] == "stopped"
    rows = blocker.args[0].progress.rows
    assert rows == len(session.recording)
    qtbot.wait(100)
    assert len(session.recording) == rows  # nothing more arrives after the acknowledgement


def test_step_does_exactly_n_iterations(qtbot, session):
    session.start([CONFIG])
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step(7)
    assert int(session.recording.last("step")) == 7


def test_a_step_at_one_iteration_a_second_happens_at_once(qtbot, session):
    # 0.1.0: one Step waited a whole 1/speed (1.0 s at 1 it/s) before it happened.
    session.start([CONFIG])
    session.set_speed(1)
    with qtbot.waitSignal(session.stopped, timeout=400):
        session.step(1)
    assert int(session.recording.last("step")) == 1


def test_step_to_the_end_of_the_epoch_counts_on_the_trainer(qtbot, session):
    session.start([CONFIG])
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step(3)
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step_to_epoch_end()
    r = session.recording
    assert (int(r.last("step")), int(r.last("epoch")), int(r.last("batch"))) == (10, 1, 10)


def test_step_to_the_epoch_end_while_playing_stops_at_an_epoch_end(qtbot, session):
    # 0.1.0: Shift+Right while playing stopped mid-epoch (batch 8/100, 50/100).
    session.start([CONFIG.replace(batch_size=1, epochs=1000)])  # 100 iterations an epoch
    session.set_speed(3000)
    session.play()
    qtbot.waitUntil(lambda: len(session.recording) > 30, timeout=5000)
    with qtbot.waitSignal(session.stopped, timeout=5000):
        session.step_to_epoch_end()
    r = session.recording
    assert int(r.last("batch")) == 100 and int(r.last("step")) % 100 == 0


def test_a_replaced_run_reports_nothing_more(qtbot, session):
    session.start([CONFIG.replace(epochs=10**6)])
    session.set_speed(2000)
    session.play()
    qtbot.waitUntil(lambda: len(session.recording) > 10, timeout=5000)
    info = session.start([CONFIG])  # the old job is cancelled; its reports are dropped
    log = Log(session)
    qtbot.waitUntil(lambda: not session.running, timeout=3000)
    assert all(v.run_id == info.run_id for n, v in log.events if n == "progressed")
    assert len(info.recording) == 1


def test_a_change_while_idle_is_applied_now_with_its_marker(qtbot, session):
    session.start([CONFIG])
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step(12)
    session.change_hyperparameters(CONFIG.replace(lr=0.2), "lr 0.05 → 0.2")
    assert session.recording.markers == [(12, "lr 0.05 → 0.2")]
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step(1)
    assert session.recording.last("lr") == pytest.approx(0.2)


def test_continue_with_a_larger_budget_goes_on_exactly(qtbot, session):
    session.start([CONFIG])
    with qtbot.waitSignal(session.stopped, timeout=5000):
        session.play()
    session.continue_with(Budget(epochs=8))
    assert session.can_run
    with qtbot.waitSignal(session.stopped, timeout=5000):
        session.play()
    reference = build_trainer(CONFIG.replace(epochs=8), build_problem(CONFIG))
    reference.advance(10**6)
    assert session.recording.column("p1").tolist() == reference.trajectory.run_view(0)[
        "p1"].tolist()  # fmt: skip


def test_run_synchronously_reports_like_the_worker(session):
    session.start([CONFIG])
    log = Log(session)
    session.run_synchronously(25)
    assert log.names() == ["progressed", "stopped"]
    assert int(session.recording.last("step")) == 25


def test_an_engine_error_is_a_report_and_the_thread_lives_on(qtbot, session):
    info = session.start([CONFIG])

    def broken(*_args):
        raise RuntimeError("simulated fault")

    info.problem.loss_grad = broken
    with qtbot.waitSignal(session.failed, timeout=3000) as blocker:
        session.play()
    assert "simulated fault" in blocker.args[0]
    session.start([CONFIG])
    with qtbot.waitSignal(session.stopped, timeout=3000):
        session.step(2)
    assert int(session.recording.last("step")) == 2


def test_a_change_for_a_newer_run_is_kept_by_an_old_job(qapp):
    # The old job's last look at the queue must not throw away what the new run was sent.
    from gdviz.ui.engine_protocol import Change, Job, Step
    from gdviz.ui.engine_worker import EngineWorker

    worker = EngineWorker()
    old = build_trainer(CONFIG, build_problem(CONFIG))
    applied = []
    worker.submit(Change(2, lambda trainer: applied.append(trainer) or "for run 2"))
    worker.submit(Change(0, lambda trainer: applied.append(trainer) or "for run 0"))
    worker.run_job(Job(1, 1, old, Step(3)))  # run 1's job, here on this thread
    assert applied == [] and old.step == 3
    pending = worker.take_pending()
    assert [change.run_id for change in pending] == [2]  # run 0's is stale, run 2's kept
