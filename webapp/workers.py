"""Serving the web app from several processes, with gunicorn.

Searching is CPU work in Python, so the threads of one process take turns; several worker
processes use several cores. Each worker builds its own app and opens the index itself
(nothing is opened before the fork: Whoosh's open files must not be shared between processes),
so each also has its own searcher cache and its own rate-limit buckets.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn import util
from gunicorn.app.base import BaseApplication

from webapp.headers import security_headers


def _write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own answer to a request it cannot parse (a request line over 4,094 bytes), with the
    headers every answer of the app carries, as plain text."""
    body = f"{status_int} {reason}\n".encode()
    head = [
        f"HTTP/1.1 {status_int} {reason}",
        "Connection: close",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in security_headers().items()),
    ]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _post_worker_init(worker) -> None:
    util.write_error = _write_error  # gunicorn calls it through the module for every answer it makes itself


class _Workers(BaseApplication):
    def __init__(self, make_app: Callable[[], Flask], options: dict):
        self._make_app, self._options = make_app, options
        super().__init__()

    def load_config(self):
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self):
        return self._make_app()


def serve_in_workers(make_app: Callable[[], Flask], bind: str, workers: int, threads: int) -> None:
    """Serve ``make_app()`` on ``bind`` (``host:port``) from ``workers`` processes of ``threads`` threads."""
    _Workers(
        make_app,
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": False,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "graceful_timeout": 10,
            "post_worker_init": _post_worker_init,
        },
    ).run()
