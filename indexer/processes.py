"""Forked processes never outlive the process that forked them.

Every process a tipsearch process forks (extraction workers, Whoosh's index writers, PDF children,
and theirs) asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG``), and exits at once if
the parent died before it could ask. A job killed with SIGKILL therefore leaves no process behind to
hold files, the index, or the descriptor of a lock a scheduler took for it (``flock`` in cron).
Elsewhere than Linux this does nothing. Importing ``indexer`` installs it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # prctl(2)
_forked_by = 0  # in a forked child: the process id of the parent that forked it
_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded once, not in every child


def _remember_parent() -> None:
    global _forked_by
    _forked_by = os.getpid()


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != _forked_by:  # the parent died before the request was made
        os._exit(1)


os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)
