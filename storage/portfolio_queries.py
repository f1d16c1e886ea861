"""SQL for procurement's questions (`followup.portfolio`) and the access facts behind them
(`followup.access`).

One home for each predicate: `is_overdue`, `is_escalated`, `is_due`, `is_answered`,
`is_on_time`, `is_deviation_open`, `is_followed_up`, and `visible` (the asker's scope) are built
here once and used by the counts, the pages and the exports alike, so a number on a status card
is always the length of the export behind it.

Speed (bench/status.py: 100 000 contracts, 1 000 000 follow-ups):
- The whole portfolio's numbers are read from index ranges alone, without contracts:
  `ix_follow_ups_open_due` (partial, open follow-ups by due date) for overdue and escalated,
  `ix_follow_ups_due_answered` for due, answered and on time (with `first_answered_on`, a date
  the database keeps), `ix_contracts_status_followed` (with `has_follow_ups`, likewise) and
  `ix_deviations_status_severity`.
- A supplier's or unit's follow-ups (the whole portfolio's part) are counted from follow-ups
  alone, by the copies of the contract's supplier and unit each follow-up carries (kept by
  triggers, migration 0014): a range per state of `ix_follow_ups_supplier_counts` /
  `ix_follow_ups_unit_counts` (covering) for those due in the week and period, and for the
  overdue; no seek per contract.
- Any other scope or part (an owner, a contract; a supplier within an owner's scope) finds its
  contracts by their indexes (a supplier's or unit's from `ix_contracts_supplier_portfolio` /
  `ix_contracts_unit_portfolio`, covering: migration 0013), then reads each contract's
  follow-ups from `ix_follow_ups_contract_due` (covering), counting in one pass only those
  some number counts. A part's contracts followed up, open deviations (from
  `ix_deviations_status_contract`, covering) and overdue pages (from
  `ix_follow_ups_open_contract`, partial) go by its contracts in every case.
- Pages are keyset-paged over indexed orderings (the overdue list straight off
  `ix_follow_ups_open_due`); exports stream (a server-side cursor on PostgreSQL).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, SessionTransaction

from followup.calendar.workdays import oslo_datetime, oslo_today
from followup.errors import InvalidInput
from followup.history import PERSON_ACTOR, history_export_row
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    Answer,
    AnswerKind,
    AuditEvent,
    ContractStatus,
    DeviationStatus,
    FollowUpState,
    Person,
    RiskLevel,
    Role,
    Severity,
)
from followup.portfolio import PortfolioRefusal
from followup.reminders.planning import Step
from followup.views import (
    EVALUATION_HEADING_HEADERS,
    RISK_AREA_HEADERS,
    SEVERITY_ORDER,
    WHOLE,
    ArchivedCase,
    AssessedRisk,
    Cell,
    CoverFact,
    DecisionItem,
    DeviationFilter,
    DeviationItem,
    DeviationList,
    DocumentItem,
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
from storage.contract_repositories import chunked
from storage.mappings import (
    answer_from_row,
    audit_event_from_row,
    follow_up_from_row,
    person_from_row,
)
from storage.read_ahead import read_ahead as read_ahead_rows
from storage.tables import (
    AbsenceRow,
    AnswerRow,
    ArchiveMessageRow,
    AuditEventRow,
    CheckpointRow,
    ContractRow,
    DeviationRow,
    DocumentRow,
    FollowUpRow,
    OnsiteCheckRow,
    PersonRow,
    RiskAssessmentRow,
    SupplierEvaluationRow,
    SupplierRow,
    table_of,
)

F: Final = table_of(FollowUpRow)
C: Final = table_of(ContractRow)
CP: Final = table_of(CheckpointRow)
A: Final = table_of(AnswerRow)
D: Final = table_of(DeviationRow)
DOC: Final = table_of(DocumentRow)
P: Final = table_of(PersonRow)
S: Final = table_of(SupplierRow)
AB: Final = table_of(AbsenceRow)
AU: Final = table_of(AuditEventRow)
AR: Final = table_of(ArchiveMessageRow)
RA: Final = table_of(RiskAssessmentRow)
OC: Final = table_of(OnsiteCheckRow)
SE: Final = table_of(SupplierEvaluationRow)

STREAM_ROWS: Final = 1_000
"""Rows fetched at a time by an export."""
FIRST_STREAM_ROWS: Final = 200
"""Rows of an export's first batch: the file starts with them while the next are read."""

_OPEN_STATES: Final = tuple(sorted(s.value for s in OPEN_FOLLOW_UP_STATES))
_NOT_SKIPPED_STATES: Final = tuple(
    sorted(s.value for s in FollowUpState if s is not FollowUpState.SKIPPED)
)


# --- the predicates --------------------------------------------------------------------------


def is_open() -> ColumnElement[bool]:
    """Open follow-ups, spelled exactly as the partial index `ix_follow_ups_open_due` is (the
    states as literals, in the same order), so that both stores use that index."""
    return F.c.state.in_([literal_column(f"'{state}'") for state in _OPEN_STATES])


def is_overdue(today: date) -> ColumnElement[bool]:
    return and_(is_open(), F.c.due_date < today)


def is_escalation() -> ColumnElement[bool]:
    """What makes an overdue follow-up escalated."""
    return or_(
        F.c.state == FollowUpState.ESCALATED.value, F.c.reminder_step >= int(Step.PROCUREMENT)
    )


def is_escalated(today: date) -> ColumnElement[bool]:
    return and_(is_overdue(today), is_escalation())


def is_due(start: date | None, end: date | None) -> ColumnElement[bool]:
    """Due in the period (both ends included; None: open), except skipped."""
    clauses: list[ColumnElement[bool]] = [F.c.state != FollowUpState.SKIPPED.value]
    if start is not None:
        clauses.append(F.c.due_date >= start)
    if end is not None:
        clauses.append(F.c.due_date <= end)
    return and_(*clauses)


def is_answered() -> ColumnElement[bool]:
    return F.c.first_answered_on.is_not(None)


def is_on_time() -> ColumnElement[bool]:
    """First answered on or before the due date (Oslo dates; NULL, so false, if unanswered)."""
    return F.c.first_answered_on <= F.c.due_date


def is_late() -> ColumnElement[bool]:
    return F.c.first_answered_on > F.c.due_date


_OPEN_DEVIATION_STATUSES: Final = tuple(
    s.value for s in DeviationStatus if s is not DeviationStatus.CLOSED
)


def is_deviation_open() -> ColumnElement[bool]:
    """Not closed (open or in progress): a range of `ix_deviations_status_severity`."""
    return D.c.status.in_(_OPEN_DEVIATION_STATUSES)


def is_followed_up() -> ColumnElement[bool]:
    return and_(C.c.status == ContractStatus.ACTIVE.value, C.c.has_follow_ups == true())


