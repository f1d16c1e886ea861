"""Turns per second and latency of a `hjelp` turn through POST /api/messages.

Compares, in the same run and against the same minimal connector stand-in (bench/standin.py):
the bare aiohttp baseline, stock botbuilder 4.17.1, and Kontraktsvakt. Each server runs in its
own process; this process generates the load. Prints each figure as a share of the baseline,
and each server process's CPU time per turn (Linux), steadier than the shares on a busy machine.

`--turn levert` measures a typed answer instead: the bench user is seeded as the owner of
`--contracts` contracts with one delivery due each, and every turn is `levert <avtalenr>` of the
next one (one fitting follow-up: the answer is stored, audited and confirmed).

`--think-ms T` makes each of the `--concurrency` users pause a random 0–2·T ms between turns, as
people in a chat do (`--concurrency 200 --think-ms 1000`: 200 users, about 200 turns a second
offered), instead of sending the next turn at once (the default: as many turns as the server
takes). `--postgres ADMIN_URL` runs the product on a fresh PostgreSQL database made on that server
(its storage calls then run in worker threads, `bot.teams.store_calls`); SQLite by default.

Run: .venv/bin/python -m bench.turns [--seconds 4] [--concurrency 1 8 64] [--skip-stock]
     [--turn hjelp|levert] [--contracts 6000] [--postgres postgresql+psycopg://...]
     [--think-ms 1000]
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


def activity(service_url: str, turn: str = "hjelp") -> dict[str, Any]:
    text = TURN_TEXT[turn].format(reference=reference(next(_turn_numbers[0])))
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
            body = activity(service_url, turn)
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


async def run_server(
    name: str,
    standin_url: str,
    concurrencies: list[int],
    seconds: float,
    data_dir: Path,
    turn: str = "hjelp",
    contracts: int = 0,
    think_seconds: float = 0.0,
) -> list[Result]:
    port = free_port()
    proc = start("bench.servers", name, str(port), str(data_dir / name))
    results = []
    url = f"http://127.0.0.1:{port}/api/messages"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512)) as session:
            await wait_up(session, f"http://127.0.0.1:{port}/healthz", proc)
            if name == "kontraktsvakt" and turn == "levert":
                await asyncio.to_thread(seed_answers, data_dir / name, contracts)
            _turn_numbers[0] = itertools.count()
            await load(session, url, standin_url, 4, min(1.5, seconds), turn)  # warm-up
            for concurrency in concurrencies:
                async with session.post(standin_url + "_reset") as r:
                    await r.read()
                cpu_before = cpu_seconds(proc.pid)
                latencies, errors, elapsed = await load(
                    session, url, standin_url, concurrency, seconds, turn, think_seconds
                )
                cpu = cpu_seconds(proc.pid) - cpu_before
                async with session.get(standin_url + "_stats") as r:
                    stats = await r.json()
                ordered = sorted(latencies)
                results.append(
                    Result(
                        server=name,
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
                )
    finally:
        proc.terminate()
        proc.wait(10)
    return results


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
    standin_port = free_port()
    standin = start("bench.standin", str(standin_port))
    standin_url = f"http://127.0.0.1:{standin_port}/"
    servers = ["baseline", "kontraktsvakt"] + ([] if args.skip_stock else ["stock"])
    all_results: dict[str, list[Result]] = {}
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, standin_url + "_stats", standin)
        with tempfile.TemporaryDirectory() as tmp:
            for name in servers:
                all_results[name] = await run_server(
                    name,
                    standin_url,
                    args.concurrency,
                    args.seconds,
                    Path(tmp),
                    args.turn,
                    args.contracts,
                    args.think_ms / 1000,
                )
    finally:
        standin.terminate()
        standin.wait(10)

    base = {r.concurrency: r for r in all_results["baseline"]}
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.turn} turns through POST /api/messages, {args.seconds:.0f} s a point, "
        f"cpus={os.cpu_count()}, store={store}"
    )
    if args.turn == "levert" and "stock" not in servers and next(_turn_numbers[0]) > args.contracts:
        print(f"WARNING: more turns than --contracts {args.contracts}: raise it")
    print(
        f"{'server':<14}{'conc':>5}{'turns/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'of base':>9}"
        f"{'errors':>8}{'conns/100 replies':>19}{'cpu ms/turn':>13}"
    )
    for name in servers:
        for r in all_results[name]:
            share = r.rate / base[r.concurrency].rate
            conns = 100 * r.connections / max(1, r.replies)
            print(
                f"{name:<14}{r.concurrency:>5}{r.rate:>10.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
                f"{share:>8.1%}{r.errors:>8}{conns:>19.2f}{r.cpu_ms:>13.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--turn", choices=sorted(TURN_TEXT), default="hjelp")
    parser.add_argument("--contracts", type=int, default=6000)
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
