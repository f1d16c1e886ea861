"""The dev chat through the real app: Web Chat's Direct Line calls in, the real bot answers.

The app runs on a free loopback port with its dev channel (no app id, local mode); the test
speaks Direct Line 3.0 the way Web Chat does in polling mode.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import DEV_TENANT_ID, create_app
from bot.devchannel import DEV_CHANNEL, DevChannel
from bot.devchannel.cards import MARKER
from bot.devchannel.connector import ConnectorStandIn
from bot.devchannel.directline import DevTokens, DirectLineStandIn
from bot.devchannel.people import DevPerson
from bot.settings import Settings
from storage.db import create_db_engine
from storage.tables import ConversationRefRow, PersonRow

DIRECTLINE = "/_dev/directline/v3/directline"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
KARI_ID = "7d0c2f4e-8a51-4f3e-9a0b-1c2d3e4f5a61"
OLA_ID = "0b9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f"


def _person(person_id: str, name: str, email: str, roles: list[str]) -> PersonRow:
    now = datetime.now(UTC)
    return PersonRow(
        id=person_id,
        display_name=name,
        email=email,
        roles=roles,
        locale="nb-NO",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_db_engine(sqlite_url)
    with Session(engine) as session:
        session.add_all(
            [
                _person(KARI_ID, "Kari Nordmann", "kari.nordmann@alesund.kommune.no", ["owner"]),
                _person(OLA_ID, "Ola Innkjøper", "ola@alesund.kommune.no", ["procurement"]),
            ]
        )
        session.commit()
    yield engine
    engine.dispose()


@dataclass
class RunningApp:
    base: str
    http: aiohttp.ClientSession
    channel: DevChannel


@pytest.fixture
async def running(sqlite_url: str, engine: Engine, tmp_path: Path) -> AsyncIterator[RunningApp]:
    settings = Settings(
        MicrosoftAppId="",
        DATABASE_URL=sqlite_url,
        DATA_DIR=tmp_path / "data",
        HOST="127.0.0.1",
    )
    assert settings.dev_channel_enabled
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as http:
        yield RunningApp(f"http://{host}:{port}", http, app[DEV_CHANNEL])
    await runner.cleanup()


async def _token(run: RunningApp, person_id: str) -> dict[str, Any]:
    async with run.http.post(f"{run.base}/_dev/api/token", json={"personId": person_id}) as r:
        assert r.status == 200, await r.text()
        grant: dict[str, Any] = await r.json()
    return grant


async def _start(run: RunningApp, token: str) -> dict[str, Any]:
    async with run.http.post(
        f"{run.base}{DIRECTLINE}/conversations",
        headers={"Authorization": f"Bearer {token}"},
        json={"user": {"id": "ignored"}, "locale": "nb-NO"},
    ) as r:
        assert r.status == 201
        started: dict[str, Any] = await r.json()
    return started


async def _post(run: RunningApp, token: str, cid: str, activity: dict[str, Any]) -> str:
    async with run.http.post(
        f"{run.base}{DIRECTLINE}/conversations/{cid}/activities",
        headers={"Authorization": f"Bearer {token}"},
        json=activity,
    ) as r:
        assert r.status == 200, await r.text()
        return str((await r.json())["id"])


async def _poll_until(
    run: RunningApp,
    token: str,
    cid: str,
    done: Callable[[list[dict[str, Any]]], bool],
    within: float = 15.0,
) -> list[dict[str, Any]]:
    """Poll like Web Chat (watermark by watermark) until `done(all activities seen)`."""
    seen: list[dict[str, Any]] = []
    watermark = ""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with run.http.get(
            f"{run.base}{DIRECTLINE}/conversations/{cid}/activities",
            params={"watermark": watermark},
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            assert r.status == 200
            page = await r.json()
        seen.extend(page["activities"])
        watermark = page["watermark"]
        if done(seen):
            return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out; saw {[a.get('text') for a in seen]}")


def _said(activity: dict[str, Any]) -> str:
    """What a message says: its text, or a card's plain-text `summary` (`hjelp` is a card)."""
    return str(activity.get("text") or activity.get("summary") or "")


def _bot_texts(activities: list[dict[str, Any]]) -> str:
    return "\n".join(_said(a) for a in activities if a.get("from", {}).get("role") == "bot")


def _user_message(text: str, user_id: str, client_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "text": text,
        "from": {"id": user_id, "name": "Kari Nordmann", "role": "user"},
        "locale": "nb-NO",
        "textFormat": "plain",
        "channelData": {"clientActivityID": client_id},
    }


