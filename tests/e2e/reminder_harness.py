"""The harness of the end-to-end tests around reminders and answers: the bot on a free port
with its reminder jobs ticked by the test, Teams users who install the app, register data with
due follow-ups, and what the stand-in connector and the database recorded. The `reminders`
fixture in `tests/e2e/conftest.py` makes one for every e2e test that asks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.reminders.cards import SNOOZE_VERB
from followup.calendar.workdays import WorkingCalendar
from followup.models import (
    Category,
    Checkpoint,
    CheckpointSource,
    Contract,
    Delivery,
    FollowUp,
    FollowUpState,
    Person,
    RiskLevel,
    Role,
)
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import apply_plans, load_plan
from scheduler.jobs import ReminderJobs, TickReport
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.card_schema import schema_errors
from tests.e2e.harness import TENANT, BotServer
from tests.fakes import FakeClock, FaultyConnector

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MONDAY_10_OSLO = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
UPCOMING = date(2026, 11, 25)
"""Due on Wednesday: on Monday the first notice (three working days before) is due."""

KARI = "Kari Nordmann"
OLA = "Ola Hansen"
PER = "Per Olsen"
INGRID = "Ingrid Haugland"
"""Procurement: the procurement channel's member, who registers it."""
CHANNEL_CONVERSATION = "19:73c6e40095ef42ed93216bb5e99808db@thread.tacv2"


@dataclass(frozen=True, slots=True)
class TeamsUser:
    name: str
    teams_id: str
    aad: str
    conversation_id: str

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@fjordvik.kommune.no"


def teams_user(name: str) -> TeamsUser:
    token = uuid.uuid5(uuid.NAMESPACE_DNS, name).hex
    return TeamsUser(name, f"29:1{token}", str(uuid.uuid5(uuid.NAMESPACE_URL, name)), f"a:1{token}")


USERS = {name: teams_user(name) for name in (KARI, OLA, PER, INGRID)}


