"""`eksport` end to end: through POST /api/messages, the stand-in connector, a stand-in for
OneDrive's upload sessions and the download route, on SQLite and PostgreSQL.

The register is a small region (`bench.region_data`: contracts, follow-ups in every state,
answers, deviations), plus Kari (procurement), Ola (owner of a few of its contracts) and Per
(registered, follows up nothing). What an export holds is checked row by row against SQL
written here, independently of `storage.portfolio_queries`, and its length against the status
count for the same filter.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from bench.region_data import RegionSize, populate_region
from bot.app import ADAPTER, ENGINE, EXPORTS, create_app
from bot.conversation.texts import text as says
from bot.exports import commands as export_commands
from bot.exports.commands import FILE_CONSENT, FILE_INFO
from bot.settings import Settings
from bot.teams.file_uploads import CHUNK_BYTES
from bot.wiring import build_reminder_jobs
from followup.calendar.workdays import WorkingCalendar
from followup.checks.evaluation import RecordEvaluation, record_evaluation
from followup.checks.evaluation_models import EvaluationHeading
from followup.checks.models import RiskArea
from followup.checks.risk import AssessRisk, assess_risk
from followup.models import OPEN_FOLLOW_UP_STATES, Role
from followup.plans.plan_file import load_plan
from followup.portfolio import portfolio_status
from followup.reminders.planning import Step
from followup.views import (
    ANSWER_KIND_LABELS,
    EXPORT_COLUMNS,
    FOLLOW_UP_STATE_LABELS,
    ExportKind,
    Scope,
    StatusWindow,
)
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person
from tests.e2e.harness import TENANT, BotServer, start_site
from tests.e2e.reminder_harness import (
    CHANNEL_CONVERSATION,
    KARI,
    MONDAY_10_OSLO,
    OLA,
    PER,
    USERS,
    Reminders,
)
from tests.fakes import FakeClock, FaultyConnector

TODAY = date(2026, 11, 23)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK = re.compile(r"\((http://127\.0\.0\.1:\d+/eksport/([A-Za-z0-9_-]+))\)")
OLA_CONTRACTS = 12
YES_NO = {True: "Ja", False: "Nei"}


# --- OneDrive's upload session, standing in -----------------------------------------------------


@dataclass
class UploadSessions:
    """PUTs with Content-Range, answered as Graph's upload sessions answer them."""

    url: str = ""
    received: dict[str, bytearray] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 << 20)
        app.router.add_put("/upload/{session}", self._put)
        return app

    async def _put(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        self.requests.append(headers)
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("Content-Range", ""))
        if match is None or int(headers.get("Content-Length", "-1")) != len(body):
            return web.json_response({"error": {"code": "invalidRange"}}, status=400)
        first, last, total = (int(g) for g in match.groups())
        data = self.received.setdefault(request.match_info["session"], bytearray())
        if first != len(data) or last - first + 1 != len(body):
            return web.json_response({"error": {"code": "invalidRange"}}, status=416)
        data.extend(body)
        if len(data) < total:
            return web.json_response({"nextExpectedRanges": [f"{len(data)}-"]}, status=202)
        return web.json_response({"id": "01UPLOADED", "size": total}, status=201)


@pytest.fixture
async def onedrive() -> AsyncIterator[UploadSessions]:
    sessions = UploadSessions()
    runner, url = await start_site(sessions.app())
    sessions.url = url
    yield sessions
    await runner.cleanup()


# --- the bot --------------------------------------------------------------------------------------


