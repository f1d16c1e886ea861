"""`analyse <avtalenr> [periode]` and `lekkasje [periode]` end to end: through the real HTTP
endpoint and the Bot Connector stand-in, on SQLite and PostgreSQL, after a price list, a
quarter's statistics and a ledger extract were imported through the analysis' own service.

Who asks: Kari (procurement), Ola (the agreement's owner) and Per (owns another contract).
The figures are the hand calculation in the comments below."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import ENGINE
from followup.analysis.models import ImportKind
from followup.analysis.services import ImportAnalysisFile, import_analysis_file
from followup.models import ContractType, Person, Role
from storage.db import create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number
from tests.card_schema import assert_valid, charts
from tests.e2e.harness import BotServer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFERENCE = "KOM-2026-0042"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

PRICES = [
    {"Varenummer": "001001", "Varetekst": "Melk 1 l", "Avtalt pris": "15,00", "Kjerne": "J"},
    {"Varenummer": "001002", "Varetekst": "Brød grovt", "Avtalt pris": "30,00", "Kjerne": "J"},
    {"Varenummer": "001003", "Varetekst": "Kaffe 500 g", "Avtalt pris": "60,00", "Kjerne": "N"},
]
# Turnover 4 500 = 1 500 + 1 550 + 1 200 + 250. Core: 1001 and 1002 = 3 050 → 67,8 %.
# Off the list: 9999 = 250 → 5,6 %. Brød invoiced 31 against 30 (3,3 % > 0,5 %): one line,
# overcharge (31 − 30) × 50 = 50.
STATISTICS = [
    ("1001", "Melk 1 l", "100", "15,00", "1 500,00"),
    ("1002", "Brød grovt", "50", "31,00", "1 550,00"),
    ("1003", "Kaffe 500 g", "20", "60,00", "1 200,00"),
    ("9999", "Sjokolade", "10", "25,00", "250,00"),
]
# On the accounts 1250–1259 in the quarter: the agreement's supplier 3 000, Nærbutikken AS 1 000
# → loyalty 75,0 %, leakage 1 000.
SUPPLIER_SEED = 7


def _rows(cells: Sequence[Mapping[str, object]]) -> list[tuple[int, Mapping[str, object]]]:
    return [(n, c) for n, c in enumerate(cells, start=2)]


def _seed(server: BotServer) -> dict[str, Person]:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(server.app[ENGINE]))
    with factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW, roles={Role.PROCUREMENT}, teams_user_id="29:k")
        ola = add_person(uow, "Ola Hansen", NOW, teams_user_id="29:o")
        per = add_person(uow, "Per Olsen", NOW, teams_user_id="29:p")
        supplier = add_supplier(uow, "Kystbyen Matgrossist AS", seed=SUPPLIER_SEED)
        contract = add_contract(
            uow,
            NOW,
            owner=ola,
            supplier=supplier,
            reference=REFERENCE,
            title="Rammeavtale matvarer",
            contract_type=ContractType.FRAMEWORK,
            maximum_value_nok=1_000_000,
            ledger_accounts="1250-1259",
        )
        other = add_supplier(uow, "Fjordbygg AS", seed=2)
        add_contract(uow, NOW, owner=per, supplier=other, reference="KOM-2026-0099")
        uow.commit()
    assert contract.maximum_value_nok == 1_000_000
    statistics = [
        {
            "Periode": "1. kvartal 2026",
            "Varenummer": article,
            "Varetekst": text,
            "Antall": quantity,
            "Enhetspris": price,
            "Beløp eks. mva": amount,
        }
        for article, text, quantity, price, amount in STATISTICS
    ]
    ledger = [
        {"Bilagsdato": "15.02.2026", "Org.nr": organisation_number(SUPPLIER_SEED),
         "Leverandør": "Kystbyen Matgrossist AS", "Beløp": "3 000,00", "Konto": "1251"},
        {"Bilagsdato": "20.03.2026", "Org.nr": organisation_number(40),
         "Leverandør": "Nærbutikken AS", "Beløp": "1 000,00", "Konto": "1255"},
        {"Bilagsdato": "20.03.2026", "Org.nr": organisation_number(41),
         "Leverandør": "Annet AS", "Beløp": "9 000,00", "Konto": "6500"},
    ]  # fmt: skip
    for kind, cells, reference in (
        (ImportKind.PRICE_LIST, PRICES, REFERENCE),
        (ImportKind.STATISTICS, statistics, REFERENCE),
        (ImportKind.LEDGER, ledger, None),
    ):
        with factory() as uow:
            report = import_analysis_file(
                ImportAnalysisFile(
                    kind=kind,
                    rows=_rows(cells),
                    headers=list(cells[0]),
                    file_name=f"{kind.value}.csv",
                    sha256="0" * 64,
                    actor="test",
                    reference=reference,
                ),
                uow,
                NOW,
            )
        assert report.ok, report.problems
        assert report.stored
    return {"kari": kari, "ola": ola, "per": per}


async def _say(server: BotServer, teams_id: str, text: str) -> list[dict[str, Any]]:
    activity = copy.deepcopy(server.payload("message_personal_text_status_command.json"))
    activity["id"] = f"f:{uuid.uuid4()}"
    activity["from"] = {"id": teams_id, "name": teams_id}
    activity["conversation"]["id"] = f"a:{teams_id}"
    activity["text"] = text
    activity["locale"] = "nb-NO"
    before = len(server.connector.recorded)
    status, _ = await server.post(activity)
    assert status in {200, 201}
    await server.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return [
        r.activity
        for r in server.connector.recorded[before:]
        if r.reply_to_id == activity["id"] and r.method == "POST"
    ]


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
    _seed(made)
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
