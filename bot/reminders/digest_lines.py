"""A digest's follow-up lines from templates: what is the same for many items is rendered once.

A reminder tick renders a few hundred digests, each with a handful of open follow-ups as
compact lines (`bot.conversation.follow_up_lines`). Rendered one by one, each line looks up
a dozen words, formats its due date through Babel and is serialised to JSON to measure it
(`cards.item_size`). But a line differs from the next only in a few strings: the follow-up's
id, its due text, the contract's reference and title, the checkpoint's title and the notes.
Everything else (the action buttons with their words, the layout) depends only on the
checkpoint's action codes, the language, whether it is overdue and how many notes it has.

`LineTemplates` therefore has the card kit draw one line per such shape, with marker strings
in place of those few values, and keeps it as JSON text cut at the markers. A line is then the
template joined with the item's values (escaped as the JSON encoder escapes them): its JSON
text is what `item_size` would measure (the same encoder's format), so its size is known
without serialising the line again, and one `orjson.loads` makes its element. The line is
exactly the one `follow_up_line` draws (tests/unit/test_digest_lines.py compares them); a
shape the markers cannot be found in is drawn by `follow_up_line` itself.

`DigestLines` is the kit's `ItemLines` (the same order, budget, actions and hint) taking its
lines from the templates. Its items need only what a line shows (`ListedItem`): a digest lists
its recipient's other overdue follow-ups as lines read without models
(`followup.ports.ListedFollowUp`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Final, Protocol

import orjson

from bot.conversation.cards import CardBudget, Element, clip, json_item_size
from bot.conversation.follow_up_lines import (
    CHECKPOINT_CHARS,
    TITLE_CHARS,
    OpenFollowUp,
    actions_first_hint,
    due_text,
    follow_up_line,
)
from followup.models import Category, Checkpoint, Contract, ContractType, FollowUp, FollowUpState
from followup.reminders.planning import (
    ListedCheckpointLike,
    ListedContractLike,
    ListedFollowUpLike,
)

_MARK: Final = re.compile("\ue000([a-z0-9]+)\ue001")
"""A marker: a name between two private-use characters (never in a catalogue word)."""
_ID: Final = "\ue000id\ue001"
_WHEN: Final = "\ue000when\ue001"
_REFERENCE: Final = "\ue000ref\ue001"
_TITLE: Final = "\ue000title\ue001"
_CHECKPOINT: Final = "\ue000cp\ue001"
_TEMPLATE_DAYS: Final = 5000
"""The template's due date this many days before or after today: a due text that occurs
nowhere else on a line."""


@lru_cache(maxsize=4096)
def _due_text(due: date, today: date, locale: str | None) -> str:
    return due_text(due, today, locale)


def _note(index: int) -> str:
    return f"\ue000n{index}\ue001"


@dataclass(frozen=True, slots=True)
class _Item:
    follow_up: FollowUp
    contract: Contract
    checkpoint: Checkpoint


@dataclass(frozen=True, slots=True)
class _Template:
    json_parts: tuple[str, ...]
    """Literal JSON text and marker names, alternating (literal first and last)."""
    line_parts: tuple[str, ...]


def _cut(value: str) -> tuple[str, ...]:
    return tuple(_MARK.split(value))


def _fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    pieces = list(parts)
    for index in range(1, len(pieces), 2):
        pieces[index] = values[pieces[index]]
    return "".join(pieces)


class ListedItem(Protocol):
    """What a line needs of an item (a `DigestItem`; any `OpenFollowUp` too)."""

    @property
    def follow_up(self) -> ListedFollowUpLike: ...
    @property
    def contract(self) -> ListedContractLike: ...
    @property
    def checkpoint(self) -> ListedCheckpointLike: ...


class LineTemplates:
    """Templates of the kit's follow-up line by shape (action codes, language, overdue, number
    of notes, with or without actions); one instance may serve every digest of a process."""

    def __init__(self) -> None:
        self._templates: dict[tuple[tuple[str, ...], str | None, bool, int, bool], _Template | None]
        self._templates = {}

    def line(
        self,
        item: ListedItem,
        today: date,
        locale: str | None,
        *,
        notes: Sequence[str] = (),
        actions: bool = True,
        overdue: bool | None = None,
    ) -> tuple[str, str]:
        """The item's line (`follow_up_line`'s arguments) as JSON text, in `json.dumps`'
        format, and as plain text."""
        follow_up, contract, checkpoint = item.follow_up, item.contract, item.checkpoint
        late = follow_up.due_date < today if overdue is None else overdue
        key = (tuple(checkpoint.actions), locale, late, len(notes), actions)
        template = self._templates.get(key, _MISSING)
        if template is _MISSING:
            template = self._templates[key] = _template(*key, today)
        if template is None:  # the kit's line did not show every marker: drawn as it is
            element, line = follow_up_line(
                _as_models(item), today, locale, notes=notes, actions=actions, overdue=overdue
            )
            return json.dumps(element, ensure_ascii=False), line
        plain = {
            "id": follow_up.id,
            "when": _due_text(follow_up.due_date, today, locale),
            "ref": contract.reference,
            "title": clip(contract.title, TITLE_CHARS),
            "cp": clip(checkpoint.title, CHECKPOINT_CHARS),
        }
        for index, note in enumerate(notes):
            plain[f"n{index}"] = note
        escaped = {name: encode_basestring(value)[1:-1] for name, value in plain.items()}
        return _fill(template.json_parts, escaped), _fill(template.line_parts, plain)


_MISSING: Final = _Template((), ())


def _follow_up(follow_up_id: str, due: date, state: FollowUpState) -> FollowUp:
    return FollowUp.model_construct(
        id=follow_up_id, checkpoint_id="", contract_id="", due_date=due, state=state
    )


def _contract(reference: str, title: str) -> Contract:
    return Contract.model_construct(
        reference=reference,
        title=title,
        contract_type=ContractType.SINGLE,
        category=Category.GOODS,
    )


def _checkpoint(title: str, codes: Sequence[str]) -> Checkpoint:
    return Checkpoint.model_construct(
        contract_id="", code="", title=title, rrule="", dtstart=date.min, actions=list(codes)
    )


def _as_models(item: ListedItem) -> OpenFollowUp:
    """What the kit's `follow_up_line` reads of an item, as the models it takes."""
    follow_up, contract, checkpoint = item.follow_up, item.contract, item.checkpoint
    return _Item(
        _follow_up(follow_up.id, follow_up.due_date, follow_up.state),
        _contract(contract.reference, contract.title),
        _checkpoint(checkpoint.title, checkpoint.actions),
    )


