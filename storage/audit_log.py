"""The audit log behind `followup.ports.AuditLog`: an append-only, hash-chained table.

**Appending.** `append` and `append_many` only collect events; the unit of work hands them to
`seal` when it commits (and `for_entity` before it reads). `seal` flushes the session's other
writes, then takes the chain head (`audit_chain_head`, one row) under a lock — PostgreSQL
`SELECT … FOR UPDATE`, SQLite a no-op `UPDATE … RETURNING`, which takes the database's write
lock (it is already held when the transaction has written anything: the driver begins a
transaction at the first write) — links the events after it (`followup.audit.link`), inserts
them and moves the head (PostgreSQL, one event: one statement, the insert in a `WITH`). The
head lock is the last lock a transaction takes and is held only until its commit, a statement
later, so concurrent writers queue on it briefly and never deadlock on it; the chain gets a
total order, and a transaction that rolls back leaves no gap (its sequence numbers were never
committed). Cost per committing transaction with events: one extra read (the head, locked)
besides the insert it always had (on SQLite, and for several events, also an update of the
head).

`before`/`after` are hashed as they will be read back: through the JSON columns' serializer
(orjson, `storage.db`) and back, so a value such as an integer key is hashed as the string key
the database returns.

**Reading the chain.** `read_chain` streams the events in sequence order in keyset batches;
`verify_audit_trail` checks them against the head (`followup.audit.verify`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from followup.audit import (
    EMPTY_HEAD,
    ChainFault,
    ChainHead,
    ChainLink,
    ChainProblem,
    ChainReport,
    link,
    verify,
)
from followup.models import AuditEvent
from storage.bulk_insert import insert_values
from storage.lean_sql import LeanStatement
from storage.mappings import audit_event_from_row
from storage.tables import AuditChainHeadRow, AuditEventRow

HEAD_ID: Final = 1
VERIFY_BATCH: Final = 10_000


def _table(model: type[Any]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover - declarative tables are Tables
        raise TypeError(model)
    return table


AU: Final = _table(AuditEventRow)
HEAD: Final = _table(AuditChainHeadRow)
LINK_COLUMNS: Final = tuple(AU.c[name] for name in ChainLink._fields)


_APPEND_ONE: Final = LeanStatement(
    update(HEAD)
    .where(HEAD.c.id == HEAD_ID)
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
    .add_cte(insert(AU).values({c.name: bindparam(f"e_{c.name}") for c in LINK_COLUMNS}).cte("e"))
)
"""PostgreSQL, one event: insert it and move the head in one statement (compiled once)."""


def stored_json(value: Any) -> Any:
    """`value` as a JSON column gives it back (orjson out and in, as `storage.db` stores it)."""
    if value is None:
        return None
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


class SqlAlchemyAuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._pending: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        self._pending.append(event)

    def append_many(self, events: Iterable[AuditEvent]) -> int:
        count = len(self._pending)
        self._pending.extend(events)
        return len(self._pending) - count

    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEvent]:
        self.seal()
        rows = self._session.execute(
            select(AU).where(AU.c.entity == entity, AU.c.entity_id == entity_id).order_by(AU.c.seq)
        )
        return [audit_event_from_row(r) for r in rows]

    def discard(self) -> None:
        """Forget the events not sealed yet (the transaction rolls back)."""
        self._pending.clear()

    def seal(self) -> int:
        """Chain and insert the collected events inside the session's transaction (see the
        module docstring); the caller commits. Returns how many were written."""
        if not self._pending:
            return 0
        events, self._pending = self._pending, []
        self._session.flush()
        connection = self._session.connection()
        head = lock_chain_head(connection)
        values = [(stored_json(e.before), stored_json(e.after)) for e in events]
        links = link(events, head, values)
        last = links[-1]
        if len(links) == 1 and connection.dialect.name == "postgresql":
            # One round trip: the insert as a data-modifying WITH of the head's update.
            _APPEND_ONE.run(
                connection,
                {"head_seq": last.seq, "head_hash": last.hash}
                | {f"e_{k}": v for k, v in last._asdict().items()},
            )
        else:
            # PostgreSQL: COPY; SQLite: executemany. The links as they are (tuples in
            # `ChainLink`'s field order), not a dict each.
            insert_values(self._session, AU, ChainLink._fields, links)
            _SET_HEAD.run(connection, {"head_seq": last.seq, "head_hash": last.hash})
        return len(links)


# Every committed change takes the head: statements compiled once and run lean
# (storage/lean_sql.py).
_LOCK_HEAD_POSTGRESQL = LeanStatement(
    select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == HEAD_ID).with_for_update()
)
_LOCK_HEAD_SQLITE = LeanStatement(  # a write takes SQLite's lock for the rest of the transaction
    update(HEAD)
    .where(HEAD.c.id == HEAD_ID)
    .values(seq=HEAD.c.seq)
    .returning(HEAD.c.seq, HEAD.c.hash)
)
_SET_HEAD = LeanStatement(
    update(HEAD)
    .where(HEAD.c.id == HEAD_ID)
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
)


def lock_chain_head(connection: Connection) -> ChainHead:
    """The chain head, locked until the transaction ends. Made when missing (a new database,
    or tables emptied by TRUNCATE, which fires no row trigger), from the last event."""
    for _ in range(2):
        query = (
            _LOCK_HEAD_POSTGRESQL if connection.dialect.name == "postgresql" else _LOCK_HEAD_SQLITE
        )
        row = query.first(connection, {})
        if row is not None:
            return ChainHead(int(row[0]), str(row[1]))
        last = connection.execute(
            select(AU.c.seq, AU.c.hash).order_by(AU.c.seq.desc()).limit(1)
        ).first()
        start = ChainHead(int(last[0]), str(last[1])) if last is not None else EMPTY_HEAD
        make = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(
            make(HEAD)
            .values(id=HEAD_ID, seq=start.seq, hash=start.hash)
            .on_conflict_do_nothing(index_elements=[HEAD.c.id])
        )
    raise RuntimeError("the audit chain head cannot be made")  # pragma: no cover


# --- reading and checking the chain -----------------------------------------------------------


def read_chain_head(connection: Connection) -> ChainHead | None:
    row = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == HEAD_ID)).first()
    return ChainHead(int(row[0]), str(row[1])) if row is not None else None


def read_chain(
    connection: Connection, *, up_to: int | None = None, batch: int = VERIFY_BATCH
) -> Iterator[ChainLink]:
    """The events in sequence order (at most `up_to`), `batch` rows per query (keyset on the
    unique `seq` index): memory stays flat however long the chain is."""
    after = 0
    while True:
        query = select(*LINK_COLUMNS).where(AU.c.seq > after)
        if up_to is not None:
            query = query.where(AU.c.seq <= up_to)
        rows = connection.execute(query.order_by(AU.c.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield ChainLink._make(row)
        if len(rows) < batch:
            return
        after = rows[-1][0]


def verify_audit_trail(
    engine: Engine, *, known_head: ChainHead | None = None, batch: int = VERIFY_BATCH
) -> ChainReport:
    """Check the whole chain up to the head read first: events appended while it runs are
    left for the next run. A chain with events but no head row is reported as well."""
    with engine.connect() as connection:
        head = read_chain_head(connection)
        up_to = head.seq if head is not None else None
        report = verify(read_chain(connection, up_to=up_to, batch=batch), head, known_head)
    if head is None and report.ok and report.checked > 0:
        problem = ChainProblem(
            ChainFault.HEAD_MISMATCH,
            report.head.seq,
            None,
            expected=f"seq {report.head.seq} {report.head.hash}",
            found="no chain head",
        )
        return dataclasses.replace(report, problem=problem)
    return report
