"""The audit trail's hash chain (`followup.audit`): the canonical form, linking, and checking a
chain without a database."""

from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import pytest

from followup.audit import (
    EMPTY_HEAD,
    GENESIS_HASH,
    ChainFault,
    ChainHead,
    ChainLink,
    canonical_content,
    event_hash,
    link,
    link_hash,
    verify,
)
from followup.models import AuditEvent

AT = datetime(2026, 11, 23, 9, 0, 0, 120000, tzinfo=UTC)


def events(count: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            at=AT + timedelta(seconds=n),
            actor=f"person:p{n}",
            action="person.reminders",
            entity="person",
            entity_id=f"p{n}",
            before={"reminders_paused": False},
            after={"reminders_paused": True, "note": "Pause før påske"},
        )
        for n in range(count)
    ]


def test_the_canonical_content_is_sorted_compact_utf8_json_with_utc_microseconds() -> None:
    oslo = timezone(timedelta(hours=1))
    content = canonical_content(
        7, "e-7", datetime(2026, 11, 23, 10, 0, tzinfo=oslo), "cli", "role.granted", "person",
        "p1", None, {"roles": ["admin"], "navn": "Åse Ødegård"}, GENESIS_HASH,
    )  # fmt: skip
    expected = (
        '{"action":"role.granted","actor":"cli",'
        '"after":{"navn":"Åse Ødegård","roles":["admin"]},'
        '"at":"2026-11-23T09:00:00.000000+00:00","before":null,"entity":"person",'
        f'"entity_id":"p1","id":"e-7","prev_hash":"{GENESIS_HASH}","seq":7}}'
    )
    assert content == expected.encode()
    assert event_hash(
        7, "e-7", datetime(2026, 11, 23, 9, 0, tzinfo=UTC), "cli", "role.granted", "person",
        "p1", None, {"navn": "Åse Ødegård", "roles": ["admin"]}, GENESIS_HASH,
    ) == hashlib.sha256(content).hexdigest()  # fmt: skip


def test_a_time_without_an_offset_is_refused() -> None:
    naive = datetime(2026, 11, 23, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="offset"):
        canonical_content(1, "e", naive, "cli", "a", "e", "1", None, None, GENESIS_HASH)


def test_each_hash_covers_the_previous_one() -> None:
    chain = link(events(3), EMPTY_HEAD)
    assert [c.seq for c in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS_HASH
    assert [c.prev_hash for c in chain[1:]] == [c.hash for c in chain[:-1]]
    assert all(link_hash(c) == c.hash for c in chain)
    later = link(events(1), ChainHead(3, chain[-1].hash))
    assert (later[0].seq, later[0].prev_hash) == (4, chain[-1].hash)
    # The same content after another head gives another hash.
    assert link(events(1), EMPTY_HEAD)[0].hash != later[0].hash


def test_an_intact_chain_verifies_with_its_count_and_head() -> None:
    chain = link(events(5), EMPTY_HEAD)
    head = ChainHead(5, chain[-1].hash)
    report = verify(iter(chain), head)
    assert report.ok
    assert (report.checked, report.head) == (5, head)
    assert verify([], EMPTY_HEAD).ok
    assert verify([], None).checked == 0


def test_a_changed_event_is_named() -> None:
    chain = link(events(5), EMPTY_HEAD)
    chain[2] = chain[2]._replace(after={"reminders_paused": False})
    report = verify(chain, ChainHead(5, chain[-1].hash))
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.event_id) == (
        ChainFault.CONTENT_CHANGED, 3, chain[2].id,
    )  # fmt: skip
    assert report.checked == 2
    assert report.problem.last_good == (2, chain[1].id)


def test_a_rewritten_event_breaks_the_chain_at_the_next_one() -> None:
    chain = link(events(5), EMPTY_HEAD)
    forged = chain[2]._replace(actor="person:someone-else")
    chain[2] = forged._replace(hash=link_hash(forged))
    report = verify(chain, ChainHead(5, chain[-1].hash))
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq) == (ChainFault.CHAIN_BROKEN, 4)
    assert report.problem.expected == chain[2].hash


def test_a_missing_event_in_the_middle_is_a_gap() -> None:
    chain = link(events(5), EMPTY_HEAD)
    del chain[1:3]
    report = verify(chain, ChainHead(5, chain[-1].hash))
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.event_id) == (
        ChainFault.MISSING, 4, chain[1].id,
    )  # fmt: skip
    assert report.problem.missing == (2, 3)


def test_events_missing_at_the_end_are_found_by_the_head() -> None:
    chain = link(events(5), EMPTY_HEAD)
    head = ChainHead(5, chain[-1].hash)
    report = verify(chain[:3], head)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.event_id) == (
        ChainFault.MISSING, 4, None,
    )  # fmt: skip
    assert (report.problem.missing, report.problem.last_good) == ((4, 5), (3, chain[2].id))
    # A head moved back to the shortened chain hides that; a head noted earlier does not.
    assert verify(chain[:3], ChainHead(3, chain[2].hash)).ok
    noted = verify(chain[:3], ChainHead(3, chain[2].hash), known_head=head)
    assert noted.problem is not None
    assert noted.problem.fault is ChainFault.MISSING


