"""Procurement's questions end to end: `status`, `status <avtalenr | leverandør | enhet>`,
`forfalt`, `avvik`, `mer`, the cards' buttons and `rolle`, through the real HTTP endpoint, the
Bot Connector stand-in (which also lists a channel's members) and the database, on SQLite and
PostgreSQL.

Who asks: Kari, procurement by configuration (`PROCUREMENT_MEMBERS`); Ola, an owner who also
covers for Siri while she is away today; Per, another owner (and procurement once an
administrator grants it); Liv, registered but with no contract; Ingrid, an administrator. Per's
contracts (KOM-B1, KOM-P01 …) must never reach Ola, nor a channel Ola is in.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import ENGINE, create_app
from bot.portfolio.cards import (
    DEVIATIONS_VERB,
    FILTER_ANY,
    FILTER_CATEGORY,
    FILTER_OPEN,
    FILTER_SEVERITY,
    OVERDUE_VERB,
    STATUS_VERB,
)
from bot.portfolio.commands import PAGE_SIZE
from bot.settings import Settings
from followup.models import (
    Absence,
    Answer,
    AnswerKind,
    Checkpoint,
    CheckpointSource,
    Deviation,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Role,
    Severity,
    Supplier,
)
from followup.reminders.planning import Step
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.e2e.harness import TENANT, BotServer, start_site
from tests.fakes import FakeClock, FaultyConnector

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""Monday 23 November 2026, 10:00 in Oslo (ISO week 48)."""
TODAY = date(2026, 11, 23)
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
PERSONAL = "message_personal_text_status_command.json"
MENTION = "message_channel_mention_query.json"
INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"
CHANNEL = "19:73c6e40095ef42ed93216bb5e99808db@thread.tacv2"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    email: str
    teams_id: str
    aad: str
    conversation_id: str


def teams_user(name: str, email: str | None = None) -> User:
    token = uuid.uuid5(uuid.NAMESPACE_DNS, name).hex
    address = email or name.lower().replace(" ", ".") + "@fjordvik.kommune.no"
    return User(
        name, address, f"29:1{token}", str(uuid.uuid5(uuid.NAMESPACE_URL, name)), f"a:1{token}"
    )


KARI = teams_user("Kari Nordmann")
OLA = teams_user("Ola Hansen")
PER = teams_user("Per Olsen")
SIRI = teams_user("Siri Dahl")
LIV = teams_user("Liv Berg")
INGRID = teams_user("Ingrid Haugland")


# --- the harness -------------------------------------------------------------------------------


@dataclass
class Reply:
    """What the bot sent back for one activity."""

    activities: list[dict[str, Any]]

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for activity in self.activities
            for a in activity.get("attachments") or []
            if a.get("contentType") == ADAPTIVE
        ]

    @property
    def card(self) -> dict[str, Any]:
        assert len(self.cards) == 1, self.texts
        return self.cards[0]

    @property
    def texts(self) -> list[str]:
        return [str(a.get("text")) for a in self.activities if a.get("text")]

    @property
    def text(self) -> str:
        return self.texts[-1]


