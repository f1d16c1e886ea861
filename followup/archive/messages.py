"""One Fiks Arkiv message (`no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`), described
without XML: what Kontraktsvakt hands the municipality's archive for one archive-worthy event.

The shape, decided from the V1 schema and KS' own integration tests (``ks-no/fiks-arkiv-
integration-tests-dotnet``, "opprett saksmappe og journalpost i én melding"):

- A message carries ONE record (`ArchiveRecord`, written as ``registrering xsi:type="journalpost"``)
  in the case folder of ONE contract (`ArchiveCase`, a *saksmappe*).
- The case is named by its external key (*referanseEksternNoekkel*: *fagsystem* = the message's
  `system`, *noekkel* = the contract's own id). While the register knows no case number
  (*saksnummer*) for the contract, the message carries the case folder too (``mappe
  xsi:type="saksmappe"``) and the record points to it by that key (*referanseForelderMappe*).
  The archive creates the folder the first time and finds it by the key every time after (its
  receipt says *Opprettet* or *Eksisterende*), so every record of a contract lands in one case.
- When the register has the case number (`ArchiveCase.case_year` and `case_sequence`, read by
  `parse_case_number`), the case already exists in the archive (a caseworker opened it, without
  our key): the message carries no folder, and the record points to the case by its number
  (*referanseForelderMappe/saksnummer*) only, so the archive never makes a second case.
- The record is named by its own external key (`ArchiveRecord.external_key`, unique within the
  fagsystem, e.g. ``"<contract id>/deviation/<deviation id>"``); archives refuse or return the
  existing record for a key they know.
- Each file is one document (*dokumentbeskrivelse* with one *dokumentobjekt*), numbered in
  order (*dokumentnummer*); exactly one is the main document (*hoveddokument*) when there are
  files. Files travel in the container under ASCII names (`ArchiveRecord.referenced_files`,
  *referanseDokumentfil*); the original name, letters æøå and all, is the *filnavn*.
- `ArchiveMessage.message_id` is `message_id_for(system, case key, record key)`: the same record
  always goes out under the same id, and the archive (Fiks IO) de-duplicates on it.

The message's `system_version` travels with the transport (logs, Fiks IO headers), not in the
XML: V1 has no field for it, and archives key their rule sets (*regel*) on `system` alone.

Standard library only; the XML is written in ``storage.archive.arkivmelding``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final
from uuid import UUID

from followup.archive.codes import (
    ACCESS_RESTRICTION_OFFL_13,
    LEGAL_BASIS_OFFL_13,
    CorrespondenceRole,
    DocumentRole,
    DocumentType,
    JournalStatus,
    RecordType,
)
from followup.archive.naming import (
    container_name,
    guess_mime_type,
    message_id_for,
    sha256_of,
)
from followup.orgnr import is_valid_organisation_number

DEFAULT_SYSTEM: Final = "Kontraktsvakt"
"""The *fagsystem* name on every external key; changing it orphans the archive's cases."""


class ArchiveFileChanged(ValueError):
    """A file's bytes no longer match the checksum the message was made with."""

    def __init__(self, name: str, expected: str, actual: str) -> None:
        super().__init__(f"file {name!r} changed: sha256 {actual} is not {expected}")
        self.name = name
        self.expected = expected
        self.actual = actual


_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} is empty")
    return value


def _key(value: str, what: str) -> None:
    """Keys are compared exactly by the archive: no blanks around, no control characters."""
    _text(value, what)
    if value != value.strip() or _CONTROL.search(value):
        raise ValueError(f"{what} has blanks around it or control characters: {value!r}")


def _optional_text(value: str | None, what: str) -> None:
    if value is not None:
        _text(value, what)


def _aware(value: datetime | None, what: str) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{what} has no time zone")


