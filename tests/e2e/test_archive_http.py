"""`arkiv` in 1:1 chat (issue 17) end to end, through the real HTTP endpoint and the Bot
Connector stand-in, on SQLite and PostgreSQL: procurement sees what the archive took and what
failed, and queues the failures again; others are refused; off when no transport is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import ENGINE
from followup.archive.services import queue_archive_messages, send_archive_messages
from followup.models import Role
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.archive_outbox_world import (
    NOW,
    OPTIONS,
    RECORD_COUNT,
    ArchiveWorld,
    Refusing,
    build_archive_world,
)
from tests.archive_world import SCHEMA_FOLDER
from tests.builders import add_person
from tests.card_schema import assert_valid
from tests.e2e.harness import BotServer

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


async def _say(server: BotServer, teams_id: str, text: str) -> list[dict[str, Any]]:
    return await server.say(teams_id, text)


def _said(replies: list[dict[str, Any]]) -> str:
    parts = [str(r.get("text") or "") for r in replies]
    for reply in replies:
        for attachment in reply.get("attachments") or []:
            if attachment.get("contentType") == ADAPTIVE:
                assert_valid(attachment["content"])
                parts.append(attachment["content"]["fallbackText"])
    return " ".join(parts).replace("\u00a0", " ")


def _world(server: BotServer, tmp_path: Path) -> ArchiveWorld:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(server.app[ENGINE]))
    world = build_archive_world(factory, tmp_path / "documents")
    with factory() as uow:
        add_person(uow, "Åsmund Sæther", NOW, roles={Role.PROCUREMENT}, teams_user_id="29:k")
        uow.commit()
    return world


@pytest.fixture
async def server(make_server: Any, db_url: str, tmp_path: Path) -> BotServer:
    made: BotServer = await make_server(
        db_url,
        ARCHIVE_TRANSPORT="standin",
        ARCHIVE_FOLDER=str(tmp_path / "arkiv"),
        ARCHIVE_SCHEMA_FOLDER=str(SCHEMA_FOLDER),
    )
    return made


async def test_procurement_sees_the_failures_and_queues_them_again(
    server: BotServer, tmp_path: Path
) -> None:
    aworld = _world(server, tmp_path)
    assert "Ingenting er lagt i kø" in _said(await _say(server, "29:k", "arkiv"))

    with aworld.uow_factory() as uow:
        queue_archive_messages(uow, NOW, OPTIONS)
        uow.commit()
    send_archive_messages(
        aworld.uow_factory, Refusing(), NOW, 50, options=OPTIONS, documents=aworld.store
    )

    said = _said(await _say(server, "29:k", "arkiv"))
    assert f"Feilet: {RECORD_COUNT}" in said
    assert f"{RECORD_COUNT} meldinger feilet" in said
    assert aworld.world.contract.reference in said
    assert "arkivet avviste meldingen" in said
    assert "arkiv prøv igjen" in said

    again = _said(await _say(server, "29:k", f"arkiv prøv igjen {aworld.world.contract.reference}"))
    assert f"{RECORD_COUNT} meldinger er lagt i kø igjen" in again
    said = _said(await _say(server, "29:k", "arkiv"))
    assert f"Venter på sending: {RECORD_COUNT}" in said
    assert "Feilet: 0" in said

    assert "Ingen feilede meldinger" in _said(await _say(server, "29:k", "arkiv prøv igjen"))
    unknown = _said(await _say(server, "29:k", "arkiv prøv igjen KOM-0000-0000"))
    assert "Finner ikke avtalenr KOM-0000-0000" in unknown
    assert "Skriv «arkiv» for status" in _said(await _say(server, "29:k", "arkiv tull"))


async def test_someone_outside_procurement_is_refused(server: BotServer, tmp_path: Path) -> None:
    aworld = _world(server, tmp_path)
    with aworld.uow_factory() as uow:
        add_person(uow, "Siri Berg", NOW, teams_user_id="29:o")
        uow.commit()
    said = _said(await _say(server, "29:o", "arkiv"))
    assert "innkjøp" in said
    assert "Feilet" not in said


async def test_without_a_transport_it_says_archiving_is_off(
    make_server: Any, db_url: str, tmp_path: Path
) -> None:
    server: BotServer = await make_server(db_url)
    _world(server, tmp_path)
    assert "Arkivering er ikke slått på" in _said(await _say(server, "29:k", "arkiv"))
