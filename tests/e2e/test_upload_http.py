"""Documentation sent in the 1:1 chat, end to end: Teams' file message (the recorded payload, its
download address pointed at a local file host) and pasted links come through the real HTTP
endpoint; the bot answers at once, downloads after the reply, stores the file and sends its
confirmation through the stand-in connector. Read back: the document row, the bytes in the
document store, the DOCUMENTS answer and its audit events, and the transcript."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import ADAPTER, ENGINE, UPLOADS, create_app
from bot.conversation.follow_up_cards import UPLOAD_VERB
from bot.devchannel import DEV_CHANNEL
from bot.devchannel.connector import Handler
from bot.devchannel.uploads import UploadRefused as DevUploadRefused
from bot.devchannel.uploads import read_upload
from bot.settings import Settings
from bot.teams.file_downloads import FILE_DOWNLOAD_INFO
from bot.uploads.commands import BackgroundWork
from bot.wiring import build_reminder_jobs
from followup.models import (
    AnswerKind,
    Checkpoint,
    CheckpointSource,
    Document,
    FollowUp,
    FollowUpState,
)
from storage.db import create_session_factory
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_supplier
from tests.card_schema import assert_valid, schema_errors
from tests.e2e.harness import BotServer, start_site
from tests.e2e.reminder_harness import (
    KARI,
    MONDAY_10_OSLO,
    USERS,
    Reminders,
    due_follow_up,
    people,
)
from tests.fakes import FakeClock, FaultyConnector
from tests.pdfs import pdf_with_text

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 300 + b"%%EOF\n"
OTHER_PDF = PDF.replace(b"Catalog", b"Catalox")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 9000
TOO_LARGE = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
PAYLOAD = "message_personal_file_upload_download_info.json"


@dataclass
class FileHost:
    base: str = ""
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)

    def url(self, name: str) -> str:
        return f"{self.base}/files/{name}"


@dataclass
class World:
    reminders: Reminders
    host: FileHost
    documents_dir: Path

    @property
    def server(self) -> BotServer:
        return self.reminders.server

    @property
    def uow_factory(self) -> SqlAlchemyUnitOfWorkFactory:
        return self.reminders.uow_factory

    async def idle(self) -> None:
        await self.server.app[UPLOADS].work.idle()

    async def send_file(
        self, name: str, *, text: str | None = None, url: str | None = None
    ) -> tuple[str, str]:
        """Kari sends a file as Teams does; the bot's immediate answer and the confirmation
        that follows."""
        activity = self.reminders._as(KARI, self.server.payload(PAYLOAD))
        attachment = activity["attachments"][0]
        attachment["name"] = name
        attachment["contentUrl"] = url or self.host.url(name)
        attachment["content"]["downloadUrl"] = url or self.host.url(name)
        attachment["content"]["fileType"] = name.rsplit(".", 1)[-1]
        if text is None:
            activity.pop("text")
            activity["attachments"] = [attachment]
        else:
            activity["text"] = text
        return await self._post(activity)

    async def say(self, text: str) -> tuple[str, str]:
        activity = self.reminders._as(
            KARI, self.server.payload("message_personal_text_status_command.json")
        )
        activity["text"] = text
        return await self._post(activity)

    async def _post(self, activity: dict[str, Any]) -> tuple[str, str]:
        before = len(self.reminders.posts_to(KARI))
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        reply = await self.server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        await self.idle()
        later = [
            a
            for a in self.reminders.posts_to(KARI)[before:]
            if a.get("id") != reply.activity.get("id")
        ]
        confirmation = "\n".join(str(a.get("text") or "") for a in later)
        return _shown(reply.activity), confirmation

    async def invoke(self, verb: str, data: dict[str, Any]) -> Any:
        activity = self.reminders._as(
            KARI,
            self.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json"),
        )
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        }
        status, body = await self.server.post(activity)
        assert status == 200
        await self.idle()
        return body

    def documents(self, follow_up_id: str) -> list[Document]:
        with self.uow_factory() as uow:
            return list(uow.documents.for_follow_up(follow_up_id))

    def answer_kinds(self, follow_up_id: str) -> list[AnswerKind]:
        with self.uow_factory() as uow:
            return [a.kind for a in uow.answers.for_follow_up(follow_up_id)]

    def stored_files(self) -> list[Path]:
        return [p for p in self.documents_dir.rglob("*") if p.is_file()]


def _shown(activity: dict[str, Any]) -> str:
    """A reply's words: its text, or its card's plain-text twin."""
    return str(activity.get("text") or activity.get("summary") or "")


def _cards(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for activity in activities
        for a in activity.get("attachments") or []
        if a["contentType"] == "application/vnd.microsoft.card.adaptive"
    ]


def _choices(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The data of the card's `uploadDocument` buttons."""
    return [
        n["data"]
        for n in _walk(card)
        if n.get("type") == "Action.Execute" and n.get("verb") == UPLOAD_VERB
    ]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.fixture
