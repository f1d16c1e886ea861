"""`POST /api/messages`: the HTTP side of a turn, with the guards botbuilder 4.17.1 lacks.

In order: body size and type (413/415; the body is read whole, however many TCP pieces it comes
in, and never past the limit), JSON (400, also for nesting too deep to walk) and field shapes
(400), the Bot Framework token (401, never 500), unknown activity types (ignored), the tenant
(403; both fields that carry it must agree) and the service URL host (403), Teams' re-sends of
the same activity (processed once: a copy waits for the instance that holds the activity's
claim and is answered with its invoke response; a claim left by an instance that died is taken
over), then botbuilder's turn pipeline. A database that cannot be reached, in the claim or in
the turn, is 503 with `Retry-After` (Teams re-sends those). Invoke responses are written here,
serialised once (botbuilder's `CloudAdapter.process` serialises them twice and answers 500).

A connection stalled in its headers never reaches this handler: aiohttp closes a connection
that has not sent a whole request within its keep-alive timeout, which the server is given as
`HEADER_TIMEOUT_SECONDS` (`bot/cli/main.py`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from aiohttp import web
from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]

from bot.teams.auth import AuthenticationFailed, PooledBotFrameworkAuthentication
from bot.teams.codec import activity_from_json, invoke_body
from bot.teams.connector import host_allowed
from bot.teams.state_storage import conversation_state_key, prefetched_state
from bot.teams.store_calls import IN_THREADS, StoreCalls

log = logging.getLogger(__name__)

T = TypeVar("T")

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
MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and lists accepted (Teams' activities and cards stay far below)."""
READ_CHUNK = 64 * 1024
BODY_TIMEOUT_SECONDS = 30.0
"""Longest the body of one request may take to arrive once its headers have (then 408)."""
HEADER_TIMEOUT_SECONDS = 15.0
"""Longest a connection may sit without a whole request: a client stalled in its headers is
disconnected after this, as is an idle keep-alive connection (aiohttp's keep-alive timeout,
which it also applies to a request still arriving; `bot/cli/main.py` sets it)."""
CLAIM_WAIT_SECONDS = 35.0
"""Longest a copy waits for the instance holding its activity: a little past the storage's
lease (30 s), so a copy still waiting when the holder died takes the claim over."""
RETRY_AFTER_SECONDS = 5


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
    for key in ("id", "text", "name", "locale", "replyToId", "action", "textFormat"):
        _string(body, key)
    if not _string(body, "channelId", required=True):
        raise BadActivity("'channelId' is required")
    _string(body, "serviceUrl", required=True)
    _account(body, "conversation", required=True)
    _account(body, "from", required=False)
    _account(body, "recipient", required=True)
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
    tenant = (body.get("channelData") or {}).get("tenant")
    if tenant is not None:
        if not isinstance(tenant, dict):
            raise BadActivity("'channelData.tenant' must be an object")
        tenant_id = tenant.get("id")
        if tenant_id is not None and (not isinstance(tenant_id, str) or len(tenant_id) > 512):
            raise BadActivity("'channelData.tenant.id' must be a short string")


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether objects and lists nest deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class TenantsDisagree(ValueError):
    """`channelData.tenant.id` and `conversation.tenantId` name different tenants."""


def tenant_in_body(body: dict[str, Any]) -> str | None:
    """The activity's tenant: `channelData.tenant.id` (what the bot reads) and
    `conversation.tenantId`, which must agree when both are given. Shapes are checked first
    (`check_activity_shape`)."""
    tenant = (body.get("channelData") or {}).get("tenant") or {}
    named = {
        value.lower()
        for value in (tenant.get("id"), (body.get("conversation") or {}).get("tenantId"))
        if value is not None
    }
    if len(named) > 1:
        raise TenantsDisagree("the activity names two tenants")
    return named.pop() if named else None


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


def _unavailable() -> web.Response:
    response = _error(503, "ServiceUnavailable", "the database cannot be reached; try again")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BodyTooLarge(Exception):
    """The body grew past the limit while it was read."""


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, however many pieces it arrives in; `BodyTooLarge` as soon as it passes
    `limit` (at most the limit and one chunk are held)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class ActivityClaim(Protocol):
    """What claiming an activity found (`storage.processed_activities.Claim`): `claimed` (this
    request runs the turn; `claimed_at` identifies the claim), `done` (with the invoke response
    if one was stored) or `in_progress` (another request holds a fresh claim)."""

    @property
    def outcome(self) -> str: ...
    @property
    def claimed_at(self) -> datetime | None: ...
    @property
    def took_over(self) -> bool: ...
    @property
    def invoke_status(self) -> int | None: ...
    @property
    def invoke_body(self) -> str | None: ...
    @property
    def state(self) -> Mapping[str, tuple[dict[str, Any], str]] | None: ...


