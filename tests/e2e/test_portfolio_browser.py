"""Procurement's questions in the dev chat (the official Web Chat in Debian's headless
Chromium): a member of the demo municipality's procurement team types `status` and `forfalt`;
both come back as Adaptive Cards with their headings and the same numbers as the domain, and
the overdue card's `Mer` shows the next page in place.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import ENGINE, create_app
from bot.portfolio.commands import PAGE_SIZE
from bot.settings import Settings
from followup.calendar.workdays import oslo_today
from followup.portfolio import list_overdue, portfolio_status
from followup.views import PageRequest, Scope, StatusCounts
from storage.db import create_db_engine, create_session_factory
from storage.demo_data import DEMO_PROCUREMENT_EMAILS, load_demo_calendar, load_demo_data
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

LOADED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""The demo's plans are made on Monday 2 November; the test asks three weeks later, when the
follow-ups due in between (nobody answered them) are overdue."""
ASKED = LOADED + timedelta(weeks=3)
TIMEOUT = 15_000
ITEM = re.compile(r"\d+ d forfalt · KOM-[\w-]+")


@dataclass
class DevChat:
    app: web.Application
    base: str
    uow_factory: SqlAlchemyUnitOfWorkFactory


@pytest.fixture
async def dev_chat(sqlite_url: str) -> AsyncIterator[DevChat]:
    clock = FakeClock(LOADED)
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=clock.now)
    load_demo_calendar(engine, clock.now)
    engine.dispose()
    clock.now = ASKED
    settings = Settings(
        MicrosoftAppId="", DATABASE_URL=sqlite_url, DATA_DIR=ROOT / "var", HOST="127.0.0.1"
    )
    app = create_app(settings, clock=clock)
    runner, base = await start_site(app)
    yield DevChat(app, base, SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE])))
    await runner.cleanup()


def _procurement_member(chat: DevChat) -> tuple[str, StatusCounts, list[list[str]]]:
    """A demo procurement member's name, the whole portfolio's numbers today, and the first
    two pages of overdue follow-ups (`12 d forfalt · KOM-…` each)."""
    today = oslo_today(ASKED)
    with chat.uow_factory() as uow:
        person = uow.people.find_by_email_or_upn(DEMO_PROCUREMENT_EMAILS[1])
        assert person is not None
        counts = portfolio_status(uow, Scope.everything(), today).counts
        first = list_overdue(uow, Scope.everything(), today, PageRequest(size=PAGE_SIZE))
        second = list_overdue(
            uow, Scope.everything(), today, PageRequest(first.next_cursor, PAGE_SIZE)
        )
    pages = [
        [f"{i.days_overdue} d forfalt · {i.contract_reference}" for i in page.items]
        for page in (first, second)
    ]
    return person.display_name, counts, pages


def _items(shown: str) -> list[str]:
    return ITEM.findall(shown)


async def test_status_and_forfalt_render_as_cards(page: Page, dev_chat: DevChat) -> None:
    name, counts, pages = await asyncio.to_thread(_procurement_member, dev_chat)
    assert counts.overdue > 10, "the demo must have more than a page of overdue follow-ups"
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if m.type in {"error", "warning"} else None,
    )
    await open_chat_as(page, dev_chat.base, name)
    box = page.locator('[data-id="webchat-sendbox-input"]')

    await box.fill("status")
    await box.press("Enter")
    status = page.locator(".ac-adaptiveCard", has_text="Status for kontraktsoppfølgingen").last
    await status.wait_for(state="visible", timeout=TIMEOUT)
    shown = await status.inner_text()
    assert "Hele porteføljen" in shown
    assert "Kontrakter som følges opp" in shown
    assert str(counts.contracts_followed_up) in shown
    # Web Chat draws no Teams charts: the donut's words (its fallback) are shown instead, and
    # nothing of the bars (their numbers are the facts'), with no error.
    late = counts.answered - counts.answered_on_time
    unanswered = counts.due_in_period - counts.answered
    assert counts.due_in_period > 0
    assert (
        f"{counts.answered_on_time} besvart i tide, {late} for sent, {unanswered} ikke besvart"
        in shown
    )
    assert "Chart." not in shown
    assert "Åpne avvik etter alvorlighet" not in shown
    assert console == [], console
    await status.get_by_role("button", name=f"Forfalt ({counts.overdue})").wait_for()
    await status.get_by_role(
        "button", name=f"Åpne avvik ({counts.open_deviations_total})"
    ).wait_for()

    await box.fill("forfalt")
    await box.press("Enter")
    heading = f"Forfalte oppfølginger ({counts.overdue})"
    overdue = page.locator(".ac-adaptiveCard", has_text=heading).last
    await overdue.wait_for(state="visible", timeout=TIMEOUT)
    assert f"viser 1–10 av {counts.overdue}" in await overdue.inner_text()
    assert _items(await overdue.inner_text()) == pages[0]

    # `Mer` (an Action.Execute; the dev chat sends it as Teams would) redraws the card in place.
    await overdue.get_by_role("button", name="Mer", exact=True).click()
    second = page.locator(".ac-adaptiveCard", has_text="viser 11–")
    await second.last.wait_for(state="visible", timeout=TIMEOUT)
    assert heading in await second.last.inner_text()
    assert _items(await second.last.inner_text()) == pages[1]
    assert await page.locator(".ac-adaptiveCard", has_text="viser 1–10 av").count() == 0
