"""Who may read a contract, asked every way the bot shows one (issue 13, defect 8), end to end:
the real HTTP endpoint, the Bot Connector stand-in (which lists a channel's members) and the
database, on SQLite and PostgreSQL.

One table: every command that shows a contract, asked by its owner, by another owner, by a
registered person with no contract, by a guest (a Teams user the register does not know), and by
procurement in a channel where a guest is a member. The owner sees the contract; everyone else
gets a polite sentence that names neither the contract's title nor its supplier.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest

from bot.app import ENGINE, create_app
from bot.settings import Settings
from followup.models import Checkpoint, CheckpointSource, FollowUp, FollowUpState
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.e2e.harness import TENANT, BotServer, start_site
from tests.fakes import FakeClock, FaultyConnector

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""Monday 23 November 2026, 10:00 in Oslo."""
PERSONAL = "message_personal_text_status_command.json"
MENTION = "message_channel_mention_query.json"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

REFERENCE = "KOM-A1"
TITLE = "Snøbrøyting Nordbygda"
SUPPLIER = "Vinterdrift Brøytelag AS"
OTHER_REFERENCE = "KOM-B1"


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
"""Procurement (PROCUREMENT_MEMBERS)."""
OLA = teams_user("Ola Hansen")
"""Owns KOM-A1."""
PER = teams_user("Per Olsen")
"""Owns KOM-B1 only."""
LIV = teams_user("Liv Berg")
"""Registered, owns nothing."""
GUEST = teams_user("Gjest Gjestesen", "gjest@leverandor.no")
"""Not in the register."""


@dataclass
class Bot:
    server: BotServer
    uow_factory: SqlAlchemyUnitOfWorkFactory

    @property
    def connector(self) -> FaultyConnector:
        return self.server.connector

    def add_member(self, user: User) -> None:
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

    async def say(self, user: User, text: str) -> list[dict[str, Any]]:
        activity = self._as(user, self.server.payload(PERSONAL))
        activity["text"] = text
        return await self._post(activity)

    async def say_in_channel(self, user: User, text: str) -> list[dict[str, Any]]:
        activity = self.server.payload(MENTION)
        activity["id"] = f"m:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["text"] = f"<at>Kontraktsoppfølging</at> {text}"
        return await self._post(activity)

    async def _post(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.connector.recorded)
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return [
            r.activity
            for r in self.connector.recorded[before:]
            if r.reply_to_id == activity["id"] and r.method == "POST"
        ]

    @staticmethod
    def _as(user: User, activity: dict[str, Any]) -> dict[str, Any]:
        activity = copy.deepcopy(activity)
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = user.conversation_id
        return activity


@pytest.fixture
async def bot(connector: tuple[FaultyConnector, str], db_url: str) -> AsyncIterator[Bot]:
    standin, service_url = connector
    settings = Settings(
        DATABASE_URL=db_url,
        DEV_CHANNEL=False,
        SEND_RATE_PER_TENANT=0,
        PROCUREMENT_MEMBERS=[KARI.email],
    )
    app = create_app(settings, clock=FakeClock(NOW))
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    try:
        _register(uow_factory)
        yield Bot(BotServer(url, app, session, standin, service_url), uow_factory)
    finally:
        await session.close()
        await runner.cleanup()


def _register(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    """Ola owns KOM-A1 (an overdue and an upcoming follow-up, an open deviation); Per owns
    KOM-B1; Liv owns nothing; Kari is procurement by configuration."""
    with uow_factory() as uow:
        people = {
            "kari": add_person(uow, KARI.name, NOW, roles=set()),
            "ola": add_person(uow, OLA.name, NOW),
            "per": add_person(uow, PER.name, NOW),
            "liv": add_person(uow, LIV.name, NOW, roles=set()),
        }
        a1 = add_contract(
            uow,
            NOW,
            owner=people["ola"],
            supplier=add_supplier(uow, SUPPLIER, seed=1),
            reference=REFERENCE,
            title=TITLE,
        )
        add_contract(
            uow,
            NOW,
            owner=people["per"],
            supplier=add_supplier(uow, "Kontorhuset AS", seed=2),
            reference=OTHER_REFERENCE,
            title="Kontorrekvisita",
        )
        uow.session.flush()
        checkpoint = Checkpoint(
            contract_id=a1.id,
            code="levering",
            title="Bekreft levering",
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 1),
            source=CheckpointSource.MANUAL,
        )
        uow.checkpoints.add(checkpoint)
        uow.follow_ups.add_many(
            [
                FollowUp(
                    checkpoint_id=checkpoint.id,
                    contract_id=a1.id,
                    due_date=due,
                    state=state,
                    reminder_step=1,
                )
                for due, state in (
                    (date(2026, 11, 16), FollowUpState.REMINDED),
                    (date(2026, 11, 30), FollowUpState.PLANNED),
                )
            ]
        )
        uow.commit()