def visible(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope as WHERE clauses on contracts."""
    clauses: list[ColumnElement[bool]] = []
    for people in scope.people_sets:
        if not people:
            return [false()]
        ids = sorted(people)
        clauses.append(or_(C.c.owner_id.in_(ids), C.c.deputy_id.in_(ids), C.c.manager_id.in_(ids)))
    return clauses


def in_subset(subset: Subset) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if subset.supplier_id is not None:
        clauses.append(C.c.supplier_id == subset.supplier_id)
    if subset.unit is not None:
        clauses.append(C.c.unit == subset.unit)
    if subset.owner_id is not None:
        clauses.append(C.c.owner_id == subset.owner_id)
    if subset.contract_id is not None:
        clauses.append(C.c.id == subset.contract_id)
    return clauses


def _contracts_in(scope: Scope, subset: Subset) -> list[ColumnElement[bool]]:
    return [*visible(scope), *in_subset(subset)]


def _whole(scope: Scope, subset: Subset) -> bool:
    return scope.is_everything and subset.is_whole


def _follow_ups_from(scope: Scope, subset: Subset) -> tuple[FromClause, list[Any]]:
    """follow_ups, joined to contracts only when the scope or subset needs it."""
    if _whole(scope, subset):
        return F, []
    return F.join(C, C.c.id == F.c.contract_id), _contracts_in(scope, subset)


def _part_of(scope: Scope, subset: Subset) -> list[ColumnElement[bool]] | None:
    """A supplier's or unit's follow-ups (the whole of it: the scope is everything) as WHERE
    clauses on follow-ups alone, by the copies of the contract's supplier and unit each
    follow-up carries (migration 0014); None for any other part or scope."""
    if not scope.is_everything or subset.owner_id is not None or subset.contract_id is not None:
        return None
    clauses: list[ColumnElement[bool]] = []
    if subset.supplier_id is not None:
        clauses.append(F.c.supplier_id == subset.supplier_id)
    if subset.unit is not None:
        clauses.append(F.c.unit == subset.unit)
    return clauses or None


def _deviations_from(scope: Scope, subset: Subset) -> tuple[FromClause, list[Any]]:
    if _whole(scope, subset):
        return D, []
    return D.join(C, C.c.id == D.c.contract_id), _contracts_in(scope, subset)


def _deviation_filter(wanted: DeviationFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if wanted.open_only:
        clauses.append(is_deviation_open())
    if wanted.severity is not None:
        clauses.append(D.c.severity == wanted.severity.value)
    if wanted.category is not None:
        clauses.append(D.c.category == wanted.category)
    return clauses


def _unreachable_owner(scope: Scope, subset: Subset) -> ColumnElement[bool]:
    """People the bot cannot reach who own a contract in scope with an open follow-up. The
    owner is checked against the (few) unreachable people before the follow-ups are probed:
    a big supplier's or unit's contracts are read from its covering index, and only those
    owned by someone unreachable look for an open follow-up."""
    unreachable = select(P.c.id).where(P.c.unreachable == true())
    owners = select(C.c.owner_id).where(
        C.c.owner_id.in_(unreachable),
        *_contracts_in(scope, subset),
        exists(select(1).select_from(F).where(F.c.contract_id == C.c.id, is_open())),
    )
    return P.c.id.in_(owners)


def _closed_rank() -> ColumnElement[int]:
    return case((D.c.status == DeviationStatus.CLOSED.value, 1), else_=0)


def _severity_rank() -> ColumnElement[int]:
    return case(
        {severity.value: rank for rank, severity in enumerate(SEVERITY_ORDER)},
        value=D.c.severity,
        else_=len(SEVERITY_ORDER),
    )


def _counted(name: str, predicate: ColumnElement[bool] | None) -> Any:
    counted = func.count() if predicate is None else func.count().filter(predicate)
    return counted.label(name)


_Groups = Sequence[tuple[ColumnElement[bool], Mapping[str, ColumnElement[bool] | None]]]


def _group_counts(groups: _Groups, *, within: bool = False) -> list[Any]:
    """The counts of `groups` ((base, {number: what else it needs}) each) as columns of one
    pass; `within`: the rows read are the bases' already (they are the WHERE)."""
    return [
        _counted(name, extra if within else base if extra is None else and_(base, extra))
        for base, measures in groups
        for name, extra in measures.items()
    ]


# --- cursors ---------------------------------------------------------------------------------


def _encode(kind: str, *parts: object) -> str:
    return "~".join([kind, *(p.isoformat() if isinstance(p, date) else str(p) for p in parts)])


def _decode(cursor: str | None, kind: str, types: Sequence[type]) -> list[Any] | None:
    if cursor is None:
        return None
    parts = cursor.split("~")
    try:
        if parts[0] != kind or len(parts) != len(types) + 1:
            raise ValueError(cursor)
        return [
            date.fromisoformat(p) if t is date else t(p)
            for p, t in zip(parts[1:], types, strict=True)
        ]
    except ValueError:
        raise InvalidInput("bad cursor", code=PortfolioRefusal.BAD_CURSOR) from None


def _after(keys: Sequence[tuple[Any, bool]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after `values` in the order of `keys` ((expression, ascending) each)."""
    clauses = []
    for index, (key, ascending) in enumerate(keys):
        equal = [k == v for (k, _), v in zip(keys[:index], values[:index], strict=True)]
        beyond = key > values[index] if ascending else key < values[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


# --- rows to domain --------------------------------------------------------------------------


def _like_any(column: Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, ignoring case, also for æ, ø and å on SQLite (whose LIKE and
    lower() fold ASCII only): the usual spellings of the text are tried."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    variants = dict.fromkeys(
        (escaped,)
        if escaped.isascii()  # both stores fold ASCII themselves: one pattern will do
        else (escaped, escaped.lower(), escaped.upper(), escaped.capitalize(), escaped.title())
    )
    return or_(*(column.ilike(f"%{v}%", escape="\\") for v in variants))


# --- the queries -----------------------------------------------------------------------------


class SqlAlchemyPortfolioQueries:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._serial_in: SessionTransaction | None = None

    def _begin(self) -> None:
        """Before each question: flush what the unit of work holds (Core queries do not
        autoflush) and, on PostgreSQL, use no parallel workers in this transaction. A chat
        command's queries read a few thousand to a hundred thousand index entries: starting
        workers for them cost more than they saved in the benchmark (bench/status.py), and
        takes the cores other requests are waiting for."""
        self._session.flush()
        if self._session.get_bind().dialect.name != "postgresql":
            return
        # Once per transaction (a status card asks several questions in one).
        transaction = self._session.get_transaction()
        if transaction is None or transaction is not self._serial_in:
            self._session.execute(sql_text("SET LOCAL max_parallel_workers_per_gather = 0"))
            self._serial_in = self._session.get_transaction()

    def _scalar(self, query: Select[Any]) -> int:
        return int(self._session.execute(query).scalar_one() or 0)

    def _count(self, source: FromClause, *where: Any) -> int:
        return self._scalar(select(func.count()).select_from(source).where(*where))

    # -- status

    def counts(self, scope: Scope, subset: Subset, window: StatusWindow) -> StatusCounts:
        self._begin()
        w = window
        # (base, {number: what else it needs}): the numbers of a group count the rows of one
        # index range.
        groups: list[tuple[ColumnElement[bool], dict[str, ColumnElement[bool] | None]]] = [
            (is_due(w.week_start, w.week_end), {"due_this_week": None}),
            (
                is_due(w.period_start, w.period_end),
                {
                    "due_in_period": None,
                    "answered": is_answered(),
                    "answered_on_time": is_on_time(),
                },
            ),
            (is_overdue(w.today), {"overdue": None, "escalated": is_escalation()}),
        ]
        source, where = _follow_ups_from(scope, subset)
        first, last = min(w.week_start, w.period_start), max(w.week_end, w.period_end)
        part = _part_of(scope, subset)
        found: dict[str, int] = {}
        if part is not None:
            # A supplier or unit: its follow-ups from `ix_follow_ups_supplier_counts` /
            # `ix_follow_ups_unit_counts` (covering), without its contracts: those due in
            # the week and period are a range per state (not skipped), the overdue a range
            # per open state. One statement.
            due, overdue = groups[:2], groups[2:]
            in_window = (
                select(*_group_counts(due))
                .where(
                    *part,
                    F.c.state.in_(_NOT_SKIPPED_STATES),
                    F.c.due_date >= first,
                    F.c.due_date <= last,
                )
                .subquery()
            )
            late = (
                select(*_group_counts(overdue, within=True))
                .where(*part, is_overdue(w.today))
                .subquery()
            )
            row = self._session.execute(
                select(in_window, late).select_from(in_window.join(late, true()))
            ).one()
            found = {name: int(getattr(row, name) or 0) for _, m in groups for name in m}
        elif _whole(scope, subset):
            # The whole portfolio: a range of one index per group, follow-ups alone.
            for base, measures in groups:
                row = self._session.execute(
                    select(*_group_counts([(base, measures)], within=True))
                    .select_from(F)
                    .where(base)
                ).one()
                found.update({name: int(getattr(row, name) or 0) for name in measures})
        else:
            # A scope, or a part within one, or an owner's or contract's part: its contracts
            # once (from `ix_contracts_*_portfolio` for a supplier or unit), then the
            # follow-ups of each from `ix_follow_ups_contract_due` (covering), counted in one
            # pass; only those some number counts are aggregated.
            columns = _group_counts(groups)
            counted = or_(and_(F.c.due_date >= first, F.c.due_date <= last), is_overdue(w.today))
            row = self._session.execute(
                select(*columns).select_from(source).where(*where, counted)
            ).one()
            found = {name: int(getattr(row, name) or 0) for _, m in groups for name in m}
        contracts = self._count(C, is_followed_up(), *_contracts_in(scope, subset))
        dev_source, dev_where = _deviations_from(scope, subset)
        by_severity = dict.fromkeys(Severity, 0)
        for severity, count in self._session.execute(
            select(D.c.severity, func.count())
            .select_from(dev_source)
            .where(is_deviation_open(), *dev_where)
            .group_by(D.c.severity)
        ):
            if severity in {s.value for s in Severity}:
                by_severity[Severity(severity)] = int(count)
        unreachable = self._count(P, _unreachable_owner(scope, subset))
        return StatusCounts(
            contracts_followed_up=contracts,
            open_deviations=by_severity,
            unreachable_owners=unreachable,
            **found,
        )

    def unreachable_owners(self, scope: Scope, subset: Subset, limit: int) -> Sequence[Person]:
        self._begin()
        rows = self._session.execute(
            select(P)
            .where(_unreachable_owner(scope, subset))
            .order_by(P.c.display_name, P.c.id)
            .limit(limit)
        )
        return [person_from_row(row) for row in rows]

    # -- overdue

    def overdue(
        self, scope: Scope, subset: Subset, today: date, page: PageRequest
    ) -> Page[OverdueItem]:
        self._begin()
        after = _decode(page.cursor, "o", (date, str))
        source, where = _follow_ups_from(scope, subset)
        where = [is_overdue(today), *where]
        total = self._count(source, *where)
        # First the page's ids from the index, in order; then their details by key.
        query = (
            select(F.c.id, F.c.due_date)
            .select_from(source)
            .where(*where)
            .order_by(F.c.due_date, F.c.id)
            .limit(page.limit + 1)
        )
        if after is not None:
            query = query.where(tuple_(F.c.due_date, F.c.id) > tuple_(*after))
        keys = self._session.execute(query).all()
        more = len(keys) > page.limit
        keys = keys[: page.limit]
        details = self._overdue_details([k.id for k in keys], today)
        items = [details[k.id] for k in keys if k.id in details]
        cursor = _encode("o", keys[-1].due_date, keys[-1].id) if more and keys else None
        return Page(items, cursor, total)

    def _overdue_details(self, ids: Sequence[str], today: date) -> dict[str, OverdueItem]:
        if not ids:
            return {}
        owner = P.alias("owner")
        rows = self._session.execute(
            select(
                F.c.id,
                F.c.contract_id,
                F.c.due_date,
                F.c.state,
                F.c.reminder_step,
                is_escalated(today).label("escalated"),
                C.c.reference,
                C.c.title,
                S.c.name.label("supplier_name"),
                CP.c.title.label("checkpoint_title"),
                owner.c.id.label("owner_id"),
                owner.c.display_name.label("owner_name"),
            )
            .select_from(
                F.join(C, C.c.id == F.c.contract_id)
                .join(CP, CP.c.id == F.c.checkpoint_id)
                .outerjoin(S, S.c.id == C.c.supplier_id)
                .outerjoin(owner, owner.c.id == C.c.owner_id)
            )
            .where(F.c.id.in_(list(ids)))
        )
        return {
            row.id: OverdueItem(
                follow_up_id=row.id,
                contract_id=row.contract_id,
                contract_reference=row.reference,
                contract_title=row.title,
                supplier_name=row.supplier_name,
                checkpoint_title=row.checkpoint_title,
                due_date=row.due_date,
                days_overdue=(today - row.due_date).days,
                state=FollowUpState(row.state),
                reminder_step=row.reminder_step,
                escalated=bool(row.escalated),
                owner_id=row.owner_id,
                owner_name=row.owner_name,
            )
            for row in rows
        }

    # -- deviations

    def deviations(
        self, scope: Scope, subset: Subset, wanted: DeviationFilter, page: PageRequest
    ) -> DeviationList:
        self._begin()
        after = _decode(page.cursor, "d", (int, int, date, str))
        source, where = _deviations_from(scope, subset)
        base = [*where, *_deviation_filter(DeviationFilter(open_only=wanted.open_only))]
        by_severity = dict.fromkeys(Severity, 0)
        for severity, count in self._session.execute(
            select(D.c.severity, func.count()).select_from(source).where(*base)
            .group_by(D.c.severity)
        ):  # fmt: skip
            if severity in {s.value for s in Severity}:
                by_severity[Severity(severity)] = int(count)
        by_category = {
            str(category): int(count)
            for category, count in self._session.execute(
                select(D.c.category, func.count())
                .select_from(source)
                .where(*base)
                .group_by(D.c.category)
                .order_by(D.c.category)
            )
        }
        filtered = [*where, *_deviation_filter(wanted)]
        total = self._count(source, *filtered)
        closed, severity_rank = _closed_rank(), _severity_rank()
        keys = [(closed, True), (severity_rank, True), (D.c.occurred_on, False), (D.c.id, False)]
        query = (
            select(D.c.id, closed.label("closed"), severity_rank.label("rank"), D.c.occurred_on)
            .select_from(source)
            .where(*filtered)
            .order_by(closed, severity_rank, D.c.occurred_on.desc(), D.c.id.desc())
            .limit(page.limit + 1)
        )
        if after is not None:
            query = query.where(_after(keys, after))
        found = self._session.execute(query).all()
        more = len(found) > page.limit
        found = found[: page.limit]
        details = self._deviation_details([r.id for r in found])
        items = [details[r.id] for r in found if r.id in details]
        cursor = None
        if more and found:
            last = found[-1]
            cursor = _encode("d", int(last.closed), int(last.rank), last.occurred_on, last.id)
        return DeviationList(Page(items, cursor, total), by_severity, by_category)

    def _deviation_details(self, ids: Sequence[str]) -> dict[str, DeviationItem]:
        if not ids:
            return {}
        reporter = P.alias("reporter")
        rows = self._session.execute(
            select(
                D,
                C.c.reference,
                C.c.title.label("contract_title"),
                S.c.name.label("supplier_name"),
                reporter.c.display_name.label("reporter_name"),
            )
            .select_from(
                D.join(C, C.c.id == D.c.contract_id)
                .outerjoin(S, S.c.id == C.c.supplier_id)
                .outerjoin(reporter, reporter.c.id == D.c.reported_by_id)
            )
            .where(D.c.id.in_(list(ids)))
        )
        return {
            row.id: DeviationItem(
                deviation_id=row.id,
                code=row.code,
                contract_id=row.contract_id,
                contract_reference=row.reference,
                contract_title=row.contract_title,
                supplier_name=row.supplier_name,
                follow_up_id=row.follow_up_id,
                category=row.category,
                severity=Severity(row.severity),
                occurred_on=row.occurred_on,
                description=row.description,
                remedy=row.remedy,
                status=DeviationStatus(row.status),
                reported_by_name=row.reporter_name,
                reported_at=row.reported_at,
            )
            for row in rows
        }

    # -- one contract

    def contract_history(
        self, contract_id: str, today: date, page: PageRequest
    ) -> Page[HistoryItem]:
        self._begin()
        after = _decode(page.cursor, "h", (date, str))
        where = [F.c.contract_id == contract_id, F.c.due_date <= today]
        total = self._count(F, *where)
        query = (
            select(F, CP.c.title.label("checkpoint_title"))
            .select_from(F.join(CP, CP.c.id == F.c.checkpoint_id))
            .where(*where)
            .order_by(F.c.due_date.desc(), F.c.id.desc())
            .limit(page.limit + 1)
        )
        if after is not None:
            query = query.where(tuple_(F.c.due_date, F.c.id) < tuple_(*after))
        rows = self._session.execute(query).all()
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        items = self._history_items(rows)
        cursor = _encode("h", rows[-1].due_date, rows[-1].id) if more and rows else None
        return Page(items, cursor, total)

    def upcoming(self, contract_id: str, today: date, limit: int) -> Sequence[HistoryItem]:
        self._begin()
        rows = self._session.execute(
            select(F, CP.c.title.label("checkpoint_title"))
            .select_from(F.join(CP, CP.c.id == F.c.checkpoint_id))
            .where(F.c.contract_id == contract_id, F.c.due_date > today)
            .order_by(F.c.due_date, F.c.id)
            .limit(limit)
        ).all()
        return self._history_items(rows)

    def _history_items(self, rows: Sequence[Any]) -> list[HistoryItem]:
        ids = [row.id for row in rows]
        latest: dict[str, Answer] = {}
        for row in self._session.execute(
            select(A).where(A.c.follow_up_id.in_(ids)).order_by(A.c.follow_up_id, A.c.version)
        ):
            latest[row.follow_up_id] = answer_from_row(row)  # the highest version wins
        names = {
            row.id: row.display_name
            for row in self._session.execute(
                select(P.c.id, P.c.display_name).where(
                    P.c.id.in_(
                        {a.answered_by_id for a in latest.values()}
                        | {a.on_behalf_of_id for a in latest.values() if a.on_behalf_of_id}
                    )
                )
            )
        }
        documents = {
            str(follow_up_id): int(count)
            for follow_up_id, count in self._session.execute(
                select(DOC.c.follow_up_id, func.count())
                .where(DOC.c.follow_up_id.in_(ids))
                .group_by(DOC.c.follow_up_id)
            )
        }
        items = []
        for row in rows:
            answer = latest.get(row.id)
            items.append(
                HistoryItem(
                    follow_up=follow_up_from_row(row),
                    checkpoint_title=row.checkpoint_title,
                    latest_answer=answer,
                    versions=answer.version if answer else 0,
                    answered_by_name=names.get(answer.answered_by_id) if answer else None,
                    first_answered_on=row.first_answered_on,
                    documents=documents.get(row.id, 0),
                    on_behalf_of_name=(
                        names.get(answer.on_behalf_of_id)
                        if answer and answer.on_behalf_of_id
                        else None
                    ),
                )
            )
        return items

    def contract_documents(self, contract_id: str, limit: int) -> Sequence[DocumentItem]:
        self._begin()
        rows = self._session.execute(
            select(DOC, CP.c.title.label("checkpoint_title"))
            .select_from(
                DOC.join(F, F.c.id == DOC.c.follow_up_id).join(CP, CP.c.id == F.c.checkpoint_id)
            )
            .where(F.c.contract_id == contract_id)
            .order_by(DOC.c.uploaded_at.desc(), DOC.c.id.desc())
            .limit(limit)
        )
        return [
            DocumentItem(
                document_id=row.id,
                follow_up_id=row.follow_up_id,
                checkpoint_title=row.checkpoint_title,
                file_name=row.file_name,
                media_type=row.media_type,
                size_bytes=row.size_bytes,
                uploaded_at=row.uploaded_at,
                evidence=row.evidence,
            )
            for row in rows
        ]

    def latest_risk_assessment(self, contract_id: str) -> AssessedRisk | None:
        self._begin()
        row = self._session.execute(
            select(RA.c.chosen, RA.c.version, RA.c.assessed_at, P.c.display_name)
            .outerjoin(P, P.c.id == RA.c.assessed_by_id)
            .where(RA.c.contract_id == contract_id)
            .order_by(RA.c.version.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return AssessedRisk(
            level=RiskLevel(row.chosen),
            version=int(row.version),
            assessed_at=row.assessed_at,
            assessed_by=row.display_name,
        )

    def latest_onsite_check(self, contract_id: str) -> LatestOnsiteCheck | None:
        self._begin()
        row = self._session.execute(
            select(OC.c.checked_on, OC.c.workers, OC.c.without_card)
            .where(OC.c.contract_id == contract_id)
            .order_by(OC.c.number.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return LatestOnsiteCheck(
            checked_on=row.checked_on, workers=int(row.workers), without_card=int(row.without_card)
        )

    def archived_case(self, contract_id: str) -> ArchivedCase | None:
        self._begin()
        # The latest confirmed record with the count of them all: one row, one statement.
        row = self._session.execute(
            select(
                AR.c.case_year,
                AR.c.case_sequence,
                AR.c.journal_year,
                AR.c.journal_sequence,
                AR.c.title,
                func.count().over().label("records"),
            )
            .where(AR.c.contract_id == contract_id, AR.c.state == "confirmed")
            .order_by(AR.c.confirmed_at.desc(), AR.c.message_id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return ArchivedCase(
            case_number=_numbered(row.case_year, row.case_sequence),
            records=int(row.records),
            latest_journal_number=_numbered(row.journal_year, row.journal_sequence),
            latest_title=row.title,
        )

    def contract_decisions(
        self, contract_id: str, kinds: Collection[AnswerKind], limit: int
    ) -> Sequence[DecisionItem]:
        self._begin()
        # The answer in force of each follow-up, documents sent to it aside: a document adds
        # to a decision, it does not take it back.
        in_force = (
            select(func.max(A.c.version))
            .where(A.c.follow_up_id == F.c.id, A.c.kind != AnswerKind.DOCUMENTS.value)
            .scalar_subquery()
        )
        decision = A.alias("decision")
        rows = self._session.execute(
            select(
                decision,
                CP.c.title.label("checkpoint_title"),
                F.c.due_date,
                P.c.display_name.label("by_name"),
            )
            .select_from(
                F.join(CP, CP.c.id == F.c.checkpoint_id)
                .join(
                    decision,
                    and_(decision.c.follow_up_id == F.c.id, decision.c.version == in_force),
                )
                .outerjoin(P, P.c.id == decision.c.answered_by_id)
            )
            .where(F.c.contract_id == contract_id, decision.c.kind.in_([k.value for k in kinds]))
            .order_by(decision.c.answered_at.desc(), decision.c.id.desc())
            .limit(limit)
        )
        return [
            DecisionItem(
                follow_up_id=row.follow_up_id,
                checkpoint_title=row.checkpoint_title,
                due_date=row.due_date,
                answer=answer_from_row(row),
                answered_by_name=row.by_name,
            )
            for row in rows
        ]

    # -- finding what `status <text>` means

    def contract_target(self, reference: str, scope: Scope) -> StatusTarget | None:
        self._begin()
        attempts: list[ColumnElement[bool]] = [C.c.reference == reference]
        if reference.upper() != reference:
            attempts.append(C.c.reference == reference.upper())
        if not any(ch.isspace() for ch in reference) and any(ch.isdigit() for ch in reference):
            # Mixed case in the register: a scan, so only for text that looks like a reference.
            attempts.append(func.lower(C.c.reference) == reference.lower())
        for attempt in attempts:
            row = self._session.execute(
                select(C.c.id, C.c.reference, C.c.title)
                .where(attempt, *visible(scope))
                .order_by(C.c.reference)
                .limit(1)
            ).first()
            if row is not None:
                return StatusTarget(TargetKind.CONTRACT, row.id, row.reference, row.title)
        return None

    def supplier_target(self, organisation_number: str, scope: Scope) -> StatusTarget | None:
        self._begin()
        row = self._session.execute(
            select(S.c.id, S.c.name, S.c.organisation_number).where(
                S.c.organisation_number == organisation_number, *self._has_contract(scope)
            )
        ).first()
        if row is None:
            return None
        return StatusTarget(TargetKind.SUPPLIER, row.id, row.name, row.organisation_number)

    def _has_contract(self, scope: Scope) -> list[ColumnElement[bool]]:
        """Suppliers with a visible contract (nothing to check when everything is)."""
        if scope.is_everything:
            return []
        return [exists(select(1).where(C.c.supplier_id == S.c.id, *visible(scope)))]

    def search_targets(self, text: str, scope: Scope, limit: int) -> Sequence[StatusTarget]:
        self._begin()
        found: list[StatusTarget] = []
        for row in self._session.execute(
            select(S.c.id, S.c.name, S.c.organisation_number)
            .where(_like_any(S.c.name, text), *self._has_contract(scope))
            .order_by(S.c.name, S.c.id)
            .limit(limit)
        ):
            found.append(
                StatusTarget(TargetKind.SUPPLIER, row.id, row.name, row.organisation_number)
            )
        for (unit,) in self._session.execute(self._units_like(text, scope, limit)):
            found.append(StatusTarget(TargetKind.UNIT, unit, unit))
        address = text.strip().lower()
        owner_match = _like_any(P.c.display_name, text)
        if "@" in address:
            owner_match = or_(
                owner_match, func.lower(P.c.email) == address, func.lower(P.c.upn) == address
            )
        for row in self._session.execute(
            select(P.c.id, P.c.display_name, P.c.email)
            .where(
                owner_match,
                exists(select(1).where(C.c.owner_id == P.c.id, *visible(scope))),
            )
            .order_by(P.c.display_name, P.c.id)
            .limit(limit)
        ):
            found.append(StatusTarget(TargetKind.OWNER, row.id, row.display_name, row.email))
        return found[:limit]

    @staticmethod
    def _units_like(text: str, scope: Scope, limit: int) -> Select[Any]:
        """Units whose name contains `text`. The whole register has a few hundred units over
        many contracts: they are walked one by one down `ix_contracts_unit_portfolio` (a loose index
        scan, each next unit found by the index) instead of reading every contract."""
        if not scope.is_everything:
            return (
                select(C.c.unit)
                .where(C.c.unit.is_not(None), _like_any(C.c.unit, text), *visible(scope))
                .group_by(C.c.unit)
                .order_by(C.c.unit)
                .limit(limit)
            )
        inner = C.alias("next_unit")
        units = select(func.min(C.c.unit).label("unit")).cte("units", recursive=True)
        units = units.union_all(
            select(
                select(func.min(inner.c.unit)).where(inner.c.unit > units.c.unit).scalar_subquery()
            ).where(units.c.unit.is_not(None))
        )
        return (
            select(units.c.unit)
            .where(units.c.unit.is_not(None), _like_any(units.c.unit, text))
            .order_by(units.c.unit)
            .limit(limit)
        )

    # -- access

    def any_visible(self, scope: Scope, subset: Subset = WHOLE) -> bool:
        self._begin()
        contracts = select(1).select_from(C).where(*_contracts_in(scope, subset))
        return bool(self._session.execute(select(exists(contracts))).scalar())

    def absences_covered_by(self, person_ids: Collection[str], today: date) -> Sequence[CoverFact]:
        self._begin()
        found: list[CoverFact] = []
        owner = P.alias("absent_owner")
        standing = owner.c.deputy_person_id.label("standing")
        for batch in chunked(set(person_ids)):
            rows = self._session.execute(
                select(AB.c.person_id, AB.c.deputy_person_id, standing)
                .select_from(AB.join(owner, owner.c.id == AB.c.person_id))
                .where(
                    AB.c.start <= today,
                    AB.c.end >= today,
                    or_(
                        AB.c.deputy_person_id.in_(batch),
                        and_(
                            AB.c.deputy_person_id.is_(None),
                            owner.c.deputy_person_id.in_(batch),
                        ),
                    ),
                )
            )  # fmt: skip
            found.extend(CoverFact(r.person_id, r.deputy_person_id, r.standing) for r in rows)
        return found

    def people_with_role(self, role: Role, *, lock: bool = False) -> Sequence[Person]:
        self._begin()
        query = select(P).where(cast(P.c.roles, String).like(f'%"{role.value}"%'))
        if lock:
            query = query.with_for_update()
        people = [person_from_row(row) for row in self._session.execute(query)]
        return [p for p in people if role in p.roles]

    # -- exports

    def export_rows(
        self, query: ExportQuery, scope: Scope, *, read_ahead: bool = False
    ) -> Iterator[ExportRow]:
        self._begin()
        select_rows, convert = _EXPORTS[query.kind](query, scope)
        postgresql = self._session.get_bind().dialect.name == "postgresql"
        if postgresql and read_ahead:
            # The caller writes a workbook, four times as long as reading takes: the rows are
            # read a batch ahead (`storage.read_ahead`), the cursor planned as PostgreSQL plans
            # one, for its first rows. They come with the first `FETCH` and the server finds
            # each next batch while the file is written; hash joins would find every row
            # before the first, with nothing to do meanwhile. bench/export.py, 10 000 rows: the
            # exporting thread waits 30-40 ms for the database instead of 100-190 (1M region:
            # 100 instead of 540). On SQLite reading is work in this process, which a reading
            # thread (held back by the interpreter lock) took off the exporting one for as long
            # as it then waited: not done.
            result = self._session.execute(select_rows.execution_options(yield_per=STREAM_ROWS))
            sizes = itertools.chain((FIRST_STREAM_ROWS,), itertools.repeat(STREAM_ROWS))
            return (convert(row) for row in read_ahead_rows(result.fetchmany, sizes))
        if postgresql:
            # An export read at once reads every row: plan its cursor for all of them, not for
            # the first tenth as PostgreSQL plans a cursor (that chose an index look-up per row
            # and table over hash joins: bench/export.py, 10 000 rows read in half the time).
            # For the rest of this transaction.
            self._session.execute(sql_text("SET LOCAL cursor_tuple_fraction = 1"))
        result = self._session.execute(select_rows.execution_options(yield_per=STREAM_ROWS))
        return (convert(row) for row in result)

    # -- a contract's audit history

    def audit_history(
        self, contract_id: str, before: tuple[datetime, str] | None, limit: int
    ) -> list[AuditEvent]:
        """The contract's audit events (its own, its follow-ups', deviations' and documents'),
        newest first, `limit` of them older than `before` (time, id)."""
        self._begin()
        events = _contract_events(C.c.id == contract_id).subquery()
        query = select(AU).join(events, events.c.event_id == AU.c.id)
        if before is not None:
            at, event_id = before
            query = query.where(or_(AU.c.at < at, and_(AU.c.at == at, AU.c.id < event_id)))
        rows = self._session.execute(query.order_by(AU.c.at.desc(), AU.c.id.desc()).limit(limit))
        return [audit_event_from_row(row) for row in rows]

    def people_names(self, person_ids: Collection[str]) -> dict[str, str]:
        """Display names of the people with these ids (unknown ids are left out)."""
        self._begin()
        found: dict[str, str] = {}
        for chunk in chunked(sorted(set(person_ids)), 500):
            rows = self._session.execute(select(P.c.id, P.c.display_name).where(P.c.id.in_(chunk)))
            found.update({row.id: row.display_name for row in rows})
        return found


# --- exports ---------------------------------------------------------------------------------

_Export = tuple[Select[Any], Any]


def _between(column: Any, query: ExportQuery) -> list[ColumnElement[bool]]:
    clauses = []
    if query.from_date is not None:
        clauses.append(column >= query.from_date)
    if query.to_date is not None:
        clauses.append(column <= query.to_date)
    return clauses


def _on_days(column: Any, query: ExportQuery) -> list[ColumnElement[bool]]:
    """`column` (a time) on the period's days in Oslo, both ends included."""
    clauses = []
    if query.from_date is not None:
        clauses.append(column >= oslo_datetime(query.from_date, time(0)))
    if query.to_date is not None:
        clauses.append(column < oslo_datetime(query.to_date + timedelta(days=1), time(0)))
    return clauses


def _follow_up_source(owner: Any) -> FromClause:
    return (
        F.join(C, C.c.id == F.c.contract_id)
        .join(CP, CP.c.id == F.c.checkpoint_id)
        .outerjoin(S, S.c.id == C.c.supplier_id)
        .outerjoin(owner, owner.c.id == C.c.owner_id)
    )


def _export_overdue(query: ExportQuery, scope: Scope) -> _Export:
    owner = P.alias("owner")
    predicate = is_escalated(query.today) if query.escalated_only else is_overdue(query.today)
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            CP.c.title.label("checkpoint"),
            F.c.due_date,
            F.c.state,
            F.c.reminder_step,
            is_escalated(query.today).label("escalated"),
            owner.c.display_name,
            owner.c.email,
        )
        .select_from(_follow_up_source(owner))
        .where(predicate, *_between(F.c.due_date, query), *_contracts_in(scope, query.subset))
        .order_by(F.c.due_date, F.c.id)
    )

    today = query.today

    def convert(r: Any) -> ExportRow:
        # By position: unpacking a row is cheaper than twelve lookups by name.
        ref, title, supplier, unit, checkpoint, due, state, step, escalated, owner, email = r
        return (
            ref, title, supplier, unit, checkpoint, due, (today - due).days, state, step,
            bool(escalated), owner, email,
        )  # fmt: skip

    return select_rows, convert


