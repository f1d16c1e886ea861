"""Fjordvik kommune's demo data, loaded for real on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from followup.models import Category, ContractStatus, ContractType, RiskLevel, Role
from followup.orgnr import is_valid_organisation_number
from followup.periods import add_months
from storage.db import create_db_engine, upgrade_database
from storage.demo_data import (
    DEMO_ADMIN_EMAIL,
    DEMO_EMAIL_DOMAIN,
    DEMO_PROCUREMENT_EMAILS,
    DEMO_THRESHOLD_NOK,
    DEMO_UNITS,
    DemoSummary,
    demo_owner_emails,
    demo_people,
    load_demo_data,
)
from storage.tables import ContractRow, PersonRow, SupplierRow

NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
EMAIL = re.compile(r"^[a-z]+(?:-[a-z]+)*\.[a-z]+(?:-[a-z]+)*@fjordvik\.kommune\.no$")


def _contracts(engine: Engine) -> list[ContractRow]:
    with Session(engine) as session:
        return list(session.scalars(select(ContractRow)))


def _people(engine: Engine) -> list[PersonRow]:
    with Session(engine) as session:
        return list(session.scalars(select(PersonRow)))


def _suppliers(engine: Engine) -> list[SupplierRow]:
    with Session(engine) as session:
        return list(session.scalars(select(SupplierRow)))


def _row_counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(PersonRow)) or 0,
            session.scalar(select(func.count()).select_from(SupplierRow)) or 0,
            session.scalar(select(func.count()).select_from(ContractRow)) or 0,
        )


@pytest.fixture
def loaded(db_engine: Engine) -> DemoSummary:
    return load_demo_data(db_engine, now=NOW)


def test_counts_are_those_of_a_mid_sized_municipality(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    assert loaded.created
    assert loaded.owners == 80
    assert loaded.procurement == 5
    assert loaded.people == 85
    assert 55 <= loaded.suppliers <= 65
    assert 280 <= loaded.contracts <= 320
    assert _row_counts(db_engine) == (loaded.people, loaded.suppliers, loaded.contracts)


def test_loading_twice_inserts_nothing_the_second_time(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    before = _row_counts(db_engine)
    again = load_demo_data(db_engine, now=NOW + timedelta(days=3), seed=7)
    assert not again.created
    assert _row_counts(db_engine) == before
    assert (again.people, again.owners, again.procurement, again.suppliers, again.contracts) == (
        loaded.people,
        loaded.owners,
        loaded.procurement,
        loaded.suppliers,
        loaded.contracts,
    )


def test_every_supplier_has_a_valid_unique_organisation_number(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    suppliers = _suppliers(db_engine)
    numbers = [s.organisation_number for s in suppliers]
    assert all(is_valid_organisation_number(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    names = [s.name for s in suppliers]
    assert len(set(names)) == len(names)
    assert all(re.search(r" (AS|ASA|ANS)$", name) for name in names)


def test_people_have_unique_ascii_municipal_emails(db_engine: Engine, loaded: DemoSummary) -> None:
    people = _people(db_engine)
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails) == loaded.people
    for person in people:
        assert person.email is not None
        assert EMAIL.match(person.email), person.email
        assert person.upn == person.email
        first = person.display_name.split()[0].lower()
        assert person.email.startswith(
            first.replace("æ", "ae").replace("ø", "o").replace("å", "a") + "."
        )
    # Norwegian letters are folded: Åsmund Sæther → asmund.saether
    assert f"asmund.saether@{DEMO_EMAIL_DOMAIN}" in emails


def test_roles_and_the_procurement_team(db_engine: Engine, loaded: DemoSummary) -> None:
    people = {p.email: p for p in _people(db_engine)}
    for email in DEMO_PROCUREMENT_EMAILS:
        assert Role.PROCUREMENT.value in people[email].roles
    assert people[DEMO_ADMIN_EMAIL].roles == [Role.PROCUREMENT.value, Role.ADMIN.value]
    admins = [p for p in people.values() if Role.ADMIN.value in p.roles]
    assert len(admins) == 1
    owners = {e for e, p in people.items() if p.roles == [Role.OWNER.value]}
    assert owners == set(demo_owner_emails())
    assert len(owners) == 80
    # Everyone has a deputy, and nobody is their own.
    assert all(p.deputy_person_id and p.deputy_person_id != p.id for p in people.values())


def test_every_contract_has_an_owner_a_supplier_and_a_unique_reference(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    contracts = _contracts(db_engine)
    people = {p.id: p for p in _people(db_engine)}
    supplier_ids = {s.id for s in _suppliers(db_engine)}
    owners_with_contracts = set()
    for contract in contracts:
        assert contract.owner_id in people
        assert people[contract.owner_id].roles == [Role.OWNER.value]
        owners_with_contracts.add(contract.owner_id)
        assert contract.manager_id in people
        assert contract.deputy_id is None or contract.deputy_id in people
        assert contract.deputy_id != contract.owner_id
        assert contract.supplier_id in supplier_ids
        assert re.fullmatch(r"KOM-20\d\d-\d{4}", contract.reference)
        assert contract.case_number is not None
        assert re.fullmatch(r"20\d\d/\d{3,4}", contract.case_number)
        assert contract.unit in DEMO_UNITS
        assert contract.value_nok is not None
        assert contract.value_nok > 0
    assert len({c.reference for c in contracts}) == len(contracts)
    assert len(owners_with_contracts) == 80  # every owner owns at least one contract
    # Some owners also manage other owners' contracts or stand in for them.
    assert any(c.manager_id != c.owner_id for c in contracts)
    assert any(c.deputy_id is not None for c in contracts)


def test_all_types_categories_units_and_a_realistic_risk_spread(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    contracts = _contracts(db_engine)
    types = Counter(c.contract_type for c in contracts)
    categories = Counter(c.category for c in contracts)
    assert set(types) == {t.value for t in ContractType}
    assert set(categories) == {c.value for c in Category}
    assert min(types.values()) >= 20
    assert min(categories.values()) >= 40
    assert {c.unit for c in contracts} == set(DEMO_UNITS)
    risk = Counter(c.risk for c in contracts)
    n = len(contracts)
    assert abs(risk[RiskLevel.LOW.value] - 0.6 * n) <= 0.05 * n
    assert abs(risk[RiskLevel.MEDIUM.value] - 0.3 * n) <= 0.05 * n
    assert abs(risk[RiskLevel.HIGH.value] - 0.1 * n) <= 0.05 * n
    statuses = Counter(c.status for c in contracts)
    assert set(statuses) <= {s.value for s in ContractStatus}
    assert statuses[ContractStatus.ACTIVE.value] >= 0.7 * n


def test_dates_fit_the_status_and_options_lie_ahead(db_engine: Engine, loaded: DemoSummary) -> None:
    contracts = _contracts(db_engine)
    expiring_soon = 0
    for c in contracts:
        assert c.start_date is not None
        assert c.end_date is None or c.end_date > c.start_date, c.reference
        if c.status == ContractStatus.ACTIVE.value:
            assert c.start_date <= TODAY, c.reference
            assert c.end_date is None or c.end_date >= TODAY, c.reference
            if c.end_date is not None and c.end_date <= TODAY + timedelta(days=180):
                expiring_soon += 1
        elif c.status == ContractStatus.PLANNED.value:
            assert c.start_date > TODAY, c.reference
        else:
            assert c.end_date is not None
            assert c.end_date < TODAY, c.reference
        options = [date.fromisoformat(o) for o in c.options]
        assert options == sorted(options)
        if options:
            assert c.end_date is not None
            # Each option extends the agreement by a year; stored, as the register stores it,
            # as the end date it extends to (`followup.plans.plan_file`, the public register).
            ends = [c.end_date, *options]
            for before, after in pairwise(ends):
                assert after == add_months(before + timedelta(days=1), 12) - timedelta(days=1)
    assert expiring_soon >= 10
    frameworks_with_options = [
        c for c in contracts if c.contract_type == ContractType.FRAMEWORK.value and c.options
    ]
    assert len(frameworks_with_options) >= 20


def test_compliance_flags_follow_category_value_and_duration(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    contracts = _contracts(db_engine)
    for c in contracts:
        assert c.value_nok is not None
        serious = c.category in (Category.SERVICES.value, Category.BUILDING.value)
        assert c.pay_and_conditions == (serious and c.value_nok > DEMO_THRESHOLD_NOK)
        if c.category == Category.BUILDING.value:
            assert c.hms_card
            assert c.supply_chain
        if c.apprentices:
            assert c.category == Category.BUILDING.value
            assert c.value_nok > DEMO_THRESHOLD_NOK
    assert any(c.apprentices for c in contracts)
    cleaning = [
        c
        for c in contracts
        if c.category == Category.SERVICES.value
        and c.title.startswith(("Renhold av", "Vindusvask"))
    ]
    assert cleaning
    assert all(c.hms_card for c in cleaning)
    assert not any(c.hms_card for c in contracts if c.category == Category.GOODS.value)


def test_demo_people_lists_procurement_first_then_by_name(
    db_engine: Engine, loaded: DemoSummary
) -> None:
    people = demo_people(db_engine)
    assert len(people) == loaded.people
    procurement = people[: loaded.procurement]
    assert {p.email for p in procurement} == set(DEMO_PROCUREMENT_EMAILS)
    assert all(Role.PROCUREMENT.value in p.roles for p in procurement)
    rest = people[loaded.procurement :]
    assert all(p.roles == (Role.OWNER.value,) for p in rest)
    names = [p.display_name for p in rest]
    # Norwegian order: Æ, Ø and Å come after Z.
    last_three = str.maketrans({"æ": "z{", "ø": "z|", "å": "z}"})
    assert names == sorted(names, key=lambda name: name.lower().translate(last_three))
    admin = next(p for p in people if p.email == DEMO_ADMIN_EMAIL)
    assert admin.roles == (Role.PROCUREMENT.value, Role.ADMIN.value)


def test_demo_people_is_empty_on_an_empty_database(db_engine: Engine) -> None:
    assert demo_people(db_engine) == []


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(
    db_engine: Engine, loaded: DemoSummary, tmp_path: Path
) -> None:
    def snapshot(engine: Engine) -> set[tuple[object, ...]]:
        return {
            (c.id, c.reference, c.title, c.supplier_id, c.owner_id, c.start_date, c.risk)
            for c in _contracts(engine)
        }

    same_url = f"sqlite:///{(tmp_path / 'same.db').as_posix()}"
    other_url = f"sqlite:///{(tmp_path / 'other.db').as_posix()}"
    upgrade_database(same_url)
    upgrade_database(other_url)
    same, other = create_db_engine(same_url), create_db_engine(other_url)
    try:
        load_demo_data(same, now=NOW)
        load_demo_data(other, now=NOW, seed=1)
        assert snapshot(same) == snapshot(db_engine)
        assert snapshot(other) != snapshot(db_engine)
    finally:
        same.dispose()
        other.dispose()


def test_naive_now_is_refused(db_engine: Engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        load_demo_data(db_engine, now=datetime(2026, 3, 2, 8, 0))  # noqa: DTZ001
    assert _row_counts(db_engine) == (0, 0, 0)


def test_loading_is_fast(db_engine: Engine) -> None:
    started = time.perf_counter()
    load_demo_data(db_engine, now=NOW)
    assert time.perf_counter() - started < 2.0
