"""`evaluer` in a 1:1 chat (issue 19): the supplier evaluation of a contract.

    evaluer <avtalenr>                     the form (an Adaptive Card)
    evaluer <avtalenr> 4 4 3 5 4 4 [tekst]  the six scores typed, in the form's order; the text
                                           is the overall comment (typed fallback)
    evaluer <avtalenr> brev                the latest evaluation as a letter to the supplier

For the contract's owner, manager and deputy and procurement. The submitted form
(`{"handling": "leverandorevaluering", …}`) is stored as a new version; a refused one comes
back filled in with what was wrong. The letter is made and delivered by the export room
(`bot.exports.evaluation_letter`), given here by the composition root as `letter`; its words
are read here (`letter_content`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, cast

from bot.checks.commands import guarded_form
from bot.checks.dialogs import (
    EVALUATION_DIALOG,
    EVALUATION_WORDS,
    asks_in_chat,
    begin_in_chat,
    in_chat_requested,
)
from bot.checks.evaluation_cards import (
    CONTRACT_FIELD,
    FORM_FIELD,
    FORM_VALUE,
    EvaluationForm,
    comment_field,
    entered_values,
    evaluation_form_card,
    evaluation_result_card,
    heading_word,
    score_field,
    score_word,
)
from bot.conversation import formatting
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest, note_form_stored
from bot.conversation.texts import text
from followup.access import is_procurement
from followup.calendar.workdays import oslo_today
from followup.checks.evaluation import (
    EvaluationRecorded,
    EvaluationRefused,
    RecordEvaluation,
    record_evaluation,
)
from followup.checks.evaluation_models import (
    EvaluationHeading,
    EvaluationLetter,
    SupplierEvaluation,
)
from followup.checks.ports import EvaluationUnitOfWork
from followup.checks.risk import may_assess
from followup.errors import NotAllowed
from followup.models import Contract
from followup.ports import UnitOfWork
from followup.tasks import find_contract

MAX_REFERENCE: Final = 60
LETTER_WORDS: Final = frozenset({"brev", "letter"})
LetterHandler = Callable[[str, TurnRequest], Awaitable[Reply]]
"""The export room's `evaluer <avtalenr> brev`: the contract's reference and the turn."""


def evaluation_uow(uow: UnitOfWork) -> EvaluationUnitOfWork:
    """The unit of work as the evaluation sees it (storage's has the repository)."""
    if not hasattr(uow, "supplier_evaluations"):  # pragma: no cover - storage's has one
        raise TypeError("the unit of work has no supplier evaluation repository")
    return cast(EvaluationUnitOfWork, uow)


def parse_typed(rest: str) -> tuple[str, list[int | None] | None, str | None]:
    """`<avtalenr> [six scores] [comment]`: the reference, the scores (None: none typed; a
    word that is no score is None in its place) and the comment."""
    words = rest.split()
    if not words:
        return "", None, None
    reference = words[0].strip("«»\"'")
    after = words[1:]
    if not after:
        return reference, None, None
    headings = len(EvaluationHeading)
    scores = [int(w) if w.isdigit() and len(w) == 1 else None for w in after[:headings]]
    comment = " ".join(after[headings:]).strip() or None
    return reference, scores, comment


class EvaluationCommands(DomainCommands):
    def __init__(self, deps: BotDependencies, letter: LetterHandler | None = None) -> None:
        super().__init__(deps)
        self.letter = letter
        """`evaluer <avtalenr> brev` (None: the letter is not offered)."""

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                EVALUATION_WORDS[0],
                EVALUATION_WORDS[1:],
                text("command.evaluer"),
                ("personal",),
                guarded(self.evaluate),
                in_menu=False,
            )
        )
        router.register_form(FORM_FIELD, FORM_VALUE, guarded_form(self.submitted))

    async def evaluate(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        reference, scores, comment = parse_typed(rest)
        if not reference or len(reference) > MAX_REFERENCE:
            return text("evaluation.usage", locale)
        words = rest.split()
        if len(words) == 2 and words[1].casefold() in LETTER_WORDS:
            if self.letter is None:
                return text("evaluation.letter.unavailable", locale)
            return await self.letter(reference, request)
        if asks_in_chat(words):
            return await self.in_chat(reference, request)
        if scores is None:
            form = await self._read(lambda uow: self._form(uow, request, reference))
            return card_reply(evaluation_form_card(form, locale))
        if len(scores) < len(EvaluationHeading) or None in scores:
            return text("evaluation.usage", locale)
        values = {
            heading: (score, comment if heading is EvaluationHeading.OVERALL else None)
            for heading, score in zip(EvaluationHeading, scores, strict=True)
        }
        try:
            recorded = await self._write(lambda uow: self._record(uow, request, reference, values))
        except EvaluationRefused as error:
            return (
                error_reply(_heading_named(error, locale), locale)
                + "\n\n"
                + text("evaluation.usage", locale)
            )
        return card_reply(await self._stored(recorded, request))

    async def submitted(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        locale = request.locale
        reference = value.get(CONTRACT_FIELD)
        if not isinstance(reference, str) or not reference.strip():
            return text("evaluation.usage", locale)
        reference = reference.strip()[:MAX_REFERENCE]
        if in_chat_requested(value):
            return await self.in_chat(reference, request)
        entered = entered_values(value)
        values = {
            heading: (
                _number(entered.get(score_field(heading))),
                entered.get(comment_field(heading)),
            )
            for heading in EvaluationHeading
        }
        try:
            recorded = await self._write(lambda uow: self._record(uow, request, reference, values))
        except EvaluationRefused as error:
            problem = error_reply(_heading_named(error, locale), locale)
            problem += " " + text("evaluation.not_stored", locale)

            def refill(uow: UnitOfWork) -> EvaluationForm:
                form = self._form(uow, request, reference)
                return EvaluationForm(
                    form.reference,
                    form.title,
                    form.supplier,
                    form.previous,
                    values=entered,
                    problem=problem,
                )

            return card_reply(evaluation_form_card(await self._read(refill), locale))
        return card_reply(await self._stored(recorded, request))

    async def in_chat(self, reference: str, request: TurnRequest) -> Reply:
        """The form as a dialog in the chat, from the latest evaluation."""
        form = await self._read(lambda uow: self._form(uow, request, reference))
        locale = request.locale
        heading = text("checks.dialog.evaluation.heading_title", locale, reference=form.reference)
        return begin_in_chat(
            EVALUATION_DIALOG, FORM_VALUE, form.reference, heading, form.values, locale
        )

    async def letter_content(self, reference: str, request: TurnRequest) -> EvaluationLetter | str:
        """The contract's latest evaluation as a letter's words, or a reply (none yet);
        `NotAllowed` / `NotFound` as for the form."""
        locale = request.locale

        def read(uow: UnitOfWork) -> EvaluationLetter | str:
            contract = self._allowed(uow, request, reference)
            latest = evaluation_uow(uow).supplier_evaluations.latest(contract.id)
            if latest is None:
                return text("evaluation.letter.none", locale, reference=echo(contract.reference))
            supplier = _supplier(uow, contract)
            evaluator = uow.people.get(latest.evaluated_by_id)
            return _letter(
                contract,
                supplier,
                latest,
                evaluator.display_name if evaluator else "",
                locale,
            )

        return await self._read(read)

    # --- in a unit of work ------------------------------------------------------------------------

    def _allowed(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> Contract:
        person = self._person(uow, request)
        contract = find_contract(uow, reference)
        procurement = is_procurement(person, self._deps.procurement_addresses)
        if not may_assess(person, contract, procurement=procurement):
            raise NotAllowed(code="evaluation.not_allowed")
        return contract

    def _form(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> EvaluationForm:
        contract = self._allowed(uow, request, reference)
        latest = evaluation_uow(uow).supplier_evaluations.latest(contract.id)
        locale = request.locale
        if latest is None:
            previous = text("evaluation.form.previous_none", locale)
        else:
            previous = text(
                "evaluation.form.previous",
                locale,
                when=formatting.day_month(oslo_today(latest.evaluated_at), locale, with_year=True),
                overall=latest.overall,
            )
        return EvaluationForm(
            contract.reference,
            contract.title,
            _supplier(uow, contract)[0] or text("evaluation.no_supplier", locale),
            previous,
            values=_values_of(latest) if latest else {},
        )

    def _record(
        self,
        uow: UnitOfWork,
        request: TurnRequest,
        reference: str,
        values: dict[EvaluationHeading, tuple[int | None, str | None]],
    ) -> EvaluationRecorded:
        person = self._person(uow, request)
        procurement = is_procurement(person, self._deps.procurement_addresses)
        return record_evaluation(
            RecordEvaluation(
                actor_id=person.id,
                reference=reference,
                scores=values,
                procurement=procurement,
            ),
            evaluation_uow(uow),
            request.now,
        )

    async def _stored(self, recorded: EvaluationRecorded, request: TurnRequest) -> dict[str, Any]:
        note_form_stored(request)
        locale = request.locale
        evaluation, contract = recorded.evaluation, recorded.contract
        lines = [
            text(
                "evaluation.stored",
                locale,
                reference=echo(contract.reference),
                version=evaluation.version,
                overall=evaluation.overall,
            )
        ]
        if recorded.answered is not None:
            due = recorded.answered.follow_up.due_date
            lines.append(
                text(
                    "evaluation.stored.answered",
                    locale,
                    title=echo(recorded.answered_title or text("evaluation.title", locale)),
                    due=formatting.day_month(due, locale, with_year=True),
                )
            )
        lines.append(text("evaluation.stored.letter", locale, reference=echo(contract.reference)))
        return evaluation_result_card(contract.reference, evaluation, lines, locale)


def _number(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip()[:2])


def _heading_named(error: EvaluationRefused, locale: str | None) -> EvaluationRefused:
    """The refusal with its heading as the form names it (not its code)."""
    heading = error.values.get("heading")
    if isinstance(heading, str) and heading in {h.value for h in EvaluationHeading}:
        error.values["heading"] = heading_word(EvaluationHeading(heading), locale)
    return error


def _values_of(latest: SupplierEvaluation) -> dict[str, str]:
    """The latest version's scores and comments, to start the form from."""
    values: dict[str, str] = {}
    for score in latest.scores:
        values[score_field(score.heading)] = str(score.score)
        if score.comment:
            values[comment_field(score.heading)] = score.comment
    return values


def _supplier(uow: UnitOfWork, contract: Contract) -> tuple[str, str]:
    """The contract's supplier: name and organisation number ("" when none)."""
    if contract.supplier_id is None:
        return "", ""
    supplier = uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
    return (supplier.name, supplier.organisation_number) if supplier else ("", "")


def _letter(
    contract: Contract,
    supplier: tuple[str, str],
    evaluation: SupplierEvaluation,
    evaluator: str,
    locale: str | None,
) -> EvaluationLetter:
    name, number = supplier
    evaluated_on = oslo_today(evaluation.evaluated_at)
    opening = [
        text("evaluation.letter.to", locale, supplier=name or "–", number=number or "–"),
        text(
            "evaluation.letter.about",
            locale,
            reference=contract.reference,
            title=contract.title,
        ),
        text(
            "evaluation.letter.when",
            locale,
            day=formatting.numeric(evaluated_on, locale),
            who=evaluator or "–",
            version=evaluation.version,
        ),
        "",
        text("evaluation.letter.intro", locale),
        text("evaluation.letter.scale", locale),
    ]
    rows = tuple(
        (heading_word(s.heading, locale), score_word(s.score, locale), s.comment or "")
        for s in evaluation.scores
    )
    return EvaluationLetter(
        sheet_title=text("evaluation.letter.sheet", locale),
        file_name=_file_name(contract.reference, evaluated_on.isoformat()),
        opening=tuple(opening),
        columns=(
            text("evaluation.letter.column.heading", locale),
            text("evaluation.letter.column.score", locale),
            text("evaluation.letter.column.comment", locale),
            text("evaluation.letter.column.supplier", locale),
        ),
        rows=rows,
        closing=(text("evaluation.letter.closing", locale),),
    )


def _file_name(reference: str, day: str) -> str:
    """E.g. `leverandorevaluering-KOM-2025-0147-2026-12-07.xlsx`."""
    kept = "".join(c if c.isalnum() or c == "-" else "-" for c in reference).strip("-")
    return f"leverandorevaluering-{kept[:60] or 'avtale'}-{day}.xlsx"


__all__ = ["EvaluationCommands", "LetterHandler", "parse_typed"]
