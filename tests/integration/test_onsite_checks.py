"""On-site checks on both stores: the plan's on-site checkpoint for labour-intensive services,
numbered and audited checks, the deviation made in the same step, the open on-site follow-up
answered, and the latest check in status and in `eksport kontroller`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.deviations.cards import DeviationCards
from followup.calendar.workdays import WorkingCalendar
from followup.checks.onsite import OnsiteRefused, RecordOnsite, record_onsite
from followup.checks.onsite_models import CrewList
from followup.errors import NotAllowed
from followup.models import (
    AnswerKind,
    Category,
    Contract,
    DeviationCategory,
    FollowUpState,
    Person,
    RiskLevel,
    Role,
)
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import TemplateKind, apply_plans, load_plan, plan_for
from followup.portfolio import ContractOverview, export_rows, status_for
from followup.views import EXPORT_COLUMNS, ExportKind, ExportQuery, StatusTarget, TargetKind
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.portfolio_world import EVERYTHING

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)
PLAN = load_plan()
CALENDAR = WorkingCalendar()
ONSITE = frozenset(t.code for t in PLAN.checkpoint if t.kind is TemplateKind.ONSITE)
REFERENCE = "REN-2026-0003"


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[Person, Person, Person, Contract]:
    """Kari owns a high-risk cleaning contract of NOK 2 million, planned and in the calendar;
    Per is procurement; Ola is someone else."""
    with uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW)
        per = add_person(uow, "Per Innkjøp", NOW, roles={Role.PROCUREMENT})
        ola = add_person(uow, "Ola Utenfor", NOW)
        contract = add_contract(
            uow,
            NOW,
            owner=kari,
            supplier=add_supplier(uow),
            reference=REFERENCE,
            title="Renhold skoler",
            category=Category.SERVICES,
            value_nok=2_000_000,
            risk=RiskLevel.HIGH,
            start_date=date(2026, 3, 1),  # quarterly from March: one due at the end of December
        )
        apply_plans(uow, [contract.id], PLAN, NOW)
        materialise_calendar(uow, [contract.id], NOW, settings=PLAN.calendar, calendar=CALENDAR)
        uow.commit()
    return kari, per, ola, contract


def _record(uow_factory: SqlAlchemyUnitOfWorkFactory, cmd: RecordOnsite):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        result = record_onsite(cmd, uow, NOW, onsite_codes=ONSITE, alert_renderer=DeviationCards())
        uow.commit()
    return result


def _check(actor: Person, **changes: object) -> RecordOnsite:
    values: dict[str, object] = {
        "actor_id": actor.id,
        "reference": REFERENCE,
        "checked_on": TODAY,
        "workers": 12,
        "cards_checked": 10,
        "without_card": 0,
        "crew_list": CrewList.MATCHES,
        "place": "Byfjell skole",
        "participants": "Kari Nordmann, verneombud",
    }
    values.update(changes)
    return RecordOnsite(**values)  # type: ignore[arg-type]


def _onsite_follow_up(uow_factory: SqlAlchemyUnitOfWorkFactory, contract: Contract):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        checkpoint = next(
            c for c in uow.checkpoints.for_contracts([contract.id]) if c.code in ONSITE
        )
        follow_ups = uow.follow_ups.for_checkpoints_from([checkpoint.id], TODAY)
        return min(follow_ups, key=lambda f: f.due_date)


def test_a_high_risk_cleaning_contract_is_planned_with_on_site_checks(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    _, _, _, contract = _world(uow_factory)
    with uow_factory() as uow:
        codes = {c.code for c in uow.checkpoints.for_contracts([contract.id])}
    assert "stedlig-kontroll" in codes
    goods = contract.model_copy(update={"category": Category.GOODS})
    small = contract.model_copy(update={"value_nok": 200_000})
    low = contract.model_copy(update={"risk": RiskLevel.LOW})
    for other in (goods, small, low):
        assert "stedlig-kontroll" not in {p.code for p in plan_for(other, PLAN, TODAY)}


def test_checks_are_numbered_audited_and_answer_the_open_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    follow_up = _onsite_follow_up(uow_factory, contract)
    first = _record(uow_factory, _check(kari))
    assert first.check.number == 1
    assert first.deviation is None
    assert first.answer is not None
    assert first.answer.kind is AnswerKind.DOCUMENTS
    assert first.check.follow_up_id == follow_up.id
    second = _record(uow_factory, _check(kari, workers=8, cards_checked=8))
    assert second.check.number == 2
    assert second.answer is None  # the follow-up is answered already
    with uow_factory() as uow:
        stored = uow.onsite_checks.for_contract(contract.id)
        answered = uow.follow_ups.get_many([follow_up.id])[follow_up.id]
        events = [e for e in uow.audit.for_entity("contract", contract.id)
                  if e.action == "onsite.recorded"]  # fmt: skip
    assert [(c.number, c.workers, c.place) for c in stored] == [
        (1, 12, "Byfjell skole"),
        (2, 8, "Byfjell skole"),
    ]
    assert answered.state is FollowUpState.ANSWERED
    assert [(e.after or {}).get("number") for e in events] == [1, 2]
    assert (events[0].after or {}).get("without_card") == 0


def test_missing_cards_become_a_seriousness_deviation_in_the_same_step(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    follow_up = _onsite_follow_up(uow_factory, contract)
    result = _record(uow_factory, _check(kari, without_card=2, deviation="høy"))
    assert result.deviation is not None
    deviation = result.deviation.deviation
    assert deviation.category is DeviationCategory.INTEGRITY
    assert deviation.follow_up_id == follow_up.id
    assert "2 uten gyldig HMS-kort" in deviation.description
    assert result.check.deviation_id == deviation.id
    with uow_factory() as uow:
        answered = uow.follow_ups.get_many([follow_up.id])[follow_up.id]
        stored = uow.onsite_checks.latest(contract.id)
    assert answered.state is FollowUpState.DEVIATION_REPORTED
    assert stored is not None
    assert stored.deviation_id == deviation.id


def test_without_findings_the_deviation_is_an_hse_deviation(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    _, per, _, _ = _world(uow_factory)
    result = _record(uow_factory, _check(per, deviation="middels", procurement=True,
                                         notes="Manglende sikring av stillas"))  # fmt: skip
    assert result.deviation is not None
    assert result.deviation.deviation.category is DeviationCategory.HSE
    assert result.answer is None  # procurement does not answer the owner's follow-up
    assert result.check.follow_up_id is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"cards_checked": 13}, "onsite.cards_over_workers"),
        ({"without_card": 11}, "onsite.without_over_cards"),
        ({"checked_on": date(2026, 12, 8)}, "onsite.date_future"),
        ({"workers": None}, "onsite.number_missing"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    uow_factory: SqlAlchemyUnitOfWorkFactory, changes: dict[str, object], code: str
) -> None:
    kari, _, _, contract = _world(uow_factory)
    with pytest.raises(OnsiteRefused) as refused:
        _record(uow_factory, _check(kari, **changes))
    assert refused.value.code == code
    with uow_factory() as uow:
        assert uow.onsite_checks.for_contract(contract.id) == []


def test_others_are_refused(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    _, _, ola, contract = _world(uow_factory)
    with pytest.raises(NotAllowed):
        _record(uow_factory, _check(ola))
    with uow_factory() as uow:
        assert uow.onsite_checks.latest(contract.id) is None


def test_the_latest_check_is_in_status_and_every_check_in_the_export(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    target = StatusTarget(TargetKind.CONTRACT, contract.id, contract.reference)
    with uow_factory() as uow:
        before = status_for(uow, target, EVERYTHING, TODAY)
    assert isinstance(before, ContractOverview)
    assert before.onsite_check is None
    _record(uow_factory, _check(kari, checked_on=date(2026, 11, 2)))
    made = _record(uow_factory, _check(kari, without_card=3, crew_list=CrewList.DIFFERS,
                                       deviation="høy"))  # fmt: skip
    with uow_factory() as uow:
        overview = status_for(uow, target, EVERYTHING, TODAY)
        query = ExportQuery(ExportKind.KONTROLLER, TODAY, date(2026, 11, 1), date(2026, 12, 31))
        columns = [c.header for c in EXPORT_COLUMNS[ExportKind.KONTROLLER]]
        rows = [dict(zip(columns, r, strict=True)) for r in export_rows(uow, query, EVERYTHING)]
    assert isinstance(overview, ContractOverview)
    assert overview.onsite_check is not None
    assert (overview.onsite_check.checked_on, overview.onsite_check.without_card) == (TODAY, 3)
    assert [(r["Nr."], r["Dato"], r["Uten gyldig HMS-kort"]) for r in rows] == [
        (2, TODAY, 3),
        (1, date(2026, 11, 2), 0),
    ]
    assert rows[0]["Mannskapsliste"] == "Stemte ikke"
    assert rows[0]["Avvik"] == made.deviation.deviation.code
    assert rows[1]["Avvik"] is None
    assert rows[0]["Registrert av"] == "Kari Nordmann"
