"""What a person typed, quoted back by the bot, is shown as typed: never a link or a heading
(Teams renders Markdown in messages and cards, and a channel reply reaches everybody)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.conversation.router import CommandRouter, TurnRequest
from bot.portfolio.cards import STATUS_VERB, candidates_card
from followup.models import ConversationKind

UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")
"""`](` that Markdown would read as the middle of a link."""
PHISHING = "[Økten din er utløpt – logg inn](https://evil.example/login)"


def request() -> TurnRequest:
    return TurnRequest(
        teams_user_id="29:x",
        aad_object_id=None,
        conversation_id="19:channel",
        kind=ConversationKind.CHANNEL,
        locale="nb-NO",
        activity_id="1",
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )


async def test_an_unknown_command_is_quoted_without_markdown() -> None:
    reply = await CommandRouter().handle_text(PHISHING, request())

    assert isinstance(reply, str)
    assert not UNESCAPED_LINK.search(reply)
    assert "\\[" in reply


def test_the_pick_list_title_quotes_the_search_without_markdown() -> None:
    card = candidates_card(PHISHING, [], STATUS_VERB, {}, "nb-NO")

    title = card["body"][0]["text"]
    assert not UNESCAPED_LINK.search(title)
    assert "\\[" in title
