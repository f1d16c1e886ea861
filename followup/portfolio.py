"""Procurement asks, the bot answers: portfolio status, what is overdue, open deviations, one
contract's (or supplier's, unit's, owner's) status and history, and exports.

Every question takes a `followup.access.Scope` (what the asker, or the channel, may see) and
`today` (an Oslo date; nothing here reads the clock). The storage answers it in SQL, in pages or
as streamed rows, never by reading tables into Python.

## What the numbers mean (`PortfolioStatus`)

For the contracts in scope (and in `subset`: one supplier, unit, owner or contract):

- **contracts followed up**: active contracts (`ContractStatus.ACTIVE`) with at least one
  follow-up.
- **due this week**: follow-ups due Monday to Sunday of `today`'s ISO week, except those the
  plan skipped.
- **the answer period** is the last `ANSWER_PERIOD_DAYS` (90) days, `today` included:
  `period_start = today - 89 days` to `period_end = today`.
  - **due in the period**: follow-ups due in the period, except those the plan skipped;
  - **answered**: those of them with at least one answer;
  - **answered on time**: those of them whose FIRST answer was given on or before the due date,
    by the calendar in Oslo (an answer at 23:59 Oslo time on the due date is on time, at 00:00
    the next day it is late). Corrections (later versions) do not change it.
- **overdue**: open follow-ups (planned, notified, reminded, escalated, snoozed) due before
  `today`, whatever the contract's status.
- **escalated**: overdue follow-ups in state escalated, or at or past the procurement step of
  the reminder ladder (`Step.PROCUREMENT`).
- **open deviations**: deviations not closed (open or in progress), by severity.
- **unreachable owners**: owners the bot cannot reach (`Person.unreachable`) with at least one
  open follow-up on a contract they own.

Each number is the length of an export (`PortfolioStatus.export_query(count)`): the count and
the list are made from the same SQL predicates, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from followup.access import Scope
from followup.deviations.services import CATEGORY_LABELS, REMEDY_LABELS, SEVERITY_LABELS
from followup.deviations.services import STATUS_LABELS as DEVIATION_STATUS_LABELS
from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import (
    Answer,
    AnswerKind,
    Checkpoint,
    Contract,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Severity,
    Supplier,
)
from followup.orgnr import InvalidOrganisationNumber, normalise_organisation_number

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

ANSWER_PERIOD_DAYS: Final = 90
DEFAULT_PAGE_SIZE: Final = 10
MAX_PAGE_SIZE: Final = 50
MAX_UNREACHABLE_LISTED: Final = 20
MAX_CANDIDATES: Final = 10
MIN_SEARCH_TEXT: Final = 2
MAX_SEARCH_TEXT: Final = 200
CONTRACT_DOCUMENTS: Final = 10
CONTRACT_DEVIATIONS: Final = 10
CONTRACT_UPCOMING: Final = 5

SEVERITY_ORDER: Final = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
"""Most severe first: the order of deviation lists."""


class PortfolioRefusal(StrEnum):
    """Reason codes (`FollowUpError.code`) for the edge's text catalogue."""

    BAD_CURSOR = "portfolio.bad_cursor"
    """A page cursor that this query did not make (InvalidInput)."""
    BAD_PERIOD = "portfolio.bad_period"
    """An export period that ends before it starts (InvalidInput)."""
    NOT_VISIBLE = "portfolio.not_visible"
    """The contract exists but is outside the asker's scope (NotAllowed)."""
    UNKNOWN_CONTRACT = "portfolio.unknown_contract"
    """(NotFound)"""


# --- parts of the portfolio ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subset:
    """Part of the portfolio: contracts of one supplier, one unit, one owner, or one contract
    (fields given are all required). The empty subset is the whole portfolio."""

    supplier_id: str | None = None
    unit: str | None = None
    owner_id: str | None = None
    contract_id: str | None = None

    @property
    def is_whole(self) -> bool:
        return all(
            value is None
            for value in (self.supplier_id, self.unit, self.owner_id, self.contract_id)
        )


WHOLE: Final = Subset()


class TargetKind(StrEnum):
    CONTRACT = "contract"
    SUPPLIER = "supplier"
    UNIT = "unit"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class StatusTarget:
    """What `status <text>` is about. `key`: the contract, supplier or person id, or the
    unit's name. `name`: the reference, supplier name, unit or person's name; `detail`: the
    contract's title, the org.nr, the e-mail."""

    kind: TargetKind
    key: str
    name: str
    detail: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name

    def subset(self) -> Subset:
        match self.kind:
            case TargetKind.CONTRACT:
                return Subset(contract_id=self.key)
            case TargetKind.SUPPLIER:
                return Subset(supplier_id=self.key)
            case TargetKind.UNIT:
                return Subset(unit=self.key)
            case TargetKind.OWNER:
                return Subset(owner_id=self.key)


