"""Signing keys for inbound tokens (`bot/teams/signing_keys.py`): fetched off the event loop with
a timeout, one fetch at a time, kept for their lifetime, backed off after failures, and wired
under botbuilder's own validator. The key endpoints are a stand-in in a thread
(`tests/jwks_standin.py`); timings run on a fake clock where they would otherwise take hours."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants, jwt_token_extractor
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot.settings import Settings
from bot.teams.auth import AuthenticationFailed, PooledBotFrameworkAuthentication
from bot.teams.connector import ConnectorPool
from bot.teams.signing_keys import (
    KeyTimings,
    OpenIdKeyCache,
    SigningKeys,
    SigningKeysUnavailable,
    UnknownSigningKey,
    install_in_botbuilder,
)
from tests.jwks_standin import KeyEndpointStandIn, SigningKeyPair

CHANNEL_METADATA = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
APP_ID = str(uuid.uuid4())
TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keys() -> Iterator[KeyEndpointStandIn]:
    standin = KeyEndpointStandIn(watchdog_seconds=8.0).start()
    yield standin
    standin.stop()


@pytest.fixture
def no_botbuilder_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("botbuilder's own blocking key fetch was used")

    monkeypatch.setattr(jwt_token_extractor.requests, "get", forbidden)
    monkeypatch.setattr(jwt_token_extractor, "_OpenIdMetadata", forbidden)


def _auth(signing_keys: SigningKeys) -> PooledBotFrameworkAuthentication:
    settings = Settings(
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId=TENANT,
        _env_file=None,
    )
    return PooledBotFrameworkAuthentication(
        settings, ConnectorPool(frozenset({"127.0.0.1"})), signing_keys=signing_keys
    )


def _activity() -> Activity:
    return Activity(
        type="message", id="1", channel_id="msteams", service_url=SERVICE_URL, text="hjelp"
    )


def _cache(standin: KeyEndpointStandIn, clock: Clock, **timings: float) -> OpenIdKeyCache:
    return OpenIdKeyCache(standin.metadata_url, KeyTimings(**timings), clock)


# --- under botbuilder's validator ------------------------------------------------------------


@pytest.mark.usefixtures("no_botbuilder_fetch")
async def test_botbuilder_checks_tokens_with_our_keys_and_never_fetches_its_own(
    keys: KeyEndpointStandIn,
) -> None:
    """Fails if botbuilder's internals differ from what `install_in_botbuilder` relies on: its
    own fetch would run (forbidden here), or a good token would not be accepted."""
    channel = SigningKeyPair()
    keys.keys = [channel.jwk()]
    signing_keys = SigningKeys({CHANNEL_METADATA: keys.metadata_url})
    auth = _auth(signing_keys)
    metadata = JwtTokenExtractor.get_open_id_metadata(CHANNEL_METADATA)
    assert type(metadata).__module__ == "bot.teams.signing_keys"

    result = await auth.authenticate_request(
        _activity(), "Bearer " + channel.token(APP_ID, SERVICE_URL)
    )
    assert result.claims_identity.is_authenticated
    assert result.claims_identity.claims["aud"] == APP_ID
    assert keys.metadata_requests() == 1

    for token in (
        SigningKeyPair(kid=channel.kid).token(APP_ID, SERVICE_URL),  # another key, same kid
        channel.token(APP_ID, "https://evil.example/"),
        channel.token(str(uuid.uuid4()), SERVICE_URL),
    ):
        with pytest.raises(AuthenticationFailed):
            await auth.authenticate_request(_activity(), "Bearer " + token)
    not_for_teams = SigningKeyPair()
    keys.keys = [not_for_teams.jwk(endorsements=("webchat",))]
    with pytest.raises(AuthenticationFailed):  # botbuilder still checks the endorsements
        await _auth(SigningKeys({CHANNEL_METADATA: keys.metadata_url})).authenticate_request(
            _activity(), "Bearer " + not_for_teams.token(APP_ID, SERVICE_URL)
        )
    await auth.close()


async def test_installing_fails_loudly_if_botbuilder_no_longer_uses_its_metadata_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    monkeypatch.setattr(
        JwtTokenExtractor, "get_open_id_metadata", staticmethod(lambda url: object())
    )
    with pytest.raises(RuntimeError, match="no longer"):
        install_in_botbuilder()
    monkeypatch.delattr(JwtTokenExtractor, "metadataCache")
    with pytest.raises(RuntimeError, match="metadataCache"):
        install_in_botbuilder()


async def test_outside_our_authentication_botbuilder_gets_no_keys(
    keys: KeyEndpointStandIn,
) -> None:
    install_in_botbuilder()
    with pytest.raises(SigningKeysUnavailable):
        await JwtTokenExtractor.get_open_id_metadata(CHANNEL_METADATA).get("kid")
    assert keys.requests == []


async def test_a_hanging_fetch_refuses_the_token_soon_and_leaves_the_loop_free(
    keys: KeyEndpointStandIn,
) -> None:
    keys.hang = True
    auth = _auth(
        SigningKeys(
            {CHANNEL_METADATA: keys.metadata_url}, timings=KeyTimings(wait=0.5, fetch_timeout=5)
        )
    )
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            start = time.monotonic()
            await asyncio.sleep(0.02)
            ticks.append(time.monotonic() - start)

    running = asyncio.create_task(ticker())
    start = time.monotonic()
    forged = SigningKeyPair().token(APP_ID, SERVICE_URL)
    try:
        with pytest.raises(AuthenticationFailed) as refused:
            await asyncio.wait_for(auth.authenticate_request(_activity(), "Bearer " + forged), 10)
    finally:
        running.cancel()
        keys.release()
        await auth.close()
    assert isinstance(refused.value.__cause__, SigningKeysUnavailable)
    assert time.monotonic() - start < 1.5
    assert len(ticks) >= 10
    assert max(ticks) < 0.25, f"the loop stalled for {max(ticks):.2f} s"


async def test_after_an_outage_the_keys_arrive_and_a_signed_token_is_accepted(
    keys: KeyEndpointStandIn,
) -> None:
    keys.hang = True
    channel = SigningKeyPair()
    keys.keys = [channel.jwk()]
    timings = KeyTimings(wait=0.2, fetch_timeout=1.0, backoff_first=0.3)
    auth = _auth(SigningKeys({CHANNEL_METADATA: keys.metadata_url}, timings=timings))
    header = "Bearer " + channel.token(APP_ID, SERVICE_URL)
    with pytest.raises(AuthenticationFailed):
        await auth.authenticate_request(_activity(), header)

    keys.answer()
    deadline = time.monotonic() + 5
    while True:
        try:
            result = await auth.authenticate_request(_activity(), header)
            break
        except AuthenticationFailed:
            assert time.monotonic() < deadline, "the keys never arrived"
            await asyncio.sleep(0.1)
    assert result.claims_identity.claims["aud"] == APP_ID
    await auth.close()


# --- the cache on its own ---------------------------------------------------------------------


async def test_one_fetch_at_a_time_and_failures_back_off_30_s_doubling_to_5_min(
    keys: KeyEndpointStandIn,
) -> None:
    keys.status = 503
    clock = Clock()
    cache = _cache(keys, clock)
    outcomes = await asyncio.gather(*(cache.get("k") for _ in range(5)), return_exceptions=True)
    assert all(isinstance(o, SigningKeysUnavailable) for o in outcomes)
    assert keys.metadata_requests() == 1

    start = time.monotonic()
    with pytest.raises(SigningKeysUnavailable):
        await cache.get("k")
    assert time.monotonic() - start < 0.1, "while backing off, refused at once"
    assert keys.metadata_requests() == 1

    fetches = 1
    for delay in (30, 60, 120, 240, 300, 300):
        clock.now += delay - 1
        with pytest.raises(SigningKeysUnavailable):
            await cache.get("k")
        assert keys.metadata_requests() == fetches, f"not before {delay} s"
        clock.now += 1
        with pytest.raises(SigningKeysUnavailable):
            await cache.get("k")
        fetches += 1
        assert keys.metadata_requests() == fetches, f"again after {delay} s"
    assert cache.failures == fetches


async def test_keys_serve_a_day_then_refresh_in_the_background(keys: KeyEndpointStandIn) -> None:
    old, new = SigningKeyPair(), SigningKeyPair()
    keys.keys = [old.jwk()]
    clock = Clock()
    cache = _cache(keys, clock)
    assert (await cache.get(old.kid)).endorsements == ["msteams"]
    clock.now += 23 * HOUR
    await cache.get(old.kid)
    assert keys.metadata_requests() == 1

    keys.keys = [new.jwk()]
    clock.now += 2 * HOUR
    await cache.get(old.kid)  # answered with the key in hand ...
    refreshing = cache.refresh()  # ... while the refresh runs
    assert refreshing is not None
    await refreshing
    assert keys.metadata_requests() == 2
    await cache.get(new.kid)
    with pytest.raises(UnknownSigningKey):
        await cache.get(old.kid)


async def test_an_unknown_key_id_refetches_at_most_once_an_hour(keys: KeyEndpointStandIn) -> None:
    first, rotated = SigningKeyPair(), SigningKeyPair()
    keys.keys = [first.jwk()]
    clock = Clock()
    cache = _cache(keys, clock)
    await cache.get(first.kid)
    keys.keys = [first.jwk(), rotated.jwk()]
    for _ in range(3):
        with pytest.raises(UnknownSigningKey):
            await cache.get(rotated.kid)
    assert keys.metadata_requests() == 1
    clock.now += HOUR
    assert await cache.get(rotated.kid)
    assert keys.metadata_requests() == 2
    with pytest.raises(UnknownSigningKey):
        await cache.get("forged")
    with pytest.raises(UnknownSigningKey):
        await cache.get(None)
    assert keys.metadata_requests() == 2


async def test_while_refreshes_fail_the_last_keys_serve_for_five_days_at_most(
    keys: KeyEndpointStandIn,
) -> None:
    channel = SigningKeyPair()
    keys.keys = [channel.jwk()]
    clock = Clock()
    cache = _cache(keys, clock)
    await cache.get(channel.kid)
    keys.status = 503
    clock.now += 25 * HOUR
    await cache.get(channel.kid)
    refreshing = cache.refresh()
    assert refreshing is not None
    await refreshing
    assert cache.failures == 1
    clock.now += 5 * 24 * HOUR - 25 * HOUR - 1
    await cache.get(channel.kid)
    clock.now += 1
    with pytest.raises(SigningKeysUnavailable):
        await cache.get(channel.kid)


@pytest.mark.parametrize(
    ("metadata", "key_set"),
    [
        pytest.param({"issuer": "x"}, None, id="no jwks_uri"),
        pytest.param({"jwks_uri": "file:///etc/passwd"}, None, id="jwks_uri not http"),
        pytest.param(None, {"keys": []}, id="no keys"),
        pytest.param(None, {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}, id="no kid"),
        pytest.param(None, {"keys": [{"kid": "a", "kty": "oct", "k": "c2VjcmV0"}]}, id="not RSA"),
        pytest.param(None, {"keys": {"kid": "a"}}, id="keys not a list"),
        pytest.param(None, {"keys": [], "padding": "x" * (1 << 20)}, id="too large"),
    ],
)
async def test_a_document_that_is_not_a_key_set_is_a_failed_fetch(
    keys: KeyEndpointStandIn, metadata: Any, key_set: Any
) -> None:
    keys.metadata, keys.key_set = metadata, key_set
    cache = _cache(keys, Clock())
    with pytest.raises(SigningKeysUnavailable):
        await cache.get("a")
    assert cache.failures == 1


async def test_a_private_key_in_the_key_set_is_not_used(keys: KeyEndpointStandIn) -> None:
    pair, public = SigningKeyPair(), SigningKeyPair()
    private_jwk = pair.jwk() | {"d": "AQAB", "p": "AQAB", "q": "AQAB"}
    keys.keys = [private_jwk, public.jwk()]
    cache = _cache(keys, Clock())
    await cache.get(public.kid)
    with pytest.raises(UnknownSigningKey):
        await cache.get(pair.kid)
