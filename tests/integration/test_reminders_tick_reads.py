"""What a reminder tick reads and holds, on real SQLite and PostgreSQL: a digest's other overdue
follow-ups come as lines in one statement (no models; PostgreSQL reads their checkpoints in a
second), a claimed delivery's message is decoded only when it is sent, and the sender keeps at
most `concurrency` sends in flight, in claim order (bench/tick.py measures what this saves per
due follow-up)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import Engine, event

from bot.reminders.cards import ReminderCards
from followup.models import (
    Checkpoint,
    CheckpointStatus,
    ConversationRef,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FollowUp,
    FollowUpState,
)
from followup.ports import OutgoingMessage
from followup.reminders.outbox import OutboxSender, SenderSettings
from followup.reminders.pacing import Pacer
from followup.reminders.planning import message_json
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_supplier
from tests.fakes import FakeClock, FakeNotifier
from tests.worlds import NOW, World, add_follow_up, build_world

TODAY = date(2026, 11, 23)
START = TODAY - timedelta(days=400)


def _checkpoint(world: World, contract_id: str, **changes: object) -> Checkpoint:
    values: dict[str, object] = {
        "contract_id": contract_id,
        "code": "levering",
        "title": "Levering etter avtalen",
        "rrule": "FREQ=MONTHLY",
        "dtstart": date(2026, 1, 1),
        "actions": ["i_samsvar", "avvik", "ikke_relevant", "utsett"],
    }
    values.update(changes)
    checkpoint = Checkpoint.model_validate(values)
    with world.uow_factory() as uow:
        uow.checkpoints.add(checkpoint)
        uow.commit()
    return checkpoint


def _follow_up(world: World, checkpoint: Checkpoint, due: date, state: FollowUpState) -> FollowUp:
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=checkpoint.contract_id,
        due_date=due,
        state=state,
        reminder_step=2,
    )
    with world.uow_factory() as uow:
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up


def test_a_digests_other_follow_ups_are_read_as_lines(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine
) -> None:
    world = build_world(uow_factory)
    checkpoint = _checkpoint(world, world.contract.id, code="samsvar")
    retired = _checkpoint(world, world.contract.id, code="gammel", status=CheckpointStatus.REMOVED)
    with uow_factory() as uow:
        other = add_contract(
            uow,
            NOW,
            owner=world.deputy,
            supplier=add_supplier(uow, "Kystvask AS", seed=2),
            reference="KOM-2026-0002",
            title="Vask av «Rådhuset»",
        )
        uow.commit()
    others = _checkpoint(world, other.id, title="Renhold", actions=[])
    wanted = [
        _follow_up(world, checkpoint, TODAY - timedelta(days=d), state)
        for d, state in (
            (0, FollowUpState.NOTIFIED),
            (3, FollowUpState.REMINDED),
            (30, FollowUpState.ESCALATED),
            (90, FollowUpState.SNOOZED),
            (400, FollowUpState.NOTIFIED),
        )
    ]
    wanted.append(add_follow_up(world, TODAY - timedelta(days=5)))  # the world's own checkpoint
    for due, state in (
        (TODAY - timedelta(days=2), FollowUpState.ANSWERED),
        (TODAY - timedelta(days=401), FollowUpState.NOTIFIED),
        (TODAY + timedelta(days=1), FollowUpState.PLANNED),
    ):
        _follow_up(world, checkpoint, due, state)
    _follow_up(world, retired, TODAY - timedelta(days=4), FollowUpState.NOTIFIED)
    olas = _follow_up(world, others, TODAY - timedelta(days=6), FollowUpState.REMINDED)

    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    with uow_factory() as uow:
        uow.people.get(world.owner.id)  # the connection begun outside the count
        event.listen(db_engine, "before_cursor_execute", seen)
        lines = uow.summaries.open_lines_owned_by({world.owner.id}, START, TODAY)
        event.remove(db_engine, "before_cursor_execute", seen)
        both = uow.summaries.open_lines_owned_by({world.owner.id, world.deputy.id}, START, TODAY)
        models = uow.follow_ups.get_many([f.id for f in wanted])
        checkpoints = uow.checkpoints.get_many({f.checkpoint_id for f in wanted})
    # PostgreSQL reads the contracts and the checkpoints by id in statements of their own (see
    # the query).
    assert len(statements) == (3 if db_engine.dialect.name == "postgresql" else 1), statements

    assert sorted(line.id for line in lines) == sorted(f.id for f in wanted)
    for line in lines:
        model = models[line.id]
        assert (line.owner_id, line.due_date, line.state) == (
            world.owner.id,
            model.due_date,
            model.state,
        )
        assert (line.contract.id, line.contract.reference, line.contract.title) == (
            world.contract.id,
            world.contract.reference,
            world.contract.title,
        )
        expected = checkpoints[model.checkpoint_id]
        assert (line.checkpoint.id, line.checkpoint.title, line.checkpoint.actions) == (
            expected.id,
            expected.title,
            tuple(expected.actions),
        )
    assert len({id(line.contract) for line in lines}) == 1, "one contract, one object"
    assert {line.id for line in both} == {f.id for f in wanted} | {olas.id}
    (ola,) = [line for line in both if line.id == olas.id]
    assert (ola.owner_id, ola.contract.title, ola.checkpoint.actions) == (
        world.deputy.id,
        "Vask av «Rådhuset»",
        (),
    )


def _queue(world: World, count: int, ref: ConversationRef) -> list[Delivery]:
    deliveries = [
        Delivery(
            kind=DeliveryKind.DIGEST,
            recipient_person_id=ref.person_id,
            conversation_ref_id=ref.id,
            follow_up_ids=[f"f-{i}"],
            message=message_json(
                OutgoingMessage(
                    f"Påminnelse {i}",
                    card={"type": "AdaptiveCard", "body": [{"text": f"«{i}» \\ \u00e6\u00f8"}]},
                    metadata={"contracts": "c1,c2"},
                )
            ),
            created_at=NOW + timedelta(milliseconds=i),
        )
        for i in range(count)
    ]
    with world.uow_factory() as uow:
        uow.deliveries.add_many(iter(deliveries), NOW)  # a generator is enough
        uow.commit()
    return deliveries


def test_a_claimed_message_is_decoded_only_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    queued = _queue(world, 3, world.owner_ref)
    lease = NOW + timedelta(seconds=300)

    with uow_factory() as uow:
        claimed = uow.deliveries.claim_to_send(NOW, "one:1", lease, 2)
        uow.commit()
    with uow_factory() as uow:
        (rest,) = uow.deliveries.claim(NOW, "one:2", lease, 5)
        uow.commit()

    assert [c.delivery.id for c in claimed] == [d.id for d in queued[:2]]
    assert all(c.delivery.message == {} for c in claimed)
    assert all(c.delivery.state is DeliveryState.SENDING for c in claimed)
    assert [c.message() for c in claimed] == [d.message for d in queued[:2]]
    assert (rest.id, rest.message) == (queued[2].id, queued[2].message)


class InFlight(FakeNotifier):
    """Counts the sends in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0
        self.most = 0

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            return await super().send(ref, message)
        finally:
            self.now -= 1


async def test_the_sender_keeps_concurrency_sends_in_flight_in_claim_order(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert world.owner_ref is not None
    _queue(world, 10, world.owner_ref)
    notifier = InFlight()
    sender = OutboxSender(
        uow_factory,
        notifier,
        ReminderCards(),
        FakeClock(NOW),
        Pacer(None),
        holder="sender-1",
        settings=SenderSettings(concurrency=3, claim_batch=7, flush_every=4),
    )

    report = await sender.send_all()

    assert (report.claimed, report.sent) == (10, 10)
    assert notifier.most == 3
    assert [text for _, text in notifier.sent] == [f"Påminnelse {i}" for i in range(10)]
    with uow_factory() as uow:
        states = {d.state for d in uow.deliveries.recent(20)}
    assert states == {DeliveryState.SENT}
