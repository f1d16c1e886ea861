"""ASiC-E containers (ETSI EN 319 162-1) as Fiks Arkiv carries messages in them, unsigned.

`pack_asice(xml, files)` writes a zip whose FIRST entry is ``mimetype``, stored (not compressed)
with no extra field and the content ``application/vnd.etsi.asic-e+zip``, so the type can be read
at a fixed offset; then ``arkivmelding.xml``, the files, and ``META-INF/manifest.xml`` (the ODF
manifest an unsigned ASiC-E carries: every entry with its media type). Timestamps and
attributes are fixed, so the same input gives the same bytes.

`read_asice(data)` gives back ``(arkivmelding.xml, {name: bytes})`` after checking that
structure, and raises `MalformedContainer` saying what is wrong. Entries under ``META-INF/``
besides the manifest (e.g. a signature a real Fiks IO client adds) are allowed and skipped.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Final

from lxml import etree

from followup.archive.naming import guess_mime_type
from storage.archive.errors import MalformedContainer
from storage.archive.names import ARKIVMELDING_FILE
from storage.archive.schema import parse_xml

ASICE_MIME_TYPE: Final = "application/vnd.etsi.asic-e+zip"
MIMETYPE_ENTRY: Final = "mimetype"
MANIFEST_ENTRY: Final = "META-INF/manifest.xml"
MANIFEST_NS: Final = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
XML_MEDIA_TYPE: Final = "text/xml"

_FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
_UNIX: Final = 3
_FILE_MODE: Final = 0o100644 << 16
_META_INF: Final = "META-INF/"


def pack_asice(
    xml: bytes,
    files: Sequence[tuple[str, bytes]],
    media_types: Mapping[str, str] | None = None,
) -> bytes:
    """An ASiC-E container with ``arkivmelding.xml`` and `files` (name, bytes), in that order.
    `media_types` names each file's type for the manifest (guessed from the name otherwise)."""
    names = [name for name, _ in files]
    reserved = {MIMETYPE_ENTRY, ARKIVMELDING_FILE, MANIFEST_ENTRY}
    for name in names:
        _check_entry_name(name)
        if name in reserved or name.startswith(_META_INF):
            raise MalformedContainer(f"a file cannot be named {name!r} in a container")
    if len(set(names)) != len(names):
        raise MalformedContainer("two files have the same name")
    types = {name: (media_types or {}).get(name) or guess_mime_type(name) for name in names}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, MIMETYPE_ENTRY, ASICE_MIME_TYPE.encode("ascii"), zipfile.ZIP_STORED)
        _write(archive, ARKIVMELDING_FILE, xml, zipfile.ZIP_DEFLATED)
        for name, data in files:
            _write(archive, name, data, zipfile.ZIP_DEFLATED)
        manifest = _manifest([(ARKIVMELDING_FILE, XML_MEDIA_TYPE), *types.items()])
        _write(archive, MANIFEST_ENTRY, manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def read_asice(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """``arkivmelding.xml`` and the other files of a container; raises `MalformedContainer`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise MalformedContainer(f"not a zip file: {error}") from error
    with archive:
        entries = archive.infolist()
        _check_mimetype(archive, entries)
        names = [entry.filename for entry in entries]
        if len(set(names)) != len(names):
            raise MalformedContainer("the container holds two entries with the same name")
        contents: dict[str, bytes] = {}
        for entry in entries[1:]:
            _check_entry_name(entry.filename)
            if entry.is_dir():
                continue
            contents[entry.filename] = _read(archive, entry)
    if ARKIVMELDING_FILE not in contents:
        raise MalformedContainer(f"the container has no {ARKIVMELDING_FILE}")
    if MANIFEST_ENTRY not in contents:
        raise MalformedContainer(f"the container has no {MANIFEST_ENTRY}")
    files = {
        name: content
        for name, content in contents.items()
        if name != ARKIVMELDING_FILE and not name.startswith(_META_INF)
    }
    listed = _manifest_paths(contents[MANIFEST_ENTRY])
    for name in (ARKIVMELDING_FILE, *files):
        if name not in listed:
            raise MalformedContainer(f"the manifest does not list {name!r}")
    return contents[ARKIVMELDING_FILE], files


def _write(archive: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = method
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE
    archive.writestr(info, data, compresslevel=6 if method == zipfile.ZIP_DEFLATED else None)


def _manifest(entries: Sequence[tuple[str, str]]) -> bytes:
    def attribute(name: str) -> str:
        return f"{{{MANIFEST_NS}}}{name}"

    root = etree.Element(attribute("manifest"), nsmap={"manifest": MANIFEST_NS})
    root.set(attribute("version"), "1.2")
    for path, media_type in [("/", ASICE_MIME_TYPE), *entries]:
        entry = etree.SubElement(root, attribute("file-entry"))
        entry.set(attribute("full-path"), path)
        entry.set(attribute("media-type"), media_type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _manifest_paths(manifest: bytes) -> set[str]:
    try:
        root = parse_xml(manifest)
    except etree.XMLSyntaxError as error:
        raise MalformedContainer(f"{MANIFEST_ENTRY} is not well-formed XML: {error}") from error
    if root.tag != f"{{{MANIFEST_NS}}}manifest":
        raise MalformedContainer(f"{MANIFEST_ENTRY} is not an ODF manifest")
    return {
        str(entry.get(f"{{{MANIFEST_NS}}}full-path"))
        for entry in root.iterchildren(f"{{{MANIFEST_NS}}}file-entry")
    }


def _check_mimetype(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    if not entries or entries[0].filename != MIMETYPE_ENTRY:
        raise MalformedContainer("the first entry is not 'mimetype'")
    first = entries[0]
    if first.compress_type != zipfile.ZIP_STORED:
        raise MalformedContainer("'mimetype' is compressed; ASiC-E stores it as it is")
    if first.extra:
        raise MalformedContainer("'mimetype' has an extra field; ASiC-E allows none")
    if _read(archive, first) != ASICE_MIME_TYPE.encode("ascii"):
        raise MalformedContainer(f"'mimetype' does not say {ASICE_MIME_TYPE}")


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise MalformedContainer(f"{entry.filename!r} cannot be read: {error}") from error
    except (NotImplementedError, RuntimeError) as error:  # unknown compression, encryption
        raise MalformedContainer(f"{entry.filename!r} cannot be read: {error}") from error


def _check_entry_name(name: str) -> None:
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or ".." in parts or "" in parts[:-1]:
        raise MalformedContainer(f"unsafe entry name {name!r}")
