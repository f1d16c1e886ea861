"""The demo's Fjordvik in the public register: a mix of public and non-public framework
agreements, the public ones with Omfang, Bestilling, Kontakt and Doffin, and the office-supplies
agreement a citizen finds by «kontor»."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from followup.public_register import PublicQuery, Validity
from storage.demo_data import DEMO_PUBLIC_CONTACT, load_demo_data
from storage.public_register import SqlPublicRegister
from storage.tables import ContractRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_fjordvik_publishes_some_framework_agreements_and_a_citizen_finds_office_supplies(
    db_engine: Engine,
) -> None:
    load_demo_data(db_engine, now=NOW)
    today = NOW.date()
    with db_engine.connect() as conn:
        frameworks = dict(
            conn.execute(
                select(ContractRow.public, func.count())
                .where(ContractRow.contract_type == "rammeavtale")
                .group_by(ContractRow.public)
            ).all()
        )
    assert frameworks[True] > 2 * frameworks[False] > 0
    register = SqlPublicRegister(db_engine)
    everything = register.all(today)
    assert len(everything) == frameworks[True]
    assert all(
        a.scope and a.how_to_order and a.contact_email == DEMO_PUBLIC_CONTACT and a.doffin_notice
        for a in everything
    )
    assert not any(a.contact_is_personal for a in everything)
    found = register.search(PublicQuery(text="kontor"), today)
    office = [a for a in found.items if a.title == "Rammeavtale kontorrekvisita"]
    assert len(office) == 1
    agreement = register.get(office[0].reference, today)
    assert agreement == office[0]
    assert agreement is not None
    assert agreement.suppliers
    assert agreement.end_date is not None
    assert agreement.in_force
    assert "kontormateriell" in (agreement.scope or "")
    # The ones not published are nowhere.
    with db_engine.connect() as conn:
        hidden = conn.scalars(
            select(ContractRow.reference).where(
                ContractRow.contract_type == "rammeavtale", ContractRow.public.is_(False)
            )
        ).all()
    assert all(register.get(reference, today) is None for reference in hidden)
    listed = register.search(PublicQuery(validity=Validity.ALL, page_size=100), today)
    assert not set(hidden) & {a.reference for a in listed.items}
