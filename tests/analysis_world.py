"""An agreement with a price list, a quarter's sales statistics and a ledger extract, imported
through the analysis' own service: the world of the purchase-analysis tests (issue 16) that
drive the bot (`analyse`, `eksport analyse`).

Kari (procurement, Teams id `29:k`), Ola (the agreement's owner, `29:o`) and Per (owns another
contract, `29:p`). The figures a hand calculation gives are in the comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

from followup.analysis.models import ImportKind
from followup.analysis.services import ImportAnalysisFile, import_analysis_file
from followup.models import ContractType, Person, Role
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW: Final = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFERENCE: Final = "KOM-2026-0042"
KARI, OLA, PER = "29:k", "29:o", "29:p"
SUPPLIER_SEED: Final = 7

PRICES: Final = [
    {"Varenummer": "001001", "Varetekst": "Melk 1 l", "Avtalt pris": "15,00", "Kjerne": "J"},
    {"Varenummer": "001002", "Varetekst": "Brød grovt", "Avtalt pris": "30,00", "Kjerne": "J"},
    {"Varenummer": "001003", "Varetekst": "Kaffe 500 g", "Avtalt pris": "60,00", "Kjerne": "N"},
]
# Turnover 4 500 = 1 500 + 1 550 + 1 200 + 250. Core: 1001 and 1002 = 3 050 → 67,8 %.
# Off the list: 9999 = 250 → 5,6 %. Brød invoiced 31 against 30 (3,3 % > 0,5 %): one line,
# overcharge (31 − 30) × 50 = 50.
STATISTICS: Final = [
    ("1001", "Melk 1 l", "100", "15,00", "1 500,00"),
    ("1002", "Brød grovt", "50", "31,00", "1 550,00"),
    ("1003", "Kaffe 500 g", "20", "60,00", "1 200,00"),
    ("9999", "Sjokolade", "10", "25,00", "250,00"),
]
# On the accounts 1250–1259 in the quarter: the agreement's supplier 3 000, Nærbutikken AS
# 1 000 → loyalty 75,0 %, leakage 1 000 (Annet AS is on another account).
LEDGER: Final = [
    {"Bilagsdato": "15.02.2026", "Org.nr": organisation_number(SUPPLIER_SEED),
     "Leverandør": "Kystbyen Matgrossist AS", "Beløp": "3 000,00", "Konto": "1251"},
    {"Bilagsdato": "20.03.2026", "Org.nr": organisation_number(40),
     "Leverandør": "Nærbutikken AS", "Beløp": "1 000,00", "Konto": "1255"},
    {"Bilagsdato": "20.03.2026", "Org.nr": organisation_number(41),
     "Leverandør": "Annet AS", "Beløp": "9 000,00", "Konto": "6500"},
]  # fmt: skip


def _rows(cells: Sequence[Mapping[str, object]]) -> list[tuple[int, Mapping[str, object]]]:
    return [(n, c) for n, c in enumerate(cells, start=2)]


def seed_analysis(factory: SqlAlchemyUnitOfWorkFactory) -> dict[str, Person]:
    """The people, the agreement (and Per's other contract) and the three imports."""
    with factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW, roles={Role.PROCUREMENT}, teams_user_id=KARI)
        ola = add_person(uow, "Ola Hansen", NOW, teams_user_id=OLA)
        per = add_person(uow, "Per Olsen", NOW, teams_user_id=PER)
        add_contract(
            uow,
            NOW,
            owner=ola,
            supplier=add_supplier(uow, "Kystbyen Matgrossist AS", seed=SUPPLIER_SEED),
            reference=REFERENCE,
            title="Rammeavtale matvarer",
            contract_type=ContractType.FRAMEWORK,
            maximum_value_nok=1_000_000,
            ledger_accounts="1250-1259",
        )
        add_contract(
            uow, NOW, owner=per, supplier=add_supplier(uow, "Fjordbygg AS", seed=2),
            reference="KOM-2026-0099",
        )  # fmt: skip
        uow.commit()
    statistics = [
        {"Periode": "1. kvartal 2026", "Varenummer": article, "Varetekst": text,
         "Antall": quantity, "Enhetspris": price, "Beløp eks. mva": amount}
        for article, text, quantity, price, amount in STATISTICS
    ]  # fmt: skip
    for kind, cells, reference in (
        (ImportKind.PRICE_LIST, PRICES, REFERENCE),
        (ImportKind.STATISTICS, statistics, REFERENCE),
        (ImportKind.LEDGER, LEDGER, None),
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
