"""`eksport analyse <avtalenr> [periode]` end to end: through the real HTTP endpoint, the Bot
Connector stand-in, a stand-in for OneDrive's upload session and the download route, on SQLite
and PostgreSQL, after a price list, a quarter's statistics and a ledger extract were imported
through the analysis' own service.

Kari (procurement) gets the workbook through Teams' file consent, Ola (the agreement's owner)
through a link in the dev chat, typed and from the analysis card's «Last ned som Excel»; Per
(owns another contract) is refused as `analyse` refuses him. Each workbook is compared cell by
cell (value and number format) with the one `kontraktsvakt analyse --xlsx` writes for the same
period, and its figures with the hand calculation below."""

from __future__ import annotations

import copy
import io
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.app import ENGINE, create_app
from bot.cli.analysis import run_analyse
from bot.exports.commands import FILE_CONSENT, FILE_INFO
from bot.settings import Settings
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.analysis_world import KARI, NOW, OLA, PER, REFERENCE, seed_analysis
from tests.card_schema import assert_valid
from tests.e2e.harness import BotServer, start_site
from tests.fakes import FakeClock, FaultyConnector

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
FILE_NAME = f"kontraktsvakt-analyse-{REFERENCE}-2026-01-01-2026-03-31.xlsx"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
LINK = re.compile(r"\((http://127\.0\.0\.1:\d+/eksport/[A-Za-z0-9_-]+)\)")


# --- OneDrive's upload session, standing in -----------------------------------------------------


@dataclass
class UploadSession:
    """PUTs with Content-Range, answered as Graph's upload sessions answer them."""

    url: str = ""
    received: dict[str, bytearray] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 << 20)
        app.router.add_put("/upload/{session}", self._put)
        return app

    async def _put(self, request: web.Request) -> web.Response:
        body = await request.read()
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("Content-Range", ""))
        if match is None:
            return web.json_response({"error": {"code": "invalidRange"}}, status=400)
        first, _last, total = (int(g) for g in match.groups())
        data = self.received.setdefault(request.match_info["session"], bytearray())
        if first != len(data):
            return web.json_response({"error": {"code": "invalidRange"}}, status=416)
        data.extend(body)
        if len(data) < total:
            return web.json_response({"nextExpectedRanges": [f"{len(data)}-"]}, status=202)
        return web.json_response({"id": "01UPLOADED", "size": total}, status=201)


@pytest.fixture
async def onedrive() -> AsyncIterator[UploadSession]:
    session = UploadSession()
    runner, url = await start_site(session.app())
    session.url = url
    yield session
    await runner.cleanup()


# --- the bot and its data -------------------------------------------------------------------------


@dataclass
class World:
    server: BotServer
    settings: Settings
    db_url: str
    exports_dir: Path

    def prepared(self) -> list[Path]:
        if not self.exports_dir.is_dir():
            return []
        return sorted(p for p in self.exports_dir.iterdir() if p.is_file())


@pytest.fixture
async def world(
    connector: tuple[FaultyConnector, str], db_url: str, tmp_path: Path
) -> AsyncIterator[World]:
    standin, service_url = connector
    data_dir = tmp_path / "data"
    settings = Settings(
        DATABASE_URL=db_url, DATA_DIR=str(data_dir), DEV_CHANNEL=False, SEND_RATE_PER_TENANT=0
    )
    app = create_app(settings, clock=FakeClock(NOW))
    seed_analysis(SqlAlchemyUnitOfWorkFactory(create_session_factory(app[ENGINE])))
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    try:
        yield World(
            BotServer(url, app, session, standin, service_url),
            settings,
            db_url,
            data_dir / "exports",
        )
    finally:
        await session.close()
        await runner.cleanup()


# --- talking to it --------------------------------------------------------------------------------


def _conversation(teams_id: str, *, dev: bool = False) -> str:
    return f"a:dev-{teams_id}" if dev else f"a:{teams_id}"


async def _send(
    world: World, teams_id: str, *, dev: bool, text: str | None = None, value: Any = None
) -> list[dict[str, Any]]:
    """A message from `teams_id` in their 1:1 chat (Teams', or the dev chat's); the bot's
    replies to it (after a welcome, the first time)."""
    server = world.server
    activity = copy.deepcopy(server.payload("message_personal_text_status_command.json"))
    activity["id"] = f"f:{uuid.uuid4()}"
    activity["from"] = {"id": teams_id, "name": teams_id}
    activity["conversation"]["id"] = _conversation(teams_id, dev=dev)
    activity["locale"] = "nb-NO"
    if value is None:
        activity["text"] = text
    else:  # an Action.Submit: the button's data, no text
        activity.pop("text", None)
        activity["value"] = value
    before = len(server.connector.recorded)
    status, _ = await server.post(activity)
    assert status in {200, 201}
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return [
        r.activity
        for r in server.connector.recorded[before:]
        if r.reply_to_id == activity["id"] and r.method == "POST"
    ]


