"""Granting and revoking roles (`followup.access`), run against a unit of work kept in dicts
(`tests.fakes.FakeUnitOfWork`): who may, what is stored and audited. The verbs take the
caller's unit of work and leave the commit to the caller: each test checks that they did not
commit, and what the caller's commit then stores (a refusal leaves nothing to commit). The same
verbs on real databases, with the command line around them: tests/integration/test_access.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from followup.access import (
    AccessRefusal,
    GrantRole,
    RevokeRole,
    bootstrap_admin,
    grant_role,
    revoke_role,
)
from followup.errors import FollowUpError, InvalidInput, NotAllowed, NotFound
from followup.models import Person, Role
from tests.fakes import FakeStore, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def person(store: FakeStore, name: str, *roles: Role, upn: str | None = None) -> Person:
    made = Person(
        display_name=name.capitalize(),
        email=f"{name}@fjordvik.kommune.no",
        upn=upn,
        roles=set(roles),
    )
    store.people[made.id] = made
    return made


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def admin(store: FakeStore) -> Person:
    return person(store, "anne", Role.OWNER, Role.ADMIN)


def test_an_administrator_grants_a_role_which_the_callers_commit_stores_with_its_audit(
    store: FakeStore, admin: Person
) -> None:
    kari = person(store, "kari", Role.OWNER, upn="kari@fjordvik.onmicrosoft.com")
    cmd = GrantRole(admin.id, " <KARI@fjordvik.onmicrosoft.com> ", Role.PROCUREMENT)

    with FakeUnitOfWork(store) as uow:
        change = grant_role(cmd, uow, NOW)
        assert uow.commits == 0
        assert store.people[kari.id].roles == {Role.OWNER}, "nothing stored before the commit"
        uow.commit()

    assert change.changed
    assert change.person.id == kari.id
    assert store.people[kari.id].roles == {Role.OWNER, Role.PROCUREMENT}
    [event] = store.audit.values()
    assert (event.action, event.actor, event.entity_id, event.at) == (
        "role.granted",
        admin.id,
        kari.id,
        NOW,
    )
    assert event.before == {"roles": ["owner"]}
    assert event.after == {"roles": ["owner", "procurement"]}


def test_granting_a_role_the_person_has_writes_nothing(store: FakeStore, admin: Person) -> None:
    per = person(store, "per", Role.PROCUREMENT)

    with FakeUnitOfWork(store) as uow:
        change = grant_role(
            GrantRole(admin.id, "per@fjordvik.kommune.no", Role.PROCUREMENT), uow, NOW
        )
        assert not change.changed
        assert uow.audit.for_entity("person", per.id) == []
        assert uow.commits == 0


@pytest.mark.parametrize(
    ("target", "role", "error", "code"),
    [
        ("ola@fjordvik.kommune.no", Role.OWNER, InvalidInput, AccessRefusal.NOT_GRANTABLE),
        ("ola fjordvik", Role.PROCUREMENT, InvalidInput, AccessRefusal.BAD_ADDRESS),
        ("nils@fjordvik.kommune.no", Role.PROCUREMENT, NotFound, AccessRefusal.UNKNOWN_PERSON),
    ],
)
def test_a_refused_grant_writes_nothing(
    store: FakeStore,
    admin: Person,
    target: str,
    role: Role,
    error: type[FollowUpError],
    code: str,
) -> None:
    ola = person(store, "ola", Role.OWNER)

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(error) as refused:
            grant_role(GrantRole(admin.id, target, role), uow, NOW)
        assert refused.value.code == code
        stored = uow.people.get(ola.id)
        assert stored is not None
        assert stored.roles == {Role.OWNER}
        assert uow.audit.for_entity("person", ola.id) == []
        assert uow.commits == 0


def test_only_an_administrator_grants(store: FakeStore) -> None:
    ola = person(store, "ola", Role.OWNER, Role.PROCUREMENT)

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(NotAllowed) as refused:
            grant_role(GrantRole(ola.id, "ola@fjordvik.kommune.no", Role.ADMIN), uow, NOW)
        assert uow.portfolio.people_with_role(Role.ADMIN) == []
        assert uow.commits == 0

    assert refused.value.code == AccessRefusal.NOT_ADMIN


def test_an_administrator_revokes_another_administrator(store: FakeStore, admin: Person) -> None:
    bjorn = person(store, "bjorn", Role.ADMIN)

    with FakeUnitOfWork(store) as uow:
        change = revoke_role(
            RevokeRole(admin.id, "bjorn@fjordvik.kommune.no", Role.ADMIN), uow, NOW
        )
        assert uow.commits == 0
        uow.commit()

    assert change.changed
    assert store.people[bjorn.id].roles == set()
    assert [e.action for e in store.audit.values()] == ["role.revoked"]


def test_the_last_administrator_keeps_the_role(store: FakeStore, admin: Person) -> None:
    with FakeUnitOfWork(store) as uow:
        with pytest.raises(NotAllowed) as refused:
            revoke_role(RevokeRole(admin.id, "anne@fjordvik.kommune.no", Role.ADMIN), uow, NOW)
        assert [p.id for p in uow.portfolio.people_with_role(Role.ADMIN)] == [admin.id]
        assert uow.commits == 0

    assert refused.value.code == AccessRefusal.LAST_ADMIN


def test_procurement_by_configuration_is_not_revoked(store: FakeStore, admin: Person) -> None:
    per = person(store, "per", Role.PROCUREMENT)
    cmd = RevokeRole(
        admin.id, "per@fjordvik.kommune.no", Role.PROCUREMENT, ["PER@fjordvik.kommune.no"]
    )

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(NotAllowed) as refused:
            revoke_role(cmd, uow, NOW)
        assert [p.id for p in uow.portfolio.people_with_role(Role.PROCUREMENT)] == [per.id]
        assert uow.commits == 0

    assert refused.value.code == AccessRefusal.CONFIGURED


def test_the_first_administrator_is_made_once(store: FakeStore) -> None:
    kari = person(store, "kari", Role.OWNER)
    ola = person(store, "ola", Role.OWNER)

    with FakeUnitOfWork(store) as uow:
        made = bootstrap_admin("kari@fjordvik.kommune.no", uow, NOW)
        assert uow.commits == 0
        uow.commit()
    assert made.changed
    assert store.people[kari.id].roles == {Role.OWNER, Role.ADMIN}
    assert [e.actor for e in store.audit.values()] == ["cli"]

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(NotAllowed) as refused:
            bootstrap_admin("ola@fjordvik.kommune.no", uow, NOW)
        assert uow.commits == 0
    assert refused.value.code == AccessRefusal.ADMIN_EXISTS
    assert store.people[ola.id].roles == {Role.OWNER}
