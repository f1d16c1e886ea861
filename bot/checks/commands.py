"""`risiko` in a 1:1 chat (issue 19): the risk assessment of a contract.

    risiko <avtalenr>                            the form (an Adaptive Card)
    risiko <avtalenr> <lav|middels|høy> fordi …  the level set without the form (typed fallback)
    risiko                                       procurement: contracts never assessed and
                                                 assessments older than 12 months

For the contract's owner, manager and deputy and procurement (others are refused as `analyse`
refuses them). The submitted form (`{"handling": "risikovurdering", …}`) is stored as a new
version; a refused one comes back filled in with what was wrong. The reply says the level and
what changed in the follow-up plan.
"""

from __future__ import annotations

from typing import Any, Final, cast

from bot.checks.cards import (
    COMMENT_FIELD,
    CONTRACT_FIELD,
    FORM_FIELD,
    FORM_VALUE,
    LEVEL_FIELD,
    REASON_FIELD,
    SUGGESTED,
    RiskForm,
    consequence_field,
    entered_values,
    level_word,
    likelihood_field,
    risk_form_card,
)
from bot.checks.dialogs import (
    RISK_DIALOG,
    RISK_WORDS,
    asks_in_chat,
    begin_in_chat,
    in_chat_requested,
)
from bot.conversation import formatting
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import (
    Command,
    CommandRouter,
    FormHandler,
    Reply,
    TurnRequest,
    note_form_stored,
)
from bot.conversation.texts import text
from followup.access import is_procurement
from followup.calendar.workdays import oslo_today
from followup.checks.models import RiskArea, RiskAssessment, RiskSource
from followup.checks.ports import ChecksUnitOfWork
from followup.checks.risk import (
    AssessRisk,
    RiskAssessed,
    RiskOverview,
    RiskRefused,
    assess_risk,
    latest_assessment,
    may_assess,
    read_scores,
    risk_overview,
    suggested_level,
)
from followup.errors import NotAllowed
from followup.models import RiskLevel
from followup.ports import UnitOfWork
from followup.tasks import find_contract

MAX_REFERENCE: Final = 60
LEVEL_WORDS: Final = {
    "lav": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "middels": RiskLevel.MEDIUM,
    "medium": RiskLevel.MEDIUM,
    "høy": RiskLevel.HIGH,
    "hoy": RiskLevel.HIGH,
    "høg": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
}
REASON_LEADS: Final = ("fordi", "begrunnelse", "because", "reason")
OVERVIEW_LINES: Final = 30


def guarded_form(handler: FormHandler) -> FormHandler:
    """`guarded` for a form handler (a value instead of text)."""

    async def run(value: dict[str, Any], request: TurnRequest) -> Reply:
        async def with_value(_rest: str, req: TurnRequest) -> Reply:
            return await handler(value, req)

        return await guarded(with_value)("", request)

    return run


def checks_uow(uow: UnitOfWork) -> ChecksUnitOfWork:
    """The unit of work as the checks see it (storage's unit of work has their repository)."""
    if not hasattr(uow, "risk_assessments"):  # pragma: no cover - storage's has one
        raise TypeError("the unit of work has no risk assessment repository")
    return cast(ChecksUnitOfWork, uow)


def parse_typed(rest: str) -> tuple[str, RiskLevel | None, str]:
    """`<avtalenr> [nivå] [fordi] [begrunnelse]`: the reference, the level and the reason."""
    words = rest.split()
    if not words:
        return "", None, ""
    reference = words[0].strip("«»\"'")
    if len(words) == 1:
        return reference, None, ""
    level = LEVEL_WORDS.get(words[1].strip(".,:;").casefold())
    if level is None:
        return reference, None, " ".join(words[1:])
    reason_words = words[2:]
    if reason_words and reason_words[0].casefold().strip(":") in REASON_LEADS:
        reason_words = reason_words[1:]
    return reference, level, " ".join(reason_words).strip(" :–-")


class RiskCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                RISK_WORDS[0],
                RISK_WORDS[1:],
                text("command.risiko"),
                ("personal",),
                guarded(self.risk),
                in_menu=False,
            )
        )
        router.register_form(FORM_FIELD, FORM_VALUE, guarded_form(self.submitted))

    async def risk(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        if not rest.strip():
            return await self.overview(request)
        reference, level, reason = parse_typed(rest)
        if len(reference) > MAX_REFERENCE:
            return text("risk.usage", locale)
        if asks_in_chat(rest.split()):
            return await self.in_chat(reference, request)
        if level is None and reason:
            return text("risk.usage", locale)
        if level is None:
            form = await self._read(lambda uow: self._form(uow, request, reference))
            return card_reply(risk_form_card(form, locale))
        cmd_reason = reason or None

        def work(uow: UnitOfWork) -> RiskAssessed:
            return self._assess(uow, request, reference, {}, level, cmd_reason, None)

        try:
            assessed = await self._write(work)
        except RiskRefused as error:
            return error_reply(error, locale) + "\n\n" + text("risk.usage", locale)
        return await self._stored(assessed, request)

    async def submitted(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        locale = request.locale
        reference = value.get(CONTRACT_FIELD)
        if not isinstance(reference, str) or not reference.strip():
            return text("risk.usage", locale)
        reference = reference.strip()[:MAX_REFERENCE]
        if in_chat_requested(value):
            return await self.in_chat(reference, request)
        entered = entered_values(value)
        scores = {
            area: (_number(entered.get(consequence_field(area))),
                   _number(entered.get(likelihood_field(area))))
            for area in RiskArea
        }  # fmt: skip
        chosen_word = entered.get(LEVEL_FIELD, SUGGESTED)
        chosen = None if chosen_word == SUGGESTED else _level(chosen_word)

        def work(uow: UnitOfWork) -> RiskAssessed:
            return self._assess(
                uow,
                request,
                reference,
                scores,
                chosen,
                entered.get(REASON_FIELD),
                entered.get(COMMENT_FIELD),
            )

        try:
            assessed = await self._write(work)
        except RiskRefused as error:
            problem = error_reply(_area_named(error, locale), locale)
            problem += " " + text("risk.not_stored", locale)

            def refill(uow: UnitOfWork) -> RiskForm:
                form = self._form(uow, request, reference)
                suggestion = _suggestion(scores)
                return RiskForm(
                    form.reference,
                    form.title,
                    form.level,
                    form.source,
                    values=entered,
                    problem=problem,
                    suggested=suggestion,
                )

            return card_reply(risk_form_card(await self._read(refill), locale))
        return await self._stored(assessed, request)

    async def in_chat(self, reference: str, request: TurnRequest) -> Reply:
        """The form as a dialog in the chat, from the latest assessment's scores."""
        form = await self._read(lambda uow: self._form(uow, request, reference))
        locale = request.locale
        heading = text("checks.dialog.risk.heading", locale, reference=form.reference)
        return begin_in_chat(RISK_DIALOG, FORM_VALUE, form.reference, heading, form.values, locale)

    async def overview(self, request: TurnRequest) -> Reply:
        locale = request.locale

        def read(uow: UnitOfWork) -> RiskOverview:
            person = self._person(uow, request)
            procurement = is_procurement(person, self._deps.procurement_addresses)
            return risk_overview(checks_uow(uow), request.now, procurement=procurement)

        found = await self._read(read)
        if not found.never and not found.stale:
            return text("risk.overview.none", locale)
        parts = [f"**{text('risk.overview.title', locale)}**"]
        if found.never:
            parts.append(text("risk.overview.never", locale, count=len(found.never)))
            parts.append(
                "\n".join(
                    "- "
                    + text(
                        "risk.overview.line",
                        locale,
                        reference=echo(d.reference),
                        title=echo(d.title),
                        level=level_word(d.risk, locale),
                    )
                    for d in found.never[:OVERVIEW_LINES]
                )
            )
        if found.stale:
            parts.append(text("risk.overview.stale", locale, count=len(found.stale)))
            parts.append(
                "\n".join(
                    "- "
                    + text(
                        "risk.overview.line_dated",
                        locale,
                        reference=echo(d.reference),
                        title=echo(d.title),
                        level=level_word(d.risk, locale),
                        when=formatting.day_month(oslo_today(d.assessed_at), locale, with_year=True)
                        if d.assessed_at
                        else "",
                    )
                    for d in found.stale[:OVERVIEW_LINES]
                )
            )
        parts.append(text("risk.overview.hint", locale))
        return "\n\n".join(parts)

    # --- in a unit of work ------------------------------------------------------------------------

    def _allowed(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> bool:
        """The sender may assess the contract (`NotAllowed` otherwise); whether by procurement."""
        person = self._person(uow, request)
        contract = find_contract(uow, reference)
        procurement = is_procurement(person, self._deps.procurement_addresses)
        if not may_assess(person, contract, procurement=procurement):
            raise NotAllowed(code="risk.not_allowed")
        return procurement

    def _form(self, uow: UnitOfWork, request: TurnRequest, reference: str) -> RiskForm:
        self._allowed(uow, request, reference)
        contract = find_contract(uow, reference)
        latest = latest_assessment(checks_uow(uow), contract)
        return RiskForm(
            contract.reference,
            contract.title,
            contract.risk,
            _source(uow, latest, request.locale),
            values=_values_of(latest),
            suggested=latest.suggested,
        )

    def _assess(
        self,
        uow: UnitOfWork,
        request: TurnRequest,
        reference: str,
        scores: dict[RiskArea, tuple[int | None, int | None]],
        chosen: RiskLevel | None,
        reason: str | None,
        comment: str | None,
    ) -> RiskAssessed:
        procurement = self._allowed(uow, request, reference)
        person = self._person(uow, request)
        return assess_risk(
            AssessRisk(
                actor_id=person.id,
                reference=reference,
                scores=scores if any(c or lk for c, lk in scores.values()) else {},
                chosen=chosen,
                reason=reason,
                comment=comment,
                procurement=procurement,
            ),
            checks_uow(uow),
            request.now,
            config=self._deps.plan,
            calendar=self._deps.calendar,
        )

    def _ladder_change(self, before: RiskLevel, after: RiskLevel, locale: str | None) -> str | None:
        """What the plan's `[ladder]` changes for the contract's reminders and escalations."""
        old, new = self._deps.plan.ladder_for(before), self._deps.plan.ladder_for(after)
        if old == new:
            return None
        return text(
            "risk.plan.ladder",
            locale,
            steps=_days(new, locale),
            before=_days(old, locale),
        )

    async def _stored(self, assessed: RiskAssessed, request: TurnRequest) -> str:
        note_form_stored(request)
        locale = request.locale
        assessment, contract, plan = assessed.assessment, assessed.contract, assessed.plan
        parts = [
            text(
                "risk.stored",
                locale,
                reference=echo(contract.reference),
                version=assessment.version,
                level=level_word(assessment.chosen, locale),
            )
        ]
        if assessment.suggested is not None and assessment.suggested is not assessment.chosen:
            parts.append(
                text(
                    "risk.stored.overruled",
                    locale,
                    level=level_word(assessment.suggested, locale),
                    reason=echo(assessment.reason or ""),
                )
            )
        elif assessment.suggested is not None:
            parts.append(
                text(
                    "risk.stored.suggested", locale, level=level_word(assessment.suggested, locale)
                )
            )
        if not assessed.level_changed:
            parts.append(text("risk.stored.unchanged", locale))
            return "\n\n".join(parts)
        parts.append(
            text(
                "risk.stored.changed",
                locale,
                before=level_word(assessment.previous or contract.risk, locale),
                after=level_word(contract.risk, locale),
            )
        )
        lines = []
        if plan.added:
            lines.append(text("risk.plan.added", locale, titles=_titles(plan.added)))
        if plan.removed:
            lines.append(text("risk.plan.removed", locale, titles=_titles(plan.removed)))
        if plan.cadence_changed:
            lines.append(text("risk.plan.cadence", locale, titles=_titles(plan.cadence_changed)))
        if not lines:
            lines.append(text("risk.plan.same", locale))
        ladder = self._ladder_change(assessment.previous or contract.risk, contract.risk, locale)
        if ladder:
            lines.append(ladder)
        if plan.follow_ups_added or plan.follow_ups_removed:
            lines.append(
                text(
                    "risk.plan.follow_ups",
                    locale,
                    added=plan.follow_ups_added,
                    removed=plan.follow_ups_removed,
                )
            )
        parts.append("\n".join(f"- {line}" for line in lines))
        return "\n\n".join(parts)


def _days(offsets: list[int], locale: str | None) -> str:
    return formatting.listing([str(n) for n in offsets], locale)


def _titles(titles: tuple[str, ...]) -> str:
    return ", ".join(f"«{echo(t)}»" for t in sorted(titles))


def _number(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip()[:2])


def _level(word: str) -> RiskLevel | None:
    try:
        return RiskLevel(word)
    except ValueError:
        return None


def _suggestion(scores: dict[RiskArea, tuple[int | None, int | None]]) -> RiskLevel | None:
    """The suggestion of a refused form, when its scores are all there and on the scale."""
    try:
        return suggested_level(read_scores(scores))
    except RiskRefused:
        return None


def _area_named(error: RiskRefused, locale: str | None) -> RiskRefused:
    """The refusal with its area as the form names it (not its code)."""
    area = error.values.get("area")
    if isinstance(area, str):
        error.values["area"] = text(f"risk.area.{area}", locale)
    return error


def _values_of(latest: RiskAssessment) -> dict[str, str]:
    """The latest version's scores, to start the form from."""
    values: dict[str, str] = {}
    for score in latest.scores:
        values[consequence_field(score.area)] = str(score.consequence)
        values[likelihood_field(score.area)] = str(score.likelihood)
    return values


def _source(uow: UnitOfWork, latest: RiskAssessment, locale: str | None) -> str:
    if latest.source is RiskSource.REGISTER or latest.assessed_at is None:
        return text("risk.form.source.register", locale)
    person = uow.people.get(latest.assessed_by_id) if latest.assessed_by_id else None
    return text(
        "risk.form.source.chat",
        locale,
        when=formatting.day_month(oslo_today(latest.assessed_at), locale, with_year=True),
        who=echo(person.display_name) if person else "?",
    )


__all__ = ["RiskCommands", "parse_typed"]
