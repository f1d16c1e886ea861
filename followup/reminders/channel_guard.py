"""What may be posted in a channel, decided when it is sent.

A proactive message that names contracts (a serious deviation, an escalation to procurement, a
notice of whom the bot cannot reach) carries their ids (`naming_contracts`, kept with the
message in the outbox). `ChannelGuard` is a `Notifier` around the real one: before such a
message goes to a channel (or group chat) it reads the channel's members from Teams, as they are
now, and posts only when every member may see every contract the message names
(`followup.access.hidden_from_channel`, the rule of `status` in a channel). Otherwise the message
is not posted there: the send fails for good (`DeliveryFailed`, final), the outbox records the
delivery as unreachable with the reason, and it is logged. When the members cannot be read, the
message is not posted either: a passing failure (throttled, Teams down) is retried as a send
would be, any other is final.

Messages to a person, and messages that name no contract (the weekly summary's counts), are
passed on without a look at the members.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from followup.access import hidden_from_channel
from followup.calendar.workdays import oslo_today
from followup.channel_members import ChannelMember, people_in_channel
from followup.errors import DeliveryFailed
from followup.models import ConversationKind, ConversationRef
from followup.ports import Notifier, OutgoingMessage, UnitOfWorkFactory

log = logging.getLogger(__name__)

CONTRACTS_KEY: Final = "contracts"
"""`OutgoingMessage.metadata` key: the ids of the contracts a message names, comma-separated."""
MEMBERS_TTL: Final = timedelta(minutes=2)
"""A channel's member list is read again after this long (as `bot.portfolio` does)."""
MAX_CACHED_CHANNELS: Final = 500
HIDDEN_STATUS: Final = 403
"""The status a held-back message is recorded with: not allowed there."""

ReadMembers = Callable[[ConversationRef], Awaitable[Sequence[ChannelMember]]]
"""Everyone in a channel now, from Teams; raises `DeliveryFailed` when Teams does not say."""


def naming_contracts(message: OutgoingMessage, contract_ids: Collection[str]) -> OutgoingMessage:
    """`message`, marked as naming these contracts (kept in the outbox with it)."""
    ids = sorted({c for c in contract_ids if c})
    if not ids:
        return message
    return replace(message, metadata={**message.metadata, CONTRACTS_KEY: ",".join(ids)})


def contracts_named(message: OutgoingMessage) -> list[str]:
    """The ids of the contracts `message` names (none: it names no contract)."""
    return [c for c in message.metadata.get(CONTRACTS_KEY, "").split(",") if c]


class ChannelGuard:
    """A `Notifier` that posts a message naming contracts in a channel only when every member
    of the channel may see each of them; everything else it passes to `inner` as it is."""

    def __init__(
        self,
        inner: Notifier,
        read_members: ReadMembers,
        uow_factory: UnitOfWorkFactory,
        clock: Callable[[], datetime],
        *,
        procurement_addresses: Collection[str] = (),
        ttl: timedelta = MEMBERS_TTL,
    ) -> None:
        self._inner = inner
        self._read_members = read_members
        self._uow_factory = uow_factory
        self._clock = clock
        self._procurement_addresses = frozenset(a.strip().lower() for a in procurement_addresses)
        self._ttl = ttl
        self._members: OrderedDict[str, tuple[datetime, Sequence[ChannelMember]]] = OrderedDict()

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        contract_ids = contracts_named(message)
        if contract_ids and ref.kind is not ConversationKind.PERSONAL:
            await self._check(ref, contract_ids)
        return await self._inner.send(ref, message)

    async def _check(self, ref: ConversationRef, contract_ids: list[str]) -> None:
        members = await self._members_of(ref)
        hidden = await asyncio.to_thread(self._hidden, members, contract_ids)
        if hidden:
            log.warning(
                "a channel member may not see a contract the message names; not posted there",
                extra={
                    "conversation": ref.conversation_id[:120],
                    "contracts": len(hidden),
                    "members": len(members),
                },
            )
            raise DeliveryFailed(
                "ikke alle i kanalen har lov til å se kontrakten meldingen gjelder",
                status=HIDDEN_STATUS,
                final=True,
                retryable=False,
            )

    async def _members_of(self, ref: ConversationRef) -> Sequence[ChannelMember]:
        now = self._clock()
        cached = self._members.get(ref.conversation_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        try:
            members = await self._read_members(ref)
        except DeliveryFailed as failure:
            log.warning(
                "the channel's members could not be read; message not posted there",
                extra={"conversation": ref.conversation_id[:120], "status": failure.status},
            )
            raise DeliveryFailed(
                f"kanalens medlemmer kunne ikke leses: {failure}",
                status=failure.status,
                final=failure.final or not failure.retryable,
                retry_after=failure.retry_after,
                retryable=failure.retryable,
            ) from failure
        except Exception as error:  # whatever Teams answered, nothing is posted
            log.warning(
                "the channel's members could not be read; message not posted there",
                extra={"conversation": ref.conversation_id[:120], "error": str(error)[:200]},
            )
            raise DeliveryFailed(
                "kanalens medlemmer kunne ikke leses", status=0, final=True, retryable=False
            ) from error
        self._members[ref.conversation_id] = (now + self._ttl, members)
        self._members.move_to_end(ref.conversation_id)
        while len(self._members) > MAX_CACHED_CHANNELS:
            self._members.popitem(last=False)
        return members

    def _hidden(self, members: Sequence[ChannelMember], contract_ids: list[str]) -> list[str]:
        with self._uow_factory() as uow:
            people = people_in_channel(uow, members)
            return hidden_from_channel(
                uow,
                contract_ids,
                people.person_ids,
                oslo_today(self._clock()),
                procurement_addresses=self._procurement_addresses,
                unresolved_members=people.unresolved,
            )


__all__ = [
    "CONTRACTS_KEY",
    "ChannelGuard",
    "ReadMembers",
    "contracts_named",
    "naming_contracts",
]
