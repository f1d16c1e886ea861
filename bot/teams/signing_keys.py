"""Bot Framework signing keys, fetched without ever holding up the event loop.

botbuilder 4.17.1 checks a token's signature with keys it fetches with a blocking `requests.get`,
without a timeout, on the event loop, for any token whose *unverified* issuer is a Bot Framework
issuer (`JwtTokenExtractor` → `_OpenIdMetadata._refresh`). One forged token while outbound traffic
hangs stops every turn and /healthz.

`SigningKeys` takes over that job: the OpenID metadata document and its key set (JWKS) come with
aiohttp under a timeout, one fetch at a time per document; keys are kept for their lifetime (a day,
as botbuilder) and refreshed in the background while the old ones still serve; a key id not in the
set refetches at most once an hour; failures back off (30 s doubling to 5 min); and when no key is
available a token is refused at once (`SigningKeysUnavailable`), after waiting at most `wait`
seconds for a fetch that is under way (the first request after start-up).

`install_in_botbuilder()` puts it under botbuilder's own validator (see there). botbuilder still
does everything else (issuer, audience, expiry, endorsements, the service URL claim).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 1 << 20  # Microsoft's documents are a few KiB
MAX_KEYS = 100


class SigningKeysUnavailable(Exception):
    """No signing keys to check the token with (not fetched yet, or the fetch fails)."""


class UnknownSigningKey(Exception):
    """The token names a key id that is not in the current key set."""


@dataclass(frozen=True, slots=True)
class KeyTimings:
    """Seconds. The defaults suit production; tests shorten them."""

    fetch_timeout: float = 10.0
    """One fetch: the metadata document and the key set together."""
    wait: float = 2.0
    """How long a request with no usable key waits for a fetch under way before it is refused."""
    refresh_after: float = 24 * 3600.0
    """Keys this old are refetched in the background (botbuilder: one day)."""
    unknown_key_refresh: float = 3600.0
    """An unknown key id refetches the set at most this often (botbuilder: one hour)."""
    max_age: float = 5 * 24 * 3600.0
    """While refreshes fail, the last good keys serve this long after they were fetched."""
    backoff_first: float = 30.0
    backoff_max: float = 300.0


@dataclass(frozen=True, slots=True)
class SigningKey:
    """What botbuilder's `JwtTokenExtractor` reads from its metadata: `.public_key` and
    `.endorsements` (the channels the key may sign for)."""

    public_key: RSAPublicKey
    endorsements: list[str] = field(default_factory=list)


class OpenIdKeyCache:
    """The keys of one OpenID metadata document."""

    def __init__(
        self, fetch_url: str, timings: KeyTimings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.fetch_url = fetch_url
        self._timings = timings
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._not_before = float("-inf")
        self._backoff = timings.backoff_first
        self.failures = 0
        """Consecutive failed fetches."""

    async def get(self, key_id: str | None) -> SigningKey:
        t = self._timings
        now = self._clock()
        age = None if self._fetched_at is None else now - self._fetched_at
        if age is not None and age >= t.max_age:
            log.warning("Bot Framework signing keys are too old to use; refusing tokens")
            self._keys, self._fetched_at, age = {}, None, None
        if age is not None and age >= t.refresh_after:
            self.refresh()  # in the background: the keys in hand still serve
        key = self._keys.get(key_id) if key_id else None
        if key is not None:
            return key
        if age is None or age >= t.unknown_key_refresh:
            fetch = self.refresh()
            if fetch is not None:
                # Never longer than `wait`, and the loop runs meanwhile; the fetch goes on.
                await asyncio.wait({fetch}, timeout=t.wait)
                key = self._keys.get(key_id) if key_id else None
                if key is not None:
                    return key
        if not self._keys:
            raise SigningKeysUnavailable(self.fetch_url)
        raise UnknownSigningKey(str(key_id)[:64])

    def refresh(self) -> asyncio.Task[None] | None:
        """The fetch under way, or a new one; None while backing off after a failure."""
        task = self._task
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            return task
        if self._clock() < self._not_before:
            return None
        self._task = asyncio.create_task(self._fetch(), name="bot framework signing keys")
        return self._task

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _fetch(self) -> None:
        try:
            async with asyncio.timeout(self._timings.fetch_timeout):
                keys = await _download_keys(self.fetch_url)
        except Exception as exc:  # any failure, the timeout included, means: back off
            self.failures += 1
            delay = self._backoff
            self._not_before = self._clock() + delay
            self._backoff = min(delay * 2, self._timings.backoff_max)
            log.warning(
                "fetching Bot Framework signing keys failed; next try in %.0f s",
                delay,
                extra={"url": self.fetch_url, "reason": f"{type(exc).__name__}: {exc}"[:300]},
            )
            return
        self._keys = keys
        self._fetched_at = self._clock()
        self.failures = 0
        self._backoff = self._timings.backoff_first
        self._not_before = float("-inf")
        log.info("Bot Framework signing keys fetched", extra={"keys": len(keys)})


class SigningKeys:
    """The key caches, one per metadata URL botbuilder asks for.

    `fetch_urls` maps botbuilder's metadata URL to the URL actually fetched (tests point the
    channel's document at a local stand-in); a URL not in it is fetched as it is.
    """

    def __init__(
        self,
        fetch_urls: Mapping[str, str] | None = None,
        *,
        timings: KeyTimings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch_urls = dict(fetch_urls or {})
        self._timings = timings or KeyTimings()
        self._clock = clock
        self._caches: dict[str, OpenIdKeyCache] = {}

    def cache(self, metadata_url: str) -> OpenIdKeyCache:
        found = self._caches.get(metadata_url)
        if found is None:
            url = self._fetch_urls.get(metadata_url, metadata_url)
            found = self._caches[metadata_url] = OpenIdKeyCache(url, self._timings, self._clock)
        return found

    async def get(self, metadata_url: str, key_id: str | None) -> SigningKey:
        return await self.cache(metadata_url).get(key_id)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """botbuilder's validation inside this block takes its keys from here."""
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)

    async def close(self) -> None:
        for cache in list(self._caches.values()):
            await cache.close()


