"""Sending reminder digests: the outbox fan-out, and paced sending within Teams' limits.

Setup (not measured): N owners (default 10 000), each with a contract, a checkpoint, a due
follow-up and a personal conversation whose service URL is a local stand-in; `plan_reminders`
puts one digest per owner in the outbox. Then, each part in its own process (so peak RSS is
the part's own) and against the same stand-in:

1. Pacing off, to `bench/standin.py` (answers every send at once):
   - `raw aiohttp`: the limit. One `ClientSession`, the same concurrency, POSTs the same activity
     JSON (built and serialised per message from the stored message and reference).
   - `botbuilder`: botbuilder's own proactive path, `continue_conversation` + `send_activity`
     over our pooled connector (the same adapter as the product), in a loop with the same
     concurrency, no outbox (`ContinueConversationNotifier`).
   - `notifier`: the product's `TeamsNotifier` (the activity JSON POSTed through the pooled
     client), the same loop, no outbox.
   - `outbox`: the product: `OutboxSender.send_all()` with `Pacer(None)`, as
     `kontraktsvakt scheduler` wires it (claims, leases, recording outcomes, all in the DB).
2. Pacing on (`Pacer()` defaults: 30/s per tenant, Teams' conversation windows) to
   `bench/limited_standin.py`, which enforces 30/s per tenant in a sliding 1 s window and the
   conversation windows, answering 429 with Retry-After. `--paced` messages (default 600, 20 s),
   a few dozen of them to two busy channels so the conversation windows come into play.

Prints messages/s, the share of the raw rate, peak RSS and the growth of RSS while sending; for
the paced part the achieved rate as a share of the limit and the number of 429s.

Run: .venv/bin/python -m bench.reminders [--owners 10000] [--paced 600] [--database sqlite|URL]
     (a URL is a PostgreSQL server: fresh databases are made on it and dropped afterwards)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import aiohttp
from sqlalchemy import Engine, Table, bindparam, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from followup.calendar.workdays import WorkingCalendar
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    ConversationKind,
    ConversationRef,
    Delivery,
    DeliveryKind,
    FollowUp,
    Supplier,
)
from followup.ports import OutgoingMessage
from followup.reminders.planning import PlanReport, message_from_json, plan_reminders
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.tables import ConversationRefRow, DeliveryRow, PersonRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

T = TypeVar("T")
ROOT: Final = Path(__file__).resolve().parents[1]
NOW: Final = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
"""Monday 10:00 in Oslo: inside the send window."""
TENANT: Final = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"
BOT_ID: Final = "28:00000000-0000-4000-8000-000000000b07"
CONCURRENCY: Final = 16
"""The product's default (SEND_CONCURRENCY, and the connector pool's connections per host)."""
CHUNK: Final = 5000


def conversation_id(index: int) -> str:
    return f"a:kv-owner-{index:06d}"


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def populate(
    engine: Engine, owners: int, service_url: str, *, now: datetime = NOW, tenant: str = TENANT
) -> list[str]:
    """N owners, each with a contract whose follow-up is due at `now` and a personal
    conversation at `service_url`. Returns the conversation ids, in owner order."""
    person_ids = [str(uuid.uuid4()) for _ in range(owners)]
    supplier = Supplier(name="Fjordbygg AS", organisation_number="923609016")
    contracts = [
        Contract(
            reference=f"KOM-2026-{i:06d}",
            title=f"Kontrakt {i}",
            contract_type=ContractType.SINGLE,
            category=Category.GOODS,
            start_date=date(2026, 1, 1),
            end_date=date(2028, 12, 31),
            owner_id=person_ids[i],
            supplier_id=supplier.id,
        )
        for i in range(owners)
    ]
    checkpoints = [
        Checkpoint(
            contract_id=c.id,
            code="levering",
            title="Leveranse etter avtale",
            question="Er leveransene i perioden levert som avtalt?",
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 18),
        )
        for c in contracts
    ]
    follow_ups = [
        FollowUp(
            checkpoint_id=cp.id,
            contract_id=cp.contract_id,
            due_date=now.date() + timedelta(days=2),
            next_action_at=now - timedelta(hours=1),
        )
        for cp in checkpoints
    ]
    conversations = [conversation_id(i) for i in range(owners)]
    people = [
        {
            "id": pid,
            "display_name": f"Eier {i}",
            "email": f"eier{i}@fjordvik.kommune.no",
            "roles": ["owner"],
            "locale": "nb-NO",
            "reminders_paused": False,
            "reminders_per_day": 1,
            "unreachable": False,
            "created_at": now,
            "updated_at": now,
        }
        for i, pid in enumerate(person_ids)
    ]
    refs = [
        {
            "id": str(uuid.uuid4()),
            "conversation_id": conversations[i],
            "user_id": f"29:kv-user-{i:06d}",
            "kind": ConversationKind.PERSONAL.value,
            "tenant_id": tenant,
            "service_url": service_url,
            "channel_id": "msteams",
            "bot_id": BOT_ID,
            "bot_name": "Kontraktsvakt",
            "aad_object_id": str(uuid.UUID(int=i + 1)),
            "person_id": pid,
            "is_procurement_channel": False,
            "updated_at": now,
        }
        for i, pid in enumerate(person_ids)
    ]
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    with factory() as uow:
        connection = uow.session.connection()
        for rows in _chunks(people):
            connection.execute(insert(PersonRow), rows)
        uow.suppliers.add_many([supplier])
        for start in range(0, owners, CHUNK):
            uow.contracts.add_many(contracts[start : start + CHUNK], now)
            uow.checkpoints.add_many(checkpoints[start : start + CHUNK])
            uow.follow_ups.add_many(follow_ups[start : start + CHUNK])
        for rows in _chunks(refs):
            connection.execute(insert(ConversationRefRow), rows)
        uow.commit()
    return conversations


def plan(engine: Engine, *, now: datetime = NOW) -> PlanReport:
    """Plan once: one digest per owner into the outbox."""
    from bot.reminders.cards import ReminderCards

    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    return plan_reminders(
        factory, now, holder="bench-planner", calendar=WorkingCalendar(), renderer=ReminderCards()
    )


def add_channel_messages(
    engine: Engine, channels: int, per_channel: int, service_url: str, *, now: datetime = NOW
) -> int:
    """Several messages to each of a few channels (conversation windows matter there)."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    with factory() as uow:
        deliveries: list[Delivery] = []
        for c in range(channels):
            ref = ConversationRef(
                conversation_id=f"19:kv-channel-{c}@thread.tacv2",
                kind=ConversationKind.CHANNEL,
                tenant_id=TENANT,
                service_url=service_url,
                channel_id="msteams",
                bot_id=BOT_ID,
                is_procurement_channel=False,
                updated_at=now,
            )
            uow.conversations.save(ref)
            deliveries.extend(
                Delivery(
                    kind=DeliveryKind.ESCALATION,
                    conversation_ref_id=ref.id,
                    message={"text": f"Innkjøp: melding {n} til kanal {c}", "card": None},
                    created_at=now,
                )
                for n in range(per_channel)
            )
        uow.deliveries.add_many(deliveries, now)
        uow.commit()
    return channels * per_channel


