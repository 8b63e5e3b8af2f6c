"""One writer at a time: an exclusive lock beside the index, taken without waiting.

The lock is ``flock`` on ``<index>.lock``: the kernel releases it when the holding process
ends, however it ends, so a job killed mid-run leaves no stale lock behind. Processes forked
while it is held (extraction workers, PDF children, index writers) close their copy at once,
so they never hold it: a killed job's lock is free the moment the job dies, whatever its
workers are still doing.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import IndexBusy, TipsearchError

_held: set[int] = set()  # descriptors of the locks this process holds


def _close_in_child() -> None:
    # Closing (not unlocking) drops the child's reference; the parent keeps the lock.
    for handle in _held:
        os.close(handle)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's write lock for the block; IndexBusy at once if another process holds it."""
    path = index_dir.with_name(index_dir.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TipsearchError(f"{path} is a symbolic link, not a lock file: remove it") from None
        raise
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(
                f"index busy: another job is writing {index_dir} (lock {path}); try again when it has finished"
            ) from None
        _held.add(handle)
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield
    finally:
        _held.discard(handle)
        os.close(handle)
