"""Which incoming activities were claimed and handled, shared by every bot instance.

Teams re-sends an activity it got no answer to within 15 seconds, and a card action within 5.
The first instance to insert the activity's key claims it (`in_progress`) and marks it `done`
after the turn, with the invoke response for invokes. A copy that finds it `done` is answered
from here; one that finds it `in_progress` waits for it. A claim in progress for longer than
`CLAIM_LEASE` belongs to an instance that died mid-turn (kill -9, a lost machine): the next copy
takes it over with a conditional UPDATE, so exactly one copy does, on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage.dialog_state import SqlDialogStateStore
from storage.lean_sql import LeanStatement
from storage.tables import ProcessedActivityRow

CLAIM_LEASE = timedelta(seconds=30)
"""How long a claim in progress is trusted; longer than any turn may take (Teams gives 15 s)."""

IN_PROGRESS = "in_progress"
DONE = "done"

Outcome = Literal["claimed", "done", "in_progress"]


@dataclass(frozen=True, slots=True)
class Claim:
    """What claiming an activity found.

    `claimed`: this caller holds it now (`claimed_at` is its claim; `took_over` when it was a
    stale claim of an instance that died); `done`: handled before, with its invoke response if
    one was stored; `in_progress`: another caller holds a fresh claim.
    """

    outcome: Outcome
    claimed_at: datetime | None = None
    took_over: bool = False
    invoke_status: int | None = None
    invoke_body: str | None = None
    state: dict[str, tuple[dict[str, Any], str]] | None = None
    """The dialog state documents (`SqlDialogStateStore.read`) of the keys `claim` was asked
    for, read in the claim's transaction; None when they were not read."""


def is_database_outage(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database cannot be reached or used right
    now: a lost or refused connection, a locked SQLite file, an exhausted pool. Constraint
    violations and programming errors are not outages."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | InterfaceError | PoolTimeout):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


# The two statements of every turn, compiled once and run lean (storage/lean_sql.py):
# SQLAlchemy's per-execution machinery cost more Python than executing them on SQLite.
_CLAIM = LeanStatement(
    insert(ProcessedActivityRow).values(
        key=bindparam("key"),
        received_at=bindparam("now"),
        state=IN_PROGRESS,
        claimed_at=bindparam("now"),
    )
)
_FINISH = LeanStatement(
    update(ProcessedActivityRow)
    .where(ProcessedActivityRow.key == bindparam("finished_key"))
    .values(state=DONE, invoke_status=bindparam("status"), invoke_body=bindparam("body"))
)


class ProcessedActivityLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._state = SqlDialogStateStore(engine)

    def claim(self, key: str, now: datetime, state_keys: Sequence[str] = ()) -> Claim:
        """Claim `key` for this caller; or say it was handled, or is being handled elsewhere.
        A new claim also reads the dialog state of `state_keys` in its transaction (`state`):
        the turn needs it next, and one transaction is cheaper than two."""
        now = now.astimezone(UTC)
        if state_keys:
            state = self._insert_reading(key, now, state_keys)
            if state is not None:
                return Claim("claimed", claimed_at=now, state=state)
            return self._claim(key, now, insert_first=False)
        return self._claim(key, now, insert_first=True)

    def poll(self, key: str, now: datetime) -> Claim:
        """As `claim`, for a copy that found the key in progress and looks again (reading
        first: many copies may be waiting)."""
        return self._claim(key, now.astimezone(UTC), insert_first=False)

    def _claim(self, key: str, now: datetime, *, insert_first: bool) -> Claim:
        try_insert = insert_first
        for _ in range(4):
            if try_insert and self._insert(key, now):
                return Claim("claimed", claimed_at=now)
            with self._engine.connect() as conn:
                row = conn.execute(
                    select(
                        ProcessedActivityRow.state,
                        ProcessedActivityRow.claimed_at,
                        ProcessedActivityRow.invoke_status,
                        ProcessedActivityRow.invoke_body,
                    ).where(ProcessedActivityRow.key == key)
                ).first()
            if row is None:  # released (its turn failed) since: claim it afresh
                try_insert = True
                continue
            state, claimed_at, invoke_status, invoke_body = row
            if state == DONE:
                return Claim("done", invoke_status=invoke_status, invoke_body=invoke_body)
            if claimed_at >= now - CLAIM_LEASE:
                return Claim("in_progress")
            if self._take_over(key, now):
                return Claim("claimed", claimed_at=now, took_over=True)
            try_insert = False  # another copy took it over, finished or released it: look again
        return Claim("in_progress")

    def _insert(self, key: str, now: datetime) -> bool:
        try:
            with self._engine.begin() as conn:
                _CLAIM.run(conn, {"key": key, "now": now})
        except IntegrityError:
            return False
        return True

    def _insert_reading(
        self, key: str, now: datetime, state_keys: Sequence[str]
    ) -> dict[str, tuple[dict[str, Any], str]] | None:
        """As `_insert`, reading the dialog state of `state_keys` after the insert; None when
        the key was there already."""
        try:
            with self._engine.begin() as conn:
                _CLAIM.run(conn, {"key": key, "now": now})
                return self._state.read_on(conn, state_keys)
        except IntegrityError:
            return None

    def _take_over(self, key: str, now: datetime) -> bool:
        """Only one taker: the row changes only while it is still stale and in progress."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(ProcessedActivityRow)
                .where(
                    ProcessedActivityRow.key == key,
                    ProcessedActivityRow.state == IN_PROGRESS,
                    ProcessedActivityRow.claimed_at < now - CLAIM_LEASE,
                )
                .values(claimed_at=now)
            )
        return result.rowcount == 1

    def finish_many(self, finished: Sequence[tuple[str, int | None, str | None]]) -> None:
        """These turns ran (key, invoke status, invoke body), in one transaction: copies from
        now on are answered with this (the invoke response)."""
        with self._engine.begin() as conn:
            for key, invoke_status, invoke_body in finished:
                _FINISH.run(
                    conn, {"finished_key": key, "status": invoke_status, "body": invoke_body}
                )

    def release(self, key: str, claimed_at: datetime) -> None:
        """The turn failed before it was handled: let a re-sent copy try again. Only the
        holder's own claim goes (one taken over since belongs to someone else)."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(ProcessedActivityRow).where(
                    ProcessedActivityRow.key == key,
                    ProcessedActivityRow.state == IN_PROGRESS,
                    ProcessedActivityRow.claimed_at == claimed_at,
                )
            )

    def prune(self, older_than: timedelta, now: datetime) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(ProcessedActivityRow).where(
                    ProcessedActivityRow.received_at < now - older_than
                )
            )
        return int(result.rowcount or 0)
