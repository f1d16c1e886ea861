"""The owners' and procurement's chat commands through the real bot, on SQLite and PostgreSQL.

Driven by botbuilder's TestAdapter (Teams itself faked) over a migrated database whose people,
supplier, contracts and plans are made through the real repositories and services; the
calendar feed is fetched through the real aiohttp app. The clock is fixed: Monday 23 November
2026 (ISO week 48); the plans were made on 1 October, so October's follow-ups are overdue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity
from sqlalchemy import Engine

from bot.app import create_app
from bot.commands import build_router
from bot.conversation.activity_handler import KontraktsvaktBot
from bot.conversation.dependencies import BotDependencies
from bot.conversation.texts import EN, NB, Entry, templates
from bot.settings import Settings
from followup.calendar.workdays import WorkingCalendar
from followup.models import (
    Category,
    CheckpointStatus,
    Contract,
    ContractType,
    Person,
    RiskLevel,
    Role,
    Supplier,
)
from followup.plans.materialise import refresh_plans_and_calendar
from followup.plans.plan_file import load_plan
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.card_schema import schema_errors
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLANNED_AT = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
BASE_URL = "https://kontraktsvakt.fjordvik.kommune.no"
TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"
SNOW = "KOM-2025-0147"
CLEANING = "KOM-2026-0012"
OFFICE = "KOM-2025-0150"


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    email: str
    roles: frozenset[Role] = frozenset({Role.OWNER})

    @property
    def aad(self) -> str:
        return f"00000000-0000-4000-8000-{abs(hash(self.key)) % 10**12:012d}"


KARI = Member("kari", "Kari Nordmann", "kari.nordmann@fjordvik.kommune.no")
OLA = Member("ola", "Ola Nordmann", "ola.nordmann@fjordvik.kommune.no")
INGRID = Member(
    "ingrid",
    "Ingrid Haugland",
    "ingrid.haugland@fjordvik.kommune.no",
    frozenset({Role.PROCUREMENT}),
)
PER = Member("per", "Per Hansen", "per.hansen@fjordvik.kommune.no", frozenset())


@dataclass
class World:
    adapter: TestAdapter
    factory: SqlAlchemyUnitOfWorkFactory
    clock: FakeClock
    db_url: str
    ids: dict[str, str]


def _seed(factory: SqlAlchemyUnitOfWorkFactory) -> dict[str, str]:
    ids: dict[str, str] = {}
    with factory() as uow:
        for member in (KARI, OLA, INGRID, PER):
            person = Person(
                display_name=member.name,
                email=member.email,
                entra_object_id=member.aad,
                roles=set(member.roles),
            )
            uow.people.add(person, PLANNED_AT)
            ids[member.key] = person.id
        supplier = Supplier(name="Strøsand & Grus Sør AS", organisation_number="974600951")
        uow.suppliers.add(supplier)
        for reference, title, kind, category, owner, value, start, end in (
            (
                SNOW,
                "Strøsand og brøyting, Fjordvik sentrum",
                ContractType.FRAMEWORK,
                Category.GOODS,
                "kari",
                300_000,
                date(2025, 1, 1),
                date(2027, 12, 31),
            ),
            (
                CLEANING,
                "Renhold av Fjordvik rådhus",
                ContractType.SINGLE,
                Category.SERVICES,
                "kari",
                2_500_000,
                date(2026, 9, 1),
                date(2028, 8, 31),
            ),
            (
                OFFICE,
                "Kontorrekvisita",
                ContractType.FRAMEWORK,
                Category.GOODS,
                "ola",
                200_000,
                date(2025, 3, 1),
                date(2027, 2, 28),
            ),
        ):
            contract = Contract(
                reference=reference,
                title=title,
                contract_type=kind,
                category=category,
                supplier_id=supplier.id,
                owner_id=ids[owner],
                start_date=start,
                end_date=end,
                value_nok=value,
                risk=RiskLevel.MEDIUM,
            )
            uow.contracts.add(contract, PLANNED_AT)
            ids[reference] = contract.id
        uow.commit()
    return ids


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine: Engine = create_db_engine(db_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    ids = _seed(factory)
    refresh_plans_and_calendar(factory, PLANNED_AT, load_plan(), calendar=WorkingCalendar())
    clock = FakeClock(NOW)
    deps = BotDependencies(
        uow_factory=factory, clock=clock, procurement_addresses=frozenset(), base_url=BASE_URL
    )
    adapter = TestAdapter(KontraktsvaktBot(deps, build_router(deps)).on_turn)
    yield World(adapter, factory, clock, db_url, ids)
    engine.dispose()


def _mention(bot: ChannelAccount) -> Entity:
    """A mention as it arrives from Teams: its fields are the entity's extra properties."""
    entity = Entity(type="mention")
    entity.additional_properties = {
        "mentioned": {"id": bot.id, "name": bot.name},
        "text": "<at>Kontraktsvakt</at>",
    }
    return entity


