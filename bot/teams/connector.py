"""A pooled Bot Connector client that replaces botbuilder's per-turn msrest `ConnectorClient`.

Why: stock botbuilder 4.17.1 builds a new msrest `ConnectorClient` (a `requests` session, a
quadratic retry-policy set-up) for every turn, opens a new TCP connection for nearly every reply
and runs each send in a thread. Here every outbound call goes through one shared aiohttp
`ClientSession` with keep-alive, on the event loop. The object has the shape botbuilder's
`CloudAdapterBase` and `TeamsInfo` expect (`client.conversations.reply_to_activity(...)` and so
on), so botbuilder's turn pipeline, middleware and `TurnContext` are kept unchanged.

It also enforces what the SDK does not: a `serviceUrl` whose host is not allowed is never called.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import orjson
import yarl
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from botbuilder.schema.teams import TeamsChannelAccount
from botframework.connector.auth import AppCredentials, ConnectorFactory

from bot.teams.codec import from_json, to_json

log = logging.getLogger(__name__)

USER_AGENT = "Kontraktsvakt (botbuilder-python 4.17.1; aiohttp)"
TokenSource = Callable[[], Awaitable[str | None]]


class ConnectorError(Exception):
    """The Bot Connector answered with an error (or could not be reached)."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status} {code or ''}: {message}".strip())
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status in {0, 412, 429, 502, 503, 504}

    @property
    def final(self) -> bool:
        """403 (blocked, not in roster, disabled) and 404 (conversation gone) never heal."""
        return self.status in {403, 404}


class ServiceUrlNotAllowed(ConnectorError):
    def __init__(self, service_url: str) -> None:
        super().__init__(0, "ServiceUrlNotAllowed", f"service URL host not allowed: {service_url}")


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


