"""A contract with something of every archive-worthy kind, stored for real (issue 17's outbox
and CLI tests): two documents from the supplier (a self-report and a tax certificate) on a
pay-and-conditions follow-up due in the third quarter, a deviation closed with a sanction, and
an option decision. Built on `tests.worlds.build_world` (owner Kari, supplier Fjordbygg AS).

`add_checks` adds issue 19's structured checks through their own services: a risk assessment,
an on-site check with a photo sent in the chat afterwards (through the upload service, on the
follow-up the check answered), and a supplier evaluation; three records more.

Also transports for the tests: one that crashes after the archive accepted, one that is never
reachable, one that always refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final
from uuid import UUID

from bot.deviations.cards import DeviationCards
from followup.archive.messages import ArchiveMessage
from followup.archive.naming import sha256_of
from followup.archive.ports import (
    ArchiveErrorKind,
    ArchiveRefused,
    ArchiveUnavailable,
    CollectedReceipt,
)
from followup.archive.receipts import ArchiveReceipt
from followup.archive.records import ArchiveOptions
from followup.calendar.workdays import WorkingCalendar, oslo_today
from followup.checks.evaluation import RecordEvaluation, record_evaluation
from followup.checks.evaluation_models import EvaluationHeading, SupplierEvaluation
from followup.checks.models import RiskArea, RiskAssessment
from followup.checks.onsite import RecordOnsite, record_onsite
from followup.checks.onsite_models import CrewList, OnsiteCheck
from followup.checks.risk import AssessRisk, assess_risk
from followup.deviations.services import UpdateDeviation, update_deviation
from followup.documents.services import StoreDocument, store_document
from followup.models import (
    Answer,
    AnswerKind,
    Checkpoint,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    Document,
    FollowUp,
    FollowUpState,
    Remedy,
    Severity,
)
from followup.plans.plan_file import load_plan
from storage.archive.standin import StandInArchive
from storage.archive.transports import StandInTransport
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.archive_world import BERGEN_ORGNR, archive_schema
from tests.worlds import World, build_world

NOW: Final = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OPTIONS: Final = ArchiveOptions(organisation_number=BERGEN_ORGNR)
SELF_REPORT: Final = b"%PDF-1.7 egenrapportering september"
TAX_CERTIFICATE: Final = b"%PDF-1.7 skatteattest 2026"
RECORD_COUNT: Final = 6
"""Two documents, a deviation, its decision, an option decision, the third quarter's summary."""
CHECK_RECORD_COUNT: Final = 3
"""`add_checks`: a risk assessment, an on-site check (its photo attached) and an evaluation."""
PHOTO: Final = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
ONSITE_CODE: Final = "stedlig-kontroll"


@dataclass
class ArchiveWorld:
    world: World
    store: FolderDocumentStore
    documents: dict[str, Document]
    deviation: Deviation
    option_answer: Answer

    @property
    def uow_factory(self) -> SqlAlchemyUnitOfWorkFactory:
        return self.world.uow_factory


def _store(store: FolderDocumentStore, name: str, data: bytes) -> str:
    key = f"ar/ch/{sha256_of(data)[:32]}.pdf"
    store.put(key, data)
    return key


