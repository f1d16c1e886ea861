"""A digest's follow-up lines from templates: what is the same for many items is rendered once.

A reminder tick renders a few hundred digests, each with a handful of open follow-ups as
compact lines (`bot.conversation.follow_up_lines`). Rendered one by one, each line looks up
a dozen words, formats its due date through Babel and is serialised to JSON to measure it
(`cards.item_size`). But a line differs from the next only in a few strings: the follow-up's
id, its due text, the contract's reference and title, the checkpoint's title and the notes.
Everything else (the action buttons with their words, the layout) depends only on the
checkpoint's action codes, the language, whether it is overdue and how many notes it has.

`LineTemplates` therefore has the card kit draw one line per such shape, with marker strings
in place of those few values, and keeps it as JSON text cut at the markers, twice: as
`json.dumps` writes it (what `item_size` measures) and compact, as `orjson.dumps` writes it
(what the outbox keeps; the two differ only by the blanks after separators, a fixed number of
bytes per template). A line is then the template joined with the item's values (escaped as
both encoders escape them): its size is known without serialising the line again, and one
`orjson.loads` of the compact text makes its element. The line is exactly the one
`follow_up_line` draws (tests/unit/test_digest_lines.py and test_reminder_outbox_cards.py
compare them); a shape the markers cannot be found in is drawn by `follow_up_line` itself.

`DigestLines` is the kit's `ItemLines` (the same order, budget, actions and hint) taking its
lines from the templates. Its items need only what a line shows (`ListedItem`): a digest lists
its recipient's other overdue follow-ups as lines read without models
(`followup.ports.ListedFollowUp`). A digest made only to be written to the outbox keeps each
line as that JSON text (`as_json`: an `orjson.Fragment`, which `orjson.dumps` writes as it is)
instead of parsing it into a dict that is serialised again at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Final, Protocol, TypeAlias

import orjson

from bot.conversation.cards import CardBudget, Element, clip, item_size, json_item_size
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
LineElement: TypeAlias = Element | orjson.Fragment
"""A line's element: a dict, or its JSON text as a fragment (`DigestLines(as_json=True)`)."""
_MEASURED: Final[Element] = {}
"""The element `CardBudget.take` is given with the size of a line measured already."""
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
    compact_parts: tuple[str, ...]
    """The same JSON without the blanks after `,` and `:` (`orjson.dumps`' format)."""
    blanks: int
    """How many bytes longer the `json.dumps` text is than the compact one, whatever the
    values: the separators are all in the literal parts."""


def _cut(value: str) -> tuple[str, ...]:
    return tuple(_MARK.split(value))


def _fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    # Faster than `str.format_map` on a line of a few kilobytes with non-ASCII words.
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
        template = self._template(item, today, locale, len(notes), actions, overdue)
        if template is None:  # the kit's line did not show every marker: drawn as it is
            element, line = _kits_line(item, today, locale, notes, actions, overdue)
            return json.dumps(element, ensure_ascii=False), line
        plain, escaped = _values(item, today, locale, notes)
        return _fill(template.json_parts, escaped), _fill(template.line_parts, plain)

    def sized(
        self,
        item: ListedItem,
        today: date,
        locale: str | None,
        *,
        notes: Sequence[str] = (),
        actions: bool = True,
        overdue: bool | None = None,
    ) -> tuple[str, str, int]:
        """The same line as compact JSON text (`orjson.dumps`' format: what the outbox keeps),
        as plain text, and its `item_size` (which measures it in `json.dumps`' format)."""
        template = self._template(item, today, locale, len(notes), actions, overdue)
        if template is None:
            element, line = _kits_line(item, today, locale, notes, actions, overdue)
            return orjson.dumps(element).decode(), line, item_size(element, line)
        plain, escaped = _values(item, today, locale, notes)
        body, line = _fill(template.compact_parts, escaped), _fill(template.line_parts, plain)
        return body, line, json_item_size(body, line) + template.blanks

    def _template(
        self,
        item: ListedItem,
        today: date,
        locale: str | None,
        notes: int,
        actions: bool,
        overdue: bool | None,
    ) -> _Template | None:
        late = item.follow_up.due_date < today if overdue is None else overdue
        key = (tuple(item.checkpoint.actions), locale, late, notes, actions)
        template = self._templates.get(key, _MISSING)
        if template is _MISSING:
            template = self._templates[key] = _template(*key, today)
        return template


