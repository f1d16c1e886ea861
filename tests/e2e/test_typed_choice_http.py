"""Typed answers, `utsett` and `endre svar` through the real HTTP endpoint, never guessing
which follow-up a contract number means: with two open deliveries the bot asks on a card, and
the button chosen answers (or snoozes) that one; naming the checkpoint answers at once; a word
no open follow-up takes stores nothing and says what they take; an old answered follow-up can be
corrected, typed or on its card. What was stored is read back from the database.

The clock is Monday 23 November 2026, 10:00 in Oslo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from bot.conversation.follow_up_cards import ANSWER_VERB, CHANGE_VERB
from followup.models import (
    Answer,
    AnswerKind,
    Checkpoint,
    CheckpointSource,
    FollowUp,
    FollowUpState,
)
from tests.card_schema import assert_valid
from tests.e2e.reminder_harness import (
    KARI,
    MONDAY_10_OSLO,
    Due,
    Reminders,
    due_follow_up,
    people,
)

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
REFERENCE = "KOM-2026-0401"
DOCUMENTS = ["dokumentasjon", "avvik", "ikke_relevant", "utsett"]
OVERDUE = date(2026, 10, 26)
UPCOMING = date(2026, 11, 25)


# --- helpers -------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in _walk(card) if n.get("type") == "Action.Execute"]


def inputs(card: dict[str, Any]) -> dict[str, str]:
    """What a client sends with an action: every input's value."""
    return {
        n["id"]: str(n.get("value", ""))
        for n in _walk(card)
        if str(n.get("type", "")).startswith("Input.")
    }


async def say(reminders: Reminders, text: str) -> dict[str, Any]:
    """Kari types `text` in her chat; the bot's reply activity."""
    activity = reminders._as(
        KARI, reminders.server.payload("message_personal_text_status_command.json")
    )
    activity["text"] = text
    status, _ = await reminders.server.post(activity)
    assert status in {200, 201}
    reply = await reminders.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return reply.activity


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = reply.get("attachments") or [None]
    assert attachment is not None, reply.get("text")
    assert attachment["contentType"] == ADAPTIVE
    card: dict[str, Any] = attachment["content"]
    assert_valid(card)
    return card


async def click(reminders: Reminders, button: dict[str, Any], card: dict[str, Any]) -> Any:
    """Kari presses `button` on `card` (an `adaptiveCard/action` invoke); the invoke's body."""
    activity = reminders._as(
        KARI, reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json")
    )
    activity["value"] = {
        "action": {
            "type": "Action.Execute",
            "verb": button["verb"],
            "data": {**inputs(card), **button["data"]},
        },
        "trigger": "manual",
    }
    status, body = await reminders.server.post(activity)
    assert status == 200
    return body


def answers(reminders: Reminders, follow_up_id: str) -> list[Answer]:
    with reminders.uow_factory() as uow:
        return list(uow.answers.for_follow_up(follow_up_id))


def add_follow_up(
    reminders: Reminders,
    due: Due,
    day: date,
    *,
    state: FollowUpState = FollowUpState.NOTIFIED,
    checkpoint: Checkpoint | None = None,
) -> str:
    """Another follow-up on `due`'s contract: of its checkpoint, or of `checkpoint`."""
    with reminders.uow_factory() as uow:
        first = uow.follow_ups.get_many([due.follow_up_id])[due.follow_up_id]
        if checkpoint is not None:
            uow.checkpoints.add(checkpoint.model_copy(update={"contract_id": first.contract_id}))
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id if checkpoint else first.checkpoint_id,
            contract_id=first.contract_id,
            due_date=day,
            state=state,
            reminder_step=2,
            next_action_at=None if state is FollowUpState.ANSWERED else MONDAY_10_OSLO,
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up.id


def skatteattest() -> Checkpoint:
    return Checkpoint(
        contract_id="set when added",
        code="skatteattest",
        title="Skatteattest",
        rrule="FREQ=MONTHLY;INTERVAL=6",
        dtstart=date(2026, 5, 20),
        source=CheckpointSource.MANUAL,
        evidence=["skatteattest"],
        actions=DOCUMENTS,
    )