def build_archive_world(
    uow_factory: SqlAlchemyUnitOfWorkFactory, documents_dir: Path
) -> ArchiveWorld:
    world = build_world(uow_factory, now=NOW)
    store = FolderDocumentStore(documents_dir)
    pay = Checkpoint(
        contract_id=world.contract.id,
        code="lonn",
        title="Lønns- og arbeidsvilkår",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        evidence=["egenrapportering", "skatteattest"],
    )
    option = Checkpoint(
        contract_id=world.contract.id,
        code="opsjon",
        title="Opsjon: forlenge ett år?",
        rrule="FREQ=YEARLY;COUNT=1",
        dtstart=date(2026, 10, 31),
    )
    pay_follow_up = FollowUp(
        checkpoint_id=pay.id,
        contract_id=world.contract.id,
        due_date=date(2026, 9, 30),
        state=FollowUpState.ANSWERED,
    )
    option_follow_up = FollowUp(
        checkpoint_id=option.id,
        contract_id=world.contract.id,
        due_date=date(2026, 10, 31),
        state=FollowUpState.ANSWERED,
    )
    answered = datetime(2026, 9, 29, 10, 0, tzinfo=UTC)
    with uow_factory() as uow:
        uow.checkpoints.add(pay)
        uow.checkpoints.add(option)
        uow.follow_ups.add_many([pay_follow_up, option_follow_up])
        answer, _ = uow.answers.add(
            Answer(
                follow_up_id=pay_follow_up.id,
                kind=AnswerKind.DOCUMENTS,
                answered_by_id=world.owner.id,
                answered_at=answered,
                text="Egenrapportering og skatteattest vedlagt.",
            )
        )
        stored: dict[str, Document] = {}
        for name, data, evidence in (
            ("Egenrapportering september.pdf", SELF_REPORT, "egenrapportering"),
            ("Skatteattest 2026.pdf", TAX_CERTIFICATE, "skatteattest"),
        ):
            document, _ = uow.documents.add(
                Document(
                    answer_id=answer.id,
                    follow_up_id=pay_follow_up.id,
                    file_name=name,
                    media_type="application/pdf",
                    size_bytes=len(data),
                    sha256=sha256_of(data),
                    storage_key=_store(store, name, data),
                    evidence=evidence,
                    uploaded_by_id=world.owner.id,
                    uploaded_at=answered,
                )
            )
            stored[evidence] = document
        deviation, _ = uow.deviations.add(
            Deviation(
                code="AV-2026-0001",
                contract_id=world.contract.id,
                follow_up_id=pay_follow_up.id,
                category=DeviationCategory.INTEGRITY,
                severity=Severity.HIGH,
                occurred_on=date(2026, 9, 15),
                description="Lønnsslippene viser timelønn under allmenngjort tariff.",
                reported_by_id=world.owner.id,
                reported_at=datetime(2026, 9, 16, 8, 0, tzinfo=UTC),
            )
        )
        option_answer, _ = uow.answers.add(
            Answer(
                follow_up_id=option_follow_up.id,
                kind=AnswerKind.OPTION_EXERCISED,
                answered_by_id=world.owner.id,
                answered_at=datetime(2026, 10, 21, 12, 0, tzinfo=UTC),
                decided_by="Kari Nordmann",
                decided_on=date(2026, 10, 20),
                text="Leverandøren har levert godt; opsjonen utløses.",
            )
        )
        uow.commit()
    with uow_factory() as uow:
        updated = update_deviation(
            UpdateDeviation(
                deviation.id,
                world.owner.id,
                DeviationStatus.CLOSED,
                note="Etterbetaling dokumentert.",
                remedy=Remedy.CORRECTION,
            ),
            uow,
            datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        )
        uow.commit()
    return ArchiveWorld(world, store, stored, updated.deviation, option_answer)


@dataclass
class StoredChecks:
    risk: RiskAssessment
    onsite: OnsiteCheck
    photo: Document
    evaluation: SupplierEvaluation


def assess(aworld: ArchiveWorld, at: datetime) -> RiskAssessment:
    """Kari assesses the contract's risk: every risk moderate and possible (2 × 2), so the
    suggestion is the contract's own level (middels) and nothing is re-planned."""
    with aworld.uow_factory() as uow:
        assessed = assess_risk(
            AssessRisk(
                actor_id=aworld.world.owner.id,
                reference=aworld.world.contract.reference,
                scores=dict.fromkeys(RiskArea, (2, 2)),
                comment="Stabil leverandør; lønnsvilkår følges opp kvartalsvis.",
            ),
            uow,
            at,
            config=load_plan(),
            calendar=WorkingCalendar(),
        )
        uow.commit()
    assert not assessed.level_changed
    return assessed.assessment


