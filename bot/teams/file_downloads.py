"""Downloading the files people send the bot: Teams' file attachments and pasted links.

In a 1:1 chat Teams hands the bot a file as an attachment of type
`application/vnd.microsoft.teams.file.download.info` whose `content.downloadUrl` is a short-lived,
pre-authenticated SharePoint/OneDrive address (PLATFORM.md). A pasted link is treated the same
way. Nothing is fetched unless it passes every check here:

- **The address** (`check_url`, before any request): https, on port 443, with no user name or
  password in it, on a host in `DownloadPolicy.allowed_hosts` (`*.sharepoint.com` allows its
  subdomains). Local mode (the dev chat, tests) also allows plain http to loopback hosts.
- **Where the host points**: outside local mode every address a name resolves to must be a public
  one (no loopback, private, link-local or reserved networks), checked in the resolver itself
  (`GuardedResolver`), so a name cannot be re-pointed between the check and the connection; an IP
  literal is checked the same way.
- **Redirects** are followed by hand (at most `max_redirects`), and only on the same host; a
  redirect elsewhere is refused.
- **Size**: a `Content-Length` over the limit is refused before the body is read; the body is
  streamed and the download stopped as soon as it passes the limit (the domain's
  `UploadRefusal.TOO_LARGE`).
- **Type**: as soon as the first `HEAD_BYTES` are in (or the whole file, if smaller), the
  domain's `check_upload` decides on the name and those bytes; a refused type stops the download.
  A web page (a sign-in page behind a sharing link) is refused as not a file.
- **Time**: the whole download, redirects included, has `timeout_seconds`.

No cookies are kept and no credentials are sent. Refusals raise `DownloadRefused` (this module's
codes) or the domain's `UploadRefused`; both carry a code for the bot's text catalogue.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from enum import StrEnum
from typing import Any, Final
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from followup.documents.services import (
    DEFAULT_EXTENSIONS,
    FILE_TYPES,
    HEAD_BYTES,
    MB,
    UploadPolicy,
    UploadRefusal,
    UploadRefused,
    check_upload,
    extension_of,
)

log = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO: Final = "application/vnd.microsoft.teams.file.download.info"
MAX_URL: Final = 4096
MAX_NAME: Final = 255
MAX_FILES: Final = 10
"""Files taken from one message (attachments and links together)."""
CHUNK: Final = 64 * 1024
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
WEB_PAGE_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT: Final = "Kontraktsvakt (file download)"
_LINK: Final = re.compile(r"\bhttps?://[^\s<>\"«»]+", re.IGNORECASE)
_LINK_TRAILER: Final = ".,;:!?)]}'"


# --- what a message offers --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileOffer:
    """A file to fetch: a Teams file attachment or a pasted link."""

    url: str
    name: str | None = None
    file_type: str | None = None
    """The extension Teams reports (`content.fileType`), if any."""


def _field(item: Any, key: str, attribute: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, attribute, None)


def _short(value: Any, limit: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def file_attachments(attachments: Iterable[Any] | None) -> list[FileOffer]:
    """Teams' file attachments (botbuilder `Attachment`s or their JSON), at most `MAX_FILES`;
    anything else (the `text/html` twin of the message, cards, inline images) is left out."""
    offers: list[FileOffer] = []
    for item in attachments or ():
        if _field(item, "contentType", "content_type") != FILE_DOWNLOAD_INFO:
            continue
        content = _field(item, "content", "content")
        url = _short(content.get("downloadUrl"), MAX_URL) if isinstance(content, dict) else None
        if url is None:
            continue
        file_type = content.get("fileType") if isinstance(content, dict) else None
        offers.append(
            FileOffer(url, _short(_field(item, "name", "name"), MAX_NAME), _short(file_type, 16))
        )
        if len(offers) >= MAX_FILES:
            break
    return offers


def has_file_attachments(attachments: Iterable[Any] | None) -> bool:
    return any(
        _field(item, "contentType", "content_type") == FILE_DOWNLOAD_INFO
        for item in attachments or ()
    )


def links_in(text: str | None) -> list[str]:
    """The http(s) links in a message, in order, without trailing punctuation."""
    found: list[str] = []
    for match in _LINK.finditer(text or ""):
        link = match.group(0).rstrip(_LINK_TRAILER)
        if link not in found:
            found.append(link)
    return found


# --- refusals ---------------------------------------------------------------------------------


class DownloadRefusal(StrEnum):
    """Why a file was not fetched; the value is the code for the bot's text catalogue."""

    BAD_LINK = "upload.bad_link"
    NOT_HTTPS = "upload.not_https"
    HOST_NOT_ALLOWED = "upload.host_not_allowed"
    """values: host"""
    REDIRECT_REFUSED = "upload.redirect_refused"
    """values: host (where the redirect pointed)"""
    FAILED = "upload.download_failed"
    """values: status (0: no answer)"""
    TIMEOUT = "upload.download_timeout"
    """values: seconds"""
    NOT_A_FILE = "upload.not_a_file"


