"""The xlsx writer (`storage.export_files.write_xlsx`) without a database: every kind of value
as a user sees it in Excel, and the same workbook content as openpyxl's own cells give.

The writer binds each value to a cell made once per column (openpyxl's hook for turning an
appended row into cells) instead of letting openpyxl guess a type for every value: the
reference below writes the same rows the plain way (a value or a styled `WriteOnlyCell` per
value through `append`), so an openpyxl release that stops honouring the hook, or a binding
that differs from openpyxl's, fails here.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.worksheet._writer import ALL_TEMP_FILES  # type: ignore[import-untyped]

from followup.calendar.workdays import OSLO
from followup.views import EXPORT_COLUMNS, Cell, ColumnType, ExportColumn, ExportKind
from storage.export_files import write_xlsx

COLUMNS = (
    ExportColumn("Tekst", width=30),
    ExportColumn("Tall", ColumnType.INTEGER, 8),
    ExportColumn("Dato", ColumnType.DATE, 11),
    ExportColumn("Tidspunkt", ColumnType.DATETIME, 17),
    ExportColumn("Beløp", ColumnType.MONEY, 14),
    ExportColumn("Ja/nei", ColumnType.BOOLEAN, 8),
)
MOMENT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 10:30 in Oslo


class Code(StrEnum):
    OPEN = "apent"


class Step(IntEnum):
    THIRD = 3


ROWS: list[tuple[Cell, ...]] = [
    ("Kontrakt «Vask» – Ålesund", 21, date(2026, 11, 2), MOMENT, 1_250_000, True),
    ('=HYPERLINK("http://example.invalid","klikk")', -4, None, None, None, False),
    ("+47 900 00 000", 0, date(2026, 1, 1), datetime(2026, 7, 1, 22, 15, tzinfo=UTC), 0, None),
    ("-10 % i prisavslag", None, None, None, 99, None),
    ("@sum", None, None, None, None, None),
    ("#N/A", None, None, None, None, None),
    ("a\x00b\x08c\x0bd\x1fe\tf\ng", None, None, None, None, None),
    ("  mellomrom før og etter  ", None, None, None, None, None),
    ("x" * 40_000, None, None, None, None, None),
    (Code.OPEN, Step.THIRD, None, None, None, None),
    (None, None, None, None, None, None),
    ("før 1. mars 1900", None, date(1900, 2, 28), None, None, None),  # Excel's leap-year bug
    ("fra 1. mars 1900", None, date(1900, 3, 1), None, None, None),
    ("første dag", None, date(1900, 1, 1), None, None, None),
    ("A & B <c> > d\r\ne «ø» 😀 \x7f\x85\u2028", None, None, None, None, None),  # escaped
    ("", 12_345_678_901_234_567, None, datetime(2026, 1, 1, 0, 0, 1, 5, tzinfo=UTC), 10**17, None),
    ("\t", -(10**16), None, datetime(1900, 1, 1, 12, tzinfo=UTC), -1, True),
]


def _reference(rows: list[tuple[Cell, ...]], columns: tuple[ExportColumn, ...]) -> bytes:
    """The same workbook through openpyxl's public API only: a plain value or a styled cell per
    value, as openpyxl binds them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Eksport")
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        title = WriteOnlyCell(sheet, value=column.header)
        title.font = Font(bold=True)
        title.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(title)
    sheet.append(header)

    def cell(value: Cell, column: ExportColumn) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return "Ja" if value else "Nei"
        if isinstance(value, datetime):
            styled = WriteOnlyCell(sheet, value=value.astimezone(OSLO).replace(tzinfo=None))
            styled.number_format = "dd.mm.yyyy hh:mm"
            return styled
        if isinstance(value, date):
            styled = WriteOnlyCell(sheet, value=value)
            styled.number_format = "dd.mm.yyyy"
            return styled
        if isinstance(value, int):
            if column.type is ColumnType.MONEY:
                styled = WriteOnlyCell(sheet, value=int(value))
                styled.number_format = "#,##0"
                return styled
            return int(value)
        text = "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 32)[:32_767]
        styled = WriteOnlyCell(sheet, value=text)
        styled.data_type = "s"  # text stays text
        return styled

    for row in rows:
        sheet.append([cell(v, c) for v, c in zip(row, columns, strict=True)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _written(rows: list[tuple[Cell, ...]], columns: tuple[ExportColumn, ...]) -> bytes:
    out = io.BytesIO()
    assert write_xlsx(rows, columns, out) == len(rows)
    return out.getvalue()


def _cells(data: bytes) -> list[list[tuple[Any, str, str, bool]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [
        [(c.value, c.data_type, c.number_format, bool(c.font.b)) for c in row]
        for row in sheet.iter_rows()
    ]


def test_every_kind_of_value_reads_as_a_user_expects() -> None:
    sheet = load_workbook(io.BytesIO(_written(ROWS, COLUMNS))).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(ROWS) + 1}"
    assert [sheet.column_dimensions[x].width for x in "ABCDEF"] == [c.width for c in COLUMNS]

    text, number, day, moment, money, yes = sheet[2]
    assert text.value == "Kontrakt «Vask» – Ålesund"
    assert (number.value, number.data_type, number.number_format) == (21, "n", "General")
    assert (day.is_date, day.number_format) == (True, "dd.mm.yyyy")
    assert day.value == datetime(2026, 11, 2)  # noqa: DTZ001 (as Excel has it)
    assert (moment.is_date, moment.number_format) == (True, "dd.mm.yyyy hh:mm")
    assert moment.value == datetime(2026, 11, 23, 10, 30)  # noqa: DTZ001 (Oslo, no zone)
    assert (money.value, money.data_type, money.number_format) == (1_250_000, "n", "#,##0")
    assert yes.value == "Ja"
    assert sheet["F3"].value == "Nei"
    assert sheet["D4"].value == datetime(2026, 7, 2, 0, 15)  # noqa: DTZ001 (summer time)

    texts = {r: sheet.cell(r, 1) for r in range(3, 10)}
    assert all(c.data_type == "s" for c in texts.values())  # no formula, no error value
    assert texts[3].value == '=HYPERLINK("http://example.invalid","klikk")'
    assert [texts[r].value for r in (4, 5, 6, 7)] == [
        "+47 900 00 000",
        "-10 % i prisavslag",
        "@sum",
        "#N/A",
    ]
    assert texts[8].value == "abcde\tf\ng"  # characters XML does not allow are gone
    assert texts[9].value == "  mellomrom før og etter  "
    assert sheet.cell(10, 1).value == "x" * 32_767  # what a cell holds
    assert (sheet["A11"].value, sheet["B11"].value) == ("apent", 3)
    assert [c.value for c in sheet[12]] == [None] * len(COLUMNS)
    early = [sheet.cell(r, 3) for r in (13, 14, 15)]
    assert all(c.is_date and c.number_format == "dd.mm.yyyy" for c in early)
    assert [c.value for c in early] == [
        datetime(1900, 2, 28),  # noqa: DTZ001 (as Excel has it)
        datetime(1900, 3, 1),  # noqa: DTZ001
        datetime(1900, 1, 1),  # noqa: DTZ001
    ]


def _sheet_data(data: bytes) -> bytes:
    """The rows as the sheet's XML has them (`<sheetData>`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    found = re.search(rb"<sheetData>.*</sheetData>", sheet, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_the_workbook_holds_what_openpyxls_own_cells_give() -> None:
    assert _cells(_written(ROWS, COLUMNS)) == _cells(_reference(ROWS, COLUMNS))


def test_the_sheet_is_written_byte_for_byte_as_openpyxls_own_cells_write_it() -> None:
    """The cells made once per column stand in for openpyxl's own, down to the XML."""
    assert _sheet_data(_written(ROWS, COLUMNS)) == _sheet_data(_reference(ROWS, COLUMNS))


def test_an_export_sheet_holds_what_openpyxls_own_cells_give() -> None:
    columns = EXPORT_COLUMNS[ExportKind.FORFALT]
    rows: list[tuple[Cell, ...]] = [
        (f"REF-{n}", "Renhold", "Vask AS", "Helse og omsorg", "Levering", date(2026, 10, n),
         23 - n, "varslet", n % 5, n % 4 == 0, "Kari Nordmann", "kari@example.no")
        for n in range(1, 29)
    ]  # fmt: skip
    assert _cells(_written(rows, columns)) == _cells(_reference(rows, columns))
    assert _sheet_data(_written(rows, columns)) == _sheet_data(_reference(rows, columns))


def test_a_row_of_the_wrong_length_is_refused_and_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the sheet's temporary file
    before = list(ALL_TEMP_FILES)
    with pytest.raises(ValueError, match="zip"):
        write_xlsx([ROWS[0], ("bare tekst",)], COLUMNS, io.BytesIO())
    assert before == ALL_TEMP_FILES
    assert list(tmp_path.iterdir()) == []
    assert write_xlsx(ROWS[:1], COLUMNS, io.BytesIO()) == 1
    assert list(tmp_path.iterdir()) == []


def test_openpyxl_writes_with_lxml() -> None:
    """lxml is a dependency for this: openpyxl writes the sheet with it when it is installed
    (a fifth faster than without), unless OPENPYXL_LXML=False turns it off."""
    assert openpyxl.LXML
