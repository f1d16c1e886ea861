"""Migration 0023 (issue 15) on SQLite and PostgreSQL, over a database with contracts: the three
indexes that repeated the first column of a wider one go (`ix_contracts_supplier_id`,
`ix_contracts_unit`, `ix_contracts_status`), the wider ones stay and serve look-ups by that
column, a supplier with contracts still cannot be deleted, and the downgrade makes them again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.db import alembic_config, create_db_engine, current_revision, upgrade_database
from tests.migration_rows import insert, query_plan, rows

DROPPED = {
    "ix_contracts_supplier_id": ("supplier_id", "ix_contracts_supplier_portfolio"),
    "ix_contracts_unit": ("unit", "ix_contracts_unit_portfolio"),
    "ix_contracts_status": ("status", "ix_contracts_status_followed"),
}


@pytest.fixture
def url_at_0022(empty_url: str) -> str:
    upgrade_database(empty_url, "0022")
    return empty_url


def index_names(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes("contracts")}


def plan_of(engine: Engine, column: str, value: str) -> str:
    query = f"SELECT id FROM contracts WHERE {column} = :v"  # noqa: S608 (a column of DROPPED)
    return query_plan(engine, query, {"v": value})


def test_0023_drops_the_contract_indexes_a_wider_one_begins_with(url_at_0022: str) -> None:
    engine = create_db_engine(url_at_0022)
    try:
        supplier = insert(engine, "suppliers", name="Fjordvik Renhold AS")
        kept = {
            insert(
                engine,
                "contracts",
                reference=f"KOM-2026-000{n}",
                supplier_id=supplier,
                unit="Oppvekst",
                status="active",
            )
            for n in (1, 2)
        }
        assert set(DROPPED) <= index_names(engine)
        engine.dispose()

        upgrade_database(url_at_0022, "0023")

        assert current_revision(engine) == "0023"
        names = index_names(engine)
        assert not set(DROPPED) & names
        for column, wider in DROPPED.values():
            assert wider in names
            value = {"supplier_id": supplier, "unit": "Oppvekst", "status": "active"}[column]
            assert wider in plan_of(engine, column, value), column
        assert set(rows(engine, "contracts")) == kept
        if engine.dialect.name == "postgresql":  # SQLite enforces foreign keys per connection
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM suppliers WHERE id = :s"), {"s": supplier})
        engine.dispose()

        command.downgrade(alembic_config(url_at_0022), "0022")

        assert set(DROPPED) <= index_names(engine)
        assert set(rows(engine, "contracts")) == kept
    finally:
        engine.dispose()
