"""Ports: what the domain needs from the outside, as Protocols. Implemented in storage/ and bot/."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from followup.models import (
    Absence,
    Answer,
    AnswerKind,
    AuditEvent,
    Checkpoint,
    Contract,
    ConversationRef,
    Delivery,
    DeliveryState,
    Deviation,
    Document,
    FollowUp,
    FollowUpState,
    Person,
    Role,
    Supplier,
)
from followup.views import (
    ArchivedCase,
    AssessedRisk,
    CoverFact,
    DecisionItem,
    DeviationFilter,
    DeviationList,
    DocumentItem,
    ExportQuery,
    ExportRow,
    HistoryItem,
    LatestOnsiteCheck,
    OverdueItem,
    Page,
    PageRequest,
    PortfolioCounts,
    Scope,
    StatusCounts,
    StatusTarget,
    StatusWindow,
    Subset,
)


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
    def find_by_teams_user_id(self, teams_user_id: str) -> Person | None: ...
    def find_by_email_or_upn(self, address: str) -> Person | None: ...
    def add(self, person: Person, now: datetime) -> None: ...
    def update(self, person: Person, now: datetime) -> None: ...
    def count_contracts_owned(self, person_id: str) -> int: ...
    def by_addresses(self, addresses: Collection[str]) -> Mapping[str, Person]:
        """People whose e-mail or UPN is one of `addresses`, keyed by the lower-cased address."""
        ...

    def get_many(self, person_ids: Collection[str]) -> Mapping[str, Person]: ...
    def deputised_by(self, person_id: str) -> Sequence[Person]:
        """People whose standing deputy is this person."""
        ...


class ConversationRefRepository(Protocol):
    def find(self, conversation_id: str, user_id: str | None) -> ConversationRef | None: ...
    def save(self, ref: ConversationRef) -> None: ...
    def remove_conversation(self, conversation_id: str) -> int: ...
    def for_person(self, person_id: str) -> ConversationRef | None: ...
    def procurement_channels(self) -> Sequence[ConversationRef]: ...
    def get(self, ref_id: str) -> ConversationRef | None: ...
    def get_many(self, ref_ids: Collection[str]) -> Mapping[str, ConversationRef]: ...
    def personal_for_people(self, person_ids: Collection[str]) -> Mapping[str, ConversationRef]:
        """Each person's latest 1:1 conversation with the bot (people without one are left
        out)."""
        ...


class AuditLog(Protocol):
    def append(self, event: AuditEvent) -> None: ...
    def append_many(self, events: Iterable[AuditEvent]) -> int: ...
    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEvent]: ...


class SupplierRepository(Protocol):
    def by_organisation_numbers(self, numbers: Collection[str]) -> Mapping[str, Supplier]: ...
    def get_many(self, supplier_ids: Collection[str]) -> Mapping[str, Supplier]: ...
    def add(self, supplier: Supplier) -> None: ...
    def add_many(self, suppliers: Iterable[Supplier]) -> int: ...
    def update(self, supplier: Supplier) -> None: ...


class ContractRepository(Protocol):
    def get(self, contract_id: str) -> Contract | None: ...
    def by_reference(self, reference: str) -> Contract | None: ...
    def by_references(self, references: Collection[str]) -> Mapping[str, Contract]: ...
    def with_ledger_accounts(self) -> Sequence[Contract]:
        """The contracts whose register names the ledger accounts they cover (*Kontoer*)."""
        ...

    def add(self, contract: Contract, now: datetime) -> None: ...
    def add_many(self, contracts: Iterable[Contract], now: datetime) -> int: ...
    def update(self, contract: Contract, now: datetime) -> None: ...
    def for_person(self, person_id: str) -> Sequence[Contract]:
        """Contracts where the person is owner, manager or deputy, ordered by reference."""
        ...

    def example_references(
        self, person_id: str | None, limit: int
    ) -> Sequence[tuple[str, str | None]]:
        """(reference, unit) of up to `limit` contracts to show in help's examples: the
        person's own (owner, manager or deputy; active first, then by reference), or with
        None the first active contracts followed up, by reference."""
        ...

    def owned_by(self, person_ids: Collection[str]) -> Sequence[Contract]: ...
    def ids_after(self, after_id: str | None, limit: int) -> Sequence[str]:
        """Contract ids in id order, for walking the whole register in chunks."""
        ...

    def get_many(self, contract_ids: Collection[str]) -> Mapping[str, Contract]: ...
    def ids_changed_since(self, since: datetime) -> Sequence[str]:
        """Contracts updated at or after `since`, and those without a start date (their plan
        is anchored on today), for the daily refresh of what changed."""
        ...


class CheckpointRepository(Protocol):
    def get_many(self, checkpoint_ids: Collection[str]) -> Mapping[str, Checkpoint]: ...
    def for_contracts(self, contract_ids: Collection[str]) -> Sequence[Checkpoint]: ...
    def add(self, checkpoint: Checkpoint) -> None: ...
    def add_many(self, checkpoints: Iterable[Checkpoint]) -> int: ...
    def update(self, checkpoint: Checkpoint) -> None: ...
    def followed_schedules(
        self, exclude_contract_ids: Collection[str], start: date, end: date
    ) -> Sequence[CheckpointSchedule]:
        """Every active checkpoint of a contract in force or planned (but those of the
        excluded contracts) that may fall due in [start, end], with what its due dates depend
        on."""
        ...


class FollowUpRepository(Protocol):
    def for_checkpoints_from(
        self, checkpoint_ids: Collection[str], from_date: date
    ) -> Sequence[FollowUp]:
        """Follow-ups of these checkpoints due on or after `from_date`."""
        ...

    def add_many(self, follow_ups: Iterable[FollowUp]) -> int: ...
    def delete_unanswered(self, follow_up_ids: Collection[str]) -> int:
        """Delete these follow-ups unless they have an answer; returns how many went."""
        ...

    def for_contracts_between(
        self, contract_ids: Collection[str], start: date, end: date
    ) -> Sequence[FollowUp]: ...

    def get_many(self, follow_up_ids: Collection[str]) -> Mapping[str, FollowUp]: ...
    def keys_due_between(self, start: date, end: date) -> set[tuple[str, date]]:
        """(checkpoint id, due date) of every follow-up due in [start, end]."""
        ...

    def claim_due(self, now: datetime, limit: int) -> Sequence[FollowUp]:
        """Open follow-ups whose `next_action_at` has come, oldest first, locked for this
        transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so a concurrent planner skips
        them; SQLite has one writer at a time)."""
        ...

    def reschedule(self, changes: Iterable[ScheduleChange], *, only_open: bool = False) -> int:
        """Set state, ladder step and next action of these follow-ups in bulk; `only_open`
        leaves alone one that was answered (or skipped) since it was read."""
        ...


class AbsenceRepository(Protocol):
    def for_people(self, person_ids: Collection[str], on_or_after: date) -> Sequence[Absence]:
        """Absences of these people that have not ended before `on_or_after`."""
        ...

    def add(self, absence: Absence) -> None: ...
    def remove(self, absence_id: str) -> bool: ...
    def covered_by(self, deputy_id: str, on_or_after: date) -> Sequence[Absence]:
        """Absences in which this person is the named deputy."""
        ...


@dataclass(frozen=True, slots=True)
class CheckpointSchedule:
    """What an active checkpoint's due dates depend on: its rule, and its contract's dates."""

    checkpoint_id: str
    contract_id: str
    rrule: str
    dtstart: date
    start_date: date | None
    end_date: date | None
    ongoing: bool


@dataclass(frozen=True, slots=True)
class ListedContract:
    """What a digest's line shows of a contract (`ListedFollowUp`)."""

    id: str
    reference: str
    title: str


