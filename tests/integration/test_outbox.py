"""Proactive reminders, the sending half, on real SQLite and PostgreSQL: the outbox is sent
exactly once, by one or several senders, through a fake Teams notifier; retries, throttling,
final failures, expired claims and stopping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import pytest

from bot.reminders.cards import ReminderCards
from followup.errors import DeliveryFailed
from followup.models import ConversationRef, Delivery, DeliveryKind, DeliveryState
from followup.ports import DeliveryOutcome, OutgoingMessage
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from followup.reminders.planning import message_json
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeClock, FakeNotifier
from tests.worlds import (
    NOW,
    World,
    add_follow_up,
    all_deliveries,
    build_world,
    of_kind,
    plan,
    stored_person,
)

T = TypeVar("T")


class FakeTime:
    """Monotonic seconds that move only when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def sender(
    world: World,
    notifier: FakeNotifier,
    clock: FakeClock,
    *,
    holder: str = "sender-1",
    pacer: Pacer | None = None,
    time: FakeTime | None = None,
    settings: SenderSettings | None = None,
) -> OutboxSender:
    time = time or FakeTime()
    return OutboxSender(
        world.uow_factory,
        notifier,
        ReminderCards(),
        clock,
        pacer or Pacer(None, monotonic=time.monotonic, sleep=time.sleep),
        holder=holder,
        settings=settings,
        sleep=time.sleep,
    )


def queue_digests(world: World, count: int, *, to: ConversationRef | None = None) -> list[Delivery]:
    """`count` digests to the owner in the outbox (one follow-up each)."""
    ref = to or world.owner_ref
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


def stored(world: World, delivery_id: str) -> Delivery:
    with world.uow_factory() as uow:
        found = uow.deliveries.get(delivery_id)
    assert found is not None
    return found


def failure(status: int, retry_after: float | None = None) -> DeliveryFailed:
    return DeliveryFailed(
        f"status {status}", status=status, final=status in (403, 404), retry_after=retry_after
    )


async def test_planned_reminders_are_sent_once_with_their_activity_ids(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory, channels=2)
    add_follow_up(world, date(2026, 11, 23))
    add_follow_up(world, date(2026, 11, 25))
    planned = await asyncio.to_thread(plan, world)
    assert (planned.digests, planned.weekly) == (1, 2)
    notifier = FakeNotifier()

    report = await sender(world, notifier, clock).send_all()

    assert (report.claimed, report.sent, report.failed) == (3, 3, 0)
    assert sorted(c for c, _ in notifier.sent) == sorted(["a:kari", "19:innkjop-0", "19:innkjop-1"])
    found = all_deliveries(uow_factory)
    assert len(found) == 3
    assert all(d.state is DeliveryState.SENT for d in found)
    assert sorted(d.sent_activity_id or "" for d in found) == [
        "activity-1",
        "activity-2",
        "activity-3",
    ]
    assert all(d.sent_at == NOW and d.attempts == 1 for d in found)
    (digest,) = of_kind(found, DeliveryKind.DIGEST)
    assert ("a:kari", digest.message["text"]) in notifier.sent

    # Nothing is sent twice.
    again = await sender(world, notifier, clock, holder="sender-2").send_all()
    assert again.claimed == 0
    assert len(notifier.sent) == 3


async def test_a_429_holds_the_sender_and_the_message_is_sent_once(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(429, retry_after=3.0))
    time = FakeTime()
    pacer = Pacer(10.0, monotonic=time.monotonic, sleep=time.sleep)

    report = await sender(world, notifier, clock, pacer=pacer, time=time).send_all()

    assert (report.sent, report.throttled, report.retried, report.failed) == (1, 1, 1, 0)
    assert notifier.calls == 2
    assert notifier.sent == [("a:kari", "Påminnelse 0")]
    assert pacer.holds == 1
    assert pacer.current_rate == pytest.approx(7.5)  # slowed by a quarter
    # The wait was the pacer's hold of at least Retry-After, not a second sleep on top.
    assert time.sleeps == [pytest.approx(3.0)]
    after = stored(world, delivery.id)
    assert after.state is DeliveryState.SENT
    assert after.sent_activity_id == "activity-1"
    assert after.attempts == 1


@pytest.mark.parametrize("status", [403, 404])
async def test_a_403_marks_the_person_unreachable_and_tells_procurement(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock, status: int
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(status))

    report = await sender(world, notifier, clock).send_all()

    assert report.unreachable == 1
    after = stored(world, delivery.id)
    assert after.state is DeliveryState.UNREACHABLE
    assert after.last_error is not None
    assert after.last_error.startswith(f"{status}:")
    assert stored_person(uow_factory, world.owner.id).unreachable is True
    (notice,) = of_kind(all_deliveries(uow_factory), DeliveryKind.UNREACHABLE)
    assert notice.conversation_ref_id == world.channels[0].id
    assert notice.follow_up_ids == delivery.follow_up_ids
    # Final, so the digest is not retried; the notice goes out in the same round.
    assert notifier.calls == 2
    assert report.sent == 1
    assert stored(world, notice.id).state is DeliveryState.SENT
    assert notifier.sent == [("19:innkjop-0", notice.message["text"])]
    # Nothing is left over for the next round.
    assert (await sender(world, notifier, clock).send_all()).claimed == 0


