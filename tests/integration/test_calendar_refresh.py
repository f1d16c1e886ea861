"""The scheduler's daily refresh of only what changed (`refresh_what_changed`) on real SQLite and
PostgreSQL: it makes what a full refresh makes (a full refresh after it finds nothing to do),
reads only the contracts changed since the last refresh, rolls the horizon on by the days that
entered it, and refreshes everything when the plan or the days off changed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from followup.calendar.workdays import OSLO, WorkingCalendar
from followup.models import (
    Category,
    Contract,
    ContractStatus,
    ContractType,
    FollowUpState,
    RiskLevel,
)
from followup.plans.materialise import (
    REFRESH_STATE_MARK,
    RefreshReport,
    refresh_plans_and_calendar,
    refresh_what_changed,
)
from followup.plans.plan_file import PlanConfig, load_plan
from storage.tables import CheckpointRow, FollowUpRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=OSLO)  # a Friday, before the send window
CALENDAR = WorkingCalendar()


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[Contract]:
    """Contracts of every kind the plan treats apart: types, categories, risks, options, an
    ongoing one, one without a start date, a planned one, an expired one."""
    shapes: list[dict[str, object]] = [
        {},
        {"category": Category.BUILDING, "value_nok": 5_000_000, "risk": RiskLevel.HIGH},
        {
            "contract_type": ContractType.FRAMEWORK,
            "value_nok": 3_000_000,
            "options": [date(2029, 12, 31), date(2030, 12, 31)],
            "end_date": date(2027, 6, 30),
        },
        {"category": Category.SERVICES, "ongoing": True, "end_date": None},
        {"start_date": None, "risk": RiskLevel.LOW},
        {"status": ContractStatus.PLANNED, "start_date": date(2027, 3, 1)},
        {"status": ContractStatus.EXPIRED, "end_date": date(2026, 6, 30)},
        {"end_date": date(2027, 1, 15), "risk": RiskLevel.HIGH},
    ]
    made = []
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        supplier = add_supplier(uow)
        for number, shape in enumerate(shapes, start=1):
            made.append(
                add_contract(
                    uow,
                    NOW,
                    owner=owner,
                    supplier=supplier,
                    reference=f"KOM-2026-{number:04d}",
                    **shape,
                )
            )
        uow.commit()
    return made


def _follow_ups(engine: Engine) -> list[tuple[str, date, str, datetime | None]]:
    with Session(engine) as session:
        return sorted(
            (r.checkpoint_id, r.due_date, r.state, r.next_action_at)
            for r in session.scalars(select(FollowUpRow))
        )


def _checkpoints(engine: Engine) -> list[tuple[str, str, str, date, str]]:
    with Session(engine) as session:
        return sorted(
            (r.contract_id, r.code, r.rrule, r.dtstart, r.status)
            for r in session.scalars(select(CheckpointRow))
        )


def _assert_as_full(
    engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, now: datetime, plan: PlanConfig
) -> None:
    """A full refresh right after finds nothing to do: the result is a full refresh's."""
    follow_ups, checkpoints = _follow_ups(engine), _checkpoints(engine)
    full = refresh_plans_and_calendar(uow_factory, now, plan, calendar=CALENDAR)
    assert (full.calendar.created, full.calendar.removed) == (0, 0)
    assert (full.checkpoints_created, full.checkpoints_updated, full.checkpoints_retired) == (
        0,
        0,
        0,
    )
    assert _follow_ups(engine) == follow_ups
    assert _checkpoints(engine) == checkpoints


def _daily(
    uow_factory: SqlAlchemyUnitOfWorkFactory, now: datetime, plan: PlanConfig
) -> RefreshReport:
    return refresh_what_changed(uow_factory, now, plan, calendar=CALENDAR)


def test_the_first_daily_refresh_is_a_full_one(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _world(uow_factory)
    report = _daily(uow_factory, NOW, load_plan())
    assert report.full == "no earlier refresh known"
    assert report.contracts == 8
    assert report.calendar.created > 50
    with uow_factory() as uow:
        assert uow.scheduler.mark(REFRESH_STATE_MARK) is not None
    _assert_as_full(db_engine, uow_factory, NOW, load_plan())


def test_after_one_contract_changed_only_it_is_refreshed_and_the_result_is_a_full_refresh(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    contracts = _world(uow_factory)
    plan = load_plan()
    _daily(uow_factory, NOW, plan)
    # Written within the margin before the last refresh began: read again, to be safe.
    margin = _daily(uow_factory, NOW + timedelta(hours=3), plan)
    assert (margin.full, margin.contracts, margin.calendar.created) == (None, 8, 0)
    nothing = _daily(uow_factory, NOW + timedelta(hours=6), plan)
    # Only the contract without a start date (its plan is anchored on today) is read again.
    assert (nothing.full, nothing.contracts, nothing.calendar.created) == (None, 1, 0)

    tomorrow = NOW + timedelta(days=1)
    changed = contracts[1].model_copy(update={"end_date": date(2027, 3, 31), "risk": RiskLevel.LOW})
    with uow_factory() as uow:
        uow.contracts.update(changed, tomorrow - timedelta(hours=5))
        uow.commit()
    report = _daily(uow_factory, tomorrow, plan)
    assert report.full is None
    assert report.contracts == 2  # the changed one and the one without a start date
    assert report.calendar.removed > 0  # the shorter contract lost its later follow-ups
    assert report.horizon_days == 1
    _assert_as_full(db_engine, uow_factory, tomorrow, plan)


def test_the_days_entering_the_horizon_get_their_follow_ups_across_months(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _world(uow_factory)
    plan = load_plan()
    _daily(uow_factory, NOW, plan)
    later = NOW + timedelta(days=45)  # the horizon moves from 20 December to early February
    report = _daily(uow_factory, later, plan)
    assert report.full is None
    assert report.horizon_days > 40
    assert report.calendar.created > 0
    _assert_as_full(db_engine, uow_factory, later, plan)
    # What was answered meanwhile stays as it is.
    with Session(db_engine) as session:
        assert all(
            r.state == FollowUpState.PLANNED.value for r in session.scalars(select(FollowUpRow))
        )


def test_a_changed_plan_forces_a_full_refresh(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _world(uow_factory)
    plan = load_plan()
    _daily(uow_factory, NOW, plan)
    longer = plan.model_copy(
        update={"calendar": plan.calendar.model_copy(update={"horizon_months": 15})}
    )
    tomorrow = NOW + timedelta(days=1)
    report = _daily(uow_factory, tomorrow, longer)
    assert report.full == "the plan changed"
    assert report.contracts == 8
    assert report.calendar.created > 10  # two more months
    _assert_as_full(db_engine, uow_factory, tomorrow, longer)
    again = _daily(uow_factory, tomorrow + timedelta(hours=1), longer)
    assert again.full is None


def test_changed_days_off_force_a_full_refresh(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _world(uow_factory)
    plan = load_plan()
    _daily(uow_factory, NOW, plan)
    # A new day off on the last day of January 2027 moves the monthly checks due then.
    closed = WorkingCalendar(extra_days_off=frozenset({date(2027, 1, 29)}))
    tomorrow = NOW + timedelta(days=1)
    report = refresh_what_changed(uow_factory, tomorrow, plan, calendar=closed)
    assert report.full == "the days off changed"
    assert report.calendar.created > 0
    assert report.calendar.removed > 0
    full = refresh_plans_and_calendar(uow_factory, tomorrow, plan, calendar=closed)
    assert (full.calendar.created, full.calendar.removed) == (0, 0)