@dataclass
class Portfolio:
    server: BotServer
    clock: FakeClock
    uow_factory: SqlAlchemyUnitOfWorkFactory

    @property
    def connector(self) -> FaultyConnector:
        return self.server.connector

    def add_member(self, user: User) -> None:
        """`user` is in Teams: the stand-in lists them as a member (of every conversation)."""
        self.connector.add_member(
            {
                "id": user.teams_id,
                "name": user.name,
                "aadObjectId": user.aad,
                "email": user.email,
                "userPrincipalName": user.email,
                "tenantId": TENANT,
            }
        )

    async def install(self, user: User) -> None:
        self.add_member(user)
        activity = self._as(user, self.server.payload("installationUpdate_add_personal.json"))
        status, _ = await self.server.post(activity)
        assert status in {200, 201}

    async def say(self, user: User, text: str, *, locale: str = "nb-NO") -> Reply:
        """`user` writes `text` in their 1:1 chat."""
        activity = self._as(user, self.server.payload(PERSONAL))
        activity["text"] = text
        activity["locale"] = locale
        return await self._post(activity)

    async def say_in_channel(self, user: User, text: str) -> Reply:
        """`user` @mentions the bot in the procurement channel (the payload from Teams)."""
        activity = self.server.payload(MENTION)
        activity["id"] = f"m:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["text"] = f"<at>Kontraktsoppfølging</at> {text}"
        return await self._post(activity)

    async def press(
        self, user: User, action: dict[str, Any], *, in_channel: bool = False
    ) -> dict[str, Any]:
        """`user` presses a card's `Action.Execute`; the invoke response's body."""
        invoke = self._as(user, self.server.payload(INVOKE))
        if in_channel:
            mention = self.server.payload(MENTION)
            invoke["conversation"] = mention["conversation"]
            invoke["channelData"] = mention["channelData"]
        invoke["value"] = {
            "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]},
            "trigger": "manual",
        }
        status, body = await self.server.post(invoke)
        assert status == 200
        assert isinstance(body, dict)
        assert body["statusCode"] == 200
        return body

    async def _post(self, activity: dict[str, Any]) -> Reply:
        before = len(self.connector.recorded)
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return Reply(
            [
                r.activity
                for r in self.connector.recorded[before:]
                if r.reply_to_id == activity["id"] and r.method == "POST"
            ]
        )

    @staticmethod
    def _as(user: User, activity: dict[str, Any]) -> dict[str, Any]:
        activity = copy.deepcopy(activity)
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = user.conversation_id
        return activity


async def _start(
    connector: tuple[FaultyConnector, str], db_url: str, **settings: Any
) -> AsyncIterator[Portfolio]:
    standin, service_url = connector
    clock = FakeClock(NOW)
    values: dict[str, Any] = {
        "DATABASE_URL": db_url,
        "DEV_CHANNEL": False,
        "SEND_RATE_PER_TENANT": 0,
        "PROCUREMENT_MEMBERS": [KARI.email],
        **settings,
    }
    app = create_app(Settings(**values), clock=clock)
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    try:
        yield Portfolio(BotServer(url, app, session, standin, service_url), clock, uow_factory)
    finally:
        await session.close()
        await runner.cleanup()


@pytest.fixture
async def bot(connector: tuple[FaultyConnector, str], db_url: str) -> AsyncIterator[Portfolio]:
    """The bot on a free port, Kari in PROCUREMENT_MEMBERS, the clock at Monday 10:00."""
    async for made in _start(connector, db_url):
        yield made


# --- the register ------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, Person]
    contracts: dict[str, str]
    """reference -> id"""
    deviations: dict[str, str]
    """name -> id"""


def _follow_up(
    uow: Any,
    contract_id: str,
    due: date,
    state: FollowUpState = FollowUpState.REMINDED,
    step: int = 1,
    title: str = "Bekreft levering",
) -> FollowUp:
    checkpoint = Checkpoint(
        contract_id=contract_id,
        code=f"levering-{due.isoformat()}",
        title=title,
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        source=CheckpointSource.MANUAL,
    )
    uow.checkpoints.add(checkpoint)
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=contract_id,
        due_date=due,
        state=state,
        reminder_step=step,
    )
    uow.follow_ups.add_many([follow_up])
    return follow_up


def _deviation(
    uow: Any,
    contract_id: str,
    reporter: Person,
    severity: Severity,
    category: str,
    status: DeviationStatus = DeviationStatus.OPEN,
) -> str:
    deviation = Deviation(
        contract_id=contract_id,
        category=category,
        severity=severity,
        occurred_on=date(2026, 11, 16),
        description=f"{category} på kontrakten",
        status=status,
        reported_by_id=reporter.id,
        reported_at=NOW - timedelta(days=2),
    )
    uow.deviations.add(deviation)
    return deviation.id


