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
the sheet is byte for byte what openpyxl's own cells give, in two thirds of the time. The hook
used for that, `_values_to_row` of write-only sheets, is openpyxl's internal: its version is
bounded in pyproject.toml and tests/unit/test_export_xlsx.py compares the result with openpyxl's
own cells. The zip is compressed at level 1 (a third of level 6's time, the file a fifth
larger).
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


_TEXT, _YES_NO, _WHOLE, _DAY, _MOMENT, _OTHER = range(1, 7)
_KINDS: Final[dict[type, int]] = {
    str: _TEXT,
    bool: _YES_NO,
    int: _WHOLE,
    date: _DAY,
    datetime: _MOMENT,
}
_KIND_BASES: Final = (
    (bool, _YES_NO),
    (datetime, _MOMENT),
    (date, _DAY),
    (int, _WHOLE),
    (str, _TEXT),
)


def _kind_of(value: object) -> int:
    """The kind of a value whose type is not one of `_KINDS` exactly (an enum, a subclass)."""
    for base, kind in _KIND_BASES:
        if isinstance(value, base):
            return kind
    return _OTHER


class _SheetCells:
    """One cell per column and kind of value, made with its Excel type and style once: a row's
    values are bound to the cells of their columns and openpyxl writes each cell as it is
    yielded, before the next row binds it again."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[ExportColumn]) -> None:
        def cell(column: int, data_type: str, number_format: str | None = None) -> Any:
            made = WriteOnlyCell(sheet)
            made.column = column
            made.data_type = data_type
            if number_format is not None:
                made.number_format = number_format
            return made

        self._sheet = sheet
        self._columns = [
            (
                cell(index, "s"),  # text (never a formula or an error value) and yes/no
                cell(index, "n", MONEY_FORMAT if column.type is ColumnType.MONEY else None),
                cell(index, "d", DATE_FORMAT),
                cell(index, "d", DATETIME_FORMAT),
            )
            for index, column in enumerate(columns, start=1)
        ]

    def row(self, values: Sequence[Cell], row_index: int) -> Iterator[Any]:
        kinds = _KINDS
        for (text, whole, day, moment), value in zip(self._columns, values, strict=True):
            if value is None:
                continue
            kind = kinds.get(type(value)) or _kind_of(value)
            if kind == _TEXT:
                cell = text
                cell._value = _clean(value)[:MAX_CELL_TEXT]  # type: ignore[arg-type]
            elif kind == _WHOLE:
                cell = whole
                cell._value = int(value)  # type: ignore[arg-type]
            elif kind == _DAY:
                cell = day
                cell._value = value
            elif kind == _YES_NO:
                cell = text
                cell._value = YES if value else NO
            elif kind == _MOMENT:
                cell = moment
                cell._value = _oslo(value)  # type: ignore[arg-type]
            else:  # not a `Cell` type: a cell of its own, as openpyxl binds it
                cell = WriteOnlyCell(self._sheet, value=value)
                cell.column = text.column
            cell.row = row_index
            yield cell


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
