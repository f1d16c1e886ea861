"""Answers on real SQLite and PostgreSQL: who may answer (owner, manager, deputy on behalf of
the owner), what an answer does to the follow-up, versions that never overwrite, one answer
per source activity (also when two arrive at once), refusals that change nothing, the text
kept, and the view the bot shows after an answer.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import pytest

from followup.answers.services import (
    MAX_ANSWER_TEXT,
    STATE_AFTER,
    AnswerRecorded,
    AnswerRefusal,
    AnswerRefused,
    FollowUpView,
    RecordAnswer,
    activity_key,
    answer_view,
    clean_text,
    record_answer,
)
from followup.errors import FollowUpError
from followup.models import (
    Answer,
    AnswerKind,
    CheckpointStatus,
    ContractStatus,
    FollowUp,
    FollowUpState,
    Person,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.worlds import (
    DUE,
    NEXT,
    NOW,
    World,
    add_checkpoint,
    add_follow_up,
    add_follow_up_for,
    answer_world,
    answers_of,
    audit,
    open_follow_up,
    owner_away,
    set_contract,
    stored_follow_up,
    stranger,
)

T = TypeVar("T")


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return answer_world(uow_factory)


@pytest.fixture
def follow_up(world: World) -> FollowUp:
    return open_follow_up(world)


def answer(
    world: World,
    person: Person,
    follow_up_id: str,
    kind: AnswerKind | str = AnswerKind.DELIVERED,
    **extra: object,
) -> AnswerRecorded:
    now: datetime = extra.pop("now", NOW)  # type: ignore[assignment]
    with world.uow_factory() as uow:
        recorded = record_answer(
            RecordAnswer(follow_up_id, kind, person.id, **extra),  # type: ignore[arg-type]
            uow,
            now,
        )
        uow.commit()
    return recorded


def view_of(world: World, follow_up_id: str) -> FollowUpView:
    with world.uow_factory() as uow:
        return answer_view(follow_up_id, uow)


def in_parallel(*work: Callable[[], T]) -> list[T | BaseException]:
    """Run each callable in its own thread, released at the same instant."""
    barrier = threading.Barrier(len(work))
    results: list[T | BaseException] = [RuntimeError("not run")] * len(work)

    def run(index: int, job: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = job()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# --- who answers -----------------------------------------------------------------------------


def test_the_owner_answers_and_the_follow_up_leaves_the_ladder(
    world: World, follow_up: FollowUp
) -> None:
    done = answer(world, world.owner, follow_up.id, text="Alt levert som avtalt.")

    assert done.created is True
    assert done.previous is None
    assert done.answer.version == 1
    assert done.answer.kind is AnswerKind.DELIVERED
    assert done.answer.answered_by_id == world.owner.id
    assert done.answer.on_behalf_of_id is None
    assert done.answer.answered_at == NOW
    assert done.answer.text == "Alt levert som avtalt."
    assert done.answer.channel == "msteams"
    assert done.follow_up.state is FollowUpState.ANSWERED
    assert done.follow_up.next_action_at is None
    stored = stored_follow_up(world.uow_factory, follow_up.id)
    assert stored.state is FollowUpState.ANSWERED
    assert stored.next_action_at is None
    assert stored.reminder_step == follow_up.reminder_step
    assert answers_of(world, follow_up.id) == [done.answer]
    (event,) = audit(world, "follow_up", follow_up.id)
    assert event.action == "answer.recorded"
    assert event.actor == f"person:{world.owner.id}"
    assert event.at == NOW
    assert event.before is not None
    assert datetime.fromisoformat(event.before.pop("next_action_at")) == NEXT
    assert event.before == {"state": "notified", "answer_version": None}
    assert event.after == {
        "state": "answered",
        "next_action_at": None,
        "answer_id": done.answer.id,
        "answer_version": 1,
        "kind": "delivered",
        "on_behalf_of_id": None,
    }


def test_a_deputy_covering_an_absent_owner_answers_on_their_behalf(
    world: World, follow_up: FollowUp
) -> None:
    with pytest.raises(AnswerRefused):  # Ola is nobody on this contract...
        answer(world, world.deputy, follow_up.id)
    owner_away(world, world.deputy)  # ...until he covers for Kari

    done = answer(world, world.deputy, follow_up.id)

    assert done.answer.answered_by_id == world.deputy.id
    assert done.answer.on_behalf_of_id == world.owner.id
    view = view_of(world, follow_up.id)
    assert view.latest is not None
    assert view.latest.answered_by_name == "Ola Hansen"
    assert view.latest.on_behalf_of_name == "Kari Nordmann"


def test_the_contracts_deputy_answers_on_behalf_and_the_manager_in_their_own_name(
    world: World, follow_up: FollowUp
) -> None:
    set_contract(world, deputy_id=world.deputy.id)

    by_deputy = answer(world, world.deputy, follow_up.id, AnswerKind.PARTLY_DELIVERED)
    by_manager = answer(world, world.manager, follow_up.id, AnswerKind.DELIVERED)

    assert by_deputy.answer.on_behalf_of_id == world.owner.id
    assert by_manager.answer.answered_by_id == world.manager.id
    assert by_manager.answer.on_behalf_of_id is None
    assert [a.version for a in answers_of(world, follow_up.id)] == [1, 2]


def test_a_stranger_is_refused_and_nothing_changes(world: World, follow_up: FollowUp) -> None:
    nils = stranger(world)

    with pytest.raises(AnswerRefused) as refused:
        answer(world, nils, follow_up.id, text="hei", source_activity_id="act-1")

    assert isinstance(refused.value, FollowUpError)
    assert refused.value.reason is AnswerRefusal.NOT_YOURS
    assert refused.value.code == "answer.not_yours"
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up
    assert answers_of(world, follow_up.id) == []
    assert audit(world, "follow_up", follow_up.id) == []


def test_an_unknown_person_or_follow_up_is_refused(world: World, follow_up: FollowUp) -> None:
    with pytest.raises(AnswerRefused) as unknown:
        answer(world, world.owner, "no-such-follow-up")
    assert unknown.value.reason is AnswerRefusal.UNKNOWN_FOLLOW_UP

    ghost = Person(display_name="Ikke registrert")
    with pytest.raises(AnswerRefused) as nobody:
        answer(world, ghost, follow_up.id)
    assert nobody.value.reason is AnswerRefusal.NOT_YOURS

    with pytest.raises(AnswerRefused) as kind:
        answer(world, world.owner, follow_up.id, "kanskje")
    assert kind.value.reason is AnswerRefusal.UNKNOWN_KIND
    assert answers_of(world, follow_up.id) == []


def test_each_kind_of_answer_sets_the_state(world: World) -> None:
    expected = {
        "delivered": FollowUpState.ANSWERED,
        "partly_delivered": FollowUpState.ANSWERED,
        "documents": FollowUpState.ANSWERED,
        "not_applicable": FollowUpState.ANSWERED,
        "option_exercised": FollowUpState.ANSWERED,
        "option_not_exercised": FollowUpState.ANSWERED,
        "new_procurement": FollowUpState.ANSWERED,
        "extended": FollowUpState.ANSWERED,
        "ending": FollowUpState.ANSWERED,
        "in_order": FollowUpState.ANSWERED,
        "meeting_held": FollowUpState.ANSWERED,
        "not_delivered": FollowUpState.DEVIATION_REPORTED,
        "deviation": FollowUpState.DEVIATION_REPORTED,
    }
    assert set(expected) == set(AnswerKind)
    for days, (kind, state) in enumerate(expected.items()):
        follow_up = add_follow_up(world, DUE + timedelta(days=days), state=FollowUpState.REMINDED)

        done = answer(world, world.owner, follow_up.id, kind)  # as a card sends it: a string

        assert done.answer.kind is AnswerKind(kind)
        assert STATE_AFTER[AnswerKind(kind)] is state
        assert stored_follow_up(world.uow_factory, follow_up.id).state is state, kind


# --- versions and idempotency ----------------------------------------------------------------


def test_changing_an_answer_adds_a_version_and_keeps_the_first(
    world: World, follow_up: FollowUp
) -> None:
    first = answer(world, world.owner, follow_up.id, AnswerKind.DELIVERED, text="Levert.")
    later = NOW + timedelta(hours=2)
    second = answer(
        world, world.owner, follow_up.id, AnswerKind.NOT_DELIVERED, text="Feil: ikke levert.",
        now=later,
    )  # fmt: skip

    assert second.created is True
    assert second.answer.version == 2
    assert second.answer.id != first.answer.id
    assert second.previous == first.answer
    assert answers_of(world, follow_up.id) == [first.answer, second.answer]
    assert stored_follow_up(world.uow_factory, follow_up.id).state is (
        FollowUpState.DEVIATION_REPORTED
    )
    events = audit(world, "follow_up", follow_up.id)
    assert [e.after["answer_version"] for e in events if e.after] == [1, 2]
    assert events[1].before is not None
    assert events[1].before["answer_version"] == 1
    assert events[1].before["state"] == "answered"
    view = view_of(world, follow_up.id)
    assert view.versions == 2
    assert view.latest is not None
    assert view.latest.version == 2
    assert view.latest.kind is AnswerKind.NOT_DELIVERED
    assert view.latest.answered_at == later


def test_the_same_activity_twice_stores_one_answer(world: World, follow_up: FollowUp) -> None:
    first = answer(world, world.owner, follow_up.id, source_activity_id="f:act-1")
    again = answer(world, world.owner, follow_up.id, source_activity_id="f:act-1")

    assert first.created is True
    assert again.created is False
    assert again.answer == first.answer
    assert again.follow_up.state is FollowUpState.ANSWERED
    assert answers_of(world, follow_up.id) == [first.answer]
    assert len(audit(world, "follow_up", follow_up.id)) == 1
    # Another activity is another answer.
    other = answer(world, world.owner, follow_up.id, source_activity_id="f:act-2")
    assert other.created is True
    assert other.answer.version == 2
    assert other.previous == first.answer


def test_the_same_activity_arriving_twice_at_once_stores_one_answer(
    world: World, follow_up: FollowUp
) -> None:
    results = in_parallel(
        *[
            lambda: answer(world, world.owner, follow_up.id, source_activity_id="f:race")
            for _ in range(4)
        ]
    )

    recorded = [r for r in results if isinstance(r, AnswerRecorded)]
    assert len(recorded) == 4, results
    assert sum(r.created for r in recorded) == 1
    assert len({r.answer.id for r in recorded}) == 1
    assert len(answers_of(world, follow_up.id)) == 1
    assert len(audit(world, "follow_up", follow_up.id)) == 1


def test_different_answers_at_once_take_the_next_versions(
    world: World, follow_up: FollowUp
) -> None:
    results = in_parallel(
        *[
            (lambda i=i: answer(world, world.owner, follow_up.id, source_activity_id=f"f:{i}"))
            for i in range(3)
        ]
    )

    assert all(isinstance(r, AnswerRecorded) and r.created for r in results), results
    assert [a.version for a in answers_of(world, follow_up.id)] == [1, 2, 3]


def test_the_repository_returns_the_answer_a_concurrent_transaction_stored(
    world: World, follow_up: FollowUp
) -> None:
    """The race itself, made certain: the second transaction only inserts (no look-up first),
    and the unique key makes it return the answer the first committed."""
    mine = Answer(
        follow_up_id=follow_up.id,
        kind=AnswerKind.DELIVERED,
        answered_by_id=world.owner.id,
        answered_at=NOW,
        source_activity_id="f:same",
    )
    theirs = mine.model_copy(update={"id": "00000000-0000-0000-0000-00000000beef"})
    with world.uow_factory() as first, world.uow_factory() as second:
        stored, created = first.answers.add(mine)
        first.commit()
        found, second_created = second.answers.add(theirs)
        second.commit()

    assert (created, second_created) == (True, False)
    assert found == stored
    assert answers_of(world, follow_up.id) == [stored]


def test_an_overlong_activity_id_is_stored_as_its_hash(world: World, follow_up: FollowUp) -> None:
    long_id = "x" * 500
    first = answer(world, world.owner, follow_up.id, source_activity_id=long_id)
    again = answer(world, world.owner, follow_up.id, source_activity_id=long_id)

    assert first.answer.source_activity_id == activity_key(long_id)
    assert (first.answer.source_activity_id or "").startswith("sha256:")
    assert again.created is False
    assert activity_key("  ") is None
    assert activity_key(" a ") == "a"


# --- what may not be answered ----------------------------------------------------------------


@pytest.mark.parametrize("status", [ContractStatus.TERMINATED, ContractStatus.EXPIRED])
def test_an_ended_contract_takes_no_answer(
    world: World, follow_up: FollowUp, status: ContractStatus
) -> None:
    set_contract(world, status=status)

    with pytest.raises(AnswerRefused) as refused:
        answer(world, world.owner, follow_up.id)

    assert refused.value.reason is AnswerRefusal.CONTRACT_INACTIVE
    assert refused.value.values == {"reference": world.contract.reference}
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up
    assert answers_of(world, follow_up.id) == []


def test_a_skipped_follow_up_or_a_removed_checkpoint_takes_no_answer(world: World) -> None:
    skipped = add_follow_up(world, DUE, state=FollowUpState.SKIPPED)
    with pytest.raises(AnswerRefused) as refused:
        answer(world, world.owner, skipped.id)
    assert refused.value.reason is AnswerRefusal.FOLLOW_UP_CLOSED

    removed = add_checkpoint(world, "statusmote", ["referat"])
    retired = add_follow_up_for(world, removed)
    with world.uow_factory() as uow:
        uow.checkpoints.update(removed.model_copy(update={"status": CheckpointStatus.REMOVED}))
        uow.commit()
    with pytest.raises(AnswerRefused) as retired_refused:
        answer(world, world.owner, retired.id)
    assert retired_refused.value.reason is AnswerRefusal.FOLLOW_UP_CLOSED
    assert answers_of(world, skipped.id) == answers_of(world, retired.id) == []


def test_an_answered_follow_up_may_be_answered_again(world: World) -> None:
    answered = add_follow_up(world, DUE, state=FollowUpState.ANSWERED)
    assert answer(world, world.owner, answered.id, AnswerKind.NOT_APPLICABLE).created


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, None),
        ("", None),
        ("   \n\t  ", None),
        ("Levert\x00 i\x07 dag", "Levert i dag"),
        ("a\tb", "a b"),
        ("mange      mellomrom", "mange mellomrom"),
        ("linje 1\r\nlinje 2\rlinje 3", "linje 1\nlinje 2\nlinje 3"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("  trailing  \n  lines  ", "trailing\nlines"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("Æøå og 👍🏽 og 👨‍👩‍👧", "Æøå og 👍🏽 og 👨‍👩‍👧"),
        ("e\u0301", "é"),  # NFC
        ("fil\u202egnp.exe", "filgnp.exe"),  # no right-to-left override
        ("zero\u200bwidth\ufeff", "zerowidth"),
    ],
)
def test_clean_text(given: str | None, kept: str | None) -> None:
    assert clean_text(given) == kept


def test_text_too_long_after_cleaning_is_refused(world: World, follow_up: FollowUp) -> None:
    with pytest.raises(AnswerRefused) as refused:
        answer(world, world.owner, follow_up.id, text="x" * (MAX_ANSWER_TEXT + 1))
    assert refused.value.reason is AnswerRefusal.TEXT_TOO_LONG
    assert refused.value.values == {"length": MAX_ANSWER_TEXT + 1, "limit": MAX_ANSWER_TEXT}
    assert answers_of(world, follow_up.id) == []

    # Long only before cleaning: fine.
    padded = answer(world, world.owner, follow_up.id, text=" " * 5000 + "ok\x00" * 3)
    assert padded.answer.text == "okokok"
    exact = answer(world, world.owner, follow_up.id, text="y" * MAX_ANSWER_TEXT)
    assert exact.answer.text == "y" * MAX_ANSWER_TEXT
    assert answer(world, world.owner, follow_up.id, text=" \n ").answer.text is None


def test_hostile_text_is_stored_as_it_was_written(world: World, follow_up: FollowUp) -> None:
    hostile = "<script>alert('x')</script> '; DROP TABLE answers; -- {{7*7}}"
    done = answer(world, world.owner, follow_up.id, text=hostile)
    assert answers_of(world, follow_up.id)[0].text == hostile
    assert done.answer.text == hostile


# --- the view after an answer ----------------------------------------------------------------


def test_the_view_has_what_the_card_shows(world: World) -> None:
    checkpoint = add_checkpoint(world, "lonnsdokumentasjon", ["lønnsslipper", "timelister"])
    follow_up = add_follow_up_for(world, checkpoint)

    before = view_of(world, follow_up.id)
    assert before.latest is None
    assert before.versions == 0
    assert before.missing_evidence == ["lønnsslipper", "timelister"]

    answer(world, world.owner, follow_up.id, AnswerKind.NOT_APPLICABLE, text="Ikke aktuelt.")
    view = view_of(world, follow_up.id)

    assert view.contract.reference == "KOM-2026-0001"
    assert view.contract.title == "Kontorrekvisita"
    assert view.supplier_name == "Fjordbygg AS"
    assert view.checkpoint.title == "Lonnsdokumentasjon"
    assert view.checkpoint.question.startswith("Har leverandøren")
    assert view.checkpoint.actions == ["dokumentasjon", "avvik", "ikke_relevant", "utsett"]
    assert view.checkpoint.evidence == ["lønnsslipper", "timelister"]
    assert view.due_date == DUE
    assert view.state is FollowUpState.ANSWERED
    assert view.latest is not None
    assert view.latest.kind is AnswerKind.NOT_APPLICABLE
    assert view.latest.text == "Ikke aktuelt."
    assert view.latest.answered_by_name == "Kari Nordmann"
    assert view.latest.on_behalf_of_name is None
    assert view.documents == []
    assert view.deviations == []
    assert view.missing_evidence == ["lønnsslipper", "timelister"]

    with pytest.raises(AnswerRefused) as missing:
        view_of(world, "no-such-follow-up")
    assert missing.value.reason is AnswerRefusal.UNKNOWN_FOLLOW_UP


def test_a_typed_reference_matches_in_any_case_but_never_as_a_pattern(world: World) -> None:
    reference = world.contract.reference
    with world.uow_factory() as uow:
        found = uow.contracts.by_reference(reference.lower())
        wildcard = uow.contracts.by_reference(reference[:3] + "%")
        one_char = uow.contracts.by_reference(reference[:-1] + "_")
    assert found is not None
    assert found.id == world.contract.id
    assert wildcard is None
    assert one_char is None