def build_world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    with uow_factory() as uow:
        people = {
            "kari": add_person(uow, KARI.name, NOW, roles=set()),
            "ola": add_person(uow, OLA.name, NOW),
            "per": add_person(uow, PER.name, NOW),
            "siri": add_person(uow, SIRI.name, NOW),
            "liv": add_person(uow, LIV.name, NOW, roles=set()),
            "ingrid": add_person(uow, INGRID.name, NOW, roles={Role.ADMIN}),
        }
        suppliers: dict[str, Supplier] = {
            "bygg": add_supplier(uow, "Fjordbygg AS", seed=1),
            "drift": add_supplier(uow, "Fjordbygg Drift AS", seed=2),
            "renhold": add_supplier(uow, "Sunnfjord Renhold AS", seed=3),
        }
        contracts: dict[str, str] = {}

        def contract(reference: str, owner: str, supplier: str, unit: str) -> str:
            made = add_contract(
                uow,
                NOW,
                owner=people[owner],
                supplier=suppliers[supplier],
                reference=reference,
                title=f"Avtale {reference}",
                unit=unit,
            )
            contracts[reference] = made.id
            return made.id

        a1 = contract("KOM-A1", "ola", "bygg", "Oppvekst")
        a2 = contract("KOM-A2", "ola", "renhold", "Helse")
        b1 = contract("KOM-B1", "per", "bygg", "Oppvekst")
        c1 = contract("KOM-C1", "siri", "renhold", "Helse")
        extra = [contract(f"KOM-P{n:02d}", "per", "drift", "Teknisk drift") for n in range(1, 13)]
        uow.session.flush()
        _follow_up(uow, a1, date(2026, 11, 2), FollowUpState.ESCALATED, 4)
        _follow_up(uow, a1, date(2026, 11, 16))
        _follow_up(uow, a1, date(2026, 11, 25), FollowUpState.PLANNED, 0)
        answered = _follow_up(uow, a1, date(2026, 11, 10), FollowUpState.ANSWERED, 1)
        _follow_up(uow, a2, date(2026, 11, 19))
        _follow_up(uow, b1, date(2026, 10, 20), FollowUpState.ESCALATED, 4)
        _follow_up(uow, c1, date(2026, 11, 12))
        for n, contract_id in enumerate(extra):
            _follow_up(uow, contract_id, date(2026, 10, 26) + timedelta(days=n))
        uow.session.flush()
        uow.answers.add(
            Answer(
                follow_up_id=answered.id,
                kind=AnswerKind.DELIVERED,
                answered_by_id=people["ola"].id,
                answered_at=datetime(2026, 11, 9, 12, 0, tzinfo=UTC),
                text="Alt levert",
            )
        )
        deviations = {
            "a2_high": _deviation(uow, a2, people["ola"], Severity.HIGH, "forsinkelse"),
            "b1_critical": _deviation(uow, b1, people["per"], Severity.CRITICAL, "hms"),
            "c1_low": _deviation(uow, c1, people["siri"], Severity.LOW, "mangel"),
            "c1_closed": _deviation(
                uow, c1, people["siri"], Severity.MEDIUM, "mangel", DeviationStatus.CLOSED
            ),
        }
        # Siri is away this week; Ola stands in for her.
        uow.absences.add(
            Absence(
                person_id=people["siri"].id,
                start=TODAY - timedelta(days=1),
                end=TODAY + timedelta(days=4),
                deputy_person_id=people["ola"].id,
            )
        )
        uow.commit()
    return World(people, contracts, deviations)


@pytest.fixture
def world(bot: Portfolio) -> World:
    return build_world(bot.uow_factory)


# --- reading the cards -------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        f["title"]: f["value"]
        for n in _walk(card["body"])
        if n.get("type") == "FactSet"
        for f in n["facts"]
    }


def title(card: dict[str, Any]) -> str:
    return str(card["body"][0]["text"])


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card's `Action.Execute` buttons by title."""
    return {n["title"]: n for n in _walk(card) if n.get("type") == "Action.Execute" and "verb" in n}


