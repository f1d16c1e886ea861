"""An analysis' findings become work (issue 16): a price deviation or agreement leakage above the
thresholds opens a deviation (*prisavvik*, *avtalelekkasje*) on the agreement, with the lines
behind it in its description. It is then a deviation like any other: the owner hears of it in
the next digest, procurement sees it in `avvik`, and a serious one alerts the procurement
channels.

Once per agreement, period and kind: the deviation's source is the analysis of that period
(`analysis:<kind>:<fra>:<til>`), so analysing or importing the same period again opens no second
one (a deviation already closed stays closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Protocol

from followup.analysis.exact import exact
from followup.analysis.figures import AgreementAnalysis, LeakageGroup, leakage
from followup.analysis.models import Flag, Thresholds
from followup.analysis.ports import AnalysisUnitOfWork
from followup.analysis.services import AnalyseAgreement, agreement_terms, analyse
from followup.deviations.services import (
    DeviationAlertRenderer,
    DeviationRefused,
    ReportDeviation,
    report_deviation,
)
from followup.models import (
    Contract,
    Delivery,
    DeliveryKind,
    Deviation,
    DeviationCategory,
    Severity,
)
from followup.ports import OutgoingMessage, UnitOfWork
from followup.reminders.channel_guard import naming_contracts
from followup.reminders.planning import message_json

SERIOUS_OVERCHARGE: Final = Decimal(10_000)
"""An overcharge of this many kroner in a period is a serious deviation (procurement is alerted)."""
LINES_LISTED: Final = 10
SOURCE_CHANNEL: Final = "analysis"


class FindingsUnitOfWork(UnitOfWork, AnalysisUnitOfWork, Protocol):
    """Storage's unit of work: the domain's repositories and the analysis'."""


class CeilingAlertRenderer(Protocol):
    """The message that an agreement has passed 80 % or 100 % of its maximum (the edge)."""

    def ceiling_alert(self, analysis: AgreementAnalysis, level: Flag) -> OutgoingMessage: ...


@dataclass(frozen=True, slots=True)
class Findings:
    opened: tuple[Deviation, ...]
    """Deviations opened now (not those opened by an earlier analysis of the period)."""
    alerts: int = 0
    """Ceiling alerts queued now (each level goes once to each recipient)."""


def _kr(amount: Decimal) -> str:
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"kr {whole.replace(',', ' ')},{cents}"


def _pct(share: Decimal | None) -> str:
    return "–" if share is None else f"{share * 100:.1f} %".replace(".", ",")


def price_description(analysis: AgreementAnalysis) -> str:
    a = analysis
    lines = [
        f"Prisavvik i salgsstatistikken for {a.period_from:%d.%m.%Y}–{a.period_to:%d.%m.%Y}: "
        f"{a.price_deviation_lines} linjer fakturert over avtalt pris, merpris "
        f"{_kr(a.overcharge)} (funnet av analysen).",
        "Største avvik:",
    ]
    for d in a.price_deviations[:LINES_LISTED]:
        quantity = "" if d.quantity is None else f", {d.quantity.normalize():f} stk"
        lines.append(
            f"- {d.article} {d.description or ''}: fakturert {_kr(d.invoiced_price)}, avtalt "
            f"{_kr(d.agreed_price)}{quantity}, merpris {_kr(d.overcharge)}"
        )
    if len(a.price_deviations) > LINES_LISTED:
        lines.append(f"… og {len(a.price_deviations) - LINES_LISTED} linjer til.")
    return "\n".join(lines)


def leakage_description(group: LeakageGroup) -> str:
    lines = [
        f"Avtalelekkasje på kontoene {group.accounts} for {group.period_from:%d.%m.%Y}–"
        f"{group.period_to:%d.%m.%Y}: {_kr(group.leakage)} av {_kr(group.spend)} kjøpt utenfor "
        f"avtalen (lojalitet {_pct(group.loyalty)}; funnet av analysen).",
        "Største leverandører utenfor avtalen:",
    ]
    lines += [
        f"- {s.name} ({s.org_nr or 'uten organisasjonsnummer'}): {_kr(s.spend)}"
        for s in group.top_suppliers
    ]
    return "\n".join(lines)


