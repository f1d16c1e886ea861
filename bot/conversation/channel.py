"""Who is in the channel or group chat a turn comes from: what a command needs before it may
show a contract there (`followup.access.reader_scope`)."""

from __future__ import annotations

import logging

from bot.conversation.router import TurnRequest
from bot.teams.connector import ConnectorError
from bot.teams.members import conversation_members
from followup.access import CHANNEL_MEMBERS_UNKNOWN
from followup.channel_members import ChannelMember
from followup.conversations import channel_conversation_id
from followup.errors import NotAllowed
from followup.models import ConversationKind

log = logging.getLogger(__name__)


async def members_or_refuse(request: TurnRequest) -> list[ChannelMember] | None:
    """Everyone in the channel or group chat asked in, from Teams; None in a 1:1 chat. Refuses
    (NotAllowed, `CHANNEL_MEMBERS_UNKNOWN`) when Teams does not say: nothing is shown to
    members the bot cannot check."""
    if request.kind is ConversationKind.PERSONAL:
        return None
    conversation = channel_conversation_id(request.conversation_id or "")
    try:
        return await conversation_members(request.turn_context, conversation)
    except (ConnectorError, ValueError, TypeError) as error:
        log.info("could not read a channel's members", extra={"error": str(error)[:200]})
        raise NotAllowed("members unknown", code=CHANNEL_MEMBERS_UNKNOWN) from error
