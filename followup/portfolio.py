"""Procurement asks, the bot answers: portfolio status, what is overdue, open deviations, one
contract's (or supplier's, unit's, owner's) status and history, and exports.

Every question takes a `followup.views.Scope` (what the asker, or the channel, may see) and
`today` (an Oslo date; nothing here reads the clock). The storage answers it in SQL, in pages or
as streamed rows, never by reading tables into Python.

## What the numbers mean (`PortfolioStatus`)

For the contracts in scope (and in `subset`: one supplier, unit, owner or contract):

- **contracts followed up**: active contracts (`ContractStatus.ACTIVE`) with at least one
  follow-up.
- **due this week**: follow-ups due Monday to Sunday of `today`'s ISO week, except those the
  plan skipped.
- **the answer period** is the last `ANSWER_PERIOD_DAYS` (90, in `followup.views`) days,
  `today` included: `period_start = today - 89 days` to `period_end = today`.
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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from followup.answers.actions import EXPIRY_KINDS, OPTION_KINDS
from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import (
    Checkpoint,
    Contract,
    Person,
    Severity,
    Supplier,
)
from followup.orgnr import InvalidOrganisationNumber, normalise_organisation_number
from followup.views import (
    WHOLE,
    ArchivedCase,
    AssessedRisk,
    DecisionItem,
    DeviationFilter,
    DeviationItem,
    DeviationList,
    DocumentItem,
    ExportColumn,
    ExportKind,
    ExportQuery,
    ExportRow,
    HistoryItem,
    LatestOnsiteCheck,
    OverdueItem,
    Page,
    PageRequest,
    Scope,
    StatusCounts,
    StatusTarget,
    StatusWindow,
    Subset,
    TargetKind,
)
from followup.words import normalise_words

if TYPE_CHECKING:
    from followup.ports import UnitOfWork


MAX_UNREACHABLE_LISTED: Final = 20
MAX_CANDIDATES: Final = 10
MIN_SEARCH_TEXT: Final = 2
MAX_SEARCH_TEXT: Final = 200
CONTRACT_DOCUMENTS: Final = 10
CONTRACT_DEVIATIONS: Final = 10
CONTRACT_UPCOMING: Final = 5


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
    decisions: Sequence[DecisionItem] = ()
    """The latest option decision and the latest expiry decision, those there are."""
    archived: ArchivedCase | None = None
    """What the municipality's archive has confirmed (issue 17); None: nothing yet."""
    risk_assessment: AssessedRisk | None = None
    """The latest risk assessment (issue 19); None: only the register's level."""
    onsite_check: LatestOnsiteCheck | None = None
    """The latest on-site check (issue 19); None: never checked on site."""


# --- exports ---------------------------------------------------------------------------------


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
    wanted = normalise_words(cleaned)
    exact = [c for c in candidates if normalise_words(c.name) == wanted]
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
        decisions=[
            decision
            for kinds in (OPTION_KINDS, EXPIRY_KINDS)
            for decision in uow.portfolio.contract_decisions(contract.id, kinds, 1)
        ],
        archived=uow.portfolio.archived_case(contract.id),
        risk_assessment=uow.portfolio.latest_risk_assessment(contract.id),
        onsite_check=uow.portfolio.latest_onsite_check(contract.id),
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


def export_rows(
    uow: UnitOfWork, query: ExportQuery, scope: Scope, *, read_ahead: bool = False
) -> Iterator[ExportRow]:
    """The rows of an export, streamed from the database (columns: `query.columns`). Consume
    them before the unit of work closes (`read_ahead`: see `PortfolioQueries.export_rows`)."""
    if query.from_date and query.to_date and query.to_date < query.from_date:
        raise InvalidInput("period ends before it starts", code=PortfolioRefusal.BAD_PERIOD)
    rows = uow.portfolio.export_rows(query, scope, read_ahead=read_ahead)
    return _labelled(rows, query.columns)


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
    "ContractOverview",
    "PortfolioRefusal",
    "PortfolioStatus",
    "ResolutionKind",
    "StatusCount",
    "TargetResolution",
    "export_rows",
    "list_deviations",
    "list_overdue",
    "portfolio_status",
    "resolve_status_target",
    "status_for",
]


TARGET_GONE: Final = "portfolio.target_gone"
"""Reason code: the supplier or person a card names no longer exists (NotFound)."""


def target_from_card(uow: UnitOfWork, kind: TargetKind, key: str, scope: Scope) -> StatusTarget:
    """A target a card names, from the database (never its name from the card), only when
    `scope` sees it: card data comes from the client and may be forged."""
    match kind:
        case TargetKind.CONTRACT:
            contract = uow.contracts.get(key)
            if contract is None:
                raise NotFound("no such contract", code=PortfolioRefusal.UNKNOWN_CONTRACT)
            if not scope.sees(contract):
                raise NotAllowed("contract not visible", code=PortfolioRefusal.NOT_VISIBLE)
            return StatusTarget(kind, contract.id, contract.reference, contract.title)
        case TargetKind.SUPPLIER:
            supplier = uow.suppliers.get_many([key]).get(key)
            if supplier is None:
                raise NotFound("no such supplier", code=TARGET_GONE)
            target = StatusTarget(kind, supplier.id, supplier.name, supplier.organisation_number)
            return visible_target(uow, target, scope)
        case TargetKind.OWNER:
            person = uow.people.get(key)
            if person is None:
                raise NotFound("no such person", code=TARGET_GONE)
            target = StatusTarget(kind, person.id, person.display_name, person.email)
            return visible_target(uow, target, scope)
        case TargetKind.UNIT:
            return visible_target(uow, StatusTarget(kind, key, key), scope)


def visible_target(uow: UnitOfWork, target: StatusTarget, scope: Scope) -> StatusTarget:
    """A supplier, owner or unit named by card data only if the scope sees one of its
    contracts: a forged id must not reveal a name or an e-mail address."""
    if not uow.portfolio.any_visible(scope, target.subset()):
        raise NotAllowed("target not visible", code=PortfolioRefusal.NOT_VISIBLE)
    return target
