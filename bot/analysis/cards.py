"""The purchase analysis in chat: an agreement's figures (`analyse`) and the leakage across the
register (`lekkasje`) as Adaptive Cards. Teams draws the charts (`Chart.*`, see
`bot.portfolio.cards`): core vs other assortment as a donut, the largest price deviations as
bars, the ceiling as a gauge; a client without charts shows each one's fallback, the same
figures in words. The analysis card's button «Last ned som Excel» asks for its workbook
(`bot.conversation.export_actions`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from bot.analysis.report import (
    WORST_LINES,
    ceiling_lines,
    flag_texts,
    leakage_lines,
    period_text,
)
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.export_actions import analysis_export_button
from bot.conversation.formatting import money, percent
from bot.conversation.markdown import plain
from bot.conversation.texts import text
from followup.analysis.figures import AgreementAnalysis, LeakageGroup
from followup.analysis.models import Flag
from followup.ports import OutgoingMessage

CHART_DONUT: Final = "Chart.Donut"
CHART_BAR: Final = "Chart.HorizontalBar"
CHART_GAUGE: Final = "Chart.Gauge"
MAX_GROUPS: Final = 15


def _share(value: Decimal | None, locale: str | None) -> str:
    return "–" if value is None else percent(value, locale)


def _assortment_chart(a: AgreementAnalysis, locale: str | None) -> Element | None:
    """Core, other on the list, and off the list, as a donut; None without turnover."""
    if a.turnover <= 0:
        return None
    other = a.turnover - a.core_turnover - a.off_list_turnover
    said = text(
        "analysis.chart.assortment.text",
        locale,
        core=_share(a.core_share, locale),
        off_list=_share(a.off_list_share, locale),
    )
    return {
        "type": CHART_DONUT,
        "title": text("analysis.chart.assortment.title", locale),
        "data": [
            {
                "legend": text("analysis.chart.core", locale),
                "value": float(a.core_turnover),
                "color": "good",
            },
            {
                "legend": text("analysis.chart.other", locale),
                "value": float(max(other, Decimal(0))),
                "color": "warning",
            },
            {
                "legend": text("analysis.chart.off_list", locale),
                "value": float(a.off_list_turnover),
                "color": "attention",
            },
        ],
        "spacing": "Medium",
        "fallback": text_block(said, spacing="Small"),
    }


def _deviations_chart(a: AgreementAnalysis, locale: str | None) -> Element | None:
    if not a.price_deviations:
        return None
    return {
        "type": CHART_BAR,
        "title": text("analysis.chart.deviations.title", locale),
        "data": [
            {"x": clip(f"{d.article} {d.description or ''}", 40), "y": float(d.overcharge)}
            for d in a.price_deviations[:WORST_LINES]
        ],
        "color": "attention",
        "showBarValues": True,
        "spacing": "Medium",
        "fallback": "drop",  # the table below says the same
    }


def _ceiling_chart(a: AgreementAnalysis, locale: str | None) -> Element | None:
    if a.ceiling_used is None:
        return None
    used = min(float(a.ceiling_used) * 100, 100.0)
    return {
        "type": CHART_GAUGE,
        "title": text("analysis.chart.ceiling.title", locale),
        "min": 0,
        "max": 100,
        "value": round(used, 1),
        "valueFormat": "Percentage",
        "segments": [
            {"legend": text("analysis.chart.ceiling.ok", locale), "size": 80, "color": "good"},
            {
                "legend": text("analysis.chart.ceiling.warn", locale),
                "size": 20,
                "color": "attention",
            },
        ],
        "spacing": "Medium",
        "fallback": "drop",  # the facts above say the same
    }


def analysis_card(a: AgreementAnalysis, locale: str | None) -> Card:
    heading = text("analysis.card.title", locale, reference=a.reference)
    subtitle = f"{plain(clip(a.title, 120), line_starts=False)}, " + period_text(
        a.period_from, a.period_to, locale
    )
    facts: list[tuple[str, str]] = [
        (text("analysis.fact.turnover", locale), money(a.turnover, locale)),
        (text("analysis.fact.core", locale), _share(a.core_share, locale)),
        (text("analysis.fact.off_list", locale), _share(a.off_list_share, locale)),
        (
            text("analysis.fact.deviations", locale),
            text(
                "analysis.fact.deviations.value",
                locale,
                lines=a.price_deviation_lines,
                amount=money(a.overcharge, locale),
            ),
        ),
        (
            text("analysis.fact.ceiling", locale),
            "–"
            if a.ceiling is None
            else text(
                "analysis.fact.ceiling.value",
                locale,
                share=_share(a.ceiling_used, locale),
                ceiling=money(a.ceiling, locale),
            ),
        ),
    ]
    if a.loyalty is not None:
        facts.append((text("analysis.fact.loyalty", locale), percent(a.loyalty, locale)))
    flags = flag_texts(a, locale)
    findings = (
        text("analysis.flags", locale, flags=", ".join(flags))
        if flags
        else text("analysis.flags.none", locale)
    )
    body: list[Element] = [title_block(heading), subtle_block(subtitle), fact_set(facts)]
    lines = [heading, subtitle, *(f"{k}: {v}" for k, v in facts)]
    body.append(text_block(findings, color="Attention" if flags else "Good", weight="Bolder"))
    lines.append(findings)
    for line in ceiling_lines(a, locale)[1:]:
        body.append(text_block(line, isSubtle=True, spacing="Small"))
        lines.append(line)
    for chart in (
        _assortment_chart(a, locale),
        _ceiling_chart(a, locale),
        _deviations_chart(a, locale),
    ):
        if chart is not None:
            body.append(chart)
    if a.price_deviations:
        body.append(text_block(text("analysis.worst", locale), weight="Bolder"))
        worst = [
            (
                clip(f"{d.article} {d.description or ''}", 60),
                text(
                    "analysis.worst.line",
                    locale,
                    invoiced=money(d.invoiced_price, locale),
                    agreed=money(d.agreed_price, locale),
                    amount=money(d.overcharge, locale),
                ),
            )
            for d in a.price_deviations[:WORST_LINES]
        ]
        body.append(fact_set(worst, spacing="Small"))
        lines += [f"{k}: {v}" for k, v in worst]
    card = adaptive_card(body, "\n".join(lines))
    card["actions"] = [
        analysis_export_button(
            text("analysis.export.button", locale), a.reference, a.period_from, a.period_to
        )
    ]
    return card


def leakage_card(
    groups: Sequence[LeakageGroup], period: tuple[date, date], locale: str | None
) -> Card:
    heading = text("leakage.heading", locale, period=period_text(*period, locale))
    body: list[Element] = [title_block(heading)]
    if not groups:
        said = text("leakage.none", locale)
        body.append(text_block(said))
        return adaptive_card(body, f"{heading}\n{said}")
    for g in groups[:MAX_GROUPS]:
        body.append(
            text_block(
                f"{g.reference} {plain(clip(g.title, 80), line_starts=False)}",
                weight="Bolder",
                spacing="Medium",
            )
        )
        facts = [
            (text("leakage.fact.accounts", locale), g.accounts),
            (text("leakage.fact.spend", locale), money(g.spend, locale)),
            (text("leakage.fact.loyalty", locale), _share(g.loyalty, locale)),
            (text("leakage.fact.leakage", locale), money(g.leakage, locale)),
        ]
        facts += [(clip(s.name, 60), money(s.spend, locale)) for s in g.top_suppliers[:5]]
        body.append(fact_set(facts, spacing="Small"))
    if len(groups) > MAX_GROUPS:
        body.append(subtle_block(text("leakage.more", locale, count=len(groups) - MAX_GROUPS)))
    return adaptive_card(body, "\n".join(leakage_lines(groups, period, locale)))


class AnalysisCards:
    """The analysis' proactive messages (`followup.analysis.findings.CeilingAlertRenderer`),
    in Bokmål: the outbox has no recipient language yet."""

    def ceiling_alert(self, analysis: AgreementAnalysis, level: Flag) -> OutgoingMessage:
        locale = "nb-NO"
        heading = text(f"analysis.alert.{level.value}.title", locale, reference=analysis.reference)
        facts = [
            (text("analysis.fact.turnover", locale), money(analysis.ceiling_used_amount, locale)),
            (
                text("analysis.fact.ceiling", locale),
                text(
                    "analysis.fact.ceiling.value",
                    locale,
                    share=_share(analysis.ceiling_used, locale),
                    ceiling=money(analysis.ceiling or Decimal(0), locale),
                ),
            ),
        ]
        said = text(f"analysis.alert.{level.value}.text", locale, title=analysis.title)
        body: list[Element] = [
            title_block(heading),
            text_block(said, color="Attention" if level is Flag.CEILING_100 else "Warning"),
            fact_set(facts),
        ]
        lines = [heading, said, *(f"{k}: {v}" for k, v in facts)]
        lines += ceiling_lines(analysis, locale)[1:]
        body += [text_block(line, isSubtle=True) for line in ceiling_lines(analysis, locale)[1:]]
        card = adaptive_card(body, "\n".join(lines))
        return OutgoingMessage(card["fallbackText"], card=card)
