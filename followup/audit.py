"""The audit trail's hash chain: the canonical form of an event, its SHA-256, linking events
into a chain, and checking a stored chain. No framework: storage/ reads and writes the rows.

**The chain.** Every stored audit event has a sequence number (`seq`: 1, 2, 3 … with no gaps,
in the order the events were appended), the hash of the event before it (`prev_hash`; the first
event's is `GENESIS_HASH`) and its own `hash`: the SHA-256, as 64 lower-case hex digits, of its
canonical content. Changing any stored field of an event changes its hash; removing or
inserting an event breaks the next event's `prev_hash` and leaves a gap in the sequence; the
chain head (the last `seq` and `hash`, kept by storage next to the events) catches events
removed from the end.

**The canonical content** (form 1) of an event is the UTF-8 encoding of one JSON object with
exactly these members, keys sorted by code point, no whitespace (separators `,` and `:`),
non-ASCII characters written as themselves (not `\\u` escapes), as Python's
`json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`
writes it (strings escape `"` `\\` and control characters, `\\n` `\\t` … or `\\u00xx`; integers
in decimal; floats as Python's `repr`; NaN and infinities refused):

| key | value |
|---|---|
| `seq` | the sequence number (integer) |
| `id` | the event's id (string) |
| `at` | when it happened, in UTC, ISO 8601 with microseconds: `2026-11-23T09:00:00.000000+00:00` |
| `actor` | who did it: a person's id, `cli`, `import:<file>` … |
| `action` | what was done, e.g. `role.granted` |
| `entity`, `entity_id` | what it was done to (on whose behalf: in `after`, where it applies) |
| `before`, `after` | the JSON values stored with the event (objects, or `null`) |
| `prev_hash` | the previous event's hash (64 hex digits; `GENESIS_HASH` for the first) |

`before` and `after` are hashed as storage reads them back (JSON values with string keys);
storage hands `link` the values it is about to store in that form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, NamedTuple

import orjson

from followup.models import AuditEvent

GENESIS_HASH: Final = "0" * 64
"""The `prev_hash` of the first event of a chain."""

_ENCODER: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


class ChainLink(NamedTuple):
    """A stored audit event with its place in the chain, as storage reads it (the field order
    is the column order storage selects)."""

    seq: int
    id: str
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class ChainHead(NamedTuple):
    """The last event of the chain: its `seq` (the number of events) and `hash`. An empty
    chain's head is `(0, GENESIS_HASH)`."""

    seq: int
    hash: str


EMPTY_HEAD: Final = ChainHead(0, GENESIS_HASH)


