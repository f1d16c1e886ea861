"""The archive's receipt (``arkivmelding.opprett.kvittering``) as XML, both ways.

`parse_receipt(xml, schema)` validates the answer against the V1 receipt schema (raising
`InvalidReceipt` otherwise) and reduces it to an `ArchiveReceipt`: the case's and record's
*systemID*, numbers and echoed external keys. A receipt that reports a failure (*mappeFeilet*,
*registreringFeilet*) raises `ArchiveReportedFailure` with the archive's *feilId* and text.

`write_receipt(receipt)` is the other way, for the stand-in archive: the case part as
``mappeKvittering xsi:type="saksmappeKvittering"`` (when there is one) and the record part as
``registreringKvittering xsi:type="journalpostKvittering"``.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from followup.archive.receipts import ArchiveReceipt, ExternalKey
from storage.archive.errors import ArchiveReportedFailure, InvalidReceipt
from storage.archive.names import (
    CREATED,
    ERROR_NS,
    EXISTING,
    METADATA_NS,
    RECEIPT_NS,
    XSI_NS,
    qualified,
)
from storage.archive.schema import ArchiveSchema, parse_xml

_NSMAP: Final = {None: RECEIPT_NS, "n5mdk": METADATA_NS, "xsi": XSI_NS}
_XSI_TYPE: Final = qualified(XSI_NS, "type")


def parse_receipt(xml: bytes, schema: ArchiveSchema) -> ArchiveReceipt:
    """The receipt's ids; raises `InvalidReceipt` or `ArchiveReportedFailure`."""
    schema.check_receipt(xml)
    root = parse_xml(xml)
    for part, tag in (("case", "mappeFeilet"), ("record", "registreringFeilet")):
        failure = root.find(qualified(RECEIPT_NS, tag))
        if failure is not None:
            raise ArchiveReportedFailure(
                part,
                failure.findtext(qualified(ERROR_NS, "feilId"), ""),
                failure.findtext(qualified(ERROR_NS, "feilmelding"), ""),
            )
    record = root.find(qualified(RECEIPT_NS, "registreringKvittering"))
    if record is None:
        raise InvalidReceipt("the receipt has no record part (registreringKvittering)")
    case = root.find(qualified(RECEIPT_NS, "mappeKvittering"))
    return ArchiveReceipt(
        record_system_id=_text(record, "systemID") or "",
        record_created=_text(record, "opprettetEllerEksisterende") == CREATED,
        record_key=_key(record),
        journal_year=_number(record, "journalaar"),
        journal_sequence=_number(record, "journalsekvensnummer"),
        journal_post_number=_number(record, "journalpostnummer"),
        record_id=_text(record, "registreringsID"),
        case_system_id=None if case is None else _text(case, "systemID"),
        case_created=None if case is None else _text(case, "opprettetEllerEksisterende") == CREATED,
        case_key=None if case is None else _key(case),
        case_year=None if case is None else _number(case, "saksaar"),
        case_sequence=None if case is None else _number(case, "sakssekvensnummer"),
        case_id=None if case is None else _text(case, "mappeID"),
    )


def write_receipt(receipt: ArchiveReceipt) -> bytes:
    """The receipt as the archive sends it (valid against the V1 receipt schema)."""
    root = etree.Element(qualified(RECEIPT_NS, "arkivmeldingKvittering"), nsmap=_NSMAP)
    if receipt.case_system_id is not None:
        case = _element(root, "mappeKvittering")
        case.set(_XSI_TYPE, "saksmappeKvittering")
        _add(case, "systemID", receipt.case_system_id)
        _add(case, "mappeID", receipt.case_id)
        _add_key(case, receipt.case_key)
        _add(case, "opprettetEllerEksisterende", CREATED if receipt.case_created else EXISTING)
        _add(case, "saksaar", _str(receipt.case_year))
        _add(case, "sakssekvensnummer", _str(receipt.case_sequence))
    record = _element(root, "registreringKvittering")
    record.set(_XSI_TYPE, "journalpostKvittering")
    _add(record, "systemID", receipt.record_system_id)
    _add(record, "registreringsID", receipt.record_id)
    _add_key(record, receipt.record_key)
    _add(record, "opprettetEllerEksisterende", CREATED if receipt.record_created else EXISTING)
    _add(record, "journalaar", _str(receipt.journal_year))
    _add(record, "journalsekvensnummer", _str(receipt.journal_sequence))
    _add(record, "journalpostnummer", _str(receipt.journal_post_number))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _element(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, qualified(RECEIPT_NS, name))


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        _element(parent, name).text = text


def _add_key(parent: etree._Element, key: ExternalKey | None) -> None:
    if key is not None:
        element = _element(parent, "referanseEksternNoekkel")
        etree.SubElement(element, qualified(METADATA_NS, "fagsystem")).text = key.system
        etree.SubElement(element, qualified(METADATA_NS, "noekkel")).text = key.key


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


def _text(parent: etree._Element, name: str) -> str | None:
    text = parent.findtext(qualified(RECEIPT_NS, name))
    return None if text is None else text.strip()


def _number(parent: etree._Element, name: str) -> int | None:
    text = _text(parent, name)
    return None if text is None else int(text)  # xs:int: the schema has checked the digits


def _key(parent: etree._Element) -> ExternalKey | None:
    element = parent.find(qualified(RECEIPT_NS, "referanseEksternNoekkel"))
    if element is None:
        return None
    return ExternalKey(
        system=element.findtext(qualified(METADATA_NS, "fagsystem"), "").strip(),
        key=element.findtext(qualified(METADATA_NS, "noekkel"), "").strip(),
    )
