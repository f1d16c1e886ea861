"""SQLAlchemy 2 typed tables for the whole domain model. The only home of ORM classes.

Repositories convert rows to `followup.models` objects; nothing outside `storage/` sees a row.
Times are stored as UTC and always come back timezone-aware (`UtcDateTime`), on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from followup.models import OPEN_FOLLOW_UP_STATES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)

OPEN_STATES_SQL = "state IN ({})".format(
    ", ".join(f"'{state.value}'" for state in sorted(OPEN_FOLLOW_UP_STATES))
)
"""The open follow-ups, as the partial index `ix_follow_ups_open_due` and the portfolio
queries both spell it (SQLite uses a partial index only for the very same expression)."""


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; refuses naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012
        datetime: UtcDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    upn: Mapped[str | None] = mapped_column(String(320), unique=True)
    entra_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(16), default="nb-NO")
    deputy_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_per_day: Mapped[int] = mapped_column(Integer, default=1)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AbsenceRow(Base):
    __tablename__ = "absences"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    start: Mapped[date]
    end: Mapped[date]
    deputy_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)


# The public register's search vectors on PostgreSQL (issue 18, migration 0018): Norwegian
# full-text over what the register publishes; `storage.public_register` matches against these
# very expressions so that their GIN indexes serve the search.
PUBLIC_CONTRACT_VECTOR = (
    "to_tsvector('norwegian'::regconfig, regexp_replace("
    "title || ' ' || coalesce(scope, '') || ' ' || coalesce(cpv_code, '') || ' ' || "
    "replace(category, '_', ' '), '[^[:alnum:]]+', ' ', 'g'))"
)
PUBLIC_SUPPLIER_VECTOR = (
    "to_tsvector('norwegian'::regconfig, regexp_replace(name, '[^[:alnum:]]+', ' ', 'g'))"
)


PUBLIC_SEARCH_INDEXES = frozenset({"ix_contracts_public_search", "ix_suppliers_public_search"})
"""PostgreSQL's GIN indexes on those vectors (migration 0018). Expression indexes are not
declared here: SQLite has no such index, and Alembic cannot compare them on SQLite."""


class SupplierRow(Base):
    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    organisation_number: Mapped[str] = mapped_column(String(9), unique=True)


class ContractRow(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        # Portfolio status: active contracts followed up, counted from the index alone.
        Index("ix_contracts_status_followed", "status", "has_follow_ups"),
        # The few contracts without follow-ups, for the trigger that keeps has_follow_ups.
        Index(
            "ix_contracts_without_follow_ups",
            "id",
            postgresql_where=text("NOT has_follow_ups"),
            sqlite_where=text("NOT has_follow_ups"),
        ),
        # `status <leverandør|enhet>`: a supplier's or unit's contracts from the index alone
        # (migration 0013).
        Index(
            "ix_contracts_supplier_portfolio",
            "supplier_id",
            "status",
            "has_follow_ups",
            "id",
            "owner_id",
        ),
        Index("ix_contracts_unit_portfolio", "unit", "status", "has_follow_ups", "id", "owner_id"),
        # The public register's framework agreements (migration 0018). On PostgreSQL also the
        # GIN index of their search vector, ix_contracts_public_search: an expression index,
        # made by the migration alone (PUBLIC_SEARCH_INDEXES).
        Index("ix_contracts_public_register", "contract_type", "public"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    case_number: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    contract_type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    # No index of its own: ix_contracts_supplier_portfolio begins with it (migration 0023).
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("suppliers.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    deputy_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))  # ix_contracts_unit_portfolio
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    value_nok: Mapped[int | None] = mapped_column(BigInteger)
    # *Maksverdi* and *Kontoer* (issue 16): the agreement's ceiling ex. VAT in whole kroner, and
    # the ledger accounts it covers as written back by `followup.analysis.reading`
    # (`1250, 1300-1309`).
    maximum_value_nok: Mapped[int | None] = mapped_column(BigInteger)
    ledger_accounts: Mapped[str | None] = mapped_column(String(500))
    cpv_code: Mapped[str | None] = mapped_column(String(16))
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_months: Mapped[int | None] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # ix_contracts_status_followed
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    # The public register's columns (issue 18, migration 0018): *Omfang*, *Bestilling*,
    # *Kontakt* (an e-mail address) and *Doffin* (the notice's number, `2024-123456`).
    scope: Mapped[str | None] = mapped_column(Text)
    how_to_order: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    doffin_notice: Mapped[str | None] = mapped_column(String(16))
    pay_and_conditions: Mapped[bool] = mapped_column(Boolean, default=False)
    apprentices: Mapped[bool] = mapped_column(Boolean, default=False)
    hms_card: Mapped[bool] = mapped_column(Boolean, default=False)
    supply_chain: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Whether the contract has any follow-up. Kept by database triggers on follow_ups
    # (migration 0005), never written by the code: counting contracts followed up must not
    # probe the follow-ups of every contract.
    has_follow_ups: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PublicRegisterStateRow(Base):
    """One row (id 1): how often and when the public register last changed. Kept by database
    triggers on contracts and suppliers (migration 0018) whenever a public framework
    agreement's public fields change or an agreement stops being public; never written by
    the code. The SQLite search rebuilds its index when `version` moves; `changed_at` is the
    open data's Last-Modified."""

    __tablename__ = "public_register_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime]


