"""Into the archive (issue 17): Kontraktsvakt's records as KS Fiks Arkiv V1 messages.

The format layer's domain half, framework-free: `ArchiveMessage` (one record, `ArchiveRecord`,
in one contract's case, `ArchiveCase`, with its parties, files and screening; `messages`), the
codes taken from KS' code lists (`codes`), the stable ids and names (`naming`:
`message_id_for`, `parse_case_number`, `container_name`, `sha256_of`) and the archive's answer
(`ArchiveReceipt`, `receipts`). ``storage.archive`` writes, validates, packs and reads them.
"""

from followup.archive.codes import (
    ACCESS_RESTRICTION_OFFL_13,
    LEGAL_BASIS_OFFL_13,
    CorrespondenceRole,
    DocumentRole,
    DocumentType,
    JournalStatus,
    RecordType,
)
from followup.archive.messages import (
    DEFAULT_SYSTEM,
    ArchiveCase,
    ArchiveFile,
    ArchiveFileChanged,
    ArchiveMessage,
    ArchiveParty,
    ArchiveRecord,
    ArchiveScreening,
)
from followup.archive.naming import (
    container_name,
    guess_mime_type,
    message_id_for,
    parse_case_number,
    sha256_of,
)
from followup.archive.receipts import ArchiveReceipt, ExternalKey

__all__ = [
    "ACCESS_RESTRICTION_OFFL_13",
    "DEFAULT_SYSTEM",
    "LEGAL_BASIS_OFFL_13",
    "ArchiveCase",
    "ArchiveFile",
    "ArchiveFileChanged",
    "ArchiveMessage",
    "ArchiveParty",
    "ArchiveReceipt",
    "ArchiveRecord",
    "ArchiveScreening",
    "CorrespondenceRole",
    "DocumentRole",
    "DocumentType",
    "ExternalKey",
    "JournalStatus",
    "RecordType",
    "container_name",
    "guess_mime_type",
    "message_id_for",
    "parse_case_number",
    "sha256_of",
]
