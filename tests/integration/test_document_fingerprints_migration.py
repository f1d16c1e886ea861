"""Migration 0012 (issue 14) over a database with documents, on SQLite and PostgreSQL: each
document gets its follow-up's contract; of the same bytes filed twice on one contract before,
only the earliest does (nothing is deleted); from then on a second copy on the contract is
refused by the database; the downgrade drops the column and keeps every document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.db import alembic_config, create_db_engine, upgrade_database
from tests.migration_rows import AT, insert

SAME = "a" * 64
OTHER = "b" * 64


@pytest.fixture
def url_at_0011(empty_url: str) -> str:
    """An empty database of each store, migrated to the revision before 0012."""
    upgrade_database(empty_url, "0011")
    return empty_url


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