class DownloadRefused(Exception):
    def __init__(self, reason: DownloadRefusal, **values: object) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.code = reason.value
        self.values = values


@dataclass(frozen=True, slots=True)
class DownloadPolicy:
    allowed_hosts: frozenset[str]
    local_mode: bool = False
    """Plain http to loopback, and any address a name resolves to (the dev chat, tests)."""
    max_bytes: int = 25 * MB
    timeout_seconds: float = 60.0
    max_redirects: int = 3
    extensions: frozenset[str] = field(default=DEFAULT_EXTENSIONS)

    @property
    def upload_policy(self) -> UploadPolicy:
        return UploadPolicy(max_bytes=self.max_bytes, extensions=self.extensions)


def _host_matches(host: str, allowed: frozenset[str]) -> bool:
    for pattern in allowed:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _public_address(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, policy: DownloadPolicy) -> str:
    """The URL's host if the URL may be fetched (see the module docstring); raises
    `DownloadRefused` otherwise. Makes no request."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL or not url.isascii():
        raise DownloadRefused(DownloadRefusal.BAD_LINK)
    if "\\" in url or any(c.isspace() or ord(c) < 32 for c in url):
        raise DownloadRefused(DownloadRefusal.BAD_LINK)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DownloadRefused(DownloadRefusal.BAD_LINK) from None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in {"http", "https"} or not host or parts.username or parts.password:
        raise DownloadRefused(DownloadRefusal.BAD_LINK)
    loopback_dev = policy.local_mode and host in LOOPBACK
    if parts.scheme != "https" and not loopback_dev:
        raise DownloadRefused(DownloadRefusal.NOT_HTTPS)
    if not _host_matches(host, policy.allowed_hosts):
        raise DownloadRefused(DownloadRefusal.HOST_NOT_ALLOWED, host=host)
    if not loopback_dev and port not in (None, 443):
        raise DownloadRefused(DownloadRefusal.HOST_NOT_ALLOWED, host=host)
    is_literal = _is_ip_literal(host)
    if is_literal and not policy.local_mode and not _public_address(host):
        raise DownloadRefused(DownloadRefusal.HOST_NOT_ALLOWED, host=host)
    return host


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class AddressNotAllowed(OSError):
    """A host name resolved only to addresses that may not be fetched from."""


class GuardedResolver(ThreadedResolver):
    """The threaded resolver, keeping only public addresses (unless `allow_private`)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await super().resolve(host, port, family)
        if self._allow_private:
            return found
        kept = [r for r in found if _public_address(r["host"])]
        if not kept:
            log.warning("a download host resolved to no public address", extra={"host": host})
            raise AddressNotAllowed(f"{host} resolves to no public address")
        return kept


# --- downloading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DownloadedFile:
    name: str
    data: bytes
    media_type: str | None
    """What the server said it is (`Content-Type`, no parameters)."""


def _name_from_headers(disposition: str | None) -> str | None:
    if not disposition:
        return None
    message = Message()
    message["content-disposition"] = disposition
    try:
        name = message.get_filename()
    except (ValueError, LookupError):
        return None
    return name if name and len(name) <= MAX_NAME else None


def _name_from_url(url: str) -> str | None:
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last if last and extension_of(last) and len(last) <= MAX_NAME else None


def file_name_for(
    offer: FileOffer, disposition: str | None, media_type: str | None, final_url: str
) -> str:
    """The name to check and show: Teams' name, else the server's, else the link's last part;
    with no extension, the one Teams reports or the one of the server's media type."""
    name = offer.name or _name_from_headers(disposition) or _name_from_url(final_url) or "dokument"
    if not extension_of(name):
        extension = (offer.file_type or "").lower().lstrip(".")
        if extension not in FILE_TYPES:
            extension = next(
                (t.extension for t in FILE_TYPES.values() if t.media_type == media_type), ""
            )
        if extension:
            name = f"{name}.{extension}"
    return name


