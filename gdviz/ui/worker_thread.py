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
