"""Procurement channels (issue 13, defect 9) on real SQLite and PostgreSQL.

- A channel the bot meets is a conversation it can answer in, never a procurement channel by
  itself; a thread of a channel (`19:…@thread.tacv2;messageid=…`) is the channel.
- A member of the procurement team makes a channel a procurement channel, and takes it back
  (`set_procurement_channel`, audited: who and when); nobody else can.
- An alert that names contracts (a serious deviation, an escalation, a notice of whom the bot
  cannot reach) is posted in a channel only when every member may see each contract it names,
  checked when it is sent (`ChannelGuard`); members Teams does not list, a guest among them,
  or a member who may not see the contract: it is not posted there (and logged). The weekly
  summary names no contract and is posted to every procurement channel.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date

import pytest

from bot.reminders.cards import ReminderCards
from followup.access import hidden_from_channel
from followup.channel_members import ChannelMember
from followup.conversations import (
    ChannelRefusal,
    RecordConversation,
    SetProcurementChannel,
    record_conversation,
    set_procurement_channel,
)
from followup.deviations.services import DeviationAlert, ReportDeviation, report_deviation
from followup.errors import DeliveryFailed, InvalidInput, NotAllowed, NotFound
from followup.models import (
    ConversationKind,
    ConversationRef,
    Delivery,
    DeliveryKind,
    DeliveryState,
    DeviationCategory,
    Person,
    Role,
    Severity,
)
from followup.ports import OutgoingMessage
from followup.reminders.channel_guard import ChannelGuard
from followup.reminders.outbox import OutboxSender
from followup.reminders.pacing import Pacer
from followup.reminders.planning import Step, message_from_json, message_json
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person
from tests.fakes import FakeClock, FakeNotifier
from tests.worlds import (
    NOW,
    TENANT,
    World,
    add_follow_up,
    all_deliveries,
    build_world,
    of_kind,
    plan,
)

CHANNEL = "19:abc@thread.tacv2"


def channel_cmd(
    conversation_id: str = CHANNEL, kind: ConversationKind = ConversationKind.CHANNEL
) -> RecordConversation:
    return RecordConversation(
        conversation_id=conversation_id,
        kind=kind,
        tenant_id=TENANT,
        service_url="http://127.0.0.1:1/",
        channel_id="msteams",
        bot_id="28:bot",
        team_id="19:team@thread.tacv2",
        team_name="Alle ansatte",
    )


def meet(
    uow_factory: SqlAlchemyUnitOfWorkFactory, conversation_id: str = CHANNEL
) -> ConversationRef:
    with uow_factory() as uow:
        recorded = record_conversation(channel_cmd(conversation_id), uow, NOW)
        uow.commit()
    return recorded.ref


def person(uow_factory: SqlAlchemyUnitOfWorkFactory, name: str, roles: set[Role]) -> Person:
    with uow_factory() as uow:
        made = add_person(uow, name, NOW, roles=roles)
        uow.commit()
    return made


def switch(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    actor: Person,
    on: bool,
    conversation_id: str = CHANNEL,
    kind: ConversationKind = ConversationKind.CHANNEL,
    addresses: frozenset[str] = frozenset(),
) -> bool:
    with uow_factory() as uow:
        change = set_procurement_channel(
            SetProcurementChannel(actor.id, conversation_id, kind, on, addresses), uow, NOW
        )
        uow.commit()
    return change.changed


def procurement_channel_ids(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        return [c.conversation_id for c in uow.conversations.procurement_channels()]


# --- meeting a channel ---------------------------------------------------------------------------


def test_a_channel_the_bot_meets_is_not_a_procurement_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ref = meet(uow_factory)
    assert not ref.is_procurement_channel
    assert procurement_channel_ids(uow_factory) == []
    with uow_factory() as uow:
        actions = [e.action for e in uow.audit.for_entity("conversation", ref.id)]
    assert actions == ["conversation.installed"]


def test_every_thread_of_a_channel_is_the_channel(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    first = meet(uow_factory, f"{CHANNEL};messageid=1767001245123")
    second = meet(uow_factory, f"{CHANNEL};messageid=1767001299999")
    third = meet(uow_factory, CHANNEL)
    assert first.id == second.id == third.id
    assert first.conversation_id == CHANNEL
    with uow_factory() as uow:
        assert uow.conversations.find(CHANNEL, None) is not None
        assert uow.conversations.find(f"{CHANNEL};messageid=1767001245123", None) is None


# --- registering one ---------------------------------------------------------------------------


def test_procurement_registers_a_channel_and_takes_it_back_audited(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ref = meet(uow_factory)
    ingrid = person(uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})

    assert switch(uow_factory, ingrid, True, f"{CHANNEL};messageid=42")  # from a thread
    assert procurement_channel_ids(uow_factory) == [CHANNEL]
    assert not switch(uow_factory, ingrid, True), "already one: nothing written"
    assert switch(uow_factory, ingrid, False)
    assert procurement_channel_ids(uow_factory) == []
    assert not switch(uow_factory, ingrid, False)

    with uow_factory() as uow:
        events = [
            e
            for e in uow.audit.for_entity("conversation", ref.id)
            if e.action.startswith("channel.")
        ]
    assert [(e.action, e.actor, e.at) for e in events] == [
        ("channel.procurement_on", f"person:{ingrid.id}", NOW),
        ("channel.procurement_off", f"person:{ingrid.id}", NOW),
    ]
    assert events[0].before == {"is_procurement_channel": False}
    assert events[0].after is not None
    assert events[0].after["is_procurement_channel"] is True
    assert events[0].after["conversation_id"] == CHANNEL
    assert events[0].after["team_name"] == "Alle ansatte"


def test_procurement_by_configuration_may_register_a_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    meet(uow_factory)
    kari = person(uow_factory, "Kari Nordmann", set())
    assert kari.email is not None
    assert switch(uow_factory, kari, True, addresses=frozenset({kari.email.upper()}))
    assert procurement_channel_ids(uow_factory) == [CHANNEL]


def test_nobody_else_registers_or_removes_a_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    meet(uow_factory)
    owner = person(uow_factory, "Ola Eier", {Role.OWNER})
    admin = person(uow_factory, "Anne Admin", {Role.ADMIN})
    nobody = person(uow_factory, "Liv Ingen", set())
    for actor in (owner, admin, nobody):
        with pytest.raises(NotAllowed) as refused:
            switch(uow_factory, actor, True)
        assert refused.value.code == ChannelRefusal.NOT_PROCUREMENT
    assert procurement_channel_ids(uow_factory) == []

    ingrid = person(uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    switch(uow_factory, ingrid, True)
    with pytest.raises(NotAllowed):
        switch(uow_factory, owner, False)
    assert procurement_channel_ids(uow_factory) == [CHANNEL]


def test_only_a_channel_can_be_a_procurement_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ingrid = person(uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    for kind in (ConversationKind.PERSONAL, ConversationKind.GROUP_CHAT):
        with pytest.raises(InvalidInput) as refused:
            switch(uow_factory, ingrid, True, "19:chat@thread.v2", kind)
        assert refused.value.code == ChannelRefusal.NOT_A_CHANNEL
    with pytest.raises(NotFound) as unknown:
        switch(uow_factory, ingrid, True, "19:never-met@thread.tacv2")
    assert unknown.value.code == ChannelRefusal.UNKNOWN


# --- what a channel may be shown ---------------------------------------------------------------


class Roster:
    """Teams' member lists, by conversation; a conversation it is told to fail raises."""

    def __init__(self) -> None:
        self.members: dict[str, list[ChannelMember]] = {}
        self.failures: dict[str, DeliveryFailed] = {}
        self.reads = 0

    async def members_of(self, ref: ConversationRef) -> Sequence[ChannelMember]:
        self.reads += 1
        failure = self.failures.get(ref.conversation_id)
        if failure is not None:
            raise failure
        return self.members.get(ref.conversation_id, [])