class ResolutionKind(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TargetResolution:
    kind: ResolutionKind
    target: StatusTarget | None = None
    candidates: Sequence[StatusTarget] = ()
    """For AMBIGUOUS: up to `MAX_CANDIDATES` matches for the asker to pick from."""


# --- the status card -------------------------------------------------------------------------


class StatusCount(StrEnum):
    """The numbers on a status card (see the module docstring for their definitions)."""

    CONTRACTS_FOLLOWED_UP = "contracts_followed_up"
    DUE_THIS_WEEK = "due_this_week"
    DUE_IN_PERIOD = "due_in_period"
    ANSWERED = "answered"
    ANSWERED_ON_TIME = "answered_on_time"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    OPEN_DEVIATIONS = "open_deviations"
    UNREACHABLE_OWNERS = "unreachable_owners"


@dataclass(frozen=True, slots=True)
class StatusCounts:
    contracts_followed_up: int
    due_this_week: int
    due_in_period: int
    answered: int
    answered_on_time: int
    overdue: int
    escalated: int
    open_deviations: Mapping[Severity, int]
    """Every severity, zero included."""
    unreachable_owners: int

    @property
    def open_deviations_total(self) -> int:
        return sum(self.open_deviations.values())


@dataclass(frozen=True, slots=True)
class StatusWindow:
    """The dates a status is counted over."""

    today: date
    week_start: date
    week_end: date
    period_start: date
    period_end: date

    @classmethod
    def for_today(cls, today: date) -> StatusWindow:
        monday = today - timedelta(days=today.weekday())
        return cls(
            today=today,
            week_start=monday,
            week_end=monday + timedelta(days=6),
            period_start=today - timedelta(days=ANSWER_PERIOD_DAYS - 1),
            period_end=today,
        )


@dataclass(frozen=True, slots=True)
class PortfolioStatus:
    window: StatusWindow
    subset: Subset
    counts: StatusCounts
    unreachable: Sequence[Person]
    """The first `MAX_UNREACHABLE_LISTED` unreachable owners, by name."""
    target: StatusTarget | None = None

    @property
    def answered_on_time_share(self) -> float | None:
        """Answered on time as a share of those due in the period (None: nothing was due)."""
        due = self.counts.due_in_period
        return self.counts.answered_on_time / due if due else None

    def count(self, which: StatusCount, severity: Severity | None = None) -> int:
        counts = self.counts
        match which:
            case StatusCount.OPEN_DEVIATIONS:
                if severity is None:
                    return counts.open_deviations_total
                return counts.open_deviations.get(severity, 0)
            case _:
                return int(getattr(counts, which.value))

    def export_query(self, which: StatusCount, severity: Severity | None = None) -> ExportQuery:
        """The export that lists exactly the items behind one number on the card."""
        w = self.window
        base = ExportQuery(kind=ExportKind.FORFALT, today=w.today, subset=self.subset)
        match which:
            case StatusCount.CONTRACTS_FOLLOWED_UP:
                return base.replace(kind=ExportKind.KONTRAKTER)
            case StatusCount.DUE_THIS_WEEK:
                return base.replace(
                    kind=ExportKind.OPPFOLGINGER, from_date=w.week_start, to_date=w.week_end
                )
            case StatusCount.DUE_IN_PERIOD:
                return base.replace(
                    kind=ExportKind.OPPFOLGINGER, from_date=w.period_start, to_date=w.period_end
                )
            case StatusCount.ANSWERED:
                return base.replace(
                    kind=ExportKind.SVAR, from_date=w.period_start, to_date=w.period_end
                )
            case StatusCount.ANSWERED_ON_TIME:
                return base.replace(
                    kind=ExportKind.SVAR,
                    from_date=w.period_start,
                    to_date=w.period_end,
                    on_time=True,
                )
            case StatusCount.OVERDUE:
                return base
            case StatusCount.ESCALATED:
                return base.replace(escalated_only=True)
            case StatusCount.OPEN_DEVIATIONS:
                return base.replace(kind=ExportKind.AVVIK, open_only=True, severity=severity)
            case StatusCount.UNREACHABLE_OWNERS:
                return base.replace(kind=ExportKind.UTILGJENGELIGE)


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`cursor`: from the previous page's `next_cursor` (None: the first page)."""

    cursor: str | None = None
    size: int = DEFAULT_PAGE_SIZE

    @property
    def limit(self) -> int:
        return max(1, min(self.size, MAX_PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None
    """None on the last page; otherwise pass it back for the next (`mer`)."""
    total: int
    """Items on all pages together."""


@dataclass(frozen=True, slots=True)
class OverdueItem:
    follow_up_id: str
    contract_id: str
    contract_reference: str
    contract_title: str
    supplier_name: str | None
    checkpoint_title: str
    due_date: date
    days_overdue: int
    """Calendar days from the due date to `today`."""
    state: FollowUpState
    reminder_step: int
    escalated: bool
    owner_id: str | None
    owner_name: str | None


@dataclass(frozen=True, slots=True)
class DeviationFilter:
    open_only: bool = True
    category: str | None = None
    """A `DeviationCategory` value."""
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class DeviationItem:
    deviation_id: str
    contract_id: str
    contract_reference: str
    contract_title: str
    supplier_name: str | None
    follow_up_id: str | None
    category: str
    severity: Severity
    occurred_on: date
    description: str
    remedy: str | None
    status: DeviationStatus
    reported_by_name: str | None
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class DeviationList:
    """Newest first within each severity, most severe first; open before closed."""

    page: Page[DeviationItem]
    by_severity: Mapping[Severity, int]
    """For the same scope, subset and `open_only`, ignoring the category and severity filters
    (the numbers to show on the filter buttons)."""
    by_category: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """A follow-up with its latest answer."""

    follow_up: FollowUp
    checkpoint_title: str
    latest_answer: Answer | None
    versions: int
    answered_by_name: str | None
    first_answered_on: date | None
    """Oslo date of the first answer."""
    documents: int

    @property
    def answered_on_time(self) -> bool | None:
        if self.first_answered_on is None:
            return None
        return self.first_answered_on <= self.follow_up.due_date


@dataclass(frozen=True, slots=True)
class DocumentItem:
    document_id: str
    follow_up_id: str | None
    checkpoint_title: str | None
    file_name: str
    media_type: str
    size_bytes: int
    uploaded_at: datetime
    evidence: str | None


@dataclass(frozen=True, slots=True)
class ContractOverview:
    """`status <avtalenr>`: one contract's plan, history, documents, deviations and numbers."""

    contract: Contract
    supplier: Supplier | None
    owner: Person | None
    manager: Person | None
    deputy: Person | None
    checkpoints: Sequence[Checkpoint]
    history: Page[HistoryItem]
    """Follow-ups due on or before today, newest first, with their latest answer."""
    upcoming: Sequence[HistoryItem]
    """The next follow-ups after today."""
    documents: Sequence[DocumentItem]
    """The latest `CONTRACT_DOCUMENTS`."""
    deviations: Sequence[DeviationItem]
    """Open ones first (most severe first), then closed; up to `CONTRACT_DEVIATIONS`."""
    status: PortfolioStatus


# --- exports ---------------------------------------------------------------------------------


class ExportKind(StrEnum):
    SVAR = "svar"
    """Answered follow-ups due in the period, one row each (first and latest answer)."""
    AVVIK = "avvik"
    """Deviations that occurred in the period (open only, or all)."""
    FORFALT = "forfalt"
    """Open follow-ups due before today (and in the period when one is given), oldest
    first."""
    KONTRAKTER = "kontrakter"
    """Active contracts followed up (with a follow-up due in the period when one is given)."""
    OPPFOLGINGER = "oppfolginger"
    """Follow-ups due in the period, except skipped ones, with their state and answer."""
    UTILGJENGELIGE = "utilgjengelige"
    """Unreachable owners with open follow-ups."""


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"
    """Aware; written in Oslo time."""
    BOOLEAN = "boolean"
    """Written Ja / Nei."""
    MONEY = "money"
    """Whole kroner."""


@dataclass(frozen=True, slots=True)
class ExportColumn:
    header: str
    type: ColumnType = ColumnType.TEXT
    width: int = 14
    """In characters, for spreadsheets."""
    labels: Mapping[str, str] | None = field(default=None, compare=False, hash=False)
    """Stored codes and the words written for them (`export_rows` applies them)."""


Cell = str | int | bool | date | datetime | None
ExportRow = tuple[Cell, ...]

FOLLOW_UP_STATE_LABELS: Final[Mapping[FollowUpState, str]] = {
    FollowUpState.PLANNED: "planlagt",
    FollowUpState.NOTIFIED: "varslet",
    FollowUpState.REMINDED: "purret",
    FollowUpState.ANSWERED: "besvart",
    FollowUpState.DEVIATION_REPORTED: "avvik meldt",
    FollowUpState.ESCALATED: "eskalert",
    FollowUpState.SNOOZED: "utsatt",
    FollowUpState.SKIPPED: "utgått",
}
ANSWER_KIND_LABELS: Final[Mapping[AnswerKind, str]] = {
    AnswerKind.DELIVERED: "levert",
    AnswerKind.PARTLY_DELIVERED: "delvis levert",
    AnswerKind.NOT_DELIVERED: "ikke levert",
    AnswerKind.DOCUMENTS: "dokumentasjon",
    AnswerKind.DEVIATION: "avvik",
    AnswerKind.NOT_APPLICABLE: "ikke aktuelt",
}


def _by_value(labels: Mapping[E, str]) -> Mapping[str, str]:
    return {key.value: label for key, label in labels.items()}


_STATES = _by_value(FOLLOW_UP_STATE_LABELS)
_C = ExportColumn
_CONTRACT_COLUMNS = (
    _C("Avtalenr", width=16),
    _C("Kontrakt", width=36),
    _C("Leverandør", width=28),
    _C("Enhet", width=24),
)
EXPORT_COLUMNS: Final[Mapping[ExportKind, tuple[ExportColumn, ...]]] = {
    ExportKind.FORFALT: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Dager forfalt", ColumnType.INTEGER, 8),
        _C("Status", width=12, labels=_STATES),
        _C("Påminnelsestrinn", ColumnType.INTEGER, 8),
        _C("Eskalert", ColumnType.BOOLEAN, 9),
        _C("Avtaleeier", width=24),
        _C("E-post avtaleeier", width=30),
    ),
    ExportKind.OPPFOLGINGER: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Status", width=12, labels=_STATES),
        _C("Avtaleeier", width=24),
        _C("Besvart", ColumnType.BOOLEAN, 8),
        _C("Første svar", ColumnType.DATE, 11),
        _C("Besvart i tide", ColumnType.BOOLEAN, 8),
    ),
    ExportKind.SVAR: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Første svar", ColumnType.DATE, 11),
        _C("Besvart i tide", ColumnType.BOOLEAN, 8),
        _C("Siste svar", ColumnType.DATETIME, 17),
        _C("Svar", width=16, labels=_by_value(ANSWER_KIND_LABELS)),
        _C("Kommentar", width=40),
        _C("Svart av", width=24),
        _C("På vegne av", width=24),
        _C("Versjoner", ColumnType.INTEGER, 8),
        _C("Dokumenter", ColumnType.INTEGER, 8),
    ),
    ExportKind.AVVIK: (
        *_CONTRACT_COLUMNS,
        _C("Org.nr", width=11),
        _C("Kategori", width=22, labels=_by_value(CATEGORY_LABELS)),
        _C("Alvorlighetsgrad", width=10, labels=_by_value(SEVERITY_LABELS)),
        _C("Dato", ColumnType.DATE, 11),
        _C("Beskrivelse", width=48),
        _C("Tiltak", width=18, labels=_by_value(REMEDY_LABELS)),
        _C("Status", width=16, labels=_by_value(DEVIATION_STATUS_LABELS)),
        _C("Meldt av", width=24),
        _C("Meldt", ColumnType.DATETIME, 17),
        _C("Lukket", ColumnType.DATETIME, 17),
    ),
    ExportKind.KONTRAKTER: (
        _C("Avtalenr", width=16),
        _C("Saksnummer", width=12),
        _C("Kontrakt", width=36),
        _C("Avtaletype", width=14),
        _C("Leverandør", width=28),
        _C("Org.nr", width=11),
        _C("Enhet", width=24),
        _C("Avtaleeier", width=24),
        _C("Kontraktsforvalter", width=24),
        _C("Stedfortreder", width=24),
        _C("Startdato", ColumnType.DATE, 11),
        _C("Sluttdato", ColumnType.DATE, 11),
        _C("Estimert verdi", ColumnType.MONEY, 14),
        _C("Risiko", width=9),
        _C("Oppfølginger", ColumnType.INTEGER, 9),
        _C("Forfalt", ColumnType.INTEGER, 8),
        _C("Åpne avvik", ColumnType.INTEGER, 8),
    ),
    ExportKind.UTILGJENGELIGE: (
        _C("Navn", width=28),
        _C("E-post", width=32),
        _C("Åpne oppfølginger", ColumnType.INTEGER, 10),
        _C("Forfalt", ColumnType.INTEGER, 8),
    ),
}
"""The columns of each export, in order: Norwegian headers, types and widths."""


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """What to export. `from_date` / `to_date` (both included; None: open) filter by due date
    (FORFALT, OPPFOLGINGER, SVAR), by the day a deviation occurred (AVVIK), by having a
    follow-up due in the period (KONTRAKTER); UTILGJENGELIGE ignores them."""

    kind: ExportKind
    today: date
    from_date: date | None = None
    to_date: date | None = None
    subset: Subset = field(default=WHOLE)
    on_time: bool | None = None
    """SVAR: only answered on time (True) or late (False)."""
    escalated_only: bool = False
    """FORFALT: only escalated."""
    open_only: bool = True
    """AVVIK: only deviations not closed."""
    severity: Severity | None = None
    """AVVIK"""
    category: str | None = None
    """AVVIK: a `DeviationCategory` value."""

    def replace(self, **changes: Any) -> ExportQuery:
        return dataclasses.replace(self, **changes)

    @property
    def columns(self) -> tuple[ExportColumn, ...]:
        return EXPORT_COLUMNS[self.kind]

    def file_name(self, extension: str) -> str:
        """E.g. `kontraktsvakt-forfalt-2026-11-23.xlsx`."""
        return f"kontraktsvakt-{self.kind.value}-{self.today.isoformat()}.{extension}"


