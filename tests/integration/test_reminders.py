"""Proactive reminders, the planning half, on real SQLite and PostgreSQL: the send window, the
ladder of steps around Norwegian holidays, and `plan_reminders` writing one digest per recipient
into the outbox (deputies while the owner is away, paused and unreachable people, the daily
limit, the planner lease, stopped follow-ups and the weekly summary).

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo (ISO week 48).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.reminders.cards import ReminderCards
from followup.calendar.workdays import OSLO
from followup.models import (
    Absence,
    Checkpoint,
    CheckpointStatus,
    ContractStatus,
    DeliveryKind,
    DeliveryState,
    FollowUp,
    FollowUpState,
)
from followup.reminders.planning import (
    PLANNER_LEASE,
    ItemRole,
    ReminderSettings,
    Step,
    in_send_window,
    next_send_window,
    next_step,
    plan_reminders,
    step_at,
    step_due_now,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.worlds import (
    CALENDAR,
    NOW,
    SETTINGS,
    RecordingCards,
    add_follow_up,
    all_deliveries,
    build_world,
    of_kind,
    oslo,
    plan,
    stored_follow_up,
)

# --- the send window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (oslo(2026, 11, 23, 10), True),  # Monday morning
        (oslo(2026, 11, 23, 8, 0), True),  # the start is included
        (oslo(2026, 11, 23, 7, 59), False),  # before 08:00
        (oslo(2026, 11, 23, 15, 59), True),
        (oslo(2026, 11, 23, 16, 0), False),  # the end is excluded
        (oslo(2026, 11, 28, 10), False),  # Saturday
        (oslo(2026, 11, 29, 10), False),  # Sunday
        (oslo(2026, 12, 25, 10), False),  # Christmas Day, a Friday
        (oslo(2026, 12, 24, 10), True),  # Christmas Eve is a working day in Norway
        (oslo(2027, 5, 17, 10), False),  # Constitution Day, a Monday
    ],
)
def test_send_window(at: datetime, inside: bool) -> None:
    assert in_send_window(at, CALENDAR, SETTINGS) is inside
    # The same instant given in UTC is judged in Oslo time.
    assert in_send_window(at.astimezone(UTC), CALENDAR, SETTINGS) is inside


@pytest.mark.parametrize(
    ("at", "opens"),
    [
        (oslo(2026, 11, 23, 10), oslo(2026, 11, 23, 10)),  # inside: now
        (oslo(2026, 11, 23, 6, 30), oslo(2026, 11, 23)),  # early: today at 08:00
        (oslo(2026, 11, 27, 16, 0), oslo(2026, 11, 30)),  # Friday after work: Monday
        (oslo(2026, 11, 28, 12), oslo(2026, 11, 30)),  # Saturday: Monday
        (oslo(2026, 12, 24, 17), oslo(2026, 12, 28)),  # Christmas: 25th, 26th, weekend
        (oslo(2026, 12, 31, 16, 30), oslo(2027, 1, 4)),  # New Year's Day is a Friday
    ],
)
def test_next_send_window(at: datetime, opens: datetime) -> None:
    found = next_send_window(at, CALENDAR, SETTINGS)
    assert found == opens
    assert in_send_window(found, CALENDAR, SETTINGS)
    assert next_send_window(at.astimezone(UTC), CALENDAR, SETTINGS) == opens


# --- the ladder ------------------------------------------------------------------------------


def _follow_up(due: date, step: int = Step.NOTICE) -> FollowUp:
    return FollowUp(checkpoint_id="c", contract_id="k", due_date=due, reminder_step=step)


def _checkpoint(escalation: list[int] | None = None) -> Checkpoint:
    values: dict[str, object] = {
        "contract_id": "k",
        "code": "levering",
        "title": "Levering",
        "rrule": "FREQ=MONTHLY",
        "dtstart": date(2026, 1, 1),
    }
    if escalation is not None:
        values["escalation"] = escalation
    return Checkpoint.model_validate(values)


def test_ladder_steps_are_working_days_after_the_due_date() -> None:
    checkpoint = _checkpoint()
    assert checkpoint.escalation == [2, 5, 10]
    follow_up = _follow_up(date(2026, 11, 2))  # a Monday

    def at(step: Step) -> datetime | None:
        return step_at(follow_up, checkpoint, step, CALENDAR, SETTINGS)

    assert at(Step.NOTICE) is None  # set by the calendar
    assert at(Step.DUE) == oslo(2026, 11, 2)
    assert at(Step.REMINDER) == oslo(2026, 11, 4)
    assert at(Step.ESCALATE) == oslo(2026, 11, 9)  # Mon + 5 working days
    assert at(Step.PROCUREMENT) == oslo(2026, 11, 16)
    assert at(Step.DONE) is None


def test_ladder_steps_skip_christmas_and_new_year() -> None:
    checkpoint = _checkpoint()
    follow_up = _follow_up(date(2026, 12, 23))  # Wednesday before Christmas

    def at(step: Step) -> datetime | None:
        return step_at(follow_up, checkpoint, step, CALENDAR, SETTINGS)

    assert at(Step.DUE) == oslo(2026, 12, 23)
    # 24th (Thu) is a working day; 25th, 26th and the weekend are not: 28th is the 2nd.
    assert at(Step.REMINDER) == oslo(2026, 12, 28)
    assert at(Step.ESCALATE) == oslo(2026, 12, 31)
    # 1 January (Fri) and the weekend are off: 4, 5, 6, 7, 8 January.
    assert at(Step.PROCUREMENT) == oslo(2027, 1, 8)


def test_due_step_on_a_holiday_moves_to_the_next_working_day() -> None:
    follow_up = _follow_up(date(2026, 12, 25))
    assert step_at(follow_up, _checkpoint(), Step.DUE, CALENDAR, SETTINGS) == oslo(2026, 12, 28)


def test_a_shorter_ladder_has_no_later_steps() -> None:
    checkpoint = _checkpoint([3])
    follow_up = _follow_up(date(2026, 11, 2), Step.REMINDER)
    assert step_at(follow_up, checkpoint, Step.REMINDER, CALENDAR, SETTINGS) == oslo(2026, 11, 5)
    assert step_at(follow_up, checkpoint, Step.ESCALATE, CALENDAR, SETTINGS) is None
    assert next_step(follow_up, checkpoint, Step.REMINDER, NOW, CALENDAR, SETTINGS) == (
        Step.DONE,
        None,
    )


def test_step_due_now_collapses_missed_steps_to_the_latest() -> None:
    checkpoint = _checkpoint()
    follow_up = _follow_up(date(2026, 11, 2), Step.DUE)

    def due_now(at: datetime) -> Step:
        return step_due_now(follow_up, checkpoint, at, CALENDAR, SETTINGS)

    assert due_now(oslo(2026, 11, 2, 7, 59)) is Step.DUE  # nothing later yet: the current
    assert due_now(oslo(2026, 11, 4, 8, 0)) is Step.REMINDER
    assert due_now(oslo(2026, 11, 10, 12)) is Step.ESCALATE  # reminder missed
    assert due_now(NOW) is Step.PROCUREMENT  # three weeks late: straight to procurement
    # A step already taken is never taken back.
    done = _follow_up(date(2026, 11, 2), Step.DONE)
    assert step_due_now(done, checkpoint, NOW, CALENDAR, SETTINGS) is Step.DONE


def test_next_step_is_never_in_the_past() -> None:
    checkpoint = _checkpoint()
    follow_up = _follow_up(date(2026, 11, 2), Step.DUE)
    step, at = next_step(follow_up, checkpoint, Step.DUE, oslo(2026, 11, 2, 9), CALENDAR, SETTINGS)
    assert (step, at) == (Step.REMINDER, oslo(2026, 11, 4))
    step, at = next_step(follow_up, checkpoint, Step.ESCALATE, NOW, CALENDAR, SETTINGS)
    # Procurement's time (16 November) has passed: right away, not in the past.
    assert (step, at) == (Step.PROCUREMENT, NOW + timedelta(seconds=1))
    assert next_step(follow_up, checkpoint, Step.PROCUREMENT, NOW, CALENDAR, SETTINGS) == (
        Step.DONE,
        None,
    )


# --- planning --------------------------------------------------------------------------------


def test_an_owner_gets_one_digest_with_every_due_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    today = add_follow_up(world, date(2026, 11, 23))  # due today: the DUE step
    soon = add_follow_up(world, date(2026, 11, 25))  # the notice, three days before
    later = add_follow_up(world, date(2026, 12, 23), next_action_at=NOW + timedelta(days=20))
    cards = RecordingCards()

    report = plan(world, cards=cards)

    assert report.planned
    assert (report.follow_ups, report.digests) == (2, 1)
    digests = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert len(digests) == 1
    digest = digests[0]
    assert digest.state is DeliveryState.QUEUED
    assert digest.recipient_person_id == world.owner.id
    assert world.owner_ref is not None
    assert digest.conversation_ref_id == world.owner_ref.id
    assert sorted(digest.follow_up_ids) == sorted([today.id, soon.id])
    assert digest.message["text"]
    assert digest.message["card"]["type"] == "AdaptiveCard"
    assert [i.role for i in cards.digests[0].items] == [ItemRole.OWN, ItemRole.OWN]

    moved_today = stored_follow_up(uow_factory, today.id)
    assert moved_today.state is FollowUpState.NOTIFIED
    assert moved_today.reminder_step == Step.REMINDER
    assert moved_today.next_action_at == oslo(2026, 11, 25)
    moved_soon = stored_follow_up(uow_factory, soon.id)
    assert moved_soon.state is FollowUpState.NOTIFIED
    assert moved_soon.reminder_step == Step.DUE
    assert moved_soon.next_action_at == oslo(2026, 11, 25)
    untouched = stored_follow_up(uow_factory, later.id)
    assert (untouched.state, untouched.reminder_step) == (FollowUpState.PLANNED, 0)

    # Planned once: a second run at the same time has nothing to do.
    again = plan(world, NOW + timedelta(minutes=5))
    assert again.follow_ups == 0
    assert len(of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)) == 1


def test_a_deputy_gets_the_follow_ups_while_the_owner_is_away(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        uow.absences.add(
            Absence(
                person_id=world.owner.id,
                start=date(2026, 11, 20),
                end=date(2026, 11, 27),
                deputy_person_id=world.deputy.id,
            )
        )
        uow.commit()
    follow_up = add_follow_up(world, date(2026, 11, 23))
    cards = RecordingCards()

    report = plan(world, cards=cards)

    assert report.digests == 1
    digests = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert [(d.recipient_person_id, d.conversation_ref_id) for d in digests] == [
        (world.deputy.id, world.deputy_ref.id)
    ]
    assert digests[0].follow_up_ids == [follow_up.id]
    (rendered,) = cards.digests
    assert rendered.recipient.id == world.deputy.id
    assert [(i.follow_up.id, i.role) for i in rendered.items] == [(follow_up.id, ItemRole.COVERING)]
    assert rendered.items[0].owner is not None
    assert rendered.items[0].owner.id == world.owner.id
    assert stored_follow_up(uow_factory, follow_up.id).reminder_step == Step.REMINDER


def test_a_paused_owner_gets_nothing_but_the_ladder_goes_on(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory, owner_paused=True)
    follow_up = add_follow_up(world, date(2026, 11, 23))

    report = plan(world)

    assert report.skipped_paused == 1
    assert report.digests == 0
    digests = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert len(digests) == 1
    assert digests[0].state is DeliveryState.SKIPPED
    assert digests[0].recipient_person_id == world.owner.id
    assert digests[0].follow_up_ids == [follow_up.id]
    assert digests[0].conversation_ref_id is None
    moved = stored_follow_up(uow_factory, follow_up.id)
    assert moved.state is FollowUpState.NOTIFIED
    assert moved.reminder_step == Step.REMINDER
    assert moved.next_action_at == oslo(2026, 11, 25)


@pytest.mark.parametrize(
    ("owner_ref", "owner_unreachable", "reason"),
    [(False, False, "ikke installert appen"), (True, True, "403/404")],
    ids=["no-conversation", "marked-unreachable"],
)
def test_an_unreachable_owner_is_reported_to_procurement(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    owner_ref: bool,
    owner_unreachable: bool,
    reason: str,
) -> None:
    world = build_world(uow_factory, owner_ref=owner_ref, owner_unreachable=owner_unreachable)
    follow_up = add_follow_up(world, date(2026, 11, 23))
    cards = RecordingCards()

    report = plan(world, cards=cards)

    assert report.unreachable == 1
    assert report.digests == 0
    found = all_deliveries(uow_factory)
    (personal,) = of_kind(found, DeliveryKind.DIGEST)
    assert personal.state is DeliveryState.UNREACHABLE
    assert personal.recipient_person_id == world.owner.id
    assert personal.last_error == reason
    assert personal.follow_up_ids == [follow_up.id]
    (notice,) = of_kind(found, DeliveryKind.UNREACHABLE)
    assert notice.state is DeliveryState.QUEUED
    assert notice.conversation_ref_id == world.channels[0].id
    assert notice.follow_up_ids == [follow_up.id]
    assert notice.recipient_person_id is None
    assert cards.notices[0].person is not None
    assert cards.notices[0].person.id == world.owner.id
    # The ladder goes on, so escalation still happens.
    assert stored_follow_up(uow_factory, follow_up.id).reminder_step == Step.REMINDER


def test_no_procurement_channel_records_the_notice_as_unreachable(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory, owner_ref=False, channels=0)
    follow_up = add_follow_up(world, date(2026, 11, 23))

    plan(world)

    (notice,) = of_kind(all_deliveries(uow_factory), DeliveryKind.UNREACHABLE)
    assert notice.state is DeliveryState.UNREACHABLE
    assert notice.conversation_ref_id is None
    assert notice.follow_up_ids == [follow_up.id]


def test_overdue_follow_ups_climb_to_the_manager_and_then_procurement(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory, with_manager=True)
    # Due 2 November: the escalation (9 Nov) has come, procurement (16 Nov) has come too.
    at_procurement = add_follow_up(world, date(2026, 11, 2), step=Step.REMINDER)
    # Due 13 November: reminder 17 Nov, escalation 20 Nov, procurement 27 Nov.
    at_escalation = add_follow_up(world, date(2026, 11, 13), step=Step.REMINDER)
    cards = RecordingCards()

    report = plan(world, cards=cards)

    assert report.procurement == 1
    found = all_deliveries(uow_factory)
    (escalation,) = of_kind(found, DeliveryKind.ESCALATION)
    assert escalation.conversation_ref_id == world.channels[0].id
    assert escalation.follow_up_ids == [at_procurement.id]
    (digest,) = of_kind(found, DeliveryKind.DIGEST)
    assert digest.recipient_person_id == world.manager.id
    assert digest.follow_up_ids == [at_escalation.id]
    assert [(i.follow_up.id, i.role) for i in cards.digests[0].items] == [
        (at_escalation.id, ItemRole.ESCALATED)
    ]
    first = stored_follow_up(uow_factory, at_procurement.id)
    assert (first.state, first.reminder_step, first.next_action_at) == (
        FollowUpState.ESCALATED,
        Step.DONE,
        None,
    )
    second = stored_follow_up(uow_factory, at_escalation.id)
    assert (second.state, second.reminder_step, second.next_action_at) == (
        FollowUpState.ESCALATED,
        Step.PROCUREMENT,
        oslo(2026, 11, 27),
    )


def test_a_second_digest_the_same_day_waits_for_the_next_working_day(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
    world = build_world(uow_factory, now=friday)
    first = add_follow_up(world, date(2026, 11, 27), next_action_at=friday - timedelta(hours=1))
    assert plan(world, friday).digests == 1

    second = add_follow_up(world, date(2026, 12, 2), next_action_at=friday + timedelta(hours=1))
    report = plan(world, friday + timedelta(hours=2), holder="planner-2")

    assert (report.follow_ups, report.digests, report.deferred) == (1, 0, 1)
    digests = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert [d.follow_up_ids for d in digests] == [[first.id]]
    waiting = stored_follow_up(uow_factory, second.id)
    # Not moved up the ladder, only later: Monday 08:00 in Oslo.
    assert (waiting.state, waiting.reminder_step) == (FollowUpState.PLANNED, Step.NOTICE)
    assert waiting.next_action_at == oslo(2026, 11, 30)

    # Monday's window: it is sent then.
    monday = plan(world, oslo(2026, 11, 30, 8, 5))
    assert monday.digests == 1
    digests = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert digests[-1].follow_up_ids == [second.id]


def test_a_higher_daily_limit_allows_a_second_digest(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory, owner_per_day=2)
    add_follow_up(world, date(2026, 11, 23))
    assert plan(world).digests == 1
    add_follow_up(world, date(2026, 11, 26), next_action_at=NOW + timedelta(minutes=30))
    assert plan(world, NOW + timedelta(hours=1)).digests == 1
    assert plan(world, NOW + timedelta(hours=1)).follow_ups == 0
    add_follow_up(world, date(2026, 11, 27), next_action_at=NOW + timedelta(hours=2))
    assert plan(world, NOW + timedelta(hours=3)).deferred == 1
    assert len(of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)) == 2


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 23, 15, 0, tzinfo=UTC),  # 16:00 in Oslo
        datetime(2026, 11, 23, 6, 30, tzinfo=UTC),  # 07:30
        datetime(2026, 11, 28, 10, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 12, 25, 10, 0, tzinfo=UTC),  # Christmas Day
    ],
)
def test_planning_outside_the_window_does_nothing(
    uow_factory: SqlAlchemyUnitOfWorkFactory, at: datetime
) -> None:
    world = build_world(uow_factory)
    follow_up = add_follow_up(world, date(2026, 11, 2), next_action_at=at - timedelta(hours=1))

    report = plan(world, at)

    assert not report.planned
    assert all_deliveries(uow_factory) == []
    assert stored_follow_up(uow_factory, follow_up.id) == follow_up


def test_only_the_holder_of_the_planner_lease_plans(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    follow_up = add_follow_up(world, date(2026, 11, 23))
    with uow_factory() as uow:
        assert uow.scheduler.try_lease(
            PLANNER_LEASE, "other-process", NOW, NOW + timedelta(seconds=300)
        )
        uow.commit()

    report = plan(world, NOW + timedelta(seconds=10), holder="planner-2")

    assert not report.planned
    assert all_deliveries(uow_factory) == []
    assert stored_follow_up(uow_factory, follow_up.id) == follow_up

    # The other process died: once its lease has run out, this one plans.
    later = plan(world, NOW + timedelta(seconds=301), holder="planner-2")
    assert later.planned
    assert later.digests == 1
    # ...and releases the lease when done, so a third process may plan next.
    with uow_factory() as uow:
        assert uow.scheduler.try_lease(
            PLANNER_LEASE, "third", NOW + timedelta(seconds=302), NOW + timedelta(seconds=600)
        )


@pytest.mark.parametrize("stopped", ["contract-ended", "contract-terminated", "checkpoint-paused"])
def test_a_follow_up_no_longer_followed_is_stopped(
    uow_factory: SqlAlchemyUnitOfWorkFactory, stopped: str
) -> None:
    world = build_world(uow_factory)
    follow_up = add_follow_up(world, date(2026, 11, 23))
    with uow_factory() as uow:
        if stopped.startswith("contract-"):
            status = (
                ContractStatus.EXPIRED if stopped.endswith("ended") else ContractStatus.TERMINATED
            )
            ended = world.contract.model_copy(update={"status": status})
            uow.contracts.update(ended, NOW)
        elif stopped == "checkpoint-paused":
            paused = world.checkpoint.model_copy(update={"status": CheckpointStatus.PAUSED})
            uow.checkpoints.update(paused)
        uow.commit()

    report = plan(world)

    assert report.stopped == 1
    assert report.digests == 0
    assert of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST) == []
    after = stored_follow_up(uow_factory, follow_up.id)
    assert after.next_action_at is None
    assert after.reminder_step == Step.NOTICE


def test_the_weekly_summary_is_made_once_per_week_per_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory, channels=2)

    first = plan(world)
    second = plan(world, NOW + timedelta(hours=2))
    tuesday = plan(world, NOW + timedelta(days=1))

    assert (first.weekly, second.weekly, tuesday.weekly) == (2, 0, 0)
    weekly = of_kind(all_deliveries(uow_factory), DeliveryKind.WEEKLY)
    assert sorted(d.conversation_ref_id or "" for d in weekly) == sorted(
        c.id for c in world.channels
    )
    assert {d.dedupe_key for d in weekly} == {f"weekly:{c.id}:2026-W48" for c in world.channels}
    assert all(d.state is DeliveryState.QUEUED and d.message["text"] for d in weekly)
    # Monday of week 48: the summary is of week 47, and says so in words, never «2026-W48».
    shown = json.dumps(weekly[0].message, ensure_ascii=False)
    assert weekly[0].message["text"] == "Ukesoppsummering for uke 47"
    assert "fra mandag 16. november til søndag 22. november 2026" in shown
    assert "-W" not in shown

    # Next Monday is a new week.
    next_week = plan(world, NOW + timedelta(days=7))
    assert next_week.weekly == 2
    assert len(of_kind(all_deliveries(uow_factory), DeliveryKind.WEEKLY)) == 4


def test_the_weekly_summary_waits_for_the_start_of_the_window_on_monday(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    assert plan(world, oslo(2026, 11, 23, 7, 59)).weekly == 0
    assert plan(world, oslo(2026, 11, 23, 8, 0)).weekly == 1


def test_the_weekly_summary_moves_to_tuesday_after_easter_monday(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    easter_monday = oslo(2027, 3, 29, 9)
    assert not in_send_window(easter_monday, CALENDAR, SETTINGS)

    assert plan(world, oslo(2027, 3, 30, 9)).weekly == 1  # Tuesday
    assert plan(world, oslo(2027, 3, 31, 9)).weekly == 0  # Wednesday: already made
    assert plan(world, oslo(2027, 4, 5, 9)).weekly == 1  # the next Monday, a new week

    weekly = of_kind(all_deliveries(uow_factory), DeliveryKind.WEEKLY)
    channel = world.channels[0].id
    assert [d.dedupe_key for d in weekly] == [
        f"weekly:{channel}:2027-W13",
        f"weekly:{channel}:2027-W14",
    ]
    # Sent a day late, the first still covers the week before Easter Monday; the next one
    # starts on Easter Monday: each day in one summary.
    assert [d.message["text"] for d in weekly] == [
        "Ukesoppsummering for uke 12",
        "Ukesoppsummering for uke 13",
    ]


def test_a_weekly_summary_day_off_work_sends_on_the_next_working_day(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = build_world(uow_factory)
    saturday = ReminderSettings(weekly_weekday=5)

    def weekly(at: datetime) -> int:
        return plan_reminders(
            uow_factory,
            at,
            holder="p",
            calendar=CALENDAR,
            renderer=ReminderCards(),
            settings=saturday,
        ).weekly

    assert weekly(oslo(2026, 11, 27, 9)) == 0  # Friday
    assert weekly(oslo(2026, 11, 30, 9)) == 1  # Monday, for Saturday's week
    assert weekly(oslo(2026, 12, 1, 9)) == 0
    (made,) = of_kind(all_deliveries(uow_factory), DeliveryKind.WEEKLY)
    assert made.dedupe_key == f"weekly:{world.channels[0].id}:2026-W48"
    # Saturday to Friday spans two ISO weeks, and the title names both.
    assert made.message["text"] == "Ukesoppsummering for uke 47–48"


def test_the_planner_never_overwrites_an_answer_given_after_it_read_the_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """On SQLite the planner reads due follow-ups outside its write transaction; an answer
    committed in between must survive the planner's write."""
    import contextlib
    from concurrent.futures import ThreadPoolExecutor

    from followup.answers.services import RecordAnswer, record_answer
    from followup.ports import ScheduleChange

    world = build_world(uow_factory)
    follow_up = add_follow_up(world, date(2026, 11, 25))

    def answer(follow_up_id: str) -> None:
        with uow_factory() as uow:
            record_answer(RecordAnswer(follow_up_id, "delivered", world.owner.id), uow, NOW)
            uow.commit()

    with uow_factory() as planner, ThreadPoolExecutor(1) as pool:
        (read,) = planner.follow_ups.claim_due(NOW, 10)
        answering = pool.submit(answer, read.id)
        # SQLite: the answer commits now. PostgreSQL: it waits for the planner's row lock.
        with contextlib.suppress(TimeoutError):
            answering.result(timeout=1)
        planner.follow_ups.reschedule(
            [ScheduleChange(read.id, FollowUpState.NOTIFIED, 1, NOW + timedelta(days=2))],
            only_open=True,
        )
        planner.commit()
        answering.result(timeout=10)
    with uow_factory() as uow:
        after = uow.follow_ups.get_many([follow_up.id])[follow_up.id]
    assert after.state is FollowUpState.ANSWERED
    assert after.next_action_at is None


