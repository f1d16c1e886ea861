"""`evaluer <avtalenr> brev` (and «Lag brev til leverandøren» on an evaluation's card): the
contract's latest supplier evaluation as a letter the supplier can comment on, an Excel workbook
(`storage.evaluation_letter`, `Exports.evaluation_letter`) handed over as every chat export is
(`bot.exports.commands.deliver`): Teams' file consent in a 1:1 chat, a download link in the dev
chat.

The evaluation is read, the asker's access checked and the letter's words chosen by the
evaluation's own room (`bot.checks.evaluation_commands.EvaluationCommands.letter_content`,
given here by the composition root as `read_letter`: this room may not import that one). So the
letter is for the same people as `evaluer` and gives the same refusals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.export_actions import (
    EVALUATION_LETTER_VERB,
    VERB_KEY,
    evaluation_letter_reference,
)
from bot.conversation.router import CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from bot.exports.commands import (
    EvaluationLetterWriter,
    Exports,
    deliver,
    reply_when_built,
    start_building,
)
from followup.checks.evaluation_models import EvaluationLetter
from followup.exports import ExportFile, ExportFormat, prepare_file
from followup.models import ConversationKind
from followup.views import ExportKind

LetterReader = Callable[[str, TurnRequest], Awaitable[EvaluationLetter | str]]
"""The contract's reference read, checked and its latest evaluation put in a letter's words; a
reply (str) when there is none; the evaluation's refusals (`FollowUpError`) are raised."""


class EvaluationLetterCommands(DomainCommands):
    def __init__(
        self,
        deps: BotDependencies,
        exports: Exports | None = None,
        read_letter: LetterReader | None = None,
    ) -> None:
        super().__init__(deps)
        self._exports = exports
        self._read_letter = read_letter

    def register(self, router: CommandRouter) -> None:
        router.register_form(VERB_KEY, EVALUATION_LETTER_VERB, self.button)

    async def button(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        reference = evaluation_letter_reference(value)
        if reference is None:
            return text("form.unknown", request.locale)
        if request.kind is not ConversationKind.PERSONAL:
            return text("command.personal_only", request.locale, word="evaluer")
        return await guarded(self.letter)(reference, request)

    async def letter(self, reference: str, request: TurnRequest) -> Reply:
        """The letter of `reference`'s latest evaluation, delivered as an export."""
        locale = request.locale
        exports, read = self._exports, self._read_letter
        writer = exports.evaluation_letter if exports is not None else None
        if exports is None or writer is None or read is None:
            return text("evaluation.letter.unavailable", locale)
        found = await read(reference, request)
        if isinstance(found, str):
            return found
        building = start_building(exports, lambda: self._make(exports, writer, found, request))
        if building is None:
            return text("export.busy", locale)
        summary = text("evaluation.letter.summary", locale, reference=reference)

        async def finish(req: TurnRequest) -> Reply:
            made = await building
            return await deliver(exports, made, summary, req, locale)

        return await reply_when_built(exports, building, finish, request)

    def _make(
        self,
        exports: Exports,
        writer: EvaluationLetterWriter,
        letter: EvaluationLetter,
        request: TurnRequest,
    ) -> ExportFile:
        """The workbook, kept for the asker in this conversation. Blocking."""
        with self._deps.uow_factory() as uow:
            person = self._person(uow, request)

        def write(path: Path) -> None:
            writer(path, letter)

        return prepare_file(
            exports.store,
            ExportKind.EVALUERING,
            ExportFormat.XLSX,
            write,
            file_name=letter.file_name,
            rows=len(letter.rows),
            person_id=person.id,
            conversation_id=request.conversation_id or "",
            now=exports.lifetime_now(request.now),
            lifetime=exports.lifetime,
        )


__all__ = ["EvaluationLetterCommands", "LetterReader"]
