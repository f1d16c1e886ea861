"""Deviations (*avvik*): reported by the people of a contract or by procurement, alerted to the
procurement channels when serious, and followed until closed.

Who may report: the contract's owner, deputy and manager, whoever covers for an absent owner
today (`followup.reminders.controls.may_answer`), and members of procurement (`Role.PROCUREMENT`).
A terminated or expired contract still takes deviations: defects, claims and damages often
come to light after the end (*reklamasjon* must come within reasonable time of discovery).

Validation (`DeviationRefused` with a reason code): a known contract (by id or reference, or
the follow-up's), a category, severity and remedy from the lists, a description of 1 to
`MAX_DESCRIPTION` characters once cleaned (kept as plain text: markup is not interpreted), a
date not in the future (Oslo), not more than `MAX_YEARS_BACK` years back and not more than
`CONTRACT_START_SLACK_DAYS` before the contract started.

A deviation reported from a follow-up also answers it (kind DEVIATION, a new answer version;
the follow-up becomes DEVIATION_REPORTED) when the reporter may answer it now (see
`followup.answers.services`); otherwise (procurement, an ended contract, a skipped follow-up) the
deviation is only linked to it. A report is idempotent on its source activity, in its
conversation (`followup.answers.services.SourceKey`: the same message id from another
conversation is another person's report).

High and critical deviations go to every procurement channel at once: in the same transaction
one outbox `Delivery` (kind DEVIATION) per channel, rendered by a `DeviationAlertRenderer`; the
outbox sender sends them like any other delivery.

Status: open → in progress → closed, back to open from either (a reopened deviation), with who
and when (`updated_by_id`, `updated_at`; `closed_by_id`, `closed_at` while closed) and an audit
event for every change (`deviation_history`). Procurement and the contract's owner and manager
may change it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol, TypeVar

from followup.answers.services import (
    AnswerRefused,
    AnswerTarget,
    RecordAnswer,
    SourceKey,
    answer_closed_reason,
    clean_text,
    find_answer_target,
    record_answer,
    source_key,
)
from followup.calendar.workdays import oslo_today
from followup.deviations.codes import code_year, format_code
from followup.errors import Refused
from followup.models import (
    Answer,
    AnswerKind,
    AuditEvent,
    Checkpoint,
    Contract,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    Person,
    Remedy,
    Role,
    Severity,
    Supplier,
)
from followup.ports import OutgoingMessage, UnitOfWork
from followup.reminders.channel_guard import naming_contracts
from followup.reminders.controls import may_answer
from followup.reminders.planning import message_json

E = TypeVar("E", bound=StrEnum)

MAX_DESCRIPTION: Final = 4_000
MAX_NOTE: Final = 2_000
MAX_YEARS_BACK: Final = 5
CONTRACT_START_SLACK_DAYS: Final = 90
MAX_OPEN_LISTED: Final = 200

ALERT_SEVERITIES: Final = frozenset({Severity.HIGH, Severity.CRITICAL})
"""Deviations of these severities are posted to the procurement channels at once."""

# --- words -----------------------------------------------------------------------------------

SANCTION_LADDER: Final[tuple[tuple[Remedy, ...], ...]] = (
    (Remedy.NOTICE,),
    (Remedy.CORRECTION, Remedy.REDELIVERY, Remedy.PRICE_REDUCTION),
    (Remedy.ACTION_PLAN,),
    (Remedy.DAILY_PENALTY, Remedy.WITHHOLDING),
    (Remedy.DAMAGES,),
    (Remedy.TERMINATION,),
)
"""The ladder's steps, mildest first; the remedies on one step are alternatives. Not renewing
(`Remedy.NO_RENEWAL`) is the quiet sanction beside the ladder."""

TRANSITIONS: Final[Mapping[DeviationStatus, frozenset[DeviationStatus]]] = {
    DeviationStatus.OPEN: frozenset({DeviationStatus.IN_PROGRESS, DeviationStatus.CLOSED}),
    DeviationStatus.IN_PROGRESS: frozenset({DeviationStatus.OPEN, DeviationStatus.CLOSED}),
    DeviationStatus.CLOSED: frozenset({DeviationStatus.OPEN}),
}


def sanction_step(remedy: Remedy) -> int | None:
    """The remedy's step on the ladder (1 = mildest), None for the quiet sanction."""
    for step, remedies in enumerate(SANCTION_LADDER, start=1):
        if remedy in remedies:
            return step
    return None


