"""The follow-up's life in one place: which event may move a follow-up from which state to
which (`TRANSITIONS`), and small pure functions that apply an event to a follow-up and return
the changed copy (or raise `IllegalTransition`). The answers, the reminder planner, the reminder
controls and the calendar move follow-ups only through these functions.

A follow-up is made PLANNED by the calendar (`planned`) with its first action (the notice) and
ladder step NOTICE. Then:

=================== ===================================== ====================================
event               from                                  to
=================== ===================================== ====================================
NOTIFIED            any open state                        NOTIFIED
REMINDED            any open state                        REMINDED
ESCALATED           any open state                        ESCALATED
RESCHEDULED         any open state                        the same state
SNOOZED             any open state                        SNOOZED
STOPPED             any state                             the same state
ANSWERED            any state but SKIPPED                 ANSWERED
DEVIATION_REPORTED  any state but SKIPPED                 DEVIATION_REPORTED
=================== ===================================== ====================================

The open states are `followup.models.OPEN_FOLLOW_UP_STATES` (PLANNED, NOTIFIED, REMINDED,
ESCALATED, SNOOZED).

- NOTIFIED, REMINDED, ESCALATED: the planner took a step of the reminder ladder (`Step`; see
  `followup.reminders.planning`), whether the message was queued, recorded as skipped (the
  person paused reminders) or as unreachable: NOTICE and DUE notify, REMINDER reminds, ESCALATE
  and PROCUREMENT escalate. The ladder moves on to the next step and its time.
- RESCHEDULED: the next action moves and the state stays: the recipient has had today's
  messages (wait for the next day's window), or the step taken is past the ladder's end.
- SNOOZED: the person put off the next reminder; the ladder step stays.
- STOPPED: the planner found the follow-up no longer followed (its contract or checkpoint is
  no longer active, or it is no longer open): off the ladder (no next action), state kept.
- ANSWERED, DEVIATION_REPORTED: an answer (`ANSWER_EVENTS` by kind; a new version corrects an
  earlier answer, so answered follow-ups take answers too): off the ladder, ladder step kept.

Not transitions: pausing or resuming reminders is the person's (`Person.reminders_paused`), and
the ladder goes on while paused; the calendar deletes open follow-ups a plan no longer wants
(`REMOVABLE`) rather than moving them. Nothing in the code moves a follow-up to SKIPPED: it
comes with imported history, and is final (only STOPPED applies to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Final

from followup.errors import FollowUpError
from followup.models import OPEN_FOLLOW_UP_STATES, AnswerKind, FollowUp, FollowUpState, new_id
from followup.ports import ScheduleChange


class Step(IntEnum):
    """The reminder ladder (`followup.reminders.planning` says when each step is due)."""

    NOTICE = 0
    DUE = 1
    REMINDER = 2
    ESCALATE = 3
    PROCUREMENT = 4
    DONE = 5


class Event(StrEnum):
    """What happens to a follow-up (see the module docstring)."""

    NOTIFIED = "notified"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    RESCHEDULED = "rescheduled"
    SNOOZED = "snoozed"
    STOPPED = "stopped"
    ANSWERED = "answered"
    DEVIATION_REPORTED = "deviation_reported"


INITIAL_STATE: Final = FollowUpState.PLANNED
"""The state the calendar makes a follow-up in."""

LADDER_STATES: Final = OPEN_FOLLOW_UP_STATES
"""The states the planner and the snooze move a follow-up from: the open ones. Storage selects
them in SQL (`claim_due`, and `reschedule(only_open=True)`, which leaves alone a follow-up
answered since it was read)."""

ANSWERABLE_STATES: Final = frozenset(FollowUpState) - {FollowUpState.SKIPPED}
"""The states an answer moves a follow-up from: all but SKIPPED."""

REMOVABLE: Final = OPEN_FOLLOW_UP_STATES
"""The states in which the calendar may delete a follow-up its plan no longer wants (not a
transition: it goes). Answered, reported and skipped follow-ups are history."""


def _to(
    target: FollowUpState, sources: frozenset[FollowUpState]
) -> Mapping[FollowUpState, FollowUpState]:
    return MappingProxyType({state: target for state in FollowUpState if state in sources})


def _stays(sources: frozenset[FollowUpState]) -> Mapping[FollowUpState, FollowUpState]:
    return MappingProxyType({state: state for state in FollowUpState if state in sources})


TRANSITIONS: Final[Mapping[Event, Mapping[FollowUpState, FollowUpState]]] = MappingProxyType(
    {
        Event.NOTIFIED: _to(FollowUpState.NOTIFIED, LADDER_STATES),
        Event.REMINDED: _to(FollowUpState.REMINDED, LADDER_STATES),
        Event.ESCALATED: _to(FollowUpState.ESCALATED, LADDER_STATES),
        Event.RESCHEDULED: _stays(LADDER_STATES),
        Event.SNOOZED: _to(FollowUpState.SNOOZED, LADDER_STATES),
        Event.STOPPED: _stays(frozenset(FollowUpState)),
        Event.ANSWERED: _to(FollowUpState.ANSWERED, ANSWERABLE_STATES),
        Event.DEVIATION_REPORTED: _to(FollowUpState.DEVIATION_REPORTED, ANSWERABLE_STATES),
    }
)
"""Per event, the state it moves each state it is allowed from to; a state not listed may not
take the event."""

STEP_EVENTS: Final[Mapping[Step, Event]] = MappingProxyType(
    {
        Step.NOTICE: Event.NOTIFIED,
        Step.DUE: Event.NOTIFIED,
        Step.REMINDER: Event.REMINDED,
        Step.ESCALATE: Event.ESCALATED,
        Step.PROCUREMENT: Event.ESCALATED,
        Step.DONE: Event.RESCHEDULED,
    }
)
"""The event of taking each step of the ladder."""

ANSWER_EVENTS: Final[Mapping[AnswerKind, Event]] = MappingProxyType(
    {
        AnswerKind.DELIVERED: Event.ANSWERED,
        AnswerKind.PARTLY_DELIVERED: Event.ANSWERED,
        AnswerKind.DOCUMENTS: Event.ANSWERED,
        AnswerKind.NOT_APPLICABLE: Event.ANSWERED,
        # Decisions (option, expiry), a price check in order, a status meeting held.
        AnswerKind.OPTION_EXERCISED: Event.ANSWERED,
        AnswerKind.OPTION_NOT_EXERCISED: Event.ANSWERED,
        AnswerKind.NEW_PROCUREMENT: Event.ANSWERED,
        AnswerKind.EXTENDED: Event.ANSWERED,
        AnswerKind.ENDING: Event.ANSWERED,
        AnswerKind.IN_ORDER: Event.ANSWERED,
        AnswerKind.MEETING_HELD: Event.ANSWERED,
        # A delivery that did not come is a deviation from the contract (DOMAIN.md).
        AnswerKind.NOT_DELIVERED: Event.DEVIATION_REPORTED,
        AnswerKind.DEVIATION: Event.DEVIATION_REPORTED,
    }
)
"""The event of an answer of each kind."""

STATE_AFTER_ANSWER: Final[Mapping[AnswerKind, FollowUpState]] = MappingProxyType(
    {
        kind: TRANSITIONS[event][FollowUpState.PLANNED]  # the same from every answerable state
        for kind, event in ANSWER_EVENTS.items()
    }
)
"""The follow-up's state after an answer of each kind."""


