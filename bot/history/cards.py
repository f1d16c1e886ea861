"""The `historikk` card: a contract's changes, newest first, each with when, who (and for whom),
what and before → after; an `Eldre` button pages back (verb `historyMore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from bot.conversation import formatting
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    execute_button,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.markdown import plain
from bot.conversation.texts import CATALOGUES, text
from followup.calendar.workdays import OSLO
from followup.history import ContractHistory, HistoryEntry

HISTORY_MORE_VERB: Final = "historyMore"
MAX_CHANGE_SHOWN: Final = 300


def _label(key: str, fallback: str, locale: str | None) -> str:
    return text(key, locale) if key in CATALOGUES["nb"] else fallback


def _value(field: str, value: Any, locale: str | None) -> str:
    """A value as a person reads it: states and answers in words, times in Oslo."""
    if value is None:
        return "–"
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        return "…"
    shown = str(value)
    if field == "state":
        return _label(f"history.state.{shown}", shown, locale)
    if field == "kind":
        return _label(f"answer.kind.{shown}", shown, locale).lower()
    if field.endswith("_at"):
        try:
            moment = datetime.fromisoformat(shown).astimezone(OSLO)
        except ValueError:
            return shown
        return f"{formatting.numeric(moment.date(), locale)} {moment:%H:%M}"
    return shown


def change_words(entry: HistoryEntry, locale: str | None) -> str:
    """What changed, for a person: `status: varslet → besvart; svar: – → levert`. Internal
    ids and version numbers are left to the export (`eksport historikk`), which has them all."""
    shown = [
        f"{_label(f'history.field.{key}', key, locale)}: "
        f"{_value(key, before, locale)} → {_value(key, after, locale)}"
        for key, before, after in entry.changes
        if not key.endswith("_id") and not key.endswith("_version")
    ]
    return "; ".join(shown)


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
    change = clip(change_words(entry, locale), MAX_CHANGE_SHOWN)
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
        card["actions"] = [execute_button(text("history.more", locale), HISTORY_MORE_VERB, data)]
    return card