# --- the questions ---------------------------------------------------------------------------


def portfolio_status(
    uow: UnitOfWork, scope: Scope, today: date, *, subset: Subset = WHOLE
) -> PortfolioStatus:
    """The status card for the portfolio in scope (or part of it)."""
    window = StatusWindow.for_today(today)
    counts = uow.portfolio.counts(scope, subset, window)
    unreachable = (
        uow.portfolio.unreachable_owners(scope, subset, MAX_UNREACHABLE_LISTED)
        if counts.unreachable_owners
        else ()
    )
    return PortfolioStatus(window, subset, counts, unreachable)


def resolve_status_target(uow: UnitOfWork, text: str, scope: Scope) -> TargetResolution:
    """What `status <text>` means, among what the asker may see: a contract by reference
    (exact, any case), a supplier by organisation number, or else a supplier, unit or owner
    whose name contains the text (an owner also by exact e-mail). One exact name among several
    matches wins; several otherwise is AMBIGUOUS."""
    cleaned = " ".join(text.split())[:MAX_SEARCH_TEXT]
    if len(cleaned) < MIN_SEARCH_TEXT:
        return TargetResolution(ResolutionKind.NONE)
    contract = uow.portfolio.contract_target(cleaned, scope)
    if contract is not None:
        return TargetResolution(ResolutionKind.FOUND, contract)
    if any(ch.isdigit() for ch in cleaned):
        try:
            number = normalise_organisation_number(cleaned)
        except InvalidOrganisationNumber:
            number = None
        if number is not None:
            supplier = uow.portfolio.supplier_target(number, scope)
            if supplier is not None:
                return TargetResolution(ResolutionKind.FOUND, supplier)
    candidates = list(uow.portfolio.search_targets(cleaned, scope, MAX_CANDIDATES + 1))
    folded = cleaned.casefold()
    exact = [c for c in candidates if c.name.casefold() == folded]
    if len(exact) == 1:
        return TargetResolution(ResolutionKind.FOUND, exact[0])
    if len(candidates) == 1:
        return TargetResolution(ResolutionKind.FOUND, candidates[0])
    if not candidates:
        return TargetResolution(ResolutionKind.NONE)
    return TargetResolution(ResolutionKind.AMBIGUOUS, candidates=candidates[:MAX_CANDIDATES])


