"""Who may see what, channels, and roles granted by administrators (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from followup.access import (
    AccessRefusal,
    GrantRole,
    RevokeRole,
    RoleChange,
    bootstrap_admin,
    channel_scope,
    grant_role,
    is_procurement,
    person_scope,
    resolve_viewer,
    revoke_role,
)
from followup.errors import FollowUpError, InvalidInput, NotAllowed, NotFound
from followup.models import (
    Absence,
    Category,
    Checkpoint,
    Contract,
    ContractType,
    FollowUp,
    Person,
    Role,
)
from followup.portfolio import export_rows
from followup.views import ExportKind, ExportQuery, Scope
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def contract(reference: str, **people: str | None) -> Contract:
    return Contract(
        reference=reference,
        title=reference,
        contract_type=ContractType.SINGLE,
        category=Category.SERVICES,
        **people,
    )


# --- scopes (no database) --------------------------------------------------------------------


def test_a_scope_sees_contracts_by_owner_deputy_or_manager() -> None:
    kari = person_scope("kari")
    assert kari.sees(contract("A", owner_id="kari"))
    assert kari.sees(contract("B", owner_id="per", deputy_id="kari"))
    assert kari.sees(contract("C", owner_id="per", manager_id="kari"))
    assert not kari.sees(contract("D", owner_id="per"))
    assert Scope.everything().sees(contract("D", owner_id="per"))
    assert not Scope.nothing().sees(contract("A", owner_id="kari"))
    covering = person_scope("kari", ["per"])
    assert covering.sees(contract("D", owner_id="per"))


def test_scopes_intersect() -> None:
    both = person_scope("kari") & person_scope("liv")
    assert both.sees(contract("A", owner_id="kari", manager_id="liv"))
    assert not both.sees(contract("B", owner_id="kari"))
    assert (Scope.everything() & person_scope("kari")) == person_scope("kari")
    assert (person_scope("kari") & Scope.nothing()).is_nothing
    # A set containing another adds nothing.
    assert (person_scope("kari") & person_scope("kari", ["per"])) == person_scope("kari")


def test_procurement_by_role_or_by_configured_address() -> None:
    person = Person(display_name="Ingrid", email="Ingrid@Fjordvik.Kommune.no")
    assert not is_procurement(person)
    assert is_procurement(person, [" ingrid@fjordvik.kommune.no "])
    assert is_procurement(Person(display_name="X", roles={Role.PROCUREMENT}))
    assert not is_procurement(Person(display_name="Y", upn="y@x.no"), ["z@x.no"])


# --- viewers (database) ----------------------------------------------------------------------


def _references(uow_factory: SqlAlchemyUnitOfWorkFactory, scope: Scope) -> set[str]:
    """The contracts a scope sees, as listed by the contracts export (SQL)."""
    with uow_factory() as uow:
        rows = export_rows(uow, ExportQuery(ExportKind.KONTRAKTER, TODAY), scope)
        return {str(r[0]) for r in rows}


@pytest.fixture
def people(uow_factory: SqlAlchemyUnitOfWorkFactory) -> dict[str, Person]:
    """Kari owns K1 and K3; Per owns K2 (Liv manages it) and K4 (Kari is its deputy); Ola is
    Per's standing deputy; Ingrid is procurement; Nils has no contract."""
    with uow_factory() as uow:
        found = {
            "kari": add_person(uow, "Kari Nordmann", NOW),
            "per": add_person(uow, "Per Hansen", NOW),
            "liv": add_person(uow, "Liv Berg", NOW),
            "ola": add_person(uow, "Ola Dahl", NOW),
            "ingrid": add_person(uow, "Ingrid Haugland", NOW, roles={Role.PROCUREMENT}),
            "nils": add_person(uow, "Nils Vik", NOW),
        }
        found["per"].deputy_person_id = found["ola"].id
        uow.people.update(found["per"], NOW)
        supplier = add_supplier(uow)
        made = [
            add_contract(uow, NOW, owner=found["kari"], supplier=supplier, reference="K1"),
            add_contract(
                uow,
                NOW,
                owner=found["per"],
                supplier=supplier,
                reference="K2",
                manager_id=found["liv"].id,
            ),
            add_contract(uow, NOW, owner=found["kari"], supplier=supplier, reference="K3"),
            add_contract(
                uow,
                NOW,
                owner=found["per"],
                supplier=supplier,
                reference="K4",
                deputy_id=found["kari"].id,
            ),
        ]
        uow.commit()
    with uow_factory() as uow:
        for c in made:  # the contracts export lists contracts with follow-ups
            checkpoint = Checkpoint(
                contract_id=c.id, code="levering", title="Levering", rrule="FREQ=MONTHLY",
                dtstart=date(2026, 1, 1),
            )  # fmt: skip
            uow.checkpoints.add_many([checkpoint])
            uow.follow_ups.add_many(
                [FollowUp(checkpoint_id=checkpoint.id, contract_id=c.id, due_date=TODAY)]
            )
        uow.commit()
    return found


