"""A small in-process token bucket per client address for the public pages: `rate` requests a
minute on average, bursts up to `rate`. Each process counts on its own (enough to stop one
client hammering the pages; a reverse proxy in front may limit more)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

MAX_CLIENTS: Final = 10_000
"""Buckets kept; the least recently seen client is forgotten beyond this (it starts full)."""


class RateLimiter:
    def __init__(self, rate_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def wait_seconds(self, client: str) -> int:
        """0 when `client` may go on now (a token is taken), else the whole seconds until it
        may (for Retry-After)."""
        now = self._clock()
        tokens, seen = self._buckets.pop(client, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - seen) * self._per_second)
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            wait = 0
        else:
            self._buckets[client] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self._per_second))
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait
