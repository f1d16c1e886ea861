"""Reporting a deviation in the dev chat (the official Web Chat in Debian's headless Chromium):
a demo owner types `meld avvik KOM-…`, answers the questions by typing (and one by clicking a
button of the question's card), and sees the confirmation; the deviation is in the database.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import ENGINE, create_app
from bot.settings import Settings
from followup.models import Deviation, DeviationCategory, Remedy, Severity
from storage.db import create_db_engine, create_session_factory
from storage.demo_data import demo_people, load_demo_calendar, load_demo_data
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

MONDAY_10_OSLO = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TIMEOUT = 15_000


@dataclass
class DevChat:
    app: web.Application
    base: str
    uow_factory: SqlAlchemyUnitOfWorkFactory


@pytest.fixture
async def dev_chat(sqlite_url: str) -> AsyncIterator[DevChat]:
    clock = FakeClock(MONDAY_10_OSLO)
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=clock.now)
    load_demo_calendar(engine, clock.now)
    engine.dispose()
    settings = Settings(
        MicrosoftAppId="", DATABASE_URL=sqlite_url, DATA_DIR=ROOT / "var", HOST="127.0.0.1"
    )
    app = create_app(settings, clock=clock)
    runner, base = await start_site(app)
    yield DevChat(app, base, SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE])))
    await runner.cleanup()


def _owner_and_contract(chat: DevChat) -> tuple[str, str]:
    """A demo owner with a unique name, and the reference of a contract they own."""
    people = demo_people(chat.app[ENGINE])
    names = Counter(p.display_name for p in people)
    with chat.uow_factory() as uow:
        for person in people:
            if "owner" not in person.roles or names[person.display_name] > 1:
                continue
            owned = [c for c in uow.contracts.for_person(person.id) if c.owner_id == person.id]
            if owned:
                return person.display_name, owned[0].reference
    raise AssertionError("no demo owner owns a contract: load_demo_data must make some")


def _deviations(chat: DevChat, reference: str) -> list[Deviation]:
    with chat.uow_factory() as uow:
        contract = uow.contracts.by_reference(reference)
        assert contract is not None
        return list(uow.deviations.for_contract(contract.id))


async def test_a_person_reports_a_deviation_by_typing(page: Page, dev_chat: DevChat) -> None:
    name, reference = await asyncio.to_thread(_owner_and_contract, dev_chat)
    before = await asyncio.to_thread(_deviations, dev_chat, reference)
    await open_chat_as(page, dev_chat.base, name)
    bubbles = page.locator(".webchat__bubble__content")
    box = page.locator('[data-id="webchat-sendbox-input"]')

    async def say(text: str, then: str) -> None:
        await box.fill(text)
        await box.press("Enter")
        await bubbles.filter(has_text=then).last.wait_for(timeout=TIMEOUT)

    await say(f"meld avvik {reference}", "Hva slags avvik er det?")
    await say("forsinkelse", "Hvor alvorlig er avviket?")
    # One answer by the question's button (an Action.Submit), as Teams users would.
    buttons = page.locator(".ac-adaptiveCard").last
    await buttons.get_by_role("button", name="Middels", exact=True).click()
    await bubbles.filter(has_text="Når skjedde det").last.wait_for(timeout=TIMEOUT)
    await say("i går", "Beskriv hva som skjedde")
    await say("Brøytebilen kom to timer for sent.", "Hvilket tiltak foreslår du?")
    await say("reklamasjon", "Stemmer dette?")
    summary = page.locator(".ac-adaptiveCard", has_text="Brøytebilen kom to timer for sent.")
    await summary.last.wait_for(state="visible", timeout=TIMEOUT)
    assert await asyncio.to_thread(_deviations, dev_chat, reference) == before
    await say("ja", f"er registrert på {reference}")

    after = await asyncio.to_thread(_deviations, dev_chat, reference)
    (deviation,) = [d for d in after if d not in before]
    confirmation = bubbles.filter(has_text=f"Avvik {deviation.code!s} er registrert")
    await confirmation.last.wait_for(state="visible", timeout=TIMEOUT)
    shown = await confirmation.last.inner_text()
    assert "Forsinkelse" in shown
    assert "alvorlighetsgrad middels" in shown
    assert "søndag 22. november 2026" in shown
    assert deviation.category is DeviationCategory.DELAY
    assert deviation.severity is Severity.MEDIUM
    assert deviation.occurred_on == date(2026, 11, 22)
    assert deviation.remedy is Remedy.NOTICE
    assert deviation.description == "Brøytebilen kom to timer for sent."
