"""Absence and deputies: who answers a contract's follow-ups on a given day.

While an owner is away, their follow-ups go to a deputy: the one named for that absence, else the
contract's deputy, else the owner's standing deputy, else the contract manager. The contract's
owner stays the owner; answers given by the deputy are recorded "on behalf of" the owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from followup.calendar.workdays import oslo_today
from followup.errors import InvalidInput, NotFound
from followup.models import Absence, AuditEvent, Contract, Person
from followup.ports import UnitOfWork

MAX_ABSENCE_DAYS = 366
MAX_DAYS_AHEAD = 2 * 366


@dataclass(frozen=True, slots=True)
class RegisterAbsence:
    """`person_id` is away from `start` to `end` (inclusive); `deputy_address` covers, if given."""

    person_id: str
    start: date
    end: date
    deputy_address: str | None = None


def absent_on(absences: Iterable[Absence], person_id: str, day: date) -> Absence | None:
    return next((a for a in absences if a.person_id == person_id and a.start <= day <= a.end), None)


def deputy_for(contract: Contract, owner: Person | None, absence: Absence | None) -> str | None:
    """Who covers `contract` while its owner is away (None when the owner is not away)."""
    if absence is None:
        return None
    for candidate in (
        absence.deputy_person_id,
        contract.deputy_id,
        owner.deputy_person_id if owner else None,
        contract.manager_id,
    ):
        if candidate and candidate != contract.owner_id:
            return candidate
    return None


def responsible_person(
    contract: Contract, owner: Person | None, absences: Iterable[Absence], day: date
) -> str | None:
    """Who answers `contract`'s follow-ups on `day`: the owner, or the deputy while away."""
    if contract.owner_id is None:
        return contract.manager_id
    absence = absent_on(absences, contract.owner_id, day)
    return deputy_for(contract, owner, absence) or contract.owner_id


def _person_by_address(uow: UnitOfWork, address: str) -> Person:
    cleaned = address.strip().strip("<>").lower()
    if "@" not in cleaned or len(cleaned) > 320:
        raise InvalidInput("not an e-mail address", code="deputy.bad_address", address=address)
    person = uow.people.find_by_email_or_upn(cleaned)
    if person is None:
        raise NotFound("no such person", code="deputy.unknown", address=cleaned)
    return person


def register_absence(cmd: RegisterAbsence, uow: UnitOfWork, now: datetime) -> Absence:
    """Record an absence; it replaces the person's absences it overlaps. The caller commits."""
    today = oslo_today(now)
    if cmd.end < cmd.start:
        raise InvalidInput("end before start", code="absence.end_before_start")
    if cmd.end < today:
        raise InvalidInput("absence in the past", code="absence.in_past")
    if (cmd.end - cmd.start).days + 1 > MAX_ABSENCE_DAYS:
        raise InvalidInput("absence too long", code="absence.too_long", days=MAX_ABSENCE_DAYS)
    if cmd.start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("absence too far ahead", code="absence.too_far_ahead")
    if uow.people.get(cmd.person_id) is None:
        raise NotFound("no such person", code="person.unknown")
    deputy_id: str | None = None
    if cmd.deputy_address:
        deputy = _person_by_address(uow, cmd.deputy_address)
        if deputy.id == cmd.person_id:
            raise InvalidInput("own deputy", code="deputy.self")
        deputy_id = deputy.id
    for old in uow.absences.for_people([cmd.person_id], cmd.start):
        if old.start <= cmd.end and cmd.start <= old.end:
            uow.absences.remove(old.id)
            uow.audit.append(
                AuditEvent(
                    at=now,
                    actor=cmd.person_id,
                    action="absence.replaced",
                    entity="person",
                    entity_id=cmd.person_id,
                    before=_absence_json(old),
                )
            )
    absence = Absence(
        person_id=cmd.person_id, start=cmd.start, end=cmd.end, deputy_person_id=deputy_id
    )
    uow.absences.add(absence)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=cmd.person_id,
            action="absence.registered",
            entity="person",
            entity_id=cmd.person_id,
            after=_absence_json(absence),
        )
    )
    return absence


@dataclass(frozen=True, slots=True)
class BackFromAbsence:
    """What `end_current_absence` did."""

    ended: tuple[Absence, ...]
    """The absences that were going on, as they were (at most one, unless older data overlaps)."""
    planned: tuple[Absence, ...]
    """The absences still to come, earliest first: they stay, with their deputies."""


def end_current_absence(uow: UnitOfWork, person_id: str, now: datetime) -> BackFromAbsence:
    """The person is back: the absence going on today ends yesterday (one that began today is
    removed). Absences planned for later stay, with their deputies. Each ended absence is
    audited (`absence.ended`). The caller commits."""
    today = oslo_today(now)
    ended: list[Absence] = []
    planned: list[Absence] = []
    for absence in sorted(uow.absences.for_people([person_id], today), key=lambda a: a.start):
        if absence.start > today:
            planned.append(absence)
            continue
        uow.absences.remove(absence.id)
        if absence.start < today:
            shortened = absence.model_copy(update={"end": today - timedelta(days=1)})
            uow.absences.add(shortened)
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=person_id,
                action="absence.ended",
                entity="person",
                entity_id=person_id,
                before=_absence_json(absence),
            )
        )
        ended.append(absence)
    return BackFromAbsence(tuple(ended), tuple(planned))


def current_and_future_absences(uow: UnitOfWork, person_id: str, today: date) -> Sequence[Absence]:
    return uow.absences.for_people([person_id], today)


def set_standing_deputy(
    uow: UnitOfWork, person_id: str, deputy_address: str | None, now: datetime
) -> Person | None:
    """Name (or with None clear) the person who covers whenever `person_id` is away."""
    person = uow.people.get(person_id)
    if person is None:
        raise NotFound("no such person", code="person.unknown")
    deputy = _person_by_address(uow, deputy_address) if deputy_address else None
    if deputy is not None and deputy.id == person_id:
        raise InvalidInput("own deputy", code="deputy.self")
    before = person.deputy_person_id
    person.deputy_person_id = deputy.id if deputy else None
    uow.people.update(person, now)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=person_id,
            action="deputy.set",
            entity="person",
            entity_id=person_id,
            before={"deputy_person_id": before},
            after={"deputy_person_id": person.deputy_person_id},
        )
    )
    return deputy


def _absence_json(absence: Absence) -> dict[str, object]:
    return {
        "start": absence.start.isoformat(),
        "end": absence.end.isoformat(),
        "deputy_person_id": absence.deputy_person_id,
    }
