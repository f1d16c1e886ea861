"""What a person controls about their reminders, on real SQLite and PostgreSQL: snoozing a
follow-up (who may, to when), pausing and resuming, and how many a day. Every change is audited.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from followup.answers.actions import SNOOZE
from followup.answers.services import AnswerRefusal, AnswerRefused
from followup.answers.targets import AHEAD_DAYS, ChoiceKind, choose_follow_up
from followup.calendar.workdays import WorkingCalendar
from followup.errors import FollowUpError, NotFound
from followup.models import Absence, AuditEvent, DeliveryKind, FollowUp, FollowUpState, Person
from followup.reminders.controls import (
    MAX_REMINDERS_PER_DAY,
    Snoozed,
    SnoozeRefused,
    may_answer,
    set_reminders_paused,
    set_reminders_per_day,
    snooze_follow_up,
)
from followup.reminders.planning import Step
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person
from tests.worlds import (
    NOW,
    World,
    add_follow_up,
    all_deliveries,
    build_world,
    of_kind,
    oslo,
    plan,
    stored_follow_up,
    stored_person,
)

CALENDAR = WorkingCalendar()
TODAY = date(2026, 11, 23)
DUE = date(2026, 11, 25)  # a Wednesday
NEXT = oslo(2026, 11, 25)  # the DUE step, at 08:00 in Oslo


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return build_world(uow_factory, with_manager=True)


@pytest.fixture
def follow_up(world: World) -> FollowUp:
    return add_follow_up(
        world, DUE, step=Step.DUE, next_action_at=NEXT, state=FollowUpState.NOTIFIED
    )


def snooze(world: World, person: Person, follow_up_id: str, until: date) -> Snoozed:
    with world.uow_factory() as uow:
        done = snooze_follow_up(uow, person, follow_up_id, until, NOW, calendar=CALENDAR)
        uow.commit()
    return done


def audit(world: World, entity: str, entity_id: str) -> list[AuditEvent]:
    with world.uow_factory() as uow:
        return list(uow.audit.for_entity(entity, entity_id))


def stranger(world: World) -> Person:
    with world.uow_factory() as uow:
        person = add_person(uow, "Nils Fremmed", NOW)
        uow.commit()
    return person


# --- snooze ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "at"),
    [
        (date(2026, 11, 24), oslo(2026, 11, 24)),  # tomorrow
        (date(2026, 11, 28), oslo(2026, 11, 30)),  # a Saturday: the Monday after
        (date(2026, 12, 25), oslo(2026, 12, 28)),  # Christmas Day: after the holidays
    ],
)
def test_the_owner_snoozes_to_the_window_of_a_working_day(
    world: World, follow_up: FollowUp, until: date, at: datetime
) -> None:
    done = snooze(world, world.owner, follow_up.id, until)

    assert done.until == until
    assert done.follow_up.state is FollowUpState.SNOOZED
    assert done.follow_up.next_action_at == at
    assert done.contract.id == world.contract.id
    assert done.checkpoint.id == world.checkpoint.id
    after = stored_follow_up(world.uow_factory, follow_up.id)
    assert after.state is FollowUpState.SNOOZED
    assert after.next_action_at == at
    assert after.reminder_step == Step.DUE  # the ladder step stays
    (event,) = audit(world, "follow_up", follow_up.id)
    assert event.action == "follow_up.snoozed"
    assert event.actor == f"person:{world.owner.id}"
    assert event.at == NOW
    assert event.before is not None
    assert event.after is not None
    assert event.before["state"] == "notified"
    assert datetime.fromisoformat(event.before["next_action_at"]) == NEXT
    assert event.after["state"] == "snoozed"
    assert datetime.fromisoformat(event.after["next_action_at"]) == at


@pytest.mark.parametrize(
    ("until", "overdue"),
    [(date(2026, 11, 24), False), (DUE, False), (date(2026, 11, 26), True)],
)
def test_a_snooze_past_the_due_date_leaves_it_overdue(
    world: World, follow_up: FollowUp, until: date, overdue: bool
) -> None:
    done = snooze(world, world.owner, follow_up.id, until)
    assert done.overdue is overdue
    assert done.due_passed is False, "due on Wednesday, snoozed on Monday: the due date is ahead"


def test_a_snooze_says_whether_the_due_date_has_passed(world: World) -> None:
    """So that the reply says «fristen var …» only of a date in the past."""
    late = add_follow_up(
        world, date(2026, 11, 20), step=Step.REMINDER, state=FollowUpState.REMINDED
    )
    done = snooze(world, world.owner, late.id, date(2026, 11, 26))
    assert (done.overdue, done.due_passed) == (True, True)


def test_the_contract_manager_and_a_covering_deputy_may_snooze(
    world: World, follow_up: FollowUp
) -> None:
    assert snooze(world, world.manager, follow_up.id, date(2026, 11, 24)).until
    # Ola has nothing to do with the contract, until he covers for the owner.
    with pytest.raises(SnoozeRefused):
        snooze(world, world.deputy, follow_up.id, date(2026, 11, 26))
    with world.uow_factory() as uow:
        uow.absences.add(
            Absence(
                person_id=world.owner.id,
                start=TODAY,
                end=date(2026, 11, 30),
                deputy_person_id=world.deputy.id,
            )
        )
        uow.commit()
    done = snooze(world, world.deputy, follow_up.id, date(2026, 11, 26))
    assert done.follow_up.next_action_at == oslo(2026, 11, 26)
    actors = [e.actor for e in audit(world, "follow_up", follow_up.id)]
    assert actors == [f"person:{world.manager.id}", f"person:{world.deputy.id}"]


def test_a_stranger_may_not_snooze(world: World, follow_up: FollowUp) -> None:
    nils = stranger(world)

    with pytest.raises(SnoozeRefused) as refused:
        snooze(world, nils, follow_up.id, date(2026, 11, 26))

    assert isinstance(refused.value, FollowUpError)
    assert refused.value.code == "follow_up.not_yours"
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up
    assert audit(world, "follow_up", follow_up.id) == []
    with world.uow_factory() as uow:
        assert not may_answer(uow, nils, world.contract, TODAY)
        assert may_answer(uow, world.owner, world.contract, TODAY)
        with pytest.raises(AnswerRefused) as not_theirs:
            choose_follow_up(uow, nils, world.contract, TODAY, "fredag", action=SNOOZE)
        assert not_theirs.value.reason is AnswerRefusal.NOT_YOURS


@pytest.mark.parametrize(
    "state", [FollowUpState.ANSWERED, FollowUpState.SKIPPED, FollowUpState.DEVIATION_REPORTED]
)
def test_a_closed_follow_up_cannot_be_snoozed(world: World, state: FollowUpState) -> None:
    closed = add_follow_up(world, DUE, step=Step.DONE, next_action_at=NEXT, state=state)

    with pytest.raises(SnoozeRefused) as refused:
        snooze(world, world.owner, closed.id, date(2026, 11, 26))

    assert refused.value.code == "follow_up.closed"
    assert stored_follow_up(world.uow_factory, closed.id) == closed


@pytest.mark.parametrize(
    ("until", "code"),
    [
        (TODAY, "follow_up.snooze_past"),
        (TODAY - timedelta(days=1), "follow_up.snooze_past"),
        (TODAY + timedelta(days=367), "follow_up.snooze_too_far"),
        (date(2028, 1, 1), "follow_up.snooze_too_far"),
    ],
)
def test_a_snooze_date_must_be_after_today_and_within_a_year(
    world: World, follow_up: FollowUp, until: date, code: str
) -> None:
    with pytest.raises(SnoozeRefused) as refused:
        snooze(world, world.owner, follow_up.id, until)

    assert refused.value.code == code
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up
    assert audit(world, "follow_up", follow_up.id) == []


def test_a_year_ahead_is_the_furthest_snooze(world: World, follow_up: FollowUp) -> None:
    until = TODAY + timedelta(days=366)  # Wednesday 24 November 2027
    done = snooze(world, world.owner, follow_up.id, until)
    assert done.follow_up.next_action_at == oslo(2027, 11, 24)


def test_an_unknown_follow_up_is_not_found(world: World) -> None:
    with pytest.raises(NotFound) as missing:
        snooze(world, world.owner, "no-such-follow-up", date(2026, 11, 26))
    assert missing.value.code == "follow_up.not_found"


def test_a_snoozed_follow_up_is_reminded_of_on_the_new_date(
    world: World, follow_up: FollowUp
) -> None:
    snooze(world, world.owner, follow_up.id, date(2026, 11, 26))

    # Not on the due date's morning, as it would have been...
    assert plan(world, oslo(2026, 11, 25, 10)).follow_ups == 0
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DIGEST) == []
    # ...but on the day it was put off to.
    report = plan(world, oslo(2026, 11, 26, 8, 1))
    assert report.digests == 1
    (digest,) = of_kind(all_deliveries(world.uow_factory), DeliveryKind.DIGEST)
    assert digest.recipient_person_id == world.owner.id
    assert digest.follow_up_ids == [follow_up.id]
    after = stored_follow_up(world.uow_factory, follow_up.id)
    assert after.state is FollowUpState.NOTIFIED
    assert after.reminder_step == Step.REMINDER
    # The ladder goes on from the day the snooze ended: 2 working days after Thursday 26.11.
    assert after.next_action_at == oslo(2026, 11, 30)


def test_a_follow_up_snoozed_past_its_ladder_reminds_its_owner_not_procurement(
    world: World, follow_up: FollowUp
) -> None:
    snooze(world, world.owner, follow_up.id, date(2026, 12, 15))  # due 25.11: 14 working days on
    report = plan(world, oslo(2026, 12, 15, 8, 1))
    assert report.digests == 1
    assert report.procurement == 0
    (digest,) = of_kind(all_deliveries(world.uow_factory), DeliveryKind.DIGEST)
    assert digest.recipient_person_id == world.owner.id
    after = stored_follow_up(world.uow_factory, follow_up.id)
    assert after.reminder_step == Step.REMINDER  # the reminder 2 working days on
    assert after.next_action_at == oslo(2026, 12, 17)


def test_the_follow_ups_to_snooze_are_the_open_ones_whatever_their_age_earliest_first(
    world: World,
) -> None:
    """`utsett` chooses as a typed answer does (`choose_follow_up`): every open follow-up fits,
    overdue ones whatever their age, also one past the end of its ladder; answered ones and
    those due more than `AHEAD_DAYS` ahead do not."""
    later = add_follow_up(world, date(2026, 12, 9), next_action_at=oslo(2026, 12, 4))
    overdue = add_follow_up(
        world, date(2026, 11, 2), step=Step.REMINDER, state=FollowUpState.REMINDED
    )
    add_follow_up(world, date(2026, 11, 9), next_action_at=NOW, state=FollowUpState.ANSWERED)
    add_follow_up(world, TODAY + timedelta(days=AHEAD_DAYS + 1), next_action_at=NOW)
    ancient, past_the_ladder = (
        FollowUp(
            checkpoint_id=world.checkpoint.id,
            contract_id=world.contract.id,
            due_date=due,
            state=FollowUpState.ESCALATED,
            reminder_step=Step.DONE,
            next_action_at=None,
        )
        for due in (date(2025, 6, 2), date(2026, 10, 1))
    )
    with world.uow_factory() as uow:
        uow.follow_ups.add_many([ancient, past_the_ladder])
        uow.commit()

    with world.uow_factory() as uow:
        choice = choose_follow_up(uow, world.owner, world.contract, TODAY, "fredag", action=SNOOZE)

    assert choice.kind is ChoiceKind.ASK
    assert [c.follow_up.id for c in choice.candidates] == [
        ancient.id,
        past_the_ladder.id,
        overdue.id,
        later.id,
    ]
    assert choice.rest == "fredag"


# --- pause, resume, how many a day ------------------------------------------------------------


def test_pause_and_resume_are_stored_and_audited(world: World) -> None:
    with world.uow_factory() as uow:
        assert set_reminders_paused(uow, world.owner, True, NOW) is True
        uow.commit()
    paused = stored_person(world.uow_factory, world.owner.id)
    assert paused.reminders_paused is True

    with world.uow_factory() as uow:
        assert set_reminders_paused(uow, paused, True, NOW) is False  # already so
        uow.commit()
    later = NOW + timedelta(hours=1)
    with world.uow_factory() as uow:
        assert set_reminders_paused(uow, paused, False, later) is True
        uow.commit()
    assert stored_person(world.uow_factory, world.owner.id).reminders_paused is False

    events = audit(world, "person", world.owner.id)
    assert [(e.action, e.actor, e.before, e.after) for e in events] == [
        (
            "person.reminders",
            f"person:{world.owner.id}",
            {"reminders_paused": False},
            {"reminders_paused": True},
        ),
        (
            "person.reminders",
            f"person:{world.owner.id}",
            {"reminders_paused": True},
            {"reminders_paused": False},
        ),
    ]
    assert [e.at for e in events] == [NOW, later]


def test_a_paused_person_is_skipped_by_the_planner(world: World) -> None:
    add_follow_up(world, date(2026, 11, 23))
    with world.uow_factory() as uow:
        set_reminders_paused(uow, world.owner, True, NOW)
        uow.commit()

    assert plan(world).skipped_paused == 1


@pytest.mark.parametrize(("asked", "kept"), [(0, 1), (-3, 1), (1, 1), (3, 3), (10, 10), (15, 10)])
def test_reminders_per_day_are_clamped_to_one_to_ten(world: World, asked: int, kept: int) -> None:
    with world.uow_factory() as uow:
        assert set_reminders_per_day(uow, world.owner, asked, NOW) == kept
        uow.commit()

    assert stored_person(world.uow_factory, world.owner.id).reminders_per_day == kept
    assert MAX_REMINDERS_PER_DAY == 10
    events = audit(world, "person", world.owner.id)
    if kept == 1:  # the default already: nothing changed, nothing audited
        assert events == []
    else:
        assert [(e.action, e.before, e.after) for e in events] == [
            ("person.reminders", {"reminders_per_day": 1}, {"reminders_per_day": kept})
        ]