def check_onsite(aworld: ArchiveWorld, at: datetime) -> tuple[OnsiteCheck, Document]:
    """Kari records an on-site check that answers the open on-site follow-up (one worker
    without a valid HMS-kort, no deviation registered), then sends a photo in the chat an hour
    later, filed on that follow-up."""
    contract = aworld.world.contract
    today = oslo_today(at)
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code=ONSITE_CODE,
        title="Stedlig kontroll",
        rrule="FREQ=YEARLY;COUNT=1",
        dtstart=today + timedelta(days=7),
    )
    with aworld.uow_factory() as uow:
        uow.checkpoints.add(checkpoint)
        uow.follow_ups.add_many(
            [
                FollowUp(
                    checkpoint_id=checkpoint.id,
                    contract_id=contract.id,
                    due_date=today + timedelta(days=7),
                    state=FollowUpState.NOTIFIED,
                )
            ]
        )
        uow.commit()
    with aworld.uow_factory() as uow:
        recorded = record_onsite(
            RecordOnsite(
                actor_id=aworld.world.owner.id,
                reference=contract.reference,
                checked_on=today,
                workers=8,
                cards_checked=8,
                without_card=1,
                crew_list=CrewList.MATCHES,
                place="Byfjell skole",
                participants="Kari Nordmann, verneombud",
                notes="Én arbeider uten gyldig HMS-kort; bedt om dokumentasjon.",
            ),
            uow,
            at,
            onsite_codes={ONSITE_CODE},
            alert_renderer=DeviationCards(),
        )
        uow.commit()
    check = recorded.check
    assert check.follow_up_id is not None
    with aworld.uow_factory() as uow:
        stored = store_document(
            StoreDocument(
                follow_up_id=check.follow_up_id,
                person_id=aworld.world.owner.id,
                file_name="Stillas ved inngangen.jpg",
                data=PHOTO,
                source_activity_id=f"photo-{at.isoformat()}",
            ),
            uow,
            at + timedelta(hours=1),
            store=aworld.store,
        )
        uow.commit()
    return check, stored.document


def evaluate(aworld: ArchiveWorld, at: datetime) -> SupplierEvaluation:
    """Kari evaluates the supplier: 4 4 3 5 4, overall 4."""
    scores = dict(zip(EvaluationHeading, (4, 4, 3, 5, 4, 4), strict=True))
    with aworld.uow_factory() as uow:
        recorded = record_evaluation(
            RecordEvaluation(
                actor_id=aworld.world.owner.id,
                reference=aworld.world.contract.reference,
                scores={
                    heading: (score, "Fakturaene kom sent i mars." if score == 3 else None)
                    for heading, score in scores.items()
                },
            ),
            uow,
            at,
        )
        uow.commit()
    return recorded.evaluation


def add_checks(aworld: ArchiveWorld) -> StoredChecks:
    """A risk assessment (10 November), an on-site check on 19 November with its photo, and an
    evaluation (21 November): by `NOW` the check's days for photos are over."""
    risk = assess(aworld, datetime(2026, 11, 10, 10, 0, tzinfo=UTC))
    onsite, photo = check_onsite(aworld, datetime(2026, 11, 19, 10, 0, tzinfo=UTC))
    evaluation = evaluate(aworld, datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    return StoredChecks(risk, onsite, photo, evaluation)


def stand_in(state_file: Path) -> StandInTransport:
    schema = archive_schema()
    return StandInTransport(
        StandInArchive(schema, clock=lambda: NOW, state_file=state_file), schema
    )


class Crash(BaseException):
    """The process dies (not an error the sender handles)."""


class CrashAfterAccept(StandInTransport):
    """The archive accepts the message, then the process dies before anything is stored."""

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        super().send(message)
        raise Crash


class Unreachable:
    """An archive that never answers."""

    def __init__(self) -> None:
        self.sent: list[ArchiveMessage] = []

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        self.sent.append(message)
        raise ArchiveUnavailable("connection refused")

    def collect_receipts(self) -> list[CollectedReceipt]:
        return []

    def acknowledge(self, message_id: UUID) -> None:
        """Nothing to acknowledge."""


class Refusing(Unreachable):
    """An archive that refuses every message."""

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        self.sent.append(message)
        raise ArchiveRefused(ArchiveErrorKind.REFUSED, "the case is closed in the archive")
