"""Issue 17: a contract's stored facts as Fiks Arkiv records, queued once and sent exactly once
through the outbox, on both stores (`tests.archive_outbox_world`: two supplier documents, one
a screened tax certificate, a deviation closed with a sanction, an option decision; and issue
19's risk assessment, on-site check with a photo, and supplier evaluation)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import Engine, select

from followup.archive import CorrespondenceRole, DocumentRole, DocumentType, RecordType
from followup.archive.naming import sha256_of
from followup.archive.ports import ArchiveErrorKind, ArchiveState, ArchiveTransport
from followup.archive.services import (
    LEASE,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    ArchiveSendReport,
    archive_numbers,
    archive_status,
    messages_for_export,
    queue_archive_messages,
    requeue_failed,
    send_archive_messages,
)
from storage.archive import parse_receipt, read_asice
from storage.archive.package import package_message
from storage.archive.reading import read_container
from storage.archive.transports import FolderDrop, write_atomically
from storage.db import create_db_engine, create_session_factory
from storage.tables import ArchiveMessageRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.archive_outbox_world import (
    CHECK_RECORD_COUNT,
    NOW,
    OPTIONS,
    PHOTO,
    RECORD_COUNT,
    TAX_CERTIFICATE,
    ArchiveWorld,
    Crash,
    CrashAfterAccept,
    Refusing,
    Unreachable,
    add_checks,
    build_archive_world,
    stand_in,
)
from tests.archive_world import archive_schema


@pytest.fixture
def aworld(uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path) -> ArchiveWorld:
    return build_archive_world(uow_factory, tmp_path / "documents")


def _queue(aworld: ArchiveWorld) -> int:
    with aworld.uow_factory() as uow:
        counts = queue_archive_messages(uow, NOW, OPTIONS)
        uow.commit()
    return counts.queued


def _rows(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[ArchiveMessageRow]:
    with uow_factory() as uow:
        return list(uow.session.scalars(select(ArchiveMessageRow)).all())


def _send(
    aworld: ArchiveWorld, transport: ArchiveTransport, now: datetime = NOW, limit: int = 50
) -> ArchiveSendReport:
    return send_archive_messages(
        aworld.uow_factory, transport, now, limit, options=OPTIONS, documents=aworld.store
    )


def test_the_mapping_validates_carries_files_and_names_the_supplier(aworld: ArchiveWorld) -> None:
    schema = archive_schema()
    with aworld.uow_factory() as uow:
        [(contract_id, messages)] = list(messages_for_export(uow, NOW, OPTIONS, aworld.store))
    assert contract_id == aworld.world.contract.id
    by_kind = {m.record.external_key.partition(":")[0]: m for m in messages}
    assert len(messages) == RECORD_COUNT
    assert set(by_kind) == {
        "document", "deviation", "deviation-decision", "option", "summary"
    }  # fmt: skip
    for message in messages:
        container = package_message(message, schema)  # validates, or raises
        received = read_container(container, schema)  # antallFiler, files, checksums
        xml, files = read_asice(container)
        assert schema.validate(xml) == []
        assert len(files) == message.file_count == 1
        assert received.case_key is not None
        assert received.case_key.key == aworld.world.contract.id
    documents = [m for m in messages if m.record.record_type is RecordType.INCOMING]
    assert len(documents) == 2
    for message in documents:
        [party] = message.record.parties
        assert party.role is CorrespondenceRole.SENDER
        assert party.name == "Fjordbygg AS"
        assert party.organisation_number is not None
        assert party.organisation_number.isdigit()
        xml = package_message(message, schema)
        assert b"<organisasjonid>" + party.organisation_number.encode() + b"<" in read_asice(xml)[0]
    tax = next(m for m in documents if "Skatteattest" in m.record.title)
    assert tax.record.screening is not None
    assert tax.record.screening.access_restriction == "13"
    assert tax.record.public_title is not None
    assert "Fjordbygg" not in tax.record.public_title
    [file] = tax.record.files
    assert file.sha256 == sha256_of(TAX_CERTIFICATE)
    assert file.read() == TAX_CERTIFICATE
    assert b"<skjermingshjemmel>" in read_asice(package_message(tax, schema))[0]
    self_report = next(m for m in documents if m is not tax)
    assert self_report.record.screening is None
    assert by_kind["deviation"].record.record_type is RecordType.INTERNAL_FOR_FOLLOW_UP
    decision = by_kind["deviation-decision"].record
    assert decision.record_type is RecordType.INTERNAL_NO_FOLLOW_UP  # it closed the deviation
    assert decision.files[0].document_type is DocumentType.DECISION  # with a sanction
    assert "Retting" in decision.files[0].read().decode("utf-8")
    option = by_kind["option"].record
    assert option.external_key == f"option:{aworld.world.contract.id}:2026-10-31"
    assert option.record_type is RecordType.INTERNAL_NO_FOLLOW_UP
    assert "opsjonen utløses" in option.files[0].read().decode("utf-8")
    assert by_kind["summary"].record.external_key.endswith(":2026-Q3")


def test_risk_assessments_onsite_checks_and_evaluations_are_records_of_their_own(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    checks = add_checks(aworld)
    schema = archive_schema()
    with aworld.uow_factory() as uow:
        [(_, messages)] = list(messages_for_export(uow, NOW, OPTIONS, aworld.store))
    assert len(messages) == RECORD_COUNT + CHECK_RECORD_COUNT
    by_key = {m.record.external_key: m for m in messages}
    risk = by_key[f"risk:{checks.risk.id}"].record
    onsite = by_key[f"onsite:{checks.onsite.id}"].record
    evaluation = by_key[f"evaluation:{checks.evaluation.id}"].record
    assert f"document:{checks.photo.id}" not in by_key  # it travels with the check instead
    for message in messages:  # every arkivmelding validates; files and checksums match
        read_container(package_message(message, schema), schema)

    assert risk.record_type is RecordType.INTERNAL_NO_FOLLOW_UP
    assert [f.document_type for f in risk.files] == [DocumentType.RISK_ASSESSMENT]
    # one worker without a valid card and no deviation registered: left for follow-up (N)
    assert onsite.record_type is RecordType.INTERNAL_FOR_FOLLOW_UP
    assert evaluation.record_type is RecordType.INTERNAL_NO_FOLLOW_UP
    assert [f.document_type for f in evaluation.files] == [DocumentType.REPORT]
    for record in (risk, onsite, evaluation):
        [party] = record.parties
        assert (party.role, party.name) == (CorrespondenceRole.INTERNAL_SENDER, "Kari Nordmann")
        assert record.screening is None
    assert (risk.document_date, onsite.document_date, evaluation.document_date) == (
        date(2026, 11, 10),
        date(2026, 11, 19),
        date(2026, 11, 21),
    )

    (_, report), (photo_name, photo) = onsite.referenced_files
    assert (report.role, report.document_type) == (DocumentRole.MAIN, DocumentType.INSPECTION)
    assert (photo.role, photo.document_type) == (DocumentRole.ATTACHMENT, DocumentType.PHOTO)
    assert photo.name == "Stillas ved inngangen.jpg"
    assert photo.sha256 == sha256_of(PHOTO)
    assert photo.read() == PHOTO
    xml, files = read_asice(package_message(by_key[f"onsite:{checks.onsite.id}"], schema))
    assert files[photo_name] == PHOTO
    assert b"<antallVedlegg>1</antallVedlegg>" in xml
    said = report.read().decode("utf-8")
    assert "Stedlig kontroll nr. 1" in said
    assert "Uten gyldig HMS-kort: 1" in said
    assert "det er ikke registrert avvik" in said
    assert "Stillas ved inngangen.jpg" in said
    said = risk.files[0].read().decode("utf-8")
    assert "Risikonivå: middels (som foreslått ut fra vurderingen)" in said
    assert "- Pris og økonomi: konsekvens 2 (moderat) × sannsynlighet 2 (mulig) = 4" in said
    said = evaluation.files[0].read().decode("utf-8")
    assert "Samlet karakter: 4 av 5 (godt)" in said
    assert "Kommentar: Fakturaene kom sent i mars." in said

    # queued once; a second pass queues nothing new; sent and confirmed through the stand-in
    assert _queue(aworld) == RECORD_COUNT + CHECK_RECORD_COUNT
    with aworld.uow_factory() as uow:
        again = queue_archive_messages(uow, NOW + timedelta(days=1), OPTIONS)
        uow.commit()
    assert (again.queued, again.known) == (0, RECORD_COUNT + CHECK_RECORD_COUNT)
    assert again.by_kind == {}
    transport = stand_in(tmp_path / "archive.json")
    report_sent = _send(aworld, transport)
    assert (report_sent.confirmed, report_sent.failed) == (RECORD_COUNT + CHECK_RECORD_COUNT, 0)
    kinds = {row.record_key: row.kind for row in _rows(aworld.uow_factory)}
    assert kinds[f"onsite:{checks.onsite.id}"] == "onsite"
    assert kinds[f"risk:{checks.risk.id}"] == "risk"
    assert kinds[f"evaluation:{checks.evaluation.id}"] == "evaluation"


def test_queueing_twice_queues_once(aworld: ArchiveWorld) -> None:
    assert _queue(aworld) == RECORD_COUNT
    with aworld.uow_factory() as uow:
        again = queue_archive_messages(uow, NOW + timedelta(days=1), OPTIONS)
        uow.commit()
    assert (again.queued, again.known) == (0, RECORD_COUNT)
    assert len(_rows(aworld.uow_factory)) == RECORD_COUNT


def test_sending_through_the_stand_in_stores_its_receipts(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    _queue(aworld)
    transport = stand_in(tmp_path / "archive.json")
    report = _send(aworld, transport)
    assert (report.claimed, report.confirmed, report.failed) == (RECORD_COUNT,) * 2 + (0,)
    rows = _rows(aworld.uow_factory)
    assert {row.state for row in rows} == {ArchiveState.CONFIRMED.value}
    assert sorted(row.journal_sequence or 0 for row in rows) == list(range(1, RECORD_COUNT + 1))
    assert {(row.case_year, row.case_sequence) for row in rows} == {(2026, 1)}
    assert transport.archive.record_count == RECORD_COUNT
    with aworld.uow_factory() as uow:
        numbers = archive_numbers(uow, aworld.world.contract.id, limit=3)
        status = archive_status(uow)
    assert numbers.case_number == "2026/1"
    assert len(numbers.records) == 3
    assert all(r.journal_number and r.journal_number.startswith("2026/") for r in numbers.records)
    assert status.counts[ArchiveState.CONFIRMED] == RECORD_COUNT
    assert status.failed == []
    # nothing left: a second round claims nothing and the archive holds no more
    assert _send(aworld, transport, NOW + timedelta(hours=1)).claimed == 0
    assert transport.archive.record_count == RECORD_COUNT


def test_exactly_once_across_a_crash_after_the_archive_accepted(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    _queue(aworld)
    state = tmp_path / "archive.json"
    crashing = CrashAfterAccept(stand_in(state).archive, archive_schema())
    with pytest.raises(Crash):
        _send(aworld, crashing, limit=1)
    assert crashing.archive.record_count == 1  # the archive has it; our outcome was lost
    # restart: a new engine and units of work, the stand-in's state read back from its file
    engine = create_db_engine(db_url)
    try:
        restarted = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        aworld.world.uow_factory = restarted
        transport = stand_in(state)
        assert transport.archive.record_count == 1
        # while the dead sender's lease holds, its message is not taken; the others are
        early = _send(aworld, transport, NOW + timedelta(minutes=1))
        assert early.claimed == RECORD_COUNT - 1
        late = _send(aworld, transport, NOW + LEASE + timedelta(seconds=1))
        assert (late.claimed, late.confirmed) == (1, 1)
        rows = _rows(restarted)
    finally:
        engine.dispose()
    assert transport.archive.record_count == RECORD_COUNT  # one record per message
    assert {row.state for row in rows} == {ArchiveState.CONFIRMED.value}
    crashed = next(row for row in rows if row.attempts == 2)
    first_receipt = transport.archive.receipt_for(UUID(crashed.message_id))
    assert first_receipt is not None
    receipt = parse_receipt(first_receipt, archive_schema())
    assert (crashed.journal_year, crashed.journal_sequence) == (
        receipt.journal_year,
        receipt.journal_sequence,
    )  # the receipt given the first time, stored once
    assert len({row.journal_sequence for row in rows}) == RECORD_COUNT


def test_a_permanent_refusal_dead_letters_with_its_reason(aworld: ArchiveWorld) -> None:
    _queue(aworld)
    report = _send(aworld, Refusing())
    assert report.failed == RECORD_COUNT
    with aworld.uow_factory() as uow:
        status = archive_status(uow)
    assert status.counts[ArchiveState.FAILED] == RECORD_COUNT
    failure = status.failed[0]
    assert failure.error_kind is ArchiveErrorKind.REFUSED
    assert failure.last_error == "the case is closed in the archive"
    assert failure.reference == aworld.world.contract.reference
    assert failure.attempts == 1
    # dead letters are not sent again until they are put back in the queue
    assert _send(aworld, Refusing(), NOW + timedelta(days=1)).claimed == 0
    with aworld.uow_factory() as uow:
        assert requeue_failed(uow, NOW + timedelta(days=1)) == RECORD_COUNT
        uow.commit()
    assert _send(aworld, Refusing(), NOW + timedelta(days=1)).claimed == RECORD_COUNT


def test_a_changed_document_is_refused_before_it_leaves(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    _queue(aworld)
    tax = aworld.documents["skatteattest"]
    aworld.store.put(tax.storage_key, b"%PDF-1.7 something else")
    transport = stand_in(tmp_path / "archive.json")
    report = _send(aworld, transport)
    assert (report.confirmed, report.failed) == (RECORD_COUNT - 1, 1)
    with aworld.uow_factory() as uow:
        [failure] = archive_status(uow).failed
    assert failure.error_kind is ArchiveErrorKind.FILE_MISSING
    assert failure.kind == "document"
    assert transport.archive.record_count == RECORD_COUNT - 1


def test_retries_back_off_then_fail(aworld: ArchiveWorld) -> None:
    _queue(aworld)
    transport = Unreachable()
    now = NOW
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        report = _send(aworld, transport, now)
        assert (report.claimed, report.retried) == (RECORD_COUNT, RECORD_COUNT)
        rows = _rows(aworld.uow_factory)
        assert {row.attempts for row in rows} == {attempt}
        assert {row.next_attempt_at for row in rows} == {now + delay}
        assert {row.error_kind for row in rows} == {ArchiveErrorKind.UNAVAILABLE.value}
        # not before its time
        assert _send(aworld, transport, now + delay - timedelta(seconds=1)).claimed == 0
        now += delay
    last = _send(aworld, transport, now)
    assert last.failed == RECORD_COUNT
    rows = _rows(aworld.uow_factory)
    assert {row.attempts for row in rows} == {MAX_ATTEMPTS}
    assert {row.error_kind for row in rows} == {ArchiveErrorKind.TOO_MANY_ATTEMPTS.value}
    assert {row.last_error for row in rows} == {"connection refused"}
    assert len(transport.sent) == MAX_ATTEMPTS * RECORD_COUNT


def test_two_senders_never_claim_the_same_message(aworld: ArchiveWorld) -> None:
    _queue(aworld)
    with aworld.uow_factory() as first, aworld.uow_factory() as second:
        taken = first.archive.claim(NOW, "a:1", NOW + LEASE, 4)
        first.commit()
        rest = second.archive.claim(NOW, "b:1", NOW + LEASE, 100)
        second.commit()
    assert len(taken) == 4
    assert len(rest) == RECORD_COUNT - 4
    assert not {t.message_id for t in taken} & {r.message_id for r in rest}


def test_the_folder_drop_writes_containers_and_collects_receipts(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    _queue(aworld)
    schema = archive_schema()
    drop = FolderDrop.in_folder(tmp_path / "arkiv", schema)
    report = _send(aworld, drop)
    assert report.sent == RECORD_COUNT
    containers = sorted(drop.outgoing.glob("*.asice"))
    assert len(containers) == RECORD_COUNT
    assert not list(drop.outgoing.glob(".*"))  # no temporary files left
    # the archive imports the folder and leaves its receipts
    archive = stand_in(tmp_path / "archive.json").archive
    for path in containers:
        receipt = archive.accept(path.read_bytes(), message_id=UUID(path.stem))
        write_atomically(drop.receipts / f"{path.stem}.kvittering.xml", receipt)
    collected = _send(aworld, drop, NOW + timedelta(minutes=5))
    assert (collected.receipts_collected, collected.confirmed) == (RECORD_COUNT, RECORD_COUNT)
    assert {row.state for row in _rows(aworld.uow_factory)} == {ArchiveState.CONFIRMED.value}
    assert not list(drop.receipts.glob("*.xml"))
    assert len(list((drop.receipts / "behandlet").glob("*.xml"))) == RECORD_COUNT


def test_the_table_is_migrated(db_engine: Engine) -> None:
    from sqlalchemy import inspect

    assert "archive_messages" in inspect(db_engine).get_table_names()
