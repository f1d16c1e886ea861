"""The fast codec gives exactly what msrest gives, for every payload and for our replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Mention

from bot.teams.codec import activity_from_json, to_json

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "payloads"


@pytest.mark.parametrize("name", sorted(p.name for p in PAYLOADS.glob("*.json")))
def test_reading_a_payload_matches_msrest(name: str) -> None:
    data = json.loads((PAYLOADS / name).read_text())
    fast = activity_from_json(data)
    slow = Activity().deserialize(data)
    assert fast.serialize() == slow.serialize()
    assert to_json(fast) == slow.serialize()
    assert fast.additional_properties == slow.additional_properties
    assert fast.timestamp == slow.timestamp


def _replies() -> list[Activity]:
    text = MessageFactory.text("**Slik bruker du Kontraktsvakt**\n\nÆØÅ æøå")
    card = MessageFactory.attachment(
        CardFactory.adaptive_card({"type": "AdaptiveCard", "version": "1.5", "body": []})
    )
    card.summary = "Påminnelse"
    mention = MessageFactory.text("<at>Kari</at> hei")
    mention.entities = [
        Mention(
            mentioned=ChannelAccount(id="29:x", name="Kari"), text="<at>Kari</at>", type="mention"
        )
    ]
    full = Activity(
        type="message",
        id="1",
        timestamp=datetime(2026, 11, 20, 8, 30, 1, 120000, tzinfo=UTC),
        conversation=ConversationAccount(id="a:1", tenant_id="t", conversation_type="personal"),
        from_property=ChannelAccount(id="28:bot", name="Kontraktsvakt"),
        recipient=ChannelAccount(id="29:u", aad_object_id="aad"),
        channel_data={"tenant": {"id": "t"}},
        reply_to_id="123",
        service_url="http://127.0.0.1/",
        text="x",
    )
    return [text, card, mention, full]


@pytest.mark.parametrize("activity", _replies())
def test_writing_a_reply_matches_msrest(activity: Activity) -> None:
    assert to_json(activity) == activity.serialize()