async def _say(world: World, teams_id: str, text: str, *, dev: bool = False) -> dict[str, Any]:
    return (await _send(world, teams_id, dev=dev, text=text))[-1]


async def _say_in_channel(world: World, teams_id: str, text: str) -> dict[str, Any]:
    server = world.server
    activity = copy.deepcopy(server.payload("message_channel_mention_query.json"))
    activity["id"] = str(10**12 + secrets.randbelow(10**12))
    activity["from"] = {"id": teams_id, "name": teams_id}
    channel = activity["conversation"]["id"].split(";")[0]
    activity["conversation"]["id"] = f"{channel};messageid={activity['id']}"
    activity["text"] = f"<at>Kontraktsoppfølging</at> {text}"
    status, _ = await server.post(activity)
    assert status in {200, 201}
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return [
        r.activity
        for r in server.connector.recorded
        if r.method == "POST" and r.reply_to_id == activity["id"]
    ][-1]


async def _accept(
    world: World, teams_id: str, context: Any, upload_url: str
) -> tuple[int, Any, list[dict[str, Any]]]:
    """`teams_id` presses Allow on a file consent card: the invoke's status and body, and
    what the bot said."""
    server = world.server
    activity = server.payload("invoke_fileConsent_accept.json")
    activity["id"] = f"f:{uuid.uuid4()}"
    activity["from"] = {"id": teams_id, "name": teams_id}
    activity["conversation"]["id"] = _conversation(teams_id)
    activity["value"]["context"] = context
    activity["value"]["uploadInfo"]["uploadUrl"] = upload_url
    status, body = await server.post(activity)
    said = [
        r.activity
        for r in server.connector.recorded
        if r.method == "POST" and r.reply_to_id == activity["id"]
    ]
    return status, body, said


async def _download(world: World, reply: dict[str, Any]) -> bytes:
    match = LINK.search(reply.get("text") or "")
    assert match is not None, reply
    url = match.group(1)
    path = url[url.index("/eksport/") :]
    async with world.server.session.get(world.server.url + path) as response:
        assert response.status == 200
        assert FILE_NAME in response.headers["Content-Disposition"]
        return await response.read()


# --- what a workbook holds ------------------------------------------------------------------------

Sheets = dict[str, list[tuple[tuple[Any, str], ...]]]


def _sheets(data: bytes) -> Sheets:
    """Every sheet's cells, row by row: value and number format."""
    workbook = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [tuple((c.value, c.number_format) for c in row) for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    }


def _cli_workbook(world: World, tmp_path: Path, period: tuple[date, date] | None) -> Sheets:
    """What `kontraktsvakt analyse REFERENCE --xlsx FILE` writes for `period`."""
    path = tmp_path / f"cli-{secrets.token_hex(4)}.xlsx"
    out, err = io.StringIO(), io.StringIO()
    code = run_analyse(
        REFERENCE,
        period,
        as_json=False,
        database_url=world.db_url,
        now=NOW,
        thresholds=world.settings.analysis_thresholds(),
        stdout=out,
        stderr=err,
        workbook=path,
    )
    assert code == 0, err.getvalue()
    return _sheets(path.read_bytes())


def _assert_hand_figures(sheets: Sheets) -> None:
    summary = {row[0][0]: row[1][0] for row in sheets["Sammendrag"]}
    assert summary["Avtale"] == f"{REFERENCE} Rammeavtale matvarer"
    assert (summary["Fra"].date(), summary["Til"].date()) == Q1
    assert summary["Omsetning eks. mva"] == 4500.0
    assert summary["Kjernesortiment"] == 3050.0
    assert summary["Utenfor prislisten"] == 250.0
    assert summary["Linjer med prisavvik"] == 1
    assert summary["Merpris"] == 50.0
    assert summary["Avtalelojalitet"] == 0.75
    deviations = [tuple(v for v, _ in row) for row in sheets["Prisavvik"][1:]]
    assert [(r[0], r[4], r[5], r[7], r[9]) for r in deviations] == [
        ("1002", 31.0, 30.0, 50.0, 50.0)
    ]
    outside = [tuple(v for v, _ in row) for row in sheets["Utenfor prislisten"][1:]]
    assert [(r[0], r[6]) for r in outside] == [("9999", 250.0)]


# --- the tests ------------------------------------------------------------------------------------


