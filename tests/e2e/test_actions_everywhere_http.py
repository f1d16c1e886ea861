"""Acting from anywhere, end to end: `mine oppgaver`, `kontrakter`, `plan <avtalenr>` and an
owner's `status <avtalenr>` show each open follow-up with its actions; pressing one (an
`adaptiveCard/action` invoke through the real HTTP endpoint, with the card's inputs, as Teams
sends them) stores the answer and draws the card's follow-ups again in place. Procurement, who
may not answer, sees the contract without the buttons. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bot.conversation.follow_up_cards import ANSWER_VERB, CARD_ITEMS_INPUT, SNOOZE_VERB
from bot.conversation.follow_up_lines import comment_input_id
from followup.models import AnswerKind, FollowUpState
from tests.card_schema import assert_valid
from tests.e2e.reminder_harness import (
    INGRID,
    KARI,
    Due,
    Reminders,
    due_follow_up,
    people,
)

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
PERSONAL = "message_personal_text_status_command.json"
INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


async def card_for(reminders: Reminders, name: str, text: str) -> dict[str, Any]:
    """`name` types `text` in their 1:1 chat; the one card the bot answers with."""
    activity = reminders._as(name, reminders.server.payload(PERSONAL))
    activity["text"] = text
    status, _ = await reminders.server.post(activity)
    assert status in {200, 201}
    reply = await reminders.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    (attachment,) = reply.activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    card: dict[str, Any] = attachment["content"]
    assert_valid(card)
    return card


def pressed(
    card: dict[str, Any], follow_up_id: str, kind: AnswerKind, **typed: str
) -> dict[str, Any]:
    """What a client sends for `kind` on `follow_up_id`: the action's data and every input
    (with `typed` in some of them)."""
    (action,) = [
        n
        for n in walk(card)
        if n.get("type") == "Action.Execute"
        and n.get("verb") == ANSWER_VERB
        and n["data"].get("followUpId") == follow_up_id
        and n["data"].get("kind") == kind.value
    ]
    inputs = {
        n["id"]: str(n.get("value", ""))
        for n in walk(card)
        if str(n.get("type", "")).startswith("Input.")
    }
    return {**inputs, **typed, **action["data"]}


async def invoke(reminders: Reminders, name: str, verb: str, data: dict[str, Any]) -> str:
    """`name` presses an `Action.Execute`; the card the invoke answers with, as text."""
    activity = reminders._as(name, reminders.server.payload(INVOKE))
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": data},
        "trigger": "manual",
    }
    status, body = await reminders.server.post(activity)
    assert status == 200
    assert isinstance(body, dict)
    assert body["type"] == ADAPTIVE, body
    assert_valid(body["value"])
    return json.dumps(body["value"], ensure_ascii=False)


def with_actions(card: dict[str, Any]) -> list[str]:
    """The follow-ups shown with their actions (the first action of each row)."""
    return [
        n["actions"][0]["data"]["followUpId"]
        for n in walk(card)
        if n.get("type") == "ActionSet"
        and n["actions"][0].get("type") == "Action.Execute"
        and "followUpId" in n["actions"][0].get("data", {})
    ]


def card_items(card: dict[str, Any]) -> list[str]:
    found = [n["value"] for n in walk(card) if n.get("id") == CARD_ITEMS_INPUT]
    return found[0].split(",") if found else []


def stored(reminders: Reminders, follow_up_id: str) -> list[tuple[str, str | None]]:
    with reminders.uow_factory() as uow:
        return [(a.kind.value, a.text) for a in uow.answers.for_follow_up(follow_up_id)]


def two_follow_ups(reminders: Reminders) -> tuple[Due, Due]:
    kari = people(reminders.uow_factory, KARI)[KARI]
    first = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0301", seed=1)
    second = due_follow_up(
        reminders.uow_factory,
        kari,
        "KOM-2026-0302",
        seed=2,
        title="Egenrapportering",
        code="egenrapportering",
        evidence=["egenrapport"],
        actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"],
    )
    return first, second


async def test_levert_from_mine_oppgaver_is_stored_and_the_card_drawn_again(
    reminders: Reminders,
) -> None:
    first, second = two_follow_ups(reminders)
    await reminders.install(KARI)

    card = await card_for(reminders, KARI, "mine oppgaver")
    assert with_actions(card) == [first.follow_up_id, second.follow_up_id]
    assert card_items(card) == [first.follow_up_id, second.follow_up_id]

    data = pressed(
        card,
        first.follow_up_id,
        AnswerKind.DELIVERED,
        **{comment_input_id(first.follow_up_id): "Mottatt på lageret"},
    )
    redrawn = await invoke(reminders, KARI, ANSWER_VERB, data)

    assert stored(reminders, first.follow_up_id) == [("delivered", "Mottatt på lageret")]
    assert reminders.follow_up(first.follow_up_id).state is FollowUpState.ANSWERED
    assert "Levert – svart av Kari Nordmann" in redrawn
    assert "Mottatt på lageret" in redrawn
    assert "KOM-2026-0302" in redrawn, "the card's other follow-up keeps its actions"
    assert stored(reminders, second.follow_up_id) == []


async def test_ikke_relevant_from_the_overflow_on_kontrakter(reminders: Reminders) -> None:
    _, second = two_follow_ups(reminders)
    await reminders.install(KARI)

    card = await card_for(reminders, KARI, "kontrakter")
    assert second.follow_up_id in with_actions(card)
    (action,) = [
        n
        for n in walk(card)
        if n.get("type") == "Action.Execute"
        and n["data"].get("followUpId") == second.follow_up_id
        and n["data"].get("kind") == AnswerKind.NOT_APPLICABLE.value
    ]
    assert action["mode"] == "secondary", "in the overflow"

    redrawn = await invoke(
        reminders,
        KARI,
        ANSWER_VERB,
        pressed(card, second.follow_up_id, AnswerKind.NOT_APPLICABLE),
    )

    assert stored(reminders, second.follow_up_id) == [("not_applicable", None)]
    assert "Ikke relevant – svart av Kari Nordmann" in redrawn


async def test_plan_lists_what_waits_for_the_owner_with_its_actions(
    reminders: Reminders,
) -> None:
    first, _ = two_follow_ups(reminders)
    await reminders.install(KARI)

    card = await card_for(reminders, KARI, "plan KOM-2026-0301")
    assert "Venter på svar fra deg (1)" in card["fallbackText"]
    assert with_actions(card) == [first.follow_up_id]

    await invoke(
        reminders, KARI, ANSWER_VERB, pressed(card, first.follow_up_id, AnswerKind.PARTLY_DELIVERED)
    )
    assert stored(reminders, first.follow_up_id) == [("partly_delivered", None)]

    again = await card_for(reminders, KARI, "plan KOM-2026-0301")
    assert with_actions(again) == [], "answered: nothing waits any more"


async def test_status_of_a_contract_has_actions_for_its_owner_not_for_procurement(
    reminders: Reminders,
) -> None:
    first, _ = two_follow_ups(reminders)
    await reminders.install(KARI)

    card = await card_for(reminders, KARI, "status KOM-2026-0301")
    assert "Venter på svar fra deg (1)" in card["fallbackText"]
    assert with_actions(card) == [first.follow_up_id]
    assert card_items(card) == [first.follow_up_id]
    snooze = [
        n
        for n in walk(card)
        if n.get("type") == "Action.Execute"
        and n.get("verb") == SNOOZE_VERB
        and n["data"].get("option") == "1w"
    ]
    status, body = await reminders.card_action(KARI, snooze[0]["data"])
    assert status == 200
    assert "Utsatt til" in json.dumps(body, ensure_ascii=False)
    assert reminders.follow_up(first.follow_up_id).state is FollowUpState.SNOOZED

    reminders.procurement_member()
    await reminders.install(INGRID)
    seen = await card_for(reminders, INGRID, "status KOM-2026-0301")
    assert "KOM-2026-0301" in seen["fallbackText"]
    assert with_actions(seen) == []
    assert card_items(seen) == []
    assert "Venter på svar" not in seen["fallbackText"]
