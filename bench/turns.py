"""Turns per second and latency of a `hjelp` turn through POST /api/messages.

Compares, in the same run and against the same minimal connector stand-in (bench/standin.py):
the bare aiohttp baseline, stock botbuilder 4.17.1, and Kontraktsvakt. Each server runs in its
own process; this process generates the load. Prints each figure as a share of the baseline,
and each server process's CPU time per turn (Linux), steadier than the shares on a busy machine.
Every point is measured `--rounds` times (default 3), each server right after the other, the
baseline first in one round and last in the next: a share compares two runs a few seconds apart,
whatever the machine did in between. The table gives the medians and each round's share.

`--turn levert` measures a typed answer instead: the bench user is seeded as the owner of
`--contracts` contracts with one delivery due each, and every turn is `levert <avtalenr>` of the
next one (one fitting follow-up: the answer is stored, audited and confirmed).

`--think-ms T` makes each of the `--concurrency` users pause a random 0–2·T ms between turns, as
people in a chat do (`--concurrency 200 --think-ms 1000`: 200 users, about 200 turns a second
offered), instead of sending the next turn at once (the default: as many turns as the server
takes). `--postgres ADMIN_URL` runs the product on a fresh PostgreSQL database made on that server
(its storage calls then run in worker threads, `bot.teams.store_calls`); SQLite by default.

Run: .venv/bin/python -m bench.turns [--seconds 4] [--rounds 3] [--concurrency 1 8 64]
     [--skip-stock] [--turn hjelp|levert] [--contracts 20000]
     [--postgres postgresql+psycopg://...] [--think-ms 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
BENCH_AAD = "5c0f1c1e-0000-4000-8000-000000000001"
BENCH_TEAMS_ID = "29:bench-user"
TURN_TEXT = {"hjelp": "hjelp", "levert": "levert {reference}"}
_turn_numbers = [itertools.count()]
"""The next contract a `levert` turn answers (one holder, restarted for each server)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Result:
    server: str
    concurrency: int
    turns: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    connections: int
    replies: int
    cpu_ms: float
    """The server process's CPU time (user + system) per turn: steadier than the shares when
    other work shares the machine."""

    @property
    def rate(self) -> float:
        return self.turns / self.seconds


def reference(n: int) -> str:
    return f"KOM-B-{n:05d}"