async def world(
    connector: tuple[FaultyConnector, str], db_url: str, tmp_path: Path
) -> AsyncIterator[World]:
    host = FileHost()

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        host.requests[request.path] += 1
        return await handler(request)

    async def serve(request: web.Request) -> web.Response:
        found = host.files.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    files_app = web.Application(middlewares=[count])
    files_app.router.add_get("/files/{name}", serve)
    files_runner, host.base = await start_site(files_app)

    standin, service_url = connector
    clock = FakeClock(MONDAY_10_OSLO)
    documents_dir = tmp_path / "documents"
    settings = Settings(
        DATABASE_URL=db_url,
        DATA_DIR=tmp_path,
        DOCUMENTS_DIR=documents_dir,
        DEV_CHANNEL=False,
        SEND_RATE_PER_TENANT=0,
        DOCUMENT_MAX_MB=1,
    )
    app = create_app(settings, clock=clock)
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e-upload")
    reminders = Reminders(
        BotServer(url, app, session, standin, service_url), jobs, clock, uow_factory
    )
    try:
        yield World(reminders, host, documents_dir)
    finally:
        await session.close()
        await runner.cleanup()
        await files_runner.cleanup()


def documented_follow_up(
    world: World | SqlAlchemyUnitOfWorkFactory,
    reference: str,
    *,
    seed: int,
    evidence: tuple[str, ...] = ("skatteattest", "egenrapportering"),
    title: str = "Skatteattest og egenrapportering",
    due: date = date(2026, 11, 25),
) -> str:
    """A contract of Kari's with one open follow-up that asks for documents."""
    uow_factory = world.uow_factory if isinstance(world, World) else world
    with uow_factory() as uow:
        kari = uow.people.find_by_email_or_upn(USERS[KARI].email)
        assert kari is not None
    return due_follow_up(
        uow_factory,
        kari,
        reference,
        seed=seed,
        due=due,
        title=title,
        code="dokumentasjon",
        evidence=evidence,
        actions=("dokumentasjon", "avvik", "ikke_relevant", "utsett"),
        state=FollowUpState.NOTIFIED,
        next_action_at=MONDAY_10_OSLO + timedelta(days=3),
    ).follow_up_id


def another_follow_up(
    world: World,
    reference: str,
    *,
    title: str,
    evidence: tuple[str, ...],
    due: date,
    code: str | None = None,
) -> str:
    """One more open follow-up on the contract `reference`, of its own checkpoint."""
    with world.uow_factory() as uow:
        contract = uow.contracts.by_reference(reference)
        assert contract is not None
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code=code or evidence[0],
            title=title,
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 25),
            source=CheckpointSource.MANUAL,
            evidence=list(evidence),
            actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"],
        )
        uow.checkpoints.add(checkpoint)
        uow.commit()
    with world.uow_factory() as uow:
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id,
            contract_id=contract.id,
            due_date=due,
            state=FollowUpState.NOTIFIED,
            next_action_at=MONDAY_10_OSLO + timedelta(days=3),
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up.id


async def kari_installed(world: World) -> None:
    people(world.uow_factory, KARI)
    await world.reminders.install(KARI)


# --- the happy path ---------------------------------------------------------------------------


async def test_a_file_sent_in_teams_is_stored_and_confirmed(world: World) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=1)
    name = "Skatteattest_KOM-2025-0147.pdf"
    world.host.files[name] = (PDF, "application/pdf")

    reply, confirmation = await world.send_file(name, text="Her er signert skatteattest")

    assert "Mottatt, jeg laster ned «Skatteattest_KOM-2025-0147.pdf»" in reply
    assert "KOM-2025-0147" in reply
    (document,) = world.documents(follow_up_id)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size_bytes == len(PDF)
    assert document.file_name == name
    assert document.media_type == "application/pdf"
    assert document.evidence == "skatteattest"
    store = FolderDocumentStore(world.documents_dir)
    assert store.get(document.storage_key) == PDF
    with world.uow_factory() as uow:
        (answer,) = uow.answers.for_follow_up(follow_up_id)
        assert answer.kind is AnswerKind.DOCUMENTS
        assert answer.text == "Her er signert skatteattest"
        assert document.answer_id == answer.id
        stored_events = [e.action for e in uow.audit.for_entity("document", document.id)]
        answer_events = [e.action for e in uow.audit.for_entity("follow_up", follow_up_id)]
        follow_up = uow.follow_ups.get_many([follow_up_id])[follow_up_id]
    assert stored_events == ["document.stored"]
    assert "answer.recorded" in answer_events
    assert follow_up.state is FollowUpState.ANSWERED
    assert "Mottatt for KOM-2025-0147" in confirmation
    assert f"«{name}» – PDF, " in confirmation
    assert document.sha256[:12] in confirmation
    assert "lagret som skatteattest" in confirmation
    assert "Mangler fortsatt: egenrapportering." in confirmation
    assert world.host.requests[f"/files/{name}"] == 1


