"""The archive hand-off's verbs (issue 17): queue, send, collect receipts, report.

Exactly once, the reminders' way (`followup.reminders.outbox`): every record is a row of the
outbox under its stable message id (`message_id_for`: the fagsystem, the contract's id and the
record's key), inserted once (`queue_archive_messages`; queueing again adds nothing). A sender
claims due rows under a lease (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: one atomic
UPDATE), builds each message again from what is stored, hands it to the `ArchiveTransport` and
records the outcome under its claim, one message at a time:

- a receipt: CONFIRMED, with the archive's numbers;
- handed over, receipt later (a folder drop): SENT, until `collect_archive_receipts` stores it;
- `ArchiveUnavailable` (or an unexpected error): PENDING again after 1 min, 5 min, 30 min, 2 h,
  12 h (`RETRY_DELAYS`); the attempt after the last delay fails for good (FAILED, the dead
  letter, with the last reason);
- `ArchiveRefused`: FAILED at once, with the reason.

A sender that dies after the archive took a message but before the outcome was committed
leaves its claim to expire (`LEASE`); the next sender sends the same message under the same id
and the archive answers with the receipt it gave the first time (it de-duplicates on the id),
so the archive holds one record and the outbox stores one receipt.

Services take an aware `now`; `queue_archive_messages` and `requeue_failed` leave the commit to
the caller; the sender commits each claim and outcome itself (it takes a unit-of-work factory).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from followup.archive.messages import ArchiveMessage
from followup.archive.naming import parse_case_number
from followup.archive.ports import (
    ArchivedRecordNumbers,
    ArchiveErrorKind,
    ArchiveOutcome,
    ArchiveRefused,
    ArchiveState,
    ArchiveTransport,
    ArchiveTransportError,
    ArchiveUnavailable,
    ArchiveUnitOfWork,
    ArchiveUnitOfWorkFactory,
    ClaimedArchiveMessage,
    FailedArchiveMessage,
    QueuedArchiveMessage,
)
from followup.archive.records import ArchiveEvent, ArchiveOptions, archive_messages, kind_of
from followup.calendar.workdays import oslo_today
from followup.errors import NotFound
from followup.ports import DocumentStore

log = logging.getLogger(__name__)

RETRY_DELAYS: Final = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS: Final = len(RETRY_DELAYS) + 1
LEASE: Final = timedelta(minutes=10)
"""How long a claim holds: longer than any one send; a dead sender's claims wait this long."""
RECEIPT_WAIT: Final = timedelta(hours=24)
"""A receipt later than this is worth a look (the archive imports a folder drop at least daily)."""
MAX_ERROR_CHARS: Final = 2000
FAILED_LISTED: Final = 50

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "ArchiveEvent",
    "ArchiveNumbers",
    "ArchiveOptions",
    "ArchiveSendReport",
    "ArchiveStatus",
    "QueueCounts",
    "UnknownContracts",
    "archive_numbers",
    "archive_status",
    "collect_archive_receipts",
    "messages_for_export",
    "queue_archive_messages",
    "requeue_failed",
    "send_archive_messages",
]


class UnknownContracts(NotFound):
    """Contract references (*avtalenr*) that are not in the register."""

    def __init__(self, references: Sequence[str]) -> None:
        super().__init__(
            ", ".join(references),
            code="archive.unknown_contracts",
            references=", ".join(references),
        )
        self.references = tuple(references)


def _unread(key: str) -> bytes:
    raise RuntimeError(f"queueing reads no document ({key})")


def _contract_ids(uow: ArchiveUnitOfWork, references: Collection[str] | None) -> Sequence[str]:
    if references is not None:
        unknown = uow.archive.unknown_references(references)
        if unknown:
            raise UnknownContracts(unknown)
    return uow.archive.contract_ids(references)


def _built(
    uow: ArchiveUnitOfWork,
    contract_id: str,
    options: ArchiveOptions,
    now: datetime,
    documents: DocumentStore | None,
) -> list[ArchiveMessage]:
    return _built_many(uow, [contract_id], options, now, documents).get(contract_id, [])


