"""A supplier evaluation as a letter in an Excel workbook (`evaluer <avtalenr> brev`): one sheet
with the letter's opening lines, a table (heading, score, our comment, and an empty column for
the supplier's comment, wide and wrapped so it can be filled in), and the closing lines. The
words come ready (`followup.checks.evaluation_models.EvaluationLetter`); this lays them out.

Why a workbook: no PDF or Word writer is a dependency (pypdf only reads and merges), and a
sheet with a column left for the supplier's answers is what they can fill in and send back."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]

from followup.checks.evaluation_models import EvaluationLetter

WIDTHS: Final = (28, 16, 60, 60)
MAX_SHEET_TITLE: Final = 31


def write_evaluation_letter(path: Path, letter: EvaluationLetter) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = letter.sheet_title[:MAX_SHEET_TITLE] or "Evaluering"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    row = 1
    for line in letter.opening:
        sheet.cell(row=row, column=1, value=line or None)
        row += 1
    row += 1
    bold = Font(bold=True)
    thin = Side(style="thin")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for index, title in enumerate(letter.columns, start=1):
        cell = sheet.cell(row=row, column=index, value=title)
        cell.font = bold
        cell.border = boxed
    row += 1
    for heading, score, comment in letter.rows:
        for index, value in enumerate((heading, score, comment, None), start=1):
            cell = sheet.cell(row=row, column=index, value=value or None)
            cell.alignment = wrapped
            cell.border = boxed
        sheet.row_dimensions[row].height = 60
        row += 1
    row += 1
    for line in letter.closing:
        sheet.cell(row=row, column=1, value=line or None)
        row += 1
    book.save(path)