def shown(replies: list[dict[str, Any]]) -> str:
    """Everything the bot sent back: texts and cards."""
    return json.dumps(replies, ensure_ascii=False)


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(r.get("text") or "") for r in replies)


# --- the table ---------------------------------------------------------------------------------

PERSONAL_READS = (
    f"plan {REFERENCE}",
    f"status {REFERENCE}",
    f"forfalt {REFERENCE}",
    f"avvik {REFERENCE}",
    f"meld avvik {REFERENCE}",
    f"historikk {REFERENCE}",
    f"levert {REFERENCE}",
    f"utsett {REFERENCE} fredag",
    f"dokument {REFERENCE}",
    "kontrakter",
    "mine oppgaver",
    "status",
    "forfalt",
    "avvik alle",
)
"""Every command that shows a contract, typed in a 1:1 chat (those that answer or snooze do so
only for whom it is: asked by anyone else, they must not show it either)."""
CHANNEL_READS = (
    f"plan {REFERENCE}",
    f"status {REFERENCE}",
    f"forfalt {REFERENCE}",
    f"avvik {REFERENCE}",
    f"historikk {REFERENCE}",
    "status",
    "forfalt",
    "avvik alle",
    "kontrakter",
    "mine oppgaver",
)
"""The same, by @mention in a channel."""
OWNER_SEES = (f"plan {REFERENCE}", f"status {REFERENCE}", "kontrakter", "mine oppgaver")
"""What shows the owner the contract's title (the lists name it too, by reference)."""


@pytest.mark.parametrize("who", ["other owner", "no role", "guest"])
async def test_nobody_but_those_who_may_see_it_reads_a_contract_in_a_chat(
    bot: Bot, who: str
) -> None:
    user = {"other owner": PER, "no role": LIV, "guest": GUEST}[who]
    await bot.install(user)
    for command in PERSONAL_READS:
        replies = await bot.say(user, command)
        seen = shown(replies)
        assert replies, command
        assert TITLE not in seen, (who, command, texts(replies))
        assert SUPPLIER not in seen, (who, command)
        if REFERENCE in command:
            # Asked for the contract by name: a sentence, no card.
            assert texts(replies).strip(), f"{command}: a sentence, not silence"
            if not command.startswith(("avvik", "meld avvik")):
                assert not [a for r in replies for a in r.get("attachments") or []], command
        if command.startswith(("avvik ", "meld avvik")):
            # Refused, not a dialog about a contract they may not report on.
            await bot.say(user, "avbryt")


async def test_the_owner_reads_their_contract_everywhere(bot: Bot) -> None:
    await bot.install(OLA)
    for command in OWNER_SEES:
        assert TITLE in shown(await bot.say(OLA, command)), command
    assert REFERENCE in shown(await bot.say(OLA, f"forfalt {REFERENCE}"))


async def test_procurement_reads_it_and_in_a_channel_of_procurement_and_its_owner(
    bot: Bot,
) -> None:
    await bot.install(KARI)
    await bot.install(OLA)  # the channel's members: Kari (procurement) and Ola (the owner)
    assert TITLE in shown(await bot.say(KARI, f"plan {REFERENCE}"))
    assert TITLE in shown(await bot.say_in_channel(KARI, f"plan {REFERENCE}"))
    assert TITLE in shown(await bot.say_in_channel(OLA, f"plan {REFERENCE}"))
    assert TITLE in shown(await bot.say_in_channel(KARI, f"status {REFERENCE}"))


async def test_nothing_of_a_contract_is_read_in_a_channel_with_a_guest(bot: Bot) -> None:
    await bot.install(KARI)
    bot.add_member(GUEST)  # a supplier's guest account in the channel
    for command in CHANNEL_READS:
        replies = await bot.say_in_channel(KARI, command)
        seen = shown(replies)
        assert TITLE not in seen, (command, texts(replies))
        assert SUPPLIER not in seen, command
        assert REFERENCE not in seen.replace(f"{command}", ""), command
        assert not [a for r in replies for a in r.get("attachments") or []], command
        assert texts(replies).strip(), command


async def test_in_a_channel_an_owner_may_not_show_what_another_member_may_not_see(
    bot: Bot,
) -> None:
    await bot.install(OLA)
    await bot.install(PER)  # the channel's members: Ola (owns A1) and Per (owns B1)
    for command in (f"plan {REFERENCE}", f"status {REFERENCE}"):
        replies = await bot.say_in_channel(OLA, command)
        assert TITLE not in shown(replies), command
        assert texts(replies).strip()


async def test_a_channel_whose_members_cannot_be_read_is_shown_nothing(bot: Bot) -> None:
    await bot.install(KARI)
    await bot.say_in_channel(KARI, "hjelp")  # the bot met the channel (and said hello)
    bot.connector.fail_next(503, "ServiceUnavailable")  # the member list
    replies = await bot.say_in_channel(KARI, f"plan {REFERENCE}")
    assert TITLE not in shown(replies)
    assert "medlemslisten" in texts(replies)