def item_ids(card: dict[str, Any], prefix: str) -> list[str]:
    return [
        n["id"].removeprefix(prefix)
        for n in _walk(card["body"])
        if isinstance(n.get("id"), str) and n["id"].startswith(prefix)
    ]


REFERENCE = re.compile(r"KOM-[A-Z]\d+")


def references(card: dict[str, Any]) -> set[str]:
    return set(REFERENCE.findall(shown(card)))


async def all_pages(bot: Portfolio, user: User, command: str, prefix: str) -> list[str]:
    """Every item of a list, page after page with `mer` typed."""
    answer = await bot.say(user, command)
    ids = item_ids(answer.card, prefix)
    while "Mer" in buttons(answer.card):
        answer = await bot.say(user, "mer")
        ids += item_ids(answer.card, prefix)
    assert "Det var hele listen" in (await bot.say(user, "mer")).text
    return ids


# --- procurement -------------------------------------------------------------------------------


async def test_procurement_by_configuration_sees_the_whole_portfolio(
    bot: Portfolio, world: World
) -> None:
    await bot.install(KARI)

    card = (await bot.say(KARI, "status")).card

    assert title(card) == "Status for kontraktsoppfølgingen"
    assert "Hele porteføljen" in shown(card)
    numbers = facts(card)
    assert numbers["Kontrakter som følges opp"] == "16"
    assert numbers["Frister denne uken (uke 48)"] == "1"
    assert numbers["Besvart i tide, siste 90 dager"] == "1 av 18 (6 %)"
    assert numbers["Forfalt"] == "17"
    assert numbers["Eskalert"] == "2"
    assert numbers["Åpne avvik"] == "3 (kritisk 1 · høy 1 · middels 0 · lav 1)"
    assert numbers["Kontraktseiere jeg ikke når"] == "0"
    assert set(buttons(card)) == {"Forfalt (17)", "Åpne avvik (3)"}


async def test_forfalt_is_paged_with_mer_typed_and_with_the_button(
    bot: Portfolio, world: World
) -> None:
    await bot.install(KARI)

    first = (await bot.say(KARI, "forfalt")).card
    assert title(first) == "Forfalte oppfølginger (17)"
    assert "viser 1–10 av 17" in shown(first)
    page_one = item_ids(first, "overdue-")
    assert len(page_one) == 10
    text = shown(first)
    # Oldest first, with owner and days overdue.
    assert text.index("KOM-B1") < text.index("KOM-P01") < text.index("KOM-A1")
    assert "34 d forfalt" in text  # KOM-B1, due 20 October
    assert "kontraktseier Per Olsen" in text

    typed = (await bot.say(KARI, "mer")).card
    assert "viser 11–17 av 17" in shown(typed)
    page_two = item_ids(typed, "overdue-")
    assert len(page_two) == 7
    assert not set(page_one) & set(page_two)
    assert "Mer" not in buttons(typed)
    assert "Det var hele listen." in (await bot.say(KARI, "mer")).text

    # The first card's button gives the same second page, in place.
    pressed = await bot.press(KARI, buttons(first)["Mer"])
    assert pressed["type"] == ADAPTIVE
    assert item_ids(pressed["value"], "overdue-") == page_two
    # … and typed `mer` continues from where the button left off: nothing more.
    assert "Det var hele listen." in (await bot.say(KARI, "mer")).text
    # Two presses at once (a double click) both get their page; neither turn fails.
    twice = await asyncio.gather(*(bot.press(KARI, buttons(first)["Mer"]) for _ in range(2)))
    assert [item_ids(p["value"], "overdue-") for p in twice] == [page_two, page_two]
    assert not [a for a in bot.connector.recorded if "Beklager" in str(a.activity.get("text"))]