@dataclass
class Exporting:
    bot: Reminders
    data_dir: Path

    @property
    def server(self) -> BotServer:
        return self.bot.server

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    def prepared(self) -> list[Path]:
        if not self.exports_dir.is_dir():
            return []
        return sorted(p for p in self.exports_dir.iterdir() if p.is_file())

    async def ask(
        self, name: str, words: str, *, conversation_id: str | None = None
    ) -> dict[str, Any]:
        """`name` writes `words` in their 1:1 chat; the bot's answer (an activity)."""
        user = USERS[name]
        activity = self.server.payload("message_personal_text_status_command.json")
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = conversation_id or user.conversation_id
        activity["text"] = words
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        return await self._last_reply(activity["id"])

    async def ask_in_channel(self, name: str, words: str) -> dict[str, Any]:
        user = USERS[name]
        activity = self.server.payload("message_channel_mention_query.json")
        activity["id"] = str(10**12 + secrets.randbelow(10**12))
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = f"{CHANNEL_CONVERSATION};messageid={activity['id']}"
        activity["text"] = f"<at>Kontraktsoppfølging</at> {words}"
        status, _ = await self.server.post(activity)
        assert status in {200, 201}
        return await self._last_reply(activity["id"])

    async def consent(
        self, name: str, action: str, context: Any, upload_url: str | None = None
    ) -> tuple[int, Any, str]:
        """`name` presses Allow or Decline on a file consent card; the invoke's status and body,
        and its activity id (the bot's messages reply to it)."""
        user = USERS[name]
        payload = "accept" if action == "accept" else "decline"
        activity = self.server.payload(f"invoke_fileConsent_{payload}.json")
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
        activity["conversation"]["id"] = user.conversation_id
        activity["value"]["context"] = context
        if upload_url is not None:
            activity["value"]["uploadInfo"]["uploadUrl"] = upload_url
        status, body = await self.server.post(activity)
        return status, body, activity["id"]

    async def _last_reply(self, activity_id: str) -> dict[str, Any]:
        """The turn is over when the POST returns: its last reply (after a welcome, if any)."""
        await self.server.connector.wait_for(lambda r: r.reply_to_id == activity_id)
        last: dict[str, Any] = self.replies_to(activity_id)[-1]
        return last

    def replies_to(self, activity_id: str) -> list[dict[str, Any]]:
        return [
            r.activity
            for r in self.server.connector.recorded
            if r.method == "POST" and r.reply_to_id == activity_id
        ]

    async def download(self, url: str) -> tuple[int, bytes, dict[str, str]]:
        """GET a posted link (its host is PUBLIC_BASE_URL: here the server's own port)."""
        path = url[url.index("/eksport/") :]
        async with self.server.session.get(self.server.url + path) as response:
            return response.status, await response.read(), dict(response.headers)


@pytest.fixture
async def exporting(
    connector: tuple[FaultyConnector, str], db_url: str, tmp_path: Path
) -> AsyncIterator[Exporting]:
    standin, service_url = connector
    clock = FakeClock(MONDAY_10_OSLO)
    data_dir = tmp_path / "data"
    settings = Settings(
        DATABASE_URL=db_url,
        DATA_DIR=str(data_dir),
        DEV_CHANNEL=False,
        SEND_RATE_PER_TENANT=0,
        EXPORT_LINK_MINUTES=15,
        EXPORT_LIFETIME_MINUTES=60,
    )
    app = create_app(settings, clock=clock)
    engine = app[ENGINE]
    populate_region(
        engine,
        RegionSize(contracts=150, follow_ups=1500, people=40, suppliers=25, procurement=3),
        now=MONDAY_10_OSLO,
    )
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    jobs = build_reminder_jobs(settings, uow_factory, app[ADAPTER], clock, holder="e2e")
    with uow_factory() as uow:
        add_person(uow, KARI, MONDAY_10_OSLO, roles={Role.PROCUREMENT})
        ola = add_person(uow, OLA, MONDAY_10_OSLO)
        add_person(uow, PER, MONDAY_10_OSLO)
        uow.commit()
    with engine.begin() as conn:
        ids = [
            row.id
            for row in conn.execute(
                text("SELECT id FROM contracts ORDER BY reference LIMIT :n"), {"n": OLA_CONTRACTS}
            )
        ]
        for contract_id in ids:
            conn.execute(
                text("UPDATE contracts SET owner_id = :ola WHERE id = :id"),
                {"ola": ola.id, "id": contract_id},
            )
    bot = Reminders(BotServer(url, app, session, standin, service_url), jobs, clock, uow_factory)
    try:
        yield Exporting(bot, data_dir)
    finally:
        jobs.stop.set()
        await jobs.idle()
        await session.close()
        await runner.cleanup()


# --- what the database says, in SQL of its own ----------------------------------------------------

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_FOLLOW_UP_STATES))


