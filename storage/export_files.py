"""Export files: Excel (.xlsx) and CSV as Norwegian Excel reads them, written as rows stream in.

`write_xlsx` uses openpyxl's write-only mode (rows go to disk as they come; memory stays flat for
any number of rows): a bold, frozen header row with a filter, column widths from the columns,
dates and times as real Excel dates (`dd.mm.yyyy`, times in Oslo), money as numbers, yes/no as
*Ja*/*Nei*. `write_csv` writes UTF-8 with a byte order mark and `;` between fields, which is what
Excel with Norwegian settings opens correctly, with the same formats as text.

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`) is written
as text: in xlsx as a string cell (so is text that looks like an error value, `#N/A`), in CSV
behind an apostrophe. Characters XML does not allow are removed.

Speed (bench/export.py: 10 000 rows of 12 columns). openpyxl writes the workbook: its parts,
styles, the sheet's frame (panes, columns, filter) and the styled header row. The data rows,
~90 % of a sheet's cells, are written by `_SheetRows` as the XML openpyxl's writer gives for
them, byte for byte (inline strings, numbers, dates as Excel's day numbers, the styles
openpyxl registers for the number formats, in the order it would), as text joined per row and
encoded once per chunk of rows: openpyxl's writer made an lxml element context per cell, about
5 µs a cell, most of an export's time (XlsxWriter was measured too and is no faster). The
rows go into the sheet's stream inside openpyxl's `<sheetData>`, after its header row
(`_RowsWriter`: openpyxl's sheet writer on a file we hold, flushed before each chunk). The hooks
used (`WorksheetWriter`, a write-only sheet's `_writer`) are openpyxl's internals: its version is
bounded in pyproject.toml and tests/unit/test_export_xlsx.py compares the sheet with what
openpyxl's own cells give, down to its XML. The zip is compressed at level 1 (a third of level
6's time, the file a fifth larger).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Final
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.datetime import to_excel  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.worksheet._writer import (  # type: ignore[import-untyped]
    ALL_TEMP_FILES,
    WorksheetWriter,
    create_temporary_file,
)
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
ROWS_PER_CHUNK: Final = 500
"""Data rows encoded and written to the sheet's stream at a time."""

