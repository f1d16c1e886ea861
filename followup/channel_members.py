"""The people behind a channel's (or group chat's) members, for `followup.access.channel_scope`.

Teams lists a conversation's members with their Teams user id, Entra object id, e-mail and
UPN. A member is the registered person with that e-mail or UPN (one query for all of them), or
else with that Entra object id or Teams user id. Members the register does not know (guests,
people who never talked to the bot and are not in the register) are counted, not named: a
channel with any of them may be shown nothing (`channel_scope`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from followup.access import channel_scope
from followup.conversations import identify
from followup.models import Person
from followup.views import Scope

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

MAX_MEMBERS: Final = 10_000
"""A bigger roster is not looked at: every member counts as unknown."""
BOT_ID_PREFIX: Final = "28:"
"""Teams ids of bots: never people."""


@dataclass(frozen=True, slots=True)
class ChannelMember:
    teams_user_id: str | None
    entra_object_id: str | None = None
    email: str | None = None
    upn: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelPeople:
    person_ids: frozenset[str]
    """The members the register knows, as person ids."""
    unresolved: int
    """Members it does not know."""


def people_in_channel(uow: UnitOfWork, members: Sequence[ChannelMember]) -> ChannelPeople:
    """The registered people among `members` (bots left out), and how many are unknown."""
    humans = [m for m in members if not (m.teams_user_id or "").startswith(BOT_ID_PREFIX)]
    if len(humans) > MAX_MEMBERS:
        return ChannelPeople(frozenset(), len(humans))
    addresses = {a.strip().lower() for m in humans for a in (m.email, m.upn) if a and a.strip()}
    by_address = uow.people.by_addresses(addresses) if addresses else {}
    found: set[str] = set()
    unresolved = 0
    for member in humans:
        person = _by_address(member, by_address) or identify(
            uow, member.teams_user_id, member.entra_object_id
        )
        if person is None:
            unresolved += 1
        else:
            found.add(person.id)
    return ChannelPeople(frozenset(found), unresolved)


def _by_address(member: ChannelMember, by_address: Mapping[str, Person]) -> Person | None:
    for address in (member.email, member.upn):
        if address and (person := by_address.get(address.strip().lower())) is not None:
            return person
    return None


__all__ = ["ChannelMember", "ChannelPeople", "people_in_channel"]


def members_scope(
    uow: UnitOfWork,
    members: Sequence[ChannelMember],
    today: date,
    procurement_addresses: Collection[str],
) -> Scope:
    """What every member may see; a member the register does not know sees nothing."""
    people = people_in_channel(uow, members)
    return channel_scope(
        uow,
        people.person_ids,
        today,
        procurement_addresses=procurement_addresses,
        unresolved_members=people.unresolved,
    )