class IllegalTransition(FollowUpError):
    """The follow-up's state does not take this event (see `TRANSITIONS`)."""

    def __init__(self, event: Event, state: FollowUpState) -> None:
        super().__init__(
            f"a {state.value} follow-up cannot be {event.value}",
            code="follow_up.closed",
            event=event.value,
            state=state.value,
        )
        self.event = event
        self.state = state


def allows(event: Event, state: FollowUpState) -> bool:
    """Whether a follow-up in `state` may take `event`."""
    return state in TRANSITIONS[event]


def state_after(event: Event, state: FollowUpState) -> FollowUpState:
    """The state `event` moves `state` to; raises `IllegalTransition`."""
    target = TRANSITIONS[event].get(state)
    if target is None:
        raise IllegalTransition(event, state)
    return target


def _apply(
    follow_up: FollowUp, event: Event, *, next_action_at: datetime | None, reminder_step: int
) -> FollowUp:
    return follow_up.model_copy(
        update={
            "state": state_after(event, follow_up.state),
            "next_action_at": next_action_at,
            "reminder_step": reminder_step,
        }
    )


# --- the events ----------------------------------------------------------------------------------


def planned(
    *, checkpoint_id: str, contract_id: str, due_date: date, first_action_at: datetime
) -> FollowUp:
    """A new follow-up, as the calendar makes it. Not validated: the calendar makes hundreds of
    thousands from values it computed."""
    return FollowUp.model_construct(
        id=new_id(),
        checkpoint_id=checkpoint_id,
        contract_id=contract_id,
        due_date=due_date,
        state=INITIAL_STATE,
        next_action_at=first_action_at,
        reminder_step=int(Step.NOTICE),
    )


def take_step(
    follow_up: FollowUp, taken: Step, next_step: Step, next_action_at: datetime | None
) -> FollowUp:
    """The planner took ladder step `taken`; `next_step` is due at `next_action_at` (DONE and
    None at the end of the ladder)."""
    return _apply(
        follow_up,
        STEP_EVENTS[taken],
        next_action_at=next_action_at,
        reminder_step=int(next_step),
    )


def reschedule(follow_up: FollowUp, next_action_at: datetime) -> FollowUp:
    """The same step, later (the recipient has had today's messages)."""
    return _apply(
        follow_up,
        Event.RESCHEDULED,
        next_action_at=next_action_at,
        reminder_step=follow_up.reminder_step,
    )


def snooze(follow_up: FollowUp, until: datetime) -> FollowUp:
    """The person put off the next reminder to `until`; the ladder step stays."""
    return _apply(
        follow_up, Event.SNOOZED, next_action_at=until, reminder_step=follow_up.reminder_step
    )


def stop(follow_up: FollowUp) -> FollowUp:
    """No longer followed: off the ladder, state and step kept."""
    return _apply(
        follow_up, Event.STOPPED, next_action_at=None, reminder_step=follow_up.reminder_step
    )


def answer(follow_up: FollowUp, kind: AnswerKind) -> FollowUp:
    """An answer of `kind` (a first one or a correction): off the ladder, step kept."""
    return _apply(
        follow_up,
        ANSWER_EVENTS[kind],
        next_action_at=None,
        reminder_step=follow_up.reminder_step,
    )


def schedule_change(follow_up: FollowUp) -> ScheduleChange:
    """What storage writes for the follow-up after an event."""
    return ScheduleChange(
        follow_up.id, follow_up.state, follow_up.reminder_step, follow_up.next_action_at
    )


__all__ = [
    "ANSWERABLE_STATES",
    "ANSWER_EVENTS",
    "INITIAL_STATE",
    "LADDER_STATES",
    "REMOVABLE",
    "STATE_AFTER_ANSWER",
    "STEP_EVENTS",
    "TRANSITIONS",
    "Event",
    "IllegalTransition",
    "Step",
    "allows",
    "answer",
    "planned",
    "reschedule",
    "schedule_change",
    "snooze",
    "state_after",
    "stop",
    "take_step",
]
