"""Validation against the official Fiks Arkiv V1 schemas (KS' XSD files, unchanged).

The schema folder is third-party and not in this repository: the product gets it from a
setting, the tests use ``shared/schemas/fiks-arkiv-v1`` beside the repository. `ArchiveSchema.load`
compiles the message and receipt schemas once per folder. Imports resolve inside that folder
only: any other location (a URL, a path outside) is refused, so validation never reaches the
network. XML is parsed without entities, DTD loading or network access.

    schema = ArchiveSchema.load(folder)
    schema.validate(xml)         # [] or readable errors ("line 12: Element … is not expected")
    schema.check(xml)            # raises SchemaViolation
    schema.check_receipt(xml)    # the same for the archive's receipt
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from storage.archive.errors import InvalidReceipt, SchemaFolderError, SchemaViolation
from storage.archive.names import ARKIVMELDING_SCHEMA, RECEIPT_SCHEMA


def safe_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(xml: bytes) -> etree._Element:
    """Parse untrusted XML; raises `etree.XMLSyntaxError` when it is not well-formed."""
    return etree.fromstring(xml, parser=safe_parser())


class _InsideFolder(etree.Resolver):
    """Resolves schema imports to files in one folder and refuses everything else."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder
        self.refused: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        parts = urlsplit(system_url or "")
        local = parts.scheme in ("", "file") and not parts.netloc and parts.path
        if not local or not Path(unquote(parts.path)).resolve().is_relative_to(self._folder):
            self.refused.append(str(system_url))
            # lxml turns this into XMLSchemaParseError; `_compile` says why
            raise SchemaFolderError(f"schema import outside the folder refused: {system_url}")
        # None: libxml2 reads the (checked, local) file itself.


def _compile(folder: Path, file_name: str) -> etree.XMLSchema:
    path = folder / file_name
    if not path.is_file():
        raise SchemaFolderError(f"{file_name} is missing from {folder}")
    parser = safe_parser()
    resolver = _InsideFolder(folder)
    parser.resolvers.add(resolver)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
        if resolver.refused:
            raise SchemaFolderError(
                f"{file_name} in {folder} imports from outside the folder, refused: "
                + ", ".join(resolver.refused)
            ) from error
        raise SchemaFolderError(f"{file_name} in {folder} cannot be used: {error}") from error


def _errors(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    try:
        document = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    if schema.validate(document):
        return []
    return [f"line {entry.line}: {entry.message}" for entry in schema.error_log]


@dataclass(frozen=True, slots=True, eq=False)
class ArchiveSchema:
    """The compiled message and receipt schemas of one schema folder. Validation is
    synchronous and CPU-bound (milliseconds for a message). lxml keeps a validator's last error
    log on it, so validate from one thread at a time (the event loop, or one worker)."""

    folder: Path
    _message: etree.XMLSchema
    _receipt: etree.XMLSchema

    @classmethod
    def load(cls, folder: Path) -> ArchiveSchema:
        """The schemas in `folder` (compiled once per folder); raises `SchemaFolderError`."""
        resolved = folder.resolve()
        if not resolved.is_dir():
            raise SchemaFolderError(f"the Fiks Arkiv schema folder {folder} does not exist")
        return _load(resolved)

    def validate(self, xml: bytes) -> list[str]:
        """What is wrong with an ``arkivmelding.xml`` (empty when it validates)."""
        return _errors(self._message, xml)

    def check(self, xml: bytes) -> None:
        """Raise `SchemaViolation` unless `xml` is a valid ``arkivmelding.xml``."""
        if errors := self.validate(xml):
            raise SchemaViolation("arkivmelding.xml", errors)

    def validate_receipt(self, xml: bytes) -> list[str]:
        """What is wrong with an ``arkivmelding.opprett.kvittering`` (empty when valid)."""
        return _errors(self._receipt, xml)

    def check_receipt(self, xml: bytes) -> None:
        """Raise `InvalidReceipt` unless `xml` is a valid receipt."""
        if errors := self.validate_receipt(xml):
            raise InvalidReceipt("the receipt does not validate against the V1 schema", errors)


@cache
def _load(folder: Path) -> ArchiveSchema:
    return ArchiveSchema(
        folder, _compile(folder, ARKIVMELDING_SCHEMA), _compile(folder, RECEIPT_SCHEMA)
    )
