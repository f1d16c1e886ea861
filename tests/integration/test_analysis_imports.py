"""Importing the purchase analysis' files into real SQLite and PostgreSQL: price lists, sales
statistics and ledger extracts, through `import_analysis_file` with rows as the file readers give
them (and through `storage.analysis_files.open_analysis_file` on CSV and .xlsx files).

What must hold: all or nothing (one bad row stores nothing and leaves what was stored before
exactly as it was, even after thousands of good lines went in), a dry run stores nothing,
re-importing replaces what the file covers and never doubles it, money and quantities come back
exactly as written, and every import is one event in the audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import Engine, select, text

from followup.accounts import AccountRange
from followup.analysis.models import ImportKind, PriceLine
from followup.analysis.reading import AnalysisFile, InvalidAnalysisFile
from followup.analysis.services import (
    AnalysisImportReport,
    ImportAnalysisFile,
    import_analysis_file,
)
from followup.errors import InvalidInput, NotFound
from followup.models import Contract, ContractType
from storage.analysis_files import file_sha256, open_analysis_file
from storage.audit_log import verify_audit_trail
from storage.db import upgrade_database
from storage.tables import LedgerLineRow, PriceListLineRow, StatisticsLineRow, table_of
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PIPES = "RA-2026-010"
OFFICE = "RA-2026-020"
SUPPLIER_ORG = organisation_number(1)
OTHER_ORG = organisation_number(2)
PRICES = table_of(PriceListLineRow)
STATISTICS = table_of(StatisticsLineRow)
LEDGER = table_of(LedgerLineRow)
TABLES = ("analysis_imports", "price_list_lines", "statistics_lines", "ledger_lines")

PRICE_HEADERS = ("Varenummer", "Varetekst", "Enhet", "Avtalt pris", "Kjernesortiment", "Gyldig fra")
STATISTICS_HEADERS = ("Periode", "Kunde", "Varenummer", "Antall", "Enhetspris", "Beløp eks. mva")
LEDGER_HEADERS = ("Bilagsdato", "Org.nr", "Leverandør", "Beløp eks. mva", "Konto", "Ansvar")


def D(value: str) -> Decimal:  # noqa: N802 - reads like a literal
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


# --- helpers -----------------------------------------------------------------------------------


def rows_of(
    headers: Sequence[str], records: Iterable[Sequence[str]]
) -> list[tuple[int, dict[str, object]]]:
    """Rows as `storage.register_files` gives them: row 1 is the header, empty cells left out."""
    return [
        (number, {h: v for h, v in zip(headers, record, strict=True) if v})
        for number, record in enumerate(records, start=2)
    ]


def importing(
    kind: ImportKind,
    headers: Sequence[str],
    records: Iterable[Sequence[str]],
    reference: str | None = None,
    *,
    dry_run: bool = False,
    file_name: str = "fil.csv",
) -> ImportAnalysisFile:
    rows = rows_of(headers, records)
    return ImportAnalysisFile(
        kind=kind,
        rows=rows,
        headers=headers,
        file_name=file_name,
        sha256=hashlib.sha256(repr(rows).encode()).hexdigest(),
        actor="import:test",
        reference=reference,
        dry_run=dry_run,
    )


def run(
    factory: SqlAlchemyUnitOfWorkFactory, command: ImportAnalysisFile, now: datetime = NOW
) -> AnalysisImportReport:
    with factory() as uow:
        return import_analysis_file(command, uow, now)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
            for t in (*TABLES, "audit_events")
        }


def stored_lines(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every stored line as its values (no ids), in a stable order: a snapshot to compare."""
    prices, statistics, ledger = PRICES, STATISTICS, LEDGER
    queries = {
        "price_list_lines": select(*(c for c in prices.c if c.name not in ("id", "import_id"))),
        "statistics_lines": select(*(c for c in statistics.c if c.name not in ("id", "import_id"))),
        "ledger_lines": select(*(c for c in ledger.c if c.name not in ("id", "import_id"))),
    }
    with engine.connect() as connection:
        return {
            table: sorted((tuple(row) for row in connection.execute(query)), key=repr)
            for table, query in queries.items()
        }


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT action FROM audit_events WHERE action LIKE 'analysis.%' ORDER BY seq")
        )
        return [str(action) for (action,) in rows]


def contract_id(factory: SqlAlchemyUnitOfWorkFactory, reference: str) -> str:
    with factory() as uow:
        contract = uow.contracts.by_reference(reference)
        assert contract is not None
        return contract.id


