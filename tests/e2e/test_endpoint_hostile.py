"""Hostile traffic against the real HTTP endpoint (issue 13): crashes mid-turn, bodies in pieces,
deep JSON, database outages, missing fields, a crowd of copies of one invoke, stalled headers,
tricky service URLs and tenants that disagree. Driven through real sockets, with the local Bot
Connector stand-in recording what the bot sends."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import bot.teams.endpoint as endpoint_module
from bot.app import ENGINE, PROCESSED
from bot.cli import main as cli_main
from bot.settings import Settings
from bot.teams.endpoint import activity_key
from storage.db import upgrade_database
from storage.tables import PersonRow, ProcessedActivityRow
from tests.e2e.harness import TENANT, BotServer

KARI_TEAMS_ID = (
    "29:10PvyxJJ0YCRoNqo-TUSff-rdzM_yRa9H_qilzoJ--1VfTtjCJuvKbQUT4144QRYdMM0h20l6i9oegGq5S2Y"
)
KARI_EMAIL = "kari.nordmann@fjordvik.kommune.no"
HELP = "Slik bruker du"
INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"


def _register_kari(server: BotServer) -> None:
    server.connector.add_member(
        {
            "id": KARI_TEAMS_ID,
            "name": "Kari Nordmann",
            "aadObjectId": "43296f17-a342-4513-b2ae-ce7647c33ae5",
            "email": KARI_EMAIL,
            "userPrincipalName": KARI_EMAIL,
            "tenantId": TENANT,
        }
    )
    now = datetime(2026, 9, 1, tzinfo=UTC)
    with Session(server.app[ENGINE]) as session:
        session.add(
            PersonRow(
                id=str(uuid.uuid4()),
                display_name="Kari Nordmann",
                email=KARI_EMAIL,
                roles=["owner"],
                created_at=now,
                updated_at=now,
            )
        )
        session.commit()


def _message(server: BotServer, text: str = "hjelp") -> dict[str, Any]:
    activity = server.payload("message_personal_text_status_command.json")
    activity["text"] = text
    activity["id"] = str(uuid.uuid4().int)[:13]
    return activity


def _key(activity: dict[str, Any]) -> str:
    return activity_key(activity["channelId"], activity["conversation"]["id"], activity["id"])


def _replies_to(server: BotServer, activity_id: str) -> list[Any]:
    return [r for r in server.connector.recorded if r.reply_to_id == activity_id]


def _helps(server: BotServer) -> list[Any]:
    return [r for r in server.connector.recorded if HELP in str(r.activity.get("summary"))]


def _claim_row(server: BotServer, key: str) -> ProcessedActivityRow | None:
    with Session(server.app[ENGINE]) as session:
        return session.scalars(
            select(ProcessedActivityRow).where(ProcessedActivityRow.key == key)
        ).first()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _raw_request(
    port: int, head: bytes, pieces: list[bytes], gap: float = 0.3
) -> tuple[int, bytes]:
    """Write a request over a plain socket, its body in `pieces` `gap` seconds apart; read the
    whole answer (the request says `Connection: close`)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + pieces[0])
        await writer.drain()
        for piece in pieces[1:]:
            await asyncio.sleep(gap)
            writer.write(piece)
            await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]), answer


def _head(port: int, length: int | None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    ).encode()


def _padded(server: BotServer, size: int) -> tuple[dict[str, Any], bytes]:
    activity = _message(server)
    activity["channelData"]["padding"] = ""
    base = len(json.dumps(activity).encode())
    activity["channelData"]["padding"] = "x" * (size - base)
    data = json.dumps(activity).encode()
    assert len(data) == size
    return activity, data


# --- 1. a crash mid-turn ---------------------------------------------------------------------


