"""The audit trail on real SQLite and PostgreSQL: append-only (the database refuses UPDATE and
DELETE), tamper-evident (a SHA-256 hash chain that `verify_audit_trail` walks), safe with
concurrent writers, and migration 0009 chaining the events already stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from followup.audit import GENESIS_HASH, ChainFault, ChainHead, link_hash
from followup.errors import Conflict
from followup.models import AuditEvent, Person, Role
from followup.register.importing import import_contracts
from followup.reminders.controls import set_reminders_paused
from storage.audit_log import read_chain, read_chain_head, verify_audit_trail
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.register_files import open_register_file
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "kontraktsregister_eksempel.csv"


# --- helpers ----------------------------------------------------------------------------------


def pause_and_resume(factory: SqlAlchemyUnitOfWorkFactory, person: Person, times: int) -> None:
    """`times` audited changes of the person's reminders, one unit of work each."""
    for n in range(times):
        with factory() as uow:
            stored = uow.people.get(person.id)
            assert stored is not None
            paused = not stored.reminders_paused
            assert set_reminders_paused(uow, stored, paused, NOW + timedelta(minutes=n))
            uow.commit()


def people(factory: SqlAlchemyUnitOfWorkFactory, *names: str) -> list[Person]:
    with factory() as uow:
        made = [add_person(uow, name, NOW) for name in names]
        uow.commit()
    return made


def rows(engine: Engine) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT seq, id, prev_hash, hash FROM audit_events ORDER BY seq"))
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in found]


def head(engine: Engine) -> ChainHead | None:
    with engine.connect() as conn:
        return read_chain_head(conn)


@contextmanager
def triggers_off(engine: Engine) -> Iterator[None]:
    """What only the database owner can do: switch off the append-only triggers (PostgreSQL:
    DISABLE TRIGGER; SQLite: drop them and make them again)."""
    tables = ("audit_events", "audit_chain_head")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            kept: list[str] = []
        else:
            found = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('audit_events', 'audit_chain_head')"
                )
            ).all()
            assert len(found) == 4
            kept = [str(sql) for _, sql in found]
            for name, _ in found:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                for table in tables:
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            else:
                for sql in kept:
                    conn.execute(text(sql))


def tamper(engine: Engine, statement: str, **values: object) -> None:
    with triggers_off(engine), engine.begin() as conn:
        conn.execute(text(statement), values)


# --- append-only ------------------------------------------------------------------------------


