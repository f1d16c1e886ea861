"""Who asks for help, read from the register on SQLite and PostgreSQL: an owner's own contracts
(active first) and procurement's first contracts followed up, as examples; the person alone when
no examples are wanted; nobody for a stranger. The examples cost one SQL statement after the
person's own (a later issue counts the statements of a turn)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from followup.help_profile import UNKNOWN, ContractExample, HelpProfile, help_profile
from followup.models import Person, Role
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person
from tests.portfolio_world import NOW, World, build_world


def _known(uow_factory: SqlAlchemyUnitOfWorkFactory, world: World) -> dict[str, Person]:
    """The world's people with a Teams user id and an Entra object id each (as the bot stores
    them on their first message), and Siri, registered with no contract."""
    people: dict[str, Person] = {}
    with uow_factory() as uow:
        siri = add_person(uow, "Siri Dahl", NOW, roles=set())
        for name, person in (
            ("ingrid", world.procurement),
            ("kari", world.kari),
            ("liv", world.liv),
            ("ola", world.ola),
            ("siri", siri),
        ):
            known = person.model_copy(
                update={"teams_user_id": f"29:{name}", "entra_object_id": f"aad-{name}"}
            )
            if name == "ingrid":
                known.roles = {Role.PROCUREMENT, Role.ADMIN}
            uow.people.update(known, NOW)
            people[name] = known
        uow.commit()
    return people


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, name: str, *, with_examples: bool = True
) -> HelpProfile:
    with uow_factory() as uow:
        return help_profile(uow, f"29:{name}", f"aad-{name}", with_examples=with_examples)


def test_who_asks_and_their_examples(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine
) -> None:
    world = build_world(uow_factory)
    _known(uow_factory, world)

    kari = _asked(uow_factory, "kari")
    # KOM-3 has expired: the active contract comes first.
    assert kari.examples == (ContractExample("KOM-1", "Oppvekst"), ContractExample("KOM-3"))
    assert (kari.registered, kari.procurement, kari.admin, kari.owner) == (
        True, False, False, True,
    )  # fmt: skip
    assert kari.reference == "KOM-1"
    assert kari.unit == "Oppvekst"
    # A manager's contracts are theirs to follow up too.
    assert _asked(uow_factory, "liv").examples == (ContractExample("KOM-2", "Helse"),)

    ingrid = _asked(uow_factory, "ingrid")
    assert (ingrid.procurement, ingrid.admin, ingrid.owner) == (True, True, False)
    # Active contracts with follow-ups, by reference: not KOM-3 (expired) nor KOM-4 (no plan).
    assert [e.reference for e in ingrid.examples] == ["KOM-1", "KOM-2", "KOM-5"]
    assert ingrid.unit == "Oppvekst"

    siri = _asked(uow_factory, "siri")
    assert (siri.registered, siri.examples, siri.owner) == (True, (), False)
    assert _asked(uow_factory, "nobody") == UNKNOWN
    with uow_factory() as uow:
        assert help_profile(uow, None, None) == UNKNOWN


def test_examples_cost_one_statement_after_the_person(
    uow_factory: SqlAlchemyUnitOfWorkFactory, db_engine: Engine
) -> None:
    world = build_world(uow_factory)
    _known(uow_factory, world)
    for name in ("kari", "ingrid"):
        with _statements(db_engine) as alone:
            _asked(uow_factory, name, with_examples=False)
        with _statements(db_engine) as with_examples:
            _asked(uow_factory, name)
        selects = [s for s in with_examples if s.lstrip().upper().startswith("SELECT")]
        assert len(with_examples) == len(alone) + 1, (name, with_examples)
        assert len(selects) == 2, (name, selects)
