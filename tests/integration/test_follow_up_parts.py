"""The contract's supplier, unit and owner that each follow-up carries (migrations 0014 and
0024), kept by the database on SQLite and PostgreSQL: a new follow-up gets them, a contract that
changes supplier, unit or owner takes its follow-ups (their numbers on `status
<leverandør|enhet>`, and the open ones a reminder digest lists for its owner) along, and the
numbers read from the copies are those read contract by contract and the lengths of the
exports (which join the contracts). On PostgreSQL also while a follow-up is added to a contract
that is moving, in either order."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, select, text

from bench.region_data import RegionFacts, RegionSize, populate_region
from followup.models import FollowUpState, Person, Severity
from followup.portfolio import StatusCount, export_rows, portfolio_status
from followup.views import Scope, StatusCounts, Subset
from storage.db import create_db_engine, create_session_factory
from storage.tables import ContractRow, FollowUpRow, PersonRow, table_of
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.portfolio_world import EVERYTHING, NOW, TODAY, World, build_world

F = table_of(FollowUpRow)
C = table_of(ContractRow)


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return build_world(uow_factory)


Copies = tuple[str | None, str | None, str | None]
"""A follow-up's supplier, unit and owner."""


def copies(engine: Engine) -> dict[str, Copies]:
    """Each follow-up's copies of its contract's supplier, unit and owner."""
    with engine.connect() as conn:
        rows = conn.execute(select(F.c.id, F.c.supplier_id, F.c.unit, F.c.owner_id)).all()
    return {r.id: (r.supplier_id, r.unit, r.owner_id) for r in rows}


def contracts_parts(engine: Engine) -> dict[str, Copies]:
    """What the copies should be: each follow-up's contract's supplier, unit and owner."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(F.c.id, C.c.supplier_id, C.c.unit, C.c.owner_id).join(
                C, C.c.id == F.c.contract_id
            )
        ).all()
    return {r.id: (r.supplier_id, r.unit, r.owner_id) for r in rows}


def listed_for(uow_factory: SqlAlchemyUnitOfWorkFactory, *owners: Person) -> dict[str, set[str]]:
    """The open follow-ups (ids) a digest lists for each owner, due this year up to today."""
    with uow_factory() as uow:
        lines = uow.summaries.open_lines_owned_by(
            {owner.id for owner in owners}, date(2026, 1, 1), TODAY
        )
    listed: dict[str, set[str]] = {owner.id: set() for owner in owners}
    for line in lines:
        listed[line.owner_id].add(line.id)
    return listed


def counts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, subset: Subset, today: date = TODAY
) -> StatusCounts:
    """A part's numbers read from the copies (the whole portfolio's part), checked against the
    same part read contract by contract (a scope of every person sees every contract here,
    but is not `everything`) and against the length of each number's export."""
    with uow_factory() as uow:
        found = portfolio_status(uow, EVERYTHING, today, subset=subset)
        everyone = Scope.of_people(uow.session.scalars(select(PersonRow.id)).all())
        assert not everyone.is_everything
        by_contracts = portfolio_status(uow, everyone, today, subset=subset)
        for which in StatusCount:
            rows = list(export_rows(uow, found.export_query(which), EVERYTHING))
            assert len(rows) == found.count(which), (which, subset)
    assert found.counts == by_contracts.counts, subset
    return found.counts


def test_a_new_follow_up_carries_its_contracts_supplier_and_unit(
    db_engine: Engine, world: World
) -> None:
    found = copies(db_engine)
    assert found == contracts_parts(db_engine)
    assert len(found) == len(world.follow_ups)
    fjordbygg = world.supplier_ids["Fjordbygg AS"]
    assert found[world.follow_ups["f1"]] == (fjordbygg, "Oppvekst", world.kari.id)
    assert found[world.follow_ups["f13"]] == (fjordbygg, None, world.kari.id)  # KOM-3: no unit


