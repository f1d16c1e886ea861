"""Rows read a batch ahead in a thread (`storage.read_ahead`), without a database: a fetch
function that records what it was asked and from which thread stands in for a cursor's
`fetchmany`."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from storage.read_ahead import read_ahead


class Cursor:
    """`fetchmany` over the numbers 0 … rows-1, recording each call."""

    def __init__(self, rows: int, *, pause: float = 0.0, fail_at_call: int | None = None) -> None:
        self._rows = iter(range(rows))
        self._pause = pause
        self._fail_at_call = fail_at_call
        self.asked: list[int] = []
        self.threads: set[int] = set()
        self.reading = False
        self.lock = threading.Lock()

    def fetchmany(self, size: int) -> Sequence[int]:
        with self.lock:
            self.asked.append(size)
            self.threads.add(threading.get_ident())
        if self._fail_at_call is not None and len(self.asked) == self._fail_at_call:
            raise RuntimeError("connection lost")
        self.reading = True
        try:
            time.sleep(self._pause)
            return list(itertools.islice(self._rows, size))
        finally:
            self.reading = False


def sizes(first: int, then: int) -> Iterator[int]:
    return itertools.chain((first,), itertools.repeat(then))


def readers_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-ahead"]


def test_every_row_comes_in_order_read_in_another_thread() -> None:
    cursor = Cursor(25)
    assert list(read_ahead(cursor.fetchmany, sizes(3, 10))) == list(range(25))
    assert cursor.asked == [3, 10, 10, 10, 10]  # 3 + 10 + 10 + 2, and nothing: the end
    assert threading.get_ident() not in cursor.threads
    assert readers_alive() == []


def test_nothing_is_read_before_the_first_row_is_asked_for() -> None:
    cursor = Cursor(25)
    rows = read_ahead(cursor.fetchmany, sizes(3, 10))
    time.sleep(0.05)
    assert cursor.asked == []
    assert readers_alive() == []
    assert next(rows) == 0
    rows.close()


def test_reading_runs_one_batch_ahead_of_the_caller() -> None:
    cursor = Cursor(1_000)
    rows = read_ahead(cursor.fetchmany, sizes(5, 10))
    taken = list(itertools.islice(rows, 6))  # the first batch and one row of the second
    time.sleep(0.1)  # time enough for the reader to run on, if it did
    assert taken == list(range(6))
    assert cursor.asked == [5, 10, 10]  # the one in use and the next: no further
    rows.close()
    assert cursor.asked == [5, 10, 10]
    assert readers_alive() == []


def test_closing_waits_for_a_read_in_progress() -> None:
    cursor = Cursor(1_000, pause=0.2)
    rows = read_ahead(cursor.fetchmany, sizes(5, 10))
    assert next(rows) == 0  # the second batch is being read now
    rows.close()
    assert not cursor.reading  # done with the connection when `close` returns
    assert readers_alive() == []
    assert cursor.asked == [5, 10]


def test_dropping_the_rows_ends_the_reader() -> None:
    cursor = Cursor(1_000)
    assert next(read_ahead(cursor.fetchmany, sizes(5, 10))) == 0
    assert readers_alive() == []  # the iterator went at once, and its reader with it


def test_an_error_while_reading_is_raised_where_the_rows_are_read() -> None:
    cursor = Cursor(1_000, fail_at_call=3)
    rows = read_ahead(cursor.fetchmany, sizes(5, 10))
    taken: list[int] = []
    with pytest.raises(RuntimeError, match="connection lost"):
        taken.extend(rows)
    assert taken == list(range(15))  # the batches read before it
    assert readers_alive() == []


def test_no_rows_is_one_read() -> None:
    cursor = Cursor(0)
    assert list(read_ahead(cursor.fetchmany, sizes(5, 10))) == []
    assert cursor.asked == [5]
    assert readers_alive() == []


def test_the_rows_end_with_the_sizes() -> None:
    cursor = Cursor(1_000)
    assert list(read_ahead(cursor.fetchmany, [2, 3])) == [0, 1, 2, 3, 4]
    assert cursor.asked == [2, 3]
    assert list(read_ahead(cursor.fetchmany, [])) == []
    assert readers_alive() == []