def test_a_chain_rewritten_from_the_start_differs_from_a_head_noted_earlier() -> None:
    chain = link(events(5), EMPTY_HEAD)
    noted = ChainHead(4, chain[3].hash)
    rewritten = events(5)
    rewritten[0].actor = "person:someone-else"
    forged = link(rewritten, EMPTY_HEAD)
    assert verify(forged, ChainHead(5, forged[-1].hash)).ok
    report = verify(forged, ChainHead(5, forged[-1].hash), known_head=noted)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq) == (ChainFault.HEAD_MISMATCH, 4)


def test_a_head_that_does_not_match_the_last_event_is_reported() -> None:
    chain = link(events(3), EMPTY_HEAD)
    report = verify(chain, ChainHead(3, "f" * 64))
    assert report.problem is not None
    assert report.problem.fault is ChainFault.HEAD_MISMATCH


def test_links_are_plain_tuples_in_column_order() -> None:
    (first,) = link(events(1), EMPTY_HEAD)
    assert ChainLink._fields == (
        "seq", "id", "at", "actor", "action", "entity", "entity_id", "before", "after",
        "prev_hash", "hash",
    )  # fmt: skip
    assert ChainLink._make(tuple(first)) == first


def _as_the_json_module_writes_it(document: dict[str, object]) -> bytes:
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


class _Kind(StrEnum):
    DONE = "utført"


_LETTERS = [chr(c) for c in [*range(0x250), 0x2028, 0xFEFF, 0xFFFF, 0x1F600, 0x10FFFF]]


def _random_value(rng: random.Random, *, plain: bool, depth: int = 0) -> object:
    """A JSON-ish value; `plain`: only what orjson writes as the json module does or refuses
    (text, integers, booleans, null, lists and objects), otherwise also floats, tuples and a
    str subclass."""
    kind = rng.choice(
        ["text", "scalar", "odd"] if depth >= 3 else ["text", "scalar", "odd", "dict", "list"]
    )
    if kind == "text":
        return "".join(rng.choice(_LETTERS) for _ in range(rng.randrange(12)))
    if kind == "scalar":
        return rng.choice([0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 1_250_000, True, False, None])
    if kind == "odd" and plain:  # orjson refuses these: the json module writes them
        return rng.choice(["", 2**64, -(2**63) - 1, {1: "én", 22: None}, [{-3: True}]])
    if kind == "odd":
        return rng.choice(
            [0.1, 1.0, 1e-05, 1e16, 5e-324, -0.0, 2**64, -(2**63) - 1, 10**30, _Kind.DONE, (1, "a")]
        )
    if kind == "dict":
        keys = ["".join(rng.choice(_LETTERS) for _ in range(rng.randrange(4))) for _ in range(4)]
        return {k: _random_value(rng, plain=plain, depth=depth + 1) for k in keys}
    return [_random_value(rng, plain=plain, depth=depth + 1) for _ in range(rng.randrange(5))]


def test_the_canonical_content_is_the_json_modules_bytes_whichever_library_writes_them() -> None:
    """Plain values are written by orjson (faster) and the rest by the json module: the bytes,
    and so every hash ever stored, are the same either way."""
    rng = random.Random(2026)
    for seq in range(4_000):
        plain = seq % 2 == 0
        before = _random_value(rng, plain=plain)
        after = _random_value(rng, plain=plain or rng.random() < 0.5)
        actor = rng.choice(["cli", "import:kontrakter.csv", "person:Åse", _Kind.DONE])
        document = {
            "seq": seq, "id": f"e-{seq}", "at": "2026-11-23T09:00:00.120000+00:00",
            "actor": actor, "action": "contract.created", "entity": "contract",
            "entity_id": "c-1", "before": before, "after": after, "prev_hash": GENESIS_HASH,
        }  # fmt: skip
        content = canonical_content(
            seq, f"e-{seq}", AT, actor, "contract.created", "contract", "c-1", before, after,
            GENESIS_HASH,
        )  # fmt: skip
        assert content == _as_the_json_module_writes_it(document), document


def test_what_the_json_module_refuses_is_still_refused() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        canonical_content(1, "e", AT, "cli", "a", "e", "1", None, {"x": math.nan}, GENESIS_HASH)
    with pytest.raises(UnicodeEncodeError):
        canonical_content(1, "e", AT, "cli", "a", "e", "1", None, {"x": "\ud800"}, GENESIS_HASH)
    with pytest.raises(TypeError):
        canonical_content(1, "e", AT, "cli", "a", "e", "1", None, {"at": AT}, GENESIS_HASH)
