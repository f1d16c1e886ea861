"""Latency of an interactive `hjelp` turn while a 10 000-owner fan-out runs in the same process.

The bot process is the product as `kontraktsvakt serve` runs it with its scheduler: the aiohttp
app of `bot.app.create_app` and, on the same event loop, the `OutboxSender` sending the
outbox (pacing off, so the fan-out is as heavy as it can be). The outbox holds N owners'
digests (planned first, not measured). This process plays a few people chatting with the bot:
each sends `hjelp` through POST /api/messages, waits for the turn to finish, thinks briefly,
and goes again.

Measured in the same run, against the same stand-in connector:
1. the baseline: the same turns while the bot is idle;
2. the same turns while the fan-out runs, until it is done.
Prints p50, p99 and max of each, and the fan-out's rate while it was shared with the turns.

Run: .venv/bin/python -m bench.busy_turns [--owners 10000] [--users 4] [--database sqlite|URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.reminders import databases, plan, populate
from bench.turns import activity, free_port, start, wait_up
from storage.db import create_db_engine

THINK_SECONDS = 0.1
FANOUT = web.AppKey("fanout", dict[str, Any])


def bot_app(database_url: str, data_dir: Path) -> web.Application:
    """The product's app plus two bench-only routes that start and watch the fan-out."""
    from bot.app import ADAPTER, ENGINE, create_app, system_clock
    from bot.reminders.cards import ReminderCards
    from bot.settings import load_settings
    from bot.teams.notifier import TeamsNotifier
    from bot.wiring import DEV_BOT_APP_ID, process_name
    from followup.reminders.outbox import OutboxSender, SenderSettings
    from followup.reminders.pacing import Pacer
    from storage.db import create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    settings = load_settings(
        MicrosoftAppId="",
        DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        DEV_CHANNEL=False,
        LOG_LEVEL="WARNING",
    )
    app = create_app(settings)
    app[FANOUT] = {"sent": 0, "seconds": 0.0, "done": False}

    async def run_fanout() -> None:
        sender = OutboxSender(
            SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE])),
            TeamsNotifier(app[ADAPTER], DEV_BOT_APP_ID),
            ReminderCards(),
            system_clock,
            Pacer(None),
            holder=process_name(),
            settings=SenderSettings(concurrency=settings.send_concurrency),
        )
        started = time.perf_counter()
        report = await sender.send_all()
        app[FANOUT].update(sent=report.sent, seconds=time.perf_counter() - started, done=True)

    async def start_fanout(request: web.Request) -> web.Response:
        request.app[FANOUT]["task"] = asyncio.create_task(run_fanout())
        return web.json_response({"started": True})

    async def fanout_state(request: web.Request) -> web.Response:
        state = {k: v for k, v in request.app[FANOUT].items() if k != "task"}
        return web.json_response(state)

    async def keep_task(app: web.Application) -> AsyncIterator[None]:
        yield
        task = app[FANOUT].get("task")
        if task is not None:
            task.cancel()

    app.cleanup_ctx.append(keep_task)
    app.router.add_post("/bench/fanout", start_fanout)
    app.router.add_get("/bench/fanout", fanout_state)
    return app


async def chat(
    session: aiohttp.ClientSession, url: str, service_url: str, users: int, until: Any
) -> list[float]:
    """`users` people sending `hjelp` in turn until `until()` is true."""
    latencies: list[float] = []

    async def person() -> None:
        while not await until():
            started = time.perf_counter()
            async with session.post(url, json=activity(service_url)) as response:
                await response.read()
                if response.status not in (200, 201):
                    raise RuntimeError(f"turn failed: {response.status}")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(THINK_SECONDS)

    await asyncio.gather(*(person() for _ in range(users)))
    return latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


async def measure(args: argparse.Namespace, database_url: str, standin_url: str) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = start("bench.busy_turns", "--serve", str(port), database_url, data_dir)
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                await wait_up(session, base + "/healthz", proc)
                messages = base + "/api/messages"
                deadline = time.perf_counter() + 1.0

                async def warmed() -> bool:
                    return time.perf_counter() > deadline

                await chat(session, messages, standin_url, args.users, warmed)
                deadline = time.perf_counter() + args.idle_seconds
                idle = await chat(session, messages, standin_url, args.users, warmed)

                async with session.post(base + "/bench/fanout") as response:
                    await response.read()

                async def fanout_done() -> bool:
                    async with session.get(base + "/bench/fanout") as response:
                        return bool((await response.json())["done"])

                busy = await chat(session, messages, standin_url, args.users, fanout_done)
                async with session.get(base + "/bench/fanout") as response:
                    fanout = await response.json()
        finally:
            proc.terminate()
            proc.wait(10)
    print(
        f"hjelp turns, {args.users} people each thinking {THINK_SECONDS * 1000:.0f} ms between "
        f"turns; cpus {os.cpu_count()}; {database_url.split(':', maxsplit=1)[0]}"
    )
    print(f"{'while':<34}{'turns':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, latencies in (("the bot is idle (baseline)", idle), ("a fan-out runs", busy)):
        p50, p99, worst = summary(latencies)
        print(f"{label:<34}{len(latencies):>7}{p50:>9.1f}{p99:>9.1f}{worst:>9.1f}")
    rate = fanout["sent"] / fanout["seconds"] if fanout["seconds"] else 0.0
    print(
        f"fan-out: {fanout['sent']} digests in {fanout['seconds']:.1f} s ({rate:,.0f} msgs/s) "
        f"while serving the turns; p99 aim < 300 ms: {summary(busy)[1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=4, help="people chatting at once")
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--serve", nargs=3, metavar=("PORT", "DATABASE_URL", "DATA_DIR"))
    args = parser.parse_args()
    if args.serve:
        port, database_url, data_dir = args.serve
        web.run_app(
            bot_app(database_url, Path(data_dir)),
            host="127.0.0.1",
            port=int(port),
            print=None,
        )
        return
    standin_port = free_port()
    standin = start("bench.standin", str(standin_port))
    standin_url = f"http://127.0.0.1:{standin_port}/"
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            databases(args.database, Path(tmp), ["busy"]) as urls,
        ):
            engine = create_db_engine(urls["busy"])
            populate(engine, args.owners, standin_url)
            planned = plan(engine)
            engine.dispose()
            print(f"setup: {planned.digests} digests in the outbox")
            sys.stdout.flush()
            asyncio.run(measure(args, urls["busy"], standin_url))
    finally:
        standin.terminate()
        standin.wait(10)


if __name__ == "__main__":
    main()
