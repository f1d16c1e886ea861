"""Issue 17's mapping, pure (`followup.archive.records`): stable keys, the events setting,
screening by what a document is, summaries only after their quarter has settled; issue 19's
risk assessments, on-site checks (with their photos) and evaluations
(`followup.archive.check_records`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.checks import texts as checks_texts
from followup.archive import (
    ArchiveRecord,
    CorrespondenceRole,
    DocumentRole,
    DocumentType,
    RecordType,
    sha256_of,
)
from followup.archive.check_records import (
    CONSEQUENCE_WORDS,
    HEADING_LABELS,
    LIKELIHOOD_WORDS,
    RISK_AREA_LABELS,
    SCORE_WORDS,
)
from followup.archive.ports import ContractFacts
from followup.archive.records import (
    ArchiveEvent,
    ArchiveOptions,
    archive_messages,
    archive_records,
    quarter_end,
)
from followup.checks.evaluation_models import EvaluationHeading, HeadingScore, SupplierEvaluation
from followup.checks.models import RiskArea, RiskAssessment, RiskScore
from followup.checks.onsite_models import CrewList, OnsiteCheck
from followup.checks.risk import register_assessment
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    Document,
    FollowUp,
    FollowUpState,
    RiskLevel,
    Supplier,
)
from storage.archive import package_message
from storage.archive.reading import read_container
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


# --- issue 19: risk assessments, on-site checks and supplier evaluations ----------------------

RECORDED = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
PHOTO = b"\xff\xd8\xff\xe0 jpeg"
CHECKS = ArchiveOptions(events=frozenset({ArchiveEvent.CHECKS, ArchiveEvent.DOCUMENTS}))


def _photo(document_id: str, at: datetime, **changes: object) -> Document:
    values: dict[str, object] = {
        "id": document_id,
        "follow_up_id": "f-onsite",
        "file_name": f"{document_id}.jpg",
        "media_type": "image/jpeg",
        "size_bytes": len(PHOTO),
        "sha256": sha256_of(PHOTO),
        "storage_key": f"ph/{document_id}.jpg",
        "uploaded_by_id": "p-1",
        "uploaded_at": at,
    }
    values.update(changes)
    return Document(**values)


def _check(**changes: object) -> OnsiteCheck:
    values: dict[str, object] = {
        "id": "o-1",
        "contract_id": "c-1",
        "number": 1,
        "checked_on": date(2026, 11, 19),
        "place": "Rådhuset",
        "participants": "Kari Nordmann",
        "workers": 6,
        "cards_checked": 6,
        "without_card": 0,
        "crew_list": CrewList.MATCHES,
        "recorded_by_id": "p-1",
        "recorded_at": RECORDED,
        "follow_up_id": "f-onsite",
    }
    values.update(changes)
    return OnsiteCheck(**values)


def _with_checks(
    *, documents: list[Document] | None = None, check: OnsiteCheck | None = None
) -> ContractFacts:
    facts = _facts()
    onsite = Checkpoint(
        id="k-onsite",
        contract_id="c-1",
        code="stedlig-kontroll",
        title="Stedlig kontroll",
        rrule="FREQ=YEARLY",
        dtstart=date(2026, 11, 30),
    )
    follow_up = FollowUp(
        id="f-onsite",
        checkpoint_id="k-onsite",
        contract_id="c-1",
        due_date=date(2026, 11, 30),
        state=FollowUpState.ANSWERED,
    )
    risk = RiskAssessment(
        id="r-1",
        contract_id="c-1",
        version=1,
        assessed_by_id="p-1",
        assessed_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        scores=[RiskScore(area=area, consequence=3, likelihood=3) for area in RiskArea],
        suggested=RiskLevel.HIGH,
        chosen=RiskLevel.HIGH,
        previous=RiskLevel.MEDIUM,
    )
    evaluation = SupplierEvaluation(
        id="e-1",
        contract_id="c-1",
        version=1,
        evaluated_by_id="p-1",
        evaluated_at=datetime(2026, 11, 20, 13, 0, tzinfo=UTC),
        scores=[HeadingScore(heading=h, score=2, comment="For sent") for h in EvaluationHeading],
    )
    return replace(
        facts,
        checkpoints={**facts.checkpoints, "k-onsite": onsite},
        follow_ups=[*facts.follow_ups, follow_up],
        documents=[*facts.documents, *(documents or [])],
        risk_assessments=[register_assessment(facts.contract), risk],
        onsite_checks=[check or _check()],
        evaluations=[evaluation],
    )


def _read(key: str) -> bytes:
    assert key.startswith("ph/"), key
    return PHOTO


def _by_key(records: list[ArchiveRecord]) -> dict[str, ArchiveRecord]:
    return {record.external_key: record for record in records}


def test_each_check_is_a_record_of_its_own_and_the_photo_is_its_attachment() -> None:
    photo = _photo("d-photo", RECORDED + timedelta(hours=2))
    facts = _with_checks(documents=[photo])
    messages = archive_messages(facts, CHECKS, date(2026, 11, 21), _read)
    records = _by_key([m.record for m in messages])
    # the register's level (version 0) is no record; the photo is no record of its own
    assert set(records) == {"document:d-1", "risk:r-1", "onsite:o-1", "evaluation:e-1"}
    schema = archive_schema()
    for message in messages:
        if not message.record.external_key.startswith("document:"):  # d-1 has no real bytes
            read_container(package_message(message, schema), schema)  # valid, files match
    risk, onsite, evaluation = records["risk:r-1"], records["onsite:o-1"], records["evaluation:e-1"]
    assert (risk.record_type, risk.files[0].document_type) == (
        RecordType.INTERNAL_NO_FOLLOW_UP,
        DocumentType.RISK_ASSESSMENT,
    )
    assert risk.document_date == date(2026, 11, 2)
    assert "Risikonivå: høy (som foreslått ut fra vurderingen)" in _text(risk)
    assert "Risikonivå før vurderingen: middels" in _text(risk)
    assert (onsite.record_type, onsite.document_date) == (
        RecordType.INTERNAL_NO_FOLLOW_UP,  # no findings
        date(2026, 11, 19),
    )
    assert [(f.role, f.document_type, f.name) for f in onsite.files] == [
        (DocumentRole.MAIN, DocumentType.INSPECTION, "Stedlig kontroll 1.txt"),
        (DocumentRole.ATTACHMENT, DocumentType.PHOTO, "d-photo.jpg"),
    ]
    assert onsite.files[1].read() == PHOTO
    assert evaluation.record_type is RecordType.INTERNAL_NO_FOLLOW_UP
    assert evaluation.title.startswith("Leverandørevaluering versjon 1: samlet 2 av 5")
    for record in (risk, onsite, evaluation):
        assert [(p.role, p.name) for p in record.parties] == [
            (CorrespondenceRole.INTERNAL_SENDER, "Kari Nordmann")
        ]
    # the same facts, the same ids: nothing is queued twice
    again = archive_messages(facts, CHECKS, date(2026, 11, 21), _read)
    assert [m.message_id for m in again] == [m.message_id for m in messages]


def test_an_onsite_check_waits_for_its_photos_then_keeps_them() -> None:
    before = _photo("d-before", RECORDED - timedelta(minutes=5))  # maybe archived already
    next_day = _photo("d-next-day", datetime(2026, 11, 20, 22, 30, tzinfo=UTC))  # 23:30 Oslo
    too_late = _photo("d-late", datetime(2026, 11, 20, 23, 30, tzinfo=UTC))  # 00:30 on the 21st
    payslip = _photo(
        "d-lonn", RECORDED + timedelta(hours=1), file_name="Lønnsslipp.pdf", evidence=None
    )
    facts = _with_checks(documents=[before, next_day, too_late, payslip])
    waiting = _by_key(archive_records(facts, CHECKS, date(2026, 11, 20), _read))
    assert "onsite:o-1" not in waiting  # photos may still come
    assert "document:d-next-day" not in waiting  # and this one is the check's
    settled = _by_key(archive_records(facts, CHECKS, date(2026, 11, 21), _read))
    assert [f.name for f in settled["onsite:o-1"].files[1:]] == ["d-next-day.jpg"]
    for own in ("d-before", "d-late", "d-lonn"):
        assert f"document:{own}" in settled
    assert settled["document:d-lonn"].screening is not None  # screened, so not attached


def test_a_check_without_a_follow_up_is_archived_at_once() -> None:
    facts = _with_checks(check=_check(follow_up_id=None))
    records = _by_key(archive_records(facts, CHECKS, date(2026, 11, 19), _read))
    assert "onsite:o-1" in records


def test_findings_without_a_deviation_are_left_for_follow_up() -> None:
    found = _check(without_card=2, crew_list=CrewList.DIFFERS)
    [open_one] = [
        r
        for r in archive_records(_with_checks(check=found), CHECKS, TODAY, _read)
        if r.external_key == "onsite:o-1"
    ]
    assert open_one.record_type is RecordType.INTERNAL_FOR_FOLLOW_UP
    deviated = _check(without_card=2, deviation_id="dev-1")
    [with_deviation] = [
        r
        for r in archive_records(_with_checks(check=deviated), CHECKS, TODAY, _read)
        if r.external_key == "onsite:o-1"
    ]
    assert with_deviation.record_type is RecordType.INTERNAL_NO_FOLLOW_UP  # the deviation is N


def test_without_the_checks_event_photos_stay_documents_and_checks_are_not_archived() -> None:
    photo = _photo("d-photo", RECORDED + timedelta(hours=2))
    options = ArchiveOptions(events=frozenset({ArchiveEvent.DOCUMENTS}))
    records = _by_key(archive_records(_with_checks(documents=[photo]), options, TODAY, _read))
    assert set(records) == {"document:d-1", "document:d-photo"}
    checks_only = ArchiveOptions(events=frozenset({ArchiveEvent.CHECKS}))
    records = _by_key(archive_records(_with_checks(documents=[photo]), checks_only, TODAY, _read))
    assert set(records) == {"risk:r-1", "onsite:o-1", "evaluation:e-1"}
    assert len(records["onsite:o-1"].files) == 1  # documents are not archived at all


def test_the_records_use_the_forms_words() -> None:
    for area, label in RISK_AREA_LABELS.items():
        assert checks_texts.NB[f"risk.area.{area.value}"] == label
    for heading, label in HEADING_LABELS.items():
        assert checks_texts.NB[f"evaluation.heading.{heading.value}"] == label
    for score, word in SCORE_WORDS.items():
        assert checks_texts.NB[f"evaluation.score.{score}"] == f"{score} {word}"
    for score, word in CONSEQUENCE_WORDS.items():
        assert checks_texts.NB[f"risk.consequence.{score}"] == f"{score} {word}"
    for score, word in LIKELIHOOD_WORDS.items():
        assert checks_texts.NB[f"risk.likelihood.{score}"] == f"{score} {word}"


def _text(record: ArchiveRecord) -> str:
    return record.files[0].read().decode("utf-8")
