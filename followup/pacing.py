"""Pacing proactive sends within Teams' rate limits (PLATFORM.md, "Rate limits").

Each send asks for a turn: `await pacer.wait_turn(tenant, conversation)`. Turns are handed out
in order, each at the first instant that keeps

- every tenant at most `per_tenant_per_second` sends a second, spaced evenly (an even spacing
  never bursts past a per-second window), and
- every conversation within each of its sliding windows (Teams: 7 in 1 s, 8 in 2 s, 60 in
  30 s, 1 800 in an hour per bot and conversation).

A 429 from Teams holds every turn for the time it asked (`hold_all`) and slows the tenant rate
by a quarter, recovering step by step as sends succeed: the whole sender backs off, as
Microsoft's Company Communicator does. `per_tenant_per_second=None` switches pacing off.

The clock is passed in (monotonic seconds and an async sleep), so tests need not wait.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

TEAMS_CONVERSATION_WINDOWS: Final = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
DEFAULT_TENANT_RATE: Final = 30.0
"""Sends per second per tenant: Microsoft says 50 today, an older revision 30, and there is no
way to ask for more; the conservative figure is the default (configurable)."""
_SLOWEST: Final = 0.25
_RECOVERY_SENDS: Final = 50


class Pacer:
    def __init__(
        self,
        per_tenant_per_second: float | None = DEFAULT_TENANT_RATE,
        conversation_windows: Sequence[tuple[int, float]] = TEAMS_CONVERSATION_WINDOWS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_tenant_per_second is not None and per_tenant_per_second <= 0:
            raise ValueError("per_tenant_per_second must be positive")
        self._rate = per_tenant_per_second
        self._windows = tuple(sorted(conversation_windows, key=lambda w: w[1]))
        self._longest = max((w[1] for w in self._windows), default=0.0)
        self._monotonic = monotonic
        self._sleep = sleep
        self._tenant_next: dict[str, float] = {}
        self._conversation_sends: dict[str, deque[float]] = {}
        self._held_until = 0.0
        self._speed = 1.0
        self._since_slowdown = 0
        self._reserved = 0
        self.holds = 0

    @property
    def enabled(self) -> bool:
        return self._rate is not None

    @property
    def current_rate(self) -> float | None:
        return None if self._rate is None else self._rate * self._speed

    def reserve(self, tenant: str, conversation: str) -> float:
        """Take the next turn for this tenant and conversation; returns the seconds to wait."""
        now = self._monotonic()
        at = max(now, self._held_until)
        if self._rate is None:
            return at - now
        sends = self._conversation_sends.get(conversation)
        if sends is not None:
            while sends and sends[0] <= now - self._longest:
                sends.popleft()
            for count, window in self._windows:
                if len(sends) >= count:
                    at = max(at, sends[-count] + window)
        at = max(at, self._tenant_next.get(tenant, 0.0))
        self._tenant_next[tenant] = at + 1.0 / (self._rate * self._speed)
        if self._windows:
            if sends is None:
                sends = self._conversation_sends[conversation] = deque()
            sends.append(at)
            self._reserved += 1
            if self._reserved % 1000 == 0:  # now and then, not on every send
                self._forget_idle(now)
        return at - now

    async def wait_turn(self, tenant: str, conversation: str) -> None:
        wait = self.reserve(tenant, conversation)
        if wait > 0:
            await self._sleep(wait)
        # A hold that began while this send waited applies to it too.
        held = self._held_until - self._monotonic()
        if held > 0:
            await self._sleep(held)

    def hold_all(self, seconds: float) -> None:
        """Teams said 429: no send for `seconds`, then a slower rate for a while."""
        self.holds += 1
        self._held_until = max(self._held_until, self._monotonic() + max(seconds, 0.0))
        self._speed = max(_SLOWEST, self._speed * 0.75)
        self._since_slowdown = 0
        # Turns already handed out start again after the hold.
        for tenant, next_at in self._tenant_next.items():
            self._tenant_next[tenant] = max(next_at, self._held_until)

    def sent(self) -> None:
        """A send succeeded: after enough of them, speed back up a step."""
        if self._speed >= 1.0:
            return
        self._since_slowdown += 1
        if self._since_slowdown >= _RECOVERY_SENDS:
            self._speed = min(1.0, self._speed / 0.75)
            self._since_slowdown = 0

    def _forget_idle(self, now: float) -> None:
        idle = [
            conversation
            for conversation, sends in self._conversation_sends.items()
            if not sends or sends[-1] <= now - self._longest
        ]
        for conversation in idle:
            del self._conversation_sends[conversation]


__all__ = ["DEFAULT_TENANT_RATE", "TEAMS_CONVERSATION_WINDOWS", "Pacer"]
