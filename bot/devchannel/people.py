"""The people the dev chat lets you act as, and their made-up Teams identities.

The dev channel is a test harness, not a domain client: it reads the `people` table directly
(a plain select, in a worker thread) so the picker lists everyone the database knows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage.tables import PersonRow

MAX_PEOPLE = 10_000
AAD_NAMESPACE = uuid.UUID("6f1f8a5e-3f0d-5b9c-9a57-4b1c2d6e7f80")


@dataclass(frozen=True, slots=True)
class DevPerson:
    id: str
    display_name: str
    email: str | None
    upn: str | None
    entra_object_id: str | None
    roles: tuple[str, ...]

    @property
    def teams_user_id(self) -> str:
        return f"29:dev-{self.id}"

    @property
    def conversation_id(self) -> str:
        """The person's 1:1 chat with the bot; stable, so history and proactive sends meet."""
        return f"a:dev-{self.id}"

    @property
    def aad_object_id(self) -> str:
        """The Entra object id, or a stable made-up one for people without it."""
        return self.entra_object_id or str(uuid.uuid5(AAD_NAMESPACE, self.id))

    def public_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "email": self.email,
            "roles": list(self.roles),
        }

    def member_json(self, tenant_id: str) -> dict[str, Any]:
        """The person as Teams' `TeamsChannelAccount`, for the connector's member look-up."""
        given, _, surname = self.display_name.partition(" ")
        return {
            "id": self.teams_user_id,
            "name": self.display_name,
            "aadObjectId": self.aad_object_id,
            "email": self.email,
            "userPrincipalName": self.upn or self.email,
            "givenName": given or None,
            "surname": surname or None,
            "tenantId": tenant_id,
            "userRole": "user",
        }


def _person(row: PersonRow) -> DevPerson:
    roles = tuple(str(r) for r in row.roles or [] if isinstance(r, str))
    return DevPerson(
        id=row.id,
        display_name=row.display_name,
        email=row.email,
        upn=row.upn,
        entra_object_id=row.entra_object_id,
        roles=roles,
    )


def _sort_key(person: DevPerson) -> tuple[int, str, str]:
    return (0 if "procurement" in person.roles else 1, person.display_name.casefold(), person.id)


def load_people(engine: Engine) -> list[DevPerson]:
    """Everyone in `people`: procurement first, then by name. Blocking; run it in a thread."""
    with Session(engine) as session:
        rows = session.scalars(select(PersonRow).limit(MAX_PEOPLE)).all()
        people = [_person(row) for row in rows]
    return sorted(people, key=_sort_key)


def load_person(engine: Engine, person_id: str) -> DevPerson | None:
    """One person by id, or None. Blocking; run it in a thread."""
    with Session(engine) as session:
        row = session.get(PersonRow, person_id)
        return _person(row) if row is not None else None
