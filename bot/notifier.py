"""The Teams implementation of the `Notifier` port: proactive messages via botbuilder's
`continue_conversation`, to a reference stored as plain JSON (see `followup.models`)."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)

from bot.connector import ConnectorError, ServiceUrlNotAllowed
from followup.errors import DeliveryFailed
from followup.models import ConversationKind, ConversationRef
from followup.ports import OutgoingMessage


def to_conversation_reference(ref: ConversationRef) -> ConversationReference:
    return ConversationReference(
        activity_id=None,
        bot=ChannelAccount(id=ref.bot_id, name=ref.bot_name),
        channel_id=ref.channel_id,
        conversation=ConversationAccount(
            id=ref.conversation_id,
            tenant_id=ref.tenant_id,
            conversation_type=ref.kind.value,
            is_group=ref.kind is not ConversationKind.PERSONAL,
        ),
        service_url=ref.service_url,
        user=ChannelAccount(id=ref.user_id, aad_object_id=ref.aad_object_id)
        if ref.user_id
        else None,
    )


def to_activity(message: OutgoingMessage, ref: ConversationRef) -> Activity:
    if message.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card))
        activity.summary = message.text
    else:
        activity = MessageFactory.text(message.text)
    if ref.tenant_id:
        # Teams needs the tenant on proactive sends (botbuilder drops it: PLATFORM.md).
        activity.channel_data = {"tenant": {"id": ref.tenant_id}}
    return activity


class TeamsNotifier:
    def __init__(self, adapter: CloudAdapter, bot_app_id: str) -> None:
        self._adapter = adapter
        self._bot_app_id = bot_app_id

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        sent: list[str | None] = []
        failures: list[ConnectorError] = []
        activity = to_activity(message, ref)

        async def callback(turn_context: TurnContext) -> None:
            # Caught here: botbuilder would hand an exception to the turn error handler instead.
            try:
                response = await turn_context.send_activity(activity)
            except ConnectorError as exc:
                failures.append(exc)
                return
            sent.append(response.id if response else None)

        await self._adapter.continue_conversation(
            to_conversation_reference(ref), callback, self._bot_app_id
        )
        if failures:
            exc = failures[0]
            raise DeliveryFailed(
                str(exc),
                status=exc.status,
                final=exc.final,
                retry_after=exc.retry_after,
                retryable=exc.retryable and not isinstance(exc, ServiceUrlNotAllowed),
            ) from exc
        return sent[0] if sent else None
