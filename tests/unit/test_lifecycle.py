"""The follow-up's transition table (`followup.lifecycle`), written out here by hand: what the
answers, the planner, the snooze and the calendar do to a follow-up's state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from followup import lifecycle
from followup.errors import FollowUpError
from followup.lifecycle import Event, IllegalTransition, Step
from followup.models import AnswerKind, FollowUp, FollowUpState
from followup.ports import ScheduleChange

S = FollowUpState
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 17, 7, 0, tzinfo=UTC)

OPEN = (S.PLANNED, S.NOTIFIED, S.REMINDED, S.ESCALATED, S.SNOOZED)
ALL = (*OPEN, S.ANSWERED, S.DEVIATION_REPORTED, S.SKIPPED)
ANSWERABLE = (*OPEN, S.ANSWERED, S.DEVIATION_REPORTED)

ALLOWED: list[tuple[Event, FollowUpState, FollowUpState]] = [
    *((Event.NOTIFIED, s, S.NOTIFIED) for s in OPEN),
    *((Event.REMINDED, s, S.REMINDED) for s in OPEN),
    *((Event.ESCALATED, s, S.ESCALATED) for s in OPEN),
    *((Event.RESCHEDULED, s, s) for s in OPEN),
    *((Event.SNOOZED, s, S.SNOOZED) for s in OPEN),
    *((Event.STOPPED, s, s) for s in ALL),
    *((Event.ANSWERED, s, S.ANSWERED) for s in ANSWERABLE),
    *((Event.DEVIATION_REPORTED, s, S.DEVIATION_REPORTED) for s in ANSWERABLE),
]

REFUSED: list[tuple[Event, FollowUpState]] = [
    (Event.NOTIFIED, S.ANSWERED),
    (Event.REMINDED, S.DEVIATION_REPORTED),
    (Event.ESCALATED, S.SKIPPED),
    (Event.RESCHEDULED, S.ANSWERED),
    (Event.SNOOZED, S.ANSWERED),
    (Event.SNOOZED, S.DEVIATION_REPORTED),
    (Event.SNOOZED, S.SKIPPED),
    (Event.ANSWERED, S.SKIPPED),
    (Event.DEVIATION_REPORTED, S.SKIPPED),
]


def _follow_up(state: FollowUpState, *, step: int = 2, at: datetime | None = NOW) -> FollowUp:
    return FollowUp(
        id="f-1",
        checkpoint_id="c-1",
        contract_id="k-1",
        due_date=date(2026, 3, 10),
        state=state,
        next_action_at=at,
        reminder_step=step,
    )


# --- the table -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("event", "before", "after"), ALLOWED)
def test_an_allowed_transition(event: Event, before: FollowUpState, after: FollowUpState) -> None:
    assert lifecycle.allows(event, before)
    assert lifecycle.state_after(event, before) is after


def test_the_table_allows_nothing_else() -> None:
    table = {
        (event, before, after)
        for event, moves in lifecycle.TRANSITIONS.items()
        for before, after in moves.items()
    }
    assert table == set(ALLOWED)


@pytest.mark.parametrize(("event", "state"), REFUSED)
def test_a_refused_transition(event: Event, state: FollowUpState) -> None:
    assert not lifecycle.allows(event, state)
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.state_after(event, state)
    assert isinstance(refused.value, FollowUpError)
    assert refused.value.code == "follow_up.closed"
    assert (refused.value.event, refused.value.state) == (event, state)


def test_every_state_is_in_the_table() -> None:
    from_states = {s for moves in lifecycle.TRANSITIONS.values() for s in moves}
    to_states = {s for moves in lifecycle.TRANSITIONS.values() for s in moves.values()}
    for state in FollowUpState:
        assert state in from_states, state
        assert state in to_states, state


def test_every_event_is_in_the_table() -> None:
    assert set(lifecycle.TRANSITIONS) == set(Event)
    assert all(lifecycle.TRANSITIONS[event] for event in Event)


def test_the_named_state_sets() -> None:
    assert lifecycle.INITIAL_STATE is S.PLANNED
    assert set(OPEN) == lifecycle.LADDER_STATES
    assert set(OPEN) == lifecycle.REMOVABLE
    assert set(ANSWERABLE) == lifecycle.ANSWERABLE_STATES


def test_the_table_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        lifecycle.TRANSITIONS[Event.SNOOZED][S.ANSWERED] = S.SNOOZED  # type: ignore[index]


# --- the events ----------------------------------------------------------------------------------


def test_planned_makes_a_new_follow_up_at_the_notice() -> None:
    made = lifecycle.planned(
        checkpoint_id="c-1", contract_id="k-1", due_date=date(2026, 3, 13), first_action_at=NOW
    )
    assert (made.state, made.reminder_step, made.next_action_at) == (S.PLANNED, 0, NOW)
    assert (made.checkpoint_id, made.contract_id, made.due_date) == (
        "c-1",
        "k-1",
        date(2026, 3, 13),
    )
    other = lifecycle.planned(
        checkpoint_id="c-1", contract_id="k-1", due_date=date(2026, 3, 13), first_action_at=NOW
    )
    assert made.id != other.id


@pytest.mark.parametrize(
    ("taken", "after"),
    [
        (Step.NOTICE, S.NOTIFIED),
        (Step.DUE, S.NOTIFIED),
        (Step.REMINDER, S.REMINDED),
        (Step.ESCALATE, S.ESCALATED),
        (Step.PROCUREMENT, S.ESCALATED),
    ],
)
@pytest.mark.parametrize("before", OPEN)
def test_taking_a_step(taken: Step, after: FollowUpState, before: FollowUpState) -> None:
    follow_up = _follow_up(before, step=int(taken))
    moved = lifecycle.take_step(follow_up, taken, Step(taken + 1), LATER)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (after, taken + 1, LATER)
    assert (follow_up.state, follow_up.reminder_step, follow_up.next_action_at) == (
        before,
        int(taken),
        NOW,
    )


@pytest.mark.parametrize("before", OPEN)
def test_taking_a_step_past_the_ladder_keeps_the_state(before: FollowUpState) -> None:
    moved = lifecycle.take_step(_follow_up(before, step=5), Step.DONE, Step.DONE, None)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (before, 5, None)


def test_the_last_step_leaves_the_ladder() -> None:
    moved = lifecycle.take_step(_follow_up(S.ESCALATED, step=4), Step.PROCUREMENT, Step.DONE, None)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (S.ESCALATED, 5, None)


@pytest.mark.parametrize("before", [S.ANSWERED, S.DEVIATION_REPORTED, S.SKIPPED])
def test_a_closed_follow_up_takes_no_step(before: FollowUpState) -> None:
    with pytest.raises(IllegalTransition):
        lifecycle.take_step(_follow_up(before), Step.REMINDER, Step.ESCALATE, LATER)


def test_reschedule_keeps_state_and_step() -> None:
    moved = lifecycle.reschedule(_follow_up(S.REMINDED, step=3), LATER)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (S.REMINDED, 3, LATER)


def test_snooze_keeps_the_step() -> None:
    moved = lifecycle.snooze(_follow_up(S.ESCALATED, step=4), LATER)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (S.SNOOZED, 4, LATER)


def test_an_answered_follow_up_cannot_be_snoozed() -> None:
    with pytest.raises(IllegalTransition):
        lifecycle.snooze(_follow_up(S.ANSWERED, at=None), LATER)


@pytest.mark.parametrize("before", ALL)
def test_stop_leaves_the_ladder_and_keeps_the_state(before: FollowUpState) -> None:
    moved = lifecycle.stop(_follow_up(before, step=3))
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (before, 3, None)


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        (AnswerKind.DELIVERED, S.ANSWERED),
        (AnswerKind.PARTLY_DELIVERED, S.ANSWERED),
        (AnswerKind.DOCUMENTS, S.ANSWERED),
        (AnswerKind.NOT_APPLICABLE, S.ANSWERED),
        (AnswerKind.OPTION_EXERCISED, S.ANSWERED),
        (AnswerKind.OPTION_NOT_EXERCISED, S.ANSWERED),
        (AnswerKind.NEW_PROCUREMENT, S.ANSWERED),
        (AnswerKind.EXTENDED, S.ANSWERED),
        (AnswerKind.ENDING, S.ANSWERED),
        (AnswerKind.IN_ORDER, S.ANSWERED),
        (AnswerKind.MEETING_HELD, S.ANSWERED),
        (AnswerKind.NOT_DELIVERED, S.DEVIATION_REPORTED),
        (AnswerKind.DEVIATION, S.DEVIATION_REPORTED),
    ],
)
@pytest.mark.parametrize("before", ANSWERABLE)
def test_an_answer(kind: AnswerKind, after: FollowUpState, before: FollowUpState) -> None:
    moved = lifecycle.answer(_follow_up(before, step=3), kind)
    assert (moved.state, moved.reminder_step, moved.next_action_at) == (after, 3, None)
    assert lifecycle.STATE_AFTER_ANSWER[kind] is after


@pytest.mark.parametrize("kind", list(AnswerKind))
def test_a_skipped_follow_up_takes_no_answer(kind: AnswerKind) -> None:
    with pytest.raises(IllegalTransition):
        lifecycle.answer(_follow_up(S.SKIPPED, at=None), kind)


def test_the_schedule_change_is_the_follow_up_after() -> None:
    moved = lifecycle.snooze(_follow_up(S.NOTIFIED, step=1), LATER)
    assert lifecycle.schedule_change(moved) == ScheduleChange("f-1", S.SNOOZED, 1, LATER)
