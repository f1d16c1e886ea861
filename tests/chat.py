"""A personal chat with the whole bot, driven by botbuilder's TestAdapter over a real database
(SQLite or PostgreSQL), with the dialog state stored in it (`SqlAlchemyStorage`): Kari's world
from `tests.worlds.answer_world`, known to Teams as `KARI_TEAMS_ID`. The clock is `NOW`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import ConversationState
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import Engine

from bot.commands import build_dialogs, build_router
from bot.conversation.activity_handler import KontraktsvaktBot
from bot.conversation.dependencies import BotDependencies
from bot.teams.state_storage import SqlAlchemyStorage
from storage.db import create_db_engine, create_session_factory
from storage.dialog_state import SqlDialogStateStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeClock
from tests.worlds import NOW, World, answer_world

KARI_TEAMS_ID = "29:kari"


# --- the bot --------------------------------------------------------------------------------------


def _template(teams_id: str = KARI_TEAMS_ID, locale: str = "nb-NO") -> Activity:
    # No serviceUrl: the reference capture (and its welcome) is not what these tests are about.
    return Activity(
        channel_id="msteams",
        service_url="",
        locale=locale,
        from_property=ChannelAccount(id=teams_id, name="Kari Nordmann"),
        recipient=ChannelAccount(id="28:bot", name="Kontraktsvakt"),
        conversation=ConversationAccount(id=f"a:{teams_id}", conversation_type="personal"),
    )


@dataclass
class Chat:
    """One person's personal chat with a bot built over `engine` (a new bot = a restart)."""

    adapter: TestAdapter
    engine: Engine

    async def say(self, what: str | dict[str, Any], **fields: Any) -> list[Activity]:
        """Send a message (text, or an `Action.Submit` value) and return every reply."""
        if isinstance(what, dict):
            activity = Activity(type="message", value=what, **fields)
        else:
            activity = Activity(type="message", text=what, **fields)
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer)
        self.adapter.activity_buffer.clear()
        return replies

    async def click(self, verb: str, data: dict[str, Any]) -> list[Activity]:
        """An `Action.Execute` on a card (an invoke); the replies end with the invoke response."""
        activity = Activity(
            type="invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
        )
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer)
        self.adapter.activity_buffer.clear()
        return replies


def start_bot(db_url: str, teams_id: str = KARI_TEAMS_ID, locale: str = "nb-NO") -> Chat:
    engine = create_db_engine(db_url)
    storage = SqlAlchemyStorage(SqlDialogStateStore(engine))
    deps = BotDependencies(
        uow_factory=SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        clock=FakeClock(NOW),
        procurement_addresses=frozenset(),
        conversation_state=ConversationState(storage),
    )
    dialogs = build_dialogs(deps)
    bot = KontraktsvaktBot(deps, build_router(deps, dialogs), dialogs)
    return Chat(TestAdapter(bot.on_turn, _template(teams_id, locale)), engine)


def kari_world(engine: Engine) -> World:
    """`tests.worlds.answer_world`, with Kari known to Teams as `KARI_TEAMS_ID`."""
    world = answer_world(SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)))
    with world.uow_factory() as uow:
        kari = world.owner.model_copy(update={"teams_user_id": KARI_TEAMS_ID})
        uow.people.update(kari, NOW)
        uow.commit()
    world.owner = kari
    return world


def one(replies: list[Activity]) -> str:
    """What the only reply says: its text, or a card's plain-text rendering (`summary`)."""
    assert len(replies) == 1, [r.text for r in replies]
    reply = replies[0]
    return str(reply.text if reply.text is not None else reply.summary)
