"""A personal message's dialog state is read with the activity's claim, in one transaction
(`ProcessedActivityLog.claim(state_keys=…)`), and handed to botbuilder's `ConversationState`
through `prefetched_state` once; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import Engine

from bot.teams.state_storage import SqlAlchemyStorage, conversation_state_key, prefetched_state
from storage.dialog_state import SqlDialogStateStore
from storage.processed_activities import ProcessedActivityLog

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _activity() -> Activity:
    return Activity(
        type="message",
        id="m1",
        channel_id="msteams",
        text="hjelp",
        conversation=ConversationAccount(id="a:kari", conversation_type="personal"),
        from_property=ChannelAccount(id="29:kari"),
        recipient=ChannelAccount(id="28:bot"),
    )


def test_the_key_is_the_one_conversation_state_uses() -> None:
    activity = _activity()
    state = ConversationState(SqlAlchemyStorage(SqlDialogStateStore.__new__(SqlDialogStateStore)))
    assert conversation_state_key(activity) == state.get_storage_key(
        TurnContext(TestAdapter(), activity)
    )


async def test_a_new_claim_reads_the_state_and_a_copy_does_not(db_engine: Engine) -> None:
    storage = SqlAlchemyStorage(SqlDialogStateStore(db_engine))
    key = conversation_state_key(_activity())
    assert key is not None
    await storage.write({key: {"DialogState": {"step": 2}}})
    log = ProcessedActivityLog(db_engine)

    claim = log.claim("activity-1", NOW, [key, "msteams/conversations/nobody"])
    again = log.claim("activity-1", NOW, [key])

    assert claim.outcome == "claimed"
    assert claim.state is not None
    assert set(claim.state) == {key}, "a key with no state is left out, as `read` does"
    document, e_tag = claim.state[key]
    assert document == {"DialogState": {"step": 2}}
    assert e_tag == SqlDialogStateStore(db_engine).read([key])[key][1]
    assert again.outcome == "in_progress"
    assert again.state is None
    assert log.claim("activity-2", NOW).state is None, "no keys asked: none read"


async def test_the_prefetched_state_answers_one_read_then_the_database_does(
    db_engine: Engine,
) -> None:
    storage = SqlAlchemyStorage(SqlDialogStateStore(db_engine))
    await storage.write({"k": {"count": 1}})
    stored = SqlDialogStateStore(db_engine).read(["k"])

    with prefetched_state(["k"], {"k": ({"count": 7}, stored["k"][1])}):
        assert (await storage.read(["other"])) == {}, "keys not prefetched: the database"
        first = await storage.read(["k"])
        second = await storage.read(["k"])
    after = await storage.read(["k"])

    assert first["k"]["count"] == 7
    assert second["k"]["count"] == 1
    assert after["k"]["count"] == 1
    with prefetched_state(["gone"], {}):
        assert await storage.read(["gone"]) == {}, "prefetched as missing: missing"


async def test_peek_shows_the_stored_document_and_leaves_the_prefetched_read(
    db_engine: Engine,
) -> None:
    storage = SqlAlchemyStorage(SqlDialogStateStore(db_engine))
    await storage.write({"k": {"count": 1}})
    stored = SqlDialogStateStore(db_engine).read(["k"])

    assert await storage.peek("k") == {"count": 1}, "no prefetch: the database"
    assert await storage.peek("none") is None
    with prefetched_state(["k"], {"k": ({"count": 7}, stored["k"][1])}):
        assert await storage.peek("k") == {"count": 7}
        assert (await storage.read(["k"]))["k"]["count"] == 7, "the peek used nothing up"
        assert await storage.peek("k") == {"count": 1}, "used up: the database"
