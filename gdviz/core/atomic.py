"""Writing files without ever damaging what they replace: the one writer of every output.

What is written where depends on what the path names:

* a new path or a regular file: a temporary file in the same folder, flushed to disk, then
  renamed over the target, so a crash, a full disk or a cancelled export never leaves a
  half-written file. The target's permission bits are kept.
* a symbolic link: the same for the file it points to (the link is kept, not replaced).
* a regular file with several hard links: the new content is first written completely beside
  it, then copied into the file itself, so every link sees it (only a crash during that copy
  could leave it part-written; the complete content is on disk beside it until then).
* a character device (``/dev/full``, ``/dev/null``, a terminal) or a FIFO: written to directly,
  never replaced; ``-`` means standard output (text outputs only).
* an empty path, one ending in a separator, a folder or another kind of file: WriteError.

Temporaries are named ``.NAME.gdviz-PID-XXXX.part``; one left by an earlier write of the same
target by a process that no longer runs (killed) is removed before the next write.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # reading the umask means setting it: put it back at once
FILE_MODE = 0o666 & ~_UMASK  # a new file's mode, not the temporary file's owner-only mode
STDOUT = "-"
_TEMP = re.compile(r"\.(?P<name>.+)\.gdviz-(?P<pid>\d+)-[^.]+\.part")


class WriteError(OSError):
    """A file could not be written; ``str()`` names the user's path and the reason in words."""

    def __init__(self, path: str | Path, reason: str, errno_: int | None = None) -> None:
        super().__init__(errno_ or 0, reason, str(path))
        self.path, self.reason = str(path), reason

    def __str__(self) -> str:
        if not self.path.strip():
            return self.reason
        return f"could not write {self.path}: {self.reason}"


def target_of(path: str | Path) -> tuple[str, Path, os.stat_result | None]:
    """What ``path`` names: ``("stdout" | "stream" | "replace", real path, its stat or None)``.
    Raises WriteError for an empty path, a trailing separator, a folder or an odd file."""
    text = os.fspath(path)
    if text == STDOUT:
        return "stdout", Path(text), None
    if not text.strip():
        raise WriteError(text, "the output path is empty: name a file")
    if text.endswith(("/", os.sep)):
        raise WriteError(text, "the path ends with a separator: name a file, not a folder")
    real = Path(os.path.realpath(text))  # through symbolic links: their target is written
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return "replace", real, None
    except OSError as exc:
        raise WriteError(text, failure_reason(exc, real.parent), exc.errno) from exc
    if stat.S_ISREG(info.st_mode):
        return "replace", real, info
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return "stream", real, info
    if stat.S_ISDIR(info.st_mode):
        raise WriteError(text, "it is a folder: name a file in it")
    raise WriteError(text, "it is not a regular file (a socket or a block device)")


def check_target(path: str | Path) -> None:
    """Raise WriteError now, before any work, when ``path`` cannot be written (a bad path, a
    folder, a missing folder or one that is a file); a full disk still shows only on writing."""
    kind, real, _info = target_of(path)
    if kind != "replace":
        return
    folder = real.parent
    if not folder.exists():
        raise WriteError(path, f"the folder {folder} does not exist", errno.ENOENT)
    if not folder.is_dir():
        raise WriteError(path, "a part of the path is a file, not a folder", errno.ENOTDIR)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield the path to write ``path``'s new content to (see the module docstring); the
    content takes ``path``'s place when the block succeeds and is removed when it fails. Any
    OSError becomes a WriteError naming ``path``."""
    kind, real, info = target_of(path)
    if kind == "stdout":
        raise WriteError(path, "standard output (-) takes text only: name a file")
    if kind == "stream":
        with _named_errors(path, real):
            yield real
        return
    _remove_stale_temporaries(real)
    with _named_errors(path, real):
        fd, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.gdviz-{os.getpid()}-",
                                    suffix=".part")  # fmt: skip
        os.close(fd)
    temp = Path(name)
    try:
        with _named_errors(path, real):
            yield temp
            _put_in_place(temp, real, info)
    finally:
        temp.unlink(missing_ok=True)


def _put_in_place(temp: Path, real: Path, info: os.stat_result | None) -> None:
    mode = stat.S_IMODE(info.st_mode) if info is not None else FILE_MODE
    if info is not None and info.st_nlink > 1:  # keep the hard links: copy into the file
        with open(temp, "rb") as source, open(real, "r+b") as target:
            target.truncate(0)
            shutil.copyfileobj(source, target)
            target.flush()
            os.fsync(target.fileno())
        return
    os.chmod(temp, mode)
    os.replace(temp, real)


@contextmanager
def _named_errors(path, real: Path) -> Iterator[None]:
    """OSError (about the temporary file or the target) becomes WriteError naming ``path``."""
    try:
        yield
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(path, failure_reason(exc, real.parent), exc.errno) from exc


def write_text_atomic(path: str | Path, write: Callable) -> None:
    """Write UTF-8 text through ``write(handle)`` (``-``: standard output); WriteError on
    failure."""
    if os.fspath(path) == STDOUT:
        write(sys.stdout)
        sys.stdout.flush()
        return
    with atomic_path(path) as target, open(target, "w", newline="", encoding="utf-8") as handle:
        write(handle)
        handle.flush()
        _sync(handle)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (WriteError on failure)."""
    with atomic_path(path) as target, open(target, "wb") as handle:
        handle.write(data)
        handle.flush()
        _sync(handle)


def _sync(handle) -> None:
    """Flush to disk: a full disk shows up here, before the rename (devices cannot sync)."""
    try:
        os.fsync(handle.fileno())
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise


def _remove_stale_temporaries(real: Path) -> None:
    """Temporaries of ``real`` left by writers that no longer run (a killed process)."""
    try:
        candidates = list(real.parent.glob(f".{glob_escape(real.name)}.gdviz-*.part"))
    except OSError:
        return
    for candidate in candidates:
        match = _TEMP.fullmatch(candidate.name)
        if match and match["name"] == real.name and not _running(int(match["pid"])):
            candidate.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform.startswith("win"):
        return True  # no cheap check there: leave it (it is hidden and named after its file)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def failure_reason(exc: OSError, folder: Path) -> str:
    """Why a write failed, in words for people."""
    code = exc.errno
    if code == errno.ENOSPC:
        return "the disk is full (free some space and try again)"
    if code == errno.EROFS:
        return f"{folder} is on a read-only file system"
    if code in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {folder}"
    if code == errno.ENOENT:
        if not folder.exists():
            return f"the folder {folder} does not exist"
        return f"{folder} does not accept new files here"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return "it is a folder: name a file in it"
    if code == errno.ENAMETOOLONG:
        return "the file name is too long"
    return exc.strerror or str(exc)
