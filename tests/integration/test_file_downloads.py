"""The file downloader against a real local aiohttp file host: which addresses it fetches from at
all, redirects, size limits (declared and streamed), timeouts, types, and what a message offers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.devchannel.connector import Handler
from bot.teams.file_downloads import (
    DownloadPolicy,
    DownloadRefusal,
    DownloadRefused,
    FileDownloader,
    FileOffer,
    check_url,
    file_attachments,
    has_file_attachments,
    links_in,
)
from followup.documents.services import UploadRefusal, UploadRefused

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 400 + b"%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 20_000
LIMIT = 256 * 1024
PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "payloads"


@dataclass
class FileHost:
    base: str
    port: int
    requests: Counter[str] = field(default_factory=Counter)
    streamed: dict[str, int] = field(default_factory=dict)


@pytest.fixture
async def host() -> AsyncIterator[FileHost]:
    state = FileHost("", 0)

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        state.requests[request.path] += 1
        return await handler(request)

    async def pdf(_request: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/pdf")

    async def named(_request: web.Request) -> web.Response:
        return web.Response(
            body=PDF,
            content_type="application/pdf",
            headers={"Content-Disposition": "attachment; filename*=UTF-8''Skatteattest%202026.pdf"},
        )

    async def big_declared(request: web.Request) -> web.StreamResponse:
        # The headers at once, the body only after a pause: refusing on Content-Length alone
        # is the only way to answer before the download's time runs out.
        response = web.StreamResponse(headers={"Content-Type": "application/pdf"})
        response.content_length = len(PDF) + 4 * LIMIT
        await response.prepare(request)
        await asyncio.sleep(1.5)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await response.write(PDF + b"0" * (4 * LIMIT))
        return response

    async def big_streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/pdf"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        written = 0
        try:
            await response.write(PDF)
            for _ in range(800):  # 50 MB if nobody stops it
                await response.write(b"0" * 65536)
                written += 65536
                await asyncio.sleep(0)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            state.streamed["big"] = written
        return response

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(1.5)
        return web.Response(body=PDF, content_type="application/pdf")

    async def exe(_request: web.Request) -> web.Response:
        return web.Response(body=EXE, content_type="application/pdf")

    async def empty(_request: web.Request) -> web.Response:
        return web.Response(body=b"", content_type="application/pdf")

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html>Logg inn</html>", content_type="text/html")

    async def missing(_request: web.Request) -> web.Response:
        return web.Response(status=404)

    def redirect(to: str) -> Handler:
        async def handler(_request: web.Request) -> web.Response:
            location = to.replace("PORT", str(state.port))
            return web.Response(status=302, headers={"Location": location})

        return handler

    app = web.Application(middlewares=[count])
    app.router.add_get("/file.pdf", pdf)
    app.router.add_get("/link/abc", named)
    app.router.add_get("/big-declared.pdf", big_declared)
    app.router.add_get("/big-streamed.pdf", big_streamed)
    app.router.add_get("/slow.pdf", slow)
    app.router.add_get("/setup.pdf", exe)
    app.router.add_get("/empty.pdf", empty)
    app.router.add_get("/page", page)
    app.router.add_get("/missing.pdf", missing)
    app.router.add_get("/same-host", redirect("/file.pdf"))
    app.router.add_get("/other-host", redirect("http://localhost:PORT/file.pdf"))
    app.router.add_get("/outside", redirect("https://files.example.net/file.pdf"))
    app.router.add_get("/loop", redirect("/loop"))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.port = runner.addresses[0][1]
    state.base = f"http://127.0.0.1:{state.port}"
    yield state
    await runner.cleanup()


@pytest.fixture
async def downloader() -> AsyncIterator[FileDownloader]:
    fetcher = FileDownloader(
        DownloadPolicy(
            allowed_hosts=frozenset({"127.0.0.1", "localhost"}),
            local_mode=True,
            max_bytes=LIMIT,
            timeout_seconds=2,
        )
    )
    yield fetcher
    await fetcher.close()


async def refused(downloader: FileDownloader, url: str, name: str | None = None) -> str:
    with pytest.raises((DownloadRefused, UploadRefused)) as caught:
        await downloader.download(FileOffer(url, name))
    error = caught.value
    assert isinstance(error, (DownloadRefused, UploadRefused))
    return str(error.code)


# --- allowed ----------------------------------------------------------------------------------


async def test_a_file_from_an_allowed_host_is_downloaded(
    host: FileHost, downloader: FileDownloader
) -> None:
    got = await downloader.download(FileOffer(host.base + "/file.pdf", "Skatteattest.pdf", "pdf"))

    assert got.data == PDF
    assert got.name == "Skatteattest.pdf"
    assert got.media_type == "application/pdf"
    assert host.requests["/file.pdf"] == 1


async def test_a_link_takes_its_name_from_the_server(
    host: FileHost, downloader: FileDownloader
) -> None:
    got = await downloader.download(FileOffer(host.base + "/link/abc"))

    assert got.name == "Skatteattest 2026.pdf"
    assert got.data == PDF


async def test_a_redirect_on_the_same_host_is_followed(
    host: FileHost, downloader: FileDownloader
) -> None:
    got = await downloader.download(FileOffer(host.base + "/same-host", "a.pdf"))

    assert got.data == PDF
    assert host.requests["/same-host"] == host.requests["/file.pdf"] == 1


# --- where from -------------------------------------------------------------------------------


async def test_a_host_not_allowed_is_refused_without_any_request(
    host: FileHost,
) -> None:
    only_ip = FileDownloader(
        DownloadPolicy(allowed_hosts=frozenset({"127.0.0.1"}), local_mode=True, max_bytes=LIMIT)
    )
    try:
        code = await refused(only_ip, f"http://localhost:{host.port}/file.pdf", "a.pdf")
    finally:
        await only_ip.close()

    assert code == DownloadRefusal.HOST_NOT_ALLOWED
    assert sum(host.requests.values()) == 0


async def test_a_redirect_to_another_host_is_refused(
    host: FileHost, downloader: FileDownloader
) -> None:
    # localhost is allowed too, but it is not the host the link named.
    assert await refused(downloader, host.base + "/other-host", "a.pdf") == (
        DownloadRefusal.REDIRECT_REFUSED
    )
    assert await refused(downloader, host.base + "/outside", "a.pdf") == (
        DownloadRefusal.REDIRECT_REFUSED
    )
    assert host.requests["/file.pdf"] == 0


async def test_endless_redirects_stop(host: FileHost, downloader: FileDownloader) -> None:
    assert await refused(downloader, host.base + "/loop", "a.pdf") == (
        DownloadRefusal.REDIRECT_REFUSED
    )
    assert host.requests["/loop"] == 4


async def test_outside_local_mode_only_https_to_public_addresses(host: FileHost) -> None:
    strict = FileDownloader(
        DownloadPolicy(
            allowed_hosts=frozenset({"127.0.0.1", "localhost", "*.sharepoint.com"}),
            local_mode=False,
            max_bytes=LIMIT,
        )
    )
    try:
        assert await refused(strict, host.base + "/file.pdf", "a.pdf") == (
            DownloadRefusal.NOT_HTTPS
        )
        # An allowed name that points at a private address is refused by the resolver.
        assert await refused(strict, "https://localhost/file.pdf", "a.pdf") == (
            DownloadRefusal.HOST_NOT_ALLOWED
        )
    finally:
        await strict.close()
    assert sum(host.requests.values()) == 0
    policy = strict.policy
    for url, reason in [
        ("https://127.0.0.1/file.pdf", DownloadRefusal.HOST_NOT_ALLOWED),
        ("https://10.1.2.3/file.pdf", DownloadRefusal.HOST_NOT_ALLOWED),
        ("https://bergvik.sharepoint.com:8443/x.pdf", DownloadRefusal.HOST_NOT_ALLOWED),
        ("https://evilsharepoint.com/x.pdf", DownloadRefusal.HOST_NOT_ALLOWED),
        ("https://sharepoint.com.evil.net/x.pdf", DownloadRefusal.HOST_NOT_ALLOWED),
        ("https://user:pw@bergvik.sharepoint.com/x.pdf", DownloadRefusal.BAD_LINK),
        ("https://bergvik.sharepoint.com\\@evil.net/x.pdf", DownloadRefusal.BAD_LINK),
        ("ftp://bergvik.sharepoint.com/x.pdf", DownloadRefusal.BAD_LINK),
        ("http://bergvik.sharepoint.com/x.pdf", DownloadRefusal.NOT_HTTPS),
    ]:
        with pytest.raises(DownloadRefused) as caught:
            check_url(url, policy)
        assert caught.value.reason is reason, url
    assert check_url("https://bergvik-my.sharepoint.com/x.pdf", policy) == (
        "bergvik-my.sharepoint.com"
    )


# --- size, time, type -------------------------------------------------------------------------


async def test_too_large_by_content_length_is_refused_before_the_body(host: FileHost) -> None:
    quick = FileDownloader(
        DownloadPolicy(
            allowed_hosts=frozenset({"127.0.0.1"}),
            local_mode=True,
            max_bytes=LIMIT,
            timeout_seconds=0.5,
        )
    )
    try:
        with pytest.raises(UploadRefused) as caught:
            await quick.download(FileOffer(host.base + "/big-declared.pdf", "a.pdf"))
    finally:
        await quick.close()

    assert caught.value.reason is UploadRefusal.TOO_LARGE
    assert caught.value.values["size"] == len(PDF) + 4 * LIMIT


async def test_too_large_without_content_length_stops_at_the_limit(
    host: FileHost, downloader: FileDownloader
) -> None:
    with pytest.raises(UploadRefused) as caught:
        await downloader.download(FileOffer(host.base + "/big-streamed.pdf", "a.pdf"))

    assert caught.value.reason is UploadRefusal.TOO_LARGE
    assert LIMIT < int(str(caught.value.values["size"])) <= LIMIT + 65536
    for _ in range(200):
        if "big" in host.streamed:
            break
        await asyncio.sleep(0.01)
    assert host.streamed["big"] < 800 * 65536, "the download must stop, not read to the end"


async def test_a_slow_host_times_out(host: FileHost) -> None:
    quick = FileDownloader(
        DownloadPolicy(allowed_hosts=frozenset({"127.0.0.1"}), local_mode=True, timeout_seconds=0.3)
    )
    try:
        started = asyncio.get_running_loop().time()
        assert await refused(quick, host.base + "/slow.pdf", "a.pdf") == DownloadRefusal.TIMEOUT
        assert asyncio.get_running_loop().time() - started < 2
    finally:
        await quick.close()


async def test_wrong_type_empty_web_page_and_errors_are_refused(
    host: FileHost, downloader: FileDownloader
) -> None:
    assert await refused(downloader, host.base + "/setup.pdf", "Faktura.pdf") == (
        UploadRefusal.CONTENT_MISMATCH
    )
    assert await refused(downloader, host.base + "/file.pdf", "setup.exe") == (
        UploadRefusal.TYPE_NOT_ALLOWED
    )
    assert await refused(downloader, host.base + "/empty.pdf", "tom.pdf") == UploadRefusal.EMPTY
    assert await refused(downloader, host.base + "/page") == DownloadRefusal.NOT_A_FILE
    with pytest.raises(DownloadRefused) as caught:
        await downloader.download(FileOffer(host.base + "/missing.pdf", "a.pdf"))
    assert caught.value.reason is DownloadRefusal.FAILED
    assert caught.value.values == {"status": 404}


# --- what a message offers ----------------------------------------------------------------------


def test_teams_file_attachments_are_read_and_the_rest_left_out() -> None:
    payload = json.loads((PAYLOADS / "message_personal_file_upload_download_info.json").read_text())

    (offer,) = file_attachments(payload["attachments"])

    assert offer.name == "Leveransebekreftelse_KOM-2025-0147.pdf"
    assert offer.file_type == "pdf"
    assert offer.url.startswith("https://bergvikkommune-my.sharepoint.com/personal/")
    assert has_file_attachments(payload["attachments"])
    assert not has_file_attachments([{"contentType": "text/html", "content": "<p>x</p>"}])
    assert file_attachments([{"contentType": payload["attachments"][0]["contentType"]}]) == []


def test_links_in_a_message() -> None:
    assert links_in("dokument KOM-2025-0147 https://a.sharepoint.com/x.pdf.") == [
        "https://a.sharepoint.com/x.pdf"
    ]
    assert links_in("se (https://a.sharepoint.com/y?z=1) og http://b.no/c") == [
        "https://a.sharepoint.com/y?z=1",
        "http://b.no/c",
    ]
    assert links_in("ingen lenke her") == []