def test_a_contract_that_changes_supplier_or_unit_takes_its_follow_ups_counts_along(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine, world: World
) -> None:
    fjordbygg = Subset(supplier_id=world.supplier_ids["Fjordbygg AS"])
    renhold = Subset(supplier_id=world.supplier_ids["Sunnfjord Renhold AS"])
    oppvekst, helse = Subset(unit="Oppvekst"), Subset(unit="Helse")
    parts = (fjordbygg, renhold, oppvekst, helse)
    before = {part: counts(uow_factory, part) for part in parts}
    # KOM-1 (Fjordbygg, Oppvekst): f1 and f2 overdue (f2 escalated), f1 f2 f4 f5 due in the
    # period (f4 answered on time, f5 late), f3 due this week.
    assert (before[oppvekst].overdue, before[oppvekst].escalated) == (2, 1)
    assert (before[oppvekst].due_in_period, before[oppvekst].answered_on_time) == (4, 1)
    assert before[oppvekst].due_this_week == 1
    assert before[helse].overdue == 1

    with uow_factory() as uow:
        contract = uow.contracts.get(world.contracts["KOM-1"])
        assert contract is not None
        moved = contract.model_copy(
            update={"supplier_id": world.supplier_ids["Sunnfjord Renhold AS"], "unit": "Helse"}
        )
        uow.contracts.update(moved, NOW)
        uow.commit()

    after = {part: counts(uow_factory, part) for part in parts}
    assert copies(db_engine) == contracts_parts(db_engine)
    assert after[oppvekst] == StatusCounts(
        contracts_followed_up=0, due_this_week=0, due_in_period=0, answered=0,
        answered_on_time=0, overdue=0, escalated=0,
        open_deviations=dict.fromkeys(Severity, 0), unreachable_owners=0,
    )  # fmt: skip
    for field in ("overdue", "escalated", "due_in_period", "answered_on_time", "due_this_week"):
        moved_count = getattr(before[oppvekst], field)
        assert getattr(after[helse], field) == getattr(before[helse], field) + moved_count
        assert getattr(after[renhold], field) == getattr(before[renhold], field) + moved_count
        assert getattr(after[fjordbygg], field) == getattr(before[fjordbygg], field) - moved_count

    # No unit at all, and another supplier again: the copies follow.
    with uow_factory() as uow:
        contract = uow.contracts.get(world.contracts["KOM-1"])
        assert contract is not None
        uow.contracts.update(
            contract.model_copy(update={"supplier_id": fjordbygg.supplier_id, "unit": None}), NOW
        )
        uow.commit()
    assert copies(db_engine) == contracts_parts(db_engine)
    assert counts(uow_factory, helse) == before[helse]
    assert counts(uow_factory, renhold) == before[renhold]
    assert counts(uow_factory, fjordbygg) == before[fjordbygg]
    assert counts(uow_factory, oppvekst).overdue == 0


def test_a_contract_that_changes_owner_takes_its_open_follow_ups_to_the_new_owners_digest(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine, world: World
) -> None:
    f = world.follow_ups
    # Open and due by today: KOM-1's f1 f2 (Kari), KOM-3's f13 (Kari, expired but still open),
    # KOM-2's f8 (Per); f3 f9 f12 f14 are due later, the rest answered or skipped.
    assert listed_for(uow_factory, world.kari, world.per, world.liv) == {
        world.kari.id: {f["f1"], f["f2"], f["f13"]},
        world.per.id: {f["f8"]},
        world.liv.id: set(),
    }
    with uow_factory() as uow:
        contract = uow.contracts.get(world.contracts["KOM-1"])
        assert contract is not None
        uow.contracts.update(contract.model_copy(update={"owner_id": world.liv.id}), NOW)
        uow.commit()
    assert copies(db_engine) == contracts_parts(db_engine)
    assert listed_for(uow_factory, world.kari, world.per, world.liv) == {
        world.kari.id: {f["f13"]},
        world.per.id: {f["f8"]},
        world.liv.id: {f["f1"], f["f2"]},
    }
    with uow_factory() as uow:  # and without an owner: listed for nobody
        contract = uow.contracts.get(world.contracts["KOM-1"])
        assert contract is not None
        uow.contracts.update(contract.model_copy(update={"owner_id": None}), NOW)
        uow.commit()
    assert copies(db_engine) == contracts_parts(db_engine)
    assert listed_for(uow_factory, world.kari, world.liv)[world.liv.id] == set()