async def test_the_recorded_teams_message_goes_to_its_contract_and_asks_which_document(
    world: World,
) -> None:
    """The file name names the contract but no document it waits for, and the PDF's first
    page names none either: the bot asks, listing that contract's open evidence requests, and
    the answer files it."""
    await kari_installed(world)
    named = documented_follow_up(world, "KOM-2025-0147", seed=15)
    other = documented_follow_up(world, "KOM-2025-0148", seed=16)
    name = "Leveransebekreftelse_KOM-2025-0147.pdf"
    delivery_note = pdf_with_text("Leveransebekreftelse, levert 20.11.2026")
    world.host.files[name] = (delivery_note, "application/pdf")
    before = len(world.reminders.posts_to(KARI))

    # The payload as Teams sent it (its caption, its file name); only the address is local.
    reply, confirmation = await world.send_file(name, text="Her er signert leveransebekreftelse")

    assert "Mottatt, jeg laster ned «Leveransebekreftelse_KOM-2025-0147.pdf»" in reply
    assert "hvilken dokumentasjon for KOM-2025-0147" in reply
    assert "Mottatt for" not in confirmation, "nothing stored yet"
    assert world.documents(named) == []
    (card,) = _cards(world.reminders.posts_to(KARI)[before:])
    assert schema_errors(card) == [], "an Adaptive Card 1.5, as Teams renders"
    shown = card["fallbackText"]
    assert "Hvilken dokumentasjon er «Leveransebekreftelse_KOM-2025-0147.pdf»?" in shown
    assert "skatteattest – Skatteattest og egenrapportering, frist ons. 25.11." in shown
    assert "KOM-2025-0148" not in shown
    assert _choices(card) == [
        {"followUpId": named, "evidence": "skatteattest"},
        {"followUpId": named, "evidence": "egenrapportering"},
    ]

    before = len(world.reminders.posts_to(KARI))
    body = await world.invoke(UPLOAD_VERB, {"followUpId": named, "evidence": "egenrapportering"})

    assert "Mottatt, jeg laster ned «Leveransebekreftelse_KOM-2025-0147.pdf»" in body["value"]
    said = "\n".join(str(a.get("text")) for a in world.reminders.posts_to(KARI)[before:])
    assert "lagret som egenrapportering" in said
    assert "Mangler fortsatt: skatteattest." in said
    (document,) = world.documents(named)
    assert document.evidence == "egenrapportering"
    assert document.sha256 == hashlib.sha256(delivery_note).hexdigest()
    assert world.documents(other) == []


async def test_the_same_file_again_is_recognised_and_stored_once(world: World) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=2)
    world.host.files["egenrapportering.pdf"] = (PDF, "application/pdf")
    await world.send_file("egenrapportering.pdf", text="KOM-2025-0147")
    files_before = world.stored_files()

    _, confirmation = await world.send_file("egenrapportering.pdf", text="KOM-2025-0147")

    assert "allerede mottatt" in confirmation
    assert len(world.documents(follow_up_id)) == 1
    assert world.answer_kinds(follow_up_id) == [AnswerKind.DOCUMENTS]
    assert world.stored_files() == files_before
    assert len(files_before) == 1


# --- which evidence, and a file sent twice (issue 14, items 7 and 8) --------------------------


def issue_14_contract(world: World, reference: str = "KOM-2025-0150") -> dict[str, str]:
    """A contract waiting for egenrapportering (due first), a mannskapsliste and a
    skatteattest, each on its own follow-up: the follow-up ids by evidence."""
    follow_ups = {
        "egenrapportering": documented_follow_up(
            world,
            reference,
            seed=30,
            evidence=("egenrapportering",),
            title="Egenrapportering lønns- og arbeidsvilkår",
            due=date(2026, 11, 20),
        )
    }
    follow_ups["mannskapsliste"] = another_follow_up(
        world,
        reference,
        title="HMS-kort og mannskapsliste",
        evidence=("mannskapsliste",),
        due=date(2026, 11, 27),
    )
    follow_ups["skatteattest"] = another_follow_up(
        world, reference, title="Skatteattest", evidence=("skatteattest",), due=date(2026, 12, 15)
    )
    return follow_ups