@dataclass(frozen=True, slots=True)
class ArchiveCase:
    """The case folder (*saksmappe*) of one contract."""

    external_key: str
    """The contract's own id (*noekkel*); the fagsystem is the message's `system`."""
    title: str
    """*tittel*: e.g. ``"Oppfølging av kontrakt 2024-017 Renhold – Rent AS"``."""
    case_year: int | None = None
    """*saksaar* of the archive's existing case (from the register's saksnummer), or None."""
    case_sequence: int | None = None
    """*sakssekvensnummer* of the archive's existing case, or None."""
    administrative_unit: str | None = None
    """*administrativEnhet* (name) that owns the case, e.g. ``"Innkjøpsavdelingen"``."""
    case_responsible: str | None = None
    """*saksansvarlig* (name): the contract owner."""

    def __post_init__(self) -> None:
        _key(self.external_key, "case external key")
        _text(self.title, "case title")
        _optional_text(self.administrative_unit, "administrative unit")
        _optional_text(self.case_responsible, "case responsible")
        if (self.case_year is None) != (self.case_sequence is None):
            raise ValueError("a case number needs both year and sequence")
        if self.case_sequence is not None and self.case_sequence < 1:
            raise ValueError("case sequence must be positive")

    @property
    def case_number(self) -> tuple[int, int] | None:
        """(year, sequence) of the archive's existing case, or None (the message creates it)."""
        if self.case_year is None or self.case_sequence is None:
            return None
        return self.case_year, self.case_sequence


@dataclass(frozen=True, slots=True)
class ArchiveParty:
    """A correspondence party (*korrespondansepart*) of a record."""

    name: str
    """*korrespondansepartNavn*: the supplier's name, or the internal unit or person."""
    role: CorrespondenceRole
    organisation_number: str | None = None
    """*organisasjonid*: 9 digits with a valid check digit (normalise it first)."""
    contact_person: str | None = None
    """*kontaktperson* at the party."""

    def __post_init__(self) -> None:
        _text(self.name, "party name")
        _optional_text(self.contact_person, "contact person")
        if self.organisation_number is not None and not is_valid_organisation_number(
            self.organisation_number
        ):
            raise ValueError(f"not an organisation number: {self.organisation_number!r}")