async def _say(
    world: World, who: Member, message: str, *, locale: str = "nb-NO", channel: bool = False
) -> Activity:
    """Send `message` as `who`; return the bot's answer (the last reply, after any welcome)."""
    bot = ChannelAccount(id="28:bot", name="Kontraktsvakt")
    if channel:
        message = f"<at>Kontraktsvakt</at> {message}"
    activity = Activity(
        type="message",
        text=message,
        locale=locale,
        from_property=ChannelAccount(id=f"29:{who.key}", name=who.name, aad_object_id=who.aad),
        recipient=bot,
        conversation=ConversationAccount(
            id="19:innkjop@thread.tacv2" if channel else f"a:{who.key}",
            conversation_type="channel" if channel else "personal",
        ),
        channel_id="msteams",
        service_url="http://127.0.0.1/",
        channel_data={"tenant": {"id": TENANT}},
        entities=[_mention(bot)] if channel else None,
    )
    world.adapter.activity_buffer.clear()
    await world.adapter.receive_activity(activity)
    replies = list(world.adapter.activity_buffer)
    assert replies, f"no answer to {message!r}"
    return replies[-1]


def _card(activity: Activity) -> dict[str, Any]:
    assert activity.attachments, f"expected a card, got {activity.text!r}"
    card: dict[str, Any] = activity.attachments[0].content
    assert schema_errors(card) == []
    assert activity.summary == card["fallbackText"]
    return card


def _shown(activity: Activity) -> str:
    """What the person reads: the text, or the card's plain-text rendering."""
    if activity.attachments:
        return str(_card(activity)["fallbackText"])
    return str(activity.text)


def _checkpoint_status(world: World, reference: str, code: str) -> CheckpointStatus | None:
    with world.factory() as uow:
        checkpoints = uow.checkpoints.for_contracts([world.ids[reference]])
    return next((c.status for c in checkpoints if c.code == code), None)


def _future_follow_ups(world: World, reference: str, code: str) -> list[date]:
    with world.factory() as uow:
        checkpoint = next(
            c for c in uow.checkpoints.for_contracts([world.ids[reference]]) if c.code == code
        )
        return sorted(
            f.due_date for f in uow.follow_ups.for_checkpoints_from([checkpoint.id], NOW.date())
        )


def _audit_actions(world: World, reference: str) -> list[str]:
    with world.factory() as uow:
        return [e.action for e in uow.audit.for_entity("contract", world.ids[reference])]


# --- mine oppgaver ----------------------------------------------------------------------------


async def test_my_tasks_are_grouped_by_week_with_overdue_first(world: World) -> None:
    shown = _shown(await _say(world, KARI, "mine oppgaver"))
    assert shown.startswith("Mine oppfølginger")
    # Delivery for October (due Friday 30.10) and October's sales statistics are overdue.
    overdue = shown.index("Forfalt\n")
    week = shown.index("Uke 49 (30. november–6. desember)")
    assert overdue < week
    assert "Forfalt fre. 30.10. (for 24 dager siden): KOM-2025-0147 Strøsand og brøyting" in shown
    assert "Fjordvik sentrum – Bekreft levering" in shown
    assert "Frist man. 30.11.: KOM-2026-0012 Renhold av Fjordvik rådhus" in shown
    assert OFFICE not in shown, "Ola's contract is not Kari's"
    # Nothing beyond 30 days (to 23 December).
    assert "31.12." not in shown


