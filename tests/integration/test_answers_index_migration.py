"""Migration 0022 (issue 15) on SQLite and PostgreSQL, over a database with answers: the plain
`ix_answers_follow_up_id` goes, the unique (follow_up_id, version) stays and serves a
follow-up's answers (and still refuses a second answer of the same version); the downgrade makes
the index again."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.db import alembic_config, create_db_engine, current_revision, upgrade_database
from tests.migration_rows import AT, insert, query_plan, rows


@pytest.fixture
def url_at_0021(empty_url: str) -> str:
    upgrade_database(empty_url, "0021")
    return empty_url


def index_names(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes("answers")}


def unique_names(engine: Engine) -> set[str]:
    return {str(u["name"]) for u in sa.inspect(engine).get_unique_constraints("answers")}


def answer(engine: Engine, follow_up: str, person: str, version: int) -> str:
    return insert(
        engine, "answers", follow_up_id=follow_up, version=version, kind="delivered",
        answered_by_id=person, answered_at=AT, channel="msteams",
        source_activity_id=f"activity-{version}",
    )  # fmt: skip


def a_follow_ups_answers_plan(engine: Engine, follow_up: str) -> str:
    query = "SELECT id, version FROM answers WHERE follow_up_id = :f ORDER BY version"
    return query_plan(engine, query, {"f": follow_up})


def test_0022_drops_the_index_that_repeats_the_unique_ones_first_column(url_at_0021: str) -> None:
    engine = create_db_engine(url_at_0021)
    try:
        person = insert(engine, "people", display_name="Kari Nordmann")
        contract = insert(engine, "contracts", reference="KOM-2026-0001", owner_id=person)
        checkpoint = insert(engine, "checkpoints", contract_id=contract, code="levering")
        follow_up = insert(
            engine, "follow_ups", checkpoint_id=checkpoint, contract_id=contract,
            due_date=date(2026, 11, 25),
        )  # fmt: skip
        kept = {answer(engine, follow_up, person, version) for version in (1, 2)}
        assert "ix_answers_follow_up_id" in index_names(engine)
        engine.dispose()

        upgrade_database(url_at_0021, "0022")

        assert current_revision(engine) == "0022"
        assert "ix_answers_follow_up_id" not in index_names(engine)
        assert "uq_answers_follow_up_id" in unique_names(engine)
        assert set(rows(engine, "answers")) == kept
        plan = a_follow_ups_answers_plan(engine, follow_up)
        # The unique constraint's index (on SQLite its automatic one), not a scan of the table.
        assert "uq_answers_follow_up_id" in plan or "INDEX sqlite_autoindex_answers" in plan
        with pytest.raises(IntegrityError):
            answer(engine, follow_up, person, 2)
        engine.dispose()

        command.downgrade(alembic_config(url_at_0021), "0021")

        assert "ix_answers_follow_up_id" in index_names(engine)
        assert set(rows(engine, "answers")) == kept
    finally:
        engine.dispose()