class ProcessedActivities(Protocol):
    """Which incoming activities are claimed and handled, shared by every instance
    (`storage.processed_activities.ProcessedActivityLog`). Blocking; called in a thread."""

    def claim(self, key: str, now: datetime, state_keys: Sequence[str] = ()) -> ActivityClaim:
        """Claim `key`; a new claim also reads the dialog state of `state_keys` (`state`)."""
        ...

    def poll(self, key: str, now: datetime) -> ActivityClaim: ...
    def finish_many(self, finished: Sequence[tuple[str, int | None, str | None]]) -> None:
        """Mark each (key, invoke status, invoke body) done, in one transaction."""
        ...

    def release(self, key: str, claimed_at: datetime) -> None: ...


class FinishMarks:
    """Marks handled activities done, several turns in one transaction (a group commit).

    A turn's mark is added as its response goes out; a flush starts at once on the event loop
    and takes every mark added by then, and marks added while it runs wait for the next one.
    Under load a flush carries several turns, so a turn costs a statement, not a transaction
    with its commit. Nothing is promised earlier than before: a copy of the activity that
    arrives before its mark is written finds the claim in progress and waits for it, and an
    instance that dies before it is written leaves a claim that a copy takes over after the
    lease, as when it died just before its own mark.
    """

    def __init__(self, processed: ProcessedActivities, store_calls: StoreCalls) -> None:
        self._processed = processed
        self._store_calls = store_calls
        self._pending: list[tuple[str, int | None, str | None]] = []
        self._flushing: asyncio.Task[None] | None = None

    def add(self, key: str, status: int | None, body: str | None) -> None:
        self._pending.append((key, status, body))
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def drain(self) -> None:
        """Wait until every mark added so far is written (shutdown, tests); a flush that was
        cancelled is started again for the marks it left."""
        while self._pending or self._flushing is not None:
            if self._flushing is None:
                self._flushing = asyncio.get_running_loop().create_task(self._flush())
            flushing = self._flushing
            try:
                await asyncio.shield(flushing)
            except asyncio.CancelledError:
                if not flushing.cancelled():
                    raise  # the caller was cancelled, not the flush

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._store_calls.run(self._processed.finish_many, batch)
                except Exception:
                    if len(batch) == 1:
                        log.exception(
                            "could not mark an activity done; a copy after the lease re-runs it"
                        )
                        continue
                    # One mark that cannot be written (or an outage) must not cost the others
                    # theirs: each again in its own transaction.
                    for mark in batch:
                        try:
                            await self._store_calls.run(self._processed.finish_many, [mark])
                        except Exception:
                            log.exception(
                                "could not mark an activity done; a copy after the lease re-runs it"
                            )
        finally:
            self._flushing = None


class DatabaseUnavailable(Exception):
    """The database could not be reached (answered 503 with Retry-After)."""