def _latest_answer(latest: Any) -> ColumnElement[bool]:
    """`latest` (an alias of answers) is the follow-up's latest version."""
    newest = select(func.max(A.c.version)).where(A.c.follow_up_id == F.c.id).scalar_subquery()
    return and_(latest.c.follow_up_id == F.c.id, latest.c.version == newest)


def _export_follow_ups(query: ExportQuery, scope: Scope) -> _Export:
    owner = P.alias("owner")
    latest = A.alias("latest")
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            CP.c.title.label("checkpoint"),
            F.c.due_date,
            F.c.state,
            owner.c.display_name,
            F.c.first_answered_on,
            is_on_time().label("on_time"),
            latest.c.kind,
            latest.c.decided_by,
            latest.c.decided_on,
        )
        .select_from(_follow_up_source(owner).outerjoin(latest, _latest_answer(latest)))
        .where(is_due(query.from_date, query.to_date), *_contracts_in(scope, query.subset))
        .order_by(F.c.due_date, F.c.id)
    )

    def convert(r: Any) -> ExportRow:
        answered = r.first_answered_on is not None
        return (
            r.reference, r.title, r.name, r.unit, r.checkpoint, r.due_date, r.state,
            r.display_name, answered, r.first_answered_on,
            bool(r.on_time) if answered else None, r.kind, r.decided_by, r.decided_on,
        )  # fmt: skip

    return select_rows, convert