async def two_deliveries(reminders: Reminders) -> tuple[str, str]:
    """KOM-2026-0401: an overdue delivery (26.10.) and an upcoming one (25.11.), both open."""
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, REFERENCE, seed=41, due=UPCOMING)
    overdue = add_follow_up(reminders, due, OVERDUE, state=FollowUpState.REMINDED)
    await reminders.install(KARI)
    return overdue, due.follow_up_id


# --- the tests -----------------------------------------------------------------------------------


async def test_levert_with_two_open_deliveries_asks_and_the_choice_answers_that_one(
    reminders: Reminders,
) -> None:
    overdue, upcoming = await two_deliveries(reminders)

    card = card_of(await say(reminders, f"levert {REFERENCE} alt kom i dag"))

    assert answers(reminders, overdue) == []
    assert answers(reminders, upcoming) == []
    shown = card["fallbackText"]
    assert f"Hvilken oppfølging på {REFERENCE} gjelder «Levert»?" in shown
    assert "Forfalt" in shown
    assert "26.10." in shown
    assert "Frist" in shown
    assert "25.11." in shown
    choices = buttons(card)
    assert {b["verb"] for b in choices} == {"answerChoice"}
    assert [b["data"]["followUpId"] for b in choices] == [overdue, upcoming]
    assert inputs(card)["choiceComment"] == "alt kom i dag"

    body = await click(reminders, choices[1], card)

    assert body["type"] == ADAPTIVE, body
    redrawn = json.dumps(body["value"], ensure_ascii=False)
    assert f"Registrert: «Levert» på {REFERENCE}" in redrawn
    assert_valid(body["value"])
    (answer,) = answers(reminders, upcoming)
    assert (answer.kind, answer.text) == (AnswerKind.DELIVERED, "alt kom i dag")
    assert answers(reminders, overdue) == []
    assert reminders.follow_up(upcoming).state is FollowUpState.ANSWERED
    assert reminders.follow_up(overdue).state is FollowUpState.REMINDED


async def test_naming_the_checkpoint_answers_at_once(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, REFERENCE, seed=42, due=UPCOMING)
    attest = add_follow_up(reminders, due, date(2026, 11, 20), checkpoint=skatteattest())
    await reminders.install(KARI)

    # Both take «ikke relevant»: without a name the bot asks …
    asked = card_of(await say(reminders, f"ikke relevant {REFERENCE}"))
    assert len(buttons(asked)) == 2
    # … naming the checkpoint answers that one, and the rest is the comment.
    reply = await say(reminders, f"ikke relevant {REFERENCE} skatteattesten ikke påkrevd nå")

    assert "Registrert: «Ikke relevant»" in json.dumps(reply["attachments"], ensure_ascii=False)
    (answer,) = answers(reminders, attest)
    assert (answer.kind, answer.text) == (AnswerKind.NOT_APPLICABLE, "ikke påkrevd nå")
    assert answers(reminders, due.follow_up_id) == []
    # «levert» fits only the delivery: stored there at once, with a note of the other.
    delivered = await say(reminders, f"levert {REFERENCE}")
    assert "Registrert: «Levert»" in json.dumps(delivered["attachments"], ensure_ascii=False)
    assert [a.kind for a in answers(reminders, due.follow_up_id)] == [AnswerKind.DELIVERED]


