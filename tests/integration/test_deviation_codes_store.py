"""Deviation codes in the store: migration 0011 numbers the deviations stored before codes
existed per year (Oslo time) in the order they were reported, and the counter goes on from
there; down and up again; two reports at once never share a number."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from storage.db import alembic_config, create_db_engine, create_session_factory, upgrade_database
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.migration_rows import insert

REPORTED = [
    # (id, reported_at UTC): stored out of order.
    ("00000000-0000-0000-0000-0000000000d2", datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
    ("00000000-0000-0000-0000-0000000000d1", datetime(2025, 6, 1, 9, 0, tzinfo=UTC)),
    # 23:30 UTC on New Year's Eve is 2026 in Oslo.
    ("00000000-0000-0000-0000-0000000000d3", datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),
    ("00000000-0000-0000-0000-0000000000d4", datetime(2025, 2, 1, 9, 0, tzinfo=UTC)),
]


def _seed(url: str) -> None:
    engine = create_db_engine(url)
    try:
        insert(engine, "people", id="p", display_name="Kari")
        insert(engine, "contracts", id="c", reference="KOM-1")
        for deviation_id, at in REPORTED:
            insert(
                engine,
                "deviations",
                id=deviation_id,
                contract_id="c",
                reported_by_id="p",
                reported_at=at,
                category="forsinkelse",
                severity="lav",
                status="open",
                source_conversation="",
            )
    finally:
        engine.dispose()


def _codes(url: str) -> dict[str, str | None]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return {
                row.id[-2:]: row.code
                for row in conn.execute(text("SELECT id, code FROM deviations"))
            }
    finally:
        engine.dispose()


def test_migration_0011_numbers_the_deviations_already_stored(empty_url: str) -> None:
    upgrade_database(empty_url, "0010")
    _seed(empty_url)
    upgrade_database(empty_url, "0011")
    assert _codes(empty_url) == {
        "d4": "AV-2025-0001",
        "d1": "AV-2025-0002",
        "d3": "AV-2026-0001",
        "d2": "AV-2026-0002",
    }
    engine = create_db_engine(empty_url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        with factory() as uow:
            assert uow.deviations.next_serial(2026) == 3
            assert uow.deviations.next_serial(2027) == 1
            found = uow.deviations.with_code("AV-2025-0002")
            assert found is not None
            assert found.id.endswith("d1")
            uow.commit()
    finally:
        engine.dispose()


def test_migration_0011_goes_down_and_up_again(empty_url: str) -> None:
    upgrade_database(empty_url, "0010")
    _seed(empty_url)
    upgrade_database(empty_url)
    command.downgrade(alembic_config(empty_url), "0010")
    assert "code" not in str(_columns(empty_url))
    upgrade_database(empty_url)
    assert sorted(v or "" for v in _codes(empty_url).values()) == [
        "AV-2025-0001",
        "AV-2025-0002",
        "AV-2026-0001",
        "AV-2026-0002",
    ]


def _columns(url: str) -> list[str]:
    from sqlalchemy import inspect

    engine = create_db_engine(url)
    try:
        return [c["name"] for c in inspect(engine).get_columns("deviations")]
    finally:
        engine.dispose()


def test_two_reports_at_once_never_share_a_number(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """The first taker holds the year's counter until it commits; the second waits, then gets
    the next number (a row lock in PostgreSQL, the write lock in SQLite)."""
    import threading

    taken: list[int] = []
    first_took = threading.Event()

    def second() -> None:
        first_took.wait(timeout=10)
        with uow_factory() as uow:
            taken.append(uow.deviations.next_serial(2026))
            uow.commit()

    worker = threading.Thread(target=second)
    worker.start()
    with uow_factory() as uow:
        taken.append(uow.deviations.next_serial(2026))
        first_took.set()
        worker.join(timeout=0.5)
        assert worker.is_alive(), "the second taker did not wait for the first to commit"
        uow.commit()
    worker.join(timeout=10)
    assert taken == [1, 2]