async def test_a_bad_request_fails_without_retrying(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(400))

    report = await sender(world, notifier, clock).send_all()

    assert (report.sent, report.failed, report.retried) == (0, 1, 0)
    assert notifier.calls == 1
    after = stored(world, delivery.id)
    assert after.state is DeliveryState.FAILED
    assert after.last_error == "400: status 400"
    assert stored_person(uow_factory, world.owner.id).unreachable is False
    assert of_kind(all_deliveries(uow_factory), DeliveryKind.UNREACHABLE) == []


async def test_an_unavailable_channel_is_retried_until_max_attempts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", *(failure(503) for _ in range(10)))
    time = FakeTime()

    report = await sender(
        world,
        notifier,
        clock,
        time=time,
        settings=SenderSettings(max_attempts=4, retry_base_seconds=0.5),
    ).send_all()

    assert report.failed == 1
    assert report.sent == 0
    assert notifier.sent == []
    # Tried max_attempts times, with a backoff sleep between tries (within the inline limit).
    assert notifier.calls == 4
    assert report.retried == 3
    assert len(time.sleeps) == 3
    assert all(0.25 <= s <= 60 for s in time.sleeps)
    after = stored(world, delivery.id)
    assert after.state is DeliveryState.FAILED
    assert after.last_error is not None
    assert after.last_error.startswith("503:")
    # Failed is final: nothing left to send.
    assert (await sender(world, notifier, clock).send_all()).claimed == 0


async def test_attempts_count_across_claims(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(503, retry_after=120.0), failure(503), failure(503))

    first = await sender(world, notifier, clock, settings=SenderSettings(max_attempts=2)).send_all()
    assert first.requeued == 1
    clock.advance(seconds=121)
    second = await sender(
        world, notifier, clock, settings=SenderSettings(max_attempts=2)
    ).send_all()

    assert second.failed == 1
    assert notifier.calls == 2  # one send in each claim: two in all
    after = stored(world, delivery.id)
    assert (after.state, after.attempts) == (DeliveryState.FAILED, 2)


async def test_a_503_then_success_is_sent_once(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(503), failure(502))
    time = FakeTime()

    report = await sender(world, notifier, clock, time=time).send_all()

    assert (report.sent, report.retried, report.failed) == (1, 2, 0)
    assert len(time.sleeps) == 2
    assert notifier.sent == [("a:kari", "Påminnelse 0")]
    assert stored(world, delivery.id).state is DeliveryState.SENT


async def test_no_answer_from_the_channel_is_retried(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)

    class Flaky(FakeNotifier):
        async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
            if self.calls == 0:
                self.calls += 1
                raise TimeoutError
            return await super().send(ref, message)

    notifier = Flaky()
    report = await sender(world, notifier, clock).send_all()

    assert (report.sent, report.retried, report.failed) == (1, 1, 0)
    assert notifier.sent == [("a:kari", "Påminnelse 0")]
    assert stored(world, delivery.id).state is DeliveryState.SENT


