"""Token checks never freeze the bot (issue 13, item 5).

botbuilder 4.17.1 fetched the signing keys with a blocking `requests.get` without a timeout on
the event loop, for any token claiming a Bot Framework issuer: one forged token while the key
endpoint hangs stopped every turn and /healthz. Here the real app (with an app id) takes its keys
from a stand-in that hangs, then from one that answers.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from botframework.connector.auth import jwt_token_extractor

from bot.app import ADAPTER
from tests.e2e.harness import TENANT, BotServer
from tests.jwks_standin import KeyEndpointStandIn, SigningKeyPair

APP_ID = str(uuid.uuid4())
GUARD_SECONDS = 15.0  # the test's own limit; the stand-in's watchdog drops hanging requests at 8 s


@pytest.fixture
def key_endpoint() -> Iterator[KeyEndpointStandIn]:
    standin = KeyEndpointStandIn(watchdog_seconds=8.0).start()
    yield standin
    standin.stop()


async def _bot(
    make_server: Callable[..., Awaitable[BotServer]], db: str, keys: KeyEndpointStandIn
) -> BotServer:
    return await make_server(
        db,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId=TENANT,
        ALLOWED_SERVICE_URL_HOSTS="127.0.0.1",
        BotOpenIdMetadata=keys.metadata_url,
    )


def _activity(server: BotServer, activity_type: str = "message") -> dict[str, Any]:
    activity = server.payload("message_personal_text_status_command.json")
    activity["id"] = str(uuid.uuid4())
    activity["type"] = activity_type
    return activity


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token}


async def _timed(call: Awaitable[tuple[int, Any]]) -> tuple[int, float]:
    start = time.monotonic()
    status, _ = await call
    return status, time.monotonic() - start


STALLED = 1.5
"""Seconds: a round this long means the event loop waited for the hung key fetch."""


async def _close_auth(server: BotServer) -> None:
    await server.app[ADAPTER].bot_framework_authentication.close()


async def test_while_the_key_fetch_hangs_a_forged_token_gets_401_and_the_bot_keeps_answering(
    make_server: Callable[..., Awaitable[BotServer]],
    sqlite_url: str,
    key_endpoint: KeyEndpointStandIn,
) -> None:
    key_endpoint.hang = True
    server = await _bot(make_server, sqlite_url, key_endpoint)

    async def scenario() -> None:
        rounds: list[float] = []  # a 50 ms pause, then /healthz: long only if the loop stalls
        other_turns: list[tuple[int, float]] = []
        done = asyncio.Event()

        async def probe() -> None:
            while not done.is_set():
                start = time.monotonic()
                await asyncio.sleep(0.05)
                async with server.session.get(server.url + "/healthz") as r:
                    assert r.status == 200
                rounds.append(time.monotonic() - start)
                # Another request to the messages endpoint (no token) is answered meanwhile.
                other_turns.append(await _timed(server.post(_activity(server))))

        prober = asyncio.create_task(probe())
        await asyncio.sleep(0.2)
        activity = _activity(server)
        forged = SigningKeyPair().token(APP_ID, activity["serviceUrl"])
        first = asyncio.create_task(_timed(server.post(activity, headers=_bearer(forged))))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(_timed(server.post(activity, headers=_bearer(forged))))
        results = [await first, await second]
        done.set()
        await prober

        # A stalled loop would show as a round as long as the hung fetch (seconds); a busy test
        # machine makes a round a few hundred milliseconds at worst.
        assert max(rounds) < STALLED, f"a /healthz round took {max(rounds):.2f} s while keys hung"
        assert len(rounds) >= 10
        assert all(status == 401 for status, _ in other_turns)
        assert max(seconds for _, seconds in other_turns) < STALLED
        for status, seconds in results:
            assert status == 401
            assert seconds < 4.0, f"refused only after {seconds:.1f} s"
        assert key_endpoint.metadata_requests() == 1, "one fetch, and it went to the stand-in"

    try:
        await asyncio.wait_for(scenario(), GUARD_SECONDS)
    finally:
        key_endpoint.release()
        await _close_auth(server)
    assert server.connector.recorded == []


async def test_a_token_signed_with_a_served_key_is_accepted_and_others_are_not(
    make_server: Callable[..., Awaitable[BotServer]],
    sqlite_url: str,
    key_endpoint: KeyEndpointStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def botbuilder_fetch(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("botbuilder's own blocking key fetch was used")

    monkeypatch.setattr(jwt_token_extractor.requests, "get", botbuilder_fetch)
    channel = SigningKeyPair()
    key_endpoint.keys = [channel.jwk()]
    server = await _bot(make_server, sqlite_url, key_endpoint)

    async def scenario() -> None:
        # An activity type the endpoint ignores once the token is accepted (200), so no turn
        # runs and nothing is sent; a refused token is 401.
        activity = _activity(server, "somethingNew")
        service_url = activity["serviceUrl"]
        status, _ = await server.post(activity, headers=_bearer(channel.token(APP_ID, service_url)))
        assert status == 200

        impostor = SigningKeyPair(kid=channel.kid)  # the key id of a real key, another key
        refused = {
            "signed with another key": impostor.token(APP_ID, service_url),
            "another bot's audience": channel.token(str(uuid.uuid4()), service_url),
            "another service URL": channel.token(APP_ID, "https://evil.example/"),
            "expired": channel.token(APP_ID, service_url, exp=int(time.time()) - 3600),
            "an unknown key id": SigningKeyPair().token(APP_ID, service_url),
        }
        for why, token in refused.items():
            status, _ = await server.post(activity, headers=_bearer(token))
            assert status == 401, why
        assert key_endpoint.metadata_requests() == 1, "the keys are cached"

    try:
        await asyncio.wait_for(scenario(), GUARD_SECONDS)
    finally:
        await _close_auth(server)
