"""The stand-in archive: valid receipts, exactly once per message id, one case per contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followup.archive import ArchiveMessage, ArchiveReceipt, ExternalKey
from storage.archive import (
    ArchiveReportedFailure,
    ChecksumMismatch,
    FileCountMismatch,
    InvalidReceipt,
    StandInArchive,
    UnexpectedFile,
    UnknownCase,
    pack_asice,
    package_message,
    parse_receipt,
    write_arkivmelding,
    write_receipt,
)
from storage.archive.names import RECEIPT_NS
from tests.archive_world import (
    archive_schema,
    contract_case,
    deviation_with_attachment,
    internal_note,
    supplier_document,
    tax_certificate,
)

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def _archive(state_file: Path | None = None, now: datetime = NOW) -> StandInArchive:
    return StandInArchive(archive_schema(), clock=lambda: now, state_file=state_file)


def _send(archive: StandInArchive, message: ArchiveMessage) -> ArchiveReceipt:
    receipt = archive.accept(
        package_message(message, archive_schema()), message_id=message.message_id
    )
    assert archive_schema().validate_receipt(receipt) == []
    return parse_receipt(receipt, archive_schema())


def test_a_receipt_validates_and_carries_the_case_and_the_record() -> None:
    archive = _archive()
    message = supplier_document()
    xml = archive.accept(package_message(message, archive_schema()), message_id=message.message_id)
    assert archive_schema().validate_receipt(xml) == []
    receipt = parse_receipt(xml, archive_schema())
    assert receipt.record_created
    assert receipt.record_key == ExternalKey("Kontraktsvakt", "kontrakt-17/dok/1")
    assert (receipt.journal_year, receipt.journal_sequence, receipt.journal_post_number) == (
        2025, 1, 1,
    )  # fmt: skip
    assert receipt.journal_number == "2025/1"
    assert receipt.case_created
    assert receipt.case_key == ExternalKey("Kontraktsvakt", "kontrakt-17")
    assert receipt.case_number == "2025/1"
    assert receipt.record_id == "2025/1-1"


def test_the_same_message_id_gives_the_same_receipt_and_no_new_record() -> None:
    archive = _archive()
    message = tax_certificate()
    container = package_message(message, archive_schema())
    first = archive.accept(container, message_id=message.message_id)
    again = archive.accept(container, message_id=message.message_id)
    assert again == first
    assert archive.record_count == 1
    assert archive.receipt_for(message.message_id) == first


def test_a_known_record_under_a_new_id_keeps_its_numbers() -> None:
    archive = _archive()
    message = supplier_document()
    container = package_message(message, archive_schema())
    first = parse_receipt(archive.accept(container), archive_schema())
    second = parse_receipt(archive.accept(container), archive_schema())
    assert second.record_created is False
    assert second.case_created is False
    assert replace(second, record_created=True, case_created=True) == first
    assert archive.record_count == 1


def test_records_of_one_contract_share_one_case_and_number_on() -> None:
    archive = _archive()
    first = _send(archive, supplier_document())
    second = _send(archive, deviation_with_attachment())
    third = _send(archive, internal_note())
    other = _send(archive, deviation_with_attachment(contract_case("kontrakt-18")))
    assert first.case_number == second.case_number == third.case_number == "2025/1"
    assert (first.case_created, second.case_created, third.case_created) == (True, False, False)
    assert first.case_system_id == second.case_system_id
    assert [r.journal_post_number for r in (first, second, third)] == [1, 2, 3]
    assert [r.journal_sequence for r in (first, second, third, other)] == [1, 2, 3, 4]
    assert other.case_number == "2025/2"
    assert other.journal_post_number == 1


def test_a_record_in_an_existing_case_uses_that_case() -> None:
    archive = _archive()
    receipt = _send(archive, supplier_document(contract_case(case_number=(2024, 1234))))
    assert receipt.case_system_id is None
    assert receipt.case_number is None
    assert receipt.record_id == "2024/1234-1"
    assert receipt.journal_number == "2025/1"


def test_journal_numbers_start_again_each_year() -> None:
    state: dict[str, datetime] = {"now": datetime(2025, 12, 31, 22, 0, tzinfo=UTC)}
    archive = StandInArchive(archive_schema(), clock=lambda: state["now"])
    december = _send(archive, supplier_document())
    assert december.journal_number == "2025/1"
    state["now"] = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 2026 in Oslo
    january = _send(archive, internal_note())
    assert january.journal_number == "2026/1"
    assert january.case_number == "2025/1"


def test_the_archive_remembers_across_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "standin.json"
    message = supplier_document()
    container = package_message(message, archive_schema())
    first = _archive(state_file).accept(container, message_id=message.message_id)
    restarted = _archive(state_file)
    assert restarted.accept(container, message_id=message.message_id) == first
    assert restarted.record_count == 1
    next_record = _send(restarted, internal_note())
    assert (next_record.case_number, next_record.journal_sequence) == ("2025/1", 2)


def test_a_file_that_does_not_match_its_checksum_is_refused() -> None:
    message = supplier_document()
    xml = write_arkivmelding(message)
    ((name, _),) = message.record.referenced_files
    with pytest.raises(ChecksumMismatch):
        _archive().accept(pack_asice(xml, [(name, b"not the declared bytes")]))


def test_a_wrong_file_count_and_an_unnamed_file_are_refused() -> None:
    message = supplier_document()
    xml = write_arkivmelding(message)
    files = [(name, file.read()) for name, file in message.record.referenced_files]
    wrong_count = xml.replace(b"<antallFiler>1</antallFiler>", b"<antallFiler>2</antallFiler>")
    with pytest.raises(FileCountMismatch):
        _archive().accept(pack_asice(wrong_count, files))
    with pytest.raises(UnexpectedFile):
        _archive().accept(pack_asice(xml, [*files, ("ekstra.pdf", b"%PDF")]))
    assert _archive().record_count == 0


def test_a_record_pointing_to_an_unknown_case_is_refused() -> None:
    xml = write_arkivmelding(internal_note())
    start = xml.index(b"<mappe ")
    end = xml.index(b"</mappe>") + len(b"</mappe>")
    without_folder = xml[:start] + xml[end:]
    assert archive_schema().validate(without_folder) == []
    archive = _archive()
    with pytest.raises(UnknownCase):
        archive.accept(pack_asice(without_folder, []))
    _send(archive, supplier_document())  # creates the case with this key
    receipt = archive.accept(pack_asice(without_folder, []))
    assert parse_receipt(receipt, archive_schema()).record_id == "2025/1-2"


def test_receipts_round_trip() -> None:
    receipt = ArchiveReceipt(
        record_system_id="3f0c2a6e-0a51-5f53-9d36-0c0f5b7f2a11",
        record_created=True,
        record_key=ExternalKey("Kontraktsvakt", "kontrakt-17/avvik/3"),
        journal_year=2025,
        journal_sequence=1042,
        journal_post_number=3,
        record_id="2025/17-3",
        case_system_id="6a1e7f0c-2b3d-5e4f-8a9b-0c1d2e3f4a5b",
        case_created=False,
        case_key=ExternalKey("Kontraktsvakt", "kontrakt-17"),
        case_year=2025,
        case_sequence=17,
        case_id="2025/17",
    )
    xml = write_receipt(receipt)
    assert archive_schema().validate_receipt(xml) == []
    assert parse_receipt(xml, archive_schema()) == receipt
    record_only = replace(
        receipt, case_system_id=None, case_created=None, case_key=None, case_year=None,
        case_sequence=None, case_id=None,
    )  # fmt: skip
    assert parse_receipt(write_receipt(record_only), archive_schema()) == record_only


def test_an_invalid_receipt_is_refused() -> None:
    good = write_receipt(
        ArchiveReceipt(record_system_id="3f0c2a6e-0a51-5f53-9d36-0c0f5b7f2a11", record_created=True)
    )
    not_a_uuid = good.replace(b"3f0c2a6e-0a51-5f53-9d36-0c0f5b7f2a11", b"J-2025-1042")
    with pytest.raises(InvalidReceipt) as caught:
        parse_receipt(not_a_uuid, archive_schema())
    assert caught.value.errors
    with pytest.raises(InvalidReceipt):
        parse_receipt(b"<kvittering/>", archive_schema())
    with pytest.raises(InvalidReceipt):
        parse_receipt(b"not xml", archive_schema())


def test_a_receipt_reporting_a_failure_raises_with_the_archives_words() -> None:
    failure = (
        f'<arkivmeldingKvittering xmlns="{RECEIPT_NS}" '
        'xmlns:f="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">'
        "<registreringFeilet><f:feilId>E-17</f:feilId>"
        "<f:feilmelding>Fant ikke saksmappe</f:feilmelding></registreringFeilet>"
        "</arkivmeldingKvittering>"
    ).encode()
    assert archive_schema().validate_receipt(failure) == []
    with pytest.raises(ArchiveReportedFailure) as caught:
        parse_receipt(failure, archive_schema())
    assert (caught.value.part, caught.value.error_id, caught.value.message) == (
        "record", "E-17", "Fant ikke saksmappe",
    )  # fmt: skip