async def test_status_of_a_contract_supplier_or_unit_and_a_pick_list(
    bot: Portfolio, world: World
) -> None:
    await bot.install(KARI)

    contract = (await bot.say(KARI, "status kom-a1")).card
    text = shown(contract)
    assert title(contract) == "KOM-A1 Avtale KOM-A1"
    for part in ("Fjordbygg AS", "Ola Hansen", "Oppfølgingsplan", "Neste frister", "Historikk"):
        assert part in text
    assert "Levert – Ola Hansen" in text
    assert "i tide" in text
    assert facts(contract)["Forfalt"] == "2"

    unit = (await bot.say(KARI, "status Oppvekst")).card
    assert "Oppvekst (enhet)" in shown(unit)
    assert facts(unit)["Forfalt"] == "3"

    pick = (await bot.say(KARI, "status fjordbygg")).card
    assert title(pick) == "Flere treff på «fjordbygg»"
    choices = {label.split(" (")[0]: action for label, action in buttons(pick).items()}
    assert set(choices) == {"Fjordbygg AS", "Fjordbygg Drift AS"}
    assert "(leverandør, organisasjonsnummer " in shown(pick)
    assert "org.nr" not in shown(pick), "Teams and Web Chat would make «org.nr» a link"
    chosen = await bot.press(KARI, choices["Fjordbygg Drift AS"])
    assert facts(chosen["value"])["Forfalt"] == "12"
    assert "Fjordbygg Drift AS (leverandør, organisasjonsnummer" in shown(chosen["value"])

    missing = await bot.say(KARI, "status Finnes ikke")
    assert "Jeg fant ingen kontrakt, leverandør, enhet eller kontraktseier" in missing.text


def filtered(card: dict[str, Any], **chosen: str) -> dict[str, Any]:
    """«Filtrer» pressed with the drop-downs set to `chosen` (by input id): what the client
    sends, the action's data and every input's value."""
    inputs = {
        n["id"]: n.get("value", "")
        for n in _walk(card["body"])
        if str(n.get("type", "")).startswith("Input.")
    }
    (show,) = [a for a in buttons(card).values() if a["data"].get("filter") is True]
    return {**show, "data": {**show["data"], **inputs, **chosen}}


def choices(card: dict[str, Any], input_id: str) -> dict[str, str]:
    """A drop-down's choices, title → value."""
    (found,) = [n for n in _walk(card["body"]) if n.get("id") == input_id]
    return {c["title"]: c["value"] for c in found["choices"]}


async def test_avvik_filters_as_drop_downs_and_typed(bot: Portfolio, world: World) -> None:
    await bot.install(KARI)

    listed = (await bot.say(KARI, "avvik")).card
    assert title(listed) == "Åpne avvik (3)"
    assert set(item_ids(listed, "deviation-")) == {
        world.deviations[k] for k in ("a2_high", "b1_critical", "c1_low")
    }
    severities = choices(listed, FILTER_SEVERITY)
    for label in ("Alle grader", "Kritisk (1)", "Høy (1)", "Lav (1)"):
        assert label in severities, sorted(severities)
    assert "HMS-avvik (1)" in choices(listed, FILTER_CATEGORY)
    assert choices(listed, FILTER_OPEN) == {"Åpne": "true", "Alle": "false"}
    # Most severe first.
    assert item_ids(listed, "deviation-")[0] == world.deviations["b1_critical"]

    pressed = filtered(listed, **{FILTER_SEVERITY: severities["Kritisk (1)"]})
    critical = (await bot.press(KARI, pressed))["value"]
    assert item_ids(critical, "deviation-") == [world.deviations["b1_critical"]]
    (severity,) = [n for n in _walk(critical["body"]) if n.get("id") == FILTER_SEVERITY]
    assert severity["value"] == "kritisk", "the drop-down shows what was chosen"

    everything = (await bot.press(KARI, filtered(critical, **{FILTER_OPEN: "false"})))["value"]
    assert title(everything) == "Alle avvik (1)"  # still only critical ones
    any_severity = filtered(everything, **{FILTER_SEVERITY: FILTER_ANY})
    every_severity = (await bot.press(KARI, any_severity))["value"]
    assert title(every_severity) == "Alle avvik (4)"
    assert world.deviations["c1_closed"] in item_ids(every_severity, "deviation-")

    typed = (await bot.say(KARI, "avvik alle mangel")).card
    assert set(item_ids(typed, "deviation-")) == {
        world.deviations["c1_low"],
        world.deviations["c1_closed"],
    }
    assert (await bot.say(KARI, "avvik høy")).card["body"][0]["text"] == "Åpne avvik (1)"