async def test_levert_where_only_documents_are_asked_for_stores_nothing_and_says_what_fits(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(
        reminders.uow_factory,
        kari,
        REFERENCE,
        seed=43,
        due=date(2026, 11, 20),
        title="Skatteattest",
        code="skatteattest",
        actions=DOCUMENTS,
    )
    await reminders.install(KARI)

    reply = await say(reminders, f"levert {REFERENCE}")

    said = str(reply.get("text"))
    assert not reply.get("attachments")
    assert f"Ingen av de åpne oppfølgingene på {REFERENCE} tar svaret «Levert»" in said
    assert "- Skatteattest (Forfalt" in said
    assert f"«dokument {REFERENCE}»" in said
    assert answers(reminders, due.follow_up_id) == []


async def test_utsett_asks_the_same_way_and_the_choice_snoozes_that_one(
    reminders: Reminders,
) -> None:
    overdue, upcoming = await two_deliveries(reminders)

    card = card_of(await say(reminders, f"utsett {REFERENCE} fredag"))

    shown = card["fallbackText"]
    assert f"Hvilken oppfølging på {REFERENCE} vil du utsette til" in shown
    assert "27.11." in shown
    choices = buttons(card)
    assert [(b["verb"], b["data"]) for b in choices] == [
        ("snoozeChoice", {"followUpId": overdue, "until": "2026-11-27"}),
        ("snoozeChoice", {"followUpId": upcoming, "until": "2026-11-27"}),
    ]
    assert reminders.follow_up(overdue).state is FollowUpState.REMINDED
    untouched = reminders.follow_up(upcoming)

    body = await click(reminders, choices[0], card)

    assert body["type"] == ADAPTIVE, body
    assert "Utsatt til" in json.dumps(body["value"], ensure_ascii=False)
    snoozed = reminders.follow_up(overdue)
    assert snoozed.state is FollowUpState.SNOOZED
    assert snoozed.next_action_at is not None
    assert snoozed.next_action_at.date() == date(2026, 11, 27)
    assert reminders.follow_up(upcoming) == untouched

    # A typed date already past is refused before anyone is asked.
    past = await say(reminders, f"utsett {REFERENCE} 20.11.2026")
    assert "etter i dag" in str(past.get("text"))


async def test_an_old_answer_is_corrected_typed_and_on_its_card(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(
        reminders.uow_factory, kari, REFERENCE, seed=44, due=date(2026, 4, 24)
    )  # seven months overdue
    await reminders.install(KARI)

    not_delivered = await say(reminders, f"ikke levert {REFERENCE}")
    assert "Registrert: «Ikke levert»" in json.dumps(
        not_delivered["attachments"], ensure_ascii=False
    )
    # Nothing else open: typed again, the answer is corrected (a new version).
    await say(reminders, f"levert {REFERENCE} kom likevel")
    assert [(a.version, a.kind) for a in answers(reminders, due.follow_up_id)] == [
        (1, AnswerKind.NOT_DELIVERED),
        (2, AnswerKind.DELIVERED),
    ]

    # `endre svar`: the card with its actions again; an answer on it is version 3.
    card = card_of(await say(reminders, f"endre svar {REFERENCE}"))
    assert "Velg nytt svar" in card["fallbackText"]
    partly = next(
        b
        for b in buttons(card)
        if b["verb"] == ANSWER_VERB and b["data"].get("kind") == AnswerKind.PARTLY_DELIVERED.value
    )
    body = await click(reminders, partly, card)
    assert body["type"] == ADAPTIVE, body
    assert [a.version for a in answers(reminders, due.follow_up_id)] == [1, 2, 3]

    # «Endre svar» on the card that came back works as well, however old the follow-up.
    (change,) = [b for b in buttons(body["value"]) if b["verb"] == CHANGE_VERB]
    editing = await click(reminders, change, body["value"])
    assert editing["type"] == ADAPTIVE, editing
    assert any(b["verb"] == ANSWER_VERB for b in buttons(editing["value"]))


async def test_endre_svar_with_several_answered_asks_which(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(
        reminders.uow_factory, kari, REFERENCE, seed=45, state=FollowUpState.ANSWERED
    )
    older = add_follow_up(reminders, due, date(2026, 3, 25), state=FollowUpState.ANSWERED)
    await reminders.install(KARI)

    card = card_of(await say(reminders, f"endre svar {REFERENCE}"))

    assert f"Hvilket svar på {REFERENCE} vil du endre?" in card["fallbackText"]
    choices = buttons(card)
    assert [(b["verb"], b["data"]["followUpId"]) for b in choices] == [
        (CHANGE_VERB, due.follow_up_id),
        (CHANGE_VERB, older),
    ]
    body = await click(reminders, choices[1], card)
    assert body["type"] == ADAPTIVE, body
    kinds = {b["data"].get("kind") for b in buttons(body["value"]) if b["verb"] == ANSWER_VERB}
    assert AnswerKind.DELIVERED.value in kinds
    assert older in json.dumps(body["value"])
    nothing = await say(reminders, "endre svar KOM-2026-0999")
    assert "KOM-2026-0999" in str(nothing.get("text"))