async def test_people_and_tokens(running: RunningApp) -> None:
    async with running.http.get(f"{running.base}/_dev/api/people") as r:
        people = await r.json()
    async with running.http.post(
        f"{running.base}/_dev/api/token", json={"personId": "no-such-person"}
    ) as r:
        unknown_status, unknown = r.status, await r.json()

    assert [p["displayName"] for p in people] == ["Ola Innkjøper", "Kari Nordmann"]
    assert people[1] == {
        "id": KARI_ID,
        "displayName": "Kari Nordmann",
        "email": "kari.nordmann@alesund.kommune.no",
        "roles": ["owner"],
        "overdue": 0,
        "dueSoon": 0,
        "awayUntil": None,
        "coveringFor": None,
    }
    assert unknown_status == 404
    assert unknown["error"]["code"] == "PersonNotFound"
    grant = await _token(running, KARI_ID)
    assert grant["userId"] == f"29:dev-{KARI_ID}"
    assert grant["conversationId"] == f"a:dev-{KARI_ID}"
    assert len(grant["token"]) >= 40


async def test_directline_refuses_missing_and_foreign_tokens(running: RunningApp) -> None:
    kari = await _token(running, KARI_ID)
    url = f"{running.base}{DIRECTLINE}/conversations/a:dev-{OLA_ID}/activities"

    async with running.http.get(url) as r:
        missing = r.status, await r.json()
    async with running.http.get(url, headers={"Authorization": f"Bearer {kari['token']}"}) as r:
        foreign = r.status, await r.json()
    async with running.http.options(url) as r:
        preflight = r.status, r.headers.get("Access-Control-Allow-Origin")

    assert missing[0] == 401
    assert foreign[0] == 403
    assert {"code", "message"} <= set(foreign[1]["error"])
    assert preflight == (204, "*")


async def test_help_and_welcome_reach_web_chat(running: RunningApp, engine: Engine) -> None:
    grant = await _token(running, KARI_ID)
    token = grant["token"]
    started = await _start(running, token)
    cid = started["conversationId"]
    assert cid == f"a:dev-{KARI_ID}"
    assert started["expires_in"] > 0

    activity_id = await _post(running, token, cid, _user_message("hjelp", grant["userId"], "c1"))
    seen = await _poll_until(
        running,
        token,
        cid,
        lambda acts: (
            "Slik bruker du Kontraktsvakt" in _bot_texts(acts)
            and "Hei, Kari Nordmann" in _bot_texts(acts)
        ),
    )

    echo = next(a for a in seen if a.get("channelData", {}).get("clientActivityID") == "c1")
    assert echo["id"] == activity_id
    assert echo["from"]["role"] == "user"
    assert echo["text"] == "hjelp"
    help_reply = next(a for a in seen if "Slik bruker du" in _said(a))
    assert help_reply["replyToId"] == activity_id
    assert help_reply["from"] == {
        "id": help_reply["from"]["id"],
        "name": "Kontraktsvakt",
        "role": "bot",
    }
    assert all(a["id"] for a in seen)

    # What the bot stored is a Teams personal-chat reference, found by the member's e-mail.
    with Session(engine) as session:
        ref = session.scalars(
            select(ConversationRefRow).where(ConversationRefRow.conversation_id == cid)
        ).one()
    assert ref.tenant_id == DEV_TENANT_ID
    assert ref.user_id == f"29:dev-{KARI_ID}"
    assert ref.person_id == KARI_ID
    assert ref.service_url == f"{running.base}/_dev/connector/"
    assert ref.channel_id == "msteams"

    # Reloading the page (a new token, watermark from zero) shows the same history.
    again = await _token(running, KARI_ID)
    restarted = await _start(running, again["token"])
    assert restarted["conversationId"] == cid
    history = await _poll_until(
        running, again["token"], cid, lambda acts: "Slik bruker du" in _bot_texts(acts)
    )
    assert [a["id"] for a in history][: len(seen)] == [a["id"] for a in seen]


