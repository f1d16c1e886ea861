"""`analyse <avtalenr> [periode]` and `lekkasje [periode]` in 1:1 chat (issue 16).

An agreement's analysis is for the people who follow it up (owner, manager, deputy) and the
procurement team; the leakage across the register is for procurement. Both are personal-chat
commands: the figures (prices, suppliers' spend) are not for a whole channel. The period is a
Norwegian period phrase (`1. kvartal 2026`, `2026-Q1`, `januar 2026`, `01.01.2026–31.03.2026`);
without one, `analyse` takes the latest period the agreement has statistics for and `lekkasje`
the last full quarter.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from bot.analysis.cards import analysis_card, leakage_card
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import card_reply
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from followup.access import is_procurement
from followup.analysis.figures import AgreementAnalysis, LeakageGroup
from followup.analysis.models import Thresholds
from followup.analysis.ports import AnalysisUnitOfWork
from followup.analysis.reading import PERIOD_HINT, parse_period
from followup.analysis.services import (
    AnalyseAgreement,
    AnalysisLines,
    LeakageReport,
    analyse,
    analyse_with_lines,
    last_full_quarter,
    leakage_report,
)
from followup.calendar.workdays import oslo_today
from followup.errors import NotAllowed
from followup.ports import UnitOfWork
from followup.register.reading import InvalidCell

MAX_REFERENCE = 60
MAX_PERIOD = 80


class AnalysisCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "analyse",
                ("analyser", "analysis", "analyze"),
                text("command.analyse"),
                ("personal",),
                guarded(self.analyse),
                in_menu=False,
            )
        )
        router.register(
            Command(
                "lekkasje",
                ("avtalelekkasje", "leakage"),
                text("command.lekkasje"),
                ("personal",),
                guarded(self.leakage),
                procurement_only=True,
                in_menu=False,
            )
        )

    @property
    def _thresholds(self) -> Thresholds:
        return self._deps.analysis_thresholds

    async def analyse(self, rest: str, request: TurnRequest) -> Reply:
        asked = _asked(rest, request.locale)
        if asked is None:
            return text("analysis.usage", request.locale)
        if isinstance(asked, str):
            return asked

        def read(uow: UnitOfWork) -> AgreementAnalysis:
            allowed = self._allowed(uow, request, asked.reference)
            return analyse(asked, allowed, request.now, self._thresholds)

        result = await self._read(read)
        return card_reply(analysis_card(result, request.locale))

    async def with_lines(self, rest: str, request: TurnRequest) -> AnalysisLines | str | None:
        """The figures and the lines behind them, for the workbook `eksport analyse` delivers
        (`bot.exports.analysis_export`, given this by the composition root): `rest` read as
        `analyse` reads it, for the same people, with the same refusals (raised as
        `analyse`'s are, or a reply for a period it cannot read); None when no agreement is
        named."""
        asked = _asked(rest, request.locale)
        if asked is None or isinstance(asked, str):
            return asked

        def read(uow: UnitOfWork) -> AnalysisLines:
            allowed = self._allowed(uow, request, asked.reference)
            return analyse_with_lines(asked, allowed, request.now, self._thresholds)

        return await self._read(read)

    def _allowed(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> AnalysisUnitOfWork:
        """The unit of work as the analysis sees it, once the asker may see the agreement's
        analysis: its owner, manager or deputy, or procurement (`NotAllowed` otherwise; an
        unknown agreement is the analysis' own refusal)."""
        person = self._person(uow, request)
        contract = uow.contracts.by_reference(reference)
        if contract is not None and not (
            is_procurement(person, self._deps.procurement_addresses)
            or person.id in (contract.owner_id, contract.manager_id, contract.deputy_id)
        ):
            raise NotAllowed(code="analysis.not_allowed")
        return _with_analysis(uow)

    async def leakage(self, rest: str, request: TurnRequest) -> Reply:
        period = _period(rest.strip())
        if isinstance(period, str):
            return text("analysis.bad_period_text", request.locale, period=period, hint=PERIOD_HINT)
        chosen = period or last_full_quarter(oslo_today(request.now))

        def read(uow: UnitOfWork) -> list[LeakageGroup]:
            person = self._person(uow, request)
            if not is_procurement(person, self._deps.procurement_addresses):
                raise NotAllowed(code="leakage.not_allowed")
            return leakage_report(LeakageReport(chosen), _with_analysis(uow), self._thresholds)

        groups = await self._read(read)
        return card_reply(leakage_card(groups, chosen, request.locale))


def _with_analysis(uow: UnitOfWork) -> AnalysisUnitOfWork:
    """The unit of work as the analysis sees it: `followup.ports.UnitOfWork` does not name the
    analysis' repository (the domain's ports may not import the analysis, which imports them),
    but storage's unit of work has it."""
    if not hasattr(uow, "analysis"):  # pragma: no cover - storage's unit of work has one
        raise TypeError("the unit of work has no analysis repository")
    return cast(AnalysisUnitOfWork, uow)


def _asked(rest: str, locale: str | None) -> AnalyseAgreement | str | None:
    """`<avtalenr> [periode]` as the analysis it asks for; a reply (str) when the period
    cannot be read, None when no agreement is named."""
    reference, _, period_text = rest.strip().partition(" ")
    if not reference or len(reference) > MAX_REFERENCE:
        return None
    period = _period(period_text)
    if isinstance(period, str):
        return text("analysis.bad_period_text", locale, period=period, hint=PERIOD_HINT)
    return AnalyseAgreement(reference, period)


def _period(written: str) -> tuple[date, date] | str | None:
    """The period of a command, None when none was given, or the text (quoted for a reply)
    when it cannot be read."""
    if not written:
        return None
    if len(written) > MAX_PERIOD:
        return echo(written[:MAX_PERIOD] + "…")
    try:
        return parse_period(written)
    except InvalidCell:
        return echo(written)


__all__ = ["AnalysisCommands"]
