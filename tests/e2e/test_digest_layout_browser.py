"""A reminder digest of four follow-ups as a person sees it on a laptop: the dev chat (the
official Web Chat in Debian's headless Chromium) at 1366×768, Kari's four follow-ups (two
overdue, one due today, one this week) sent by a tick of the reminder jobs.

The card must fit the chat pane (each item one compact line with its primary action, the rest
in the overflow `…`), each item shown once, the overflow must open with the item's other
actions, and «Legg til kommentar» must show the comment field that goes with the answer.

A screenshot of the card is written to `KV_SCREENSHOTS` (a folder) when that is set.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Locator, Page, ViewportSize

from bot.app import ADAPTER, ENGINE, create_app
from bot.conversation.follow_up_lines import item_element_id
from bot.settings import Settings
from bot.wiring import build_reminder_jobs
from followup.models import Checkpoint, CheckpointSource, FollowUp, FollowUpState, Person
from scheduler.jobs import ReminderJobs
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_supplier
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.e2e.reminder_harness import KARI, MONDAY_10_OSLO, UPCOMING, people
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

LAPTOP = ViewportSize(width=1366, height=768)
MAX_CARD_HEIGHT = 620
"""The card must fit the dev chat's pane at 1366×768 (the page's header and the send box
leave it about 640 px)."""
TIMEOUT = 15_000


@dataclass
class DevChat:
    app: web.Application
    base: str
    jobs: ReminderJobs
    kari: Person
    follow_up_ids: list[str]
    uow_factory: SqlAlchemyUnitOfWorkFactory


@pytest.fixture
async def dev_chat(sqlite_url: str) -> AsyncIterator[DevChat]:
    clock = FakeClock(MONDAY_10_OSLO)
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
    kari, ids = await asyncio.to_thread(_kari_with_four_follow_ups, uow_factory)
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e-digest")
    yield DevChat(app, base, jobs, kari, ids, uow_factory)
    jobs.stop.set()
    await jobs.idle()
    await runner.cleanup()


def _kari_with_four_follow_ups(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> tuple[Person, list[str]]:
    """Kari's four contracts, each with one open follow-up: overdue a week (due for its second
    reminder now), overdue since Wednesday (its next reminder tomorrow), due today and due on
    Wednesday (both due for a notice now)."""
    kari = people(uow_factory, KARI)[KARI]
    today = MONDAY_10_OSLO.date()
    tomorrow = MONDAY_10_OSLO + timedelta(days=1)
    made = [
        _follow_up(uow_factory, kari, 1, today - timedelta(days=7), FollowUpState.REMINDED),
        _follow_up(
            uow_factory,
            kari,
            2,
            today - timedelta(days=5),
            FollowUpState.NOTIFIED,
            next_action_at=tomorrow,
            title="Egenrapportering lønns- og arbeidsvilkår",
            evidence=["egenrapport"],
            actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"],
        ),
        _follow_up(uow_factory, kari, 3, today, FollowUpState.PLANNED),
        _follow_up(uow_factory, kari, 4, UPCOMING, FollowUpState.PLANNED),
    ]
    return kari, made


def _follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    owner: Person,
    seed: int,
    due: date,
    state: FollowUpState,
    *,
    next_action_at: datetime | None = None,
    title: str = "Levering etter avtalen",
    evidence: Sequence[str] = (),
    actions: Sequence[str] = (),
) -> str:
    """A contract owned by `owner` with a monthly checkpoint falling on `due`, and that
    follow-up (its next message due now, or at `next_action_at`)."""
    reference = f"KOM-2026-{seed:04d}"
    with uow_factory() as uow:
        supplier = add_supplier(uow, f"Leverandør {seed} AS", seed=seed)
        contract = add_contract(
            uow,
            MONDAY_10_OSLO,
            owner=owner,
            supplier=supplier,
            reference=reference,
            title=TITLES[seed - 1],
        )
        uow.commit()
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code=f"kp{seed}",
            title=title,
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, due.day),
            source=CheckpointSource.MANUAL,
            evidence=list(evidence),
            actions=list(actions),
        )
        uow.checkpoints.add(checkpoint)
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id,
            contract_id=contract.id,
            due_date=due,
            state=state,
            reminder_step=0 if state is FollowUpState.PLANNED else 1,
            next_action_at=next_action_at or MONDAY_10_OSLO - timedelta(hours=1),
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up.id


TITLES = (
    "Brøyting og strøing, Fjordvik sentrum",
    "Renhold av skoler og barnehager",
    "Kontorrekvisita og papir",
    "Vedlikehold av kommunale veilys",
)


async def _screenshot(page: Page, name: str) -> None:
    """The page as it looks now, into `KV_SCREENSHOTS` (when set)."""
    folder = os.environ.get("KV_SCREENSHOTS")
    if folder:
        await asyncio.to_thread(Path(folder).mkdir, parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(folder) / name))


async def _digest(page: Page, chat: DevChat) -> Locator:
    await page.set_viewport_size(LAPTOP)
    await open_chat_as(page, chat.base, chat.kari.display_name)
    report = await chat.jobs.tick()
    assert report.plan.digests == 1
    assert report.send.sent == 1
    card = page.locator(".ac-adaptiveCard", has_text="Påminnelse").first
    await card.wait_for(state="visible", timeout=TIMEOUT)
    return card


async def test_a_four_item_digest_fits_a_laptop_screen(page: Page, dev_chat: DevChat) -> None:
    card = await _digest(page, dev_chat)
    await page.wait_for_timeout(1000)  # Web Chat scrolls its pane smoothly as cards arrive
    await card.evaluate("card => card.scrollIntoView({block: 'end'})")
    await _screenshot(page, "digest-4-items.png")

    box = await card.bounding_box()
    pane = await page.locator(".webchat__basic-transcript__scrollable").bounding_box()
    assert box is not None
    assert pane is not None
    assert box["height"] <= MAX_CARD_HEIGHT, f"the card is {box['height']:.0f} px high"
    # All of it fits the chat's pane at once, between the page's header and the send box.
    assert box["height"] <= pane["height"], (box, pane)
    shown = await card.inner_text()
    for seed in range(1, 5):
        assert shown.count(f"· KOM-2026-{seed:04d}") == 1, "each item once"
    buttons = card.locator("button:visible")
    assert await buttons.count() == 8, "one button and `…` per item"
    assert await card.get_by_placeholder("Kommentar (valgfritt)").first.is_hidden()


async def test_the_overflow_opens_and_a_comment_goes_with_the_answer(
    page: Page, dev_chat: DevChat
) -> None:
    card = await _digest(page, dev_chat)
    item = card.locator(f"[id='{item_element_id(dev_chat.follow_up_ids[0])}']")
    comment = card.get_by_placeholder("Kommentar (valgfritt)")
    assert await comment.first.is_hidden(), "no comment box until asked for"

    await item.get_by_role("button", name="More options").click()
    menu = page.get_by_role("menu")
    await menu.wait_for(state="visible", timeout=TIMEOUT)
    await _screenshot(page, "digest-overflow.png")
    entries = [e.strip() for e in await menu.get_by_role("menuitem").all_inner_texts()]
    assert entries == [
        "Legg til kommentar",
        "Delvis levert",
        "Ikke levert",
        "Meld avvik",
        "Ikke relevant",
        "Utsett",
    ]
    await menu.get_by_role("menuitem", name="Legg til kommentar").click()
    await comment.first.wait_for(state="visible", timeout=TIMEOUT)
    await comment.first.fill("Alt på plass")
    await item.get_by_role("button", name="Levert", exact=True).click()

    answered = page.locator(".ac-adaptiveCard", has_text="Levert – svart av Kari Nordmann")
    await answered.first.wait_for(state="visible", timeout=TIMEOUT)
    shown = await answered.first.inner_text()
    await _screenshot(page, "digest-answered.png")
    assert "Alt på plass" in shown
    await answered.first.get_by_role("button", name="Endre svar").wait_for(state="visible")
    assert shown.count("· KOM-2026-") == 4, "the card is drawn again with all four"
    stored = await asyncio.to_thread(_answers, dev_chat, dev_chat.follow_up_ids[0])
    assert stored == [("delivered", "Alt på plass")]


async def test_utsett_in_the_overflow_opens_its_form(page: Page, dev_chat: DevChat) -> None:
    card = await _digest(page, dev_chat)
    item = card.locator(f"[id='{item_element_id(dev_chat.follow_up_ids[3])}']")
    await item.get_by_role("button", name="More options").click()
    await page.get_by_role("menu").get_by_role("menuitem", name="Utsett").click()
    await item.get_by_role("button", name="1 uke").wait_for(state="visible", timeout=TIMEOUT)
    await _screenshot(page, "digest-utsett.png")

    await item.get_by_role("button", name="1 uke").click()

    said = page.locator(".webchat__bubble__content", has_text="Utsatt til")
    await said.first.wait_for(state="visible", timeout=TIMEOUT)
    assert "KOM-2026-0004" in await said.first.inner_text()


def _answers(chat: DevChat, follow_up_id: str) -> list[tuple[str, str | None]]:
    with chat.uow_factory() as uow:
        return [(a.kind.value, a.text) for a in uow.answers.for_follow_up(follow_up_id)]


async def test_mine_oppgaver_in_web_chat_answers_in_place(page: Page, dev_chat: DevChat) -> None:
    await page.set_viewport_size(LAPTOP)
    await open_chat_as(page, dev_chat.base, dev_chat.kari.display_name)
    await page.locator("[data-id='webchat-sendbox-input']").fill("mine oppgaver")
    await page.keyboard.press("Enter")
    card = page.locator(".ac-adaptiveCard", has_text="Mine oppfølginger").first
    await card.wait_for(state="visible", timeout=TIMEOUT)
    await page.wait_for_timeout(1000)
    await card.evaluate("card => card.scrollIntoView({block: 'end'})")
    await _screenshot(page, "mine-oppgaver.png")

    item = card.locator(f"[id='{item_element_id(dev_chat.follow_up_ids[2])}']")
    await item.get_by_role("button", name="Levert", exact=True).click()

    answered = page.locator(".ac-adaptiveCard", has_text="Levert – svart av Kari Nordmann")
    await answered.first.wait_for(state="visible", timeout=TIMEOUT)
    await _screenshot(page, "mine-oppgaver-answered.png")
    stored = await asyncio.to_thread(_answers, dev_chat, dev_chat.follow_up_ids[2])
    assert stored == [("delivered", None)]
