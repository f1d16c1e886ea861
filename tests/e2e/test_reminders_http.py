"""Proactive reminders end to end: data in the database, people and the procurement channel
registered through the real HTTP endpoint, a tick of the reminder jobs, and what the Bot
Connector stand-in received (with injected faults) and what the database recorded."""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import ADAPTER, ENGINE, create_app
from bot.reminder_cards import SNOOZE_DAY, SNOOZE_VERB
from bot.reminders_wiring import build_reminder_jobs
from bot.settings import Settings
from followup.models import (
    Checkpoint,
    CheckpointSource,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.workdays import oslo_datetime
from scheduler.jobs import ReminderJobs, TickReport
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.e2e.conftest import TENANT, BotServer, start_site
from tests.fakes import FakeClock, FaultyConnector

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MONDAY_10_OSLO = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
UPCOMING = date(2026, 11, 25)
"""Due on Wednesday: on Monday the first notice (three working days before) is due."""

KARI = "Kari Nordmann"
OLA = "Ola Hansen"
PER = "Per Olsen"
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


USERS = {name: teams_user(name) for name in (KARI, OLA, PER)}


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

    async def install_in_procurement_team(self) -> None:
        status, _ = await self.server.post(self.server.payload("installationUpdate_add_team.json"))
        assert status in {200, 201}
        with self.uow_factory() as uow:
            assert [c.conversation_id for c in uow.conversations.procurement_channels()] == [
                CHANNEL_CONVERSATION
            ]

    async def say(self, name: str, text: str) -> str:
        """`name` writes `text` to the bot in their personal chat; returns the bot's answer."""
        activity = self._as(name, self.server.payload("message_personal_text_status_command.json"))
        activity["text"] = text
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        reply = await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return str(reply.activity.get("text"))

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


@pytest.fixture
async def reminders(
    connector: tuple[FaultyConnector, str], db_url: str
) -> AsyncIterator[Reminders]:
    standin, service_url = connector
    clock = FakeClock(MONDAY_10_OSLO)
    settings = Settings(DATABASE_URL=db_url, DEV_CHANNEL=False, SEND_RATE_PER_TENANT=0)
    app = create_app(settings, clock=clock)
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e")
    try:
        yield Reminders(
            BotServer(url, app, session, standin, service_url), jobs, clock, uow_factory
        )
    finally:
        jobs.stop.set()
        await jobs.idle()
        await session.close()
        await runner.cleanup()


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


def due_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    owner: Person,
    reference: str,
    *,
    seed: int,
    due: date = UPCOMING,
    title: str = "Levering",
) -> Due:
    """A contract owned by `owner` with one follow-up whose first message is due now."""
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
            code="levering",
            title=title,
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 25),
            source=CheckpointSource.MANUAL,
        )
        uow.checkpoints.add(checkpoint)
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id,
            contract_id=contract.id,
            due_date=due,
            next_action_at=MONDAY_10_OSLO - timedelta(hours=1),
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return Due(reference, follow_up.id)


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


# --- the tests -----------------------------------------------------------------------------------


