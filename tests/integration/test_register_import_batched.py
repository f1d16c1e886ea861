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
from storage.bulk_insert import (
    BULK_SQLITE_PRAGMAS,
    insert_rows,
    insert_values,
    prepare_for_bulk_writes,
)
from storage.contract_repositories import IN_CHUNK
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


def test_rows_given_as_values_in_any_column_order_are_stored_as_dicts_are(
    db_engine: Engine,
) -> None:
    """`insert_values` (the audit trail's links, a register import's contracts) stores what
    `insert_rows` stores, whatever order the columns come in; rows may share value objects
    (one `now` for all), and columns left out get their defaults."""
    suppliers = table_of(SupplierRow)
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    options = ["2027-07-31"]
    names = (
        "updated_at", "title", "options", "reference", "id", "created_at", "category", "risk",
        "status",
    )  # fmt: skip
    rows = [
        (at, f"Vask {n}", options if n % 2 else [], f"V-{n}", f"id-v-{n}", at, "tjenester", "lav",
         "aktiv")
        for n in range(5)
    ]  # fmt: skip
    factory = create_session_factory(db_engine)
    with factory() as session:
        assert insert_values(session, suppliers, ("organisation_number", "id", "name"), []) == 0
        assert insert_values(session, suppliers, ("organisation_number", "id", "name"), [
            ("915473822", "s-1", "Fjordvik Renhold AS"),
        ]) == 1  # fmt: skip
        contracts = table_of(ContractRow)
        common = {"contract_type": "enkeltkontrakt"}
        assert insert_values(
            session, contracts, (*names, "contract_type"), [(*r, "enkeltkontrakt") for r in rows]
        ) == len(rows)
        session.execute(
            insert(contracts),
            [
                {**dict(zip(names, r, strict=True)), **common, "id": f"core-{n}",
                 "reference": f"C-{n}"}
                for n, r in enumerate(rows)
            ],
        )  # fmt: skip
        session.commit()
    with db_engine.connect() as conn:
        read = {r.reference: r._mapping for r in conn.execute(select(table_of(ContractRow)))}
        raw = {
            r[0]: r[1:]
            for r in conn.exec_driver_sql(
                "SELECT reference, title, options, public, has_follow_ups, created_at, updated_at "
                "FROM contracts"
            )
        }
        supplier = conn.execute(select(suppliers)).one()
    assert (supplier.id, supplier.name, supplier.organisation_number) == (
        "s-1", "Fjordvik Renhold AS", "915473822",
    )  # fmt: skip
    for n in range(5):
        bulk, core = read[f"V-{n}"], read[f"C-{n}"]
        assert {k: v for k, v in bulk.items() if k not in ("id", "reference")} == {
            k: v for k, v in core.items() if k not in ("id", "reference")
        }
        assert raw[f"V-{n}"] == raw[f"C-{n}"]
    assert read["V-1"].options == options
    assert read["V-2"].options == []
    assert read["V-0"].created_at == at


def test_a_bulk_import_engine_keeps_more_pages_and_a_longer_wal_on_sqlite(db_url: str) -> None:
    """`prepare_for_bulk_writes`: more pages in memory, fewer checkpoints and statement journals
    in memory, on SQLite; the journal stays as safe as ever (WAL, synchronous NORMAL). The
    bot's own engine keeps SQLite's defaults. Nothing changes on PostgreSQL."""
    engine = create_db_engine(db_url)
    prepare_for_bulk_writes(engine)
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "sqlite":
                assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
                return
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                for name in (
                    "cache_size",
                    "wal_autocheckpoint",
                    "journal_mode",
                    "synchronous",
                    "temp_store",
                )
            }
    finally:
        engine.dispose()
    assert BULK_SQLITE_PRAGMAS == (
        "cache_size=-16384",
        "wal_autocheckpoint=10000",
        "temp_store=MEMORY",
    )
    assert pragma == {
        "cache_size": -16384,
        "wal_autocheckpoint": 10000,
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "temp_store": 2,  # MEMORY: statement journals in memory (see BULK_SQLITE_PRAGMAS)
    }
    plain = create_db_engine(db_url)
    try:
        with plain.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -2000
            # Files, as SQLite's default: the bot's large sorts are not held in memory.
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar_one() == 0
    finally:
        plain.dispose()


def test_contracts_and_suppliers_are_found_by_many_keys_at_once(db_engine: Engine) -> None:
    """A chunk asks for its references and organisation numbers in one query, however many
    (more than an IN list of `IN_CHUNK` would hold); keys not found are left out."""
    count = IN_CHUNK + 150
    at = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    factory = create_session_factory(db_engine)
    with factory() as session:
        insert_values(
            session,
            table_of(SupplierRow),
            ("id", "name", "organisation_number"),
            [(f"s-{n}", f"Leverandør {n}", f"{900_000_000 + n}") for n in range(count)],
        )
        insert_values(
            session,
            table_of(ContractRow),
            ("id", "reference", "title", "contract_type", "category", "risk", "status",
             "created_at", "updated_at", "options"),
            [(f"c-{n}", f"K-{n}", f"Avtale {n}", "enkeltkontrakt", "varer", "lav", "aktiv", at,
              at, []) for n in range(count)],
        )  # fmt: skip
        session.commit()
    uow_factory = SqlAlchemyUnitOfWorkFactory(factory)
    with uow_factory() as uow:
        numbers = [f"{900_000_000 + n}" for n in range(count)] + ["999999999", "900000000"]
        suppliers = uow.suppliers.by_organisation_numbers(numbers)
        references = [f"K-{n}" for n in range(count)] + ["FINNES-IKKE", "k-1"]
        contracts = uow.contracts.by_references(references)
        assert uow.contracts.by_references([]) == {}
    assert len(suppliers) == count
    assert suppliers["900000007"].name == "Leverandør 7"
    assert len(contracts) == count  # exact references: "k-1" is not "K-1"
    assert contracts[f"K-{count - 1}"].id == f"c-{count - 1}"
