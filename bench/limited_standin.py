"""A Bot Connector stand-in that enforces Teams' documented rate limits, for the paced benchmark.

Limits (PLATFORM.md, "Rate limits"; written out here, not taken from `followup.reminders.pacing`,
so the
pacer is checked against the documentation and not against itself):

- per tenant: at most `--tenant-rate` accepted sends in any sliding 1 s window;
- per conversation: 7 in 1 s, 8 in 2 s, 60 in 30 s, 1 800 in an hour.

A send over a limit is answered 429 with `Retry-After` (whole seconds, at least 1) and a Bot
Framework error body `{"error": {"code": "Throttled", ...}}`; it does not count towards the
windows. The tenant is read from `channelData.tenant.id` (what Teams needs on proactive sends),
else `conversation.tenantId`.

Run: python -m bench.limited_standin PORT [--tenant-rate 30]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import time
from collections import deque
from typing import Any, Final

from aiohttp import web

CONVERSATION_WINDOWS: Final = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
LONGEST: Final = max(window for _, window in CONVERSATION_WINDOWS)


class LimitedStandIn:
    def __init__(self, tenant_rate: int) -> None:
        self.tenant_rate = tenant_rate
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        self._tenants: dict[str, deque[float]] = {}
        self._conversations: dict[str, list[float]] = {}
        self.accepted = 0
        self.throttled_tenant = 0
        self.throttled_conversation = 0
        self.first: float | None = None
        self.last: float | None = None
        self.busiest_second = 0
        self.refusals: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_reset", self._reset)
        return app

    def check(self, tenant: str, conversation: str, now: float) -> tuple[str, float] | None:
        """None when the send is allowed (and counts it), else (scope, seconds to wait)."""
        sends = self._tenants.setdefault(tenant, deque())
        while sends and sends[0] <= now - 1.0:
            sends.popleft()
        if len(sends) >= self.tenant_rate:
            return "tenant", sends[0] + 1.0 - now
        history = self._conversations.setdefault(conversation, [])
        if history and history[0] <= now - LONGEST:
            del history[: bisect.bisect_right(history, now - LONGEST)]
        for count, window in CONVERSATION_WINDOWS:
            inside = len(history) - bisect.bisect_right(history, now - window)
            if inside >= count:
                return f"conversation ({count} in {window:g} s)", history[-count] + window - now
        sends.append(now)
        history.append(now)
        self.busiest_second = max(self.busiest_second, len(sends))
        return None

    async def _activity(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = json.loads(await request.read())
        now = time.monotonic()
        tenant = str(
            ((body.get("channelData") or {}).get("tenant") or {}).get("id")
            or (body.get("conversation") or {}).get("tenantId")
            or ""
        )
        refused = self.check(tenant, request.match_info["cid"], now)
        if refused is not None:
            scope, wait = refused
            self.refusals.append(scope)
            if scope == "tenant":
                self.throttled_tenant += 1
            else:
                self.throttled_conversation += 1
            return web.json_response(
                {"error": {"code": "Throttled", "message": f"{scope} rate limit exceeded"}},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        self.accepted += 1
        self.first = now if self.first is None else self.first
        self.last = now
        return web.json_response({"id": f"1:{next(self._ids)}"}, status=201)

    async def _stats(self, request: web.Request) -> web.Response:
        span = (self.last - self.first) if self.first is not None and self.last else 0.0
        return web.json_response(
            {
                "activities": self.accepted,
                "throttled_tenant": self.throttled_tenant,
                "throttled_conversation": self.throttled_conversation,
                "span_seconds": span,
                "busiest_second": self.busiest_second,
                "refusals": self.refusals[-20:],
            }
        )

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--tenant-rate", type=int, default=30)
    args = parser.parse_args()
    standin = LimitedStandIn(args.tenant_rate)
    web.run_app(standin.app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