@exact
def record_findings(
    analysis: AgreementAnalysis,
    contract: Contract,
    reporter_id: str,
    uow: UnitOfWork,
    now: datetime,
    *,
    alert_renderer: DeviationAlertRenderer,
    ceiling_renderer: CeilingAlertRenderer | None = None,
    leakage: LeakageGroup | None = None,
) -> Findings:
    """Open the deviations `analysis` calls for, reported by `reporter_id` (who imported or
    asked; the owner for an import from the command line), and queue the ceiling's alert. The
    caller commits."""
    opened: list[Deviation] = []
    wanted: Sequence[tuple[str, DeviationCategory, Severity, str]] = []
    if Flag.PRICE_DEVIATION in analysis.flags and analysis.overcharge > 0:
        severity = Severity.HIGH if analysis.overcharge >= SERIOUS_OVERCHARGE else Severity.MEDIUM
        wanted = [("price", DeviationCategory.PRICE, severity, price_description(analysis))]
    if leakage is not None and leakage.leakage_high:
        wanted = [
            *wanted,
            ("leakage", DeviationCategory.LEAKAGE, Severity.MEDIUM, leakage_description(leakage)),
        ]
    for kind, category, severity, description in wanted:
        period = f"{analysis.period_from.isoformat()}:{analysis.period_to.isoformat()}"
        try:
            reported = report_deviation(
                ReportDeviation(
                    person_id=reporter_id,
                    category=category,
                    severity=severity,
                    occurred_on=analysis.period_to,
                    description=description,
                    contract_id=contract.id,
                    source_activity_id=f"analysis:{kind}:{period}",
                    source_channel_id=SOURCE_CHANNEL,
                    source_conversation_id=contract.id,
                ),
                uow,
                now,
                alert_renderer=alert_renderer,
            )
        except DeviationRefused:
            continue  # e.g. the period ends in the future, or the reporter may not report
        if reported.created:
            opened.append(reported.deviation)
    alerts = (
        0
        if ceiling_renderer is None
        else queue_ceiling_alert(analysis, contract, uow, now, ceiling_renderer)
    )
    return Findings(tuple(opened), alerts)


def queue_ceiling_alert(
    analysis: AgreementAnalysis,
    contract: Contract,
    uow: UnitOfWork,
    now: datetime,
    renderer: CeilingAlertRenderer,
) -> int:
    """The highest ceiling level reached (100 %, else 80 %) to the agreement's owner and the
    procurement channels, once per level and recipient (the outbox's dedupe key); the number
    queued now."""
    level = next((f for f in (Flag.CEILING_100, Flag.CEILING_80) if f in analysis.flags), None)
    if level is None:
        return 0
    refs = list(uow.conversations.procurement_channels())
    owner = uow.conversations.for_person(contract.owner_id) if contract.owner_id else None
    if owner is not None:
        refs.append(owner)
    # Marked with the contract: a channel gets it only where every member may see it.
    message = message_json(naming_contracts(renderer.ceiling_alert(analysis, level), [contract.id]))
    fresh = [
        Delivery(
            kind=DeliveryKind.CEILING,
            recipient_person_id=ref.person_id,
            conversation_ref_id=ref.id,
            message=message,
            dedupe_key=f"{level.value}:{contract.id}:{ref.id}",
            created_at=now,
        )
        for ref in refs
        if not uow.deliveries.exists(f"{level.value}:{contract.id}:{ref.id}")
    ]
    return uow.deliveries.add_many(fresh, now) if fresh else 0


@exact
def record_period_findings(
    reference: str,
    period: tuple[date, date],
    reporter_id: str | None,
    uow: FindingsUnitOfWork,
    now: datetime,
    *,
    thresholds: Thresholds,
    alert_renderer: DeviationAlertRenderer,
    ceiling_renderer: CeilingAlertRenderer | None = None,
) -> Findings:
    """Analyse the agreement's `period` and open the deviations its findings call for,
    reported by `reporter_id`, or by the agreement's owner when None. The caller commits."""
    result = analyse(AnalyseAgreement(reference, period), uow, now, thresholds)
    contract = uow.contracts.by_reference(reference)
    reporter = reporter_id or (contract.owner_id if contract else None)
    if contract is None or reporter is None:
        return Findings(())
    terms = agreement_terms(contract, uow)
    group = None
    if terms.accounts:
        spend = uow.analysis.ledger_spend(period[0], period[1], terms.accounts)
        groups = leakage([terms], spend, period, thresholds=thresholds)
        group = groups[0] if groups else None
    return record_findings(
        result,
        contract,
        reporter,
        uow,
        now,
        alert_renderer=alert_renderer,
        ceiling_renderer=ceiling_renderer,
        leakage=group,
    )