# --- refusals --------------------------------------------------------------------------------


class DeviationRefusal(StrEnum):
    """Why a deviation report or change was refused; the value is the code for the bot's
    text catalogue."""

    UNKNOWN_CONTRACT = "deviation.unknown_contract"
    UNKNOWN_FOLLOW_UP = "deviation.unknown_follow_up"
    FOLLOW_UP_MISMATCH = "deviation.follow_up_mismatch"
    """The follow-up given belongs to another contract than the one given."""
    UNKNOWN_DEVIATION = "deviation.unknown"
    NOT_ALLOWED = "deviation.not_allowed"
    UNKNOWN_CATEGORY = "deviation.unknown_category"
    UNKNOWN_SEVERITY = "deviation.unknown_severity"
    UNKNOWN_REMEDY = "deviation.unknown_remedy"
    UNKNOWN_STATUS = "deviation.unknown_status"
    DESCRIPTION_MISSING = "deviation.description_missing"
    DESCRIPTION_TOO_LONG = "deviation.description_too_long"
    """values: length, limit"""
    NOTE_TOO_LONG = "deviation.note_too_long"
    """values: length, limit"""
    DATE_IN_FUTURE = "deviation.date_in_future"
    DATE_TOO_OLD = "deviation.date_too_old"
    """values: years"""
    DATE_BEFORE_CONTRACT = "deviation.date_before_contract"
    """values: start (ISO date)"""
    INVALID_TRANSITION = "deviation.invalid_transition"
    """values: from_status, to_status"""


class DeviationRefused(Refused):
    reason: DeviationRefusal

    def __init__(self, reason: DeviationRefusal, message: str = "", **values: object) -> None:
        super().__init__(reason, message, **values)


# --- the alert -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviationAlert:
    deviation: Deviation
    contract: Contract
    supplier: Supplier | None
    reporter: Person
    follow_up: FollowUp | None
    checkpoint: Checkpoint | None


class DeviationAlertRenderer(Protocol):
    """Turns a serious deviation into a message for the procurement channels (the edge)."""

    def deviation_alert(self, alert: DeviationAlert) -> OutgoingMessage: ...


# --- reporting -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviationReported:
    deviation: Deviation
    created: bool
    """False: this activity's deviation was already stored, and is what came back."""
    contract: Contract
    answer: Answer | None
    """The DEVIATION answer recorded on the follow-up, if one was."""
    alerts: int
    """Outbox deliveries queued to procurement channels."""


@dataclass(frozen=True, slots=True)
class ReportDeviation:
    """`person_id` reports a deviation on a contract (by id or reference) or a follow-up, from
    the activity `source_activity_id` in the conversation `source_conversation_id` of the
    channel `source_channel_id` (the report is idempotent on the three)."""

    person_id: str
    category: DeviationCategory | str
    severity: Severity | str
    occurred_on: date
    description: str
    contract_id: str | None = None
    contract_reference: str | None = None
    follow_up_id: str | None = None
    remedy: Remedy | str | None = None
    source_activity_id: str | None = None
    source_channel_id: str | None = None
    source_conversation_id: str | None = None