def shuffle_queue(engine: Engine, *, seed: int = 7, now: datetime = NOW) -> None:
    """Put the queue in a random (fixed) order: the channels' messages among the digests."""
    table = cast(Table, DeliveryRow.__table__)
    with engine.begin() as conn:
        ids = list(conn.scalars(select(table.c.id).order_by(table.c.created_at, table.c.id)))
        random.Random(seed).shuffle(ids)
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(created_at=bindparam("b_at")),
            [{"b_id": i, "b_at": now + timedelta(microseconds=n)} for n, i in enumerate(ids)],
        )


# --- the measured parts (each in its own process) ------------------------------------------------


def _rss_mb() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike `ru_maxrss`, not inherited across fork + exec)."""
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load_outbox(url: str) -> list[tuple[ConversationRef, OutgoingMessage]]:
    """Every delivery with a conversation, as (reference, message): what the baselines send."""
    engine = create_db_engine(url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        with factory() as uow:
            table = DeliveryRow.__table__
            rows = uow.session.execute(
                select(table.c.conversation_ref_id, table.c.message)
                .where(table.c.conversation_ref_id.is_not(None))
                .order_by(table.c.created_at, table.c.id)
            ).all()
            refs = uow.conversations.get_many({r.conversation_ref_id for r in rows})
            return [(refs[r.conversation_ref_id], message_from_json(r.message)) for r in rows]
    finally:
        engine.dispose()


async def _in_parallel(
    jobs: list[tuple[ConversationRef, OutgoingMessage]],
    concurrency: int,
    send: Callable[[ConversationRef, OutgoingMessage], Awaitable[None]],
) -> int:
    """Send every job with `concurrency` workers; returns the number of failures."""
    queue = iter(jobs)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for ref, message in queue:
            try:
                await send(ref, message)
            except Exception:  # counted, not fatal: the stand-in's count is checked too
                failures += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return failures


def local_settings(url: str) -> Any:
    from bot.settings import load_settings

    return load_settings(
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        DATABASE_URL=url,
        ALLOWED_SERVICE_URL_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )


async def part_raw(url: str, concurrency: int) -> dict[str, Any]:
    jobs = _load_outbox(url)
    rss_before = _rss_mb()
    connector = aiohttp.TCPConnector(limit_per_host=concurrency, keepalive_timeout=60)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(ref: ConversationRef, message: OutgoingMessage) -> None:
            activity: dict[str, Any] = {
                "type": "message",
                "channelId": ref.channel_id,
                "serviceUrl": ref.service_url,
                "conversation": {"id": ref.conversation_id, "tenantId": ref.tenant_id},
                "from": {"id": ref.bot_id},
                "recipient": {"id": ref.user_id, "aadObjectId": ref.aad_object_id},
                "channelData": {"tenant": {"id": ref.tenant_id}},
            }
            if message.card is not None:
                activity["summary"] = message.text
                activity["attachments"] = [
                    {
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": message.card,
                    }
                ]
            else:
                activity["text"] = message.text
            body = json.dumps(activity, separators=(",", ":")).encode()
            target = f"{ref.service_url.rstrip('/')}/v3/conversations/{ref.conversation_id}"
            async with session.post(
                target + "/activities",
                data=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            ) as response:
                await response.read()
                if response.status >= 400:
                    raise RuntimeError(response.status)

        started, cpu = time.perf_counter(), time.process_time()
        failures = await _in_parallel(jobs, concurrency, send)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "messages": len(jobs),
        "seconds": seconds,
        "cpu": cpu,
        "failures": failures,
        "rss0": rss_before,
    }


class ContinueConversationNotifier:
    """The baseline: botbuilder's own proactive path, `continue_conversation` and
    `send_activity` per message (what `bot.teams.notifier.TeamsNotifier` did before it posted the
    activity JSON through the pooled client itself)."""

    def __init__(self, adapter: Any, bot_app_id: str) -> None:
        self._adapter = adapter
        self._bot_app_id = bot_app_id

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        from botbuilder.core import CardFactory, MessageFactory, TurnContext
        from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

        reference = ConversationReference(
            bot=ChannelAccount(id=ref.bot_id, name=ref.bot_name),
            channel_id=ref.channel_id,
            conversation=ConversationAccount(
                id=ref.conversation_id, tenant_id=ref.tenant_id, conversation_type=ref.kind.value
            ),
            service_url=ref.service_url,
            user=ChannelAccount(id=ref.user_id, aad_object_id=ref.aad_object_id),
        )
        if message.card is not None:
            activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card))
            activity.summary = message.text
        else:
            activity = MessageFactory.text(message.text)
        activity.channel_data = {"tenant": {"id": ref.tenant_id}}
        sent: list[str | None] = []

        async def callback(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(activity)
            sent.append(response.id if response else None)

        await self._adapter.continue_conversation(reference, callback, self._bot_app_id)
        return sent[0] if sent else None


async def part_notifier(url: str, concurrency: int, *, botbuilder: bool) -> dict[str, Any]:
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.teams.auth import PooledBotFrameworkAuthentication
    from bot.teams.connector import ConnectorPool
    from bot.teams.notifier import TeamsNotifier
    from bot.wiring import DEV_BOT_APP_ID

    settings = local_settings(url)
    jobs = _load_outbox(url)
    pool = ConnectorPool(settings.effective_service_url_hosts, connection_limit=concurrency)
    adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
    notifier: ContinueConversationNotifier | TeamsNotifier = (
        ContinueConversationNotifier(adapter, DEV_BOT_APP_ID)
        if botbuilder
        else TeamsNotifier(adapter, DEV_BOT_APP_ID)
    )
    rss_before = _rss_mb()

    async def send(ref: ConversationRef, message: OutgoingMessage) -> None:
        await notifier.send(ref, message)

    try:
        started, cpu = time.perf_counter(), time.process_time()
        failures = await _in_parallel(jobs, concurrency, send)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await pool.close()
    return {
        "messages": len(jobs),
        "seconds": seconds,
        "cpu": cpu,
        "failures": failures,
        "rss0": rss_before,
    }


async def part_outbox(url: str, concurrency: int, *, paced: bool) -> dict[str, Any]:
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.app import system_clock
    from bot.reminders.cards import ReminderCards
    from bot.teams.auth import PooledBotFrameworkAuthentication
    from bot.teams.connector import ConnectorPool
    from bot.teams.notifier import TeamsNotifier
    from bot.wiring import DEV_BOT_APP_ID, process_name
    from followup.reminders.outbox import OutboxSender, SenderSettings
    from followup.reminders.pacing import Pacer

    settings = local_settings(url)
    engine = create_db_engine(url)
    pool = ConnectorPool(settings.effective_service_url_hosts, connection_limit=concurrency)
    adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
    pacer = Pacer() if paced else Pacer(None)
    db_cpu = [0.0]

    async def run_sync(work: Callable[[], T]) -> T:
        """The sender's database work in a thread, as by default, counting its CPU time."""

        def timed() -> T:
            started = time.thread_time()
            try:
                return work()
            finally:
                db_cpu[0] += time.thread_time() - started

        return await asyncio.to_thread(timed)

    sender = OutboxSender(
        SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        TeamsNotifier(adapter, DEV_BOT_APP_ID),
        ReminderCards(),
        system_clock,
        pacer,
        holder=process_name(),
        settings=SenderSettings(concurrency=concurrency),
        run_sync=run_sync,
    )
    rss_before = _rss_mb()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = await sender.send_all()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await pool.close()
        engine.dispose()
    return {
        "messages": report.sent,
        "seconds": seconds,
        "failures": report.failed + report.unreachable + report.requeued,
        "throttled": report.throttled,
        "holds": pacer.holds,
        "cpu": cpu,
        "db_cpu": db_cpu[0],
        "rss0": rss_before,
    }