def activity(
    service_url: str, turn: str = "hjelp", numbers: Iterator[int] | None = None
) -> dict[str, Any]:
    number = next(numbers if numbers is not None else _turn_numbers[0])
    text = TURN_TEXT[turn].format(reference=reference(number))
    return {
        "type": "message",
        "id": str(uuid.uuid4()),
        "timestamp": "2026-11-20T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {
            "id": BENCH_TEAMS_ID,
            "name": "Bench User",
            "aadObjectId": BENCH_AAD,
        },
        "conversation": {
            "id": "a:bench-conversation",
            "conversationType": "personal",
            "tenantId": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042",
        },
        "recipient": {"id": "28:bench-bot", "name": "Kontraktsvakt"},
        "channelData": {"tenant": {"id": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"}},
        "locale": "nb-NO",
        "text": text,
    }


def seed_answers(data_dir: Path, count: int) -> None:
    """The bench user, a registered owner of `count` contracts with one delivery due each (on
    the product's database in `data_dir`, migrated by its server)."""
    from datetime import UTC, date, datetime, timedelta

    from bot.settings import load_settings
    from followup.models import (
        Category,
        Checkpoint,
        CheckpointSource,
        Contract,
        ContractType,
        FollowUp,
        Person,
        RiskLevel,
        Role,
        Supplier,
    )
    from storage.db import create_db_engine, create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    settings = load_settings(MicrosoftAppId="", DATA_DIR=str(data_dir), DEV_CHANNEL=False)
    engine = create_db_engine(settings.effective_database_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    now = datetime.now(UTC)
    today = now.date()
    with factory() as uow:
        owner = Person(
            display_name="Bench User",
            email="bench.user@fjordvik.kommune.no",
            roles={Role.OWNER},
            teams_user_id=BENCH_TEAMS_ID,
            entra_object_id=BENCH_AAD,
        )
        uow.people.add(owner, now)
        supplier = Supplier(name="Benk AS", organisation_number="974760673")
        uow.suppliers.add(supplier)
        uow.commit()
        for start in range(0, count, 500):
            batch = range(start, min(count, start + 500))
            contracts = [
                Contract(
                    reference=reference(n),
                    title=f"Avtale {n}",
                    contract_type=ContractType.SINGLE,
                    category=Category.GOODS,
                    start_date=date(2026, 1, 1),
                    end_date=date(2030, 12, 31),
                    value_nok=100_000,
                    risk=RiskLevel.MEDIUM,
                    owner_id=owner.id,
                    supplier_id=supplier.id,
                )
                for n in batch
            ]
            for contract in contracts:
                uow.contracts.add(contract, now)
            uow.commit()
            checkpoints = [
                Checkpoint(
                    contract_id=contract.id,
                    code="levering",
                    title="Levering",
                    rrule="FREQ=MONTHLY",
                    dtstart=date(2026, 1, 1),
                    source=CheckpointSource.MANUAL,
                )
                for contract in contracts
            ]
            for checkpoint in checkpoints:
                uow.checkpoints.add(checkpoint)
            uow.commit()
            follow_ups = [
                FollowUp(
                    checkpoint_id=checkpoint.id,
                    contract_id=checkpoint.contract_id,
                    due_date=today + timedelta(days=2),
                    next_action_at=now + timedelta(days=1),
                )
                for checkpoint in checkpoints
            ]
            uow.follow_ups.add_many(follow_ups)
            uow.commit()
    engine.dispose()


def start(module: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_up(session: aiohttp.ClientSession, url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {err[-2000:]}")
        try:
            async with session.get(url) as r:
                await r.read()
                return
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


async def load(
    session: aiohttp.ClientSession,
    url: str,
    service_url: str,
    concurrency: int,
    seconds: float,
    turn: str = "hjelp",
    think_seconds: float = 0.0,
    numbers: Iterator[int] | None = None,
) -> tuple[list[float], int, float]:
    """`concurrency` users, each sending a turn, waiting for it, then (with `think_seconds`)
    pausing a random 0–2× that long before the next, as a person does."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    pauses = random.Random(2026)

    async def worker() -> None:
        nonlocal errors
        if think_seconds:
            await asyncio.sleep(pauses.uniform(0, 2 * think_seconds))  # users do not start together
        while time.perf_counter() < deadline:
            body = activity(service_url, turn, numbers)
            t0 = time.perf_counter()
            async with session.post(url, json=body) as r:
                await r.read()
                ok = r.status in (200, 201)
            latencies.append(time.perf_counter() - t0)
            errors += 0 if ok else 1
            if think_seconds:
                await asyncio.sleep(pauses.uniform(0, 2 * think_seconds))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), 0.0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """One server under test in its own process (`bench.servers`), measured a point at a time."""

    def __init__(self, name: str, data_dir: Path, turn: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        self.proc = start("bench.servers", name, str(self.port), str(data_dir / name))
        self.data_dir = data_dir / name
        self.turn = turn
        self.numbers: Iterator[int] = itertools.count()
        """The next contract a `levert` turn answers, for this server alone."""

    async def ready(self, session: aiohttp.ClientSession, standin_url: str, contracts: int) -> None:
        await wait_up(session, f"http://127.0.0.1:{self.port}/healthz", self.proc)
        if self.name == "kontraktsvakt" and self.turn == "levert":
            await asyncio.to_thread(seed_answers, self.data_dir, contracts)
        await load(  # warm-up
            session, self.url, standin_url, 4, 1.5, self.turn, numbers=self.numbers
        )

    async def measure(
        self,
        session: aiohttp.ClientSession,
        standin_url: str,
        concurrency: int,
        seconds: float,
        think_seconds: float,
    ) -> Result:
        async with session.post(standin_url + "_reset") as r:
            await r.read()
        cpu_before = cpu_seconds(self.proc.pid)
        latencies, errors, elapsed = await load(
            session,
            self.url,
            standin_url,
            concurrency,
            seconds,
            self.turn,
            think_seconds,
            numbers=self.numbers,
        )
        cpu = cpu_seconds(self.proc.pid) - cpu_before
        async with session.get(standin_url + "_stats") as r:
            stats = await r.json()
        ordered = sorted(latencies)
        return Result(
            server=self.name,
            concurrency=concurrency,
            turns=len(latencies),
            seconds=elapsed,
            p50_ms=statistics.median(ordered) * 1000,
            p99_ms=ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
            errors=errors,
            connections=int(stats["connections"]),
            replies=int(stats["activities"]),
            cpu_ms=1000 * cpu / max(1, len(latencies)),
        )

    def turns_used(self) -> int:
        return next(self.numbers)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def main_async(args: argparse.Namespace) -> None:
    if args.postgres:
        from bench.import_contracts import fresh_database

        database = fresh_database(args.postgres, Path(tempfile.gettempdir()))
        os.environ["DATABASE_URL"] = database.url  # the product server and the seeding read it
        try:
            await run_all(args)
        finally:
            del os.environ["DATABASE_URL"]
            database.close()
        return
    await run_all(args)


async def run_all(args: argparse.Namespace) -> None:
    """Every server runs from the start; each round measures every concurrency on each server
    back to back, the baseline first in odd rounds and last in even ones, so a machine whose
    speed drifts (other work, other tenants of the host) moves both sides of a share alike."""
    standin_port = free_port()
    standin = start("bench.standin", str(standin_port))
    standin_url = f"http://127.0.0.1:{standin_port}/"
    names = ["baseline", "kontraktsvakt"] + ([] if args.skip_stock else ["stock"])
    results: dict[tuple[str, int], list[Result]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        servers = [Server(name, Path(tmp), args.turn) for name in names]
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512)) as session:
                await wait_up(session, standin_url + "_stats", standin)
                for server in servers:
                    await server.ready(session, standin_url, args.contracts)
                for round_number in range(args.rounds):
                    order = servers if round_number % 2 == 0 else servers[::-1]
                    for concurrency in args.concurrency:
                        for server in order:
                            result = await server.measure(
                                session,
                                standin_url,
                                concurrency,
                                args.seconds,
                                args.think_ms / 1000,
                            )
                            results.setdefault((server.name, concurrency), []).append(result)
            used = {server.name: server.turns_used() for server in servers}
        finally:
            for server in servers:
                server.stop()
            standin.terminate()
            standin.wait(10)
    report(args, names, results, used)


def report(
    args: argparse.Namespace,
    names: list[str],
    results: dict[tuple[str, int], list[Result]],
    used: dict[str, int],
) -> None:
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.turn} turns through POST /api/messages, {args.seconds:.0f} s a point, "
        f"{args.rounds} round(s), cpus={os.cpu_count()}, store={store}"
    )
    if args.turn == "levert" and used.get("kontraktsvakt", 0) > args.contracts:
        print(f"WARNING: more turns than --contracts {args.contracts}: raise it")
    print(
        f"{'server':<14}{'conc':>5}{'turns/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'of base':>9}"
        f"{'errors':>8}{'conns/100 replies':>19}{'cpu ms/turn':>13}   shares by round"
    )
    for name in names:
        for concurrency in args.concurrency:
            runs = results[(name, concurrency)]
            bases = results[("baseline", concurrency)]
            shares = [r.rate / b.rate for r, b in zip(runs, bases, strict=True)]
            rate = statistics.median(r.rate for r in runs)
            conns = 100 * sum(r.connections for r in runs) / max(1, sum(r.replies for r in runs))
            print(
                f"{name:<14}{concurrency:>5}{rate:>10.0f}"
                f"{statistics.median(r.p50_ms for r in runs):>9.2f}"
                f"{statistics.median(r.p99_ms for r in runs):>9.2f}"
                f"{statistics.median(shares):>8.1%}{sum(r.errors for r in runs):>8}"
                f"{conns:>19.2f}{statistics.median(r.cpu_ms for r in runs):>13.2f}   "
                + " ".join(f"{share:.1%}" for share in shares)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--turn", choices=sorted(TURN_TEXT), default="hjelp")
    parser.add_argument("--contracts", type=int, default=20000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of every point, alternating which server goes first (medians printed)",
    )
    parser.add_argument("--postgres", default="", help="admin URL of a PostgreSQL server")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="each user pauses a random 0-2x this long between turns (0: back to back)",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