async def test_proactive_message_and_card_update_land_in_the_chat(running: RunningApp) -> None:
    grant = await _token(running, KARI_ID)
    token = grant["token"]
    cid = (await _start(running, token))["conversationId"]
    connector = running.channel.connector
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Bekreft levering"}],
    }
    sent = await connector.record_activity(
        cid,
        {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": card}]},
    )
    card_id = sent.activity["id"]
    await _poll_until(running, token, cid, lambda acts: any(a["id"] == card_id for a in acts))

    answered = {**card, "body": [{"type": "TextBlock", "text": "Levert (Kari Nordmann)"}]}
    await connector.update_activity(
        cid,
        card_id,
        {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": answered}]},
    )

    seen = await _poll_until(
        running,
        token,
        cid,
        lambda acts: any(
            a["id"] == card_id and "Levert" in str(a.get("attachments")) for a in acts
        ),
    )
    versions = [a for a in seen if a["id"] == card_id]
    assert versions[0]["timestamp"] == versions[-1]["timestamp"]  # stays where it was


def _submit_data(activity: dict[str, Any]) -> dict[str, Any]:
    content = activity["attachments"][0]["content"]
    action = content["actions"][0]
    assert action["type"] == "Action.Submit"
    data: dict[str, Any] = action["data"]
    return data


async def test_card_clicks_reach_the_bot_as_teams_sends_them(running: RunningApp) -> None:
    grant = await _token(running, KARI_ID)
    token = grant["token"]
    cid = (await _start(running, token))["conversationId"]
    connector = running.channel.connector
    execute_card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "refresh": {"action": {"type": "Action.Execute", "verb": "vis"}, "userIds": []},
        "body": [{"type": "Input.Text", "id": "kommentar"}],
        "actions": [
            {
                "type": "Action.Execute",
                "title": "Levert",
                "verb": "bekreftLevering",
                "data": {"oppfolgingId": "f-1"},
            }
        ],
    }
    submit_card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "actions": [{"type": "Action.Submit", "title": "Send", "data": {"handling": "avvik"}}],
    }
    for content in (execute_card, submit_card):
        await connector.record_activity(
            cid, {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": content}]}
        )
    shown = await _poll_until(
        running, token, cid, lambda acts: sum(bool(a.get("attachments")) for a in acts) == 2
    )
    execute_shown, submit_shown = [a for a in shown if a.get("attachments")]
    assert "refresh" not in execute_shown["attachments"][0]["content"]
    execute_data = _submit_data(execute_shown)
    submit_data = _submit_data(submit_shown)
    assert execute_data[MARKER]["verb"] == "bekreftLevering"

    # Web Chat posts an Action.Submit back as a message with the data (inputs merged) as value.
    await _post(
        running,
        token,
        cid,
        {
            "type": "message",
            "value": {**execute_data, "kommentar": "Alt mottatt"},
            "from": {"id": grant["userId"], "role": "user"},
            "channelData": {"postBack": True, "clientActivityID": "c-execute"},
        },
    )
    await _post(
        running,
        token,
        cid,
        {
            "type": "message",
            "value": submit_data,
            "from": {"id": grant["userId"], "role": "user"},
            "channelData": {"postBack": True, "clientActivityID": "c-submit"},
        },
    )

    # The bot got an adaptiveCard/action invoke (its answer shows as a note in the chat) and a
    # message with value (answered with a reply), both pointing at the card they came from.
    seen = await _poll_until(
        running,
        token,
        cid,
        lambda acts: (
            "kjenner jeg ikke igjen" in _bot_texts(acts)
            and "Jeg kunne ikke ta imot dette skjemaet" in _bot_texts(acts)
        ),
    )
    note = next(a for a in seen if "kjenner jeg ikke igjen" in str(a.get("text")))
    assert note["replyToId"] == execute_shown["id"]
    form_reply = next(a for a in seen if "skjemaet" in str(a.get("text")))
    assert form_reply["from"]["role"] == "bot"


async def test_an_execute_answered_with_a_card_replaces_the_card() -> None:
    """What Teams does with an `adaptiveCard/action` response that carries a card."""
    connector = ConnectorStandIn()
    directline = DirectLineStandIn(connector, DevTokens(), bot_id="bot", tenant_id="tenant")
    person = DevPerson(KARI_ID, "Kari Nordmann", None, None, None, ("owner",))
    cid = person.conversation_id
    sent = await connector.record_activity(
        cid, {"type": "message", "attachments": [{"contentType": ADAPTIVE, "content": {}}]}
    )
    card_id = sent.activity["id"]
    refreshed = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}
    invoke = {"type": "invoke", "replyToId": card_id}

    await directline._apply_invoke_response(
        person, invoke, 200, {"statusCode": 200, "type": ADAPTIVE, "value": refreshed}
    )

    assert connector.transcript(cid)[0]["attachments"][0]["content"] == refreshed
    assert [r.method for r in connector.recorded] == ["POST", "PUT"]
    assert directline.activities(cid)[-1]["id"] == card_id
    assert directline.activities(cid)[-1]["attachments"][0]["content"]["body"] == refreshed["body"]


def test_dev_ids_are_stable() -> None:
    person = DevPerson(KARI_ID, "Kari Nordmann", None, None, None, ())
    assert person.aad_object_id == DevPerson(KARI_ID, "x", None, None, None, ()).aad_object_id
    assert uuid.UUID(person.aad_object_id)
    assert person.teams_user_id == f"29:dev-{KARI_ID}"