def status_for(
    uow: UnitOfWork,
    target: StatusTarget,
    scope: Scope,
    today: date,
    *,
    history: PageRequest | None = None,
) -> ContractOverview | PortfolioStatus:
    """A contract's overview, or the status card of a supplier's, unit's or owner's contracts
    (only those in scope). A target may come from a card (forgeable): a contract outside the
    scope is refused (NotAllowed), never shown."""
    if target.kind is not TargetKind.CONTRACT:
        status = portfolio_status(uow, scope, today, subset=target.subset())
        return PortfolioStatus(status.window, status.subset, status.counts, status.unreachable,
                               target)  # fmt: skip
    contract = uow.contracts.get(target.key)
    if contract is None:
        raise NotFound("no such contract", code=PortfolioRefusal.UNKNOWN_CONTRACT)
    if not scope.sees(contract):
        raise NotAllowed("contract not visible", code=PortfolioRefusal.NOT_VISIBLE)
    page = history or PageRequest()
    people = uow.people.get_many(
        {p for p in (contract.owner_id, contract.manager_id, contract.deputy_id) if p}
    )
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    subset = target.subset()
    status = portfolio_status(uow, scope, today, subset=subset)
    deviations = uow.portfolio.deviations(
        scope, subset, DeviationFilter(open_only=False), PageRequest(size=CONTRACT_DEVIATIONS)
    )
    return ContractOverview(
        contract=contract,
        supplier=supplier,
        owner=people.get(contract.owner_id) if contract.owner_id else None,
        manager=people.get(contract.manager_id) if contract.manager_id else None,
        deputy=people.get(contract.deputy_id) if contract.deputy_id else None,
        checkpoints=uow.checkpoints.for_contracts([contract.id]),
        history=uow.portfolio.contract_history(contract.id, today, page),
        upcoming=uow.portfolio.upcoming(contract.id, today, CONTRACT_UPCOMING),
        documents=uow.portfolio.contract_documents(contract.id, CONTRACT_DOCUMENTS),
        deviations=deviations.page.items,
        status=PortfolioStatus(status.window, subset, status.counts, status.unreachable, target),
    )


