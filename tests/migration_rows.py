"""Rows written straight into a database at an older revision, for migration tests: the columns
the test names, and a plain value for every other column that must have one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, MetaData

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _filler(column: sa.Column[Any]) -> Any:
    kind = column.type
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime):
        return AT
    if isinstance(kind, sa.Date):
        return date(2026, 11, 25)
    return "x"


def insert(engine: Engine, table: str, **values: Any) -> str:
    """One row with `values` (the table as the database has it now, reflected); returns its
    id."""
    reflected = sa.Table(table, MetaData(), autoload_with=engine)
    row = dict(values)
    for column in reflected.columns:
        if (
            column.name not in row
            and not column.nullable
            and column.server_default is None
            and not column.primary_key
        ):
            row[column.name] = _filler(column)
    row.setdefault("id", str(uuid.uuid4()))
    with engine.begin() as conn:
        conn.execute(reflected.insert().values(**row))
    return str(row["id"])


def rows(engine: Engine, table: str) -> dict[str, dict[str, Any]]:
    """Every row of `table` by id."""
    with engine.connect() as conn:
        found = conn.execute(sa.text(f"SELECT * FROM {table}")).mappings().all()  # noqa: S608
    return {str(r["id"]): dict(r) for r in found}


def query_plan(engine: Engine, query: str, params: dict[str, Any]) -> str:
    """The store's plan of `query` as one line of text (SQLite's `EXPLAIN QUERY PLAN`,
    PostgreSQL's `EXPLAIN` with sequential scans off: a test's few rows would scan)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.execute(sa.text("EXPLAIN QUERY PLAN " + query), params)
            return " ".join(str(r[-1]) for r in found)
        conn.execute(sa.text("SET enable_seqscan = off"))
        found = conn.execute(sa.text("EXPLAIN " + query), params)
        return " ".join(str(r[0]) for r in found)