async def test_my_tasks_can_be_narrowed_and_english_alias_answers_in_english(
    world: World,
) -> None:
    shown = _shown(await _say(world, KARI, "mine oppgaver renhold"))
    assert CLEANING in shown
    assert SNOW not in shown
    assert "Ingen av oppfølgingene" in _shown(await _say(world, KARI, "oppgaver finnes ikke"))
    english = _shown(await _say(world, KARI, "my tasks", locale="en-GB"))
    assert english.startswith("My follow-ups")
    assert "Overdue since Fri 30 Oct" in english
    assert "Week 49 (30 November – 6 December)" in english


async def test_someone_without_contracts_gets_a_friendly_sentence(world: World) -> None:
    reply = await _say(world, PER, "kalender")
    assert not reply.attachments
    assert "Jeg finner ingen kontrakter der du er kontraktseier" in reply.text


# --- kontrakter and plan ----------------------------------------------------------------------


async def test_my_contracts(world: World) -> None:
    shown = _shown(await _say(world, KARI, "kontrakter"))
    assert shown.startswith("Mine kontrakter (2)")
    assert "KOM-2025-0147 Strøsand og brøyting, Fjordvik sentrum – Rolle: kontraktseier" in shown
    assert "Leverandør: Strøsand & Grus Sør AS" in shown
    assert "Slutt: 31.12.2027" in shown
    assert "Neste frist: man. 30.11." in shown
    english = _shown(await _say(world, OLA, "contracts", locale="en-US"))
    assert english.startswith("My contracts (1)")
    assert "Role: owner" in english


async def test_plan_of_a_contract_and_an_unknown_reference(world: World) -> None:
    shown = _shown(await _say(world, KARI, f"plan {SNOW}"))
    assert "Oppfølgingsplan: KOM-2025-0147 Strøsand og brøyting" in shown
    assert "Kontraktseier: Kari Nordmann" in shown
    assert "Bekreft levering (levering): Hyppighet: månedlig" in shown
    assert "Dokumentasjon: salgsstatistikk" in shown
    assert "Neste frist: man. 30.11." in shown
    unknown = await _say(world, OLA, "plan KOM-1999-0001")
    assert unknown.text == (
        "Jeg finner ingen kontrakt med avtalenummer «KOM-1999-0001». Skriv «kontrakter» for å se "
        "kontraktene dine."
    )
    assert "«plan» og avtalenummeret" in str((await _say(world, OLA, "plan")).text)
    # Ola owns another contract: Kari's is refused as if it did not exist (issue 13).
    refused = await _say(world, OLA, f"plan {SNOW}")
    assert not refused.attachments
    assert refused.text.startswith("Jeg finner ingen kontrakt med avtalenummer «KOM-2025-0147»")
    assert _shown(await _say(world, INGRID, f"plan {SNOW}")).startswith("Oppfølgingsplan")


# --- stedfortreder and fravær -----------------------------------------------------------------


async def test_deputy_for_a_period_sees_the_owners_tasks(world: World) -> None:
    reply = await _say(world, KARI, f"stedfortreder {OLA.email} fra 30.11 til 4.12")
    assert reply.text == (
        "Registrert: Ola Nordmann svarer for deg fra mandag 30. november til fredag "
        "4. desember 2026."
    )
    ola = _shown(await _say(world, OLA, "mine oppgaver"))
    assert "KOM-2026-0012 Renhold av Fjordvik rådhus – Bekreft levering" in ola
    assert "for Kari Nordmann" in ola
    kari = _shown(await _say(world, KARI, "mine oppgaver"))
    assert "Ola Nordmann svarer mens du er borte" in kari
    overview = str((await _say(world, KARI, "stedfortreder")).text)
    assert "Du har ingen fast stedfortreder" in overview
    assert "fra mandag 30. november til fredag 4. desember 2026: Ola Nordmann svarer" in overview


