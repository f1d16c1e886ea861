"""Export files from real data (SQLite and PostgreSQL): an Excel workbook and a CSV that Norwegian
Excel opens, read back and checked row by row against the database."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import Engine, insert

from bench.region_data import RegionFacts, RegionSize, populate_region
from followup.calendar.workdays import OSLO
from followup.models import DeviationStatus, Severity
from followup.portfolio import export_rows, list_overdue
from followup.views import (
    EXPORT_COLUMNS,
    ExportColumn,
    ExportKind,
    ExportQuery,
    OverdueItem,
    PageRequest,
    Scope,
)
from storage.export_files import write_csv, write_xlsx
from storage.tables import DeviationRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
EVERYTHING = Scope.everything()
FORMULA = '=HYPERLINK("http://example.invalid","klikk")'


@pytest.fixture
def region(db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory) -> RegionFacts:
    facts = populate_region(
        db_engine,
        RegionSize(contracts=200, follow_ups=2_000, people=60, suppliers=30, procurement=3),
        now=NOW,
    )
    with uow_factory() as uow:
        contract = uow.contracts.by_reference(facts.sample_reference)
        assert contract is not None
        for description in (FORMULA, "-10 % i prisavslag; «fakturaavvik»\nandre linje"):
            uow.session.execute(
                insert(DeviationRow),
                {
                    "id": str(uuid.uuid4()),
                    "contract_id": contract.id,
                    "category": "prisavvik",
                    "severity": Severity.CRITICAL.value,
                    "occurred_on": TODAY,
                    "description": description,
                    "status": DeviationStatus.OPEN.value,
                    "reported_by_id": facts.owner_ids[0],
                    "reported_at": NOW,
                },
            )
        uow.commit()
    return facts


def expected_in_excel(value: Any) -> Any:
    """A cell as openpyxl reads it back."""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, datetime):
        return value.astimezone(OSLO).replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 (as Excel has it)
    return value


def read_back(value: Any) -> Any:
    # Excel stores times to the millisecond; compare to the second.
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def expected_in_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, datetime):
        return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


@pytest.mark.parametrize("kind", [ExportKind.FORFALT, ExportKind.SVAR, ExportKind.AVVIK])
def test_an_excel_export_holds_the_database_rows(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts, tmp_path: Path, kind: ExportKind
) -> None:
    query = ExportQuery(
        kind, TODAY, from_date=date(2026, 1, 1) if kind is ExportKind.SVAR else None
    )
    path = tmp_path / query.file_name("xlsx")
    with uow_factory() as uow:
        written = write_xlsx(export_rows(uow, query, EVERYTHING), query.columns, path)
        expected = list(export_rows(uow, query, EVERYTHING))
    assert written == len(expected) > 10
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    columns: tuple[ExportColumn, ...] = EXPORT_COLUMNS[kind]
    assert list(rows[0]) == [c.header for c in columns]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(columns)).column_letter}{written + 1}"
    assert sheet.column_dimensions["A"].width == columns[0].width
    assert len(rows) == written + 1
    for got, want in zip(rows[1:], expected, strict=True):
        assert [read_back(v) for v in got] == [expected_in_excel(v) for v in want]
    for index, column in enumerate(columns, start=1):
        if column.type.value in ("date", "datetime"):
            cells = [sheet.cell(r, index) for r in range(2, written + 2)]
            assert all(c.is_date for c in cells if c.value is not None), column.header


def test_the_overdue_export_lists_what_the_overdue_pages_list(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts, tmp_path: Path
) -> None:
    query = ExportQuery(ExportKind.FORFALT, TODAY)
    path = tmp_path / "forfalt.xlsx"
    with uow_factory() as uow:
        write_xlsx(export_rows(uow, query, EVERYTHING), query.columns, path)
        listed: list[OverdueItem] = []
        cursor = None
        while True:
            page = list_overdue(uow, EVERYTHING, TODAY, PageRequest(cursor, 50))
            listed.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
    rows = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5].date(), r[6], r[9] == "Ja") for r in rows] == [
        (i.contract_reference, i.due_date, i.days_overdue, i.escalated) for i in listed
    ]


def test_text_that_looks_like_a_formula_stays_text(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts, tmp_path: Path
) -> None:
    query = ExportQuery(ExportKind.AVVIK, TODAY, from_date=TODAY, severity=Severity.CRITICAL)
    path = tmp_path / "avvik.xlsx"
    with uow_factory() as uow:
        write_xlsx(export_rows(uow, query, EVERYTHING), query.columns, path)
    sheet = load_workbook(path).active
    description = [h.value for h in sheet[1]].index("Beskrivelse") + 1
    cells = {sheet.cell(r, description).value: sheet.cell(r, description) for r in range(2, 10)}
    assert cells[FORMULA].data_type == "s"
    out = io.BytesIO()
    with uow_factory() as uow:
        write_csv(export_rows(uow, query, EVERYTHING), query.columns, out)
    text = out.getvalue().decode("utf-8-sig")
    fields = [f for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for f in row]
    assert "'" + FORMULA in fields


def test_a_csv_export_is_utf8_with_bom_and_semicolons(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts, tmp_path: Path
) -> None:
    query = ExportQuery(ExportKind.AVVIK, TODAY, open_only=False)
    out = io.BytesIO()
    with uow_factory() as uow:
        written = write_csv(export_rows(uow, query, EVERYTHING), query.columns, out)
        expected = list(export_rows(uow, query, EVERYTHING))
    data = out.getvalue()
    assert not out.closed
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [c.header for c in query.columns]
    assert written == len(rows) - 1 == len(expected) > 10
    for got, want in zip(rows[1:], expected, strict=True):
        assert got == [expected_in_csv(v) for v in want]
    path = tmp_path / query.file_name("csv")
    with uow_factory() as uow:
        write_csv(export_rows(uow, query, EVERYTHING), query.columns, path)
    assert path.read_bytes() == data


def test_an_empty_export_still_has_its_header(tmp_path: Path) -> None:
    columns = EXPORT_COLUMNS[ExportKind.UTILGJENGELIGE]
    path = tmp_path / "tom.xlsx"
    assert write_xlsx(iter(()), columns, path) == 0
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows == [tuple(c.header for c in columns)]
    out = io.BytesIO()
    assert write_csv(iter(()), columns, out) == 0
    assert out.getvalue().decode("utf-8-sig") == ";".join(c.header for c in columns) + "\r\n"
