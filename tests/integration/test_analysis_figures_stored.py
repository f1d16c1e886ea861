"""The purchase analysis' figures out of real SQLite and PostgreSQL, against a hand calculation.

One small pipes agreement is written out below, row by row, as the files' readers give the rows
(text cells, Norwegian numbers), and imported through `import_analysis_file`. Every expected
figure is worked out by hand in the comments next to it, so a reader can check it with pen and
paper. The stores' `statistics_summed` groups lines in SQL; the figures over the summed lines
must equal the figures over the raw lines imported.

The register: RA-2026-010 *Rør og rørdeler*, a framework agreement with Rørleverandøren AS
(org.nr S), Maksverdi 200 000, estimated value 150 000, Kontoer «1250, 1300-1309». The price
list has A100 (core) at 100,00 and, from 01.04.2026, at 104,00; B200 (core) 25,50; C300 (not
core) 1 000,00; D400 (not core, a four-decimal price) 2,1250. X999 and Y888 are on no list.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from followup.analysis.figures import (
    AgreementAnalysis,
    LeakageGroup,
    LineTotal,
    SupplierSpend,
    analyse_agreement,
)
from followup.analysis.models import (
    AgreementTerms,
    Flag,
    ImportKind,
    PriceLine,
    StatisticsLine,
    Thresholds,
)
from followup.analysis.reading import (
    AnalysisColumns,
    AnalysisFile,
    parse_price_row,
    parse_statistics_row,
)
from followup.analysis.services import (
    AnalyseAgreement,
    AnalysisImportReport,
    ImportAnalysisFile,
    LeakageReport,
    agreement_terms,
    analyse,
    import_analysis_file,
    leakage_report,
)
from followup.errors import InvalidInput, NotFound
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    FollowUp,
    FollowUpState,
)
from storage.db import upgrade_database
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Oslo
THRESHOLDS = Thresholds()  # the defaults: 0,5 %, 50 %, 20 %, 80 %, 80 %
Q1 = (date(2026, 1, 1), date(2026, 3, 31))  # 90 days
Q2 = (date(2026, 4, 1), date(2026, 6, 30))  # 91 days
Q3 = (date(2026, 7, 1), date(2026, 9, 30))  # 92 days
H1 = (date(2026, 1, 1), date(2026, 6, 30))  # 181 days
PIPES = "RA-2026-010"
OFFICE = "RA-2026-020"
SINGLE = "KOM-2026-030"

SUPPLIER_ORG = organisation_number(1)  # Rørleverandøren AS, the agreement's supplier
KONGEN_ORG = organisation_number(2)  # Rørkongen AS
VA_ORG = organisation_number(3)  # VA-Grossisten AS

PRICE_HEADERS = ("Varenummer", "Varetekst", "Enhet", "Avtalt pris", "Kjernesortiment", "Gyldig fra")
PRICES = [
    ("A100", "Rør PP 110 mm", "m", "100,00", "J", ""),
    ("B200", "Bend 45° 110 mm", "stk", "25,50", "J", ""),
    ("C300", "Kum 400 mm", "stk", "1 000,00", "N", ""),
    ("D400", "Pakning 110 mm", "stk", "2,1250", "", ""),
]
PRICE_ADJUSTMENT = [("A100", "Rør PP 110 mm", "m", "104,00", "J", "01.04.2026")]

STATISTICS_HEADERS = (
    "Periode", "Kunde", "Varenummer", "Varetekst", "Enhet", "Antall", "Enhetspris",
    "Beløp eks. mva",
)  # fmt: skip
STATISTICS_H1 = [
    # Q1: A100 is priced 100,00 (limit 100,50), B200 25,50.
    ("1. kvartal 2026", "Skole", "A100", "Rør", "m", "100", "100,00", "10 000,00"),  # ok
    ("1. kvartal 2026", "Sykehjem", "A100", "Rør", "m", "50", "101,00", "5 050,00"),  # +1 × 50
    ("1. kvartal 2026", "Skole", "B200", "Bend", "stk", "40", "25,50", "1 020,00"),  # ok
    ("1. kvartal 2026", "Teknisk", "C300", "Kum", "stk", "2", "1 000,00", "2 000,00"),  # ok
    ("1. kvartal 2026", "Teknisk", "X999", "Spade", "stk", "10", "300,00", "3 000,00"),  # off
    ("1. kvartal 2026", "Sykehjem", "A100", "Rør", "m", "-5", "101,00", "-505,00"),  # return
    ("1. kvartal 2026", "Skole", "B200", "Bend", "stk", "", "", "100,00"),  # unchecked
    # Q2: A100 is priced 104,00 from 01.04.2026 (limit 104,52).
    ("2026-Q2", "Skole", "A100", "Rør", "m", "200", "104,00", "20 800,00"),  # ok at 104
    ("2026-Q2", "Sykehjem", "A100", "Rør", "m", "100", "104,60", "10 460,00"),  # +0,60 × 100
    ("2026-Q2", "Skole", "B200", "Bend", "stk", "10", "", "260,00"),  # 26,00 > 25,6275
    ("2026-Q2", "Teknisk", "D400", "Pakning", "stk", "1 000,125", "2,1250", "2 125,27"),  # ok
    ("2026-Q2", "Teknisk", "Y888", "Pumpe", "stk", "1", "5 000,00", "5 000,00"),  # off
    ("2026-Q2", "Teknisk", "C300", "Kum", "stk", "3", "1 010,00", "3 030,00"),  # +10 × 3
]
STATISTICS_Q3 = [("3. kvartal 2026", "Skole", "A100", "Rør", "m", "1000", "104,00", "104 000,00")]
OFFICE_Q1 = [("1. kvartal 2026", "Rådhuset", "Z1", "Papir", "pall", "1", "", "1 000 000,00")]

LEDGER_HEADERS = ("Bilagsdato", "Org.nr", "Leverandør", "Beløp eks. mva", "Konto", "Ansvar")
LEDGER = [
    ("15.03.2026", SUPPLIER_ORG, "Rørleverandøren AS", "1 000,00", "1250", "3100"),  # Q1
    ("10.04.2026", SUPPLIER_ORG, "Rørleverandøren AS", "30 000,00", "1250", "3100"),
    ("20.04.2026", SUPPLIER_ORG, "Rørleverandøren AS", "12 000,00", "1301 Rørdeler", ""),
    ("05.05.2026", SUPPLIER_ORG, "Rørleverandøren AS", "-2 000,00", "1250", ""),  # credit
    ("12.05.2026", f"NO {KONGEN_ORG} MVA", "Rørkongen AS", "8 000,00", "1250", "3100"),
    ("02.06.2026", VA_ORG, "VA-Grossisten AS", "3 000,00", "1305", ""),
    ("29.06.2026", VA_ORG, "VA-Grossisten AS", "1 000,00", "1305", ""),
    ("18.06.2026", "", "Jernvare Hansen", "500,00", "1250", ""),  # no org.nr
    ("22.06.2026", KONGEN_ORG, "Rørkongen AS", "99 999,00", "4000", ""),  # not covered
    ("25.06.2026", SUPPLIER_ORG, "Rørleverandøren AS", "5 000,00", "1310", ""),  # not covered
    ("01.07.2026", KONGEN_ORG, "Rørkongen AS", "7 777,00", "1250", ""),  # Q3
]


def D(value: str | int) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(value)


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated for the module (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("analysis") / "template.db"
    upgrade_database(f"sqlite:///{path.as_posix()}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated template (overrides tests/conftest.py's, which migrates
    each test's database from scratch): a real, empty, migrated SQLite database."""
    target = tmp_path / "kv.db"
    with (
        closing(sqlite3.connect(sqlite_template)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{target.as_posix()}"


def rows_of(
    headers: Sequence[str], records: Sequence[Sequence[str]]
) -> list[tuple[int, dict[str, object]]]:
    """The rows as `storage.register_files` gives them: row 1 is the header, empty cells are
    left out."""
    return [
        (number, {h: v for h, v in zip(headers, record, strict=True) if v})
        for number, record in enumerate(records, start=2)
    ]


def import_rows(
    factory: SqlAlchemyUnitOfWorkFactory,
    kind: ImportKind,
    headers: Sequence[str],
    records: Sequence[Sequence[str]],
    reference: str | None = None,
) -> AnalysisImportReport:
    with factory() as uow:
        report = import_analysis_file(
            ImportAnalysisFile(
                kind=kind,
                rows=rows_of(headers, records),
                headers=headers,
                file_name=f"{kind.value}.csv",
                sha256=hashlib.sha256(repr(records).encode()).hexdigest(),
                actor="import:test",
                reference=reference,
            ),
            uow,
            NOW,
        )
    assert report.ok, report.problems
    assert report.stored
    return report


@dataclass(frozen=True)
class Register:
    pipes: Contract
    office: Contract
    single: Contract


def make_register(factory: SqlAlchemyUnitOfWorkFactory) -> Register:
    with factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        pipes_supplier = add_supplier(uow, "Rørleverandøren AS", seed=1)
        kongen = add_supplier(uow, "Rørkongen AS", seed=2)
        assert pipes_supplier.organisation_number == SUPPLIER_ORG
        assert kongen.organisation_number == KONGEN_ORG
        pipes = add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=pipes_supplier,
            reference=PIPES,
            title="Rør og rørdeler",
            contract_type=ContractType.FRAMEWORK,
            category=Category.GOODS,
            start_date=date(2026, 1, 1),
            end_date=date(2029, 12, 31),
            value_nok=150_000,
            maximum_value_nok=200_000,
            ledger_accounts="1250, 1300-1309",
        )
        office = add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=kongen,
            reference=OFFICE,
            title="Kontorrekvisita",
            contract_type=ContractType.FRAMEWORK,
            ledger_accounts="6500",
        )
        # Not a framework agreement: `lekkasje` leaves it out although it names account 1250.
        single = add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=kongen,
            reference=SINGLE,
            title="Pumpestasjon",
            contract_type=ContractType.SINGLE,
            ledger_accounts="1250",
        )
        uow.commit()
    return Register(pipes, office, single)


