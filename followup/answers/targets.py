"""Which follow-up a typed answer means: `levert KOM-2025-0147` names a contract, not a
follow-up.

The earliest open follow-up of the contract that is due by `AHEAD_DAYS` from today is the one
answered (the others are counted, so the reply can say they wait too). With none open, the one
most recently answered is, and the answer is a correction (a new version): typing
`levert KOM-…` after `ikke levert KOM-…` changes the answer, as `Endre svar` does on the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from followup.answers.services import AnswerRefusal, AnswerRefused
from followup.models import OPEN_FOLLOW_UP_STATES, Contract, FollowUp, FollowUpState, Person
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer

AHEAD_DAYS: Final = 30
"""An answer may come this long before the due date (a delivery that came early)."""
LOOK_BACK_DAYS: Final = 400
ANSWERED: Final = frozenset({FollowUpState.ANSWERED, FollowUpState.DEVIATION_REPORTED})


@dataclass(frozen=True, slots=True)
class AnswerChoice:
    follow_up: FollowUp | None
    """None: nothing on the contract to answer."""
    others_open: int
    correction: bool
    """The follow-up was answered already; this answer replaces that one (a new version)."""


def follow_up_to_answer(
    uow: UnitOfWork, person: Person, contract: Contract, today: date
) -> AnswerChoice:
    """The follow-up of `contract` a typed answer from `person` is about; raises
    `AnswerRefused` (NOT_YOURS) for someone who may not answer the contract."""
    if not may_answer(uow, person, contract, today):
        raise AnswerRefused(AnswerRefusal.NOT_YOURS, reference=contract.reference)
    found = uow.follow_ups.for_contracts_between(
        [contract.id], today - timedelta(days=LOOK_BACK_DAYS), today + timedelta(days=AHEAD_DAYS)
    )
    open_ones = sorted(
        (f for f in found if f.state in OPEN_FOLLOW_UP_STATES), key=lambda f: f.due_date
    )
    if open_ones:
        return AnswerChoice(open_ones[0], len(open_ones) - 1, correction=False)
    answered = sorted(
        (f for f in found if f.state in ANSWERED and f.due_date <= today + timedelta(days=7)),
        key=lambda f: f.due_date,
    )
    if answered:
        return AnswerChoice(answered[-1], 0, correction=True)
    return AnswerChoice(None, 0, correction=False)


__all__ = ["AHEAD_DAYS", "AnswerChoice", "follow_up_to_answer"]
