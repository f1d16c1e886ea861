"""The Fiks Arkiv V1 codes Kontraktsvakt writes, from KS' code lists (``kodelister/*.json`` beside
the schemas in ``shared/schemas/fiks-arkiv-v1``). Each enum's value is the list's *kodeverdi*;
`describe` gives its *kodebeskrivelse*, which the message carries beside the code.

Only the codes a contract's follow-up needs are here; a code added must come from the list of
the same name (a unit test reads the JSON files and checks every value and description).

*Tilgangsrestriksjon* (access restriction) has no code list in V1: each archive configures its
own *tilgangskoder*. ``"13"`` is the code Norwegian archives use for offentleglova § 13
(*taushetsplikt*); `ACCESS_RESTRICTION_OFFL_13` and `LEGAL_BASIS_OFFL_13` are the pair for
payslips and tax certificates.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class RecordType(StrEnum):
    """*journalposttype*: the kind of a record (journalpost)."""

    INCOMING = "I"  # Inngående dokument
    OUTGOING = "U"  # Utgående dokument
    INTERNAL_FOR_FOLLOW_UP = "N"  # Organinternt dokument for oppfølging
    INTERNAL_NO_FOLLOW_UP = "X"  # Organinternt dokument uten oppfølging


class JournalStatus(StrEnum):
    """*journalstatus*: how far the record has come. A specialist system hands over finished
    records (`FINISHED`); the archive journals them."""

    JOURNALED = "J"  # Journalført
    FINISHED = "F"  # Ferdigstilt av saksbehandler
    APPROVED = "G"  # Godkjent av leder
    DISPATCHED = "E"  # Ekspedert
    ARCHIVED = "A"  # Arkivert


class CorrespondenceRole(StrEnum):
    """*korrespondanseparttype*: the part a correspondence party plays in a record."""

    SENDER = "EA"  # Avsender
    RECIPIENT = "EM"  # Mottaker
    COPY_RECIPIENT = "EK"  # Kopimottaker
    INTERNAL_SENDER = "IA"  # Intern avsender
    INTERNAL_RECIPIENT = "IM"  # Intern mottaker
    INTERNAL_COPY_RECIPIENT = "IK"  # Intern kopimottaker


class DocumentType(StrEnum):
    """*dokumenttype*: what a document is (the codes a contract's follow-up uses)."""

    DOCUMENT = "DOKUMENT"  # Dokument: certificates, declarations, anything without a better code
    CORRESPONDENCE = "KORR"  # Korrespondanse: letters and e-mails to and from the supplier
    AGREEMENT = "AVTALE"  # Avtale: the contract, its amendments and options
    DECISION = "VEDTAK"  # Vedtak: decisions (option, expiry, sanction)
    REPORT = "RAPPORT"  # Rapport: deviation reports, evaluations, follow-up summaries
    NOTE = "NOTAT"  # Notat: internal notes
    RISK_ASSESSMENT = "ROS-ANALYSE"  # ROS-analyse: risk and vulnerability assessments
    ANALYSIS = "ANALYSE"  # Analyse: purchase analyses
    INSPECTION = "TILSYN"  # Tilsyn: on-site checks
    INVOICE = "FAKTURA"  # Faktura
    MINUTES = "PROTOKOLL"  # Protokoll: minutes of follow-up meetings
    STATEMENT = "UTTALELSE"  # Uttalelse
    COMPLAINT = "KLAGE"  # Klage
    PHOTO = "FOTO"  # Foto
    ATTACHMENT = "VEDLEGG"  # Vedlegg


class DocumentRole(StrEnum):
    """*tilknyttetRegistreringSom*: a document's place in its record."""

    MAIN = "H"  # Hoveddokument
    ATTACHMENT = "V"  # Vedlegg


class DocumentStatus(StrEnum):
    """*dokumentstatus*."""

    FINISHED = "F"  # Dokumentet er ferdigstilt


class VariantFormat(StrEnum):
    """*variantformat*: the archive converts a production-format file to its archive format."""

    PRODUCTION = "P"  # Produksjonsformat
    ARCHIVE = "A"  # Arkivformat


ACCESS_RESTRICTION_OFFL_13: Final = "13"
"""*Tilgangsrestriksjon* for information under a duty of confidentiality (offentleglova § 13)."""
LEGAL_BASIS_OFFL_13: Final = "Offl. § 13 jf. fvl. § 13"
"""*Skjermingshjemmel* for personal or business details under fvl. § 13 (payslips, tax
certificates)."""
CHECKSUM_ALGORITHM: Final = "SHA-256"
"""*sjekksumAlgoritme* as Noark 5 names it."""

_DESCRIPTIONS: Final[dict[type[StrEnum], dict[str, str]]] = {
    # Per enum: codes of different lists share values ("F", "V"), and StrEnum members equal
    # their value, so one flat dict would mix them up.
    RecordType: {
        "I": "Inngående dokument",
        "U": "Utgående dokument",
        "N": "Organinternt dokument for oppfølging",
        "X": "Organinternt dokument uten oppfølging",
    },
    JournalStatus: {
        "J": "Journalført",
        "F": "Ferdigstilt av saksbehandler",
        "G": "Godkjent av leder",
        "E": "Ekspedert",
        "A": "Arkivert",
    },
    CorrespondenceRole: {
        "EA": "Avsender",
        "EM": "Mottaker",
        "EK": "Kopimottaker",
        "IA": "Intern avsender",
        "IM": "Intern mottaker",
        "IK": "Intern kopimottaker",
    },
    DocumentType: {
        "DOKUMENT": "Dokument",
        "KORR": "Korrespondanse",
        "AVTALE": "Avtale",
        "VEDTAK": "Vedtak",
        "RAPPORT": "Rapport",
        "NOTAT": "Notat",
        "ROS-ANALYSE": "ROS-analyse",
        "ANALYSE": "Analyse",
        "TILSYN": "Tilsyn",
        "FAKTURA": "Faktura",
        "PROTOKOLL": "Protokoll",
        "UTTALELSE": "Uttalelse",
        "KLAGE": "Klage",
        "FOTO": "Foto",
        "VEDLEGG": "Vedlegg",
    },
    DocumentRole: {"H": "Hoveddokument", "V": "Vedlegg"},
    DocumentStatus: {"F": "Dokumentet er ferdigstilt"},
    VariantFormat: {"P": "Produksjonsformat", "A": "Arkivformat"},
}

CODE_LISTS: Final[dict[type[StrEnum], str]] = {
    RecordType: "journalposttype",
    JournalStatus: "journalstatus",
    CorrespondenceRole: "korrespondanseparttype",
    DocumentType: "dokumenttype",
    DocumentRole: "tilknyttetregistreringsom",
    DocumentStatus: "dokumentstatus",
    VariantFormat: "variantformat",
}
"""Each enum and the KS code list (``no.ks.fiks.arkiv.v1.kodelister.<name>.json``) it is from."""


def describe(code: StrEnum) -> str:
    """The code list's *kodebeskrivelse* for `code`."""
    return _DESCRIPTIONS[type(code)][code.value]
