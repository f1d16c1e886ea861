"""Export files: Excel (.xlsx) and CSV as Norwegian Excel reads them, written as rows stream in.

`write_xlsx` uses openpyxl's write-only mode (rows go to disk as they come; memory stays flat for
any number of rows): a bold, frozen header row with a filter, column widths from the columns,
dates and times as real Excel dates (`dd.mm.yyyy`, times in Oslo), money as numbers, yes/no as
*Ja*/*Nei*. `write_csv` writes UTF-8 with a byte order mark and `;` between fields, which is what
Excel with Norwegian settings opens correctly, with the same formats as text.

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`) is written
as text: in xlsx as a string cell, in CSV behind an apostrophe. Characters XML does not allow
are removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from followup.calendar.workdays import OSLO
from followup.views import Cell, ColumnType, ExportColumn

DATE_FORMAT: Final = "dd.mm.yyyy"
DATETIME_FORMAT: Final = "dd.mm.yyyy hh:mm"
MONEY_FORMAT: Final = "#,##0"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
YES: Final = "Ja"
NO: Final = "Nei"
MAX_SHEET_TITLE: Final = 31

Target = str | Path | IO[bytes]


def _oslo(value: datetime) -> datetime:
    """Spreadsheets have no time zones: the wall-clock time in Oslo, without a zone."""
    if value.tzinfo is None:
        return value
    return value.astimezone(OSLO).replace(tzinfo=None)


def _clean(text: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def write_xlsx(
    rows: Iterable[Sequence[Cell]],
    columns: Sequence[ExportColumn],
    target: Target,
    *,
    sheet_title: str = "Eksport",
) -> int:
    """Write the rows to an Excel workbook at `target` (a path or a binary stream); returns the
    number of data rows."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(_clean(sheet_title)[:MAX_SHEET_TITLE])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.alignment = wrap
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)]
        )
        count += 1
    last = get_column_letter(max(1, len(columns)))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(target)
    return count


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell, column: ExportColumn) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_oslo(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int):
        if column.type is ColumnType.MONEY:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            return cell
        return value
    text = _clean(value)
    if text.startswith("="):
        # openpyxl would store it as a formula: make it a string cell.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def write_csv(
    rows: Iterable[Sequence[Cell]], columns: Sequence[ExportColumn], target: Target
) -> int:
    """Write the rows as CSV (UTF-8 with BOM, `;`, CRLF) to `target` (a path or a binary
    stream); returns the number of data rows."""
    if isinstance(target, str | Path):
        with Path(target).open("w", encoding="utf-8-sig", newline="") as out:
            return _write_csv(rows, columns, out)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    try:
        return _write_csv(rows, columns, text)
    finally:
        text.flush()
        text.detach()  # leave the caller's stream open


def _write_csv(
    rows: Iterable[Sequence[Cell]], columns: Sequence[ExportColumn], out: IO[str]
) -> int:
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    return count


def _csv_cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        return _oslo(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int):
        return value
    text = _clean(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


__all__ = ["write_csv", "write_xlsx"]
