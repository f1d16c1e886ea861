"""A lean statement on both stores behaves as `Connection.execute` does: the same rows with
the columns' types applied both ways, cursor events that see it, SQLAlchemy's exceptions, and
the connection's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from storage.lean_sql import LeanStatement
from storage.tables import ProcessedActivityRow, table_of

_TABLE = table_of(ProcessedActivityRow)
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

_INSERT = LeanStatement(
    insert(_TABLE).values(
        key=bindparam("key"), received_at=bindparam("now"), state="in_progress",
        claimed_at=bindparam("now"), invoke_status=bindparam("status"),
    )
)  # fmt: skip
_READ = LeanStatement(
    select(_TABLE.c.key, _TABLE.c.state, _TABLE.c.claimed_at, _TABLE.c.invoke_status)
    .where(_TABLE.c.key == bindparam("key"))
    .limit(1)
)
_FINISH = LeanStatement(update(_TABLE).where(_TABLE.c.key == bindparam("key")).values(state="done"))


def test_values_go_in_and_come_back_through_the_columns_types(db_engine: Engine) -> None:
    oslo = timezone(timedelta(hours=1))
    with db_engine.begin() as conn:
        _INSERT.run(conn, {"key": "a", "now": T0.astimezone(oslo), "status": 200})
    with db_engine.connect() as conn:
        lean = _READ.first(conn, {"key": "a"})
        plain = conn.execute(
            select(_TABLE.c.key, _TABLE.c.state, _TABLE.c.claimed_at, _TABLE.c.invoke_status)
            .where(_TABLE.c.key == "a")
        ).one()  # fmt: skip
    assert lean == tuple(plain) == ("a", "in_progress", T0, 200)
    assert lean is not None
    assert lean[2].tzinfo is not None  # aware, as UtcDateTime promises
    with db_engine.connect() as conn:
        assert _READ.first(conn, {"key": "nobody"}) is None
        assert _READ.rows(conn, {"key": "nobody"}) == []


def test_a_naive_datetime_is_refused_as_with_execute(db_engine: Engine) -> None:
    with pytest.raises(StatementError), db_engine.begin() as conn:
        _INSERT.run(conn, {"key": "naive", "now": T0.replace(tzinfo=None), "status": None})
    with db_engine.connect() as conn:
        assert _READ.first(conn, {"key": "naive"}) is None


def test_a_duplicate_raises_sqlalchemys_integrity_error_and_the_transaction_rolls_back(
    db_engine: Engine,
) -> None:
    with db_engine.begin() as conn:
        _INSERT.run(conn, {"key": "twice", "now": T0, "status": None})
    with db_engine.connect() as conn:
        assert _FINISH.run(conn, {"key": "twice"}) == 1
        with pytest.raises(IntegrityError):
            _INSERT.run(conn, {"key": "twice", "now": T0, "status": None})
        conn.rollback()
    with db_engine.connect() as conn:
        row = _READ.first(conn, {"key": "twice"})
    assert row is not None
    assert row[1] == "in_progress"  # the update went with the failure


def test_cursor_events_see_each_lean_statement(db_engine: Engine) -> None:
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(("before", sql.split(maxsplit=1)[0].upper()))

    def after(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(("after", sql.split(maxsplit=1)[0].upper()))

    event.listen(db_engine, "before_cursor_execute", before)
    event.listen(db_engine, "after_cursor_execute", after)
    try:
        with db_engine.begin() as conn:
            _INSERT.run(conn, {"key": "b", "now": T0, "status": None})
            _READ.rows(conn, {"key": "b"})
            assert _FINISH.run(conn, {"key": "b"}) == 1
            assert _FINISH.run(conn, {"key": "nobody"}) == 0
    finally:
        event.remove(db_engine, "before_cursor_execute", before)
        event.remove(db_engine, "after_cursor_execute", after)
    kinds = ["INSERT", "SELECT", "UPDATE", "UPDATE"]
    assert seen == [step for kind in kinds for step in (("before", kind), ("after", kind))]


def test_a_listener_on_one_connection_sees_its_lean_statements(db_engine: Engine) -> None:
    """The events are asked for when the connection has a listener of its own too, not only
    when its engine has one (`execute_on_cursor` checks both, as `Connection` does)."""
    seen: list[str] = []
    with db_engine.begin() as conn:

        def before(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
            seen.append(sql.split(maxsplit=1)[0].upper())

        event.listen(conn, "before_cursor_execute", before)
        _INSERT.run(conn, {"key": "c", "now": T0, "status": None})
        found = _READ.rows(conn, {"key": "c"})
    assert seen == ["INSERT", "SELECT"]
    assert [tuple(row) for row in found] == [("c", "in_progress", T0, None)]
    assert found[0].claimed_at == T0  # by name too, as a `Row`


def test_an_expanding_in_is_refused_when_compiled(db_engine: Engine) -> None:
    many = LeanStatement(
        select(_TABLE.c.key).where(_TABLE.c.key.in_(bindparam("keys", expanding=True)))
    )
    with pytest.raises(ValueError, match="expanding"), db_engine.connect() as conn:
        many.rows(conn, {"keys": ["a"]})