async def test_a_tax_certificate_goes_to_the_skatteattest_request_and_twice_is_once(
    world: World,
) -> None:
    await kari_installed(world)
    follow_ups = issue_14_contract(world)
    name = "Skatteattest_Byggmester_AS_2026.pdf"
    world.host.files[name] = (PDF, "application/pdf")
    world.host.files["mannskapsliste.pdf"] = (PDF, "application/pdf")

    reply, confirmation = await world.send_file(name, text="KOM-2025-0150")

    assert "lagrer den på KOM-2025-0150 – Skatteattest" in reply
    assert "Mottatt for KOM-2025-0150" in confirmation
    assert "Skatteattest (frist tir. 15.12.)" in confirmation
    assert "lagret som skatteattest" in confirmation
    assert "Alt som etterspørres, er levert." in confirmation
    (document,) = world.documents(follow_ups["skatteattest"])
    assert document.evidence == "skatteattest"
    assert world.documents(follow_ups["egenrapportering"]) == []

    # The same bytes again, now named as another document: recognised, not filed twice.
    _, again = await world.send_file("mannskapsliste.pdf", text="KOM-2025-0150")

    assert "«mannskapsliste.pdf» – allerede mottatt man. 23.11." in again
    assert "på Skatteattest (frist tir. 15.12.) lagret som skatteattest, sendt som " in again
    assert "«Skatteattest_Byggmester_AS_2026.pdf»" in again
    assert "ikke lagret på nytt" in again
    assert world.documents(follow_ups["mannskapsliste"]) == []
    assert world.answer_kinds(follow_ups["mannskapsliste"]) == []
    assert world.documents(follow_ups["skatteattest"]) == [document]
    assert len(world.stored_files()) == 1


async def test_a_pdf_named_nothing_is_filed_by_its_first_page(world: World) -> None:
    await kari_installed(world)
    follow_ups = issue_14_contract(world)
    certificate = pdf_with_text("Skatteattest for merverdiavgift og skatt – Skatteetaten")
    world.host.files["scan_0001.pdf"] = (certificate, "application/pdf")

    reply, confirmation = await world.send_file("scan_0001.pdf", text="KOM-2025-0150")

    assert "ser hvilken dokumentasjon for KOM-2025-0150 den er" in reply
    assert "lagret som skatteattest" in confirmation
    (document,) = world.documents(follow_ups["skatteattest"])
    assert document.sha256 == hashlib.sha256(certificate).hexdigest()
    assert world.documents(follow_ups["egenrapportering"]) == []
    assert world.documents(follow_ups["mannskapsliste"]) == []


async def test_everything_delivered_is_said_only_when_every_kind_has_a_document(
    world: World,
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=31)
    world.host.files["Skatteattest.pdf"] = (PDF, "application/pdf")
    world.host.files["Egenrapport.pdf"] = (OTHER_PDF, "application/pdf")

    _, first = await world.send_file("Skatteattest.pdf", text="KOM-2025-0147")
    _, second = await world.send_file("Egenrapport.pdf", text="KOM-2025-0147")

    assert "Mangler fortsatt: egenrapportering." in first
    assert "Alt som etterspørres" not in first
    assert "lagret som egenrapportering" in second
    assert "Alt som etterspørres, er levert." in second
    assert sorted(d.evidence or "" for d in world.documents(follow_up_id)) == [
        "egenrapportering",
        "skatteattest",
    ]


async def test_the_question_is_answered_by_typing_what_it_is(world: World) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=32)
    world.host.files["scan0005.pdf"] = (PDF, "application/pdf")
    before = len(world.reminders.posts_to(KARI))
    await world.send_file("scan0005.pdf", text="KOM-2025-0147")
    (card,) = _cards(world.reminders.posts_to(KARI)[before:])
    assert "dokument KOM-2025-0147 skatteattest" in card["fallbackText"]
    assert world.documents(follow_up_id) == []

    reply, confirmation = await world.say("dokument KOM-2025-0147 egenrapporten")

    assert "Mottatt, jeg laster ned «scan0005.pdf»" in reply
    assert "lagret som egenrapportering" in confirmation
    (document,) = world.documents(follow_up_id)
    assert document.evidence == "egenrapportering"
    with world.uow_factory() as uow:
        (answer,) = uow.answers.for_follow_up(follow_up_id)
    assert answer.source_activity_id is not None
    assert answer.source_activity_id.endswith("#0"), "the file's place in its own message"


async def test_typed_dokument_does_not_guess_among_several_requests(world: World) -> None:
    await kari_installed(world)
    follow_ups = issue_14_contract(world)
    world.host.files["scan0006.pdf"] = (PDF, "application/pdf")

    reply, _ = await world.say("dokument KOM-2025-0150")

    (card,) = _cards(world.reminders.posts_to(KARI)[-1:])
    assert schema_errors(card) == []
    assert "Hvilken dokumentasjon sender du for KOM-2025-0150?" in reply
    assert [c["evidence"] for c in _choices(card)] == [
        "egenrapportering",
        "mannskapsliste",
        "skatteattest",
    ]
    body = await world.invoke(
        UPLOAD_VERB, {"followUpId": follow_ups["mannskapsliste"], "evidence": "mannskapsliste"}
    )
    assert "Den lagres som mannskapsliste." in body["value"]

    _, confirmation = await world.send_file("scan0006.pdf")

    assert "lagret som mannskapsliste" in confirmation
    (document,) = world.documents(follow_ups["mannskapsliste"])
    assert document.evidence == "mannskapsliste"

    # Naming the document in the command needs no question.
    reply, _ = await world.say("dokument KOM-2025-0150 skatteattest")
    assert "Legg ved filen her i chatten" in reply
    assert "Den lagres som skatteattest." in reply