async def test_a_resend_after_a_crash_mid_turn_is_answered_once(server: BotServer) -> None:
    _register_kari(server)
    activity = _message(server)
    key = _key(activity)
    # The instance that claimed the activity died (kill -9) a minute ago, before finishing.
    crashed_at = datetime.now(UTC) - timedelta(seconds=60)
    await asyncio.to_thread(server.app[PROCESSED].claim, key, crashed_at)

    status, _ = await server.post(activity)  # Teams' re-send
    assert status == 201
    await server.connector.wait_for(lambda r: HELP in str(r.activity.get("summary")))
    replies = len(_replies_to(server, activity["id"]))
    again, _ = await server.post(activity)  # and one more copy: answered from the log
    assert again == 200
    await asyncio.sleep(0.3)
    assert len(_helps(server)) == 1
    assert len(_replies_to(server, activity["id"])) == replies
    row = _claim_row(server, key)
    assert row is not None
    assert row.state == "done"


async def test_a_crashed_invoke_is_answered_once_and_its_answer_is_kept(
    server: BotServer,
) -> None:
    _register_kari(server)
    invoke = server.payload(INVOKE)
    crashed_at = datetime.now(UTC) - timedelta(minutes=5)
    await asyncio.to_thread(server.app[PROCESSED].claim, _key(invoke), crashed_at)
    first = await server.post(invoke)
    assert first[0] == 200
    assert first[1], "the re-send is processed and gets the invoke's answer"
    assert await server.post(invoke) == first


async def test_a_fresh_claim_in_progress_is_not_taken_over(server: BotServer) -> None:
    _register_kari(server)
    activity = _message(server)
    key = _key(activity)
    await asyncio.to_thread(server.app[PROCESSED].claim, key, datetime.now(UTC))
    copy = asyncio.create_task(server.post(activity))
    await asyncio.sleep(1.0)
    assert not copy.done(), "the copy waits for the instance that holds the claim"
    assert _replies_to(server, activity["id"]) == []
    # The holder finishes (it sent its reply itself): the copy answers without doing the work.
    await asyncio.to_thread(server.app[PROCESSED].finish_many, [(key, None, None)])
    status, _ = await asyncio.wait_for(copy, 5)
    assert status == 200
    await asyncio.sleep(0.3)
    assert _replies_to(server, activity["id"]) == []


# --- 2. a body in more than one TCP piece ----------------------------------------------------


@pytest.mark.parametrize("size", [20_000, 150_000])
async def test_a_body_in_two_pieces_is_read_whole(server: BotServer, size: int) -> None:
    _register_kari(server)
    port = _port(server.url)
    activity, data = _padded(server, size)
    half = len(data) // 2
    status, answer = await _raw_request(port, _head(port, len(data)), [data[:half], data[half:]])
    assert status in {200, 201}, answer[:300]
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])


async def test_a_chunked_body_in_pieces_is_read_whole(server: BotServer) -> None:
    _register_kari(server)
    port = _port(server.url)
    activity, data = _padded(server, 30_000)
    chunks = [data[:10_000], data[10_000:]]
    pieces = [f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks] + [b"0\r\n\r\n"]
    status, answer = await _raw_request(port, _head(port, None), pieces)
    assert status in {200, 201}, answer[:300]
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])


async def test_a_one_megabyte_activity_in_pieces_is_handled(make_server: Any, db_url: str) -> None:
    server: BotServer = await make_server(db_url, MAX_BODY_BYTES=2 * 1024 * 1024)
    _register_kari(server)
    port = _port(server.url)
    activity, data = _padded(server, 1024 * 1024)
    pieces = [data[i : i + 300_000] for i in range(0, len(data), 300_000)]
    status, answer = await _raw_request(port, _head(port, len(data)), pieces, gap=0.1)
    assert status in {200, 201}, answer[:300]
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])


async def test_a_chunked_body_past_the_limit_is_413(server: BotServer) -> None:
    port = _port(server.url)
    _, data = _padded(server, 300_000)  # the default limit is 256 kB
    chunks = [data[i : i + 50_000] for i in range(0, len(data), 50_000)]
    pieces = [f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks] + [b"0\r\n\r\n"]
    status, _ = await _raw_request(port, _head(port, None), pieces, gap=0.05)
    assert status == 413
    assert server.connector.recorded == []


