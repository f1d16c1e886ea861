"""arkivmelding.xml against KS' official V1 schema, and the ASiC-E container around it."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from followup.archive import ArchiveFileChanged, ArchiveMessage, sha256_of
from storage.archive import (
    ARKIVMELDING_FILE,
    ArchiveSchema,
    MalformedContainer,
    MissingFile,
    SchemaFolderError,
    SchemaViolation,
    pack_asice,
    package_message,
    read_asice,
    write_arkivmelding,
)
from storage.archive.asice import ASICE_MIME_TYPE, MANIFEST_ENTRY, MANIFEST_NS
from storage.archive.names import ARKIVMELDING_NS, METADATA_NS
from storage.archive.reading import read_container
from tests.archive_world import (
    SCHEMA_FOLDER,
    SUPPLIER_ORGNR,
    all_samples,
    archive_schema,
    deviation_with_attachment,
    internal_note,
    supplier_document,
    tax_certificate,
)

NS = {"a": ARKIVMELDING_NS, "m": METADATA_NS}
SAMPLES = all_samples()


def _xml(message: ArchiveMessage) -> etree._Element:
    return etree.fromstring(write_arkivmelding(message))


def _texts(root: etree._Element, path: str) -> list[str]:
    return [str(element.text) for element in root.xpath(path, namespaces=NS)]


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_kind_of_message_validates_against_the_official_schema(kind: str) -> None:
    xml = write_arkivmelding(SAMPLES[kind])
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert archive_schema().validate(xml) == []


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_antall_filer_and_every_named_file_match_the_container(kind: str) -> None:
    message = SAMPLES[kind]
    container = package_message(message, archive_schema())
    xml, files = read_asice(container)
    root = etree.fromstring(xml)
    references = _texts(root, "//a:dokumentobjekt/a:referanseDokumentfil")
    assert _texts(root, "/a:arkivmelding/a:antallFiler") == [str(len(message.record.files))]
    assert sorted(references) == sorted(files)
    for content in root.xpath("//a:dokumentobjekt", namespaces=NS):
        name = content.findtext(f"{{{ARKIVMELDING_NS}}}referanseDokumentfil")
        assert content.findtext(f"{{{ARKIVMELDING_NS}}}sjekksum") == sha256_of(files[name])
        assert content.findtext(f"{{{ARKIVMELDING_NS}}}sjekksumAlgoritme") == "SHA-256"
        assert content.findtext(f"{{{ARKIVMELDING_NS}}}filstoerrelse") == str(len(files[name]))


def test_the_supplier_is_the_sender_with_its_organisation_number() -> None:
    root = _xml(supplier_document())
    party = root.xpath("//a:korrespondansepart", namespaces=NS)
    assert len(party) == 1
    assert _texts(party[0], "a:korrespondanseparttype/m:kode") == ["EA"]
    assert _texts(party[0], "a:korrespondansepartNavn") == ["Fjordvik Renhold AS"]
    assert _texts(party[0], "a:organisasjonid") == [SUPPLIER_ORGNR]
    assert _texts(party[0], "a:kontaktperson") == ["Åse Ødegård"]
    assert _texts(root, "//a:registrering/a:journalposttype/m:kode") == ["I"]
    assert _texts(root, "//a:registrering/a:mottattDato") == ["2025-03-04T09:30:00+00:00"]


def test_a_new_case_travels_with_the_record_and_is_found_by_its_key() -> None:
    root = _xml(supplier_document())
    folder = root.xpath("/a:arkivmelding/a:mappe", namespaces=NS)[0]
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    assert folder.get(xsi_type) == "saksmappe"
    assert _texts(folder, "a:referanseEksternNoekkel/m:fagsystem") == ["Kontraktsvakt"]
    assert _texts(folder, "a:referanseEksternNoekkel/m:noekkel") == ["kontrakt-17"]
    reference = "//a:registrering/a:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel"
    assert _texts(root, reference) == ["kontrakt-17"]
    assert _texts(root, "//a:registrering/a:referanseEksternNoekkel/m:noekkel") == [
        "kontrakt-17/dok/1"
    ]


def test_an_existing_case_is_named_by_its_number_and_not_created_again() -> None:
    root = _xml(SAMPLES["existing case"])
    assert root.xpath("/a:arkivmelding/a:mappe", namespaces=NS) == []
    number = "//a:referanseForelderMappe/m:saksnummer"
    assert _texts(root, f"{number}/m:saksaar") == ["2024"]
    assert _texts(root, f"{number}/m:sakssekvensnummer") == ["1234"]


def test_a_tax_certificate_is_screened_under_offentleglova_13() -> None:
    root = _xml(tax_certificate())
    for place in ("//a:registrering/a:skjerming", "//a:dokumentbeskrivelse/a:skjerming"):
        screening = root.xpath(place, namespaces=NS)
        assert len(screening) == 1, place
        assert _texts(screening[0], "a:tilgangsrestriksjon/m:kode") == ["13"]
        assert _texts(screening[0], "a:skjermingshjemmel") == ["Offl. § 13 jf. fvl. § 13"]
    assert _texts(root, "//a:registrering/a:offentligTittel") == ["Skatteattest for ******"]


def test_an_unscreened_record_has_no_screening() -> None:
    assert _xml(supplier_document()).xpath("//a:skjerming", namespaces=NS) == []


def test_an_internal_note_has_no_files() -> None:
    message = internal_note()
    root = _xml(message)
    assert _texts(root, "/a:arkivmelding/a:antallFiler") == ["0"]
    assert root.xpath("//a:dokumentbeskrivelse", namespaces=NS) == []
    _, files = read_asice(package_message(message, archive_schema()))
    assert files == {}


def test_two_files_are_two_numbered_documents_main_first() -> None:
    root = _xml(deviation_with_attachment())
    documents = root.xpath("//a:dokumentbeskrivelse", namespaces=NS)
    assert [_texts(d, "a:dokumentnummer")[0] for d in documents] == ["1", "2"]
    assert [_texts(d, "a:tilknyttetRegistreringSom/m:kode")[0] for d in documents] == ["H", "V"]
    assert [_texts(d, "a:dokumenttype/m:kode")[0] for d in documents] == ["RAPPORT", "FOTO"]
    assert _texts(root, "//a:registrering/a:antallVedlegg") == ["1"]


def test_norwegian_letters_survive_in_titles_and_file_names() -> None:
    message = supplier_document()
    container = package_message(message, archive_schema())
    xml, files = read_asice(container)
    root = etree.fromstring(xml)
    assert _texts(root, "//a:registrering/a:tittel") == [message.record.title]
    assert "æ" in message.record.title
    assert _texts(root, "//a:dokumentobjekt/a:filnavn") == [
        "Egenerklæring lønns- og arbeidsvilkår.pdf"
    ]
    assert list(files) == ["01-Egenerklaering_loenns-_og_arbeidsvilkaar.pdf"]
    assert all(name.isascii() for name in files)


def test_characters_xml_cannot_hold_are_left_out_of_texts() -> None:
    message = internal_note()
    excel_title = "Beslutning:\x0bopsjon utløses\x00"
    xml = write_arkivmelding(replace(message, record=replace(message.record, title=excel_title)))
    assert archive_schema().validate(xml) == []
    assert _texts(etree.fromstring(xml), "//a:registrering/a:tittel") == [
        "Beslutning:opsjon utløses"
    ]


def test_the_same_message_gives_the_same_container_bytes() -> None:
    first = package_message(deviation_with_attachment(), archive_schema())
    again = package_message(deviation_with_attachment(), archive_schema())
    assert first == again
    other = package_message(tax_certificate(), archive_schema())
    assert other != first


def test_the_first_entry_is_the_stored_mimetype() -> None:
    container = package_message(supplier_document(), archive_schema())
    first = zipfile.ZipFile(io.BytesIO(container)).infolist()[0]
    assert (first.filename, first.compress_type, first.extra) == (
        "mimetype",
        zipfile.ZIP_STORED,
        b"",
    )
    # ASiC (ETSI EN 319 162-1 A.1): the type can be read at a fixed offset of the file.
    assert container[:4] == b"PK\x03\x04"
    name_length, extra_length = struct.unpack("<HH", container[26:30])
    assert (name_length, extra_length) == (8, 0)
    assert container[30:38] == b"mimetype"
    assert container[38 : 38 + len(ASICE_MIME_TYPE)] == ASICE_MIME_TYPE.encode()


def test_the_manifest_lists_every_entry_with_its_media_type() -> None:
    container = package_message(deviation_with_attachment(), archive_schema())
    manifest = etree.fromstring(zipfile.ZipFile(io.BytesIO(container)).read(MANIFEST_ENTRY))
    entries = {
        entry.get(f"{{{MANIFEST_NS}}}full-path"): entry.get(f"{{{MANIFEST_NS}}}media-type")
        for entry in manifest
    }
    assert entries == {
        "/": ASICE_MIME_TYPE,
        ARKIVMELDING_FILE: "text/xml",
        "01-Avviksrapport.docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        "02-bilde_gang_2._etasje.jpg": "image/jpeg",
    }


def test_a_deliberately_wrong_message_is_refused_by_the_schema() -> None:
    xml = write_arkivmelding(supplier_document())
    wrong = xml.replace(b"<tittel>Egenerkl", b"<title>Egenerkl").replace(
        b"arbeidsvilk\xc3\xa5r fra Fjordvik Renhold AS</tittel>",
        b"arbeidsvilk\xc3\xa5r fra Fjordvik Renhold AS</title>",
    )
    assert wrong != xml
    errors = archive_schema().validate(wrong)
    assert errors
    assert "title" in errors[0]
    with pytest.raises(SchemaViolation) as caught:
        archive_schema().check(wrong)
    assert caught.value.errors == tuple(errors)


def test_a_wrong_code_structure_and_bad_xml_are_refused() -> None:
    xml = write_arkivmelding(internal_note())
    # A code written as plain text instead of kode/beskrivelse
    start = xml.index(b"<journalposttype>")
    end = xml.index(b"</journalposttype>") + len(b"</journalposttype>")
    plain = xml[:start] + b"<journalposttype>X</journalposttype>" + xml[end:]
    assert archive_schema().validate(plain)
    assert archive_schema().validate(b"<arkivmelding>")[0].startswith("not well-formed")


def test_a_container_missing_a_named_file_is_refused() -> None:
    message = deviation_with_attachment()
    xml = write_arkivmelding(message)
    only_main = [(name, file.read()) for name, file in message.record.referenced_files[:1]]
    container = pack_asice(xml, only_main)
    with pytest.raises(MissingFile) as caught:
        read_container(container, archive_schema())
    assert caught.value.name == "02-bilde_gang_2._etasje.jpg"


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def _broken_containers() -> dict[str, bytes]:
    good = package_message(supplier_document(), archive_schema())
    xml, files = read_asice(good)
    manifest = zipfile.ZipFile(io.BytesIO(good)).read(MANIFEST_ENTRY)
    mimetype = ASICE_MIME_TYPE.encode()
    stored, deflated = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
    file_name, data = next(iter(files.items()))
    return {
        "not a zip": b"this is not a zip file",
        "truncated": good[: len(good) // 2],
        "mimetype not first": _zip([
            (ARKIVMELDING_FILE, xml, deflated), ("mimetype", mimetype, stored),
            (MANIFEST_ENTRY, manifest, deflated),
        ]),
        "mimetype compressed": _zip([
            ("mimetype", mimetype, deflated), (ARKIVMELDING_FILE, xml, deflated),
            (MANIFEST_ENTRY, manifest, deflated),
        ]),
        "wrong mimetype": _zip([
            ("mimetype", b"application/zip", stored), (ARKIVMELDING_FILE, xml, deflated),
            (MANIFEST_ENTRY, manifest, deflated),
        ]),
        "no arkivmelding": _zip([
            ("mimetype", mimetype, stored), (MANIFEST_ENTRY, manifest, deflated),
        ]),
        "no manifest": _zip([("mimetype", mimetype, stored), (ARKIVMELDING_FILE, xml, deflated)]),
        "file not in manifest": _zip([
            ("mimetype", mimetype, stored), (ARKIVMELDING_FILE, xml, deflated),
            (MANIFEST_ENTRY, manifest, deflated), ("extra.pdf", data, deflated),
        ]),
        "path out of the container": _zip([
            ("mimetype", mimetype, stored), (ARKIVMELDING_FILE, xml, deflated),
            (MANIFEST_ENTRY, manifest, deflated), (f"../{file_name}", data, deflated),
        ]),
    }  # fmt: skip


BROKEN = [
    "not a zip", "truncated", "mimetype not first", "mimetype compressed", "wrong mimetype",
    "no arkivmelding", "no manifest", "file not in manifest", "path out of the container",
]  # fmt: skip


def test_the_broken_containers_are_the_ones_listed() -> None:
    assert sorted(_broken_containers()) == sorted(BROKEN)


@pytest.mark.parametrize("why", BROKEN)
def test_broken_containers_are_refused(why: str) -> None:
    container = _broken_containers()[why]
    with pytest.raises(MalformedContainer):
        read_asice(container)


def test_packing_refuses_duplicate_and_reserved_names() -> None:
    with pytest.raises(MalformedContainer):
        pack_asice(b"<x/>", [("a.pdf", b"1"), ("a.pdf", b"2")])
    for reserved in ("mimetype", ARKIVMELDING_FILE, "META-INF/signatures.xml", "../a.pdf"):
        with pytest.raises(MalformedContainer):
            pack_asice(b"<x/>", [(reserved, b"1")])


def test_a_file_changed_since_the_message_was_made_does_not_leave() -> None:
    message = supplier_document()
    file = message.record.files[0]
    changed = replace(file, source=lambda: b"another file")
    tampered = replace(message, record=replace(message.record, files=(changed,)))
    with pytest.raises(ArchiveFileChanged):
        package_message(tampered, archive_schema())


def test_the_schema_folder_must_exist_and_stay_local(tmp_path: Path) -> None:
    with pytest.raises(SchemaFolderError):
        ArchiveSchema.load(tmp_path / "nowhere")
    with pytest.raises(SchemaFolderError):
        ArchiveSchema.load(tmp_path)  # empty: no schema files
    copy = tmp_path / "copy"
    shutil.copytree(SCHEMA_FOLDER, copy)
    message_schema = copy / "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
    message_schema.chmod(0o644)
    text = message_schema.read_text(encoding="utf-8")
    message_schema.write_text(
        text.replace('schemaLocation="./metadatakatalog.xsd"',
                     'schemaLocation="https://example.invalid/metadatakatalog.xsd"'),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(SchemaFolderError, match="outside the folder"):
        ArchiveSchema.load(copy)
