"""The public register's routes (issue 18): read-only pages and open data for anyone, outside
the messaging endpoint and its guards.

    GET /rammeavtaler                  the list: search `q`, filters, paging (`query.py`)
    GET /rammeavtaler/{avtalenr}       one agreement; a Norwegian 404 for anything not public
    GET /rammeavtaler.json | .csv      open data (`open_data.py`)
    GET /rammeavtaler/tilgjengelighet  the accessibility statement
    GET /rammeavtaler/stil.css         the one stylesheet

GET and HEAD only (405 otherwise); a token bucket per client address (429 with Retry-After);
no cookies; a Content-Security-Policy with `default-src 'self'` and no script at all. Every
answer carries an ETag made of the register's version, today's date (validity changes daily)
and the pages' fingerprint, and a Last-Modified no earlier than today's midnight, so
`If-None-Match` and `If-Modified-Since` are answered with 304.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Final
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.conversation.texts import text
from bot.public_register.open_data import register_csv, register_json
from bot.public_register.pages import STYLESHEET, Pages
from bot.public_register.query import LOCALE, ListRequest, read_list_request
from bot.public_register.rate_limit import RateLimiter
from followup.calendar.workdays import OSLO, oslo_today
from followup.public_register import DEFAULT_PAGE_SIZE, PublicRegister, Validity

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROOT: Final = "/rammeavtaler"
ACCESSIBILITY_PATH: Final = ROOT + "/tilgjengelighet"
ALLOWED_METHODS: Final = frozenset({"GET", "HEAD"})
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
CACHE_CONTROL: Final = "public, max-age=300"
MAX_REFERENCE_CHARS: Final = 100
HTML: Final = "text/html"


@dataclass(frozen=True, slots=True)
class PublicRegisterSettings:
    show_personal_contacts: bool = False
    accessibility_url: str = ACCESSIBILITY_PATH
    rate_per_minute: int = 120
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What an answer's validators are made of."""

    today: date
    etag: str
    last_modified: datetime


