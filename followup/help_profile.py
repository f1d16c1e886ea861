"""Who asks for help, and contracts of their own to show as examples.

`hjelp` is answered by role: a contract owner (or manager, or deputy) sees the commands of their
own follow-up with their own contract numbers in the examples; the procurement team sees its
questions with contracts from the portfolio; someone the register does not know is told how to
get registered. `help_profile` reads the person and, when asked for examples, one query more:
the person's own contracts, or for procurement the first contracts followed up, a few
columns of at most `MAX_EXAMPLES` (`ContractRepository.example_references`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from followup.access import is_procurement
from followup.conversations import identify
from followup.models import Role

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

MAX_EXAMPLES: Final = 5
"""Contracts read for procurement's examples (the first active one with a unit names a unit)."""


@dataclass(frozen=True, slots=True)
class ContractExample:
    """A contract to show in an example: `status KOM-2025-0147`, `forfalt Oppvekst`."""

    reference: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class HelpProfile:
    """What help needs to know about the asker."""

    registered: bool = False
    """The register knows the person (by Entra object id or Teams user id)."""
    procurement: bool = False
    admin: bool = False
    examples: tuple[ContractExample, ...] = ()
    """The person's own contracts (active first), or for procurement the portfolio's first;
    empty when none, or when not asked for."""
    unreachable: bool = False
    """The bot could not reach the person (403/404), or may not have (the person was found by
    Entra id, not by the sender's Teams id): the turn marks the sender reachable again."""

    @property
    def owner(self) -> bool:
        """Owner, manager or deputy of a contract (known only when examples were read)."""
        return bool(self.examples) and not self.procurement

    @property
    def reference(self) -> str | None:
        return self.examples[0].reference if self.examples else None

    @property
    def unit(self) -> str | None:
        return next((e.unit for e in self.examples if e.unit), None)


UNKNOWN: Final = HelpProfile()


def help_profile(
    uow: UnitOfWork,
    teams_user_id: str | None,
    entra_object_id: str | None,
    *,
    procurement_addresses: Collection[str] = (),
    with_examples: bool = True,
) -> HelpProfile:
    """The asker's roles, and (`with_examples`) contracts to use as examples: one query after
    the person's own."""
    person = identify(uow, teams_user_id, entra_object_id)
    if person is None:
        return UNKNOWN
    procurement = is_procurement(person, procurement_addresses)
    examples: tuple[ContractExample, ...] = ()
    if with_examples:
        found = uow.contracts.example_references(None if procurement else person.id, MAX_EXAMPLES)
        examples = tuple(ContractExample(reference, unit) for reference, unit in found)
    return HelpProfile(
        registered=True,
        procurement=procurement,
        admin=Role.ADMIN in person.roles,
        examples=examples,
        unreachable=person.unreachable or person.teams_user_id != teams_user_id,
    )
