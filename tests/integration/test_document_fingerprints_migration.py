"""Migration 0012 (issue 14) over a database with documents, on SQLite and PostgreSQL: each
document gets its follow-up's contract; of the same bytes filed twice on one contract before,
only the earliest does (nothing is deleted); from then on a second copy on the contract is
refused by the database; the downgrade drops the column and keeps every document."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from storage.db import alembic_config, create_db_engine, upgrade_database

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SAME = "a" * 64
OTHER = "b" * 64


def _fresh_postgres() -> Iterator[str]:
    admin_url = make_url(os.environ.get("KV_TEST_POSTGRES_URL", ""))
    if not admin_url.drivername.startswith("postgresql"):
        pytest.fail("KV_TEST_POSTGRES_URL is not set: PostgreSQL tests need a server")
    name = f"kv_test_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0011(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each store, migrated to the revision before 0012."""
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'kv.db').as_posix()}"
        upgrade_database(url, "0011")
        yield url
        return
    for url in _fresh_postgres():
        upgrade_database(url, "0011")
        yield url


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
    """One row with `values`; the other columns that must have a value get a plain one."""
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


def contract_of(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT id, contract_id FROM documents")).all()
    return {str(r[0]): r[1] for r in found}


def document(engine: Engine, follow_up: str | None, sha256: str, minutes: int) -> str:
    return insert(
        engine,
        "documents",
        follow_up_id=follow_up,
        sha256=sha256,
        file_name="a.pdf",
        media_type="application/pdf",
        size_bytes=1,
        storage_key="ab/cd/x.pdf",
        uploaded_at=AT + timedelta(minutes=minutes),
    )


def test_0012_gives_documents_their_contract_and_keeps_one_copy_per_contract(
    url_at_0011: str,
) -> None:
    engine = create_db_engine(url_at_0011)
    try:
        person = insert(engine, "people", display_name="Kari Nordmann")
        supplier = insert(engine, "suppliers", organisation_number="999999999")
        ours, theirs = (
            insert(engine, "contracts", reference=r, owner_id=person, supplier_id=supplier)
            for r in ("KOM-2026-0001", "KOM-2026-0002")
        )
        checkpoint = insert(engine, "checkpoints", contract_id=ours, code="skatteattest")
        other_checkpoint = insert(engine, "checkpoints", contract_id=theirs, code="skatteattest")
        first, second, third = (
            insert(
                engine,
                "follow_ups",
                checkpoint_id=checkpoint,
                contract_id=ours,
                due_date=date(2026, 11, 25) + timedelta(days=30 * n),
            )
            for n in range(3)
        )
        elsewhere = insert(engine, "follow_ups", checkpoint_id=other_checkpoint, contract_id=theirs)
        # The same bytes on two follow-ups of one contract (allowed before 0012): the later
        # one is stored first in the table, so the order is by time, not by insertion.
        later_copy = document(engine, second, SAME, minutes=5)
        earliest = document(engine, first, SAME, minutes=0)
        on_theirs = document(engine, elsewhere, SAME, minutes=1)
        different = document(engine, second, OTHER, minutes=2)
        loose = document(engine, None, SAME, minutes=3)
        engine.dispose()

        upgrade_database(url_at_0011, "0012")

        assert contract_of(engine) == {
            earliest: ours,
            later_copy: None,
            on_theirs: theirs,
            different: ours,
            loose: None,
        }
        unique = {u["name"] for u in sa.inspect(engine).get_unique_constraints("documents")}
        assert {"uq_documents_contract_sha256", "uq_documents_follow_up_sha256"} <= unique
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []

        # A further copy on the contract, on any of its follow-ups, is refused.
        with pytest.raises(IntegrityError):
            insert(
                engine, "documents", follow_up_id=third, contract_id=ours, sha256=SAME,
                file_name="b.pdf", media_type="application/pdf", size_bytes=1,
                storage_key="ab/cd/y.pdf", uploaded_at=AT,
            )  # fmt: skip

        command.downgrade(alembic_config(url_at_0011), "0011")

        columns = {c["name"] for c in sa.inspect(engine).get_columns("documents")}
        assert "contract_id" not in columns
        with engine.connect() as conn:
            kept = {str(r[0]) for r in conn.execute(sa.text("SELECT id FROM documents"))}
        assert kept == {earliest, later_copy, on_theirs, different, loose}
    finally:
        engine.dispose()