def test_procurement_sees_everything(
    uow_factory: SqlAlchemyUnitOfWorkFactory, people: dict[str, Person]
) -> None:
    with uow_factory() as uow:
        viewer = resolve_viewer(uow, people["ingrid"].id, TODAY)
        configured = resolve_viewer(
            uow, people["nils"].id, TODAY, procurement_addresses=["NILS.VIK@fjordvik.kommune.no"]
        )
    assert viewer.procurement
    assert viewer.scope.is_everything
    assert configured.procurement
    assert _references(uow_factory, viewer.scope) == {"K1", "K2", "K3", "K4"}


def test_an_owner_sees_own_deputy_and_managed_contracts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, people: dict[str, Person]
) -> None:
    with uow_factory() as uow:
        kari = resolve_viewer(uow, people["kari"].id, TODAY)
        liv = resolve_viewer(uow, people["liv"].id, TODAY)
    assert not kari.procurement
    assert _references(uow_factory, kari.scope) == {"K1", "K3", "K4"}
    assert _references(uow_factory, liv.scope) == {"K2"}


def test_a_deputy_sees_the_contracts_of_whom_they_cover_while_away(
    uow_factory: SqlAlchemyUnitOfWorkFactory, people: dict[str, Person]
) -> None:
    per, liv, ola = people["per"], people["liv"], people["ola"]
    with uow_factory() as uow, pytest.raises(NotAllowed):
        resolve_viewer(uow, ola.id, TODAY)  # Per is not away: Ola sees nothing
    with uow_factory() as uow:
        # Per is away; the absence names nobody: his standing deputy Ola covers.
        uow.absences.add(Absence(person_id=per.id, start=TODAY, end=TODAY + timedelta(days=3)))
        uow.commit()
    with uow_factory() as uow:
        ola_view = resolve_viewer(uow, ola.id, TODAY)
        after = resolve_viewer(uow, ola.id, TODAY + timedelta(days=3))
        with pytest.raises(NotAllowed):
            resolve_viewer(uow, ola.id, TODAY + timedelta(days=4))
    assert ola_view.covering_for == {per.id}
    assert _references(uow_factory, ola_view.scope) == {"K2", "K4"}
    assert after.covering_for == {per.id}
    with uow_factory() as uow:
        # An absence naming Liv: Liv covers, the standing deputy does not.
        for absence in uow.absences.for_people([per.id], TODAY):
            uow.absences.remove(absence.id)
        uow.absences.add(Absence(person_id=per.id, start=TODAY, end=TODAY, deputy_person_id=liv.id))
        uow.commit()
    with uow_factory() as uow:
        liv_view = resolve_viewer(uow, liv.id, TODAY)
        with pytest.raises(NotAllowed):
            resolve_viewer(uow, ola.id, TODAY)
    assert _references(uow_factory, liv_view.scope) == {"K2", "K4"}


def test_someone_who_sees_nothing_is_refused(
    uow_factory: SqlAlchemyUnitOfWorkFactory, people: dict[str, Person]
) -> None:
    with uow_factory() as uow:
        with pytest.raises(NotAllowed) as nothing:
            resolve_viewer(uow, people["nils"].id, TODAY)
        with pytest.raises(NotAllowed) as unknown:
            resolve_viewer(uow, "no-such-person", TODAY)
        with pytest.raises(NotAllowed) as anonymous:
            resolve_viewer(uow, None, TODAY)
    assert nothing.value.code == AccessRefusal.NO_CONTRACTS
    assert unknown.value.code == AccessRefusal.NOT_REGISTERED
    assert anonymous.value.code == AccessRefusal.NOT_REGISTERED


