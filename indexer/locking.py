"""One writer at a time: an exclusive lock beside the index, taken without waiting.

The lock is ``flock`` on ``<index>.lock``: the kernel releases it when the holding process
ends, however it ends, so a job killed mid-run leaves no stale lock behind. Worker processes
forked while it is held share it, so the lock of a killed job is free once they have exited.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import IndexBusy


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's write lock for the block; IndexBusy at once if another process holds it."""
    path = index_dir.with_name(index_dir.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"index busy: another job is writing {index_dir} (lock {path}); "
                            f"try again when it has finished") from None
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(handle)