async def test_procurement_by_a_grant_and_revoked_again(bot: Portfolio, world: World) -> None:
    await bot.install(INGRID)
    await bot.install(PER)
    assert facts((await bot.say(PER, "status")).card)["Forfalt"] == "13"

    granted = await bot.say(INGRID, f"rolle gi {PER.email} innkjøp")

    assert granted.text == (f"Per Olsen ({PER.email}) har nå rollen innkjøp. Endringen er logget.")
    whole = (await bot.say(PER, "status")).card
    assert facts(whole)["Forfalt"] == "17"
    assert "Hele porteføljen" in shown(whole)
    assert "allerede" in (await bot.say(INGRID, f"role grant {PER.email} procurement")).text

    revoked = await bot.say(
        INGRID, f"rolle fjern <a href='mailto:{PER.email}'>{PER.email}</a> innkjøp"
    )
    assert "har ikke lenger rollen innkjøp" in revoked.text
    assert facts((await bot.say(PER, "status")).card)["Forfalt"] == "13"

    with bot.uow_factory() as uow:
        events = uow.audit.for_entity("person", world.people["per"].id)
    changes = [(e.action, e.actor, e.after) for e in events if e.action.startswith("role.")]
    assert changes == [
        ("role.granted", world.people["ingrid"].id, {"roles": ["owner", "procurement"]}),
        ("role.revoked", world.people["ingrid"].id, {"roles": ["owner"]}),
    ]


async def test_rolle_is_refused_for_someone_who_is_not_administrator(
    bot: Portfolio, world: World
) -> None:
    await bot.install(KARI)
    await bot.install(OLA)

    refused = await bot.say(KARI, f"rolle gi {OLA.email} admin")

    assert refused.text == "Bare administratorer kan gi og ta fra roller."
    with bot.uow_factory() as uow:
        ola = uow.people.get(world.people["ola"].id)
        assert ola is not None
        assert Role.ADMIN not in ola.roles
        assert [
            e for e in uow.audit.for_entity("person", ola.id) if e.action.startswith("role.")
        ] == []
    assert "rolle gi" in (await bot.say(KARI, "rolle")).text
    # Help lists `rolle` for administrators only.
    await bot.install(INGRID)
    assert "rolle gi" in shown((await bot.say(INGRID, "hjelp")).card)
    assert "rolle gi" not in shown((await bot.say(KARI, "hjelp")).card)


# --- an owner ----------------------------------------------------------------------------------


