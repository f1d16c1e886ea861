"""Alembic migrations from empty, on both stores, match the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.db import current_revision
from storage.tables import PUBLIC_SEARCH_INDEXES, Base


def test_upgrade_head_creates_every_table(db_engine: Engine) -> None:
    names = set(inspect(db_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    assert current_revision(db_engine) is not None


def _declared(name: str | None, type_: str, _parents: object) -> bool:
    """Everything but PostgreSQL's expression indexes of the public register's search, which
    the migration alone makes (`storage.tables.PUBLIC_SEARCH_INDEXES`)."""
    return not (type_ == "index" and name in PUBLIC_SEARCH_INDEXES)


def test_migrations_match_the_declared_tables(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": False, "include_name": _declared}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