@functools.lru_cache(maxsize=1024)
def host_allowed(
    service_url: str, allowed_hosts: frozenset[str], *, allow_loopback_http: bool = True
) -> bool:
    """True when the URL is https (or http to loopback, in local mode) and its host is allowed
    (`*.example.com` allows subdomains).

    The URL is read with yarl, as aiohttp will read it when the bot calls it, and anything two
    URL parsers could read differently is refused outright: user info (`a@b`, also encoded),
    backslashes, whitespace and control characters, a query or fragment.

    Remembered per URL (a tenant has a handful of service URLs; every turn asks twice, for the
    request and for the reply), for at most 1 024 URLs.
    """
    if not service_url or any(
        c == "\\" or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in service_url
    ):
        return False
    try:
        url = yarl.URL(service_url)
        host = (url.raw_host or "").lower()
        port = url.port
    except (ValueError, TypeError):
        return False
    # With no backslash, query or fragment, the authority is what lies between // and /.
    authority = service_url.partition("//")[2].partition("/")[0]
    if (
        not url.absolute
        or not host
        or "@" in authority
        or "%" in authority
        or "@" in (url.raw_authority or "")
        or url.user is not None
        or url.password is not None
        or url.raw_query_string
        or url.raw_fragment
        or "?" in service_url
        or "#" in service_url
        or port is None
        or not 0 < port < 65536
    ):
        return False
    if url.scheme != "https" and not (
        url.scheme == "http" and allow_loopback_http and host in LOOPBACK_NAMES
    ):
        return False
    for allowed in allowed_hosts:
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]):
                return True
        elif host == allowed:
            return True
    return False


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ConnectorPool:
    """The one HTTP client for every outbound call to Bot Connector service URLs."""

    def __init__(
        self,
        allowed_hosts: frozenset[str],
        *,
        connection_limit: int = 16,
        timeout_seconds: float = 15.0,
    ) -> None:
        self.allowed_hosts = allowed_hosts
        self._connection_limit = connection_limit
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Few, long-lived connections: a send waits briefly for a free one rather than
            # opening another (Teams allows about 50 sends a second per tenant anyway).
            connector = aiohttp.TCPConnector(
                limit=self._connection_limit * 4,
                limit_per_host=self._connection_limit,
                keepalive_timeout=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers={"User-Agent": USER_AGENT},
                json_serialize=json.dumps,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def client(self, service_url: str, token: TokenSource | None = None) -> PooledConnectorClient:
        return PooledConnectorClient(self, service_url, token)

    async def request(
        self,
        method: str,
        service_url: str,
        path: str,
        token: TokenSource | None,
        body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any:
        if not host_allowed(service_url, self.allowed_hosts):
            log.warning(
                "refused to call a service URL that is not allowed", extra={"url": service_url}
            )
            raise ServiceUrlNotAllowed(service_url)
        url = service_url.rstrip("/") + path
        headers: dict[str, str] = {"Accept": "application/json"}
        if extra_headers:
            headers.update(extra_headers)
        if token is not None:
            bearer = await token()
            if bearer:
                headers["Authorization"] = f"Bearer {bearer}"
        data: bytes | None = None
        if body is not None:
            data = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            async with self.session.request(method, url, data=data, headers=headers) as response:
                payload = await response.read()
                if response.status >= 400:
                    raise _error_from(response.status, payload, response.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConnectorError(0, type(exc).__name__, str(exc) or "connection failed") from exc
        if not payload:
            return None
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None


def _error_from(status: int, payload: bytes, headers: Mapping[str, str]) -> ConnectorError:
    code: str | None = None
    message = payload[:300].decode("utf-8", "replace")
    try:
        error = json.loads(payload).get("error", {})
        code = error.get("code")
        message = error.get("message") or message
    except (ValueError, AttributeError):
        pass
    return ConnectorError(status, code, message, _retry_after(headers))


class _Config:
    """Stands in for msrest's configuration; botbuilder only reads `credentials` from it."""

    def __init__(self, service_url: str) -> None:
        self.base_url = service_url
        self.credentials: AppCredentials | None = None


def _path(conversation_id: str, collection: str, item_id: str | None = None) -> str:
    path = f"/v3/conversations/{quote(conversation_id, safe='')}/{collection}"
    return f"{path}/{quote(item_id, safe='')}" if item_id is not None else path


class PooledConversations:
    """The `conversations` operations of the Bot Connector REST API that botbuilder calls."""

    def __init__(self, pool: ConnectorPool, service_url: str, token: TokenSource | None) -> None:
        self._pool = pool
        self._service_url = service_url
        self._token = token

    async def _call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        return await self._pool.request(method, self._service_url, path, self._token, body, headers)

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        data = await self._call(
            "POST",
            _path(conversation_id, "activities"),
            to_json(activity),
        )
        return ResourceResponse(id=(data or {}).get("id"))

    async def post_activity(self, conversation_id: str, activity: Mapping[str, Any]) -> str | None:
        """Sends an activity already in Bot Connector JSON; returns its id. The proactive path:
        no msrest serialisation of a card that is JSON to begin with."""
        data = await self._call("POST", _path(conversation_id, "activities"), activity)
        sent_id = (data or {}).get("id") if isinstance(data, dict) else None
        return sent_id if isinstance(sent_id, str) else None

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        data = await self._call(
            "POST",
            _path(conversation_id, "activities", activity_id),
            to_json(activity),
            {"x-ms-conversation-id": conversation_id},
        )
        return ResourceResponse(id=(data or {}).get("id"))

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        data = await self._call(
            "PUT",
            _path(conversation_id, "activities", activity_id),
            to_json(activity),
        )
        return ResourceResponse(id=(data or {}).get("id"))

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        await self._call(
            "DELETE",
            _path(conversation_id, "activities", activity_id),
        )

    async def create_conversation(
        self, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        data = await self._call("POST", "/v3/conversations", to_json(parameters)) or {}
        return ConversationResourceResponse(
            id=data.get("id"),
            activity_id=data.get("activityId"),
            service_url=data.get("serviceUrl"),
        )

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        data = await self._call(
            "GET",
            _path(conversation_id, "members", member_id),
        )
        return from_json(TeamsChannelAccount, data or {})

    async def get_conversation_members(self, conversation_id: str) -> list[ChannelAccount]:
        data = await self._call("GET", _path(conversation_id, "members"))
        return [from_json(TeamsChannelAccount, m) for m in data or [] if isinstance(m, dict)]

    async def get_paged_members(
        self, conversation_id: str, page_size: int, continuation_token: str | None = None
    ) -> tuple[list[TeamsChannelAccount], str | None]:
        """One page of a conversation's members (`GET …/pagedmembers`, which Teams asks bots
        to use for teams and channels) and the token for the next, None on the last."""
        query = {"pageSize": str(page_size)}
        if continuation_token:
            query["continuationToken"] = continuation_token
        path = _path(conversation_id, "pagedmembers") + "?" + urlencode(query)
        data = await self._call("GET", path)
        body = data if isinstance(data, dict) else {}
        members = body.get("members")
        token = body.get("continuationToken")
        return (
            [from_json(TeamsChannelAccount, m) for m in members or [] if isinstance(m, dict)],
            token if isinstance(token, str) and token else None,
        )


class PooledConnectorClient:
    def __init__(self, pool: ConnectorPool, service_url: str, token: TokenSource | None) -> None:
        self.config = _Config(service_url)
        self.conversations = PooledConversations(pool, service_url, token)


class CachedTokenSource:
    """Bot Framework access tokens from botframework's credentials, cached until near expiry.

    MSAL is synchronous, so the rare refresh runs in a thread; every other send reuses the token.
    """

    def __init__(self, credentials: AppCredentials, lifetime_seconds: float = 45 * 60) -> None:
        self._credentials = credentials
        self._lifetime = lifetime_seconds
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self) -> str | None:
        if self._token and time.monotonic() < self._expires:
            return self._token
        async with self._lock:
            if not (self._token and time.monotonic() < self._expires):
                self._token = await asyncio.to_thread(self._credentials.get_access_token)
                self._expires = time.monotonic() + self._lifetime
        return self._token


class PooledConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's `ConnectorFactory`, handing out pooled clients."""

    def __init__(self, pool: ConnectorPool, token: TokenSource | None) -> None:
        self._pool = pool
        self._token = token

    async def create(self, service_url: str, audience: str | None = None) -> PooledConnectorClient:
        return self._pool.client(service_url, self._token)
