"""A local stand-in for the Bot Connector service (the `/v3/conversations` REST API).

The bot sends its replies, proactive messages, card updates and member look-ups here when it
runs without a Microsoft app id. The stand-in keeps a transcript per conversation, records every
activity it receives (for tests: `recorded`, `wait_for`) and tells its `listeners` (the Direct
Line stand-in) about every new, updated or deleted bot activity.

Routes are at the application root, so `app()` can be mounted under `/_dev/connector` or run on
its own port. Every error is JSON `{"error": {"code", "message"}}`: botbuilder's msrest client
fails with a deserialisation error on a text/plain error body.

Fault injection is not here: tests subclass `ConnectorStandIn` and override `before_request`.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Listener = Callable[["RecordedActivity"], None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_RECORDED = 50_000
MAX_TRANSCRIPT = 5_000
MAX_ID_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class RecordedActivity:
    """One activity the bot sent (`POST`), replaced (`PUT`) or deleted (`DELETE`)."""

    seq: int
    method: str
    conversation_id: str
    reply_to_id: str | None
    activity: JsonDict
    at: datetime


class UnknownActivity(LookupError):
    """No activity with that id in that conversation."""


def error_response(status: int, code: str, message: str, **headers: str) -> web.Response:
    """A Bot Framework error body, which msrest turns into `ErrorResponseException`."""
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=headers or None
    )


def iso_timestamp(moment: datetime) -> str:
    """`2026-09-14T08:15:42.113Z`, as the Bot Connector writes it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ConnectorStandIn:
    """In-memory Bot Connector: transcripts, a member directory and a record of every send."""

    def __init__(
        self,
        *,
        service_url: str = "",
        clock: Callable[[], datetime] = _utc_now,
        max_recorded: int = MAX_RECORDED,
        max_transcript: int = MAX_TRANSCRIPT,
    ) -> None:
        self.service_url = service_url
        self.recorded: list[RecordedActivity] = []
        self.listeners: list[Listener] = []
        self.request_counts: Counter[str] = Counter()
        self._clock = clock
        self._max_recorded = max_recorded
        self._max_transcript = max_transcript
        self._transcripts: dict[str, dict[str, JsonDict]] = {}
        self._members: dict[str, JsonDict] = {}
        self._personal: dict[str, str] = {}
        self._seq = 0
        self._last_id = 0
        self._changed = asyncio.Condition()

    # --- the public API -----------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        cid = "/v3/conversations/{cid}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(cid + "/activities", self._send)
        app.router.add_post(cid + "/activities/{aid}", self._reply)
        app.router.add_put(cid + "/activities/{aid}", self._update)
        app.router.add_delete(cid + "/activities/{aid}", self._delete)
        app.router.add_get(cid + "/members", self._members_list)
        app.router.add_get(cid + "/pagedmembers", self._members_paged)
        app.router.add_get(cid + "/members/{mid}", self._member)
        return app

    async def before_request(self, request: web.Request) -> web.Response | None:
        """Called before every request is handled; a response returned here is sent instead.

        The production stand-in never interferes. Tests override this to answer 429, 403, 503.
        """
        return None

    def add_member(self, member: JsonDict) -> None:
        """Register a `TeamsChannelAccount` (JSON shape); it is a member of every conversation."""
        member_id = member.get("id")
        if not isinstance(member_id, str) or not member_id:
            raise ValueError("a member needs a non-empty string 'id'")
        self._members[member_id] = dict(member)

    def register_personal_conversation(self, member_id: str, conversation_id: str) -> None:
        """Creating a 1:1 conversation with `member_id` answers `conversation_id`, as Teams does."""
        self._personal[member_id] = conversation_id

    def transcript(self, conversation_id: str) -> list[JsonDict]:
        """The conversation's bot activities now, oldest first (updates applied, deletes gone)."""
        return [dict(a) for a in self._transcripts.get(conversation_id, {}).values()]

    def get_activity(self, conversation_id: str, activity_id: str) -> JsonDict | None:
        found = self._transcripts.get(conversation_id, {}).get(activity_id)
        return dict(found) if found is not None else None

    def new_activity_id(self) -> str:
        """A unique, increasing numeric id, like Teams message ids."""
        self._last_id = max(self._last_id + 1, int(time.time() * 1000))
        return str(self._last_id)

    async def wait_for(
        self,
        predicate: Callable[[RecordedActivity], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' interface; asyncio.timeout inside
    ) -> RecordedActivity:
        """The first recorded activity (already there or still to come) that satisfies `predicate`.

        Raises `TimeoutError` when none arrives within `timeout` seconds.
        """
        checked = 0

        def find() -> RecordedActivity | None:
            nonlocal checked
            # `recorded` is ordered by `seq` and may have been trimmed at the front.
            start = bisect.bisect_right(self.recorded, checked, key=lambda r: r.seq)
            for record in self.recorded[start:]:
                checked = record.seq
                if predicate(record):
                    return record
            return None

        async with asyncio.timeout(timeout), self._changed:
            while True:
                found = find()
                if found is not None:
                    return found
                await self._changed.wait()

    async def record_activity(
        self, conversation_id: str, activity: JsonDict, reply_to_id: str | None = None
    ) -> RecordedActivity:
        """Store a bot activity as if it had been POSTed; give it an id and a timestamp."""
        stored = dict(activity)
        stored["id"] = self.new_activity_id()
        stored["timestamp"] = iso_timestamp(self._clock())
        stored.setdefault("conversation", {"id": conversation_id})
        if reply_to_id is not None:
            stored["replyToId"] = reply_to_id
        transcript = self._transcripts.setdefault(conversation_id, {})
        transcript[stored["id"]] = stored
        while len(transcript) > self._max_transcript:
            del transcript[next(iter(transcript))]
        return await self._record("POST", conversation_id, reply_to_id, stored)

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: JsonDict
    ) -> RecordedActivity:
        """Replace an activity in the transcript (keeping its id, position and timestamp)."""
        transcript = self._transcripts.get(conversation_id, {})
        previous = transcript.get(activity_id)
        if previous is None:
            raise UnknownActivity(activity_id)
        stored = dict(activity)
        stored["id"] = activity_id
        stored["timestamp"] = previous.get("timestamp")
        stored.setdefault("conversation", previous.get("conversation", {"id": conversation_id}))
        if previous.get("replyToId") is not None:
            stored.setdefault("replyToId", previous["replyToId"])
        transcript[activity_id] = stored
        return await self._record("PUT", conversation_id, stored.get("replyToId"), stored)

    async def delete_activity(self, conversation_id: str, activity_id: str) -> RecordedActivity:
        transcript = self._transcripts.get(conversation_id, {})
        previous = transcript.pop(activity_id, None)
        if previous is None:
            raise UnknownActivity(activity_id)
        return await self._record("DELETE", conversation_id, previous.get("replyToId"), previous)

    # --- bookkeeping --------------------------------------------------------------------------

    async def _record(
        self, method: str, conversation_id: str, reply_to_id: str | None, activity: JsonDict
    ) -> RecordedActivity:
        self._seq += 1
        record = RecordedActivity(
            seq=self._seq,
            method=method,
            conversation_id=conversation_id,
            reply_to_id=reply_to_id,
            activity=dict(activity),
            at=self._clock(),
        )
        self.recorded.append(record)
        overflow = len(self.recorded) - self._max_recorded
        if overflow > self._max_recorded // 10:
            del self.recorded[:overflow]
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:
                log.exception("a connector listener failed", extra={"seq": record.seq})
        async with self._changed:
            self._changed.notify_all()
        return record

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        conversation_id = request.match_info.get("cid")
        self.request_counts[conversation_id or ""] += 1
        try:
            injected = await self.before_request(request)
            if injected is not None:
                return injected
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return error_response(exc.status, exc.reason.replace(" ", ""), exc.reason)

    # --- handlers -----------------------------------------------------------------------------

    @staticmethod
    def _ids(request: web.Request, *names: str) -> list[str] | web.Response:
        values = [request.match_info[name] for name in names]
        if any(not v or len(v) > MAX_ID_LENGTH for v in values):
            return error_response(400, "BadArgument", "an id in the path is empty or too long")
        return values

    @staticmethod
    async def _json_object(request: web.Request) -> JsonDict | web.Response:
        try:
            body = await request.json(loads=json.loads)
        except ValueError:
            return error_response(400, "BadSyntax", "the body is not valid JSON")
        if not isinstance(body, dict):
            return error_response(400, "BadArgument", "the body must be a JSON object")
        return body

    async def _send(self, request: web.Request) -> web.Response:
        return await self._post_activity(request, reply=False)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._post_activity(request, reply=True)

    async def _post_activity(self, request: web.Request, *, reply: bool) -> web.Response:
        ids = self._ids(request, "cid", "aid") if reply else self._ids(request, "cid")
        if isinstance(ids, web.Response):
            return ids
        body = await self._json_object(request)
        if isinstance(body, web.Response):
            return body
        if not isinstance(body.get("type"), str):
            return error_response(400, "BadArgument", "the activity needs a 'type'")
        reply_to = ids[1] if reply else body.get("replyToId")
        record = await self.record_activity(
            ids[0], body, reply_to if isinstance(reply_to, str) else None
        )
        return web.json_response({"id": record.activity["id"]}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        ids = self._ids(request, "cid", "aid")
        if isinstance(ids, web.Response):
            return ids
        body = await self._json_object(request)
        if isinstance(body, web.Response):
            return body
        try:
            await self.update_activity(ids[0], ids[1], body)
        except UnknownActivity:
            return error_response(404, "ActivityNotFound", "no such activity in the conversation")
        return web.json_response({"id": ids[1]})

    async def _delete(self, request: web.Request) -> web.Response:
        ids = self._ids(request, "cid", "aid")
        if isinstance(ids, web.Response):
            return ids
        try:
            await self.delete_activity(ids[0], ids[1])
        except UnknownActivity:
            return error_response(404, "ActivityNotFound", "no such activity in the conversation")
        return web.Response(status=200)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await self._json_object(request)
        if isinstance(body, web.Response):
            return body
        members = body.get("members")
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            return error_response(400, "BadArgument", "'members' must be a list of accounts")
        tenant = body.get("tenantID")
        if tenant is not None and not isinstance(tenant, str):
            return error_response(400, "BadArgument", "'tenantID' must be a string")
        conversation_id = self._conversation_for(members, bool(body.get("isGroup")))
        self._transcripts.setdefault(conversation_id, {})
        activity_id: str | None = None
        initial = body.get("activity")
        if isinstance(initial, dict) and isinstance(initial.get("type"), str):
            record = await self.record_activity(conversation_id, initial)
            activity_id = record.activity["id"]
        log.info(
            "conversation created",
            extra={"conversation_id": conversation_id, "tenant_id": tenant},
        )
        return web.json_response(
            {
                "id": conversation_id,
                "activityId": activity_id,
                "serviceUrl": self.service_url or own_service_url(request),
            },
            status=201,
        )

    def _conversation_for(self, members: list[JsonDict], is_group: bool) -> str:
        ids = [str(m.get("id", "")) for m in members]
        if not is_group and len(ids) == 1:
            known = self._personal.get(ids[0])
            if known is not None:
                return known
            stable = uuid.uuid5(uuid.NAMESPACE_URL, "kontraktsvakt-dev:" + ids[0])
            return f"a:{stable.hex}"
        return f"19:{uuid.uuid4().hex}@thread.v2"

    def _member_json(self, member_id: str) -> JsonDict | None:
        member = self._members.get(member_id)
        return dict(member) if member is not None else None

    async def _members_list(self, request: web.Request) -> web.Response:
        ids = self._ids(request, "cid")
        if isinstance(ids, web.Response):
            return ids
        return web.json_response([dict(m) for m in self._members.values()])

    async def _members_paged(self, request: web.Request) -> web.Response:
        ids = self._ids(request, "cid")
        if isinstance(ids, web.Response):
            return ids
        return web.json_response({"members": [dict(m) for m in self._members.values()]})

    async def _member(self, request: web.Request) -> web.Response:
        ids = self._ids(request, "cid", "mid")
        if isinstance(ids, web.Response):
            return ids
        member = self._member_json(ids[1])
        if member is None:
            return error_response(404, "MemberNotFound", "the member was not found")
        return web.json_response(member)


def loopback_origin(request: web.Request) -> str:
    """`http://127.0.0.1:<port>` of the server that took `request` (`[::1]` over IPv6).

    Built from the socket, never from the Host header, so it always names this process on the
    loopback interface (the only service URL host the bot accepts in local mode).
    """
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not isinstance(sockname, tuple) or len(sockname) < 2:
        raise web.HTTPServiceUnavailable(reason="Connection closed")
    host = "[::1]" if ":" in str(sockname[0]) else "127.0.0.1"
    return f"http://{host}:{int(sockname[1])}"


def own_service_url(request: web.Request) -> str:
    """This stand-in's base URL (its mount prefix included), ending in a slash."""
    path = request.path
    marker = path.find("/v3/conversations")
    prefix = path[:marker] if marker >= 0 else ""
    return f"{loopback_origin(request)}{prefix}/"