def test_a_contract_changing_something_else_leaves_its_follow_ups_alone(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine, world: World
) -> None:
    with uow_factory() as uow:
        contract = uow.contracts.get(world.contracts["KOM-2"])
        assert contract is not None
        uow.contracts.update(contract.model_copy(update={"title": "Renhold, nytt navn"}), NOW)
        uow.commit()
    assert copies(db_engine) == contracts_parts(db_engine)


def test_generated_region_data_carries_the_copies(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    """The generator loads with the triggers off and writes the copies itself."""
    facts: RegionFacts = populate_region(
        db_engine,
        RegionSize(contracts=300, follow_ups=3_000, people=100, suppliers=40, procurement=5),
        now=NOW,
    )
    found = copies(db_engine)
    assert len(found) > 2_000
    assert found == contracts_parts(db_engine)
    supplier = counts(uow_factory, Subset(supplier_id=facts.busiest_supplier_id), facts.today)
    unit = counts(uow_factory, Subset(unit=facts.busiest_unit), facts.today)
    assert min(supplier.overdue, supplier.due_in_period, supplier.due_this_week) > 0
    assert min(unit.overdue, unit.answered_on_time) > 0


# --- PostgreSQL: a follow-up added while its contract moves ------------------------------------


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    engine.dispose()


def _add_follow_up(conn: Connection, world: World, follow_up_id: str) -> None:
    """A new follow-up of KOM-1, on the checkpoint of its other follow-ups."""
    checkpoint = conn.execute(
        select(F.c.checkpoint_id).where(F.c.id == world.follow_ups["f1"])
    ).scalar_one()
    conn.execute(
        F.insert().values(
            id=follow_up_id,
            checkpoint_id=checkpoint,
            contract_id=world.contracts["KOM-1"],
            due_date=date(2027, 3, 1),
            state=FollowUpState.PLANNED.value,
            reminder_step=0,
        )
    )


def _move(conn: Connection, world: World, supplier_id: str) -> None:
    conn.execute(
        C.update().where(C.c.id == world.contracts["KOM-1"]).values(supplier_id=supplier_id)
    )


def _blocked_while(first: Callable[[Connection], None], second: Callable[[Connection], None],
                   engine: Engine) -> None:  # fmt: skip
    """`first` in a transaction left open; `second` in another, in a thread: it must wait for
    the first to commit (checked after half a second), and then go through."""
    done = threading.Event()
    failed: list[BaseException] = []

    def run_second() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                second(conn)
        except BaseException as exc:  # reported by the test's thread
            failed.append(exc)
        finally:
            done.set()

    with engine.connect() as conn, conn.begin():
        first(conn)
        thread = threading.Thread(target=run_second)
        thread.start()
        assert not done.wait(0.5), failed or "the second transaction did not wait"
    thread.join(30)
    assert done.is_set()
    assert not failed, failed


@pytest.mark.postgres
def test_postgres_a_move_waits_for_a_follow_up_being_added_and_then_takes_it_along(
    pg_engine: Engine,
) -> None:
    world = build_world(SqlAlchemyUnitOfWorkFactory(create_session_factory(pg_engine)))
    renhold = world.supplier_ids["Sunnfjord Renhold AS"]
    new = str(uuid.uuid4())
    _blocked_while(
        lambda conn: _add_follow_up(conn, world, new),
        lambda conn: _move(conn, world, renhold),
        pg_engine,
    )
    assert copies(pg_engine)[new] == (renhold, "Oppvekst", world.kari.id)
    assert copies(pg_engine) == contracts_parts(pg_engine)


@pytest.mark.postgres
def test_postgres_a_follow_up_added_while_its_contract_moves_gets_where_it_moved_to(
    pg_engine: Engine,
) -> None:
    world = build_world(SqlAlchemyUnitOfWorkFactory(create_session_factory(pg_engine)))
    renhold = world.supplier_ids["Sunnfjord Renhold AS"]
    new = str(uuid.uuid4())
    _blocked_while(
        lambda conn: _move(conn, world, renhold),
        lambda conn: _add_follow_up(conn, world, new),
        pg_engine,
    )
    assert copies(pg_engine)[new] == (renhold, "Oppvekst", world.kari.id)
    assert copies(pg_engine) == contracts_parts(pg_engine)
