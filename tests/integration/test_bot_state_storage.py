"""`SqlAlchemyStorage` against botbuilder's storage behaviours, and a dialog across a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    PromptOptions,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.testing.storage_base_tests import StorageBaseTests
from sqlalchemy import Engine

from bot.teams.state_storage import ETagConflict, SqlAlchemyStorage
from storage.db import create_db_engine
from storage.dialog_state import SqlDialogStateStore


@pytest.fixture
def storage(db_engine: Engine) -> SqlAlchemyStorage:
    return SqlAlchemyStorage(SqlDialogStateStore(db_engine))


BEHAVIOURS = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_botbuilder_storage_behaviour(storage: SqlAlchemyStorage, behaviour: str) -> None:
    check: Callable[[SqlAlchemyStorage], Awaitable[bool]] = getattr(StorageBaseTests, behaviour)

    assert await check(storage) is True


async def test_stale_etag_raises_and_keeps_the_stored_item(storage: SqlAlchemyStorage) -> None:
    await storage.write({"item": {"count": 1}})
    first = (await storage.read(["item"]))["item"]
    second = (await storage.read(["item"]))["item"]
    first["count"] = 2
    await storage.write({"item": first})

    second["count"] = 3
    with pytest.raises(ETagConflict):
        await storage.write({"item": second})

    assert (await storage.read(["item"]))["item"]["count"] == 2


async def test_store_items_are_written_without_their_etag_and_read_back_as_dicts(
    storage: SqlAlchemyStorage,
) -> None:
    item = StoreItem(count=1, e_tag="*")

    await storage.write({"item": item})
    read = (await storage.read(["item"]))["item"]

    assert read == {"count": 1, "e_tag": item.e_tag}
    assert item.e_tag != "*"


async def test_the_item_written_gets_the_new_etag_so_a_second_save_succeeds(
    storage: SqlAlchemyStorage,
) -> None:
    await storage.write({"item": {"count": 1}})
    item = (await storage.read(["item"]))["item"]
    item["count"] = 2
    await storage.write({"item": item})
    item["count"] = 3

    await storage.write({"item": item})

    assert (await storage.read(["item"]))["item"] == item


async def test_none_keys_raise_type_error(storage: SqlAlchemyStorage) -> None:
    with pytest.raises(TypeError):
        await storage.read(None)
    with pytest.raises(TypeError):
        await storage.write(None)
    with pytest.raises(TypeError):
        await storage.delete(None)
    await storage.write({})


class _Bot:
    """A two-step waterfall: ask for a name, then greet. Everything built afresh per instance."""

    def __init__(self, storage: SqlAlchemyStorage) -> None:
        self.conversation_state = ConversationState(storage)
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        self.dialogs.add(TextPrompt(TextPrompt.__name__))
        self.dialogs.add(
            WaterfallDialog("greet", [self.ask_name_step, self.greet_step]),
        )
        self.adapter = TestAdapter(self.on_turn)

    async def on_turn(self, turn_context: TurnContext) -> None:
        dialog_context = await self.dialogs.create_context(turn_context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog("greet")
        await self.conversation_state.save_changes(turn_context)

    async def ask_name_step(self, step_context: WaterfallStepContext) -> DialogTurnResult:
        return await step_context.prompt(
            TextPrompt.__name__, PromptOptions(prompt=MessageFactory.text("Hva heter du?"))
        )

    async def greet_step(self, step_context: WaterfallStepContext) -> DialogTurnResult:
        await step_context.context.send_activity(f"Hei, {step_context.result}!")
        return await step_context.end_dialog()


@pytest.fixture
def second_engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


async def test_a_dialog_continues_after_a_restart_on_another_instance(
    db_engine: Engine, second_engine: Engine
) -> None:
    first = _Bot(SqlAlchemyStorage(SqlDialogStateStore(db_engine)))
    flow = await first.adapter.send("hei")
    await flow.assert_reply("Hva heter du?")
    db_engine.dispose()

    second = _Bot(SqlAlchemyStorage(SqlDialogStateStore(second_engine)))
    flow = await second.adapter.send("Kari")
    flow = await flow.assert_reply("Hei, Kari!")

    # The dialog ended and that, too, was saved: the next message starts it again.
    flow = await flow.send("hei igjen")
    await flow.assert_reply("Hva heter du?")
