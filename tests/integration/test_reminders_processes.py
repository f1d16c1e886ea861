"""Reminders sent by separate OS processes on one PostgreSQL: each once, and what a sender that
is killed or stopped leaves behind.

1 000 owners, each with a due follow-up and a personal conversation whose service URL is a Bot
Connector stand-in: an aiohttp server in a thread of this process that records every activity
it receives, by conversation. The outbox is planned once here (`plan_reminders`: one digest per
owner). Then real processes send it through botbuilder (`TeamsNotifier`, `continue_conversation`
over the pooled connector):

- `kontraktsvakt scheduler` (`python -m bot.cli.main scheduler`: local mode, pacing off, ticking
  every
  second; its own planning finds nothing, see `outbox`);
- tests/integration/reminder_process_worker.py, the same wiring with a 2 s lease, where a killed
  sender's claims must expire during the test.

Exactly once is promised for everything but what a sender had in flight when it was killed:
Teams takes no idempotency key, so a message handed over but not yet recorded is sent again
when its claim expires (followup/reminders/outbox.py). The kill test checks that exactly those, and
only those, may arrive twice; after SIGTERM nothing may.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import Engine, func, insert, select, update

from bench.reminders import NOW, plan, populate
from followup.calendar.workdays import oslo_today
from followup.models import ContractStatus, DeliveryState
from followup.reminders.outbox import SenderSettings
from scheduler.jobs import CALENDAR_MARK
from storage.db import create_db_engine
from storage.tables import ContractRow, ConversationRefRow, DeliveryRow, SchedulerStateRow

pytestmark = pytest.mark.postgres
log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CLAIM_BATCH = SenderSettings().claim_batch  # the default, which the CLI uses
OWNERS = 3 * CLAIM_BATCH
DEADLINE = 60.0


class RecordingConnector:
    """The Bot Connector stand-in: answers 201 to every send, optionally after a delay or only
    once released, and records each activity with its conversation."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.received: list[tuple[str, str, str]] = []
        """(conversation in the URL, conversation in the body, attachment content type)"""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> None:
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> str:
        self._open = asyncio.Event()
        self._open.set()
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/"

    async def _activity(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        await self._open.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        attachments = body.get("attachments") or [{}]
        self.received.append(
            (
                request.match_info["cid"],
                str((body.get("conversation") or {}).get("id")),
                str(attachments[0].get("contentType")),
            )
        )
        return web.json_response({"id": f"1:{len(self.received)}"}, status=201)

    def hold(self) -> None:
        self._loop.call_soon_threadsafe(self._open.clear)

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._open.set)

    def count(self) -> int:
        return len(self.received)

    def per_conversation(self) -> Counter[str]:
        return Counter(cid for cid, _, _ in list(self.received))

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def connector() -> Iterator[RecordingConnector]:
    standin = RecordingConnector()
    standin.start()
    yield standin
    standin.stop()


@dataclass
class Outbox:
    engine: Engine
    conversations: list[str]

    def states(self) -> Counter[str]:
        table = DeliveryRow.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.state, func.count()).group_by(table.c.state))
            return Counter({state: int(n) for state, n in rows})

    def rows(self) -> list[Any]:
        """Every delivery: id, state, attempts, claimed_by and its conversation's id."""
        table = DeliveryRow.__table__
        refs = ConversationRefRow.__table__
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(
                        table.c.id,
                        table.c.state,
                        table.c.attempts,
                        table.c.claimed_by,
                        refs.c.conversation_id,
                    ).join(refs, refs.c.id == table.c.conversation_ref_id)
                )
            )

    def all_sent(self) -> bool:
        return self.states() == Counter({DeliveryState.SENT.value: OWNERS})


