"""`historikk <avtalenr>` (`history`): the contract's audit trail, newest first, a page at a
time (`Eldre`, verb `historyMore`). The access rule is the domain's, as for `status`: the person's
scope (`followup.access.resolve_viewer`), and in a channel only what every member may see
(`followup.channel_members.members_scope`). Card data is never trusted: the scope is worked out
again for every page, and a forged contract id or cursor is refused."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import InvokeResponse

from bot.conversation.channel import members_or_refuse
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
from followup.access import reader_scope
from followup.calendar.workdays import oslo_today
from followup.channel_members import people_in_channel
from followup.errors import FollowUpError
from followup.history import UNKNOWN_CONTRACT, ContractHistory, contract_history
from followup.ports import UnitOfWork

log = logging.getLogger(__name__)

MAX_REFERENCE = 60
MAX_CURSOR = 120


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
            return card_action_message(error_reply(error, request.locale, markdown=False))
        return card_action_card(history_card(found, request.locale))

    async def _history(
        self, request: TurnRequest, reference: str, cursor: str | None
    ) -> ContractHistory:
        members = await members_or_refuse(request)

        def read(uow: UnitOfWork) -> ContractHistory:
            person = self._person(uow, request)
            channel = people_in_channel(uow, members) if members is not None else None
            scope = reader_scope(
                uow,
                person.id,
                oslo_today(request.now),
                procurement_addresses=self._deps.procurement_addresses,
                channel_member_ids=channel.person_ids if channel else None,
                unresolved_members=channel.unresolved if channel else 0,
            )
            return contract_history(uow, scope, reference, cursor=cursor)

        return await self._read(read)


__all__ = ["HistoryCommands"]
