"""What the archive hand-off needs from the outside (issue 17): the outbox of archive messages
and the stored facts they are made from (`ArchiveRepository`, in ``storage``), and the way to
the archive (`ArchiveTransport`, in ``storage.archive.transports``).

A transport raises one of two domain errors, never its own: `ArchiveUnavailable` (try again
later: the archive or the network is down, the answer was garbled) or `ArchiveRefused` (the
same message will be refused again: the outbox dead-letters it with its reason).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from followup.archive.messages import ArchiveMessage
from followup.archive.receipts import ArchiveReceipt
from followup.checks.evaluation_models import SupplierEvaluation
from followup.checks.models import RiskAssessment
from followup.checks.onsite_models import OnsiteCheck
from followup.errors import FollowUpError
from followup.models import (
    Answer,
    AuditEvent,
    Checkpoint,
    Contract,
    Deviation,
    Document,
    FollowUp,
    Supplier,
)


class ArchiveState(StrEnum):
    """Where an archive message is in the outbox."""

    PENDING = "pending"
    """Waiting to be sent (again, after `next_attempt_at`)."""
    SENT = "sent"
    """Handed over; the archive's receipt comes later (a folder drop)."""
    CONFIRMED = "confirmed"
    """The archive's receipt is stored."""
    FAILED = "failed"
    """Dead letter: refused, or too many attempts; `error_kind` and `last_error` say why."""


class ArchiveErrorKind(StrEnum):
    """Why a message failed or waits for another attempt (the CLI and chat word it)."""

    UNAVAILABLE = "unavailable"
    """The archive or the way to it did not answer."""
    REFUSED = "refused"
    """The message or its container was refused (schema, files, checksums, unknown case)."""
    ARCHIVE_FAILED = "archive_failed"
    """The archive's receipt says it could not make the case or the record."""
    FILE_MISSING = "file_missing"
    """A document's bytes are gone from the document store, or changed."""
    RECORD_GONE = "record_gone"
    """What the message was made from is no longer stored (or no longer archived)."""
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    """The last attempt failed too."""


class ArchiveTransportError(FollowUpError):
    """A message could not be handed to the archive."""

    def __init__(self, kind: ArchiveErrorKind, detail: str) -> None:
        super().__init__(detail, code=f"archive.{kind.value}")
        self.kind = kind
        self.detail = detail


class ArchiveUnavailable(ArchiveTransportError):
    """Transient: the same message may go through later."""

    def __init__(self, detail: str) -> None:
        super().__init__(ArchiveErrorKind.UNAVAILABLE, detail)


class ArchiveRefused(ArchiveTransportError):
    """Permanent: sending the same message again gives the same answer."""


@dataclass(frozen=True, slots=True)
class CollectedReceipt:
    """An answer the archive left for a message sent earlier (a folder drop's receipts)."""

    message_id: UUID
    receipt: ArchiveReceipt | None
    """None when the archive reported a failure (`failure`)."""
    failure: ArchiveRefused | None = None


class ArchiveTransport(Protocol):
    """The way to the municipality's archive."""

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        """Hand `message` over under its `message_id` (the archive de-duplicates on it):
        its receipt now, or None when the receipt comes later (`collect_receipts`). Raises
        `ArchiveUnavailable` or `ArchiveRefused`."""
        ...

    def collect_receipts(self) -> Sequence[CollectedReceipt]:
        """Receipts that arrived since they were last acknowledged (empty when the transport
        answers at once)."""
        ...

    def acknowledge(self, message_id: UUID) -> None:
        """The receipt for `message_id` is stored: it need not be collected again."""
        ...


# --- the outbox -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuedArchiveMessage:
    """A row to put in the outbox (insert-once on `message_id`)."""

    message_id: UUID
    contract_id: str
    record_key: str
    kind: str
    title: str


@dataclass(frozen=True, slots=True)
class ClaimedArchiveMessage:
    message_id: UUID
    contract_id: str
    record_key: str
    kind: str
    attempts: int
    """Including this attempt."""


@dataclass(frozen=True, slots=True)
class ArchiveOutcome:
    """What became of one claimed message; recorded only under the same claim."""

    message_id: UUID
    claim: str
    state: ArchiveState
    at: datetime
    receipt: ArchiveReceipt | None = None
    next_attempt_at: datetime | None = None
    error_kind: ArchiveErrorKind | None = None
    last_error: str | None = None
    case_number: tuple[int, int] | None = None
    """The case the record was filed under when the receipt has no case part (the register's
    case number)."""