def test_a_channel_posts_only_what_every_member_may_see(
    uow_factory: SqlAlchemyUnitOfWorkFactory, people: dict[str, Person]
) -> None:
    p = {name: person.id for name, person in people.items()}
    with uow_factory() as uow:
        procurement_only = channel_scope(uow, [p["ingrid"]], TODAY)
        configured = channel_scope(
            uow, [p["ingrid"], p["nils"]], TODAY,
            procurement_addresses=["nils.vik@fjordvik.kommune.no"],
        )  # fmt: skip
        with_kari = channel_scope(uow, [p["ingrid"], p["kari"]], TODAY)
        per_and_liv = channel_scope(uow, [p["per"], p["liv"]], TODAY)
        kari_and_liv = channel_scope(uow, [p["kari"], p["liv"]], TODAY)
        guest = channel_scope(uow, [p["ingrid"]], TODAY, unresolved_members=1)
        stranger = channel_scope(uow, [p["ingrid"], "no-such-person"], TODAY)
        empty = channel_scope(uow, [], TODAY)
    assert procurement_only.is_everything
    assert configured.is_everything
    assert _references(uow_factory, with_kari) == {"K1", "K3", "K4"}
    assert _references(uow_factory, per_and_liv) == {"K2"}
    assert _references(uow_factory, kari_and_liv) == set()
    assert guest.is_nothing
    assert stranger.is_nothing
    assert empty.is_nothing
    assert _references(uow_factory, guest) == set()


# --- roles -----------------------------------------------------------------------------------