def _export_answers(query: ExportQuery, scope: Scope) -> _Export:
    owner = P.alias("owner")
    latest = A.alias("latest")
    by, for_whom = P.alias("answered_by"), P.alias("on_behalf_of")
    documents = (
        select(func.count()).select_from(DOC).where(DOC.c.follow_up_id == F.c.id)
        .scalar_subquery()
    )  # fmt: skip
    answered = [is_answered()]
    if query.on_time is True:
        answered.append(is_on_time())
    elif query.on_time is False:
        answered.append(is_late())
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            CP.c.title.label("checkpoint"),
            F.c.due_date,
            F.c.first_answered_on,
            is_on_time().label("on_time"),
            latest.c.answered_at,
            latest.c.kind,
            latest.c.decided_by,
            latest.c.decided_on,
            latest.c.text,
            latest.c.version,
            by.c.display_name.label("by_name"),
            for_whom.c.display_name.label("for_name"),
            documents.label("documents"),
        )
        .select_from(
            _follow_up_source(owner)
            .join(latest, _latest_answer(latest))
            .outerjoin(by, by.c.id == latest.c.answered_by_id)
            .outerjoin(for_whom, for_whom.c.id == latest.c.on_behalf_of_id)
        )
        .where(
            is_due(query.from_date, query.to_date),
            *answered,
            *_contracts_in(scope, query.subset),
        )
        .order_by(F.c.due_date, F.c.id)
    )

    def convert(r: Any) -> ExportRow:
        return (
            r.reference, r.title, r.name, r.unit, r.checkpoint, r.due_date,
            r.first_answered_on, bool(r.on_time), r.answered_at, r.kind, r.decided_by,
            r.decided_on, r.text, r.by_name, r.for_name, r.version, int(r.documents),
        )  # fmt: skip

    return select_rows, convert


