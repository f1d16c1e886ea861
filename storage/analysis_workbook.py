"""An agreement's analysis as an Excel workbook: the figures, and the lines behind them
(`kontraktsvakt analyse AVTALENR --xlsx FIL`). Three sheets: *Sammendrag* (each figure),
*Prisavvik* (the lines invoiced above the agreed price, largest overcharge first) and *Utenfor
prislisten* (the lines whose article is on no price list). Money as numbers with øre, shares as
percentages, dates as dates; a bold, frozen header with a filter on the line sheets."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from followup.analysis.figures import AgreementAnalysis
from followup.analysis.models import StatisticsLine

MONEY: Final = "#,##0.00"
PRICE: Final = "#,##0.00##"
SHARE: Final = "0.0 %"
DAY: Final = "dd.mm.yyyy"
_FLAGS: Final = {
    "core_share_low": "lav andel kjernesortiment",
    "off_list_high": "mye kjøpt utenfor prislisten",
    "price_deviation": "prisavvik",
    "ceiling_80": "over 80 % av rammen brukt",
    "ceiling_100": "rammen er brukt opp",
    "leakage_high": "høy avtalelekkasje",
    "statistics_missing": "salgsstatistikk mangler (forfalt)",
}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _table(
    sheet: Any, headers: Sequence[tuple[str, int, str | None]], rows: Sequence[Sequence[object]]
) -> None:
    bold = Font(bold=True)
    for index, (title, width, _) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_index, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=index, value=value)
            number_format = headers[index - 1][2]
            if number_format and value is not None:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows)) + 1}"


def write_analysis_workbook(
    path: Path, analysis: AgreementAnalysis, off_list: Sequence[StatisticsLine]
) -> None:
    a = analysis
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Sammendrag"
    figures: list[tuple[str, object, str | None]] = [
        ("Avtale", f"{a.reference} {a.title}", None),
        ("Fra", a.period_from, DAY),
        ("Til", a.period_to, DAY),
        ("Linjer", a.lines, None),
        ("Omsetning eks. mva", _number(a.turnover), MONEY),
        ("Kjernesortiment", _number(a.core_turnover), MONEY),
        ("Andel kjernesortiment", _number(a.core_share), SHARE),
        ("Utenfor prislisten", _number(a.off_list_turnover), MONEY),
        ("Andel utenfor prislisten", _number(a.off_list_share), SHARE),
        ("Linjer med prisavvik", a.price_deviation_lines, None),
        ("Merpris", _number(a.overcharge), MONEY),
        ("Linjer som ikke kunne prissjekkes", a.lines_unchecked.lines, None),
        ("Rammen", _number(a.ceiling), MONEY),
        ("Rammen fra", {"maksverdi": "maksverdi", "estimert": "estimert verdi"}.get(
            a.ceiling_source or "", ""), None),
        ("Brukt av rammen til og med «Til»", _number(a.ceiling_used_amount), MONEY),
        ("Andel av rammen brukt", _number(a.ceiling_used), SHARE),
        ("Rammen brukt opp rundt", a.ceiling_reached_on, DAY),
        ("Avtalelojalitet", _number(a.loyalty), SHARE),
        ("Funn", ", ".join(_FLAGS.get(f.value, f.value) for f in a.flags), None),
    ]  # fmt: skip
    _table(
        summary,
        [("Tall", 36, None), ("Verdi", 40, None)],
        [(label, value) for label, value, _ in figures],
    )
    for row_index, (_, value, number_format) in enumerate(figures, start=2):
        if number_format and value is not None:
            summary.cell(row=row_index, column=2).number_format = number_format
    summary.auto_filter.ref = None
    deviations = workbook.create_sheet("Prisavvik")
    _table(
        deviations,
        [
            ("Varenummer", 16, None), ("Varetekst", 36, None), ("Periode fra", 12, DAY),
            ("Periode til", 12, DAY), ("Fakturert pris", 14, PRICE), ("Avtalt pris", 14, PRICE),
            ("Pris gyldig fra", 14, DAY), ("Antall", 10, None), ("Beløp eks. mva", 16, MONEY),
            ("Merpris", 14, MONEY), ("Linjer", 8, None),
        ],
        [
            (
                d.article, d.description, d.period_from, d.period_to, _number(d.invoiced_price),
                _number(d.agreed_price), d.price_valid_from, _number(d.quantity),
                _number(d.amount), _number(d.overcharge), d.lines,
            )
            for d in a.price_deviations
        ],
    )  # fmt: skip
    outside = workbook.create_sheet("Utenfor prislisten")
    _table(
        outside,
        [
            ("Varenummer", 16, None), ("Varetekst", 36, None), ("Periode fra", 12, DAY),
            ("Periode til", 12, DAY), ("Antall", 10, None), ("Enhetspris", 14, PRICE),
            ("Beløp eks. mva", 16, MONEY), ("Linjer", 8, None),
        ],
        [
            (
                line.article, line.description, line.period_from, line.period_to,
                _number(line.quantity), _number(line.unit_price), _number(line.amount),
                line.lines,
            )
            for line in sorted(off_list, key=lambda line: -line.amount)
        ],
    )  # fmt: skip
    workbook.save(path)


__all__ = ["write_analysis_workbook"]