@dataclass(frozen=True, slots=True)
class ListedCheckpoint:
    """What a digest's line shows of a checkpoint (`ListedFollowUp`)."""

    id: str
    title: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListedFollowUp:
    """An open follow-up as a reminder digest lists it among its owner's other overdue ones
    (`SummaryQueries.open_lines_owned_by`): only what its line shows, read in one statement
    with its contract and checkpoint, instead of three models each."""

    id: str
    owner_id: str
    due_date: date
    state: FollowUpState
    contract: ListedContract
    checkpoint: ListedCheckpoint


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    follow_up_id: str
    state: FollowUpState
    reminder_step: int
    next_action_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What became of one claimed delivery (see `DeliveryRepository.finish`)."""

    delivery_id: str
    claim: str
    state: DeliveryState
    at: datetime
    sent_activity_id: str | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery claimed to be sent (`DeliveryRepository.claim_to_send`), its message read
    only when it is about to be sent: a claimed batch holds no cards."""

    delivery: Delivery
    """As stored, but its `message` left empty."""
    message: Callable[[], Mapping[str, Any]]


class DeliveryRepository(Protocol):
    """The outbox."""

    def add_many(self, deliveries: Iterable[Delivery], now: datetime) -> int: ...
    def exists(self, dedupe_key: str) -> bool: ...
    def get(self, delivery_id: str) -> Delivery | None: ...
    def claim(
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> Sequence[Delivery]:
        """Claim up to `limit` deliveries to send: queued ones whose time has come, and those
        left `sending` by a sender whose lease ran out. Each claim is a single conditional
        update (PostgreSQL: over rows picked `FOR UPDATE SKIP LOCKED`), so two senders never
        claim the same delivery; `claim` must be unique to this call."""
        ...

    def claim_to_send(
        self,
        now: datetime,
        claim: str,
        lease_until: datetime,
        limit: int,
        *,
        known: Collection[str] = (),
    ) -> Sequence[ClaimedDelivery]:
        """As `claim`, each message read only when `ClaimedDelivery.message` is called; the
        messages of the deliveries in `known` (the caller has them) are not read: theirs is
        empty."""
        ...

    def finish(self, outcomes: Iterable[DeliveryOutcome]) -> int:
        """Record outcomes of deliveries still held under their claim (a delivery whose lease
        ran out and was claimed by another sender is left alone); returns how many."""
        ...

    def counted_today(self, person_ids: Collection[str], since: datetime) -> Mapping[str, int]:
        """Digests made for these people since `since` that count against their daily limit
        (queued, sending or sent)."""
        ...

    def recent(self, limit: int) -> Sequence[Delivery]: ...


class SchedulerState(Protocol):
    """Leases and marks shared by every scheduler process."""

    def try_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take (or extend) the lease `name` unless another holder has it until after `now`."""
        ...

    def release(self, name: str, holder: str) -> None: ...
    def mark(self, name: str) -> str | None: ...
    def set_mark(self, name: str, value: str, now: datetime) -> None: ...


class SummaryQueries(Protocol):
    def weekly_counts(
        self, since: datetime, today: date, *, until: date | None = None
    ) -> PortfolioCounts:
        """Answers first given from `since` to `until` (inclusive; `today` unless told), and
        today's overdue, escalated, open deviations (by severity) and unreachable owners."""
        ...

    def open_lines_owned_by(
        self, owner_ids: Collection[str], start: date, end: date
    ) -> Sequence[ListedFollowUp]:
        """The open follow-ups due from `start` to `end` (inclusive) on the active checkpoints
        of contracts these people own (a contract or checkpoint shared by several is one
        object)."""
        ...


class PortfolioQueries(Protocol):
    """Procurement's questions (`followup.portfolio`) and the access facts behind them
    (`followup.access`). Read-only. Every portfolio method applies the `Scope` in SQL; counts
    and the lists and exports of the same numbers share their predicates."""

    def counts(self, scope: Scope, subset: Subset, window: StatusWindow) -> StatusCounts: ...
    def unreachable_owners(self, scope: Scope, subset: Subset, limit: int) -> Sequence[Person]:
        """Unreachable owners with an open follow-up in scope, by name."""
        ...

    def overdue(
        self, scope: Scope, subset: Subset, today: date, page: PageRequest
    ) -> Page[OverdueItem]: ...
    def deviations(
        self, scope: Scope, subset: Subset, wanted: DeviationFilter, page: PageRequest
    ) -> DeviationList: ...
    def export_rows(
        self, query: ExportQuery, scope: Scope, *, read_ahead: bool = False
    ) -> Iterator[ExportRow]:
        """Streamed (server-side cursor on PostgreSQL): consume inside the unit of work.
        `read_ahead`: the caller takes its time over each row (it writes a workbook), so the
        store may read the next rows meanwhile, in a thread (PostgreSQL does); close the rows
        before the unit of work ends."""
        ...

    def audit_history(
        self, contract_id: str, before: tuple[datetime, str] | None, limit: int
    ) -> list[AuditEvent]:
        """The audit events of a contract and of its follow-ups, deviations and documents,
        newest first, `limit` of them older than `before` (time, id)."""
        ...

    def people_names(self, person_ids: Collection[str]) -> dict[str, str]: ...

    def contract_target(self, reference: str, scope: Scope) -> StatusTarget | None:
        """The visible contract with this reference (exact, else any case)."""
        ...

    def supplier_target(self, organisation_number: str, scope: Scope) -> StatusTarget | None:
        """The supplier with this number, when it has a visible contract."""
        ...

    def search_targets(self, text: str, scope: Scope, limit: int) -> Sequence[StatusTarget]:
        """Suppliers, units and owners whose name contains `text` (owners also by exact
        e-mail or UPN), each with a visible contract; suppliers, units, then owners."""
        ...

    def contract_history(
        self, contract_id: str, today: date, page: PageRequest
    ) -> Page[HistoryItem]: ...
    def upcoming(self, contract_id: str, today: date, limit: int) -> Sequence[HistoryItem]: ...
    def contract_documents(self, contract_id: str, limit: int) -> Sequence[DocumentItem]: ...
    def contract_decisions(
        self, contract_id: str, kinds: Collection[AnswerKind], limit: int
    ) -> Sequence[DecisionItem]:
        """The contract's follow-ups whose answer in force (the latest version, documents
        aside) is of `kinds`, the newest answer first."""
        ...

    def archived_case(self, contract_id: str) -> ArchivedCase | None:
        """What the archive has confirmed of the contract (None: nothing yet)."""
        ...

    def latest_risk_assessment(self, contract_id: str) -> AssessedRisk | None:
        """The contract's latest stored risk assessment (None: only the register's level)."""
        ...

    def latest_onsite_check(self, contract_id: str) -> LatestOnsiteCheck | None:
        """The contract's latest on-site check (None: never checked on site)."""
        ...

    def any_visible(self, scope: Scope, subset: Subset = ...) -> bool:
        """Whether the scope sees any contract (of the subset, when given)."""
        ...

    def absences_covered_by(self, person_ids: Collection[str], today: date) -> Sequence[CoverFact]:
        """Absences going on today whose deputy, or (the absence naming none) whose owner's
        standing deputy, is one of these people."""
        ...

    def people_with_role(self, role: Role, *, lock: bool = False) -> Sequence[Person]:
        """`lock`: PostgreSQL locks their rows (FOR UPDATE) until the transaction ends."""
        ...


class CalendarFeedRepository(Protocol):
    def person_for_token_hash(self, token_hash: str) -> str | None: ...
    def exists(self, person_id: str) -> bool: ...
    def replace(self, person_id: str, token_hash: str, now: datetime) -> None: ...
    def remove(self, person_id: str) -> bool: ...


class AnswerRepository(Protocol):
    """Answers are never updated or deleted: a correction is the next version."""

    def add(self, answer: Answer) -> tuple[Answer, bool]:
        """Store `answer` as its follow-up's next version (the version is set here) and
        return it with True. When an answer with the same `source_conversation` and
        `source_activity_id` exists, also one a concurrent transaction has just committed,
        nothing is stored and that answer comes back with False."""
        ...

    def by_source_activity(
        self, source_conversation: str, source_activity_id: str
    ) -> Answer | None: ...
    def for_follow_up(self, follow_up_id: str) -> Sequence[Answer]:
        """Every version, oldest first."""
        ...

    def latest(self, follow_up_id: str) -> Answer | None: ...


class DocumentRepository(Protocol):
    def add(self, document: Document) -> tuple[Document, bool]:
        """Store `document` and return it with True; when its follow-up, or another follow-up
        of the same contract, already has a file with the same SHA-256 (also one just
        committed concurrently), that one comes back with False."""
        ...

    def get(self, document_id: str) -> Document | None: ...
    def find(self, follow_up_id: str, sha256: str) -> Document | None: ...
    def with_sha256(self, sha256: str) -> Sequence[Document]:
        """Documents with these bytes, on any follow-up (their storage key may be reused)."""
        ...

    def for_follow_up(self, follow_up_id: str) -> Sequence[Document]:
        """Oldest first."""
        ...

    def for_answer(self, answer_id: str) -> Sequence[Document]: ...
    def on_contract(self, contract_id: str, sha256: str) -> Document | None:
        """The document with these bytes on any follow-up of the contract (the earliest copy)."""
        ...

    def for_follow_ups(self, follow_up_ids: Collection[str]) -> Sequence[Document]:
        """Oldest first."""
        ...


class DeviationRepository(Protocol):
    def add(self, deviation: Deviation) -> tuple[Deviation, bool]:
        """Store and return it with True; when a deviation with the same
        `source_conversation` and `source_activity_id` exists (also one just committed
        concurrently), that one comes back with False."""
        ...

    def get(self, deviation_id: str) -> Deviation | None: ...
    def by_source_activity(
        self, source_conversation: str, source_activity_id: str
    ) -> Deviation | None: ...
    def update(self, deviation: Deviation) -> None:
        """Store status, remedy, closed and updated by/at."""
        ...

    def for_contract(self, contract_id: str) -> Sequence[Deviation]:
        """Newest first (by the day it occurred, then when it was reported)."""
        ...

    def for_follow_up(self, follow_up_id: str) -> Sequence[Deviation]: ...
    def open_for_person(self, person_id: str) -> Sequence[Deviation]:
        """Deviations not closed that the person reported, or on contracts where the person
        is owner, manager or deputy; newest first."""
        ...

    def open(self, limit: int) -> Sequence[Deviation]:
        """Deviations not closed, most severe first, then newest."""
        ...

    def with_code(self, code: str) -> Deviation | None:
        """The deviation with this code (`AV-2026-0042`)."""
        ...

    def next_serial(self, year: int) -> int:
        """The next number in `year`'s series (1 for the first), taken for good: the counter
        is moved in this transaction, so a concurrent caller waits for it and gets the next."""
        ...

    def with_id_ending(self, suffix: str, limit: int) -> Sequence[Deviation]:
        """Deviations whose id ends with `suffix` (lower-case hex: a short code, see
        `followup.deviations.codes.short_code`), at most `limit`, oldest first."""
        ...


class DocumentStore(Protocol):
    """Where the bytes of documents live, by storage key. Keys are made by the domain
    (`followup.documents.services.new_storage_key`); a store refuses keys that are not safe."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` whole or not at all (a reader never sees half a file)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under `key`; raises `KeyError` when there are none."""
        ...

    def exists(self, key: str) -> bool: ...


class UnitOfWork(Protocol):
    """A transaction: rolled back on exit unless `commit()` was called."""

    @property
    def people(self) -> PeopleRepository: ...
    @property
    def conversations(self) -> ConversationRefRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def suppliers(self) -> SupplierRepository: ...
    @property
    def contracts(self) -> ContractRepository: ...
    @property
    def checkpoints(self) -> CheckpointRepository: ...
    @property
    def follow_ups(self) -> FollowUpRepository: ...
    @property
    def absences(self) -> AbsenceRepository: ...
    @property
    def calendar_feeds(self) -> CalendarFeedRepository: ...
    @property
    def deliveries(self) -> DeliveryRepository: ...
    @property
    def scheduler(self) -> SchedulerState: ...
    @property
    def summaries(self) -> SummaryQueries: ...
    @property
    def portfolio(self) -> PortfolioQueries: ...
    @property
    def answers(self) -> AnswerRepository: ...
    @property
    def documents(self) -> DocumentRepository: ...
    @property
    def deviations(self) -> DeviationRepository: ...

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
