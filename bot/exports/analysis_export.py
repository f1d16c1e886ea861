"""`eksport analyse <avtalenr> [periode]` (English `export analysis …`): an agreement's purchase
analysis as the Excel workbook `kontraktsvakt analyse AVTALENR --xlsx FIL` writes (the figures,
the lines with price deviations and the lines not on the price list), handed over as every chat
export is (`bot.exports.commands`): Teams' file consent in a 1:1 chat, a download link in the
dev chat.

The agreement and the period are read, the asker's access checked and the figures computed by
the analysis' own command (`AnalysisCommands.with_lines`, given here by the composition root as
`read_analysis`: this room may not import that one). So the export is for the same people as
`analyse` (the agreement's owner, manager, deputy and procurement), reads the same period words
and gives the same refusals. The workbook is written by storage's writer
(`Exports.analysis_workbook`) in an export worker. A personal-chat command, as `analyse`:
prices and suppliers' spend are not for a whole channel.

The analysis card's «Last ned som Excel» (`bot.conversation.export_actions`) asks the same.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

from bot.conversation import formatting
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.export_actions import (
    ANALYSIS_EXPORT_VERB,
    VERB_KEY,
    analysis_export_words,
)
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from bot.exports.commands import (
    AnalysisWorkbookWriter,
    Exports,
    deliver,
    reply_when_built,
    start_building,
)
from followup.analysis.figures import AgreementAnalysis
from followup.analysis.services import AnalysisLines
from followup.exports import ExportFile, ExportFormat, prepare_file
from followup.models import ConversationKind
from followup.views import ExportKind

log = logging.getLogger(__name__)

WORD: Final = "eksport analyse"
ALIASES: Final = ("eksport analyser", "export analysis", "export analyse")
AnalysisReader = Callable[[str, TurnRequest], Awaitable[AnalysisLines | str | None]]
"""`<avtalenr> [periode]` read, checked and analysed: the figures and their lines, a reply
(str) for a period it cannot read, None when no agreement is named; the analysis' refusals
(`FollowUpError`) are raised."""
_NOT_IN_A_NAME: Final = re.compile(r"[^\w-]+")


def analysis_file_name(analysis: AgreementAnalysis) -> str:
    """E.g. `kontraktsvakt-analyse-KOM-2025-0147-2026-01-01-2026-03-31.xlsx`."""
    reference = _NOT_IN_A_NAME.sub("-", analysis.reference).strip("-") or "avtale"
    period = f"{analysis.period_from.isoformat()}-{analysis.period_to.isoformat()}"
    return f"kontraktsvakt-analyse-{reference}-{period}.xlsx"


class AnalysisExportCommands(DomainCommands):
    def __init__(
        self,
        deps: BotDependencies,
        exports: Exports | None = None,
        read_analysis: AnalysisReader | None = None,
    ) -> None:
        super().__init__(deps)
        self._exports = exports
        self._read_analysis = read_analysis

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                WORD,
                ALIASES,
                text("command.eksport analyse"),
                ("personal",),
                guarded(self.export),
                in_menu=False,
            )
        )
        router.register_form(VERB_KEY, ANALYSIS_EXPORT_VERB, self.button)

    async def button(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        """«Last ned som Excel» on an analysis card: the export of the card's agreement and
        period."""
        words = analysis_export_words(value)
        if words is None:
            return text("form.unknown", request.locale)
        if request.kind is not ConversationKind.PERSONAL:
            return text("command.personal_only", request.locale, word=WORD)
        return await guarded(self.export)(words, request)

    async def export(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        exports, read = self._exports, self._read_analysis
        writer = exports.analysis_workbook if exports is not None else None
        if exports is None or writer is None or read is None:
            return text("export.analysis.usage", locale)
        found = await read(rest, request)
        if found is None:
            return text("export.analysis.usage", locale)
        if isinstance(found, str):
            return found
        building = start_building(exports, lambda: self._make(exports, writer, found, request))
        if building is None:
            return text("export.busy", locale)
        return await reply_when_built(
            exports,
            building,
            lambda req: self._deliver(exports, building, found, req),
            request,
        )

    def _make(
        self,
        exports: Exports,
        writer: AnalysisWorkbookWriter,
        found: AnalysisLines,
        request: TurnRequest,
    ) -> ExportFile:
        """The workbook, kept for the asker in this conversation. Blocking."""
        analysis = found.analysis
        with self._deps.uow_factory() as uow:
            person = self._person(uow, request)

        def write(path: Path) -> None:
            writer(path, analysis, found.off_list)

        return prepare_file(
            exports.store,
            ExportKind.ANALYSE,
            ExportFormat.XLSX,
            write,
            file_name=analysis_file_name(analysis),
            rows=len(analysis.price_deviations) + len(found.off_list),
            person_id=person.id,
            conversation_id=request.conversation_id or "",
            now=exports.lifetime_now(request.now),
            lifetime=exports.lifetime,
        )

    async def _deliver(
        self,
        exports: Exports,
        building: Awaitable[ExportFile],
        found: AnalysisLines,
        request: TurnRequest,
    ) -> Reply:
        made = await building
        analysis = found.analysis
        locale = request.locale
        summary = text(
            "export.analysis.summary",
            locale,
            reference=analysis.reference,
            start=formatting.numeric(analysis.period_from, locale),
            end=formatting.numeric(analysis.period_to, locale),
        )
        return await deliver(exports, made, summary, request, locale)


__all__ = ["AnalysisExportCommands", "AnalysisReader", "analysis_file_name"]
