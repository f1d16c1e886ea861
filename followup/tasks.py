"""What a person sees: their follow-ups, their contracts, one contract's plan, and the
follow-ups waiting for their answer on a contract (`waiting_follow_ups`).

Queries only; they return domain objects for the edge to render as cards or text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from followup.absence import absent_on, deputy_for
from followup.errors import NotFound
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    Checkpoint,
    CheckpointStatus,
    Contract,
    FollowUp,
    Person,
    Supplier,
)
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer
from followup.views import Scope

TASK_DAYS = 30
OVERDUE_LOOKBACK_DAYS = 400
MAX_REFERENCE = 64


@dataclass(frozen=True, slots=True)
class TaskItem:
    follow_up: FollowUp
    checkpoint: Checkpoint
    contract: Contract
    supplier: Supplier | None
    covering_for: Person | None = None
    """Set when the person answers this as deputy for an absent owner."""
    covered_by: Person | None = None
    """Set on the person's own follow-up when a deputy answers it (the owner is away that day)."""

    def overdue(self, today: date) -> bool:
        return self.follow_up.due_date < today and self.follow_up.state in OPEN_FOLLOW_UP_STATES


def list_tasks(
    uow: UnitOfWork, person_id: str, today: date, *, days: int = TASK_DAYS
) -> list[TaskItem]:
    """The person's follow-ups: overdue and open, then everything due in the next `days` days.

    Includes follow-ups of owners the person covers for on the due date.
    """
    end = today + timedelta(days=days)
    own = list(uow.contracts.owned_by([person_id]))
    # Owners this person may cover for: named in an absence, contract deputy or manager,
    # or standing deputy.
    absences_naming = uow.absences.covered_by(person_id, today)
    candidates = {a.person_id for a in absences_naming}
    candidates |= {
        c.owner_id
        for c in uow.contracts.for_person(person_id)
        if c.owner_id and c.owner_id != person_id
    }
    candidates |= {p.id for p in uow.people.deputised_by(person_id)}
    candidates.discard(person_id)
    absences = list(uow.absences.for_people({person_id, *candidates}, today))
    absent_owners = {a.person_id for a in absences if a.person_id != person_id}
    others = list(uow.contracts.owned_by(absent_owners)) if absent_owners else []
    contracts = {c.id: c for c in [*own, *others]}
    if not contracts:
        return []
    people = uow.people.get_many(
        {c.owner_id for c in contracts.values() if c.owner_id}
        | {a.deputy_person_id for a in absences if a.deputy_person_id}
        | {c.deputy_id for c in contracts.values() if c.deputy_id}
        | {c.manager_id for c in contracts.values() if c.manager_id}
    )
    follow_ups = uow.follow_ups.for_contracts_between(
        list(contracts), today - timedelta(days=OVERDUE_LOOKBACK_DAYS), end
    )
    checkpoints = {c.id: c for c in uow.checkpoints.for_contracts(list(contracts))}
    suppliers = uow.suppliers.get_many({c.supplier_id for c in contracts.values() if c.supplier_id})
    items: list[TaskItem] = []
    for follow_up in follow_ups:
        if follow_up.due_date < today and follow_up.state not in OPEN_FOLLOW_UP_STATES:
            continue
        contract = contracts[follow_up.contract_id]
        checkpoint = checkpoints.get(follow_up.checkpoint_id)
        if checkpoint is None or checkpoint.status is not CheckpointStatus.ACTIVE:
            continue
        owner = people.get(contract.owner_id) if contract.owner_id else None
        # An overdue follow-up is answered by whoever is responsible today.
        day = max(follow_up.due_date, today)
        absence = absent_on(absences, contract.owner_id, day) if contract.owner_id else None
        deputy_id = deputy_for(contract, owner, absence)
        supplier = suppliers.get(contract.supplier_id) if contract.supplier_id else None
        if contract.owner_id == person_id:
            covered_by = people.get(deputy_id) if deputy_id else None
            items.append(TaskItem(follow_up, checkpoint, contract, supplier, covered_by=covered_by))
        elif deputy_id == person_id:
            items.append(TaskItem(follow_up, checkpoint, contract, supplier, covering_for=owner))
    items.sort(key=lambda i: (i.follow_up.due_date, i.contract.reference, i.checkpoint.code))
    return items


@dataclass(frozen=True, slots=True)
class ContractLine:
    contract: Contract
    supplier: Supplier | None
    role: str
    """owner | manager | deputy"""
    open_follow_ups: int
    next_due: date | None
    waiting: Sequence[TaskItem] = ()
    """Its open follow-ups overdue or due within `TASK_DAYS`, earliest first (the person may
    answer them: they own, manage or stand in on the contract)."""


