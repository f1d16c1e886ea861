"""Importing the contract register into real SQLite and PostgreSQL databases, and the CLI."""

from __future__ import annotations

import gc
import io
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Self

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.main import main
from bot.cli.register_import import EXIT_FILE_ERROR, EXIT_OK, EXIT_ROWS_FAILED, run_import_contracts
from followup.accounts import AccountRange
from followup.analysis.services import agreement_terms
from followup.models import (
    Category,
    ContractStatus,
    ContractType,
    Person,
    RiskLevel,
    Role,
    Supplier,
)
from followup.register.importing import MAX_LISTED_CHANGES, ImportReport, import_contracts
from followup.register.reading import InvalidRegister
from storage.contract_repositories import SqlAlchemySupplierRepository
from storage.db import create_session_factory, upgrade_database
from storage.register_files import open_register_file
from storage.tables import ContractRow, SupplierRow
from storage.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "kontraktsregister_eksempel.csv"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SAMPLE_BROKEN_ROWS = [6, 10, 16, 19, 23]
TABLES = ("contracts", "suppliers", "people", "audit_events")


def uow_factory(engine: Engine) -> SqlAlchemyUnitOfWorkFactory:
    return SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))


def run(
    path: Path,
    factory: SqlAlchemyUnitOfWorkFactory,
    *,
    dry_run: bool = False,
    now: datetime = NOW,
    chunk_size: int = 1000,
) -> ImportReport:
    register = open_register_file(path)
    return import_contracts(
        register.rows(),
        register.headers,
        factory,
        now,
        actor=f"import:{path.name}",
        dry_run=dry_run,
        chunk_size=chunk_size,
    )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
            for t in TABLES
        }


def audit_actions(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT action, count(*) FROM audit_events GROUP BY action"))
        return {str(action): int(n) for action, n in rows}


def changed_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    content = SAMPLE.read_text(encoding="utf-8-sig")
    for old, new in replacements:
        assert content.count(old) == 1, old
        content = content.replace(old, new)
    path = tmp_path / "kontraktsregister_endret.csv"
    path.write_text(content, encoding="utf-8-sig")
    return path


def assert_adds_up(report: ImportReport) -> None:
    total = report.created + report.updated + report.unchanged + report.failed
    assert total == report.rows_read


# --- first import, re-import, changes ---------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1000, 4])
def test_first_import_creates_contracts_suppliers_and_people(
    db_engine: Engine, chunk_size: int
) -> None:
    factory = uow_factory(db_engine)
    report = run(SAMPLE, factory, chunk_size=chunk_size)
    assert_adds_up(report)
    assert (report.rows_read, report.created, report.updated, report.failed) == (25, 20, 0, 5)
    assert (report.suppliers_created, report.people_created) == (16, 11)
    assert sorted({p.row for p in report.problems}) == SAMPLE_BROKEN_ROWS
    assert report.warnings == [
        "rad 11, Opsjoner: «2 x 1 år» er lest som 2 opsjoner på 1 år hver (til 30.09.2027 og "
        "30.09.2028); er det én opsjon på 2 år, skriv «opsjon 2 år»."
    ]
    assert len(report.contract_ids) == 20
    assert counts(db_engine) == {
        "contracts": 20,
        "suppliers": 16,
        "people": 11,
        "audit_events": 20 + 16 + 11,
    }
    assert audit_actions(db_engine) == {
        "contract.created": 20,
        "supplier.created": 16,
        "person.created": 11,
    }
    with factory() as uow:
        cleaning = uow.contracts.by_reference("FK-2024-001")
        assert cleaning is not None
        assert cleaning.title == "Renhold av skolebygg"
        assert cleaning.contract_type is ContractType.SINGLE
        assert cleaning.category is Category.SERVICES
        assert cleaning.start_date == date(2024, 8, 1)
        assert cleaning.end_date == date(2026, 7, 31)  # 2+1+1 from the start date
        assert cleaning.options == [date(2027, 7, 31), date(2028, 7, 31)]
        assert cleaning.value_nok == 14_600_000
        assert cleaning.notice_months == 3
        assert cleaning.risk is RiskLevel.HIGH
        assert cleaning.compliance.hms_card
        owner = uow.people.get(cleaning.owner_id or "")
        assert owner is not None
        assert (owner.display_name, owner.email) == (
            "Marit Solheim",
            "marit.solheim@fjordvik.kommune.no",
        )
        assert owner.roles == {Role.OWNER}
        manager = uow.people.get(cleaning.manager_id or "")
        assert manager is not None
        assert manager.display_name == "Tone Brekke"
        assert manager.roles == set()  # only owners get a role
        supplier = uow.suppliers.by_organisation_numbers(["915473822"])["915473822"]
        assert supplier.name == "Fjordvik Renhold AS"
        assert cleaning.supplier_id == supplier.id

        electrical = uow.contracts.by_reference("FK-2025-009")
        assert electrical is not None
        assert electrical.category is Category.BUILDING  # from CPV 45…
        assert electrical.status is ContractStatus.TERMINATED
        assert electrical.value_nok == 2_300_000
        security = uow.contracts.by_reference("FK-2023-008")
        assert security is not None
        assert security.public is False
        assert security.options == [date(2026, 4, 30), date(2027, 4, 30)]
        system = uow.contracts.by_reference("FK-2022-031")
        assert system is not None
        assert (system.ongoing, system.end_date, system.notice_months) == (True, None, 6)

        created = uow.audit.for_entity("contract", cleaning.id)
        assert [e.action for e in created] == ["contract.created"]
        assert created[0].actor == "import:kontraktsregister_eksempel.csv"
        assert created[0].after is not None
        assert created[0].after["end_date"] == "2026-07-31"
        assert created[0].after["options"] == ["2027-07-31", "2028-07-31"]
        assert created[0].after["risk"] == "høy"


def test_reimporting_the_same_file_changes_nothing(db_engine: Engine) -> None:
    factory = uow_factory(db_engine)
    run(SAMPLE, factory)
    before = counts(db_engine)
    with db_engine.connect() as conn:
        stamps = set(conn.execute(select(ContractRow.reference, ContractRow.updated_at)).all())

    again = run(SAMPLE, factory, now=LATER, chunk_size=3)

    assert_adds_up(again)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 20, 5)
    assert (again.suppliers_created, again.suppliers_updated) == (0, 0)
    assert (again.people_created, again.people_updated) == (0, 0)
    assert again.contract_ids == []
    assert counts(db_engine) == before
    with db_engine.connect() as conn:
        assert set(conn.execute(select(ContractRow.reference, ContractRow.updated_at)).all()) == (
            stamps
        )


