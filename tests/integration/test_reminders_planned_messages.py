"""A digest this process has just planned is sent as it was made, on real SQLite and
PostgreSQL: the sender claims it from the outbox as any other delivery (the outbox still decides
what is sent, once), but neither reads its message back nor decodes it; what goes to Teams is
byte for byte the message the outbox keeps. A message gone from memory, and everything planned
elsewhere, is read from the outbox as before."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
from sqlalchemy import Engine

from bot.reminders.cards import ReminderCards
from bot.teams.notifier import proactive_activity
from followup.lifecycle import Step
from followup.models import ConversationRef, Delivery, DeliveryKind, DeliveryState, Person
from followup.ports import OutgoingMessage
from followup.reminders.outbox import OutboxSender
from followup.reminders.pacing import Pacer
from followup.reminders.planning import (
    PlannedMessages,
    PlanReport,
    ReminderRenderer,
    ReminderSettings,
    message_json,
    plan_reminders,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeClock, FakeNotifier
from tests.sql_statements import recorded
from tests.worlds import (
    CALENDAR,
    NOW,
    World,
    add_follow_up,
    all_deliveries,
    build_world,
    of_kind,
)


class Wire(FakeNotifier):
    """Records each activity as the Teams notifier puts it on the wire (JSON bytes)."""

    def __init__(self) -> None:
        super().__init__()
        self.wire: dict[str, bytes] = {}

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        self.wire[ref.conversation_id] = orjson.dumps(
            proactive_activity(message, ref), option=orjson.OPT_NON_STR_KEYS
        )
        return await super().send(ref, message)


def _sender(world: World, notifier: FakeNotifier, cards: ReminderCards) -> OutboxSender:
    return OutboxSender(
        world.uow_factory, notifier, cards, FakeClock(NOW), Pacer(None), holder="sender-1"
    )


def _due(world: World) -> None:
    """Three follow-ups for Kari's digest, and one stuck long enough for procurement."""
    for days, step in ((0, Step.DUE), (3, Step.REMINDER), (4, Step.REMINDER)):
        add_follow_up(world, date(2026, 11, 23) - timedelta(days=days), step=step)
    add_follow_up(world, date(2026, 10, 20), step=Step.PROCUREMENT)


def _plan(world: World, cards: ReminderRenderer, planned: PlannedMessages) -> PlanReport:
    # No weekly summary (Thursdays): the digest and the escalation only.
    return plan_reminders(
        world.uow_factory,
        NOW,
        holder="p",
        calendar=CALENDAR,
        renderer=cards,
        settings=ReminderSettings(weekly_weekday=3),
        planned=planned,
    )


def _on_the_wire(stored: Delivery, ref: ConversationRef) -> bytes:
    """What the notifier sends for the message as the outbox keeps it."""
    message = OutgoingMessage(
        text=stored.message["text"],
        card=stored.message.get("card"),
        metadata=stored.message.get("metadata") or {},
    )
    return orjson.dumps(proactive_activity(message, ref), option=orjson.OPT_NON_STR_KEYS)


async def test_a_digest_planned_here_is_sent_as_it_was_made(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    _due(world)
    cards = ReminderCards(outbox=True)
    notifier = Wire()
    sender = _sender(world, notifier, cards)

    report = _plan(world, cards, sender.planned)
    assert (report.digests, report.procurement) == (1, 1)
    (digest,) = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    (escalation,) = of_kind(all_deliveries(uow_factory), DeliveryKind.ESCALATION)
    assert sender.planned.ids() == {digest.id}, "only the digests, as committed"

    with recorded(db_engine) as seen:
        sent = await sender.send_all()

    assert (sent.claimed, sent.sent) == (2, 2)
    read = [str(params) for statement, params in seen if "CAST(deliveries.message AS" in statement]
    assert read, "the escalation's message is read from the outbox"
    assert all(escalation.id in params for params in read), "by its id"
    assert not [params for params in read if digest.id in params], "the digest's is not"
    assert len(sender.planned) == 0
    stored = {d.id: d for d in all_deliveries(uow_factory)}
    assert {d.state for d in stored.values()} == {DeliveryState.SENT}
    channel = world.channels[0]
    assert notifier.wire[world.owner_ref.conversation_id] == _on_the_wire(
        stored[digest.id], world.owner_ref
    )
    assert notifier.wire[channel.conversation_id] == _on_the_wire(stored[escalation.id], channel)


class Forgetful(PlannedMessages):
    """Says it has the messages, then has lost them by the time the sender asks."""

    def take(self, delivery_id: str) -> OutgoingMessage | None:
        super().take(delivery_id)
        return None


async def test_a_planned_message_gone_from_memory_is_read_from_the_outbox(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    _due(world)
    cards = ReminderCards(outbox=True)
    notifier = Wire()
    sender = _sender(world, notifier, cards)
    sender.planned = Forgetful()

    _plan(world, cards, sender.planned)
    sent = await sender.send_all()

    assert sent.sent == 2
    (digest,) = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert notifier.wire[world.owner_ref.conversation_id] == _on_the_wire(digest, world.owner_ref)


async def test_a_digest_planned_by_another_process_is_read_from_the_outbox(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    _due(world)
    elsewhere = PlannedMessages()
    _plan(world, ReminderCards(outbox=True), elsewhere)
    notifier = Wire()
    sender = _sender(world, notifier, ReminderCards())

    assert (await sender.send_all()).sent == 2

    (digest,) = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert notifier.wire[world.owner_ref.conversation_id] == _on_the_wire(digest, world.owner_ref)
    assert len(elsewhere) == 1, "kept until its own process's next planning"
    _plan(world, ReminderCards(), elsewhere)
    assert len(elsewhere) == 0


def test_known_messages_are_not_read_when_claimed(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    deliveries = [
        Delivery(
            recipient_person_id=world.owner.id,
            conversation_ref_id=world.owner_ref.id,
            follow_up_ids=[f"f-{i}"],
            message=message_json(OutgoingMessage(f"Påminnelse {i}", card={"n": i})),
            created_at=NOW + timedelta(milliseconds=i),
        )
        for i in range(3)
    ]
    with uow_factory() as uow:
        uow.deliveries.add_many(deliveries, NOW)
        uow.commit()

    with uow_factory() as uow:
        claimed = uow.deliveries.claim_to_send(
            NOW, "one:1", NOW + timedelta(minutes=5), 5, known={deliveries[1].id}
        )
        uow.commit()

    assert [c.delivery.id for c in claimed] == [d.id for d in deliveries]
    assert [c.message() for c in claimed] == [deliveries[0].message, {}, deliveries[2].message]
    assert {c.delivery.state for c in claimed} == {DeliveryState.SENDING}


def test_todays_digests_are_counted_for_any_ids(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """Ids with the separator PostgreSQL's reads split a list of ids on are read one by one."""
    world = build_world(uow_factory)
    odd = Person(id="kari,2", display_name="Kari To", email="kari.to@fjordvik.kommune.no")
    with uow_factory() as uow:
        uow.people.add(odd, NOW)
        uow.deliveries.add_many(
            [
                Delivery(recipient_person_id=person_id, created_at=NOW)
                for person_id in (odd.id, odd.id, world.owner.id)
            ],
            NOW,
        )
        uow.commit()

    with uow_factory() as uow:
        counted = uow.deliveries.counted_today(
            {odd.id, world.owner.id, world.deputy.id}, NOW - timedelta(hours=1)
        )

    assert dict(counted) == {odd.id: 2, world.owner.id: 1}
