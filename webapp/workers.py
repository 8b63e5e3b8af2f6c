"""Serving the web app from several processes, with gunicorn.

Searching is CPU work in Python, so the threads of one process take turns; several worker
processes use several cores. Each worker builds its own app and opens the index itself
(nothing is opened before the fork: Whoosh's open files must not be shared between processes),
so each also has its own searcher cache and its own rate-limit buckets.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication


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
    _Workers(make_app, {"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
                        "preload_app": False, "accesslog": None, "errorlog": "-", "loglevel": "warning",
                        "graceful_timeout": 10}).run()
