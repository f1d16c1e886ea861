"""Pacing proactive sends within Teams' rate limits (PLATFORM.md, "Rate limits").

Each send asks for a turn, `await pacer.wait_turn(tenant, conversation)`, and reports its end,
`pacer.finished(tenant, conversation)`, answered or not. Turns are handed out in order, each at
the first instant that keeps

- every tenant at most `per_tenant_per_second` sends a second, spaced evenly, and
- every conversation within each of its sliding windows (Teams: 7 in 1 s, 8 in 2 s, 60 in
  30 s, 1 800 in an hour per bot and conversation).

A 429 from Teams holds every turn for the time it asked (`hold_all`) and slows the tenant rate
by a quarter, recovering step by step as sends succeed: the whole sender backs off, as
Microsoft's Company Communicator does. Sends whose turn fell inside a hold take new turns after
it, in order (waking them all when it ends would be a burst). `per_tenant_per_second=None`
switches pacing off.

Turns say when a send may start, but Teams counts a message when it arrives, and a send may
start late (the event loop was busy: a garbage collection, a database write) or be slow on the
way. An even spacing alone then lets a late send and the ones after it arrive inside one window,
and Teams answers 429 (measured: one every few seconds at 30/s against a stand-in with a strict
sliding window). So the windows are also kept on what really happened, before each send
starts: a message arrives after its send started and before it ended (`finished`), so a send
that ended counts at its end, and for the tenant a send still on its way counts as inside
every window. No one-second window then sees more than the rate from this process, whatever
the delays; the price is about one round trip per window.

The clock is passed in (monotonic seconds and an async sleep), so tests need not wait.
"""

from __future__ import annotations

import asyncio
import math
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


class _SendLog:
    """When sends to one tenant or conversation really happened: the start of each send still
    on its way, the end of each finished one."""

    __slots__ = ("ended", "started")

    def __init__(self) -> None:
        self.started: deque[float] = deque()
        self.ended: deque[float] = deque()

    def end(self, now: float) -> None:
        if self.started:
            self.started.popleft()  # which one ended does not matter, only how many
        self.ended.append(now)

    def forget(self, before: float, *, in_flight_too: bool) -> None:
        while self.ended and self.ended[0] <= before:
            self.ended.popleft()
        while in_flight_too and self.started and self.started[0] <= before:
            self.started.popleft()

    def wait(
        self, windows: Sequence[tuple[int, float]], now: float, *, in_flight_inside: bool
    ) -> float:
        """Seconds until one more send keeps every window (`count` sends in `seconds`); a send
        still on its way counts at its start, or as inside every window (`in_flight_inside`)."""
        wait = 0.0
        for count, window in windows:
            since = now - window
            leaving = sorted(
                [t for t in self.ended if t > since]
                + ([] if in_flight_inside else [t for t in self.started if t > since])
            )
            staying = len(self.started) if in_flight_inside else 0
            over = staying + len(leaving) - count
            if over < 0:
                continue
            if over >= len(leaving):  # only sends on their way: wait for one to end
                wait = max(wait, window / count)
            else:
                wait = max(wait, leaving[over] + window - now)
        return wait


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
        self._tenant_log: dict[str, _SendLog] = {}
        self._conversation_log: dict[str, _SendLog] = {}
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
        at, now = self._reserve(tenant, conversation)
        return at - now

    def _reserve(self, tenant: str, conversation: str) -> tuple[float, float]:
        now = self._monotonic()
        at = max(now, self._held_until)
        if self._rate is None:
            return at, now
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
        return at, now

    async def wait_turn(self, tenant: str, conversation: str) -> None:
        """Wait until this send may start; with pacing on, report its end with `finished`."""
        while True:
            at, now = self._reserve(tenant, conversation)
            if at > now:
                await self._sleep(at - now)
            if at >= self._held_until:
                break
            # A hold began while this send waited and its turn is inside it: a new turn.
        if self._rate is None:
            return
        tenant_log = self._tenant_log.setdefault(tenant, _SendLog())
        conversation_log = self._conversation_log.setdefault(conversation, _SendLog())
        while True:  # the windows, on what really happened (see the module docstring)
            now = self._monotonic()
            limit = max(1, math.floor(self._rate * self._speed))
            tenant_log.forget(now - 1.0, in_flight_too=False)
            wait = max(
                tenant_log.wait(((limit, 1.0),), now, in_flight_inside=True),
                conversation_log.wait(self._windows, now, in_flight_inside=False),
            )
            if wait <= 0:
                break
            await self._sleep(wait)
        tenant_log.started.append(now)
        conversation_log.started.append(now)

    def finished(self, tenant: str, conversation: str) -> None:
        """A send that `wait_turn` let go has ended (answered, failed or given up)."""
        if self._rate is None:
            return
        now = self._monotonic()
        for logs, key in ((self._tenant_log, tenant), (self._conversation_log, conversation)):
            log = logs.get(key)
            if log is not None:
                log.end(now)

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
        quiet = []
        for conversation, log in self._conversation_log.items():
            log.forget(now - self._longest, in_flight_too=True)
            if not log.started and not log.ended:
                quiet.append(conversation)
        for conversation in quiet:
            del self._conversation_log[conversation]


__all__ = ["DEFAULT_TENANT_RATE", "TEAMS_CONVERSATION_WINDOWS", "Pacer"]
