"""Requests per client, limited: a token bucket per address, refilled at ``rate_limit`` a minute.

Over the limit a client gets 429 Too Many Requests with Retry-After. Static files and
``/healthz`` are not counted. The buckets live in the process (waitress serves one process).
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, request
from werkzeug.exceptions import TooManyRequests

EXEMPT = ("/static/", "/healthz")


class RateLimiter:
    """Token buckets by client address: ``per_minute`` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)
        self.lock = threading.Lock()

    def wait(self, client: str, now: float | None = None) -> float:
        """Take one token for ``client``; 0 when allowed, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, when = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return 0.0
            self.buckets[client] = (tokens, now)
            if len(self.buckets) > 10_000:  # forget clients whose buckets are full again
                full = now - self.capacity / self.rate
                self.buckets = {c: b for c, b in self.buckets.items() if b[1] > full}
            return (1 - tokens) / self.rate


def install(app: Flask, per_minute: int) -> None:
    """Limit every request of ``app`` but static files and the health check; 0 turns the limit off."""
    if per_minute <= 0:
        return
    limiter = RateLimiter(per_minute)

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
