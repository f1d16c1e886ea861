"""What the bot remembers of an upload in a conversation (a follow-up chosen on a card) lasts
an hour of real time, even while the demo runs the turns' clock fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.uploads.commands import UploadMemory
from storage.dialog_state import SqlDialogStateStore

REAL = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_the_memory_lasts_an_hour_of_real_time_whatever_the_turns_clock(
    db_engine: Engine,
) -> None:
    real = [REAL]
    memory = UploadMemory(SqlDialogStateStore(db_engine, lambda: real[0]), lambda: real[0])
    # The demo's fast clock: three days pass between the two turns, ten real minutes.
    await memory.remember_target("a:conv", "fu-1", REAL + timedelta(days=1))
    real[0] = REAL + timedelta(minutes=10)
    assert (await memory.recall("a:conv", REAL + timedelta(days=4))).target == "fu-1"
    real[0] = REAL + timedelta(minutes=61)
    assert (await memory.recall("a:conv", REAL + timedelta(days=4))).target is None


async def test_without_a_clock_the_turns_time_counts(db_engine: Engine) -> None:
    memory = UploadMemory(SqlDialogStateStore(db_engine, lambda: REAL))
    await memory.remember_target("a:conv", "fu-1", REAL)
    assert (await memory.recall("a:conv", REAL + timedelta(minutes=59))).target == "fu-1"
    assert (await memory.recall("a:conv", REAL + timedelta(minutes=61))).target is None