async def test_standing_deputy_set_shown_and_cleared(world: World) -> None:
    assert (await _say(world, KARI, f"stedfortreder {OLA.email}")).text == (
        "Ola Nordmann er nå din faste stedfortreder og svarer når du er borte."
    )
    assert "Din faste stedfortreder er Ola Nordmann." in str(
        (await _say(world, KARI, "stedfortreder")).text
    )
    assert (await _say(world, KARI, "stedfortreder ingen")).text == (
        "Du har ikke lenger noen fast stedfortreder."
    )
    with world.factory() as uow:
        kari = uow.people.get(world.ids["kari"])
    assert kari is not None
    assert kari.deputy_person_id is None
    bad = await _say(world, KARI, "stedfortreder ukjent@fjordvik.kommune.no")
    assert "Jeg finner ingen med adressen ukjent@fjordvik.kommune.no" in str(bad.text)
    assert "egen stedfortreder" in str((await _say(world, KARI, f"deputy {KARI.email}")).text)
    linked = f'stedfortreder <a href="mailto:{OLA.email}">{OLA.email}</a>'
    assert "Ola Nordmann er nå din faste" in str((await _say(world, KARI, linked)).text)
    english = await _say(world, KARI, f"deputy {OLA.email} from 7.12 to 18.12", locale="en")
    assert english.text == (
        "Recorded: Ola Nordmann answers for you from Monday 7 December to Friday 18 December 2026."
    )
    one_day = await _say(world, KARI, "fravær i morgen")
    assert "Registrert: du er borte tirsdag 24. november 2026." in str(one_day.text)
    assert "Ola Nordmann, som er den faste stedfortrederen din" in str(one_day.text)


async def test_an_ambiguous_date_is_asked_back_never_guessed(world: World) -> None:
    reply = await _say(world, KARI, "fravær fra neste lørdag til 18.12")
    assert reply.text == "Mente du 28. november eller 5. desember? Skriv datoen som dd.mm.åååå."
    unread = await _say(world, KARI, "fravær fra snart til senere")
    assert "Jeg forstod ikke datoen «snart»" in str(unread.text)
    with world.factory() as uow:
        assert uow.absences.for_people([world.ids["kari"]], NOW.date()) == []


async def test_romjula_is_a_period_and_a_vague_span_is_asked_back(world: World) -> None:
    vague = await _say(world, KARI, "fravær om et par dager")
    assert vague.text == "Mente du 25. november eller 26. november? Skriv datoen som dd.mm.åååå."
    reply = await _say(world, KARI, "fravær i romjula")
    assert "du er borte fra søndag 27. desember til onsdag 30. desember 2026" in str(reply.text)


async def test_absence_listed_and_ended_when_back(world: World) -> None:
    reply = await _say(world, KARI, "fravær fra 7.12 til 18.12")
    assert "Registrert: du er borte fra mandag 7. desember til fredag 18. desember 2026." in str(
        reply.text
    )
    assert "kontraktens stedfortreder eller kontraktsforvalter" in str(reply.text)
    listed = str((await _say(world, KARI, "fravær")).text)
    assert "fra mandag 7. desember til fredag 18. desember 2026" in listed
    assert "Sluttdatoen kommer før startdatoen" in str(
        (await _say(world, KARI, "fravær fra 18.12 til 7.12.2026")).text
    )
    # Not away yet: `tilbake` ends nothing, and the planned absence stays.
    back = str((await _say(world, KARI, "tilbake")).text)
    assert "ikke noe registrert fravær nå" in back
    assert (
        "Det planlagte fraværet ditt fra mandag 7. desember til fredag 18. desember 2026 står "
        "fortsatt" in back
    )
    assert "fra mandag 7. desember" in str((await _say(world, KARI, "fravær")).text)
    english = await _say(world, KARI, "away from 7.12 to 18.12", locale="en-GB")
    assert "Recorded: you are away from Monday 7 December to Friday 18 December 2026." in str(
        english.text
    )