def list_overdue(
    uow: UnitOfWork,
    scope: Scope,
    today: date,
    page: PageRequest | None = None,
    *,
    subset: Subset = WHOLE,
) -> Page[OverdueItem]:
    """Overdue follow-ups, oldest first (then by id), a page at a time."""
    return uow.portfolio.overdue(scope, subset, today, page or PageRequest())


def list_deviations(
    uow: UnitOfWork,
    scope: Scope,
    *,
    open_only: bool = True,
    category: str | None = None,
    severity: Severity | None = None,
    page: PageRequest | None = None,
    subset: Subset = WHOLE,
) -> DeviationList:
    """Deviations: open before closed, most severe first, then the newest (by the day they
    occurred), a page at a time, with the numbers per severity and category."""
    return uow.portfolio.deviations(
        scope, subset, DeviationFilter(open_only, category, severity), page or PageRequest()
    )


def export_rows(uow: UnitOfWork, query: ExportQuery, scope: Scope) -> Iterator[ExportRow]:
    """The rows of an export, streamed from the database (columns: `query.columns`). Consume
    them before the unit of work closes."""
    if query.from_date and query.to_date and query.to_date < query.from_date:
        raise InvalidInput("period ends before it starts", code=PortfolioRefusal.BAD_PERIOD)
    return _labelled(uow.portfolio.export_rows(query, scope), query.columns)