@pytest.mark.parametrize("status", [429, 503])
async def test_a_long_retry_after_puts_the_delivery_back_in_the_queue(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock, status: int
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    notifier = FakeNotifier()
    notifier.fail("a:kari", failure(status, retry_after=120.0))

    report = await sender(world, notifier, clock).send_all()

    assert (report.requeued, report.sent, report.failed) == (1, 0, 0)
    after = stored(world, delivery.id)
    assert after.state is DeliveryState.QUEUED
    assert after.next_attempt_at == NOW + timedelta(seconds=120)
    assert after.last_error is not None
    assert after.last_error.startswith(f"{status}:")

    # Not before its time...
    clock.advance(seconds=119)
    assert (await sender(world, notifier, clock).send_all()).claimed == 0
    # ...then sent.
    clock.advance(seconds=2)
    later = await sender(world, notifier, clock).send_all()
    assert later.sent == 1
    after = stored(world, delivery.id)
    assert (after.state, after.attempts) == (DeliveryState.SENT, 2)
    assert notifier.sent == [("a:kari", "Påminnelse 0")]


async def test_two_senders_send_every_delivery_exactly_once(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    deliveries = queue_digests(world, 40)
    notifier = FakeNotifier()
    options = SenderSettings(claim_batch=3, concurrency=2, flush_every=2)

    first, second = await asyncio.gather(
        sender(world, notifier, clock, holder="sender-a", settings=options).send_all(),
        sender(world, notifier, clock, holder="sender-b", settings=options).send_all(),
    )

    assert first.sent + second.sent == 40
    assert first.lost_claims == second.lost_claims == 0
    texts = [t for _, t in notifier.sent]
    assert len(texts) == 40
    assert sorted(texts) == sorted(f"Påminnelse {i}" for i in range(40))
    found = {d.id: d for d in all_deliveries(uow_factory)}
    assert all(found[d.id].state is DeliveryState.SENT for d in deliveries)
    assert all(found[d.id].attempts == 1 for d in deliveries)
    assert len({found[d.id].sent_activity_id for d in deliveries}) == 40


def test_a_claim_takes_at_most_its_limit_oldest_first(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    deliveries = queue_digests(world, 10)
    lease = NOW + timedelta(seconds=300)

    with uow_factory() as uow:
        claimed = uow.deliveries.claim(NOW, "one:1", lease, 3)
        uow.commit()
    with uow_factory() as uow:
        more = uow.deliveries.claim(NOW, "two:1", lease, 4)
        uow.commit()

    assert [d.id for d in claimed] == [d.id for d in deliveries[:3]]
    assert [d.id for d in more] == [d.id for d in deliveries[3:7]]
    states = [stored(world, d.id).state for d in deliveries]
    assert states == [DeliveryState.SENDING] * 7 + [DeliveryState.QUEUED] * 3


async def test_an_expired_claim_is_taken_by_another_sender(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    (delivery,) = queue_digests(world, 1)
    # A sender claims it and dies before recording anything.
    with uow_factory() as uow:
        (claimed,) = uow.deliveries.claim(NOW, "dead:1", NOW + timedelta(seconds=300), 10)
        uow.commit()
    assert claimed.id == delivery.id
    notifier = FakeNotifier()

    while_held = await sender(world, notifier, clock, holder="alive").send_all()
    assert while_held.claimed == 0
    assert stored(world, delivery.id).state is DeliveryState.SENDING

    clock.advance(seconds=301)
    report = await sender(world, notifier, clock, holder="alive").send_all()

    assert (report.claimed, report.sent) == (1, 1)
    after = stored(world, delivery.id)
    assert (after.state, after.attempts) == (DeliveryState.SENT, 2)
    assert notifier.sent == [("a:kari", "Påminnelse 0")]
    # The dead sender's late outcome is not recorded over the new one.
    with uow_factory() as uow:
        late = DeliveryOutcome(delivery.id, "dead:1", DeliveryState.FAILED, clock.now)
        assert uow.deliveries.finish([late]) == 0
        uow.commit()
    assert stored(world, delivery.id).state is DeliveryState.SENT


async def test_a_stop_before_sending_claims_nothing(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    deliveries = queue_digests(world, 3)
    notifier = FakeNotifier()
    stop = asyncio.Event()
    stop.set()

    report = await sender(world, notifier, clock).send_all(stop)

    assert report.claimed == 0
    assert notifier.calls == 0
    assert all(stored(world, d.id).state is DeliveryState.QUEUED for d in deliveries)
    assert all(stored(world, d.id).attempts == 0 for d in deliveries)


async def test_claimed_deliveries_go_back_to_the_queue_when_stopped(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    deliveries = queue_digests(world, 3)
    notifier = FakeNotifier()
    stop = asyncio.Event()
    calls = 0

    async def run_sync(work: Callable[[], T]) -> T:
        nonlocal calls
        calls += 1
        result = await asyncio.to_thread(work)
        if calls == 1:  # the claim: SIGTERM arrives right after it
            stop.set()
        return result

    one = OutboxSender(
        uow_factory,
        notifier,
        ReminderCards(),
        clock,
        Pacer(None),
        holder="stopping",
        run_sync=run_sync,
    )
    report = await one.send_all(stop)

    assert report.claimed == 3
    assert notifier.calls == 0
    for d in deliveries:
        after = stored(world, d.id)
        assert after.state is DeliveryState.QUEUED
        assert after.next_attempt_at is None
        assert after.last_error == "stopped"
    # At once claimable again (not after the lease): the next sender sends them.
    again = await sender(world, notifier, clock, holder="next").send_all()
    assert again.sent == 3
    assert len(notifier.sent) == 3


async def test_a_stop_during_sending_finishes_what_is_in_flight(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = build_world(uow_factory)
    deliveries = queue_digests(world, 4)
    notifier = FakeNotifier()
    stop = asyncio.Event()
    notifier.on_send = stop.set

    report = await sender(world, notifier, clock, settings=SenderSettings(concurrency=1)).send_all(
        stop
    )

    assert (report.claimed, report.sent) == (4, 1)
    states = [stored(world, d.id).state for d in deliveries]
    assert states.count(DeliveryState.SENT) == 1
    assert states.count(DeliveryState.QUEUED) == 3
    assert len(notifier.sent) == 1
