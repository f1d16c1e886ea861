"""SQLAlchemy repositories for the register and the plans: suppliers, contracts, checkpoints,
follow-ups, absences and calendar feeds. Rows in, domain models out.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    String,
    and_,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from followup.lifecycle import LADDER_STATES
from followup.models import (
    Absence,
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractStatus,
    FollowUp,
    Supplier,
)
from followup.plans.plan_file import MOVED_DAYS, ONCE
from followup.ports import CheckpointSchedule, ScheduleChange
from storage.bulk_insert import insert_rows, insert_values
from storage.lean_sql import LeanStatement
from storage.mappings import (
    absence_from_row,
    checkpoint_from_row,
    checkpoint_values,
    contract_from_row,
    contract_values,
    follow_up_from_row,
    supplier_from_row,
)
from storage.tables import (
    AbsenceRow,
    AnswerRow,
    CalendarFeedRow,
    CheckpointRow,
    ContractRow,
    DeviationRow,
    DocumentRow,
    FollowUpRow,
    SupplierRow,
    table_of,
)

# Bound parameters per IN (...) list: well under SQLite's 32 766 and PostgreSQL's 65 535.
IN_CHUNK = 900

T = TypeVar("T")


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows(session: Session, table: Any, *where: Any, order_by: Sequence[Any] = ()) -> Any:
    """Plain rows (no ORM objects: far cheaper for bulk reads). Pending changes are flushed
    first, since a Core query does not autoflush."""
    session.flush()
    return session.execute(select(table).where(*where).order_by(*order_by))


def _rows_with_keys(
    session: Session, table: Any, column: Any, keys: Collection[str]
) -> Iterator[Any]:
    """Plain rows whose `column` is one of `keys` (pending changes flushed first), by one query
    with one parameter, a statement built once: PostgreSQL `= ANY(array)`, SQLite `IN (SELECT
    value FROM json_each(…))`, both through the column's index. (The register import asks for
    a chunk's references and organisation numbers: IN lists of 900 parameters were rendered by
    SQLAlchemy, and on PostgreSQL parsed by psycopg, every time.)"""
    session.flush()
    wanted = list(set(keys))
    if not wanted:
        return
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    statement = _BY_KEYS.get((postgres, column))
    if statement is None:
        if postgres:
            found = column == any_(bindparam("keys", type_=ARRAY(String)))
        else:
            listed: Any = select(literal_column("value"))
            found = column.in_(listed.select_from(func.json_each(bindparam("keys"))))
        statement = _BY_KEYS[(postgres, column)] = select(table).where(found)
    yield from connection.execute(statement, {"keys": wanted if postgres else json.dumps(wanted)})


_BY_KEYS: dict[tuple[bool, Any], Any] = {}


# --- suppliers -------------------------------------------------------------------------------


class SqlAlchemySupplierRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_organisation_numbers(self, numbers: Collection[str]) -> Mapping[str, Supplier]:
        table = table_of(SupplierRow)
        rows = _rows_with_keys(self._session, table, table.c.organisation_number, numbers)
        return {row.organisation_number: supplier_from_row(row) for row in rows}

    def get_many(self, supplier_ids: Collection[str]) -> Mapping[str, Supplier]:
        found: dict[str, Supplier] = {}
        self._session.flush()
        if len(supplier_ids) == 1:
            (supplier_id,) = supplier_ids
            row = _SUPPLIER_BY_ID.first(self._session.connection(), {"id": supplier_id})
            return {row.id: supplier_from_row(row)} if row else {}
        for batch in chunked(set(supplier_ids)):
            for row in self._session.execute(_SUPPLIERS_BY_ID, {"ids": batch}):
                found[row.id] = supplier_from_row(row)
        return found

    def add(self, supplier: Supplier) -> None:
        self._session.add(
            SupplierRow(
                id=supplier.id,
                name=supplier.name,
                organisation_number=supplier.organisation_number,
            )
        )
        # Flushed at once: the ORM does not order inserts by foreign key without relationships,
        # and contracts added next refer to this row.
        self._session.flush()

    def add_many(self, suppliers: Iterable[Supplier]) -> int:
        rows = [
            {"id": x.id, "name": x.name, "organisation_number": x.organisation_number}
            for x in suppliers
        ]
        return insert_rows(self._session, table_of(SupplierRow), rows)

    def update(self, supplier: Supplier) -> None:
        row = self._session.get(SupplierRow, supplier.id)
        if row is None:
            raise LookupError(supplier.id)
        row.name = supplier.name
        row.organisation_number = supplier.organisation_number


# --- contracts -------------------------------------------------------------------------------


_CONTRACTS = ContractRow.__table__
# `hjelp` asks for these on every turn: built once (building a statement cost more than running
# it on SQLite), plain rows (no ORM objects), the few columns an example shows.
_PERSONS_EXAMPLES = LeanStatement(
    select(_CONTRACTS.c.reference, _CONTRACTS.c.unit)
    .where(
        or_(
            _CONTRACTS.c.owner_id == bindparam("person_id"),
            _CONTRACTS.c.manager_id == bindparam("person_id"),
            _CONTRACTS.c.deputy_id == bindparam("person_id"),
        )
    )
    .order_by(
        case((_CONTRACTS.c.status == ContractStatus.ACTIVE.value, 0), else_=1),
        _CONTRACTS.c.reference,
    )
    .limit(bindparam("limit"))
)
_CONTRACT_BY_REFERENCE = LeanStatement(
    select(_CONTRACTS).where(_CONTRACTS.c.reference == bindparam("reference")).limit(1)
)
_CONTRACT_BY_REFERENCE_ANY_CASE = LeanStatement(
    select(_CONTRACTS)
    .where(_CONTRACTS.c.reference.ilike(bindparam("pattern"), escape="\\"))
    .limit(1)
)
_SUPPLIERS = SupplierRow.__table__
_SUPPLIERS_BY_ID = select(_SUPPLIERS).where(_SUPPLIERS.c.id.in_(bindparam("ids", expanding=True)))
# A chat turn's reads name one contract, supplier or follow-up: those run lean
# (storage/lean_sql.py), many ids go through the expanding IN above.
_SUPPLIER_BY_ID = LeanStatement(select(_SUPPLIERS).where(_SUPPLIERS.c.id == bindparam("id")))
_FOLLOW_UPS = table_of(FollowUpRow)
# No ORDER BY: sorted after; with one, SQLite walks a due-date index over the whole range
# instead of the contracts' (bench/tick.py: 50x slower).
_FOLLOW_UPS_OF_CONTRACTS_BETWEEN = select(_FOLLOW_UPS).where(
    _FOLLOW_UPS.c.contract_id.in_(bindparam("ids", expanding=True)),
    _FOLLOW_UPS.c.due_date >= bindparam("start"),
    _FOLLOW_UPS.c.due_date <= bindparam("end"),
)
_FOLLOW_UPS_OF_CONTRACT_BETWEEN = LeanStatement(
    select(_FOLLOW_UPS).where(
        _FOLLOW_UPS.c.contract_id == bindparam("id"),
        _FOLLOW_UPS.c.due_date >= bindparam("start"),
        _FOLLOW_UPS.c.due_date <= bindparam("end"),
    )
)
_RESCHEDULE = (
    update(_FOLLOW_UPS)
    .where(_FOLLOW_UPS.c.id == bindparam("b_id"))
    .values(
        state=bindparam("b_state"),
        reminder_step=bindparam("b_step"),
        next_action_at=bindparam("b_next"),
    )
)
# `or_` of equalities, not `in_`: an expanding IN cannot go into an executemany.
_RESCHEDULE_OPEN = _RESCHEDULE.where(
    or_(*(_FOLLOW_UPS.c.state == s.value for s in sorted(LADDER_STATES)))
)
_RESCHEDULE_ONE = LeanStatement(_RESCHEDULE)
_RESCHEDULE_OPEN_ONE = LeanStatement(_RESCHEDULE_OPEN)
_CHECKPOINTS = CheckpointRow.__table__
_CHECKPOINTS_OF_CONTRACTS = (
    select(_CHECKPOINTS)
    .where(_CHECKPOINTS.c.contract_id.in_(bindparam("ids", expanding=True)))
    .order_by(_CHECKPOINTS.c.contract_id, _CHECKPOINTS.c.code)
)
_CHECKPOINTS_OF_CONTRACT = LeanStatement(
    select(_CHECKPOINTS)
    .where(_CHECKPOINTS.c.contract_id == bindparam("id"))
    .order_by(_CHECKPOINTS.c.code)
)
_PORTFOLIO_EXAMPLES = LeanStatement(
    select(_CONTRACTS.c.reference, _CONTRACTS.c.unit)
    .where(
        _CONTRACTS.c.status == ContractStatus.ACTIVE.value,
        _CONTRACTS.c.has_follow_ups.is_(True),
    )
    .order_by(_CONTRACTS.c.reference)
    .limit(bindparam("limit"))
)


class SqlAlchemyContractRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, contract_id: str) -> Contract | None:
        row = self._session.get(ContractRow, contract_id)
        return contract_from_row(row) if row else None

    def by_reference(self, reference: str) -> Contract | None:
        self._session.flush()
        conn = self._session.connection()
        row = _CONTRACT_BY_REFERENCE.first(conn, {"reference": reference})
        if row is None:
            # People type references in any case: `kom-2025-0147`. `%` and `_` typed are
            # themselves, not wildcards.
            escaped = reference.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            row = _CONTRACT_BY_REFERENCE_ANY_CASE.first(conn, {"pattern": escaped})
        return contract_from_row(row) if row else None

    def by_references(self, references: Collection[str]) -> Mapping[str, Contract]:
        table = ContractRow.__table__
        rows = _rows_with_keys(self._session, table, table.c.reference, references)
        return {row.reference: contract_from_row(row) for row in rows}

    def get_many(self, contract_ids: Collection[str]) -> Mapping[str, Contract]:
        found: dict[str, Contract] = {}
        table = ContractRow.__table__
        for batch in chunked(set(contract_ids)):
            for row in _rows(self._session, table, table.c.id.in_(batch)):
                found[row.id] = contract_from_row(row)
        return found

    def add(self, contract: Contract, now: datetime) -> None:
        self._session.add(
            ContractRow(id=contract.id, created_at=now, updated_at=now, **contract_values(contract))
        )

    def add_many(self, contracts: Iterable[Contract], now: datetime) -> int:
        # Rows as tuples (a register import adds thousands at a time), in `contract_values`'s
        # order after the id and times.
        added = list(contracts)
        if not added:
            return 0
        names = ("id", "created_at", "updated_at", *contract_values(added[0]))
        rows = [(c.id, now, now, *contract_values(c).values()) for c in added]
        return insert_values(self._session, table_of(ContractRow), names, rows)

    def update(self, contract: Contract, now: datetime) -> None:
        row = self._session.get(ContractRow, contract.id)
        if row is None:
            raise LookupError(contract.id)
        for key, value in contract_values(contract).items():
            setattr(row, key, value)
        row.updated_at = now

    def for_person(self, person_id: str) -> Sequence[Contract]:
        rows = self._session.scalars(
            select(ContractRow)
            .where(
                or_(
                    ContractRow.owner_id == person_id,
                    ContractRow.manager_id == person_id,
                    ContractRow.deputy_id == person_id,
                )
            )
            .order_by(ContractRow.reference)
        )
        return [contract_from_row(r) for r in rows]

    def example_references(
        self, person_id: str | None, limit: int
    ) -> Sequence[tuple[str, str | None]]:
        conn = self._session.connection()
        if person_id is None:
            rows = _PORTFOLIO_EXAMPLES.rows(conn, {"limit": limit})
        else:
            rows = _PERSONS_EXAMPLES.rows(conn, {"person_id": person_id, "limit": limit})
        return [(reference, unit) for reference, unit in rows]

    def with_title(self, title: str) -> Sequence[Contract]:
        rows = self._session.scalars(
            select(ContractRow).where(ContractRow.title == title).order_by(ContractRow.reference)
        )
        return [contract_from_row(r) for r in rows]

    def set_analysis_terms(
        self, contract_id: str, *, maximum_value_nok: int | None, ledger_accounts: str | None
    ) -> None:
        """*Maksverdi* and *Kontoer* (the demo; the register import sets them from its columns)."""
        self._session.flush()
        self._session.execute(
            update(ContractRow)
            .where(ContractRow.id == contract_id)
            .values(maximum_value_nok=maximum_value_nok, ledger_accounts=ledger_accounts)
            .execution_options(synchronize_session=False)
        )

    def with_ledger_accounts(self) -> Sequence[Contract]:
        rows = self._session.scalars(
            select(ContractRow)
            .where(ContractRow.ledger_accounts.is_not(None), ContractRow.ledger_accounts != "")
            .order_by(ContractRow.reference)
        )
        return [contract_from_row(r) for r in rows]

    def owned_by(self, person_ids: Collection[str]) -> Sequence[Contract]:
        found: list[Contract] = []
        for batch in chunked(set(person_ids)):
            rows = self._session.scalars(
                select(ContractRow)
                .where(ContractRow.owner_id.in_(batch))
                .order_by(ContractRow.reference)
            )
            found.extend(contract_from_row(r) for r in rows)
        return found

    def ids_after(self, after_id: str | None, limit: int) -> Sequence[str]:
        query = select(ContractRow.id).order_by(ContractRow.id).limit(limit)
        if after_id is not None:
            query = query.where(ContractRow.id > after_id)
        return list(self._session.scalars(query))

    def ids_changed_since(self, since: datetime) -> Sequence[str]:
        query = select(ContractRow.id).where(
            or_(ContractRow.updated_at >= since, ContractRow.start_date.is_(None))
        )
        return list(self._session.scalars(query))


# --- checkpoints -----------------------------------------------------------------------------


class SqlAlchemyCheckpointRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_many(self, checkpoint_ids: Collection[str]) -> Mapping[str, Checkpoint]:
        found: dict[str, Checkpoint] = {}
        table = CheckpointRow.__table__
        for batch in chunked(set(checkpoint_ids)):
            for row in _rows(self._session, table, table.c.id.in_(batch)):
                checkpoint = checkpoint_from_row(row)
                found[checkpoint.id] = checkpoint
        return found

    def for_contracts(self, contract_ids: Collection[str]) -> Sequence[Checkpoint]:
        found: list[Checkpoint] = []
        self._session.flush()
        if len(contract_ids) == 1:
            (contract_id,) = contract_ids
            rows = _CHECKPOINTS_OF_CONTRACT.rows(self._session.connection(), {"id": contract_id})
            return [checkpoint_from_row(row) for row in rows]
        for batch in chunked(set(contract_ids)):
            found.extend(
                checkpoint_from_row(row)
                for row in self._session.execute(_CHECKPOINTS_OF_CONTRACTS, {"ids": batch})
            )
        return found

    def followed_schedules(
        self, exclude_contract_ids: Collection[str], start: date, end: date
    ) -> Sequence[CheckpointSchedule]:
        # One query over the register, only the columns the due dates depend on (the daily
        # refresh's new horizon days, `followup.plans.materialise`), leaving out what cannot
        # fall in [start, end]: a one-off checkpoint dated well outside it, a recurring one of a
        # contract that ends before it, a contract that starts after it.
        checkpoints, contracts = CheckpointRow.__table__, ContractRow.__table__
        slack = timedelta(days=MOVED_DAYS)
        once = checkpoints.c.rrule == ONCE
        in_window = or_(
            and_(once, checkpoints.c.dtstart.between(start - slack, end + slack)),
            and_(
                ~once,
                or_(
                    contracts.c.ongoing.is_(True),
                    contracts.c.end_date.is_(None),
                    contracts.c.end_date >= start,
                ),
            ),
        )
        query = (
            select(
                checkpoints.c.id,
                checkpoints.c.contract_id,
                checkpoints.c.rrule,
                checkpoints.c.dtstart,
                contracts.c.start_date,
                contracts.c.end_date,
                contracts.c.ongoing,
            )
            .join(contracts, contracts.c.id == checkpoints.c.contract_id)
            .where(
                checkpoints.c.status == CheckpointStatus.ACTIVE.value,
                contracts.c.status.in_([ContractStatus.ACTIVE.value, ContractStatus.PLANNED.value]),
                or_(contracts.c.start_date.is_(None), contracts.c.start_date <= end),
                in_window,
            )
        )
        excluded = set(exclude_contract_ids)
        return [
            CheckpointSchedule(
                row.id,
                row.contract_id,
                row.rrule,
                row.dtstart,
                row.start_date,
                row.end_date,
                bool(row.ongoing),
            )
            for row in self._session.execute(query)
            if row.contract_id not in excluded
        ]

    def add(self, checkpoint: Checkpoint) -> None:
        self._session.add(CheckpointRow(id=checkpoint.id, **checkpoint_values(checkpoint)))

    def add_many(self, checkpoints: Iterable[Checkpoint]) -> int:
        rows = [{"id": c.id, **checkpoint_values(c)} for c in checkpoints]
        if rows:
            self._session.flush()
            self._session.connection().execute(insert(table_of(CheckpointRow)), rows)
        return len(rows)

    def update(self, checkpoint: Checkpoint) -> None:
        row = self._session.get(CheckpointRow, checkpoint.id)
        if row is None:
            raise LookupError(checkpoint.id)
        for key, value in checkpoint_values(checkpoint).items():
            setattr(row, key, value)


# --- follow-ups ------------------------------------------------------------------------------


class SqlAlchemyFollowUpRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def for_checkpoints_from(
        self, checkpoint_ids: Collection[str], from_date: date
    ) -> Sequence[FollowUp]:
        found: list[FollowUp] = []
        table = FollowUpRow.__table__
        for batch in chunked(set(checkpoint_ids)):
            found.extend(
                follow_up_from_row(row)
                for row in _rows(
                    self._session,
                    table,
                    table.c.checkpoint_id.in_(batch),
                    table.c.due_date >= from_date,
                )
            )
        return found

    def add_many(self, follow_ups: Iterable[FollowUp]) -> int:
        rows = [
            {
                "id": f.id,
                "checkpoint_id": f.checkpoint_id,
                "contract_id": f.contract_id,
                "due_date": f.due_date,
                "state": f.state.value,
                "next_action_at": f.next_action_at,
                "reminder_step": f.reminder_step,
            }
            for f in follow_ups
        ]
        if rows:
            # Core insert: many rows in a few statements, no ORM identity bookkeeping.
            self._session.flush()
            self._session.connection().execute(insert(table_of(FollowUpRow)), rows)
        return len(rows)

    def delete_unanswered(self, follow_up_ids: Collection[str]) -> int:
        removed = 0
        self._session.flush()
        for batch in chunked(set(follow_up_ids)):
            result = self._session.execute(
                delete(FollowUpRow).where(
                    FollowUpRow.id.in_(batch),
                    ~exists().where(AnswerRow.follow_up_id == FollowUpRow.id),
                    # A deviation or a document may name a follow-up without an answer.
                    ~exists().where(DeviationRow.follow_up_id == FollowUpRow.id),
                    ~exists().where(DocumentRow.follow_up_id == FollowUpRow.id),
                )
            )
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return removed

    def for_contracts_between(
        self, contract_ids: Collection[str], start: date, end: date
    ) -> Sequence[FollowUp]:
        found: list[FollowUp] = []
        self._session.flush()
        if len(contract_ids) == 1:
            (contract_id,) = contract_ids
            found.extend(
                follow_up_from_row(row)
                for row in _FOLLOW_UPS_OF_CONTRACT_BETWEEN.rows(
                    self._session.connection(), {"id": contract_id, "start": start, "end": end}
                )
            )
            contract_ids = ()
        for batch in chunked(set(contract_ids)):
            found.extend(
                follow_up_from_row(row)
                for row in self._session.execute(
                    _FOLLOW_UPS_OF_CONTRACTS_BETWEEN, {"ids": batch, "start": start, "end": end}
                )
            )
        found.sort(key=lambda f: (f.due_date, f.contract_id))
        return found

    def get_many(self, follow_up_ids: Collection[str]) -> Mapping[str, FollowUp]:
        found: dict[str, FollowUp] = {}
        table = table_of(FollowUpRow)
        for batch in chunked(set(follow_up_ids)):
            for row in _rows(self._session, table, table.c.id.in_(batch)):
                found[row.id] = follow_up_from_row(row)
        return found

    def keys_due_between(self, start: date, end: date) -> set[tuple[str, date]]:
        table = table_of(FollowUpRow)
        query = select(table.c.checkpoint_id, table.c.due_date).where(
            table.c.due_date >= start, table.c.due_date <= end
        )
        return {(row.checkpoint_id, row.due_date) for row in self._session.execute(query)}

    def claim_due(self, now: datetime, limit: int) -> Sequence[FollowUp]:
        table = table_of(FollowUpRow)
        self._session.flush()
        query = (
            select(table)
            .where(
                table.c.next_action_at <= now,
                table.c.state.in_([s.value for s in LADDER_STATES]),
            )
            .order_by(table.c.next_action_at, table.c.id)
            .limit(limit)
            # PostgreSQL: rows another planner holds are skipped, not waited for. SQLite
            # ignores this; it has one writer at a time, and the planner lease.
            .with_for_update(skip_locked=True)
        )
        return [follow_up_from_row(row) for row in self._session.execute(query)]

    def reschedule(self, changes: Iterable[ScheduleChange], *, only_open: bool = False) -> int:
        rows = [
            {
                "b_id": c.follow_up_id,
                "b_state": c.state.value,
                "b_step": c.reminder_step,
                "b_next": c.next_action_at,
            }
            for c in changes
        ]
        if not rows:
            return 0
        self._session.flush()
        if len(rows) == 1:  # a chat turn's answer
            one = _RESCHEDULE_OPEN_ONE if only_open else _RESCHEDULE_ONE
            one.run(self._session.connection(), rows[0])
            return 1
        self._session.connection().execute(_RESCHEDULE_OPEN if only_open else _RESCHEDULE, rows)
        return len(rows)


# --- absences --------------------------------------------------------------------------------


class SqlAlchemyAbsenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def for_people(self, person_ids: Collection[str], on_or_after: date) -> Sequence[Absence]:
        found: list[Absence] = []
        for batch in chunked(set(person_ids)):
            found.extend(
                absence_from_row(row)
                for row in self._session.scalars(
                    select(AbsenceRow)
                    .where(AbsenceRow.person_id.in_(batch), AbsenceRow.end >= on_or_after)
                    .order_by(AbsenceRow.start)
                )
            )
        return found

    def add(self, absence: Absence) -> None:
        self._session.add(
            AbsenceRow(
                id=absence.id,
                person_id=absence.person_id,
                start=absence.start,
                end=absence.end,
                deputy_person_id=absence.deputy_person_id,
            )
        )
        self._session.flush()

    def remove(self, absence_id: str) -> bool:
        result = self._session.execute(delete(AbsenceRow).where(AbsenceRow.id == absence_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def covered_by(self, deputy_id: str, on_or_after: date) -> Sequence[Absence]:
        rows = self._session.scalars(
            select(AbsenceRow)
            .where(AbsenceRow.deputy_person_id == deputy_id, AbsenceRow.end >= on_or_after)
            .order_by(AbsenceRow.start)
        )
        return [absence_from_row(r) for r in rows]


# --- calendar feeds --------------------------------------------------------------------------


class SqlAlchemyCalendarFeedRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def person_for_token_hash(self, token_hash: str) -> str | None:
        return self._session.scalar(
            select(CalendarFeedRow.person_id).where(CalendarFeedRow.token_hash == token_hash)
        )

    def exists(self, person_id: str) -> bool:
        return self._session.get(CalendarFeedRow, person_id) is not None

    def replace(self, person_id: str, token_hash: str, now: datetime) -> None:
        row = self._session.get(CalendarFeedRow, person_id)
        if row is None:
            self._session.add(
                CalendarFeedRow(person_id=person_id, token_hash=token_hash, created_at=now)
            )
        else:
            row.token_hash = token_hash
            row.created_at = now
        self._session.flush()

    def remove(self, person_id: str) -> bool:
        result = self._session.execute(
            delete(CalendarFeedRow).where(CalendarFeedRow.person_id == person_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
