"""Many rows into one table at once, cheaper than `session.execute(insert(table), rows)`.

`insert_rows` compiles the INSERT once and passes each value through its column type's bind
processor for the dialect (so values are stored exactly as SQLAlchemy would store them: UTC
times, JSON through orjson), then hands all rows to the driver in one go: on PostgreSQL by
`COPY … FROM STDIN` (psycopg), on SQLite by one `executemany`. SQLAlchemy's per-row parameter
bookkeeping, and on PostgreSQL the multi-row VALUES statements, are skipped: a register import
spends its write time on contracts and audit events (bench/import_contracts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


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
    dialect = connection.dialect
    plan = _plan(table, dialect, tuple(rows[0]))
    given = plan.layout[: len(plan.layout) - len(plan.defaults)]
    values = [[row[n] for n in given] + list(plan.defaults) for row in rows]
    for index, process in enumerate(plan.processors):
        if process is not None:
            for value in values:
                value[index] = process(value[index])
    if dialect.name == "postgresql":
        _copy_rows(connection, table, plan.layout, values)
        return len(rows)
    params: list[Any]
    if plan.positional:
        pick = itemgetter(*(plan.layout.index(n) for n in plan.order))
        params = [pick(value) if len(plan.order) > 1 else (pick(value),) for value in values]
    else:
        params = [dict(zip(plan.layout, value, strict=True)) for value in values]
    connection.exec_driver_sql(plan.sql, params)
    return len(rows)


def _copy_rows(connection: Any, table: Table, names: Sequence[str], rows: list[list[Any]]) -> None:
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


__all__ = ["insert_rows"]
