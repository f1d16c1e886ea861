"""One `ArchiveMessage` as the container that leaves: write, validate, read the files, pack.

    container = package_message(message, schema)   # bytes of an .asice file

Raises `SchemaViolation` when the XML does not validate (nothing leaves that would be refused)
and `followup.archive.ArchiveFileChanged` when a file's bytes no longer match its checksum.
The same message and files give the same bytes, so a re-export or a retry is identical.
"""

from __future__ import annotations

from followup.archive.messages import ArchiveMessage
from storage.archive.arkivmelding import write_arkivmelding
from storage.archive.asice import pack_asice
from storage.archive.schema import ArchiveSchema


def package_message(message: ArchiveMessage, schema: ArchiveSchema) -> bytes:
    """The message's ASiC-E container, checked against the schema."""
    xml = write_arkivmelding(message)
    schema.check(xml)
    referenced = message.record.referenced_files
    files = [(reference, file.read()) for reference, file in referenced]
    return pack_asice(xml, files, {reference: file.mime_type for reference, file in referenced})