def statistics_turnover(
    factory: SqlAlchemyUnitOfWorkFactory, reference: str, start: date, end: date
) -> Decimal:
    with factory() as uow:
        lines = uow.analysis.statistics_summed(contract_id(factory, reference), start, end)
    return sum((line.amount for line in lines), Decimal(0))


@pytest.fixture
def agreements(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[Contract, Contract]:
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        supplier = add_supplier(uow, "Rørleverandøren AS", seed=1)
        pipes = add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=supplier,
            reference=PIPES,
            title="Rør og rørdeler",
            contract_type=ContractType.FRAMEWORK,
            maximum_value_nok=2_000_000,
            ledger_accounts="1250, 1300-1309",
        )
        office = add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=supplier,
            reference=OFFICE,
            title="Kontorrekvisita",
            contract_type=ContractType.FRAMEWORK,
        )
        uow.commit()
    return pipes, office


def quarter_rows(period: str, count: int, *, amount: str = "10,00") -> list[tuple[str, ...]]:
    """`count` statistics lines of one period: article A<n>, 1 × 10,00."""
    return [(period, "Skole", f"A{n}", "1", "10,00", amount) for n in range(count)]


# --- each kind, from files ------------------------------------------------------------------


def test_a_price_list_csv_is_stored_exactly(
    tmp_path: Path,
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    path = tmp_path / "prisliste.csv"
    with path.open("w", encoding="cp1252", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Prisliste rør og rørdeler", "", "", "", ""])  # a title row
        writer.writerow(["Varenr", "Varetekst", "Enhet", "Avtalepris eks. mva", "Kjerne"])
        writer.writerow(["000123", "Rør PP 110 mm", "m", "kr 1 250,50", "X"])
        writer.writerow(["B 200", "Bend 45°", "stk", "0,0001", ""])
        writer.writerow(["C300", "Kum", "stk", "99 999 999,9999", "Nei"])
        writer.writerow(["D400", "Pakning", "", "2,125", "Ja"])
    table = open_analysis_file(path, AnalysisFile.PRICE_LIST)
    report = run(
        uow_factory,
        ImportAnalysisFile(
            kind=ImportKind.PRICE_LIST,
            rows=table.rows(),
            headers=table.headers,
            file_name=path.name,
            sha256=file_sha256(path),
            actor="import:prisliste.csv",
            reference=PIPES,
        ),
    )
    assert (report.ok, report.stored, report.rows_read, report.lines) == (True, True, 4, 4)
    pipes, _ = agreements
    with uow_factory() as uow:
        prices = sorted(uow.analysis.price_list(pipes.id), key=lambda p: p.article)
    assert prices == [
        PriceLine("000123", "Rør PP 110 mm", "m", D("1250.5000"), True),
        PriceLine("B 200", "Bend 45°", "stk", D("0.0001"), False),
        PriceLine("C300", "Kum", "stk", D("99999999.9999"), False),
        PriceLine("D400", "Pakning", None, D("2.1250"), True),
    ]
    with db_engine.connect() as connection:
        query = select(PRICES.c.article_key, PRICES.c.agreed_price_e4)
        scaled = dict(list(connection.execute(query)))  # (a Result has keys(): not a mapping)
    # 1/10 000 krone, exact; the article key without leading zeros, spaces or case.
    assert scaled == {"123": 12_505_000, "b200": 1, "c300": 999_999_999_999, "d400": 21_250}


def test_statistics_from_excel_keep_ore_decimals_and_returns(
    tmp_path: Path,
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    path = tmp_path / "salgsstatistikk.xlsx"
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Om filen"
    notes.append(["Salgsstatistikk fra Rørleverandøren AS"])
    sheet = workbook.create_sheet("Statistikk")
    sheet.append(["Salgsstatistikk 1. kvartal 2026"])
    sheet.append([])
    sheet.append(
        ["Periode fra", "Periode til", "Kunde", "Varenummer", "Antall", "Enhetspris", "Beløp"]
    )
    start, end = date(2026, 1, 1), date(2026, 3, 31)  # Excel date cells
    sheet.append([start, end, "Skole", "A1", 2.5, 12.3456, 30.86])
    sheet.append([start, end, "Skole", "A2", 0.001, 0.0001, 0.01])
    sheet.append([start, end, "Sykehjem", "A3", 1234.567, 9999.9999, 12345678.99])
    sheet.append([start, end, "Sykehjem", "A1", -1.5, 12.3456, -18.52])  # a return
    sheet.append([start, end, "Teknisk", 4711, 3, None, "1 000,-"])  # a number as article
    workbook.save(path)
    table = open_analysis_file(path, AnalysisFile.STATISTICS)
    assert table.sheet == "Statistikk"
    report = run(
        uow_factory,
        ImportAnalysisFile(
            kind=ImportKind.STATISTICS,
            rows=table.rows(),
            headers=table.headers,
            file_name=path.name,
            sha256=file_sha256(path),
            actor="import:salgsstatistikk.xlsx",
            reference=PIPES,
        ),
    )
    assert report.ok, report.problems
    assert (report.rows_read, report.lines, report.periods) == (
        5,
        5,
        [(date(2026, 1, 1), date(2026, 3, 31))],
    )
    with db_engine.connect() as connection:
        rows = sorted(
            connection.execute(
                text(
                    "SELECT article, customer, quantity_e3, unit_price_e4, amount_ore "
                    "FROM statistics_lines"
                )
            ),
            key=repr,
        )
    assert [tuple(r) for r in rows] == [
        ("4711", "Teknisk", 3_000, None, 100_000),
        ("A1", "Skole", 2_500, 123_456, 3_086),
        ("A1", "Sykehjem", -1_500, 123_456, -1_852),
        ("A2", "Skole", 1, 1, 1),
        ("A3", "Sykehjem", 1_234_567, 99_999_999, 1_234_567_899),
    ]
    with uow_factory() as uow:
        summed = uow.analysis.statistics_summed(
            agreements[0].id, date(2026, 1, 1), date(2026, 3, 31)
        )
    by_article = {(x.article, x.unit_price): x for x in summed}
    # The sale and the return of A1 at one price are one line: 2,5 − 1,5 = 1; 30,86 − 18,52.
    a1 = by_article["A1", D("12.3456")]
    assert (a1.quantity, a1.amount, a1.lines) == (D("1.000"), D("12.34"), 2)
    a3 = by_article["A3", D("9999.9999")]
    assert (a3.quantity, a3.amount) == (D("1234.567"), D("12345678.99"))
    a2 = by_article["A2", D("0.0001")]
    assert (a2.quantity, a2.amount) == (D("0.001"), D("0.01"))
    assert by_article["4711", None].amount == D("1000.00")
    # 30,86 + 0,01 + 12 345 678,99 − 18,52 + 1 000 = 12 346 691,34
    assert sum(x.amount for x in summed) == D("12346691.34")


def test_a_ledger_csv_is_stored_with_credit_notes_and_clean_numbers(
    tmp_path: Path,
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    path = tmp_path / "regnskap.csv"

    def write(third_date: str) -> None:
        path.write_text(
            "Bilagsdato,Org.nr,Leverandør,Beløp eks. mva,Konto,Ansvar\n"
            f'10.04.2026,NO {SUPPLIER_ORG} MVA,Rørleverandøren AS,"30 000,00",1250,3100\n'
            f'2026-04-20,{SUPPLIER_ORG},Rørleverandøren AS,"(2 000,50)",1301 Rørdeler,\n'
            f'{third_date},{OTHER_ORG},Rørkongen AS,"1,00",1250,\n'
            '05.05.2026,,Jernvare Hansen,"1 250,00-",1305,4100\n',
            encoding="utf-8-sig",
        )

    def import_it() -> AnalysisImportReport:
        table = open_analysis_file(path, AnalysisFile.LEDGER)
        command = ImportAnalysisFile(
            kind=ImportKind.LEDGER,
            rows=table.rows(),
            headers=table.headers,
            file_name=path.name,
            sha256=file_sha256(path),
            actor="import:regnskap.csv",
        )
        return run(uow_factory, command)

    write("")
    report = import_it()
    # Row 4 has no Bilagsdato: nothing is stored.
    assert (report.ok, report.stored, report.failed) == (False, False, 1)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (4, "Bilagsdato", "mangler bilagsdato")
    ]
    assert counts(db_engine)["ledger_lines"] == 0
    write("30.04.2026")
    report = import_it()
    assert (report.ok, report.stored, report.lines) == (True, True, 4)
    assert report.periods == [(date(2026, 4, 10), date(2026, 5, 5))]
    assert stored_lines(db_engine)["ledger_lines"] == sorted(
        [
            (date(2026, 4, 10), SUPPLIER_ORG, "Rørleverandøren AS", 3_000_000, "1250", "3100"),
            (date(2026, 4, 20), SUPPLIER_ORG, "Rørleverandøren AS", -200_050, "1301", None),
            (date(2026, 4, 30), OTHER_ORG, "Rørkongen AS", 100, "1250", None),
            (date(2026, 5, 5), None, "Jernvare Hansen", -125_000, "1305", "4100"),
        ],
        key=repr,
    )


# --- re-importing replaces, never doubles -------------------------------------------------------


def test_re_importing_statistics_replaces_the_periods_in_the_file_only(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    q1, q2 = (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30))
    first = run(
        uow_factory,
        importing(
            ImportKind.STATISTICS,
            STATISTICS_HEADERS,
            quarter_rows("1. kvartal 2026", 3) + quarter_rows("2. kvartal 2026", 2),
            PIPES,
        ),
    )
    assert (first.stored, first.lines, first.replaced, first.periods) == (True, 5, 0, [q1, q2])
    # The other agreement's first quarter must survive the pipes' re-import.
    run(
        uow_factory,
        importing(ImportKind.STATISTICS, STATISTICS_HEADERS, quarter_rows("Q1 2026", 4), OFFICE),
    )
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("30.00")
    # The same quarter again, corrected: 2 lines of 15,00 in place of 3 of 10,00.
    again = run(
        uow_factory,
        importing(
            ImportKind.STATISTICS,
            STATISTICS_HEADERS,
            quarter_rows("2026-Q1", 2, amount="15,00"),
            PIPES,
        ),
        LATER,
    )
    assert (again.stored, again.lines, again.replaced) == (True, 2, 3)
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("30.00")  # 2 × 15, not 60
    assert statistics_turnover(uow_factory, PIPES, *q2) == D("20.00")  # untouched
    assert statistics_turnover(uow_factory, OFFICE, *q1) == D("40.00")  # untouched
    # The very same file twice: still once.
    same = importing(
        ImportKind.STATISTICS, STATISTICS_HEADERS, quarter_rows("2026-Q1", 2, amount="15,00"), PIPES
    )
    assert run(uow_factory, same).replaced == 2
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("30.00")
    assert counts(db_engine)["statistics_lines"] == 2 + 2 + 4
    assert counts(db_engine)["analysis_imports"] == 4


def test_a_quarter_sent_again_after_its_months_is_not_doubled(
    uow_factory: SqlAlchemyUnitOfWorkFactory, agreements: tuple[Contract, Contract]
) -> None:
    q1 = (date(2026, 1, 1), date(2026, 3, 31))
    months = [
        row
        for month in ("januar 2026", "februar 2026", "mars 2026")
        for row in quarter_rows(month, 1, amount="100,00")
    ]
    run(uow_factory, importing(ImportKind.STATISTICS, STATISTICS_HEADERS, months, PIPES))
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("300.00")
    # The supplier sends the whole quarter again, as one period, with the same 300,00.
    quarter = quarter_rows("1. kvartal 2026", 3, amount="100,00")
    report = run(uow_factory, importing(ImportKind.STATISTICS, STATISTICS_HEADERS, quarter, PIPES))
    assert report.stored
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("300.00")


def test_re_importing_a_price_list_replaces_the_prices_of_the_same_gyldig_fra(
    uow_factory: SqlAlchemyUnitOfWorkFactory, agreements: tuple[Contract, Contract]
) -> None:
    pipes, office = agreements
    undated = [
        ("A100", "Rør", "m", "100,00", "J", ""),
        ("B200", "Bend", "stk", "25,50", "J", ""),
        ("C300", "Kum", "stk", "1 000,00", "N", ""),
    ]
    april = [("A100", "Rør", "m", "104,00", "J", "01.04.2026")]
    run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, undated, PIPES))
    run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, undated[:1], OFFICE))
    dated = run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, april, PIPES))
    assert dated.replaced == 0  # a new Gyldig fra adds to the list

    def prices(contract: Contract) -> list[tuple[str, Decimal, date | None]]:
        with uow_factory() as uow:
            return sorted(
                (
                    (p.article, p.agreed_price, p.valid_from)
                    for p in uow.analysis.price_list(contract.id)
                ),
                key=repr,
            )

    assert prices(pipes) == sorted(
        [
            ("A100", D("100"), None),
            ("A100", D("104"), date(2026, 4, 1)),
            ("B200", D("25.5"), None),
            ("C300", D("1000"), None),
        ],
        key=repr,
    )
    # April's prices again, corrected: A100 at 103,00 and B200 at 26,00 from 01.04.2026.
    corrected = [
        ("A100", "Rør", "m", "103,00", "J", "2026-04-01"),
        ("B200", "Bend", "stk", "26,00", "J", "01.04.26"),
    ]
    report = run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, corrected, PIPES))
    assert (report.stored, report.lines, report.replaced) == (True, 2, 1)
    assert prices(pipes) == sorted(
        [
            ("A100", D("100"), None),
            ("A100", D("103"), date(2026, 4, 1)),
            ("B200", D("25.5"), None),
            ("B200", D("26"), date(2026, 4, 1)),
            ("C300", D("1000"), None),
        ],
        key=repr,
    )
    # An undated list again replaces the undated prices only (C300 is gone from it).
    report = run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, undated[:2], PIPES))
    assert (report.lines, report.replaced) == (2, 3)
    assert [p for p in prices(pipes) if p[0] == "C300"] == []
    assert len(prices(pipes)) == 4
    assert prices(office) == [("A100", D("100"), None)]


