"""`hjelp` end to end, through the real HTTP endpoint and the Bot Connector stand-in, on SQLite
and PostgreSQL: an owner's help is a card whose examples hold their own contract number, and
whose words, rendered as Teams and Web Chat render them (anything like an HTML tag dropped),
leave no empty placeholder behind («plan », «fravær fra til»). Its button shows every command.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.app import ENGINE
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.e2e.harness import BotServer
from tests.e2e.reminder_harness import MONDAY_10_OSLO

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
PERSONAL = "message_personal_text_status_command.json"
INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"
REFERENCE = "KOM-2026-0417"
TAG = re.compile(r"<[^<>]*>")
QUOTED = re.compile(r"«([^«»]*)»")


def _register_owner(server: BotServer) -> None:
    """Kari of the shared payloads, owner of one contract, known by her Teams ids."""
    activity = server.payload(PERSONAL)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(server.app[ENGINE]))
    with factory() as uow:
        kari = add_person(uow, "Kari Nordmann", MONDAY_10_OSLO)
        kari.teams_user_id = activity["from"]["id"]
        kari.entra_object_id = activity["from"]["aadObjectId"]
        uow.people.update(kari, MONDAY_10_OSLO)
        add_contract(
            uow,
            MONDAY_10_OSLO,
            owner=kari,
            supplier=add_supplier(uow),
            reference=REFERENCE,
            unit="Oppvekst",
        )
        uow.commit()


async def _say(server: BotServer, text: str) -> dict[str, Any]:
    """Kari writes `text` in her 1:1 chat; the bot's card in reply, as the connector received
    it (her first message is also welcomed, in a message of its own)."""
    activity = server.payload(PERSONAL)
    activity["id"] = str(uuid.uuid4())
    activity["text"] = text
    status, _ = await server.post(activity)
    assert status in {200, 201}
    reply = await server.connector.wait_for(
        lambda r: r.reply_to_id == activity["id"] and bool(r.activity.get("attachments"))
    )
    return dict(reply.activity)


def _card(reply: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = reply["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    card: dict[str, Any] = attachment["content"]
    return card


def _rendered(card: dict[str, Any]) -> list[str]:
    """The card's TextBlocks as Teams and Web Chat show them: tags dropped, italics unmarked."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(TAG.sub("", str(node["text"])).replace("*", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card["body"])
    return found


def _no_empty_placeholder(lines: list[str]) -> None:
    for line in lines:
        for typed in QUOTED.findall(line):
            assert typed.strip(), line
            assert typed == typed.strip(), line
            assert not re.search(r"\bfra\s+til\b|\s\s", typed), line


async def test_an_owners_help_holds_their_contract_and_no_empty_placeholder(
    server: BotServer,
) -> None:
    _register_owner(server)
    reply = await _say(server, "hjelp")
    card = _card(reply)
    lines = _rendered(card)
    shown = "\n".join(lines)

    assert "Slik bruker du Kontraktsvakt" in shown
    for typed in (f"status {REFERENCE}", f"levert {REFERENCE}", f"dokument {REFERENCE}"):
        assert f"«{typed}" in shown, typed
    assert re.search(r"«fravær fra \d{1,2}\.\d{1,2} til \d{1,2}\.\d{1,2}»", shown)
    _no_empty_placeholder(lines)
    assert reply["summary"] == card["fallbackText"]
    assert REFERENCE in reply["summary"]

    # The card's button shows every command in place of the short help.
    (button,) = [
        a
        for block in card["body"]
        if block["type"] == "ActionSet"
        for a in block["actions"]
        if a["type"] == "Action.Execute"
    ]
    invoke = server.payload(INVOKE)  # from Kari, in her 1:1 chat
    invoke["value"] = {
        "action": {"type": "Action.Execute", "verb": button["verb"], "data": button["data"]},
        "trigger": "manual",
    }
    status, body = await server.post(invoke)
    assert status == 200
    everything = body["value"]
    listed = _rendered(everything)
    assert "Alle kommandoer" in listed[0]
    assert any("«plan avtalenr»" in line for line in listed)
    _no_empty_placeholder(listed)

    # Typed, the same list.
    asked = _card(await _say(server, "vis alle kommandoer"))
    assert asked["fallbackText"] == everything["fallbackText"]
