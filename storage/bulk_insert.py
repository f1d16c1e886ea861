"""Many rows into one table at once, cheaper than `session.execute(insert(table), rows)`.

`insert_rows` compiles the INSERT once and passes each value through its column type's bind
processor for the dialect (so values are stored exactly as SQLAlchemy would store them: UTC
times, JSON through orjson), then hands all rows to the driver in one go: on PostgreSQL by
`COPY … FROM STDIN` (psycopg), on SQLite by one `executemany`. SQLAlchemy's per-row parameter
bookkeeping, and on PostgreSQL the multi-row VALUES statements, are skipped: a register import
spends its write time on contracts and audit events (bench/import_contracts.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts with the same keys; columns left out get their scalar default)
    into `table` in the session's transaction, flushing pending ORM changes first. Returns
    the number of rows."""
    if not rows:
        return 0
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    order = (
        list(compiled.positiontup or ())
        if compiled.positional
        else list(compiled.bind_names.values())
    )
    processors = {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in order}
    # Columns the rows leave out get their scalar default, as the compiled statement expects.
    defaults = {n: _scalar_default(table.c[n]) for n in order if n not in rows[0]}
    given = [n for n in order if n not in defaults]
    values = [
        [row[n] for n in given] + list(defaults.values()) for row in rows
    ]  # in the order `given + defaults`, converted column by column below
    layout = given + list(defaults)
    for index, name in enumerate(layout):
        process = processors[name]
        if process is not None:
            for value in values:
                value[index] = process(value[index])
    if dialect.name == "postgresql":
        _copy_rows(connection, table, layout, values)
        return len(rows)
    params: list[Any]
    if compiled.positional:
        position = [layout.index(n) for n in order]
        params = [tuple(value[i] for i in position) for value in values]
    else:
        params = [dict(zip(layout, value, strict=True)) for value in values]
    connection.exec_driver_sql(str(compiled), params)
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
