"""What a typed answer or `endre svar` says when it cannot store at once
(`followup.answers.targets.choose_follow_up`): the card that asks which follow-up (ASK), and
what the open follow-ups take instead (NONE_FITS).

The answer's choice card has the typed comment in a field (`CHOICE_COMMENT`, to change before
choosing) and one button per follow-up (verb `CHOICE_VERB`, the follow-up's id and the answer's
kind). `endre svar`'s has `Endre svar` buttons (`CHANGE_VERB`): each opens that follow-up's card
with its actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from bot.conversation.answer_actions import CHANGE_VERB
from bot.conversation.cards import Card, Element, execute_button
from bot.conversation.choice_cards import MAX_CHOICES, ChoiceItem, choice_card, due_line
from bot.conversation.texts import text
from followup.answers.actions import ANSWER_CODES, SNOOZE, TYPED_CODES
from followup.answers.services import MAX_ANSWER_TEXT, AnswerRecorded, FollowUpView
from followup.answers.targets import Candidate, FollowUpChoice, action_of, offered_actions
from followup.models import AnswerKind, Contract
from followup.ports import UnitOfWork

CHOICE_VERB: Final = "answerChoice"
"""A button of the card that asks which follow-up a typed answer is about."""
CHOICE_COMMENT: Final = "choiceComment"
"""The choice card's comment field: the comment typed with the answer."""


@dataclass(frozen=True, slots=True)
class Typed:
    """What the unit of work of a typed answer (or `endre svar`) found and did."""

    contract: Contract
    choice: FollowUpChoice
    latest: Mapping[str, AnswerKind] = field(default_factory=dict)
    """The answer in force of each answered candidate shown, by follow-up id."""
    recorded: AnswerRecorded | None = None
    view: FollowUpView | None = None


def latest_kinds(uow: UnitOfWork, choice: FollowUpChoice) -> dict[str, AnswerKind]:
    """The answer in force of each answered candidate a choice card shows."""
    found: dict[str, AnswerKind] = {}
    for candidate in choice.candidates[:MAX_CHOICES]:
        if candidate.answered:
            answers = uow.answers.for_follow_up(candidate.follow_up.id)
            if answers:
                found[candidate.follow_up.id] = answers[-1].kind
    return found


def _item(
    done: Typed, candidate: Candidate, today: date, button: Element, locale: str | None
) -> ChoiceItem:
    latest = done.latest.get(candidate.follow_up.id)
    note = (
        text("answer.choice.answered", locale, what=text(f"answer.kind.{latest.value}", locale))
        if latest is not None
        else None
    )
    return ChoiceItem(
        candidate.checkpoint.title,
        candidate.follow_up.due_date,
        candidate.overdue(today),
        button,
        note,
    )


def _footer(done: Typed, example: str, locale: str | None) -> str | None:
    """How many more there are, and how to name the checkpoint (when that tells them apart)."""
    candidates = done.choice.candidates
    said = []
    if len(candidates) > MAX_CHOICES:
        said.append(text("answer.choice.more", locale, count=len(candidates) - MAX_CHOICES))
    if len({c.checkpoint.id for c in candidates}) > 1:
        said.append(text("answer.choice.hint", locale, example=example))
    return " ".join(said) or None


def answer_choice_card(done: Typed, kind: AnswerKind, today: date, locale: str | None) -> Card:
    """Which follow-up a typed answer is about: one button each, and the comment."""
    reference = done.contract.reference
    what = text(f"answer.kind.{kind.value}", locale)
    key = "answer.choice.title_change" if done.choice.correction else "answer.choice.title"
    comment = (done.choice.rest or "")[:MAX_ANSWER_TEXT]
    field_: Element = {
        "type": "Input.Text",
        "id": CHOICE_COMMENT,
        "label": text("answer.choice.comment", locale),
        "placeholder": text("answer.comment_placeholder", locale),
        "value": comment,
        "maxLength": MAX_ANSWER_TEXT,
        "isMultiline": "\n" in comment,
    }
    items = [
        _item(
            done,
            candidate,
            today,
            execute_button(
                text("answer.choice.button", locale, what=what),
                CHOICE_VERB,
                {"followUpId": candidate.follow_up.id, "kind": kind.value},
            ),
            locale,
        )
        for candidate in done.choice.candidates
    ]
    example = _typed(
        action_of(kind), f"{reference} {done.choice.candidates[0].checkpoint.code}", locale
    )
    return choice_card(
        text(key, locale, what=what, reference=reference),
        items,
        today,
        locale,
        fields=[field_],
        footer=_footer(done, example, locale),
    )


def change_choice_card(done: Typed, today: date, locale: str | None) -> Card:
    """Which answer `endre svar` is about: an `Endre svar` button each."""
    reference = done.contract.reference
    items = [
        _item(
            done,
            candidate,
            today,
            execute_button(
                text("answer.action.change", locale),
                CHANGE_VERB,
                {"followUpId": candidate.follow_up.id},
            ),
            locale,
        )
        for candidate in done.choice.candidates
    ]
    code = done.choice.candidates[0].checkpoint.code
    example = text("answer.change.example", locale, reference=reference, checkpoint=code)
    return choice_card(
        text("answer.change.choice_title", locale, reference=reference),
        items,
        today,
        locale,
        footer=_footer(done, example, locale),
    )


def _typed(code: str, reference: str, locale: str | None) -> str:
    return text(f"answer.typed.{code}", locale, reference=reference)


def _answers_taken(candidate: Candidate, reference: str, locale: str | None) -> str:
    """The typed commands a follow-up takes («dokument KOM-…», «utsett KOM-… <dato>»), and
    the card for the answers that have none."""
    offered = [*offered_actions(candidate.checkpoint), SNOOZE]
    said = [
        _typed(code, reference, locale) for code in dict.fromkeys(offered) if code in TYPED_CODES
    ]
    if any(code not in TYPED_CODES and code in ANSWER_CODES for code in offered):
        said.append(text("answer.typed.card", locale))
    if len(said) == 1:
        return said[0]
    return text("answer.typed.or", locale, first=", ".join(said[:-1]), last=said[-1])


def none_fits_reply(done: Typed, kind: AnswerKind, today: date, locale: str | None) -> str:
    """The open follow-ups take other answers: which, for each (nothing was stored)."""
    reference = done.contract.reference
    what = text(f"answer.kind.{kind.value}", locale)
    lines = [text("answer.none_fits", locale, reference=reference, what=what)]
    for candidate in done.choice.candidates[:MAX_CHOICES]:
        due = due_line(candidate.follow_up.due_date, candidate.overdue(today), today, locale)
        taken = _answers_taken(candidate, reference, locale)
        lines.append(f"- {candidate.checkpoint.title} ({due}): {taken}")
    if len(done.choice.candidates) > MAX_CHOICES:
        extra = len(done.choice.candidates) - MAX_CHOICES
        lines.append(text("answer.choice.more", locale, count=extra))
    return "\n".join(lines)


__all__ = [
    "CHOICE_COMMENT",
    "CHOICE_VERB",
    "Typed",
    "answer_choice_card",
    "change_choice_card",
    "latest_kinds",
    "none_fits_reply",
]