@pytest.fixture
def outbox(postgres_url: str, connector: RecordingConnector) -> Iterator[Outbox]:
    engine = create_db_engine(postgres_url)
    conversations = populate(engine, OWNERS, connector.url)
    report = plan(engine)
    assert report.digests == OWNERS
    # The CLI plans too, with the real clock. End the contracts (their follow-ups then plan to
    # nothing) and mark today's calendar as done, so it sends exactly what was planned here.
    with engine.begin() as conn:
        conn.execute(update(ContractRow).values(status=ContractStatus.TERMINATED.value))
        conn.execute(
            insert(SchedulerStateRow).values(
                name=CALENDAR_MARK,
                value=oslo_today(datetime.now(NOW.tzinfo)).isoformat(),
                updated_at=NOW,
            )
        )
    box = Outbox(engine, conversations)
    assert box.states() == Counter({DeliveryState.QUEUED.value: OWNERS})
    yield box
    engine.dispose()


# --- processes -----------------------------------------------------------------------------------


@dataclass
class Sender:
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "ALLOWED_SERVICE_URL_HOSTS": "127.0.0.1",
        "SEND_RATE_PER_TENANT": "0",
        "SEND_CONCURRENCY": "16",
        "SCHEDULER_TICK_SECONDS": "1",
        "PLAN_FILE": "",
        "CLOCK_SPEED": "1",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "text",
    }


