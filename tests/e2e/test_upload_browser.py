"""Uploading documentation in the dev chat: the official Web Chat in Debian's headless Chromium,
its attach button, the Direct Line stand-in's multipart upload, and the bot downloading the file
from the dev channel as it would from SharePoint.

Needs /usr/bin/chromium (Debian's `chromium` package) and the Web Chat bundle fetched by
scripts/setup.sh. Without them the test fails (it never skips): CI must show a missing browser.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import FilePayload, Page

from bot.app import ENGINE, create_app
from bot.settings import Settings
from followup.calendar.workdays import oslo_today
from followup.documents.targets import person_requests
from followup.models import Document
from storage.db import create_db_engine, create_session_factory
from storage.demo_data import demo_people, load_demo_calendar, load_demo_data
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.browser_support import ROOT, open_chat_as
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

MONDAY_10_OSLO = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class DevChat:
    app: web.Application
    base: str
    uow_factory: SqlAlchemyUnitOfWorkFactory
    documents_dir: Path


@pytest.fixture
async def dev_chat(sqlite_url: str, tmp_path: Path) -> AsyncIterator[DevChat]:
    clock = FakeClock(MONDAY_10_OSLO)
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=clock.now)
    load_demo_calendar(engine, clock.now)
    engine.dispose()
    settings = Settings(
        MicrosoftAppId="",
        DATABASE_URL=sqlite_url,
        DATA_DIR=ROOT / "var",
        DOCUMENTS_DIR=tmp_path / "documents",
        HOST="127.0.0.1",
        SEND_RATE_PER_TENANT=0,
    )
    app = create_app(settings, clock=clock)
    runner, base = await start_site(app)
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    yield DevChat(app, base, uow_factory, tmp_path / "documents")
    await runner.cleanup()


def _owner_with_documents_due(chat: DevChat) -> tuple[str, str, str, str]:
    """A demo owner (unique name) with an open evidence request: their name, the contract's
    reference, the follow-up's id and the evidence code."""
    people = demo_people(chat.app[ENGINE])
    names = Counter(p.display_name for p in people)
    today = oslo_today(MONDAY_10_OSLO)
    with chat.uow_factory() as uow:
        for person in people:
            if "owner" not in person.roles or names[person.display_name] > 1:
                continue
            for request in person_requests(uow, person.id, today):
                return (
                    person.display_name,
                    request.reference,
                    request.follow_up_id,
                    request.evidence,
                )
    raise AssertionError("no demo owner has an open follow-up that asks for documents")


async def test_a_pdf_attached_in_web_chat_is_stored_and_confirmed(
    page: Page, dev_chat: DevChat
) -> None:
    name, reference, follow_up_id, evidence = await asyncio.to_thread(
        _owner_with_documents_due, dev_chat
    )
    file_name = f"{evidence.capitalize()} 2026.pdf"
    await open_chat_as(page, dev_chat.base, name)
    bubbles = page.locator(".webchat__bubble__content")

    pdf: FilePayload = {
        "name": file_name,
        "mimeType": "application/pdf",
        "buffer": PDF,
    }
    await page.locator("input[type=file]").set_input_files(files=[pdf])
    sendbox = page.locator('[data-id="webchat-sendbox-input"]')
    await sendbox.fill(f"Dokumentasjon for {reference}")
    await sendbox.press("Enter")

    await bubbles.filter(has_text="Mottatt, jeg laster ned").first.wait_for(timeout=15_000)
    confirmation = bubbles.filter(has_text=f"Mottatt for {reference}")
    await confirmation.first.wait_for(timeout=20_000)
    shown = await confirmation.first.inner_text()
    digest = hashlib.sha256(PDF).hexdigest()
    assert file_name in shown
    assert digest[:12] in shown

    def stored() -> list[Document]:
        with dev_chat.uow_factory() as uow:
            return list(uow.documents.for_follow_up(follow_up_id))

    (document,) = await asyncio.to_thread(stored)
    assert document.sha256 == digest
    assert document.file_name == file_name
    assert document.evidence == evidence
    assert FolderDocumentStore(dev_chat.documents_dir).get(document.storage_key) == PDF
