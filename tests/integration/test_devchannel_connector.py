"""The Bot Connector stand-in on its own port: what botbuilder's outbound calls meet locally."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.devchannel.connector import ConnectorStandIn, RecordedActivity, error_response

CID = "a:dev-person-1"
MEMBER = {
    "id": "29:dev-person-1",
    "name": "Kari Nordmann",
    "aadObjectId": "43296f17-a342-4513-b2ae-ce7647c33ae5",
    "email": "kari.nordmann@alesund.kommune.no",
    "userPrincipalName": "kari.nordmann@alesund.kommune.no",
    "givenName": "Kari",
    "surname": "Nordmann",
    "tenantId": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042",
    "userRole": "user",
}


def message(text: str) -> dict[str, object]:
    return {
        "type": "message",
        "text": text,
        "from": {"id": "28:bot", "name": "Kontraktsvakt"},
        "conversation": {"id": CID},
    }


@pytest.fixture
def standin() -> ConnectorStandIn:
    return ConnectorStandIn()


@pytest.fixture
async def client(
    standin: ConnectorStandIn,
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(standin.app())) as test_client:
        yield test_client


async def test_send_and_reply_are_recorded_in_order(
    standin: ConnectorStandIn, client: TestClient[web.Request, web.Application]
) -> None:
    sent = await client.post(f"/v3/conversations/{CID}/activities", json=message("first"))
    replied = await client.post(
        f"/v3/conversations/{CID}/activities/1767001200345", json=message("second")
    )

    assert sent.status == 201
    assert replied.status == 201
    first_id = (await sent.json())["id"]
    second_id = (await replied.json())["id"]
    assert first_id != second_id
    assert [r.method for r in standin.recorded] == ["POST", "POST"]
    assert [r.reply_to_id for r in standin.recorded] == [None, "1767001200345"]
    assert standin.recorded[1].activity["text"] == "second"
    assert standin.recorded[1].activity["id"] == second_id
    assert standin.recorded[0].seq < standin.recorded[1].seq
    assert [a["text"] for a in standin.transcript(CID)] == ["first", "second"]
    assert all(a["timestamp"].endswith("Z") for a in standin.transcript(CID))
    assert standin.request_counts[CID] == 2


async def test_create_conversation_reads_tenant_id_and_records_the_first_activity(
    standin: ConnectorStandIn, client: TestClient[web.Request, web.Application]
) -> None:
    standin.register_personal_conversation("29:dev-person-1", CID)
    body = {
        "isGroup": False,
        "bot": {"id": "28:bot"},
        "members": [{"id": "29:dev-person-1"}],
        "tenantID": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042",
        "activity": message("Hei!"),
        "channelData": {"tenant": {"id": "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"}},
    }

    response = await client.post("/v3/conversations", json=body)
    other = await client.post(
        "/v3/conversations", json={"isGroup": False, "members": [{"id": "29:someone-else"}]}
    )

    assert response.status == 201
    created = await response.json()
    assert created["id"] == CID
    assert created["activityId"] == standin.transcript(CID)[0]["id"]
    assert created["serviceUrl"] == f"http://127.0.0.1:{client.port}/"
    other_id = (await other.json())["id"]
    assert other_id.startswith("a:")
    assert other_id != CID
    again = await client.post(
        "/v3/conversations", json={"isGroup": False, "members": [{"id": "29:someone-else"}]}
    )
    assert (await again.json())["id"] == other_id  # one 1:1 chat per person, as in Teams


async def test_member_lookup_finds_a_known_member(
    standin: ConnectorStandIn, client: TestClient[web.Request, web.Application]
) -> None:
    standin.add_member(MEMBER)

    one = await client.get(f"/v3/conversations/{CID}/members/29:dev-person-1")
    everyone = await client.get("/v3/conversations/any-conversation/members")

    assert one.status == 200
    assert (await one.json())["email"] == "kari.nordmann@alesund.kommune.no"
    assert [m["id"] for m in await everyone.json()] == ["29:dev-person-1"]


async def test_unknown_member_is_a_json_404(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get(f"/v3/conversations/{CID}/members/29:nobody")

    assert response.status == 404
    assert response.content_type == "application/json"
    assert (await response.json())["error"]["code"] == "MemberNotFound"


async def test_update_and_delete_change_the_transcript(
    standin: ConnectorStandIn, client: TestClient[web.Request, web.Application]
) -> None:
    seen: list[RecordedActivity] = []
    standin.listeners.append(seen.append)
    sent = await client.post(f"/v3/conversations/{CID}/activities", json=message("card v1"))
    activity_id = (await sent.json())["id"]
    timestamp = standin.transcript(CID)[0]["timestamp"]

    updated = await client.put(
        f"/v3/conversations/{CID}/activities/{activity_id}", json=message("card v2")
    )

    assert updated.status == 200
    assert [(a["id"], a["text"]) for a in standin.transcript(CID)] == [(activity_id, "card v2")]
    assert standin.transcript(CID)[0]["timestamp"] == timestamp

    deleted = await client.delete(f"/v3/conversations/{CID}/activities/{activity_id}")

    assert deleted.status == 200
    assert standin.transcript(CID) == []
    assert [r.method for r in seen] == ["POST", "PUT", "DELETE"]
    assert all(r.activity["id"] == activity_id for r in seen)


async def test_update_or_delete_of_an_unknown_activity_is_a_json_404(
    client: TestClient[web.Request, web.Application],
) -> None:
    updated = await client.put(f"/v3/conversations/{CID}/activities/404", json=message("x"))
    deleted = await client.delete(f"/v3/conversations/{CID}/activities/404")

    for response in (updated, deleted):
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "ActivityNotFound"


async def test_every_error_is_json(client: TestClient[web.Request, web.Application]) -> None:
    not_json = await client.post(
        f"/v3/conversations/{CID}/activities",
        data=b"not json",
        headers={"Content-Type": "application/json"},
    )
    no_route = await client.get("/v3/nothing/here")
    wrong_method = await client.patch(f"/v3/conversations/{CID}/activities")

    for response, status in ((not_json, 400), (no_route, 404), (wrong_method, 405)):
        assert response.status == status
        assert response.content_type == "application/json"
        assert set((await response.json())["error"]) == {"code", "message"}


async def test_wait_for_returns_a_past_or_a_future_activity(
    standin: ConnectorStandIn, client: TestClient[web.Request, web.Application]
) -> None:
    await client.post(f"/v3/conversations/{CID}/activities", json=message("already here"))

    past = await standin.wait_for(lambda r: r.activity.get("text") == "already here")
    waiting = asyncio.create_task(
        standin.wait_for(lambda r: r.activity.get("text") == "later", timeout=5)
    )
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await client.post(f"/v3/conversations/{CID}/activities", json=message("later"))
    future = await waiting

    assert past.activity["text"] == "already here"
    assert future.activity["text"] == "later"
    with pytest.raises(TimeoutError):
        await standin.wait_for(lambda r: r.activity.get("text") == "never", timeout=0.05)


async def test_recorded_history_is_bounded() -> None:
    standin = ConnectorStandIn(max_recorded=100)
    for n in range(500):
        await standin.record_activity(CID, message(str(n)))

    assert len(standin.recorded) <= 110
    assert standin.recorded[-1].activity["text"] == "499"
    found = await standin.wait_for(lambda r: r.activity["text"] == "495", timeout=0.1)
    assert found.activity["text"] == "495"


class _Throttled(ConnectorStandIn):
    """A test double: the first send in each conversation is throttled."""

    async def before_request(self, request: web.Request) -> web.Response | None:
        if request.method == "POST" and self.request_counts[request.match_info["cid"]] == 1:
            return error_response(429, "Throttled", "slow down", **{"Retry-After": "1"})
        return None


async def test_subclasses_inject_faults_through_before_request() -> None:
    standin = _Throttled()
    async with TestClient(TestServer(standin.app())) as client:
        first = await client.post(f"/v3/conversations/{CID}/activities", json=message("a"))
        first_body = await first.json()
        second = await client.post(f"/v3/conversations/{CID}/activities", json=message("a"))

    assert first.status == 429
    assert first.headers["Retry-After"] == "1"
    assert first_body["error"]["code"] == "Throttled"
    assert second.status == 201
    assert len(standin.recorded) == 1
    assert standin.request_counts[CID] == 2
