"""A person from a row of `people` (an ORM row or a Core row with the same columns): the one
mapping, shared by the repositories and the portfolio queries."""

from __future__ import annotations

from typing import Any

from followup.models import Person, Role


def person_from_row(row: Any) -> Person:
    return Person(
        id=row.id,
        display_name=row.display_name,
        email=row.email,
        upn=row.upn,
        entra_object_id=row.entra_object_id,
        teams_user_id=row.teams_user_id,
        roles={Role(r) for r in row.roles or []},
        locale=row.locale,
        deputy_person_id=row.deputy_person_id,
        reminders_paused=row.reminders_paused,
        reminders_per_day=row.reminders_per_day,
        unreachable=row.unreachable,
    )
