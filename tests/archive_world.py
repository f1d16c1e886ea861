"""Fiks Arkiv test helpers: the official schema folder and sample messages of every kind the
archive mapping will send.

The schemas are KS' (``shared/schemas/fiks-arkiv-v1`` beside the repository, found as
tests/card_schema.py finds the Adaptive Card schema); they are third-party and not in the repo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from followup.archive import (
    ArchiveCase,
    ArchiveFile,
    ArchiveMessage,
    ArchiveParty,
    ArchiveRecord,
    ArchiveScreening,
    CorrespondenceRole,
    DocumentRole,
    DocumentType,
    RecordType,
)
from storage.archive import ArchiveSchema

SCHEMA_FOLDER: Final = (
    Path(__file__).resolve().parents[1].parent / "shared" / "schemas" / "fiks-arkiv-v1"
)
SUPPLIER_ORGNR: Final = "915473822"
BERGEN_ORGNR: Final = "974600951"
RECEIVED: Final = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def archive_schema() -> ArchiveSchema:
    """The official V1 schemas (compiled once per process)."""
    return ArchiveSchema.load(SCHEMA_FOLDER)


def contract_case(
    external_key: str = "kontrakt-17", case_number: tuple[int, int] | None = None
) -> ArchiveCase:
    return ArchiveCase(
        external_key=external_key,
        title="Oppfølging av avtale FK-17 Renhold rådhuset – Fjordvik Renhold AS",
        case_year=None if case_number is None else case_number[0],
        case_sequence=None if case_number is None else case_number[1],
        administrative_unit="Innkjøpsavdelingen",
        case_responsible="Kari Nordmann",
    )


def supplier() -> ArchiveParty:
    return ArchiveParty(
        "Fjordvik Renhold AS",
        CorrespondenceRole.SENDER,
        organisation_number=SUPPLIER_ORGNR,
        contact_person="Åse Ødegård",
    )


def supplier_document(
    case: ArchiveCase | None = None, key: str = "kontrakt-17/dok/1"
) -> ArchiveMessage:
    """An incoming document from the supplier: the supplier is the sender, with its org.nr."""
    pdf = b"%PDF-1.7 egenerkl\xc3\xa6ring"
    return ArchiveMessage(
        case=case or contract_case(),
        record=ArchiveRecord(
            external_key=key,
            record_type=RecordType.INCOMING,
            title="Egenerklæring om lønns- og arbeidsvilkår fra Fjordvik Renhold AS",
            document_date=date(2025, 3, 3),
            received_at=RECEIVED,
            parties=(supplier(),),
            files=(
                ArchiveFile.of_bytes(
                    name="Egenerklæring lønns- og arbeidsvilkår.pdf",
                    title="Egenerklæring lønns- og arbeidsvilkår",
                    data=pdf,
                    document_type=DocumentType.DOCUMENT,
                ),
            ),
        ),
        system_version="0.1.0",
        archive_organisation_number=BERGEN_ORGNR,
    )


def tax_certificate() -> ArchiveMessage:
    """A tax certificate: exempt from public access under offentleglova § 13."""
    return ArchiveMessage(
        case=contract_case(),
        record=ArchiveRecord(
            external_key="kontrakt-17/dok/2",
            record_type=RecordType.INCOMING,
            title="Skatteattest for Fjordvik Renhold AS",
            public_title="Skatteattest for ******",
            document_date=date(2025, 2, 27),
            received_at=RECEIVED,
            parties=(supplier(),),
            screening=ArchiveScreening.offentleglova_13(),
            files=(
                ArchiveFile.of_bytes(
                    name="Skatteattest 2025 – Fjordvik.pdf",
                    title="Skatteattest",
                    data=b"%PDF-1.7 skatteattest",
                ),
            ),
        ),
    )


def internal_note() -> ArchiveMessage:
    """An internal note without files (an option decision recorded in chat)."""
    return ArchiveMessage(
        case=contract_case(),
        record=ArchiveRecord(
            external_key="kontrakt-17/opsjon/1",
            record_type=RecordType.INTERNAL_NO_FOLLOW_UP,
            title="Beslutning: opsjon på ett års forlengelse utløses",
            description="Avtaleeier besluttet å utløse opsjonen 1. mars 2025.",
            document_date=date(2025, 3, 1),
            parties=(ArchiveParty("Innkjøpsavdelingen", CorrespondenceRole.INTERNAL_SENDER),),
        ),
    )


def deviation_with_attachment(case: ArchiveCase | None = None) -> ArchiveMessage:
    """A deviation report with two files: the report and a photo attached (given in that
    order reversed, so the main document must be put first)."""
    case = case or contract_case()
    return ArchiveMessage(
        case=case,
        record=ArchiveRecord(
            external_key=f"{case.external_key}/avvik/3",
            record_type=RecordType.INTERNAL_FOR_FOLLOW_UP,
            title="Avvik: mangelfullt renhold i 2. etasje, Rådhuset",
            document_date=date(2025, 3, 5),
            parties=(
                ArchiveParty("Eiendomsavdelingen", CorrespondenceRole.INTERNAL_SENDER),
                ArchiveParty("Innkjøpsavdelingen", CorrespondenceRole.INTERNAL_RECIPIENT),
            ),
            files=(
                ArchiveFile.of_bytes(
                    name="bilde gang, 2. etasje.jpg",
                    title="Bilde av gangen",
                    data=b"\xff\xd8\xff\xe0 jpeg",
                    document_type=DocumentType.PHOTO,
                    role=DocumentRole.ATTACHMENT,
                ),
                ArchiveFile.of_bytes(
                    name="Avviksrapport.docx",
                    title="Avviksrapport",
                    data=b"PK\x03\x04 docx",
                    document_type=DocumentType.REPORT,
                ),
            ),
        ),
    )


def all_samples() -> dict[str, ArchiveMessage]:
    return {
        "supplier document": supplier_document(),
        "tax certificate": tax_certificate(),
        "internal note": internal_note(),
        "two files": deviation_with_attachment(),
        "existing case": supplier_document(contract_case(case_number=(2024, 1234))),
    }