@dataclass
class Reminders:
    """The bot on a free port, its reminder jobs (not scheduled: ticked by the test), the
    stand-in connector, the fake clock and a unit of work factory on the bot's database."""

    server: BotServer
    jobs: ReminderJobs
    clock: FakeClock
    uow_factory: SqlAlchemyUnitOfWorkFactory

    @property
    def connector(self) -> FaultyConnector:
        return self.server.connector

    async def tick(self) -> TickReport:
        return await self.jobs.tick()

    # -- through the HTTP endpoint

    async def install(self, name: str) -> None:
        """`name` installs the app in personal scope: the bot stores their conversation."""
        user = USERS[name]
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
        activity = self._as(name, self.server.payload("installationUpdate_add_personal.json"))
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        with self.uow_factory() as uow:
            person = uow.people.find_by_email_or_upn(user.email)
            assert person is not None, f"{name} is in the register"
            assert uow.conversations.for_person(person.id) is not None

    def add_member(self, name: str) -> None:
        """`name` is in Teams: the stand-in knows them (by default a member of every
        conversation)."""
        user = USERS[name]
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

    async def install_in_procurement_team(self) -> None:
        """The app is added to the procurement team's channel (that registers nothing), and
        Ingrid of procurement, a member, registers it: `@Kontraktsvakt innkjøpskanal på`. Its
        members are everyone the stand-in knows, unless a test says
        (`connector.conversation_members`)."""
        status, _ = await self.server.post(self.server.payload("installationUpdate_add_team.json"))
        assert status in {200, 201}
        with self.uow_factory() as uow:
            assert list(uow.conversations.procurement_channels()) == [], "not by being added"
        answer = await self.say_in_channel(INGRID, "innkjøpskanal på")
        assert "innkjøpskanal" in answer, answer
        with self.uow_factory() as uow:
            assert [c.conversation_id for c in uow.conversations.procurement_channels()] == [
                CHANNEL_CONVERSATION
            ]

    def procurement_member(self) -> Person:
        """Ingrid, procurement, known to Teams and to the register (by her Entra id)."""
        user = USERS[INGRID]
        self.add_member(INGRID)
        with self.uow_factory() as uow:
            found = uow.people.find_by_email_or_upn(user.email)
            if found is None:
                found = add_person(uow, INGRID, MONDAY_10_OSLO, roles={Role.PROCUREMENT})
                found = found.model_copy(update={"entra_object_id": user.aad})
                uow.people.update(found, MONDAY_10_OSLO)
                uow.commit()
        return found

    async def say_in_channel(self, name: str, text: str) -> str:
        """`name` @mentions the bot in the procurement team's channel (in a thread of its own,
        as Teams sends it); returns the bot's answer."""
        if name == INGRID:
            self.procurement_member()
        user = USERS[name]
        activity = self.server.payload("message_channel_mention_query.json")
        activity["id"] = f"m:{uuid.uuid4()}"
        activity["conversation"]["id"] = f"{CHANNEL_CONVERSATION};messageid={uuid.uuid4().int}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["text"] = f"<at>Kontraktsoppfølging</at> {text}"
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        reply = await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return _said(reply.activity)

    async def say(self, name: str, text: str) -> str:
        """`name` writes `text` to the bot in their personal chat; returns the bot's answer."""
        activity = self._as(name, self.server.payload("message_personal_text_status_command.json"))
        activity["text"] = text
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        reply = await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return _said(reply.activity)

    async def card_action(self, name: str, data: dict[str, Any]) -> tuple[int, Any]:
        activity = self._as(
            name, self.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json")
        )
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": SNOOZE_VERB, "data": data},
            "trigger": "manual",
        }
        return await self.server.post(activity)

    def _as(self, name: str, activity: dict[str, Any]) -> dict[str, Any]:
        user = USERS[name]
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = user.conversation_id
        return activity

    # -- what the stand-in received

    def cards_to(self, name_or_conversation: str) -> list[dict[str, Any]]:
        """The Adaptive Cards the stand-in received for a person's chat (or a conversation)."""
        user = USERS.get(name_or_conversation)
        conversation = user.conversation_id if user else name_or_conversation
        return [
            a
            for r in self.connector.recorded
            if r.method == "POST" and r.conversation_id == conversation
            for a in r.activity.get("attachments") or []
        ]

    def posts_to(self, name_or_conversation: str) -> list[dict[str, Any]]:
        user = USERS.get(name_or_conversation)
        conversation = user.conversation_id if user else name_or_conversation
        return [
            r.activity
            for r in self.connector.recorded
            if r.method == "POST" and r.conversation_id == conversation
        ]

    # -- the database

    def deliveries(self) -> list[Delivery]:
        with self.uow_factory() as uow:
            return list(uow.deliveries.recent(1000))

    def follow_up(self, follow_up_id: str) -> FollowUp:
        with self.uow_factory() as uow:
            return uow.follow_ups.get_many([follow_up_id])[follow_up_id]

    def person(self, name: str) -> Person:
        with self.uow_factory() as uow:
            found = uow.people.find_by_email_or_upn(USERS[name].email)
            assert found is not None
            return found


# --- register data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    contract_reference: str
    follow_up_id: str


def people(uow_factory: SqlAlchemyUnitOfWorkFactory, *names: str) -> dict[str, Person]:
    with uow_factory() as uow:
        made = {n: add_person(uow, n, MONDAY_10_OSLO) for n in names}
        uow.commit()
    return made


def planned_contract(
    bot: Reminders, reference: str, *, calendar: bool = True, **changes: object
) -> Contract:
    """Kari's contract `reference` (Ola exists too), with its plan from the default plan file
    and (`calendar`) its follow-ups made, as of `MONDAY_10_OSLO`: the structured checks' tests'
    world."""
    made = people(bot.uow_factory, KARI, OLA)
    plan = load_plan()
    with bot.uow_factory() as uow:
        contract = add_contract(
            uow,
            MONDAY_10_OSLO,
            owner=made[KARI],
            supplier=add_supplier(uow),
            reference=reference,
            **changes,
        )
        apply_plans(uow, [contract.id], plan, MONDAY_10_OSLO)
        if calendar:
            materialise_calendar(
                uow,
                [contract.id],
                MONDAY_10_OSLO,
                settings=plan.calendar,
                calendar=WorkingCalendar(),
            )
        uow.commit()
    return contract


