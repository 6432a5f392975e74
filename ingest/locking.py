"""One writer at a time: writers hold :func:`writer_lock` (``writer.lock`` in the index
folder); readers take no lock."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import IndexBusyError
from legalqa.settings import Settings

LOCK_FILE = "writer.lock"
WRITER_WAIT = 120.0  # seconds a writer waits for another one before giving up


class _Holder:
    def __init__(self):
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_holders: dict[str, _Holder] = {}
_holders_guard = threading.Lock()


@contextmanager
def writer_lock(settings: Settings, timeout: float = WRITER_WAIT) -> Iterator[None]:
    """Hold the index's writer lock: one writing process (and thread) at a time.

    An ``flock`` on ``writer.lock`` in the index folder, so the kernel drops it when a writer
    dies, even by kill -9. Re-entrant within a thread (a rebuild indexes the uploads inside
    its own lock). Waits up to ``timeout`` seconds, then raises :class:`IndexBusyError`.
    """
    path = Path(settings.index_dir) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with _holders_guard:
        holder = _holders.setdefault(str(path.resolve()), _Holder())
    deadline = time.monotonic() + timeout
    if not holder.rlock.acquire(timeout=max(timeout, 0.0)):
        raise IndexBusyError(_busy_message(settings, path))
    try:
        if holder.depth == 0:
            holder.fd = _flock(settings, path, deadline)
        holder.depth += 1
        try:
            yield
        finally:
            holder.depth -= 1
            if holder.depth == 0 and holder.fd is not None:
                fcntl.flock(holder.fd, fcntl.LOCK_UN)
                os.close(holder.fd)
                holder.fd = None
    finally:
        holder.rlock.release()


def _flock(settings: Settings, path: Path, deadline: float) -> int:
    """Take the file lock by ``deadline`` and write our pid into it (for the busy message)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise IndexBusyError(_busy_message(settings, path)) from None
            time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _busy_message(settings: Settings, path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    who = f" (process {pid})" if pid.isdigit() and int(pid) != os.getpid() else ""
    return (f"another ingest is running on {settings.index_dir}{who}; try again when it has finished")