async def test_two_due_follow_ups_make_one_card(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    first = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0101", seed=1)
    second = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0102", seed=2)
    await reminders.install(KARI)
    before = len(reminders.posts_to(KARI))

    report = await reminders.tick()

    assert report.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1, "one message for both follow-ups"
    (attachment,) = posts[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert first.contract_reference in content
    assert second.contract_reference in content
    assert "Påminnelse" in content
    assert posts[0]["channelData"]["tenant"]["id"] == TENANT
    assert {d["followUpId"] for d in snooze_actions(attachment)} == {
        first.follow_up_id,
        second.follow_up_id,
    }

    (delivery,) = [d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST]
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]
    assert set(delivery.follow_up_ids) == {first.follow_up_id, second.follow_up_id}
    for due in (first, second):
        assert reminders.follow_up(due.follow_up_id).state is FollowUpState.NOTIFIED

    # The next tick sends nothing more: each follow-up waits for its next step.
    again = await reminders.tick()
    assert again.send.sent == 0
    assert len(reminders.posts_to(KARI)) == before + 1


async def test_an_absent_owners_card_goes_to_the_deputy(reminders: Reminders) -> None:
    made = people(reminders.uow_factory, KARI, OLA)
    due = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0111", seed=3)
    await reminders.install(KARI)
    await reminders.install(OLA)
    answer = await reminders.say(
        KARI, f"stedfortreder {USERS[OLA].email} fra 23.11.2026 til 4.12.2026"
    )
    assert "Registrert" in answer
    assert OLA in answer
    kari_before = len(reminders.posts_to(KARI))
    ola_before = len(reminders.posts_to(OLA))

    report = await reminders.tick()

    assert report.send.sent == 1
    assert len(reminders.posts_to(KARI)) == kari_before, "nothing to the owner while away"
    posts = reminders.posts_to(OLA)[ola_before:]
    assert len(posts) == 1
    (attachment,) = posts[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert due.contract_reference in content
    assert f"Du svarer for {KARI}" in content
    (delivery,) = [d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST]
    assert delivery.recipient_person_id == made[OLA].id
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]


async def test_an_owner_without_the_app_is_reported_to_procurement(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0121", seed=4)
    await reminders.install_in_procurement_team()
    before = len(reminders.posts_to(CHANNEL_CONVERSATION))

    report = await reminders.tick()

    assert report.plan.unreachable == 1
    assert report.plan.weekly == 1, "Monday morning: the weekly summary goes out as well"
    assert report.send.sent == 2
    posts = reminders.posts_to(CHANNEL_CONVERSATION)[before:]
    notices = [p for p in posts if f"Når ikke {KARI}" in card_text(p["attachments"][0])]
    assert len(notices) == 1
    (attachment,) = notices[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert due.contract_reference in content
    assert "ikke installert appen" in content
    assert {r.conversation_id for r in reminders.connector.recorded} == {CHANNEL_CONVERSATION}

    by_kind = {d.kind: d for d in reminders.deliveries()}
    assert by_kind[DeliveryKind.DIGEST].state is DeliveryState.UNREACHABLE
    assert by_kind[DeliveryKind.DIGEST].recipient_person_id == kari.id
    assert by_kind[DeliveryKind.UNREACHABLE].state is DeliveryState.SENT
    assert by_kind[DeliveryKind.UNREACHABLE].sent_activity_id == notices[0]["id"]


async def test_a_429_is_retried_and_the_card_arrives_once(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0131", seed=5)
    await reminders.install(KARI)
    conversation = USERS[KARI].conversation_id
    before = len(reminders.posts_to(KARI))
    requests_before = reminders.connector.request_counts[conversation]
    reminders.connector.fail_next(429, "TooManyRequests", retry_after=0.1)

    report = await reminders.tick()

    assert reminders.connector.faults == deque(), "the 429 was answered"
    assert reminders.connector.request_counts[conversation] - requests_before == 2
    assert report.send.throttled == 1
    assert report.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1, "the throttled attempt is not a message"
    assert due.contract_reference in card_text(posts[0]["attachments"][0])
    (delivery,) = reminders.deliveries()
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]


async def test_a_blocked_owner_is_unreachable_and_procurement_is_told(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0141", seed=6)
    await reminders.install(KARI)
    await reminders.install_in_procurement_team()
    kari_before = len(reminders.posts_to(KARI))
    channel_before = len(reminders.posts_to(CHANNEL_CONVERSATION))
    reminders.connector.fail_next(403, "ConversationBlockedByUser")

    first = await reminders.tick()
    second = await reminders.tick()  # the scheduler's next tick sends the notice it queued

    assert first.send.unreachable == 1
    assert first.plan.weekly == 1, "Monday morning: the weekly summary goes out as well"
    assert first.send.sent + second.send.sent == 2
    assert len(reminders.posts_to(KARI)) == kari_before
    assert reminders.person(KARI).unreachable is True
    digest = next(d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST)
    assert digest.state is DeliveryState.UNREACHABLE
    assert digest.sent_activity_id is None
    assert digest.last_error is not None
    assert "403" in digest.last_error

    posts = reminders.posts_to(CHANNEL_CONVERSATION)[channel_before:]
    notices = [p for p in posts if f"Når ikke {KARI}" in card_text(p["attachments"][0])]
    assert len(notices) == 1
    assert notices[0]["attachments"][0]["contentType"] == ADAPTIVE
    content = card_text(notices[0]["attachments"][0])
    assert due.contract_reference in content
    assert "403" in content
    notice = next(d for d in reminders.deliveries() if d.kind is DeliveryKind.UNREACHABLE)
    assert notice.state is DeliveryState.SENT
    assert notice.sent_activity_id == notices[0]["id"]

    # Unreachable now: the next step is not sent to Kari but reported straight away.
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    third = await reminders.tick()
    assert third.plan.unreachable == 1
    assert len(reminders.posts_to(KARI)) == kari_before


async def test_a_blocked_owner_who_writes_again_gets_reminders_again(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0142", seed=10)
    await reminders.install(KARI)
    reminders.connector.fail_next(403, "ConversationBlockedByUser")
    assert (await reminders.tick()).send.unreachable == 1
    assert reminders.person(KARI).unreachable is True

    # Kari unblocks the bot and writes to it: "unreachable (until they write to the bot
    # again)", says followup.reminders.report_unreachable; the next step comes to her.
    assert "Slik bruker du" in await reminders.say(KARI, "hjelp")
    assert reminders.person(KARI).unreachable is False
    before = len(reminders.posts_to(KARI))
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the due date
    report = await reminders.tick()
    assert report.plan.digests == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1
    assert due.contract_reference in card_text(posts[0]["attachments"][0])


async def test_utsett_on_the_card_snoozes_only_ones_own_follow_up(reminders: Reminders) -> None:
    made = people(reminders.uow_factory, KARI, PER)
    mine = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0151", seed=7)
    other = due_follow_up(reminders.uow_factory, made[PER], "KOM-2026-0152", seed=8)
    await reminders.install(KARI)
    await reminders.tick()
    (card,) = [c for c in reminders.cards_to(KARI) if "Påminnelse" in card_text(c)]
    (one_day,) = [
        d
        for d in snooze_actions(card)
        if d["followUpId"] == mine.follow_up_id and d["option"] == SNOOZE_DAY
    ]
    others_before = reminders.follow_up(other.follow_up_id)

    status, body = await reminders.card_action(KARI, one_day)

    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert mine.contract_reference in body["value"]
    assert body["value"].startswith("Utsatt til")
    snoozed = reminders.follow_up(mine.follow_up_id)
    assert snoozed.state is FollowUpState.SNOOZED
    tuesday = oslo_datetime(date(2026, 11, 24), time(8, 0))
    assert snoozed.next_action_at == tuesday

    status, body = await reminders.card_action(
        KARI, {"followUpId": other.follow_up_id, "option": SNOOZE_DAY}
    )
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "ikke din" in body["value"]
    assert reminders.follow_up(other.follow_up_id) == others_before
    with reminders.uow_factory() as uow:
        for due, expected in ((mine, 1), (other, 0)):
            events = uow.audit.for_entity("follow_up", due.follow_up_id)
            assert [e.action for e in events].count("follow_up.snoozed") == expected

    # Snoozed until Tuesday: nothing on Monday, the reminder again on Tuesday.
    assert (await reminders.tick()).send.sent == 0
    reminders.clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert (await reminders.tick()).send.sent == 1


async def test_pause_skips_reminders_and_fortsett_brings_them_back(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0161", seed=9)
    await reminders.install(KARI)
    assert "pause" in await reminders.say(KARI, "pause")
    assert reminders.person(KARI).reminders_paused is True
    before = len(reminders.posts_to(KARI))

    paused = await reminders.tick()

    assert paused.plan.skipped_paused == 1
    assert paused.send.sent == 0
    assert len(reminders.posts_to(KARI)) == before, "no message while paused"
    (skipped,) = reminders.deliveries()
    assert skipped.state is DeliveryState.SKIPPED
    assert skipped.follow_up_ids == [due.follow_up_id]

    assert "igjen" in await reminders.say(KARI, "fortsett")
    assert reminders.person(KARI).reminders_paused is False
    before = len(reminders.posts_to(KARI))
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the due date

    resumed = await reminders.tick()

    assert resumed.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1
    content = card_text(posts[0]["attachments"][0])
    assert due.contract_reference in content
    assert "Påminnelse" in content
    sent = [d for d in reminders.deliveries() if d.state is DeliveryState.SENT]
    assert [d.sent_activity_id for d in sent] == [posts[0]["id"]]
