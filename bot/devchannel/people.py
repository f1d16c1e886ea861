"""The people the dev chat lets you act as, and their made-up Teams identities.

The dev channel is a test harness, not a domain client: it lists everyone the database knows
through the `ListPeople` the app gives it (`storage.people_picker.demo_people`, one query, in a
worker thread), with each person's roles (`procurement`, `admin`, `owner`, and `deputy` for a
contract's deputy or someone covering today) and how many of their follow-ups are overdue or
due within the week, so the picker shows whom to be.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

MAX_PEOPLE = 10_000


class PersonEntry(Protocol):
    """One person as the store lists them."""

    @property
    def id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def upn(self) -> str | None: ...
    @property
    def entra_object_id(self) -> str | None: ...
    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def overdue(self) -> int: ...
    @property
    def due_soon(self) -> int: ...
    @property
    def away_until(self) -> date | None: ...
    @property
    def covering_for(self) -> str | None: ...


ListPeople = Callable[[], Sequence[PersonEntry]]
"""Everyone in the database, procurement first, then by name (blocking)."""
AAD_NAMESPACE = uuid.UUID("6f1f8a5e-3f0d-5b9c-9a57-4b1c2d6e7f80")


@dataclass(frozen=True, slots=True)
class DevPerson:
    id: str
    display_name: str
    email: str | None
    upn: str | None
    entra_object_id: str | None
    roles: tuple[str, ...]
    overdue: int = 0
    due_soon: int = 0
    away_until: date | None = None
    covering_for: str | None = None

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
            "overdue": self.overdue,
            "dueSoon": self.due_soon,
            "awayUntil": self.away_until.isoformat() if self.away_until else None,
            "coveringFor": self.covering_for,
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


def _person(entry: PersonEntry) -> DevPerson:
    return DevPerson(
        id=entry.id,
        display_name=entry.display_name,
        email=entry.email,
        upn=entry.upn,
        entra_object_id=entry.entra_object_id,
        roles=entry.roles,
        overdue=entry.overdue,
        due_soon=entry.due_soon,
        away_until=entry.away_until,
        covering_for=entry.covering_for,
    )


def load_people(list_people: ListPeople) -> list[DevPerson]:
    """Everyone in `people`: procurement first, then by name. Blocking; run it in a thread."""
    return [_person(entry) for entry in list_people()[:MAX_PEOPLE]]


def load_person(list_people: ListPeople, person_id: str) -> DevPerson | None:
    """One person by id, or None. Blocking; run it in a thread."""
    return next((p for p in load_people(list_people) if p.id == person_id), None)
