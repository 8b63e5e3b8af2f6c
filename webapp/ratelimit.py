"""Requests per client, limited: a token bucket per address, refilled at ``rate_limit`` a minute.

Over the limit a client gets 429 Too Many Requests with Retry-After. Static files and
``/healthz`` are not counted. The buckets live in each worker process; with several
(gunicorn), each gets its share of the limit (:func:`per_worker`), which the kernel's even
spread of connections over workers makes about the whole limit per client. At most
``MAX_CLIENTS`` buckets are kept, the least recently seen forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from flask import Flask, request
from werkzeug.exceptions import TooManyRequests

EXEMPT = ("/static/", "/healthz")
MAX_CLIENTS = 10_000


def per_worker(per_minute: int, workers: int) -> int:
    """Each worker's share of a limit of ``per_minute`` requests a minute (at least one)."""
    return max(1, per_minute // max(1, workers))


class RateLimiter:
    """Token buckets by client address: ``per_minute`` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address -> (tokens, when)
        self.lock = threading.Lock()

    def wait(self, client: str, now: float | None = None) -> float:
        """Take one token for ``client``; 0 when allowed, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, when = self.buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            allowed = tokens >= 1
            self.buckets[client] = (tokens - 1 if allowed else tokens, now)  # now the most recently seen
            if len(self.buckets) > MAX_CLIENTS:
                self.buckets.popitem(last=False)
            return 0.0 if allowed else (1 - tokens) / self.rate


def install(app: Flask, per_minute: int, workers: int = 1) -> None:
    """Limit every request of ``app``, served by ``workers`` processes, but static files and the health
    check; 0 turns the limit off."""
    if per_minute <= 0:
        return
    limiter = RateLimiter(per_worker(per_minute, workers))

    @app.before_request
    def limit():
        if request.path.startswith(EXEMPT):
            return None
        wait = limiter.wait(request.remote_addr or "-")
        if wait:
            error = TooManyRequests(f"more than {per_minute} requests a minute; try again in {math.ceil(wait)} s")
            error.retry_after = math.ceil(wait)
            raise error
        return None
