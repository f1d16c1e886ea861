"""Migration 0014 over a database with follow-ups, on SQLite and PostgreSQL: existing follow-ups
get their contract's supplier and unit (NULL where the contract has none), the triggers keep
them from then on, and the downgrade drops the columns and keeps every follow-up and the
triggers migration 0005 made (SQLite: no copy of the table)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.db import alembic_config, create_db_engine, upgrade_database
from tests.migration_rows import insert

REVISION = "0014"


def _before(url: str) -> str:
    """The revision 0014 follows."""
    revision = ScriptDirectory.from_config(alembic_config(url)).get_revision(REVISION)
    assert revision is not None
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


@pytest.fixture
def url_before(empty_url: str) -> str:
    """An empty database of each store, migrated to the revision before 0014."""
    upgrade_database(empty_url, _before(empty_url))
    return empty_url


def parts(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT id, supplier_id, unit FROM follow_ups")).all()
    return {str(r[0]): (r[1], r[2]) for r in found}


def followed(engine: Engine, contract: str) -> bool:
    with engine.connect() as conn:
        flag = conn.execute(
            sa.text("SELECT has_follow_ups FROM contracts WHERE id = :id"), {"id": contract}
        ).scalar_one()
    return bool(flag)


def test_0014_gives_follow_ups_their_contracts_supplier_and_unit(url_before: str) -> None:
    engine = create_db_engine(url_before)
    try:
        person = insert(engine, "people", display_name="Kari Nordmann")
        fjordbygg = insert(engine, "suppliers", organisation_number="999999999")
        renhold = insert(engine, "suppliers", organisation_number="888888888")
        both, supplier_only, neither = (
            insert(engine, "contracts", reference=reference, owner_id=person, **values)
            for reference, values in (
                ("KOM-1", {"supplier_id": fjordbygg, "unit": "Oppvekst"}),
                ("KOM-2", {"supplier_id": renhold, "unit": None}),
                ("KOM-3", {"supplier_id": None, "unit": None}),
            )
        )
        checkpoints = {
            contract: insert(engine, "checkpoints", contract_id=contract, code="levering")
            for contract in (both, supplier_only, neither)
        }

        def follow_up(contract: str, n: int) -> str:
            return insert(
                engine,
                "follow_ups",
                checkpoint_id=checkpoints[contract],
                contract_id=contract,
                due_date=date(2026, 11, 2) + timedelta(days=7 * n),
            )

        old = {
            follow_up(both, 0): (fjordbygg, "Oppvekst"),
            follow_up(both, 1): (fjordbygg, "Oppvekst"),
            follow_up(supplier_only, 0): (renhold, None),
            follow_up(neither, 0): (None, None),
        }
        engine.dispose()

        upgrade_database(url_before, REVISION)

        assert parts(engine) == old
        indexes = {i["name"] for i in sa.inspect(engine).get_indexes("follow_ups")}
        assert {"ix_follow_ups_supplier_counts", "ix_follow_ups_unit_counts"} <= indexes
        # From now on the triggers keep them: a new follow-up, a contract that moves.
        new = follow_up(neither, 1)
        assert parts(engine)[new] == (None, None)
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE contracts SET supplier_id = :s, unit = 'Helse' WHERE id = :id"),
                {"s": renhold, "id": neither},
            )
        later = follow_up(both, 2)
        moved = {key: (renhold, "Helse") for key, value in old.items() if value == (None, None)}
        assert parts(engine) == {
            **old, **moved, new: (renhold, "Helse"), later: (fjordbygg, "Oppvekst"),
        }  # fmt: skip

        command.downgrade(alembic_config(url_before), _before(url_before))

        columns = {c["name"] for c in sa.inspect(engine).get_columns("follow_ups")}
        assert not {"supplier_id", "unit"} & columns
        with engine.connect() as conn:
            kept = {str(r[0]) for r in conn.execute(sa.text("SELECT id FROM follow_ups"))}
        assert kept == {*old, new, later}
        # 0005's triggers still keep has_follow_ups (on SQLite a copy of the table would have
        # dropped them).
        lonely = insert(engine, "contracts", reference="KOM-4", owner_id=person)
        assert not followed(engine, lonely)
        lonely_checkpoint = insert(engine, "checkpoints", contract_id=lonely, code="levering")
        insert(engine, "follow_ups", checkpoint_id=lonely_checkpoint, contract_id=lonely)
        assert followed(engine, lonely)
        # With the contract moved again while downgraded, an upgrade copies what is there now.
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE contracts SET unit = 'Kultur' WHERE id = :id"), {"id": both}
            )
        engine.dispose()
        upgrade_database(url_before, REVISION)
        again = parts(engine)
        assert {again[key] for key in old if key not in moved} == {
            (fjordbygg, "Kultur"),
            (renhold, None),
        }
    finally:
        engine.dispose()