class PublicRegisterRoutes:
    def __init__(
        self, register: PublicRegister, clock: Clock, settings: PublicRegisterSettings
    ) -> None:
        self._register = register
        self._clock = clock
        self._settings = settings
        self._pages = Pages(settings.accessibility_url)
        self._limiter = RateLimiter(settings.rate_per_minute)

    def add_to(self, app: web.Application, *, root_redirect: bool = False) -> None:
        """The public routes on `app`; `root_redirect` also sends `/` to the list (the
        register's own site, `PUBLIC_REGISTER_PORT`)."""
        add = app.router.add_route
        add("*", ROOT, self._guarded(self._list))
        add("*", ROOT + ".json", self._guarded(self._json))
        add("*", ROOT + ".csv", self._guarded(self._csv))
        add("*", ROOT + "/", self._guarded(self._to_list))
        add("*", ROOT + "/" + STYLESHEET, self._guarded(self._stylesheet))
        add("*", ACCESSIBILITY_PATH, self._guarded(self._accessibility))
        add("*", ROOT + "/{reference}", self._guarded(self._detail))
        add("*", ROOT + "/{reference}/{rest:.*}", self._guarded(self._not_found))
        if root_redirect:
            add("*", "/", self._guarded(self._to_list))
            add("*", "/{rest:.*}", self._guarded(self._not_found))

    # --- the guard around every route ---------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            response: web.StreamResponse
            if request.method not in ALLOWED_METHODS:
                response = self._message(
                    405, "public.error.method_title", "public.error.method", allow="GET, HEAD"
                )
            elif wait := self._limiter.wait_seconds(request.remote or ""):
                response = self._message(
                    429, "public.error.rate_title", "public.error.rate", seconds=wait
                )
                response.headers["Retry-After"] = str(wait)
            else:
                try:
                    response = await handler(request)
                except Exception:
                    log.exception("a public register page failed", extra={"path": request.path})
                    response = self._message(
                        503, "public.unavailable.title", "public.unavailable.body"
                    )
            response.headers.update(SECURITY_HEADERS)
            return response

        return guarded

    def _message(
        self, status: int, title: str, body: str, *, allow: str | None = None, **values: object
    ) -> web.Response:
        page = self._pages.render(
            "message.html", title=text(title, LOCALE), message=text(body, LOCALE, **values)
        )
        response = web.Response(text=page, content_type=HTML, status=status)
        response.headers["Cache-Control"] = "no-store"
        if allow is not None:
            response.headers["Allow"] = allow
        return response

    # --- validators ---------------------------------------------------------------------------

    def _stamp(self, extra: str = "") -> _Stamp:
        """Read in a thread: the register's version and when it last changed."""
        today = oslo_today(self._clock())
        version = self._register.version()
        changed = self._register.last_modified()
        midnight = datetime.combine(today, time(0), tzinfo=OSLO).astimezone(UTC)
        last = midnight if changed is None else max(changed.astimezone(UTC), midnight)
        flag = "p" if self._settings.show_personal_contacts else "r"
        asked = hashlib.sha256(extra.encode()).hexdigest()[:16]
        tag = f"{version}-{today.isoformat()}-{self._pages.fingerprint}-{flag}-{asked}"
        return _Stamp(today=today, etag=tag, last_modified=last.replace(microsecond=0))

    @staticmethod
    def _not_modified(request: web.Request, stamp: _Stamp) -> bool:
        tags = request.if_none_match
        if tags is not None:
            return any(t.value in (stamp.etag, "*") for t in tags)
        since = request.if_modified_since
        return since is not None and stamp.last_modified <= since

    @staticmethod
    def _validated(response: web.Response, stamp: _Stamp) -> web.Response:
        response.etag = stamp.etag
        response.last_modified = stamp.last_modified
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response

    def _unchanged(self, stamp: _Stamp) -> web.Response:
        return self._validated(web.Response(status=304), stamp)

    # --- pages --------------------------------------------------------------------------------

    async def _list(self, request: web.Request) -> web.StreamResponse:
        params = {name: request.query.get(name, "") for name in request.query}
        extra = "-" + urlencode(sorted(params.items()))
        stamp = await asyncio.to_thread(self._stamp, extra)
        facets = await asyncio.to_thread(self._register.facets)
        asked = read_list_request(params, facets, self._settings.page_size)
        found = None
        problems = list(asked.problems)
        if not problems and self._not_modified(request, stamp):
            return self._unchanged(stamp)  # never for a query that cannot be used
        if not problems:
            found = await asyncio.to_thread(self._register.search, asked.query, stamp.today)
            if asked.query.page > found.pages:
                problems.append(text("public.error.page_beyond", LOCALE, count=found.pages))
                found = None
        page = self._pages.render(
            "list.html",
            asked=asked,
            facets=facets,
            found=found,
            problems=problems,
            searched=_searched(asked),
        )
        response = web.Response(text=page, content_type=HTML, status=400 if problems else 200)
        if problems:
            response.headers["Cache-Control"] = "no-store"
            return response
        return self._validated(response, stamp)

    async def _detail(self, request: web.Request) -> web.StreamResponse:
        reference = request.match_info["reference"]
        if len(reference) > MAX_REFERENCE_CHARS or not reference.isprintable():
            return await self._not_found(request)  # no agreement number looks like that
        if reference != reference.strip():
            return self._moved(ROOT + "/" + quote(reference.strip(), safe=""))
        stamp = await asyncio.to_thread(self._stamp, "-" + reference)
        agreement = await asyncio.to_thread(self._register.get, reference, stamp.today)
        if agreement is None:
            return await self._not_found(request)  # whatever the request's validators say
        if self._not_modified(request, stamp):
            return self._unchanged(stamp)
        page = self._pages.render(
            "detail.html",
            a=agreement,
            show_contact=not agreement.contact_is_personal or self._settings.show_personal_contacts,
        )
        return self._validated(web.Response(text=page, content_type=HTML), stamp)

    async def _accessibility(self, request: web.Request) -> web.StreamResponse:
        stamp = await asyncio.to_thread(self._stamp)
        if self._not_modified(request, stamp):
            return self._unchanged(stamp)
        page = self._pages.render("accessibility.html")
        return self._validated(web.Response(text=page, content_type=HTML), stamp)

    async def _not_found(self, _request: web.Request) -> web.StreamResponse:
        return self._message(404, "public.not_found.title", "public.not_found.body")

    async def _to_list(self, _request: web.Request) -> web.StreamResponse:
        return self._moved(ROOT)

    @staticmethod
    def _moved(location: str) -> web.Response:
        return web.Response(status=301, headers={"Location": location})

    async def _stylesheet(self, request: web.Request) -> web.StreamResponse:
        response = web.Response(body=self._pages.stylesheet, content_type="text/css")
        response.charset = "utf-8"
        response.etag = self._pages.fingerprint
        response.headers["Cache-Control"] = "public, max-age=3600"
        tags = request.if_none_match
        if tags is not None and any(t.value == self._pages.fingerprint for t in tags):
            return web.Response(status=304, headers={"ETag": f'"{self._pages.fingerprint}"'})
        return response

    # --- open data ----------------------------------------------------------------------------

    async def _json(self, request: web.Request) -> web.StreamResponse:
        stamp = await asyncio.to_thread(self._stamp, "-json")
        if self._not_modified(request, stamp):
            return self._unchanged(stamp)
        agreements = await asyncio.to_thread(self._register.all, stamp.today)
        body = register_json(agreements, stamp.today, self._settings.show_personal_contacts)
        response = web.Response(body=body, content_type="application/json")
        return self._validated(response, stamp)

    async def _csv(self, request: web.Request) -> web.StreamResponse:
        stamp = await asyncio.to_thread(self._stamp, "-csv")
        if self._not_modified(request, stamp):
            return self._unchanged(stamp)
        agreements = await asyncio.to_thread(self._register.all, stamp.today)
        body = register_csv(agreements, self._settings.show_personal_contacts)
        response = web.Response(body=body, content_type="text/csv")
        response.charset = "utf-8"
        response.headers["Content-Disposition"] = 'attachment; filename="rammeavtaler.csv"'
        return self._validated(response, stamp)


def _searched(asked: ListRequest) -> bool:
    """Whether the visitor narrowed the list (the heading then says what was searched)."""
    return (
        bool(asked.text or asked.category or asked.supplier or asked.unit)
        or asked.validity != Validity.VALID.value
    )


def public_register_site(
    routes: PublicRegisterRoutes, host: str, port: int
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that serves only the public routes on their own `host:port`
    (`PUBLIC_REGISTER_PORT`), beside the bot's app."""

    async def site(_app: web.Application) -> AsyncIterator[None]:
        public = web.Application()
        routes.add_to(public, root_redirect=True)
        runner = web.AppRunner(public, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        log.info("public register listening", extra={"host": host, "port": port})
        yield
        await runner.cleanup()

    return site
