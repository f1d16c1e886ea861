"""Fiks Arkiv V1 on the wire: ``arkivmelding.xml`` (`write_arkivmelding`), validation against
KS' official schemas (`ArchiveSchema`), the ASiC-E container (`pack_asice`, `read_asice`,
`package_message` for all three at once), the archive's receipt (`parse_receipt`,
`write_receipt`) and a stand-in archive for tests and demos (`StandInArchive`).

The messages themselves are described in ``followup.archive``; the error classes are in
``storage.archive.errors``.
"""

from storage.archive.arkivmelding import write_arkivmelding
from storage.archive.asice import pack_asice, read_asice
from storage.archive.errors import (
    ArchiveFormatError,
    ArchiveReportedFailure,
    ChecksumMismatch,
    FileCountMismatch,
    InvalidArchiveMessage,
    InvalidReceipt,
    MalformedContainer,
    MissingFile,
    SchemaFolderError,
    SchemaViolation,
    UnexpectedFile,
    UnknownCase,
)
from storage.archive.names import ARKIVMELDING_FILE, MESSAGE_TYPE, RECEIPT_FILE, RECEIPT_TYPE
from storage.archive.package import package_message
from storage.archive.receipt import parse_receipt, write_receipt
from storage.archive.schema import ArchiveSchema
from storage.archive.standin import StandInArchive

__all__ = [
    "ARKIVMELDING_FILE",
    "MESSAGE_TYPE",
    "RECEIPT_FILE",
    "RECEIPT_TYPE",
    "ArchiveFormatError",
    "ArchiveReportedFailure",
    "ArchiveSchema",
    "ChecksumMismatch",
    "FileCountMismatch",
    "InvalidArchiveMessage",
    "InvalidReceipt",
    "MalformedContainer",
    "MissingFile",
    "SchemaFolderError",
    "SchemaViolation",
    "StandInArchive",
    "UnexpectedFile",
    "UnknownCase",
    "pack_asice",
    "package_message",
    "parse_receipt",
    "read_asice",
    "write_arkivmelding",
    "write_receipt",
]