def _labelled(rows: Iterator[ExportRow], columns: Sequence[ExportColumn]) -> Iterator[ExportRow]:
    labelled = [(i, c.labels) for i, c in enumerate(columns) if c.labels]
    for row in rows:
        if not labelled:
            yield row
            continue
        cells = list(row)
        for i, labels in labelled:
            value = cells[i]
            if isinstance(value, str):
                cells[i] = labels.get(value, value)
        yield tuple(cells)


__all__ = [
    "ANSWER_KIND_LABELS",
    "ANSWER_PERIOD_DAYS",
    "EXPORT_COLUMNS",
    "FOLLOW_UP_STATE_LABELS",
    "WHOLE",
    "Cell",
    "ColumnType",
    "ContractOverview",
    "DeviationFilter",
    "DeviationItem",
    "DeviationList",
    "DocumentItem",
    "ExportColumn",
    "ExportKind",
    "ExportQuery",
    "ExportRow",
    "HistoryItem",
    "OverdueItem",
    "Page",
    "PageRequest",
    "PortfolioRefusal",
    "PortfolioStatus",
    "ResolutionKind",
    "StatusCount",
    "StatusCounts",
    "StatusTarget",
    "StatusWindow",
    "Subset",
    "TargetKind",
    "TargetResolution",
    "export_rows",
    "list_deviations",
    "list_overdue",
    "portfolio_status",
    "resolve_status_target",
    "status_for",
]
