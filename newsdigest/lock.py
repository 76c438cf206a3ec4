"""One build (or ``check``) at a time per output folder: a lock on a file in the site's cache folder."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock (nor fork)
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT = 30.0  # seconds a build waits for another build of the same output folder (NEWSDIGEST_LOCK_WAIT)
_held_fds: set[int] = set()  # lock descriptors, closed in forked workers (see ``worker_init``)


class OutputBusy(Exception):
    """Another process holds the output folder's lock; ``pid`` is its process id (0: not known)."""

    def __init__(self, pid: int, waited: float):
        super().__init__(pid, waited)
        self.pid, self.waited = pid, waited


def lock_wait() -> float:
    """How long a build waits for the output folder's lock: ``NEWSDIGEST_LOCK_WAIT`` seconds, else 30."""
    try:
        return max(0.0, float(os.environ.get("NEWSDIGEST_LOCK_WAIT", LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


@contextmanager
def locked(lock_dir: Path, out_dir: Path, waiting: Callable[[int], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock for the block: one build (or ``check``) at a time per output
    folder. A second waits up to ``lock_wait()`` seconds (``waiting`` is told once, with the
    holder's process id), then raises OutputBusy. The lock is a POSIX record lock on a file in
    ``lock_dir`` (the site's cache folder): the kernel drops it when its process dies, however."""
    if fcntl is None:
        yield
        return
    fd, lock = _lock_target(lock_dir, out_dir)
    try:
        _acquire(fd, lock, lock_wait(), waiting)
        if lock is fcntl.lockf:  # who holds it, for the message of a build that waits; fixed width, so
            os.pwrite(fd, f"{os.getpid():>12}\n".encode(), 0)  # no truncation (on ext4 it flushes: 1 ms)
        _held_fds.add(fd)
        yield
    finally:
        _held_fds.discard(fd)
        os.close(fd)  # releases the lock


def _lock_target(lock_dir: Path, out_dir: Path) -> tuple[int, Callable[[int, int], None]]:
    name = hashlib.blake2b(str(out_dir.resolve()).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        return os.open(lock_dir / f"lock-{name}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644), fcntl.lockf
    except OSError:  # a read-only site folder (it builds without a cache): lock the output's parent folder
        folder = out_dir.resolve().parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        return os.open(folder, os.O_RDONLY | os.O_CLOEXEC), fcntl.flock


def _acquire(fd: int, lock: Callable[[int, int], None], wait: float, waiting: Callable[[int], None] | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            lock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
        holder = _holder(fd) if lock is fcntl.lockf else 0
        if time.monotonic() >= deadline:
            raise OutputBusy(holder, wait)
        if waiting is not None and not told:
            waiting(holder)
            told = True
        time.sleep(0.05)


def _holder(fd: int) -> int:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        return int(text) if text.isdigit() else 0
    except (OSError, UnicodeDecodeError):
        return 0


def worker_init() -> None:
    """In a forked worker: leave Ctrl-C to the main process (which stops the pool and cleans up),
    and close the inherited lock descriptors (a flock'ed folder must not stay locked by an orphan)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in list(_held_fds):
        with suppress(OSError):
            os.close(fd)
    _held_fds.clear()
