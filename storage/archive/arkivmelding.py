"""Writing an `ArchiveMessage` as ``arkivmelding.xml`` (Fiks Arkiv V1, *arkivmelding.opprett*).

`write_arkivmelding(message)` gives UTF-8 XML with its declaration, in the schema's element order.
The message's shape (case folder or a reference to an existing case, one record, one document
per file) is explained in ``followup.archive.messages``. Two things the schema asks that are
easy to miss: the case and record are typed (``xsi:type="saksmappe"``, ``"journalpost"``), and
the children of the metadata catalogue's types (a code's *kode* and *beskrivelse*, an external
key's *fagsystem* and *noekkel*, a case number's parts, a unit's *navn*) are in the catalogue's
namespace (prefix ``n5mdk``), not the message's.

Dates are ``xs:date`` (``2025-03-01``); received and sent times are ``xs:dateTime`` with their
offset, whole seconds. Characters XML cannot hold are left out of texts (keys cannot have them:
``followup.archive`` refuses them). The same message always gives the same bytes.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from lxml import etree

from followup.archive.codes import (
    CHECKSUM_ALGORITHM,
    DocumentRole,
    DocumentStatus,
    VariantFormat,
    describe,
)
from followup.archive.messages import (
    ArchiveCase,
    ArchiveFile,
    ArchiveMessage,
    ArchiveParty,
    ArchiveRecord,
    ArchiveScreening,
)
from storage.archive.names import ARKIVMELDING_NS, METADATA_NS, XSI_NS, qualified

_NSMAP: Final = {None: ARKIVMELDING_NS, "n5mdk": METADATA_NS, "xsi": XSI_NS}
_XSI_TYPE: Final = qualified(XSI_NS, "type")
_MAX_XS_INT: Final = 2**31 - 1  # filstoerrelse is xs:int: larger files go without it
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (a vertical tab from an Excel cell): left out of texts."""


def write_arkivmelding(message: ArchiveMessage) -> bytes:
    """The message's ``arkivmelding.xml``."""
    root = etree.Element(qualified(ARKIVMELDING_NS, "arkivmelding"), nsmap=_NSMAP)
    _add(root, "system", message.system)
    _add(root, "antallFiler", str(message.file_count))
    if message.case.case_number is None:
        _write_case(root, message.case, message.system)
    _write_record(root, message)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, qualified(ARKIVMELDING_NS, name))
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _add_metadata(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, qualified(METADATA_NS, name))
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _code(parent: etree._Element, name: str, code: StrEnum) -> None:
    _free_code(parent, name, code.value, describe(code))


def _free_code(parent: etree._Element, name: str, code: str, description: str | None) -> None:
    element = _add(parent, name)
    _add_metadata(element, "kode", code)
    if description is not None:
        _add_metadata(element, "beskrivelse", description)


def _external_key(element: etree._Element, system: str, key: str) -> None:
    _add_metadata(element, "fagsystem", system)
    _add_metadata(element, "noekkel", key)


def _names(parent: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        _add_metadata(_add(parent, name), "navn", value)


def _write_case(root: etree._Element, case: ArchiveCase, system: str) -> None:
    folder = _add(root, "mappe")
    folder.set(_XSI_TYPE, "saksmappe")
    _add(folder, "tittel", case.title)
    _external_key(_add(folder, "referanseEksternNoekkel"), system, case.external_key)
    _names(folder, "administrativEnhet", case.administrative_unit)
    _names(folder, "saksansvarlig", case.case_responsible)


def _write_parent_reference(record: etree._Element, case: ArchiveCase, system: str) -> None:
    reference = _add(record, "referanseForelderMappe")
    number = case.case_number
    if number is None:
        key = _add_metadata(reference, "referanseEksternNoekkel")
        _external_key(key, system, case.external_key)
        return
    case_number = _add_metadata(reference, "saksnummer")
    _add_metadata(case_number, "saksaar", str(number[0]))
    _add_metadata(case_number, "sakssekvensnummer", str(number[1]))


def _write_screening(parent: etree._Element, screening: ArchiveScreening) -> None:
    element = _add(parent, "skjerming")
    _free_code(element, "tilgangsrestriksjon", screening.access_restriction, None)
    _add(element, "skjermingshjemmel", screening.legal_basis)


def _write_document(
    record: etree._Element,
    number: int,
    reference: str,
    file: ArchiveFile,
    screening: ArchiveScreening | None,
) -> None:
    document = _add(record, "dokumentbeskrivelse")
    _code(document, "dokumenttype", file.document_type)
    _code(document, "dokumentstatus", DocumentStatus.FINISHED)
    _add(document, "tittel", file.title)
    _code(document, "tilknyttetRegistreringSom", file.role)
    _add(document, "dokumentnummer", str(number))
    if screening is not None and screening.screens_documents:
        _write_screening(document, screening)
    content = _add(document, "dokumentobjekt")
    _add(content, "versjonsnummer", "1")
    _code(content, "variantformat", VariantFormat.PRODUCTION)
    _add(content, "mimeType", file.mime_type)
    _add(content, "filnavn", file.name)
    _add(content, "referanseDokumentfil", reference)
    _add(content, "sjekksum", file.sha256)
    _add(content, "sjekksumAlgoritme", CHECKSUM_ALGORITHM)
    if file.size <= _MAX_XS_INT:
        _add(content, "filstoerrelse", str(file.size))


def _write_party(record: etree._Element, party: ArchiveParty) -> None:
    element = _add(record, "korrespondansepart")
    _code(element, "korrespondanseparttype", party.role)
    _add(element, "korrespondansepartNavn", party.name)
    if party.organisation_number is not None:
        _add(element, "organisasjonid", party.organisation_number)
    if party.contact_person is not None:
        _add(element, "kontaktperson", party.contact_person)


def _write_record(root: etree._Element, message: ArchiveMessage) -> None:
    record: ArchiveRecord = message.record
    element = _add(root, "registrering")
    element.set(_XSI_TYPE, "journalpost")
    _write_parent_reference(element, message.case, message.system)
    if record.screening is not None and record.screening.screens_record:
        _write_screening(element, record.screening)
    for number, (reference, file) in enumerate(record.referenced_files, start=1):
        _write_document(element, number, reference, file, record.screening)
    _add(element, "tittel", record.title)
    if record.public_title is not None:
        _add(element, "offentligTittel", record.public_title)
    if record.description is not None:
        _add(element, "beskrivelse", record.description)
    for party in record.parties:
        _write_party(element, party)
    _external_key(_add(element, "referanseEksternNoekkel"), message.system, record.external_key)
    # journalpost's own elements follow registrering's
    _code(element, "journalposttype", record.record_type)
    _code(element, "journalstatus", record.status)
    _add(element, "dokumentetsDato", _date(record.document_date))
    if record.received_at is not None:
        _add(element, "mottattDato", _date_time(record.received_at))
    if record.sent_at is not None:
        _add(element, "sendtDato", _date_time(record.sent_at))
    attachments = sum(file.role is DocumentRole.ATTACHMENT for file in record.files)
    _add(element, "antallVedlegg", str(attachments))


def _date(value: date) -> str:
    return value.isoformat()


def _date_time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()
