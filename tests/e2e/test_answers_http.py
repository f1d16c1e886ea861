"""Answering follow-ups end to end: a reminder card arrives through the stand-in connector, its
actions come back as `adaptiveCard/action` invokes (and as `Action.Submit` messages, and typed)
through the real HTTP endpoint, and the answers, their versions and audit events are read back
from the database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from bot.conversation.follow_up_cards import (
    ANSWER_VERB,
    CARD_ITEMS_INPUT,
    CHANGE_VERB,
    REFRESH_VERB,
    comment_input_id,
)
from followup.models import (
    Answer,
    AnswerKind,
    AuditEvent,
    ContractStatus,
    FollowUpState,
)
from tests.e2e.reminder_harness import KARI, OLA, Due, Reminders, due_follow_up, people

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def execute_actions(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [n for n in _walk(card) if n.get("type") == "Action.Execute" and n.get("verb") == verb]


def card_inputs(card: dict[str, Any]) -> dict[str, str]:
    """What the client sends with an action: every input's value (as Teams does)."""
    return {
        n["id"]: str(n.get("value", ""))
        for n in _walk(card)
        if str(n.get("type", "")).startswith("Input.")
    }


def answers(reminders: Reminders, follow_up_id: str) -> list[Answer]:
    with reminders.uow_factory() as uow:
        return list(uow.answers.for_follow_up(follow_up_id))


def audit(reminders: Reminders, follow_up_id: str) -> list[AuditEvent]:
    with reminders.uow_factory() as uow:
        return [
            e
            for e in uow.audit.for_entity("follow_up", follow_up_id)
            if e.action == "answer.recorded"
        ]


async def invoke(
    reminders: Reminders,
    name: str,
    verb: str,
    data: dict[str, Any],
    *,
    activity_id: str | None = None,
    reply_to: str | None = None,
) -> tuple[int, Any, str]:
    activity = reminders._as(
        name,
        reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json"),
    )
    if activity_id:
        activity["id"] = activity_id
    if reply_to:
        activity["replyToId"] = reply_to
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": data},
        "trigger": "manual",
    }
    status, body = await reminders.server.post(activity)
    return status, body, str(activity["id"])


