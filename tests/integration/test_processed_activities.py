"""The activity log's claims on both stores: a state and an age, a stale claim taken over by
exactly one taker, and migration 0006 counting existing rows as done."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)

from storage.db import alembic_config, create_db_engine, upgrade_database
from storage.processed_activities import CLAIM_LEASE, ProcessedActivityLog
from storage.tables import ProcessedActivityRow, UtcDateTime

OLD_TABLE = Table(
    "processed_activities",
    MetaData(),
    Column("key", String(64), primary_key=True),
    Column("received_at", UtcDateTime()),
    Column("invoke_status", Integer),
    Column("invoke_body", Text),
)
"""The table as migration 0005 left it."""

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def downgrade_database(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def test_a_new_key_is_claimed_and_a_copy_sees_it_in_progress(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    first = log.claim("k", T0)
    assert first.outcome == "claimed"
    assert first.claimed_at == T0
    copy = log.claim("k", T0 + timedelta(seconds=1))
    assert copy.outcome == "in_progress"
    assert log.poll("k", T0 + timedelta(seconds=2)).outcome == "in_progress"


def test_a_finished_claim_answers_copies_with_the_invoke_response(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    log.claim("k", T0)
    log.finish_many([("k", 200, '{"statusCode": 200}')])
    later = T0 + CLAIM_LEASE * 10
    for result in (log.claim("k", later), log.poll("k", later)):
        assert result.outcome == "done"
        assert (result.invoke_status, result.invoke_body) == (200, '{"statusCode": 200}')


def test_a_stale_claim_is_taken_over_and_a_fresh_one_is_not(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    log.claim("k", T0)
    assert log.claim("k", T0 + CLAIM_LEASE).outcome == "in_progress"
    taken = log.claim("k", T0 + CLAIM_LEASE + timedelta(seconds=1))
    assert taken.outcome == "claimed"
    assert taken.took_over
    # The new holder's claim is fresh again.
    assert log.poll("k", T0 + CLAIM_LEASE + timedelta(seconds=2)).outcome == "in_progress"


def test_only_one_of_many_takes_a_stale_claim_over(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    log.claim("k", T0)
    later = T0 + CLAIM_LEASE * 2
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def take() -> None:
        barrier.wait()
        result = log.poll("k", later)
        outcomes.append(result.outcome)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed"] + ["in_progress"] * 7


def test_only_one_of_many_claims_a_new_key(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def claim() -> None:
        barrier.wait()
        outcomes.append(log.claim("k", T0).outcome)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed"] + ["in_progress"] * 7


def test_release_frees_only_the_holders_claim(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    crashed = log.claim("k", T0)
    taken = log.claim("k", T0 + CLAIM_LEASE * 2)
    assert taken.outcome == "claimed"
    assert crashed.claimed_at is not None
    log.release("k", crashed.claimed_at)  # the first holder woke up and failed: not its claim
    assert log.poll("k", T0 + CLAIM_LEASE * 2).outcome == "in_progress"
    assert taken.claimed_at is not None
    log.release("k", taken.claimed_at)
    assert log.claim("k", T0 + CLAIM_LEASE * 2).outcome == "claimed"


def test_prune_forgets_old_claims(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    log.claim("old", T0)
    log.finish_many([("old", None, None)])
    log.claim("new", T0 + timedelta(days=3))
    assert log.prune(timedelta(days=2), T0 + timedelta(days=3)) == 1
    assert log.claim("old", T0 + timedelta(days=3)).outcome == "claimed"


def test_migration_0006_counts_existing_rows_as_done(empty_url: str) -> None:
    upgrade_database(empty_url, "0005")
    engine = create_db_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(OLD_TABLE).values(
                    key="k", received_at=T0 - timedelta(days=1), invoke_status=200, invoke_body="{}"
                )
            )
        upgrade_database(empty_url, "0006")
        log = ProcessedActivityLog(engine)
        result = log.claim("k", T0)
        assert result.outcome == "done"
        assert (result.invoke_status, result.invoke_body) == (200, "{}")
        with engine.connect() as conn:
            row = conn.execute(
                select(ProcessedActivityRow.state, ProcessedActivityRow.claimed_at)
            ).one()
        assert row == ("done", T0 - timedelta(days=1))
        downgrade_database(empty_url, "0005")
        with engine.connect() as conn:
            assert conn.execute(select(OLD_TABLE.c.key)).scalars().all() == ["k"]
    finally:
        engine.dispose()