class FileDownloader:
    """Fetches offered files under a `DownloadPolicy`, through one aiohttp session of its own
    (no cookies, the guarded resolver). `close()` it when done."""

    def __init__(self, policy: DownloadPolicy) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            per_step = min(self.policy.timeout_seconds, 30.0)
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=self.policy.local_mode),
                limit=32,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=min(per_step, 10.0), sock_read=per_step
                ),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def download(self, offer: FileOffer) -> DownloadedFile:
        """The file's bytes, checked; raises `DownloadRefused` or `UploadRefused`."""
        check_url(offer.url, self.policy)
        try:
            async with asyncio.timeout(self.policy.timeout_seconds):
                return await self._fetch(offer)
        except TimeoutError:
            raise DownloadRefused(
                DownloadRefusal.TIMEOUT, seconds=round(self.policy.timeout_seconds)
            ) from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, AddressNotAllowed):
                raise DownloadRefused(DownloadRefusal.HOST_NOT_ALLOWED, host=exc.host) from None
            raise DownloadRefused(DownloadRefusal.FAILED, status=0) from exc
        except aiohttp.ClientError as exc:
            raise DownloadRefused(DownloadRefusal.FAILED, status=0) from exc

    async def _fetch(self, offer: FileOffer) -> DownloadedFile:
        url = offer.url
        host = check_url(url, self.policy)
        for _ in range(self.policy.max_redirects + 1):
            async with self.session.get(url, allow_redirects=False) as response:
                if response.status in REDIRECT_STATUSES:
                    url = self._redirect(url, host, response.headers.get("Location"))
                    continue
                if response.status != 200:
                    log.info(
                        "a file download was answered with an error",
                        extra={"status": response.status, "host": host},
                    )
                    raise DownloadRefused(DownloadRefusal.FAILED, status=response.status)
                return await self._read(offer, url, response)
        raise DownloadRefused(DownloadRefusal.REDIRECT_REFUSED, host=host)

    def _redirect(self, url: str, host: str, location: str | None) -> str:
        if not location:
            raise DownloadRefused(DownloadRefusal.FAILED, status=0)
        target = urljoin(url, location)
        try:
            target_host = check_url(target, self.policy)
        except DownloadRefused:
            shown = (urlsplit(target).hostname or "?")[:80]
            raise DownloadRefused(DownloadRefusal.REDIRECT_REFUSED, host=shown) from None
        if target_host != host:
            raise DownloadRefused(DownloadRefusal.REDIRECT_REFUSED, host=target_host[:80])
        return target

    async def _read(
        self, offer: FileOffer, url: str, response: aiohttp.ClientResponse
    ) -> DownloadedFile:
        policy = self.policy.upload_policy
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media_type in WEB_PAGE_TYPES:
            raise DownloadRefused(DownloadRefusal.NOT_A_FILE)
        name = file_name_for(
            offer, response.headers.get("Content-Disposition"), media_type or None, url
        )
        declared = response.content_length
        if declared is not None and declared > policy.max_bytes:
            raise _too_large(declared, policy.max_bytes)
        data = bytearray()
        checked = False
        async for chunk in response.content.iter_chunked(CHUNK):
            data += chunk
            if len(data) > policy.max_bytes:
                raise _too_large(len(data), policy.max_bytes)
            if not checked and len(data) >= HEAD_BYTES:
                # Not all of it yet: a size one past what is here keeps the check partial.
                size = max(declared or 0, len(data) + 1)
                check_upload(name, media_type, size, bytes(data[:HEAD_BYTES]), policy=policy)
                checked = True
        body = bytes(data)
        accepted = check_upload(name, media_type, len(body), body, policy=policy)
        return DownloadedFile(accepted.file_name, body, media_type or None)


def _too_large(size: int, max_bytes: int) -> UploadRefused:
    return UploadRefused(
        UploadRefusal.TOO_LARGE, size=size, max_bytes=max_bytes, max_mb=max_bytes // MB
    )


__all__ = [
    "FILE_DOWNLOAD_INFO",
    "MAX_FILES",
    "DownloadPolicy",
    "DownloadRefusal",
    "DownloadRefused",
    "DownloadedFile",
    "FileDownloader",
    "FileOffer",
    "GuardedResolver",
    "check_url",
    "file_attachments",
    "file_name_for",
    "has_file_attachments",
    "links_in",
]