def test_the_weekly_summary_counts_as_procurements_status_card_does(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """Overdue, escalated, open deviations and unreachable owners on the weekly card are the
    numbers `status` shows the same day; answered counts first answers since the week began."""
    from followup.answers.services import RecordAnswer, record_answer
    from followup.models import Deviation, DeviationCategory, Severity
    from followup.portfolio import portfolio_status
    from followup.views import Scope

    world = build_world(uow_factory)
    today = NOW.astimezone(OSLO).date()
    overdue = add_follow_up(world, today - timedelta(days=3), state=FollowUpState.REMINDED)
    add_follow_up(world, today - timedelta(days=20), state=FollowUpState.ESCALATED)
    add_follow_up(world, today - timedelta(days=15), step=Step.PROCUREMENT)
    on_time = add_follow_up(world, today + timedelta(days=2))
    late = add_follow_up(world, today - timedelta(days=9))
    add_follow_up(world, today + timedelta(days=30))  # not due: in no count
    for follow_up, at in ((on_time, NOW - timedelta(days=2)), (late, NOW - timedelta(days=1))):
        with uow_factory() as uow:
            record_answer(RecordAnswer(follow_up.id, "delivered", world.owner.id), uow, at)
            uow.commit()
    with uow_factory() as uow:
        uow.deviations.add(
            Deviation(
                contract_id=world.contract.id,
                follow_up_id=overdue.id,
                category=DeviationCategory.DELAY,
                severity=Severity.HIGH,
                occurred_on=today,
                description="Forsinket",
                reported_by_id=world.owner.id,
                reported_at=NOW,
            )
        )
        for person, flag in ((world.owner, True), (world.manager, True)):
            uow.people.update(person.model_copy(update={"unreachable": flag}), NOW)
        uow.commit()

    with uow_factory() as uow:
        weekly = uow.summaries.weekly_counts(NOW - timedelta(days=7), today)
        status = portfolio_status(uow, Scope.everything(), today).counts

    assert (weekly.answered, weekly.answered_on_time) == (2, 1)
    assert weekly.overdue == status.overdue == 3
    assert weekly.escalated == status.escalated == 2
    assert weekly.open_deviations == {"høy": 1}
    assert status.open_deviations[Severity.HIGH] == 1
    # The manager is unreachable but has no open follow-up of their own: not counted.
    assert [p.id for p in weekly.unreachable_people] == [world.owner.id]
    assert status.unreachable_owners == 1
