"""The `historikk` card: a contract's changes, newest first, each with when, who (and for whom),
what and before → after; an `Eldre` button pages back (verb `historyMore`)."""

from __future__ import annotations

from typing import Any, Final

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
from bot.conversation.markdown import plain
from bot.conversation.texts import CATALOGUES, text
from followup.calendar.workdays import OSLO
from followup.history import ContractHistory, HistoryEntry, change_text

HISTORY_MORE_VERB: Final = "historyMore"
MAX_CHANGE_SHOWN: Final = 300


def action_label(action: str, locale: str | None) -> str:
    key = f"history.action.{action}"
    return text(key, locale) if key in CATALOGUES["nb"] else action


def entity_label(entity: str, locale: str | None) -> str:
    key = f"history.entity.{entity}"
    return text(key, locale) if key in CATALOGUES["nb"] else entity


def when(entry: HistoryEntry, locale: str | None) -> str:
    moment = entry.event.at.astimezone(OSLO)
    return f"{formatting.numeric(moment.date(), locale)} {moment:%H:%M}"


def who(entry: HistoryEntry, locale: str | None) -> str:
    if entry.on_behalf_of_name:
        return text("history.by_for", locale, who=entry.actor_name, owner=entry.on_behalf_of_name)
    return text("history.by", locale, who=entry.actor_name)


def entry_lines(entry: HistoryEntry, locale: str | None) -> tuple[str, str, str]:
    """(when · who, what (of what), before → after), as plain text."""
    event = entry.event
    head = f"{when(entry, locale)} · {who(entry, locale)}"
    what = f"{action_label(event.action, locale)} ({entity_label(event.entity, locale)})"
    change = clip(change_text(event.before, event.after), MAX_CHANGE_SHOWN)
    return head, what, change


def _entry(entry: HistoryEntry, locale: str | None) -> list[Element]:
    head, what, change = entry_lines(entry, locale)
    parts: list[Element] = [
        text_block(plain(head), weight="Bolder", separator=True, spacing="Medium"),
        subtle_block(plain(what)),
    ]
    if change:
        parts.append(subtle_block(plain(change, line_starts=False)))
    return parts


def history_card(history: ContractHistory, locale: str | None) -> Card:
    contract = history.contract
    title = text("history.title", locale, reference=contract.reference, title=contract.title)
    body: list[Element] = [title_block(plain(clip(title)))]
    lines = [title]
    if not history.entries:
        empty = text("history.empty", locale, reference=contract.reference)
        body.append(text_block(plain(empty)))
        lines.append(empty)
    for entry in history.entries:
        body.extend(_entry(entry, locale))
        lines.extend(part for part in entry_lines(entry, locale) if part)
    card = adaptive_card(body, "\n".join(lines))
    if history.next_cursor is not None:
        data: dict[str, Any] = {"contract": contract.id, "cursor": history.next_cursor}
        card["actions"] = [
            {
                "type": "Action.Execute",
                "title": text("history.more", locale),
                "verb": HISTORY_MORE_VERB,
                "data": data,
                "fallback": {
                    "type": "Action.Submit",
                    "title": text("history.more", locale),
                    "data": {"verb": HISTORY_MORE_VERB, **data},
                },
            }
        ]
    return card
