"""Builders for register data in tests, written through the real repositories."""

from __future__ import annotations

from datetime import date, datetime

from followup.models import (
    Category,
    Contract,
    ContractType,
    Person,
    RiskLevel,
    Role,
    Supplier,
)
from followup.orgnr import make_organisation_number
from followup.ports import UnitOfWork


def add_person(
    uow: UnitOfWork,
    name: str,
    now: datetime,
    *,
    roles: set[Role] | None = None,
    teams_user_id: str | None = None,
) -> Person:
    local = name.lower().replace(" ", ".").replace("ø", "o").replace("å", "a").replace("æ", "ae")
    person = Person(
        display_name=name,
        email=f"{local}@fjordvik.kommune.no",
        roles=roles if roles is not None else {Role.OWNER},
        teams_user_id=teams_user_id,
    )
    uow.people.add(person, now)
    return person


def organisation_number(seed: int) -> str:
    """A valid organisation number (MOD11) derived from `seed`."""
    for prefix in range(90_000_000 + seed * 13, 99_999_999):
        number = make_organisation_number(str(prefix))
        if number is not None:
            return number
    raise ValueError(seed)


def add_supplier(uow: UnitOfWork, name: str = "Fjordbygg AS", seed: int = 1) -> Supplier:
    supplier = Supplier(name=name, organisation_number=organisation_number(seed))
    uow.suppliers.add(supplier)
    return supplier


def add_contract(
    uow: UnitOfWork, now: datetime, *, owner: Person, supplier: Supplier, **changes: object
) -> Contract:
    values: dict[str, object] = {
        "reference": "KOM-2026-0001",
        "title": "Kontorrekvisita",
        "contract_type": ContractType.SINGLE,
        "category": Category.GOODS,
        "start_date": date(2026, 1, 1),
        "end_date": date(2028, 12, 31),
        "value_nok": 100_000,
        "risk": RiskLevel.MEDIUM,
        "owner_id": owner.id,
        "supplier_id": supplier.id,
    }
    values.update(changes)
    contract = Contract.model_validate(values)
    uow.contracts.add(contract, now)
    return contract