def test_re_importing_a_ledger_replaces_the_months_in_the_file_only(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    db_engine: Engine,
    agreements: tuple[Contract, Contract],
) -> None:
    ledger = [
        ("31.03.2026", SUPPLIER_ORG, "Rørleverandøren AS", "100,00", "1250", ""),
        ("01.04.2026", SUPPLIER_ORG, "Rørleverandøren AS", "200,00", "1250", ""),
        ("30.04.2026", OTHER_ORG, "Rørkongen AS", "300,00", "1250", ""),
        ("01.05.2026", SUPPLIER_ORG, "Rørleverandøren AS", "400,00", "1250", ""),
        ("31.05.2026", OTHER_ORG, "Rørkongen AS", "500,00", "1250", ""),
        ("01.06.2026", SUPPLIER_ORG, "Rørleverandøren AS", "600,00", "1250", ""),
    ]
    run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, ledger))
    # May again, corrected (one line), from a new extract.
    may = [("15.05.2026", OTHER_ORG, "Rørkongen AS", "450,00", "1250", "")]
    report = run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, may), LATER)
    assert (report.stored, report.lines, report.replaced) == (True, 1, 2)
    assert [(row[0], row[3]) for row in sorted(stored_lines(db_engine)["ledger_lines"])] == [
        (date(2026, 3, 31), 10_000),
        (date(2026, 4, 1), 20_000),
        (date(2026, 4, 30), 30_000),
        (date(2026, 5, 15), 45_000),
        (date(2026, 6, 1), 60_000),
    ]
    # The same extract twice: never doubled.
    run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, ledger))
    run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, ledger))
    assert counts(db_engine)["ledger_lines"] == 6
    with uow_factory() as uow:
        spend = uow.analysis.ledger_spend(
            date(2026, 4, 1), date(2026, 5, 31), [AccountRange("1250", "1250")]
        )
    assert sum(line.amount for line in spend) == D("1400.00")  # 200 + 300 + 400 + 500