ILLEGAL_CHARACTERS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow (openpyxl's list, and the surrogates and non-characters
that lxml refuses)."""

Target = str | Path | IO[bytes]


def _oslo(value: datetime) -> datetime:
    """Spreadsheets have no time zones: the wall-clock time in Oslo, without a zone."""
    if value.tzinfo is None:
        return value
    return value.astimezone(OSLO).replace(tzinfo=None)


def _clean(text: str) -> str:
    """Without the characters XML does not allow (all of them unprintable: most text is
    printable and needs no search)."""
    return text if text.isprintable() else ILLEGAL_CHARACTERS.sub("", text)


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
    writer = _RowsWriter(sheet)
    try:
        sheet._writer = writer  # what `WriteOnlyWorksheet._get_writer` would make, on our file
        writer.write_top()
        bold = Font(bold=True)
        wrap = Alignment(vertical="top", wrap_text=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        sheet.append(header)  # openpyxl writes the header row and stays in `<sheetData>`
        count = _SheetRows(sheet, columns).write(rows, writer)
        last = get_column_letter(max(1, len(columns)))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
        _save(workbook, target)
    finally:
        writer.discard()
    return count


def _save(workbook: Workbook, target: Target) -> None:
    """`Workbook.save` (openpyxl's `save_workbook`), with a faster zip compression level."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
    workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    ExcelWriter(workbook, archive).save()


class _RowsWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's sheet writer, writing to a temporary file we hold open (openpyxl's writer
    opens its own), so that XML we make can go into the stream between its writes. openpyxl's
    workbook writer reads the sheet from `out` (the file's path) and removes it."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.path = create_temporary_file()
        self.file = Path(self.path).open("wb")  # noqa: SIM115 - closed with the sheet's stream
        self.xml: Any = None
        super().__init__(sheet, out=self.file)
        self.out = self.path

    def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
        self.xml = xf  # lxml's stream, open inside `<sheetData>`
        super().write_row(xf, row, row_idx)

    def write_xml(self, xml: bytes) -> None:
        """Add XML to the sheet's stream where it is now (after what lxml has written)."""
        self.xml.flush()
        self.file.write(xml)

    def close(self) -> None:
        super().close()
        self.file.close()

    def discard(self) -> None:
        """Close and remove the file if the workbook was not written (an error on the way):
        openpyxl's streams are ended first, into the file, so nothing is left to write later."""
        if not self.file.closed:
            with suppress(Exception):  # the write has failed already: that error is raised
                rows = self.ws._rows
                if rows is not None:
                    rows.close()  # `</sheetData>`
                super().close()
            self.file.close()
        if self.path in ALL_TEMP_FILES:
            ALL_TEMP_FILES.remove(self.path)
            if os.path.exists(self.path):  # noqa: PTH110 - as openpyxl's clean-up
                os.remove(self.path)  # noqa: PTH107


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
    return str, str(value)


class _SheetRows:
    """The data rows as openpyxl's writer writes them (lxml, ASCII with character references):
    text as inline strings (`t="inlineStr"`, never a formula or an error value; `xml:space` kept
    where it starts or ends with white space), whole numbers and Excel's day numbers as `t="n"`
    formatted as openpyxl formats them (`.16g`); dates, times and money with their number
    format's style, registered with the workbook the first time one is written (as openpyxl
    does, so the ids are the same)."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[ExportColumn]) -> None:
        self._sheet = sheet
        self._letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
        self._money = [column.type is ColumnType.MONEY for column in columns]
        self._styles: dict[str, str] = {}
        self._epoch = sheet.parent.epoch

    def _style(self, number_format: str) -> str:
        """` s="n"`: the style of a cell with this number format, registered when first used."""
        style = self._styles.get(number_format)
        if style is None:
            cell = WriteOnlyCell(self._sheet)
            cell.number_format = number_format
            style = self._styles[number_format] = f' s="{cell.style_id}"'
        return style

    def write(self, rows: Iterable[Sequence[Cell]], writer: _RowsWriter) -> int:
        chunk: list[str] = []
        row_index = 1
        for row_index, values in enumerate(rows, start=2):
            chunk.append(self._row(values, row_index))
            if len(chunk) == ROWS_PER_CHUNK:
                writer.write_xml("".join(chunk).encode("ascii", "xmlcharrefreplace"))
                chunk.clear()
        if chunk:
            writer.write_xml("".join(chunk).encode("ascii", "xmlcharrefreplace"))
        return row_index - 1

    def _row(self, values: Sequence[Cell], row_index: int) -> str:
        number = str(row_index)
        parts = [f'<row r="{number}">']
        add = parts.append
        value: Any
        for letter, money, value in zip(self._letters, self._money, values, strict=True):
            if value is None:
                continue
            kind: type = type(value)
            if kind not in _CELL_TYPES:
                kind, value = _base_kind(value)  # noqa: PLW2901 - as the type it is
            if kind is str:
                add(_text_cell(letter + number, value))
            elif kind is int:
                style = self._style(MONEY_FORMAT) if money else ""
                add(f'<c r="{letter}{number}"{style} t="n"><v>{value:.16g}</v></c>')
            elif kind is date:
                days = value.toordinal() - _EXCEL_DAY_ZERO
                days = days - 1 if days <= _EXCEL_LEAP_BUG_DAYS else days
                style = self._style(DATE_FORMAT)
                add(f'<c r="{letter}{number}"{style} t="n"><v>{days}</v></c>')
            elif kind is bool:
                add(_text_cell(letter + number, YES if value else NO))
            else:  # datetime
                serial = to_excel(_oslo(value), self._epoch)
                style = self._style(DATETIME_FORMAT)
                add(f'<c r="{letter}{number}"{style} t="n"><v>{serial:.16g}</v></c>')
        add("</row>")
        return "".join(parts)


_CELL_TYPES: Final = frozenset({str, int, bool, date, datetime})


def _text_cell(coordinate: str, text: str) -> str:
    """An inline string cell, its text escaped as lxml escapes it (characters beyond ASCII become
    character references when the row is encoded)."""
    if not text.isprintable() or len(text) > MAX_CELL_TEXT:
        text = _clean(text)[:MAX_CELL_TEXT]
    if not text:
        return f'<c r="{coordinate}" t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return f'<c r="{coordinate}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


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
