"""A contract's history from the audit trail, on SQLite and PostgreSQL: `historikk <avtalenr>`
through the real bot (TestAdapter, Teams faked), its paging and access rule, `eksport historikk`
rows, and `status <avtalenr>` naming the owner a deputy answered for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import Engine

from bot.commands import build_router
from bot.conversation.activity_handler import KontraktsvaktBot
from bot.conversation.dependencies import BotDependencies
from bot.exports.commands import read_export_request
from followup.answers.services import RecordAnswer, record_answer
from followup.calendar.workdays import WorkingCalendar
from followup.errors import InvalidInput, NotFound
from followup.history import change_text, contract_history, decode_cursor
from followup.models import (
    AnswerKind,
    AuditEvent,
    Category,
    Contract,
    ContractType,
    Person,
    RiskLevel,
    Role,
    Supplier,
)
from followup.plans.materialise import refresh_plans_and_calendar
from followup.plans.plan_file import load_plan
from followup.views import ExportKind, ExportQuery, Scope, Subset
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.card_schema import schema_errors
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLANNED_AT = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"
SNOW = "KOM-2025-0147"
OFFICE = "KOM-2025-0150"
PEOPLE = {
    "kari": ("Kari Nordmann", "kari.nordmann@fjordvik.kommune.no", set()),
    "ola": ("Ola Nordmann", "ola.nordmann@fjordvik.kommune.no", set()),
    "ingrid": ("Ingrid Haugland", "ingrid.haugland@fjordvik.kommune.no", {Role.PROCUREMENT}),
    "per": ("Per Hansen", "per.hansen@fjordvik.kommune.no", set()),
}


@dataclass
class World:
    adapter: TestAdapter
    factory: SqlAlchemyUnitOfWorkFactory
    ids: dict[str, str]


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine: Engine = create_db_engine(db_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    ids: dict[str, str] = {}
    with factory() as uow:
        for key, (name, email, roles) in PEOPLE.items():
            person = Person(display_name=name, email=email, roles=roles)
            uow.people.add(person, PLANNED_AT)
            ids[key] = person.id
        supplier = Supplier(name="Strøsand & Grus Sør AS", organisation_number="974600951")
        uow.suppliers.add(supplier)
        for reference, title, owner, deputy in (
            (SNOW, "Strøsand og brøyting", "kari", "ola"),
            (OFFICE, "Kontorrekvisita", "ola", None),
        ):
            contract = Contract(
                reference=reference,
                title=title,
                contract_type=ContractType.FRAMEWORK,
                category=Category.GOODS,
                supplier_id=supplier.id,
                owner_id=ids[owner],
                deputy_id=ids[deputy] if deputy else None,
                start_date=date(2025, 1, 1),
                end_date=date(2027, 12, 31),
                value_nok=300_000,
                risk=RiskLevel.MEDIUM,
            )
            uow.contracts.add(contract, PLANNED_AT)
            ids[reference] = contract.id
        uow.commit()
    refresh_plans_and_calendar(factory, PLANNED_AT, load_plan(), calendar=WorkingCalendar())
    deps = BotDependencies(
        uow_factory=factory, clock=FakeClock(NOW), procurement_addresses=frozenset()
    )
    adapter = TestAdapter(KontraktsvaktBot(deps, build_router(deps)).on_turn)
    yield World(adapter, factory, ids)
    engine.dispose()


def _answer_for_kari(world: World) -> str:
    """Ola, Kari's deputy, answers the first of Kari's snow follow-ups; its id."""
    with world.factory() as uow:
        follow_up = min(
            uow.follow_ups.for_contracts_between([world.ids[SNOW]], date(2026, 10, 1), NOW.date()),
            key=lambda f: f.due_date,
        )
        record_answer(
            RecordAnswer(follow_up.id, AnswerKind.DELIVERED, world.ids["ola"], "Alt levert"),
            uow,
            NOW,
        )
        uow.commit()
    return follow_up.id


async def _say(world: World, who: str, message: str) -> Activity:
    name, _email, _roles = PEOPLE[who]
    with world.factory() as uow:
        person = uow.people.get(world.ids[who])
        assert person is not None
    activity = Activity(
        type="message",
        text=message,
        locale="nb-NO",
        from_property=ChannelAccount(id=f"29:{who}", name=name, aad_object_id=None),
        recipient=ChannelAccount(id="28:bot", name="Kontraktsvakt"),
        conversation=ConversationAccount(id=f"a:{who}", conversation_type="personal"),
        channel_id="msteams",
        service_url="http://127.0.0.1/",
        channel_data={"tenant": {"id": TENANT}},
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
    return card


def _link(world: World, who: str) -> None:
    """Make `who` known to the bot by their Teams id (as a first message would)."""
    with world.factory() as uow:
        person = uow.people.get(world.ids[who])
        assert person is not None
        person.teams_user_id = f"29:{who}"
        uow.people.update(person, NOW)
        uow.commit()


async def test_the_owner_reads_who_answered_for_her(world: World) -> None:
    _answer_for_kari(world)
    _link(world, "kari")
    reply = await _say(world, "kari", f"historikk {SNOW.lower()}")
    card = _card(reply)
    shown = card["fallbackText"]
    assert f"Historikk: {SNOW}" in shown
    assert "Ola Nordmann for Kari Nordmann" in shown
    assert "Svar registrert (oppfølging)" in shown
    assert "svar: – → levert" in shown
    assert "status: planlagt → besvart" in shown
    assert "answer_id" not in shown
    assert "Oppfølgingsplan laget (kontrakt)" in shown


@pytest.mark.parametrize("who", ["per", "ola_other"])
async def test_someone_who_may_not_see_the_contract_gets_no_history(world: World, who: str) -> None:
    """Per has no role; Ola owns another contract only (he is the deputy of SNOW, so he asks
    for OFFICE's neighbour KOM-2025-0150 as Kari would not — here: Kari asks for Ola's)."""
    _answer_for_kari(world)
    asker, reference = ("per", SNOW) if who == "per" else ("kari", OFFICE)
    _link(world, asker)
    reply = await _say(world, asker, f"historikk {reference}")
    assert not reply.attachments
    assert "Strøsand" not in str(reply.text)
    assert "Kontorrekvisita" not in str(reply.text)


async def test_an_unknown_reference_is_quoted_back_escaped(world: World) -> None:
    _link(world, "ingrid")
    reply = await _say(world, "ingrid", "historikk **KOM-9**")
    assert "\\*\\*KOM-9\\*\\*" in str(reply.text)


async def test_pages_go_back_in_time_and_a_forged_cursor_is_refused(world: World) -> None:
    with world.factory() as uow:
        for i in range(25):
            uow.audit.append(
                AuditEvent(
                    at=NOW - timedelta(minutes=i),
                    actor="cli",
                    action="contract.updated",
                    entity="contract",
                    entity_id=world.ids[SNOW],
                    before={"title": f"t{i}"},
                    after={"title": f"t{i + 1}"},
                )
            )
        uow.commit()
    everything = Scope.everything()
    seen: list[str] = []
    cursor = None
    with world.factory() as uow:
        while True:
            page = contract_history(uow, everything, SNOW, cursor=cursor)
            seen.extend(e.event.id for e in page.entries)
            assert len(page.entries) <= 10
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        all_events = list(uow.audit.for_entity("contract", world.ids[SNOW]))
        assert len(seen) == len(set(seen)) == len(all_events)
        times = [uow_event.at for uow_event in all_events]
        assert times  # the plan's creation and the 25 edits
        with pytest.raises(InvalidInput):
            contract_history(uow, everything, SNOW, cursor="not-a-cursor")
        with pytest.raises(InvalidInput):
            decode_cursor("2026-11-23T09:00:00|")
        own = Scope.everything()
        with pytest.raises(NotFound):  # as if it did not exist: no reference is confirmed
            contract_history(uow, Scope.nothing(), SNOW)
        assert contract_history(uow, own, world.ids[SNOW]).contract.reference == SNOW


async def test_the_eldre_button_shows_the_next_page(world: World) -> None:
    with world.factory() as uow:
        for i in range(12):
            uow.audit.append(
                AuditEvent(
                    at=NOW - timedelta(minutes=i),
                    actor=f"person:{world.ids['kari']}",
                    action="contract.updated",
                    entity="contract",
                    entity_id=world.ids[SNOW],
                    before={"unit": f"u{i}"},
                    after={"unit": f"u{i + 1}"},
                )
            )
        uow.commit()
    _link(world, "kari")
    first = _card(await _say(world, "kari", f"historikk {SNOW}"))
    button = first["actions"][0]
    assert button["verb"] == "historyMore"
    invoke = Activity(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "historyMore", "data": button["data"]}},
        from_property=ChannelAccount(id="29:kari", name="Kari Nordmann"),
        recipient=ChannelAccount(id="28:bot", name="Kontraktsvakt"),
        conversation=ConversationAccount(id="a:kari", conversation_type="personal"),
        channel_id="msteams",
        service_url="http://127.0.0.1/",
        channel_data={"tenant": {"id": TENANT}},
        locale="nb-NO",
    )
    world.adapter.activity_buffer.clear()
    await world.adapter.receive_activity(invoke)
    response = next(a for a in world.adapter.activity_buffer if a.type == "invokeResponse")
    second = response.value.body["value"]
    assert schema_errors(second) == []
    assert second["fallbackText"] != first["fallbackText"]
    assert "Oppfølgingsplan laget" in second["fallbackText"]  # the oldest event is on page 2
    # A forged card: another contract's id in the same button is refused for Kari.
    forged = {**button["data"], "contract": world.ids[OFFICE]}
    invoke.value = {"action": {"type": "Action.Execute", "verb": "historyMore", "data": forged}}
    world.adapter.activity_buffer.clear()
    await world.adapter.receive_activity(invoke)
    refused = next(a for a in world.adapter.activity_buffer if a.type == "invokeResponse")
    assert refused.value.body["type"] == "application/vnd.microsoft.activity.message"
    assert "Kontorrekvisita" not in str(refused.value.body["value"])


def test_the_history_export_has_one_row_per_event_with_who_and_for_whom(world: World) -> None:
    _answer_for_kari(world)
    with world.factory() as uow:
        rows = list(
            uow.portfolio.export_rows(
                ExportQuery(
                    ExportKind.HISTORIKK,
                    NOW.date(),
                    subset=Subset(contract_id=world.ids[SNOW]),
                ),
                Scope.everything(),
            )
        )
        page = contract_history(uow, Scope.everything(), SNOW, limit=50)
    assert len(rows) == len(page.entries)
    answer_rows = [r for r in rows if r[5] == "answer.recorded"]
    assert len(answer_rows) == 1
    reference, _title, _at, actor, behalf, _action, entity, change = answer_rows[0]
    assert (reference, actor, behalf, entity) == (
        SNOW,
        "Ola Nordmann",
        "Kari Nordmann",
        "oppfølging",
    )
    assert "kind: – → delivered" in change
    # The period filters by when it happened.
    with world.factory() as uow:
        none = list(
            uow.portfolio.export_rows(
                ExportQuery(ExportKind.HISTORIKK, NOW.date(), to_date=date(2026, 9, 30)),
                Scope.everything(),
            )
        )
    assert none == []


def test_eksport_historikk_reads_a_contract_and_a_period() -> None:
    wanted = read_export_request(
        "historikk KOM-2025-0147 fra 1.9.2026 til 30.11.2026 csv",
        NOW,
        NOW.date(),
        "nb-NO",
    )
    assert wanted is not None
    assert wanted.kind is ExportKind.HISTORIKK
    assert wanted.contract_reference == "KOM-2025-0147"
    assert (wanted.from_date, wanted.to_date) == (date(2026, 9, 1), date(2026, 11, 30))
    every = read_export_request("historikk fra 1.9.2026", NOW, NOW.date(), "nb-NO")
    assert every is not None
    assert every.contract_reference is None


async def test_status_names_the_owner_a_deputy_answered_for(world: World) -> None:
    _answer_for_kari(world)
    _link(world, "ingrid")
    reply = await _say(world, "ingrid", f"status {SNOW}")
    shown = _card(reply)["fallbackText"]
    assert "Ola Nordmann for Kari Nordmann" in shown


def test_change_text_shows_what_changed_only() -> None:
    assert change_text({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == "b: 2 → 3"
    assert change_text(None, {"x": "y"}) == "x: – → y"