async def _download_keys(metadata_url: str) -> dict[str, SigningKey]:
    # trust_env: honour HTTPS_PROXY/NO_PROXY as botbuilder's requests did.
    async with aiohttp.ClientSession(trust_env=True) as session:
        metadata = await _get_json(session, metadata_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or not _same_or_stronger_scheme(jwks_uri, metadata_url):
            raise ValueError("the metadata document has no usable jwks_uri")
        return _parse_key_set(await _get_json(session, jwks_uri))


def _same_or_stronger_scheme(url: str, metadata_url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and urlsplit(metadata_url).scheme == "http"


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url, headers={"Accept": "application/json"}) as response:
        response.raise_for_status()
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError("the document is too large")
    return json.loads(body)


def _parse_key_set(document: Any) -> dict[str, SigningKey]:
    listed = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise ValueError("the key set has no 'keys' list")
    keys: dict[str, SigningKey] = {}
    for jwk in listed[:MAX_KEYS]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(jwk)
        except (InvalidKeyError, ValueError, TypeError, KeyError):
            continue
        if not isinstance(public_key, RSAPublicKey):  # a private key has no place here
            continue
        listed_endorsements = jwk.get("endorsements")
        endorsements = listed_endorsements if isinstance(listed_endorsements, list) else []
        keys[jwk["kid"]] = SigningKey(public_key, [e for e in endorsements if isinstance(e, str)])
    if not keys:
        raise ValueError("the key set has no usable RSA keys")
    return keys


# --- The hook in botbuilder ------------------------------------------------------------------

_ACTIVE: ContextVar[SigningKeys | None] = ContextVar("bot_framework_signing_keys", default=None)
_PROBE_URL = "https://probe.invalid/.well-known/openid-configuration"


class _RoutedMetadata:
    """Stands where botbuilder keeps an `_OpenIdMetadata` for one URL: `await get(key_id)`. It asks
    the `SigningKeys` active in this context; with none active it refuses."""

    def __init__(self, metadata_url: str) -> None:
        self.metadata_url = metadata_url

    async def get(self, key_id: str | None) -> SigningKey:
        keys = _ACTIVE.get()
        if keys is None:
            raise SigningKeysUnavailable("no SigningKeys is active for this validation")
        return await keys.get(self.metadata_url, key_id)


class _RoutedMetadataCache:
    """Replaces botbuilder's `JwtTokenExtractor.metadataCache` (a dict it reads with `.get(url,
    None)` and fills with `.setdefault(url, _OpenIdMetadata(url))`): every URL gets a
    `_RoutedMetadata`, so botbuilder never builds an `_OpenIdMetadata` and never fetches."""

    def __init__(self) -> None:
        self._entries: dict[str, _RoutedMetadata] = {}

    def get(self, url: str, default: object = None) -> _RoutedMetadata:
        entry = self._entries.get(url)
        if entry is None:
            entry = self._entries[url] = _RoutedMetadata(url)
        return entry

    def setdefault(self, url: str, default: object = None) -> _RoutedMetadata:
        return self.get(url)


def install_in_botbuilder() -> None:
    """Make botbuilder's token validation take its signing keys from the `SigningKeys` active in
    the current context (`with keys.active(): ...`). Process-wide and idempotent.

    botbuilder 4.17.1 internals this relies on (`botframework/connector/auth/
    jwt_token_extractor.py`; `tests/integration/test_signing_keys.py` fails if they change):
    every validation path builds a `JwtTokenExtractor`, whose `__init__` takes its metadata object
    from `JwtTokenExtractor.get_open_id_metadata(url)`, which reads the class attribute
    `metadataCache` with `.get(url, None)`; `_validate_token` then calls `await metadata.get(kid)`
    and reads `.public_key` and `.endorsements` from the answer (an exception refuses the token).
    """
    cache = JwtTokenExtractor.__dict__.get("metadataCache")
    if not isinstance(cache, _RoutedMetadataCache):
        if not isinstance(cache, dict):
            raise RuntimeError("botbuilder's JwtTokenExtractor has no metadataCache dict any more")
        JwtTokenExtractor.metadataCache = _RoutedMetadataCache()
    if not isinstance(JwtTokenExtractor.get_open_id_metadata(_PROBE_URL), _RoutedMetadata):
        raise RuntimeError("botbuilder no longer takes its signing keys from metadataCache")
