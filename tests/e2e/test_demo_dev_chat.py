"""The demo on day one, in the dev chat: `kontraktsvakt demo`'s load (six months of history),
then the app as `kontraktsvakt demo` runs it, with a follow-up clock that runs fast and real
time for what expires.

- In headless Chromium (the official Web Chat): the person picker shows each person's roles and
  who has follow-ups overdue or due within the week, and procurement's `status` has numbers.
- Over Direct Line (HTTP, as Web Chat speaks it): `status`, `forfalt`, `avvik` and `eksport`
  answer with what the history holds, and an export's link keeps working for its real minutes
  however far the follow-up clock has run. Procurement's channel has the team in it.

The browser test needs /usr/bin/chromium and the Web Chat bundle (scripts/setup.sh); without
them it fails, never skips.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import ENGINE, create_app
from bot.cli.demo import run_demo_load
from bot.settings import Settings
from followup.calendar.workdays import oslo_today
from followup.portfolio import list_deviations, portfolio_status
from followup.views import Scope
from storage.db import create_session_factory
from storage.demo_data import DEMO_ADMIN_EMAIL, DEMO_PROCUREMENT_EMAILS, DemoPerson, demo_people
from storage.demo_history import DEMO_CHANNEL_ID
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

DIRECTLINE = "/_dev/directline/v3/directline"
LINK = re.compile(r"\((http://127\.0\.0\.1:\d+(/eksport/[A-Za-z0-9_-]+))\)")
TIMEOUT = 15_000


@dataclass
class DevChat:
    app: web.Application
    base: str
    follow_up_clock: FakeClock
    real_clock: FakeClock

    @property
    def uow_factory(self) -> SqlAlchemyUnitOfWorkFactory:
        return SqlAlchemyUnitOfWorkFactory(create_session_factory(self.app[ENGINE]))

    def people(self) -> list[DemoPerson]:
        return demo_people(self.app[ENGINE], oslo_today(self.follow_up_clock()))


async def _demo(settings: Settings) -> AsyncIterator[DevChat]:
    now = datetime.now(UTC)
    out, err = io.StringIO(), io.StringIO()
    assert await asyncio.to_thread(run_demo_load, settings, now, stdout=out, stderr=err) == 0
    assert "Fjordvik kommune er lastet inn" in out.getvalue(), err.getvalue()
    follow_ups, real = FakeClock(now), FakeClock(now)
    app = create_app(settings, clock=follow_ups, lifetime_clock=real)
    runner, base = await start_site(app)
    yield DevChat(app, base, follow_ups, real)
    await runner.cleanup()


@pytest.fixture
async def dev_chat(sqlite_url: str, tmp_path: Path) -> AsyncIterator[DevChat]:
    """The demo with the Web Chat bundle (`var/webchat`) for the browser."""
    settings = Settings(
        MicrosoftAppId="",
        DATABASE_URL=sqlite_url,
        DATA_DIR=ROOT / "var",
        DOCUMENTS_DIR=tmp_path / "documents",
        HOST="127.0.0.1",
    )
    async for chat in _demo(settings):
        yield chat


@pytest.fixture
async def http_chat(sqlite_url: str, tmp_path: Path) -> AsyncIterator[DevChat]:
    """The demo with everything it writes (documents, exports) under `tmp_path`."""
    settings = Settings(
        MicrosoftAppId="", DATABASE_URL=sqlite_url, DATA_DIR=tmp_path, HOST="127.0.0.1"
    )
    async for chat in _demo(settings):
        yield chat


def _norwegian(day: date) -> str:
    return f"{day:%d.%m.%Y}"


# --- the picker, in the browser ----------------------------------------------------------------


@pytest.mark.browser
async def test_the_picker_shows_roles_and_who_has_something_due(
    page: Page, dev_chat: DevChat
) -> None:
    people = await asyncio.to_thread(dev_chat.people)
    names = {p.display_name for p in people}
    unique = [p for p in people if sum(q.display_name == p.display_name for q in people) == 1]
    overdue = next(p for p in unique if p.overdue and "owner" in p.roles)
    due_soon = next(p for p in unique if p.due_soon)
    [away] = [p for p in people if p.away_until is not None]
    [covering] = [p for p in people if p.covering_for is not None]
    nothing = next(p for p in unique if not (p.overdue or p.due_soon or p.away_until))
    assert covering.covering_for in names

    await page.goto(dev_chat.base + "/dev")
    await page.get_by_text("Hvem er du?").wait_for()

    def button(person: DemoPerson) -> Any:
        # By id: a name also stands in another's button («stedfortreder for Vigdis Andersen»).
        return page.locator(f'ul.people button[data-person-id="{person.id}"]')

    await button(overdue).wait_for()
    ingrid = next(p for p in people if p.email == DEMO_ADMIN_EMAIL)
    assert "innkjøp · administrator" in await button(ingrid).inner_text()
    shown = await button(overdue).inner_text()
    assert "kontraktseier" in shown
    assert f"{overdue.overdue} forfalt" in shown
    assert f"{due_soon.due_soon} med frist innen en uke" in await button(due_soon).inner_text()
    assert f"stedfortreder for {away.display_name}" in await button(covering).inner_text()
    assert away.away_until is not None
    assert f"borte til {_norwegian(away.away_until)}" in await button(away).inner_text()
    assert await button(nothing).locator(".badge").count() == 0
    # One badge per person with something overdue: counted in the page, as the query counts.
    assert await page.locator(".badge.overdue").count() == sum(1 for p in people if p.overdue)

    await open_chat_as(page, dev_chat.base, ingrid.display_name)
    box = page.locator('[data-id="webchat-sendbox-input"]')
    await box.fill("status")
    await box.press("Enter")
    status = page.locator(".ac-adaptiveCard", has_text="Status for kontraktsoppfølgingen").last
    await status.wait_for(state="visible", timeout=TIMEOUT)
    with dev_chat.uow_factory() as uow:
        today = oslo_today(dev_chat.follow_up_clock())
        counts = portfolio_status(uow, Scope.everything(), today).counts
    assert counts.overdue > 0
    await status.get_by_role("button", name=f"Forfalt ({counts.overdue})").wait_for()


# --- procurement's questions and an export, over Direct Line ------------------------------------


@dataclass
class Conversation:
    http: aiohttp.ClientSession
    base: str
    token: str
    conversation_id: str
    user_id: str
    watermark: str = ""

    async def say(self, words: str, *, within: float = 15.0) -> list[dict[str, Any]]:
        """Send `words`; the bot's activities that answer them (the first that came)."""
        async with self.http.post(
            f"{self.base}{DIRECTLINE}/conversations/{self.conversation_id}/activities",
            headers={"Authorization": f"Bearer {self.token}"},
            json={
                "type": "message",
                "text": words,
                "from": {"id": self.user_id, "role": "user"},
                "locale": "nb-NO",
                "textFormat": "plain",
            },
        ) as r:
            assert r.status == 200, await r.text()
            sent = (await r.json())["id"]
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with self.http.get(
                f"{self.base}{DIRECTLINE}/conversations/{self.conversation_id}/activities",
                params={"watermark": self.watermark},
                headers={"Authorization": f"Bearer {self.token}"},
            ) as r:
                page = await r.json()
            self.watermark = page["watermark"]
            answers = [
                a
                for a in page["activities"]
                if a.get("from", {}).get("role") == "bot" and a.get("replyToId") == sent
            ]
            if answers:
                return answers
            await asyncio.sleep(0.1)
        raise AssertionError(f"no answer to {words!r}")