@pytest.fixture
def register(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Register:
    made = make_register(uow_factory)
    import_rows(uow_factory, ImportKind.PRICE_LIST, PRICE_HEADERS, PRICES, PIPES)
    # A dated price list adds the adjustment; the undated prices stay.
    import_rows(uow_factory, ImportKind.PRICE_LIST, PRICE_HEADERS, PRICE_ADJUSTMENT, PIPES)
    import_rows(uow_factory, ImportKind.STATISTICS, STATISTICS_HEADERS, STATISTICS_H1, PIPES)
    import_rows(uow_factory, ImportKind.STATISTICS, STATISTICS_HEADERS, STATISTICS_Q3, PIPES)
    import_rows(uow_factory, ImportKind.STATISTICS, STATISTICS_HEADERS, OFFICE_Q1, OFFICE)
    import_rows(uow_factory, ImportKind.LEDGER, LEDGER_HEADERS, LEDGER)
    return made


def run_analyse(
    factory: SqlAlchemyUnitOfWorkFactory,
    period: tuple[date, date] | None,
    reference: str = PIPES,
    now: datetime = NOW,
) -> AgreementAnalysis:
    with factory() as uow:
        return analyse(AnalyseAgreement(reference, period), uow, now, THRESHOLDS)


def figures(result: AgreementAnalysis) -> dict[str, object]:
    """The figures a hand calculation gives (the deviations' list is checked apart)."""
    return {
        "period": (result.period_from, result.period_to),
        "lines": result.lines,
        "turnover": result.turnover,
        "core_turnover": result.core_turnover,
        "off_list_turnover": result.off_list_turnover,
        "core_share": result.core_share,
        "off_list_share": result.off_list_share,
        "price_deviation_lines": result.price_deviation_lines,
        "overcharge": result.overcharge,
        "lines_without_price": result.lines_without_price,
        "lines_unchecked": result.lines_unchecked,
        "turnover_before": result.turnover_before,
        "ceiling": result.ceiling,
        "ceiling_source": result.ceiling_source,
        "ceiling_used_amount": result.ceiling_used_amount,
        "ceiling_used": result.ceiling_used,
        "ceiling_reached_on": result.ceiling_reached_on,
        "loyalty": result.loyalty,
        "flags": result.flags,
    }


def set_contract_columns(engine: Engine, reference: str, **values: object) -> None:
    """Maksverdi and Kontoer are not importable yet: set them in the table, as an import would."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE contracts SET {assignments} WHERE reference = :reference"),  # noqa: S608
            {**values, "reference": reference},
        )


# --- analyse: the statistics check, by period -------------------------------------------------


def test_first_quarter_as_a_hand_calculation_gives_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    result = run_analyse(uow_factory, Q1)
    assert figures(result) == {
        "period": Q1,
        "lines": 7,
        # 10 000 + 5 050 + 1 020 + 2 000 + 3 000 − 505 + 100 = 20 665,00
        "turnover": D("20665.00"),
        # A100 and B200 are core: 10 000 + 5 050 − 505 + 1 020 + 100 = 15 665,00
        "core_turnover": D("15665.00"),
        "off_list_turnover": D("3000.00"),  # X999
        "core_share": D("0.7580"),  # 15 665 / 20 665 = 0,75804…
        "off_list_share": D("0.1452"),  # 3 000 / 20 665 = 0,14517…
        # A100 at 101,00 > 100,50: the sale (+1 × 50) and its return (+1 × −5)
        "price_deviation_lines": 2,
        "overcharge": D("45.00"),  # 50 − 5
        "lines_without_price": LineTotal(1, D("3000.00")),
        "lines_unchecked": LineTotal(1, D("100.00")),  # B200 with neither quantity nor price
        "turnover_before": D("0.00"),
        "ceiling": D("200000.00"),
        "ceiling_source": "maksverdi",
        "ceiling_used_amount": D("20665.00"),
        "ceiling_used": D("0.1033"),  # 20 665 / 200 000 = 0,103325
        # 179 335 left at 20 665 per 90 days: ⌈781,03⌉ = 782 days after 31.03.2026
        "ceiling_reached_on": date(2026, 3, 31) + timedelta(days=782),
        "loyalty": D("1.0000"),  # March: 1 000 on 1250, all with the agreement's supplier
        "flags": (Flag.PRICE_DEVIATION,),
    }
    assert result.ceiling_reached_on == date(2028, 5, 21)
    assert [(d.article, d.lines, d.overcharge) for d in result.price_deviations] == [
        ("A100", 2, D("45.00"))  # the two lines at 101,00 summed: 45 m × 1,00
    ]
    (deviation,) = result.price_deviations
    assert (deviation.invoiced_price, deviation.agreed_price, deviation.price_valid_from) == (
        D("101.0000"),
        D("100.0000"),
        None,
    )


def test_second_quarter_uses_the_adjusted_price_and_the_first_quarter_for_the_ceiling(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    result = run_analyse(uow_factory, Q2)
    assert figures(result) == {
        "period": Q2,
        "lines": 6,
        # 20 800 + 10 460 + 260 + 2 125,27 + 5 000 + 3 030 = 41 675,27
        "turnover": D("41675.27"),
        "core_turnover": D("31520.00"),  # A100 and B200: 20 800 + 10 460 + 260
        "off_list_turnover": D("5000.00"),  # Y888
        "core_share": D("0.7563"),  # 31 520 / 41 675,27 = 0,75632…
        "off_list_share": D("0.1200"),  # 5 000 / 41 675,27 = 0,11997…
        # A100 at 104,60 > 104 × 1,005 = 104,52: 0,60 × 100 = 60,00 (at the old price 100,00
        # the line at 104,00 would deviate too); B200 260 / 10 = 26,00 > 25,6275: 260 − 255 =
        # 5,00; C300 1 010 > 1 005: 10 × 3 = 30,00. D400 at exactly 2,1250 is not.
        "price_deviation_lines": 3,
        "overcharge": D("95.00"),
        "lines_without_price": LineTotal(1, D("5000.00")),
        "lines_unchecked": LineTotal(0, D("0.00")),
        "turnover_before": D("20665.00"),  # the first quarter
        "ceiling": D("200000.00"),
        "ceiling_source": "maksverdi",
        "ceiling_used_amount": D("62340.27"),  # 20 665 + 41 675,27
        "ceiling_used": D("0.3117"),  # 62 340,27 / 200 000 = 0,311701…
        # 137 659,73 left at 41 675,27 per 91 days: ⌈300,59⌉ = 301 days after 30.06.2026
        "ceiling_reached_on": date(2027, 4, 27),
        # Q2 on 1250 and 1300–1309: 30 000 + 12 000 − 2 000 (S) + 8 000 + 3 000 + 1 000 + 500
        # = 52 500, of which 40 000 with S: 0,76190… < 0,8
        "loyalty": D("0.7619"),
        "flags": (Flag.PRICE_DEVIATION, Flag.LEAKAGE_HIGH),
    }
    assert [(d.article, d.overcharge, d.price_valid_from) for d in result.price_deviations] == [
        ("A100", D("60.00"), date(2026, 4, 1)),
        ("C300", D("30.00"), None),
        ("B200", D("5.00"), None),
    ]
    b200 = result.price_deviations[2]
    assert b200.invoiced_price == D("26.0000")  # amount ÷ quantity, four decimals


def test_third_quarter_passes_eighty_percent_only_with_the_earlier_quarters(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    # Without a period: the latest period the agreement has statistics for (Q3).
    result = run_analyse(uow_factory, None)
    assert (result.period_from, result.period_to) == Q3
    assert result.turnover == D("104000.00")  # 1 000 × 104,00
    assert result.core_share == D("1.0000")
    assert result.turnover_before == D("62340.27")  # Q1 + Q2 (not the other agreement's)
    # 62 340,27 + 104 000 = 166 340,27 of 200 000 = 0,83170…: Q3 alone would be 0,52
    assert result.ceiling_used_amount == D("166340.27")
    assert result.ceiling_used == D("0.8317")
    # 33 659,73 left at 104 000 per 92 days: ⌈29,78⌉ = 30 days after 30.09.2026
    assert result.ceiling_reached_on == date(2026, 10, 30)
    # Q3's ledger: 7 777 with Rørkongen on 1250, nothing with S: loyalty 0
    assert result.loyalty == D("0.0000")
    assert result.flags == (Flag.CEILING_80, Flag.LEAKAGE_HIGH)


def test_half_year_sums_both_quarters_with_nothing_before(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    result = run_analyse(uow_factory, H1)
    assert figures(result) == {
        "period": H1,
        "lines": 13,
        "turnover": D("62340.27"),  # 20 665 + 41 675,27
        "core_turnover": D("47185.00"),  # 15 665 + 31 520
        "off_list_turnover": D("8000.00"),  # 3 000 + 5 000
        "core_share": D("0.7569"),  # 47 185 / 62 340,27 = 0,75689…
        "off_list_share": D("0.1283"),  # 8 000 / 62 340,27 = 0,12832…
        "price_deviation_lines": 5,  # 2 in Q1, 3 in Q2
        "overcharge": D("140.00"),  # 45 + 95
        "lines_without_price": LineTotal(2, D("8000.00")),
        "lines_unchecked": LineTotal(1, D("100.00")),
        "turnover_before": D("0.00"),
        "ceiling": D("200000.00"),
        "ceiling_source": "maksverdi",
        "ceiling_used_amount": D("62340.27"),
        "ceiling_used": D("0.3117"),
        # 137 659,73 left at 62 340,27 per 181 days: ⌈399,68⌉ = 400 days after 30.06.2026
        "ceiling_reached_on": date(2027, 8, 4),
        # March to June: 52 500 + 1 000 = 53 500, of which 41 000 with S: 0,76635…
        "loyalty": D("0.7664"),
        "flags": (Flag.PRICE_DEVIATION, Flag.LEAKAGE_HIGH),
    }


def test_summed_lines_give_the_figures_of_the_raw_lines(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    prices = price_lines(PRICES + PRICE_ADJUSTMENT)
    raw = statistics_lines(STATISTICS_H1 + STATISTICS_Q3)
    # Loyalty by hand (see the leakage tests): Q1 1 000 / 1 000, Q2 40 000 / 52 500, Q3 0 /
    # 7 777, H1 41 000 / 53 500.
    loyalties = {
        Q1: D("1"),
        Q2: D(40_000) / D(52_500),
        Q3: D(0),
        H1: D(41_000) / D(53_500),
    }
    for period, loyalty in loyalties.items():
        stored = run_analyse(uow_factory, period)
        with uow_factory() as uow:
            contract = uow.contracts.by_reference(PIPES)
            assert contract is not None
            terms = agreement_terms(contract, uow)
            summed = uow.analysis.statistics_summed(contract.id, *period)
        inside = [x for x in raw if x.period_from >= period[0] and x.period_to <= period[1]]
        before = sum((x.amount for x in raw if x.period_to < period[0]), Decimal(0))
        by_hand = analyse_agreement(
            terms,
            prices,
            inside,
            period,
            turnover_before=before,
            statistics_missing=False,
            thresholds=THRESHOLDS,
            loyalty=loyalty,
        )
        assert replace(stored, price_deviations=()) == replace(by_hand, price_deviations=())
        assert sum(d.overcharge for d in stored.price_deviations) == sum(
            d.overcharge for d in by_hand.price_deviations
        )
        # Storage summed the lines it could: fewer lines, the same count behind them.
        assert len(summed) <= len(inside)
        assert sum(x.lines for x in summed) == len(inside)
    # The two A100 lines at 101,00 in Q1 (a sale and a return) are one summed line.
    with uow_factory() as uow:
        q1 = uow.analysis.statistics_summed(register.pipes.id, *Q1)
    a100 = sorted((x.unit_price, x.quantity, x.amount, x.lines) for x in q1 if x.article == "A100")
    assert a100 == [
        (D("100.0000"), D("100.000"), D("10000.00"), 1),
        (D("101.0000"), D("45.000"), D("4545.00"), 2),
    ]


def test_a_sale_and_its_full_return_at_a_deviating_price_stay_two_deviations(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    # Q4: A100 sold at 110,00 (agreed 104,00) and all of it returned at 110,00.
    q4 = (date(2026, 10, 1), date(2026, 12, 31))
    records = [
        ("4. kvartal 2026", "Skole", "A100", "Rør", "m", "10", "110,00", "1 100,00"),
        ("4. kvartal 2026", "Skole", "A100", "Rør", "m", "-10", "110,00", "-1 100,00"),
    ]
    import_rows(uow_factory, ImportKind.STATISTICS, STATISTICS_HEADERS, records, PIPES)
    by_hand = analyse_agreement(
        run_terms(uow_factory),
        price_lines(PRICES + PRICE_ADJUSTMENT),
        statistics_lines(records),
        q4,
        turnover_before=D("166340.27"),
        statistics_missing=False,
        thresholds=THRESHOLDS,
    )
    # By the definition, each line is invoiced 6,00 above the agreed 104,00: two deviating
    # lines, overcharge 6 × 10 − 6 × 10 = 0, and the price_deviation flag.
    assert by_hand.price_deviation_lines == 2
    assert Flag.PRICE_DEVIATION in by_hand.flags
    stored = run_analyse(uow_factory, q4)
    assert stored.price_deviation_lines == by_hand.price_deviation_lines
    assert stored.lines_unchecked == by_hand.lines_unchecked
    assert Flag.PRICE_DEVIATION in stored.flags


def test_the_ceiling_counts_every_line_that_ended_before_til(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    # February to June: the Q1 lines start before it, but all of them ended before 30.06.2026.
    result = run_analyse(uow_factory, (date(2026, 2, 1), date(2026, 6, 30)))
    # The turnover up to til is at least Q1 + Q2 = 62 340,27, whichever lines the period shows.
    assert result.ceiling_used_amount >= D("62340.27")


def test_the_ceiling_warns_at_eighty_and_at_a_hundred_percent(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    # Q2 uses 62 340,27 up to its end. Maksverdi 77 925: 62 340,27 / 77 925 = 0,8000035 is
    # just past 80 % (80 % of 77 925 is 62 340,00).
    set_contract_columns(db_engine, PIPES, maximum_value_nok=77_925)
    result = run_analyse(uow_factory, Q2)
    assert result.ceiling == D("77925.00")
    assert result.ceiling_used == D("0.8000")  # 62 340,27 / 77 925 = 0,80000…
    assert result.flags == (Flag.PRICE_DEVIATION, Flag.CEILING_80, Flag.LEAKAGE_HIGH)
    assert result.ceiling_reached_on is not None
    # 77 926: 62 340,27 / 77 926 = 0,79999… is below 80 %
    set_contract_columns(db_engine, PIPES, maximum_value_nok=77_926)
    assert Flag.CEILING_80 not in run_analyse(uow_factory, Q2).flags
    # 62 340 is passed (by 0,27): both flags, and no day the ceiling is reached on.
    set_contract_columns(db_engine, PIPES, maximum_value_nok=62_340)
    result = run_analyse(uow_factory, Q2)
    assert result.ceiling_used == D("1.0000")  # 1,0000043… rounded
    assert result.flags == (
        Flag.PRICE_DEVIATION,
        Flag.CEILING_80,
        Flag.CEILING_100,
        Flag.LEAKAGE_HIGH,
    )
    assert result.ceiling_reached_on is None


def test_without_maksverdi_the_estimated_value_is_the_ceiling_and_said_so(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    set_contract_columns(db_engine, PIPES, maximum_value_nok=None)
    result = run_analyse(uow_factory, Q2)
    assert (result.ceiling, result.ceiling_source) == (D("150000.00"), "estimert")
    assert result.ceiling_used == D("0.4156")  # 62 340,27 / 150 000 = 0,41560…
    set_contract_columns(db_engine, PIPES, maximum_value_nok=None, value_nok=None)
    result = run_analyse(uow_factory, Q2)
    assert (result.ceiling, result.ceiling_source, result.ceiling_used) == (None, None, None)
    assert result.ceiling_reached_on is None


def test_without_accounts_there_is_no_loyalty(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    set_contract_columns(db_engine, PIPES, ledger_accounts=None)
    result = run_analyse(uow_factory, Q2)
    assert result.loyalty is None
    assert result.flags == (Flag.PRICE_DEVIATION,)


def test_a_period_without_statistics_and_bad_periods(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    # 2025: no lines; the later lines are not "before" it.
    result = run_analyse(uow_factory, (date(2025, 1, 1), date(2025, 12, 31)))
    assert (result.lines, result.turnover, result.turnover_before) == (0, D("0.00"), D("0.00"))
    assert (result.core_share, result.off_list_share) == (None, None)
    with pytest.raises(InvalidInput) as ended:
        run_analyse(uow_factory, (Q1[1], Q1[0]))
    assert str(ended.value) == "Perioden slutter før den begynner."
    with pytest.raises(NotFound) as unknown:
        run_analyse(uow_factory, Q1, reference="RA-FINNES-IKKE")
    assert str(unknown.value) == "Fant ingen avtale med avtalenummer «RA-FINNES-IKKE»."
    with pytest.raises(NotFound) as empty:
        run_analyse(uow_factory, None, reference=SINGLE)
    assert str(empty.value).startswith(f"Avtale {SINGLE} har ingen salgsstatistikk ennå.")


# --- leakage across the register --------------------------------------------------------------


def run_leakage(
    factory: SqlAlchemyUnitOfWorkFactory, period: tuple[date, date]
) -> list[LeakageGroup]:
    with factory() as uow:
        return leakage_report(LeakageReport(period), uow, THRESHOLDS)


def test_leakage_of_the_second_quarter_as_a_hand_calculation_gives_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    groups = run_leakage(uow_factory, Q2)
    # Framework agreements with accounts only (not the single contract on 1250), largest
    # leakage first.
    assert [g.reference for g in groups] == [PIPES, OFFICE]
    pipes, office = groups
    assert (pipes.accounts, pipes.period_from, pipes.period_to) == ("1250, 1300–1309", *Q2)
    # On 1250 and 1300–1309 in Q2 (4000, 1310 and July are outside):
    # S: 30 000 + 12 000 − 2 000 = 40 000; Rørkongen 8 000; VA-Grossisten 3 000 + 1 000;
    # Jernvare Hansen (no org.nr) 500. Spend 52 500.
    assert (pipes.spend, pipes.agreement_spend, pipes.leakage) == (
        D("52500.00"),
        D("40000.00"),
        D("12500.00"),
    )
    assert pipes.loyalty == D("0.7619")  # 40 000 / 52 500
    assert pipes.leakage_high
    assert pipes.top_suppliers == (
        SupplierSpend(KONGEN_ORG, "Rørkongen AS", D("8000.00")),
        SupplierSpend(VA_ORG, "VA-Grossisten AS", D("4000.00")),
        SupplierSpend(None, "Jernvare Hansen", D("500.00")),
    )
    assert (pipes.others_spend, pipes.others_suppliers) == (D("0.00"), 0)
    # Kontorrekvisita's 6500 has no purchases: nothing to measure, nothing leaked.
    assert (office.spend, office.loyalty, office.leakage, office.leakage_high) == (
        D("0.00"),
        None,
        D("0.00"),
        False,
    )
    assert office.top_suppliers == ()


def test_leakage_follows_the_period_and_the_accounts(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    (q1, _office) = run_leakage(uow_factory, Q1)
    assert (q1.spend, q1.agreement_spend, q1.loyalty, q1.leakage_high) == (
        D("1000.00"),
        D("1000.00"),
        D("1.0000"),
        False,
    )
    (q3, _office) = run_leakage(uow_factory, Q3)
    assert (q3.spend, q3.agreement_spend, q3.loyalty, q3.leakage) == (
        D("7777.00"),
        D("0.00"),
        D("0.0000"),
        D("7777.00"),
    )
    # Widen Kontoer to 1250, 1300–1310 and 4000: the 5 000 with S on 1310 and the 99 999
    # with Rørkongen on 4000 come in. Spend 52 500 + 5 000 + 99 999 = 157 499, with S
    # 45 000: loyalty 0,28572…, leakage 112 499.
    set_contract_columns(db_engine, PIPES, ledger_accounts="1250; 1300–1310 og 4000")
    pipes = next(g for g in run_leakage(uow_factory, Q2) if g.reference == PIPES)
    assert pipes.accounts == "1250, 1300–1310, 4000"
    assert (pipes.spend, pipes.agreement_spend, pipes.leakage, pipes.loyalty) == (
        D("157499.00"),
        D("45000.00"),
        D("112499.00"),
        D("0.2857"),
    )
    assert pipes.top_suppliers[0] == SupplierSpend(KONGEN_ORG, "Rørkongen AS", D("107999.00"))


def test_a_supplier_is_named_as_most_was_bought_from_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory, register: Register
) -> None:
    records = [
        ("02.08.2026", VA_ORG, "VA-Grossisten AS", "3 000,00", "1305", ""),
        ("29.08.2026", VA_ORG, "VA-Grossisten", "1 000,00", "1305", ""),
    ]
    import_rows(uow_factory, ImportKind.LEDGER, LEDGER_HEADERS, records)
    pipes = next(g for g in run_leakage(uow_factory, Q3) if g.reference == PIPES)
    va = next(s for s in pipes.top_suppliers if s.org_nr == VA_ORG)
    assert va == SupplierSpend(VA_ORG, "VA-Grossisten AS", D("4000.00"))


# --- statistics_missing -----------------------------------------------------------------------


def add_statistics_follow_up(
    factory: SqlAlchemyUnitOfWorkFactory,
    contract: Contract,
    due: date,
    state: FollowUpState,
    code: str = "salgsstatistikk",
) -> None:
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code=code,
        title="Salgsstatistikk" if code == "salgsstatistikk" else code.capitalize(),
        rrule="FREQ=MONTHLY;INTERVAL=3",
        dtstart=date(2026, 1, 31),
        evidence=["Salgsstatistikk"],
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=contract.id,
        due_date=due,
        state=state,
        reminder_step=1,
        next_action_at=NOW,
    )
    with factory() as uow:
        uow.checkpoints.add(checkpoint)
        uow.follow_ups.add_many([follow_up])
        uow.commit()


@pytest.mark.parametrize(
    ("due", "state", "code", "missing"),
    [
        pytest.param(date(2026, 10, 31), FollowUpState.NOTIFIED, "salgsstatistikk", True,
                     id="overdue-notified"),
        pytest.param(date(2026, 11, 22), FollowUpState.ESCALATED, "salgsstatistikk", True,
                     id="due-yesterday-escalated"),
        pytest.param(date(2026, 11, 23), FollowUpState.NOTIFIED, "salgsstatistikk", False,
                     id="due-today"),
        pytest.param(date(2026, 12, 31), FollowUpState.PLANNED, "salgsstatistikk", False,
                     id="due-later"),
        pytest.param(date(2026, 10, 31), FollowUpState.ANSWERED, "salgsstatistikk", False,
                     id="answered"),
        pytest.param(date(2026, 10, 31), FollowUpState.NOTIFIED, "egenrapportering", False,
                     id="another-checkpoint"),
    ],
)  # fmt: skip
def test_statistics_missing_when_the_statistics_follow_up_is_overdue(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    register: Register,
    due: date,
    state: FollowUpState,
    code: str,
    missing: bool,
) -> None:
    add_statistics_follow_up(uow_factory, register.pipes, due, state, code)
    # The other agreement's overdue statistics say nothing of this one.
    add_statistics_follow_up(
        uow_factory, register.office, date(2026, 9, 30), FollowUpState.NOTIFIED
    )
    result = run_analyse(uow_factory, Q2)
    assert (Flag.STATISTICS_MISSING in result.flags) is missing
    # Every other figure is the same.
    expected = (Flag.PRICE_DEVIATION, Flag.LEAKAGE_HIGH, Flag.STATISTICS_MISSING)
    assert result.flags == tuple(f for f in expected if missing or f is not Flag.STATISTICS_MISSING)
    assert result.turnover == D("41675.27")


# --- helpers for the raw lines -----------------------------------------------------------------


def price_lines(records: Sequence[Sequence[str]]) -> list[PriceLine]:
    columns = AnalysisColumns.from_headers(AnalysisFile.PRICE_LIST, PRICE_HEADERS)
    found: list[PriceLine] = []
    for number, cells in rows_of(PRICE_HEADERS, records):
        line = parse_price_row(number, cells, columns)
        assert isinstance(line, PriceLine), line
        found.append(line)
    return found


def statistics_lines(records: Sequence[Sequence[str]]) -> list[StatisticsLine]:
    columns = AnalysisColumns.from_headers(AnalysisFile.STATISTICS, STATISTICS_HEADERS)
    found: list[StatisticsLine] = []
    for number, cells in rows_of(STATISTICS_HEADERS, records):
        line = parse_statistics_row(number, cells, columns)
        assert isinstance(line, StatisticsLine), line
        found.append(line)
    return found


def run_terms(factory: SqlAlchemyUnitOfWorkFactory) -> AgreementTerms:
    with factory() as uow:
        contract = uow.contracts.by_reference(PIPES)
        assert contract is not None
        return agreement_terms(contract, uow)