def _export_deviations(query: ExportQuery, scope: Scope) -> _Export:
    reporter = P.alias("reporter")
    wanted = DeviationFilter(query.open_only, query.category, query.severity)
    select_rows = (
        select(
            D.c.code,
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            S.c.organisation_number,
            D.c.category,
            D.c.severity,
            D.c.occurred_on,
            D.c.description,
            D.c.remedy,
            D.c.status,
            reporter.c.display_name,
            D.c.reported_at,
            D.c.closed_at,
        )
        .select_from(
            D.join(C, C.c.id == D.c.contract_id)
            .outerjoin(S, S.c.id == C.c.supplier_id)
            .outerjoin(reporter, reporter.c.id == D.c.reported_by_id)
        )
        .where(
            *_deviation_filter(wanted),
            *_between(D.c.occurred_on, query),
            *_contracts_in(scope, query.subset),
        )
        .order_by(_closed_rank(), _severity_rank(), D.c.occurred_on.desc(), D.c.id.desc())
    )

    def convert(r: Any) -> ExportRow:
        return tuple(r)

    return select_rows, convert


def _contract_events(*where: ColumnElement[bool]) -> Select[Any]:
    """(contract id, audit event id) for every audit event about a contract matching `where`
    (clauses on contracts `C`): the contract's own events, and those of its follow-ups,
    deviations and documents. A UNION ALL of indexed look-ups on (entity, entity_id)."""
    on = AU.c.entity_id
    parts = [
        select(C.c.id.label("contract_id"), AU.c.id.label("event_id"))
        .select_from(AU.join(C, and_(AU.c.entity == "contract", on == C.c.id)))
        .where(*where),
        select(C.c.id, AU.c.id)
        .select_from(
            AU.join(F, and_(AU.c.entity == "follow_up", on == F.c.id)).join(
                C, C.c.id == F.c.contract_id
            )
        )
        .where(*where),
        select(C.c.id, AU.c.id)
        .select_from(
            AU.join(D, and_(AU.c.entity == "deviation", on == D.c.id)).join(
                C, C.c.id == D.c.contract_id
            )
        )
        .where(*where),
        select(C.c.id, AU.c.id)
        .select_from(
            AU.join(DOC, and_(AU.c.entity == "document", on == DOC.c.id))
            .join(F, F.c.id == DOC.c.follow_up_id)
            .join(C, C.c.id == F.c.contract_id)
        )
        .where(*where),
    ]
    return union_all(*parts)  # type: ignore[return-value]


