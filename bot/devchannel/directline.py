"""A Direct Line 3.0 stand-in for the official Web Chat (polling mode, `webSocket: false`).

Web Chat talks Direct Line to this sub-application; the stand-in turns every user activity into
what Teams would send for a personal chat (`channelId: msteams`, `29:`/`28:` ids, the tenant in
`channelData`) and POSTs it to the bot's own `/api/messages`. The bot answers through the
`ConnectorStandIn`; its activities come back here through the connector's listeners and are
served to Web Chat from a per-conversation log whose index is the Direct Line watermark.

One conversation per person (`a:dev-<person id>`), kept for the life of the process: reloading
the page shows the history, and proactive messages sent later to a stored reference land in the
same chat. Card updates (`PUT`, or a card returned by an `Action.Execute`) are served again
under the same activity id, and Web Chat replaces the old card in place.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.devchannel.cards import (
    ADAPTIVE_CARD,
    CardAction,
    adapt_attachments_for_webchat,
    read_card_action,
)
from bot.devchannel.connector import (
    ConnectorStandIn,
    Handler,
    JsonDict,
    RecordedActivity,
    UnknownActivity,
    error_response,
    iso_timestamp,
    loopback_origin,
)
from bot.devchannel.people import DevPerson
from bot.devchannel.uploads import DevFiles, UploadRefused, read_upload

log = logging.getLogger(__name__)

TOKEN_LIFETIME_SECONDS = 3600
MAX_TOKENS = 10_000
MAX_LOG = 2_000
MAX_TEXT = 28_000
DEV_CONVERSATION_PREFIX = "a:dev-"
INVOKE_MESSAGE = "application/vnd.microsoft.activity.message"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, x-ms-bot-agent, x-requested-with",
    "Access-Control-Max-Age": "600",
}
# What Web Chat may see of a bot activity.
BOT_FIELDS = (
    "type",
    "id",
    "timestamp",
    "text",
    "textFormat",
    "attachments",
    "attachmentLayout",
    "suggestedActions",
    "entities",
    "locale",
    "replyToId",
    "inputHint",
    "speak",
    "value",
    "name",
    "summary",
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


# --- tokens ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Grant:
    person: DevPerson
    expires_at: float


class DevTokens:
    """Direct Line tokens, each bound to one person; random and unguessable."""

    def __init__(
        self,
        *,
        lifetime_seconds: int = TOKEN_LIFETIME_SECONDS,
        max_tokens: int = MAX_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime_seconds = lifetime_seconds
        self._max = max_tokens
        self._clock = clock
        self._grants: OrderedDict[str, _Grant] = OrderedDict()

    def issue(self, person: DevPerson) -> str:
        token = secrets.token_urlsafe(32)
        self._grants[token] = _Grant(person, self._clock() + self.lifetime_seconds)
        while len(self._grants) > self._max:
            self._grants.popitem(last=False)
        return token

    def person_for(self, token: str) -> DevPerson | None:
        grant = self._grants.get(token)
        if grant is None:
            return None
        if grant.expires_at <= self._clock():
            del self._grants[token]
            return None
        return grant.person

    def refresh(self, token: str) -> bool:
        if self.person_for(token) is None:
            return False
        self._grants[token].expires_at = self._clock() + self.lifetime_seconds
        self._grants.move_to_end(token)
        return True


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


# --- the per-conversation log ------------------------------------------------------------------


@dataclass(slots=True)
class _Log:
    """Direct Line activities of one conversation; the watermark is `base + index`."""

    entries: list[JsonDict] = field(default_factory=list)
    base: int = 0

    def append(self, activity: JsonDict, limit: int) -> None:
        self.entries.append(activity)
        overflow = len(self.entries) - limit
        if overflow > 0:
            del self.entries[:overflow]
            self.base += overflow

    @property
    def watermark(self) -> int:
        return self.base + len(self.entries)

    def since(self, watermark: int) -> list[JsonDict]:
        """Entries after `watermark`; of several versions of one activity only the last."""
        window = self.entries[max(0, watermark - self.base) :]
        last_index = {entry.get("id"): i for i, entry in enumerate(window)}
        return [e for i, e in enumerate(window) if last_index.get(e.get("id")) == i]


# --- the stand-in ------------------------------------------------------------------------------


class DirectLineStandIn:
    def __init__(
        self,
        connector: ConnectorStandIn,
        tokens: DevTokens,
        *,
        bot_id: str,
        tenant_id: str,
        bot_name: str = "Kontraktsvakt",
        connector_path: str = "/_dev/connector/",
        bot_path: str = "/api/messages",
        clock: Callable[[], datetime] = _utc_now,
        forward_timeout_seconds: float = 30.0,
        max_log: int = MAX_LOG,
        files: DevFiles | None = None,
    ) -> None:
        self.connector = connector
        self.files = files or DevFiles()
        self.tokens = tokens
        self.bot_account = {"id": f"28:{bot_id}", "name": bot_name}
        self.tenant_id = tenant_id
        self._connector_path = connector_path
        self._bot_path = bot_path
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=forward_timeout_seconds)
        self._max_log = max_log
        self._logs: dict[str, _Log] = {}
        self._greeted: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        connector.listeners.append(self._on_bot_activity)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.cleanup_ctx.append(self._client_session)
        base = "/v3/directline"
        app.router.add_post(base + "/conversations", self._start_conversation)
        app.router.add_get(base + "/conversations/{cid}", self._reconnect)
        app.router.add_get(base + "/conversations/{cid}/activities", self._get_activities)
        app.router.add_post(base + "/conversations/{cid}/activities", self._post_activity)
        app.router.add_post(base + "/tokens/refresh", self._refresh_token)
        app.router.add_post(base + "/conversations/{cid}/upload", self._upload)
        app.router.add_get("/files/{token}/{name}", self.files.serve)
        return app

    def register_person(self, person: DevPerson) -> None:
        """Make the person known to the connector: member look-up and their 1:1 conversation."""
        self.connector.add_member(person.member_json(self.tenant_id))
        self.connector.register_personal_conversation(person.teams_user_id, person.conversation_id)

    def activities(self, conversation_id: str) -> list[JsonDict]:
        """What Web Chat would get from watermark 0 (for tests and debugging)."""
        found = self._logs.get(conversation_id)
        return found.since(0) if found is not None else []

    # --- plumbing -----------------------------------------------------------------------------

    async def _client_session(self, _app: web.Application) -> AsyncIterator[None]:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            yield
        finally:
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._session.close()
            self._session = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=CORS_HEADERS)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = error_response(exc.status, exc.reason.replace(" ", ""), exc.reason)
        response.headers.update(CORS_HEADERS)
        return response

    def _log(self, conversation_id: str) -> _Log:
        found = self._logs.get(conversation_id)
        if found is None:
            found = self._logs[conversation_id] = _Log()
        return found

    def _authorise(self, request: web.Request) -> DevPerson | web.Response:
        token = bearer_token(request)
        if token is None:
            return error_response(401, "TokenMissing", "an Authorization: Bearer token is required")
        person = self.tokens.person_for(token)
        if person is None:
            return error_response(403, "TokenExpired", "the token is not valid or has expired")
        cid = request.match_info.get("cid")
        if cid is not None and cid != person.conversation_id:
            return error_response(403, "Forbidden", "the token is not valid for this conversation")
        return person

    def _conversation_json(self, person: DevPerson, request: web.Request) -> JsonDict:
        return {
            "conversationId": person.conversation_id,
            "token": bearer_token(request),
            "expires_in": self.tokens.lifetime_seconds,
        }

    # --- from the bot -------------------------------------------------------------------------

    def _on_bot_activity(self, record: RecordedActivity) -> None:
        if not record.conversation_id.startswith(DEV_CONVERSATION_PREFIX):
            return
        activity = self._from_bot(record.activity)
        if record.method == "DELETE":
            activity = {
                "type": "message",
                "id": record.activity.get("id"),
                "timestamp": record.activity.get("timestamp"),
                "text": "_Meldingen er slettet._",
                "textFormat": "markdown",
            }
        activity["from"] = {**self.bot_account, "role": "bot"}
        activity["conversation"] = {"id": record.conversation_id}
        activity["channelId"] = "directline"
        self._log(record.conversation_id).append(activity, self._max_log)

    @staticmethod
    def _from_bot(activity: JsonDict) -> JsonDict:
        mapped = {k: activity[k] for k in BOT_FIELDS if activity.get(k) is not None}
        if "attachments" in mapped:
            mapped["attachments"] = adapt_attachments_for_webchat(
                mapped["attachments"], str(activity.get("id", ""))
            )
        return mapped

    def _notice(self, conversation_id: str, text: str, reply_to_id: str | None) -> None:
        """A note only Web Chat sees, where Teams would show a banner on the card."""
        notice: JsonDict = {
            "type": "message",
            "id": self.connector.new_activity_id(),
            "timestamp": iso_timestamp(self._clock()),
            "text": text,
            "from": {**self.bot_account, "role": "bot"},
            "conversation": {"id": conversation_id},
            "channelId": "directline",
        }
        if reply_to_id:
            notice["replyToId"] = reply_to_id
        self._log(conversation_id).append(notice, self._max_log)

    # --- to the bot ---------------------------------------------------------------------------

    def _teams_activity(self, person: DevPerson, kind: str, origin: str) -> JsonDict:
        """The envelope Teams puts around everything a user does in a personal chat."""
        return {
            "type": kind,
            "id": self.connector.new_activity_id(),
            "timestamp": iso_timestamp(self._clock()),
            "serviceUrl": origin + self._connector_path,
            "channelId": "msteams",
            "from": {
                "id": person.teams_user_id,
                "name": person.display_name,
                "aadObjectId": person.aad_object_id,
            },
            "conversation": {
                "id": person.conversation_id,
                "conversationType": "personal",
                "tenantId": self.tenant_id,
            },
            "recipient": dict(self.bot_account),
            "channelData": {"tenant": {"id": self.tenant_id}},
            "locale": "nb-NO",
            "entities": [
                {
                    "type": "clientInfo",
                    "locale": "nb-NO",
                    "country": "NO",
                    "platform": "Web",
                    "timezone": "Europe/Oslo",
                }
            ],
        }

    async def _forward(self, origin: str, activity: JsonDict) -> tuple[int, Any]:
        """POST the activity to the bot; its HTTP status (0 if unreachable) and JSON body."""
        if self._session is None:
            return 0, None
        try:
            async with self._session.post(origin + self._bot_path, json=activity) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("the bot could not be reached", extra={"error": type(exc).__name__})
            return 0, None
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if status >= 400:
            log.warning(
                "the bot refused an activity",
                extra={"status": status, "activity_type": activity.get("type")},
            )
        return status, body

    async def _greet(self, person: DevPerson, origin: str) -> None:
        """Tell the bot it was added to the person's chat (what Teams does on install)."""
        update = self._teams_activity(person, "conversationUpdate", origin)
        update["id"] = f"f:{uuid.uuid4()}"
        update["membersAdded"] = [
            {"id": self.bot_account["id"]},
            {"id": person.teams_user_id, "aadObjectId": person.aad_object_id},
        ]
        status, _ = await self._forward(origin, update)
        if status == 0 or status >= 500:
            self._greeted.discard(person.conversation_id)

    # --- handlers -----------------------------------------------------------------------------

    async def _start_conversation(self, request: web.Request) -> web.Response:
        person = self._authorise(request)
        if isinstance(person, web.Response):
            return person
        self.register_person(person)
        self._log(person.conversation_id)
        if person.conversation_id not in self._greeted:
            self._greeted.add(person.conversation_id)
            task = asyncio.create_task(self._greet(person, loopback_origin(request)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response(self._conversation_json(person, request), status=201)

    async def _reconnect(self, request: web.Request) -> web.Response:
        person = self._authorise(request)
        if isinstance(person, web.Response):
            return person
        return web.json_response(self._conversation_json(person, request))

    async def _refresh_token(self, request: web.Request) -> web.Response:
        token = bearer_token(request)
        person = self.tokens.person_for(token) if token is not None else None
        if token is None or person is None or not self.tokens.refresh(token):
            return error_response(403, "TokenExpired", "the token is not valid or has expired")
        return web.json_response(self._conversation_json(person, request))

    async def _get_activities(self, request: web.Request) -> web.Response:
        person = self._authorise(request)
        if isinstance(person, web.Response):
            return person
        try:
            watermark = max(0, int(request.query.get("watermark") or 0))
        except ValueError:
            watermark = 0
        conversation = self._log(person.conversation_id)
        return web.json_response(
            {"activities": conversation.since(watermark), "watermark": str(conversation.watermark)}
        )

    async def _post_activity(self, request: web.Request) -> web.Response:
        person = self._authorise(request)
        if isinstance(person, web.Response):
            return person
        try:
            body = await request.json()
        except ValueError:
            return error_response(400, "BadArgument", "the body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return error_response(400, "BadArgument", "the body must be an activity")
        text = body.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
            return error_response(400, "BadArgument", "'text' must be a string, not too long")
        origin = loopback_origin(request)
        outgoing = self._to_bot(person, body, origin)
        echo = self._echo(person, body, outgoing["id"] if outgoing else None)
        self._log(person.conversation_id).append(echo, self._max_log)
        if outgoing is None:
            return web.json_response({"id": echo["id"]})
        status, answer = await self._forward(origin, outgoing)
        if status == 0 or status >= 500:
            return error_response(502, "BotError", f"the bot answered {status or 'nothing'}")
        if outgoing["type"] == "invoke":
            await self._apply_invoke_response(person, outgoing, status, answer)
        return web.json_response({"id": echo["id"]})

    async def _upload(self, request: web.Request) -> web.Response:
        """Web Chat's message with files (a multipart upload): the files are kept and served
        on this origin, and the bot gets the message as Teams sends one with files
        (`bot.devchannel.uploads`)."""
        person = self._authorise(request)
        if isinstance(person, web.Response):
            return person
        try:
            upload = await read_upload(request)
        except UploadRefused as refused:
            self._notice(person.conversation_id, f"Filen ble ikke sendt: {refused}", None)
            return refused.response
        origin = loopback_origin(request)
        tokens = [self.files.add(name, kind, data) for name, kind, data in upload.files]
        outgoing = self._teams_activity(person, "message", origin)
        text = upload.activity.get("text")
        if isinstance(text, str) and text and len(text) <= MAX_TEXT:
            outgoing["text"] = text
            outgoing["textFormat"] = "plain"
        outgoing["attachments"] = [self.files.teams_attachment(origin, t) for t in tokens]
        shown = [self.files.webchat_attachment(origin, t) for t in tokens]
        echo = self._echo(person, {**upload.activity, "attachments": shown}, outgoing["id"])
        self._log(person.conversation_id).append(echo, self._max_log)
        status, _ = await self._forward(origin, outgoing)
        if status == 0 or status >= 500:
            return error_response(502, "BotError", f"the bot answered {status or 'nothing'}")
        return web.json_response({"id": echo["id"]})

    def _echo(self, person: DevPerson, body: JsonDict, activity_id: str | None) -> JsonDict:
        """The user's activity as Web Chat gets it back (its `clientActivityID` kept)."""
        echo = dict(body)
        sender = body.get("from") if isinstance(body.get("from"), dict) else {}
        echo["id"] = activity_id or self.connector.new_activity_id()
        echo["timestamp"] = iso_timestamp(self._clock())
        echo["conversation"] = {"id": person.conversation_id}
        echo["channelId"] = "directline"
        echo["from"] = {
            "id": (sender or {}).get("id") or person.teams_user_id,
            "name": person.display_name,
            "role": "user",
        }
        return echo

    def _to_bot(self, person: DevPerson, body: JsonDict, origin: str) -> JsonDict | None:
        """What Teams would send for this Web Chat activity; None for what Teams would not send."""
        if body["type"] != "message":
            return None
        value = body.get("value")
        action = read_card_action(value)
        if action is not None and action.kind == "execute":
            return self._card_invoke(person, action, origin)
        activity = self._teams_activity(person, "message", origin)
        if action is not None:
            value = action.data
            if action.activity_id:
                activity["replyToId"] = action.activity_id
            activity["channelData"]["source"] = {"name": "message"}
            teams = value.get("msteams") if isinstance(value, dict) else None
            if isinstance(teams, dict) and teams.get("type") in {"imBack", "messageBack"}:
                return self._teams_card_message(activity, teams)
        text = body.get("text")
        if isinstance(text, str) and text:
            activity["text"] = text
            activity["textFormat"] = "plain"
        if value is not None:
            activity["value"] = value
        if "text" not in activity and "value" not in activity:
            return None
        return activity

    @staticmethod
    def _teams_card_message(activity: JsonDict, teams: JsonDict) -> JsonDict:
        """`msteams.imBack` / `msteams.messageBack` in `Action.Submit` data, as Teams sends them."""
        if teams["type"] == "imBack":
            activity["text"] = str(teams.get("value") or "")
        else:
            if isinstance(teams.get("text"), str):
                activity["text"] = teams["text"]
            if teams.get("value") is not None:
                activity["value"] = teams["value"]
        return activity

    def _card_invoke(self, person: DevPerson, action: CardAction, origin: str) -> JsonDict:
        invoke = self._teams_activity(person, "invoke", origin)
        invoke["name"] = "adaptiveCard/action"
        card_action: JsonDict = {"type": "Action.Execute", "verb": action.verb, "data": action.data}
        if action.action_id:
            card_action["id"] = action.action_id
        invoke["value"] = {"action": card_action, "trigger": "manual"}
        if action.activity_id:
            invoke["replyToId"] = action.activity_id
        return invoke

    async def _apply_invoke_response(
        self, person: DevPerson, invoke: JsonDict, status: int, answer: Any
    ) -> None:
        """Do what Teams does with an `adaptiveCard/action` response."""
        conversation_id = person.conversation_id
        card_id = invoke.get("replyToId")
        body = answer if isinstance(answer, dict) else {}
        code = body.get("statusCode", status)
        if status >= 400 or (isinstance(code, int) and code >= 400):
            self._notice(conversation_id, f"Handlingen feilet (status {code}).", card_id)
            return
        if body.get("type") == INVOKE_MESSAGE and isinstance(body.get("value"), str):
            self._notice(conversation_id, body["value"], card_id)
            return
        if body.get("type") != ADAPTIVE_CARD or not isinstance(body.get("value"), dict):
            return
        attachment = {"contentType": ADAPTIVE_CARD, "content": body["value"]}
        previous = self.connector.get_activity(conversation_id, card_id) if card_id else None
        if previous is not None and card_id is not None:
            try:
                await self.connector.update_activity(
                    conversation_id, card_id, {**previous, "attachments": [attachment]}
                )
            except UnknownActivity:
                previous = None
            else:
                return
        await self.connector.record_activity(
            conversation_id,
            {"type": "message", "from": dict(self.bot_account), "attachments": [attachment]},
            card_id,
        )
