"""De-duplication per conversation, end to end (issue 13): Teams message ids are per-conversation
timestamps, so two people's actions may carry the same activity id. Through the real HTTP
endpoint, on SQLite and PostgreSQL: both answers are stored, and an activity sent again in its
own conversation is still one answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.conversation.follow_up_cards import ANSWER_VERB
from followup.models import Answer, AnswerKind, FollowUpState
from tests.e2e.reminder_harness import KARI, OLA, Reminders, due_follow_up, people

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
SHARED_ID = "1712345678901"
"""A Teams message id: a timestamp, unique only within its conversation."""


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def delivered_data(card: dict[str, Any], follow_up_id: str) -> dict[str, Any]:
    """What a client sends for `Levert` on `follow_up_id`: the action's data and the inputs."""
    inputs = {
        n["id"]: str(n.get("value", ""))
        for n in _walk(card)
        if str(n.get("type", "")).startswith("Input.")
    }
    (action,) = [
        n
        for n in _walk(card)
        if n.get("type") == "Action.Execute"
        and n.get("verb") == ANSWER_VERB
        and n["data"].get("followUpId") == follow_up_id
        and n["data"].get("kind") == AnswerKind.DELIVERED.value
    ]
    return {**inputs, **action["data"]}


def reminder_card(reminders: Reminders, name: str, follow_up_id: str) -> dict[str, Any]:
    """The card `name` got with `follow_up_id` on it (after the welcome)."""
    (card,) = [
        a["content"]
        for post in reminders.posts_to(name)
        for a in post.get("attachments") or []
        if a["contentType"] == ADAPTIVE and follow_up_id in str(a["content"])
    ]
    content: dict[str, Any] = card
    return content


async def answer_delivered(
    reminders: Reminders, name: str, data: dict[str, Any], activity_id: str
) -> tuple[int, Any]:
    activity = reminders._as(
        name,
        reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json"),
    )
    activity["id"] = activity_id
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": ANSWER_VERB, "data": data},
        "trigger": "manual",
    }
    return await reminders.server.post(activity)


def answers(reminders: Reminders, follow_up_id: str) -> list[Answer]:
    with reminders.uow_factory() as uow:
        return list(uow.answers.for_follow_up(follow_up_id))


async def test_two_people_answering_with_the_same_activity_id_both_count(
    reminders: Reminders,
) -> None:
    found = people(reminders.uow_factory, KARI, OLA)
    karis = due_follow_up(reminders.uow_factory, found[KARI], "KOM-2026-1301", seed=1)
    olas = due_follow_up(reminders.uow_factory, found[OLA], "KOM-2026-1302", seed=2)
    await reminders.install(KARI)
    await reminders.install(OLA)
    assert (await reminders.tick()).send.sent == 2
    kari_data = delivered_data(
        reminder_card(reminders, KARI, karis.follow_up_id), karis.follow_up_id
    )
    ola_data = delivered_data(reminder_card(reminders, OLA, olas.follow_up_id), olas.follow_up_id)

    kari_status, kari_body = await answer_delivered(reminders, KARI, kari_data, SHARED_ID)
    ola_status, ola_body = await answer_delivered(reminders, OLA, ola_data, SHARED_ID)

    assert (kari_status, ola_status) == (200, 200)
    assert "Levert – svart av Kari Nordmann" in str(kari_body)
    assert "Levert – svart av Ola Hansen" in str(ola_body)
    (kari_answer,) = answers(reminders, karis.follow_up_id)
    (ola_answer,) = answers(reminders, olas.follow_up_id)
    assert kari_answer.answered_by_id == found[KARI].id
    assert ola_answer.answered_by_id == found[OLA].id
    assert kari_answer.source_activity_id == ola_answer.source_activity_id == SHARED_ID
    assert reminders.follow_up(karis.follow_up_id).state is FollowUpState.ANSWERED
    assert reminders.follow_up(olas.follow_up_id).state is FollowUpState.ANSWERED

    # Sent again in Ola's own conversation: still one answer each.
    again_status, again_body = await answer_delivered(reminders, OLA, ola_data, SHARED_ID)
    assert again_status == 200
    assert "Levert – svart av Ola Hansen" in str(again_body)
    assert answers(reminders, olas.follow_up_id) == [ola_answer]
    assert answers(reminders, karis.follow_up_id) == [kari_answer]
