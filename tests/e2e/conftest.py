"""End-to-end fixtures: the Bot Connector stand-in, the real app on a free loopback port (plain,
or with its reminder jobs: `reminders`), and a browser page on a module's dev chat (`page`).
What they are made of is in `tests/e2e/harness.py`, `reminder_harness.py` and
`browser_support.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import ADAPTER, ENGINE, create_app
from bot.settings import Settings
from bot.wiring import build_reminder_jobs
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import DevSite, local_page
from tests.e2e.harness import BotServer, start_site
from tests.e2e.reminder_harness import MONDAY_10_OSLO, Reminders
from tests.fakes import FakeClock, FaultyConnector


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FaultyConnector, str]]:
    standin = FaultyConnector()
    runner, url = await start_site(standin.app())
    yield standin, url + "/"
    await runner.cleanup()


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


@pytest.fixture
async def reminders(
    connector: tuple[FaultyConnector, str], db_url: str
) -> AsyncIterator[Reminders]:
    standin, service_url = connector
    clock = FakeClock(MONDAY_10_OSLO)
    settings = Settings(DATABASE_URL=db_url, DEV_CHANNEL=False, SEND_RATE_PER_TENANT=0)
    app = create_app(settings, clock=clock)
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e")
    try:
        yield Reminders(
            BotServer(url, app, session, standin, service_url), jobs, clock, uow_factory
        )
    finally:
        jobs.stop.set()
        await jobs.idle()
        await session.close()
        await runner.cleanup()


@pytest.fixture
async def page(dev_chat: DevSite) -> AsyncIterator[Page]:
    """Headless Chromium on the dev chat of the test module's own `dev_chat` fixture (the app
    it set up, on a free port), allowed to load nothing but that site (`local_page`)."""
    async with local_page(dev_chat.base) as page:
        yield page
