"""Done marks (`bot.teams.endpoint.FinishMarks`) through the real HTTP endpoint, on both stores.

Found by a hostile review of the group commit: an option decision whose date field held a lone
surrogate (valid JSON, `"x\\ud800"`) was quoted back in its invoke response, which could not be
encoded (500), and its done mark then failed the whole batch, so the other invokes answered with
it stayed *in progress* and a re-sent copy of one of them waited for the lease (30 s) and ran
again. Now the response is ASCII JSON (the same value, escaped), and a mark that cannot be
written costs no other mark its own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from bot.app import ENGINE, FINISHES
from bot.conversation.answer_actions import ANSWER_VERB, decided_on_input_id
from bot.teams.endpoint import activity_key
from followup.models import AnswerKind
from storage.tables import ProcessedActivityRow
from tests.e2e.harness import BotServer
from tests.e2e.reminder_harness import KARI, Reminders, due_follow_up, people
from tests.e2e.test_endpoint_hostile import INVOKE as HOSTILE_INVOKE
from tests.e2e.test_endpoint_hostile import _helps as helps
from tests.e2e.test_endpoint_hostile import _message as message
from tests.e2e.test_endpoint_hostile import _register_kari as register_kari

OPTION = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"


def invoke(reminders: Reminders, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    activity = reminders._as(KARI, reminders.server.payload(INVOKE))
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": data},
        "trigger": "manual",
    }
    return activity


def claim_state(reminders: Reminders, activity: dict[str, Any]) -> str | None:
    key = activity_key(activity["channelId"], activity["conversation"]["id"], activity["id"])
    with Session(reminders.server.app[ENGINE]) as session:
        return session.scalars(
            select(ProcessedActivityRow.state).where(ProcessedActivityRow.key == key)
        ).first()


async def option_decision_with_a_lone_surrogate(reminders: Reminders) -> dict[str, Any]:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(
        reminders.uow_factory,
        kari,
        "KOM-2026-0301",
        seed=31,
        code="opsjon-1",
        title="Opsjon",
        actions=OPTION,
    )
    await reminders.install(KARI)
    kind = AnswerKind.OPTION_EXERCISED
    return {
        "kind": kind.value,
        "followUpId": due.follow_up_id,
        decided_on_input_id(due.follow_up_id, kind): "x\ud800",
    }


async def test_a_lone_surrogate_quoted_back_is_answered_and_every_turn_is_marked_done(
    reminders: Reminders,
) -> None:
    data = await option_decision_with_a_lone_surrogate(reminders)
    for _round in range(3):
        bad = invoke(reminders, ANSWER_VERB, data)
        others = [invoke(reminders, "no-such-verb", {}) for _ in range(10)]
        answers = await asyncio.gather(
            reminders.server.post(bad), *(reminders.server.post(o) for o in others)
        )
        await reminders.server.app[FINISHES].drain()

        status, body = answers[0]
        assert status == 200, body
        assert all(status == 200 for status, _ in answers[1:])
        assert claim_state(reminders, bad) == "done"
        assert [claim_state(reminders, o) for o in others] == ["done"] * len(others)
        # A copy is answered from the stored response at once, the same as the first.
        assert await reminders.server.post(bad) == answers[0]


# --- what held up in the review, kept -----------------------------------------------------------


async def test_invoke_copies_right_after_the_answer_get_the_same_answer(
    server: BotServer,
) -> None:
    register_kari(server)
    for _ in range(10):
        invoke = server.payload(HOSTILE_INVOKE)
        invoke["id"] = f"f:{uuid.uuid4()}"
        first = await server.post(invoke)
        copies = await asyncio.gather(*(server.post(invoke) for _ in range(10)))
        assert first[0] == 200
        assert all(copy == first for copy in copies)


async def test_message_copy_right_after_the_answer_is_not_run_again(server: BotServer) -> None:
    register_kari(server)
    for _ in range(5):
        activity = message(server)
        status, _ = await server.post(activity)
        assert status == 201
        again = await asyncio.gather(*(server.post(activity) for _ in range(5)))
        assert {s for s, _ in again} == {200}
    await asyncio.sleep(0.3)
    assert len(helps(server)) == 5


async def test_slow_flush_copy_waits_and_gets_the_answer(server: BotServer) -> None:
    """The mark's transaction takes 1 s: a copy in between waits and gets the stored answer."""
    register_kari(server)
    engine = server.app[ENGINE]

    def slow(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE processed_activities SET state"):
            time.sleep(1.0)

    event.listen(engine, "before_cursor_execute", slow)
    try:
        invoke = server.payload(HOSTILE_INVOKE)
        invoke["id"] = f"f:{uuid.uuid4()}"
        first = await server.post(invoke)
        copy = await server.post(invoke)
        assert copy == first
    finally:
        event.remove(engine, "before_cursor_execute", slow)


async def test_shutdown_with_marks_pending_writes_them(make_server: Any, db_url: str) -> None:
    server: BotServer = await make_server(db_url)
    register_kari(server)
    engine = server.app[ENGINE]

    def slow(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE processed_activities SET state"):
            time.sleep(0.5)

    event.listen(engine, "before_cursor_execute", slow)
    acts = [message(server) for _ in range(8)]
    answers = await asyncio.gather(*(server.post(a) for a in acts))
    assert all(s == 201 for s, _ in answers)
    await server.app.cleanup()  # as `run_app` does at shutdown: the marks are drained first
    event.remove(engine, "before_cursor_execute", slow)
    reader = create_engine(engine.url.render_as_string(hide_password=False))
    keys = [activity_key(a["channelId"], a["conversation"]["id"], a["id"]) for a in acts]
    with Session(reader) as session:
        states = session.scalars(
            select(ProcessedActivityRow.state).where(ProcessedActivityRow.key.in_(keys))
        ).all()
    reader.dispose()
    assert states == ["done"] * 8