def canonical_time(at: datetime) -> str:
    """`at` in UTC, ISO 8601 with microseconds; a naive time is refused (whose clock?)."""
    if at.tzinfo is not UTC:
        if at.tzinfo is None:
            raise ValueError(f"an audit event's time must carry its offset: {at!r}")
        at = at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def canonical_content(
    seq: int,
    event_id: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash is taken over (the module docstring defines them)."""
    document = {
        "seq": seq,
        "id": event_id,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    if (
        type(seq) is int
        and all(
            type(text) is str for text in (event_id, actor, action, entity, entity_id, prev_hash)
        )
        and _written_alike(before)
        and _written_alike(after)
    ):
        # orjson writes these bytes, several times faster (an import hashes one event a row).
        try:
            return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a large integer, a key that is not text, a lone
            pass  # surrogate …: the json module decides
    return _ENCODER.encode(document).encode("utf-8")


_LEAVES: Final = frozenset({str, int, bool, type(None)})
_CONTAINERS: Final = frozenset({dict, list})
_LEAVES_OR_CONTAINERS: Final = _LEAVES | _CONTAINERS


def _written_alike(value: Any) -> bool:
    """Whether orjson writes `value` byte for byte as the canonical form does (the json
    module, as configured in `_ENCODER`), or refuses it: text, integers, booleans, null, and
    lists and objects of those. orjson refuses integers beyond 64 bits and keys that are not
    text (the json module then writes them); it writes floats differently (1e-05 as 0.00001)
    and writes what the json module refuses (dates, UUIDs, enumerations …), so those, and
    tuples and subclasses, are left to the json module."""
    kind = type(value)
    if kind in _LEAVES:
        return True
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return False
    kinds = set(map(type, items))
    if kinds <= _LEAVES:
        return True
    return kinds <= _LEAVES_OR_CONTAINERS and all(
        _written_alike(item) for item in items if type(item) in _CONTAINERS
    )


def event_hash(
    seq: int,
    event_id: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical content."""
    content = canonical_content(
        seq, event_id, at, actor, action, entity, entity_id, before, after, prev_hash
    )
    return hashlib.sha256(content).hexdigest()


def link_hash(link: ChainLink) -> str:
    """What a stored event's hash should be, from its stored fields."""
    return event_hash(*link[:10])


def link(
    events: Sequence[AuditEvent], head: ChainHead, values: Sequence[tuple[Any, Any]] | None = None
) -> list[ChainLink]:
    """Chain `events`, in order, after `head`. `values` are the (before, after) JSON values
    as they will be stored, one pair per event (default: the events' own)."""
    links: list[ChainLink] = []
    seq, prev = head
    for index, event in enumerate(events):
        before, after = values[index] if values is not None else (event.before, event.after)
        seq += 1
        digest = event_hash(
            seq,
            event.id,
            event.at,
            event.actor,
            event.action,
            event.entity,
            event.entity_id,
            before,
            after,
            prev,
        )
        links.append(
            ChainLink(
                seq,
                event.id,
                event.at,
                event.actor,
                event.action,
                event.entity,
                event.entity_id,
                before,
                after,
                prev,
                digest,
            )
        )
        prev = digest
    return links


# --- checking a stored chain ------------------------------------------------------------------


class ChainFault(StrEnum):
    CONTENT_CHANGED = "content-changed"
    """The event's stored fields do not give its stored hash: it was changed after the fact."""
    CHAIN_BROKEN = "chain-broken"
    """The event's `prev_hash` is not the previous event's hash: the event before it was
    rewritten (hash and all), or this one was put in."""
    MISSING = "missing"
    """Events are missing: a gap in the sequence before this event, or events after the last
    one that the chain head (or a head noted earlier) says exist."""
    HEAD_MISMATCH = "head-mismatch"
    """The chain does not end (or pass) where a head says: the head row, or a head noted
    earlier, names another hash for that sequence number."""


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first event that does not match, and why.

    `seq` and `event_id` name that event; for events missing at the end of the chain, `seq`
    is the first missing number and `event_id` is None. `missing` is the range of sequence
    numbers not found (first, last), for `MISSING`. `expected` and `found` are the hashes (or
    sequence numbers) that differ. `last_good` is the (seq, id) of the last event that matched,
    None when it was the first.
    """

    fault: ChainFault
    seq: int
    event_id: str | None
    expected: str
    found: str
    missing: tuple[int, int] | None = None
    last_good: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of `verify`: how many events matched, the head they reach, and the first
    problem (None when every event matches)."""

    checked: int
    head: ChainHead
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    links: Iterable[ChainLink],
    stored_head: ChainHead | None,
    known_head: ChainHead | None = None,
) -> ChainReport:
    """Walk `links` in sequence order (streamed: one event in memory at a time) and stop at
    the first that does not match. `stored_head` is the head storage keeps (None: none kept);
    `known_head` a head noted earlier (e.g. in the archive) that the chain must pass through.
    """
    checked = 0
    seq, prev = EMPTY_HEAD
    last_good: tuple[int, str] | None = None

    def stop(fault: ChainFault, at: int, event_id: str | None, expected: str, found: str,
             missing: tuple[int, int] | None = None) -> ChainReport:  # fmt: skip
        problem = ChainProblem(fault, at, event_id, expected, found, missing, last_good)
        return ChainReport(checked, ChainHead(seq, prev), problem)

    for stored in links:
        if stored.seq != seq + 1:
            return stop(ChainFault.MISSING, stored.seq, stored.id, f"seq {seq + 1}",
                        f"seq {stored.seq}", (seq + 1, stored.seq - 1))  # fmt: skip
        if stored.prev_hash != prev:
            return stop(ChainFault.CHAIN_BROKEN, stored.seq, stored.id, prev, stored.prev_hash)
        digest = link_hash(stored)
        if digest != stored.hash:
            return stop(ChainFault.CONTENT_CHANGED, stored.seq, stored.id, digest, stored.hash)
        if known_head is not None and stored.seq == known_head.seq and digest != known_head.hash:
            return stop(ChainFault.HEAD_MISMATCH, stored.seq, stored.id, known_head.hash, digest)
        checked += 1
        seq, prev = stored.seq, digest
        last_good = (seq, stored.id)
    for head in (stored_head, known_head):
        if head is not None and head.seq > seq:
            return stop(ChainFault.MISSING, seq + 1, None, f"seq {head.seq}", f"seq {seq}",
                        (seq + 1, head.seq))  # fmt: skip
    if stored_head is not None and stored_head != (seq, prev):
        return stop(ChainFault.HEAD_MISMATCH, seq, last_good[1] if last_good else None,
                    f"seq {seq} {prev}", f"seq {stored_head.seq} {stored_head.hash}")  # fmt: skip
    return ChainReport(checked, ChainHead(seq, prev), None)
