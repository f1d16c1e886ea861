"""`analyse <avtalenr> [periode]` and `lekkasje [periode]` end to end: through the real HTTP
endpoint and the Bot Connector stand-in, on SQLite and PostgreSQL, after a price list, a
quarter's statistics and a ledger extract were imported through the analysis' own service.

Who asks: Kari (procurement), Ola (the agreement's owner) and Per (owns another contract).
The figures are the hand calculation in `tests.analysis_world`'s comments."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import ENGINE
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.analysis_world import REFERENCE, seed_analysis
from tests.card_schema import assert_valid, charts
from tests.e2e.harness import BotServer

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


async def _say(server: BotServer, teams_id: str, text: str) -> list[dict[str, Any]]:
    return await server.say(teams_id, text)


def _card(replies: list[dict[str, Any]]) -> dict[str, Any]:
    cards = [
        a["content"]
        for reply in replies
        for a in reply.get("attachments") or []
        if a.get("contentType") == ADAPTIVE
    ]
    assert len(cards) == 1, replies
    card: dict[str, Any] = cards[0]
    assert_valid(card)
    return card


def _text(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(r.get("text") or "") for r in replies)


def _facts(card: dict[str, Any]) -> dict[str, str]:
    """The card's facts, title -> value, with Babel's no-break spaces as plain ones."""
    found: dict[str, str] = {}
    for element in card["body"]:
        if element.get("type") == "FactSet":
            found.update({f["title"]: _spaced(f["value"]) for f in element["facts"]})
    return found


def _spaced(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
async def server(make_server: Any, db_url: str) -> BotServer:
    made: BotServer = await make_server(db_url, SEND_RATE_PER_TENANT=0)
    seed_analysis(SqlAlchemyUnitOfWorkFactory(create_session_factory(made.app[ENGINE])))
    return made


async def test_procurement_sees_the_figures_a_hand_calculation_gives(server: BotServer) -> None:
    card = _card(await _say(server, "29:k", f"analyse {REFERENCE} 1. kvartal 2026"))

    facts = _facts(card)
    assert facts["Omsetning"] == "kr 4 500,00"
    assert facts["Kjernesortiment"] == "67,8 %"
    assert facts["Utenfor prislisten"] == "5,6 %"
    assert facts["Prisavvik"] == "1 linje, merpris kr 50,00"
    assert facts["Rammen brukt"] == "0,5 % av kr 1 000 000,00"
    assert facts["Avtalelojalitet"] == "75,0 %"
    assert "Brød grovt" in str(card["body"])
    kinds = [c["type"] for c in charts(card)]
    assert kinds == ["Chart.Donut", "Chart.Gauge", "Chart.HorizontalBar"]
    assert "prisavvik" in card["fallbackText"]


async def test_the_owner_may_ask_and_someone_else_may_not(server: BotServer) -> None:
    owner = _card(await _say(server, "29:o", f"analyse {REFERENCE}"))  # the latest period
    assert _facts(owner)["Omsetning"] == "kr 4 500,00"

    refused = _text(await _say(server, "29:p", f"analyse {REFERENCE}"))
    assert "kontraktseier, kontraktsforvalter, stedfortreder og innkjøp" in refused
    assert "4 500" not in refused


async def test_leakage_is_for_procurement(server: BotServer) -> None:
    card = _card(await _say(server, "29:k", "lekkasje 1. kvartal 2026"))
    facts = _facts(card)
    assert facts["Kjøp på kontoene"] == "kr 4 000,00"
    assert facts["Lojalitet"] == "75,0 %"
    assert facts["Lekkasje"] == "kr 1 000,00"
    assert facts["Nærbutikken AS"] == "kr 1 000,00"
    assert "Annet AS" not in str(card)  # account 6500 is not the agreement's

    assert "innkjøpsteamet" in _text(await _say(server, "29:o", "lekkasje 1. kvartal 2026"))


async def test_bad_input_gets_a_norwegian_answer(server: BotServer) -> None:
    assert "forstår ikke perioden" in _text(
        await _say(server, "29:k", f"analyse {REFERENCE} femte kvartal")
    )
    assert "Fant ingen avtale" in _text(await _say(server, "29:k", "analyse KOM-0000-0000"))
    assert "Skriv «analyse" in _text(await _say(server, "29:k", "analyse"))
    no_statistics = _text(await _say(server, "29:p", "analyse KOM-2026-0099"))
    assert "ingen salgsstatistikk" in no_statistics