def test_update_and_delete_of_audit_events_are_refused(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 2)
    before = rows(db_engine)
    assert len(before) == 2
    for statement in (
        "UPDATE audit_events SET actor = 'cli' WHERE seq = 1",
        "UPDATE audit_events SET after = NULL",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as conn:
            conn.execute(text(statement))
    assert rows(db_engine) == before
    assert verify_audit_trail(db_engine).ok


def test_the_chain_head_can_neither_be_deleted_nor_moved_back(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 3)
    kept = head(db_engine)
    assert kept is not None
    assert kept.seq == 3
    for statement in (
        "DELETE FROM audit_chain_head",
        "UPDATE audit_chain_head SET seq = 2",
        "UPDATE audit_chain_head SET hash = :other",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as conn:
            conn.execute(text(statement), {"other": "a" * 64})
    assert head(db_engine) == kept


# --- the chain --------------------------------------------------------------------------------


def test_events_from_the_services_form_one_valid_chain(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    register = open_register_file(SAMPLE)
    import_contracts(
        register.rows(), register.headers, uow_factory, NOW, actor="import:x.csv",
        dry_run=False, chunk_size=4,
    )  # fmt: skip
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 3)
    stored = rows(db_engine)
    assert len(stored) == 20 + 16 + 11 + 3
    assert [seq for seq, *_ in stored] == list(range(1, len(stored) + 1))
    assert stored[0][2] == GENESIS_HASH
    assert [prev for _, _, prev, _ in stored[1:]] == [digest for *_, digest in stored[:-1]]
    with db_engine.connect() as conn:
        assert all(link_hash(chained) == chained.hash for chained in read_chain(conn, batch=7))
    report = verify_audit_trail(db_engine, batch=7)
    assert report.ok, report.problem
    assert report.checked == len(stored)
    assert report.head == head(db_engine) == ChainHead(len(stored), stored[-1][3])
    # The events read back carry their place in the chain.
    with uow_factory() as uow:
        events = uow.audit.for_entity("person", kari.id)
    assert [(e.action, e.seq) for e in events] == [
        ("person.reminders", len(stored) - 2),
        ("person.reminders", len(stored) - 1),
        ("person.reminders", len(stored)),
    ]
    assert events[-1].hash == stored[-1][3]
    assert events[-1].prev_hash == stored[-2][3]


def test_json_values_are_hashed_as_the_database_gives_them_back(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        uow.audit.append(
            AuditEvent(
                at=NOW, actor="cli", action="test.values", entity="test", entity_id="1",
                before={"ids": {1: "integer key"}, "when": NOW, "role": Role.ADMIN},
                after={"text": "Åse «sitat» \n\t\u2028", "float": 0.1, "big": 10**15,
                       "nested": [{"b": 1, "a": None}]},
            )
        )  # fmt: skip
        uow.commit()
    report = verify_audit_trail(db_engine)
    assert report.ok, report.problem
    with uow_factory() as uow:
        (event,) = uow.audit.for_entity("test", "1")
    assert event.before == {
        "ids": {"1": "integer key"}, "when": "2026-11-23T09:00:00+00:00", "role": "admin",
    }  # fmt: skip


def test_events_appended_and_read_in_one_unit_of_work(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    with uow_factory() as uow:
        stored = uow.people.get(kari.id)
        assert stored is not None
        set_reminders_paused(uow, stored, True, NOW)
        assert [e.seq for e in uow.audit.for_entity("person", kari.id)] == [1]
        uow.commit()
    assert verify_audit_trail(db_engine).checked == 1


def test_a_unit_of_work_rolled_back_leaves_no_gap(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 1)
    with uow_factory() as uow:  # sealed, then rolled back
        uow.audit.append(AuditEvent(at=NOW, actor="cli", action="x", entity="x", entity_id="1"))
        assert len(uow.audit.for_entity("x", "1")) == 1
    with uow_factory() as uow:  # never sealed
        uow.audit.append(AuditEvent(at=NOW, actor="cli", action="x", entity="x", entity_id="2"))
    pause_and_resume(uow_factory, kari, 1)
    assert [seq for seq, *_ in rows(db_engine)] == [1, 2]
    assert verify_audit_trail(db_engine).ok


# --- tampering is found -----------------------------------------------------------------------


def test_a_changed_event_is_named(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 5)
    changed = rows(db_engine)[2]
    tamper(db_engine, "UPDATE audit_events SET actor = 'cli' WHERE seq = 3")
    report = verify_audit_trail(db_engine, batch=2)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.event_id) == (
        ChainFault.CONTENT_CHANGED, 3, changed[1],
    )  # fmt: skip
    assert report.checked == 2


def test_a_rewritten_event_breaks_the_chain_at_the_next(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 5)
    with db_engine.connect() as conn:
        third = list(read_chain(conn))[2]
    forged = third._replace(after={"reminders_paused": False})
    tamper(
        db_engine, "UPDATE audit_events SET after = :after, hash = :hash WHERE seq = 3",
        after='{"reminders_paused": false}', hash=link_hash(forged),
    )  # fmt: skip
    report = verify_audit_trail(db_engine)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq) == (ChainFault.CHAIN_BROKEN, 4)
    assert report.problem.event_id == rows(db_engine)[3][1]


def test_an_event_deleted_in_the_middle_is_named_as_a_gap(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 5)
    after_gap = rows(db_engine)[3]
    tamper(db_engine, "DELETE FROM audit_events WHERE seq = 3")
    report = verify_audit_trail(db_engine, batch=2)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.event_id) == (
        ChainFault.MISSING, 4, after_gap[1],
    )  # fmt: skip
    assert report.problem.missing == (3, 3)


def test_events_deleted_at_the_end_are_found_by_the_head(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 5)
    last_kept = rows(db_engine)[2]
    tamper(db_engine, "DELETE FROM audit_events WHERE seq > 3")
    report = verify_audit_trail(db_engine)
    assert report.problem is not None
    assert (report.problem.fault, report.problem.seq, report.problem.missing) == (
        ChainFault.MISSING, 4, (4, 5),
    )  # fmt: skip
    assert report.problem.last_good == (3, last_kept[1])


def test_a_head_noted_earlier_finds_a_chain_rewritten_whole(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 3)
    noted = verify_audit_trail(db_engine).head
    pause_and_resume(uow_factory, kari, 2)
    assert verify_audit_trail(db_engine, known_head=noted).ok
    assert not verify_audit_trail(db_engine, known_head=ChainHead(noted.seq, "e" * 64)).ok


# --- concurrent writers -----------------------------------------------------------------------


def test_concurrent_appends_keep_one_valid_chain(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    writers, each = 6, 15
    staff = people(uow_factory, *(f"Person Nummer{n}" for n in range(writers)))
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(person: Person) -> None:
        try:
            start.wait()
            pause_and_resume(uow_factory, person, each)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = verify_audit_trail(db_engine)
    assert report.ok, report.problem
    assert report.checked == writers * each
    assert [seq for seq, *_ in rows(db_engine)] == list(range(1, writers * each + 1))


@pytest.mark.postgres
def test_concurrent_appends_wait_for_the_chain_head_on_postgres(postgres_url: str) -> None:
    """A transaction holding the head lock makes the next appender wait; neither is refused
    and the chain has both, in commit order."""
    engine = create_db_engine(postgres_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    try:
        first = factory().__enter__()
        first.audit.append(AuditEvent(at=NOW, actor="cli", action="a", entity="x", entity_id="1"))
        first.audit.seal()  # holds the head row's lock
        done = threading.Event()

        def second() -> None:
            with factory() as uow:
                uow.audit.append(
                    AuditEvent(at=NOW, actor="cli", action="b", entity="x", entity_id="2")
                )
                uow.commit()
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(0.5)  # waiting on the head
        first.commit()
        first.__exit__(None, None, None)
        thread.join(10)
        assert done.is_set()
        with engine.connect() as conn:
            order = conn.execute(text("SELECT action FROM audit_events ORDER BY seq")).all()
        assert [r[0] for r in order] == ["a", "b"]
        assert verify_audit_trail(engine).ok
    finally:
        engine.dispose()


def test_a_lost_head_row_is_made_again_from_the_last_event(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    (kari,) = people(uow_factory, "Kari Nordmann")
    pause_and_resume(uow_factory, kari, 2)
    tamper(db_engine, "DELETE FROM audit_chain_head")
    report = verify_audit_trail(db_engine)
    assert report.problem is not None
    assert report.problem.found == "no chain head"
    pause_and_resume(uow_factory, kari, 1)
    assert verify_audit_trail(db_engine).checked == 3


def test_a_second_event_with_the_same_id_is_a_conflict(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    event = AuditEvent(at=NOW, actor="cli", action="a", entity="x", entity_id="1")
    with uow_factory() as uow:
        uow.audit.append(event)
        uow.commit()
    with uow_factory() as uow:
        uow.audit.append(event)
        with pytest.raises(Conflict):
            uow.commit()
    assert verify_audit_trail(db_engine).checked == 1


# --- migration 0009 ---------------------------------------------------------------------------


def test_migration_0009_chains_the_events_already_stored(empty_url: str) -> None:
    upgrade_database(empty_url, "0008")
    engine = create_db_engine(empty_url)
    try:
        written = [
            # (id, at): stored out of order; chained by time, then id.
            ("00000000-0000-0000-0000-00000000000c", NOW + timedelta(seconds=2)),
            ("00000000-0000-0000-0000-00000000000b", NOW),
            ("00000000-0000-0000-0000-00000000000a", NOW),
            ("00000000-0000-0000-0000-00000000000d", NOW + timedelta(seconds=1)),
        ]
        with engine.begin() as conn:
            for event_id, at in written:
                conn.execute(
                    text(
                        "INSERT INTO audit_events (id, at, actor, action, entity, entity_id, "
                        "before, after) VALUES (:id, :at, 'cli', 'role.granted', 'person', 'p', "
                        ":before, :after)"
                    ),
                    {
                        "id": event_id,
                        "at": at if engine.dialect.name == "postgresql" else
                        at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),
                        "before": '{"roles": ["owner"]}',
                        "after": '{"roles": ["admin", "owner"], "navn": "Åse"}',
                    },
                )  # fmt: skip
        engine.dispose()
        upgrade_database(empty_url)
        report = verify_audit_trail(engine, batch=3)
        assert report.ok, report.problem
        assert report.checked == 4
        assert [r[1][-1] for r in rows(engine)] == ["a", "b", "d", "c"]
        assert head(engine) == report.head
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        with factory() as uow:
            uow.audit.append(AuditEvent(at=NOW, actor="cli", action="a", entity="x", entity_id="1"))
            uow.commit()
        assert verify_audit_trail(engine).checked == 5
    finally:
        engine.dispose()


def test_migration_0009_goes_down_and_up_again(empty_url: str) -> None:
    upgrade_database(empty_url)
    engine = create_db_engine(empty_url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        with factory() as uow:
            uow.audit.append(AuditEvent(at=NOW, actor="cli", action="a", entity="x", entity_id="1"))
            uow.commit()
        engine.dispose()
        from alembic import command

        from storage.db import alembic_config

        command.downgrade(alembic_config(empty_url), "0008")
        with engine.begin() as conn:  # no trigger any more
            conn.execute(text("UPDATE audit_events SET actor = 'x'"))
        engine.dispose()
        upgrade_database(empty_url)
        report = verify_audit_trail(engine)
        assert report.ok, report.problem
        assert report.checked == 1
    finally:
        engine.dispose()
