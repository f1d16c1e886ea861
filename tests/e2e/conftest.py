"""End-to-end fixtures: the real app on a free loopback port, and the Bot Connector stand-in."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from tests.fakes import FaultyConnector

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "payloads"
TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FaultyConnector, str]]:
    standin = FaultyConnector()
    runner, url = await start_site(standin.app())
    yield standin, url + "/"
    await runner.cleanup()


@dataclass
class BotServer:
    url: str
    app: web.Application
    session: aiohttp.ClientSession
    connector: FaultyConnector
    service_url: str

    async def post(
        self, activity: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        async with self.session.post(
            self.url + "/api/messages", json=activity, headers=headers
        ) as r:
            body = await r.text()
            return r.status, (
                json.loads(body) if body and r.content_type == "application/json" else body
            )

    async def post_raw(self, data: bytes, content_type: str = "application/json") -> int:
        async with self.session.post(
            self.url + "/api/messages", data=data, headers={"Content-Type": content_type}
        ) as r:
            await r.read()
            return r.status

    def payload(self, name: str) -> dict[str, Any]:
        activity: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
        activity["serviceUrl"] = self.service_url
        return copy.deepcopy(activity)


ServerFactory = Callable[..., "AsyncIterator[BotServer]"]


@pytest.fixture
async def make_server(
    connector: tuple[FaultyConnector, str],
) -> AsyncIterator[Callable[..., Any]]:
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []

    async def make(db_url: str, **settings: Any) -> BotServer:
        standin, service_url = connector
        values: dict[str, Any] = {"DATABASE_URL": db_url, "DEV_CHANNEL": False}
        values.update(settings)
        app = create_app(Settings(**values))
        runner, url = await start_site(app)
        runners.append(runner)
        session = aiohttp.ClientSession()
        sessions.append(session)
        return BotServer(url, app, session, standin, service_url)

    yield make
    for session in sessions:
        await session.close()
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def server(make_server: Callable[..., Any], db_url: str) -> BotServer:
    result: BotServer = await make_server(db_url)
    return result


from tests.e2e.reminder_harness import reminders  # noqa: E402,F401 (a fixture for every e2e test)
