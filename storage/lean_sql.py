"""Statements that every chat turn runs, compiled once and run on the driver's cursor.

For a one-row statement on SQLite, SQLAlchemy's per-statement machinery (the compiled-cache
lookup, building the parameters, the execution context, the result object) costs several times
what SQLite spends executing it: a turn's claim and finish cost 0.20 ms through
`Connection.execute` and 0.11 ms this way (`bench/turns.py` shows it per turn).

A `LeanStatement` is compiled once per dialect from the same Core statement, so the SQL is still
SQLAlchemy's. Running it keeps what `Connection.execute` guarantees to the rest of the product:
the columns' types still process the values both ways (aware UTC datetimes, JSON), the
connection's cursor events still fire (the statement-count guard, `tests/e2e/
test_turn_statements.py`, and logging see it as any other statement), and a driver error
becomes SQLAlchemy's exception (`IntegrityError`, `OperationalError`; a lost PostgreSQL
connection is invalidated) through the connection's own handler. The statement runs in the
connection's transaction. Only plain bound values: no expanding `IN`, no multi-row VALUES.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positional: bool
    defaults: Mapping[str, Any]
    binds: tuple[tuple[str, _Processor], ...]
    width: int
    """How many columns a row has."""
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    """The position and result processor of each column whose type processes what the driver
    gives (on SQLite: datetimes, dates, JSON); the other columns are taken as they come."""
    row: Callable[[Iterable[Any]], tuple[Any, ...]]


class LeanStatement:
    """A Core statement run without SQLAlchemy's per-execution machinery; see the module."""

    __slots__ = ("_by_dialect", "_statement")

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row (of a SELECT, or a DML statement's RETURNING), values processed; a row is
        a named tuple: by position, or by column name as a SQLAlchemy `Row`."""
        compiled, cursor = self._execute(conn, params)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        make = compiled.row
        converters = compiled.converters
        if not converters:
            return [make(row) for row in fetched]
        made = []
        for row in fetched:
            values = list(row)
            if len(values) != compiled.width:
                raise ValueError(f"a row of {len(values)} columns, not {compiled.width}")
            for index, process in converters:
                values[index] = process(values[index])
            made.append(make(values))
        return made

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row; None when there is none."""
        found = self.rows(conn, params)
        return found[0][0] if found else None

    def run(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        _, cursor = self._execute(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(self, conn: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        dialect = conn.dialect
        compiled = self._by_dialect.get(dialect.name) or self._compile(dialect)
        values = {**compiled.defaults, **params} if compiled.defaults else params
        try:
            bound: Sequence[Any] | dict[str, Any]
            if compiled.positional:
                bound = tuple(
                    [values[name] if p is None else p(values[name]) for name, p in compiled.binds]
                )
            else:
                bound = {
                    name: values[name] if p is None else p(values[name])
                    for name, p in compiled.binds
                }
        except BaseException as error:
            # A type's refusal of a value becomes SQLAlchemy's `StatementError`, as for any
            # statement (the connection's own handler raises it).
            conn._handle_dbapi_exception(error, compiled.sql, params, None, None)
            raise
        return compiled, execute_on_cursor(conn, compiled.sql, bound)

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {self._statement!r}")
        names: Sequence[str] = compiled.positiontup or list(compiled.binds)
        defaults: dict[str, Any] = {}
        binds: list[tuple[str, _Processor]] = []
        for name in names:
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError("a lean statement takes plain bound values, not expanding IN")
            if not bind.required and bind.callable is None:
                defaults[name] = bind.value
            binds.append((name, bind.type._cached_bind_processor(dialect)))
        # A SELECT's columns, or what a DML statement RETURNs (none without RETURNING).
        columns: Any = getattr(self._statement, "exported_columns", None) or {}
        results = tuple(
            column.type._cached_result_processor(dialect, None) for column in columns.values()
        )
        keys = [str(key) for key in columns.keys()]  # noqa: SIM118 - a column collection
        row = namedtuple("LeanRow", keys, rename=True)  # type: ignore[misc]
        made = _Compiled(
            sql=compiled.string,
            positional=bool(compiled.positional),
            defaults=defaults,
            binds=tuple(binds),
            width=len(results),
            converters=tuple((i, p) for i, p in enumerate(results) if p is not None),
            row=row._make,
        )
        self._by_dialect[dialect.name] = made
        return made


def execute_on_cursor(conn: Connection, sql: str, bound: Sequence[Any] | Mapping[str, Any]) -> Any:
    """Run driver SQL with values as the driver takes them on a new cursor of `conn`'s
    connection, in its transaction (begun as `Connection.execute` begins one), with the
    connection's cursor events and its error handler; the caller fetches and closes the
    cursor."""
    if not conn.in_transaction():
        conn.begin()  # as `Connection.execute` begins one: commit as you go
    cursor = None
    # As `Connection` itself does: the listeners are looked at only when the connection or its
    # engine ever had one (asking each dispatch collection costs more than the check).
    dispatch = conn.dispatch if conn._has_events or conn.engine._has_events else None
    try:
        cursor = conn.connection.cursor()
        if dispatch is not None and dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(conn, cursor, sql, bound, None, False)
        cursor.execute(sql, bound)
        if dispatch is not None and dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(conn, cursor, sql, bound, None, False)
    except BaseException as error:
        if cursor is not None:
            cursor.close()
        # The connection's own handler, as for any statement: wraps the driver's error in
        # SQLAlchemy's, invalidates a lost connection, fires `handle_error`; it raises.
        conn._handle_dbapi_exception(error, sql, bound, cursor, None)
        raise
    return cursor