# --- all or nothing ---------------------------------------------------------------------------


def test_one_bad_statistics_row_after_thousands_stores_nothing_and_keeps_the_period(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    q1 = (date(2026, 1, 1), date(2026, 3, 31))
    run(
        uow_factory,
        importing(
            ImportKind.STATISTICS, STATISTICS_HEADERS, quarter_rows("1. kvartal 2026", 3), PIPES
        ),
    )
    before, stored = counts(db_engine), stored_lines(db_engine)
    # 6 000 good lines of the same quarter (more than one chunk written to the database), and
    # then one with a positive quantity but a negative amount, then more good ones.
    records = [
        *quarter_rows("1. kvartal 2026", 6_000, amount="20,00"),
        ("1. kvartal 2026", "Skole", "B1", "2", "10,00", "-20,00"),
        *quarter_rows("2. kvartal 2026", 5),
    ]
    report = run(uow_factory, importing(ImportKind.STATISTICS, STATISTICS_HEADERS, records, PIPES))
    assert (report.ok, report.stored, report.rows_read, report.failed) == (False, False, 6_006, 1)
    assert report.lines == 6_005
    ((row, column, value, message),) = [
        (p.row, p.column, p.value, p.message) for p in report.problems
    ]
    assert (row, column, value) == (6_002, "Beløp eks. mva", "-20,00")
    assert message == (
        "beløpet er negativt, men antallet er positivt: en retur har negativt antall og "
        "negativt beløp"
    )
    assert counts(db_engine) == before
    assert stored_lines(db_engine) == stored
    assert statistics_turnover(uow_factory, PIPES, *q1) == D("30.00")
    assert audit_actions(db_engine) == ["analysis.statistics.imported"]


def test_one_bad_price_row_stores_nothing_and_keeps_the_list(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    good = [("A100", "Rør", "m", "100,00", "J", ""), ("B200", "Bend", "stk", "25,50", "J", "")]
    run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, good, PIPES))
    before, stored = counts(db_engine), stored_lines(db_engine)
    bad = [
        ("A100", "Rør", "m", "90,00", "J", ""),
        ("B200", "Bend", "stk", "-25,50", "J", ""),  # a negative price
        ("C300", "Kum", "stk", "1.250", "N", ""),  # 1 250 or 1,25?
        ("A100", "Rør", "m", "91,00", "J", ""),  # A100 twice from one date
        ("D400", "Pakning", "stk", "2,00", "kanskje", ""),
    ]
    report = run(uow_factory, importing(ImportKind.PRICE_LIST, PRICE_HEADERS, bad, PIPES))
    assert (report.ok, report.stored, report.failed, report.lines) == (False, False, 4, 1)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "Avtalt pris"),
        (4, "Avtalt pris"),
        (5, "Varenummer"),
        (6, "Kjernesortiment"),
    ]
    messages = [p.message for p in report.problems]
    assert messages[0] == "prisen kan ikke være negativ"
    assert messages[1].startswith("«1.250» kan leses både som 1 250 og som 1,25")
    assert messages[2] == "varenummer A100 har også en pris på rad 2"
    assert messages[3].startswith("ugyldig kjernesortiment")
    assert counts(db_engine) == before
    assert stored_lines(db_engine) == stored