def report_deviation(
    cmd: ReportDeviation,
    uow: UnitOfWork,
    now: datetime,
    *,
    alert_renderer: DeviationAlertRenderer,
) -> DeviationReported:
    """Record a deviation (see the module docstring); raises `DeviationRefused`. The caller
    commits (after a concurrent report of the same activity, this one is rolled back here)."""
    parsed_category = _parse(DeviationCategory, cmd.category, DeviationRefusal.UNKNOWN_CATEGORY)
    parsed_severity = _parse(Severity, cmd.severity, DeviationRefusal.UNKNOWN_SEVERITY)
    parsed_remedy = _parse_remedy(cmd.remedy)
    text = checked_description(cmd.description)
    today = oslo_today(now)
    key = source_key(cmd.source_activity_id, cmd.source_channel_id, cmd.source_conversation_id)
    contract, follow_up = contract_of(
        uow, cmd.contract_id, cmd.contract_reference, cmd.follow_up_id
    )
    person = uow.people.get(cmd.person_id)
    if person is None or not may_report(uow, person, contract, today):
        raise DeviationRefused(DeviationRefusal.NOT_ALLOWED, reference=contract.reference)
    if key is not None:
        existing = uow.deviations.by_source_activity(key.conversation, key.activity)
        if existing is not None:
            return _replayed(uow, existing, key)
    check_date(cmd.occurred_on, today, contract)
    year = code_year(now)
    deviation = Deviation(
        code=format_code(year, uow.deviations.next_serial(year)),
        contract_id=contract.id,
        follow_up_id=follow_up.id if follow_up else None,
        category=parsed_category,
        severity=parsed_severity,
        occurred_on=cmd.occurred_on,
        description=text,
        remedy=parsed_remedy,
        reported_by_id=person.id,
        reported_at=now,
        source_activity_id=key.activity if key else None,
        source_conversation=key.conversation if key else "",
    )
    target = answer_target(uow, follow_up, person, now)
    answer: Answer | None = None
    if target is not None:
        recorded = record_answer(
            RecordAnswer(
                target.follow_up.id,
                AnswerKind.DEVIATION,
                person.id,
                source_activity_id=cmd.source_activity_id,
                source_channel_id=cmd.source_channel_id,
                source_conversation_id=cmd.source_conversation_id,
            ),
            uow,
            now,
            target=target,
        )
        if not recorded.created:
            uow.rollback()
            return _replayed_after_race(uow, key)
        answer = recorded.answer
    stored, created = uow.deviations.add(deviation)
    if not created:
        uow.rollback()
        return _replayed_after_race(uow, key)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{person.id}",
            action="deviation.reported",
            entity="deviation",
            entity_id=stored.id,
            after={
                "code": stored.code,
                "contract_id": contract.id,
                "follow_up_id": stored.follow_up_id,
                "category": stored.category.value,
                "severity": stored.severity.value,
                "occurred_on": stored.occurred_on.isoformat(),
                "remedy": stored.remedy.value if stored.remedy else None,
                "status": stored.status.value,
                "answer_id": answer.id if answer else None,
            },
        )
    )
    alerts = 0
    if stored.severity in ALERT_SEVERITIES:
        checkpoint = target.checkpoint if target else checkpoint_of(uow, follow_up)
        alerts = _queue_alerts(
            uow, stored, contract, person, follow_up, checkpoint, now, alert_renderer
        )
    return DeviationReported(stored, True, contract, answer, alerts)


def _parse(kind: type[E], value: E | str, reason: DeviationRefusal) -> E:
    try:
        return kind(value)
    except ValueError:
        raise DeviationRefused(reason, value=str(value)[:40]) from None


def _parse_remedy(remedy: Remedy | str | None) -> Remedy | None:
    if remedy is None or (isinstance(remedy, str) and not remedy.strip()):
        return None
    return _parse(Remedy, remedy, DeviationRefusal.UNKNOWN_REMEDY)


