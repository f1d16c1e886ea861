"""Ports: what the domain needs from the outside, as Protocols. Implemented in storage/ and bot/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from followup.models import AuditEvent, ConversationRef, Person


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A proactive message: text, optionally with an Adaptive Card (a JSON object)."""

    text: str
    card: dict[str, Any] | None = None
    metadata: dict[str, str] = field(default_factory=dict)


class Notifier(Protocol):
    """Sends proactive messages; raises `followup.errors.DeliveryFailed`."""

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        """Send and return the id of the sent activity (to update the card later)."""
        ...


class PeopleRepository(Protocol):
    def get(self, person_id: str) -> Person | None: ...
    def find_by_entra_id(self, entra_object_id: str) -> Person | None: ...
    def find_by_email_or_upn(self, address: str) -> Person | None: ...
    def add(self, person: Person, now: datetime) -> None: ...
    def update(self, person: Person, now: datetime) -> None: ...
    def count_contracts_owned(self, person_id: str) -> int: ...


class ConversationRefRepository(Protocol):
    def find(self, conversation_id: str, user_id: str | None) -> ConversationRef | None: ...
    def save(self, ref: ConversationRef) -> None: ...
    def remove_conversation(self, conversation_id: str) -> int: ...
    def for_person(self, person_id: str) -> ConversationRef | None: ...
    def procurement_channels(self) -> Sequence[ConversationRef]: ...


class AuditLog(Protocol):
    def append(self, event: AuditEvent) -> None: ...


class UnitOfWork(Protocol):
    """A transaction: rolled back on exit unless `commit()` was called."""

    @property
    def people(self) -> PeopleRepository: ...
    @property
    def conversations(self) -> ConversationRefRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
