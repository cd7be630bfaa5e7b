"""Guard against Qt bindings that corrupt the refcounts of ``None``/``True``/``False``.

PySide6(-Essentials) 6.12.0 on CPython 3.11 decrements a reference it never took
on every call:

* every void C++ method (``QObject.setObjectName``, ``QTimer.stop``, ...) drops one
  reference to ``None``;
* every ``Signal.emit()`` drops one reference to ``True`` (its return value).

After a few hundred emits (``True`` starts with a few hundred references) or a few
thousand void calls the count reaches zero and the interpreter aborts with
``Fatal Python error: bool_dealloc`` / ``none_dealloc``. That is why pyproject.toml pins
``PySide6-Essentials>=6.11.3,<6.12; python_version < '3.12'``. (On CPython >= 3.12 these
singletons are immortal, so the bug is harmless there and this test trivially passes.)

The loop checks the counts every ``_CHUNK`` calls and stops at the first drop. It then
puts the lost references back so that a broken binding fails this test instead of
aborting the whole pytest session.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import ctypes
import sys

import pytest
from PySide6.QtCore import QObject, QTimer, Signal

_CALLS = 100_000
_CHUNK = 50  # well below the ~hundreds of refs True has, so we stop before it hits zero
_TOLERANCE = 20  # counts can wobble by a few; a broken binding loses one ref per call
_SINGLETONS = {"None": None, "True": True, "False": False}

_py_incref = ctypes.pythonapi.Py_IncRef
_py_incref.argtypes = [ctypes.py_object]
_py_incref.restype = None


class _Emitter(QObject):
    bare = Signal()
    boxed = Signal(object)


def _refcounts() -> dict[str, int]:
    return {name: sys.getrefcount(obj) for name, obj in _SINGLETONS.items()}


def _run_guarded(call) -> tuple[int, dict[str, int]]:
    """Invoke ``call`` up to _CALLS times; return (calls made, refcount deltas)."""
    before = _refcounts()
    done = 0
    deltas = dict.fromkeys(before, 0)
    while done < _CALLS:
        for _ in range(_CHUNK):
            call()
        done += _CHUNK
        deltas = {name: count - before[name] for name, count in _refcounts().items()}
        if min(deltas.values()) < -_TOLERANCE:
            # Restore the stolen references so the interpreter survives to report.
            for name, delta in deltas.items():
                for _ in range(max(0, -delta)):
                    _py_incref(_SINGLETONS[name])
            break
    return done, deltas


@pytest.mark.parametrize(
    "make_call",
    [
        pytest.param(lambda obj, timer: obj.bare.emit, id="emit-no-args"),
        pytest.param(lambda obj, timer: lambda: obj.boxed.emit(None), id="emit-object-None"),
        pytest.param(lambda obj, timer: lambda: obj.setObjectName("x"), id="void-setObjectName"),
        pytest.param(lambda obj, timer: timer.stop, id="void-QTimer.stop"),
    ],
)
def test_calls_do_not_leak_singleton_refs(qapp, make_call):
    obj = _Emitter()
    timer = QTimer()
    done, deltas = _run_guarded(make_call(obj, timer))
    assert min(deltas.values()) >= -_TOLERANCE, (
        f"refcounts of None/True/False dropped by {deltas} after only {done} calls: "
        "this Qt binding (PySide6 6.12.0 on CPython 3.11?) would abort the interpreter; "
        "see the PySide6-Essentials pin in pyproject.toml"
    )
    assert done == _CALLS