def run_part(args: argparse.Namespace) -> None:
    if args.part == "raw":
        result = asyncio.run(part_raw(args.database, args.concurrency))
    elif args.part in ("botbuilder", "notifier"):
        botbuilder = args.part == "botbuilder"
        result = asyncio.run(part_notifier(args.database, args.concurrency, botbuilder=botbuilder))
    else:
        work = part_outbox(args.database, args.concurrency, paced=args.part == "paced")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(asyncio.run, work)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        else:
            result = asyncio.run(work)
    result["peak_rss"] = _peak_rss_mb()
    print(json.dumps(result))


# --- the orchestra -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def http_get(url: str) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return dict(await response.json())

    return asyncio.run(go())


def http_post(url: str) -> None:
    async def go() -> None:
        async with aiohttp.ClientSession() as session, session.post(url) as response:
            await response.read()

    asyncio.run(go())


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"stand-in exited: {err[-2000:]}")
        try:
            http_get(url + "_stats")
        except aiohttp.ClientError:
            time.sleep(0.05)
        else:
            return
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def databases(spec: str, folder: Path, names: list[str]) -> Iterator[dict[str, str]]:
    """Fresh migrated databases: SQLite files in `folder`, or new databases on a server."""
    if spec == "sqlite":
        urls = {name: f"sqlite:///{folder / name}.db" for name in names}
        for url in urls.values():
            upgrade_database(url)
        yield urls
        return
    admin_url = make_url(spec)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    made = {name: f"kv_bench_{name}_{uuid.uuid4().hex[:8]}" for name in names}
    try:
        with admin.connect() as conn:
            for database in made.values():
                conn.execute(text(f'CREATE DATABASE "{database}"'))
        urls = {
            name: admin_url.set(database=database).render_as_string(hide_password=False)
            for name, database in made.items()
        }
        for url in urls.values():
            upgrade_database(url)
        yield urls
    finally:
        with admin.connect() as conn:
            for database in made.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Measured:
    name: str
    messages: int
    seconds: float
    failures: int
    received: int
    peak_rss: float
    rss0: float
    cpu: float
    db_cpu: float = 0.0
    throttled: int = 0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def measure(part: str, url: str, standin: str, concurrency: int, profile: bool) -> Measured:
    http_post(standin + "_reset")
    command = [
        sys.executable, "-m", "bench.reminders", "--part", part, "--database", url,
        "--concurrency", str(concurrency),
    ] + (["--profile"] if profile else [])  # fmt: skip
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if profile or done.returncode != 0:
        sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"part {part} failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    stats = http_get(standin + "_stats")
    return Measured(
        name=part,
        messages=int(result["messages"]),
        seconds=float(result["seconds"]),
        failures=int(result["failures"]),
        received=int(stats["activities"]),
        peak_rss=float(result["peak_rss"]),
        rss0=float(result["rss0"]),
        cpu=float(result["cpu"]),
        db_cpu=float(result.get("db_cpu", 0.0)),
        throttled=int(stats.get("throttled_tenant", 0))
        + int(stats.get("throttled_conversation", 0)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--paced", type=int, default=600, help="messages in the paced part")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--profile", action="store_true", help="profile the outbox part")
    parser.add_argument("--part", choices=["raw", "botbuilder", "notifier", "outbox", "paced"])
    args = parser.parse_args()
    if args.part:
        run_part(args)
        return

    fast_port, limited_port = free_port(), free_port()
    fast = start_server("bench.standin", str(fast_port))
    limited = start_server("bench.limited_standin", str(limited_port), "--tenant-rate", "30")
    fast_url = f"http://127.0.0.1:{fast_port}/"
    limited_url = f"http://127.0.0.1:{limited_port}/"
    try:
        wait_up(fast_url, fast)
        wait_up(limited_url, limited)
        with (
            tempfile.TemporaryDirectory() as tmp,
            databases(args.database, Path(tmp), ["fanout", "paced"]) as urls,
        ):
            started = time.perf_counter()
            engine = create_db_engine(urls["fanout"])
            populate(engine, args.owners, fast_url)
            made = time.perf_counter()
            fanout_plan = plan(engine)
            planned = time.perf_counter()
            engine.dispose()
            engine = create_db_engine(urls["paced"])
            busy = max(1, args.paced // 30)
            owners = args.paced - 2 * busy
            populate(engine, owners, limited_url)
            paced_plan = plan(engine)
            add_channel_messages(engine, 2, busy, limited_url)
            shuffle_queue(engine)
            engine.dispose()
            assert fanout_plan.digests == args.owners, fanout_plan
            assert paced_plan.digests == owners, paced_plan
            print(
                f"setup: {args.owners} owners written in {made - started:.1f} s, "
                f"planned in {planned - made:.1f} s ({args.owners / (planned - made):,.0f} "
                f"digests/s); database {make_url(urls['fanout']).get_backend_name()}, "
                f"concurrency {args.concurrency}, cpus {os.cpu_count()}"
            )
            sys.stdout.flush()
            results = [
                measure(part, urls["fanout"], fast_url, args.concurrency, False)
                for part in ("raw", "botbuilder", "notifier")
            ]
            results.append(
                measure("outbox", urls["fanout"], fast_url, args.concurrency, args.profile)
            )
            # The limit again, after the others: the machine may be busier or quieter now.
            results.append(measure("raw", urls["fanout"], fast_url, args.concurrency, False))
            paced = measure("paced", urls["paced"], limited_url, args.concurrency, False)
    finally:
        for proc in (fast, limited):
            proc.terminate()
            proc.wait(10)
    report(results, paced, args.paced, owners, busy)


def report(results: list[Measured], paced: Measured, total: int, owners: int, busy: int) -> None:
    raw = max((r for r in results if r.name == "raw"), key=lambda r: r.rate)
    labels = {
        "raw": "raw aiohttp client (limit)",
        "botbuilder": "botbuilder continue_conversation",
        "notifier": "TeamsNotifier alone (no outbox)",
        "outbox": "Kontraktsvakt outbox sender",
    }
    print(f"\n1. fan-out of {raw.messages} digests, pacing off (shares: of the faster raw run)")
    print(
        f"{'sender':<34}{'msgs/s':>8}{'of raw':>8}{'seconds':>9}{'CPU µs/msg':>12}"
        f"{'of it DB':>10}{'received':>10}{'failed':>8}{'peak RSS MB':>13}{'+ sending':>11}"
    )
    for r in results:
        per = 1e6 / r.messages
        db = f"{r.db_cpu * per:.0f}" if r.name == "outbox" else ""
        print(
            f"{labels[r.name]:<34}{r.rate:>8,.0f}{r.rate / raw.rate:>8.0%}{r.seconds:>9.2f}"
            f"{r.cpu * per:>12.0f}{db:>10}{r.received:>10}{r.failures:>8}{r.peak_rss:>13.0f}"
            f"{r.peak_rss - r.rss0:>11.0f}"
        )
    ours = next(r for r in results if r.name == "outbox")
    print(f"outbox / raw: {ours.rate / raw.rate:.0%} (aim >= 25 %)")
    limit = 30.0
    print(
        f"\n2. paced: {total} messages ({owners} owners' digests, {busy} to each of 2 busy "
        f"channels, in random order), Pacer() defaults against a stand-in enforcing "
        f"{limit:.0f}/s per tenant (sliding 1 s) and the conversation windows"
    )
    print(f"{'msgs/s':>8}{'of limit':>10}{'seconds':>9}{'received':>10}{'429s':>6}{'failed':>8}")
    print(
        f"{paced.rate:>8.1f}{paced.rate / limit:>10.1%}{paced.seconds:>9.2f}"
        f"{paced.received:>10}{paced.throttled:>6}{paced.failures:>8}"
    )
    print(
        f"share of the limit: {paced.rate / limit:.1%} (aim >= 95 %), "
        f"429s: {paced.throttled} (aim 0)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
