"""The register's public columns (Omfang, Bestilling, Kontakt, Doffin) imported into real SQLite
and PostgreSQL: read, kept, audited, re-imported without change, and bad cells refused with
Norwegian messages while what is stored stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from followup.register.importing import ImportReport, import_contracts
from storage.db import create_session_factory
from storage.register_files import open_register_file
from storage.tables import AuditEventRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HEADER = (
    "Avtalenr;Tittel;Kategori;Leverandør;Org.nr;Avtaleeier;Omfang;Slik bestiller du;Kontakt;"
    "Doffin-kunngjøring\n"
)
ROW = "R-1;Rammeavtale kontorrekvisita;Varer;Kontor AS;915473822;kari@fjordvik.kommune.no;"


def run(path: Path, factory: SqlAlchemyUnitOfWorkFactory, now: datetime = NOW) -> ImportReport:
    register = open_register_file(path)
    return import_contracts(
        register.rows(), register.headers, factory, now, actor="import:test", dry_run=False
    )


def test_public_columns_are_read_normalised_kept_and_audited(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER
        + ROW
        + "Penner og papir;Bestill i innkjøpsportalen;Innkjøp <MAILTO:Innkjop@Fjordvik.Kommune.no>;"
        "https://www.doffin.no/notices/2024-105843?lang=nb\n"
        "R-2;Rammeavtale møbler;Varer;Kontor AS;915473822;kari@fjordvik.kommune.no;;;;\n",
        encoding="utf-8",
    )
    report = run(path, factory)
    assert (report.created, report.failed) == (2, 0), report.problems
    with factory() as uow:
        office, furniture = uow.contracts.by_reference("R-1"), uow.contracts.by_reference("R-2")
        assert office is not None
        assert furniture is not None
        assert (office.scope, office.how_to_order, office.contact_email, office.doffin_notice) == (
            "Penner og papir",
            "Bestill i innkjøpsportalen",
            "innkjop@fjordvik.kommune.no",
            "2024-105843",
        )
        assert (furniture.scope, furniture.contact_email, furniture.doffin_notice) == (
            None,
            None,
            None,
        )

    # The same file again changes nothing; the notice as a number is the same notice.
    path.write_text(
        HEADER
        + ROW
        + "Penner og papir;Bestill i innkjøpsportalen;innkjop@fjordvik.kommune.no; 2024-105843\n"
        "R-2;Rammeavtale møbler;Varer;Kontor AS;915473822;kari@fjordvik.kommune.no;;;;\n",
        encoding="utf-8",
    )
    report = run(path, factory, LATER)
    assert (report.updated, report.unchanged) == (0, 2)

    path.write_text(
        HEADER
        + ROW
        + "Penner, papir og toner;Bestill i innkjøpsportalen;innkjop@fjordvik.kommune.no;"
        "doffin.no/notices/2025-000123\n",
        encoding="utf-8",
    )
    report = run(path, factory, LATER)
    assert report.updated == 1
    assert [c.fields for c in report.changes] == [("scope", "doffin_notice")]
    with db_engine.connect() as conn:
        audited = conn.execute(
            select(AuditEventRow.before, AuditEventRow.after).where(
                AuditEventRow.action == "contract.updated"
            )
        ).all()
    assert [(row.before, row.after) for row in audited] == [
        (
            {"scope": "Penner og papir", "doffin_notice": "2024-105843"},
            {"scope": "Penner, papir og toner", "doffin_notice": "2025-000123"},
        )
    ]


def test_bad_public_cells_fail_the_row_in_norwegian_and_keep_what_is_stored(
    db_engine: Engine, tmp_path: Path
) -> None:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER + ROW + "Penner;Portalen;innkjop@fjordvik.kommune.no;2024-105843\n",
        encoding="utf-8",
    )
    assert run(path, factory).created == 1
    cases = {
        "ikke en adresse;2024-105843": {
            "Kontakt": "mangler e-postadresse: skriv en e-postadresse for henvendelser om "
            "avtalen, for eksempel innkjop@fjordvik.kommune.no"
        },
        "a@x.no b@x.no;https://example.com/notices/2024-105843": {
            "Kontakt": "flere e-postadresser i samme celle: skriv bare én kontaktadresse",
            "Doffin-kunngjøring": "lenken går ikke til doffin.no: skriv kunngjøringsnummeret, "
            "for eksempel 2024-123456, eller lenken til kunngjøringen på doffin.no",
        },
        "innkjop@fjordvik.kommune.no;https://doffin.no/search?q=kontor": {
            "Doffin-kunngjøring": "finner ikke kunngjøringsnummeret i lenken: skriv "
            "kunngjøringsnummeret, for eksempel 2024-123456, eller lenken til kunngjøringen "
            "på doffin.no"
        },
        "innkjop@fjordvik.kommune.no;kunngjort i fjor": {
            "Doffin-kunngjøring": "«kunngjort i fjor» er ikke et Doffin-nummer: skriv "
            "kunngjøringsnummeret, for eksempel 2024-123456, eller lenken til kunngjøringen "
            "på doffin.no"
        },
    }
    for cells, messages in cases.items():
        path.write_text(HEADER + ROW + "Penner;Portalen;" + cells + "\n", encoding="utf-8")
        report = run(path, factory, LATER)
        assert report.failed == 1, cells
        assert {p.column: p.message for p in report.problems} == messages
    with factory() as uow:
        office = uow.contracts.by_reference("R-1")
        assert office is not None
        assert (office.contact_email, office.doffin_notice) == (
            "innkjop@fjordvik.kommune.no",
            "2024-105843",
        )