def start_sender(database_url: str, folder: Path, name: str, *args: str) -> Sender:
    """`kontraktsvakt scheduler`, or with `args` the test worker; in `folder` (no `.env`)."""
    module = (
        ["tests.integration.reminder_process_worker", *args]
        if args
        else ["bot.cli.main", "scheduler"]
    )
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *module],
            cwd=folder,
            env=_environment(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Sender(proc, log)


def stop_sender(sender: Sender) -> int:
    """SIGTERM, and the exit code of a clean stop."""
    if sender.proc.poll() is None:
        sender.proc.send_signal(signal.SIGTERM)
    try:
        return sender.proc.wait(30)
    except subprocess.TimeoutExpired:
        sender.proc.kill()
        sender.proc.wait()
        pytest.fail(f"sender did not stop on SIGTERM:\n{sender.output()}")


def kill_all(senders: list[Sender]) -> None:
    for sender in senders:
        if sender.proc.poll() is None:
            sender.proc.kill()
            sender.proc.wait()


def wait_until(
    condition: Callable[[], bool], what: str, senders: list[Sender], timeout: float = DEADLINE
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for sender in senders:
            if sender.proc.poll() is not None:
                pytest.fail(f"a sender exited ({sender.proc.returncode}):\n{sender.output()}")
        if time.monotonic() > deadline:
            logs = "\n".join(s.output() for s in senders)
            pytest.fail(f"timed out after {timeout:.0f} s waiting until {what}\n{logs}")
        time.sleep(0.05)


def holder(claim: str) -> str:
    return claim.rsplit(":", 1)[0]


def assert_well_formed(connector: RecordingConnector) -> None:
    for in_url, in_body, content_type in list(connector.received):
        assert in_url == in_body
        assert content_type == "application/vnd.microsoft.card.adaptive"


# --- the tests -----------------------------------------------------------------------------------


def test_two_scheduler_processes_send_each_reminder_exactly_once(
    outbox: Outbox, connector: RecordingConnector, postgres_url: str, tmp_path: Path
) -> None:
    # Nothing is answered until both processes hold claims: each must claim batches of its own.
    # A sender claims its next batch while it sends one, so while the sends are held one process
    # holds two batches and the other the third.
    connector.hold()
    senders = [start_sender(postgres_url, tmp_path, name) for name in ("one", "two")]
    try:
        try:
            wait_until(
                lambda: outbox.states()[DeliveryState.SENDING.value] == OWNERS,
                "both processes have claimed",
                senders,
                timeout=12,  # well inside the connector's 15 s timeout for the held sends
            )
            claims = Counter(holder(row.claimed_by) for row in outbox.rows())
        finally:
            connector.release()
        assert sorted(claims.values()) == [CLAIM_BATCH, 2 * CLAIM_BATCH], claims

        wait_until(outbox.all_sent, "every delivery is sent", senders)
        codes = [stop_sender(sender) for sender in senders]
    finally:
        kill_all(senders)

    assert codes == [0, 0]
    received = connector.per_conversation()
    assert sum(received.values()) == OWNERS
    assert set(received) == set(outbox.conversations)
    assert set(received.values()) == {1}
    assert_well_formed(connector)
    assert {row.attempts for row in outbox.rows()} == {1}


def test_a_killed_sender_loses_nothing_and_repeats_only_what_was_in_flight(
    outbox: Outbox, connector: RecordingConnector, postgres_url: str, tmp_path: Path
) -> None:
    connector.delay = 0.05  # about 300 sends a second: the kill lands mid-way
    first = start_sender(postgres_url, tmp_path, "killed", "--lease-seconds", "2")
    senders = [first]
    try:
        wait_until(lambda: connector.count() >= 300, "some are sent", senders)
        first.proc.kill()
        first.proc.wait()
        rows = outbox.rows()
        received_at_kill = connector.count()
        in_flight = {row.id for row in rows if row.state == DeliveryState.SENDING.value}
        in_flight_conversations = {
            row.conversation_id for row in rows if row.state == DeliveryState.SENDING.value
        }
        recorded = sum(1 for row in rows if row.state == DeliveryState.SENT.value)
        assert in_flight, "the kill came after the batch was recorded"
        assert recorded < OWNERS

        connector.delay = 0.0
        second = start_sender(postgres_url, tmp_path, "next")
        senders.append(second)
        wait_until(outbox.all_sent, "every delivery is sent", [second])
        assert stop_sender(second) == 0
    finally:
        kill_all(senders)

    received = connector.per_conversation()
    # Nothing lost.
    assert set(received) == set(outbox.conversations)
    # At most twice, and only what was claimed but not recorded when the process died.
    assert max(received.values()) <= 2
    repeated = {cid for cid, n in received.items() if n > 1}
    assert repeated <= in_flight_conversations
    assert sum(received.values()) - OWNERS == len(repeated) <= len(in_flight)
    # Sent again only when the claim was taken over: exactly the rows in flight at the kill.
    after = outbox.rows()
    assert {row.id for row in after if row.attempts == 2} == in_flight
    assert {row.attempts for row in after} <= {1, 2}
    assert_well_formed(connector)
    log.info(
        "killed after %d sends (%d recorded); %d in flight (claimed, not recorded); "
        "%d arrived twice",
        received_at_kill,
        recorded,
        len(in_flight),
        len(repeated),
    )


def test_a_stopped_sender_finishes_what_is_in_flight_and_nothing_is_sent_twice(
    outbox: Outbox, connector: RecordingConnector, postgres_url: str, tmp_path: Path
) -> None:
    connector.delay = 0.05
    first = start_sender(postgres_url, tmp_path, "stopped")
    senders = [first]
    try:
        wait_until(lambda: connector.count() >= 300, "some are sent", senders)
        assert stop_sender(first) == 0
        # Stopped cleanly: what it sent is recorded, the rest is back in the queue, no claim
        # is left to expire.
        states = outbox.states()
        assert states[DeliveryState.SENDING.value] == 0
        assert states[DeliveryState.SENT.value] == connector.count()
        assert states[DeliveryState.QUEUED.value] == OWNERS - connector.count() > 0

        connector.delay = 0.0
        second = start_sender(postgres_url, tmp_path, "next")
        senders.append(second)
        wait_until(outbox.all_sent, "every delivery is sent", [second])
        assert stop_sender(second) == 0
    finally:
        kill_all(senders)

    received = connector.per_conversation()
    assert sum(received.values()) == OWNERS
    assert set(received) == set(outbox.conversations)
    assert set(received.values()) == {1}
    assert_well_formed(connector)