CHANGES = (
    # FK-2024-001: value and notice period
    ("kr 14 600 000,-;Aktiv", "kr 15 100 000,-;Aktiv"),
    (";Nei;3 måneder;", ";Nei;6 mnd;"),
    # FK-2023-017: one option fewer
    ('"31.12.2026; 31.12.2027"', "31.12.2026"),
    # FK-2024-002: a new manager
    (
        "hilde.myklebust@fjordvik.kommune.no;;;Helse og omsorg;01.03.2024",
        "hilde.myklebust@fjordvik.kommune.no;Per Hansen <per.hansen@fjordvik.kommune.no>;;"
        "Helse og omsorg;01.03.2024",
    ),
    # a supplier's new name (its contract does not change)
    ("Vest Heisservice AS", "Vest Heisservice Norge AS"),
)


def test_a_changed_file_updates_by_reference_with_one_audit_event_per_contract(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    run(SAMPLE, factory)
    before = counts(db_engine)
    actions = audit_actions(db_engine)

    report = run(changed_copy(tmp_path, *CHANGES), factory, now=LATER)

    assert_adds_up(report)
    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 3, 17, 5)
    assert (report.suppliers_updated, report.people_created) == (1, 1)
    changed = {c.reference: set(c.fields) for c in report.changes}
    assert changed == {
        "FK-2024-001": {"value_nok", "notice_months"},
        "FK-2023-017": {"options"},
        "FK-2024-002": {"manager_id"},
    }
    assert len(report.contract_ids) == 3
    after = counts(db_engine)
    assert after["contracts"] == before["contracts"]
    assert after["people"] == before["people"] + 1
    assert after["audit_events"] == before["audit_events"] + 5
    assert audit_actions(db_engine) == {
        **actions,
        "contract.updated": 3,
        "person.created": actions["person.created"] + 1,
        "supplier.updated": 1,
    }
    with factory() as uow:
        cleaning = uow.contracts.by_reference("FK-2024-001")
        assert cleaning is not None
        assert (cleaning.value_nok, cleaning.notice_months) == (15_100_000, 6)
        events = uow.audit.for_entity("contract", cleaning.id)
        assert [e.action for e in events] == ["contract.created", "contract.updated"]
        assert events[1].at == LATER
        assert events[1].before == {"value_nok": 14_600_000, "notice_months": 3}
        assert events[1].after == {"value_nok": 15_100_000, "notice_months": 6}

        office = uow.contracts.by_reference("FK-2023-017")
        assert office is not None
        assert office.options == [date(2026, 12, 31)]
        [_, update] = uow.audit.for_entity("contract", office.id)
        assert update.before == {"options": ["2026-12-31", "2027-12-31"]}
        assert update.after == {"options": ["2026-12-31"]}

        food = uow.contracts.by_reference("FK-2024-002")
        assert food is not None
        per = uow.people.find_by_email_or_upn("per.hansen@fjordvik.kommune.no")
        assert per is not None
        assert per.display_name == "Per Hansen"
        assert food.manager_id == per.id
        [_, update] = uow.audit.for_entity("contract", food.id)
        assert update.before == {"manager_id": None}
        assert update.after == {"manager_id": per.id}

        lifts = uow.suppliers.by_organisation_numbers(["911208458"])["911208458"]
        assert lifts.name == "Vest Heisservice Norge AS"
        [_, renamed] = uow.audit.for_entity("supplier", lifts.id)
        assert (renamed.action, renamed.before, renamed.after) == (
            "supplier.updated",
            {"name": "Vest Heisservice AS"},
            {"name": "Vest Heisservice Norge AS"},
        )