async def test_an_owner_sees_own_and_covered_contracts_only(bot: Portfolio, world: World) -> None:
    await bot.install(OLA)
    others = {"KOM-B1", *(f"KOM-P{n:02d}" for n in range(1, 13))}

    status = (await bot.say(OLA, "status")).card
    assert "Kontraktene du følger opp og dem du er stedfortreder for" in shown(status)
    assert facts(status)["Forfalt"] == "4"
    assert facts(status)["Åpne avvik"] == "2 (kritisk 0 · høy 1 · middels 0 · lav 1)"

    overdue = (await bot.say(OLA, "forfalt")).card
    assert references(overdue) == {"KOM-A1", "KOM-A2", "KOM-C1"}  # C1: Siri's, Ola covers
    assert len(item_ids(overdue, "overdue-")) == 4

    deviations = (await bot.say(OLA, "avvik alle")).card
    assert references(deviations) == {"KOM-A2", "KOM-C1"}
    assert world.deviations["b1_critical"] not in item_ids(deviations, "deviation-")

    for text in ("status KOM-B1", "status Fjordbygg Drift", "forfalt KOM-B1"):
        answer = await bot.say(OLA, text)
        assert answer.cards == [], text
        assert "Jeg fant ingen" in answer.text
    assert not others & references((await bot.say(OLA, "status fjordbygg")).card)

    # A card's data is not trusted: Per's contract, asked for by id, is refused.
    forged = await bot.press(
        OLA, {"verb": STATUS_VERB, "data": {"target": "contract", "key": world.contracts["KOM-B1"]}}
    )
    assert forged["value"] == "Den kontrakten har du ikke tilgang til."
    forged = await bot.press(
        OLA,
        {"verb": OVERDUE_VERB, "data": {"target": "contract", "key": world.contracts["KOM-B1"]}},
    )
    assert forged["value"] == "Den kontrakten har du ikke tilgang til."
    wider = await bot.press(OLA, {"verb": DEVIATIONS_VERB, "data": {"open": False}})
    assert references(wider["value"]) == {"KOM-A2", "KOM-C1"}
    # Nor does a forged supplier, owner or unit reveal a name or an e-mail address.
    with bot.uow_factory() as uow:
        per_only = uow.contracts.get(world.contracts["KOM-P01"])
    assert per_only is not None
    for target, key in (
        ("supplier", per_only.supplier_id),
        ("owner", world.people["per"].id),
        ("unit", "Teknisk drift"),
    ):
        forged = await bot.press(OLA, {"verb": STATUS_VERB, "data": {"target": target, "key": key}})
        assert forged["value"] == "Den kontrakten har du ikke tilgang til.", target
    # A button's words that find nothing are quoted as they are: a card action's message is
    # not rendered as Markdown (no escapes), and as an Action.Submit answer in the chat, which
    # is, they are escaped once.
    nothing = await bot.press(OLA, {"verb": STATUS_VERB, "data": {"text": "KOM_9*9_1"}})
    assert "«KOM_9*9_1»" in nothing["value"], nothing
    submitted = bot._as(
        OLA, bot.server.payload("message_action_submit_value_deviation_report.json")
    )
    submitted["value"] = {"verb": STATUS_VERB, "text": "KOM_9*9_1"}
    said = await bot._post(submitted)
    assert "«KOM\\_9\\*9\\_1»" in said.text, said.text


async def test_avvik_with_a_reference_reports_in_a_chat_and_lists_in_a_channel(
    bot: Portfolio, world: World
) -> None:
    await bot.install(KARI)
    await bot.install(OLA)

    dialog = await bot.say(OLA, "avvik KOM-A2")
    assert any("Hva slags avvik er det?" in t for t in dialog.texts), dialog.texts
    assert (await bot.say(OLA, "avbryt")).text == "Avbrutt. Ingenting er lagret."

    listed = (await bot.say_in_channel(KARI, "avvik KOM-A2")).card
    assert title(listed) == "Åpne avvik (1)"
    assert item_ids(listed, "deviation-") == [world.deviations["a2_high"]]


async def test_someone_without_contracts_is_refused_politely(bot: Portfolio, world: World) -> None:
    await bot.install(LIV)

    for command in ("status", "forfalt", "avvik", "status KOM-A1"):
        answer = await bot.say(LIV, command)
        assert answer.cards == []
        assert answer.text.startswith("Beklager, her har du ikke tilgang"), command
    pressed = await bot.press(LIV, {"verb": OVERDUE_VERB, "data": {}})
    assert str(pressed["value"]).startswith("Beklager, her har du ikke tilgang")


# --- a channel ---------------------------------------------------------------------------------


