"""Issue 17's mapping, pure (`followup.archive.records`): stable keys, the events setting,
screening by what a document is, summaries only after their quarter has settled."""

from __future__ import annotations

from datetime import UTC, date, datetime

from followup.archive import RecordType
from followup.archive.ports import ContractFacts
from followup.archive.records import (
    ArchiveEvent,
    ArchiveOptions,
    archive_messages,
    archive_records,
    quarter_end,
)
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    Document,
    FollowUp,
    FollowUpState,
    Supplier,
)
from storage.archive import package_message
from tests.archive_world import SUPPLIER_ORGNR, archive_schema

TODAY = date(2026, 11, 23)


def _facts(*, supplier: bool = True, case_number: str | None = None) -> ContractFacts:
    contract = Contract(
        id="c-1",
        reference="KOM-2026-0001",
        case_number=case_number,
        title="Renhold rådhuset",
        contract_type=ContractType.SINGLE,
        category=Category.SERVICES,
        owner_id="p-1",
        unit="Eiendom",
    )
    checkpoint = Checkpoint(
        id="k-1",
        contract_id="c-1",
        code="lonn",
        title="Lønn",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
    )
    follow_ups = [
        FollowUp(
            id=f"f-{due.month}",
            checkpoint_id="k-1",
            contract_id="c-1",
            due_date=due,
            state=FollowUpState.ANSWERED,
        )
        for due in (date(2026, 9, 30), date(2026, 10, 31))
    ]
    document = Document(
        id="d-1",
        follow_up_id="f-9",
        file_name="Lønnsslipp september.pdf",  # no evidence code: the name says what it is
        media_type="application/pdf",
        size_bytes=3,
        sha256="a" * 64,
        storage_key="ab/cd/x.pdf",
        uploaded_at=datetime(2026, 9, 29, 10, tzinfo=UTC),
    )
    return ContractFacts(
        contract=contract,
        supplier=Supplier(id="s-1", name="Rent AS", organisation_number=SUPPLIER_ORGNR)
        if supplier
        else None,
        people={"p-1": "Kari Nordmann"},
        checkpoints={"k-1": checkpoint},
        follow_ups=follow_ups,
        answers=[],
        documents=[document],
        deviations=[],
        deviation_events={},
    )


def _unread(key: str) -> bytes:
    raise AssertionError(key)


def test_keys_and_ids_are_stable() -> None:
    first = archive_messages(_facts(), ArchiveOptions(), TODAY, _unread)
    again = archive_messages(_facts(), ArchiveOptions(), TODAY, _unread)
    assert [m.message_id for m in first] == [m.message_id for m in again]
    assert [m.record.external_key for m in first] == ["document:d-1", "summary:c-1:2026-Q3"]
    other_system = archive_messages(_facts(), ArchiveOptions(system_name="X"), TODAY, _unread)
    assert first[0].message_id != other_system[0].message_id


def test_a_payslip_is_screened_by_its_name_and_the_supplier_sends_it() -> None:
    [record] = archive_records(
        _facts(), ArchiveOptions(events=frozenset({ArchiveEvent.DOCUMENTS})), TODAY, _unread
    )
    assert record.record_type is RecordType.INCOMING
    assert record.screening is not None
    assert record.parties[0].organisation_number == SUPPLIER_ORGNR
    assert record.received_at == datetime(2026, 9, 29, 10, tzinfo=UTC)


def test_without_a_supplier_the_sender_is_unknown_but_named() -> None:
    [record] = archive_records(
        _facts(supplier=False),
        ArchiveOptions(events=frozenset({ArchiveEvent.DOCUMENTS})),
        TODAY,
        _unread,
    )
    assert record.parties[0].name == "Ukjent leverandør"
    assert record.parties[0].organisation_number is None


def test_events_choose_what_is_archived() -> None:
    none = archive_records(
        _facts(), ArchiveOptions(events=frozenset({ArchiveEvent.DECISIONS})), TODAY, _unread
    )
    assert none == []


def test_a_summary_waits_until_its_quarter_has_settled() -> None:
    options = ArchiveOptions(events=frozenset({ArchiveEvent.SUMMARIES}))
    assert quarter_end(2026, 3) == date(2026, 9, 30)
    assert archive_records(_facts(), options, date(2026, 10, 29), _unread) == []
    [summary] = archive_records(_facts(), options, date(2026, 10, 30), _unread)
    assert summary.document_date == date(2026, 9, 30)
    text = summary.files[0].read().decode("utf-8")
    assert "3. kvartal 2026" in text
    assert "Lønn: besvart" in text


def test_a_register_case_number_ties_every_record_to_the_existing_case() -> None:
    schema = archive_schema()
    for message in archive_messages(
        _facts(case_number="2024/1234"), ArchiveOptions(), TODAY, lambda key: b"%PDF"
    ):
        assert message.case.case_number == (2024, 1234)
        if message.record.files[0].name.endswith(".txt"):
            package_message(message, schema)  # validates: the record points to the case
