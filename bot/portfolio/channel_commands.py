"""Procurement registers a team channel for alerts: `innkjøpskanal på | av` (`procurement channel
on | off`), typed in the channel with an @mention; `innkjøpskanal` alone says whether it is one.

A channel the bot is added to is never a procurement channel by itself: only a member of the
procurement team makes it one, and takes it back (`followup.conversations.set_procurement_channel`,
which checks who asks and audits each change). Any thread of the channel registers the channel.
After registering, the reply says when the channel has members outside procurement (or guests):
alerts naming a contract some member may not see are not posted there
(`followup.reminders.channel_guard`).
"""

from __future__ import annotations

import logging
from typing import Final

from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from bot.teams.connector import ConnectorError
from bot.teams.members import conversation_members
from followup.calendar.workdays import oslo_today
from followup.channel_members import ChannelMember, members_scope
from followup.conversations import (
    ProcurementChannelChange,
    SetProcurementChannel,
    channel_conversation_id,
    set_procurement_channel,
)
from followup.models import ConversationKind
from followup.ports import UnitOfWork

log = logging.getLogger(__name__)

ON_WORDS: Final = frozenset({"på", "pa", "on", "ja", "yes", "registrer", "register"})
OFF_WORDS: Final = frozenset({"av", "off", "nei", "no", "fjern", "remove"})


class ProcurementChannelCommands(DomainCommands):
    """`innkjøpskanal [på | av]` in a team channel, for the procurement team."""

    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "innkjøpskanal",
                ("innkjopskanal", "procurement channel"),
                text("command.innkjøpskanal"),
                ("personal", "team"),
                guarded(self.channel),
                procurement_only=True,
                menu_scopes=("team",),  # answered in a 1:1 chat only to say where it is typed
            )
        )

    async def channel(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        word = rest.strip().casefold()
        if request.kind is not ConversationKind.CHANNEL:
            return text("channel.not_a_channel", locale)
        if not word:
            return await self._status(request)
        if word not in ON_WORDS | OFF_WORDS:
            return text("channel.usage", locale)
        on = word in ON_WORDS

        def work(uow: UnitOfWork) -> ProcurementChannelChange:
            person = self._person(uow, request)
            return set_procurement_channel(
                SetProcurementChannel(
                    actor_person_id=person.id,
                    conversation_id=request.conversation_id or "",
                    kind=request.kind,
                    on=on,
                    procurement_addresses=self._deps.procurement_addresses,
                ),
                uow,
                request.now,
            )

        change = await self._write(work)
        if not on:
            return text("channel.off" if change.changed else "channel.is_off", locale)
        if not change.changed:
            return text("channel.already_on", locale)
        note = await self._members_note(request)
        return "\n\n".join(p for p in (text("channel.on", locale), note) if p)

    async def _status(self, request: TurnRequest) -> str:
        conversation = channel_conversation_id(request.conversation_id or "")

        def work(uow: UnitOfWork) -> bool:
            ref = uow.conversations.find(conversation, None)
            return ref is not None and ref.is_procurement_channel

        on = await self._read(work)
        return text("channel.is_on" if on else "channel.is_off", request.locale)

    async def _members_note(self, request: TurnRequest) -> str | None:
        """A word when not every member is procurement: what names a contract some of them may
        not see is not posted here (None: they all are)."""
        locale = request.locale
        conversation = channel_conversation_id(request.conversation_id or "")
        try:
            members: list[ChannelMember] = await conversation_members(
                request.turn_context, conversation
            )
        except (ConnectorError, ValueError, TypeError) as error:
            log.info("could not read a channel's members", extra={"error": str(error)[:200]})
            return text("channel.members_unknown", locale)
        today = oslo_today(request.now)
        addresses = self._deps.procurement_addresses
        everything = await self._read(
            lambda uow: members_scope(uow, members, today, addresses).is_everything
        )
        return None if everything else text("channel.not_everyone", locale)


__all__ = ["OFF_WORDS", "ON_WORDS", "ProcurementChannelCommands"]
