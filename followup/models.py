"""The domain model of contract follow-up (see DESIGN.md). Pydantic only; no framework."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

_sortable_lock = threading.Lock()
_sortable_last = 0
_MASK_64 = (1 << 64) - 1


def new_id() -> str:
    """A UUID-shaped id that sorts in creation order within a process (time, then random bits).

    Time-ordered ids go in at the end of the primary key's index instead of at random places
    in it, which keeps bulk inserts (a register import, a year of follow-ups) fast as tables
    grow; audit events, which share the `now` of their transaction, keep a readable order.
    """
    global _sortable_last  # noqa: PLW0603
    with _sortable_lock:
        stamp = max(time.time_ns(), _sortable_last + 1)
        _sortable_last = stamp
    digits = f"{stamp & _MASK_64:016x}{secrets.randbits(64):016x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def new_ids(count: int) -> list[str]:
    """`count` ids as `new_id` makes them, in creation order, from one read of random bits (a
    bulk import makes two ids a row; reading the system's random source once per id was a
    twentieth of its time)."""
    global _sortable_last  # noqa: PLW0603
    if count <= 0:
        return []
    with _sortable_lock:
        first = max(time.time_ns(), _sortable_last + 1)
        _sortable_last = first + count - 1
    random = secrets.token_bytes(8 * count).hex()
    ids = []
    for index in range(count):
        digits = f"{(first + index) & _MASK_64:016x}{random[16 * index : 16 * index + 16]}"
        ids.append(f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}")
    return ids


class DomainModel(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid", validate_assignment=True)


class Role(StrEnum):
    OWNER = "owner"
    PROCUREMENT = "procurement"
    ADMIN = "admin"


class ContractType(StrEnum):
    FRAMEWORK = "rammeavtale"
    SINGLE = "enkeltkontrakt"
    CALL_OFF = "avrop"


class Category(StrEnum):
    GOODS = "varer"
    SERVICES = "tjenester"
    BUILDING = "bygg_og_anlegg"


class RiskLevel(StrEnum):
    LOW = "lav"
    MEDIUM = "middels"
    HIGH = "høy"


class ContractStatus(StrEnum):
    ACTIVE = "aktiv"
    PLANNED = "planlagt"
    EXPIRED = "utløpt"
    TERMINATED = "avsluttet"


class FollowUpState(StrEnum):
    PLANNED = "planned"
    NOTIFIED = "notified"
    REMINDED = "reminded"
    ANSWERED = "answered"
    DEVIATION_REPORTED = "deviation_reported"
    ESCALATED = "escalated"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


OPEN_FOLLOW_UP_STATES = frozenset(
    {
        FollowUpState.PLANNED,
        FollowUpState.NOTIFIED,
        FollowUpState.REMINDED,
        FollowUpState.ESCALATED,
        FollowUpState.SNOOZED,
    }
)


class AnswerKind(StrEnum):
    DELIVERED = "delivered"
    PARTLY_DELIVERED = "partly_delivered"
    NOT_DELIVERED = "not_delivered"
    DOCUMENTS = "documents"
    DEVIATION = "deviation"
    NOT_APPLICABLE = "not_applicable"
    OPTION_EXERCISED = "option_exercised"
    """*Opsjonen utløses*: a decision (`Answer.decided_by`, `Answer.decided_on`)."""
    OPTION_NOT_EXERCISED = "option_not_exercised"
    """*Opsjonen utløses ikke*: a decision."""
    NEW_PROCUREMENT = "new_procurement"
    """The contract expires: *ny anskaffelse startet* (a decision)."""
    EXTENDED = "extended"
    """The contract expires: *forlenges* (a decision)."""
    ENDING = "ending"
    """The contract expires: *avsluttes* (a decision)."""
    IN_ORDER = "in_order"
    """A price check: *i samsvar* with the agreed prices."""
    MEETING_HELD = "meeting_held"
    """A status meeting: *holdt* (the minutes are the checkpoint's evidence)."""


class Severity(StrEnum):
    LOW = "lav"
    MEDIUM = "middels"
    HIGH = "høy"
    CRITICAL = "kritisk"


class DeviationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class DeviationCategory(StrEnum):
    """What kind of deviation (*avvik*), DOMAIN.md; Norwegian labels in
    `followup.deviations.services`."""

    DELAY = "forsinkelse"
    DEFECT = "mangel"
    """*Mangel / kvalitetsavvik*."""
    QUANTITY = "feil_mengde"
    PRICE = "prisavvik"
    """*Prisavvik / fakturaavvik*."""
    LEAKAGE = "avtalelekkasje"
    DOCUMENTATION = "dokumentasjonsavvik"
    INTEGRITY = "seriositetsavvik"
    """*Seriøsitetsavvik*: pay, pension, HMS-kort, apprentices, supply chain."""
    HSE = "hms"
    OTHER = "annet"


class Remedy(StrEnum):
    """The sanction ladder, mildest first (DOMAIN.md); labels in `followup.deviations.services`."""

    NOTICE = "reklamasjon"
    CORRECTION = "retting"
    REDELIVERY = "omlevering"
    PRICE_REDUCTION = "prisavslag"
    ACTION_PLAN = "handlingsplan"
    DAILY_PENALTY = "dagmulkt"
    """*Dagbot / dagmulkt*."""
    WITHHOLDING = "tilbakeholdelse"
    DAMAGES = "erstatning"
    TERMINATION = "heving"
    NO_RENEWAL = "ikke_prolongere"
    """The quiet sanction: the contract is not extended."""


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    """Claimed by a sender; when its lease runs out (the sender died), it is sent again."""
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"
    """Not sent on purpose: the person paused reminders."""


class DeliveryKind(StrEnum):
    DIGEST = "digest"
    """A person's due and overdue follow-ups (their own, those they cover, those escalated to
    them), one card per send."""
    ESCALATION = "escalation"
    """Follow-ups overdue past the last step of the ladder, to the procurement channels."""
    UNREACHABLE = "unreachable"
    """To the procurement channels: whom the bot cannot reach and which follow-ups are stuck."""
    WEEKLY = "weekly"
    """The weekly summary to a procurement channel."""
    DEVIATION = "deviation"
    """A high or critical deviation, to the procurement channels as soon as it is reported."""
    CEILING = "ceiling"
    """An agreement past 80 % or 100 % of its maximum value, to its owner and the procurement
    channels, once each (`followup.analysis.findings`)."""
    ARCHIVE = "archive"
    """Archive messages that failed for good, to the procurement channels, each failure told
    once (`followup.archive.alerts`)."""


class ConversationKind(StrEnum):
    PERSONAL = "personal"
    CHANNEL = "channel"
    GROUP_CHAT = "groupChat"


class Absence(DomainModel):
    """A person away from `start` to `end` (both days included); `deputy_person_id` covers."""

    id: str = Field(default_factory=new_id)
    person_id: str
    start: date
    end: date
    deputy_person_id: str | None = None


class Person(DomainModel):
    id: str = Field(default_factory=new_id)
    display_name: str
    email: str | None = None
    upn: str | None = None
    entra_object_id: str | None = None
    teams_user_id: str | None = None
    roles: set[Role] = Field(default_factory=set)
    locale: str = "nb-NO"
    deputy_person_id: str | None = None
    reminders_paused: bool = False
    reminders_per_day: int = Field(default=1, ge=1, le=10)
    """At most this many reminder messages a day (more only when the person asked for it)."""
    unreachable: bool = False


class Supplier(DomainModel):
    id: str = Field(default_factory=new_id)
    name: str
    organisation_number: str


class ComplianceFlags(DomainModel):
    pay_and_conditions: bool = False
    apprentices: bool = False
    hms_card: bool = False
    supply_chain: bool = False


class Contract(DomainModel):
    """A contract in the register.

    `end_date` is the end of the current period; `options` are the end dates the contract may be
    extended to, one per option, in order (`2+1+1` from 2025-01-01 gives end 2026-12-31 and
    options 2027-12-31, 2028-12-31). `ongoing` (*løpende avtale*) runs until given notice.
    """

    id: str = Field(default_factory=new_id)
    reference: str
    case_number: str | None = None
    title: str
    contract_type: ContractType
    category: Category
    supplier_id: str | None = None
    owner_id: str | None = None
    manager_id: str | None = None
    deputy_id: str | None = None
    unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    options: list[date] = Field(default_factory=list)
    value_nok: int | None = None
    maximum_value_nok: int | None = None
    """*Maksverdi*: the agreement's ceiling ex. VAT; passing it is an illegal direct award."""
    ledger_accounts: str | None = None
    """*Kontoer*: the ledger accounts the agreement covers, `1250, 1300-1309`
    (`followup.register.reading.parse_accounts`)."""
    cpv_code: str | None = None
    ongoing: bool = False
    notice_months: int | None = None
    risk: RiskLevel = RiskLevel.MEDIUM
    status: ContractStatus = ContractStatus.ACTIVE
    public: bool = True
    scope: str | None = None
    """*Omfang*: what may be bought under the agreement (public when the agreement is)."""
    how_to_order: str | None = None
    """*Bestilling*: how to order under the agreement (public)."""
    contact_email: str | None = None
    """*Kontakt*: the address for questions about the agreement, ideally a role address."""
    doffin_notice: str | None = None
    """*Doffin*: the notice's number on doffin.no, `2024-123456`."""
    compliance: ComplianceFlags = Field(default_factory=ComplianceFlags)


class CheckpointStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


class CheckpointSource(StrEnum):
    TEMPLATE = "template"
    MANUAL = "manual"


class Checkpoint(DomainModel):
    """What must be checked on a contract and how often (an RFC 5545 RRULE with its DTSTART).

    A checkpoint made from a template follows the template until procurement edits it
    (`customised`); edited, paused and removed checkpoints are never overwritten by the plan.
    """

    id: str = Field(default_factory=new_id)
    contract_id: str
    code: str
    title: str
    question: str = ""
    rrule: str
    dtstart: date
    evidence: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    answer_window_days: int = 5
    escalation: list[int] = Field(default_factory=lambda: [2, 5, 10])
    status: CheckpointStatus = CheckpointStatus.ACTIVE
    source: CheckpointSource = CheckpointSource.TEMPLATE
    customised: bool = False


class FollowUp(DomainModel):
    id: str = Field(default_factory=new_id)
    checkpoint_id: str
    contract_id: str
    due_date: date
    state: FollowUpState = FollowUpState.PLANNED
    next_action_at: datetime | None = None
    reminder_step: int = 0


MAX_DECIDED_BY: Final = 120
"""Characters of `Answer.decided_by`."""
_OSLO: Final = ZoneInfo("Europe/Oslo")


class Answer(DomainModel):
    id: str = Field(default_factory=new_id)
    follow_up_id: str
    version: int = 1
    kind: AnswerKind
    answered_by_id: str
    on_behalf_of_id: str | None = None
    answered_at: datetime
    text: str | None = None
    channel: str = "msteams"
    source_activity_id: str | None = None
    source_conversation: str = ""
    """The conversation `source_activity_id` came in (`followup.answers.services.SourceKey`):
    unique together, as Teams message ids are unique only within their conversation."""
    decided_by: str | None = Field(default=None, max_length=MAX_DECIDED_BY)
    """Option and expiry decisions: who decided, as given (the person answering when no one
    else was named); None for other answers."""
    decided_on: date | None = None
    """Option and expiry decisions: the day it was decided, never after the day it was
    answered (Oslo)."""

    @model_validator(mode="after")
    def _decided_before_answered(self) -> Answer:
        if self.decided_on is not None:
            answered_on = self.answered_at.astimezone(_OSLO).date()
            if self.decided_on > answered_on:
                raise ValueError("decided_on is after the day the answer was given")
        return self


class Document(DomainModel):
    """A stored file. `evidence` names the documentation it is (a code from
    `Checkpoint.evidence`, e.g. `skatteattest`), when known."""

    id: str = Field(default_factory=new_id)
    answer_id: str | None = None
    follow_up_id: str | None = None
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    storage_key: str
    evidence: str | None = None
    uploaded_by_id: str | None = None
    uploaded_at: datetime


class Deviation(DomainModel):
    id: str = Field(default_factory=new_id)
    code: str | None = None
    """What people see and type, `AV-2026-0042` (`followup.deviations.codes`); given when the
    deviation is stored."""
    contract_id: str
    follow_up_id: str | None = None
    category: DeviationCategory
    severity: Severity
    occurred_on: date
    description: str
    remedy: Remedy | None = None
    status: DeviationStatus = DeviationStatus.OPEN
    reported_by_id: str
    reported_at: datetime
    closed_by_id: str | None = None
    closed_at: datetime | None = None
    updated_by_id: str | None = None
    updated_at: datetime | None = None
    source_activity_id: str | None = None
    source_conversation: str = ""
    """As `Answer.source_conversation`."""


class Delivery(DomainModel):
    """One proactive message in the outbox: made when it is due, sent once by one sender.

    `message` is the rendered message (text and card JSON), made when the delivery is planned,
    so a sender only sends. `dedupe_key`, when set, is unique: a second delivery for the same
    thing (the weekly summary for the same channel and week) is never made.
    """

    id: str = Field(default_factory=new_id)
    kind: DeliveryKind = DeliveryKind.DIGEST
    recipient_person_id: str | None = None
    conversation_ref_id: str | None = None
    follow_up_ids: list[str] = Field(default_factory=list)
    message: dict[str, Any] = Field(default_factory=dict)
    state: DeliveryState = DeliveryState.QUEUED
    attempts: int = 0
    last_error: str | None = None
    sent_activity_id: str | None = None
    next_attempt_at: datetime | None = None
    dedupe_key: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class AuditEvent(DomainModel):
    """Something done, by whom, to what, with the values before and after. Append-only.

    `seq`, `prev_hash` and `hash` are its place in the audit trail's hash chain
    (`followup.audit`): set by the audit log when the event is stored, None before.
    """

    id: str = Field(default_factory=new_id)
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None


class ConversationRef(DomainModel):
    """Where the bot can reach a person or a channel later (plain JSON, no SDK types)."""

    id: str = Field(default_factory=new_id)
    conversation_id: str
    kind: ConversationKind
    tenant_id: str | None
    service_url: str
    channel_id: str
    bot_id: str
    bot_name: str | None = None
    user_id: str | None = None
    aad_object_id: str | None = None
    person_id: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    is_procurement_channel: bool = False
    updated_at: datetime