class CheckpointRow(Base):
    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("contract_id", "code"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text, default="")
    rrule: Mapped[str] = mapped_column(String(500))
    dtstart: Mapped[date]
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer_window_days: Mapped[int] = mapped_column(Integer, default=5)
    escalation: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    source: Mapped[str] = mapped_column(String(16), default="template")
    customised: Mapped[bool] = mapped_column(Boolean, default=False)


class FollowUpRow(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "due_date"),
        # The scheduler's one question: what is due now? Only open rows carry next_action_at.
        Index("ix_follow_ups_next_action_at", "next_action_at"),
        # A contract's follow-ups by date; with the columns the portfolio counts read, so that
        # counting a supplier's, unit's or owner's follow-ups needs no table rows.
        Index(
            "ix_follow_ups_contract_due",
            "contract_id",
            "due_date",
            "state",
            "reminder_step",
            "first_answered_on",
        ),
        Index("ix_follow_ups_state_due", "state", "due_date"),
        # Portfolio: what is overdue (and escalated), oldest first, over open rows only.
        Index(
            "ix_follow_ups_open_due",
            "due_date",
            "id",
            "state",
            "reminder_step",
            postgresql_where=text(OPEN_STATES_SQL),
            sqlite_where=text(OPEN_STATES_SQL),
        ),
        # Portfolio: a scope's (a supplier's, an owner's) open follow-ups, contract by contract.
        Index(
            "ix_follow_ups_open_contract",
            "contract_id",
            "due_date",
            "id",
            "state",
            "reminder_step",
            postgresql_where=text(OPEN_STATES_SQL),
            sqlite_where=text(OPEN_STATES_SQL),
        ),
        # Portfolio: due in a week or period, answered, answered on time, from the index alone.
        Index("ix_follow_ups_due_answered", "due_date", "state", "first_answered_on"),
        # `status <leverandør|enhet>`: a supplier's or unit's counts, a range per state
        # (migration 0014).
        Index(
            "ix_follow_ups_supplier_counts",
            "supplier_id",
            "state",
            "due_date",
            "reminder_step",
            "first_answered_on",
        ),
        Index(
            "ix_follow_ups_unit_counts",
            "unit",
            "state",
            "due_date",
            "reminder_step",
            "first_answered_on",
        ),
        # A reminder digest: its recipient's other open follow-ups, by due date (migration 0024).
        Index(
            "ix_follow_ups_open_owner",
            "owner_id",
            "due_date",
            postgresql_where=text(OPEN_STATES_SQL),
            sqlite_where=text(OPEN_STATES_SQL),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    checkpoint_id: Mapped[str] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    due_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(32))
    next_action_at: Mapped[datetime | None]
    reminder_step: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None]
    # The Oslo calendar date of the first answer. Kept by a database trigger on answers
    # (migration 0005), never written by the code: "answered on time" over a period is then
    # read from one index instead of probing the answers of every follow-up.
    first_answered_on: Mapped[date | None]
    # Copies of the contract's supplier_id and unit. Kept by database triggers on follow_ups
    # (insert) and contracts (a changed supplier or unit), migration 0014; never written by
    # the code: a supplier's or unit's status counts its follow-ups without its contracts.
    supplier_id: Mapped[str | None] = mapped_column(ID)
    unit: Mapped[str | None] = mapped_column(String(200))
    # A copy of the contract's owner_id, kept by the same triggers (migration 0024); never
    # written by the code: a digest reads its recipient's open follow-ups without the contracts.
    owner_id: Mapped[str | None] = mapped_column(ID)


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "version"),
        # One answer per activity in its conversation (Teams message ids are unique only
        # there); rows from before migration 0007 have the conversation "".
        UniqueConstraint("source_conversation", "source_activity_id", name="uq_answers_source"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # No index of its own: the unique (follow_up_id, version) serves look-ups by the follow-up
    # (migration 0022 dropped the one that repeated it).
    follow_up_id: Mapped[str] = mapped_column(ForeignKey("follow_ups.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    answered_by_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    on_behalf_of_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    answered_at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32))
    source_activity_id: Mapped[str | None] = mapped_column(String(200))
    source_conversation: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Option and expiry decisions: who decided and on which day (migration 0010).
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_on: Mapped[date | None]


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (
        # One row per file per follow-up: the same file sent twice is recognised.
        UniqueConstraint("follow_up_id", "sha256", name="uq_documents_follow_up_sha256"),
        # And per contract, for whichever follow-up (migration 0012); its index finds a
        # contract's documents by SHA-256.
        UniqueConstraint("contract_id", "sha256", name="uq_documents_contract_sha256"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    answer_id: Mapped[str | None] = mapped_column(ForeignKey("answers.id"), index=True)
    follow_up_id: Mapped[str | None] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contracts.id"))
    """The contract of the follow-up, set by the repository (not a domain field). NULL without
    a follow-up, and on a later copy of the same bytes on one contract stored before 0012."""
    file_name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    uploaded_at: Mapped[datetime]


class DeviationRow(Base):
    __tablename__ = "deviations"
    __table_args__ = (
        Index("ix_deviations_status_severity", "status", "severity"),
        Index("ix_deviations_status_category", "status", "category"),
        Index("ix_deviations_status_contract", "status", "contract_id", "severity"),
        # The activity the report came in, in its conversation (Teams re-sends): one
        # deviation per activity. Rows from before migration 0007 have the conversation "".
        UniqueConstraint("source_conversation", "source_activity_id", name="uq_deviations_source"),
        UniqueConstraint("code", name="uq_deviations_code"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(16))
    """`AV-2026-0042` (`followup.deviations.codes`); NULL only if stored without one."""
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    follow_up_id: Mapped[str | None] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reported_by_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    reported_at: Mapped[datetime]
    closed_by_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None]
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime | None]
    source_activity_id: Mapped[str | None] = mapped_column(String(200))
    source_conversation: Mapped[str] = mapped_column(String(64), default="", server_default="")


class DeviationSerialRow(Base):
    """The last deviation number given in a year (`DeviationRepository.next_serial`)."""

    __tablename__ = "deviation_serials"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class DeliveryRow(Base):
    """The outbox. A sender claims a row (state `sending`, `claimed_by`, `lease_expires_at`);
    a row whose lease ran out is claimed again."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_state_created", "state", "created_at"),
        # The senders' one question: what is queued and may be sent now?
        Index("ix_deliveries_state_next_attempt", "state", "next_attempt_at"),
        # How many messages has this person had today?
        Index("ix_deliveries_recipient_created", "recipient_person_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="digest")
    recipient_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    conversation_ref_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversation_refs.id", ondelete="SET NULL")
    )
    follow_up_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    message: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_activity_id: Mapped[str | None] = mapped_column(String(200))
    next_attempt_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class SchedulerStateRow(Base):
    """Leases and marks shared by every scheduler process: who plans reminders right now
    (`holder` until `expires_at`), and when a daily or weekly job last ran (`value`)."""

    __tablename__ = "scheduler_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    value: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class AuditEventRow(Base):
    """Append-only: rows are inserted, never updated or deleted (triggers refuse both,
    migration 0009). Each row is a link of the hash chain (`followup.audit`): `seq` numbers the
    events 1, 2, 3 … in the order they were appended, `hash` is the SHA-256 of the row's
    canonical content and `prev_hash`, the previous row's `hash`. A later migration that alters
    this table in SQLite's batch mode (which copies it) must create its triggers again."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id"),
        Index("ix_audit_events_seq", "seq", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHeadRow(Base):
    """One row (`id` 1): the audit chain's last `seq` and `hash`. Appending takes it under a
    lock (PostgreSQL: `FOR UPDATE`; SQLite: the write lock), which gives the chain its total
    order. Triggers refuse deleting it and moving `seq` back (migration 0009)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class ConversationRefRow(Base):
    __tablename__ = "conversation_refs"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_conversation_refs_conv_user"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400))
    # '' for a channel or group chat (one row per conversation), the user's id for a personal chat.
    user_id: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(400))
    channel_id: Mapped[str] = mapped_column(String(32))
    bot_id: Mapped[str] = mapped_column(String(200))
    bot_name: Mapped[str | None] = mapped_column(String(200))
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    team_id: Mapped[str | None] = mapped_column(String(400))
    team_name: Mapped[str | None] = mapped_column(String(300))
    is_procurement_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class CalendarFeedRow(Base):
    """A person's private iCalendar address. Only the SHA-256 of the token is stored."""

    __tablename__ = "calendar_feeds"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class ProcessedActivityRow(Base):
    """Incoming activities claimed by an instance: Teams re-sends what was not answered in 15 s.

    `state` is `in_progress` while a turn runs and `done` after it (with the invoke response,
    for invokes); an `in_progress` claim older than the lease belongs to an instance that died
    and is taken over by the next copy.
    """

    __tablename__ = "processed_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(16), server_default="done")
    claimed_at: Mapped[datetime]
    invoke_status: Mapped[int | None] = mapped_column(Integer)
    invoke_body: Mapped[str | None] = mapped_column(Text)


class DialogStateRow(Base):
    """botbuilder's Storage (dialog and conversation state), with an e-tag per item."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    e_tag: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime]


# --- purchase analysis (issue 16, migration 0016) ----------------------------------------------
# Money and quantities as scaled integers (exact sums in SQL, fast bulk inserts): amounts in øre,
# unit prices in 1/10 000 krone, quantities in 1/1 000 (`storage.analysis_repositories`).
LINE_ID = BigInteger().with_variant(Integer, "sqlite")
"""A line's own id: SQLite's rowid (INTEGER PRIMARY KEY), PostgreSQL's bigint identity."""


class AnalysisImportRow(Base):
    """One imported price list, sales statistics or ledger file: what it held, for which
    agreement and period, who imported it and when."""

    __tablename__ = "analysis_imports"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    contract_id: Mapped[str | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    period_from: Mapped[date | None]
    period_to: Mapped[date | None]
    lines: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime]


class PriceListLineRow(Base):
    __tablename__ = "price_list_lines"
    # In the order an analysis reads the list (by article, then date): no sort.
    __table_args__ = (
        Index("ix_price_list_lines_contract", "contract_id", "article_key", "valid_from"),
    )

    id: Mapped[int] = mapped_column(LINE_ID, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    import_id: Mapped[str] = mapped_column(ForeignKey("analysis_imports.id"), index=True)
    article_key: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(50))
    agreed_price_e4: Mapped[int] = mapped_column(BigInteger)
    core: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date | None]


class StatisticsLineRow(Base):
    __tablename__ = "statistics_lines"
    __table_args__ = (
        Index("ix_statistics_lines_contract_period", "contract_id", "period_from", "period_to"),
    )

    id: Mapped[int] = mapped_column(LINE_ID, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    # The import a line came with, without a foreign key: a million lines each checked against
    # `analysis_imports` cost a third of a PostgreSQL import, and the lines are only ever
    # written in the transaction that adds their import (and imports are never deleted).
    import_id: Mapped[str] = mapped_column(ID)
    period_from: Mapped[date]
    period_to: Mapped[date]
    customer: Mapped[str | None] = mapped_column(String(200))
    article_key: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(50))
    quantity_e3: Mapped[int | None] = mapped_column(BigInteger)
    unit_price_e4: Mapped[int | None] = mapped_column(BigInteger)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    core_marked: Mapped[bool | None] = mapped_column(Boolean)


class StatisticsPeriodRow(Base):
    """An agreement's statistics lines of one period, counted and summed: kept with the lines
    (`storage.analysis_repositories`), so that the turnover before a period (the ceiling) and
    the periods an agreement has are read from a row a period, not summed over a million
    lines."""

    __tablename__ = "statistics_periods"

    contract_id: Mapped[str] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    period_from: Mapped[date] = mapped_column(primary_key=True)
    period_to: Mapped[date] = mapped_column(primary_key=True)
    lines: Mapped[int] = mapped_column(BigInteger)
    amount_ore: Mapped[int] = mapped_column(BigInteger)


class StatisticsSumRow(Base):
    """An agreement's statistics lines of one period as an analysis reads them
    (`SqlAlchemyAnalysisRepository.statistics_summed`): lines that differ only in customer,
    quantity and amount summed, the others one by one. Made from the lines whenever lines of
    the period are stored or removed, so that analysing a quarter of 20 000 lines reads its few
    thousand sums instead of grouping the 20 000."""

    __tablename__ = "statistics_sums"
    __table_args__ = (
        Index("ix_statistics_sums_contract_period", "contract_id", "period_from", "period_to"),
    )

    id: Mapped[int] = mapped_column(LINE_ID, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    period_from: Mapped[date]
    period_to: Mapped[date]
    article: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(50))
    quantity_e3: Mapped[int | None] = mapped_column(BigInteger)
    unit_price_e4: Mapped[int | None] = mapped_column(BigInteger)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(BigInteger)


class LedgerLineRow(Base):
    __tablename__ = "ledger_lines"
    # Covering: the spend on accounts in a period, summed per supplier, is read from the index
    # alone (`SqlAlchemyAnalysisRepository.ledger_spend`).
    __table_args__ = (
        Index(
            "ix_ledger_lines_account_date",
            "account",
            "voucher_date",
            "organisation_number",
            "amount_ore",
            "supplier_name",
        ),
    )

    id: Mapped[int] = mapped_column(LINE_ID, primary_key=True, autoincrement=True)
    # The import a line came with, without a foreign key: a million lines each checked against
    # `analysis_imports` cost a third of a PostgreSQL import, and the lines are only ever
    # written in the transaction that adds their import (and imports are never deleted).
    import_id: Mapped[str] = mapped_column(ID)
    voucher_date: Mapped[date]
    organisation_number: Mapped[str | None] = mapped_column(String(9))
    supplier_name: Mapped[str] = mapped_column(String(300))
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(String(32))
    responsibility: Mapped[str | None] = mapped_column(String(200))


class ArchiveMessageRow(Base):
    """The archive's outbox (issue 17, `followup.archive.services`): one row per Fiks Arkiv
    message, by its stable id. A sender claims a pending row with `claimed_by` and
    `lease_expires_at`; the archive's numbers are stored from its receipt."""

    __tablename__ = "archive_messages"
    __table_args__ = (
        # The senders' one question: what is pending and due now?
        Index("ix_archive_messages_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_archive_messages_contract_state", "contract_id", "state"),
    )

    message_id: Mapped[str] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    record_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    error_kind: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    case_year: Mapped[int | None] = mapped_column(Integer)
    case_sequence: Mapped[int | None] = mapped_column(Integer)
    journal_year: Mapped[int | None] = mapped_column(Integer)
    journal_sequence: Mapped[int | None] = mapped_column(Integer)
    journal_post_number: Mapped[int | None] = mapped_column(Integer)
    record_system_id: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[str | None] = mapped_column(String(100))
    case_system_id: Mapped[str | None] = mapped_column(String(100))
    case_id: Mapped[str | None] = mapped_column(String(100))


# --- risk assessments (issue 19, migration 0019) ------------------------------------------------


class RiskAssessmentRow(Base):
    """One version of a contract's risk assessment (`followup.checks.models.RiskAssessment`);
    versions are only ever added. `scores` is `{area: [consequence, likelihood]}`."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        UniqueConstraint("contract_id", "version", name="uq_risk_assessments_contract_version"),
        # The overview's question: each contract's latest assessment, and when.
        Index("ix_risk_assessments_contract_assessed", "contract_id", "assessed_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    assessed_by_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    assessed_at: Mapped[datetime]
    scores: Mapped[dict[str, Any]]
    suggested: Mapped[str | None] = mapped_column(String(16))
    chosen: Mapped[str] = mapped_column(String(16))
    previous: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)


# --- on-site checks (issue 19, migration 0020) ---------------------------------------------------


class OnsiteCheckRow(Base):
    """One on-site check of a contract (`followup.checks.onsite_models.OnsiteCheck`), numbered
    from 1 per contract; only ever added."""

    __tablename__ = "onsite_checks"
    __table_args__ = (
        UniqueConstraint("contract_id", "number", name="uq_onsite_checks_contract_number"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    number: Mapped[int] = mapped_column(Integer)
    checked_on: Mapped[date]
    place: Mapped[str | None] = mapped_column(String(300))
    participants: Mapped[str | None] = mapped_column(String(300))
    workers: Mapped[int] = mapped_column(Integer)
    cards_checked: Mapped[int] = mapped_column(Integer)
    without_card: Mapped[int] = mapped_column(Integer)
    crew_list: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime]
    deviation_id: Mapped[str | None] = mapped_column(ForeignKey("deviations.id"))
    follow_up_id: Mapped[str | None] = mapped_column(ForeignKey("follow_ups.id"))


# --- supplier evaluations (issue 19, migration 0021) ---------------------------------------------


class SupplierEvaluationRow(Base):
    """One version of a contract's supplier evaluation
    (`followup.checks.evaluation_models.SupplierEvaluation`); versions are only ever added.
    `scores` is `{heading: [score, comment]}`; `overall` is the *samlet vurdering* score."""

    __tablename__ = "supplier_evaluations"
    __table_args__ = (
        UniqueConstraint("contract_id", "version", name="uq_supplier_evaluations_contract_version"),
        # A supplier's evaluations over time (`status <leverandør>`).
        Index("ix_supplier_evaluations_supplier_evaluated", "supplier_id", "evaluated_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("suppliers.id"))
    version: Mapped[int] = mapped_column(Integer)
    evaluated_by_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    evaluated_at: Mapped[datetime]
    overall: Mapped[int] = mapped_column(Integer)
    scores: Mapped[dict[str, Any]]


def table_of(model: type[Any]) -> Table:
    """The Core table of an ORM class, for bulk statements and plain-row reads."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(model)
    return table


__all__ = ["Base", "UtcDateTime", "table_of", "text"]
