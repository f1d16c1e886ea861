"""A clock that can run fast or be moved: for the demo and the dev chat, so a person trying
the product sees reminders arrive without waiting for days. Production uses the system clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class MovableClock:
    """`start`, plus the real time elapsed since times `speed`, plus what `advance` added."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start or datetime.now(UTC)
        if self._start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._speed = speed
        self._monotonic = monotonic
        self._started = monotonic()
        self._offset = timedelta()
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def __call__(self) -> datetime:
        with self._lock:
            elapsed = (self._monotonic() - self._started) * self._speed
            return self._start + timedelta(seconds=elapsed) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (never back: times already stored stay in the past)."""
        if delta < timedelta():
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
        return self()


__all__ = ["MovableClock"]