@pytest.fixture
def admin(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Person:
    with uow_factory() as uow:
        person = add_person(uow, "Anne Admin", NOW, roles={Role.ADMIN, Role.PROCUREMENT})
        add_person(uow, "Per Hansen", NOW)
        uow.commit()
    return person


def _refusal(error: pytest.ExceptionInfo[FollowUpError]) -> str | None:
    return error.value.code


def grant(
    uow_factory: SqlAlchemyUnitOfWorkFactory, *, now: datetime, **values: object
) -> RoleChange:
    with uow_factory() as uow:
        change = grant_role(GrantRole(**values), uow, now)  # type: ignore[arg-type]
        uow.commit()
    return change


def revoke(
    uow_factory: SqlAlchemyUnitOfWorkFactory, *, now: datetime, **values: object
) -> RoleChange:
    with uow_factory() as uow:
        change = revoke_role(RevokeRole(**values), uow, now)  # type: ignore[arg-type]
        uow.commit()
    return change


def bootstrap(uow_factory: SqlAlchemyUnitOfWorkFactory, target: str, now: datetime) -> RoleChange:
    with uow_factory() as uow:
        change = bootstrap_admin(target, uow, now)
        uow.commit()
    return change


def test_an_administrator_grants_and_revokes_procurement_with_audit(
    uow_factory: SqlAlchemyUnitOfWorkFactory, admin: Person
) -> None:
    granted = grant(
        uow_factory, actor_person_id=admin.id, target=" Per.Hansen@fjordvik.kommune.no ",
        role=Role.PROCUREMENT, now=NOW,
    )  # fmt: skip
    assert granted.changed
    again = grant(
        uow_factory, actor_person_id=admin.id, target="per.hansen@fjordvik.kommune.no",
        role=Role.PROCUREMENT, now=NOW,
    )  # fmt: skip
    assert not again.changed
    with uow_factory() as uow:
        per = uow.people.get(granted.person.id)
        assert per is not None
        assert per.roles == {Role.OWNER, Role.PROCUREMENT}
        events = uow.audit.for_entity("person", per.id)
    assert [(e.action, e.actor, e.before, e.after) for e in events] == [
        ("role.granted", admin.id, {"roles": ["owner"]}, {"roles": ["owner", "procurement"]}),
    ]
    revoked = revoke(
        uow_factory, actor_person_id=admin.id, target="per.hansen@fjordvik.kommune.no",
        role=Role.PROCUREMENT, now=NOW + timedelta(minutes=1),
    )  # fmt: skip
    assert revoked.changed
    with uow_factory() as uow:
        per = uow.people.get(granted.person.id)
        assert per is not None
        assert per.roles == {Role.OWNER}
        assert [e.action for e in uow.audit.for_entity("person", per.id)] == [
            "role.granted",
            "role.revoked",
        ]


def test_roles_are_refused_with_reasons(
    uow_factory: SqlAlchemyUnitOfWorkFactory, admin: Person
) -> None:
    per_address = "per.hansen@fjordvik.kommune.no"
    with uow_factory() as uow:
        per = uow.people.find_by_email_or_upn(per_address)
        assert per is not None
    cases: list[tuple[type[FollowUpError], AccessRefusal, dict[str, object]]] = [
        (NotAllowed, AccessRefusal.NOT_ADMIN, {"actor_person_id": per.id}),
        (NotAllowed, AccessRefusal.NOT_ADMIN, {"actor_person_id": "nobody"}),
        (InvalidInput, AccessRefusal.BAD_ADDRESS, {"target": "per hansen"}),
        (NotFound, AccessRefusal.UNKNOWN_PERSON, {"target": "nils@fjordvik.kommune.no"}),
        (InvalidInput, AccessRefusal.NOT_GRANTABLE, {"role": Role.OWNER}),
    ]
    for error, code, changes in cases:
        arguments: dict[str, object] = {
            "actor_person_id": admin.id,
            "target": per_address,
            "role": Role.PROCUREMENT,
            "now": NOW,
            **changes,
        }
        with pytest.raises(error) as refused:
            grant(uow_factory, **arguments)  # type: ignore[arg-type]
        assert _refusal(refused) == code, changes
    with uow_factory() as uow:
        unchanged = uow.people.get(per.id)
        assert unchanged is not None
        assert unchanged.roles == {Role.OWNER}
        assert uow.audit.for_entity("person", per.id) == []


def test_the_last_administrator_cannot_go(
    uow_factory: SqlAlchemyUnitOfWorkFactory, admin: Person
) -> None:
    assert admin.email is not None
    with pytest.raises(NotAllowed) as refused:
        revoke(uow_factory, actor_person_id=admin.id, target=admin.email, role=Role.ADMIN, now=NOW)
    assert refused.value.code == AccessRefusal.LAST_ADMIN
    second = grant(
        uow_factory, actor_person_id=admin.id, target="per.hansen@fjordvik.kommune.no",
        role=Role.ADMIN, now=NOW,
    )  # fmt: skip
    # With two, one may step down (also by their own hand); then the other is the last.
    revoke(uow_factory, actor_person_id=admin.id, target=admin.email, role=Role.ADMIN, now=NOW)
    with pytest.raises(NotAllowed) as refused:
        revoke(
            uow_factory, actor_person_id=second.person.id,
            target="per.hansen@fjordvik.kommune.no", role=Role.ADMIN, now=NOW,
        )  # fmt: skip
    assert refused.value.code == AccessRefusal.LAST_ADMIN
    with pytest.raises(NotAllowed) as refused:
        grant(uow_factory, actor_person_id=admin.id, target=admin.email, role=Role.ADMIN, now=NOW)
    assert refused.value.code == AccessRefusal.NOT_ADMIN


def test_procurement_from_configuration_is_not_revoked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, admin: Person
) -> None:
    target = "per.hansen@fjordvik.kommune.no"
    grant(uow_factory, actor_person_id=admin.id, target=target, role=Role.PROCUREMENT, now=NOW)
    with pytest.raises(NotAllowed) as refused:
        revoke(
            uow_factory, actor_person_id=admin.id, target=target, role=Role.PROCUREMENT,
            now=NOW, procurement_addresses=["PER.HANSEN@fjordvik.kommune.no"],
        )  # fmt: skip
    assert refused.value.code == AccessRefusal.CONFIGURED


def test_the_first_administrator_comes_from_the_command_line(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        add_person(uow, "Per Hansen", NOW)
        uow.commit()
    made = bootstrap(uow_factory, "per.hansen@fjordvik.kommune.no", NOW)
    assert made.person.roles == {Role.OWNER, Role.ADMIN}
    with uow_factory() as uow:
        assert [p.id for p in uow.portfolio.people_with_role(Role.ADMIN)] == [made.person.id]
        assert uow.audit.for_entity("person", made.person.id)[0].actor == "cli"
    with pytest.raises(NotAllowed) as refused:
        bootstrap(uow_factory, "per.hansen@fjordvik.kommune.no", NOW)
    assert refused.value.code == AccessRefusal.ADMIN_EXISTS