def _dialog_state_keys(activity: Activity) -> list[str]:
    """The state a turn of `activity` reads first: a personal chat's message may answer a
    dialog's question (`bot.conversation.dialog_runner`), so its conversation state is read
    with the activity's claim. Other turns read none before they need it."""
    if activity.type != "message":
        return []
    if getattr(activity.conversation, "conversation_type", None) in ("channel", "groupChat"):
        return []
    key = conversation_state_key(activity)
    return [key] if key else []


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
        *,
        is_outage: Callable[[BaseException], bool] = lambda _error: False,
        claim_wait_seconds: float = CLAIM_WAIT_SECONDS,
        store_calls: StoreCalls = IN_THREADS,
    ) -> None:
        self._adapter = adapter
        self._bot = bot
        self._auth = auth
        self._store_calls = store_calls
        self._guards = guards
        self._processed = processed
        self._clock = clock
        self._is_outage = is_outage
        self._claim_wait = claim_wait_seconds
        self.finishes = FinishMarks(processed, store_calls)

    async def handle(self, request: web.Request) -> web.Response:
        guards = self._guards
        auth_header = request.headers.get("Authorization", "")
        if guards.require_token and not auth_header:
            return _error(401, "Unauthorized", "a Bot Framework token is required")
        if request.content_type != "application/json":
            return _error(415, "UnsupportedMediaType", "send application/json")
        if request.content_length is not None and request.content_length > guards.max_body_bytes:
            return _error(413, "PayloadTooLarge", "the body is too large")
        try:
            async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
                raw = await read_body(request, guards.max_body_bytes)
        except BodyTooLarge:
            return _error(413, "PayloadTooLarge", "the body is too large")
        except TimeoutError:
            return _error(408, "RequestTimeout", "the body did not arrive in time")
        except web.RequestPayloadError:
            return _error(400, "BadRequest", "the body could not be read")
        try:
            body = json.loads(raw)
            if too_deep(body):
                raise BadActivity("the body nests too deeply")
            check_activity_shape(body)
            tenant_id = tenant_in_body(body)
            activity: Activity = activity_from_json(body)
        except TenantsDisagree:
            log.warning("activity naming two tenants refused")
            return _error(403, "TenantNotAllowed", "the activity names two tenants")
        except (
            ValueError,
            BadActivity,
            DeserializationError,
            TypeError,
            AttributeError,
            RecursionError,
        ) as exc:
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
        if not guards.tenant_allowed(tenant_id):
            log.warning("activity from a tenant that is not allowed", extra={"tenant": tenant_id})
            return _error(403, "TenantNotAllowed", "this tenant is not allowed")
        if not host_allowed(
            body["serviceUrl"],
            guards.allowed_service_hosts,
            allow_loopback_http=not guards.require_token,
        ):
            log.warning(
                "activity with a service URL that is not allowed",
                extra={"service_url": body["serviceUrl"][:200]},
            )
            return _error(403, "ServiceUrlNotAllowed", "this service URL is not allowed")

        try:
            if not activity.id:
                return await self._run_turn(auth_result, activity, None)
            key = activity_key(activity.channel_id or "", activity.conversation.id, activity.id)
            state_keys = _dialog_state_keys(activity)
            claim = await self._claim(key, state_keys)
            if claim.outcome != "claimed":
                return self._answer_copy(activity, claim)
            if claim.took_over:
                log.warning(
                    "claim of an instance that died taken over", extra={"activity_id": activity.id}
                )
            if claim.state is None:
                return await self._run_turn(auth_result, activity, (key, claim))
            with prefetched_state(state_keys, claim.state):
                return await self._run_turn(auth_result, activity, (key, claim))
        except DatabaseUnavailable as exc:
            log.warning(
                "database unreachable: answered 503",
                exc_info=exc.__cause__,
                extra={"activity_id": activity.id},
            )
            return _unavailable()

    async def _blocking(self, call: Callable[..., T], *args: Any) -> T:
        """A storage call (`StoreCalls`); a database outage becomes `DatabaseUnavailable`."""
        try:
            return await self._store_calls.run(call, *args)
        except Exception as exc:
            if self._is_outage(exc):
                raise DatabaseUnavailable from exc
            raise

    async def _claim(self, key: str, state_keys: Sequence[str] = ()) -> ActivityClaim:
        """Claim the activity; while another request holds it, wait (polling, bounded) until
        it is done, is released, or its holder's lease runs out and this request takes over.
        A new claim reads the dialog state of `state_keys` with it."""
        claim = await self._blocking(self._processed.claim, key, self._clock(), state_keys)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._claim_wait
        pause = 0.05
        while claim.outcome == "in_progress" and loop.time() < deadline:
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 0.5)
            claim = await self._blocking(self._processed.poll, key, self._clock())
        return claim

    def _answer_copy(self, activity: Activity, claim: ActivityClaim) -> web.Response:
        log.info(
            "copy of an activity answered without a turn",
            extra={"activity_id": activity.id, "outcome": claim.outcome},
        )
        if claim.invoke_status is not None:
            return web.Response(
                status=claim.invoke_status,
                body=claim.invoke_body or "",
                content_type="application/json",
            )
        return web.Response(status=200)

    async def _run_turn(
        self,
        auth_result: Any,
        activity: Activity,
        held: tuple[str, ActivityClaim] | None,
    ) -> web.Response:
        outages: list[BaseException] = []

        async def on_turn(turn_context: TurnContext) -> None:
            try:
                await self._bot.on_turn(turn_context)
            except Exception as exc:
                if not self._is_outage(exc):
                    raise  # to the bot's error handler (it apologises)
                outages.append(exc)  # no apology: the answer is 503 and Teams re-sends

        try:
            response: InvokeResponse | None = await self._adapter.process_activity(
                auth_result, activity, on_turn
            )
            if outages:
                raise DatabaseUnavailable from outages[0]
        except Exception as exc:
            if held is not None:
                await self._release(*held)
            if isinstance(exc, DatabaseUnavailable):
                raise
            if self._is_outage(exc):
                raise DatabaseUnavailable from exc
            log.exception(
                "turn failed outside the bot's error handler", extra={"activity_id": activity.id}
            )
            return _error(500, "InternalError", "the turn failed")

        if response is None:
            self._finish(held, None, None)
            return web.Response(status=201)
        payload = invoke_body(response)
        # ASCII with escapes: a typed value quoted back (a lone surrogate in a card's input)
        # can neither be sent as UTF-8 nor stored; escaped, it is the same JSON.
        text_body = json.dumps(payload) if payload is not None else ""
        status = int(response.status or 200)
        self._finish(held, status, text_body or None)
        return web.Response(status=status, body=text_body, content_type="application/json")

    def _finish(
        self, held: tuple[str, ActivityClaim] | None, status: int | None, body: str | None
    ) -> None:
        """Mark the activity done (`FinishMarks`); the turn's work is done whatever happens."""
        if held is not None:
            self.finishes.add(held[0], status, body)

    async def _release(self, key: str, claim: ActivityClaim) -> None:
        if claim.claimed_at is None:
            return
        try:
            await self._store_calls.run(self._processed.release, key, claim.claimed_at)
        except Exception:
            log.exception("could not release a failed activity; a copy after the lease takes it")
