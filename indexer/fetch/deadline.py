"""A deadline for a whole request, its headers and body, however slowly a server sends them.

requests' timeout bounds each wait for bytes, not a request: a server that sends a byte a
second, headers included, holds a request for ever within any timeout. A ``Deadline`` watches
the sockets of an adapter's connections and shuts them down once the request in progress passes
its deadline, which ends a blocked read at once; a connection opened after that (a retry) fails.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """The deadline of the request in progress, and the sockets it shuts down when that passes."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._timer: threading.Timer | None = None
        self._clock: object | None = None  # the request in progress: a timer of one before it does nothing
        self.passed = False

    def start(self, seconds: float) -> None:
        """Start the clock of a new request: ``seconds`` from now."""
        self.stop()
        self.passed = False
        self._clock = clock = object()
        self._timer = threading.Timer(seconds, self._pass, (clock,))
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        """The request is over (answered or failed): stop its clock."""
        self._clock = None  # a timer already firing (too late to cancel) finds it over
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has)."""
        self._sockets.add(sock)
        if self.passed:
            _shut(sock)

    def _pass(self, clock: object) -> None:
        if clock is not self._clock:
            return
        self.passed = True
        for sock in list(self._sockets):
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watched(connection: type, deadline: Deadline) -> type:
    """``connection`` (an urllib3 connection class) with each socket it connects watched by ``deadline``."""

    class Watched(connection):
        def connect(self) -> None:
            if deadline.passed:
                raise TimeoutError("the request's deadline has passed")
            super().connect()
            deadline.watch(self.sock)

    return Watched


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with every connection it makes (through a proxy too) watched by ``deadline``."""

    def __init__(self, deadline: Deadline, **options: Any) -> None:
        self.deadline = deadline  # before the adapter makes its pool manager
        super().__init__(**options)

    def init_poolmanager(self, *args: Any, **options: Any) -> None:
        super().init_poolmanager(*args, **options)
        self._watch(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **options: Any) -> Any:
        return self._watch(super().proxy_manager_for(proxy, **options))

    def _watch(self, manager: Any) -> Any:
        manager.pool_classes_by_scheme = {
            scheme: type(pool.__name__, (pool,), {"ConnectionCls": _watched(connection, self.deadline)})
            for scheme, pool, connection in (
                ("http", HTTPConnectionPool, HTTPConnection),
                ("https", HTTPSConnectionPool, HTTPSConnection),
            )
        }
        return manager