BATCH: Final = 200
"""Contracts whose facts are read together (`ArchiveSources.facts_many`)."""


def _built_many(
    uow: ArchiveUnitOfWork,
    contract_ids: Sequence[str],
    options: ArchiveOptions,
    now: datetime,
    documents: DocumentStore | None,
) -> dict[str, list[ArchiveMessage]]:
    """Each contract's messages (a contract no longer stored has none), in the given order."""
    read = documents.get if documents is not None else _unread
    today = oslo_today(now)
    built: dict[str, list[ArchiveMessage]] = {}
    for start in range(0, len(contract_ids), BATCH):
        batch = contract_ids[start : start + BATCH]
        facts = uow.archive.facts_many(batch)
        for contract_id in batch:
            found = facts.get(contract_id)
            built[contract_id] = (
                [] if found is None else archive_messages(found, options, today, read)
            )
    return built


# --- queueing ---------------------------------------------------------------------------------


@dataclass(slots=True)
class QueueCounts:
    contracts: int = 0
    queued: int = 0
    """New rows in the outbox."""
    known: int = 0
    """Records already in the outbox (queued before)."""
    by_kind: Counter[str] = field(default_factory=Counter)
    """New rows per record kind."""


def queue_archive_messages(
    uow: ArchiveUnitOfWork,
    now: datetime,
    options: ArchiveOptions,
    references: Collection[str] | None = None,
    *,
    changed_since: datetime | None = None,
) -> QueueCounts:
    """Put every archive-worthy record of the contracts (all, those `references` name, or
    those with something stored at or after `changed_since`) in the outbox, once. Raises
    `UnknownContracts`. The caller commits."""
    counts = QueueCounts()
    ids = (
        _contract_ids(uow, references)
        if changed_since is None
        else uow.archive.contracts_changed_since(changed_since)
    )
    for start in range(0, len(ids), BATCH):
        built = _built_many(uow, ids[start : start + BATCH], options, now, None)
        rows = [
            QueuedArchiveMessage(
                message_id=message.message_id,
                contract_id=contract_id,
                record_key=message.record.external_key,
                kind=kind_of(message.record.external_key),
                title=message.record.title,
            )
            for contract_id, messages in built.items()
            for message in messages
        ]
        counts.contracts += len(built)
        known = uow.archive.known_ids([row.message_id for row in rows]) if rows else set()
        new = [row for row in rows if row.message_id not in known]
        added = uow.archive.add_new(new, now) if new else 0
        counts.queued += added
        counts.known += len(rows) - added
        counts.by_kind.update(row.kind for row in new)
    return counts


def requeue_failed(
    uow: ArchiveUnitOfWork, now: datetime, references: Collection[str] | None = None
) -> int:
    """Failed messages (all, or those of the contracts `references` names) back to the queue
    with fresh attempts: after the cause is mended. The caller commits."""
    ids = None if references is None else _contract_ids(uow, references)
    return uow.archive.requeue_failed(ids, now)


