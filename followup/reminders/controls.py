"""What a person controls about their reminders: snooze one follow-up, pause or resume them
all, and how many a day. Every change is audited.

Which follow-up a typed `utsett <avtalenr> <dato>` is about is chosen as for a typed answer
(`followup.answers.targets.choose_follow_up`, with the action `utsett`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from followup import lifecycle
from followup.absence import responsible_person
from followup.calendar.workdays import WorkingCalendar, oslo_datetime, oslo_today
from followup.errors import FollowUpError, NotFound
from followup.models import (
    AuditEvent,
    Checkpoint,
    Contract,
    FollowUp,
    Person,
)
from followup.ports import UnitOfWork
from followup.reminders.planning import ReminderSettings

MAX_SNOOZE_DAYS: Final = 366
MAX_REMINDERS_PER_DAY: Final = 10


class SnoozeRefused(FollowUpError):
    pass


@dataclass(frozen=True, slots=True)
class Snoozed:
    follow_up: FollowUp
    contract: Contract
    checkpoint: Checkpoint
    until: date
    overdue: bool
    """The new date is after the due date: it shows as overdue until answered."""
    due_passed: bool = False
    """The due date was already past when it was snoozed (else it is still ahead)."""


def may_answer(uow: UnitOfWork, person: Person, contract: Contract, today: date) -> bool:
    """The owner, whoever answers for them today, and the contract's deputy and manager."""
    if person.id in (contract.owner_id, contract.deputy_id, contract.manager_id):
        return True
    owner = uow.people.get(contract.owner_id) if contract.owner_id else None
    absences = uow.absences.for_people([contract.owner_id], today) if contract.owner_id else ()
    return responsible_person(contract, owner, absences, today) == person.id


def person_may_answer(uow: UnitOfWork, person_id: str, contract: Contract, today: date) -> bool:
    """`may_answer` for a person named by id (a card's data); False for an unknown id."""
    person = uow.people.get(person_id)
    return person is not None and may_answer(uow, person, contract, today)


def snooze_follow_up(
    uow: UnitOfWork,
    person: Person,
    follow_up_id: str,
    until: date,
    now: datetime,
    *,
    calendar: WorkingCalendar,
    settings: ReminderSettings | None = None,
) -> Snoozed:
    """Put off the next reminder of a follow-up to the send window on `until` (or the next
    working day). The ladder step stays: that step is taken then."""
    settings = settings or ReminderSettings()
    today = oslo_today(now)
    found = uow.follow_ups.get_many([follow_up_id]).get(follow_up_id)
    contract = uow.contracts.get(found.contract_id) if found else None
    if found is None or contract is None:
        raise NotFound("no such follow-up", code="follow_up.not_found")
    if not may_answer(uow, person, contract, today):
        raise SnoozeRefused("not the person's follow-up", code="follow_up.not_yours")
    if not lifecycle.allows(lifecycle.Event.SNOOZED, found.state):
        raise SnoozeRefused("follow-up closed", code="follow_up.closed")
    check_snooze_date(until, today)
    checkpoint = next(
        (c for c in uow.checkpoints.for_contracts([contract.id]) if c.id == found.checkpoint_id),
        None,
    )
    if checkpoint is None:
        raise NotFound("no such checkpoint", code="follow_up.not_found")
    at = oslo_datetime(calendar.working_day_on_or_after(until), settings.window_start)
    snoozed = lifecycle.snooze(found, at)
    uow.follow_ups.reschedule([lifecycle.schedule_change(snoozed)])
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{person.id}",
            action="follow_up.snoozed",
            entity="follow_up",
            entity_id=found.id,
            before={"state": found.state.value, "next_action_at": _iso(found.next_action_at)},
            after={"state": snoozed.state.value, "next_action_at": at.isoformat()},
        )
    )
    return Snoozed(
        snoozed,
        contract,
        checkpoint,
        until,
        overdue=until > found.due_date,
        due_passed=found.due_date < today,
    )


def check_snooze_date(until: date, today: date) -> None:
    """Raises `SnoozeRefused` unless `until` is after today and at most `MAX_SNOOZE_DAYS` on
    (checked before a person is asked which follow-up to snooze, and again on the snooze)."""
    if until <= today:
        raise SnoozeRefused("snooze date not after today", code="follow_up.snooze_past")
    if until > today + timedelta(days=MAX_SNOOZE_DAYS):
        raise SnoozeRefused("snooze date too far", code="follow_up.snooze_too_far")


def set_reminders_paused(uow: UnitOfWork, person: Person, paused: bool, now: datetime) -> bool:
    """Pause or resume; False when it already was so."""
    if person.reminders_paused == paused:
        return False
    _change(uow, person, now, reminders_paused=paused)
    return True


def set_reminders_per_day(uow: UnitOfWork, person: Person, count: int, now: datetime) -> int:
    count = max(1, min(MAX_REMINDERS_PER_DAY, count))
    if person.reminders_per_day != count:
        _change(uow, person, now, reminders_per_day=count)
    return count


def _change(uow: UnitOfWork, person: Person, now: datetime, **values: object) -> None:
    before = {name: getattr(person, name) for name in values}
    updated = person.model_copy(update=values)
    uow.people.update(updated, now)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{person.id}",
            action="person.reminders",
            entity="person",
            entity_id=person.id,
            before=before,
            after=dict(values),
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


__all__ = [
    "MAX_REMINDERS_PER_DAY",
    "SnoozeRefused",
    "Snoozed",
    "check_snooze_date",
    "may_answer",
    "set_reminders_paused",
    "set_reminders_per_day",
    "snooze_follow_up",
]
