"""Migration 0007 (issue 13) over a database with data, on SQLite and PostgreSQL: answers and
deviations keep their stored keys (their conversation becomes ""), the key becomes the
conversation and the activity, documents keep their answers, SQLite keeps the answers trigger
of 0005, and the downgrade puts the old key back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.db import alembic_config, create_db_engine, upgrade_database
from tests.migration_rows import AT, insert, rows

SHARED_ID = "1712345678901"


@pytest.fixture
def url_at_0006(empty_url: str) -> str:
    """An empty database of each store, migrated to the revision before 0007."""
    upgrade_database(empty_url, "0006")
    return empty_url


def unique_names(engine: Engine, table: str) -> set[str]:
    return {str(u["name"]) for u in sa.inspect(engine).get_unique_constraints(table)}


def test_0007_keeps_the_stored_keys_and_keys_on_the_conversation(url_at_0006: str) -> None:
    engine = create_db_engine(url_at_0006)
    try:
        person = insert(engine, "people", display_name="Kari Nordmann")
        supplier = insert(engine, "suppliers", organisation_number="999999999")
        contract = insert(
            engine, "contracts", reference="KOM-2026-0001", owner_id=person, supplier_id=supplier
        )
        checkpoint = insert(engine, "checkpoints", contract_id=contract, code="levering")
        first = insert(
            engine, "follow_ups", checkpoint_id=checkpoint, contract_id=contract,
            due_date=date(2026, 11, 25),
        )  # fmt: skip
        second = insert(
            engine, "follow_ups", checkpoint_id=checkpoint, contract_id=contract,
            due_date=date(2026, 12, 2),
        )  # fmt: skip
        answer = insert(
            engine, "answers", follow_up_id=first, version=1, kind="delivered",
            answered_by_id=person, answered_at=AT, channel="msteams",
            source_activity_id=SHARED_ID,
        )  # fmt: skip
        document = insert(
            engine, "documents", answer_id=answer, follow_up_id=first, sha256="0" * 64,
            uploaded_at=AT,
        )  # fmt: skip
        deviation = insert(
            engine, "deviations", contract_id=contract, follow_up_id=first, category="annet",
            severity="lav", occurred_on=date(2026, 11, 20), status="open",
            reported_by_id=person, reported_at=AT, source_activity_id=SHARED_ID,
        )  # fmt: skip
        engine.dispose()

        upgrade_database(url_at_0006, "0007")

        assert unique_names(engine, "answers") >= {"uq_answers_source"}
        assert "uq_answers_source_activity_id" not in unique_names(engine, "answers")
        assert "uq_deviations_source" in unique_names(engine, "deviations")
        assert "uq_deviations_source_activity_id" not in unique_names(engine, "deviations")
        kept = rows(engine, "answers")[answer]
        assert (kept["source_activity_id"], kept["source_conversation"]) == (SHARED_ID, "")
        kept = rows(engine, "deviations")[deviation]
        assert (kept["source_activity_id"], kept["source_conversation"]) == (SHARED_ID, "")
        assert rows(engine, "documents")[document]["answer_id"] == answer
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
                assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1

        # Stored keys stay unique; the same id in a conversation is another key.
        with pytest.raises(IntegrityError):
            insert(
                engine, "answers", follow_up_id=first, version=2, kind="delivered",
                answered_by_id=person, answered_at=AT, channel="msteams",
                source_activity_id=SHARED_ID, source_conversation="",
            )  # fmt: skip
        later = insert(
            engine, "answers", follow_up_id=second, version=1, kind="delivered",
            answered_by_id=person, answered_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
            channel="msteams", source_activity_id=SHARED_ID, source_conversation="a" * 64,
        )  # fmt: skip
        # The trigger of 0005 still keeps the first answer's date (SQLite copied the table).
        assert str(rows(engine, "follow_ups")[second]["first_answered_on"]) == "2026-11-24"
        insert(
            engine, "deviations", contract_id=contract, category="annet", severity="lav",
            occurred_on=date(2026, 11, 20), status="open", reported_by_id=person,
            reported_at=AT, source_activity_id=SHARED_ID, source_conversation="a" * 64,
        )  # fmt: skip

        command.downgrade(alembic_config(url_at_0006), "0006")

        assert "uq_answers_source_activity_id" in unique_names(engine, "answers")
        assert "uq_deviations_source_activity_id" in unique_names(engine, "deviations")
        answers = rows(engine, "answers")
        assert answers[answer]["source_activity_id"] == SHARED_ID
        assert answers[later]["source_activity_id"] is None
        assert [d["source_activity_id"] for d in rows(engine, "deviations").values()].count(
            SHARED_ID
        ) == 1
        assert rows(engine, "documents")[document]["answer_id"] == answer
    finally:
        engine.dispose()
