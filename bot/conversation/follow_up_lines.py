"""One open follow-up on a card, compact: a line and its actions.

Every card that lists open follow-ups (the reminder digest, `mine oppgaver`, `kontrakter`,
`plan <avtalenr>`, an owner's `status <avtalenr>`, and the card drawn again after an answer)
shows each of them the same way:

- a line: the due date, the contract's reference and short title, and under it the
  checkpoint's title (and a note such as «for Ola Hansen»);
- beside it one `ActionSet`: the follow-up's first action (`answer_actions.item_actions`, the
  checkpoint's order) as its button, and the rest in the overflow menu (`mode: secondary`,
  Adaptive Cards 1.5: Teams and Web Chat show them behind `…`), with «Legg til kommentar»
  first among them;
- «Legg til kommentar» (`Action.ToggleVisibility`) shows the follow-up's comment field, hidden
  until then; every action of the card sends it along (a hidden input is still sent).

The plain-text line of each item goes into the card's `fallbackText`.

An item with its actions takes about 4 KB of the card (each action carries an `Action.Submit`
fallback, `Utsett` a small form): a list card (`ItemLines`) gives the first `MAX_ACTION_ITEMS`
their actions while `ACTION_BYTES` last and lists the rest as lines, within the card kit's
`CardBudget`, so the card stays well under Teams' ~28 KB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final, Protocol

from bot.conversation import formatting
from bot.conversation.answer_actions import item_actions
from bot.conversation.cards import (
    CardBudget,
    Element,
    clip,
    item_size,
    subtle_block,
    text_block,
)
from bot.conversation.texts import text
from followup.answers.actions import DEFAULT_ACTIONS, SNOOZE, TYPED_CODES
from followup.models import Checkpoint, Contract, FollowUp

TITLE_CHARS: Final = 60
"""The contract's title on an item's line (the full title is on the contract's own cards)."""
CHECKPOINT_CHARS: Final = 80
MAX_COMMENT: Final = 2000
MAX_ACTION_ITEMS: Final = 5
"""Items of a list card that carry their actions."""
ACTION_BYTES: Final = 16_000
"""What those items may take of the card (`CardBudget` counts the rest)."""


class OpenFollowUp(Protocol):
    """What an item line needs: a digest item, a task, or a follow-up's view all have it."""

    @property
    def follow_up(self) -> FollowUp: ...
    @property
    def contract(self) -> Contract: ...
    @property
    def checkpoint(self) -> Checkpoint: ...


def item_element_id(follow_up_id: str) -> str:
    """The id of a follow-up's element on a card (unique: a card shows a follow-up once)."""
    return f"item-{follow_up_id}"


def comment_input_id(follow_up_id: str) -> str:
    return f"comment-{follow_up_id}"


def comment_input(follow_up_id: str, locale: str | None) -> Element:
    """The follow-up's comment field, hidden until «Legg til kommentar» shows it."""
    return {
        "type": "Input.Text",
        "id": comment_input_id(follow_up_id),
        "placeholder": text("answer.comment_placeholder", locale),
        "maxLength": MAX_COMMENT,
        "isMultiline": False,
        "isVisible": False,
        "spacing": "Small",
    }


def comment_toggle(follow_up_id: str, locale: str | None) -> dict[str, Any]:
    return {
        "type": "Action.ToggleVisibility",
        "title": text("answer.action.comment", locale),
        "targetElements": [comment_input_id(follow_up_id)],
    }


def _secondary(action: dict[str, Any]) -> dict[str, Any]:
    moved = {**action, "mode": "secondary"}
    fallback = action.get("fallback")
    if isinstance(fallback, dict):
        moved["fallback"] = {**fallback, "mode": "secondary"}
    return moved


def compact_actions(
    follow_up_id: str, codes: Iterable[str], locale: str | None
) -> list[dict[str, Any]]:
    """The first action as the button; «Legg til kommentar» and the others in the overflow."""
    first, *rest = item_actions(follow_up_id, codes, locale)
    return [first, *(_secondary(a) for a in [comment_toggle(follow_up_id, locale), *rest])]


def due_text(due: date, today: date, locale: str | None) -> str:
    """`Forfalt ons. 18.11. (5 dager siden)`, `Frist i dag`, `Frist fre. 27.11.`."""
    when = formatting.due(due, locale)
    if due < today:
        return text("reminder.overdue", locale, date=when, days=(today - due).days)
    if due == today:
        return text("reminder.due_today", locale)
    return text("tasks.due", locale, date=when)


def follow_up_line(
    item: OpenFollowUp,
    today: date,
    locale: str | None,
    *,
    notes: Sequence[str] = (),
    actions: bool = True,
    overdue: bool | None = None,
) -> tuple[Element, str]:
    """One open follow-up (see the module docstring) and its plain-text line; `actions`
    False: the line alone (someone who may not answer it, or a channel)."""
    follow_up, contract, checkpoint = item.follow_up, item.contract, item.checkpoint
    late = follow_up.due_date < today if overdue is None else overdue
    when = due_text(follow_up.due_date, today, locale)
    title = clip(contract.title, TITLE_CHARS)
    head = f"**{when}** · **{contract.reference}** {title}"
    detail = " · ".join([clip(checkpoint.title, CHECKPOINT_CHARS), *notes])
    words: list[Element] = [
        text_block(head, color="Attention") if late else text_block(head),
        subtle_block(detail),
    ]
    line = f"- {when}: {contract.reference} {title} – {detail}"
    if not actions:
        return {
            "type": "Container",
            "id": item_element_id(follow_up.id),
            "items": words,
            "separator": True,
            "spacing": "Small",
        }, line
    row: Element = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": words},
            {
                "type": "Column",
                "width": "auto",
                "items": [
                    {
                        "type": "ActionSet",
                        "actions": compact_actions(follow_up.id, checkpoint.actions, locale),
                    }
                ],
            },
        ],
    }
    element: Element = {
        "type": "Container",
        "id": item_element_id(follow_up.id),
        "items": [row, comment_input(follow_up.id, locale)],
        "separator": True,
        "spacing": "Small",
    }
    return element, line


