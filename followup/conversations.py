"""Services for who the bot can reach: Teams identities, conversation references, channels.

Services are verbs that take a command, a unit of work and `now`, and return domain objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from followup.models import AuditEvent, ConversationKind, ConversationRef, Person, Role
from followup.ports import UnitOfWork

MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class TeamsIdentity:
    """Who a Teams user is, from the activity and the Bot Connector's member lookup."""

    teams_user_id: str
    display_name: str | None = None
    entra_object_id: str | None = None
    email: str | None = None
    upn: str | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class RecordConversation:
    """Remember where the bot can reach a person (personal chat) or a channel."""

    conversation_id: str
    kind: ConversationKind
    tenant_id: str | None
    service_url: str
    channel_id: str
    bot_id: str
    bot_name: str | None = None
    identity: TeamsIdentity | None = None
    team_id: str | None = None
    team_name: str | None = None
    register_as_procurement_channel: bool = False


@dataclass(frozen=True, slots=True)
class RecordedConversation:
    ref: ConversationRef
    person: Person | None
    person_is_new: bool
    reference_is_new: bool
    contracts_owned: int = 0
    roles: frozenset[Role] = field(default_factory=frozenset)


def _clean(text: str | None, limit: int = MAX_NAME) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())[:limit]
    return text or None


def _norm_address(text: str | None) -> str | None:
    cleaned = _clean(text, 320)
    return cleaned.lower() if cleaned and "@" in cleaned else None


def register_teams_identity(
    identity: TeamsIdentity, uow: UnitOfWork, now: datetime, procurement_addresses: frozenset[str]
) -> tuple[Person, bool]:
    """Create or update the person behind a Teams identity; match the register by e-mail or UPN.

    Returns the person and whether it was created. Roles from configuration
    (`procurement_addresses`) are added, never removed here.
    """
    email = _norm_address(identity.email)
    upn = _norm_address(identity.upn)
    person = None
    if identity.entra_object_id:
        person = uow.people.find_by_entra_id(identity.entra_object_id)
    for address in (email, upn):
        if person is None and address:
            person = uow.people.find_by_email_or_upn(address)
    created = person is None
    if person is None:
        person = Person(display_name=_clean(identity.display_name) or email or upn or "Ukjent")
    before = person.model_dump(mode="json")
    person.teams_user_id = identity.teams_user_id
    if identity.entra_object_id:
        person.entra_object_id = identity.entra_object_id
    if identity.display_name and _clean(identity.display_name):
        person.display_name = _clean(identity.display_name) or person.display_name
    if email and not person.email:
        person.email = email
    if upn and not person.upn:
        person.upn = upn
    if identity.locale:
        person.locale = identity.locale[:16]
    if procurement_addresses & {a for a in (email, upn, person.email, person.upn) if a}:
        person.roles = person.roles | {Role.PROCUREMENT}
    person.unreachable = False
    after = person.model_dump(mode="json")
    if created:
        uow.people.add(person, now)
    elif after != before:
        uow.people.update(person, now)
    if created or after != before:
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=f"teams:{identity.teams_user_id}",
                action="person.created" if created else "person.updated",
                entity="person",
                entity_id=person.id,
                before=None if created else before,
                after=after,
            )
        )
    return person, created


def record_conversation(
    cmd: RecordConversation,
    uow: UnitOfWork,
    now: datetime,
    procurement_addresses: frozenset[str] = frozenset(),
) -> RecordedConversation:
    """Store (or refresh) a conversation reference and the person behind a personal chat."""
    person: Person | None = None
    person_is_new = False
    user_id = (
        cmd.identity.teams_user_id
        if cmd.kind is ConversationKind.PERSONAL and cmd.identity
        else None
    )
    if cmd.kind is ConversationKind.PERSONAL and cmd.identity is not None:
        person, person_is_new = register_teams_identity(
            cmd.identity, uow, now, procurement_addresses
        )
    existing = uow.conversations.find(cmd.conversation_id, user_id)
    ref = existing or ConversationRef(
        conversation_id=cmd.conversation_id,
        kind=cmd.kind,
        tenant_id=cmd.tenant_id,
        service_url=cmd.service_url,
        channel_id=cmd.channel_id,
        bot_id=cmd.bot_id,
        updated_at=now,
    )
    ref.kind = cmd.kind
    ref.tenant_id = cmd.tenant_id
    ref.service_url = cmd.service_url
    ref.channel_id = cmd.channel_id
    ref.bot_id = cmd.bot_id
    ref.bot_name = _clean(cmd.bot_name)
    ref.user_id = user_id
    ref.aad_object_id = cmd.identity.entra_object_id if cmd.identity and user_id else None
    ref.person_id = person.id if person else ref.person_id
    ref.team_id = cmd.team_id or ref.team_id
    ref.team_name = _clean(cmd.team_name, 300) or ref.team_name
    if cmd.register_as_procurement_channel:
        ref.is_procurement_channel = True
    ref.updated_at = now
    uow.conversations.save(ref)
    if existing is None:
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=f"teams:{user_id or cmd.conversation_id}",
                action=(
                    "channel.registered" if ref.is_procurement_channel else "conversation.installed"
                ),
                entity="conversation",
                entity_id=ref.id,
                after=ref.model_dump(mode="json"),
            )
        )
    owned = uow.people.count_contracts_owned(person.id) if person else 0
    return RecordedConversation(
        ref=ref,
        person=person,
        person_is_new=person_is_new,
        reference_is_new=existing is None,
        contracts_owned=owned,
        roles=frozenset(person.roles) if person else frozenset(),
    )


def mark_reachable(teams_user_id: str, uow: UnitOfWork, now: datetime) -> bool:
    """Someone the bot could not reach (403/404) wrote to it again: reachable again. True when
    that changed something (the caller commits)."""
    person = uow.people.find_by_teams_user_id(teams_user_id)
    if person is None or not person.unreachable:
        return False
    person.unreachable = False
    uow.people.update(person, now)
    return True


def forget_conversation(conversation_id: str, actor: str, uow: UnitOfWork, now: datetime) -> int:
    """The app was uninstalled or the bot removed: drop every reference to the conversation."""
    removed = uow.conversations.remove_conversation(conversation_id)
    if removed:
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=actor,
                action="conversation.removed",
                entity="conversation",
                entity_id=conversation_id,
            )
        )
    return removed


def identify(
    uow: UnitOfWork, teams_user_id: str | None, entra_object_id: str | None
) -> Person | None:
    """The registered person behind a Teams sender, by Entra object id, then Teams user id."""
    if entra_object_id:
        person = uow.people.find_by_entra_id(entra_object_id)
        if person is not None:
            return person
    if teams_user_id:
        return uow.people.find_by_teams_user_id(teams_user_id)
    return None
