"""The follow-up calendar on real SQLite and PostgreSQL: plans applied, follow-ups materialised
idempotently on Norwegian working days, regenerated when the plan changes, answered ones kept;
absences and deputies; procurement's plan edits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from followup.absence import (
    RegisterAbsence,
    end_current_absence,
    register_absence,
    responsible_person,
)
from followup.calendar.workdays import OSLO, WorkingCalendar, oslo_today
from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import (
    AnswerKind,
    Category,
    CheckpointStatus,
    ContractStatus,
    FollowUpState,
    RiskLevel,
    Role,
)
from followup.plans.edits import EditCheckpoint, PlanEdit, edit_checkpoint
from followup.plans.materialise import NoticePolicy, refresh_plans_and_calendar
from followup.plans.plan_file import load_plan
from followup.tasks import contract_plan, list_contracts, list_tasks
from followup.views import Scope
from storage.tables import AnswerRow, AuditEventRow, CheckpointRow, FollowUpRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=OSLO)  # a Friday
CALENDAR = WorkingCalendar()


def _refresh(uow_factory: SqlAlchemyUnitOfWorkFactory, now: datetime = NOW) -> None:
    refresh_plans_and_calendar(uow_factory, now, load_plan(), calendar=CALENDAR)


def _follow_ups(engine: Engine) -> list[FollowUpRow]:
    with Session(engine) as session:
        return list(session.scalars(select(FollowUpRow).order_by(FollowUpRow.due_date)))


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _register(uow_factory: SqlAlchemyUnitOfWorkFactory, **contract: object) -> dict[str, str]:
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        deputy = add_person(uow, "Ola Hansen", NOW)
        procurement = add_person(uow, "Ingrid Haugland", NOW, roles={Role.PROCUREMENT})
        supplier = add_supplier(uow)
        made = add_contract(uow, NOW, owner=owner, supplier=supplier, **contract)
        uow.commit()
    return {
        "owner": owner.id,
        "deputy": deputy.id,
        "procurement": procurement.id,
        "contract": made.id,
        "reference": made.reference,
    }


def test_every_due_date_is_a_norwegian_working_day_inside_the_horizon(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _register(
        uow_factory,
        category=Category.BUILDING,
        value_nok=5_000_000,
        risk=RiskLevel.HIGH,
        end_date=date(2029, 12, 31),
    )
    _refresh(uow_factory)
    rows = _follow_ups(db_engine)
    assert len(rows) >= 35
    today = oslo_today(NOW)
    for row in rows:
        assert CALENDAR.is_working_day(row.due_date), row.due_date
        assert today <= row.due_date <= date(2027, 12, 20)
        assert row.state == FollowUpState.PLANNED.value
        assert row.next_action_at is not None
        assert row.next_action_at.astimezone(OSLO).date() <= row.due_date
    # December 2026 ends on a Thursday (31st): monthly delivery checks fall on it.
    levering = {r.due_date for r in rows if r.due_date.month == 12 and r.due_date.year == 2026}
    assert date(2026, 12, 31) in levering
    # January 2027 ends on a Sunday: moved back to Friday 29 January.
    assert date(2027, 1, 29) in {r.due_date for r in rows}
    assert date(2027, 1, 31) not in {r.due_date for r in rows}


def test_materialising_again_creates_no_duplicates(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _register(uow_factory, contract_type="rammeavtale", value_nok=3_000_000)
    _refresh(uow_factory)
    first = [(r.checkpoint_id, r.due_date, r.id) for r in _follow_ups(db_engine)]
    audit = _count(db_engine, AuditEventRow)
    _refresh(uow_factory)
    _refresh(uow_factory, NOW + timedelta(hours=3))
    assert [(r.checkpoint_id, r.due_date, r.id) for r in _follow_ups(db_engine)] == first
    assert _count(db_engine, AuditEventRow) == audit  # nothing changed, nothing audited


def test_the_horizon_rolls_forward_without_touching_what_exists(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _register(uow_factory)
    _refresh(uow_factory)
    before = {r.id for r in _follow_ups(db_engine)}
    later = NOW + timedelta(days=62)
    _refresh(uow_factory, later)
    after = _follow_ups(db_engine)
    assert max(r.due_date for r in after) > date(2027, 12, 20)
    assert before <= {r.id for r in after}


def test_a_plan_change_regenerates_future_unanswered_follow_ups_and_keeps_answered_ones(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    ids = _register(uow_factory, risk=RiskLevel.MEDIUM)
    _refresh(uow_factory)
    with Session(db_engine) as session:
        levering = session.scalars(
            select(CheckpointRow).where(CheckpointRow.code == "levering")
        ).one()
        rows = session.scalars(
            select(FollowUpRow)
            .where(FollowUpRow.checkpoint_id == levering.id)
            .order_by(FollowUpRow.due_date)
        ).all()
        assert len(rows) == 13  # monthly for 13 months
        answered = rows[1]  # due 31.12.2026
        answered.state = FollowUpState.ANSWERED.value
        session.add(
            AnswerRow(
                id="a1",
                follow_up_id=answered.id,
                version=1,
                kind=AnswerKind.DELIVERED.value,
                answered_by_id=ids["owner"],
                answered_at=NOW,
                channel="msteams",
            )
        )
        session.commit()
        answered_id, answered_due = answered.id, answered.due_date
        levering_id = levering.id
    # The register now says low risk: delivery checks every three months.
    with uow_factory() as uow:
        contract = uow.contracts.get(ids["contract"])
        assert contract is not None
        contract.risk = RiskLevel.LOW
        uow.contracts.update(contract, NOW)
        uow.commit()
    _refresh(uow_factory)
    with Session(db_engine) as session:
        dues = [
            r.due_date
            for r in session.scalars(
                select(FollowUpRow).where(FollowUpRow.checkpoint_id == levering_id)
            )
        ]
        kept = session.get(FollowUpRow, answered_id)
    assert kept is not None
    assert kept.state == FollowUpState.ANSWERED.value
    assert answered_due in dues
    # Quarter ends counted from the start (January, April, July, October) plus the answered one.
    assert sorted(dues) == [
        date(2026, 12, 31),
        date(2027, 1, 29),
        date(2027, 4, 30),
        date(2027, 7, 30),
        date(2027, 10, 29),
    ]
    with uow_factory() as uow:
        events = uow.audit.for_entity("contract", ids["contract"])
    assert [e.action for e in events] == ["plan.created", "plan.updated"]


def test_an_expired_contract_loses_its_future_follow_ups(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    ids = _register(uow_factory)
    _refresh(uow_factory)
    assert _follow_ups(db_engine)
    with uow_factory() as uow:
        contract = uow.contracts.get(ids["contract"])
        assert contract is not None
        contract.status = ContractStatus.TERMINATED
        uow.contracts.update(contract, NOW)
        uow.commit()
    _refresh(uow_factory)
    assert _follow_ups(db_engine) == []
    with Session(db_engine) as session:
        statuses = set(session.scalars(select(CheckpointRow.status)))
    assert statuses == {CheckpointStatus.REMOVED.value}


def test_recurring_checks_stop_at_the_end_date_but_the_expiry_decision_does_not(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    _register(uow_factory, end_date=date(2027, 3, 31), options=[date(2028, 3, 31)])
    _refresh(uow_factory)
    with Session(db_engine) as session:
        rows = session.execute(
            select(CheckpointRow.code, FollowUpRow.due_date).join(
                CheckpointRow, CheckpointRow.id == FollowUpRow.checkpoint_id
            )
        ).all()
    by_code: dict[str, list[date]] = {}
    for code, due in rows:
        by_code.setdefault(code, []).append(due)
    assert max(by_code["levering"]) == date(2027, 3, 31)
    assert by_code["opsjon-1"] == [date(2026, 11, 30)]  # 4 months before 31.03.2027
    assert by_code["utlop"] == [date(2027, 9, 30)]  # 6 months before 31.03.2028


def test_an_absent_owners_follow_ups_go_to_the_deputy_and_the_owner_stays_owner(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ids = _register(uow_factory)
    _refresh(uow_factory)
    with uow_factory() as uow:
        deputy = uow.people.get(ids["deputy"])
        assert deputy is not None
        assert deputy.email
        register_absence(
            RegisterAbsence(ids["owner"], date(2026, 11, 23), date(2026, 12, 31), deputy.email),
            uow,
            NOW,
        )
        uow.commit()
    today = oslo_today(NOW)
    with uow_factory() as uow:
        owner_tasks = list_tasks(uow, ids["owner"], today)
        deputy_tasks = list_tasks(uow, ids["deputy"], today)
        contract = uow.contracts.get(ids["contract"])
        assert contract is not None
        absences = uow.absences.for_people([ids["owner"]], today)
        assert responsible_person(contract, None, absences, date(2026, 11, 30)) == ids["deputy"]
        assert responsible_person(contract, None, absences, date(2027, 1, 4)) == ids["owner"]
        assert contract.owner_id == ids["owner"]
    assert owner_tasks
    assert deputy_tasks
    assert {t.follow_up.id for t in owner_tasks} == {t.follow_up.id for t in deputy_tasks}
    assert all(t.covered_by is not None and t.covered_by.id == ids["deputy"] for t in owner_tasks)
    assert all(
        t.covering_for is not None and t.covering_for.id == ids["owner"] for t in deputy_tasks
    )
    # Back early: nothing goes to the deputy any more.
    with uow_factory() as uow:
        assert len(end_current_absence(uow, ids["owner"], NOW + timedelta(days=5)).ended) == 1
        uow.commit()
    with uow_factory() as uow:
        assert list_tasks(uow, ids["deputy"], today + timedelta(days=5)) == []


def test_absence_without_a_named_deputy_uses_the_contracts_deputy(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        deputy = add_person(uow, "Per Dahl", NOW)
        add_contract(uow, NOW, owner=owner, supplier=add_supplier(uow), deputy_id=deputy.id)
        uow.commit()
    _refresh(uow_factory)
    with uow_factory() as uow:
        register_absence(RegisterAbsence(owner.id, date(2026, 11, 20), date(2026, 12, 4)), uow, NOW)
        uow.commit()
    with uow_factory() as uow:
        tasks = list_tasks(uow, deputy.id, oslo_today(NOW))
    assert [t.follow_up.due_date for t in tasks] == [date(2026, 11, 30)]


@pytest.mark.parametrize(
    ("start", "end", "address", "code"),
    [
        (date(2026, 12, 10), date(2026, 12, 1), None, "absence.end_before_start"),
        (date(2026, 10, 1), date(2026, 10, 10), None, "absence.in_past"),
        (date(2026, 12, 1), date(2028, 12, 1), None, "absence.too_long"),
        (date(2026, 12, 1), date(2026, 12, 5), "nobody@fjordvik.kommune.no", "deputy.unknown"),
        (date(2026, 12, 1), date(2026, 12, 5), "kari.nordmann@fjordvik.kommune.no", "deputy.self"),
        (date(2026, 12, 1), date(2026, 12, 5), "not an address", "deputy.bad_address"),
    ],
)
def test_a_bad_absence_is_refused_and_nothing_is_stored(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    start: date,
    end: date,
    address: str | None,
    code: str,
) -> None:
    ids = _register(uow_factory)
    with uow_factory() as uow, pytest.raises((InvalidInput, NotFound)) as caught:
        register_absence(RegisterAbsence(ids["owner"], start, end, address), uow, NOW)
    assert caught.value.code == code
    with uow_factory() as uow:
        assert uow.absences.for_people([ids["owner"]], date(2000, 1, 1)) == []


def test_a_new_absence_replaces_the_ones_it_overlaps(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    ids = _register(uow_factory)
    with uow_factory() as uow:
        register_absence(
            RegisterAbsence(ids["owner"], date(2026, 12, 1), date(2026, 12, 10)), uow, NOW
        )
        register_absence(
            RegisterAbsence(ids["owner"], date(2027, 1, 4), date(2027, 1, 8)), uow, NOW
        )
        register_absence(
            RegisterAbsence(ids["owner"], date(2026, 12, 8), date(2026, 12, 18)), uow, NOW
        )
        uow.commit()
    with uow_factory() as uow:
        spans = [(a.start, a.end) for a in uow.absences.for_people([ids["owner"]], NOW.date())]
    assert spans == [(date(2026, 12, 8), date(2026, 12, 18)), (date(2027, 1, 4), date(2027, 1, 8))]


def test_tasks_show_overdue_first_and_the_next_thirty_days(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    ids = _register(uow_factory)
    _refresh(uow_factory, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    today = oslo_today(NOW)
    with uow_factory() as uow:
        tasks = list_tasks(uow, ids["owner"], today)
        lines = list_contracts(uow, ids["owner"], today)
        plan = contract_plan(uow, ids["reference"].lower(), today, scope=Scope.everything())
    assert [t.follow_up.due_date for t in tasks] == [date(2026, 10, 30), date(2026, 11, 30)]
    assert tasks[0].overdue(today)
    assert not tasks[1].overdue(today)
    assert tasks[0].supplier is not None
    assert tasks[0].checkpoint.code == "levering"
    assert len(lines) == 1
    assert lines[0].role == "owner"
    assert lines[0].next_due == date(2026, 11, 30)
    assert [line.checkpoint.code for line in plan.lines] == ["levering", "utlop"]


def test_procurement_pauses_resumes_removes_and_adds_checkpoints_and_every_edit_is_audited(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    ids = _register(uow_factory)
    _refresh(uow_factory)
    plan = load_plan()

    def edit(edit: PlanEdit, code: str, cadence: str | None = None) -> None:
        with uow_factory() as uow:
            edit_checkpoint(
                EditCheckpoint(ids["procurement"], ids["reference"], edit, code, cadence),
                uow,
                NOW,
                config=plan,
                calendar=CALENDAR,
            )
            uow.commit()

    def dues(code: str) -> list[date]:
        with Session(db_engine) as session:
            return list(
                session.scalars(
                    select(FollowUpRow.due_date)
                    .join(CheckpointRow, CheckpointRow.id == FollowUpRow.checkpoint_id)
                    .where(CheckpointRow.code == code)
                    .order_by(FollowUpRow.due_date)
                )
            )

    assert len(dues("levering")) == 13
    edit(PlanEdit.PAUSE, "levering")
    assert dues("levering") == []
    edit(PlanEdit.RESUME, "levering")
    assert len(dues("levering")) == 13
    edit(PlanEdit.CADENCE, "levering", "kvartalsvis")
    # Quarter ends counted from the end of a first answer window (27.11): Nov, Feb, May, Aug, Nov.
    assert len(dues("levering")) == 5
    edit(PlanEdit.ADD, "skatteattest")
    assert len(dues("skatteattest")) == 2  # every six months
    edit(PlanEdit.ADD, "Kontroll av sertifikater", "årlig")
    # Yearly from the end of a first answer window: 27.11.2026, then 26.11.2027 (a Friday).
    assert dues("kontroll-av-sertifikater") == [date(2026, 11, 27), date(2027, 11, 26)]
    edit(PlanEdit.REMOVE, "skatteattest")
    assert dues("skatteattest") == []
    # The plan never overrides procurement's edits.
    _refresh(uow_factory)
    # Quarter ends counted from the end of a first answer window (27.11): Nov, Feb, May, Aug, Nov.
    assert len(dues("levering")) == 5
    assert dues("skatteattest") == []
    with uow_factory() as uow:
        actions = [e.action for e in uow.audit.for_entity("contract", ids["contract"])]
    assert actions == [
        "plan.created",
        "checkpoint.pause",
        "checkpoint.resume",
        "checkpoint.cadence",
        "checkpoint.add",
        "checkpoint.add",
        "checkpoint.remove",
    ]


def test_only_procurement_may_edit_a_plan(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    ids = _register(uow_factory)
    _refresh(uow_factory)
    before = len(_follow_ups(db_engine))
    with uow_factory() as uow, pytest.raises(NotAllowed):
        edit_checkpoint(
            EditCheckpoint(ids["owner"], ids["reference"], PlanEdit.PAUSE, "levering"),
            uow,
            NOW,
            config=load_plan(),
            calendar=CALENDAR,
        )
    assert len(_follow_ups(db_engine)) == before
    with uow_factory() as uow, pytest.raises(NotFound):
        edit_checkpoint(
            EditCheckpoint(ids["procurement"], "KOM-9999", PlanEdit.PAUSE, "levering"),
            uow,
            NOW,
            config=load_plan(),
            calendar=CALENDAR,
        )


def test_notice_is_three_working_days_before_at_eight_in_oslo() -> None:
    notice = NoticePolicy()
    # Due Monday 30 November 2026: notice on Wednesday 25 November at 08:00 Oslo.
    at = notice.first_action_at(date(2026, 11, 30), CALENDAR)
    assert at == datetime(2026, 11, 25, 8, 0, tzinfo=OSLO)
    # Due Wednesday 31 March 2027, just after Easter (28 March): Tuesday 30 is one working day
    # before; Easter Monday, Good Friday and Maundy Thursday are holidays; then Wednesday 24 and
    # Tuesday 23 March.
    assert notice.first_action_at(date(2027, 3, 31), CALENDAR).date() == date(2027, 3, 23)
