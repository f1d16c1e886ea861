"""Where a file goes, on real SQLite and PostgreSQL: a contract's open evidence requests (open
follow-ups, and answered ones still missing documents), the contract a message names, and the
request a file is by its name, its message and its first page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from followup.answers.services import AnswerRefused, RecordAnswer, record_answer
from followup.documents.services import StoreDocument, store_document
from followup.documents.targets import (
    EvidenceRequests,
    TargetSource,
    UploadTarget,
    choose_target,
    evidence_in_text,
    evidence_requests,
    person_requests,
    place_file,
)
from followup.models import AnswerKind, CheckpointStatus, ContractStatus, FollowUp
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.pdfs import pdf_with_text
from tests.worlds import (
    DUE,
    NOW,
    World,
    add_checkpoint,
    add_follow_up_for,
    answer_world,
    set_contract,
    stranger,
)

TODAY = date(2026, 11, 23)
PDF = pdf_with_text("Vedlegg")


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return answer_world(uow_factory)


@pytest.fixture
def follow_ups(world: World) -> dict[str, FollowUp]:
    """Egenrapportering due first, then mannskapsliste, then skatteattest; pay documents
    (three kinds) on one follow-up; a skatteattest due far ahead."""
    egen = add_checkpoint(world, "egenrapportering", ["egenrapportering"])
    hms = add_checkpoint(world, "hms-kort", ["mannskapsliste"])
    skatt = add_checkpoint(world, "skatteattest", ["skatteattest"])
    pay = add_checkpoint(world, "lonnsdokumentasjon", ["lønnsslipper", "timelister"])
    return {
        "egenrapportering": add_follow_up_for(world, egen, date(2026, 11, 20)),
        "mannskapsliste": add_follow_up_for(world, hms, date(2026, 11, 27)),
        "skatteattest": add_follow_up_for(world, skatt, date(2026, 12, 15)),
        "pay": add_follow_up_for(world, pay, date(2026, 12, 18)),
        "skatteattest-later": add_follow_up_for(world, skatt, date(2027, 6, 15)),
    }


def requests_now(world: World) -> EvidenceRequests:
    with world.uow_factory() as uow:
        contract = uow.contracts.get(world.contract.id)
        assert contract is not None
        return evidence_requests(uow, contract, TODAY)


def target_for(world: World, message: str, **remembered: str) -> UploadTarget:
    with world.uow_factory() as uow:
        return choose_target(
            uow,
            world.owner,
            NOW,
            text=message,
            remembered_follow_up_id=remembered.get("follow_up_id"),
            remembered_evidence=remembered.get("evidence"),
        )


def store(world: World, tmp_path: Path, follow_up_id: str, name: str, data: bytes) -> None:
    with world.uow_factory() as uow:
        store_document(
            StoreDocument(follow_up_id, world.owner.id, name, data),
            uow,
            NOW,
            store=FolderDocumentStore(tmp_path / "docs"),
        )
        uow.commit()


# --- the requests ------------------------------------------------------------------------------


def test_open_requests_are_offered_due_first_and_later_ones_kept_apart(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    found = requests_now(world)

    assert [(r.evidence, r.follow_up_id) for r in found.offered] == [
        ("egenrapportering", follow_ups["egenrapportering"].id),
        ("mannskapsliste", follow_ups["mannskapsliste"].id),
        ("skatteattest", follow_ups["skatteattest"].id),
        ("lønnsslipper", follow_ups["pay"].id),
        ("timelister", follow_ups["pay"].id),
    ]
    assert [r.follow_up_id for r in found.later] == [follow_ups["skatteattest-later"].id]
    assert found.offered[0].checkpoint_title == "Egenrapportering"
    assert found.offered[0].reference == world.contract.reference


def test_a_follow_up_answered_with_some_documents_still_asks_for_the_rest(
    world: World, follow_ups: dict[str, FollowUp], tmp_path: Path
) -> None:
    store(world, tmp_path, follow_ups["pay"].id, "Lønnsslipper.pdf", PDF)

    pay = [
        r.evidence for r in requests_now(world).offered if r.follow_up_id == follow_ups["pay"].id
    ]

    assert pay == ["timelister"]


def test_answered_otherwise_removed_or_ended_asks_for_nothing(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(
                follow_ups["egenrapportering"].id, AnswerKind.NOT_APPLICABLE, world.owner.id
            ),
            uow,
            NOW,
        )
        hms = next(
            c for c in uow.checkpoints.for_contracts([world.contract.id]) if c.code == "hms-kort"
        )
        uow.checkpoints.update(hms.model_copy(update={"status": CheckpointStatus.REMOVED}))
        uow.commit()

    codes = [r.evidence for r in requests_now(world).offered]
    assert codes == ["skatteattest", "lønnsslipper", "timelister"]

    set_contract(world, status=ContractStatus.TERMINATED)
    assert not requests_now(world)


def test_the_person_s_requests_across_contracts(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    with world.uow_factory() as uow:
        found = person_requests(uow, world.owner.id, TODAY)
        assert person_requests(uow, stranger(world).id, TODAY) == []
    assert [r.evidence for r in found][:3] == [
        "egenrapportering",
        "mannskapsliste",
        "skatteattest",
    ]
    assert follow_ups["skatteattest-later"].id not in {r.follow_up_id for r in found}


# --- the contract and the request ----------------------------------------------------------------


def test_a_tax_certificate_goes_to_skatteattest_though_another_is_due_first(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    target = target_for(world, f"Her er den, {world.contract.reference}")

    assert target.source is TargetSource.NAMED
    placement = place_file(target, file_name="Skatteattest_Byggmester_AS_2026.pdf")
    assert placement.follow_up_id == follow_ups["skatteattest"].id
    assert placement.evidence == "skatteattest"


def test_a_name_that_says_nothing_is_placed_by_the_first_page_or_asked_about(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    target = target_for(world, world.contract.reference)

    unclear = place_file(target, file_name="scan_0001.pdf")
    by_page = place_file(target, file_name="scan_0001.pdf", first_page="HMS-kort mannskapsliste")

    assert unclear.follow_up_id is None
    assert unclear.match is not None
    assert len(unclear.match.candidates) == 5
    assert by_page.follow_up_id == follow_ups["mannskapsliste"].id


def test_a_kind_due_only_later_is_taken_when_clearly_named(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(follow_ups["skatteattest"].id, AnswerKind.NOT_APPLICABLE, world.owner.id),
            uow,
            NOW,
        )
        uow.commit()
    target = target_for(world, world.contract.reference)

    placement = place_file(target, file_name="Skatteattest 2027.pdf")

    assert placement.follow_up_id == follow_ups["skatteattest-later"].id


def test_a_remembered_choice_decides(world: World, follow_ups: dict[str, FollowUp]) -> None:
    pay = follow_ups["pay"].id
    chosen = target_for(world, "", follow_up_id=pay, evidence="timelister")
    pressed = target_for(world, "", follow_up_id=pay)

    assert chosen.source is TargetSource.REMEMBERED
    assert place_file(chosen, file_name="Skatteattest.pdf").evidence == "timelister"
    # The card's button alone: the follow-up is preferred, the file's name still counts.
    assert place_file(pressed, file_name="Lønnsslipp mars.pdf").evidence == "lønnsslipper"
    unclear = place_file(pressed, file_name="scan.pdf")
    assert unclear.follow_up_id is None
    assert unclear.match is not None
    assert [r.evidence for r in unclear.match.candidates] == ["lønnsslipper", "timelister"]


def test_typed_text_names_the_request_or_nobody_guesses(
    world: World, follow_ups: dict[str, FollowUp]
) -> None:
    target = target_for(world, world.contract.reference)

    named = evidence_in_text(target, "mannskapslisten for uke 49")
    unnamed = evidence_in_text(target, None)

    assert named is not None
    assert named.request is not None
    assert named.request.follow_up_id == follow_ups["mannskapsliste"].id
    assert unnamed is not None
    assert unnamed.request is None
    assert len(unnamed.candidates) == 5


def test_a_contract_with_no_request_takes_the_file_where_it_did_before(world: World) -> None:
    delivery = add_follow_up_for(world, world.checkpoint, DUE + timedelta(days=1))
    target = target_for(world, world.contract.reference)

    placement = place_file(target, file_name="Leveransebekreftelse.pdf")

    assert placement.follow_up_id == delivery.id
    assert placement.evidence is None


def test_someone_elses_contract_is_refused(world: World, follow_ups: dict[str, FollowUp]) -> None:
    nils = stranger(world)
    with world.uow_factory() as uow, pytest.raises(AnswerRefused):
        choose_target(uow, nils, NOW, text=world.contract.reference)
