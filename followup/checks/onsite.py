"""On-site checks (*stedlig kontroll*, issue 19, item 2).

Who: the contract's owner, manager and deputy, and procurement (as the risk assessment:
`followup.checks.risk.may_assess`). What: the day, the place, who took part, how many worked on
site, how many HMS-kort were checked and how many of those were missing or not valid, whether
the contractor's crew list matched (yes / no / not checked), and notes.

The rules (`check_onsite`): a day not in the future and not more than `MAX_DAYS_BACK` days back;
0 ≤ without card ≤ cards checked ≤ workers ≤ `MAX_WORKERS`; texts of bounded length.

Every check is a new record, numbered from 1 per contract and never changed, with an audit
event (`onsite.recorded`). In the same step, when asked, the findings become a deviation
(`followup.deviations.services.report_deviation`): a *seriøsitetsavvik* when cards were missing
or the crew list did not match (DOMAIN.md: HMS-kort belongs there), an *HMS-avvik* otherwise.

A check answers the contract's open on-site follow-up (a checkpoint of kind `onsite` in the plan
file, `followup.plans.plan_file.TemplateKind.ONSITE`) due no later than `AHEAD_DAYS` after the
check: with the deviation when one was registered (the deviation answers it), else with a
documentation answer whose text sums up the check, as an upload would. Photos and documents sent
in the chat afterwards attach to that follow-up as any upload does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from followup.answers.services import RecordAnswer, clean_text, record_answer
from followup.calendar.workdays import oslo_today
from followup.checks.onsite_models import MAX_WORKERS, CrewList, OnsiteCheck
from followup.checks.ports import ChecksUnitOfWork
from followup.deviations.services import (
    DeviationAlertRenderer,
    DeviationReported,
    ReportDeviation,
    answer_target,
    report_deviation,
)
from followup.errors import NotAllowed, Refused
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    Answer,
    AnswerKind,
    AuditEvent,
    CheckpointStatus,
    Contract,
    DeviationCategory,
    FollowUp,
    Severity,
)
from followup.tasks import find_contract

MAX_DAYS_BACK: Final = 366
MAX_SHORT: Final = 300
"""Characters of the place and of who took part."""
MAX_NOTES: Final = 4_000
AHEAD_DAYS: Final = 31
"""A check answers an open on-site follow-up due at most this many days after it."""


class OnsiteRefusal(StrEnum):
    """Why a check is refused: the text catalogue's codes."""

    NOT_ALLOWED = "onsite.not_allowed"
    DATE_MISSING = "onsite.date_missing"
    DATE_FUTURE = "onsite.date_future"
    DATE_OLD = "onsite.date_old"
    NUMBER_MISSING = "onsite.number_missing"
    NUMBER_INVALID = "onsite.number_invalid"
    CARDS_OVER_WORKERS = "onsite.cards_over_workers"
    WITHOUT_OVER_CARDS = "onsite.without_over_cards"
    TOO_LONG = "onsite.too_long"
    SEVERITY_UNKNOWN = "onsite.severity_unknown"


class OnsiteRefused(Refused):
    """A check refused; nothing is stored."""


def may_check(person_id: str, contract: Contract, *, procurement: bool) -> bool:
    return procurement or person_id in (contract.owner_id, contract.manager_id, contract.deputy_id)


def deviation_category(check: OnsiteCheck) -> DeviationCategory:
    """*Seriøsitetsavvik* when cards were missing or the crew list did not match, else HMS."""
    return DeviationCategory.INTEGRITY if check.findings else DeviationCategory.HSE


@dataclass(frozen=True, slots=True)
class RecordOnsite:
    """`actor_id` records an on-site check of contract `reference`. Numbers as entered (None:
    missing). `deviation` set: register a deviation of that severity in the same step."""

    actor_id: str
    reference: str
    checked_on: date | None
    workers: int | None
    cards_checked: int | None
    without_card: int | None
    crew_list: CrewList = CrewList.NOT_CHECKED
    place: str | None = None
    participants: str | None = None
    notes: str | None = None
    deviation: Severity | str | None = None
    procurement: bool = False
    source_activity_id: str | None = None
    source_channel_id: str | None = None
    source_conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedOnsite:
    checked_on: date
    workers: int
    cards_checked: int
    without_card: int
    place: str | None
    participants: str | None
    notes: str | None
    severity: Severity | None