def list_contracts(uow: UnitOfWork, person_id: str, today: date) -> list[ContractLine]:
    contracts = list(uow.contracts.for_person(person_id))
    if not contracts:
        return []
    suppliers = uow.suppliers.get_many({c.supplier_id for c in contracts if c.supplier_id})
    follow_ups = uow.follow_ups.for_contracts_between(
        [c.id for c in contracts],
        today - timedelta(days=OVERDUE_LOOKBACK_DAYS),
        today + timedelta(days=400),
    )
    open_count: dict[str, int] = {}
    next_due: dict[str, date] = {}
    soon: dict[str, list[FollowUp]] = {}
    for f in follow_ups:
        if f.state not in OPEN_FOLLOW_UP_STATES:
            continue
        open_count[f.contract_id] = open_count.get(f.contract_id, 0) + 1
        if f.due_date >= today and f.contract_id not in next_due:
            next_due[f.contract_id] = f.due_date
        if f.due_date <= today + timedelta(days=TASK_DAYS):
            soon.setdefault(f.contract_id, []).append(f)
    checkpoints = {c.id: c for c in uow.checkpoints.for_contracts(list(soon))} if soon else {}
    lines = []
    for contract in contracts:
        role = (
            "owner"
            if contract.owner_id == person_id
            else "manager"
            if contract.manager_id == person_id
            else "deputy"
        )
        supplier = suppliers.get(contract.supplier_id) if contract.supplier_id else None
        lines.append(
            ContractLine(
                contract=contract,
                supplier=supplier,
                role=role,
                open_follow_ups=open_count.get(contract.id, 0),
                next_due=next_due.get(contract.id),
                waiting=_task_items(soon.get(contract.id, ()), checkpoints, contract, supplier),
            )
        )
    return lines


def _task_items(
    follow_ups: Iterable[FollowUp],
    checkpoints: Mapping[str, Checkpoint],
    contract: Contract,
    supplier: Supplier | None,
) -> list[TaskItem]:
    """The follow-ups of active checkpoints as tasks, earliest due first."""
    items = [
        TaskItem(f, checkpoint, contract, supplier)
        for f in follow_ups
        if (checkpoint := checkpoints.get(f.checkpoint_id)) is not None
        and checkpoint.status is CheckpointStatus.ACTIVE
    ]
    items.sort(key=lambda i: (i.follow_up.due_date, i.checkpoint.code))
    return items


def waiting_follow_ups(
    uow: UnitOfWork, person_id: str, contract: Contract, today: date, *, days: int = TASK_DAYS
) -> list[TaskItem]:
    """The contract's open follow-ups overdue or due within `days` that the person may answer
    now (`followup.reminders.controls.may_answer`), earliest first; [] when they may not."""
    person = uow.people.get(person_id)
    if person is None or not may_answer(uow, person, contract, today):
        return []
    found = [
        f
        for f in uow.follow_ups.for_contracts_between(
            [contract.id], today - timedelta(days=OVERDUE_LOOKBACK_DAYS), today + timedelta(days)
        )
        if f.state in OPEN_FOLLOW_UP_STATES
    ]
    if not found:
        return []
    checkpoints = {c.id: c for c in uow.checkpoints.for_contracts([contract.id])}
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    return _task_items(found, checkpoints, contract, supplier)


@dataclass(frozen=True, slots=True)
class PlanLine:
    checkpoint: Checkpoint
    next_due: date | None


@dataclass(frozen=True, slots=True)
class ContractPlan:
    contract: Contract
    supplier: Supplier | None
    owner: Person | None
    lines: Sequence[PlanLine]
    waiting: Sequence[TaskItem] = ()
    """The follow-ups waiting for the asker's answer (`waiting_follow_ups`; asked for with
    `answerer_id`)."""


def find_contract(uow: UnitOfWork, reference: str) -> Contract:
    cleaned = reference.strip().strip("«»\"'")
    if not cleaned or len(cleaned) > MAX_REFERENCE:
        raise NotFound(
            "no such contract", code="contract.unknown", reference=cleaned[:MAX_REFERENCE]
        )
    contract = uow.contracts.by_reference(cleaned)
    if contract is None:
        raise NotFound("no such contract", code="contract.unknown", reference=cleaned)
    return contract


def contract_plan(
    uow: UnitOfWork,
    reference: str,
    today: date,
    *,
    scope: Scope,
    answerer_id: str | None = None,
) -> ContractPlan:
    """A contract's checkpoints (removed ones left out) with the next due date of each, for
    whoever may see it where they ask: `scope` is theirs (`followup.access.reader_scope`, the
    rule of `status`). A contract outside it is refused as if it did not exist
    (`contract.unknown`), so its title, supplier and owner are never shown and a reference is
    not confirmed to someone who may not see it. With `answerer_id`, the plan also lists the
    follow-ups waiting for that person's answer (`waiting_follow_ups`)."""
    contract = find_contract(uow, reference)
    if not scope.sees(contract):
        shown = reference.strip().strip("«»\"'")[:MAX_REFERENCE]
        raise NotFound("no such contract", code="contract.unknown", reference=shown)
    checkpoints = [
        c
        for c in uow.checkpoints.for_contracts([contract.id])
        if c.status is not CheckpointStatus.REMOVED
    ]
    upcoming = uow.follow_ups.for_checkpoints_from([c.id for c in checkpoints], today)
    next_due: dict[str, date] = {}
    for f in sorted(upcoming, key=lambda f: f.due_date):
        next_due.setdefault(f.checkpoint_id, f.due_date)
    owner = uow.people.get(contract.owner_id) if contract.owner_id else None
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    lines = [PlanLine(c, next_due.get(c.id)) for c in checkpoints]
    lines.sort(key=lambda line: (line.next_due or date.max, line.checkpoint.code))
    waiting = waiting_follow_ups(uow, answerer_id, contract, today) if answerer_id else []
    return ContractPlan(
        contract=contract, supplier=supplier, owner=owner, lines=lines, waiting=waiting
    )
