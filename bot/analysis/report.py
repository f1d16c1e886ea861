"""The purchase analysis as people read it: the import report, an agreement's figures and the
leakage across the register, as lines of text in the user's language (the command line prints
them; the chat's cards use the same words)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from bot.conversation.formatting import money, number, numeric, percent
from bot.conversation.texts import text
from followup.analysis.figures import AgreementAnalysis, LeakageGroup
from followup.analysis.models import ImportKind
from followup.analysis.services import AnalysisImportReport
from followup.register.reading import RowProblem

MAX_LISTED: Final = 50
WORST_LINES: Final = 10
FORESEEABLE_YEARS: Final = 10
"""The day the ceiling is reached is told when it is at most this far ahead."""
_WIDTHS: Final = (14, 28, 23, 14, 14, 10, 14)


def period_text(start: date, end: date, locale: str | None) -> str:
    return f"{numeric(start, locale)}–{numeric(end, locale)}"


def _share(value: Decimal | None, locale: str | None) -> str:
    return "–" if value is None else percent(value, locale)


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def problem_lines(problems: Sequence[RowProblem], failed: int, locale: str | None) -> list[str]:
    lines = [text("analysis.import.problems", locale, count=failed)]
    for p in problems[:MAX_LISTED]:
        where = f"rad {p.row}" + (f", {p.column}" if p.column else "")
        value = f" «{_cut(p.value, 40)}»" if p.value else ""
        lines.append(f"  {where}{value}: {p.message}")
    hidden = failed - min(len(problems), MAX_LISTED)
    if hidden > 0:
        lines.append("  " + text("analysis.import.more_problems", locale, count=hidden))
    return lines


def import_report_lines(report: AnalysisImportReport, locale: str | None) -> list[str]:
    lines = [
        text(
            "analysis.import.summary",
            locale,
            rows=report.rows_read,
            lines=report.lines,
            failed=report.failed,
        )
    ]
    lines += [text("analysis.import.warning", locale, message=w) for w in report.warnings]
    if report.periods and report.kind is ImportKind.STATISTICS:
        periods = ", ".join(period_text(a, b, locale) for a, b in report.periods[:12])
        lines.append(text("analysis.import.periods", locale, periods=periods))
    elif report.periods and report.kind is ImportKind.LEDGER:
        lines.append(
            text("analysis.import.span", locale, span=period_text(*report.periods[0], locale))
        )
    if report.problems or report.failed:
        lines += problem_lines(report.problems, report.failed, locale)
    if report.stored:
        target = report.reference or text("analysis.ledger", locale)
        lines.append(
            text(
                "analysis.import.stored",
                locale,
                lines=report.lines,
                target=target,
                replaced=report.replaced,
            )
        )
    elif report.dry_run:
        lines.append(text("analysis.import.dry_run", locale))
    else:
        lines.append(text("analysis.import.nothing_stored", locale))
    return lines


def flag_texts(analysis: AgreementAnalysis, locale: str | None) -> list[str]:
    return [text(f"analysis.flag.{flag.value}", locale) for flag in analysis.flags]


def analysis_lines(analysis: AgreementAnalysis, locale: str | None) -> list[str]:
    a = analysis
    lines = [
        text(
            "analysis.heading",
            locale,
            reference=a.reference,
            title=a.title,
            period=period_text(a.period_from, a.period_to, locale),
        ),
        text("analysis.turnover", locale, amount=money(a.turnover, locale), lines=a.lines),
        text(
            "analysis.core_share",
            locale,
            share=_share(a.core_share, locale),
            amount=money(a.core_turnover, locale),
        ),
        text(
            "analysis.off_list_share",
            locale,
            share=_share(a.off_list_share, locale),
            amount=money(a.off_list_turnover, locale),
            lines=a.lines_without_price.lines,
        ),
    ]
    if a.price_deviation_lines:
        lines.append(
            text(
                "analysis.price_deviations",
                locale,
                lines=a.price_deviation_lines,
                amount=money(a.overcharge, locale),
            )
        )
    else:
        lines.append(text("analysis.no_price_deviations", locale))
    if a.lines_unchecked.lines:
        lines.append(
            text(
                "analysis.unchecked",
                locale,
                lines=a.lines_unchecked.lines,
                amount=money(a.lines_unchecked.amount, locale),
            )
        )
    lines += ceiling_lines(a, locale)
    if a.loyalty is not None:
        lines.append(text("analysis.loyalty", locale, share=percent(a.loyalty, locale)))
    flags = flag_texts(a, locale)
    lines.append(
        text("analysis.flags", locale, flags=", ".join(flags))
        if flags
        else text("analysis.flags.none", locale)
    )
    if a.price_deviations:
        lines += ["", text("analysis.worst", locale), *worst_table(a, locale)]
    return lines


def ceiling_lines(a: AgreementAnalysis, locale: str | None) -> list[str]:
    if a.ceiling is None or a.ceiling_source is None:
        return [text("analysis.ceiling.none", locale)]
    lines = [
        text(
            "analysis.ceiling",
            locale,
            source=text(f"analysis.ceiling.{a.ceiling_source}", locale),
            ceiling=money(a.ceiling, locale),
            used=money(a.ceiling_used_amount, locale),
            share=_share(a.ceiling_used, locale),
        )
    ]
    if a.ceiling_used is not None and a.ceiling_used >= 1:
        lines.append(text("analysis.ceiling.passed", locale))
    elif (
        a.ceiling_reached_on is not None
        and a.ceiling_reached_on.year - a.period_to.year <= FORESEEABLE_YEARS
    ):
        lines.append(
            text("analysis.ceiling.reached_on", locale, day=numeric(a.ceiling_reached_on, locale))
        )
    return lines


def worst_table(a: AgreementAnalysis, locale: str | None) -> list[str]:
    rows = [tuple(text("analysis.worst.head", locale).split("|"))]
    for d in a.price_deviations[:WORST_LINES]:
        rows.append(
            (
                d.article,
                d.description or "",
                period_text(d.period_from, d.period_to, locale),
                money(d.invoiced_price, locale),
                money(d.agreed_price, locale),
                "–" if d.quantity is None else number(d.quantity, locale),
                money(d.overcharge, locale),
            )
        )
    return [
        "  " + "  ".join(_cut(cell, w).ljust(w) for cell, w in zip(row, _WIDTHS, strict=True))
        for row in rows
    ]


def leakage_lines(
    groups: Sequence[LeakageGroup], period: tuple[date, date], locale: str | None
) -> list[str]:
    lines = [text("leakage.heading", locale, period=period_text(*period, locale))]
    if not groups:
        return [*lines, text("leakage.none", locale)]
    for g in groups:
        lines.append(
            text(
                "leakage.group",
                locale,
                reference=g.reference,
                title=g.title,
                accounts=g.accounts,
                spend=money(g.spend, locale),
                agreement_spend=money(g.agreement_spend, locale),
                loyalty=_share(g.loyalty, locale),
                leakage=money(g.leakage, locale),
            )
        )
        for s in g.top_suppliers:
            lines.append(
                text(
                    "leakage.supplier",
                    locale,
                    name=s.name,
                    org_nr=s.org_nr or text("leakage.no_org_nr", locale),
                    spend=money(s.spend, locale),
                )
            )
        if g.others_suppliers:
            lines.append(
                text(
                    "leakage.others",
                    locale,
                    count=g.others_suppliers,
                    spend=money(g.others_spend, locale),
                )
            )
    return lines
