"""Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over
the target, so a crash, a full disk or a cancelled export never leaves a half-written file."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # reading the umask means setting it: put it back at once
FILE_MODE = 0o666 & ~_UMASK  # a normal file, not the temporary file's owner-only mode


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it is renamed onto ``path`` when the block
    succeeds and removed when the block fails (the error propagates unchanged)."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, write: Callable) -> None:
    """Write a UTF-8 text file through ``write(handle)`` atomically (OSError on failure)."""
    with atomic_path(path) as temp, open(temp, "w", newline="", encoding="utf-8") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())  # a full disk shows up here, before the rename


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (OSError on failure)."""
    with atomic_path(path) as temp, open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def failure_reason(exc: OSError, folder: Path) -> str:
    """Why a write failed, in words for people."""
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write in {folder}"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"the folder {folder} does not exist"
    return exc.strerror or str(exc)