# --- refused ----------------------------------------------------------------------------------


async def test_a_file_from_a_host_not_allowed_is_refused_and_nothing_fetched(
    world: World,
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=3)

    reply, confirmation = await world.send_file(
        "skatteattest.pdf", text="KOM-2025-0147", url="https://files.example.net/skatteattest.pdf"
    )

    assert "ble ikke hentet" in reply
    assert "Jeg henter ikke filer fra files.example.net" in reply
    assert confirmation == ""
    assert world.documents(follow_up_id) == []
    assert world.answer_kinds(follow_up_id) == []
    assert world.stored_files() == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (TOO_LARGE, "Filen er for stor. Grensen er 1 MB."),
        (EXE, "Innholdet er ikke en .pdf-fil"),
        (b"", "Filen er tom."),
    ],
    ids=["too-large", "exe-renamed-pdf", "empty"],
)
async def test_too_large_wrong_type_and_empty_are_refused(
    world: World, content: bytes, expected: str
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=4)
    world.host.files["skatteattest.pdf"] = (content, "application/pdf")

    reply, confirmation = await world.send_file("skatteattest.pdf", text="KOM-2025-0147")

    assert "Mottatt, jeg laster ned" in reply
    assert "Ingenting ble lagret på KOM-2025-0147" in confirmation
    assert expected in confirmation
    assert world.documents(follow_up_id) == []
    assert world.answer_kinds(follow_up_id) == []
    assert world.stored_files() == []


async def test_a_download_that_fails_is_told_and_nothing_stored(world: World) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=5)

    _, confirmation = await world.send_file("borte.pdf", text="KOM-2025-0147")

    assert "Nedlastingen feilet (svar 404)" in confirmation
    assert world.documents(follow_up_id) == []


async def test_a_link_that_is_not_https_is_refused(world: World) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=6)

    reply, _ = await world.say("dokument KOM-2025-0147 http://files.example.net/a.pdf")

    assert "Lenken er ikke sikker" in reply
    assert world.documents(follow_up_id) == []


# --- which follow-up --------------------------------------------------------------------------


async def test_after_the_cards_upload_button_a_file_without_text_goes_to_that_follow_up(
    world: World,
) -> None:
    await kari_installed(world)
    first = documented_follow_up(world, "KOM-2025-0147", seed=7)
    second = documented_follow_up(world, "KOM-2025-0148", seed=8)
    world.host.files["Egenrapport_oktober.pdf"] = (PDF, "application/pdf")

    body = await world.invoke(UPLOAD_VERB, {"followUpId": second})

    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Legg ved filen her i chatten" in body["value"]
    assert "KOM-2025-0148" in body["value"]
    _, confirmation = await world.send_file("Egenrapport_oktober.pdf")
    assert "Mottatt for KOM-2025-0148" in confirmation
    assert world.documents(first) == []
    (document,) = world.documents(second)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.evidence == "egenrapportering"


async def test_the_cards_upload_button_is_forgotten_after_an_hour(world: World) -> None:
    await kari_installed(world)
    documented_follow_up(world, "KOM-2025-0147", seed=17)
    second = documented_follow_up(world, "KOM-2025-0148", seed=18)
    world.host.files["scan0004.pdf"] = (PDF, "application/pdf")
    await world.invoke(UPLOAD_VERB, {"followUpId": second})

    world.reminders.clock.advance(minutes=61)
    reply, confirmation = await world.send_file("scan0004.pdf")

    assert "Hvilken dokumentasjon er «scan0004.pdf»?" in reply
    assert confirmation == ""
    assert world.documents(second) == []


async def test_a_pasted_link_is_stored_on_the_contract_it_names(world: World) -> None:
    await kari_installed(world)
    documented_follow_up(world, "KOM-2025-0147", seed=9)
    target = documented_follow_up(world, "KOM-2025-0148", seed=10)
    world.host.files["egenrapportering-okt.pdf"] = (OTHER_PDF, "application/pdf")

    reply, confirmation = await world.say(
        f"dokument KOM-2025-0148 {world.host.url('egenrapportering-okt.pdf')}"
    )

    assert "Mottatt, jeg laster ned" in reply
    assert "Mottatt for KOM-2025-0148" in confirmation
    assert "Mangler fortsatt: skatteattest." in confirmation
    (document,) = world.documents(target)
    assert document.evidence == "egenrapportering"
    assert document.sha256 == hashlib.sha256(OTHER_PDF).hexdigest()


