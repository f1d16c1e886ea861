"""`historikk <avtalenr>` (`history`): the contract's audit trail, newest first, a page at a
time (`Eldre`, verb `historyMore`). The access rule is the domain's, as for `status`: the person's
scope (`followup.access.resolve_viewer`), and in a channel only what every member may see
(`followup.channel_members.members_scope`). Card data is never trusted: the scope is worked out
again for every page, and a forged contract id or cursor is refused."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from botbuilder.core import InvokeResponse

from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.markdown import echo
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import (
    Command,
    CommandRouter,
    Reply,
    TurnRequest,
    card_action_card,
    card_action_message,
)
from bot.conversation.texts import text
from bot.history.cards import HISTORY_MORE_VERB, history_card
from bot.teams.connector import ConnectorError
from bot.teams.members import conversation_members
from followup.access import CHANNEL_SEES_NOTHING, resolve_viewer
from followup.calendar.workdays import oslo_today
from followup.channel_members import ChannelMember, members_scope
from followup.errors import FollowUpError, NotAllowed
from followup.history import UNKNOWN_CONTRACT, ContractHistory, contract_history
from followup.models import ConversationKind
from followup.ports import UnitOfWork
from followup.views import Scope

log = logging.getLogger(__name__)

MAX_REFERENCE = 60
MAX_CURSOR = 120
MEMBERS_UNKNOWN = "history.channel_members_unknown"


class HistoryCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "historikk",
                ("history",),
                text("command.historikk"),
                ("personal", "team"),
                guarded(self.history),
                in_menu=False,
            )
        )
        router.register_card_action(HISTORY_MORE_VERB, self.more)

    async def history(self, rest: str, request: TurnRequest) -> Reply:
        reference = rest.strip()
        if not reference or len(reference) > MAX_REFERENCE or " " in reference:
            return text("history.usage", request.locale)
        try:
            found = await self._history(request, reference, None)
        except FollowUpError as error:
            if error.code == UNKNOWN_CONTRACT:
                return text("history.unknown_contract", request.locale, reference=echo(reference))
            raise
        return card_reply(history_card(found, request.locale))

    async def more(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        contract_id, cursor = data.get("contract"), data.get("cursor")
        if not (isinstance(contract_id, str) and 0 < len(contract_id) <= MAX_REFERENCE) or not (
            isinstance(cursor, str) and 0 < len(cursor) <= MAX_CURSOR
        ):
            return card_action_message(text("card.unknown_action", request.locale))
        try:
            found = await self._history(request, contract_id, cursor)
        except FollowUpError as error:
            return card_action_message(error_reply(error, request.locale))
        return card_action_card(history_card(found, request.locale))

    async def _history(
        self, request: TurnRequest, reference: str, cursor: str | None
    ) -> ContractHistory:
        members = await self._members(request)

        def read(uow: UnitOfWork) -> ContractHistory:
            scope = self._scope(uow, request, oslo_today(request.now), members)
            return contract_history(uow, scope, reference, cursor=cursor)

        return await self._read(read)

    def _scope(
        self,
        uow: UnitOfWork,
        request: TurnRequest,
        today: date,
        members: list[ChannelMember] | None,
    ) -> Scope:
        person = self._person(uow, request)
        addresses = self._deps.procurement_addresses
        viewer = resolve_viewer(uow, person.id, today, procurement_addresses=addresses)
        if members is None:
            return viewer.scope
        scope = viewer.scope & members_scope(uow, members, today, addresses)
        if scope.is_nothing:
            raise NotAllowed("the channel may see nothing", code=CHANNEL_SEES_NOTHING)
        return scope

    @staticmethod
    async def _members(request: TurnRequest) -> list[ChannelMember] | None:
        """Everyone in the channel or group chat; None in a 1:1 chat."""
        if request.kind is ConversationKind.PERSONAL:
            return None
        conversation = (request.conversation_id or "").split(";", 1)[0]
        try:
            return await conversation_members(request.turn_context, conversation)
        except (ConnectorError, ValueError, TypeError) as error:
            log.info("could not read a channel's members", extra={"error": str(error)[:200]})
            raise NotAllowed("members unknown", code=MEMBERS_UNKNOWN) from error


__all__ = ["HistoryCommands"]