@dataclass(frozen=True, slots=True)
class OnsiteRecorded:
    contract: Contract
    check: OnsiteCheck
    deviation: DeviationReported | None
    answer: Answer | None


def _number(value: int | None, field: str) -> int:
    if value is None:
        raise OnsiteRefused(OnsiteRefusal.NUMBER_MISSING, field=field)
    if not 0 <= value <= MAX_WORKERS:
        raise OnsiteRefused(OnsiteRefusal.NUMBER_INVALID, field=field)
    return value


def _short(value: str | None, limit: int) -> str | None:
    cleaned = clean_text(value)
    if cleaned is not None and len(cleaned) > limit:
        raise OnsiteRefused(OnsiteRefusal.TOO_LONG)
    return cleaned or None


def check_onsite(cmd: RecordOnsite, today: date) -> CheckedOnsite:
    """The command's values once checked (see the module docstring); `OnsiteRefused` if it
    cannot be stored (before anything is read or written)."""
    if cmd.checked_on is None:
        raise OnsiteRefused(OnsiteRefusal.DATE_MISSING)
    if cmd.checked_on > today:
        raise OnsiteRefused(OnsiteRefusal.DATE_FUTURE)
    if cmd.checked_on < today - timedelta(days=MAX_DAYS_BACK):
        raise OnsiteRefused(OnsiteRefusal.DATE_OLD)
    workers = _number(cmd.workers, "workers")
    cards = _number(cmd.cards_checked, "cards_checked")
    without = _number(cmd.without_card, "without_card")
    if cards > workers:
        raise OnsiteRefused(OnsiteRefusal.CARDS_OVER_WORKERS)
    if without > cards:
        raise OnsiteRefused(OnsiteRefusal.WITHOUT_OVER_CARDS)
    severity: Severity | None = None
    if cmd.deviation is not None:
        try:
            severity = Severity(cmd.deviation)
        except ValueError:
            raise OnsiteRefused(OnsiteRefusal.SEVERITY_UNKNOWN) from None
    return CheckedOnsite(
        checked_on=cmd.checked_on,
        workers=workers,
        cards_checked=cards,
        without_card=without,
        place=_short(cmd.place, MAX_SHORT),
        participants=_short(cmd.participants, MAX_SHORT),
        notes=_short(cmd.notes, MAX_NOTES),
        severity=severity,
    )


def summary(check: OnsiteCheck) -> str:
    """One Norwegian line for the answer's and the deviation's text (stored, not translated)."""
    crew = {
        CrewList.MATCHES: "mannskapslisten stemte",
        CrewList.DIFFERS: "mannskapslisten stemte ikke",
        CrewList.NOT_CHECKED: "mannskapslisten ikke kontrollert",
    }[check.crew_list]
    line = (
        f"Stedlig kontroll {check.checked_on:%d.%m.%Y}"
        + (f" ({check.place})" if check.place else "")
        + f": {check.workers} arbeidere, {check.cards_checked} HMS-kort kontrollert, "
        f"{check.without_card} uten gyldig HMS-kort, {crew}."
    )
    return f"{line} {check.notes}" if check.notes else line


def open_onsite_follow_up(
    uow: ChecksUnitOfWork, contract: Contract, onsite_codes: Collection[str], day: date
) -> FollowUp | None:
    """The contract's earliest open follow-up of an on-site checkpoint due at most
    `AHEAD_DAYS` after `day` (and at most `MAX_DAYS_BACK` days before it)."""
    checkpoints = {
        c.id
        for c in uow.checkpoints.for_contracts([contract.id])
        if c.code in onsite_codes and c.status is CheckpointStatus.ACTIVE
    }
    if not checkpoints:
        return None
    follow_ups = uow.follow_ups.for_contracts_between(
        [contract.id], day - timedelta(days=MAX_DAYS_BACK), day + timedelta(days=AHEAD_DAYS)
    )
    open_ones = [
        f for f in follow_ups if f.checkpoint_id in checkpoints and f.state in OPEN_FOLLOW_UP_STATES
    ]
    return min(open_ones, key=lambda f: f.due_date) if open_ones else None