def checked_description(description: str) -> str:
    text = clean_text(description)
    if text is None:
        raise DeviationRefused(DeviationRefusal.DESCRIPTION_MISSING)
    if len(text) > MAX_DESCRIPTION:
        raise DeviationRefused(
            DeviationRefusal.DESCRIPTION_TOO_LONG, length=len(text), limit=MAX_DESCRIPTION
        )
    return text


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_date(occurred_on: date, today: date, contract: Contract) -> None:
    if occurred_on > today:
        raise DeviationRefused(DeviationRefusal.DATE_IN_FUTURE)
    if occurred_on < _years_before(today, MAX_YEARS_BACK):
        raise DeviationRefused(DeviationRefusal.DATE_TOO_OLD, years=MAX_YEARS_BACK)
    if contract.start_date is not None and occurred_on < contract.start_date - timedelta(
        days=CONTRACT_START_SLACK_DAYS
    ):
        raise DeviationRefused(
            DeviationRefusal.DATE_BEFORE_CONTRACT, start=contract.start_date.isoformat()
        )


def contract_of(
    uow: UnitOfWork,
    contract_id: str | None,
    contract_reference: str | None,
    follow_up_id: str | None,
) -> tuple[Contract, FollowUp | None]:
    named: Contract | None = None
    if contract_id:
        named = uow.contracts.get(contract_id)
    elif contract_reference and contract_reference.strip():
        named = uow.contracts.by_reference(contract_reference.strip())
    if (contract_id or contract_reference) and named is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
    if not follow_up_id:
        if named is None:
            raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
        return named, None
    follow_up = uow.follow_ups.get_many([follow_up_id]).get(follow_up_id)
    if follow_up is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_FOLLOW_UP)
    if named is not None and named.id != follow_up.contract_id:
        raise DeviationRefused(DeviationRefusal.FOLLOW_UP_MISMATCH)
    contract = named or uow.contracts.get(follow_up.contract_id)
    if contract is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
    return contract, follow_up


def may_report(uow: UnitOfWork, person: Person, contract: Contract, today: date) -> bool:
    return Role.PROCUREMENT in person.roles or may_answer(uow, person, contract, today)


def answer_target(
    uow: UnitOfWork, follow_up: FollowUp | None, person: Person, now: datetime
) -> AnswerTarget | None:
    """The follow-up to answer with this deviation, if the person may answer it now."""
    if follow_up is None:
        return None
    try:
        target = find_answer_target(uow, follow_up.id, person.id, now)
    except AnswerRefused:
        return None
    return target if answer_closed_reason(target) is None else None


def checkpoint_of(uow: UnitOfWork, follow_up: FollowUp | None) -> Checkpoint | None:
    if follow_up is None:
        return None
    return next(
        (
            c
            for c in uow.checkpoints.for_contracts([follow_up.contract_id])
            if c.id == follow_up.checkpoint_id
        ),
        None,
    )


def _replayed(uow: UnitOfWork, deviation: Deviation, key: SourceKey) -> DeviationReported:
    contract = uow.contracts.get(deviation.contract_id)
    if contract is None:  # pragma: no cover - a deviation's contract is a foreign key
        raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
    answer = uow.answers.by_source_activity(key.conversation, key.activity)
    return DeviationReported(deviation, False, contract, answer, 0)


def _replayed_after_race(uow: UnitOfWork, key: SourceKey | None) -> DeviationReported:
    existing = uow.deviations.by_source_activity(key.conversation, key.activity) if key else None
    if existing is None or key is None:  # pragma: no cover - only the source key can collide
        raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
    return _replayed(uow, existing, key)


