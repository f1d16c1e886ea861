"""Many rows into one table at once, cheaper than `session.execute(insert(table), rows)`.

`insert_rows` compiles the INSERT once and passes each value through its column type's bind
processor for the dialect (so values are stored exactly as SQLAlchemy would store them: UTC
times, JSON through orjson), then hands all rows to the driver in one go: on PostgreSQL by
`COPY … FROM STDIN` (psycopg), on SQLite by one `executemany`. SQLAlchemy's per-row parameter
bookkeeping, and on PostgreSQL the multi-row VALUES statements, are skipped: a register import
spends its write time on contracts and audit events (bench/import_contracts.py).

`prepare_for_bulk_writes(engine)` sets SQLite up for a long run of large transactions (a
register import): more pages kept in memory, a longer WAL between checkpoints and statement
journals in memory. Journal mode and `synchronous` stay as `storage.db` sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Dialect, Engine, Table, bindparam, event, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

BULK_SQLITE_PRAGMAS: Final = (
    # Pages kept in memory, in KiB (negative): 16 MB instead of 2 MB. A contract touches a leaf
    # of each of its table's dozen indexes, spread over 2 000 suppliers and 400 people: with
    # 2 MB most of them were read again for every chunk, and pages that fell out of the cache
    # in the middle of a transaction were written to the WAL twice (the inserts took a quarter
    # more time; 64 MB was no better than 16). Allocated as it fills, up to this bound.
    "cache_size=-16384",
    # Pages in the WAL before it is copied back into the database (default 1 000, ~4 MB): a
    # chunk of a register import writes more than that, so nearly every commit checkpointed,
    # copying the same hot index pages again and again.
    "wal_autocheckpoint=10000",
    # Statement journals in memory, not in a temporary file. An insert into a table with a
    # trigger (contracts: the public register's version; follow-ups) keeps the pages it changes
    # that its transaction had changed before in a statement journal, to undo the statement
    # alone; past 64 KiB SQLite spills it to a temporary file, page by page, and a chunk of
    # contracts did that for nearly every row (~30 page writes a row): the trigger doubled the
    # inserts' cost. Only here: on every connection, sorts no index serves (a whole-portfolio
    # history export, a statistics GROUP BY) would be held in memory too.
    "temp_store=MEMORY",
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How rows with given keys go into a table on a dialect: built once per (dialect, table,
    keys). Compiling the INSERT and looking up the bind processors cost more than inserting one
    row (the audit trail inserts one event per answer this way)."""

    sql: str
    positional: bool
    order: tuple[str, ...]
    """The statement's parameters in order."""
    layout: tuple[str, ...]
    """The values' order: the given keys, then the defaulted columns."""
    defaults: tuple[Any, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    """Per `layout` position."""


_PLANS: dict[tuple[str, str, str, tuple[str, ...]], _Plan] = {}


def _plan(table: Table, dialect: Dialect, names: tuple[str, ...]) -> _Plan:
    key = (dialect.name, dialect.driver, table.name, names)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    order = (
        tuple(compiled.positiontup or ())
        if compiled.positional
        else tuple(compiled.bind_names.values())
    )
    # Columns the rows leave out get their scalar default, as the compiled statement expects.
    defaulted = {n: _scalar_default(table.c[n]) for n in order if n not in names}
    layout = tuple(n for n in order if n not in defaulted) + tuple(defaulted)
    plan = _PLANS[key] = _Plan(
        sql=str(compiled),
        positional=bool(compiled.positional),
        order=order,
        layout=layout,
        defaults=tuple(defaulted.values()),
        processors=tuple(
            table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in layout
        ),
    )
    return plan


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts with the same keys; columns left out get their scalar default)
    into `table` in the session's transaction, flushing pending ORM changes first. Returns
    the number of rows."""
    if not rows:
        return 0
    session.flush()
    connection = session.connection()
    plan = _plan(table, connection.dialect, tuple(rows[0]))
    given = plan.layout[: len(plan.layout) - len(plan.defaults)]
    columns: list[Sequence[Any]] = [[row[n] for row in rows] for n in given]
    return _insert(connection, table, plan, columns, len(rows))


def insert_values(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """`insert_rows` for rows given as sequences of the values of the columns `names`, in that
    order: no dict a row to build and take apart (the audit trail's links, a register import's
    contracts)."""
    if not rows:
        return 0
    session.flush()
    connection = session.connection()
    plan = _plan(table, connection.dialect, tuple(names))
    given = plan.layout[: len(plan.layout) - len(plan.defaults)]
    by_name = dict(zip(names, zip(*rows, strict=True), strict=True))  # the rows' columns
    columns: list[Sequence[Any]] = [by_name[n] for n in given]
    return _insert(connection, table, plan, columns, len(rows))


def _insert(
    connection: Any, table: Table, plan: _Plan, columns: list[Sequence[Any]], count: int
) -> int:
    """The rows, column by column in the plan's layout (the defaulted columns are added here),
    through their bind processors and to the driver, as tuples."""
    columns += [(default,) * count for default in plan.defaults]
    for index, process in enumerate(plan.processors):
        if process is not None:
            columns[index] = _processed(columns[index], process)
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, table, plan.layout, zip(*columns, strict=True))
        return count
    params: list[Any]
    if plan.positional:
        order = (columns[plan.layout.index(n)] for n in plan.order)
        params = list(zip(*order, strict=True))  # SQLAlchemy takes a list of tuples or dicts
    else:
        params = [dict(zip(plan.layout, row, strict=True)) for row in zip(*columns, strict=True)]
    connection.exec_driver_sql(plan.sql, params)
    return count


def _processed(column: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """A column's values through its bind processor. A value that is the same object as the
    one before is not processed again: a bulk insert's rows share their times (`now`), flags
    and empty values, and a processor is a pure function of its value."""
    out = []
    last: Any = _NOTHING
    processed: Any = None
    for item in column:
        if item is not last:
            last, processed = item, process(item)
        out.append(processed)
    return out


_NOTHING: Final = object()


def prepare_for_bulk_writes(engine: Engine) -> None:
    """Set up `engine` for a long run of bulk writes (a register import; see
    `BULK_SQLITE_PRAGMAS`). Call it before the engine's first connection: only connections
    opened afterwards are set up, and they keep the settings until the engine is disposed.
    Nothing changes on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _bulk_sqlite_pragmas)


def _bulk_sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in BULK_SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _copy_rows(
    connection: Any, table: Table, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """PostgreSQL: the rows (values already through their bind processors) by `COPY … FROM
    STDIN` (psycopg), in the connection's transaction: one statement, no per-row round trip."""
    from psycopg import sql  # the PostgreSQL driver, only loaded for PostgreSQL

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    dialect = connection.dialect
    driver_error = dialect.loaded_dbapi.Error
    try:
        with (
            connection.connection.driver_connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    except driver_error as exc:
        # As SQLAlchemy would raise it (a unique key taken: IntegrityError, which the unit
        # of work turns into a Conflict).
        raise DBAPIError.instance(
            f"COPY {table.name}", None, exc, driver_error, dialect=dialect
        ) from exc


def _scalar_default(column: Any) -> Any:
    default = column.default
    if default is None or not default.is_scalar:
        raise ValueError(f"{column.name}: a value is needed (no scalar default)")
    return default.arg


__all__ = ["BULK_SQLITE_PRAGMAS", "insert_rows", "insert_values", "prepare_for_bulk_writes"]