def test_one_bad_ledger_row_stores_nothing_and_keeps_the_months(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    may = [("15.05.2026", SUPPLIER_ORG, "Rørleverandøren AS", "400,00", "1250", "")]
    run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, may))
    before, stored = counts(db_engine), stored_lines(db_engine)
    records = [
        *(
            (f"{1 + n % 28:02d}.05.2026", SUPPLIER_ORG, "Rørleverandøren AS", "1,00", "1250", "")
            for n in range(5_500)
        ),
        ("31.05.2026", "974 600 952", "Feil Org AS", "10,00", "1250", ""),  # a bad check digit
        ("32.05.2026", OTHER_ORG, "Rørkongen AS", "10,00", "1250", ""),  # no such day
        ("31.05.2026", "", "", "10,00", "1250", ""),  # neither org.nr nor name
    ]
    report = run(uow_factory, importing(ImportKind.LEDGER, LEDGER_HEADERS, records))
    assert (report.ok, report.stored, report.failed) == (False, False, 3)
    assert [(p.row, p.column) for p in report.problems] == [
        (5_502, "Org.nr"),
        (5_503, "Bilagsdato"),
        (5_504, "Leverandør"),
    ]
    assert report.problems[2].message == (
        "mangler leverandør: skriv leverandørens navn eller organisasjonsnummer"
    )
    assert counts(db_engine) == before
    assert stored_lines(db_engine) == stored