async def reminder_card(reminders: Reminders, name: str) -> tuple[dict[str, Any], str]:
    """Tick, and return the one reminder card `name` got, with its activity id."""
    before = len(reminders.posts_to(name))
    report = await reminders.tick()
    assert report.send.sent >= 1
    posts = reminders.posts_to(name)[before:]
    assert len(posts) == 1
    (attachment,) = posts[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    return attachment["content"], str(posts[0]["id"])


def action_data(card: dict[str, Any], follow_up_id: str, kind: AnswerKind) -> dict[str, Any]:
    """The data a client sends for `kind` on `follow_up_id`: the action's data and the inputs."""
    (action,) = [
        a
        for a in execute_actions(card, ANSWER_VERB)
        if a["data"]["followUpId"] == follow_up_id and a["data"]["kind"] == kind.value
    ]
    return {**card_inputs(card), **action["data"]}


def shown(body: Any) -> str:
    assert isinstance(body, dict)
    assert body["statusCode"] == 200
    assert body["type"] == ADAPTIVE, body
    return json.dumps(body["value"], ensure_ascii=False)


async def test_levert_on_the_reminder_card_stores_the_answer_and_redraws_the_card(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    first = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0201", seed=1)
    second = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0202", seed=2)
    await reminders.install(KARI)
    card, _ = await reminder_card(reminders, KARI)
    kinds = {a["data"]["kind"] for a in execute_actions(card, ANSWER_VERB)}
    assert kinds == {"delivered", "partly_delivered", "not_delivered", "not_applicable"}
    assert set(card_inputs(card)[CARD_ITEMS_INPUT].split(",")) == {
        first.follow_up_id,
        second.follow_up_id,
    }

    data = action_data(card, first.follow_up_id, AnswerKind.DELIVERED)
    data[comment_input_id(first.follow_up_id)] = "Alt mottatt ved hovedlageret."
    status, body, activity_id = await invoke(reminders, KARI, ANSWER_VERB, data)

    assert status == 200
    redrawn = shown(body)
    assert "Levert – svart av Kari Nordmann" in redrawn
    assert "Alt mottatt ved hovedlageret." in redrawn
    assert "Endre svar" in redrawn
    # The other follow-up on the card keeps its actions.
    left = {a["data"]["followUpId"] for a in execute_actions(body["value"], ANSWER_VERB)}
    assert left == {second.follow_up_id}

    (answer,) = answers(reminders, first.follow_up_id)
    assert answer.kind is AnswerKind.DELIVERED
    assert answer.version == 1
    assert answer.answered_by_id == kari.id
    assert answer.on_behalf_of_id is None
    assert answer.text == "Alt mottatt ved hovedlageret."
    assert answer.source_activity_id == activity_id
    assert answer.answered_at == reminders.clock()
    follow_up = reminders.follow_up(first.follow_up_id)
    assert follow_up.state is FollowUpState.ANSWERED
    assert follow_up.next_action_at is None
    (event,) = audit(reminders, first.follow_up_id)
    assert event.actor == f"person:{kari.id}"
    assert event.after is not None
    assert event.after["kind"] == "delivered"
    assert answers(reminders, second.follow_up_id) == []


async def test_the_same_invoke_twice_stores_one_answer(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0211", seed=3)
    await reminders.install(KARI)
    card, _ = await reminder_card(reminders, KARI)
    data = action_data(card, due.follow_up_id, AnswerKind.PARTLY_DELIVERED)
    activity_id = f"f:{uuid.uuid4()}"

    first = await invoke(reminders, KARI, ANSWER_VERB, data, activity_id=activity_id)
    again = await invoke(reminders, KARI, ANSWER_VERB, data, activity_id=activity_id)

    assert first[0] == again[0] == 200
    assert "Delvis levert" in shown(first[1])
    assert len(answers(reminders, due.follow_up_id)) == 1
    assert len(audit(reminders, due.follow_up_id)) == 1


async def test_endre_svar_offers_the_actions_again_and_the_new_answer_is_a_new_version(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0221", seed=4)
    await reminders.install(KARI)
    card, _ = await reminder_card(reminders, KARI)
    status, body, _ = await invoke(
        reminders, KARI, ANSWER_VERB, action_data(card, due.follow_up_id, AnswerKind.DELIVERED)
    )
    assert status == 200
    (change,) = execute_actions(body["value"], CHANGE_VERB)

    status, body, _ = await invoke(
        reminders, KARI, CHANGE_VERB, {**card_inputs(body["value"]), **change["data"]}
    )
    assert status == 200
    editing = body["value"]
    assert "Levert – svart av Kari Nordmann" in shown(body), "the answer in force is shown"
    reminders.clock.advance(minutes=5)
    status, body, _ = await invoke(
        reminders,
        KARI,
        ANSWER_VERB,
        action_data(editing, due.follow_up_id, AnswerKind.NOT_DELIVERED),
    )

    assert status == 200
    assert "Ikke levert – svart av Kari Nordmann" in shown(body)
    assert "svar nr. 2" in shown(body)
    first, second = answers(reminders, due.follow_up_id)
    assert (first.version, first.kind) == (1, AnswerKind.DELIVERED)
    assert (second.version, second.kind) == (2, AnswerKind.NOT_DELIVERED)
    assert reminders.follow_up(due.follow_up_id).state is FollowUpState.DEVIATION_REPORTED
    assert len(audit(reminders, due.follow_up_id)) == 2


async def test_someone_elses_follow_up_is_refused_and_nothing_changes(
    reminders: Reminders,
) -> None:
    made = people(reminders.uow_factory, KARI, OLA)
    due = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0231", seed=5)
    await reminders.install(KARI)
    await reminders.install(OLA)
    card, _ = await reminder_card(reminders, KARI)

    status, body, _ = await invoke(
        reminders, OLA, ANSWER_VERB, action_data(card, due.follow_up_id, AnswerKind.DELIVERED)
    )

    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Du kan ikke svare" in body["value"]
    assert answers(reminders, due.follow_up_id) == []
    assert reminders.follow_up(due.follow_up_id).state is FollowUpState.NOTIFIED


async def test_a_terminated_contract_and_a_too_long_comment_are_refused(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0241", seed=6)
    await reminders.install(KARI)
    card, _ = await reminder_card(reminders, KARI)
    data = action_data(card, due.follow_up_id, AnswerKind.DELIVERED)

    status, body, _ = await invoke(
        reminders,
        KARI,
        ANSWER_VERB,
        {**data, comment_input_id(due.follow_up_id): "x" * 2_001},
    )
    assert status == 200
    assert "for lang" in body["value"]
    assert answers(reminders, due.follow_up_id) == []

    with reminders.uow_factory() as uow:
        contract = uow.contracts.by_reference(due.contract_reference)
        assert contract is not None
        uow.contracts.update(
            contract.model_copy(update={"status": ContractStatus.TERMINATED}), reminders.clock()
        )
        uow.commit()
    status, body, _ = await invoke(reminders, KARI, ANSWER_VERB, data)
    assert status == 200
    assert "ikke lenger aktiv" in body["value"]
    assert answers(reminders, due.follow_up_id) == []


async def test_typed_answers_go_to_the_contracts_open_follow_up(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0251", seed=7)
    await reminders.install(KARI)

    reply = await answer_typed(reminders, KARI, "levert KOM-2026-0251 <b>alt</b> [ok](x)")
    assert "Registrert: «Levert» på KOM-2026-0251" in reply
    (answer,) = answers(reminders, due.follow_up_id)
    assert answer.kind is AnswerKind.DELIVERED
    assert answer.text == "<b>alt</b> [ok](x)", "stored as written"

    # Typed again with another answer: a correction, version 2.
    reply = await answer_typed(reminders, KARI, "ikke relevant KOM-2026-0251")
    assert "Ikke relevant" in reply
    assert [a.version for a in answers(reminders, due.follow_up_id)] == [1, 2]

    unknown = await answer_typed(reminders, KARI, "levert KOM-9999-0001")
    assert "KOM-9999-0001" in unknown
    # What was typed is quoted back as typed: escaped where Teams renders Markdown.
    marked = await answer_typed(reminders, KARI, "levert KOM_9*9_1 ok")
    assert "«KOM\\_9\\*9\\_1»" in marked, marked
    usage = await answer_typed(reminders, KARI, "levert")
    assert "avtalenummeret" in usage
    assert len(answers(reminders, due.follow_up_id)) == 2


async def answer_typed(reminders: Reminders, name: str, message: str) -> str:
    """The bot's reply to a typed answer: the card's plain text, or the message."""
    activity = reminders._as(
        name, reminders.server.payload("message_personal_text_status_command.json")
    )
    activity["text"] = message
    status, _ = await reminders.server.post(activity)
    assert status in {200, 201}
    reply = await reminders.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    for attachment in reply.activity.get("attachments") or []:
        return json.dumps(attachment["content"], ensure_ascii=False)
    return str(reply.activity.get("text"))


async def test_action_submit_redraws_the_card_in_place(reminders: Reminders) -> None:
    """A client without Universal Actions sends the action's fallback: a message with `value`
    (and the verb in it), replying to the card, which is then updated in place."""
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0261", seed=8)
    await reminders.install(KARI)
    card, card_id = await reminder_card(reminders, KARI)
    (action,) = [
        a
        for a in execute_actions(card, ANSWER_VERB)
        if a["data"]["kind"] == AnswerKind.DELIVERED.value
    ]
    fallback = action["fallback"]
    assert fallback["type"] == "Action.Submit"
    activity = reminders._as(
        KARI, reminders.server.payload("message_action_submit_value_deviation_report.json")
    )
    activity["replyToId"] = card_id
    activity["value"] = {**card_inputs(card), **fallback["data"]}

    status, _ = await reminders.server.post(activity)

    assert status in {200, 201}
    update = await reminders.connector.wait_for(
        lambda r: r.method == "PUT" and r.activity.get("id") == card_id
    )
    assert "Levert – svart av Kari Nordmann" in json.dumps(update.activity, ensure_ascii=False)
    (answer,) = answers(reminders, due.follow_up_id)
    assert answer.source_activity_id == activity["id"]


async def test_the_confirm_delivery_payload_is_an_answer(reminders: Reminders) -> None:
    """The shape in shared/payloads (verb `bekreftLevering`, Norwegian data keys)."""
    kari = people(reminders.uow_factory, KARI)[KARI]
    due: Due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0271", seed=9)
    await reminders.install(KARI)
    activity = reminders._as(
        KARI,
        reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json"),
    )
    activity["value"]["action"]["data"]["oppfolgingId"] = due.follow_up_id

    status, body = await reminders.server.post(activity)

    assert status == 200
    assert "Levert – svart av Kari Nordmann" in shown(body)
    (answer,) = answers(reminders, due.follow_up_id)
    assert answer.text == "Alt mottatt ved hovedlageret, Industriveien 4."


async def test_a_forged_card_never_shows_someone_elses_follow_up(reminders: Reminders) -> None:
    """The card's item ids come from the client: Ola puts Kari's follow-up among his own."""
    made = people(reminders.uow_factory, KARI, OLA)
    karis = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0281", seed=10)
    olas = due_follow_up(reminders.uow_factory, made[OLA], "KOM-2026-0282", seed=11)
    await reminders.install(KARI)
    await reminders.install(OLA)
    card, _ = await reminder_card(reminders, OLA)
    data = action_data(card, olas.follow_up_id, AnswerKind.DELIVERED)
    data[CARD_ITEMS_INPUT] = f"{olas.follow_up_id},{karis.follow_up_id}"

    status, body, _ = await invoke(reminders, OLA, ANSWER_VERB, data)

    assert status == 200
    redrawn = shown(body)
    assert "KOM-2026-0282" in redrawn
    assert "KOM-2026-0281" not in redrawn
    assert karis.follow_up_id not in redrawn


async def test_the_card_a_click_answers_with_is_the_card_as_stored(reminders: Reminders) -> None:
    """A click draws the answered follow-up from what the answer read and wrote, not read
    again (issue 15): the card is the one a refresh draws from the database afterwards, for a
    first answer and for a correction (its version, who answered), beside an item still open."""
    kari = people(reminders.uow_factory, KARI)[KARI]
    first = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0291", seed=12)
    second = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0292", seed=13)
    await reminders.install(KARI)
    card, _ = await reminder_card(reminders, KARI)

    async def refreshed(after: dict[str, Any]) -> dict[str, Any]:
        data = {**card_inputs(after), "followUpId": first.follow_up_id}
        status, body, _ = await invoke(reminders, KARI, REFRESH_VERB, data)
        assert status == 200
        shown(body)
        value: dict[str, Any] = body["value"]
        return value

    data = action_data(card, first.follow_up_id, AnswerKind.DELIVERED)
    data[comment_input_id(first.follow_up_id)] = "Kom i går."
    status, body, _ = await invoke(reminders, KARI, ANSWER_VERB, data)
    assert status == 200
    answered = body["value"]
    assert "Kom i går." in shown(body)
    assert answered == await refreshed(answered)

    (change,) = execute_actions(answered, CHANGE_VERB)
    _, body, _ = await invoke(
        reminders, KARI, CHANGE_VERB, {**card_inputs(answered), **change["data"]}
    )
    reminders.clock.advance(minutes=3)
    status, body, _ = await invoke(
        reminders,
        KARI,
        ANSWER_VERB,
        action_data(body["value"], first.follow_up_id, AnswerKind.PARTLY_DELIVERED),
    )
    assert status == 200
    corrected = body["value"]
    assert "svar nr. 2" in shown(body)
    assert corrected == await refreshed(corrected)
    left = {a["data"]["followUpId"] for a in execute_actions(corrected, ANSWER_VERB)}
    assert left == {second.follow_up_id}
