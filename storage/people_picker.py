"""The dev chat's "who are you?" list: everyone in the people table with what they do and
whether something of theirs is due, in one query (`demo_people`).

A person's roles are the stored ones (procurement, administrator, owner) and what the register
makes them: a contract owner (`owner`) when they own a contract, and a deputy (`deputy`) when
they cover for someone away today (named in the absence: `covering_for`) or are a contract's
deputy without owning one themselves (most owners are some colleague's deputy: saying so of
everyone would say nothing). What is due is counted on the
contracts they own, by the same predicate as procurement's lists (`portfolio_queries.is_open`):
open follow-ups due before `today` (overdue) and from `today` to a week ahead (due soon).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.orm import Session

from followup.calendar.workdays import oslo_today
from followup.models import Role
from storage.portfolio_queries import is_open
from storage.tables import AbsenceRow, ContractRow, FollowUpRow, PersonRow

DUE_SOON_DAYS: Final = 7
OWNER: Final = Role.OWNER.value
DEPUTY: Final = "deputy"
"""Not a stored role: a contract's deputy, or covering for someone away today."""
_ROLE_ORDER: Final = (Role.PROCUREMENT.value, Role.ADMIN.value, OWNER, DEPUTY)


@dataclass(frozen=True)
class DemoPerson:
    """One entry of the dev chat's "who are you?" picker."""

    id: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    upn: str | None = None
    entra_object_id: str | None = None
    overdue: int = 0
    """Open follow-ups due before today on contracts they own."""
    due_soon: int = 0
    """Open follow-ups due from today to a week ahead on contracts they own."""
    away_until: date | None = None
    """The last day of an absence that includes today."""
    covering_for: str | None = None
    """The name of someone away today whom this person covers for (the first, by name)."""


_NORWEGIAN_LAST_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # the three after "z"


def norwegian_sort_key(name: str) -> str:
    """Sort Æ, Ø, Å after Z and in that order, as Norwegian does."""
    return name.casefold().translate(_NORWEGIAN_LAST_LETTERS)


def demo_people(engine: Engine, today: date | None = None) -> list[DemoPerson]:
    """Everyone in the people table, the procurement team first, then by name (Norwegian
    order), with their roles and what is due (see the module docstring). One query."""
    day = today or oslo_today(datetime.now(UTC))
    with Session(engine) as session:
        rows = session.execute(_picker_query(day)).all()
    people = [
        DemoPerson(
            id=row.id,
            display_name=row.display_name,
            email=row.email,
            roles=_roles(row),
            upn=row.upn,
            entra_object_id=row.entra_object_id,
            overdue=int(row.overdue or 0),
            due_soon=int(row.due_soon or 0),
            away_until=row.away_until,
            covering_for=row.covering_for,
        )
        for row in rows
    ]
    people.sort(
        key=lambda p: (
            Role.PROCUREMENT.value not in p.roles,
            norwegian_sort_key(p.display_name),
            p.email or "",
        )
    )
    return people


def _roles(row: Any) -> tuple[str, ...]:
    roles = {str(role) for role in row.roles or ()}
    if row.owned:
        roles.add(OWNER)
    if row.covering_for or (row.deputy_for and not row.owned):
        roles.add(DEPUTY)
    known = [r for r in _ROLE_ORDER if r in roles]
    return (*known, *sorted(roles - set(known)))


def _picker_query(today: date) -> Any:
    contracts = ContractRow.__table__
    follow_ups = FollowUpRow.__table__
    absences = AbsenceRow.__table__
    owned = (
        select(contracts.c.owner_id.label("person_id"), func.count().label("owned"))
        .where(contracts.c.owner_id.is_not(None))
        .group_by(contracts.c.owner_id)
        .subquery("owned")
    )
    deputy_for = (
        select(contracts.c.deputy_id.label("person_id"), func.count().label("deputy_for"))
        .where(
            contracts.c.deputy_id.is_not(None),
            or_(contracts.c.owner_id.is_(None), contracts.c.deputy_id != contracts.c.owner_id),
        )
        .group_by(contracts.c.deputy_id)
        .subquery("deputy_for")
    )
    today_in = and_(absences.c.start <= today, absences.c.end >= today)
    away_people = PersonRow.__table__.alias("away_people")
    covering = (
        select(
            absences.c.deputy_person_id.label("person_id"),
            func.min(away_people.c.display_name).label("covering_for"),
        )
        .select_from(absences.join(away_people, away_people.c.id == absences.c.person_id))
        .where(absences.c.deputy_person_id.is_not(None), today_in)
        .group_by(absences.c.deputy_person_id)
        .subquery("covering")
    )
    away = (
        select(absences.c.person_id, func.max(absences.c.end).label("away_until"))
        .where(today_in)
        .group_by(absences.c.person_id)
        .subquery("away")
    )
    due = (
        select(
            contracts.c.owner_id.label("person_id"),
            func.sum(case((follow_ups.c.due_date < today, 1), else_=0)).label("overdue"),
            func.sum(case((follow_ups.c.due_date >= today, 1), else_=0)).label("due_soon"),
        )
        .select_from(follow_ups.join(contracts, contracts.c.id == follow_ups.c.contract_id))
        .where(
            is_open(),
            follow_ups.c.due_date <= today + timedelta(days=DUE_SOON_DAYS),
            contracts.c.owner_id.is_not(None),
        )
        .group_by(contracts.c.owner_id)
        .subquery("due")
    )
    people = PersonRow.__table__
    return select(
        people.c.id,
        people.c.display_name,
        people.c.email,
        people.c.roles,
        people.c.upn,
        people.c.entra_object_id,
        owned.c.owned,
        deputy_for.c.deputy_for,
        covering.c.covering_for,
        away.c.away_until,
        due.c.overdue,
        due.c.due_soon,
    ).select_from(
        people.outerjoin(owned, owned.c.person_id == people.c.id)
        .outerjoin(deputy_for, deputy_for.c.person_id == people.c.id)
        .outerjoin(covering, covering.c.person_id == people.c.id)
        .outerjoin(away, away.c.person_id == people.c.id)
        .outerjoin(due, due.c.person_id == people.c.id)
    )


__all__ = ["DEPUTY", "DUE_SOON_DAYS", "DemoPerson", "demo_people", "norwegian_sort_key"]