# --- sending ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ArchiveSendReport:
    claimed: int = 0
    confirmed: int = 0
    """Receipts stored (sent now, or collected)."""
    sent: int = 0
    """Handed over; the receipt comes later."""
    retried: int = 0
    failed: int = 0
    lost_claims: int = 0
    """Outcomes not stored because another sender had taken the message meanwhile."""
    receipts_collected: int = 0

    def add(self, other: ArchiveSendReport) -> None:
        """Count `other`'s messages in this report too (several rounds of sending)."""
        for name in (
            "claimed",
            "confirmed",
            "sent",
            "retried",
            "failed",
            "lost_claims",
            "receipts_collected",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def collect_archive_receipts(
    uow_factory: ArchiveUnitOfWorkFactory,
    transport: ArchiveTransport,
    now: datetime,
    report: ArchiveSendReport | None = None,
) -> ArchiveSendReport:
    """Store the receipts the archive left for messages sent earlier (a folder drop); each is
    acknowledged to the transport after it is committed, so one is never lost (one stored
    twice is a no-op)."""
    report = report or ArchiveSendReport()
    for collected in transport.collect_receipts():
        with uow_factory() as uow:
            if collected.receipt is not None:
                stored = uow.archive.confirm(collected.message_id, collected.receipt, now)
                report.confirmed += stored
            else:
                failure = collected.failure or ArchiveRefused(
                    ArchiveErrorKind.ARCHIVE_FAILED, "the archive reported a failure"
                )
                stored = uow.archive.fail_sent(
                    collected.message_id, failure.kind, failure.detail[:MAX_ERROR_CHARS], now
                )
                report.failed += stored
            uow.commit()
        report.receipts_collected += 1
        transport.acknowledge(collected.message_id)
    return report


def send_archive_messages(
    uow_factory: ArchiveUnitOfWorkFactory,
    transport: ArchiveTransport,
    now: datetime,
    limit: int = 50,
    *,
    options: ArchiveOptions,
    documents: DocumentStore,
    holder: str = "kontraktsvakt",
) -> ArchiveSendReport:
    """Collect receipts, then claim up to `limit` due messages and send each (see the module
    docstring). Run it again for the next `limit`; `report.claimed < limit` means none is left."""
    report = collect_archive_receipts(uow_factory, transport, now)
    claim = f"{holder[:40]}:{uuid.uuid4().hex[:16]}"
    with uow_factory() as uow:
        claimed = list(uow.archive.claim(now, claim, now + LEASE, limit))
        uow.commit()
    report.claimed = len(claimed)
    if not claimed:
        return report
    with uow_factory() as uow:
        contract_ids = list(dict.fromkeys(entry.contract_id for entry in claimed))
        built = {
            contract_id: {message.record.external_key: message for message in messages}
            for contract_id, messages in _built_many(
                uow, contract_ids, options, now, documents
            ).items()
        }
    for entry in claimed:
        message = built[entry.contract_id].get(entry.record_key)
        outcome = _send_one(transport, entry, message, claim, now)
        with uow_factory() as uow:
            recorded = uow.archive.finish(outcome)
            uow.commit()
        if not recorded:
            report.lost_claims += 1
        elif outcome.state is ArchiveState.CONFIRMED:
            report.confirmed += 1
        elif outcome.state is ArchiveState.SENT:
            report.sent += 1
        elif outcome.state is ArchiveState.PENDING:
            report.retried += 1
        else:
            report.failed += 1
    log.info(
        "archive messages sent",
        extra={
            "claimed": report.claimed,
            "confirmed": report.confirmed,
            "sent": report.sent,
            "retried": report.retried,
            "failed": report.failed,
        },
    )
    return report


def _send_one(
    transport: ArchiveTransport,
    entry: ClaimedArchiveMessage,
    message: ArchiveMessage | None,
    claim: str,
    now: datetime,
) -> ArchiveOutcome:
    if message is None or message.message_id != entry.message_id:
        return _failed(
            entry,
            claim,
            now,
            ArchiveRefused(
                ArchiveErrorKind.RECORD_GONE,
                f"the {entry.kind} is no longer stored, or no longer archived (ARCHIVE_EVENTS, "
                "ARCHIVE_SYSTEM_NAME)",
            ),
        )
    try:
        receipt = transport.send(message)
    except ArchiveRefused as error:
        return _failed(entry, claim, now, error)
    except ArchiveUnavailable as error:
        return _retry(entry, claim, now, error)
    except Exception as error:  # a bug or a surprise: retried with backoff, never in a loop
        log.exception("archive transport failed", extra={"message_id": str(entry.message_id)})
        return _retry(entry, claim, now, ArchiveUnavailable(f"{type(error).__name__}: {error}"))
    if receipt is None:
        return ArchiveOutcome(entry.message_id, claim, ArchiveState.SENT, now)
    return ArchiveOutcome(
        entry.message_id,
        claim,
        ArchiveState.CONFIRMED,
        now,
        receipt=receipt,
        case_number=message.case.case_number,
    )


def _failed(
    entry: ClaimedArchiveMessage, claim: str, now: datetime, error: ArchiveTransportError
) -> ArchiveOutcome:
    log.warning(
        "archive message failed",
        extra={"message_id": str(entry.message_id), "kind": error.kind.value},
    )
    return ArchiveOutcome(
        entry.message_id,
        claim,
        ArchiveState.FAILED,
        now,
        error_kind=error.kind,
        last_error=error.detail[:MAX_ERROR_CHARS],
    )


def _retry(
    entry: ClaimedArchiveMessage, claim: str, now: datetime, error: ArchiveTransportError
) -> ArchiveOutcome:
    if entry.attempts >= MAX_ATTEMPTS:
        return _failed(
            entry,
            claim,
            now,
            ArchiveRefused(ArchiveErrorKind.TOO_MANY_ATTEMPTS, error.detail),
        )
    delay = RETRY_DELAYS[max(entry.attempts, 1) - 1]
    return ArchiveOutcome(
        entry.message_id,
        claim,
        ArchiveState.PENDING,
        now,
        next_attempt_at=now + delay,
        error_kind=error.kind,
        last_error=error.detail[:MAX_ERROR_CHARS],
    )


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveStatus:
    counts: Mapping[ArchiveState, int]
    """Messages per state (every state, zero included)."""
    failed: Sequence[FailedArchiveMessage]
    """The dead letters, newest first (at most `FAILED_LISTED`)."""
    waiting_long: int = 0
    """Sent more than `RECEIPT_WAIT` ago and no receipt yet (a folder drop nobody reads?)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def archive_status(
    uow: ArchiveUnitOfWork, now: datetime | None = None, limit: int = FAILED_LISTED
) -> ArchiveStatus:
    """How far the hand-off has come, and what failed (for the CLI and chat); with `now`,
    also how many sent messages have waited longer than `RECEIPT_WAIT` for their receipt."""
    stored = uow.archive.counts()
    counts = {state: int(stored.get(state, 0)) for state in ArchiveState}
    waiting = (
        uow.archive.sent_before(now - RECEIPT_WAIT)
        if now is not None and counts[ArchiveState.SENT]
        else 0
    )
    return ArchiveStatus(counts, list(uow.archive.failed(limit)), waiting)


@dataclass(frozen=True, slots=True)
class ArchiveNumbers:
    case_number: str | None
    """``"2025/17"``: from the archive's receipts, else the register's saksnummer."""
    records: Sequence[ArchivedRecordNumbers]
    """The latest confirmed records with their journal numbers, newest first."""


def archive_numbers(uow: ArchiveUnitOfWork, contract_id: str, limit: int = 5) -> ArchiveNumbers:
    """The archive's case number and latest journal numbers of a contract (for ``status
    <avtalenr>`` and exports)."""
    number = uow.archive.case_number(contract_id)
    if number is None:
        facts = uow.archive.facts(contract_id)
        number = parse_case_number(facts.contract.case_number) if facts else None
    case = None if number is None else f"{number[0]}/{number[1]}"
    return ArchiveNumbers(case, list(uow.archive.latest_records(contract_id, limit)))


def messages_for_export(
    uow: ArchiveUnitOfWork,
    now: datetime,
    options: ArchiveOptions,
    documents: DocumentStore,
    references: Collection[str] | None = None,
) -> Iterable[tuple[str, list[ArchiveMessage]]]:
    """Each contract's id with its messages, as the outbox would send them (for ``arkiv
    eksport``). Raises `UnknownContracts` (at once, before any is yielded)."""
    ids = _contract_ids(uow, references)

    def each() -> Iterable[tuple[str, list[ArchiveMessage]]]:
        for contract_id in ids:
            yield contract_id, _built(uow, contract_id, options, now, documents)

    return each()