def _export_history(query: ExportQuery, scope: Scope) -> _Export:
    """Every audit event of the contracts in scope, oldest first; the period filters the
    events' time (Oslo days)."""
    events = _contract_events(*_contracts_in(scope, query.subset)).subquery()
    actor, behalf = P.alias("actor"), P.alias("behalf")
    period = _on_days(AU.c.at, query)
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            AU.c.at,
            actor.c.display_name,
            AU.c.actor,
            AU.c.action,
            AU.c.entity,
            AU.c.before,
            AU.c.after,
            behalf.c.display_name,
        )
        .select_from(
            events.join(AU, AU.c.id == events.c.event_id)
            .join(C, C.c.id == events.c.contract_id)
            .outerjoin(
                # `person:<id>`: compare the id part, so the join uses people's primary key.
                actor,
                and_(
                    AU.c.actor.startswith(PERSON_ACTOR, autoescape=True),
                    actor.c.id == func.substr(AU.c.actor, len(PERSON_ACTOR) + 1),
                ),
            )
            .outerjoin(behalf, behalf.c.id == AU.c.after["on_behalf_of_id"].as_string())
        )
        .where(*period)
        .order_by(C.c.reference, AU.c.at, AU.c.id)
    )
    return select_rows, history_export_row


def _export_contracts(query: ExportQuery, scope: Scope) -> _Export:
    owner, manager, deputy = P.alias("owner"), P.alias("manager"), P.alias("deputy")
    in_period = is_due(query.from_date, query.to_date)
    period_given = query.from_date is not None or query.to_date is not None
    follow_ups = (
        select(func.count()).select_from(F)
        .where(F.c.contract_id == C.c.id, *([in_period] if period_given else []))
        .scalar_subquery()
    )  # fmt: skip
    overdue = (
        select(func.count()).select_from(F)
        .where(F.c.contract_id == C.c.id, is_overdue(query.today))
        .scalar_subquery()
    )  # fmt: skip
    deviations = (
        select(func.count()).select_from(D)
        .where(D.c.contract_id == C.c.id, is_deviation_open())
        .scalar_subquery()
    )  # fmt: skip
    # What the municipality's archive confirmed (issue 17): its case number and the records.
    confirmed = and_(AR.c.contract_id == C.c.id, AR.c.state == "confirmed")
    archive_case = (
        select(cast(AR.c.case_year, String) + "/" + cast(AR.c.case_sequence, String))
        .where(confirmed, AR.c.case_year.is_not(None), AR.c.case_sequence.is_not(None))
        .order_by(AR.c.confirmed_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    archived = select(func.count()).select_from(AR).where(confirmed).scalar_subquery()
    # The latest risk assessment and supplier evaluation (issue 19): each table grouped once
    # by contract and joined, not looked up per contract.
    risk_assessed = (
        select(RA.c.contract_id, func.max(RA.c.assessed_at).label("assessed_at"))
        .group_by(RA.c.contract_id)
        .subquery("risk_assessed")
    )
    newest_evaluation = (
        select(SE.c.contract_id, func.max(SE.c.version).label("version"))
        .group_by(SE.c.contract_id)
        .subquery("newest_evaluation")
    )
    evaluation = SE.alias("evaluation")
    where = [is_followed_up(), *_contracts_in(scope, query.subset)]
    if period_given:
        where.append(exists(select(1).where(F.c.contract_id == C.c.id, in_period)))
    select_rows = (
        select(
            C.c.reference,
            C.c.case_number,
            C.c.title,
            C.c.contract_type,
            S.c.name,
            S.c.organisation_number,
            C.c.unit,
            owner.c.display_name.label("owner"),
            manager.c.display_name.label("manager"),
            deputy.c.display_name.label("deputy"),
            C.c.start_date,
            C.c.end_date,
            C.c.value_nok,
            C.c.risk,
            risk_assessed.c.assessed_at,
            follow_ups.label("follow_ups"),
            overdue.label("overdue"),
            deviations.label("deviations"),
            evaluation.c.evaluated_at,
            evaluation.c.overall,
            archive_case.label("archive_case"),
            archived.label("archived"),
        )
        .select_from(
            C.outerjoin(S, S.c.id == C.c.supplier_id)
            .outerjoin(owner, owner.c.id == C.c.owner_id)
            .outerjoin(manager, manager.c.id == C.c.manager_id)
            .outerjoin(deputy, deputy.c.id == C.c.deputy_id)
            .outerjoin(risk_assessed, risk_assessed.c.contract_id == C.c.id)
            .outerjoin(newest_evaluation, newest_evaluation.c.contract_id == C.c.id)
            .outerjoin(
                evaluation,
                and_(
                    evaluation.c.contract_id == newest_evaluation.c.contract_id,
                    evaluation.c.version == newest_evaluation.c.version,
                ),
            )
        )
        .where(*where)
        .order_by(C.c.reference)
    )

    def convert(r: Any) -> ExportRow:
        # By position: the two times are written as their Oslo days.
        *head, assessed_at, follow_ups, overdue, deviations, evaluated_at, overall, case, n = r
        return (
            *head, _oslo_day(assessed_at), follow_ups, overdue, deviations,
            _oslo_day(evaluated_at), overall, case, n,
        )  # fmt: skip

    return select_rows, convert


def _export_onsite_checks(query: ExportQuery, scope: Scope) -> _Export:
    recorder = P.alias("recorder")
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            OC.c.number,
            OC.c.checked_on,
            OC.c.place,
            OC.c.participants,
            OC.c.workers,
            OC.c.cards_checked,
            OC.c.without_card,
            OC.c.crew_list,
            OC.c.notes,
            D.c.code,
            recorder.c.display_name,
        )
        .select_from(
            OC.join(C, C.c.id == OC.c.contract_id)
            .outerjoin(S, S.c.id == C.c.supplier_id)
            .outerjoin(D, D.c.id == OC.c.deviation_id)
            .outerjoin(recorder, recorder.c.id == OC.c.recorded_by_id)
        )
        .where(*_between(OC.c.checked_on, query), *_contracts_in(scope, query.subset))
        .order_by(OC.c.checked_on.desc(), C.c.reference, OC.c.number.desc())
    )

    def convert(r: Any) -> ExportRow:
        return tuple(r)

    return select_rows, convert


