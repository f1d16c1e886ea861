"""Procurement edits a contract's follow-up plan by chat: `kontrollpunkt` / `checkpoint`.

    kontrollpunkt <avtalenr> legg til <kode eller tittel> [hyppighet]     (add)
    kontrollpunkt <avtalenr> <kode> kadens <hyppighet>                    (cadence)
    kontrollpunkt <avtalenr> <kode> pause | fortsett | fjern              (resume, remove)

Works in a 1:1 chat and in a channel with an @mention. Only members of the procurement team may
edit: the service checks it (and audits every change); the reply says what changed and the
next due dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.conversation import formatting
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from followup.calendar.cadence import describe_cadence, parse_cadence
from followup.calendar.workdays import oslo_today
from followup.errors import InvalidInput
from followup.plans.edits import EditCheckpoint, EditedCheckpoint, PlanEdit, edit_checkpoint
from followup.plans.materialise import due_dates, horizon_end
from followup.ports import UnitOfWork

ADD_WORDS = ("legg til", "add", "ny", "new")
CADENCE_WORDS = frozenset({"kadens", "hyppighet", "frekvens", "cadence", "frequency"})
VERBS = {
    "pause": PlanEdit.PAUSE,
    "pauser": PlanEdit.PAUSE,
    "fortsett": PlanEdit.RESUME,
    "gjenoppta": PlanEdit.RESUME,
    "resume": PlanEdit.RESUME,
    "fjern": PlanEdit.REMOVE,
    "slett": PlanEdit.REMOVE,
    "remove": PlanEdit.REMOVE,
    "delete": PlanEdit.REMOVE,
}
MAX_CADENCE_WORDS = 4
"""A cadence typed after a title without `kadens` (`legg til Statusmøte hvert halvår`)."""
NEXT_DATES = 3


@dataclass(frozen=True, slots=True)
class ParsedEdit:
    reference: str
    edit: PlanEdit
    code: str
    cadence: str | None = None


def _trailing_cadence(words: list[str]) -> tuple[list[str], str | None]:
    """Split `Statusmøte hvert halvår` into the title and a cadence, if the end reads as one."""
    for size in range(min(MAX_CADENCE_WORDS, len(words) - 1), 0, -1):
        candidate = " ".join(words[-size:])
        try:
            parse_cadence(candidate)
        except InvalidInput:
            continue
        return words[:-size], candidate
    return words, None


def parse_edit(rest: str) -> ParsedEdit | None:
    """The edit a `kontrollpunkt` message asks for, or None when it does not say one."""
    words = rest.split()
    if len(words) < 3:
        return None
    reference, words = words[0], words[1:]
    lowered = [w.casefold() for w in words]
    for lead in ADD_WORDS:
        size = len(lead.split())
        if lowered[:size] == lead.split():
            title = words[size:]
            cut = next((i for i, w in enumerate(lowered) if i >= size and w in CADENCE_WORDS), None)
            if cut is not None:
                title, cadence = words[size:cut], " ".join(words[cut + 1 :]) or None
            else:
                title, cadence = _trailing_cadence(title)
            return ParsedEdit(reference, PlanEdit.ADD, " ".join(title), cadence)
    if lowered[-1] in VERBS:
        return ParsedEdit(reference, VERBS[lowered[-1]], " ".join(words[:-1]))
    cut = next((i for i, w in enumerate(lowered) if w in CADENCE_WORDS), None)
    if cut is not None and cut > 0:
        return ParsedEdit(
            reference, PlanEdit.CADENCE, " ".join(words[:cut]), " ".join(words[cut + 1 :])
        )
    return None


class PlanCommands(DomainCommands):
    """`kontrollpunkt` for the procurement team."""

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "kontrollpunkt",
                ("checkpoint",),
                text("command.kontrollpunkt"),
                ("personal", "team"),
                guarded(self.checkpoint),
                procurement_only=True,
                menu_scopes=("team",),  # the personal menu is full; typed there as well
            )
        )

    async def checkpoint(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        parsed = parse_edit(rest)
        if parsed is None:
            return text("checkpoint.usage", locale)

        def work(uow: UnitOfWork) -> EditedCheckpoint:
            person = self._person(uow, request)
            return edit_checkpoint(
                EditCheckpoint(
                    actor_id=person.id,
                    reference=parsed.reference,
                    edit=parsed.edit,
                    code=parsed.code,
                    cadence=parsed.cadence,
                ),
                uow,
                request.now,
                config=self._deps.plan,
                calendar=self._deps.calendar,
            )

        edited = await self._write(work)
        return self._describe(edited, oslo_today(request.now), locale)

    def _describe(self, edited: EditedCheckpoint, today: date, locale: str | None) -> str:
        checkpoint, contract = edited.checkpoint, edited.contract
        cadence = describe_cadence(checkpoint.rrule, locale or "nb")
        values = {"title": checkpoint.title, "reference": contract.reference, "cadence": cadence}
        parts = [text(f"checkpoint.{_KEYS[edited.edit]}", locale, **values)]
        if edited.edit in {PlanEdit.PAUSE, PlanEdit.REMOVE}:
            parts.append(text("checkpoint.dropped", locale, count=edited.calendar.removed))
        else:
            settings = self._deps.plan.calendar
            upcoming = due_dates(
                checkpoint,
                contract,
                today=today,
                until=horizon_end(today, settings),
                rule=settings.non_working_day,
                calendar=self._deps.calendar,
            )[:NEXT_DATES]
            parts.append(
                text(
                    "checkpoint.next_due",
                    locale,
                    dates=", ".join(formatting.due(d, locale) for d in upcoming),
                )
                if upcoming
                else text("checkpoint.no_next", locale)
            )
        parts.append(text("checkpoint.audited", locale))
        return "\n\n".join(parts)


_KEYS = {
    PlanEdit.ADD: "added",
    PlanEdit.CADENCE: "cadence",
    PlanEdit.PAUSE: "paused",
    PlanEdit.RESUME: "resumed",
    PlanEdit.REMOVE: "removed",
}

__all__ = ["ParsedEdit", "PlanCommands", "parse_edit"]
