"""`POST /api/messages`: the HTTP side of a turn, with the guards botbuilder 4.17.1 lacks.

In order: body size and type (413/415), JSON and field shapes (400), the Bot Framework token
(401, never 500), unknown activity types (ignored), the tenant (403) and the service URL host
(403), Teams' re-sends of the same activity (answered once), then botbuilder's turn pipeline.
Invoke responses are written here, serialised once (botbuilder's `CloudAdapter.process`
serialises them twice and answers 500).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from botbuilder.core import Bot, InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]

from bot.teams.auth import AuthenticationFailed, PooledBotFrameworkAuthentication
from bot.teams.codec import activity_from_json, invoke_body
from bot.teams.connector import host_allowed

log = logging.getLogger(__name__)

KNOWN_TYPES = frozenset(
    {
        "message",
        "conversationUpdate",
        "installationUpdate",
        "invoke",
        "messageReaction",
        "event",
        "typing",
        "endOfConversation",
        "messageUpdate",
        "messageDelete",
    }
)
LIMITS = {"id": 256, "serviceUrl": 2048, "channelId": 64, "text": 28_000, "name": 256}


class BadActivity(ValueError):
    """The body is not an activity we can read; the message says which field."""


def _string(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadActivity(f"'{key}' is required")
        return None
    if not isinstance(value, str):
        raise BadActivity(f"'{key}' must be a string")
    if len(value) > LIMITS.get(key, 1024):
        raise BadActivity(f"'{key}' is too long")
    return value


def _account(body: dict[str, Any], key: str, *, required: bool) -> None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadActivity(f"'{key}' is required")
        return
    if not isinstance(value, dict):
        raise BadActivity(f"'{key}' must be an object")
    ident = value.get("id")
    if not isinstance(ident, str) or not ident or len(ident) > 1024:
        raise BadActivity(f"'{key}.id' must be a non-empty string")
    for name_key in ("name", "aadObjectId", "tenantId", "conversationType"):
        field_value = value.get(name_key)
        if field_value is not None and (not isinstance(field_value, str) or len(field_value) > 512):
            raise BadActivity(f"'{key}.{name_key}' must be a short string")


def check_activity_shape(body: Any) -> None:
    """Refuse what botbuilder would choke on; it checks nothing itself."""
    if not isinstance(body, dict):
        raise BadActivity("the body must be a JSON object")
    _string(body, "type", required=True)
    for key in ("id", "channelId", "text", "name", "locale", "replyToId", "action", "textFormat"):
        _string(body, key)
    _string(body, "serviceUrl", required=True)
    _account(body, "conversation", required=True)
    _account(body, "from", required=False)
    _account(body, "recipient", required=False)
    for key in ("channelData", "entities", "attachments", "membersAdded", "membersRemoved"):
        value = body.get(key)
        expected = dict if key == "channelData" else list
        if value is not None and not isinstance(value, expected):
            raise BadActivity(f"'{key}' must be {'an object' if expected is dict else 'a list'}")
    for key in ("membersAdded", "membersRemoved", "attachments", "entities"):
        items = body.get(key) or []
        if len(items) > 100:
            raise BadActivity(f"'{key}' has too many items")
        if any(not isinstance(item, dict) for item in items):
            raise BadActivity(f"'{key}' must hold objects")
    for key in ("membersAdded", "membersRemoved"):
        for item in body.get(key) or []:
            if not isinstance(item.get("id"), str):
                raise BadActivity(f"'{key}[].id' must be a string")


def tenant_in_body(body: dict[str, Any]) -> str | None:
    data = body.get("channelData")
    if isinstance(data, dict):
        tenant = data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"])
    conversation = body.get("conversation") or {}
    tenant_id = conversation.get("tenantId")
    return tenant_id if isinstance(tenant_id, str) else None


@dataclass(frozen=True, slots=True)
class Guards:
    allowed_tenants: frozenset[str] | None  # None: any tenant (local mode, nothing configured)
    allowed_service_hosts: frozenset[str]
    require_token: bool
    max_body_bytes: int

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        if self.allowed_tenants is None:
            return True
        return tenant_id is not None and tenant_id.lower() in self.allowed_tenants


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class PriorHandling(Protocol):
    """The activity was seen before; its invoke response, if one was stored."""

    @property
    def invoke_status(self) -> int | None: ...
    @property
    def invoke_body(self) -> str | None: ...


class ProcessedActivities(Protocol):
    """Which incoming activities were already handled, shared by every instance
    (`storage.processed_activities.ProcessedActivityLog`). Blocking; called in a thread."""

    def claim(self, key: str, now: datetime) -> PriorHandling | None: ...
    def record_invoke_response(self, key: str, status: int, body: str | None) -> None: ...
    def release(self, key: str) -> None: ...


def activity_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    raw = f"{channel_id}\x1f{conversation_id}\x1f{activity_id}".encode()
    return hashlib.sha256(raw).hexdigest()


class MessagesEndpoint:
    def __init__(
        self,
        adapter: CloudAdapter,
        bot: Bot,
        auth: PooledBotFrameworkAuthentication,
        guards: Guards,
        processed: ProcessedActivities,
        clock: Callable[[], datetime],
    ) -> None:
        self._adapter = adapter
        self._bot = bot
        self._auth = auth
        self._guards = guards
        self._processed = processed
        self._clock = clock

    async def handle(self, request: web.Request) -> web.Response:
        guards = self._guards
        auth_header = request.headers.get("Authorization", "")
        if guards.require_token and not auth_header:
            return _error(401, "Unauthorized", "a Bot Framework token is required")
        if request.content_type != "application/json":
            return _error(415, "UnsupportedMediaType", "send application/json")
        if request.content_length is not None and request.content_length > guards.max_body_bytes:
            return _error(413, "PayloadTooLarge", "the body is too large")
        raw = await request.content.read(guards.max_body_bytes + 1)
        if len(raw) > guards.max_body_bytes:
            return _error(413, "PayloadTooLarge", "the body is too large")
        try:
            body = json.loads(raw)
            check_activity_shape(body)
            activity: Activity = activity_from_json(body)
        except (ValueError, BadActivity, DeserializationError, TypeError, AttributeError) as exc:
            message = (
                str(exc) if isinstance(exc, BadActivity) else "the body is not a valid activity"
            )
            return _error(400, "BadRequest", message)

        try:
            auth_result = await self._auth.authenticate_request(activity, auth_header)
        except AuthenticationFailed as exc:
            log.warning("request refused: bad token", extra={"reason": str(exc)})
            return _error(401, "Unauthorized", "the Bot Framework token is not valid")

        if body["type"] not in KNOWN_TYPES:
            return web.Response(status=200)
        tenant_id = tenant_in_body(body)
        if not guards.tenant_allowed(tenant_id):
            log.warning("activity from a tenant that is not allowed", extra={"tenant": tenant_id})
            return _error(403, "TenantNotAllowed", "this tenant is not allowed")
        if not host_allowed(body["serviceUrl"], guards.allowed_service_hosts):
            log.warning(
                "activity with a service URL that is not allowed",
                extra={"service_url": body["serviceUrl"][:200]},
            )
            return _error(403, "ServiceUrlNotAllowed", "this service URL is not allowed")

        key: str | None = None
        if activity.id:
            key = activity_key(activity.channel_id or "", activity.conversation.id, activity.id)
            prior = await asyncio.to_thread(self._processed.claim, key, self._clock())
            if prior is not None:
                log.info("duplicate activity ignored", extra={"activity_id": activity.id})
                if prior.invoke_status is not None:
                    return web.Response(
                        status=prior.invoke_status,
                        body=prior.invoke_body or "",
                        content_type="application/json",
                    )
                return web.Response(status=200)

        try:
            response: InvokeResponse | None = await self._adapter.process_activity(
                auth_result, activity, self._bot.on_turn
            )
        except Exception:
            log.exception(
                "turn failed outside the bot's error handler", extra={"activity_id": activity.id}
            )
            if key is not None:
                await asyncio.to_thread(self._processed.release, key)
            return _error(500, "InternalError", "the turn failed")

        if response is None:
            return web.Response(status=201)
        payload = invoke_body(response)
        text_body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        status = int(response.status or 200)
        if key is not None:
            await asyncio.to_thread(
                self._processed.record_invoke_response, key, status, text_body or None
            )
        return web.Response(status=status, body=text_body, content_type="application/json")