def _queue_alerts(
    uow: UnitOfWork,
    deviation: Deviation,
    contract: Contract,
    reporter: Person,
    follow_up: FollowUp | None,
    checkpoint: Checkpoint | None,
    now: datetime,
    renderer: DeviationAlertRenderer,
) -> int:
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    # Marked with the contract it names: posted only in channels where every member may see
    # it, decided when it is sent (`followup.reminders.channel_guard`).
    message = message_json(
        naming_contracts(
            renderer.deviation_alert(
                DeviationAlert(deviation, contract, supplier, reporter, follow_up, checkpoint)
            ),
            [contract.id],
        )
    )
    follow_up_ids = [follow_up.id] if follow_up else []
    channels = uow.conversations.procurement_channels()
    if not channels:
        # Recorded, so that the outbox shows an alert nobody could get.
        uow.deliveries.add_many(
            [
                Delivery(
                    kind=DeliveryKind.DEVIATION,
                    follow_up_ids=follow_up_ids,
                    message=message,
                    state=DeliveryState.UNREACHABLE,
                    last_error="ingen innkjøpskanal er registrert",
                    dedupe_key=f"deviation:{deviation.id}",
                    created_at=now,
                )
            ],
            now,
        )
        return 0
    return uow.deliveries.add_many(
        [
            Delivery(
                kind=DeliveryKind.DEVIATION,
                conversation_ref_id=channel.id,
                follow_up_ids=follow_up_ids,
                message=message,
                dedupe_key=f"deviation:{deviation.id}:{channel.id}",
                created_at=now,
            )
            for channel in channels
        ],
        now,
    )


# --- life ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviationUpdated:
    deviation: Deviation
    """After the change."""
    before: Deviation
    changed: bool
    """False: the status and remedy were already so and no note was given; nothing stored."""


@dataclass(frozen=True, slots=True)
class UpdateDeviation:
    """`person_id` moves `deviation_id` to `status`, optionally with a note and a remedy."""

    deviation_id: str
    person_id: str
    status: DeviationStatus | str
    note: str | None = None
    remedy: Remedy | str | None = None


def update_deviation(cmd: UpdateDeviation, uow: UnitOfWork, now: datetime) -> DeviationUpdated:
    """Move a deviation along (open → in progress → closed; reopen to open), optionally with
    a note and a remedy from the ladder (None: the remedy stays). Raises `DeviationRefused`.
    The caller commits."""
    new_status = _parse(DeviationStatus, cmd.status, DeviationRefusal.UNKNOWN_STATUS)
    new_remedy = _parse_remedy(cmd.remedy)
    cleaned = clean_text(cmd.note)
    if cleaned is not None and len(cleaned) > MAX_NOTE:
        raise DeviationRefused(DeviationRefusal.NOTE_TOO_LONG, length=len(cleaned), limit=MAX_NOTE)
    before = uow.deviations.get(cmd.deviation_id)
    if before is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
    contract = uow.contracts.get(before.contract_id)
    person = uow.people.get(cmd.person_id)
    if contract is None or person is None or not _may_update(person, contract):
        raise DeviationRefused(DeviationRefusal.NOT_ALLOWED)
    if new_status is not before.status and new_status not in TRANSITIONS[before.status]:
        raise DeviationRefused(
            DeviationRefusal.INVALID_TRANSITION,
            from_status=before.status.value,
            to_status=new_status.value,
        )
    remedy_after = new_remedy if new_remedy is not None else before.remedy
    if new_status is before.status and remedy_after is before.remedy and cleaned is None:
        return DeviationUpdated(before, before, changed=False)
    changes: dict[str, Any] = {
        "status": new_status,
        "remedy": remedy_after,
        "updated_by_id": person.id,
        "updated_at": now,
    }
    if new_status is DeviationStatus.CLOSED and before.status is not DeviationStatus.CLOSED:
        changes.update(closed_by_id=person.id, closed_at=now)
    elif new_status is not DeviationStatus.CLOSED:
        changes.update(closed_by_id=None, closed_at=None)
    after = before.model_copy(update=changes)
    uow.deviations.update(after)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{person.id}",
            action="deviation.updated",
            entity="deviation",
            entity_id=before.id,
            before={
                "status": before.status.value,
                "remedy": before.remedy.value if before.remedy else None,
            },
            after={
                "status": after.status.value,
                "remedy": after.remedy.value if after.remedy else None,
                "note": cleaned,
            },
        )
    )
    return DeviationUpdated(after, before, changed=True)


def _may_update(person: Person, contract: Contract) -> bool:
    return Role.PROCUREMENT in person.roles or person.id in (
        contract.owner_id,
        contract.manager_id,
    )


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviationView:
    deviation: Deviation
    contract: Contract
    supplier_name: str | None
    reported_by_name: str | None
    updated_by_name: str | None
    closed_by_name: str | None


