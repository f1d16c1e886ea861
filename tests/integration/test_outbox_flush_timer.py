"""The outbox sender records outcomes on a timer as well as by count (issue 13), on real SQLite
and PostgreSQL: in a slow fan-out, far fewer than `flush_every` sends a second, what was sent
is marked sent within about `flush_seconds`, so a process killed then sends again (when its
claims expire) little more than what it had in flight, not up to `flush_every` digests.

Real time, bounded: the notifier sends five digests at once and then stalls until released;
the test looks for the five in the database for at most 1.5 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta

from bot.reminders.cards import ReminderCards
from followup.models import ConversationRef, Delivery, DeliveryKind, DeliveryState
from followup.ports import OutgoingMessage
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from followup.reminders.planning import message_json
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeClock, FakeNotifier
from tests.worlds import NOW, World, add_follow_up, all_deliveries, build_world

FAST = 5
QUEUED = 20
LOOK_FOR = 1.5
"""Seconds the test waits for the outcomes: a flush interval (1 s) and some slack."""


class StallingNotifier(FakeNotifier):
    """Teams that takes the first `fast` sends at once and then holds every send until
    `release` is set: a fan-out far slower than `flush_every` sends a second."""

    def __init__(self, fast: int) -> None:
        super().__init__()
        self.fast = fast
        self.started = 0
        self.release = asyncio.Event()

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        self.started += 1
        if self.started > self.fast:
            await self.release.wait()
        return await super().send(ref, message)


class FakeTime:
    """Monotonic seconds for the pacer that move only when it sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def queue_digests(world: World, count: int) -> list[Delivery]:
    ref = world.owner_ref
    assert ref is not None
    deliveries = []
    for i in range(count):
        follow_up = add_follow_up(world, date(2026, 1, 1) + timedelta(days=i), step=1)
        deliveries.append(
            Delivery(
                kind=DeliveryKind.DIGEST,
                recipient_person_id=ref.person_id,
                conversation_ref_id=ref.id,
                follow_up_ids=[follow_up.id],
                message=message_json(OutgoingMessage(f"Påminnelse {i}")),
                created_at=NOW + timedelta(milliseconds=i),
            )
        )
    with world.uow_factory() as uow:
        uow.deliveries.add_many(deliveries, NOW)
        uow.commit()
    return deliveries


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether `condition()` (run in a thread: it may read the database) came true in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.02)
    return await asyncio.to_thread(condition)


async def test_a_slow_fan_out_records_what_was_sent_within_a_flush_interval(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    queued = queue_digests(world, QUEUED)
    notifier = StallingNotifier(FAST)
    fake_time = FakeTime()
    settings = SenderSettings(concurrency=1)  # flush_every stays 100: never reached here
    assert settings.flush_every > QUEUED
    sender = OutboxSender(
        world.uow_factory,
        notifier,
        ReminderCards(),
        FakeClock(NOW),
        Pacer(None, monotonic=fake_time.monotonic, sleep=fake_time.sleep),
        holder="slow",
        settings=settings,
        sleep=fake_time.sleep,
    )
    sending = asyncio.ensure_future(sender.send_all())
    try:
        assert await until(lambda: len(notifier.sent) == FAST, 2.0)
        sent_ids = {d.id for d in queued[:FAST]}

        def recorded() -> bool:
            states = {d.id: d.state for d in all_deliveries(uow_factory)}
            return all(states[i] is DeliveryState.SENT for i in sent_ids)

        # A kill now would send again only what is in flight, not the five already sent.
        assert await until(recorded, LOOK_FOR), "sent digests not recorded within 1.5 s"
        found = {d.id: d for d in all_deliveries(uow_factory)}
        assert sorted(found[i].sent_activity_id or "" for i in sent_ids) == [
            f"activity-{n}" for n in range(1, FAST + 1)
        ]
        in_flight = [d for d in found.values() if d.state is DeliveryState.SENDING]
        assert len(in_flight) == QUEUED - FAST  # claimed; one of them is being sent
        assert not sending.done()
    finally:
        notifier.release.set()
        report = await asyncio.wait_for(sending, 10)

    assert (report.claimed, report.sent, report.lost_claims) == (QUEUED, QUEUED, 0)
    assert all(d.state is DeliveryState.SENT for d in all_deliveries(uow_factory))
    assert len(notifier.sent) == QUEUED