async def test_tilbake_ends_the_current_absence_and_keeps_the_planned_one(world: World) -> None:
    """Away since Friday with Ola covering, and away again in December with Ola named: back on
    Monday, the current absence ends yesterday; December's stays, with its deputy."""
    now = await _say(world, KARI, f"stedfortreder {OLA.email} fra 20.11.2026 til 27.11.2026")
    assert "Registrert: Ola Nordmann svarer for deg" in str(now.text)
    later = await _say(world, KARI, f"stedfortreder {OLA.email} fra 7.12 til 18.12")
    assert "Registrert" in str(later.text)

    back = str((await _say(world, KARI, "tilbake")).text)

    assert back == (
        "Velkommen tilbake! Fraværet ditt fra fredag 20. november til fredag 27. november 2026 "
        "er avsluttet, og oppfølgingene går til deg igjen.\n\n"
        "Det planlagte fraværet ditt fra mandag 7. desember til fredag 18. desember 2026 står "
        "fortsatt, med samme stedfortreder. Skriv «fravær» for å se det."
    )
    with world.factory() as uow:
        kept = sorted(
            uow.absences.for_people([world.ids["kari"]], date(2026, 11, 1)), key=lambda a: a.start
        )
        events = [e.action for e in uow.audit.for_entity("person", world.ids["kari"])]
    assert [(a.start, a.end, a.deputy_person_id) for a in kept] == [
        (date(2026, 11, 20), date(2026, 11, 22), world.ids["ola"]),
        (date(2026, 12, 7), date(2026, 12, 18), world.ids["ola"]),
    ]
    assert events.count("absence.ended") == 1
    # Back again: nothing is going on now, and December still stands.
    again = str((await _say(world, KARI, "back", locale="en")).text)
    assert again.startswith("You have no absence recorded now")
    assert "Your planned absence from Monday 7 December to Friday 18 December 2026 stays" in again


async def test_personal_commands_are_not_answered_in_a_channel(world: World) -> None:
    reply = await _say(world, KARI, "mine oppgaver", channel=True)
    assert "bare på i en personlig chat" in str(reply.text)


# --- kontrollpunkt ----------------------------------------------------------------------------


async def test_procurement_pauses_a_checkpoint_and_its_follow_ups_disappear(world: World) -> None:
    assert _future_follow_ups(world, SNOW, "levering")
    reply = await _say(world, INGRID, f"kontrollpunkt {SNOW} levering pause")
    assert "«Bekreft levering» på KOM-2025-0147 er satt på pause." in str(reply.text)
    assert _checkpoint_status(world, SNOW, "levering") is CheckpointStatus.PAUSED
    assert _future_follow_ups(world, SNOW, "levering") == []
    assert "checkpoint.pause" in _audit_actions(world, SNOW)
    shown = _shown(await _say(world, KARI, "mine oppgaver"))
    assert "KOM-2025-0147 Strøsand og brøyting, Fjordvik sentrum – Bekreft levering" not in shown
    assert "pauset" in _shown(await _say(world, KARI, f"plan {SNOW}"))

    # In the procurement channel, with an @mention.
    resumed = await _say(world, INGRID, f"kontrollpunkt {SNOW} levering fortsett", channel=True)
    assert "følges opp igjen, månedlig" in str(resumed.text)
    assert "Neste frister: man. 30.11., tor. 31.12., fre. 29.01." in str(resumed.text)
    assert _checkpoint_status(world, SNOW, "levering") is CheckpointStatus.ACTIVE


