"""The activity handler driven by botbuilder's TestAdapter, with a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.commands import build_router
from bot.conversation.activity_handler import KontraktsvaktBot
from bot.conversation.dependencies import BotDependencies
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def adapter(sqlite_url: str) -> TestAdapter:
    engine = create_db_engine(sqlite_url)
    deps = BotDependencies(
        uow_factory=SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        clock=lambda: NOW,
        procurement_addresses=frozenset(),
    )
    bot = KontraktsvaktBot(deps, build_router(deps))
    return TestAdapter(bot.on_turn)


def _message(text: str, locale: str = "nb-NO") -> Activity:
    return Activity(
        type="message",
        text=text,
        locale=locale,
        from_property=ChannelAccount(id="29:user", name="Kari Nordmann"),
        recipient=ChannelAccount(id="28:bot", name="Kontraktsvakt"),
        conversation=ConversationAccount(id="a:conv", conversation_type="personal"),
        channel_id="msteams",
        service_url="http://127.0.0.1/",
    )


async def test_help_in_norwegian(adapter: TestAdapter) -> None:
    flow = await adapter.send(_message("hjelp"))
    # The first message also stores the reference and welcomes the new user.
    flow = await flow.assert_reply(lambda a, _d: _contains(a, "Jeg er Kontraktsvakt"))
    await flow.assert_reply(lambda a, _d: _contains(a, "Slik bruker du Kontraktsvakt"))


async def test_help_in_english_for_an_english_client(adapter: TestAdapter) -> None:
    flow = await adapter.send(_message("help", locale="en-GB"))
    flow = await flow.assert_reply(lambda a, _d: _contains(a, "I am Kontraktsvakt"))
    await flow.assert_reply(lambda a, _d: _contains(a, "How to use Kontraktsvakt"))


async def test_unknown_text_and_too_long_text(adapter: TestAdapter) -> None:
    flow = await adapter.send(_message("hjelp"))
    flow = await flow.assert_reply(lambda a, _d: _contains(a, "Kontraktsvakt"))
    flow = await flow.assert_reply(lambda a, _d: _contains(a, "Slik bruker du"))
    flow = await flow.send(_message("bestill pizza"))
    flow = await flow.assert_reply(lambda a, _d: _contains(a, "Jeg forstod ikke «bestill pizza»"))
    flow = await flow.send(_message("x" * 5000))
    await flow.assert_reply(lambda a, _d: _contains(a, "for lang"))


def _contains(activity: Activity, expected: str) -> None:
    """What the person reads holds `expected`: the text, or a card's plain-text rendering (its
    `summary`; `hjelp` answers with a card)."""
    # TestFlow ignores an inspector's return value (PLATFORM.md): assert instead.
    shown = activity.text or activity.summary or ""
    assert expected in shown, shown
