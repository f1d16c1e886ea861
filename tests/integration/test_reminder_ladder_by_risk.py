"""The escalation ladder per risk level, on real SQLite and PostgreSQL: the plan file's `[ladder]`
gives each contract's checkpoints the ladder of its risk level, and the planner escalates an
overdue follow-up on those offsets (the default plan: 1, 3 and 5 working days at *høy*, the
calendar's 2, 5 and 10 at *middels* and *lav*). A plan file without `[ladder]` keeps the old
ladder at every level, and a contract whose level changes is re-planned onto its new ladder.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo (ISO week 48).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from followup.models import (
    Checkpoint,
    Contract,
    DeliveryKind,
    FollowUp,
    FollowUpState,
    Person,
    RiskLevel,
    Role,
)
from followup.plans.edits import EditCheckpoint, PlanEdit, edit_checkpoint
from followup.plans.plan_file import DEFAULT_PLAN_FILE, PlanConfig, apply_plans, load_plan
from followup.reminders.planning import Step, plan_reminders
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.worlds import (
    CALENDAR,
    NOW,
    RecordingCards,
    all_deliveries,
    of_kind,
    oslo,
    personal_ref,
    procurement_channel,
    stored_follow_up,
)

PLAN = load_plan()
MONDAY_BEFORE = date(2026, 11, 16)
"""Due a week ago: 5 working days by now (the high-risk ladder's procurement step, the default
ladder's deputy step)."""
THURSDAY_BEFORE = date(2026, 11, 19)
"""Due last Thursday: 2 working days by now (the reminder on both ladders: 1 and 2)."""


@dataclass
class Portfolio:
    owner: Person
    manager: Person
    contracts: dict[RiskLevel, Contract]
    deliveries: dict[RiskLevel, Checkpoint]
    """Each contract's «levering» checkpoint, as the plan made it."""


def _portfolio(uow_factory: SqlAlchemyUnitOfWorkFactory, plan: PlanConfig = PLAN) -> Portfolio:
    """Kari owns one contract at each risk level, Per manages them, and one procurement
    channel is registered; the plan is applied to all three."""
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        manager = add_person(uow, "Per Berg", NOW)
        supplier = add_supplier(uow)
        contracts = {
            risk: add_contract(
                uow,
                NOW,
                owner=owner,
                supplier=supplier,
                manager_id=manager.id,
                reference=f"KOM-2026-000{number}",
                title=f"Kontrakt {risk.value}",
                risk=risk,
            )
            for number, risk in enumerate(RiskLevel, start=1)
        }
        for ref in (
            personal_ref(owner, "a:kari"),
            personal_ref(manager, "a:per"),
            procurement_channel("19:innkjop"),
        ):
            uow.conversations.save(ref)
        apply_plans(uow, [c.id for c in contracts.values()], plan, NOW)
        uow.commit()
    return Portfolio(owner, manager, contracts, _deliveries(uow_factory, contracts))


def _deliveries(
    uow_factory: SqlAlchemyUnitOfWorkFactory, contracts: dict[RiskLevel, Contract]
) -> dict[RiskLevel, Checkpoint]:
    by_contract = {c.id: risk for risk, c in contracts.items()}
    with uow_factory() as uow:
        return {
            by_contract[c.contract_id]: c
            for c in uow.checkpoints.for_contracts(list(by_contract))
            if c.code == "levering"
        }


def _overdue(
    uow_factory: SqlAlchemyUnitOfWorkFactory, checkpoint: Checkpoint, due: date, step: Step
) -> FollowUp:
    """A follow-up still unanswered at `step`, its next action an hour ago."""
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=checkpoint.contract_id,
        due_date=due,
        state=FollowUpState.PLANNED,
        reminder_step=int(step),
        next_action_at=NOW - timedelta(hours=1),
    )
    with uow_factory() as uow:
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up


def _tick(uow_factory: SqlAlchemyUnitOfWorkFactory, cards: RecordingCards) -> None:
    plan_reminders(uow_factory, NOW, holder="planner-1", calendar=CALENDAR, renderer=cards)


def _where(uow_factory: SqlAlchemyUnitOfWorkFactory, follow_up: FollowUp) -> tuple[object, ...]:
    stored = stored_follow_up(uow_factory, follow_up.id)
    return stored.state, stored.reminder_step, stored.next_action_at


