"""A proactive reminder as a person sees it: the dev chat (the official Web Chat in Debian's
headless Chromium), a demo owner who has opened it, and a tick of the reminder jobs.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import ADAPTER, ENGINE, create_app
from bot.settings import Settings
from bot.wiring import build_reminder_jobs
from followup.calendar.workdays import oslo_today
from followup.models import FollowUpState
from followup.ports import ScheduleChange
from followup.tasks import list_tasks
from scheduler.jobs import ReminderJobs
from storage.db import create_db_engine, create_session_factory
from storage.demo_data import demo_people, load_demo_calendar, load_demo_data
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

MONDAY_10_OSLO = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class DevChat:
    app: web.Application
    base: str
    jobs: ReminderJobs
    uow_factory: SqlAlchemyUnitOfWorkFactory


@pytest.fixture
async def dev_chat(sqlite_url: str) -> AsyncIterator[DevChat]:
    clock = FakeClock(MONDAY_10_OSLO)
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=clock.now)
    load_demo_calendar(engine, clock.now)
    engine.dispose()
    settings = Settings(
        MicrosoftAppId="",
        DATABASE_URL=sqlite_url,
        DATA_DIR=ROOT / "var",
        HOST="127.0.0.1",
        SEND_RATE_PER_TENANT=0,
    )
    app = create_app(settings, clock=clock)
    runner, base = await start_site(app)
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e-browser")
    yield DevChat(app, base, jobs, uow_factory)
    jobs.stop.set()
    await jobs.idle()
    await runner.cleanup()


def _owner_with_a_due_follow_up(chat: DevChat) -> tuple[str, str]:
    """A demo owner (unique name) with an upcoming follow-up, made due now: their name and
    the follow-up's contract reference."""
    people = demo_people(chat.app[ENGINE])
    names = Counter(p.display_name for p in people)
    today = oslo_today(MONDAY_10_OSLO)
    with chat.uow_factory() as uow:
        for person in people:
            if "owner" not in person.roles or names[person.display_name] > 1:
                continue
            upcoming = [
                i for i in list_tasks(uow, person.id, today) if i.follow_up.due_date > today
            ]
            if not upcoming:
                continue
            item = upcoming[0]
            uow.follow_ups.reschedule(
                [
                    ScheduleChange(
                        item.follow_up.id,
                        FollowUpState.PLANNED,
                        0,
                        MONDAY_10_OSLO - timedelta(minutes=5),
                    )
                ]
            )
            uow.commit()
            return person.display_name, item.contract.reference
    raise AssertionError("no demo owner has upcoming follow-ups: load_demo_data must make plans")


async def test_a_reminder_card_appears_in_the_open_chat(page: Page, dev_chat: DevChat) -> None:
    name, reference = await asyncio.to_thread(_owner_with_a_due_follow_up, dev_chat)
    await open_chat_as(page, dev_chat.base, name)
    cards = page.locator(".ac-adaptiveCard", has_text="Påminnelse")
    assert await cards.count() == 0, "no reminder before the tick"

    report = await dev_chat.jobs.tick()

    assert report.plan.digests == 1, "only the person who opened the chat can be reached"
    assert report.send.sent == 1
    await cards.first.wait_for(state="visible", timeout=15_000)
    assert await cards.count() == 1
    card = cards.first
    await card.get_by_text("Påminnelse", exact=False).first.wait_for(state="visible")
    assert reference in await card.inner_text()
    await card.get_by_role("button", name="Levert", exact=True).first.wait_for(state="visible")
    # The item's other actions, `Utsett` among them, are behind its overflow menu (`…`).
    await card.get_by_role("button", name="More options").first.click()
    await page.get_by_role("menuitem", name="Utsett").wait_for(state="visible")


async def test_levert_on_the_card_shows_the_answer_in_place(page: Page, dev_chat: DevChat) -> None:
    name, reference = await asyncio.to_thread(_owner_with_a_due_follow_up, dev_chat)
    await open_chat_as(page, dev_chat.base, name)
    assert (await dev_chat.jobs.tick()).send.sent == 1
    card = page.locator(".ac-adaptiveCard", has_text=reference).first
    await card.wait_for(state="visible", timeout=15_000)

    await card.get_by_role("button", name="More options").first.click()
    await page.get_by_role("menuitem", name="Legg til kommentar").click()
    await card.get_by_placeholder("Kommentar (valgfritt)").first.fill("Alt på plass")
    await card.get_by_role("button", name="Levert", exact=True).first.click()

    answered = page.locator(".ac-adaptiveCard", has_text=f"Levert – svart av {name}")
    await answered.first.wait_for(state="visible", timeout=15_000)
    shown = await answered.first.inner_text()
    assert "Alt på plass" in shown
    assert reference in shown
    await answered.first.get_by_role("button", name="Endre svar").wait_for(state="visible")

    def stored() -> list[tuple[str, str | None]]:
        with dev_chat.uow_factory() as uow:
            contract = uow.contracts.by_reference(reference)
            assert contract is not None
            follow_ups = uow.follow_ups.for_contracts_between(
                [contract.id],
                MONDAY_10_OSLO.date() - timedelta(days=400),
                MONDAY_10_OSLO.date() + timedelta(days=400),
            )
            return [
                (a.kind.value, a.text) for f in follow_ups for a in uow.answers.for_follow_up(f.id)
            ]

    assert await asyncio.to_thread(stored) == [("delivered", "Alt på plass")]
