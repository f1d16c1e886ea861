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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import ENGINE, FINISHES
from bot.conversation.answer_actions import ANSWER_VERB, decided_on_input_id
from bot.teams.endpoint import activity_key
from followup.models import AnswerKind
from storage.tables import ProcessedActivityRow
from tests.e2e.reminder_harness import KARI, Reminders, due_follow_up, people

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
