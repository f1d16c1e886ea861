"""`SqlDialogStateStore` on SQLite and PostgreSQL: round trips, e-tags, atomic batches, limits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from storage.db import create_db_engine
from storage.dialog_state import (
    MAX_DOCUMENT_BYTES,
    MAX_KEY_LENGTH,
    ETagConflict,
    SqlDialogStateStore,
    storage_key,
)
from storage.tables import DialogStateRow

FIXED_NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_engine: Engine) -> SqlDialogStateStore:
    return SqlDialogStateStore(db_engine, now=lambda: FIXED_NOW)


def test_round_trip_keeps_document_and_gives_an_etag(store: SqlDialogStateStore) -> None:
    document = {"dialogState": {"stack": [1, 2]}, "tekst": "Leveransen er forsinket ✓"}

    etags = store.write({"conv/1": (document, None)})
    found = store.read(["conv/1", "unknown"])

    assert found == {"conv/1": (document, etags["conv/1"])}
    assert len(etags["conv/1"]) == 32


def test_read_of_nothing_is_empty(store: SqlDialogStateStore) -> None:
    assert store.read([]) == {}
    assert store.write({}) == {}


def test_updated_at_comes_from_the_clock(store: SqlDialogStateStore, db_engine: Engine) -> None:
    store.write({"conv/1": ({"a": 1}, "*")})

    with db_engine.connect() as conn:
        updated_at = conn.execute(select(DialogStateRow.updated_at)).scalar_one()
    assert updated_at == FIXED_NOW


def test_every_write_gives_a_new_etag(store: SqlDialogStateStore) -> None:
    first = store.write({"k": ({"n": 1}, None)})["k"]
    second = store.write({"k": ({"n": 2}, first)})["k"]

    assert second != first
    assert store.read(["k"]) == {"k": ({"n": 2}, second)}


def test_stale_etag_conflicts_and_nothing_of_the_batch_is_written(
    store: SqlDialogStateStore,
) -> None:
    etags = store.write({"a": ({"v": "a1"}, None), "b": ({"v": "b1"}, None)})
    store.write({"b": ({"v": "b2"}, etags["b"])})  # someone else moved b on

    with pytest.raises(ETagConflict) as err:
        store.write(
            {
                "a": ({"v": "a2"}, etags["a"]),  # would succeed on its own
                "new": ({"v": "n1"}, "*"),
                "b": ({"v": "b3"}, etags["b"]),  # stale
            }
        )

    assert err.value.key == "b"
    found = store.read(["a", "b", "new"])
    assert found["a"] == ({"v": "a1"}, etags["a"])
    assert found["b"][0] == {"v": "b2"}
    assert "new" not in found


def test_expected_etag_on_a_missing_item_conflicts(store: SqlDialogStateStore) -> None:
    with pytest.raises(ETagConflict):
        store.write({"missing": ({"v": 1}, "0123456789abcdef")})

    assert store.read(["missing"]) == {}


def test_empty_etag_conflicts(store: SqlDialogStateStore) -> None:
    etag = store.write({"k": ({"v": 1}, None)})["k"]

    with pytest.raises(ETagConflict):
        store.write({"k": ({"v": 2}, "")})
    with pytest.raises(ETagConflict):
        store.write({"other": ({"v": 2}, "")})

    assert store.read(["k", "other"]) == {"k": ({"v": 1}, etag)}


def test_wildcard_and_none_overwrite_whatever_is_stored(store: SqlDialogStateStore) -> None:
    store.write({"k": ({"v": 1}, None)})
    store.write({"k": ({"v": 2}, "*")})
    etag = store.write({"k": ({"v": 3}, None)})["k"]

    assert store.read(["k"]) == {"k": ({"v": 3}, etag)}


def test_delete_removes_items_and_ignores_unknown_keys(store: SqlDialogStateStore) -> None:
    store.write({"a": ({"v": 1}, None), "b": ({"v": 2}, None)})

    store.delete(["a", "never-written"])
    store.delete([])

    assert list(store.read(["a", "b"])) == ["b"]


def test_long_and_odd_keys_round_trip(store: SqlDialogStateStore, db_engine: Engine) -> None:
    crazy = '!@#$%^&*()_+??><":QASD~`'
    long_key = "msteams/conversations/" + "x" * 1000 + "/"
    other_long_key = "msteams/conversations/" + "x" * 1000 + "/y"
    nul_key = "a\x00b"

    store.write({key: ({"key": key}, None) for key in (crazy, long_key, other_long_key, nul_key)})

    found = store.read([crazy, long_key, other_long_key, nul_key])
    assert {key: doc["key"] for key, (doc, _etag) in found.items()} == {
        crazy: crazy,
        long_key: long_key,
        other_long_key: other_long_key,
        nul_key: nul_key,
    }
    with db_engine.connect() as conn:
        stored = set(conn.execute(select(DialogStateRow.key)).scalars())
    assert stored == {
        crazy,
        storage_key(long_key),
        storage_key(other_long_key),
        storage_key(nul_key),
    }
    assert all(len(key) <= MAX_KEY_LENGTH for key in stored)
    assert storage_key(long_key) == storage_key(long_key)

    store.delete([long_key])
    assert long_key not in store.read([long_key])


def test_oversized_document_is_refused_and_the_previous_value_stays(
    store: SqlDialogStateStore,
) -> None:
    etag = store.write({"k": ({"v": "small"}, None)})["k"]
    too_big = {"v": "x" * MAX_DOCUMENT_BYTES}

    with pytest.raises(ValueError, match="limit"):
        store.write({"other": ({"v": 1}, None), "k": (too_big, None)})

    assert store.read(["k", "other"]) == {"k": ({"v": "small"}, etag)}


def test_document_at_the_limit_is_accepted(store: SqlDialogStateStore) -> None:
    overhead = len('{"v":""}')
    document = {"v": "x" * (MAX_DOCUMENT_BYTES - overhead)}

    store.write({"k": (document, None)})

    assert store.read(["k"])["k"][0] == document


def _race(stores: list[SqlDialogStateStore], key: str, etag: str) -> dict[int, str]:
    """Every store writes `key` expecting `etag`, all released at once; outcome per store."""
    barrier = threading.Barrier(len(stores))
    outcomes: dict[int, str] = {}

    def attempt(index: int, store: SqlDialogStateStore) -> None:
        barrier.wait(timeout=10)
        try:
            store.write({key: ({"winner": index}, etag)})
        except ETagConflict:
            outcomes[index] = "conflict"
        else:
            outcomes[index] = "won"

    threads = [
        threading.Thread(target=attempt, args=(index, store)) for index, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_instances_racing_on_one_etag_have_exactly_one_winner(db_url: str) -> None:
    engine_a = create_db_engine(db_url)
    engine_b = create_db_engine(db_url)
    try:
        stores = [SqlDialogStateStore(engine_a), SqlDialogStateStore(engine_b)]
        for round_no in range(5):
            key = f"race/{round_no}"
            etag = stores[0].write({key: ({"winner": None}, None)})[key]

            outcomes = _race(stores, key, etag)

            assert sorted(outcomes.values()) == ["conflict", "won"]
            winner = next(index for index, outcome in outcomes.items() if outcome == "won")
            assert stores[1].read([key])[key][0] == {"winner": winner}
    finally:
        engine_a.dispose()
        engine_b.dispose()