def test_the_plan_gives_each_risk_level_its_own_ladder(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = _portfolio(uow_factory)
    assert world.deliveries[RiskLevel.HIGH].escalation == [1, 3, 5]
    assert world.deliveries[RiskLevel.MEDIUM].escalation == [2, 5, 10]
    assert world.deliveries[RiskLevel.LOW].escalation == [2, 5, 10]
    with uow_factory() as uow:
        every = uow.checkpoints.for_contracts([world.contracts[RiskLevel.HIGH].id])
    assert {tuple(c.escalation) for c in every} == {(1, 3, 5)}, "every template, no copies"


def test_a_high_risk_follow_up_reaches_procurement_when_a_low_risk_one_reaches_the_manager(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = _portfolio(uow_factory)
    high = _overdue(uow_factory, world.deliveries[RiskLevel.HIGH], MONDAY_BEFORE, Step.REMINDER)
    low = _overdue(uow_factory, world.deliveries[RiskLevel.LOW], MONDAY_BEFORE, Step.REMINDER)
    cards = RecordingCards()

    _tick(uow_factory, cards)

    found = all_deliveries(uow_factory)
    (escalation,) = of_kind(found, DeliveryKind.ESCALATION)
    assert escalation.follow_up_ids == [high.id]
    (digest,) = of_kind(found, DeliveryKind.DIGEST)
    assert digest.recipient_person_id == world.manager.id
    assert digest.follow_up_ids == [low.id]
    # High risk: procurement after 5 working days, the end of its ladder.
    assert _where(uow_factory, high) == (FollowUpState.ESCALATED, Step.DONE, None)
    # Low risk: the manager after 5, procurement after 10 (Monday 30 November).
    assert _where(uow_factory, low) == (
        FollowUpState.ESCALATED,
        Step.PROCUREMENT,
        oslo(2026, 11, 30),
    )


def test_the_next_step_is_set_on_each_risk_levels_offsets(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = _portfolio(uow_factory)
    high = _overdue(uow_factory, world.deliveries[RiskLevel.HIGH], THURSDAY_BEFORE, Step.DUE)
    medium = _overdue(uow_factory, world.deliveries[RiskLevel.MEDIUM], THURSDAY_BEFORE, Step.DUE)
    cards = RecordingCards()

    _tick(uow_factory, cards)

    (digest,) = of_kind(all_deliveries(uow_factory), DeliveryKind.DIGEST)
    assert digest.recipient_person_id == world.owner.id
    assert sorted(digest.follow_up_ids) == sorted([high.id, medium.id])
    # Both reminded now; the manager hears on Tuesday (3 working days) at høy, on Thursday
    # (5 working days) at middels.
    assert _where(uow_factory, high) == (FollowUpState.REMINDED, Step.ESCALATE, oslo(2026, 11, 24))
    assert _where(uow_factory, medium) == (
        FollowUpState.REMINDED,
        Step.ESCALATE,
        oslo(2026, 11, 26),
    )


def test_a_plan_file_without_ladder_keeps_the_old_ladder_at_every_level(
    uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path
) -> None:
    text = DEFAULT_PLAN_FILE.read_text("utf-8")
    start = text.index("\n[ladder]\n")
    end = text.index("\n[", start + 1)
    old = tmp_path / "plan.toml"
    old.write_text(text[:start] + text[end:], encoding="utf-8")
    plan = load_plan(old)
    assert plan.ladder == {}
    world = _portfolio(uow_factory, plan)
    assert {tuple(c.escalation) for c in world.deliveries.values()} == {(2, 5, 10)}
    high = _overdue(uow_factory, world.deliveries[RiskLevel.HIGH], MONDAY_BEFORE, Step.REMINDER)

    _tick(uow_factory, RecordingCards())

    assert of_kind(all_deliveries(uow_factory), DeliveryKind.ESCALATION) == []
    assert _where(uow_factory, high) == (
        FollowUpState.ESCALATED,
        Step.PROCUREMENT,
        oslo(2026, 11, 30),
    )


def test_a_contract_raised_to_high_risk_is_replanned_onto_the_high_ladder(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = _portfolio(uow_factory)
    contract = world.contracts[RiskLevel.MEDIUM]
    with uow_factory() as uow:
        uow.contracts.update(contract.model_copy(update={"risk": RiskLevel.HIGH}), NOW)
        changes = apply_plans(uow, [contract.id], PLAN, NOW)
        uow.commit()
    assert contract.id in changes.changed_contract_ids
    checkpoint = _deliveries(uow_factory, {RiskLevel.HIGH: contract})[RiskLevel.HIGH]
    assert checkpoint.escalation == [1, 3, 5]
    follow_up = _overdue(uow_factory, checkpoint, MONDAY_BEFORE, Step.REMINDER)

    _tick(uow_factory, RecordingCards())

    (escalation,) = of_kind(all_deliveries(uow_factory), DeliveryKind.ESCALATION)
    assert escalation.follow_up_ids == [follow_up.id]


def test_a_checkpoint_procurement_adds_by_chat_gets_the_contracts_ladder(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    world = _portfolio(uow_factory)
    with uow_factory() as uow:
        per = add_person(uow, "Per Innkjøp", NOW, roles={Role.PROCUREMENT})
        uow.commit()
    added: dict[tuple[RiskLevel, str], list[int]] = {}
    for risk in (RiskLevel.HIGH, RiskLevel.LOW):
        for code in ("statusmote", "Befaring på byggeplass"):
            with uow_factory() as uow:
                edited = edit_checkpoint(
                    EditCheckpoint(
                        per.id, world.contracts[risk].reference, PlanEdit.ADD, code, "kvartalsvis"
                    ),
                    uow,
                    NOW,
                    config=PLAN,
                    calendar=CALENDAR,
                )
                uow.commit()
            added[risk, code] = edited.checkpoint.escalation
    assert added == {
        (RiskLevel.HIGH, "statusmote"): [1, 3, 5],
        (RiskLevel.HIGH, "Befaring på byggeplass"): [1, 3, 5],
        (RiskLevel.LOW, "statusmote"): [2, 5, 10],
        (RiskLevel.LOW, "Befaring på byggeplass"): [2, 5, 10],
    }
