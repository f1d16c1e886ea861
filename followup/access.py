"""Who may see what of the portfolio, and who may hand out roles.

- **Procurement** (*innkjøp*) sees the whole portfolio. A person is procurement when their
  e-mail or UPN is in the configuration (`procurement_addresses`, the bot passes
  `settings.procurement_members`), or when they have `Role.PROCUREMENT` (from the import, from
  configuration on their first message, or granted by an administrator with `grant_role`).
- **Anyone else** sees the contracts where they are owner, deputy or manager, and, while an
  owner is away, that owner's contracts when they cover: named as the absence's deputy, or as
  the owner's standing deputy when the absence names nobody. Someone who sees no contract at all
  is refused (`AccessRefusal.NO_CONTRACTS`).
- **A channel** posts only what every member may see (`channel_scope`): everything when all
  members are procurement; otherwise only the contracts every member who is not procurement
  may see.

What one may see is a `Scope`, which every portfolio query takes and applies in SQL (a WHERE
on the contract's owner, deputy and manager), so nothing outside it is ever read into Python.

Roles are granted and revoked by administrators only (`Role.ADMIN`); each change is an audit
event. The first administrator is made from the command line with `bootstrap_admin`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import AuditEvent, Person, Role
from followup.views import Scope

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

MAX_ADDRESS: Final = 320
GRANTABLE_ROLES: Final = frozenset({Role.PROCUREMENT, Role.ADMIN})
"""`Role.OWNER` is not granted: it follows from the contract register."""
COMMAND_LINE_ACTOR: Final = "cli"


class AccessRefusal(StrEnum):
    """Reason codes of refusals (`FollowUpError.code`), for the edge's text catalogue."""

    NOT_REGISTERED = "access.not_registered"
    """The person is not known to the bot (NotAllowed)."""
    NO_CONTRACTS = "access.no_contracts"
    """Not procurement, and owner, deputy or manager of no contract (NotAllowed)."""
    NOT_ADMIN = "role.not_admin"
    """Only an administrator may grant or revoke roles (NotAllowed)."""
    BAD_ADDRESS = "role.bad_address"
    """The target is not an e-mail address or UPN (InvalidInput)."""
    UNKNOWN_PERSON = "role.unknown_person"
    """Nobody with that e-mail or UPN (NotFound)."""
    NOT_GRANTABLE = "role.not_grantable"
    """`owner` comes from the contract register and is neither granted nor revoked
    (InvalidInput)."""
    LAST_ADMIN = "role.last_admin"
    """Revoking the last administrator's role would leave nobody to grant roles (NotAllowed)."""
    CONFIGURED = "role.configured"
    """The person is procurement by configuration (`PROCUREMENT_MEMBERS`): revoking the role
    would not last; remove the address from the configuration instead (NotAllowed)."""
    ADMIN_EXISTS = "role.admin_exists"
    """`bootstrap_admin` only makes the first administrator (NotAllowed)."""


# --- scopes (`Scope` and `CoverFact` are in `followup.views`) ---------------------------------


