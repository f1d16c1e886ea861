"""A minimal Bot Connector stand-in for benchmarks: answers every send, counts TCP connections.

Kept minimal on purpose, so that the baseline is limited by the system under test, not by it.
Run: python -m bench.standin PORT
"""

from __future__ import annotations

import itertools
import sys

from aiohttp import web

CONNECTIONS = web.AppKey("connections", set[tuple[str, int]])
COUNT = web.AppKey("count", list[int])


async def _activity(request: web.Request) -> web.Response:
    await request.read()
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if peer:
        request.app[CONNECTIONS].add((str(peer[0]), int(peer[1])))
    request.app[COUNT][0] += 1
    return web.json_response({"id": str(next(_ids))}, status=201)


async def _member(request: web.Request) -> web.Response:
    return web.json_response(
        {"id": request.match_info["member"], "name": "Bench User", "email": "bench@example.no"}
    )


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(
        {"connections": len(request.app[CONNECTIONS]), "activities": request.app[COUNT][0]}
    )


async def _reset(request: web.Request) -> web.Response:
    request.app[CONNECTIONS].clear()
    request.app[COUNT][0] = 0
    return web.json_response({})


_ids = itertools.count(1)


def create_standin() -> web.Application:
    app = web.Application()
    app[CONNECTIONS] = set()
    app[COUNT] = [0]
    app.router.add_post("/v3/conversations/{cid}/activities", _activity)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", _activity)
    app.router.add_get("/v3/conversations/{cid}/members/{member}", _member)
    app.router.add_get("/_stats", _stats)
    app.router.add_post("/_reset", _reset)
    return app


if __name__ == "__main__":
    web.run_app(
        create_standin(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None
    )
