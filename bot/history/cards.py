"""The `historikk` card: a contract's changes, newest first, each with when, who (and for whom),
what and before → after; an `Eldre` button pages back (verb `historyMore`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
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
from bot.conversation.labels import category_label, remedy_label, severity_label, status_label
from bot.conversation.markdown import plain
from bot.conversation.texts import CATALOGUES, text
from followup.calendar.workdays import OSLO
from followup.history import ContractHistory, HistoryEntry
from followup.models import DeviationCategory, DeviationStatus, Remedy, Severity

HISTORY_MORE_VERB: Final = "historyMore"
MAX_CHANGE_SHOWN: Final = 300


def _label(key: str, fallback: str, locale: str | None) -> str:
    return text(key, locale) if key in CATALOGUES["nb"] else fallback


def _moment(at: datetime, locale: str | None) -> str:
    moment = at.astimezone(OSLO)
    return f"{formatting.numeric(moment.date(), locale)} {moment:%H:%M}"


_ENUM_LABELS: Final[dict[str, tuple[type[StrEnum], Callable[[Any, str | None], str]]]] = {
    "category": (DeviationCategory, category_label),
    "severity": (Severity, severity_label),
    "status": (DeviationStatus, status_label),
    "remedy": (Remedy, remedy_label),
}


def _value(field: str, value: Any, locale: str | None) -> str:
    """A value as a person reads it: states, answers and deviation words in words (the shared
    labels), times in Oslo."""
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
    if field in _ENUM_LABELS:
        kind, label = _ENUM_LABELS[field]
        try:
            return label(kind(shown), locale)
        except ValueError:
            return shown
    if field.endswith("_at"):
        try:
            return _moment(datetime.fromisoformat(shown), locale)
        except ValueError:
            return shown
    if field.endswith("_on"):
        try:
            return formatting.numeric(date.fromisoformat(shown), locale)
        except ValueError:
            return shown
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


def who(entry: HistoryEntry, locale: str | None) -> str:
    if entry.on_behalf_of_name:
        return text("history.by_for", locale, who=entry.actor_name, owner=entry.on_behalf_of_name)
    return text("history.by", locale, who=entry.actor_name)


def entry_lines(entry: HistoryEntry, locale: str | None) -> tuple[str, str, str]:
    """(when · who, what (of what), before → after), as plain text."""
    event = entry.event
    head = f"{_moment(event.at, locale)} · {who(entry, locale)}"
    action = _label(f"history.action.{event.action}", event.action, locale)
    what = f"{action} ({_label(f'history.entity.{event.entity}', event.entity, locale)})"
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
