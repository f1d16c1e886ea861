"""Archive messages without XML: case numbers, stable ids, file names, checks, code lists."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import pytest

from followup.archive import (
    ArchiveCase,
    ArchiveFile,
    ArchiveFileChanged,
    ArchiveParty,
    ArchiveRecord,
    CorrespondenceRole,
    DocumentRole,
    RecordType,
    container_name,
    message_id_for,
    parse_case_number,
    sha256_of,
)
from followup.archive.codes import CODE_LISTS, describe
from followup.archive.naming import guess_mime_type
from tests.archive_world import SCHEMA_FOLDER, deviation_with_attachment, supplier_document


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025/1234", (2025, 1234)),
        ("25/1234", (2025, 1234)),
        ("2025-1234", (2025, 1234)),
        (" 2025 / 1234 ", (2025, 1234)),
        ("2025/01234", (2025, 1234)),
        ("Saksnr. 2025/1234", (2025, 1234)),
        ("saksnummer: 24/17", (2024, 17)),
        ("2025/1234-5", (2025, 1234)),  # a record's number: the case is the first part
        ("99/12", (1999, 12)),
        ("69/12", (2069, 12)),
    ],
)
def test_case_numbers_as_registers_write_them(written: str, expected: tuple[int, int]) -> None:
    assert parse_case_number(written) == expected


@pytest.mark.parametrize(
    "junk",
    [None, "", "   ", "ukjent", "2025", "2025/", "/1234", "2025/0", "2025/12/3", "12345/1", "x/1"],
)
def test_blanks_and_junk_are_no_case_number(junk: str | None) -> None:
    assert parse_case_number(junk) is None


def test_message_ids_are_stable_uuid5s_of_the_keys() -> None:
    first = message_id_for("Kontraktsvakt", "kontrakt-17", "kontrakt-17/dok/1")
    assert first == message_id_for("Kontraktsvakt", "kontrakt-17", "kontrakt-17/dok/1")
    assert first.version == 5
    # Pinned: an id that changed between versions would send every record again.
    assert first == UUID("24b51c17-c1cb-54c1-8394-ec5ca502f769")
    assert message_id_for("Kontraktsvakt", "kontrakt-17", "kontrakt-17/dok/2") != first
    assert message_id_for("Kontraktsvakt", "kontrakt-18", "kontrakt-17/dok/1") != first
    assert message_id_for("Annet", "kontrakt-17", "kontrakt-17/dok/1") != first
    # The parts cannot run into each other.
    assert message_id_for("a", "b/c", "d") != message_id_for("a", "b", "c/d")


def test_a_message_id_depends_on_the_keys_only() -> None:
    message = supplier_document()
    changed = replace(message, record=replace(message.record, title="Ny tittel", files=()))
    assert message.message_id == changed.message_id
    assert message.message_id == message_id_for("Kontraktsvakt", "kontrakt-17", "kontrakt-17/dok/1")


def test_sha256_is_lower_case_hex() -> None:
    assert sha256_of(b"abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


@pytest.mark.parametrize(
    ("number", "name", "expected"),
    [
        (1, "Skatteattest æøå ÆØÅ.pdf", "01-Skatteattest_aeoeaa_AEOEAA.pdf"),
        (2, "bilde gang, 2. etasje.jpg", "02-bilde_gang_2._etasje.jpg"),
        (3, "Rapport (endelig) – café.docx", "03-Rapport_endelig_cafe.docx"),
        (4, "uten-filtype", "04-uten-filtype"),
        (5, "ææ", "05-aeae"),
        (6, "???.pdf", "06-fil.pdf"),
        (12, "../../etc/passwd", "12-passwd"),
        (13, "C:\\Users\\kari\\Tilbud.pdf", "13-Tilbud.pdf"),
    ],
)
def test_container_names_are_ascii_and_numbered(number: int, name: str, expected: str) -> None:
    assert container_name(number, name) == expected


def test_long_container_names_are_cut_but_keep_their_type() -> None:
    name = container_name(1, "a" * 300 + ".pdf")
    assert len(name) <= 120
    assert name.startswith("01-a")
    assert name.endswith(".pdf")


def test_the_main_document_travels_first() -> None:
    record = deviation_with_attachment().record
    names = [name for name, _ in record.referenced_files]
    roles = [file.role for _, file in record.referenced_files]
    assert names == ["01-Avviksrapport.docx", "02-bilde_gang_2._etasje.jpg"]
    assert roles == [DocumentRole.MAIN, DocumentRole.ATTACHMENT]


def test_a_file_in_memory_knows_its_size_checksum_and_type() -> None:
    file = ArchiveFile.of_bytes(name="Attest.PDF", title="Attest", data=b"%PDF")
    assert (file.size, file.sha256, file.mime_type) == (4, sha256_of(b"%PDF"), "application/pdf")
    assert file.read() == b"%PDF"


def test_a_file_that_changed_after_it_was_described_is_refused() -> None:
    file = ArchiveFile.of_bytes(name="a.pdf", title="A", data=b"before")
    changed = replace(file, source=lambda: b"after")
    with pytest.raises(ArchiveFileChanged) as caught:
        changed.read()
    assert caught.value.expected == sha256_of(b"before")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.pdf", "application/pdf"),
        ("a.XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.jpg", "image/jpeg"),
        ("a.ukjent", "application/octet-stream"),
    ],
)
def test_mime_types_from_the_name(name: str, expected: str) -> None:
    assert guess_mime_type(name) == expected


def test_an_incoming_record_names_its_sender() -> None:
    with pytest.raises(ValueError, match="sender"):
        ArchiveRecord("k", RecordType.INCOMING, "Brev", date(2025, 1, 1))


def test_an_outgoing_record_names_its_recipient() -> None:
    sender = ArchiveParty("Bergen kommune", CorrespondenceRole.SENDER)
    with pytest.raises(ValueError, match="recipient"):
        ArchiveRecord("k", RecordType.OUTGOING, "Brev", date(2025, 1, 1), parties=(sender,))


def test_a_record_with_files_has_exactly_one_main_document() -> None:
    record = deviation_with_attachment().record
    two_mains = tuple(replace(file, role=DocumentRole.MAIN) for file in record.files)
    with pytest.raises(ValueError, match="one main document"):
        replace(record, files=two_mains)
    no_main = tuple(replace(file, role=DocumentRole.ATTACHMENT) for file in record.files)
    with pytest.raises(ValueError, match="one main document"):
        replace(record, files=no_main)


def test_times_must_carry_their_zone() -> None:
    record = supplier_document().record
    with pytest.raises(ValueError, match="time zone"):
        replace(record, received_at=datetime(2025, 3, 4, 9, 30))  # noqa: DTZ001


def test_an_organisation_number_must_be_one() -> None:
    with pytest.raises(ValueError, match="organisation number"):
        ArchiveParty("Feil AS", CorrespondenceRole.SENDER, organisation_number="915473823")


def test_a_case_number_has_both_parts_and_blank_titles_are_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        ArchiveCase("k", "Sak", case_year=2025)
    with pytest.raises(ValueError, match="empty"):
        ArchiveCase("k", "  ")
    assert ArchiveCase("k", "Sak", case_year=2025, case_sequence=7).case_number == (2025, 7)


@pytest.mark.parametrize("key", [" kontrakt-17", "kontrakt-17 ", "kontrakt\x1f17", "k\n17"])
def test_keys_are_exact_without_blanks_around_or_control_characters(key: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        ArchiveCase(key, "Sak")
    with pytest.raises(ValueError, match="control characters"):
        ArchiveRecord(key, RecordType.INTERNAL_NO_FOLLOW_UP, "Notat", date(2025, 1, 1))


@pytest.mark.parametrize("enum", list(CODE_LISTS), ids=lambda enum: enum.__name__)
def test_every_code_is_in_ks_code_list_with_its_description(enum: type[StrEnum]) -> None:
    path = SCHEMA_FOLDER / "kodelister" / f"no.ks.fiks.arkiv.v1.kodelister.{CODE_LISTS[enum]}.json"
    listed = {
        entry["kodeverdi"]: entry["kodebeskrivelse"]
        for entry in json.loads(path.read_text(encoding="utf-8"))["kodeliste"]
    }
    for code in enum:
        assert code.value in listed, f"{enum.__name__}.{code.name} is not in {path.name}"
        assert describe(code) == listed[code.value]