def test_columns_missing_from_a_file_are_left_alone(db_engine: Engine, tmp_path: Path) -> None:
    factory = uow_factory(db_engine)
    run(SAMPLE, factory)
    slim = tmp_path / "slim.csv"
    slim.write_text(
        "Avtalenr;Tittel;Org.nr;Avtaleeier\n"
        "FK-2024-001;Renhold av skolebygg og idrettshaller;915473822;"
        "marit.solheim@fjordvik.kommune.no\n",
        encoding="utf-8",
    )
    report = run(slim, factory, now=LATER)
    assert (report.updated, report.failed) == (1, 0)
    assert [c.fields for c in report.changes] == [("title",)]
    with factory() as uow:
        cleaning = uow.contracts.by_reference("FK-2024-001")
        assert cleaning is not None
        assert cleaning.title == "Renhold av skolebygg og idrettshaller"
        assert cleaning.risk is RiskLevel.HIGH
        assert cleaning.value_nok == 14_600_000
        assert cleaning.manager_id is not None


def test_maximum_value_and_ledger_accounts_are_read_kept_and_audited(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    path = tmp_path / "analyse.csv"
    header = (
        "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier;Maksimal verdi (eks. mva);Kontoer\n"
    )
    path.write_text(
        header + "R-1;Rør og rørdeler;Varer;Rør AS;974600951;kari@fjordvik.kommune.no;"
        "12 500 000;1250 og 1300 – 1309, 1250\n"
        "R-2;Kontorrekvisita;Varer;Kontor AS;915473822;kari@fjordvik.kommune.no;;\n",
        encoding="utf-8",
    )
    report = run(path, factory)
    assert (report.created, report.failed) == (2, 0)
    with factory() as uow:
        pipes, office = uow.contracts.by_reference("R-1"), uow.contracts.by_reference("R-2")
        assert pipes is not None
        assert office is not None
        # Kept as written once, in one form the analysis reads back to the same ranges.
        assert (pipes.maximum_value_nok, pipes.ledger_accounts) == (12_500_000, "1250, 1300–1309")
        assert (office.maximum_value_nok, office.ledger_accounts) == (None, None)
        terms = agreement_terms(pipes, uow)
        assert terms.maximum_value == Decimal(12_500_000)
        assert terms.accounts == (AccountRange("1250", "1250"), AccountRange("1300", "1309"))

    path.write_text(
        header + "R-1;Rør og rørdeler;Varer;Rør AS;974600951;kari@fjordvik.kommune.no;"
        "14.000.000;1250-1259\n"
        "R-2;Kontorrekvisita;Varer;Kontor AS;915473822;kari@fjordvik.kommune.no;;\n",
        encoding="utf-8",
    )
    report = run(path, factory, now=LATER)
    assert (report.updated, report.unchanged) == (1, 1)
    assert [c.fields for c in report.changes] == [("maximum_value_nok", "ledger_accounts")]
    with factory() as uow:
        pipes = uow.contracts.by_reference("R-1")
        assert pipes is not None
        assert (pipes.maximum_value_nok, pipes.ledger_accounts) == (14_000_000, "1250–1259")

    # A bad cell fails its row with a message naming the column; what is stored stays.
    path.write_text(
        header + "R-1;Rør og rørdeler;Varer;Rør AS;974600951;kari@fjordvik.kommune.no;"
        "mange penger;1259-1250\n",
        encoding="utf-8",
    )
    report = run(path, factory, now=LATER)
    assert report.failed == 1
    assert {p.column: p.message for p in report.problems} == {
        "Maksimal verdi (eks. mva)": "ugyldig beløp: "
        "skriv for eksempel 1 250 000 eller 1 250 000,50",
        "Kontoer": "kontoområdet 1259–1250 slutter før det begynner: "
        "skriv det laveste kontonummeret først",
    }
    with factory() as uow:
        pipes = uow.contracts.by_reference("R-1")
        assert pipes is not None
        assert (pipes.maximum_value_nok, pipes.ledger_accounts) == (14_000_000, "1250–1259")


# --- bad rows, dry run, people ------------------------------------------------------------------


def test_bad_rows_are_reported_and_good_rows_still_imported(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "blandet.csv"
    path.write_text(
        "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier;Startdato;Sluttdato\n"
        "A-1;Renhold;Tjenester;Renhold AS;974600951;kari@fjordvik.kommune.no;01.01.2026;\n"
        "A-2;Maling;Bygg og anlegg;Maler AS;974600952;kari@fjordvik.kommune.no;;\n"
        "A-3;Vask;;Vask AS;915473822;kari@fjordvik.kommune.no;;\n"
        "A-4;Brøyting;Tjenester;;918726349;ola@fjordvik.kommune.no;;\n"
        "A-1;Renhold igjen;Tjenester;Renhold AS;974600951;kari@fjordvik.kommune.no;;\n"
        "A-5;Skyss;Tjenester;Renhold AS;974600951;ola@fjordvik.kommune.no;01.06.2026;01.01.2026\n"
        "A-6;Kaffe;Varer;Renhold AS;974600951;ola@fjordvik.kommune.no;;\n",
        encoding="utf-8",
    )
    report = run(path, uow_factory(db_engine))
    assert_adds_up(report)
    assert (report.created, report.failed) == (2, 5)
    problems = {p.row: (p.column, p.message) for p in report.problems}
    assert problems[3][0] == "Org.nr"
    assert problems[4] == (
        "Kategori",
        "mangler kategori for ny avtale: skriv varer, tjenester eller bygg og anlegg "
        "(eller fyll inn CPV-kode)",
    )
    assert problems[5] == (
        "Leverandør",
        "leverandøren med org.nr 918 726 349 finnes ikke fra før: fyll inn leverandørens navn",
    )
    assert problems[6] == ("Avtalenr", "avtalenr A-1 står også på rad 2")
    assert problems[7] == ("Sluttdato", "sluttdato 01.01.2026 er før startdato 01.06.2026")
    assert counts(db_engine)["contracts"] == 2
    assert counts(db_engine)["suppliers"] == 1  # no supplier was made for a row that failed


def test_dry_run_writes_nothing_and_reports_what_would_change(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    empty = counts(db_engine)
    dry = run(SAMPLE, factory, dry_run=True, chunk_size=4)
    assert dry.dry_run
    assert counts(db_engine) == empty
    real = run(SAMPLE, factory)
    for name in ("created", "failed", "suppliers_created", "people_created"):
        assert getattr(dry, name) == getattr(real, name), name
    assert [c.reference for c in dry.changes] == [c.reference for c in real.changes]

    before = counts(db_engine)
    dry_change = run(changed_copy(tmp_path, *CHANGES), factory, dry_run=True)
    assert (dry_change.updated, dry_change.unchanged) == (3, 17)
    assert (dry_change.suppliers_updated, dry_change.people_created) == (1, 1)
    assert counts(db_engine) == before
    with factory() as uow:
        cleaning = uow.contracts.by_reference("FK-2024-001")
        assert cleaning is not None
        assert cleaning.value_nok == 14_600_000


def test_owners_are_matched_by_upn_and_given_the_owner_role(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    kari = Person(
        display_name="Kari Nordmann",
        email="kari@privat.example",
        upn="kari.nordmann@fjordvik.kommune.no",
        roles={Role.PROCUREMENT},
    )
    with factory() as uow:
        uow.people.add(kari, NOW)
        uow.commit()
    path = tmp_path / "eiere.csv"
    path.write_text(
        "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier;Kontraktsforvalter\n"
        "A-1;Renhold;Tjenester;Renhold AS;974600951;"
        "Nordmann, Kari (KARI.NORDMANN@fjordvik.kommune.no);ny.forvalter@fjordvik.kommune.no\n"
        "A-2;Vask;Tjenester;Renhold AS;974600951;kari@privat.example;"
        "kari.nordmann@fjordvik.kommune.no\n",
        encoding="utf-8",
    )
    report = run(path, factory)
    assert (report.created, report.failed) == (2, 0)
    assert (report.people_created, report.people_updated) == (1, 1)
    with factory() as uow:
        stored = uow.people.get(kari.id)
        assert stored is not None
        assert stored.roles == {Role.PROCUREMENT, Role.OWNER}  # added, never removed
        first = uow.contracts.by_reference("A-1")
        second = uow.contracts.by_reference("A-2")
        assert first is not None
        assert second is not None
        assert first.owner_id == second.owner_id == second.manager_id == kari.id
        [role] = uow.audit.for_entity("person", kari.id)
        assert (role.action, role.before, role.after) == (
            "person.updated",
            {"roles": ["procurement"]},
            {"roles": ["owner", "procurement"]},
        )
        new = uow.people.find_by_email_or_upn("ny.forvalter@fjordvik.kommune.no")
        assert new is not None
        assert (new.display_name, new.roles) == ("Ny Forvalter", set())
    assert run(path, factory).people_updated == 0


def test_a_new_person_named_as_manager_then_owner_is_created_once_as_owner(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "roller.csv"
    path.write_text(
        "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier;Kontraktsforvalter\n"
        "A-1;Renhold;Tjenester;Renhold AS;974600951;kari@fjordvik.kommune.no;"
        "ola@fjordvik.kommune.no\n"
        "A-2;Vask;Tjenester;Renhold AS;974600951;ola@fjordvik.kommune.no;\n",
        encoding="utf-8",
    )
    factory = uow_factory(db_engine)
    report = run(path, factory)
    assert (report.created, report.people_created, report.people_updated) == (2, 2, 0)
    assert audit_actions(db_engine)["person.created"] == 2
    assert "person.updated" not in audit_actions(db_engine)
    with factory() as uow:
        ola = uow.people.find_by_email_or_upn("ola@fjordvik.kommune.no")
        assert ola is not None
        assert ola.roles == {Role.OWNER}
        [created] = uow.audit.for_entity("person", ola.id)
        assert created.after == {
            "display_name": "Ola",
            "email": "ola@fjordvik.kommune.no",
            "roles": ["owner"],
        }


def test_one_org_number_with_two_names_uses_the_first_and_warns(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "navn.csv"
    path.write_text(
        "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier\n"
        "A-1;Renhold;Tjenester;Bergen Renhold AS;974600951;kari@fjordvik.kommune.no\n"
        "A-2;Vask;Tjenester;BERGEN RENHOLD A/S;974600951;kari@fjordvik.kommune.no\n",
        encoding="utf-8",
    )
    factory = uow_factory(db_engine)
    report = run(path, factory)
    assert report.suppliers_created == 1
    assert report.suppliers_updated == 0
    assert report.warnings == [
        "Leverandøren med org.nr 974 600 951 har flere navn i filen («Bergen Renhold AS» på "
        "rad 2, «BERGEN RENHOLD A/S» på rad 3); navnet fra rad 2 er brukt."
    ]
    again = run(path, factory)
    assert (again.unchanged, again.suppliers_updated) == (2, 0)


def test_headers_that_will_not_do_stop_the_import(db_engine: Engine) -> None:
    with pytest.raises(InvalidRegister) as err:
        import_contracts(
            iter([]),
            ["Avtalenr", "Tittel", "Leverandør"],
            uow_factory(db_engine),
            NOW,
            actor="t",
            dry_run=False,
        )
    assert len(err.value.problems) == 2


# --- a write that fails ---------------------------------------------------------------------------

CONTESTED = "974600951"


class _RacingSuppliers(SqlAlchemySupplierRepository):
    """The real repository; right after a lookup of the contested number, "another process"
    commits a supplier with that number (`always`: replacing the one it made last time)."""

    def __init__(self, session: Session, racer: Racer) -> None:
        super().__init__(session)
        self._racer = racer

    def by_organisation_numbers(self, numbers: Collection[str]) -> Mapping[str, Supplier]:
        found = super().by_organisation_numbers(numbers)
        if CONTESTED in numbers:
            self._racer.race()
        return found


class Racer:
    def __init__(self, engine: Engine, *, always: bool) -> None:
        self.engine = engine
        self.always = always
        self.races = 0

    def race(self) -> None:
        if self.races and not self.always:
            return
        self.races += 1
        with self.engine.begin() as conn:
            conn.execute(delete(SupplierRow).where(SupplierRow.organisation_number == CONTESTED))
            conn.execute(
                insert(SupplierRow).values(
                    id=f"racer-{self.races}", name="Renhold AS", organisation_number=CONTESTED
                )
            )


class _RacingUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session], racer: Racer) -> None:
        super().__init__(session_factory)
        self._racer = racer

    def __enter__(self) -> Self:
        super().__enter__()
        self.suppliers = _RacingSuppliers(self.session, self._racer)
        return self


class RacingFactory:
    def __init__(self, engine: Engine, racer: Racer) -> None:
        self._sessions = create_session_factory(engine)
        self._racer = racer

    def __call__(self) -> _RacingUnitOfWork:
        return _RacingUnitOfWork(self._sessions, self._racer)


RACE_FILE = (
    "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier\n"
    "A-1;Kaffe;Varer;Kaffe AS;915473822;kari@fjordvik.kommune.no\n"
    "A-2;Renhold;Tjenester;Renhold AS;974600951;kari@fjordvik.kommune.no\n"
    "A-3;Vask;Tjenester;Renhold AS;974600951;ola@fjordvik.kommune.no\n"
    "A-4;Te;Varer;Kaffe AS;915473822;ola@fjordvik.kommune.no\n"
)


def race_rows() -> list[tuple[int, dict[str, object]]]:
    lines = RACE_FILE.splitlines()
    header = lines[0].split(";")
    return [
        (number, dict(zip(header, line.split(";"), strict=True)))
        for number, line in enumerate(lines[1:], start=2)
    ]


def race_headers() -> Sequence[str]:
    return RACE_FILE.splitlines()[0].split(";")


def test_a_chunk_that_conflicts_is_retried_row_by_row(db_engine: Engine) -> None:
    racer = Racer(db_engine, always=False)
    report = import_contracts(
        race_rows(), race_headers(), RacingFactory(db_engine, racer), NOW, actor="t", dry_run=False
    )
    assert racer.races == 1
    assert_adds_up(report)
    assert (report.created, report.failed) == (4, 0)
    assert report.suppliers_created == 1  # the other process made the contested one
    assert len(report.contract_ids) == 4
    assert counts(db_engine)["suppliers"] == 2
    assert audit_actions(db_engine) == {
        "contract.created": 4,
        "supplier.created": 1,
        "person.created": 2,
    }
    with db_engine.connect() as conn:
        used = conn.execute(
            select(func.count()).where(ContractRow.supplier_id == "racer-1")
        ).scalar_one()
    assert used == 2


def test_rows_that_keep_conflicting_are_reported_and_the_others_imported(
    db_engine: Engine,
) -> None:
    racer = Racer(db_engine, always=True)
    report = import_contracts(
        race_rows(), race_headers(), RacingFactory(db_engine, racer), NOW, actor="t", dry_run=False
    )
    assert_adds_up(report)
    assert (report.created, report.failed) == (2, 2)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "Avtalenr", "A-2"),
        (4, "Avtalenr", "A-3"),
    ]
    assert report.problems[0].message.startswith("kunne ikke lagres")
    assert counts(db_engine)["contracts"] == 2


# --- the command ----------------------------------------------------------------------------------


# --- options read one way of several ---------------------------------------------------------

OPTIONS_HEADER = (
    "Avtalenr;Tittel;Kategori;Org.nr;Leverandør;Avtaleeier;Startdato;Sluttdato;Opsjoner"
)
KARI_CELL = "kari.nordmann@fjordvik.kommune.no"


def options_file(tmp_path: Path, *rows: tuple[str, str, str, str]) -> Path:
    """A register of one supplier and owner: (avtalenr, startdato, sluttdato, opsjoner)."""
    lines = [OPTIONS_HEADER]
    for reference, start, end, options in rows:
        lines.append(
            f"{reference};Avtale {reference};Tjenester;974600951;Bergen kommune;{KARI_CELL};"
            f"{start};{end};{options}"
        )
    path = tmp_path / "opsjoner.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OPTION_ROWS = (
    ("OPS-1", "01.01.2025", "31.12.2026", "1+1"),  # row 2: both are options
    ("OPS-2", "01.01.2025", "30.06.2027", "2+1+1"),  # row 3: the end date disagrees
    ("OPS-3", "", "", "1+1"),  # row 4: nothing to count from
    ("OPS-4", "01.01.2025", "31.12.2026", "opsjon 2x1 år"),  # row 5
    ("OPS-5", "01.01.2025", "31.12.2026", "inntil 2 år"),  # row 6
    ("OPS-6", "01.01.2025", "31.12.2026", "2+1+1"),  # row 7: as written
    ("OPS-7", "", "31.12.2026", "1+1"),  # row 8: no start date
)


def test_options_are_never_lost_and_ambiguous_ones_are_named_in_the_report(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    report = run(options_file(tmp_path, *OPTION_ROWS), factory)

    assert (report.created, report.failed, report.ok) == (7, 0, True)
    assert [w.split(":", 1)[0] for w in report.warnings] == [
        "rad 3, Opsjoner",
        "rad 4, Opsjoner",
        "rad 5, Opsjoner",
        "rad 6, Opsjoner",
        "rad 8, Opsjoner",
    ]
    by_row = dict(zip((3, 4, 5, 6, 8), report.warnings, strict=True))
    assert "«2+1+1» er tvetydig: sluttdato 30.06.2027 er ikke startdato + 2 år" in by_row[3]
    assert "Lest som avtaleperiode til sluttdato og 2 opsjoner på 1 år hver" in by_row[3]
    assert "opsjonene «1+1» er ikke lagret" in by_row[4]
    assert "er lest som 2 opsjoner på 1 år hver" in by_row[5]
    assert "«inntil 2 år» er lest som én opsjon på 2 år (til 31.12.2028)" in by_row[6]
    assert "«1+1» er tvetydig uten startdato" in by_row[8]
    expected = {
        "OPS-1": [date(2027, 12, 31), date(2028, 12, 31)],
        "OPS-2": [date(2028, 6, 30), date(2029, 6, 30)],
        "OPS-3": [],
        "OPS-4": [date(2027, 12, 31), date(2028, 12, 31)],
        "OPS-5": [date(2028, 12, 31)],
        "OPS-6": [date(2027, 12, 31), date(2028, 12, 31)],
        "OPS-7": [date(2027, 12, 31), date(2028, 12, 31)],
    }
    with factory() as uow:
        for reference, options in expected.items():
            contract = uow.contracts.by_reference(reference)
            assert contract is not None
            assert contract.options == options, reference
        first = uow.contracts.by_reference("OPS-1")
        assert first is not None
        created = uow.audit.for_entity("contract", first.id)
        assert created[0].after is not None
        assert created[0].after["options"] == ["2027-12-31", "2028-12-31"]


def test_options_that_cannot_be_dated_keep_what_the_contract_has(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = uow_factory(db_engine)
    run(options_file(tmp_path, ("OPS-1", "01.01.2025", "31.12.2026", "1+1")), factory)

    again = run(options_file(tmp_path, ("OPS-1", "", "", "1+1")), factory, now=LATER)

    assert (again.updated, again.failed) == (1, 0)
    assert [c.fields for c in again.changes] == [("start_date", "end_date")]
    assert len(again.warnings) == 1
    assert again.warnings[0].startswith("rad 2, Opsjoner: opsjonene «1+1» er ikke lagret")
    with factory() as uow:
        contract = uow.contracts.by_reference("OPS-1")
        assert contract is not None
        assert contract.options == [date(2027, 12, 31), date(2028, 12, 31)]


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    upgrade_database(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    return url


def test_cli_exit_codes_and_report(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "contracts", str(SAMPLE), "--dry-run"]) == EXIT_ROWS_FAILED
    out = capsys.readouterr().out
    assert "Lest 25 rader: 20 nye, 0 endret, 0 uendret, 5 med feil" in out
    assert "Dette ville blitt lagret:" in out
    assert "+ FK-2024-001  Renhold av skolebygg (ny)" in out
    assert "Tørrkjøring: ingenting er lagret." in out
    assert "Org.nr      NO 915 473 823 MVA" in out
    assert "ugyldig dato: 31.02.2026 finnes ikke i kalenderen" in out

    assert main(["import", "contracts", str(SAMPLE)]) == EXIT_ROWS_FAILED
    out = capsys.readouterr().out
    assert "Lest 25 rader: 20 nye, 0 endret, 0 uendret, 5 med feil" in out
    assert "Tørrkjøring" not in out
    assert "Radene med feil er ikke importert." in out

    changed = changed_copy(tmp_path, *CHANGES)
    assert main(["import", "contracts", str(changed), "--dry-run"]) == EXIT_ROWS_FAILED
    out = capsys.readouterr().out
    assert "Lest 25 rader: 0 nye, 3 endret, 17 uendret, 5 med feil" in out
    assert "~ FK-2024-001  estimert verdi, oppsigelsestid" in out

    good = tmp_path / "bare_gode_rader.csv"
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    good.write_text(
        "\n".join(line for n, line in enumerate(lines, 1) if n not in SAMPLE_BROKEN_ROWS) + "\n",
        encoding="utf-8",
    )
    assert main(["import", "contracts", str(good)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Lest 20 rader: 0 nye, 0 endret, 20 uendret, 0 med feil" in out
    assert "Alle radene er importert." in out


def test_cli_prints_the_warnings_and_still_exits_0(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [(f"OPS-{n}", "01.01.2025", "30.06.2027", "2+1+1") for n in range(53)]
    path = options_file(tmp_path, ("OPS-X", "01.01.2025", "31.12.2026", "1+1"), *many)

    assert main(["import", "contracts", str(path)]) == EXIT_OK

    out = capsys.readouterr().out
    assert "Lest 54 rader: 54 nye, 0 endret, 0 uendret, 0 med feil" in out
    warnings = [line for line in out.splitlines() if line.startswith("Advarsel: ")]
    assert len(warnings) == 50
    assert warnings[0].startswith(
        "Advarsel: rad 3, Opsjoner: «2+1+1» er tvetydig: sluttdato 30.06.2027 er ikke "
        "startdato + 2 år"
    )
    assert "… og 3 advarsler til" in out
    assert "Alle radene er importert." in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("mangler.csv", "Avtalenr;Tittel;Leverandør\nA-1;T;L\n", "Kolonnen «Org.nr» mangler."),
        ("ukjent.csv", "Avtalenr;Kommentar\nA-1;T\n", "Fant ingen rad"),
        (
            "mangler_eier.csv",
            "Avtalenr;Tittel;Org.nr\nA-1;T;974600951\n",
            "Kolonnen «Avtaleeier» mangler.",
        ),
        ("register.pdf", "%PDF", "Filtypen .pdf kan ikke importeres"),
        ("tom.csv", "", "er tom"),
    ],
)
def test_cli_file_errors_exit_2(
    cli_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["import", "contracts", str(path)]) == EXIT_FILE_ERROR
    err = capsys.readouterr().err
    assert f"Kan ikke importere «{name}»:" in err
    assert message in err


def test_cli_refuses_a_database_that_is_not_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{(tmp_path / 'tom.db').as_posix()}")
    monkeypatch.setenv("MicrosoftAppId", "")
    assert main(["import", "contracts", str(SAMPLE)]) == EXIT_FILE_ERROR
    assert "kontraktsvakt db upgrade" in capsys.readouterr().err


def test_contracts_changed_hook_gets_the_ids_after_a_real_import(
    cli_database: str, tmp_path: Path
) -> None:
    calls: list[Sequence[str]] = []

    def call(path: Path, *, dry_run: bool) -> int:
        return run_import_contracts(
            path,
            dry_run=dry_run,
            database_url=cli_database,
            now=NOW,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            on_contracts_changed=calls.append,
        )

    assert call(SAMPLE, dry_run=True) == EXIT_ROWS_FAILED
    assert calls == []
    assert call(SAMPLE, dry_run=False) == EXIT_ROWS_FAILED
    assert len(calls) == 1
    assert len(set(calls[0])) == 20
    assert call(SAMPLE, dry_run=False) == EXIT_ROWS_FAILED
    assert len(calls) == 1  # nothing changed, nothing to plan


def test_the_import_leaves_the_collector_as_it_found_it(cli_database: str, tmp_path: Path) -> None:
    """The CLI freezes the heap and collects young objects less often while it imports, and
    undoes both afterwards, also when the import fails."""
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    seen: list[tuple[tuple[int, int, int], int]] = []

    def planned(_ids: Sequence[str]) -> None:  # after the import: the collector is restored
        seen.append((gc.get_threshold(), gc.get_freeze_count()))

    code = run_import_contracts(
        SAMPLE, dry_run=False, database_url=cli_database, now=NOW, stdout=io.StringIO(),
        stderr=io.StringIO(), on_contracts_changed=planned,
    )  # fmt: skip
    assert code == EXIT_ROWS_FAILED
    assert seen == [before[:2]]
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
    broken = tmp_path / "ødelagt.csv"
    broken.write_text("Avtalenr;Tittel;Org.nr\nA-1;Kaffe;915473822\n", encoding="utf-8")
    assert run_import_contracts(
        broken, dry_run=False, database_url=cli_database, now=NOW, stdout=io.StringIO(),
        stderr=io.StringIO(),
    ) == EXIT_FILE_ERROR  # fmt: skip
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_the_report_lists_the_first_changes_and_every_contract_id_in_file_order(
    uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path
) -> None:
    many = [(f"OPS-{n:03d}", "01.01.2025", "31.12.2026", "1+1") for n in range(230)]
    report = run(options_file(tmp_path, *many), uow_factory, chunk_size=70)
    assert report.created == 230
    with uow_factory() as uow:
        by_reference = uow.contracts.by_references([r for r, *_ in many])
    assert report.contract_ids == [by_reference[r].id for r, *_ in many]
    assert len(report.changes) == MAX_LISTED_CHANGES
    assert [c.reference for c in report.changes] == [r for r, *_ in many[:MAX_LISTED_CHANGES]]
    assert [c.row for c in report.changes] == list(range(2, MAX_LISTED_CHANGES + 2))
    assert all(c.created and c.fields == () for c in report.changes)
    assert report.changes[0].title == "Avtale OPS-000"
    assert report.changes[0].contract_id == report.contract_ids[0]
