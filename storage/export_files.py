"""Export files: Excel (.xlsx) and CSV as Norwegian Excel reads them, written as rows stream in.

`write_xlsx` uses openpyxl's write-only mode (rows go to disk as they come; memory stays flat for
any number of rows): a bold, frozen header row with a filter, column widths from the columns,
dates and times as real Excel dates (`dd.mm.yyyy`, times in Oslo), money as numbers, yes/no as
*Ja*/*Nei*. `write_csv` writes UTF-8 with a byte order mark and `;` between fields, which is what
Excel with Norwegian settings opens correctly, with the same formats as text.

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`) is written
as text: in xlsx as a string cell (so is text that looks like an error value, `#N/A`), in CSV
behind an apostrophe. Characters XML does not allow are removed.

Speed (bench/export.py: 10 000 rows of 12 columns): openpyxl's own work per value (guessing its
type, checking a string again, a new styled cell for each date) added half again to the time
of writing the XML. Here every column has its cells made and styled once (`_SheetCells`), each
value is bound to the cell of its column and kind, and openpyxl's writer (on lxml) writes them:
the sheet is byte for byte what openpyxl's own cells give, in two thirds of the time. What
openpyxl's writer asks every cell and computes each time (its coordinate, whether it has a style
or a hyperlink) the column's cells hold ready (`_PlainCell`, `_StyledCell`), and a date is bound
as the day number Excel keeps: 8 % fewer instructions per sheet (below). The hooks used,
`_values_to_row` of write-only sheets and those cell attributes, are openpyxl's internals: its
version is bounded in pyproject.toml and tests/unit/test_export_xlsx.py compares the result with
openpyxl's own cells, down to the sheet's XML. The zip is compressed at level 1 (a third of
level 6's time, the file a fifth larger).

XlsxWriter (`constant_memory`, formats made once) was measured on the same rows and is no
faster: instructions per sheet of 10 000 rows (callgrind), openpyxl as before 5.76 G and now
5.27 G, XlsxWriter through its `write_*` methods 5.98 G and through their internal forms 5.47 G.
So openpyxl writes exports, as it reads register files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Final
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

from followup.calendar.workdays import OSLO
from followup.views import Cell, ColumnType, ExportColumn

DATE_FORMAT: Final = "dd.mm.yyyy"
DATETIME_FORMAT: Final = "dd.mm.yyyy hh:mm"
MONEY_FORMAT: Final = "#,##0"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
YES: Final = "Ja"
NO: Final = "Nei"
MAX_SHEET_TITLE: Final = 31
MAX_CELL_TEXT: Final = 32_767
"""Characters Excel keeps in a cell (openpyxl cuts longer text there too)."""
ZIP_LEVEL: Final = 1

Target = str | Path | IO[bytes]


def _oslo(value: datetime) -> datetime:
    """Spreadsheets have no time zones: the wall-clock time in Oslo, without a zone."""
    if value.tzinfo is None:
        return value
    return value.astimezone(OSLO).replace(tzinfo=None)


def _clean(text: str) -> str:
    """Without the characters XML does not allow (all of them unprintable: most text is
    printable and needs no search)."""
    return text if text.isprintable() else str(ILLEGAL_CHARACTERS_RE.sub("", text))


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
    # From here on openpyxl takes each row's cells from `_SheetCells.row` (its hook for turning
    # an appended row into cells) instead of guessing a type for every value.
    sheet._values_to_row = _SheetCells(sheet, columns).row
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    last = get_column_letter(max(1, len(columns)))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    _save(workbook, target)
    return count


def _save(workbook: Workbook, target: Target) -> None:
    """`Workbook.save` (openpyxl's `save_workbook`), with a faster zip compression level."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
    workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    ExcelWriter(workbook, archive).save()


_EXCEL_DAY_ZERO: Final = date(1899, 12, 30).toordinal()
"""Day 0 of Excel's dates (its 1900 system, as openpyxl writes them)."""
_EXCEL_LEAP_BUG_DAYS: Final = 60
"""Excel counts 29 February 1900, which never was: days up to it are one less (openpyxl)."""


def _base_kind(value: object) -> tuple[type, Any]:
    """The `Cell` type of a value of a subclass (an enum), and the value as that type."""
    if isinstance(value, str):
        return str, str.__str__(value)
    if isinstance(value, int):  # `bool` has no subclasses
        return int, int(value)
    if isinstance(value, datetime):
        return datetime, value
    if isinstance(value, date):
        return date, value
    return object, value


class _PlainCell(SheetCell):  # type: ignore[misc]
    """A cell without a style (text, yes/no, whole numbers). openpyxl's writer reads a cell's
    `coordinate`, `has_style` and `hyperlink`, properties it computes for every cell: here the
    coordinate is set with the row and the others are constants."""

    __slots__ = ("coordinate",)
    has_style = False
    hyperlink = None


class _StyledCell(SheetCell):  # type: ignore[misc]
    """A cell with a number format (dates, times, money): its style is looked up as openpyxl
    does, the first time the workbook writes one, so the styles part holds only those used."""

    __slots__ = ("coordinate",)
    hyperlink = None


class _SheetCells:
    """One cell per column and kind of value, made with its Excel type and style once: a row's
    values are bound to the cells of their columns and openpyxl writes each cell as it is
    yielded, before the next row binds it again."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[ExportColumn]) -> None:
        def cell(column: int, data_type: str, number_format: str | None = None) -> Any:
            made = (_PlainCell if number_format is None else _StyledCell)(sheet, 1, column)
            made.data_type = data_type
            if number_format is not None:
                made.number_format = number_format
            return made

        self._sheet = sheet
        self._columns = [
            (
                get_column_letter(index),
                cell(index, "s"),  # text (never a formula or an error value) and yes/no
                cell(index, "n", MONEY_FORMAT if column.type is ColumnType.MONEY else None),
                cell(index, "n", DATE_FORMAT),  # a date as Excel keeps it: a day number
                cell(index, "d", DATETIME_FORMAT),
            )
            for index, column in enumerate(columns, start=1)
        ]

    def row(self, values: Sequence[Cell], row_index: int) -> Iterator[Any]:
        number = str(row_index)
        value: Any
        for (letter, text, whole, day, moment), value in zip(self._columns, values, strict=True):
            if value is None:
                continue
            kind: type = type(value)
            if kind not in _CELL_TYPES:
                kind, value = _base_kind(value)  # noqa: PLW2901 - as the type it is
            if kind is str:
                cell = text
                if value.isprintable() and len(value) <= MAX_CELL_TEXT:
                    cell._value = value
                else:
                    cell._value = _clean(value)[:MAX_CELL_TEXT]
            elif kind is int:
                cell = whole
                cell._value = value
            elif kind is date:
                cell = day
                days = value.toordinal() - _EXCEL_DAY_ZERO
                cell._value = days - 1 if days <= _EXCEL_LEAP_BUG_DAYS else days
            elif kind is bool:
                cell = text
                cell._value = YES if value else NO
            elif kind is datetime:
                cell = moment
                cell._value = _oslo(value)
            else:  # not a `Cell` type: a cell of its own, as openpyxl binds it
                cell = WriteOnlyCell(self._sheet, value=value)
                cell.column = text.column
                cell.row = row_index
                yield cell
                continue
            cell.coordinate = letter + number
            yield cell


_CELL_TYPES: Final = frozenset({str, int, bool, date, datetime})


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
