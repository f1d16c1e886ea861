"""Who is in a conversation, as Teams' Bot Connector tells it: the sender of a turn and the
members of a channel or group chat (paged). Feature-free; raises `ConnectorError`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from bot.teams.connector import ConnectorError
from followup.channel_members import ChannelMember

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Member:
    """A person as Teams knows them (any field may be missing)."""

    teams_user_id: str
    name: str | None
    entra_object_id: str | None
    email: str | None
    upn: str | None


async def sender(turn_context: TurnContext) -> Member | None:
    """The turn's sender, looked up in the connector for e-mail and UPN; the activity's own
    identity when the look-up fails (logged). None without a sender id."""
    activity: Activity = turn_context.activity
    account = activity.from_property
    if account is None or not account.id:
        return None
    email = upn = None
    name = account.name
    aad = getattr(account, "aad_object_id", None)
    try:
        member: Any = await TeamsInfo.get_member(turn_context, account.id)
    except (ConnectorError, ValueError, TypeError) as exc:
        log.info("member lookup failed; using the activity's identity", extra={"error": str(exc)})
    else:
        email = getattr(member, "email", None)
        upn = getattr(member, "user_principal_name", None)
        name = getattr(member, "name", None) or name
        aad = getattr(member, "aad_object_id", None) or aad
    return Member(
        teams_user_id=str(account.id)[:200],
        name=name,
        entra_object_id=aad,
        email=email,
        upn=upn,
    )


MEMBER_PAGE_SIZE: Final = 500
MAX_MEMBER_PAGES: Final = 20
MAX_ADDRESS: Final = 320


def _account_text(account: Any, name: str) -> str | None:
    value = getattr(account, name, None)
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ADDRESS else None


async def conversation_members(
    turn_context: TurnContext | None, conversation_id: str
) -> list[ChannelMember]:
    """Everyone in a channel or group chat, through the turn's connector client, a page at a
    time. Raises `ConnectorError`, or `ValueError` without a client or with too many pages."""
    client = (
        turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY) if turn_context else None
    )
    conversations = getattr(client, "conversations", None)
    if conversations is None or not conversation_id:
        raise ValueError("no connector client for this turn")
    accounts: list[Any] = []
    paged = getattr(conversations, "get_paged_members", None)
    if paged is None:
        accounts = list(await conversations.get_conversation_members(conversation_id))
    else:
        token: str | None = None
        for _ in range(MAX_MEMBER_PAGES):
            page, token = await paged(conversation_id, MEMBER_PAGE_SIZE, token)
            accounts.extend(page)
            if token is None:
                break
        else:
            raise ValueError("too many members")
    return [
        ChannelMember(
            teams_user_id=_account_text(a, "id"),
            entra_object_id=_account_text(a, "aad_object_id"),
            email=_account_text(a, "email"),
            upn=_account_text(a, "user_principal_name"),
        )
        for a in accounts
    ]