async def test_procurement_adds_changes_cadence_and_removes(world: World) -> None:
    added = await _say(world, INGRID, f"kontrollpunkt {SNOW} legg til skatteattest")
    assert "La til «Skatteattest» på KOM-2025-0147, hver 6. måned." in str(added.text)
    assert "Neste frister: tor. 31.12." in str(added.text)
    assert _checkpoint_status(world, SNOW, "skatteattest") is CheckpointStatus.ACTIVE
    assert "Skatteattest (skatteattest)" in _shown(await _say(world, KARI, f"plan {SNOW}"))

    cadence = await _say(world, INGRID, f"kontrollpunkt {SNOW} priskontroll kadens kvartalsvis")
    assert "«Priskontroll» på KOM-2025-0147 følges nå opp kvartalsvis." in str(cadence.text)

    manual = await _say(world, INGRID, f"checkpoint {SNOW} add Befaring på lageret årlig")
    assert "Added" not in str(manual.text), "the activity's locale is Norwegian"
    assert "La til «Befaring på lageret» på KOM-2025-0147, årlig." in str(manual.text)

    removed = await _say(world, INGRID, f"kontrollpunkt {SNOW} salgsstatistikk fjern")
    assert "«Salgsstatistikk» er fjernet fra oppfølgingsplanen for KOM-2025-0147." in str(
        removed.text
    )
    assert _checkpoint_status(world, SNOW, "salgsstatistikk") is CheckpointStatus.REMOVED
    assert "(salgsstatistikk)" not in _shown(await _say(world, KARI, f"plan {SNOW}"))

    exists = await _say(world, INGRID, f"kontrollpunkt {SNOW} legg til skatteattest")
    assert "har allerede kontrollpunktet «skatteattest»" in str(exists.text)
    unknown = await _say(world, INGRID, f"kontrollpunkt {SNOW} finnesikke pause")
    assert "har ikke noe kontrollpunkt «finnesikke»" in str(unknown.text)
    bad = await _say(world, INGRID, f"kontrollpunkt {SNOW} priskontroll kadens titt og ofte")
    assert "Jeg forstod ikke «titt og ofte» som en hyppighet" in str(bad.text)
    assert "Slik endrer innkjøp" in str((await _say(world, INGRID, "kontrollpunkt")).text)
    english = await _say(world, INGRID, f"checkpoint {SNOW} priskontroll pause", locale="en-GB")
    assert '"Priskontroll" on KOM-2025-0147 is paused.' in str(english.text)


async def test_a_non_member_is_refused_and_nothing_changes(world: World) -> None:
    before = _future_follow_ups(world, SNOW, "levering")
    actions = _audit_actions(world, SNOW)
    reply = await _say(world, KARI, f"kontrollpunkt {SNOW} levering pause")
    assert reply.text == (
        "Bare innkjøpsteamet kan endre oppfølgingsplaner. Ta kontakt med innkjøp hvis planen "
        "bør endres."
    )
    added = await _say(world, KARI, f"kontrollpunkt {SNOW} legg til skatteattest")
    assert "Bare innkjøpsteamet" in str(added.text)
    assert _checkpoint_status(world, SNOW, "levering") is CheckpointStatus.ACTIVE
    assert _checkpoint_status(world, SNOW, "skatteattest") is None
    assert _future_follow_ups(world, SNOW, "levering") == before
    assert _audit_actions(world, SNOW) == actions


async def test_help_lists_the_commands_and_procurement_ones_only_to_procurement(
    world: World,
) -> None:
    """The short help shows Kari her own contract in the examples; the full list has every
    command she may use, and procurement's only for procurement."""
    kari = _shown(await _say(world, KARI, "hjelp"))
    for word in ("mine oppgaver", "kontrakter", f"plan {SNOW}", f"levert {SNOW}", "fravær fra"):
        assert f"«{word}" in kari
    assert "«kontrollpunkt " not in kari
    ingrid = _shown(await _say(world, INGRID, "hjelp"))
    assert f"«kontrollpunkt {SNOW} legg til skatteattest»" in ingrid
    everything = _shown(await _say(world, KARI, "vis alle kommandoer"))
    for word in ("kalenderlenke", "tilbake", "plan avtalenr", "stedfortreder e-post fra dato"):
        assert f"«{word}" in everything
    assert "«kontrollpunkt " not in everything
    assert "«kontrollpunkt avtalenr legg til" in _shown(
        await _say(world, INGRID, "vis alle kommandoer")
    )


# --- kalenderlenke and the feed ---------------------------------------------------------------