async def test_a_channel_shows_only_what_every_member_may_see(bot: Portfolio, world: World) -> None:
    await bot.install(KARI)
    await bot.install(OLA)  # the channel's members: Kari (procurement) and Ola (an owner)

    status = await bot.say_in_channel(KARI, "status")
    card = status.card
    assert "Kontraktene alle i kanalen kan se" in shown(card)
    assert "I kanalen viser jeg bare kontraktene alle medlemmene har lov til å se." in shown(card)
    assert facts(card)["Forfalt"] == "4"
    assert all(a["conversation"]["id"].startswith(CHANNEL) for a in status.activities)

    overdue = (await bot.say_in_channel(KARI, "forfalt")).card
    assert references(overdue) == {"KOM-A1", "KOM-A2", "KOM-C1"}
    deviations = (await bot.say_in_channel(KARI, "avvik alle")).card
    assert references(deviations) == {"KOM-A2", "KOM-C1"}
    hidden = await bot.say_in_channel(KARI, "status KOM-B1")
    assert hidden.cards == []
    assert "Jeg fant ingen" in hidden.text
    pressed = await bot.press(KARI, buttons(overdue)["Status"], in_channel=True)
    assert facts(pressed["value"])["Forfalt"] == "4"

    # The members are kept for two minutes; then a guest the register does not know joins.
    bot.add_member(teams_user("Gjest Gjestesen", "gjest@leverandor.no"))
    assert facts((await bot.say_in_channel(KARI, "status")).card)["Forfalt"] == "4"
    bot.clock.advance(minutes=3)
    refused = await bot.say_in_channel(KARI, "status")
    assert refused.cards == []
    assert "ikke alle medlemmene har lov til å se de samme kontraktene" in refused.text


async def test_a_channel_of_procurement_sees_everything(bot: Portfolio, world: World) -> None:
    await bot.install(KARI)
    with bot.uow_factory() as uow:
        per = uow.people.get(world.people["per"].id)
        assert per is not None
        uow.people.update(per.model_copy(update={"roles": {Role.PROCUREMENT}}), NOW)
        uow.commit()
    await bot.install(PER)

    card = (await bot.say_in_channel(KARI, "forfalt")).card

    assert title(card) == "Forfalte oppfølginger (17)"
    assert "I kanalen viser jeg bare" not in shown(card)
    assert "Hele porteføljen" in shown(card)


# --- the numbers agree with the lists, on generated data ---------------------------------------


@pytest.fixture
async def region_bot(
    connector: tuple[FaultyConnector, str], db_url: str
) -> AsyncIterator[tuple[Portfolio, Any]]:
    from bench.region_data import RegionSize, populate_region
    from storage.db import create_db_engine

    engine = create_db_engine(db_url)
    try:
        facts_ = populate_region(
            engine,
            RegionSize(contracts=60, follow_ups=600, people=30, suppliers=12, procurement=3),
            now=NOW,
        )
    finally:
        engine.dispose()
    async for made in _start(connector, db_url, PROCUREMENT_MEMBERS=[]):
        yield made, facts_


def _region_user(bot: Portfolio, person_id: str) -> User:
    with bot.uow_factory() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        assert person.email is not None
        return teams_user(person.display_name + person_id, person.email)


async def test_status_counts_equal_the_forfalt_items_on_all_pages(
    region_bot: tuple[Portfolio, Any],
) -> None:
    bot, region = region_bot
    procurement = _region_user(bot, region.procurement_ids[0])
    owner = _region_user(bot, region.busiest_owner_id)
    await bot.install(procurement)
    await bot.install(owner)
    seen: dict[str, int] = {}
    for user in (procurement, owner):
        status = (await bot.say(user, "status")).card
        overdue = int(facts(status)["Forfalt"])
        escalated = int(facts(status)["Eskalert"])
        deviations = int(facts(status)["Åpne avvik"].split()[0])

        items = await all_pages(bot, user, "forfalt", "overdue-")
        assert len(items) == overdue
        assert len(set(items)) == len(items)
        with bot.uow_factory() as uow:
            flagged = uow.follow_ups.get_many(items)
        escalated_items = [
            f
            for f in flagged.values()
            if f.state is FollowUpState.ESCALATED or f.reminder_step >= Step.PROCUREMENT
        ]
        assert len(escalated_items) == escalated
        if deviations:
            assert len(await all_pages(bot, user, "avvik", "deviation-")) == deviations
        else:
            assert "ingen åpne avvik" in (await bot.say(user, "avvik")).text
        seen[user.email] = overdue
    assert seen[procurement.email] > 3 * PAGE_SIZE  # several pages
    assert 0 < seen[owner.email] < seen[procurement.email]