def test_a_dry_run_stores_nothing(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    run(
        uow_factory,
        importing(ImportKind.STATISTICS, STATISTICS_HEADERS, quarter_rows("2026-Q1", 2), PIPES),
    )
    before, stored = counts(db_engine), stored_lines(db_engine)
    commands = [
        importing(
            ImportKind.STATISTICS,
            STATISTICS_HEADERS,
            quarter_rows("2026-Q1", 7),
            PIPES,
            dry_run=True,
        ),
        importing(
            ImportKind.PRICE_LIST,
            PRICE_HEADERS,
            [("A1", "Vare", "stk", "10,00", "J", "")],
            PIPES,
            dry_run=True,
        ),
        importing(
            ImportKind.LEDGER,
            LEDGER_HEADERS,
            [("01.01.2026", SUPPLIER_ORG, "R AS", "1,00", "1250", "")],
            dry_run=True,
        ),
    ]
    reports = [run(uow_factory, command) for command in commands]
    assert [(r.ok, r.stored, r.dry_run, r.lines, r.replaced) for r in reports] == [
        (True, False, True, 7, 0),
        (True, False, True, 1, 0),
        (True, False, True, 1, 0),
    ]
    assert reports[0].periods == [(date(2026, 1, 1), date(2026, 3, 31))]
    assert counts(db_engine) == before
    assert stored_lines(db_engine) == stored


# --- the file as a whole --------------------------------------------------------------------


def test_an_unknown_agreement_is_refused_in_norwegian_and_nothing_is_stored(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    before = counts(db_engine)
    for kind, headers, records in (
        (ImportKind.STATISTICS, STATISTICS_HEADERS, quarter_rows("2026-Q1", 1)),
        (ImportKind.PRICE_LIST, PRICE_HEADERS, [("A1", "Vare", "stk", "10,00", "J", "")]),
    ):
        with pytest.raises(NotFound) as unknown:
            run(uow_factory, importing(kind, headers, records, "RA-1999-999"))
        assert str(unknown.value) == "Fant ingen avtale med avtalenummer «RA-1999-999»."
        assert unknown.value.code == "analysis.unknown_agreement"
        with pytest.raises(InvalidInput) as unnamed:
            run(uow_factory, importing(kind, headers, records, None))
        assert str(unnamed.value) == "Oppgi avtalen filen gjelder: --avtale AVTALENR."
    assert counts(db_engine) == before


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        pytest.param(
            ImportKind.STATISTICS,
            ("Periode", "Varenummer", "Antall", "Beløp inkl. mva"),
            [
                "Kolonnen «Beløp eks. mva» mangler. Hver linje trenger beløpet eks. mva. "
                "Kolonnen «Beløp inkl. mva» er med mva; analysen bruker beløp og priser eks. mva."
            ],
            id="statistics-amount-with-vat",
        ),
        pytest.param(
            ImportKind.STATISTICS,
            ("Periode fra", "Varenummer", "Beløp"),
            [
                "Kolonnen «Periode til» mangler: med «Periode fra» trengs også «Periode til» "
                "(eller én kolonne «Periode», for eksempel 1. kvartal 2026)."
            ],
            id="statistics-half-a-period",
        ),
        pytest.param(
            ImportKind.PRICE_LIST,
            ("Varenummer", "Varetekst", "Pris"),
            [
                "Kolonnen «Kjernesortiment» mangler. Prislisten må si hvilke varer som er "
                "kjernesortiment (J/N eller X)."
            ],
            id="price-list-core",
        ),
        pytest.param(
            ImportKind.LEDGER,
            ("Bilagsdato", "Leverandør", "Beløp", "Konto", "Konto nr"),
            [
                "Kolonnen «Org.nr» mangler. Leverandørens organisasjonsnummer (Org.nr) må være "
                "med; cellen kan stå tom der det ikke finnes.",
                "Kolonnene «Konto», «Konto nr» betyr det samme (Konto). Fjern eller gi nytt "
                "navn til den ene.",
            ],
            id="ledger-org-nr-and-a-doubled-column",
        ),
    ],
)
def test_missing_columns_are_refused_in_norwegian_and_nothing_is_stored(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
    kind: ImportKind,
    headers: tuple[str, ...],
    expected: list[str],
) -> None:
    before = counts(db_engine)
    command = ImportAnalysisFile(
        kind=kind,
        rows=[(2, dict.fromkeys(headers, "1"))],
        headers=headers,
        file_name="fil.csv",
        sha256="0" * 64,
        actor="import:test",
        reference=PIPES if kind is not ImportKind.LEDGER else None,
    )
    with pytest.raises(InvalidAnalysisFile) as refused:
        run(uow_factory, command)
    assert refused.value.problems == expected
    assert counts(db_engine) == before


