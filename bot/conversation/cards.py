"""The card kit: Adaptive Cards (schema 1.5, the most Teams renders) and their building blocks
(`text_block`, `title_block`, `subtle_block`, `fact_set`, `clip`, `CardBudget`), for every room.

Cards are pure functions: domain objects in, a card (a JSON-ready dict) out. Every card carries a
plain-text rendering of itself in `fallbackText`; the sender copies it into the activity's
`summary` as well. Long lists are cut at `MAX_ITEMS` with a line that says how many more there
are and how to narrow the list down. A list is also cut earlier when the card and its text
(twice: `fallbackText` and `summary`) would pass `MAX_BYTES`, well under Teams' ~28 KB message
limit. Every word shown comes from `bot/conversation/texts.py`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_ITEMS = 40
MAX_BYTES = 22_000
"""What the items of one card may take: their elements plus twice their plain-text lines."""
MAX_FALLBACK = 8000
MAX_FIELD = 160
"""Longest text of one field (a title, a question) shown on a card."""
ANSWER_KEY = "avvikSvar"
"""The `Action.Submit` data key of a dialog question's buttons (its value is the answer:
`bot.conversation.dialog_question`)."""
BUTTONS_PER_ROW = 3

Card = dict[str, Any]
Element = dict[str, Any]


def adaptive_card(body: list[Element], fallback: str) -> Card:
    if len(fallback) > MAX_FALLBACK:
        fallback = fallback[: MAX_FALLBACK - 1] + "…"
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback,
    }


def clip(value: str, limit: int = MAX_FIELD) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def text_block(value: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def title_block(value: str) -> Element:
    return text_block(value, size="Large", weight="Bolder")


def subtle_block(value: str, **style: Any) -> Element:
    return text_block(value, isSubtle=True, spacing="None", **style)


def execute_button(title: str, verb: str, data: dict[str, Any]) -> Element:
    """A button: `Action.Execute` with `verb` and `data`, and the same as an `Action.Submit`
    (the verb in its data) for clients without Universal Actions."""
    shown = clip(title, 60)
    return {
        "type": "Action.Execute",
        "title": shown,
        "verb": verb,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": shown, "data": {**data, "verb": verb}},
    }


def fact_set(pairs: Sequence[tuple[str, str]], **style: Any) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": title, "value": value} for title, value in pairs],
        **style,
    }


def item_size(element: Element, line: str) -> int:
    """What an item takes of a card: its JSON and, twice, its plain-text line (the card's
    `fallbackText` and `summary`)."""
    return json_item_size(json.dumps(element, ensure_ascii=False), line)


def json_item_size(body: str, line: str) -> int:
    """`item_size` of an item whose JSON text is `body` already."""
    return len(body.encode()) + 2 * len(line.encode())


class CardBudget:
    """Counts items onto a card until `MAX_ITEMS` or `MAX_BYTES` is reached."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.shown = 0
        self._bytes = 0

    def take(self, element: Element, line: str, *, size: int | None = None) -> bool:
        """Count the item in when it fits. `size`: its cost when the caller measured it
        already (`item_size`), so a big item is not serialised twice."""
        cost = item_size(element, line) if size is None else size
        if self.shown >= self.limit or self._bytes + cost > MAX_BYTES:
            return False
        self.shown += 1
        self._bytes += cost
        return True


# --- my follow-ups ----------------------------------------------------------------------------


# --- my contracts -----------------------------------------------------------------------------


# --- a contract's plan ------------------------------------------------------------------------


def _answer_button(title: str, answer: str) -> Element:
    return {"type": "Action.Submit", "title": clip(title, 60), "data": {ANSWER_KEY: answer}}


def answer_button_rows(options: Sequence[tuple[str, str]]) -> list[Element]:
    """A dialog question's buttons, (label, answer as typed), `BUTTONS_PER_ROW` to a row."""
    return [
        {
            "type": "ActionSet",
            "actions": [
                _answer_button(label, answer) for label, answer in options[i : i + BUTTONS_PER_ROW]
            ],
            "spacing": "Small",
        }
        for i in range(0, len(options), BUTTONS_PER_ROW)
    ]


def choices_card(options: Sequence[tuple[str, str]], fallback: str) -> Card:
    """Buttons for a question's options, (label, answer as typed); a click sends the answer."""
    return adaptive_card(answer_button_rows(options), fallback)
