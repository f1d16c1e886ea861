"""The local dev channel: try the whole bot on one machine with the official Web Chat.

Only wired when no Microsoft app id is configured (the app then binds to loopback). It mounts

- `/_dev/connector/...`  a Bot Connector stand-in the bot sends its replies to (`connector.py`),
- `/_dev/directline/...` a Direct Line 3.0 stand-in for Web Chat (`directline.py`), with the
  files uploaded in the chat served back to the bot (`uploads.py`),
- `GET /dev`             the page: "Hvem er du?" then Web Chat as that person,
- `GET /dev/webchat.js`  the Web Chat bundle fetched by `bash scripts/setup.sh` (never committed),
- `GET /_dev/api/people` and `POST /_dev/api/token` for the page.

At start the procurement team (everyone with the `procurement` role) joins the connector's
members, so a procurement channel (the demo registers one) has its team in it, as in Teams:
what is posted there passes the check that every member may see it. Everyone who picks
themselves in the page joins too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.devchannel.connector import ConnectorStandIn, RecordedActivity
from bot.devchannel.directline import DevTokens, DirectLineStandIn
from bot.devchannel.people import DevPerson, ListPeople, load_people, load_person
from bot.devchannel.uploads import DevFiles

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
CONNECTOR_PREFIX = "/_dev/connector"
DIRECTLINE_PREFIX = "/_dev/directline"
MAX_PERSON_ID = 64
PROCUREMENT_ROLE = "procurement"
# The page and Web Chat may talk to this origin only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        # Web Chat reads a file picked for upload from its blob: URL before sending it.
        "connect-src 'self' blob:",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True, slots=True)
class DevChannel:
    connector: ConnectorStandIn
    directline: DirectLineStandIn
    tokens: DevTokens
    webchat_bundle: Path


DEV_CHANNEL = web.AppKey("dev_channel", DevChannel)


def _json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class _DevPages:
    """The page, the bundle and the page's two API calls."""

    def __init__(self, list_people: ListPeople, channel: DevChannel) -> None:
        self._list_people = list_people
        self._channel = channel
        self._page = (STATIC_DIR / "dev.html").read_bytes()
        self._script = (STATIC_DIR / "dev.js").read_bytes()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/dev", self.page)
        app.router.add_get("/dev/dev.js", self.script)
        app.router.add_get("/dev/webchat.js", self.bundle)
        app.router.add_get("/_dev/api/people", self.people)
        app.router.add_post("/_dev/api/token", self.token)

    async def page(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self._page, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS
        )

    async def script(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self._script,
            content_type="text/javascript",
            charset="utf-8",
            headers=PAGE_HEADERS,
        )

    async def bundle(self, _request: web.Request) -> web.StreamResponse:
        path = self._channel.webchat_bundle
        if not path.is_file():
            return web.Response(
                status=404,
                text="// Web Chat is missing: run `bash scripts/setup.sh`\n",
                content_type="text/javascript",
            )
        return web.FileResponse(
            path,
            headers={"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
        )

    async def people(self, _request: web.Request) -> web.Response:
        people = await asyncio.to_thread(load_people, self._list_people)
        return web.json_response(
            [p.public_json() for p in people], headers={"Cache-Control": "no-store"}
        )

    async def token(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _json_error(400, "BadArgument", 'send JSON: {"personId": ...}')
        person_id = body.get("personId") if isinstance(body, dict) else None
        if not isinstance(person_id, str) or not person_id or len(person_id) > MAX_PERSON_ID:
            return _json_error(400, "BadArgument", "'personId' must be a person's id")
        person: DevPerson | None = await asyncio.to_thread(
            load_person, self._list_people, person_id
        )
        if person is None:
            return _json_error(404, "PersonNotFound", "no person with that id")
        self._channel.directline.register_person(person)
        token = self._channel.tokens.issue(person)
        log.info("dev chat token issued", extra={"person_id": person.id})
        return web.json_response(
            {
                "token": token,
                "expiresIn": self._channel.tokens.lifetime_seconds,
                "conversationId": person.conversation_id,
                "userId": person.teams_user_id,
                "displayName": person.display_name,
            },
            headers={"Cache-Control": "no-store"},
        )


def setup_dev_channel(
    app: web.Application,
    *,
    list_people: ListPeople,
    bot_id: str,
    tenant_id: str,
    webchat_bundle: Path,
) -> DevChannel:
    """Mount the dev channel on the bot's app (before it starts) and return its parts.

    The channel is also stored in `app[DEV_CHANNEL]`.
    """
    connector = ConnectorStandIn()
    tokens = DevTokens()
    directline = DirectLineStandIn(
        connector,
        tokens,
        bot_id=bot_id,
        tenant_id=tenant_id,
        connector_path=CONNECTOR_PREFIX + "/",
        files=DevFiles(path=DIRECTLINE_PREFIX + "/files/"),
    )
    channel = DevChannel(
        connector=connector, directline=directline, tokens=tokens, webchat_bundle=webchat_bundle
    )
    app.add_subapp(CONNECTOR_PREFIX, connector.app())
    app.add_subapp(DIRECTLINE_PREFIX, directline.app())
    _DevPages(list_people, channel).add_routes(app)

    async def procurement_team_joins(_app: web.Application) -> None:
        try:
            people = await asyncio.to_thread(load_people, list_people)
        except Exception:
            log.exception("could not read the procurement team for the dev channel")
            return
        for person in people:
            if PROCUREMENT_ROLE in person.roles:
                connector.add_member(person.member_json(tenant_id))

    app.on_startup.append(procurement_team_joins)
    app[DEV_CHANNEL] = channel
    if not webchat_bundle.is_file():
        log.warning(
            "the Web Chat bundle is missing; the dev chat at /dev will say so "
            "(fetch it with `bash scripts/setup.sh`)",
            extra={"path": str(webchat_bundle)},
        )
    return channel


__all__ = [
    "DEV_CHANNEL",
    "ConnectorStandIn",
    "DevChannel",
    "DevTokens",
    "DirectLineStandIn",
    "RecordedActivity",
    "setup_dev_channel",
]
