"""Risk assessments on both stores: versions and their audit, re-planning on a changed level,
the register's level as version 0, and procurement's overview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followup.calendar.workdays import WorkingCalendar
from followup.checks.models import RiskArea, RiskSource
from followup.checks.ports import ChecksUnitOfWork
from followup.checks.risk import (
    AssessRisk,
    latest_assessment,
    risk_overview,
    suggested_level,
)
from followup.checks.risk import assess_risk as assess
from followup.errors import NotAllowed
from followup.models import (
    CheckpointStatus,
    Contract,
    ContractStatus,
    ContractType,
    Person,
    RiskLevel,
    Role,
)
from followup.plans.plan_file import apply_plans, load_plan
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLAN = load_plan()
CALENDAR = WorkingCalendar()


def _scores(c: int, l: int) -> dict[RiskArea, tuple[int | None, int | None]]:  # noqa: E741
    return dict.fromkeys(RiskArea, (c, l))


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[Person, Person, Person, Contract]:
    """Kari owns a framework agreement of NOK 1.5 million (status meetings by risk), planned
    at *middels*; Per is procurement; Ola is someone else."""
    with uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW)
        per = add_person(uow, "Per Innkjøp", NOW, roles={Role.PROCUREMENT})
        ola = add_person(uow, "Ola Utenfor", NOW)
        contract = add_contract(
            uow,
            NOW,
            owner=kari,
            supplier=add_supplier(uow),
            reference="RA-2026-0007",
            title="Renhold skoler",
            contract_type=ContractType.FRAMEWORK,
            value_nok=1_500_000,
        )
        apply_plans(uow, [contract.id], PLAN, NOW)
        uow.commit()
    return kari, per, ola, contract


def _assess(uow_factory: SqlAlchemyUnitOfWorkFactory, cmd: AssessRisk, now: datetime = NOW):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        result = assess(cmd, uow, now, config=PLAN, calendar=CALENDAR)
        uow.commit()
    return result


def _rrules(uow_factory: SqlAlchemyUnitOfWorkFactory, contract_id: str) -> dict[str, str]:
    with uow_factory() as uow:
        return {
            c.code: c.rrule
            for c in uow.checkpoints.for_contracts([contract_id])
            if c.status is CheckpointStatus.ACTIVE
        }


def test_the_register_level_is_version_zero_until_someone_assesses(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    with uow_factory() as uow:
        first = latest_assessment(uow, contract)
    assert (first.version, first.source, first.chosen) == (0, RiskSource.REGISTER, RiskLevel.MEDIUM)
    assert first.reason is None
    assert first.scores == []

    result = _assess(uow_factory, AssessRisk(kari.id, "RA-2026-0007", _scores(2, 2)))
    assert result.level_changed is False
    assert result.plan.empty
    with uow_factory() as uow:
        stored = latest_assessment(uow, contract)
    assert (stored.version, stored.source, stored.chosen) == (1, RiskSource.CHAT, RiskLevel.MEDIUM)
    assert stored.assessed_by_id == kari.id
    assert stored.assessed_at == NOW


def test_every_assessment_is_a_new_audited_version(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, per, _, contract = _world(uow_factory)
    _assess(uow_factory, AssessRisk(kari.id, "RA-2026-0007", _scores(2, 2), comment="Ok"))
    later = NOW + timedelta(days=30)
    _assess(
        uow_factory,
        AssessRisk(
            per.id,
            "RA-2026-0007",
            _scores(2, 2),
            chosen=RiskLevel.LOW,
            reason="Leverandøren har levert uten avvik i to år",
            procurement=True,
        ),
        later,
    )
    with uow_factory() as uow:
        versions = uow.risk_assessments.versions(contract.id)
        events = list(uow.audit.for_entity("contract", contract.id))
    assert [v.version for v in versions] == [1, 2]
    first, second = versions
    assert (first.chosen, first.suggested, first.comment) == (RiskLevel.MEDIUM,) * 2 + ("Ok",)
    assert first.scores[0].consequence == 2
    assert len(first.scores) == len(RiskArea)
    assert (second.chosen, second.suggested, second.assessed_by_id) == (
        RiskLevel.LOW,
        RiskLevel.MEDIUM,
        per.id,
    )
    assert second.reason == "Leverandøren har levert uten avvik i to år"
    assert second.previous is RiskLevel.MEDIUM
    assessed = [e for e in events if e.action == "risk.assessed"]
    assert [e.after["version"] for e in assessed if e.after] == [1, 2]
    assert assessed[1].before == {
        "version": 1,
        "scores": {a.value: [2, 2] for a in RiskArea},
        "suggested": "middels",
        "chosen": "middels",
        "reason": None,
        "comment": "Ok",
    }
    assert any(e.action == "contract.updated" and e.after == {"risk": "lav"} for e in events), (
        "the contract's risk change is audited"
    )


def test_a_changed_level_replans_the_contract_by_the_templates(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    before = _rrules(uow_factory, contract.id)
    template = {t.code: t for t in PLAN.checkpoint}["statusmote"]
    assert before["statusmote"] == template.rule_for(RiskLevel.MEDIUM)

    result = _assess(uow_factory, AssessRisk(kari.id, "RA-2026-0007", _scores(3, 3)))

    assert result.level_changed
    assert result.contract.risk is RiskLevel.HIGH
    after = _rrules(uow_factory, contract.id)
    assert after["statusmote"] == template.rule_for(RiskLevel.HIGH) != before["statusmote"]
    assert "Statusmøte" in result.plan.cadence_changed
    assert result.plan.added == ()
    assert result.plan.removed == ()
    with uow_factory() as uow:
        stored = uow.contracts.get(contract.id)
        events = uow.audit.for_entity("contract", contract.id)
    assert stored is not None
    assert stored.risk is RiskLevel.HIGH
    assert any(e.action == "plan.updated" for e in events)

    # Down to *lav*: the price check goes half-yearly, the status meeting every other year.
    low = _assess(
        uow_factory,
        AssessRisk(kari.id, "RA-2026-0007", _scores(1, 1)),
        NOW + timedelta(days=1),
    )
    assert {"Statusmøte", "Priskontroll"} <= set(low.plan.cadence_changed)
    assert _rrules(uow_factory, contract.id)["priskontroll"] == {
        t.code: t for t in PLAN.checkpoint
    }["priskontroll"].rule_for(RiskLevel.LOW)


def test_others_are_refused_and_nothing_is_stored(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    _, _, ola, contract = _world(uow_factory)
    with uow_factory() as uow, pytest.raises(NotAllowed) as error:
        assess(
            AssessRisk(ola.id, "RA-2026-0007", _scores(3, 3)),
            uow,
            NOW,
            config=PLAN,
            calendar=CALENDAR,
        )
    assert error.value.code == "risk.not_allowed"
    with uow_factory() as uow:
        assert uow.risk_assessments.versions(contract.id) == []


def test_the_overview_lists_never_assessed_and_stale(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, fresh = _world(uow_factory)
    with uow_factory() as uow:
        supplier = add_supplier(uow, "Vask AS", seed=3)
        stale = add_contract(uow, NOW, owner=kari, supplier=supplier, reference="K-STALE")
        never = add_contract(uow, NOW, owner=kari, supplier=supplier, reference="K-NEVER")
        add_contract(
            uow,
            NOW,
            owner=kari,
            supplier=supplier,
            reference="K-ENDED",
            status=ContractStatus.EXPIRED,
        )
        uow.commit()
    old = NOW - timedelta(days=400)
    _assess(uow_factory, AssessRisk(kari.id, "K-STALE", _scores(1, 1)), old)
    _assess(uow_factory, AssessRisk(kari.id, "RA-2026-0007", _scores(1, 1)), NOW)
    with uow_factory() as uow:
        overview = risk_overview(uow, NOW, procurement=True)
        with pytest.raises(NotAllowed):
            risk_overview(uow, NOW, procurement=False)
    assert [d.reference for d in overview.never] == ["K-NEVER"]
    assert [d.reference for d in overview.stale] == ["K-STALE"]
    assert overview.stale[0].assessed_at == old
    assert overview.never[0].contract_id == never.id
    assert stale.id != fresh.id


def test_storage_unit_of_work_is_a_checks_unit_of_work(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        checks: ChecksUnitOfWork = uow
        assert checks.risk_assessments.latest("none") is None
    assert suggested_level([]) is None
