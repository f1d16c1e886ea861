"""`GET /eksport/{token}`: the file behind a download link the bot posted (`bot.exports.commands`).

A plain GET from a browser, outside the messaging endpoint and its guards, like the calendar
feed: the token is the only credential. It names one prepared export, never holds data, and
ends after `EXPORT_LINK_MINUTES`. An unknown or malformed token gets a bare 404; a token that
has expired (or whose export is gone) a 410, which says nothing about any other file. The file
is sent with its own type and as an attachment with a plain ASCII name (and the exact name in
`filename*`), never cached, never sniffed, and no referrer leaves the page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from aiohttp import web

from bot.conversation.texts import text
from bot.exports.commands import EXPORT_ROUTE, Exports
from followup.exports import LinkLookup, LinkState, export_for_link, is_link_token

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII-only fallback name and the exact name (RFC 6266/5987)."""
    fallback = (
        "".join(
            ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in file_name
        ).strip("._")
        or "eksport"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class ExportDownloadRoute:
    def __init__(self, exports: Exports, clock: Callable[[], datetime]) -> None:
        self._exports = exports
        self._clock = clock

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(EXPORT_ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        if not is_link_token(token):
            return web.Response(status=404, headers=HEADERS)
        store = self._exports.store
        found: LinkLookup = await asyncio.to_thread(export_for_link, store, token, self._clock())
        export = found.export
        if found.state is LinkState.UNKNOWN:
            return web.Response(status=404, headers=HEADERS)
        if found.state is LinkState.EXPIRED or export is None:
            return _gone()
        path = store.path(export)
        if not await asyncio.to_thread(path.is_file):
            return _gone()
        log.info("export downloaded", extra={"export_id": export.id, "bytes": export.size_bytes})
        media_type = export.format.media_type
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        return web.FileResponse(
            path,
            headers={
                **HEADERS,
                "Content-Type": media_type,
                "Content-Disposition": content_disposition(export.file_name),
            },
        )


def _gone() -> web.Response:
    return web.Response(status=410, text=text("export.page_gone"), headers=HEADERS)


__all__ = ["ExportDownloadRoute", "content_disposition"]
