"""Uploading a file to the address Teams gives when someone accepts a file consent card.

After `fileConsent/invoke` with `action: accept`, `value.uploadInfo.uploadUrl` is a
pre-authenticated OneDrive/SharePoint upload session in the person's OneDrive. The bytes go
there with `PUT`s carrying `Content-Range: bytes <first>-<last>/<total>` (Microsoft Graph's
upload sessions: chunks a multiple of 320 KiB, each answered 202 until the last, answered 200 or
201). No credentials or cookies are sent: the address itself is the authorisation.

The address comes from a request, so it is checked like a download address before any byte is
sent (`bot.teams.file_downloads.check_url`): https on port 443 to a host in `EXPORT_UPLOAD_HOSTS`
(`*.sharepoint.com` by default; local mode adds loopback for the tests), never to a private
address outside local mode (the resolver itself refuses them), and redirects are not followed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import aiohttp

from bot.teams.file_downloads import DownloadPolicy, DownloadRefused, GuardedResolver, check_url

log = logging.getLogger(__name__)

CHUNK_BYTES: Final = 10 * 320 * 1024
"""3.2 MiB: a multiple of 320 KiB, as upload sessions ask."""
USER_AGENT: Final = "Kontraktsvakt (file upload)"
DONE_STATUSES: Final = frozenset({200, 201})


class UploadFailed(Exception):
    """The upload was refused before it began (`refused`) or did not complete."""

    def __init__(self, message: str, *, refused: bool = False, status: int = 0) -> None:
        super().__init__(message)
        self.refused = refused
        self.status = status


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    allowed_hosts: frozenset[str]
    local_mode: bool = False
    timeout_seconds: float = 60.0


class FileUploader:
    """PUTs files to upload sessions through one aiohttp session of its own. `close()` it."""

    def __init__(self, policy: UploadPolicy) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=self.policy.local_mode),
                limit=16,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(
                    total=self.policy.timeout_seconds,
                    connect=min(10.0, self.policy.timeout_seconds),
                ),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def check(self, url: str) -> str:
        """The host, if files may be sent to `url`; raises `UploadFailed(refused=True)`."""
        policy = DownloadPolicy(
            allowed_hosts=self.policy.allowed_hosts, local_mode=self.policy.local_mode
        )
        try:
            return check_url(url, policy)
        except DownloadRefused as exc:
            raise UploadFailed(f"upload address refused: {exc.code}", refused=True) from None

    async def upload(self, url: str, path: Path, size: int) -> None:
        """Send the file at `path` (`size` bytes) to the upload session at `url`."""
        host = self.check(url)
        if size <= 0:
            raise UploadFailed("nothing to upload", refused=True)
        try:
            with path.open("rb") as source:
                first = 0
                while first < size:
                    chunk = await asyncio.to_thread(source.read, CHUNK_BYTES)
                    if not chunk:
                        raise UploadFailed("the file is shorter than its size")
                    last = first + len(chunk) - 1
                    await self._put(url, chunk, first, last, size)
                    first = last + 1
        except OSError as exc:
            raise UploadFailed(f"could not read the export: {exc}") from exc
        log.info("file uploaded", extra={"host": host, "bytes": size})

    async def _put(self, url: str, chunk: bytes, first: int, last: int, size: int) -> None:
        headers = {
            "Content-Length": str(len(chunk)),
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Type": "application/octet-stream",
        }
        try:
            async with self.session.put(
                url, data=chunk, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise UploadFailed(f"upload failed: {type(exc).__name__}") from exc
        accepted = DONE_STATUSES if last + 1 == size else DONE_STATUSES | {202}
        if status not in accepted:
            raise UploadFailed(f"upload answered {status}", status=status)


__all__ = ["FileUploader", "UploadFailed", "UploadPolicy"]