def cleaning_contract(bot: Reminders, reference: str) -> Contract:
    """Kari's cleaning contract above the thresholds (services, NOK 3 M, 1.2.2026–31.1.2027),
    medium risk, with its plan (`planned_contract`): the check dialogs' tests' world."""
    return planned_contract(
        bot,
        reference,
        title="Renhold barnehager",
        category=Category.SERVICES,
        value_nok=3_000_000,
        risk=RiskLevel.MEDIUM,
        start_date=date(2026, 2, 1),
        end_date=date(2027, 1, 31),
    )


def due_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    owner: Person,
    reference: str,
    *,
    seed: int,
    due: date = UPCOMING,
    title: str = "Levering",
    code: str = "levering",
    evidence: Sequence[str] = (),
    actions: Sequence[str] = (),
    state: FollowUpState = FollowUpState.PLANNED,
    next_action_at: datetime | None = None,
) -> Due:
    """A contract owned by `owner` with one follow-up whose first message is due now (or at
    `next_action_at`), of a checkpoint asking for `evidence` with `actions`."""
    with uow_factory() as uow:
        supplier = add_supplier(uow, f"Leverandør {seed} AS", seed=seed)
        contract = add_contract(
            uow,
            MONDAY_10_OSLO,
            owner=owner,
            supplier=supplier,
            reference=reference,
            title=f"Avtale {reference}",
        )
        uow.commit()
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code=code,
            title=title,
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 25),
            source=CheckpointSource.MANUAL,
            evidence=list(evidence),
            actions=list(actions),
        )
        uow.checkpoints.add(checkpoint)
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id,
            contract_id=contract.id,
            due_date=due,
            state=state,
            next_action_at=next_action_at or MONDAY_10_OSLO - timedelta(hours=1),
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return Due(reference, follow_up.id)


def _said(activity: dict[str, Any]) -> str:
    """What a reply says: its text, or a card's plain-text `summary` (`hjelp` is a card)."""
    return str(activity.get("text") or activity.get("summary"))


def card_text(attachment: dict[str, Any]) -> str:
    return json.dumps(attachment["content"], ensure_ascii=False)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def snooze_actions(attachment: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n["data"]
        for n in _walk(attachment["content"])
        if n.get("type") == "Action.Execute" and n.get("verb") == SNOOZE_VERB
    ]


# --- forms (the structured checks' cards: risiko, kontroll, evaluer) ----------------------------


async def typed_reply(bot: Reminders, name: str, text: str) -> dict[str, Any]:
    """`name` types `text` in their 1:1 chat; the bot's reply."""
    activity = bot._as(name, bot.server.payload("message_personal_text_status_command.json"))
    activity["text"] = text
    status, _ = await bot.server.post(activity)
    assert status in {200, 201}
    reply = await bot.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return dict(reply.activity)


async def form_card(bot: Reminders, name: str, text: str) -> dict[str, Any]:
    """The one card the bot answers `text` with, checked against the Adaptive Card schema."""
    (attachment,) = (await typed_reply(bot, name, text))["attachments"]
    card: dict[str, Any] = attachment["content"]
    assert schema_errors(card) == []
    return card


async def submit_form(bot: Reminders, name: str, value: dict[str, Any]) -> dict[str, Any]:
    """`name` presses a card's button: an `Action.Submit` message with the inputs' values."""
    activity = bot._as(
        name, bot.server.payload("message_action_submit_value_deviation_report.json")
    )
    activity["value"] = value
    status, _ = await bot.server.post(activity)
    assert status in {200, 201}
    reply = await bot.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return dict(reply.activity)


def card_inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A card's inputs by id, wherever they stand."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return found