_MISSING: Final = _Template((), (), (), 0)


def _values(
    item: ListedItem, today: date, locale: str | None, notes: Sequence[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """An item's values for a template's markers: as shown, and escaped for JSON text."""
    follow_up = item.follow_up
    plain = {
        "id": follow_up.id,
        "when": _due_text(follow_up.due_date, today, locale),
        "ref": item.contract.reference,
        "title": clip(item.contract.title, TITLE_CHARS),
        "cp": clip(item.checkpoint.title, CHECKPOINT_CHARS),
    }
    for index, note in enumerate(notes):
        plain[f"n{index}"] = note
    return plain, {name: encode_basestring(value)[1:-1] for name, value in plain.items()}


def _kits_line(
    item: ListedItem,
    today: date,
    locale: str | None,
    notes: Sequence[str],
    actions: bool,
    overdue: bool | None,
) -> tuple[Element, str]:
    return follow_up_line(
        _as_models(item), today, locale, notes=notes, actions=actions, overdue=overdue
    )


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
    compact = orjson.dumps(element).decode()
    when = due_text(due, today, locale)
    shown = encode_basestring(when)[1:-1]
    if body.count(shown) != 1 or compact.count(shown) != 1 or line.count(when) != 1:
        return None
    body, compact = body.replace(shown, _WHEN), compact.replace(shown, _WHEN)
    line = line.replace(when, _WHEN)
    once = [_WHEN, _REFERENCE, _TITLE, _CHECKPOINT, *marks]
    for text in (body, compact):
        if _ID not in text or any(text.count(m) != 1 for m in once):
            return None
    if any(line.count(m) != 1 for m in once):
        return None
    blanks = len(body.encode()) - len(compact.encode())
    return _Template(_cut(body), _cut(line), _cut(compact), blanks)


class DigestLines:
    """The kit's `ItemLines` for a digest (see the module docstring)."""

    def __init__(
        self,
        budget: CardBudget,
        templates: LineTemplates,
        *,
        with_actions: int,
        action_bytes: int,
        as_json: bool = False,
    ) -> None:
        self.budget = budget
        self.acted: list[str] = []
        self.listed: set[str] = set()
        self.without: list[ListedItem] = []
        """Items the person may answer that were shown without their actions."""
        self._templates = templates
        self._actions = with_actions
        self._action_bytes = action_bytes
        self._element: Callable[[str], LineElement] = orjson.Fragment if as_json else orjson.loads

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
    ) -> tuple[LineElement, str] | None:
        """As `ItemLines.take`: the item's element (a fragment with `as_json`) and line, or
        None when the card is full."""
        lines = self._templates
        if answerable and self._actions > 0 and item.follow_up.id not in self.acted:
            body, line, size = lines.sized(item, today, locale, notes=notes, overdue=overdue)
            if size <= self._action_bytes and self._fits(line, size):
                self._actions -= 1
                self._action_bytes -= size
                self.acted.append(item.follow_up.id)
                self.listed.add(item.follow_up.id)
                return self._element(body), line
            self._actions = 0  # in order: once one does not fit, the rest are lines
        body, line, size = lines.sized(
            item, today, locale, notes=notes, actions=False, overdue=overdue
        )
        if not self._fits(line, size):
            return None
        self.listed.add(item.follow_up.id)
        if answerable:
            self.without.append(item)
        return self._element(body), line

    def _fits(self, line: str, size: int) -> bool:
        """Counted onto the card when it fits; the budget reads only the size given, so the
        element is made only once it is taken."""
        return self.budget.take(_MEASURED, line, size=size)

    def hint(self, locale: str | None) -> str | None:
        """As `ItemLines.hint`: how to answer what was listed without its actions."""
        if not self.without or not self.acted:
            return None
        first = self.without[0]
        return actions_first_hint(
            len(self.acted), first.contract.reference, first.checkpoint.actions, locale
        )


__all__ = ["DigestLines", "LineElement", "LineTemplates"]
