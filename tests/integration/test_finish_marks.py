"""`FinishMarks` (bot.teams.endpoint) on both stores: turns answered together are marked done in
one transaction, every mark reaches the database (also those added while a flush runs), a flush
that fails loses only its own marks (their claims are taken over after the lease, as before), and
`drain` waits for all of them. Found by a hostile review: a batch with one mark that cannot be
written (a body with a lone surrogate) lost every other mark of its batch, and marks added after
a cancelled flush waited for the next turn; both are tested here."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from bot.teams.endpoint import FinishMarks
from bot.teams.store_calls import IN_THREADS, StoreCalls
from storage.processed_activities import ProcessedActivityLog

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class CountingLog(ProcessedActivityLog):
    """The real log, remembering the batches it was given (and failing one when told to)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.batches: list[list[str]] = []
        self.fail_next = False

    def finish_many(self, finished: Sequence[tuple[str, int | None, str | None]]) -> None:
        self.batches.append([key for key, _, _ in finished])
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the database went away")
        super().finish_many(finished)


def commits(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


@pytest.fixture(params=["on the loop", "in threads"])
def store_calls(request: pytest.FixtureRequest) -> StoreCalls:
    return StoreCalls(on_loop=True) if request.param == "on the loop" else IN_THREADS


async def test_turns_answered_together_are_marked_done_in_one_transaction(
    db_engine: Engine, store_calls: StoreCalls
) -> None:
    log = CountingLog(db_engine)
    keys = [f"k{n}" for n in range(6)]
    for key in keys:
        assert log.claim(key, T0).outcome == "claimed"
    marks = FinishMarks(log, store_calls)
    seen = commits(db_engine)

    for key in keys[:5]:
        marks.add(key, None, None)
    marks.add(keys[5], 200, '{"statusCode": 200}')
    await marks.drain()

    assert log.batches == [keys]
    assert len(seen) == 1
    for key in keys[:5]:
        assert log.claim(key, T0).outcome == "done"
    copy = log.claim(keys[5], T0)
    assert (copy.outcome, copy.invoke_status, copy.invoke_body) == (
        "done",
        200,
        '{"statusCode": 200}',
    )


async def test_marks_added_while_a_flush_runs_go_in_the_next_one(db_engine: Engine) -> None:
    log = CountingLog(db_engine)
    for key in ("a", "b", "c"):
        log.claim(key, T0)
    marks = FinishMarks(log, IN_THREADS)

    marks.add("a", None, None)
    await asyncio.sleep(0)  # the flush has begun (its call is in a worker thread)
    marks.add("b", None, None)
    marks.add("c", None, None)
    await marks.drain()

    assert log.batches == [["a"], ["b", "c"]]
    assert all(log.claim(key, T0).outcome == "done" for key in ("a", "b", "c"))


async def test_a_failed_flush_loses_only_its_own_marks(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    log = CountingLog(db_engine)
    for key in ("lost", "kept"):
        log.claim(key, T0)
    marks = FinishMarks(log, StoreCalls(on_loop=True))

    log.fail_next = True
    marks.add("lost", None, None)
    await marks.drain()
    marks.add("kept", None, None)
    await marks.drain()

    assert "could not mark an activity done" in caplog.text
    assert log.claim("kept", T0).outcome == "done"
    # Still held: a copy after the lease takes it over and runs the turn, as it would have
    # if the instance had died before marking it.
    assert log.claim("lost", T0).outcome == "in_progress"


async def test_a_mark_that_cannot_be_written_does_not_cost_the_others_theirs(
    db_engine: Engine, store_calls: StoreCalls
) -> None:
    log = ProcessedActivityLog(db_engine)
    for key in ("before", "bad", "after"):
        assert log.claim(key, T0).outcome == "claimed"
    marks = FinishMarks(log, store_calls)

    marks.add("before", 200, '{"statusCode": 200}')
    marks.add("bad", 200, '{"value": "\ud800"}')  # a lone surrogate: no encoding takes it
    marks.add("after", None, None)
    await marks.drain()

    assert log.claim("before", T0).outcome == "done"
    assert log.claim("after", T0).outcome == "done"
    assert log.claim("bad", T0).outcome == "in_progress"


async def test_marks_left_by_a_cancelled_flush_are_written_by_drain(db_engine: Engine) -> None:
    log = ProcessedActivityLog(db_engine)
    for key in ("a", "b"):
        log.claim(key, T0)
    marks = FinishMarks(log, IN_THREADS)
    marks.add("a", None, None)
    await asyncio.sleep(0)  # the flush of [a] is in its worker thread
    marks.add("b", None, None)  # for the same task's next round
    flushing = marks._flushing
    assert flushing is not None
    flushing.cancel()

    await marks.drain()

    assert log.claim("b", T0).outcome == "done"