async def _conversation_as(
    chat: DevChat, http: aiohttp.ClientSession, person: DemoPerson
) -> Conversation:
    async with http.post(f"{chat.base}/_dev/api/token", json={"personId": person.id}) as r:
        assert r.status == 200
        grant = await r.json()
    async with http.post(
        f"{chat.base}{DIRECTLINE}/conversations",
        headers={"Authorization": f"Bearer {grant['token']}"},
        json={"user": {"id": "ignored"}, "locale": "nb-NO"},
    ) as r:
        assert r.status == 201
    return Conversation(http, chat.base, grant["token"], grant["conversationId"], grant["userId"])


def _shown(activities: list[dict[str, Any]]) -> str:
    """Everything the activities show: text and cards."""
    return "\n".join(
        [str(a.get("text") or "") for a in activities]
        + [
            json.dumps(x.get("content"), ensure_ascii=False)
            for a in activities
            for x in a.get("attachments") or []
        ]
    )


async def test_day_one_answers_and_an_export_link_that_keeps_real_time(
    http_chat: DevChat,
) -> None:
    chat = http_chat
    ingrid = next(p for p in await asyncio.to_thread(chat.people) if p.email == DEMO_ADMIN_EMAIL)
    today = oslo_today(chat.follow_up_clock())
    with chat.uow_factory() as uow:
        counts = portfolio_status(uow, Scope.everything(), today).counts
        deviations = list_deviations(uow, Scope.everything())
    assert counts.overdue > 0
    assert deviations.page.total > 0
    async with aiohttp.ClientSession() as http:
        # Procurement's channel has the procurement team in it, as in Teams.
        async with http.get(
            f"{chat.base}/_dev/connector/v3/conversations/{DEMO_CHANNEL_ID}/pagedmembers"
        ) as r:
            members = (await r.json())["members"]
        assert {m["email"] for m in members} == set(DEMO_PROCUREMENT_EMAILS)
        talk = await _conversation_as(chat, http, ingrid)

        status = _shown(await talk.say("status"))
        assert "Status for kontraktsoppfølgingen" in status
        assert f"Forfalt ({counts.overdue})" in status
        assert f"Forfalte oppfølginger ({counts.overdue})" in _shown(await talk.say("forfalt"))
        assert f"Åpne avvik ({deviations.page.total})" in _shown(await talk.say("avvik"))

        export = _shown(await talk.say("eksport forfalt"))
        match = LINK.search(export)
        assert match is not None, export
        # The link names PUBLIC_BASE_URL (unset: port 3978); this app is on another port.
        link = chat.base + match.group(2)

        async def download() -> int:
            async with http.get(link) as r:
                await r.read()
                return r.status

        assert await download() == 200
        # The demo's clock races ahead (an hour a second): the link counts real minutes.
        chat.follow_up_clock.advance(days=3)
        assert await download() == 200
        chat.real_clock.advance(minutes=16)
        assert await download() == 410
