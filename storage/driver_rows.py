"""Rows to and from the database driver directly, for the purchase analysis' millions of lines
(`storage.analysis_repositories`): SQLAlchemy's per-row work (dicts, bind and result
processors, `Row` objects) cost more than the database's own for a statistics file or an
agreement-quarter's sums.

- `LineWriter`: tuples into one table, one `executemany` a chunk on SQLite, one `COPY … FROM
  STDIN` kept open across chunks on PostgreSQL (the server stores rows while the file is still
  read), ended by `flush` before another statement runs on the connection;
- `StoredValues`: values as SQLAlchemy's column types store them on the dialect (SQLite: ISO
  text dates, 0/1 booleans), for `LineWriter` and for `DriverQuery` parameters;
- `DriverQuery`: a Core SELECT compiled once per dialect and run as driver SQL, its rows fetched
  at once; `ReadValues` turns SQLite's text dates back into dates.

Everything runs in the session's transaction on its connection; the connection's cursor events
still fire, and a driver error is raised as SQLAlchemy's (`IntegrityError`, ...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError, StatementError

from storage.lean_sql import execute_on_cursor


class LineWriter:
    """Rows (tuples of the values the columns store: see `StoredValues`) into one table through the
    driver, in the session's transaction: on SQLite one `executemany` a chunk; on PostgreSQL one
    `COPY … FROM STDIN` kept open across chunks (the server stores rows while the file is still
    read), ended by `flush` before any other statement runs on the connection."""

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        self._connection = connection
        self._table = table
        self._postgres = connection.dialect.name == "postgresql"
        quote = connection.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        if self._postgres:
            self._sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in columns)
            self._sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
        self._copy: Any = None
        self._copy_context: Any = None
        self._cursor: Any = None

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if not self._postgres:
            self._connection.exec_driver_sql(self._sql, rows)
            return
        try:
            if self._copy is None:
                self._cursor = self._connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                self._copy_context = self._cursor.copy(self._sql)
                self._copy = self._copy_context.__enter__()
            write_row = self._copy.write_row
            for row in rows:
                write_row(row)
        except self._driver_error() as exc:
            self.abandon(exc)
            raise self._wrapped(exc) from exc

    def flush(self) -> None:
        """End the `COPY` under way (PostgreSQL), so that the connection may run another
        statement; a later `write` starts a new one."""
        if self._copy is None:
            return
        context, cursor = self._copy_context, self._cursor
        self._copy = self._copy_context = self._cursor = None
        try:
            context.__exit__(None, None, None)
        except self._driver_error() as exc:
            raise self._wrapped(exc) from exc
        finally:
            cursor.close()

    def abandon(self, exc: BaseException) -> None:
        """End the `COPY` under way, if any, as failed by `exc` (the transaction is then to be
        rolled back); the connection can run statements again."""
        context, cursor = self._copy_context, self._cursor
        self._copy = self._copy_context = self._cursor = None
        if context is not None:
            with contextlib.suppress(Exception):  # the first error is the one raised
                context.__exit__(type(exc), exc, exc.__traceback__)
        if cursor is not None:
            cursor.close()

    def _driver_error(self) -> type[Exception]:
        return self._connection.dialect.loaded_dbapi.Error

    def _wrapped(self, exc: Exception) -> StatementError:
        # As SQLAlchemy would raise it (a foreign key broken: IntegrityError).
        return DBAPIError.instance(
            f"COPY {self._table.name}",
            None,
            exc,
            self._driver_error(),
            dialect=self._connection.dialect,
        )


class StoredValues:
    """Values as a dialect's column types store them, for `LineWriter`: SQLAlchemy's SQLite
    types keep a date as ISO text and a boolean as 0/1; psycopg takes Python's own."""

    __slots__ = ("_days", "_sqlite")

    def __init__(self, connection: Connection) -> None:
        self._sqlite = connection.dialect.name == "sqlite"
        self._days: dict[date, object] = {}

    def day(self, value: date) -> object:
        """A date (a file has a handful of periods, or a year of voucher dates)."""
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = value.isoformat() if self._sqlite else value
        return found

    def flag(self, value: bool | None) -> object:
        if value is None or not self._sqlite:
            return value
        return 1 if value else 0


class DriverQuery:
    """A Core SELECT compiled once per dialect and run as driver SQL, its rows fetched at once
    as plain tuples of what the driver gives (on SQLite a date is ISO text: `ReadValues`). For the
    reads of thousands of rows an analysis makes: SQLAlchemy's per-row result processing cost
    more than the query. The connection's cursor events still fire."""

    __slots__ = ("_by_dialect", "_statement")

    def __init__(self, statement: Any) -> None:
        self._statement = statement
        self._by_dialect: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def rows(self, connection: Connection, params: dict[str, Any]) -> Sequence[Any]:
        """The rows for `params` (by bind name; values as the columns store them:
        `_Stored`)."""
        dialect = connection.dialect
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._by_dialect[dialect.name] = (str(compiled), order)
        sql, order = found
        bound: Any = params if order is None else tuple(params[name] for name in order)
        # The driver's own tuples: SQLAlchemy's `Row` per row cost as much as the fetch.
        cursor = execute_on_cursor(connection, sql, bound)
        try:
            rows: list[Any] = cursor.fetchall()
        finally:
            cursor.close()
        return rows


class ReadValues:
    """Values as `DriverQuery` rows give them, as Python's: SQLite's ISO text dates as dates."""

    __slots__ = ("_days", "_sqlite")

    def __init__(self, connection: Connection) -> None:
        self._sqlite = connection.dialect.name == "sqlite"
        self._days: dict[str, date] = {}

    def day(self, value: Any) -> date:
        if not self._sqlite:
            return value  # type: ignore[no-any-return]
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = date.fromisoformat(value)
        return found


__all__ = ["DriverQuery", "LineWriter", "ReadValues", "StoredValues"]