def covering_today(
    uow: UnitOfWork, person_ids: Collection[str], today: date
) -> Mapping[str, frozenset[str]]:
    """For each of these people, the owners away today whom they cover."""
    found: dict[str, set[str]] = {}
    for fact in uow.portfolio.absences_covered_by(person_ids, today):
        deputy = fact.deputy_id
        if deputy is not None and deputy in person_ids and deputy != fact.owner_id:
            found.setdefault(deputy, set()).add(fact.owner_id)
    return {person_id: frozenset(owners) for person_id, owners in found.items()}


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person asking about the portfolio, and what they may see."""

    person: Person
    procurement: bool
    covering_for: frozenset[str]
    """Owners away today whose contracts this person covers."""
    scope: Scope


def is_procurement(person: Person, procurement_addresses: Collection[str] = ()) -> bool:
    """Procurement by role or by configuration (addresses compared without case)."""
    return Role.PROCUREMENT in person.roles or _configured(person, procurement_addresses)


def _configured(person: Person, procurement_addresses: Collection[str]) -> bool:
    configured = {a.strip().lower() for a in procurement_addresses}
    return any(a and a.lower() in configured for a in (person.email, person.upn))


def person_scope(person_id: str, covering_for: Iterable[str] = ()) -> Scope:
    return Scope.of_people({person_id, *covering_for})


def resolve_viewer(
    uow: UnitOfWork,
    person_id: str | None,
    today: date,
    *,
    procurement_addresses: Collection[str] = (),
) -> Viewer:
    """What `person_id` may see today; refuses (NotAllowed) unknown people and people who
    see no contract."""
    person = uow.people.get(person_id) if person_id else None
    if person is None:
        raise NotAllowed("not registered", code=AccessRefusal.NOT_REGISTERED)
    if is_procurement(person, procurement_addresses):
        return Viewer(person, True, frozenset(), Scope.everything())
    covering = covering_today(uow, {person.id}, today).get(person.id, frozenset())
    scope = person_scope(person.id, covering)
    if not uow.portfolio.any_visible(scope):
        raise NotAllowed("no contracts", code=AccessRefusal.NO_CONTRACTS)
    return Viewer(person, False, frozenset(covering), scope)


def channel_scope(
    uow: UnitOfWork,
    member_person_ids: Collection[str],
    today: date,
    *,
    procurement_addresses: Collection[str] = (),
    unresolved_members: int = 0,
) -> Scope:
    """What may be posted in a channel: what every member may see.

    `member_person_ids` are the members the bot knows as people; `unresolved_members` counts
    the others (guests, people not yet registered): they may see nothing, so neither may the
    channel. All members procurement: everything.
    """
    ids = set(member_person_ids)
    if unresolved_members > 0 or not ids:
        return Scope.nothing()
    people = uow.people.get_many(ids)
    if len(people) < len(ids):
        return Scope.nothing()
    others = [p.id for p in people.values() if not is_procurement(p, procurement_addresses)]
    if not others:
        return Scope.everything()
    covering = covering_today(uow, set(others), today)
    scope = Scope.everything()
    for person_id in sorted(others):
        scope = scope & person_scope(person_id, covering.get(person_id, frozenset()))
    return scope


# --- roles -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleChange:
    person: Person
    role: Role
    changed: bool
    """False when the person already had (or already lacked) the role: nothing was written."""


@dataclass(frozen=True, slots=True)
class GrantRole:
    """The administrator `actor_person_id` gives the person with e-mail or UPN `target` the
    role."""

    actor_person_id: str
    target: str
    role: Role


@dataclass(frozen=True, slots=True)
class RevokeRole:
    """The administrator `actor_person_id` takes the role from the person with e-mail or UPN
    `target`; `procurement_addresses` are those procurement by configuration."""

    actor_person_id: str
    target: str
    role: Role
    procurement_addresses: Collection[str] = ()


def grant_role(cmd: GrantRole, uow: UnitOfWork, now: datetime) -> RoleChange:
    """An administrator gives the person with e-mail or UPN `target` the role. The caller
    commits."""
    role = cmd.role
    _check_grantable(role)
    _require_admin(uow, cmd.actor_person_id)
    person = _person_by_address(uow, cmd.target)
    if role in person.roles:
        return RoleChange(person, role, changed=False)
    _set_roles(uow, person, person.roles | {role}, cmd.actor_person_id, "role.granted", now)
    return RoleChange(person, role, changed=True)


def revoke_role(cmd: RevokeRole, uow: UnitOfWork, now: datetime) -> RoleChange:
    """An administrator takes the role from the person with e-mail or UPN `target` (also from
    themselves, unless they are the last administrator). The caller commits."""
    role = cmd.role
    _check_grantable(role)
    _require_admin(uow, cmd.actor_person_id)
    person = _person_by_address(uow, cmd.target)
    if role not in person.roles:
        return RoleChange(person, role, changed=False)
    if role is Role.PROCUREMENT and _configured(person, cmd.procurement_addresses):
        raise NotAllowed("procurement by configuration", code=AccessRefusal.CONFIGURED)
    if role is Role.ADMIN:
        # Locked (PostgreSQL: FOR UPDATE): two administrators revoking each other at once
        # cannot both pass this check.
        admins = uow.portfolio.people_with_role(Role.ADMIN, lock=True)
        if {a.id for a in admins} <= {person.id}:
            raise NotAllowed("last administrator", code=AccessRefusal.LAST_ADMIN)
    _set_roles(uow, person, person.roles - {role}, cmd.actor_person_id, "role.revoked", now)
    return RoleChange(person, role, changed=True)


def bootstrap_admin(target: str, uow: UnitOfWork, now: datetime) -> RoleChange:
    """Make the person with e-mail or UPN `target` the first administrator (from the command
    line, on the server). Refused once any administrator exists: from then on, administrators
    grant roles with `grant_role`. The caller commits."""
    if uow.portfolio.people_with_role(Role.ADMIN, lock=True):
        raise NotAllowed("an administrator exists", code=AccessRefusal.ADMIN_EXISTS)
    person = _person_by_address(uow, target)
    roles = person.roles | {Role.ADMIN}
    _set_roles(uow, person, roles, COMMAND_LINE_ACTOR, "role.granted", now)
    return RoleChange(person, Role.ADMIN, changed=True)


def _check_grantable(role: Role) -> None:
    if role not in GRANTABLE_ROLES:
        raise InvalidInput("role not grantable", code=AccessRefusal.NOT_GRANTABLE, role=role.value)


def _require_admin(uow: UnitOfWork, actor_person_id: str) -> Person:
    actor = uow.people.get(actor_person_id)
    if actor is None or Role.ADMIN not in actor.roles:
        raise NotAllowed("administrators only", code=AccessRefusal.NOT_ADMIN)
    return actor


def _person_by_address(uow: UnitOfWork, address: str) -> Person:
    cleaned = address.strip().strip("<>").strip().lower()
    if cleaned.startswith("mailto:"):
        cleaned = cleaned.removeprefix("mailto:")
    if "@" not in cleaned or len(cleaned) > MAX_ADDRESS or any(ch.isspace() for ch in cleaned):
        raise InvalidInput("not an address", code=AccessRefusal.BAD_ADDRESS, address=address)
    person = uow.people.find_by_email_or_upn(cleaned)
    if person is None:
        raise NotFound("no such person", code=AccessRefusal.UNKNOWN_PERSON, address=cleaned)
    return person


def _set_roles(
    uow: UnitOfWork, person: Person, roles: set[Role], actor: str, action: str, now: datetime
) -> None:
    before = sorted(r.value for r in person.roles)
    person.roles = roles
    uow.people.update(person, now)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=actor,
            action=action,
            entity="person",
            entity_id=person.id,
            before={"roles": before},
            after={"roles": sorted(r.value for r in roles)},
        )
    )


__all__ = [
    "GRANTABLE_ROLES",
    "AccessRefusal",
    "GrantRole",
    "RevokeRole",
    "RoleChange",
    "Viewer",
    "bootstrap_admin",
    "channel_scope",
    "covering_today",
    "grant_role",
    "is_procurement",
    "person_scope",
    "resolve_viewer",
    "revoke_role",
]


CHANNEL_SEES_NOTHING: Final = "portfolio.channel_nothing"
"""Reason code: the asker and every member of the channel together may see nothing."""
CHANNEL_MEMBERS_UNKNOWN: Final = "portfolio.channel_members_unknown"
"""Reason code: the channel's members could not be read from Teams, so nothing is shown there."""


