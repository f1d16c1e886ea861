"""The dev chat as a person sees it: the official Web Chat in Debian's headless Chromium.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import create_app
from bot.devchannel import DEV_CHANNEL
from bot.settings import Settings
from followup.models import Role
from followup.ports import OutgoingMessage
from storage.db import create_db_engine
from storage.demo_data import DEMO_MARKER_EMAIL, load_demo_calendar, load_demo_data
from tests.e2e.browser_support import ROOT
from tests.e2e.harness import start_site

pytestmark = pytest.mark.browser


@dataclass
class DevChat:
    app: web.Application
    base: str


@pytest.fixture
async def dev_chat(sqlite_url: str) -> AsyncIterator[DevChat]:
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=datetime.now(UTC))
    load_demo_calendar(engine, datetime.now(UTC))
    engine.dispose()
    app = create_app(
        Settings(
            MicrosoftAppId="", DATABASE_URL=sqlite_url, DATA_DIR=ROOT / "var", HOST="127.0.0.1"
        )
    )
    runner, url = await start_site(app)
    yield DevChat(app, url)
    await runner.cleanup()


async def _pick(page: Page, base: str, name: str) -> None:
    await page.goto(base + "/dev")
    await page.get_by_text("Hvem er du?").wait_for()
    await page.locator("ul.people .name", has_text=name).first.click()


async def test_welcome_then_help(page: Page, dev_chat: DevChat) -> None:
    base = dev_chat.base
    await _pick(page, base, "Ingrid Haugland")
    box = page.locator('[data-id="webchat-sendbox-input"]')
    await box.wait_for()
    await box.fill("hjelp")
    await box.press("Enter")
    bubbles = page.locator(".webchat__bubble__content")
    await bubbles.filter(has_text="Hei, Ingrid Haugland").wait_for(timeout=15_000)
    await bubbles.filter(has_text="medlem av innkjøpsteamet").wait_for(timeout=15_000)
    await bubbles.filter(has_text="Slik bruker du Kontraktsvakt").wait_for(timeout=15_000)


async def test_proactive_message_shows_up(page: Page, dev_chat: DevChat) -> None:
    app, base = dev_chat.app, dev_chat.base
    await _pick(page, base, "Ingrid Haugland")
    bubbles = page.locator(".webchat__bubble__content")
    await bubbles.filter(has_text="Hei, Ingrid Haugland").wait_for(timeout=15_000)

    from bot.app import ADAPTER, ENGINE
    from bot.teams.notifier import TeamsNotifier
    from storage.db import create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    with SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))() as uow:
        person = uow.people.find_by_email_or_upn(DEMO_MARKER_EMAIL)
        assert person is not None
        ref = uow.conversations.for_person(person.id)
    assert ref is not None
    assert app[DEV_CHANNEL].connector is not None
    await TeamsNotifier(app[ADAPTER], "").send(ref, OutgoingMessage(text="Påminnelse fra testen"))
    await bubbles.filter(has_text="Påminnelse fra testen").wait_for(timeout=15_000)


def _owner_with_follow_ups(app: web.Application) -> tuple[str, list[str]]:
    """A demo person (unique name) with follow-ups in the next 30 days, and their references."""
    from bot.app import ENGINE
    from followup.calendar.workdays import oslo_today
    from followup.tasks import list_tasks
    from storage.db import create_session_factory
    from storage.demo_data import demo_people
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    people = demo_people(app[ENGINE])
    names = Counter(p.display_name for p in people)
    today = oslo_today(datetime.now(UTC))
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    with factory() as uow:
        for person in people:
            if "owner" not in person.roles or names[person.display_name] > 1:
                continue
            items = list_tasks(uow, person.id, today)
            if items:
                return person.display_name, [i.contract.reference for i in items]
    raise AssertionError("no demo owner has follow-ups: load_demo_data must make plans")


async def test_an_owner_sees_their_follow_ups_as_a_card(page: Page, dev_chat: DevChat) -> None:
    app, base = dev_chat.app, dev_chat.base
    name, references = await asyncio.to_thread(_owner_with_follow_ups, app)
    await _pick(page, base, name)
    bubbles = page.locator(".webchat__bubble__content")
    await bubbles.filter(has_text=f"Hei, {name}").wait_for(timeout=15_000)
    box = page.locator('[data-id="webchat-sendbox-input"]')
    await box.fill("mine oppgaver")
    await box.press("Enter")
    card = page.locator(".ac-adaptiveCard", has_text="Mine oppfølginger")
    await card.wait_for(timeout=15_000)
    await card.filter(has_text=references[0]).wait_for(timeout=5_000)
    assert "Frist" in await card.inner_text() or "Forfalt" in await card.inner_text()


def _owner_and_contracts(app: web.Application) -> tuple[str, list[str]]:
    """A demo owner (unique name) with follow-ups, and the references of all their contracts."""
    from bot.app import ENGINE
    from storage.db import create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    name, _ = _owner_with_follow_ups(app)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    with factory() as uow:
        person = next(
            p for p in uow.portfolio.people_with_role(Role.OWNER) if p.display_name == name
        )
        return name, [c.reference for c in uow.contracts.for_person(person.id)]


async def test_help_shows_what_to_type_with_the_owners_own_contract(
    page: Page, dev_chat: DevChat
) -> None:
    """Web Chat renders the help card's examples and placeholders: nothing is dropped as an HTML
    tag, the owner's own contract number is in the examples, the placeholders of the full list
    are in italics."""
    name, references = await asyncio.to_thread(_owner_and_contracts, dev_chat.app)
    await _pick(page, dev_chat.base, name)
    await (
        page.locator(".webchat__bubble__content")
        .filter(has_text=f"Hei, {name}")
        .wait_for(timeout=15_000)
    )
    box = page.locator('[data-id="webchat-sendbox-input"]')
    await box.fill("hjelp")
    await box.press("Enter")
    card = page.locator(".ac-adaptiveCard", has_text="Slik bruker du Kontraktsvakt").last
    await card.wait_for(timeout=15_000)
    shown = await card.inner_text()
    example = re.search(r"«status (\S+)»", shown)
    assert example is not None, shown
    assert example[1] in references
    assert f"«levert {example[1]}»" in shown
    assert re.search(r"«fravær fra \d{1,2}\.\d{1,2} til \d{1,2}\.\d{1,2}»", shown), shown
    assert "«stedfortreder e-postadresse»" in shown
    await card.locator("em", has_text="e-postadresse").wait_for()
    assert not re.search(r"«[^«»]*\s»|fra\s+til", shown), shown

    await card.get_by_role("button", name="Vis alle kommandoer").click()
    # The full list (its intro speaks of [klammer]) takes the help card's place.
    everything = page.locator(".ac-adaptiveCard", has_text="[klammer]").last
    await everything.wait_for(timeout=15_000)
    listed = await everything.inner_text()
    for typed in ("«plan avtalenr»", "«fravær fra dato til dato»", "«stedfortreder e-post»"):
        assert typed in listed, typed
    await everything.locator("em", has_text="avtalenr").first.wait_for()
    assert not re.search(r"«[^«»]*\s»|fra\s+til", listed), listed
