"""An option decision end to end: the reminder card of an option checkpoint arrives through the
stand-in connector with «Opsjonen utløses» as a small form (who decided, the date), the form's
confirm button comes back as an `adaptiveCard/action` invoke through the real HTTP endpoint (a
date after today first: refused, nothing stored), the card is drawn again with the decision,
and the owner reads it back in `status <avtalenr>`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bot.conversation.answer_actions import (
    ANSWER_VERB,
    decided_by_input_id,
    decided_on_input_id,
)
from followup.models import AnswerKind, FollowUpState
from tests.card_schema import assert_valid
from tests.e2e.reminder_harness import KARI, Reminders, due_follow_up, people

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
OPTION = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
REFERENCE = "KOM-2026-0301"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def card_inputs(card: dict[str, Any]) -> dict[str, str]:
    """What the client sends with an action: every input's value (as Teams does)."""
    return {
        n["id"]: str(n.get("value", ""))
        for n in _walk(card)
        if str(n.get("type", "")).startswith("Input.")
    }


def decision_form(card: dict[str, Any], kind: AnswerKind) -> dict[str, Any]:
    """The `Action.ShowCard` whose confirm button records `kind`."""
    (form,) = [
        n
        for n in _walk(card)
        if n.get("type") == "Action.ShowCard"
        and any(
            a.get("type") == "Action.Execute" and a["data"].get("kind") == kind.value
            for a in _walk(n["card"])
        )
    ]
    return form


async def invoke(reminders: Reminders, data: dict[str, Any]) -> tuple[int, Any]:
    activity = reminders._as(
        KARI, reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json")
    )
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": ANSWER_VERB, "data": data},
        "trigger": "manual",
    }
    return await reminders.server.post(activity)


async def ask(reminders: Reminders, message: str) -> dict[str, Any]:
    """Kari writes `message` in her chat; the card the bot answers with."""
    activity = reminders._as(
        KARI, reminders.server.payload("message_personal_text_status_command.json")
    )
    activity["text"] = message
    status, _ = await reminders.server.post(activity)
    assert status in {200, 201}
    reply = await reminders.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    (attachment,) = reply.activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content: dict[str, Any] = attachment["content"]
    return content


async def test_an_option_decision_is_answered_on_the_card_and_shown_in_status(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(
        reminders.uow_factory,
        kari,
        REFERENCE,
        seed=31,
        code="opsjon-1",
        title="Opsjon: forleng eller ikke",
        actions=OPTION,
    )
    await reminders.install(KARI)
    before = len(reminders.posts_to(KARI))
    assert (await reminders.tick()).send.sent >= 1
    (post,) = reminders.posts_to(KARI)[before:]
    (attachment,) = post["attachments"]
    card = attachment["content"]
    assert_valid(card)

    kind = AnswerKind.OPTION_EXERCISED
    form = decision_form(card, kind)
    assert form["title"] == "Opsjonen utløses"
    (confirm,) = [n for n in _walk(form["card"]) if n.get("type") == "Action.Execute"]
    data = {**card_inputs(card), **confirm["data"]}
    by, on = (
        decided_by_input_id(due.follow_up_id, kind),
        decided_on_input_id(due.follow_up_id, kind),
    )
    assert {by, on} <= data.keys()

    # A date not understood is quoted as typed: a card action's message is shown as it is (no
    # Markdown), so nothing in it is escaped.
    status, body = await invoke(reminders, {**data, by: "Per Olsen", on: "**snart**_x"})
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Jeg forstod ikke datoen «**snart**_x»" in body["value"], body
    # The same from a client without Universal Actions (`Action.Submit`, a message with the
    # verb in its value): the answer is a chat message, rendered as Markdown, so it is escaped.
    submitted = reminders._as(
        KARI, reminders.server.payload("message_action_submit_value_deviation_report.json")
    )
    submitted["value"] = {**data, by: "Per Olsen", on: "**snart**_x", "verb": ANSWER_VERB}
    status, _ = await reminders.server.post(submitted)
    assert status in {200, 201}
    said = await reminders.connector.wait_for(lambda r: r.reply_to_id == submitted["id"])
    assert "Jeg forstod ikke datoen «\\*\\*snart\\*\\*\\_x»" in said.activity["text"], said

    # A date after today: said, and nothing stored.
    status, body = await invoke(reminders, {**data, by: "Per Olsen", on: "2026-12-24"})
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "kan ikke være etter i dag" in body["value"]
    with reminders.uow_factory() as uow:
        assert list(uow.answers.for_follow_up(due.follow_up_id)) == []

    status, body = await invoke(reminders, {**data, by: "Per Olsen", on: "2026-11-20"})

    assert status == 200
    assert body["type"] == ADAPTIVE, body
    assert_valid(body["value"])
    redrawn = json.dumps(body["value"], ensure_ascii=False)
    assert "Opsjonen utløses – besluttet av Per Olsen 20.11.2026 (svart av Kari Nordmann" in redrawn
    with reminders.uow_factory() as uow:
        (answer,) = uow.answers.for_follow_up(due.follow_up_id)
    assert answer.kind is kind
    assert (answer.decided_by, answer.decided_on.isoformat() if answer.decided_on else None) == (
        "Per Olsen",
        "2026-11-20",
    )
    assert reminders.follow_up(due.follow_up_id).state is FollowUpState.ANSWERED

    overview = await ask(reminders, f"status {REFERENCE}")
    assert_valid(overview)
    facts = {
        f["title"]: f["value"]
        for n in _walk(overview)
        if n.get("type") == "FactSet"
        for f in n["facts"]
    }
    assert facts["Opsjon"] == "Opsjonen utløses – besluttet av Per Olsen 20.11.2026"