# --- the audit trail --------------------------------------------------------------------------


def test_each_import_is_one_audit_event_and_the_trail_verifies(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    agreements: tuple[Contract, Contract],
) -> None:
    pipes, _ = agreements
    run(
        uow_factory,
        importing(
            ImportKind.PRICE_LIST,
            PRICE_HEADERS,
            [("A1", "Vare", "stk", "10,00", "J", "")],
            PIPES,
            file_name="prisliste.csv",
        ),
    )
    statistics = importing(
        ImportKind.STATISTICS,
        STATISTICS_HEADERS,
        quarter_rows("1. kvartal 2026", 2) + quarter_rows("T2 2026", 1),
        PIPES,
        file_name="statistikk.csv",
    )
    run(uow_factory, statistics)
    run(uow_factory, statistics, LATER)  # again: replaces 3
    ledger = run(
        uow_factory,
        importing(
            ImportKind.LEDGER,
            LEDGER_HEADERS,
            [
                ("02.01.2026", SUPPLIER_ORG, "R AS", "1,00", "1250", ""),
                ("28.02.2026", SUPPLIER_ORG, "R AS", "2,00", "1250", ""),
            ],
            file_name="regnskap.csv",
        ),
    )
    # Neither a dry run nor a failed import leaves an event.
    run(
        uow_factory,
        importing(
            ImportKind.STATISTICS,
            STATISTICS_HEADERS,
            quarter_rows("2026-Q3", 1),
            PIPES,
            dry_run=True,
        ),
    )
    failed = run(
        uow_factory,
        importing(
            ImportKind.STATISTICS,
            STATISTICS_HEADERS,
            [("2026-Q5", "Skole", "A1", "1", "1,00", "1,00")],
            PIPES,
        ),
    )
    assert not failed.stored
    assert audit_actions(db_engine) == [
        "analysis.price_list.imported",
        "analysis.statistics.imported",
        "analysis.statistics.imported",
        "analysis.ledger.imported",
    ]
    with uow_factory() as uow:
        events = [
            e
            for e in uow.audit.for_entity("contract", pipes.id)
            if e.action.startswith("analysis.")
        ]
    afters = [dict(e.after or {}) for e in events]
    import_ids = [after.pop("import_id") for after in afters]
    assert [after.pop("sha256") for after in afters][1:] == [statistics.sha256] * 2
    assert afters == [
        {"file": "prisliste.csv", "lines": 1, "replaced": 0, "from": None, "to": None},
        # 1. kvartal and T2 (May to August): from 01.01.2026 to 31.08.2026
        {"file": "statistikk.csv", "lines": 3, "replaced": 0, "from": "2026-01-01",
         "to": "2026-08-31"},
        {"file": "statistikk.csv", "lines": 3, "replaced": 3, "from": "2026-01-01",
         "to": "2026-08-31"},
    ]  # fmt: skip
    assert len(set(import_ids)) == 3
    assert [(e.actor, e.at) for e in events] == [
        ("import:test", NOW),
        ("import:test", NOW),
        ("import:test", LATER),
    ]
    # Each event names its own import, and the import rows say what was read.
    with db_engine.connect() as connection:
        imports = {
            row.id: row
            for row in connection.execute(
                text(
                    "SELECT id, kind, contract_id, lines, period_from, period_to "
                    "FROM analysis_imports"
                )
            )
        }
    assert len(imports) == 4
    assert set(import_ids) < set(imports)
    with uow_factory() as uow:
        (ledger_event,) = [
            e
            for e in uow.audit.for_entity("ledger", ledger_event_id(db_engine))
            if e.action == "analysis.ledger.imported"
        ]
    assert ledger_event.after is not None
    assert (ledger_event.after["lines"], ledger_event.after["from"], ledger_event.after["to"]) == (
        2,
        "2026-01-02",
        "2026-02-28",
    )
    ledger_import = imports[ledger_event.entity_id]
    assert (ledger_import.kind, ledger_import.contract_id, ledger_import.lines) == (
        "ledger",
        None,
        2,
    )
    assert ledger.stored
    assert verify_audit_trail(db_engine).ok


