"""What the archive answers to an `ArchiveMessage`: its receipt
(``no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering``), reduced to the numbers
Kontraktsvakt stores on the record and shows (``status <avtalenr>``, exports).

The XML is read (and refused unless it validates) in ``storage.archive.receipt``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExternalKey:
    """A *referanseEksternNoekkel* as the archive echoes it."""

    system: str
    """*fagsystem*."""
    key: str
    """*noekkel*."""


@dataclass(frozen=True, slots=True)
class ArchiveReceipt:
    """The archive's ids for one record, and for its case when the message carried the case.

    A message that pointed to an existing case by its number carries no case folder, so the
    receipt has no case part (`case_system_id` None): the register's case number is the case.
    """

    record_system_id: str
    """*systemID* (a UUID) of the record in the archive."""
    record_created: bool
    """True for *Opprettet*; False for *Eksisterende* (the archive knew the record's key)."""
    record_key: ExternalKey | None = None
    journal_year: int | None = None
    """*journalaar*."""
    journal_sequence: int | None = None
    """*journalsekvensnummer*: with the year, the archive's journal number."""
    journal_post_number: int | None = None
    """*journalpostnummer*: the record's number within its case."""
    record_id: str | None = None
    """*registreringsID* as the archive shows it, e.g. ``"2025/17-3"``."""
    case_system_id: str | None = None
    """*systemID* of the case folder, None when the message carried no folder."""
    case_created: bool | None = None
    case_key: ExternalKey | None = None
    case_year: int | None = None
    """*saksaar*."""
    case_sequence: int | None = None
    """*sakssekvensnummer*."""
    case_id: str | None = None
    """*mappeID* as the archive shows it, e.g. ``"2025/17"``."""

    @property
    def case_number(self) -> str | None:
        """``"2025/17"`` when the archive gave the case's year and sequence."""
        if self.case_year is None or self.case_sequence is None:
            return None
        return f"{self.case_year}/{self.case_sequence}"

    @property
    def journal_number(self) -> str | None:
        """``"2025/1042"`` when the archive gave the journal year and sequence."""
        if self.journal_year is None or self.journal_sequence is None:
            return None
        return f"{self.journal_year}/{self.journal_sequence}"