async def test_procurement_gets_the_cli_workbook_through_file_consent(
    world: World, onedrive: UploadSession, tmp_path: Path
) -> None:
    reply = await _say(world, KARI, f"eksport analyse {REFERENCE} 1. kvartal 2026")
    cards = [a for a in reply.get("attachments") or [] if a["contentType"] == FILE_CONSENT]
    assert len(cards) == 1, reply
    card = cards[0]
    assert card["name"] == FILE_NAME
    assert set(card["content"]["acceptContext"]) == {"exportId"}  # an id, never the data
    assert "Analysen av KOM-2026-0042 for 01.01.2026–31.03.2026" in reply["text"]
    assert "Tillat" in reply["text"]

    upload_url = f"{onedrive.url}/upload/kari?tempauth=INVENTED"
    status, body, said = await _accept(world, KARI, card["content"]["acceptContext"], upload_url)
    assert status == 200
    assert "Lagret i OneDrive" in body["message"]
    assert any(a["contentType"] == FILE_INFO for r in said for a in r.get("attachments") or [])
    uploaded = bytes(onedrive.received["kari"])
    assert len(uploaded) == card["content"]["sizeInBytes"]

    chat = _sheets(uploaded)
    assert chat == _cli_workbook(world, tmp_path, Q1)
    assert list(chat) == ["Sammendrag", "Prisavvik", "Utenfor prislisten"]
    _assert_hand_figures(chat)
    assert world.prepared() == []  # delivered once, then gone


async def test_the_owner_gets_it_as_a_link_typed_and_from_the_card(
    world: World, tmp_path: Path
) -> None:
    cli = _cli_workbook(world, tmp_path, Q1)
    # No period: the latest with statistics, as `analyse` (and the CLI) take it.
    typed = await _say(world, OLA, f"eksport analyse {REFERENCE}", dev=True)
    assert not typed.get("attachments")
    assert _sheets(await _download(world, typed)) == cli == _cli_workbook(world, tmp_path, None)

    analysis = await _say(world, OLA, f"analyse {REFERENCE} 1. kvartal 2026", dev=True)
    [card] = [a["content"] for a in analysis["attachments"] if a["contentType"] == ADAPTIVE]
    assert_valid(card)
    [button] = card["actions"]
    assert button["type"] == "Action.Submit"
    assert button["title"] == "Last ned som Excel"
    pressed = await _send(world, OLA, dev=True, value=button["data"])
    assert len(pressed) == 1, pressed
    from_card = _sheets(await _download(world, pressed[-1]))
    assert from_card == cli
    _assert_hand_figures(from_card)


async def test_someone_else_is_refused_as_analyse_refuses_them(world: World) -> None:
    refused = (await _say(world, PER, f"eksport analyse {REFERENCE} 1. kvartal 2026"))["text"]
    analyse_says = (await _say(world, PER, f"analyse {REFERENCE} 1. kvartal 2026"))["text"]
    assert refused == analyse_says
    assert "kontraktseier, kontraktsforvalter, stedfortreder og innkjøp" in refused
    assert "4 500" not in refused
    # The card's button, pressed with the data changed by hand, is refused the same way.
    value = {"verb": "exportAnalysis", "avtale": REFERENCE, "periode": "01.01.2026-31.03.2026"}
    pressed = await _send(world, PER, dev=True, value=value)
    assert pressed[-1]["text"] == refused
    # Not in a channel, not even for procurement: the figures are not for everyone there.
    in_channel = await _say_in_channel(world, KARI, f"eksport analyse {REFERENCE}")
    assert "bare på i en personlig chat" in in_channel["text"]
    assert not LINK.search(in_channel["text"])
    assert world.prepared() == []


async def test_bad_input_gets_analyse_s_norwegian_answers(world: World) -> None:
    for words in (
        f"{REFERENCE} femte kvartal",
        "KOM-0000-0000",
        "KOM-2026-0099",  # Per's contract has no statistics
    ):
        exported = (await _say(world, KARI, f"eksport analyse {words}"))["text"]
        analysed = (await _say(world, KARI, f"analyse {words}"))["text"]
        assert exported == analysed
    assert (
        "forstår ikke perioden"
        in (await _say(world, KARI, f"eksport analyse {REFERENCE} femte kvartal"))["text"]
    )
    assert "Fant ingen avtale" in (await _say(world, KARI, "eksport analyse KOM-0000-0000"))["text"]
    assert (
        "ingen salgsstatistikk"
        in (await _say(world, KARI, "eksport analyse KOM-2026-0099"))["text"]
    )
    assert "Skriv «eksport analyse" in (await _say(world, KARI, "eksport analyse"))["text"]
    assert world.prepared() == []
