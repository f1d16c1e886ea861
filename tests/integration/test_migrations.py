"""Alembic migrations from empty, on both stores, match the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.db import current_revision
from storage.tables import Base


def test_upgrade_head_creates_every_table(db_engine: Engine) -> None:
    names = set(inspect(db_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    assert current_revision(db_engine) is not None


def test_migrations_match_the_declared_tables(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