def overdue_rows(exporting: Exporting, *, owner_name: str | None = None) -> list[tuple[Any, ...]]:
    """Every overdue follow-up (of contracts where `owner_name` is owner, deputy or manager),
    oldest first, with the export's columns."""
    visible = ""
    values: dict[str, Any] = {"today": TODAY, "procurement": int(Step.PROCUREMENT)}
    if owner_name is not None:
        visible = (
            "AND EXISTS (SELECT 1 FROM people v WHERE v.display_name = :who AND v.id IN "
            "(c.owner_id, c.deputy_id, c.manager_id))"
        )
        values["who"] = owner_name
    sql = f"""
        SELECT c.reference, c.title, s.name, c.unit, cp.title, f.due_date, f.state,
               f.reminder_step, o.display_name, o.email
        FROM follow_ups f
        JOIN contracts c ON c.id = f.contract_id
        JOIN checkpoints cp ON cp.id = f.checkpoint_id
        LEFT JOIN suppliers s ON s.id = c.supplier_id
        LEFT JOIN people o ON o.id = c.owner_id
        WHERE f.state IN ({_OPEN}) AND f.due_date < :today {visible}
        ORDER BY f.due_date, f.id
    """  # noqa: S608 - our own constants
    rows = []
    with exporting.bot.uow_factory() as uow:
        for r in uow.session.execute(text(sql), values):
            due = r[5] if isinstance(r[5], date) else date.fromisoformat(r[5])
            escalated = r[6] == "escalated" or r[7] >= int(Step.PROCUREMENT)
            state = FOLLOW_UP_STATE_LABELS[next(s for s in OPEN_FOLLOW_UP_STATES if s == r[6])]
            rows.append(
                (r[0], r[1], r[2], r[3], r[4], due, (TODAY - due).days, state, r[7],
                 YES_NO[escalated], r[8], r[9])
            )  # fmt: skip
    return rows


def answer_rows(exporting: Exporting, start: date, end: date) -> list[tuple[Any, ...]]:
    """Answered follow-ups due in the period (not skipped): reference, checkpoint, due date,
    first answered, on time, the latest answer's kind, its version count."""
    sql = """
        SELECT c.reference, cp.title, f.due_date, f.first_answered_on, a.kind, a.version
        FROM follow_ups f
        JOIN contracts c ON c.id = f.contract_id
        JOIN checkpoints cp ON cp.id = f.checkpoint_id
        JOIN answers a ON a.follow_up_id = f.id
        WHERE f.state <> 'skipped' AND f.due_date >= :start AND f.due_date <= :end
          AND f.first_answered_on IS NOT NULL
          AND a.version = (SELECT max(b.version) FROM answers b WHERE b.follow_up_id = f.id)
        ORDER BY f.due_date, f.id
    """
    rows = []
    with exporting.bot.uow_factory() as uow:
        for r in uow.session.execute(text(sql), {"start": start, "end": end}):
            due, first = (d if isinstance(d, date) else date.fromisoformat(d) for d in r[2:4])
            kind = next(label for k, label in ANSWER_KIND_LABELS.items() if k.value == r[4])
            rows.append((r[0], r[1], due, first, YES_NO[first <= due], kind, r[5]))
    return rows