# --- 3. deeply nested JSON -------------------------------------------------------------------


async def test_deeply_nested_json_is_400(server: BotServer) -> None:
    assert await server.post_raw(b"[" * 100_000) == 400
    assert await server.post_raw(b'{"a":' * 50_000) == 400
    # Nesting json can read but nothing after it should have to walk.
    activity = _message(server)
    activity["channelData"]["deep"] = json.loads("[" * 900 + "]" * 900)
    assert await server.post_raw(json.dumps(activity).encode()) == 400


async def test_deeply_nested_json_with_a_bad_token_is_400_not_500(
    make_server: Any, sqlite_url: str
) -> None:
    server: BotServer = await make_server(
        sqlite_url,
        MicrosoftAppId=str(uuid.uuid4()),
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId=TENANT,
    )
    async with server.session.post(
        server.url + "/api/messages",
        data=b"[" * 100_000,
        headers={"Content-Type": "application/json", "Authorization": "Bearer a.b.c"},
    ) as r:
        assert r.status == 400


# --- 4. a database outage --------------------------------------------------------------------


async def _assert_unavailable(server: BotServer, activity: dict[str, Any]) -> None:
    status, body = await server.post(activity)
    assert status == 503, body
    async with server.session.post(server.url + "/api/messages", json=activity) as r:
        assert r.status == 503
        assert int(r.headers["Retry-After"]) > 0
    started = time.monotonic()
    async with server.session.get(server.url + "/readyz") as r:
        assert r.status == 503
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_an_unreachable_database_gives_503_with_retry_after(
    make_server: Any, tmp_path: Path, store: str
) -> None:
    if store == "sqlite":
        folder = tmp_path / "data"
        url = f"sqlite:///{(folder / 'kv.db').as_posix()}"
        upgrade_database(url)
        server: BotServer = await make_server(url)
        await asyncio.sleep(0.2)  # start-up's first prune has run
        server.app[ENGINE].dispose()
        shutil.rmtree(folder)  # the disk with the database went away
    else:
        url = f"postgresql+psycopg://kv@127.0.0.1:{_closed_port()}/kv"
        server = await make_server(url)
    await _assert_unavailable(server, _message(server))
    assert server.connector.recorded == []


