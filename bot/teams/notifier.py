"""The Teams implementation of the `Notifier` port: proactive messages POSTed through our pooled
Bot Connector client, to a reference stored as plain JSON (see `followup.models`).

It does not go through botbuilder's `continue_conversation`: that builds a turn context and
copies the whole card activity through msrest's serialiser for every message, which was the
largest single cost of a fan-out (`bench/reminders.py` keeps it as a baseline). The activity
sent is the one `continue_conversation` would send: the conversation reference applied, the
tenant in `channelData` (botbuilder drops it: PLATFORM.md), the card as an Adaptive Card
attachment with the text as its summary.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from bot.teams.connector import ConnectorError, PooledConnectorClient, ServiceUrlNotAllowed
from followup.errors import DeliveryFailed
from followup.models import ConversationRef
from followup.ports import OutgoingMessage

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def proactive_activity(message: OutgoingMessage, ref: ConversationRef) -> dict[str, Any]:
    """The Bot Connector JSON of a proactive message to `ref`."""
    activity: dict[str, Any] = {
        "type": "message",
        "channelId": ref.channel_id,
        "serviceUrl": ref.service_url,
        "conversation": {"id": ref.conversation_id, "conversationType": ref.kind.value},
        "from": {"id": ref.bot_id, "name": ref.bot_name},
        "locale": "nb-NO",
    }
    if ref.tenant_id:
        activity["conversation"]["tenantId"] = ref.tenant_id
        activity["channelData"] = {"tenant": {"id": ref.tenant_id}}
    if ref.user_id:
        activity["recipient"] = {"id": ref.user_id, "aadObjectId": ref.aad_object_id}
    if message.card is not None:
        activity["summary"] = message.text
        activity["attachments"] = [{"contentType": ADAPTIVE_CARD, "content": message.card}]
    else:
        activity["text"] = message.text
        activity["textFormat"] = "plain"
    return activity


class TeamsNotifier:
    """Sends through the adapter's own (pooled, token-caching) connector factory."""

    def __init__(self, adapter: CloudAdapter, bot_app_id: str) -> None:
        identity = ClaimsIdentity(
            {AuthenticationConstants.AUDIENCE_CLAIM: bot_app_id}, is_authenticated=True
        )
        self._factory = adapter.bot_framework_authentication.create_connector_factory(identity)
        self._clients: dict[str, PooledConnectorClient] = {}

    async def _client(self, service_url: str) -> PooledConnectorClient:
        client = self._clients.get(service_url)
        if client is None:
            client = await self._factory.create(service_url, None)
            if not isinstance(client, PooledConnectorClient):
                raise TypeError("TeamsNotifier needs the adapter's pooled connector factory")
            self._clients[service_url] = client
        return client

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        try:
            client = await self._client(ref.service_url)
            return await client.conversations.post_activity(
                ref.conversation_id, proactive_activity(message, ref)
            )
        except ConnectorError as exc:
            raise DeliveryFailed(
                str(exc),
                status=exc.status,
                final=exc.final,
                retry_after=exc.retry_after,
                retryable=exc.retryable and not isinstance(exc, ServiceUrlNotAllowed),
            ) from exc
