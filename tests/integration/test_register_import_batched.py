"""The register import's bulk writes (`storage.bulk_insert`: COPY on PostgreSQL, one executemany
on SQLite) store exactly what row-by-row writing stores, and the audit trail still verifies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from followup.register.importing import ImportReport, import_contracts
from storage.audit_log import verify_audit_trail
from storage.bulk_insert import insert_rows
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.register_files import open_register_file
from storage.tables import AuditEventRow, ContractRow, PersonRow, SupplierRow, table_of
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "kontraktsregister_eksempel.csv"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def messy_file(tmp_path: Path) -> Path:
    """The sample register (broken rows, an ambiguous options cell, names with æøå) with more
    mess: a blank line, a row repeated with the supplier given a second name, a row repeated."""
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], lines[1:]
    renamed = rows[0].replace("Fjordvik Renhold AS", "Fjordvik Renhold og Vask AS")
    repeated = rows[1]
    path = tmp_path / "rotete.csv"
    path.write_text(
        "\r\n".join([header, *rows, "", renamed, repeated]) + "\r\n", encoding="utf-8-sig"
    )
    return path


def run(path: Path, engine: Engine, chunk_size: int) -> ImportReport:
    register = open_register_file(path)
    return import_contracts(
        register.rows(),
        register.headers,
        SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        NOW,
        actor="import:rotete.csv",
        dry_run=False,
        chunk_size=chunk_size,
    )


@pytest.fixture
def second_engine(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """Another empty, migrated database on the same store as `db_url`."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{(tmp_path / 'second.db').as_posix()}"
        upgrade_database(url)
        engine = create_db_engine(url)
        yield engine
        engine.dispose()
        return
    server = make_url(db_url)
    name = f"kv_second_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def stored(engine: Engine) -> dict[str, Any]:
    """Contracts, suppliers, people and audit events by their natural keys (references,
    organisation numbers, e-mail addresses), ids replaced by those keys wherever they occur."""
    with engine.connect() as conn:
        contracts = [dict(r._mapping) for r in conn.execute(select(table_of(ContractRow)))]
        suppliers = [dict(r._mapping) for r in conn.execute(select(table_of(SupplierRow)))]
        people = [dict(r._mapping) for r in conn.execute(select(table_of(PersonRow)))]
        events = [
            dict(r._mapping)
            for r in conn.execute(select(table_of(AuditEventRow)).order_by(text("seq")))
        ]
    keys = {c["id"]: f"contract {c['reference']}" for c in contracts}
    keys |= {s["id"]: f"supplier {s['organisation_number']}" for s in suppliers}
    keys |= {p["id"]: f"person {p['email']}" for p in people}

    def natural(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: natural(v) for k, v in value.items() if k != "id"}
        if isinstance(value, list):
            return [natural(v) for v in value]
        return keys.get(value, value) if isinstance(value, str) else value

    def rows(found: list[dict[str, Any]], key: str) -> list[Any]:
        return sorted((natural(r) for r in found), key=lambda r: str(r[key]))

    dropped = ("seq", "prev_hash", "hash")
    return {
        "contracts": rows(contracts, "reference"),
        "suppliers": rows(suppliers, "organisation_number"),
        "people": rows(people, "email"),
        "events": sorted(
            (natural({k: v for k, v in e.items() if k not in dropped}) for e in events),
            key=repr,
        ),
    }


def test_a_messy_file_imported_in_bulk_stores_what_row_by_row_stores(
    db_engine: Engine, second_engine: Engine, tmp_path: Path
) -> None:
    path = messy_file(tmp_path)
    in_bulk = run(path, db_engine, chunk_size=1000)
    row_by_row = run(path, second_engine, chunk_size=1)
    assert in_bulk.failed == row_by_row.failed > 0
    assert (in_bulk.created, in_bulk.updated, in_bulk.unchanged) == (
        row_by_row.created,
        row_by_row.updated,
        row_by_row.unchanged,
    )
    assert in_bulk.suppliers_created == row_by_row.suppliers_created > 0
    assert in_bulk.people_created == row_by_row.people_created > 0
    assert in_bulk.warnings == row_by_row.warnings
    bulk, single = stored(db_engine), stored(second_engine)
    assert len(bulk["contracts"]) == in_bulk.created
    assert len(bulk["events"]) > len(bulk["contracts"])
    assert bulk == single


def test_the_audit_trail_verifies_after_an_import_and_a_reimport(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = messy_file(tmp_path)
    run(path, db_engine, chunk_size=7)
    first = verify_audit_trail(db_engine)
    assert first.ok, first.problem
    assert first.checked > 20
    changed = tmp_path / "endret.csv"
    changed.write_text(
        path.read_text(encoding="utf-8-sig").replace("Renhold av skolebygg", "Renhold av skoler"),
        encoding="utf-8-sig",
    )
    report = run(changed, db_engine, chunk_size=1000)
    assert report.updated >= 1
    second = verify_audit_trail(db_engine)
    assert second.ok, second.problem
    assert second.checked == first.checked + report.updated


def test_bulk_inserted_rows_are_stored_as_sqlalchemy_stores_them(db_engine: Engine) -> None:
    """Times, dates, JSON and booleans: compared as the database driver returns them (on
    SQLite: the stored text), and as the models read them back."""
    contracts = table_of(ContractRow)
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)

    def row(reference: str) -> dict[str, Any]:
        return {
            "id": f"id-{reference}",
            "reference": reference,
            "title": "Vask & «rens» <av> bygg",
            "contract_type": "enkeltkontrakt",
            "category": "tjenester",
            "start_date": date(2024, 8, 1),
            "end_date": None,
            "options": ["2027-07-31", "2028-07-31"],
            "value_nok": 14_600_000_000,
            "risk": "høy",
            "status": "aktiv",
            "public": False,
            "ongoing": True,
            "created_at": at,
            "updated_at": at,
        }  # has_follow_ups and the compliance flags left to their defaults

    factory = create_session_factory(db_engine)
    with factory() as session:
        assert insert_rows(session, contracts, [row("BULK-1"), row("BULK-2")]) == 2
        session.execute(insert(contracts), [row("CORE-1"), row("CORE-2")])
        session.commit()
    with db_engine.connect() as conn:
        raw = {
            r[0]: r[1:]
            for r in conn.exec_driver_sql(
                "SELECT reference, title, start_date, end_date, options, value_nok, public, "
                "ongoing, has_follow_ups, hms_card, created_at FROM contracts"
            )
        }
        read = {r.reference: r for r in conn.execute(select(contracts))}
    assert raw["BULK-1"] == raw["CORE-1"]
    assert raw["BULK-2"] == raw["CORE-2"]
    for bulk, core in (("BULK-1", "CORE-1"), ("BULK-2", "CORE-2")):
        got, want = read[bulk]._mapping, read[core]._mapping
        assert {k: v for k, v in got.items() if k not in ("id", "reference")} == {
            k: v for k, v in want.items() if k not in ("id", "reference")
        }
    assert read["BULK-1"].created_at == at
    assert read["BULK-1"].options == ["2027-07-31", "2028-07-31"]