def _export_risk_assessments(query: ExportQuery, scope: Scope) -> _Export:
    """Every stored version of the visible contracts' risk assessments made on the period's
    days, newest first; the scores (`{area: [consequence, likelihood]}`) as two columns an
    area, in `RISK_AREA_HEADERS` order."""
    assessor = P.alias("assessor")
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            RA.c.version,
            RA.c.assessed_at,
            assessor.c.display_name,
            RA.c.source,
            RA.c.scores,
            RA.c.suggested,
            RA.c.chosen,
            RA.c.previous,
            RA.c.reason,
            RA.c.comment,
        )
        .select_from(
            RA.join(C, C.c.id == RA.c.contract_id)
            .outerjoin(S, S.c.id == C.c.supplier_id)
            .outerjoin(assessor, assessor.c.id == RA.c.assessed_by_id)
        )
        .where(*_on_days(RA.c.assessed_at, query), *_contracts_in(scope, query.subset))
        .order_by(RA.c.assessed_at.desc(), C.c.reference, RA.c.version.desc())
    )

    def convert(r: Any) -> ExportRow:
        ref, title, supplier, unit, version, at, by, source, scores, *levels = r
        return (
            ref, title, supplier, unit, version, at, by, source,
            *_pairs(scores, RISK_AREA_HEADERS), *levels,
        )  # fmt: skip

    return select_rows, convert