async def test_a_bare_link_goes_to_the_only_follow_up_asking_for_documents(
    world: World,
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(world, "KOM-2025-0147", seed=14)
    world.host.files["scan0003.pdf"] = (PDF, "application/pdf")

    reply, confirmation = await world.say(
        f"Her er skatteattesten: {world.host.url('scan0003.pdf')}"
    )

    assert "Mottatt, jeg laster ned" in reply
    assert "Mottatt for KOM-2025-0147" in confirmation
    (document,) = world.documents(follow_up_id)
    assert document.file_name == "scan0003.pdf"
    assert document.evidence == "skatteattest", "the message names the document"
    with world.uow_factory() as uow:
        (answer,) = uow.answers.for_follow_up(follow_up_id)
    assert answer.text == "Her er skatteattesten:"


async def test_when_it_cannot_tell_it_asks_and_keeps_the_file(world: World) -> None:
    await kari_installed(world)
    first = documented_follow_up(world, "KOM-2025-0147", seed=11)
    second = documented_follow_up(world, "KOM-2025-0148", seed=12)
    world.host.files["scan0002.pdf"] = (PDF, "application/pdf")

    activity_reply, confirmation = await world.send_file("scan0002.pdf")

    assert "Hvilken dokumentasjon er «scan0002.pdf»?" in activity_reply
    assert "KOM-2025-0147 skatteattest – Skatteattest og egenrapportering" in activity_reply
    assert confirmation == ""
    assert world.host.requests["/files/scan0002.pdf"] == 0
    (card,) = _cards(world.reminders.posts_to(KARI)[-1:])
    choices = [(c["followUpId"], c["evidence"]) for c in _choices(card)]
    assert sorted(choices) == sorted(
        (f, e) for f in (first, second) for e in ("skatteattest", "egenrapportering")
    )
    assert schema_errors(card) == [], "an Adaptive Card 1.5, as Teams renders"

    before = len(world.reminders.posts_to(KARI))
    body = await world.invoke(UPLOAD_VERB, {"followUpId": first, "evidence": "skatteattest"})

    assert "Mottatt, jeg laster ned «scan0002.pdf»" in body["value"]
    confirmation = "\n".join(str(a.get("text")) for a in world.reminders.posts_to(KARI)[before:])
    assert "Mottatt for KOM-2025-0147" in confirmation
    assert len(world.documents(first)) == 1
    assert world.documents(second) == []


async def test_someone_elses_contract_is_refused(world: World) -> None:
    await kari_installed(world)
    with world.uow_factory() as uow:
        from tests.builders import add_person

        ola = add_person(uow, "Ola Hansen", MONDAY_10_OSLO)
        supplier = add_supplier(uow, "Annen AS", seed=13)
        add_contract(uow, MONDAY_10_OSLO, owner=ola, supplier=supplier, reference="KOM-2025-0999")
        uow.commit()
    world.host.files["a.pdf"] = (PDF, "application/pdf")

    reply, confirmation = await world.send_file("a.pdf", text="KOM-2025-0999")

    assert "Du kan ikke svare på denne oppfølgingen" in reply
    assert confirmation == ""
    assert world.host.requests["/files/a.pdf"] == 0


# --- the dev chat's upload ---------------------------------------------------------------------


@dataclass
class DevApp:
    base: str
    app: web.Application
    http: aiohttp.ClientSession
    uow_factory: SqlAlchemyUnitOfWorkFactory


@pytest.fixture
async def dev_app(db_url: str, tmp_path: Path) -> AsyncIterator[DevApp]:
    settings = Settings(
        MicrosoftAppId="",
        DATABASE_URL=db_url,
        DATA_DIR=tmp_path,
        DOCUMENTS_DIR=tmp_path / "documents",
        SEND_RATE_PER_TENANT=0,
        DOCUMENT_MAX_MB=1,
    )
    app = create_app(settings, clock=FakeClock(MONDAY_10_OSLO))
    runner, base = await start_site(app)
    http = aiohttp.ClientSession()
    try:
        yield DevApp(
            base, app, http, SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE]))
        )
    finally:
        await http.close()
        await runner.cleanup()