def ledger_event_id(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT id FROM analysis_imports WHERE kind = 'ledger'")
            ).scalar_one()
        )


# --- returns ----------------------------------------------------------------------------------


def test_returns_are_stored_negative_and_lower_the_turnover(
    uow_factory: SqlAlchemyUnitOfWorkFactory, agreements: tuple[Contract, Contract]
) -> None:
    records = [
        ("2026-Q1", "Skole", "A1", "10", "12,50", "125,00"),
        ("2026-Q1", "Skole", "A1", "−4", "12,50", "−50,00"),  # a return with U+2212 minus signs
        ("2026-Q1", "Skole", "A2", "(2)", "", "(30,00)"),  # a return in brackets
        ("2026-Q1", "Skole", "A3", "-1,5", "7,00", "-10,50"),
    ]
    report = run(uow_factory, importing(ImportKind.STATISTICS, STATISTICS_HEADERS, records, PIPES))
    assert report.ok, report.problems
    with uow_factory() as uow:
        lines = uow.analysis.statistics_summed(
            contract_id(uow_factory, PIPES), date(2026, 1, 1), date(2026, 3, 31)
        )
    found = sorted(
        ((x.article, x.quantity, x.unit_price, x.amount, x.lines) for x in lines), key=repr
    )
    assert found == sorted(
        [
            ("A1", D("6.000"), D("12.5000"), D("75.00"), 2),  # 10 − 4; 125 − 50
            ("A2", D("-2.000"), None, D("-30.00"), 1),
            ("A3", D("-1.500"), D("7.0000"), D("-10.50"), 1),
        ],
        key=repr,
    )
    # 125 − 50 − 30 − 10,50 = 34,50
    assert sum(x.amount for x in lines) == D("34.50")
