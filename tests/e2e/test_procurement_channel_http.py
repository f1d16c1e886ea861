"""Procurement channels end to end (issue 13, defect 9): the real HTTP endpoint, the Bot
Connector stand-in (which lists each channel's members) and the database, on SQLite and
PostgreSQL.

Adding the app to a team registers nothing: the greeting says how. A member of the procurement
team types `@Kontraktsvakt innkjøpskanal på` (or `procurement channel on`) in the channel, from
any thread, and `innkjøpskanal av` to take it back; anyone else is refused; each change is an
audit event. Alerts that name a contract are posted only where every member may see it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.deviations.cards import DeviationCards
from followup.deviations.services import ReportDeviation, report_deviation
from followup.models import (
    ConversationKind,
    DeliveryKind,
    DeliveryState,
    DeviationCategory,
    Severity,
)
from storage.tables import ConversationRefRow
from tests.e2e.harness import TENANT
from tests.e2e.reminder_harness import (
    CHANNEL_CONVERSATION,
    INGRID,
    KARI,
    MONDAY_10_OSLO,
    OLA,
    USERS,
    Reminders,
    card_text,
    due_follow_up,
    people,
)

TEAM_INSTALL = "installationUpdate_add_team.json"


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def channel_rows(bot: Reminders) -> list[tuple[str, bool]]:
    """Every channel conversation the bot stored: (id, procurement channel)."""
    with bot.uow_factory() as uow:
        rows = uow.session.scalars(
            select(ConversationRefRow).where(
                ConversationRefRow.kind == ConversationKind.CHANNEL.value
            )
        )
        return [(r.conversation_id, r.is_procurement_channel) for r in rows]


def procurement_channels(bot: Reminders) -> list[str]:
    with bot.uow_factory() as uow:
        return [c.conversation_id for c in uow.conversations.procurement_channels()]


async def test_adding_the_app_to_a_team_registers_nothing_and_says_how(bot: Reminders) -> None:
    status, _ = await bot.server.post(bot.server.payload(TEAM_INSTALL))
    assert status in {200, 201}

    assert procurement_channels(bot) == []
    (welcome,) = bot.posts_to(CHANNEL_CONVERSATION)
    assert "innkjøpskanal på" in str(welcome["text"])
    assert "registrert for eskaleringer" not in str(welcome["text"])
    # Messages in threads of the channel are the channel: still one conversation, no procurement.
    people(bot.uow_factory, OLA)
    bot.add_member(OLA)
    await bot.say_in_channel(OLA, "hjelp")
    await bot.say_in_channel(OLA, "hjelp")
    assert channel_rows(bot) == [(CHANNEL_CONVERSATION, False)]


async def test_procurement_registers_the_channel_and_takes_it_back(bot: Reminders) -> None:
    await bot.server.post(bot.server.payload(TEAM_INSTALL))
    ingrid = bot.procurement_member()
    bot.connector.conversation_members[CHANNEL_CONVERSATION] = [USERS[INGRID].teams_id]

    answer = await bot.say_in_channel(INGRID, "innkjøpskanal på")
    assert "er nå en innkjøpskanal" in answer
    assert procurement_channels(bot) == [CHANNEL_CONVERSATION]
    assert "allerede en innkjøpskanal" in await bot.say_in_channel(INGRID, "innkjøpskanal på")
    assert "er en innkjøpskanal" in await bot.say_in_channel(INGRID, "innkjøpskanal")

    answer = await bot.say_in_channel(INGRID, "procurement channel off")  # the English words
    assert "ikke lenger en innkjøpskanal" in answer
    assert procurement_channels(bot) == []
    with bot.uow_factory() as uow:
        ref = uow.conversations.find(CHANNEL_CONVERSATION, None)
        assert ref is not None
        events = [
            (e.action, e.actor, e.at)
            for e in uow.audit.for_entity("conversation", ref.id)
            if e.action.startswith("channel.")
        ]
    assert events == [
        ("channel.procurement_on", f"person:{ingrid.id}", MONDAY_10_OSLO),
        ("channel.procurement_off", f"person:{ingrid.id}", MONDAY_10_OSLO),
    ]


async def test_a_channel_with_members_outside_procurement_is_told_what_that_means(
    bot: Reminders,
) -> None:
    await bot.server.post(bot.server.payload(TEAM_INSTALL))
    bot.procurement_member()
    guest = {"id": "29:guest", "name": "Gjest", "email": "gjest@leverandor.no", "tenantId": TENANT}
    bot.connector.add_member(guest)
    bot.connector.conversation_members[CHANNEL_CONVERSATION] = [USERS[INGRID].teams_id, "29:guest"]

    answer = await bot.say_in_channel(INGRID, "innkjøpskanal på")

    assert "er nå en innkjøpskanal" in answer
    assert "ikke alle i kanalen" in answer


async def test_nobody_else_registers_a_channel(bot: Reminders) -> None:
    await bot.server.post(bot.server.payload(TEAM_INSTALL))
    people(bot.uow_factory, OLA)
    await bot.install(OLA)  # an owner, with a role but not procurement's

    answer = await bot.say_in_channel(OLA, "innkjøpskanal på")

    assert "Bare innkjøpsteamet" in answer
    assert "innkjøpskanal" not in await bot.say_in_channel(OLA, "hjelp")
    assert "«innkjøpskanal på»" in await bot.say_in_channel(INGRID, "hjelp")
    assert procurement_channels(bot) == []
    assert "i kanalen" in await bot.say(OLA, "innkjøpskanal på")


async def test_a_serious_deviation_is_posted_only_where_every_member_may_see_it(
    bot: Reminders,
) -> None:
    kari = people(bot.uow_factory, KARI)[KARI]
    due_follow_up(bot.uow_factory, kari, "KOM-2026-0301", seed=31)
    await bot.install(KARI)
    await bot.install_in_procurement_team()
    guest = {"id": "29:guest", "name": "Gjest", "email": "gjest@leverandor.no", "tenantId": TENANT}
    bot.connector.add_member(guest)
    bot.connector.conversation_members[CHANNEL_CONVERSATION] = [USERS[INGRID].teams_id, "29:guest"]

    def report(description: str) -> None:
        with bot.uow_factory() as uow:
            report_deviation(
                ReportDeviation(
                    person_id=kari.id,
                    contract_reference="KOM-2026-0301",
                    category=DeviationCategory.HSE,
                    severity=Severity.CRITICAL,
                    occurred_on=date(2026, 11, 20),
                    description=description,
                ),
                uow,
                MONDAY_10_OSLO,
                alert_renderer=DeviationCards(),
            )
            uow.commit()

    def alerts_posted() -> list[str]:
        return [
            card_text(a)
            for p in bot.posts_to(CHANNEL_CONVERSATION)
            for a in p.get("attachments") or []
            if "avvik på KOM-2026-0301" in card_text(a)
        ]

    report("Stillaset mangler rekkverk.")
    await bot.tick()
    assert alerts_posted() == [], "a guest is in the channel"
    (held,) = [d for d in bot.deliveries() if d.kind is DeliveryKind.DEVIATION]
    assert held.state is DeliveryState.UNREACHABLE

    # The guest leaves; Kari (the owner) joins: everyone may see it.
    bot.connector.conversation_members[CHANNEL_CONVERSATION] = [
        USERS[INGRID].teams_id,
        USERS[KARI].teams_id,
    ]
    bot.clock.advance(minutes=5)
    report("Gjerdet mangler.")
    await bot.tick()
    (posted,) = alerts_posted()
    assert "Gjerdet mangler." in posted