def _export_evaluations(query: ExportQuery, scope: Scope) -> _Export:
    """Every stored version of the visible contracts' supplier evaluations made on the
    period's days, newest first, with the supplier evaluated (the contract's when it was); the
    scores (`{heading: [score, comment]}`) as two columns a heading, in
    `EVALUATION_HEADING_HEADERS` order."""
    evaluator = P.alias("evaluator")
    select_rows = (
        select(
            C.c.reference,
            C.c.title,
            S.c.name,
            C.c.unit,
            S.c.organisation_number,
            SE.c.version,
            SE.c.evaluated_at,
            evaluator.c.display_name,
            SE.c.scores,
        )
        .select_from(
            SE.join(C, C.c.id == SE.c.contract_id)
            .outerjoin(S, S.c.id == SE.c.supplier_id)
            .outerjoin(evaluator, evaluator.c.id == SE.c.evaluated_by_id)
        )
        .where(*_on_days(SE.c.evaluated_at, query), *_contracts_in(scope, query.subset))
        .order_by(SE.c.evaluated_at.desc(), C.c.reference, SE.c.version.desc())
    )

    def convert(r: Any) -> ExportRow:
        *head, scores = r
        return (*head, *_pairs(scores, EVALUATION_HEADING_HEADERS))

    return select_rows, convert


def _pairs(scores: Any, keys: Sequence[tuple[str, str]]) -> list[Cell]:
    """A stored `{key: [first, second]}` as first, second for each key in order (None, None
    for a key it lacks)."""
    found = scores if isinstance(scores, dict) else {}
    cells: list[Cell] = []
    for key, _name in keys:
        pair = found.get(key)
        first, second = pair if isinstance(pair, list) and len(pair) == 2 else (None, None)
        cells.extend((first, second))
    return cells


def _oslo_day(at: datetime | None) -> date | None:
    return None if at is None else oslo_today(at)


def _export_unreachable(query: ExportQuery, scope: Scope) -> _Export:
    contracts_in = _contracts_in(scope, query.subset)

    def owned(*where: Any) -> Any:
        return (
            select(func.count())
            .select_from(F.join(C, C.c.id == F.c.contract_id))
            .where(C.c.owner_id == P.c.id, *where, *contracts_in)
            .scalar_subquery()
        )

    select_rows = (
        select(
            P.c.display_name,
            P.c.email,
            owned(is_open()).label("open"),
            owned(is_overdue(query.today)).label("overdue"),
        )
        .where(_unreachable_owner(scope, query.subset))
        .order_by(P.c.display_name, P.c.id)
    )

    def convert(r: Any) -> ExportRow:
        return (r.display_name, r.email, int(r.open), int(r.overdue))

    return select_rows, convert


_EXPORTS: Final[Mapping[ExportKind, Any]] = {
    ExportKind.FORFALT: _export_overdue,
    ExportKind.OPPFOLGINGER: _export_follow_ups,
    ExportKind.SVAR: _export_answers,
    ExportKind.AVVIK: _export_deviations,
    ExportKind.KONTRAKTER: _export_contracts,
    ExportKind.UTILGJENGELIGE: _export_unreachable,
    ExportKind.KONTROLLER: _export_onsite_checks,
    ExportKind.RISIKO: _export_risk_assessments,
    ExportKind.EVALUERINGER: _export_evaluations,
    ExportKind.HISTORIKK: _export_history,
}


def export_select(query: ExportQuery, scope: Scope) -> Select[Any]:
    """The statement an export runs (for its plan: bench/export.py --explain)."""
    select_rows, _convert = _EXPORTS[query.kind](query, scope)
    return select_rows  # type: ignore[no-any-return]


def _numbered(year: int | None, sequence: int | None) -> str | None:
    """``"2025/17"``: an archive's year and sequence number, when it gave both."""
    return None if year is None or sequence is None else f"{year}/{sequence}"
