"""The bot through its real HTTP endpoint; the Bot Connector stand-in records what it sends."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import ADAPTER, ENGINE
from bot.teams.notifier import TeamsNotifier
from followup.ports import OutgoingMessage
from storage.db import create_session_factory
from storage.tables import AuditEventRow, ConversationRefRow, PersonRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.harness import PAYLOADS, TENANT, BotServer

KARI_TEAMS_ID = (
    "29:10PvyxJJ0YCRoNqo-TUSff-rdzM_yRa9H_qilzoJ--1VfTtjCJuvKbQUT4144QRYdMM0h20l6i9oegGq5S2Y"
)
KARI_AAD = "43296f17-a342-4513-b2ae-ce7647c33ae5"
KARI_EMAIL = "kari.nordmann@fjordvik.kommune.no"
PERSONAL_CONVERSATION = (
    "a:1BJeZPw3jL4EZnqIWdBaLL87htwdSqgM9yXLMJVXdjX8DoUS28IwYONXPIj3zGB6m2IO-viFK9s6WUDBHgx6VbAP7"
    "iwPC6XFBGT1-kMim4NAXk-hgXnIfG1In"
)


def _rows(server: BotServer, row_type: type[Any]) -> list[Any]:
    with Session(server.app[ENGINE]) as session:
        return list(session.scalars(select(row_type)).all())


def _register_kari(server: BotServer, *, in_register: bool = True) -> None:
    server.connector.add_member(
        {
            "id": KARI_TEAMS_ID,
            "name": "Kari Nordmann",
            "aadObjectId": KARI_AAD,
            "email": KARI_EMAIL.upper(),
            "userPrincipalName": KARI_EMAIL,
            "tenantId": TENANT,
        }
    )
    if in_register:
        now = datetime(2026, 9, 1, tzinfo=UTC)
        with Session(server.app[ENGINE]) as session:
            session.add(
                PersonRow(
                    id=str(uuid.uuid4()),
                    display_name="Kari Nordmann (register)",
                    email=KARI_EMAIL,
                    roles=["owner"],
                    created_at=now,
                    updated_at=now,
                )
            )
            session.commit()


def _message(server: BotServer, text: str, activity_id: str | None = None) -> dict[str, Any]:
    activity = server.payload("message_personal_text_status_command.json")
    activity["text"] = text
    activity["id"] = activity_id or str(uuid.uuid4())
    return activity


async def test_install_stores_reference_matches_register_and_welcomes(server: BotServer) -> None:
    _register_kari(server)
    status, _ = await server.post(server.payload("installationUpdate_add_personal.json"))
    assert status in {200, 201}
    welcome = await server.connector.wait_for(
        lambda r: "Kontraktsvakt" in str(r.activity.get("text"))
    )
    assert welcome.conversation_id == PERSONAL_CONVERSATION

    refs = _rows(server, ConversationRefRow)
    assert len(refs) == 1
    assert refs[0].tenant_id == TENANT
    assert refs[0].user_id == KARI_TEAMS_ID
    people = _rows(server, PersonRow)
    assert len(people) == 1, "the Teams user is matched to the register's person by e-mail"
    assert people[0].entra_object_id == KARI_AAD
    assert people[0].teams_user_id == KARI_TEAMS_ID
    assert refs[0].person_id == people[0].id

    # conversationUpdate for the same install: no second welcome, no second reference.
    await server.post(server.payload("conversationUpdate_membersAdded_bot_personal.json"))
    await asyncio.sleep(0.2)
    assert (
        len(
            [r for r in server.connector.recorded if "Kontraktsvakt" in str(r.activity.get("text"))]
        )
        == 1
    )
    assert len(_rows(server, ConversationRefRow)) == 1


async def test_new_user_not_in_register_is_created_and_told(server: BotServer) -> None:
    _register_kari(server, in_register=False)
    await server.post(server.payload("installationUpdate_add_personal.json"))
    welcome = await server.connector.wait_for(lambda r: bool(r.activity.get("text")))
    assert "fant deg ikke i kontraktsregisteret" in welcome.activity["text"]
    people = _rows(server, PersonRow)
    assert [p.email for p in people] == [KARI_EMAIL]
    assert any(e.action == "person.created" for e in _rows(server, AuditEventRow))


async def test_uninstall_removes_the_reference(server: BotServer) -> None:
    _register_kari(server)
    await server.post(server.payload("installationUpdate_add_personal.json"))
    await server.connector.wait_for(lambda r: bool(r.activity.get("text")))
    assert len(_rows(server, ConversationRefRow)) == 1
    await server.post(server.payload("installationUpdate_remove_personal.json"))
    assert _rows(server, ConversationRefRow) == []


async def test_team_install_stores_the_channel_but_registers_no_procurement_channel(
    server: BotServer,
) -> None:
    await server.post(server.payload("installationUpdate_add_team.json"))
    welcome = await server.connector.wait_for(lambda r: bool(r.activity.get("text")))
    assert "innkjøpskanal på" in welcome.activity["text"], "it says how, it does not claim it"
    refs = _rows(server, ConversationRefRow)
    assert len(refs) == 1
    assert not refs[0].is_procurement_channel  # only a procurement member registers it
    assert refs[0].team_name == "Innkjøp og kontraktsoppfølging"
    removed = server.payload("conversationUpdate_membersRemoved_bot_team.json")
    removed["conversation"]["id"] = refs[0].conversation_id
    await server.post(removed)
    assert _rows(server, ConversationRefRow) == []


async def test_help_message_gets_a_reply(server: BotServer) -> None:
    _register_kari(server)
    activity = _message(server, "hjelp")
    status, _ = await server.post(activity)
    assert status == 201
    # `hjelp` answers with a card; its `summary` is the card's plain text.
    reply = await server.connector.wait_for(
        lambda r: "Slik bruker du" in str(r.activity.get("summary"))
    )
    assert reply.reply_to_id == activity["id"]
    assert reply.activity["conversation"]["id"] == activity["conversation"]["id"]


async def test_unknown_command_is_answered_in_norwegian(server: BotServer) -> None:
    _register_kari(server)
    await server.post(_message(server, "<script>alert(1)</script> hva er dette"))
    reply = await server.connector.wait_for(lambda r: "forstod ikke" in str(r.activity.get("text")))
    assert "hjelp" in reply.activity["text"]


async def test_same_activity_twice_is_processed_once(server: BotServer) -> None:
    _register_kari(server)
    activity = _message(server, "hjelp", activity_id="1767003000999")
    first, second = await asyncio.gather(server.post(activity), server.post(activity))
    assert {first[0], second[0]} <= {200, 201}
    await server.connector.wait_for(lambda r: "Slik bruker du" in str(r.activity.get("summary")))
    await asyncio.sleep(0.3)
    helps = [
        r for r in server.connector.recorded if "Slik bruker du" in str(r.activity.get("summary"))
    ]
    assert len(helps) == 1


async def test_invoke_response_body_reaches_the_caller(server: BotServer) -> None:
    _register_kari(server)
    status, body = await server.post(
        server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json")
    )
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert isinstance(body["value"], str)
    # Teams retries an invoke it got no answer to: the copy gets the same answer, no new work.
    again = await server.post(
        server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json")
    )
    assert again == (status, body)


@pytest.mark.parametrize("name", sorted(p.name for p in PAYLOADS.glob("*.json")))
async def test_every_shared_payload_is_handled(server: BotServer, name: str) -> None:
    _register_kari(server)
    status, body = await server.post(server.payload(name))
    assert status in {200, 201}, (name, status, body)
    if name.startswith("invoke_"):
        assert status == 200
        assert body, "an invoke gets a JSON answer"
    errors = [
        r for r in server.connector.recorded if "noe gikk galt" in str(r.activity.get("text"))
    ]
    assert errors == [], "no turn may end in the error handler"


async def test_proactive_send_to_a_stored_reference(server: BotServer) -> None:
    _register_kari(server)
    await server.post(server.payload("installationUpdate_add_personal.json"))
    await server.connector.wait_for(lambda r: bool(r.activity.get("text")))
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(server.app[ENGINE]))
    with factory() as uow:
        person = uow.people.find_by_email_or_upn(KARI_EMAIL)
        assert person is not None
        ref = uow.conversations.for_person(person.id)
    assert ref is not None
    notifier = TeamsNotifier(server.app[ADAPTER], "")
    sent_id = await notifier.send(ref, OutgoingMessage(text="Påminnelse: bekreft levering"))
    record = await server.connector.wait_for(
        lambda r: r.activity.get("text") == "Påminnelse: bekreft levering"
    )
    assert sent_id
    assert record.conversation_id == PERSONAL_CONVERSATION
    assert record.activity["channelData"]["tenant"]["id"] == TENANT


BASE = b'{"type": "message", "serviceUrl": "http://127.0.0.1/", "conversation": {"id": "c"}'

# --- guards ----------------------------------------------------------------------------------


async def test_tenant_not_allowed_is_refused_and_nothing_stored(
    make_server: Any, sqlite_url: str
) -> None:
    server: BotServer = await make_server(
        sqlite_url, ALLOWED_TENANT_IDS="11111111-1111-1111-1111-111111111111"
    )
    _register_kari(server)
    status, body = await server.post(server.payload("installationUpdate_add_personal.json"))
    assert status == 403
    assert body["error"]["code"] == "TenantNotAllowed"
    assert _rows(server, ConversationRefRow) == []
    assert server.connector.recorded == []


async def test_service_url_not_allowed_is_never_called(server: BotServer) -> None:
    activity = _message(server, "hjelp")
    activity["serviceUrl"] = "https://evil.example.com/"
    status, body = await server.post(activity)
    assert status == 403
    assert body["error"]["code"] == "ServiceUrlNotAllowed"
    activity["serviceUrl"] = "http://169.254.169.254/latest/"
    status, _ = await server.post(activity)
    assert status == 403
    assert _rows(server, ConversationRefRow) == []


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (
            b'{"type": 5, "serviceUrl": "http://127.0.0.1/", "conversation": {"id": "x"}}',
            "application/json",
            400,
        ),
        (b'{"type": "message"}', "application/json", 400),
        (
            b'{"type": "message", "serviceUrl": "http://127.0.0.1/", "conversation": "x"}',
            "application/json",
            400,
        ),
        (
            BASE + b', "text": 7}',
            "application/json",
            400,
        ),
        (
            BASE + b', "membersAdded": [1]}',
            "application/json",
            400,
        ),
        (
            BASE + b', "timestamp": "not a time"}',
            "application/json",
            400,
        ),
        (b"hjelp", "text/plain", 415),
        (b"\xff\xfe\x00", "application/json", 400),
    ],
)
async def test_malformed_bodies_get_4xx(
    server: BotServer, data: bytes, content_type: str, expected: int
) -> None:
    assert await server.post_raw(data, content_type) == expected


async def test_oversized_body_is_refused(server: BotServer) -> None:
    activity = _message(server, "x" * 300_000)
    assert await server.post_raw(json.dumps(activity).encode()) == 413


async def test_very_long_text_within_the_body_limit_is_answered(server: BotServer) -> None:
    _register_kari(server)
    await server.post(_message(server, "a" * 20_000))
    reply = await server.connector.wait_for(lambda r: "for lang" in str(r.activity.get("text")))
    assert "4\u00a0000" in reply.activity["text"], "a Norwegian number: 4 000, no-break space"


async def test_unknown_activity_type_is_ignored(server: BotServer) -> None:
    activity = _message(server, "hjelp")
    activity["type"] = "somethingNew"
    status, _ = await server.post(activity)
    assert status == 200
    await asyncio.sleep(0.2)
    assert server.connector.recorded == []


async def test_with_an_app_id_a_missing_or_bad_token_is_401(
    make_server: Any, sqlite_url: str
) -> None:
    server: BotServer = await make_server(
        sqlite_url,
        MicrosoftAppId=str(uuid.uuid4()),
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId=TENANT,
        ALLOWED_SERVICE_URL_HOSTS="127.0.0.1",
    )
    activity = _message(server, "hjelp")
    status, _ = await server.post(activity)
    assert status == 401
    for header in ("Bearer abc.def.ghi", "Bearer", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000):
        status, _ = await server.post(activity, headers={"Authorization": header})
        assert status == 401, header
    assert server.connector.recorded == []
    assert _rows(server, ConversationRefRow) == []


async def test_health_and_readiness(server: BotServer) -> None:
    async with server.session.get(server.url + "/healthz") as r:
        assert r.status == 200
    async with server.session.get(server.url + "/readyz") as r:
        assert r.status == 200
        assert (await r.json())["status"] == "ready"
