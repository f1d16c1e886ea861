"""The demo's purchase analysis (issue 16): Fjordvik's framework agreement for pipes and pipe
parts (*Rør og rørdeler*) with a price list, five quarters of the supplier's sales statistics
and the ledger on the agreement's accounts, showing what Ålesund found in its own pipes
agreement: after a new VA standard changed what was bought, the core assortment fell from about
two thirds to about a third of turnover. Some lines are invoiced above the agreed price, some
articles are not on the price list, the agreement nears its maximum value, and part of the
spend on its accounts goes to suppliers outside it.

Deterministic for a seed; written in the demo's unit of work (`storage.demo_data.load_demo`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from followup.analysis.models import (
    AnalysisImport,
    ImportKind,
    LedgerLine,
    PriceLine,
    StatisticsLine,
)
from followup.models import ContractType, new_id
from followup.orgnr import make_organisation_number
from storage.unit_of_work import SqlAlchemyUnitOfWork

PIPES_TITLE: Final = "Rør og rørdeler"
ACCOUNTS: Final = "1209, 1250-1252"
"""*Kontoer* of the pipes agreement: VA materials."""
ACTOR: Final = "demo"
_CUSTOMERS: Final = (
    "Vann og avløp drift", "VA-prosjekt Sjøvika", "Renseanlegg Nordneset", "Ledningsnett",
)  # fmt: skip
_OTHERS: Final = (
    ("Bygg og VVS Grossist AS", "91234567"),
    ("Ventil og Rør Engros AS", "98765432"),
    ("Kystens Maskin og Verktøy AS", "87654321"),
)
"""Suppliers outside the agreement the VA department also bought from (name, first eight
digits of their organisation number)."""
_CORE_TEXTS: Final = (
    "PE-rør SDR11 {d} mm", "PVC-rør SN8 {d} mm", "Duktile rør {d} mm", "PP-rør SN8 {d} mm",
)  # fmt: skip
_OTHER_TEXTS: Final = (
    "Elektrosveisemuffe {d} mm", "Overgangskobling {d} mm", "Bend 45° {d} mm",
    "Grenrør {d} mm", "Anboringsklamme {d} mm", "Reparasjonsmuffe {d} mm", "Flensadapter {d} mm",
    "Kum-kjegle {d} mm", "Tetningsring {d} mm", "Endelokk {d} mm",
)  # fmt: skip
_SIZES: Final = (32, 40, 63, 110, 160, 200, 250, 315)
_ARTICLES_OFF_LIST: Final = 12


@dataclass(frozen=True, slots=True)
class DemoAnalysis:
    reference: str
    price_lines: int
    statistics_lines: int
    ledger_lines: int


@dataclass(frozen=True, slots=True)
class _Article:
    number: str
    text: str
    price: Decimal
    core: bool


def _quarters(today: date, count: int) -> list[tuple[date, date]]:
    """The last `count` quarters that have ended by `today`, oldest first."""
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    found: list[tuple[date, date]] = []
    for _ in range(count):
        end = start - timedelta(days=1)
        start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        found.append((start, end))
    return found[::-1]


def _articles(rng: random.Random) -> list[_Article]:
    articles: list[_Article] = []
    number = 410_000
    for texts, core in ((_CORE_TEXTS, True), (_OTHER_TEXTS, False)):
        for pattern in texts:
            for size in _SIZES:
                number += rng.randint(1, 9)
                base = Decimal(size) * Decimal(rng.uniform(1.0, 4.0))
                articles.append(
                    _Article(
                        str(number), pattern.format(d=size), base.quantize(Decimal("0.01")), core
                    )
                )
    return articles


def _organisation_number(first_eight: str) -> str:
    """A valid organisation number starting near `first_eight` (about one prefix in eleven
    has no check digit)."""
    prefix = int(first_eight)
    while (number := make_organisation_number(f"{prefix:08d}")) is None:
        prefix += 1
    return number


def _quarter_lines(
    rng: random.Random,
    period: tuple[date, date],
    core_weight: float,
    articles: list[_Article],
    off_list: list[_Article],
) -> list[StatisticsLine]:
    lines: list[StatisticsLine] = []
    for _ in range(220):
        pick_core = rng.random() < core_weight
        if rng.random() < 0.04:
            article = rng.choice(off_list)
            price = Decimal(rng.randint(150, 1200))
        else:
            article = rng.choice([a for a in articles if a.core == pick_core])
            price = article.price
            if rng.random() < 0.07:  # invoiced above the agreed price
                price = (price * Decimal(1 + rng.uniform(0.03, 0.12))).quantize(Decimal("0.01"))
        quantity = Decimal(rng.randint(1, 30))
        lines.append(
            StatisticsLine(
                period_from=period[0],
                period_to=period[1],
                customer=rng.choice(_CUSTOMERS),
                article=article.number,
                description=article.text,
                unit="stk",
                quantity=quantity,
                unit_price=price,
                amount=(price * quantity).quantize(Decimal("0.01")),
                core=article.core,
            )
        )
    return lines


def load_demo_analysis(
    uow: SqlAlchemyUnitOfWork, now: datetime, *, seed: int
) -> DemoAnalysis | None:
    """Write the pipes agreement's analysis data; None when the demo has no such agreement."""
    contract = next(
        (
            c
            for c in uow.contracts.with_title(PIPES_TITLE)
            if c.contract_type is ContractType.FRAMEWORK
        ),
        None,
    )
    if contract is None:
        return None
    rng = random.Random(f"fjordvik:{seed}:analysis")  # noqa: S311 - demo data, not security
    articles = _articles(rng)
    off_list = [
        _Article(str(900_000 + i), f"Spesialdel {i + 1} (ikke på avtalen)", Decimal(0), False)
        for i in range(_ARTICLES_OFF_LIST)
    ]
    quarters = _quarters(now.date(), 5)
    repo = uow.analysis

    def started(kind: ImportKind, name: str, period: tuple[date, date] | None) -> str:
        import_id = new_id()
        repo.add_import(
            AnalysisImport(
                id=import_id,
                kind=kind,
                contract_id=None if kind is ImportKind.LEDGER else contract.id,
                file_name=name,
                sha256="0" * 64,
                period_from=None if period is None else period[0],
                period_to=None if period is None else period[1],
                lines=0,
                imported_by=ACTOR,
                imported_at=now,
            )
        )
        return import_id

    prices = [PriceLine(a.number, a.text, "stk", a.price, a.core) for a in articles]
    price_import = started(ImportKind.PRICE_LIST, "prisliste_ror.xlsx", None)
    repo.replace_price_list(contract.id, price_import, prices)
    repo.finish_import(price_import, len(prices), None, None)

    statistics = 0
    turnover: list[Decimal] = []
    for index, period in enumerate(quarters):
        # The first two quarters before the new VA standard: mostly core pipes; then a third.
        core_weight = 0.70 if index < 2 else 0.35
        lines = _quarter_lines(rng, period, core_weight, articles, off_list)
        name = f"salgsstatistikk_{period[0]:%Y}_K{(period[0].month - 1) // 3 + 1}.csv"
        import_id = started(ImportKind.STATISTICS, name, period)
        repo.add_statistics(contract.id, import_id, lines)
        repo.finish_import(import_id, len(lines), period[0], period[1])
        statistics += len(lines)
        turnover.append(sum((line.amount for line in lines), Decimal(0)))

    supplier = uow.suppliers.get_many([contract.supplier_id]) if contract.supplier_id else {}
    agreement = next(iter(supplier.values()), None)
    ledger: list[LedgerLine] = []
    accounts = ("1209", "1250", "1251", "1252")
    for (start, end), sold in zip(quarters, turnover, strict=True):
        days = (end - start).days
        if agreement is not None:  # the agreement's invoices: the statistics' turnover
            for part in range(6):
                ledger.append(
                    LedgerLine(
                        start + timedelta(days=rng.randint(0, days)),
                        agreement.organisation_number,
                        agreement.name,
                        (sold / 6).quantize(Decimal("0.01")),
                        accounts[part % len(accounts)],
                        "Vann og avløp",
                    )
                )
        for other, first_eight in _OTHERS:  # about a quarter of the spend goes elsewhere
            number = _organisation_number(first_eight)
            for _ in range(3):
                ledger.append(
                    LedgerLine(
                        start + timedelta(days=rng.randint(0, days)),
                        number,
                        other,
                        (sold * Decimal(rng.uniform(0.03, 0.07))).quantize(Decimal("0.01")),
                        rng.choice(accounts),
                        "Vann og avløp",
                    )
                )
        ledger.append(  # a credit note from one of them
            LedgerLine(end, _organisation_number(_OTHERS[0][1]), _OTHERS[0][0],
                       Decimal("-4800.00"), accounts[0], "Vann og avløp")
        )  # fmt: skip
    ledger_import = started(ImportKind.LEDGER, "regnskap_va.csv", (quarters[0][0], quarters[-1][1]))
    repo.add_ledger(ledger_import, ledger)
    repo.finish_import(ledger_import, len(ledger), quarters[0][0], quarters[-1][1])

    # The ceiling: the turnover so far is about 87 % of the agreement's maximum value.
    used = sum(turnover, Decimal(0))
    uow.contracts.set_analysis_terms(
        contract.id, maximum_value_nok=int(used / Decimal("0.87")), ledger_accounts=ACCOUNTS
    )
    return DemoAnalysis(contract.reference, len(prices), statistics, len(ledger))