def scope_in_channel(
    uow: UnitOfWork,
    viewer: Viewer,
    member_person_ids: Collection[str],
    today: date,
    *,
    procurement_addresses: Collection[str] = (),
    unresolved_members: int = 0,
) -> Scope:
    """What may be shown to `viewer` in a channel: what they may see that every member may
    see too (`channel_scope`). Refuses (NotAllowed, `CHANNEL_SEES_NOTHING`) when that is
    nothing."""
    seen = channel_scope(
        uow,
        member_person_ids,
        today,
        procurement_addresses=procurement_addresses,
        unresolved_members=unresolved_members,
    )
    scope = viewer.scope & seen
    if scope.is_nothing:
        raise NotAllowed("the channel may see nothing", code=CHANNEL_SEES_NOTHING)
    return scope


def reader_scope(
    uow: UnitOfWork,
    person_id: str | None,
    today: date,
    *,
    procurement_addresses: Collection[str] = (),
    channel_member_ids: Collection[str] | None = None,
    unresolved_members: int = 0,
) -> Scope:
    """What may be shown to `person_id` where they ask, by the rule of `status`: in a 1:1 chat
    (`channel_member_ids` None) what they may see (`resolve_viewer`); in a channel or group chat
    (its members given) only what every member may see too (`scope_in_channel`).

    Refuses (NotAllowed) as those do: someone not registered, someone who sees no contract, a
    channel that may see nothing (a guest among its members)."""
    viewer = resolve_viewer(uow, person_id, today, procurement_addresses=procurement_addresses)
    if channel_member_ids is None:
        return viewer.scope
    return scope_in_channel(
        uow,
        viewer,
        channel_member_ids,
        today,
        procurement_addresses=procurement_addresses,
        unresolved_members=unresolved_members,
    )


def hidden_from_channel(
    uow: UnitOfWork,
    contract_ids: Iterable[str],
    member_person_ids: Collection[str],
    today: date,
    *,
    procurement_addresses: Collection[str] = (),
    unresolved_members: int = 0,
) -> list[str]:
    """The contracts of `contract_ids` that not every member of a channel may see
    (`channel_scope`), in the order given: all of them when a member is not in the register (a
    guest) or the channel has no member the bot knows. A contract no longer in the register
    counts as hidden."""
    wanted = list(dict.fromkeys(contract_ids))
    scope = channel_scope(
        uow,
        member_person_ids,
        today,
        procurement_addresses=procurement_addresses,
        unresolved_members=unresolved_members,
    )
    if scope.is_nothing:
        return wanted
    contracts = uow.contracts.get_many(wanted) if wanted else {}
    return [c for c in wanted if c not in contracts or not scope.sees(contracts[c])]