class _Outage:
    """Every statement but the activity log's fails as a lost database connection would."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.on = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.on and "processed_activities" not in statement:
            raise OperationalError(statement, {}, Exception("server closed the connection"))


@pytest.fixture
def outage(server: BotServer) -> Iterator[_Outage]:
    engine = server.app[ENGINE]
    fault = _Outage(engine)
    event.listen(engine, "before_cursor_execute", fault)
    yield fault
    event.remove(engine, "before_cursor_execute", fault)


async def test_a_database_outage_in_the_turn_gives_503_and_the_retry_is_answered(
    server: BotServer, outage: _Outage
) -> None:
    _register_kari(server)
    activity = _message(server)
    outage.on = True
    await _assert_unavailable(server, activity)
    assert server.connector.recorded == [], "no apology: Teams will retry"
    outage.on = False
    status, _ = await server.post(activity)  # Teams' retry once the database is back
    assert status == 201
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])


async def test_readiness_answers_quickly_when_the_database_hangs(server: BotServer) -> None:
    release = threading.Event()

    def hang(*_: Any) -> None:
        release.wait(10)

    engine = server.app[ENGINE]
    event.listen(engine, "before_cursor_execute", hang)
    try:
        started = time.monotonic()
        async with server.session.get(server.url + "/readyz") as r:
            assert r.status == 503
        assert time.monotonic() - started < 4
        async with server.session.get(server.url + "/readyz") as r:  # the probe still hangs
            assert r.status == 503
        assert time.monotonic() - started < 8
    finally:
        event.remove(engine, "before_cursor_execute", hang)
        release.set()
    await asyncio.sleep(0.1)
    async with server.session.get(server.url + "/readyz") as r:
        assert r.status == 200


# --- 5. required fields ----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["channelId", "recipient"])
async def test_an_activity_without_channel_or_recipient_is_400(
    server: BotServer, missing: str
) -> None:
    _register_kari(server)
    activity = _message(server)
    del activity[missing]
    status, body = await server.post(activity)
    assert status == 400, body
    assert missing in body["error"]["message"]
    await asyncio.sleep(0.2)
    assert server.connector.recorded == []


# --- 6. a crowd of copies of one invoke ------------------------------------------------------


async def test_fifty_copies_of_one_invoke_all_get_the_same_answer(server: BotServer) -> None:
    _register_kari(server)
    invoke = server.payload(INVOKE)
    answers = await asyncio.gather(*(server.post(invoke) for _ in range(50)))
    statuses = {status for status, _ in answers}
    bodies = {json.dumps(body, sort_keys=True) for _, body in answers}
    assert statuses == {200}
    assert len(bodies) == 1, bodies
    assert answers[0][1]["statusCode"] == 200


# --- 7. stalled headers ----------------------------------------------------------------------


async def test_a_stalled_header_is_dropped_while_others_are_served(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint_module, "HEADER_TIMEOUT_SECONDS", 1.0, raising=False)
    served: dict[str, Any] = {}

    def run_app(app: web.Application, **kwargs: Any) -> None:
        served.update(kwargs, app=app)

    monkeypatch.setattr(web, "run_app", run_app)
    settings = Settings(DATABASE_URL=sqlite_url, DEV_CHANNEL=False)
    assert cli_main._run(settings, scheduler=False) == 0
    server_args = {k: v for k, v in served.items() if k in {"keepalive_timeout", "access_log"}}
    runner = web.AppRunner(served["app"], **server_args)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        stalled_r, stalled_w = await asyncio.open_connection("127.0.0.1", port)
        stalled_w.write(b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Ty")
        drip_r, drip_w = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()

        async def drip() -> None:
            for byte in b"POST /api/messages HTTP/1.1\r\nHost: x\r\nX-Slow: yyyyyyyyyyyyyyy":
                drip_w.write(bytes([byte]))
                await asyncio.sleep(0.1)

        dripping = asyncio.create_task(drip())
        for _ in range(3):  # others are served meanwhile
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert (await asyncio.wait_for(reader.read(), 2)).startswith(b"HTTP/1.1 200")
            writer.close()
            await asyncio.sleep(0.2)
        assert await asyncio.wait_for(stalled_r.read(), 4) == b"", "dropped, no answer"
        assert await asyncio.wait_for(drip_r.read(), 4) == b""
        assert time.monotonic() - started < 3.5
        dripping.cancel()
        stalled_w.close()
        drip_w.close()
    finally:
        await runner.cleanup()


# --- 8. the service URL as the HTTP client reads it ------------------------------------------


@pytest.mark.parametrize(
    "service_url",
    [
        "http://evil.example\\@127.0.0.1/",
        "http://127.0.0.1\\@evil.example/",
        "http://127.0.0.1@evil.example/",
        "http://evil.example%2f@127.0.0.1/",
        "http://127.0.0.1%2f@evil.example/",
    ],
)
async def test_a_service_url_with_a_trick_is_refused(server: BotServer, service_url: str) -> None:
    activity = _message(server)
    activity["serviceUrl"] = service_url
    status, body = await server.post(activity)
    assert status == 403, body
    assert body["error"]["code"] == "ServiceUrlNotAllowed"


# --- 9. the tenant, read from both fields ----------------------------------------------------


async def test_tenants_that_disagree_are_refused(make_server: Any, db_url: str) -> None:
    other = "11111111-1111-1111-1111-111111111111"
    server: BotServer = await make_server(db_url, ALLOWED_TENANT_IDS=f"{TENANT},{other}")
    _register_kari(server)
    activity = _message(server)
    activity["conversation"]["tenantId"] = other
    status, body = await server.post(activity)
    assert status == 403, body
    activity = _message(server)
    activity["channelData"]["tenant"]["id"] = other
    status, body = await server.post(activity)
    assert status == 403, body
    await asyncio.sleep(0.2)
    assert server.connector.recorded == []


async def test_tenants_that_disagree_are_refused_in_local_mode(server: BotServer) -> None:
    activity = _message(server)
    activity["conversation"]["tenantId"] = "11111111-1111-1111-1111-111111111111"
    status, _ = await server.post(activity)
    assert status == 403


@pytest.mark.parametrize("tenant_id", [7, ["x"], {"id": "x"}, ""])
async def test_a_tenant_id_that_is_not_a_string_is_refused(
    server: BotServer, tenant_id: Any
) -> None:
    activity = _message(server)
    activity["channelData"]["tenant"]["id"] = tenant_id
    status, _ = await server.post(activity)
    assert status in {400, 403}
    activity = _message(server)
    activity["channelData"]["tenant"] = tenant_id
    status, _ = await server.post(activity)
    assert status in {400, 403}
    await asyncio.sleep(0.2)
    assert server.connector.recorded == []


# --- done marks written after the answer (FinishMarks): copies, a slow mark, shutdown ---------


async def test_invoke_copies_right_after_the_answer_get_the_same_answer(
    server: BotServer,
) -> None:
    _register_kari(server)
    for _ in range(10):
        invoke = server.payload(INVOKE)
        invoke["id"] = f"f:{uuid.uuid4()}"
        first = await server.post(invoke)
        copies = await asyncio.gather(*(server.post(invoke) for _ in range(10)))
        assert first[0] == 200
        assert all(copy == first for copy in copies)


async def test_message_copy_right_after_the_answer_is_not_run_again(server: BotServer) -> None:
    _register_kari(server)
    for _ in range(5):
        activity = _message(server)
        status, _ = await server.post(activity)
        assert status == 201
        again = await asyncio.gather(*(server.post(activity) for _ in range(5)))
        assert {s for s, _ in again} == {200}
    await asyncio.sleep(0.3)
    assert len(_helps(server)) == 5


@contextmanager
def _slow_done_marks(engine: Engine, seconds: float) -> Iterator[None]:
    """Every done mark (`FinishMarks`) takes `seconds` longer to write."""

    def slow(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE processed_activities SET state"):
            time.sleep(seconds)

    event.listen(engine, "before_cursor_execute", slow)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", slow)


async def test_slow_flush_copy_waits_and_gets_the_answer(server: BotServer) -> None:
    """The mark's transaction takes 1 s: a copy in between waits and gets the stored answer."""
    _register_kari(server)
    with _slow_done_marks(server.app[ENGINE], 1.0):
        invoke = server.payload(INVOKE)
        invoke["id"] = f"f:{uuid.uuid4()}"
        first = await server.post(invoke)
        copy = await server.post(invoke)
        assert copy == first


async def test_shutdown_with_marks_pending_writes_them(make_server: Any, db_url: str) -> None:
    server: BotServer = await make_server(db_url)
    _register_kari(server)
    engine = server.app[ENGINE]
    acts = [_message(server) for _ in range(8)]
    with _slow_done_marks(engine, 0.5):
        answers = await asyncio.gather(*(server.post(a) for a in acts))
        assert all(s == 201 for s, _ in answers)
        await server.app.cleanup()  # as `run_app` does at shutdown: the marks are drained first
    reader = create_engine(engine.url.render_as_string(hide_password=False))
    keys = [activity_key(a["channelId"], a["conversation"]["id"], a["id"]) for a in acts]
    with Session(reader) as session:
        states = session.scalars(
            select(ProcessedActivityRow.state).where(ProcessedActivityRow.key.in_(keys))
        ).all()
    reader.dispose()
    assert states == ["done"] * 8