async def test_calendar_link_gives_a_feed_and_renewing_ends_the_old_one(world: World) -> None:
    reply = str((await _say(world, KARI, "kalenderlenke")).text)
    assert "Legg til kalender» → «Abonner fra nettet»" in reply
    match = re.search(re.escape(BASE_URL) + r"(/kalender/[A-Za-z0-9_-]+\.ics)", reply)
    assert match, reply
    path = match[1]

    app = create_app(Settings(DATABASE_URL=world.db_url, DEV_CHANNEL=False), clock=world.clock)
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path)
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Cache-Control"] == "private, max-age=300"
        body = await response.text()
        assert body.startswith("BEGIN:VCALENDAR\r\n")
        assert "X-WR-CALNAME:Kontraktsvakt – Kari Nordmann" in body
        events = body.count("BEGIN:VEVENT")
        assert events > 10, "30 days back to the plan's horizon, both of Kari's contracts"
        assert "SUMMARY:⚠ Bekreft levering – KOM-2025-0147" in body
        assert "DTSTART;VALUE=DATE:20261130" in body
        assert "KOM-2025-0150" not in body

        # Asking again does not silently break the subscription: the address stays valid.
        again = str((await _say(world, KARI, "kalenderlenke")).text)
        assert "allerede en kalenderadresse" in again
        assert "/kalender/" not in again
        assert (await client.get(path)).status == 200

        renewed = str((await _say(world, KARI, "kalenderlenke ny")).text)
        assert "den gamle virker ikke lenger" in renewed
        new_path = re.search(r"(/kalender/[A-Za-z0-9_-]+\.ics)", renewed)
        assert new_path
        assert new_path[1] != path
        old = await client.get(path)
        assert old.status == 404
        not_found_body = await old.read()
        assert (await client.get(new_path[1])).status == 200

        # Unknown and malformed tokens look exactly alike; nothing says who exists.
        for probe in ("/kalender/" + "A" * 43 + ".ics", "/kalender/kort.ics", "/kalender/%00.ics"):
            answer = await client.get(probe)
            assert answer.status == 404, probe
            assert await answer.read() == not_found_body
            assert "Cache-Control" in answer.headers


async def test_calendar_link_in_english(world: World) -> None:
    reply = str((await _say(world, OLA, "calendar link", locale="en-GB")).text)
    assert '"Add calendar" → "Subscribe from web"' in reply
    assert BASE_URL + "/kalender/" in reply


# --- texts -------------------------------------------------------------------------------------


def test_every_domain_error_code_has_a_text_in_both_languages() -> None:
    # `code="absence.in_past"` in a call, or `CODE_TOO_LONG: Final = "cadence.too_long"`.
    literal = re.compile(
        r"""(?:\bcode=|\bCODE_\w+(?::\s*\w+)?\s*=\s*)["']([a-z_]+\.[a-z_.]+)["']"""
    )
    codes = set()
    for path in sorted((ROOT / "followup").rglob("*.py")):
        codes |= set(literal.findall(path.read_text(encoding="utf-8")))
    assert "cadence.too_long" in codes
    assert "contract.unknown" in codes, "the grep itself must find the codes"
    missing = sorted(c for c in codes if c not in NB or c not in EN)
    assert missing == []


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert set(NB) == set(EN)
    field = re.compile(r"\{(\w+)")

    def names(entry: Entry) -> set[str]:
        return {name for template in templates(entry) for name in field.findall(template)}

    for key in NB:
        assert names(NB[key]) == names(EN[key]), key


def test_a_domain_error_without_a_fitting_text_gets_the_general_answer() -> None:
    from bot.conversation.replies import error_reply
    from followup.errors import InvalidInput, NotFound

    assert error_reply(NotFound("x", code="contract.unknown", reference="K-1"), "nb").startswith(
        "Jeg finner ingen kontrakt med avtalenummer «K-1»"
    )
    general = "Det gikk ikke: forespørselen kunne ikke utføres. Skriv «hjelp» for eksempler."
    assert error_reply(InvalidInput("no code"), "nb") == general
    assert error_reply(InvalidInput("x", code="no.such.code"), "nb") == general
    assert error_reply(NotFound("x", code="contract.unknown"), "nb") == general, "value missing"


def test_a_domain_errors_values_are_escaped_only_where_markdown_is_rendered() -> None:
    from bot.conversation.replies import error_reply
    from bot.uploads.commands import refusal_text
    from followup.errors import NotFound

    error = NotFound("x", code="contract.unknown", reference="KOM_2026_*1*")
    assert "«KOM\\_2026\\_\\*1\\*»" in error_reply(error, "nb")  # a chat message
    assert "«KOM_2026_*1*»" in error_reply(error, "nb", markdown=False)  # a card action's
    # The upload job's closing message is sent as plain text.
    assert "«KOM_2026_*1*»" in refusal_text(error, "nb", markdown=False)
    assert "«KOM\\_2026" in refusal_text(error, "nb")