def record_onsite(
    cmd: RecordOnsite,
    uow: ChecksUnitOfWork,
    now: datetime,
    *,
    onsite_codes: Collection[str],
    alert_renderer: DeviationAlertRenderer,
) -> OnsiteRecorded:
    """Store the check, register its deviation when asked and answer the open on-site
    follow-up (see the module docstring). The caller commits."""
    contract = find_contract(uow, cmd.reference)
    person = uow.people.get(cmd.actor_id)
    if person is None or not may_check(person.id, contract, procurement=cmd.procurement):
        raise NotAllowed("not the contract's", code=OnsiteRefusal.NOT_ALLOWED.value)
    checked = check_onsite(cmd, oslo_today(now))
    latest = uow.onsite_checks.latest(contract.id)
    follow_up = open_onsite_follow_up(uow, contract, onsite_codes, checked.checked_on)
    target = answer_target(uow, follow_up, person, now)
    check = OnsiteCheck(
        contract_id=contract.id,
        number=(latest.number if latest else 0) + 1,
        checked_on=checked.checked_on,
        place=checked.place,
        participants=checked.participants,
        workers=checked.workers,
        cards_checked=checked.cards_checked,
        without_card=checked.without_card,
        crew_list=cmd.crew_list,
        notes=checked.notes,
        recorded_by_id=person.id,
        recorded_at=now,
        follow_up_id=target.follow_up.id if target else None,
    )
    deviation: DeviationReported | None = None
    answer: Answer | None = None
    if checked.severity is not None:
        deviation = report_deviation(
            ReportDeviation(
                person_id=person.id,
                category=deviation_category(check),
                severity=checked.severity,
                occurred_on=check.checked_on,
                description=summary(check)[:MAX_NOTES],
                contract_id=contract.id,
                follow_up_id=target.follow_up.id if target else None,
                source_activity_id=cmd.source_activity_id,
                source_channel_id=cmd.source_channel_id,
                source_conversation_id=cmd.source_conversation_id,
            ),
            uow,
            now,
            alert_renderer=alert_renderer,
        )
        answer = deviation.answer
        check = check.model_copy(update={"deviation_id": deviation.deviation.id})
    elif target is not None:
        answer = record_answer(
            RecordAnswer(
                target.follow_up.id,
                AnswerKind.DOCUMENTS,
                person.id,
                text=summary(check),
                source_activity_id=cmd.source_activity_id,
                source_channel_id=cmd.source_channel_id,
                source_conversation_id=cmd.source_conversation_id,
            ),
            uow,
            now,
            target=target,
        ).answer
    if answer is None:
        check = check.model_copy(update={"follow_up_id": None})
    uow.onsite_checks.add(check)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{person.id}",
            action="onsite.recorded",
            entity="contract",
            entity_id=contract.id,
            after=audited(check),
        )
    )
    return OnsiteRecorded(contract, check, deviation, answer)


def audited(check: OnsiteCheck) -> dict[str, object]:
    return {
        "id": check.id,
        "number": check.number,
        "checked_on": check.checked_on.isoformat(),
        "place": check.place,
        "participants": check.participants,
        "workers": check.workers,
        "cards_checked": check.cards_checked,
        "without_card": check.without_card,
        "crew_list": check.crew_list.value,
        "notes": check.notes,
        "deviation_id": check.deviation_id,
        "follow_up_id": check.follow_up_id,
    }


__all__ = [
    "AHEAD_DAYS",
    "CheckedOnsite",
    "CrewList",
    "OnsiteCheck",
    "OnsiteRecorded",
    "OnsiteRefusal",
    "OnsiteRefused",
    "RecordOnsite",
    "audited",
    "check_onsite",
    "deviation_category",
    "may_check",
    "open_onsite_follow_up",
    "record_onsite",
    "summary",
]