@dataclass(frozen=True, slots=True)
class FailedArchiveMessage:
    contract_id: str
    reference: str
    """The contract's *avtalenr*."""
    contract_title: str
    title: str
    """What the record is (its title)."""
    kind: str
    error_kind: ArchiveErrorKind | None
    last_error: str | None
    attempts: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ArchivedRecordNumbers:
    """One confirmed record with the archive's numbers."""

    title: str
    kind: str
    journal_number: str | None
    """``"2025/1042"`` (*journalaar*/*journalsekvensnummer*)."""
    record_id: str | None
    """*registreringsID*, e.g. ``"2025/17-3"``."""
    confirmed_at: datetime


class ArchiveOutbox(Protocol):
    def add_new(self, messages: Sequence[QueuedArchiveMessage], now: datetime) -> int:
        """Insert the messages whose id is not there yet (also one a concurrent transaction
        has just committed); return how many were new."""
        ...

    def known_ids(self, message_ids: Collection[UUID]) -> set[UUID]: ...

    def claim(
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> Sequence[ClaimedArchiveMessage]:
        """Take up to `limit` pending messages that are due and not claimed by a live lease
        (two senders never take the same one); each claim counts as an attempt."""
        ...

    def finish(self, outcome: ArchiveOutcome) -> bool:
        """Record the outcome if the message is still claimed by `outcome.claim`."""
        ...

    def confirm(self, message_id: UUID, receipt: ArchiveReceipt, now: datetime) -> bool:
        """Store a receipt collected later for a message that is SENT (or PENDING again: sent,
        then its outcome lost); False when it is not (already confirmed, unknown)."""
        ...

    def fail_sent(
        self, message_id: UUID, kind: ArchiveErrorKind, error: str, now: datetime
    ) -> bool:
        """Dead-letter a message (SENT or PENDING) the archive answered with a failure."""
        ...

    def requeue_failed(self, contract_ids: Collection[str] | None, now: datetime) -> int:
        """Failed messages back to pending with fresh attempts (all, or these contracts')."""
        ...

    def counts(self) -> Mapping[ArchiveState, int]: ...
    def sent_before(self, moment: datetime) -> int:
        """Messages handed over before `moment` whose receipt has not come."""
        ...

    def failed(self, limit: int) -> Sequence[FailedArchiveMessage]: ...
    def case_number(self, contract_id: str) -> tuple[int, int] | None:
        """The archive's case for the contract, from the latest receipt that names one."""
        ...

    def latest_records(self, contract_id: str, limit: int) -> Sequence[ArchivedRecordNumbers]:
        """Confirmed records of the contract, newest first."""
        ...


# --- what the records are made from -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractFacts:
    """Everything stored about one contract that the archive mapping reads."""

    contract: Contract
    supplier: Supplier | None
    people: Mapping[str, str]
    """Display names by person id (owner, reporters, deciders, uploaders)."""
    checkpoints: Mapping[str, Checkpoint]
    follow_ups: Sequence[FollowUp]
    answers: Sequence[Answer]
    """Every version, oldest first."""
    documents: Sequence[Document]
    deviations: Sequence[Deviation]
    deviation_events: Mapping[str, Sequence[AuditEvent]]
    """``deviation.updated`` events by deviation id, oldest first."""
    risk_assessments: Sequence[RiskAssessment] = ()
    """Every stored version (assessed in chat), oldest first; the register's level, version 0,
    is not stored and is not here."""
    onsite_checks: Sequence[OnsiteCheck] = ()
    """Every on-site check, by number."""
    evaluations: Sequence[SupplierEvaluation] = ()
    """Every supplier evaluation version, oldest first."""


class ArchiveSources(Protocol):
    def contract_ids(self, references: Collection[str] | None) -> Sequence[str]:
        """The contracts by *avtalenr* (every contract when None), in reference order."""
        ...

    def unknown_references(self, references: Collection[str]) -> Sequence[str]: ...
    def facts(self, contract_id: str) -> ContractFacts | None: ...
    def facts_many(self, contract_ids: Sequence[str]) -> Mapping[str, ContractFacts]:
        """`facts` of each contract there is, read together."""
        ...

    def contracts_changed_since(self, since: datetime) -> Sequence[str]:
        """The contracts with a document, answer, deviation (report or decision), risk
        assessment, on-site check or supplier evaluation stored at or after `since`, in id
        order: those that may have a new record."""
        ...


class ArchiveRepository(ArchiveOutbox, ArchiveSources, Protocol):
    """The outbox and the sources, in one unit of work."""


class ArchiveUnitOfWork(Protocol):
    """The part of a unit of work the archive services use."""

    @property
    def archive(self) -> ArchiveRepository: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class ArchiveUnitOfWorkFactory(Protocol):
    def __call__(self) -> ArchiveUnitOfWork: ...
