"""Reading back what an ``arkivmelding.xml`` says about its case, record and files: what a
receiving archive (the stand-in) needs to check a container and number the record.

`read_container(container, schema)` opens the ASiC-E, validates the XML, and checks that
*antallFiler* is the number of files, that every *referanseDokumentfil* is there and nothing
else is, and that each file has the *sjekksum* the message gives (SHA-256); it raises the
matching `InvalidArchiveMessage` subclass, or returns a `ReceivedMessage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lxml import etree

from followup.archive.naming import sha256_of
from followup.archive.receipts import ExternalKey
from storage.archive.asice import read_asice
from storage.archive.errors import (
    ChecksumMismatch,
    FileCountMismatch,
    MissingFile,
    UnexpectedFile,
)
from storage.archive.names import ARKIVMELDING_NS, METADATA_NS, qualified
from storage.archive.schema import ArchiveSchema, parse_xml

_SHA256_NAMES: Final = frozenset({"SHA-256", "SHA256"})


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """What a received message says (after the checks)."""

    system: str
    case_key: ExternalKey | None
    """The case folder's key when the message carries a folder (*mappe*)."""
    parent_key: ExternalKey | None
    """The case the record points to by key (*referanseForelderMappe*)."""
    parent_number: tuple[int, int] | None
    """The case the record points to by number (*saksnummer*)."""
    record_key: ExternalKey | None
    record_type: str | None
    """*journalposttype* code."""
    files: dict[str, bytes]


def read_container(container: bytes, schema: ArchiveSchema) -> ReceivedMessage:
    """Open and check a container; raises an `InvalidArchiveMessage` subclass."""
    xml, files = read_asice(container)
    schema.check(xml)
    root = parse_xml(xml)
    _check_files(root, files)
    record = _one(root, "registrering")
    folder = _one(root, "mappe")
    parent = None if record is None else _one(record, "referanseForelderMappe")
    return ReceivedMessage(
        system=root.findtext(_am("system"), "").strip(),
        case_key=_key(folder, ARKIVMELDING_NS),
        parent_key=_key(parent, METADATA_NS),
        parent_number=_case_number(parent),
        record_key=_key(record, ARKIVMELDING_NS),
        record_type=None if record is None else _code(record, "journalposttype"),
        files=files,
    )


def _check_files(root: etree._Element, files: dict[str, bytes]) -> None:
    named: dict[str, tuple[str | None, str | None]] = {}
    for content in root.iter(_am("dokumentobjekt")):
        reference = content.findtext(_am("referanseDokumentfil"), "").strip()
        named[reference] = (
            content.findtext(_am("sjekksum")),
            content.findtext(_am("sjekksumAlgoritme")),
        )
    for reference in named:
        if reference not in files:
            raise MissingFile(reference)
    for name in files:
        if name not in named:
            raise UnexpectedFile(name)
    declared = int(root.findtext(_am("antallFiler"), "0"))
    if declared != len(files):
        raise FileCountMismatch(declared, len(files))
    for reference, (checksum, algorithm) in named.items():
        if checksum is None or (algorithm or "").strip().upper() not in _SHA256_NAMES:
            continue  # no checksum, or one the stand-in cannot compute: nothing to compare
        if sha256_of(files[reference]) != checksum.strip().lower():
            raise ChecksumMismatch(reference)


def _am(name: str) -> str:
    return qualified(ARKIVMELDING_NS, name)


def _one(parent: etree._Element, name: str) -> etree._Element | None:
    return parent.find(_am(name))


def _key(parent: etree._Element | None, namespace: str) -> ExternalKey | None:
    if parent is None:
        return None
    element = parent.find(qualified(namespace, "referanseEksternNoekkel"))
    if element is None:
        return None
    return ExternalKey(
        system=element.findtext(qualified(METADATA_NS, "fagsystem"), "").strip(),
        key=element.findtext(qualified(METADATA_NS, "noekkel"), "").strip(),
    )


def _case_number(parent: etree._Element | None) -> tuple[int, int] | None:
    number = None if parent is None else parent.find(qualified(METADATA_NS, "saksnummer"))
    if number is None:
        return None
    return (
        int(number.findtext(qualified(METADATA_NS, "saksaar"), "0")),
        int(number.findtext(qualified(METADATA_NS, "sakssekvensnummer"), "0")),
    )


def _code(parent: etree._Element, name: str) -> str | None:
    element = parent.find(_am(name))
    if element is None:
        return None
    return element.findtext(qualified(METADATA_NS, "kode"))
