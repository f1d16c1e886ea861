"""Files uploaded in the dev chat, served back the way Teams serves a file sent to a bot.

Web Chat sends a message with files as Direct Line's multipart upload
(`POST /v3/directline/conversations/{id}/upload?userId=…`): one part `activity` (the message,
`application/vnd.microsoft.activity`, its attachments without `contentUrl`) and one part `file`
per file. The Direct Line stand-in reads them here (`read_upload`, at most `max_bytes` in all),
keeps the bytes in memory (`DevFiles`, each under a random token, for an hour, at most
`max_stored_bytes` in all: the oldest go first) and hands the bot a Teams-shaped message whose
attachments are `application/vnd.microsoft.teams.file.download.info` with a `downloadUrl` on
this same loopback origin (`GET /_dev/directline/files/<token>/<name>`): the bot downloads it
like any other file, which local mode allows from loopback only.

A served file is always a download (`Content-Disposition: attachment`, `nosniff`, a sandboxing
CSP), so an uploaded page cannot run on the dev chat's origin.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from bot.devchannel.connector import JsonDict, error_response

FILE_DOWNLOAD_INFO: Final = "application/vnd.microsoft.teams.file.download.info"
MB: Final = 1024 * 1024
MAX_UPLOAD_BYTES: Final = 64 * MB
"""The most one upload may carry (the bot has its own, smaller limit and says so)."""
MAX_STORED_BYTES: Final = 256 * MB
MAX_FILES: Final = 10
MAX_ACTIVITY_BYTES: Final = 64 * 1024
FILE_LIFETIME_SECONDS: Final = 3600
CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class DevFile:
    name: str
    content_type: str
    data: bytes
    expires_at: float


@dataclass(frozen=True, slots=True)
class Upload:
    """What Web Chat sent: the message and its files (name, content type, bytes)."""

    activity: JsonDict
    files: list[tuple[str, str, bytes]]


class UploadRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.response = error_response(status, code, message)


def _safe_name(name: str | None) -> str:
    cleaned = "".join(c for c in (name or "") if c.isprintable() and c not in '/\\"')
    return cleaned.strip()[:150] or "fil"


async def _read_limited(part: BodyPartReader, limit: int) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            raise UploadRefused(413, "PayloadTooLarge", "the upload is too large")
    return bytes(data)


async def read_upload(request: web.Request, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """The multipart upload Web Chat sends; raises `UploadRefused` with the error to answer."""
    if not request.content_type.startswith("multipart/"):
        raise UploadRefused(415, "UnsupportedMediaType", "send multipart/form-data")
    if request.content_length is not None and request.content_length > max_bytes + MB:
        raise UploadRefused(413, "PayloadTooLarge", "the upload is too large")
    reader = await request.multipart()
    activity: Any = None
    files: list[tuple[str, str, bytes]] = []
    left = max_bytes
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise UploadRefused(400, "BadArgument", "nested multipart is not supported")
        if part.name == "activity":
            raw = await _read_limited(part, MAX_ACTIVITY_BYTES)
            try:
                activity = json.loads(raw)
            except ValueError:
                raise UploadRefused(400, "BadArgument", "the activity is not JSON") from None
        elif part.name == "file":
            if len(files) >= MAX_FILES:
                raise UploadRefused(400, "BadArgument", f"at most {MAX_FILES} files")
            data = await _read_limited(part, left)
            left -= len(data)
            content_type = part.headers.get("Content-Type") or "application/octet-stream"
            files.append((_safe_name(part.filename), content_type[:100], data))
        else:
            await _read_limited(part, MAX_ACTIVITY_BYTES)
    if not isinstance(activity, dict) or activity.get("type") != "message":
        raise UploadRefused(400, "BadArgument", "the 'activity' part must be a message")
    return Upload(activity, files)


class DevFiles:
    """The uploaded files, in memory, each under an unguessable token."""

    def __init__(
        self,
        *,
        path: str = "/_dev/directline/files/",
        lifetime_seconds: float = FILE_LIFETIME_SECONDS,
        max_stored_bytes: int = MAX_STORED_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self._lifetime = lifetime_seconds
        self._max_stored = max_stored_bytes
        self._clock = clock
        self._files: OrderedDict[str, DevFile] = OrderedDict()

    def add(self, name: str, content_type: str, data: bytes) -> str:
        """Keep a file; its token."""
        token = secrets.token_urlsafe(24)
        self._files[token] = DevFile(name, content_type, data, self._clock() + self._lifetime)
        self._prune()
        return token

    def url(self, origin: str, token: str) -> str:
        name = self._files[token].name if token in self._files else "fil"
        return f"{origin}{self.path}{token}/{quote(name, safe='')}"

    def _prune(self) -> None:
        now = self._clock()
        for token in [t for t, f in self._files.items() if f.expires_at <= now]:
            del self._files[token]
        while sum(len(f.data) for f in self._files.values()) > self._max_stored:
            self._files.popitem(last=False)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """`GET <path><token>/<name>`: the file as a download."""
        self._prune()
        found = self._files.get(request.match_info.get("token", ""))
        if found is None:
            return error_response(404, "NotFound", "no such file (they are kept for an hour)")
        return web.Response(
            body=found.data,
            headers={
                "Content-Type": found.content_type,
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Cache-Control": "no-store",
            },
        )

    def teams_attachment(self, origin: str, token: str) -> JsonDict:
        """The attachment Teams sends a bot for a file in a personal chat."""
        found = self._files[token]
        url = self.url(origin, token)
        extension = found.name.rsplit(".", 1)[-1].lower() if "." in found.name else ""
        return {
            "contentType": FILE_DOWNLOAD_INFO,
            "contentUrl": url,
            "name": found.name,
            "content": {
                "downloadUrl": url,
                "uniqueId": str(uuid.uuid4()),
                "fileType": extension,
                "etag": f'"{{{uuid.uuid4()}}},1"',
            },
        }

    def webchat_attachment(self, origin: str, token: str) -> JsonDict:
        """The same file as Web Chat shows it in the user's own bubble."""
        found = self._files[token]
        return {
            "contentType": found.content_type,
            "contentUrl": self.url(origin, token),
            "name": found.name,
        }


__all__ = ["DevFiles", "Upload", "UploadRefused", "read_upload"]
