"""Migration 0024 over a database with follow-ups, on SQLite and PostgreSQL: existing follow-ups
get their contract's owner (NULL where it has none), the triggers keep it (and still the
supplier and unit of 0014) from then on, a reminder digest's read of an owner's open
follow-ups goes through `ix_follow_ups_open_owner`, and the downgrade drops the column and
index while 0014's copies go on being kept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from storage.db import (
    alembic_config,
    create_db_engine,
    create_session_factory,
    current_revision,
    upgrade_database,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.migration_rows import insert
from tests.sql_statements import recorded

REVISION, BEFORE = "0024", "0023"


def copies(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT * FROM follow_ups")).mappings().all()
    return {
        str(r["id"]): (r["supplier_id"], r["unit"], r.get("owner_id", "(no column)")) for r in found
    }


def digest_read_plan(engine: Engine, owner: str) -> str:
    """The plan of the statement a digest reads its owner's open follow-ups with."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    with recorded(engine) as seen, factory() as uow:
        uow.summaries.open_lines_owned_by({owner}, date(2026, 1, 1), date(2026, 12, 31))
    reads = [(sql, params) for sql, params in seen if "FROM follow_ups" in sql]
    assert reads, seen
    sql, params = reads[0]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(r[-1]) for r in found)
        conn.exec_driver_sql("SET enable_seqscan = off")
        found = conn.exec_driver_sql("EXPLAIN " + sql, params)
        return " ".join(str(r[0]) for r in found)


def test_0024_gives_follow_ups_their_contracts_owner(empty_url: str) -> None:
    upgrade_database(empty_url, BEFORE)
    engine = create_db_engine(empty_url)
    try:
        kari = insert(engine, "people", display_name="Kari Nordmann")
        per = insert(engine, "people", display_name="Per Hansen")
        supplier = insert(engine, "suppliers", organisation_number="999999999")
        owned, ownerless = (
            insert(engine, "contracts", reference=ref, owner_id=owner, supplier_id=supplier)
            for ref, owner in (("KOM-1", kari), ("KOM-2", None))
        )
        checkpoints = {
            contract: insert(engine, "checkpoints", contract_id=contract, code="levering")
            for contract in (owned, ownerless)
        }

        def follow_up(contract: str, n: int) -> str:
            return insert(
                engine,
                "follow_ups",
                checkpoint_id=checkpoints[contract],
                contract_id=contract,
                due_date=date(2026, 11, 2) + timedelta(days=7 * n),
                state="notified",
            )

        first, second, third = follow_up(owned, 0), follow_up(owned, 1), follow_up(ownerless, 0)
        engine.dispose()

        upgrade_database(empty_url, REVISION)

        assert current_revision(engine) == REVISION
        assert copies(engine) == {
            first: (supplier, None, kari),
            second: (supplier, None, kari),
            third: (supplier, None, None),
        }
        assert "ix_follow_ups_open_owner" in digest_read_plan(engine, kari)
        # From now on the triggers keep it: a new follow-up, a contract with a new owner.
        new = follow_up(ownerless, 1)
        assert copies(engine)[new] == (supplier, None, None)
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE contracts SET owner_id = :p, unit = 'Helse' WHERE id = :id"),
                {"p": per, "id": ownerless},
            )
        assert copies(engine) == {
            first: (supplier, None, kari),
            second: (supplier, None, kari),
            third: (supplier, "Helse", per),
            new: (supplier, "Helse", per),
        }
        engine.dispose()

        command.downgrade(alembic_config(empty_url), BEFORE)

        columns = {c["name"] for c in sa.inspect(engine).get_columns("follow_ups")}
        assert "owner_id" not in columns
        indexes = {i["name"] for i in sa.inspect(engine).get_indexes("follow_ups")}
        assert "ix_follow_ups_open_owner" not in indexes
        # 0014's triggers go on copying the supplier and unit.
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE contracts SET unit = 'Kultur' WHERE id = :id"), {"id": owned}
            )
        later = follow_up(owned, 2)
        downgraded = copies(engine)
        assert downgraded[later] == (supplier, "Kultur", "(no column)")
        assert downgraded[first] == (supplier, "Kultur", "(no column)")
        engine.dispose()

        # Upgraded again: the owners as the contracts have them now.
        upgrade_database(empty_url, REVISION)
        assert {copies(engine)[key][2] for key in (first, later, third, new)} == {kari, per}
    finally:
        engine.dispose()