@dataclass(frozen=True, slots=True)
class ArchiveScreening:
    """Exemption from public access (*skjerming*). The V1 message has no *skjermingMetadata*
    or *skjermingDokument* field: what is screened is said by where the screening stands, on
    the record (its metadata: title, parties) and/or on each of its documents."""

    access_restriction: str
    """*tilgangsrestriksjon*: the archive's access code, ``"13"`` for offentleglova § 13."""
    legal_basis: str
    """*skjermingshjemmel*: e.g. ``"Offl. § 13 jf. fvl. § 13"``."""
    screens_record: bool = True
    screens_documents: bool = True

    def __post_init__(self) -> None:
        _text(self.access_restriction, "access restriction")
        _text(self.legal_basis, "legal basis")
        if not (self.screens_record or self.screens_documents):
            raise ValueError("a screening screens the record, its documents or both")

    @classmethod
    def offentleglova_13(cls) -> ArchiveScreening:
        """Duty of confidentiality (payslips, tax certificates): record and documents."""
        return cls(ACCESS_RESTRICTION_OFFL_13, LEGAL_BASIS_OFFL_13)


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One document of a record and the file that carries it. The bytes are read when the
    container is packed (`read`), and must still match `sha256` then."""

    name: str
    """*filnavn*: the original file name, shown and used on download (any letters)."""
    title: str
    """The document's *tittel*."""
    document_type: DocumentType
    role: DocumentRole
    """*tilknyttetRegistreringSom*: main document or attachment."""
    mime_type: str
    size: int
    """*filstoerrelse* in bytes."""
    sha256: str
    """*sjekksum* (SHA-256, hex)."""
    source: Callable[[], bytes] = field(compare=False, repr=False)
    """Reads the file's bytes (from memory, the document store …)."""

    def __post_init__(self) -> None:
        _text(self.name, "file name")
        _text(self.title, "document title")
        _text(self.mime_type, "mime type")
        if self.size < 0:
            raise ValueError("file size is negative")
        if re.fullmatch(r"[0-9a-f]{64}", self.sha256) is None:
            raise ValueError(f"not a lower-case SHA-256 hex digest: {self.sha256!r}")

    @classmethod
    def of_bytes(
        cls,
        *,
        name: str,
        title: str,
        data: bytes,
        document_type: DocumentType = DocumentType.DOCUMENT,
        role: DocumentRole = DocumentRole.MAIN,
        mime_type: str | None = None,
    ) -> ArchiveFile:
        """A file held in memory; size, checksum and (unless given) mime type from `data`."""
        return cls(
            name=name,
            title=title,
            document_type=document_type,
            role=role,
            mime_type=mime_type or guess_mime_type(name),
            size=len(data),
            sha256=sha256_of(data),
            source=lambda: data,
        )

    def read(self) -> bytes:
        """The file's bytes; raises `ArchiveFileChanged` when they are not what was described."""
        data = self.source()
        actual = sha256_of(data)
        if actual != self.sha256:
            raise ArchiveFileChanged(self.name, self.sha256, actual)
        return data


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """A record (*journalpost*) in the contract's case."""

    external_key: str
    """Unique within the fagsystem and stable: the same event always gives the same key."""
    record_type: RecordType
    title: str
    document_date: date
    """*dokumentetsDato*."""
    parties: tuple[ArchiveParty, ...] = ()
    files: tuple[ArchiveFile, ...] = ()
    screening: ArchiveScreening | None = None
    status: JournalStatus = JournalStatus.FINISHED
    received_at: datetime | None = None
    """*mottattDato* (incoming records), time-zone aware."""
    sent_at: datetime | None = None
    """*sendtDato* (outgoing records), time-zone aware."""
    public_title: str | None = None
    """*offentligTittel*: the title with screened words left out, for the public journal."""
    description: str | None = None
    """*beskrivelse*."""

    def __post_init__(self) -> None:
        _key(self.external_key, "record external key")
        _text(self.title, "record title")
        _optional_text(self.public_title, "public title")
        _optional_text(self.description, "description")
        _aware(self.received_at, "received_at")
        _aware(self.sent_at, "sent_at")
        roles = {party.role for party in self.parties}
        if self.record_type is RecordType.INCOMING and CorrespondenceRole.SENDER not in roles:
            raise ValueError("an incoming record names its sender (EA)")
        if self.record_type is RecordType.OUTGOING and CorrespondenceRole.RECIPIENT not in roles:
            raise ValueError("an outgoing record names its recipient (EM)")
        mains = sum(file.role is DocumentRole.MAIN for file in self.files)
        if self.files and mains != 1:
            raise ValueError(f"a record with files has one main document, not {mains}")

    @property
    def referenced_files(self) -> tuple[tuple[str, ArchiveFile], ...]:
        """Each file with the name it travels under in the container, main document first."""
        ordered = sorted(self.files, key=lambda file: file.role is not DocumentRole.MAIN)
        return tuple(
            (container_name(number, file.name), file)
            for number, file in enumerate(ordered, start=1)
        )


@dataclass(frozen=True, slots=True)
class ArchiveMessage:
    """One ``arkivmelding.opprett``: one record in one contract's case."""

    case: ArchiveCase
    record: ArchiveRecord
    system: str = DEFAULT_SYSTEM
    """The *fagsystem*: the message's *system* and the first half of every external key."""
    system_version: str | None = None
    archive_organisation_number: str | None = None
    """The receiving archive's organisation (addressing the transport; not in the XML)."""

    def __post_init__(self) -> None:
        _key(self.system, "system")
        if self.archive_organisation_number is not None and not is_valid_organisation_number(
            self.archive_organisation_number
        ):
            raise ValueError(f"not an organisation number: {self.archive_organisation_number!r}")

    @property
    def message_id(self) -> UUID:
        """The stable id of this message: `message_id_for` of the system and both keys."""
        return message_id_for(self.system, self.case.external_key, self.record.external_key)

    @property
    def file_count(self) -> int:
        """*antallFiler*: the files in the container besides ``arkivmelding.xml``."""
        return len(self.record.files)
