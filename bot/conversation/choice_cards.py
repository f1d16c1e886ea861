"""The card that asks which follow-up a typed command meant, when the contract it names has
several that fit (`followup.answers.targets`, ASK): `levert`, `utsett` and `endre svar` each
show one, from their own room, with their own button.

Each follow-up is shown with its checkpoint's title and its due date (an overdue one marked), a
note if the room has one (what it was answered), and one button. Fields above the list (a
comment to go with the answer) are sent with every button, as every input of a card is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.conversation import formatting
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.texts import text

MAX_CHOICES: Final = 8
"""Follow-ups on one choice card; the room says how many more there are (`more`)."""


@dataclass(frozen=True, slots=True)
class ChoiceItem:
    """One follow-up to choose."""

    title: str
    """The checkpoint's title."""
    due_date: date
    overdue: bool
    button: Element
    """`bot.conversation.cards.execute_button`: the verb and data that choose it."""
    note: str | None = None


def due_line(due_date: date, overdue: bool, today: date, locale: str | None) -> str:
    if overdue:
        return text(
            "reminder.overdue",
            locale,
            date=formatting.due(due_date, locale),
            days=(today - due_date).days,
        )
    return text("reminder.due_in", locale, date=formatting.due(due_date, locale))


def choice_card(
    title: str,
    items: Sequence[ChoiceItem],
    today: date,
    locale: str | None,
    *,
    fields: Sequence[Element] = (),
    footer: str | None = None,
) -> Card:
    """The card: `title`, the `fields`, one container per item (at most `MAX_CHOICES`), and
    a `footer` line (how to name the checkpoint, how many more there are)."""
    body: list[Element] = [title_block(title), *fields]
    lines = [title]
    for item in items[:MAX_CHOICES]:
        due = due_line(item.due_date, item.overdue, today, locale)
        elements: list[Element] = [
            text_block(f"**{clip(item.title, 100)}**"),
            text_block(due, color="Attention", spacing="None")
            if item.overdue
            else subtle_block(due),
        ]
        line = f"- {clip(item.title, 100)} – {due}"
        if item.note:
            elements.append(subtle_block(item.note))
            line += f" ({item.note})"
        elements.append({"type": "ActionSet", "actions": [item.button]})
        body.append(
            {"type": "Container", "items": elements, "separator": True, "spacing": "Medium"}
        )
        lines.append(line)
    if footer:
        body.append(text_block(footer, isSubtle=True, spacing="Medium"))
        lines.append(footer)
    return adaptive_card(body, "\n".join(lines))


__all__ = ["MAX_CHOICES", "ChoiceItem", "choice_card", "due_line"]
