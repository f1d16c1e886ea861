"""Services for who the bot can reach: Teams identities, conversation references, channels.

Services are verbs that take a command, a unit of work and `now`, and return domain objects.

**Procurement channels.** A channel the bot meets (it is added to a team, or @mentioned there)
is stored as a conversation it can answer in, never as a procurement channel: a team such as
«Alle ansatte», with external guests, added by someone with no role, must not receive alerts.
A member of the procurement team makes a channel a procurement channel, and takes it back, with
`set_procurement_channel` (`innkjøpskanal på | av` in the channel); each change is an audit
event (who, when). A thread of a channel is the channel: `19:…@thread.tacv2;messageid=…` is
stored as `19:…@thread.tacv2` (`channel_conversation_id`), one row per channel. What may be
posted there is decided when it is sent (`followup.reminders.channel_guard`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from followup.access import is_procurement
from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import AuditEvent, ConversationKind, ConversationRef, Person, Role
from followup.ports import UnitOfWork

MAX_NAME = 200
THREAD_SUFFIX = ";messageid="


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


@dataclass(frozen=True, slots=True)
class RecordedConversation:
    ref: ConversationRef
    person: Person | None
    person_is_new: bool
    reference_is_new: bool
    contracts_owned: int = 0
    roles: frozenset[Role] = field(default_factory=frozenset)


def channel_conversation_id(conversation_id: str) -> str:
    """A channel's conversation id without the thread: Teams gives a message in a channel's
    thread the id `19:…@thread.tacv2;messageid=1234`, and a thread is the channel."""
    return conversation_id.split(THREAD_SUFFIX, 1)[0]


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
    """Store (or refresh) a conversation reference and the person behind a personal chat. A
    channel is stored by its id without the thread, and never becomes a procurement channel
    here (see `set_procurement_channel`)."""
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
    conversation_id = (
        cmd.conversation_id
        if cmd.kind is ConversationKind.PERSONAL
        else channel_conversation_id(cmd.conversation_id)
    )
    existing = uow.conversations.find(conversation_id, user_id)
    ref = existing or ConversationRef(
        conversation_id=conversation_id,
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
    ref.updated_at = now
    uow.conversations.save(ref)
    if existing is None:
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=f"teams:{user_id or conversation_id}",
                action="conversation.installed",
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
    """The app was uninstalled or the bot removed: drop every reference to the conversation
    (of a channel, also the one stored without the thread)."""
    removed = uow.conversations.remove_conversation(conversation_id)
    channel = channel_conversation_id(conversation_id)
    if channel != conversation_id:
        removed += uow.conversations.remove_conversation(channel)
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


# --- procurement channels ------------------------------------------------------------------------


class ChannelRefusal(StrEnum):
    """Reason codes of `set_procurement_channel`'s refusals, for the edge's text catalogue."""

    NOT_PROCUREMENT = "channel.not_procurement"
    """Only a member of the procurement team registers or removes a channel (NotAllowed)."""
    NOT_A_CHANNEL = "channel.not_a_channel"
    """Only a channel of a team can be one: not a personal or group chat (InvalidInput)."""
    UNKNOWN = "channel.unknown"
    """The bot has not stored the channel (it was removed from the team) (NotFound)."""


@dataclass(frozen=True, slots=True)
class SetProcurementChannel:
    """The person `actor_person_id` makes the conversation `conversation_id` (a channel, or a
    thread of it) a procurement channel (`on`), or no longer one; `procurement_addresses` are
    those procurement by configuration."""

    actor_person_id: str
    conversation_id: str
    kind: ConversationKind
    on: bool
    procurement_addresses: Collection[str] = ()


@dataclass(frozen=True, slots=True)
class ProcurementChannelChange:
    ref: ConversationRef
    changed: bool
    """False when the channel already was (or already was not) one: nothing was written."""


def set_procurement_channel(
    cmd: SetProcurementChannel, uow: UnitOfWork, now: datetime
) -> ProcurementChannelChange:
    """A member of the procurement team registers a channel for deviation alerts, escalations
    and weekly summaries, or removes it; audited (`channel.procurement_on` / `_off`, actor
    `person:<id>`). Refuses (`ChannelRefusal`) anyone else, anything but a channel, and a channel
    the bot has not stored. The caller commits."""
    actor = uow.people.get(cmd.actor_person_id)
    if actor is None or not is_procurement(actor, cmd.procurement_addresses):
        raise NotAllowed("procurement only", code=ChannelRefusal.NOT_PROCUREMENT)
    if cmd.kind is not ConversationKind.CHANNEL:
        raise InvalidInput("not a channel", code=ChannelRefusal.NOT_A_CHANNEL)
    ref = uow.conversations.find(channel_conversation_id(cmd.conversation_id), None)
    if ref is None or ref.kind is not ConversationKind.CHANNEL:
        raise NotFound("channel not stored", code=ChannelRefusal.UNKNOWN)
    if ref.is_procurement_channel == cmd.on:
        return ProcurementChannelChange(ref, changed=False)
    before = ref.is_procurement_channel
    ref.is_procurement_channel = cmd.on
    ref.updated_at = now
    uow.conversations.save(ref)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{actor.id}",
            action="channel.procurement_on" if cmd.on else "channel.procurement_off",
            entity="conversation",
            entity_id=ref.id,
            before={"is_procurement_channel": before},
            after={
                "is_procurement_channel": cmd.on,
                "conversation_id": ref.conversation_id,
                "team_id": ref.team_id,
                "team_name": ref.team_name,
            },
        )
    )
    return ProcurementChannelChange(ref, changed=True)