async def dev_upload(
    dev: DevApp, person_id: str, files: list[tuple[str, bytes]], text: str
) -> tuple[str, int]:
    """A person picks files in Web Chat and sends them: what Direct Line does, multipart."""
    async with dev.http.post(dev.base + "/_dev/api/token", json={"personId": person_id}) as r:
        grant = await r.json()
    conversation_id = grant["conversationId"]
    form = aiohttp.FormData()
    activity = {
        "type": "message",
        "text": text,
        "from": {"id": grant["userId"], "role": "user"},
        "attachments": [{"contentType": "application/pdf", "name": n} for n, _ in files],
        "channelData": {"attachmentSizes": [len(d) for _, d in files]},
    }
    form.add_field(
        "activity", json.dumps(activity), content_type="application/vnd.microsoft.activity"
    )
    for name, data in files:
        form.add_field("file", io.BytesIO(data), filename=name, content_type="application/pdf")
    url = f"{dev.base}/_dev/directline/v3/directline/conversations/{conversation_id}/upload"
    async with dev.http.post(
        url, data=form, headers={"Authorization": f"Bearer {grant['token']}"}
    ) as r:
        status = r.status
        await r.read()
    await dev.app[UPLOADS].work.idle()
    return conversation_id, status


async def test_a_file_uploaded_in_the_dev_chat_reaches_the_bot_as_a_teams_file(
    dev_app: DevApp,
) -> None:
    kari = people(dev_app.uow_factory, KARI)[KARI]
    follow_up_id = documented_follow_up(dev_app.uow_factory, "KOM-2025-0147", seed=21)

    conversation_id, status = await dev_upload(
        dev_app, kari.id, [("Skatteattest.pdf", PDF)], "Skatteattest for KOM-2025-0147"
    )

    assert status == 200
    with dev_app.uow_factory() as uow:
        (document,) = uow.documents.for_follow_up(follow_up_id)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.evidence == "skatteattest"
    shown = dev_app.app[DEV_CHANNEL].directline.activities(conversation_id)
    (echo,) = [a for a in shown if a.get("from", {}).get("role") == "user"]
    (attachment,) = echo["attachments"]
    assert attachment["name"] == "Skatteattest.pdf"
    assert "/_dev/directline/files/" in attachment["contentUrl"]
    async with dev_app.http.get(attachment["contentUrl"]) as r:
        assert r.status == 200
        assert await r.read() == PDF
        assert r.headers["Content-Disposition"].startswith("attachment;")
    said = [str(a.get("text")) for a in shown if a.get("from", {}).get("role") == "bot"]
    assert any("Mottatt for KOM-2025-0147" in t and "Skatteattest.pdf" in t for t in said)


async def test_a_dev_chat_file_over_the_bots_limit_is_refused_by_the_bot(
    dev_app: DevApp,
) -> None:
    kari = people(dev_app.uow_factory, KARI)[KARI]
    follow_up_id = documented_follow_up(dev_app.uow_factory, "KOM-2025-0147", seed=22)

    conversation_id, status = await dev_upload(
        dev_app, kari.id, [("Stor.pdf", TOO_LARGE)], "KOM-2025-0147"
    )

    assert status == 200
    with dev_app.uow_factory() as uow:
        assert list(uow.documents.for_follow_up(follow_up_id)) == []
    said = [
        str(a.get("text"))
        for a in dev_app.app[DEV_CHANNEL].directline.activities(conversation_id)
        if a.get("from", {}).get("role") == "bot"
    ]
    assert any("Filen er for stor. Grensen er 1 MB." in t for t in said)


async def test_the_dev_channel_refuses_an_upload_over_its_own_limit() -> None:
    async def handler(request: web.Request) -> web.Response:
        try:
            upload = await read_upload(request, max_bytes=1000)
        except DevUploadRefused as refused:
            return refused.response
        return web.json_response({"files": len(upload.files)})

    app = web.Application()
    app.router.add_post("/upload", handler)
    runner, base = await start_site(app)
    try:
        async with aiohttp.ClientSession() as http:
            for size, expected in ((1000, 200), (1001, 413)):
                form = aiohttp.FormData()
                form.add_field("activity", '{"type": "message"}')
                form.add_field("file", b"x" * size, filename="a.pdf")
                async with http.post(base + "/upload", data=form) as r:
                    assert r.status == expected, size
    finally:
        await runner.cleanup()


async def test_background_work_is_bounded_and_can_be_awaited() -> None:
    work = BackgroundWork(2, max_waiting=3)
    running: list[int] = []
    peak = 0
    release = asyncio.Event()

    async def job() -> None:
        nonlocal peak
        running.append(1)
        peak = max(peak, len(running))
        await release.wait()
        running.pop()

    assert all(work.start(job, name=f"job{i}") for i in range(3))
    assert not work.start(job, name="one too many")
    await asyncio.sleep(0.01)
    assert peak == 2, "two at once; the third waits"
    release.set()
    await work.idle()
    assert work.pending == 0
    assert peak == 2