def member(someone: Person) -> ChannelMember:
    return ChannelMember(teams_user_id=f"29:{someone.id}", email=someone.email)


GUEST = ChannelMember(teams_user_id="29:guest", email="gjest@leverandor.no")


def guarded_sender(world: World, notifier: FakeNotifier, roster: Roster) -> OutboxSender:
    clock = FakeClock(NOW)
    guard = ChannelGuard(notifier, roster.members_of, world.uow_factory, clock)

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    return OutboxSender(
        world.uow_factory,
        guard,
        ReminderCards(),
        clock,
        Pacer(None, sleep=no_wait),
        holder="sender-1",
        sleep=no_wait,
    )


class AlertCards:
    def deviation_alert(self, alert: DeviationAlert) -> OutgoingMessage:
        return OutgoingMessage(text=f"Kritisk avvik på {alert.contract.reference}")


def report_critical(world: World) -> None:
    with world.uow_factory() as uow:
        report_deviation(
            ReportDeviation(
                person_id=world.owner.id,
                contract_id=world.contract.id,
                category=DeviationCategory.HSE,
                severity=Severity.CRITICAL,
                occurred_on=date(2026, 11, 20),
                description="Stillaset mangler rekkverk.",
            ),
            uow,
            NOW,
            alert_renderer=AlertCards(),
        )
        uow.commit()


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    """Kari owns the contract; Ola and Per own nothing of it; two procurement channels."""
    return build_world(uow_factory, channels=2)


