"""A contract's history from the audit trail: who did what, on whose behalf, when, and what
changed (before → after), a page at a time, to whoever may see the contract.

The same reading of an audit event serves the `historikk` card and `eksport historikk`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from followup.errors import InvalidInput, NotFound
from followup.models import AuditEvent, Contract
from followup.views import ExportRow, Scope

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

HISTORY_PAGE: Final = 10
MAX_HISTORY_PAGE: Final = 50
MAX_CHANGE_TEXT: Final = 2000
PERSON_ACTOR: Final = "person:"
BAD_CURSOR: Final = "history.bad_cursor"
"""Reason code: a page cursor this query did not make (InvalidInput)."""
UNKNOWN_CONTRACT: Final = "history.unknown_contract"
"""Reason code: no contract by that reference that the asker may see (NotFound; value
`reference`)."""

ENTITY_WORDS: Final[Mapping[str, str]] = {
    "contract": "kontrakt",
    "follow_up": "oppfølging",
    "deviation": "avvik",
    "document": "dokument",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change to a contract or what belongs to it."""

    event: AuditEvent
    actor_name: str
    """The person's name, or the actor as recorded (`cli`, `import`, `scheduler`)."""
    on_behalf_of_name: str | None
    """Whose follow-up a deputy answered, when someone did so on another's behalf."""

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        return changes(self.event.before, self.event.after)


@dataclass(frozen=True, slots=True)
class ContractHistory:
    contract: Contract
    entries: list[HistoryEntry]
    next_cursor: str | None
    """Where the next (older) page starts; None when this is the last."""


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field whose value differs, in a stable order; a field
    only after (a creation) has None before."""
    old, new = dict(before or {}), dict(after or {})
    return [
        (key, old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def _shown(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return f"[{len(value)}]"
    if isinstance(value, dict):
        return "{…}"
    return str(value)


def change_text(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    """`state: notified → answered; kind: – → delivered` (plain text, at most
    `MAX_CHANGE_TEXT` characters)."""
    text = "; ".join(f"{k}: {_shown(b)} → {_shown(a)}" for k, b, a in changes(before, after))
    return text if len(text) <= MAX_CHANGE_TEXT else text[: MAX_CHANGE_TEXT - 1] + "…"


def person_id_of(actor: str) -> str | None:
    return actor[len(PERSON_ACTOR) :] if actor.startswith(PERSON_ACTOR) else None


def on_behalf_of_id(event: AuditEvent) -> str | None:
    value = (event.after or {}).get("on_behalf_of_id")
    return value if isinstance(value, str) and value else None


def encode_cursor(event: AuditEvent) -> str:
    return f"{event.at.isoformat()}|{event.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    at, sep, event_id = cursor.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if not sep or not event_id or len(event_id) > 64 or moment is None or moment.tzinfo is None:
        raise InvalidInput("not a history cursor", code=BAD_CURSOR)
    return moment, event_id


def find_contract(uow: UnitOfWork, reference_or_id: str, scope: Scope) -> Contract:
    """The contract by its reference (any case) or id, only when `scope` sees it (the rule of
    `status` and `plan`). One outside the scope is refused exactly like one that does not exist,
    so the answer does not tell whether a reference is in use."""
    contract = uow.contracts.get(reference_or_id) or uow.contracts.by_reference(reference_or_id)
    if contract is None or not scope.sees(contract):
        raise NotFound("no such contract", code=UNKNOWN_CONTRACT, reference=reference_or_id[:60])
    return contract


def contract_history(
    uow: UnitOfWork,
    scope: Scope,
    reference_or_id: str,
    *,
    cursor: str | None = None,
    limit: int = HISTORY_PAGE,
) -> ContractHistory:
    """A page of the contract's history, newest first; refuses a contract `scope` does not
    see (the same rule as `status`)."""
    contract = find_contract(uow, reference_or_id, scope)
    size = max(1, min(limit, MAX_HISTORY_PAGE))
    events = uow.portfolio.audit_history(contract.id, decode_cursor(cursor), size + 1)
    page, more = events[:size], len(events) > size
    ids = {pid for e in page if (pid := person_id_of(e.actor))}
    ids |= {pid for e in page if (pid := on_behalf_of_id(e))}
    names = uow.portfolio.people_names(ids) if ids else {}
    entries = [
        HistoryEntry(
            event=e,
            actor_name=names.get(person_id_of(e.actor) or "", e.actor),
            on_behalf_of_name=(
                names.get(behalf, behalf) if (behalf := on_behalf_of_id(e)) else None
            ),
        )
        for e in page
    ]
    return ContractHistory(contract, entries, encode_cursor(page[-1]) if more else None)


def history_export_row(row: Any) -> ExportRow:
    """One row of `eksport historikk` from (reference, title, at, actor name, actor, action,
    entity, before, after, on-behalf-of name)."""
    (reference, title, at, actor_name, actor, action, entity, before, after, behalf) = row
    return (
        reference,
        title,
        at,
        actor_name or actor,
        behalf,
        action,
        ENTITY_WORDS.get(entity, entity),
        change_text(before, after),
    )


__all__ = [
    "HISTORY_PAGE",
    "ContractHistory",
    "HistoryEntry",
    "change_text",
    "changes",
    "contract_history",
    "decode_cursor",
    "encode_cursor",
    "find_contract",
    "history_export_row",
]
