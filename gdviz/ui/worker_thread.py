"""WorkerThread: one QObject worker living on its own QThread, started and shut down safely.

The engine session and the learning-rate sweep panel both run their work this way (superqt's
``thread_worker`` pattern, kept to what they need): the worker object is moved to a named
QThread and fed through queued signals; both keep Python references to the thread and the
worker; shutdown quits and waits, never terminates. The interpreter exiting without closing the
window (an error in a script or test) also shuts the thread down, since Qt aborts when a running
QThread is destroyed.
"""

from __future__ import annotations

import atexit
import threading
import weakref

from PySide6.QtCore import QObject, QThread


class WorkerThread:
    """``worker`` (a QObject) on a new QThread called ``name``, running until :meth:`shutdown`."""

    def __init__(self, worker: QObject, name: str) -> None:
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = worker
        worker.moveToThread(self.thread)
        self.thread.start()
        self._shut_down = False
        reference = weakref.ref(self)
        atexit.register(lambda: (owner := reference()) and owner.shutdown())

    @property
    def shut_down(self) -> bool:
        return self._shut_down

    def is_finished(self) -> bool:
        return self.thread.isFinished()

    def shutdown(self, timeout_ms: int = 2000) -> None:
        """End the thread's event loop and wait for it (the caller cancels any work first)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.thread.quit()
        self.thread.wait(timeout_ms)


class LatestRequest:
    """The newest of a series of requests to a worker (the CSV reader's, the surface maker's):
    a new one cancels the one under way (its ``cancel`` event is set; the worker stops at its
    next check) and answers about any but the newest are dropped. A request is any object with
    ``request_id`` and ``cancel``, made by :meth:`new`."""

    def __init__(self) -> None:
        self.current = None
        self._count = 0

    def new(self, make):
        """Cancel the current request and make the next: ``make(request_id, cancel_event)``."""
        self.cancel()
        self._count += 1
        self.current = make(self._count, threading.Event())
        return self.current

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel.set()
            self.current = None

    def get(self, request_id: int):
        """The current request if it is ``request_id``, else None (it was superseded)."""
        current = self.current
        return current if current is not None and current.request_id == request_id else None

    def finish(self, request_id: int):
        """Like :meth:`get`, and the request is over: no longer current."""
        request = self.get(request_id)
        if request is not None:
            self.current = None
        return request
