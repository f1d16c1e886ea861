"""Fakes for the edges we do not own: Teams' Bot Connector (with injected faults) and the clock."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.devchannel.connector import ConnectorStandIn


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    code: str
    retry_after: float | None = None


class FaultyConnector(ConnectorStandIn):
    """The local Bot Connector stand-in, answering the next requests with the queued faults."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: deque[Fault] = deque()

    def fail_next(
        self, status: int, code: str, *, retry_after: float | None = None, times: int = 1
    ) -> None:
        for _ in range(times):
            self.faults.append(Fault(status, code, retry_after))

    async def before_request(self, request: web.Request) -> web.Response | None:
        if not self.faults:
            return None
        fault = self.faults.popleft()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return web.json_response(
            {"error": {"code": fault.code, "message": "injected by the test"}},
            status=fault.status,
            headers=headers,
        )