def sheet_rows(data: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    values = [
        tuple(c.date() if isinstance(c, datetime) else c for c in row)
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return [str(h) for h in values[0]], values[1:]


def consent_card(reply: dict[str, Any]) -> dict[str, Any]:
    cards: list[dict[str, Any]] = [
        a for a in reply.get("attachments") or [] if a["contentType"] == FILE_CONSENT
    ]
    assert len(cards) == 1, reply
    return cards[0]


async def install(exporting: Exporting, *names: str) -> None:
    for name in names:
        await exporting.bot.install(name)


# --- 1:1 chat: file consent -----------------------------------------------------------------------


async def test_overdue_export_is_uploaded_on_consent_and_matches_the_database(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport forfalt")
    card = consent_card(reply)
    assert card["name"] == "kontraktsvakt-forfalt-2026-11-23.xlsx"
    content = card["content"]
    assert set(content["acceptContext"]) == {"exportId"}  # an id, never the data
    assert content["declineContext"] == content["acceptContext"]
    assert content["sizeInBytes"] > 0
    expected = overdue_rows(exporting)
    assert f"{len(expected)}" in content["description"].replace("\u00a0", "")
    assert len(exporting.prepared()) == 2  # the file and its record

    upload_url = f"{onedrive.url}/upload/kari-1?guid=%2752101999%27&tempauth=INVENTED"
    status, body, invoke_id = await exporting.consent(
        KARI, "accept", content["acceptContext"], upload_url
    )
    assert status == 200
    assert body == {
        "message": says("export.uploaded", file="Avviksrapport_KOM-2025-0147_2026-09.xlsx")
    }
    uploaded = bytes(onedrive.received["kari-1"])
    assert len(uploaded) == content["sizeInBytes"]
    assert all("Authorization" not in h and "Cookie" not in h for h in onedrive.requests)
    size = len(uploaded)
    starts = range(0, size, CHUNK_BYTES)
    assert [h["Content-Range"] for h in onedrive.requests] == [
        f"bytes {s}-{min(s + CHUNK_BYTES, size) - 1}/{size}" for s in starts
    ]
    header, rows = sheet_rows(uploaded)
    assert header == [c.header for c in EXPORT_COLUMNS[ExportKind.FORFALT]]
    assert len(rows) == len(expected) > 0
    for got, want in zip(rows, expected, strict=True):
        assert got == want
    with exporting.bot.uow_factory() as uow:
        status_card = portfolio_status(uow, Scope.everything(), TODAY)
    assert status_card.counts.overdue == len(rows)

    sent = exporting.replies_to(invoke_id)
    info = [a for r in sent for a in r.get("attachments") or [] if a["contentType"] == FILE_INFO]
    assert len(info) == 1
    assert info[0]["contentUrl"].startswith("https://bergvikkommune-my.sharepoint.com/")
    assert info[0]["content"] == {
        "uniqueId": "52101999-ce52-4f9a-8064-42b4d04a24fa",
        "fileType": "xlsx",
    }
    assert exporting.prepared() == []  # delivered once, then gone

    # The same card pressed again: nothing left to send.
    status, _, again = await exporting.consent(KARI, "accept", content["acceptContext"], upload_url)
    assert status == 200
    assert "finnes ikke lenger" in exporting.replies_to(again)[0]["text"]
    assert len(onedrive.received["kari-1"]) == len(uploaded)


async def test_a_big_export_is_answered_at_once_and_the_file_follows(
    exporting: Exporting, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_commands, "INLINE_SECONDS", 0.0)
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport forfalt")
    assert reply["text"] == says("export.working")
    later = await exporting.server.connector.wait_for(
        lambda r: r.reply_to_id == reply["replyToId"] and bool(r.activity.get("attachments"))
    )
    card = consent_card(later.activity)
    assert later.activity["conversation"]["id"] == USERS[KARI].conversation_id
    assert later.activity["recipient"]["id"] == USERS[KARI].teams_id
    assert card["content"]["sizeInBytes"] > 0
    await exporting.server.app[EXPORTS].idle()


async def test_answers_in_a_period_match_the_database_and_the_status_count(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, KARI)
    window = StatusWindow.for_today(TODAY)
    start, end = window.period_start, window.period_end
    reply = await exporting.ask(KARI, f"eksport svar fra {start:%d.%m.%Y} til {end:%d.%m.%Y}")
    card = consent_card(reply)
    await exporting.consent(
        KARI, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/svar"
    )
    header, rows = sheet_rows(bytes(onedrive.received["svar"]))
    columns = {name: index for index, name in enumerate(header)}
    picked = [
        (
            r[columns["Avtalenr"]], r[columns["Kontrollpunkt"]], r[columns["Frist"]],
            r[columns["Første svar"]], r[columns["Besvart i tide"]], r[columns["Svar"]],
            r[columns["Versjoner"]],
        )
        for r in rows
    ]  # fmt: skip
    expected = answer_rows(exporting, start, end)
    assert len(picked) == len(expected) > 0
    for got, want in zip(picked, expected, strict=True):
        assert got == want
    with exporting.bot.uow_factory() as uow:
        counts = portfolio_status(uow, Scope.everything(), TODAY).counts
    assert counts.answered == len(rows)
    assert sum(1 for r in picked if r[4] == "Ja") == counts.answered_on_time


async def test_a_period_limits_the_rows(exporting: Exporting, onedrive: UploadSessions) -> None:
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport forfalt fra 1.9 til 31.10")
    assert "01.09.2026" in reply["text"]
    assert "31.10.2026" in reply["text"]
    card = consent_card(reply)
    await exporting.consent(
        KARI, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/sep-oct"
    )
    _, rows = sheet_rows(bytes(onedrive.received["sep-oct"]))
    expected = [
        r for r in overdue_rows(exporting) if date(2026, 9, 1) <= r[5] <= date(2026, 10, 31)
    ]
    assert rows == expected
    assert 0 < len(rows) < len(overdue_rows(exporting))

    only_from = await exporting.ask(KARI, "eksport forfalt fra 1.11")
    assert "01.11.2026" in only_from["text"]
    backwards = await exporting.ask(KARI, "eksport forfalt fra 30.11.2026 til 1.11.2026")
    assert backwards.get("attachments") in (None, [])
    unread = await exporting.ask(KARI, "eksport forfalt fra blåmandag")
    assert "blåmandag" in unread["text"]


async def test_csv_on_request(exporting: Exporting, onedrive: UploadSessions) -> None:
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "export overdue csv")
    card = consent_card(reply)
    assert card["name"].endswith(".csv")
    await exporting.consent(
        KARI, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/csv"
    )
    data = bytes(onedrive.received["csv"])
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert lines[0] == [c.header for c in EXPORT_COLUMNS[ExportKind.FORFALT]]
    expected = overdue_rows(exporting)
    assert len(lines) - 1 == len(expected)
    first = expected[0]
    assert lines[1][:2] == [first[0], first[1]]
    assert lines[1][5] == first[5].strftime("%d.%m.%Y")


async def test_decline_deletes_the_prepared_file(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, KARI)
    card = consent_card(await exporting.ask(KARI, "eksport kontrakter"))
    assert exporting.prepared()
    status, _, invoke_id = await exporting.consent(
        KARI, "decline", card["content"]["declineContext"]
    )
    assert status == 200
    assert exporting.replies_to(invoke_id)[0]["text"] == says("export.declined")
    assert exporting.prepared() == []
    assert onedrive.requests == []


async def test_an_upload_address_on_a_host_not_allowed_is_refused(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, KARI)
    card = consent_card(await exporting.ask(KARI, "eksport avvik"))
    context = card["content"]["acceptContext"]
    for url in (
        "https://onedrive.attacker.example/upload/x",
        "https://bergvikkommune-my.sharepoint.com.attacker.example/upload/x",
        "http://bergvikkommune-my.sharepoint.com/upload/x",
        "https://10.0.0.7/upload/x",
    ):
        status, _, invoke_id = await exporting.consent(KARI, "accept", context, url)
        assert status == 200
        sent = exporting.replies_to(invoke_id)
        assert [r["text"] for r in sent] == [says("export.upload_refused")]
        assert not any(r.get("attachments") for r in sent)
    assert onedrive.requests == []
    assert exporting.prepared()  # kept: a later consent may still deliver it


async def test_a_consent_is_only_for_whom_the_export_was_made(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, KARI, OLA)
    card = consent_card(await exporting.ask(KARI, "eksport forfalt"))
    status, _, invoke_id = await exporting.consent(
        OLA, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/ola"
    )
    assert status == 200
    assert exporting.replies_to(invoke_id)[0]["text"] == says("file.no_pending")
    # The payload as Teams sends it for a card this bot never made:
    status, _, invoke_id = await exporting.consent(
        KARI, "accept", {"kontraktId": "KOM-2025-0147"}, f"{onedrive.url}/upload/other"
    )
    assert exporting.replies_to(invoke_id)[0]["text"] == says("file.no_pending")
    assert onedrive.requests == []


async def test_an_owner_exports_only_their_contracts(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    await install(exporting, OLA)
    card = consent_card(await exporting.ask(OLA, "eksport forfalt"))
    await exporting.consent(
        OLA, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/ola"
    )
    _, rows = sheet_rows(bytes(onedrive.received["ola"]))
    assert rows == overdue_rows(exporting, owner_name=OLA)


async def test_someone_who_follows_up_nothing_is_refused(exporting: Exporting) -> None:
    await install(exporting, PER)
    reply = await exporting.ask(PER, "eksport forfalt")
    assert reply["text"] == says("export.not_allowed")
    assert not reply.get("attachments")
    assert exporting.prepared() == []
    usage = await exporting.ask(PER, "eksport")
    assert usage["text"] == says("export.usage")


# --- links: channels and the dev chat -------------------------------------------------------------


async def test_in_a_channel_a_link_with_only_what_every_member_may_see(
    exporting: Exporting,
) -> None:
    await install(exporting, KARI, OLA)  # both are members of the channel
    await exporting.bot.install_in_procurement_team()
    reply = await exporting.ask_in_channel(KARI, "eksport forfalt")
    assert not reply.get("attachments")  # no file consent in a channel
    match = LINK.search(reply["text"])
    assert match is not None, reply["text"]
    url, token = match.groups()
    assert len(token) == 43
    assert "15 minutter" in reply["text"]

    status, data, headers = await exporting.download(url)
    assert status == 200
    assert headers["Content-Type"] == XLSX
    assert headers["Content-Disposition"].startswith(
        'attachment; filename="kontraktsvakt-forfalt-2026-11-23.xlsx"'
    )
    assert headers["Cache-Control"] == "no-store"
    _, rows = sheet_rows(data)
    # Ola is in the channel and is not procurement: only his contracts.
    assert rows == overdue_rows(exporting, owner_name=OLA)
    assert 0 < len(rows) < len(overdue_rows(exporting))

    again, _, _ = await exporting.download(url)
    assert again == 200  # good until it expires (Teams fetches posted links to preview them)
    exporting.bot.clock.advance(minutes=16)
    expired, body, _ = await exporting.download(url)
    assert expired == 410
    assert body.decode() == says("export.page_gone")
    wrong, _, _ = await exporting.download(url.replace(token, secrets.token_urlsafe(32)))
    assert wrong == 404
    malformed, _, _ = await exporting.download(url.replace(token, "../../kv.db"))
    assert malformed == 404

    # Past the export's own life the cleanup removes it, and the link is unknown.
    exporting.bot.clock.advance(minutes=60)
    exports = exporting.server.app[EXPORTS]
    assert await exports.remove_expired(exporting.bot.clock()) == 1
    assert exporting.prepared() == []
    gone, _, _ = await exporting.download(url)
    assert gone == 404


async def test_a_channel_with_a_member_the_register_does_not_know_gets_nothing(
    exporting: Exporting,
) -> None:
    await install(exporting, KARI)
    await exporting.bot.install_in_procurement_team()
    exporting.server.connector.add_member(
        {"id": "29:guest", "name": "Gjest", "aadObjectId": str(uuid.uuid4()), "tenantId": TENANT}
    )
    reply = await exporting.ask_in_channel(KARI, "eksport forfalt")
    assert LINK.search(reply["text"]) is None
    assert says("export.scope.channel") in reply["text"]


async def test_the_dev_chat_gets_a_link(exporting: Exporting) -> None:
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport kontrakter", conversation_id="a:dev-kari")
    assert not reply.get("attachments")
    match = LINK.search(reply["text"])
    assert match is not None, reply["text"]
    status, data, _ = await exporting.download(match.group(1))
    assert status == 200
    _, rows = sheet_rows(data)
    with exporting.bot.uow_factory() as uow:
        counts = portfolio_status(uow, Scope.everything(), TODAY).counts
    assert len(rows) == counts.contracts_followed_up


# --- risk assessments and supplier evaluations (issue 19) ---------------------------------------


def add_checks(exporting: Exporting) -> tuple[str, str]:
    """Kari (procurement) assesses the risk of one of Ola's contracts and of one that is not
    his, and evaluates both suppliers: on 2 and 16 November. The level chosen is the contract's
    own (nothing is re-planned in the region). Their references: Ola's, the other."""
    with exporting.bot.uow_factory() as uow:
        kari = uow.people.find_by_email_or_upn("kari.nordmann@fjordvik.kommune.no")
        assert kari is not None
        references = [
            str(r[0])
            for r in uow.session.execute(
                text("SELECT reference FROM contracts ORDER BY reference LIMIT :n"),
                {"n": OLA_CONTRACTS + 1},
            )
        ]
    olas, other = references[0], references[OLA_CONTRACTS]
    for days, reference in ((21, olas), (7, other)):
        at = MONDAY_10_OSLO - timedelta(days=days)
        with exporting.bot.uow_factory() as uow:
            contract = uow.contracts.by_reference(reference)
            assert contract is not None
            scores: dict[RiskArea, tuple[int | None, int | None]] = dict.fromkeys(RiskArea, (2, 3))
            cmd = AssessRisk(kari.id, reference, scores, chosen=contract.risk,
                             reason="Som i registeret", comment=f"Vurdert {reference}",
                             procurement=True)  # fmt: skip
            assess_risk(cmd, uow, at, config=load_plan(), calendar=WorkingCalendar())
            marks: dict[EvaluationHeading, tuple[int | None, str | None]] = dict.fromkeys(
                EvaluationHeading, (4, "Godt")
            )
            record_evaluation(RecordEvaluation(kari.id, reference, marks, procurement=True),
                              uow, at)  # fmt: skip
            uow.commit()
    return olas, other


async def test_risk_assessments_are_uploaded_on_consent(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    olas, other = add_checks(exporting)
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport risiko")
    card = consent_card(reply)
    assert card["name"] == "kontraktsvakt-risiko-2026-11-23.xlsx"
    assert "Risikovurderinger i hele porteføljen: 2 rader" in card["content"]["description"]
    await exporting.consent(
        KARI, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/risiko"
    )
    header, rows = sheet_rows(bytes(onedrive.received["risiko"]))
    assert header == [c.header for c in EXPORT_COLUMNS[ExportKind.RISIKO]]
    got = [dict(zip(header, r, strict=True)) for r in rows]
    assert [r["Avtalenr"] for r in got] == [other, olas]  # newest first
    assert {r["Vurdert av"] for r in got} == {KARI}
    assert got[0]["Kommentar"] == f"Vurdert {other}"
    assert (got[0]["HMS: konsekvens"], got[0]["HMS: sannsynlighet"]) == (2, 3)
    assert got[0]["Foreslått nivå"] == "Middels"
    assert got[0]["Kilde"] == "Chat"

    # A period with none: said so, nothing made.
    empty = await exporting.ask(KARI, "eksport risikovurderinger fra 1.1 til 31.1")
    assert not empty.get("attachments")
    assert "ingen risikovurderinger med dato 01.01.2026–31.01.2026" in empty["text"]


async def test_an_owner_gets_only_the_evaluations_of_their_contracts_as_csv(
    exporting: Exporting, onedrive: UploadSessions
) -> None:
    olas, _other = add_checks(exporting)
    await install(exporting, OLA, PER)
    card = consent_card(await exporting.ask(OLA, "eksport evalueringer csv"))
    assert card["name"] == "kontraktsvakt-evalueringer-2026-11-23.csv"
    await exporting.consent(
        OLA, "accept", card["content"]["acceptContext"], f"{onedrive.url}/upload/eval"
    )
    data = bytes(onedrive.received["eval"])
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert lines[0] == [c.header for c in EXPORT_COLUMNS[ExportKind.EVALUERINGER]]
    row = dict(zip(lines[0], lines[1], strict=True))
    assert len(lines) == 2
    assert (row["Avtalenr"], row["Evaluert"], row["Evaluert av"]) == (
        olas, "02.11.2026 10:00", KARI,
    )  # fmt: skip
    assert (row["Samlet vurdering"], row["Samlet vurdering: kommentar"]) == ("4", "Godt")

    refused = await exporting.ask(PER, "eksport evaluations")
    assert refused["text"] == says("export.not_allowed")


async def test_evaluations_by_link_in_the_dev_chat_and_in_the_contracts_export(
    exporting: Exporting,
) -> None:
    olas, other = add_checks(exporting)
    await install(exporting, KARI)
    reply = await exporting.ask(KARI, "eksport evaluering fra 10.11", conversation_id="a:dev-kari")
    match = LINK.search(reply["text"])
    assert match is not None, reply["text"]
    status, data, headers = await exporting.download(match.group(1))
    assert status == 200
    assert 'filename="kontraktsvakt-evalueringer-2026-11-23.xlsx"' in headers["Content-Disposition"]
    header, rows = sheet_rows(data)
    assert header == [c.header for c in EXPORT_COLUMNS[ExportKind.EVALUERINGER]]
    assert [r[0] for r in rows] == [other]

    reply = await exporting.ask(KARI, "eksport kontrakter", conversation_id="a:dev-kari")
    match = LINK.search(reply["text"])
    assert match is not None, reply["text"]
    _, data, _ = await exporting.download(match.group(1))
    header, rows = sheet_rows(data)
    by_reference = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_reference[olas]["Risikovurdert"] == date(2026, 11, 2)
    assert (by_reference[other]["Evaluert"], by_reference[other]["Samlet vurdering"]) == (
        date(2026, 11, 16), 4,
    )  # fmt: skip
    assert sum(1 for r in by_reference.values() if r["Risikovurdert"] is not None) == 2


def test_payloads_are_what_the_tests_rewrite() -> None:
    accept = json.loads(
        (
            Path(__file__).resolve().parents[3] / "shared/payloads/invoke_fileConsent_accept.json"
        ).read_text()
    )
    assert accept["name"] == "fileConsent/invoke"
    assert set(accept["value"]["uploadInfo"]) >= {"uploadUrl", "contentUrl", "uniqueId", "fileType"}