def test_the_payload_is_a_teams_file_message() -> None:
    from tests.e2e.harness import PAYLOADS

    activity = json.loads((PAYLOADS / PAYLOAD).read_text())
    assert activity["attachments"][0]["contentType"] == FILE_DOWNLOAD_INFO
    assert USERS[KARI].name == "Kari Nordmann"
    assert uuid.UUID(activity["attachments"][0]["content"]["uniqueId"])


# --- sales statistics (issue 16) ---------------------------------------------------------------

STATISTICS_CSV = (
    "Periode;Kunde;Varenummer;Varetekst;Antall;Enhetspris;Beløp eks. mva\n"
    "3. kvartal 2026;Sykehjem A;1001;Melk 1 l;100;15,00;1 500,00\n"
    "3. kvartal 2026;Sykehjem B;1002;Brød grovt;50;31,00;1 550,00\n"
    "3. kvartal 2026;Sykehjem A;9999;Sjokolade;10;25,00;250,00\n"
)
"""Turnover 3 300; core (1001, 1002 on the price list as core) 3 050 → 92,4 %; Brød invoiced
31 against 30: one line, overcharge 50; Sjokolade is not on the list (250 → 7,6 %)."""


def _price_list(world: World, reference: str) -> None:
    from followup.analysis.models import ImportKind
    from followup.analysis.services import ImportAnalysisFile, import_analysis_file

    cells: list[dict[str, object]] = [
        {"Varenummer": "1001", "Varetekst": "Melk 1 l", "Avtalt pris": "15,00", "Kjerne": "J"},
        {"Varenummer": "1002", "Varetekst": "Brød grovt", "Avtalt pris": "30,00", "Kjerne": "J"},
    ]
    with world.uow_factory() as uow:
        report = import_analysis_file(
            ImportAnalysisFile(
                kind=ImportKind.PRICE_LIST,
                rows=list(enumerate(cells, start=2)),
                headers=list(cells[0]),
                file_name="prisliste.csv",
                sha256="0" * 64,
                actor="test",
                reference=reference,
            ),
            uow,
            MONDAY_10_OSLO,
        )
    assert report.stored


async def test_sales_statistics_sent_in_chat_are_stored_and_analysed_at_once(
    world: World,
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(
        world,
        "KOM-2025-0160",
        seed=40,
        evidence=("salgsstatistikk",),
        title="Salgsstatistikk",
        due=date(2026, 10, 20),
    )
    _price_list(world, "KOM-2025-0160")
    world.host.files["salgsstatistikk_K3.csv"] = (STATISTICS_CSV.encode(), "text/csv")

    _, said = await world.send_file("salgsstatistikk_K3.csv", text="KOM-2025-0160")

    (document,) = world.documents(follow_up_id)
    assert document.evidence == "salgsstatistikk"
    assert "lagret som salgsstatistikk" in said
    cards = [c for a in world.reminders.posts_to(KARI) for c in _cards([a])]
    (analysis,) = [c for c in cards if "Analyse av KOM-2025-0160" in str(c)]
    assert_valid(analysis)
    plain = analysis["fallbackText"].replace("\u00a0", " ").replace("\u202f", " ")
    assert "Omsetning: kr 3 300,00" in plain
    assert "Kjernesortiment: 92,4 %" in plain
    assert "Prisavvik: 1 linje, merpris kr 50,00" in plain
    with world.uow_factory() as uow:  # the finding became a deviation, reported by Kari
        contract = uow.contracts.by_reference("KOM-2025-0160")
        assert contract is not None
        (deviation,) = uow.deviations.for_contract(contract.id)
        kari = uow.people.find_by_email_or_upn(USERS[KARI].email)
    assert deviation.category.value == "prisavvik"
    assert deviation.severity.value == "middels"
    assert "1002 Brød grovt: fakturert kr 31,00, avtalt kr 30,00" in deviation.description
    assert kari is not None
    assert deviation.reported_by_id == kari.id


async def test_statistics_with_a_bad_row_are_kept_as_a_document_but_not_analysed(
    world: World,
) -> None:
    await kari_installed(world)
    follow_up_id = documented_follow_up(
        world,
        "KOM-2025-0161",
        seed=41,
        evidence=("salgsstatistikk",),
        title="Salgsstatistikk",
        due=date(2026, 10, 20),
    )
    bad = STATISTICS_CSV + "3. kvartal 2026;Sykehjem A;1003;Kaffe;tolv;60,00;720,00\n"
    world.host.files["statistikk.csv"] = (bad.encode(), "text/csv")

    _, said = await world.send_file("statistikk.csv", text="KOM-2025-0161")

    assert len(world.documents(follow_up_id)) == 1
    assert "linjene er ikke tatt inn i analysen" in said
    assert "rad 5" in said
    with world.uow_factory() as uow:
        assert uow.analysis.statistics_periods(uow.contracts.by_reference("KOM-2025-0161").id) == []  # type: ignore[union-attr]