class ItemLines:
    """Open follow-ups onto a list card, in order: with their actions while
    `MAX_ACTION_ITEMS` and `ACTION_BYTES` last, then as lines, while the card's `budget`
    lasts. `acted` are the ids shown with actions (the card's `cardItems`)."""

    def __init__(
        self,
        budget: CardBudget,
        *,
        with_actions: int = MAX_ACTION_ITEMS,
        action_bytes: int = ACTION_BYTES,
    ) -> None:
        self.budget = budget
        self.acted: list[str] = []
        self.listed: set[str] = set()
        """Every item's id on the card, with or without actions."""
        self.without: list[OpenFollowUp] = []
        """Items the person may answer that were shown without their actions."""
        self._left = with_actions
        self._bytes = action_bytes

    def take(
        self,
        item: OpenFollowUp,
        today: date,
        locale: str | None,
        *,
        notes: Sequence[str] = (),
        answerable: bool = True,
        overdue: bool | None = None,
    ) -> tuple[Element, str] | None:
        """The item's element and line, or None when the card is full."""
        if answerable and self._left > 0 and item.follow_up.id not in self.acted:
            element, line = follow_up_line(item, today, locale, notes=notes, overdue=overdue)
            taken = item_size(element, line)
            if taken <= self._bytes and self.budget.take(element, line, size=taken):
                self._left -= 1
                self._bytes -= taken
                self.acted.append(item.follow_up.id)
                self.listed.add(item.follow_up.id)
                return element, line
            self._left = 0  # in order: once one does not fit, the rest are lines
        element, line = follow_up_line(
            item, today, locale, notes=notes, actions=False, overdue=overdue
        )
        if not self.budget.take(element, line):
            return None
        self.listed.add(item.follow_up.id)
        if answerable:
            self.without.append(item)
        return element, line

    @property
    def actions_left(self) -> bool:
        """Whether the next item may still carry its actions."""
        return self._left > 0

    def hint(self, locale: str | None) -> str | None:
        """How to answer what was listed without its actions (None: nothing was)."""
        if not self.without or not self.acted:
            return None
        first = self.without[0]
        return actions_first_hint(
            len(self.acted), first.contract.reference, first.checkpoint.actions, locale
        )


def actions_first_hint(
    acted: int, reference: str, actions: Sequence[str], locale: str | None
) -> str:
    """The hint under a list whose first `acted` items have their buttons: how to answer the
    rest by typing, with an answer the first of them (`reference`, its checkpoint's `actions`)
    takes."""
    code = next((c for c in actions or DEFAULT_ACTIONS if c in TYPED_CODES), SNOOZE)
    example = text(f"answer.typed.{code}", locale, reference=reference)
    return text("answer.actions_first", locale, count=acted, example=example)


__all__ = [
    "ACTION_BYTES",
    "MAX_ACTION_ITEMS",
    "ItemLines",
    "OpenFollowUp",
    "actions_first_hint",
    "comment_input",
    "comment_input_id",
    "comment_toggle",
    "compact_actions",
    "due_text",
    "follow_up_line",
    "item_element_id",
]
