"""De-duplication on channel + conversation + activity id, on real SQLite and PostgreSQL
(issue 13).

Teams message ids are per-conversation timestamps: two people writing at the same millisecond
share one. An answer, a deviation and a document are idempotent on the activity they came in,
in its own conversation: the same activity sent again in the same conversation stores nothing
new, and the same id from another conversation is another person's activity, stored in full.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followup.answers.services import AnswerRecorded, RecordAnswer, record_answer
from followup.deviations.services import DeviationReported, ReportDeviation, report_deviation
from followup.documents.services import DocumentStored, StoreDocument, store_document
from followup.models import (
    Answer,
    AnswerKind,
    DeviationCategory,
    FollowUp,
    FollowUpState,
    Person,
    Severity,
)
from followup.ports import OutgoingMessage
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.worlds import (
    NEXT,
    NOW,
    World,
    add_checkpoint,
    add_follow_up,
    add_follow_up_for,
    answer_world,
    answers_of,
    open_follow_up,
)

SHARED_ID = "1712345678901"
"""A Teams message id: a timestamp, unique only within its conversation."""
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    """Kari owns the contract and Per manages it: both may answer, each in their own chat."""
    return answer_world(uow_factory)


@pytest.fixture
def karis(world: World) -> FollowUp:
    return open_follow_up(world)


@pytest.fixture
def pers(world: World) -> FollowUp:
    return add_follow_up(
        world, date(2026, 12, 2), step=1, next_action_at=NEXT, state=FollowUpState.NOTIFIED
    )


def chat_of(world: World, person: Person) -> str:
    ref = {world.owner.id: world.owner_ref, world.manager.id: world.manager_ref}[person.id]
    assert ref is not None
    return ref.conversation_id


def answer(world: World, person: Person, follow_up_id: str, *, conversation: str) -> AnswerRecorded:
    with world.uow_factory() as uow:
        recorded = record_answer(
            RecordAnswer(
                follow_up_id,
                AnswerKind.DELIVERED,
                person.id,
                source_activity_id=SHARED_ID,
                source_channel_id="msteams",
                source_conversation_id=conversation,
            ),
            uow,
            NOW,
        )
        uow.commit()
    return recorded


def test_two_people_answering_with_the_same_activity_id_both_count(
    world: World, karis: FollowUp, pers: FollowUp
) -> None:
    kari = answer(world, world.owner, karis.id, conversation=chat_of(world, world.owner))
    per = answer(world, world.manager, pers.id, conversation=chat_of(world, world.manager))

    assert (kari.created, per.created) == (True, True)
    assert per.answer.follow_up_id == pers.id
    assert per.answer.answered_by_id == world.manager.id
    assert per.follow_up.state is FollowUpState.ANSWERED
    assert answers_of(world, karis.id) == [kari.answer]
    assert answers_of(world, pers.id) == [per.answer]
    assert kari.answer.source_activity_id == per.answer.source_activity_id == SHARED_ID


def test_the_same_activity_again_in_its_conversation_is_one_answer(
    world: World, karis: FollowUp, pers: FollowUp
) -> None:
    first = answer(world, world.owner, karis.id, conversation=chat_of(world, world.owner))
    answer(world, world.manager, pers.id, conversation=chat_of(world, world.manager))
    again = answer(world, world.owner, karis.id, conversation=chat_of(world, world.owner))

    assert again.created is False
    assert again.answer == first.answer
    assert answers_of(world, karis.id) == [first.answer]


def test_the_unique_key_is_the_conversation_and_the_activity(
    world: World, karis: FollowUp, pers: FollowUp
) -> None:
    """The database's own key, without the services' look-up first: the same activity id in
    two conversations goes in twice, in one conversation once."""
    kari = Answer(
        follow_up_id=karis.id,
        kind=AnswerKind.DELIVERED,
        answered_by_id=world.owner.id,
        answered_at=NOW,
        source_activity_id=SHARED_ID,
        source_conversation="kari-chat-key",
    )
    per = kari.model_copy(
        update={
            "id": "00000000-0000-0000-0000-0000000000a2",
            "follow_up_id": pers.id,
            "answered_by_id": world.manager.id,
            "source_conversation": "per-chat-key",
        }
    )
    kari_again = kari.model_copy(update={"id": "00000000-0000-0000-0000-0000000000a3"})
    with world.uow_factory() as uow:
        _, kari_created = uow.answers.add(kari)
        _, per_created = uow.answers.add(per)
        found, again_created = uow.answers.add(kari_again)
        uow.commit()

    assert (kari_created, per_created, again_created) == (True, True, False)
    assert found.id == kari.id


# --- deviations ------------------------------------------------------------------------------


class AlertCards:
    def deviation_alert(self, alert: object) -> OutgoingMessage:
        return OutgoingMessage(text="Avvik")


def report(
    world: World, person: Person, follow_up_id: str, *, conversation: str
) -> DeviationReported:
    command = ReportDeviation(
        person_id=person.id,
        category=DeviationCategory.DELAY,
        severity=Severity.LOW,
        occurred_on=date(2026, 11, 20),
        description=f"Meldt av {person.display_name}.",
        follow_up_id=follow_up_id,
        source_activity_id=SHARED_ID,
        source_channel_id="msteams",
        source_conversation_id=conversation,
    )
    with world.uow_factory() as uow:
        reported = report_deviation(command, uow, NOW, alert_renderer=AlertCards())
        uow.commit()
    return reported


def test_two_people_reporting_with_the_same_activity_id_both_count(
    world: World, karis: FollowUp, pers: FollowUp
) -> None:
    kari = report(world, world.owner, karis.id, conversation=chat_of(world, world.owner))
    per = report(world, world.manager, pers.id, conversation=chat_of(world, world.manager))

    assert (kari.created, per.created) == (True, True)
    assert per.deviation.id != kari.deviation.id
    assert per.deviation.reported_by_id == world.manager.id
    assert per.deviation.follow_up_id == pers.id
    assert per.answer is not None
    assert per.answer.follow_up_id == pers.id
    assert per.answer.kind is AnswerKind.DEVIATION
    assert [a.kind for a in answers_of(world, pers.id)] == [AnswerKind.DEVIATION]
    with world.uow_factory() as uow:
        stored = list(uow.deviations.for_contract(world.contract.id))
    assert {d.id for d in stored} == {kari.deviation.id, per.deviation.id}


def test_the_same_report_again_in_its_conversation_is_one_deviation(
    world: World, karis: FollowUp, pers: FollowUp
) -> None:
    first = report(world, world.owner, karis.id, conversation=chat_of(world, world.owner))
    report(world, world.manager, pers.id, conversation=chat_of(world, world.manager))
    again = report(world, world.owner, karis.id, conversation=chat_of(world, world.owner))

    assert again.created is False
    assert again.deviation == first.deviation
    assert again.answer == first.answer
    assert answers_of(world, karis.id) == [first.answer]
    with world.uow_factory() as uow:
        assert len(list(uow.deviations.for_contract(world.contract.id))) == 2


# --- documents -------------------------------------------------------------------------------


def upload(
    world: World,
    store: FolderDocumentStore,
    person: Person,
    follow_up_id: str,
    data: bytes,
    *,
    conversation: str,
) -> DocumentStored:
    with world.uow_factory() as uow:
        stored = store_document(
            StoreDocument(
                follow_up_id=follow_up_id,
                person_id=person.id,
                file_name="Skatteattest.pdf",
                data=data,
                source_activity_id=f"{SHARED_ID}#0",
                source_channel_id="msteams",
                source_conversation_id=conversation,
            ),
            uow,
            NOW,
            store=store,
        )
        uow.commit()
    return stored


def test_two_people_uploading_with_the_same_activity_id_both_count(
    world: World, tmp_path: Path
) -> None:
    store = FolderDocumentStore(tmp_path / "dokumenter")
    checkpoint = add_checkpoint(world, "skatteattest", ["skatteattest"])
    karis = add_follow_up_for(world, checkpoint)
    pers = add_follow_up_for(world, checkpoint, due=date(2026, 12, 2))

    kari = upload(
        world, store, world.owner, karis.id, PDF, conversation=chat_of(world, world.owner)
    )
    per = upload(
        world,
        store,
        world.manager,
        pers.id,
        PDF + b"per",
        conversation=chat_of(world, world.manager),
    )
    again = upload(
        world, store, world.owner, karis.id, PDF, conversation=chat_of(world, world.owner)
    )

    assert (kari.duplicate, per.duplicate) == (False, False)
    assert per.document.follow_up_id == pers.id
    assert per.document.uploaded_by_id == world.manager.id
    assert per.answer is not None
    assert per.answer.follow_up_id == pers.id
    assert again.duplicate is True
    assert again.document == kari.document
    assert [a.kind for a in answers_of(world, karis.id)] == [AnswerKind.DOCUMENTS]
    assert [a.kind for a in answers_of(world, pers.id)] == [AnswerKind.DOCUMENTS]