def deviations_for_contract(
    contract_id: str, person_id: str, uow: UnitOfWork, now: datetime
) -> list[DeviationView]:
    """The contract's deviations, newest first, for those who may report on it."""
    contract = uow.contracts.get(contract_id)
    if contract is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
    _require_reader(uow, person_id, contract, now)
    return _views(uow, uow.deviations.for_contract(contract_id))


def open_deviations_for_person(person_id: str, uow: UnitOfWork) -> list[DeviationView]:
    """Deviations not closed that the person reported or that are on their contracts (owner,
    manager, deputy), newest first."""
    return _views(uow, uow.deviations.open_for_person(person_id))


def open_deviations(
    person_id: str, uow: UnitOfWork, *, limit: int = MAX_OPEN_LISTED
) -> list[DeviationView]:
    """Every deviation not closed, most severe first: procurement only."""
    person = uow.people.get(person_id)
    if person is None or Role.PROCUREMENT not in person.roles:
        raise DeviationRefused(DeviationRefusal.NOT_ALLOWED)
    return _views(uow, uow.deviations.open(limit))


def deviation_history(
    deviation_id: str, person_id: str, uow: UnitOfWork, now: datetime
) -> list[AuditEvent]:
    """Every change to the deviation (reported, updated), oldest first."""
    deviation = uow.deviations.get(deviation_id)
    contract = uow.contracts.get(deviation.contract_id) if deviation else None
    if deviation is None or contract is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
    _require_reader(uow, person_id, contract, now)
    return list(uow.audit.for_entity("deviation", deviation_id))


def _require_reader(uow: UnitOfWork, person_id: str, contract: Contract, now: datetime) -> None:
    person = uow.people.get(person_id)
    if person is None or not may_report(uow, person, contract, oslo_today(now)):
        raise DeviationRefused(DeviationRefusal.NOT_ALLOWED, reference=contract.reference)


def _views(uow: UnitOfWork, deviations: Sequence[Deviation]) -> list[DeviationView]:
    contracts = uow.contracts.get_many({d.contract_id for d in deviations})
    suppliers = uow.suppliers.get_many({c.supplier_id for c in contracts.values() if c.supplier_id})
    people_ids: Collection[str] = {
        p
        for d in deviations
        for p in (d.reported_by_id, d.updated_by_id, d.closed_by_id)
        if p is not None
    }
    people = uow.people.get_many(people_ids)

    def name(person_id: str | None) -> str | None:
        found = people.get(person_id) if person_id else None
        return found.display_name if found else None

    views: list[DeviationView] = []
    for deviation in deviations:
        contract = contracts.get(deviation.contract_id)
        if contract is None:  # pragma: no cover - a foreign key
            continue
        supplier = suppliers.get(contract.supplier_id) if contract.supplier_id else None
        views.append(
            DeviationView(
                deviation=deviation,
                contract=contract,
                supplier_name=supplier.name if supplier else None,
                reported_by_name=name(deviation.reported_by_id),
                updated_by_name=name(deviation.updated_by_id),
                closed_by_name=name(deviation.closed_by_id),
            )
        )
    return views


__all__ = [
    "ALERT_SEVERITIES",
    "CONTRACT_START_SLACK_DAYS",
    "MAX_DESCRIPTION",
    "MAX_NOTE",
    "MAX_YEARS_BACK",
    "SANCTION_LADDER",
    "TRANSITIONS",
    "DeviationAlert",
    "DeviationAlertRenderer",
    "DeviationRefusal",
    "DeviationRefused",
    "DeviationReported",
    "DeviationUpdated",
    "DeviationView",
    "ReportDeviation",
    "UpdateDeviation",
    "deviation_history",
    "deviations_for_contract",
    "open_deviations",
    "open_deviations_for_person",
    "report_deviation",
    "sanction_step",
    "update_deviation",
]