async def test_an_alert_goes_only_where_every_member_may_see_the_contract(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    ingrid = person(world.uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    open_channel, mixed = world.channels
    roster = Roster()
    roster.members[open_channel.conversation_id] = [member(ingrid), member(world.owner)]
    roster.members[mixed.conversation_id] = [member(ingrid), GUEST]
    report_critical(world)
    notifier = FakeNotifier()

    with caplog.at_level(logging.WARNING):
        await guarded_sender(world, notifier, roster).send_all()

    assert notifier.sent == [(open_channel.conversation_id, "Kritisk avvik på KOM-2026-0001")]
    alerts = {
        d.conversation_ref_id: d
        for d in of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)
    }
    assert alerts[open_channel.id].state is DeliveryState.SENT
    held = alerts[mixed.id]
    assert held.state is DeliveryState.UNREACHABLE
    assert held.last_error is not None
    assert "ikke alle i kanalen" in held.last_error
    assert any("not posted" in r.getMessage() for r in caplog.records)


async def test_a_member_who_may_not_see_the_contract_keeps_it_out_of_the_channel(
    world: World,
) -> None:
    ingrid = person(world.uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    first, second = world.channels
    roster = Roster()
    roster.members[first.conversation_id] = [member(ingrid), member(world.deputy)]  # Ola
    roster.members[second.conversation_id] = [member(ingrid)]
    report_critical(world)
    notifier = FakeNotifier()

    await guarded_sender(world, notifier, roster).send_all()

    assert [c for c, _ in notifier.sent] == [second.conversation_id]


async def test_a_channel_whose_members_cannot_be_read_is_not_posted_in(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    ingrid = person(world.uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    gone, down = world.channels
    roster = Roster()
    roster.failures[gone.conversation_id] = DeliveryFailed("404 gone", status=404, final=True)
    roster.failures[down.conversation_id] = DeliveryFailed("503", status=503, final=False)
    roster.members[down.conversation_id] = [member(ingrid)]
    report_critical(world)
    notifier = FakeNotifier()

    with caplog.at_level(logging.WARNING):
        await guarded_sender(world, notifier, roster).send_all()

    assert notifier.sent == []
    alerts = {
        d.conversation_ref_id: d
        for d in of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)
    }
    assert alerts[gone.id].state is DeliveryState.UNREACHABLE
    assert alerts[down.id].state in {DeliveryState.QUEUED, DeliveryState.FAILED}
    assert any("members" in r.getMessage() for r in caplog.records)


async def test_an_escalation_is_checked_as_an_alert_is(world: World) -> None:
    ingrid = person(world.uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    procurement_only, with_guest = world.channels
    roster = Roster()
    roster.members[procurement_only.conversation_id] = [member(ingrid)]
    roster.members[with_guest.conversation_id] = [member(ingrid), GUEST]
    add_follow_up(world, date(2026, 11, 2), step=Step.REMINDER)  # three weeks late
    assert plan(world).procurement == 1
    (escalation,) = of_kind(all_deliveries(world.uow_factory), DeliveryKind.ESCALATION)[:1]
    assert message_from_json(escalation.message).metadata, escalation.message.keys()
    notifier = FakeNotifier()

    await guarded_sender(world, notifier, roster).send_all()

    escalated = [c for c, text in notifier.sent if text.startswith("Forfalt uten svar")]
    assert escalated == [procurement_only.conversation_id]
    # Monday morning: the weekly summary names no contract and goes to both.
    weekly = [c for c, text in notifier.sent if text.startswith("Ukesoppsummering")]
    assert sorted(weekly) == sorted(c.conversation_id for c in world.channels)


async def test_the_weekly_summary_names_no_contract_and_goes_to_every_procurement_channel(
    world: World,
) -> None:
    roster = Roster()
    for channel in world.channels:
        roster.members[channel.conversation_id] = [GUEST]
    with world.uow_factory() as uow:
        uow.deliveries.add_many(
            [
                Delivery(
                    kind=DeliveryKind.WEEKLY,
                    conversation_ref_id=channel.id,
                    message=message_json(OutgoingMessage("Ukens sammendrag")),
                    created_at=NOW,
                )
                for channel in world.channels
            ],
            NOW,
        )
        uow.commit()
    notifier = FakeNotifier()

    await guarded_sender(world, notifier, roster).send_all()

    assert sorted(c for c, _ in notifier.sent) == sorted(c.conversation_id for c in world.channels)
    assert roster.reads == 0, "no member list is needed for what names no contract"


def test_what_a_channel_may_not_see(world: World) -> None:
    ingrid = person(world.uow_factory, "Ingrid Innkjøp", {Role.PROCUREMENT})
    contract = world.contract.id
    with world.uow_factory() as uow:
        assert hidden_from_channel(uow, [contract], {ingrid.id}, NOW.date()) == []
        assert hidden_from_channel(uow, [contract], {ingrid.id, world.owner.id}, NOW.date()) == []
        assert hidden_from_channel(uow, [contract], {ingrid.id, world.deputy.id}, NOW.date()) == [
            contract
        ]
        assert hidden_from_channel(
            uow, [contract], {ingrid.id}, NOW.date(), unresolved_members=1
        ) == [contract]
        assert hidden_from_channel(uow, [contract], set(), NOW.date()) == [contract]
        assert hidden_from_channel(uow, ["no-such-contract"], {ingrid.id}, NOW.date()) == [
            "no-such-contract"
        ]