def _template(
    codes: tuple[str, ...], locale: str | None, late: bool, notes: int, actions: bool, today: date
) -> _Template | None:
    """The kit's line for an item of this shape, with markers for its values; None when a
    marker does not come out exactly where a value goes."""
    due = today + timedelta(days=-_TEMPLATE_DAYS if late else _TEMPLATE_DAYS)
    item = _Item(
        _follow_up(_ID, due, FollowUpState.NOTIFIED),
        _contract(_REFERENCE, _TITLE),
        _checkpoint(_CHECKPOINT, codes),
    )
    marks = [_note(i) for i in range(notes)]
    element, line = follow_up_line(item, today, locale, notes=marks, actions=actions)
    body = json.dumps(element, ensure_ascii=False)
    when = due_text(due, today, locale)
    if body.count(encode_basestring(when)[1:-1]) != 1 or line.count(when) != 1:
        return None
    body = body.replace(encode_basestring(when)[1:-1], _WHEN)
    line = line.replace(when, _WHEN)
    once = [_WHEN, _REFERENCE, _TITLE, _CHECKPOINT, *marks]
    if _ID not in body or any(body.count(m) != 1 or line.count(m) != 1 for m in once):
        return None
    return _Template(_cut(body), _cut(line))


class DigestLines:
    """The kit's `ItemLines` for a digest (see the module docstring)."""

    def __init__(
        self,
        budget: CardBudget,
        templates: LineTemplates,
        *,
        with_actions: int,
        action_bytes: int,
    ) -> None:
        self.budget = budget
        self.acted: list[str] = []
        self.listed: set[str] = set()
        self.without: list[ListedItem] = []
        """Items the person may answer that were shown without their actions."""
        self._templates = templates
        self._actions = with_actions
        self._action_bytes = action_bytes

    @property
    def actions_left(self) -> bool:
        return self._actions > 0

    def take(
        self,
        item: ListedItem,
        today: date,
        locale: str | None,
        *,
        notes: Sequence[str] = (),
        answerable: bool = True,
        overdue: bool | None = None,
    ) -> tuple[Element, str] | None:
        """As `ItemLines.take`: the item's element and line, or None when the card is full."""
        lines = self._templates
        if answerable and self._actions > 0 and item.follow_up.id not in self.acted:
            body, line = lines.line(item, today, locale, notes=notes, overdue=overdue)
            size = json_item_size(body, line)
            if size <= self._action_bytes:
                element: Element = orjson.loads(body)
                if self.budget.take(element, line, size=size):
                    self._actions -= 1
                    self._action_bytes -= size
                    self.acted.append(item.follow_up.id)
                    self.listed.add(item.follow_up.id)
                    return element, line
            self._actions = 0  # in order: once one does not fit, the rest are lines
        body, line = lines.line(item, today, locale, notes=notes, actions=False, overdue=overdue)
        element = orjson.loads(body)
        if not self.budget.take(element, line, size=json_item_size(body, line)):
            return None
        self.listed.add(item.follow_up.id)
        if answerable:
            self.without.append(item)
        return element, line

    def hint(self, locale: str | None) -> str | None:
        """As `ItemLines.hint`: how to answer what was listed without its actions."""
        if not self.without or not self.acted:
            return None
        first = self.without[0]
        return actions_first_hint(
            len(self.acted), first.contract.reference, first.checkpoint.actions, locale
        )


__all__ = ["DigestLines", "LineTemplates"]
