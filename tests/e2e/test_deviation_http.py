"""Deviations end to end: the real HTTP endpoint, the Bot Connector stand-in, the database.

The card's `Meld avvik` (an `Action.Execute` invoke) starts the dialog in the chat, the answers
come as messages, and a critical deviation is stored with its audit event and an alert queued
for the procurement channel, which the outbox then sends. The deviation form from
/work/shared/payloads is stored once however often it is posted. Procurement changes a
deviation's status from the team channel; an outsider is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.conversation.follow_up_cards import DEVIATION_VERB
from followup.models import (
    AnswerKind,
    Checkpoint,
    CheckpointSource,
    DeliveryKind,
    DeliveryState,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Role,
    Severity,
)
from tests.builders import add_contract, add_person, add_supplier
from tests.e2e.harness import BotServer
from tests.e2e.reminder_harness import (
    CHANNEL_CONVERSATION,
    KARI,
    MONDAY_10_OSLO,
    OLA,
    USERS,
    Reminders,
    card_text,
    due_follow_up,
    people,
)

INVOKE = "invoke_adaptiveCard_action_execute_confirm_delivery.json"
FORM = "message_action_submit_value_deviation_report.json"
CHANNEL_MENTION = "message_channel_mention_query.json"
FORM_DAY = datetime(2026, 9, 16, 8, 10, tzinfo=UTC)
"""The form payload's own time (Wednesday 16 September 2026, 10:10 in Oslo)."""


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    """The bot on a free port with a fake clock (Monday 23 November 2026, 10:00 in Oslo); its
    outbox sender is ticked by the test (`tests.e2e.reminder_harness`)."""
    return reminders


def all_deviations(bot: Reminders) -> list[Deviation]:
    with bot.uow_factory() as uow:
        return list(uow.deviations.open(1000))


async def say_card(bot: Reminders, name: str, text: str) -> dict[str, Any]:
    """`name` writes `text`; the Adaptive Card the bot answers with."""
    activity = bot._as(name, bot.server.payload("message_personal_text_status_command.json"))
    activity["text"] = text
    status, _ = await bot.server.post(activity)
    assert status in {200, 201}
    reply = await bot.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    (attachment,) = reply.activity["attachments"]
    return dict(attachment)


async def click_report(bot: Reminders, name: str, follow_up_id: str) -> tuple[int, Any, str]:
    activity = bot._as(name, bot.server.payload(INVOKE))
    activity["value"] = {
        "action": {
            "type": "Action.Execute",
            "verb": DEVIATION_VERB,
            "data": {"followUpId": follow_up_id},
        },
        "trigger": "manual",
    }
    status, body = await bot.server.post(activity)
    return status, body, activity["id"]


# --- the card, then the dialog ------------------------------------------------------------------


async def test_meld_avvik_on_the_card_then_the_dialog_stores_and_alerts(bot: Reminders) -> None:
    kari = people(bot.uow_factory, KARI)[KARI]
    due = due_follow_up(bot.uow_factory, kari, "KOM-2026-0201", seed=11, title="Levering")
    await bot.install(KARI)
    await bot.install_in_procurement_team()

    status, body, invoke_id = await click_report(bot, KARI, due.follow_up_id)

    assert status == 200
    assert body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Svar på spørsmålene i chatten for å melde avviket.",
    }
    first = await bot.connector.wait_for(lambda r: r.reply_to_id == invoke_id)
    assert first.conversation_id == USERS[KARI].conversation_id
    question = str(first.activity["text"])
    assert "Avvik på KOM-2026-0201" in question
    assert "Hva slags avvik er det?" in question
    assert (
        first.activity["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    )

    assert "Hvor alvorlig" in await bot.say(KARI, "hms")
    assert "Når skjedde det" in await bot.say(KARI, "kritisk")
    assert "Beskriv hva som skjedde" in await bot.say(KARI, "i dag")
    assert "Hvilket tiltak" in await bot.say(KARI, "Stillaset på Bergvik skole mangler rekkverk.")
    assert "Stemmer dette?" in await bot.say(KARI, "handlingsplan")
    assert all_deviations(bot) == [], "nothing before ja"
    done = await bot.say(KARI, "ja")

    (deviation,) = all_deviations(bot)
    assert f"Avvik {deviation.code!s} er registrert på KOM-2026-0201" in done
    assert "Innkjøp er varslet." in done
    assert deviation.category is DeviationCategory.HSE
    assert deviation.severity is Severity.CRITICAL
    assert deviation.occurred_on == date(2026, 11, 23)
    assert deviation.follow_up_id == due.follow_up_id
    assert deviation.reported_by_id == kari.id
    with bot.uow_factory() as uow:
        events = uow.audit.for_entity("deviation", deviation.id)
        answers = uow.answers.for_follow_up(due.follow_up_id)
    assert [(e.action, e.actor) for e in events] == [("deviation.reported", f"person:{kari.id}")]
    assert [a.kind for a in answers] == [AnswerKind.DEVIATION]
    assert bot.follow_up(due.follow_up_id).state is FollowUpState.DEVIATION_REPORTED

    (alert,) = [d for d in bot.deliveries() if d.kind is DeliveryKind.DEVIATION]
    assert alert.state is DeliveryState.QUEUED
    with bot.uow_factory() as uow:
        (channel,) = uow.conversations.procurement_channels()
    assert alert.conversation_ref_id == channel.id

    # The outbox sends it to the procurement channel.
    before = len(bot.posts_to(CHANNEL_CONVERSATION))
    await bot.tick()
    cards = [
        a
        for p in bot.posts_to(CHANNEL_CONVERSATION)[before:]
        for a in p.get("attachments") or []
        if "avvik på KOM-2026-0201" in card_text(a)
    ]
    assert len(cards) == 1
    content = card_text(cards[0])
    assert "Kritisk avvik på KOM-2026-0201" in content
    assert str(deviation.code) in content
    assert "Stillaset på Bergvik skole mangler rekkverk." in content
    assert "Handlingsplan" in content
    assert KARI in content
    sent = next(d for d in bot.deliveries() if d.kind is DeliveryKind.DEVIATION)
    assert sent.state is DeliveryState.SENT


async def test_a_command_typed_as_the_description_is_not_taken_as_it(bot: Reminders) -> None:
    """`risiko … steg` or `meld avvik` typed where the dialog asks for the description is a
    command that begins another dialog, not a description: the dialog says so and asks again."""
    kari = people(bot.uow_factory, KARI)[KARI]
    due = due_follow_up(bot.uow_factory, kari, "KOM-2026-0203", seed=13, title="Levering")
    await bot.install(KARI)
    await click_report(bot, KARI, due.follow_up_id)
    await bot.say(KARI, "hms")
    await bot.say(KARI, "lav")
    assert "Beskriv hva som skjedde" in await bot.say(KARI, "i dag")

    for command in ("risiko KOM-2026-0203 steg", "kontroll KOM-2026-0203 i chatten", "meld avvik"):
        reply = await bot.say(KARI, command)
        assert "Du holder på å melde et avvik her i chatten" in reply, command
        assert "Beskriv hva som skjedde" in reply, command
    # A description that only begins with a command's word is a description.
    assert "Hvilket tiltak" in await bot.say(KARI, "Risiko for fall: stillaset mangler rekkverk.")
    assert "Stemmer dette?" in await bot.say(KARI, "ingen")
    await bot.say(KARI, "ja")
    (deviation,) = all_deviations(bot)
    assert deviation.description == "Risiko for fall: stillaset mangler rekkverk."


async def test_the_card_of_someone_elses_follow_up_starts_nothing(bot: Reminders) -> None:
    made = people(bot.uow_factory, KARI, OLA)
    due = due_follow_up(bot.uow_factory, made[KARI], "KOM-2026-0211", seed=12)
    await bot.install(OLA)
    posts_before = len(bot.posts_to(OLA))

    status, body, _ = await click_report(bot, OLA, due.follow_up_id)

    assert status == 200
    assert "ikke tilgang" in body["value"]
    assert len(bot.posts_to(OLA)) == posts_before, "no question was asked"
    assert "Slik bruker du" in await bot.say(OLA, "hjelp")
    assert all_deviations(bot) == []


# --- the form -------------------------------------------------------------------------------------


def payload_world(bot: Reminders) -> tuple[Person, str]:
    """Kari of the payloads (her Entra id), owner of KOM-2025-0147 with the form's follow-up."""
    form = bot.server.payload(FORM)
    with bot.uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", FORM_DAY)
        kari = kari.model_copy(update={"entra_object_id": form["from"]["aadObjectId"]})
        uow.people.update(kari, FORM_DAY)
        contract = add_contract(
            uow,
            FORM_DAY,
            owner=kari,
            supplier=add_supplier(uow, "Strøsand Vest AS", seed=21),
            reference=form["value"]["kontraktId"],
            title="Strøsand til skolene",
        )
        uow.commit()
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code="levering",
            title="Levering av strøsand",
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 18),
            source=CheckpointSource.MANUAL,
        )
        uow.checkpoints.add(checkpoint)
        uow.follow_ups.add_many(
            [
                FollowUp(
                    id=form["value"]["oppfolgingId"],
                    checkpoint_id=checkpoint.id,
                    contract_id=contract.id,
                    due_date=date(2026, 9, 18),
                    state=FollowUpState.NOTIFIED,
                )
            ]
        )
        uow.commit()
    return kari, str(form["value"]["oppfolgingId"])


async def test_the_deviation_form_is_stored_once_even_when_posted_twice(bot: Reminders) -> None:
    bot.clock.now = FORM_DAY
    kari, follow_up_id = payload_world(bot)
    form = bot.server.payload(FORM)

    status, _ = await bot.server.post(form)
    assert status in {200, 201}
    reply = await bot.connector.wait_for(
        lambda r: r.reply_to_id == form["id"] and "registrert" in str(r.activity.get("text"))
    )
    again_status, _ = await bot.server.post(form)  # Teams re-sends the same activity
    assert again_status in {200, 201}
    # The same form sent again as a new activity (a second click): the same report.
    second = {**form, "id": "1767003100999"}
    await bot.server.post(second)
    replayed = await bot.connector.wait_for(lambda r: r.reply_to_id == second["id"])

    (deviation,) = all_deviations(bot)
    text = str(reply.activity["text"])
    assert f"Avvik {deviation.code!s} er registrert på KOM-2025-0147" in text
    assert "Oppfølgingen «Levering av strøsand» er besvart med «Avvik meldt»" in text
    assert "allerede registrert" in str(replayed.activity["text"])
    replies_to_first = [r for r in bot.connector.recorded if r.reply_to_id == form["id"]]
    assert len([r for r in replies_to_first if "registrert" in str(r.activity.get("text"))]) == 1
    assert deviation.category is DeviationCategory.DELAY
    assert deviation.severity is Severity.MEDIUM
    assert deviation.occurred_on == date(2026, 9, 16)
    assert deviation.description.startswith("3 av 12 paller strøsand mangler.")
    assert "Ny frist: 25.09.2026." in deviation.description
    assert deviation.follow_up_id == follow_up_id
    assert deviation.reported_by_id == kari.id
    with bot.uow_factory() as uow:
        answers = uow.answers.for_follow_up(follow_up_id)
        events = uow.audit.for_entity("deviation", deviation.id)
    assert [a.kind for a in answers] == [AnswerKind.DEVIATION]
    assert [e.action for e in events] == ["deviation.reported"]
    assert [d for d in bot.deliveries() if d.kind is DeliveryKind.DEVIATION] == [], "middels"


# --- procurement changes the status ---------------------------------------------------------------


async def test_procurement_changes_the_status_and_an_outsider_is_refused(bot: Reminders) -> None:
    made = people(bot.uow_factory, KARI, OLA)
    due = due_follow_up(bot.uow_factory, made[KARI], "KOM-2026-0221", seed=13)
    await bot.install(KARI)
    await bot.install(OLA)
    await bot.say(KARI, "meld avvik KOM-2026-0221")
    for answer in ("feil mengde", "høy", "i går", "2 av 10 kasser manglet.", "omlevering"):
        await bot.say(KARI, answer)
    assert "er registrert" in await bot.say(KARI, "ja")
    (deviation,) = all_deviations(bot)
    code = str(deviation.code)
    assert deviation.follow_up_id is None
    del due

    # Procurement (the payload's Ola Nordmann, by his Entra id) in the team channel.
    mention = bot.server.payload(CHANNEL_MENTION)
    with bot.uow_factory() as uow:
        buyer = add_person(uow, "Ola Nordmann", MONDAY_10_OSLO, roles={Role.PROCUREMENT})
        buyer = buyer.model_copy(update={"entra_object_id": mention["from"]["aadObjectId"]})
        uow.people.update(buyer, MONDAY_10_OSLO)
        uow.commit()
    bot.clock.now = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
    mention["id"] = f"m:{uuid.uuid4()}"
    mention["text"] = (
        f"<at>Kontraktsoppfølging</at> avviksstatus {code} under behandling "
        "Leverandøren er kontaktet"
    )
    status, _ = await bot.server.post(mention)
    assert status in {200, 201}
    # The channel's first message also registers it (and says so); then the answer.
    reply = await bot.connector.wait_for(
        lambda r: r.reply_to_id == mention["id"] and code in str(r.activity.get("text"))
    )
    said = str(reply.activity["text"])
    # In a channel the answer names neither the contract nor the note: its members may not
    # see the contract.
    assert f"Avvik {code}: «Åpent» → «Under behandling»" in said
    assert "Endret av Ola Nordmann, man. 23.11. kl. 14.30" in said
    assert "KOM-2026-0221" not in said
    history = {**mention, "id": f"m:{uuid.uuid4()}"}
    history["text"] = f"<at>Kontraktsoppfølging</at> avviksstatus {code}"
    await bot.server.post(history)
    refused_here = await bot.connector.wait_for(lambda r: r.reply_to_id == history["id"])
    assert "KOM-2026-0221" not in str(refused_here.activity)
    assert "personlig chat" in str(refused_here.activity.get("text"))

    with bot.uow_factory() as uow:
        changed = uow.deviations.get(deviation.id)
        events = uow.audit.for_entity("deviation", deviation.id)
    assert changed is not None
    assert changed.status is DeviationStatus.IN_PROGRESS
    assert changed.updated_by_id == buyer.id
    assert changed.updated_at == bot.clock.now
    updated = [e for e in events if e.action == "deviation.updated"]
    assert len(updated) == 1
    assert updated[0].actor == f"person:{buyer.id}"
    assert updated[0].after == {
        "status": "in_progress",
        "remedy": "omlevering",
        "note": "Leverandøren er kontaktet",
    }

    # Ola Hansen is neither procurement nor on the contract.
    refused = await bot.say(OLA, f"avviksstatus {code} lukket")
    assert "ikke tilgang" in refused
    with bot.uow_factory() as uow:
        after = uow.deviations.get(deviation.id)
        events_after = uow.audit.for_entity("deviation", deviation.id)
    assert after == changed
    assert len(events_after) == len(events)

    # The owner closes it with the code in capitals and a hash.
    closed = await bot.say(KARI, f"avviksstatus #{code.upper()} lukket Levert i dag")
    assert "«Under behandling» → «Lukket»" in closed
    with bot.uow_factory() as uow:
        final = uow.deviations.get(deviation.id)
    assert final is not None
    assert final.status is DeviationStatus.CLOSED
    assert final.closed_by_id == made[KARI].id
    shown = card_text(await say_card(bot, KARI, f"avviksstatus {code}"))
    assert f"Avvik {code} – KOM-2026-0221" in shown
    assert "Ola Nordmann" in shown
    assert "Leverandøren er kontaktet" in shown
    assert "Lukket" in shown


async def test_a_dialog_goes_on_at_another_bot_instance(
    bot: Reminders, make_server: Callable[..., Any], db_url: str
) -> None:
    """Dialog state is in the database: the next answer may reach another instance."""
    kari = people(bot.uow_factory, KARI)[KARI]
    due_follow_up(bot.uow_factory, kari, "KOM-2026-0231", seed=14)
    await bot.install(KARI)
    assert "Hva slags avvik er det?" in await bot.say(KARI, "meld avvik KOM-2026-0231")

    other: BotServer = await make_server(db_url)
    elsewhere = Reminders(other, bot.jobs, bot.clock, bot.uow_factory)

    assert "Hvor alvorlig er avviket?" in await elsewhere.say(KARI, "mangel")
    assert "Når skjedde det" in await bot.say(KARI, "lav")
    assert await elsewhere.say(KARI, "avbryt") == "Avbrutt. Ingenting er lagret."
    assert "Slik bruker du" in await bot.say(KARI, "hjelp")
    assert all_deviations(bot) == []


async def test_a_critical_deviation_reaches_procurement_without_waiting_for_a_tick(
    bot: Reminders,
) -> None:
    """With the scheduler in the bot's process, the alert is sent at once (`OutboxNudge`)."""
    from bot.app import OUTBOX_NUDGE

    bot.clock.now = FORM_DAY
    payload_world(bot)
    await bot.install_in_procurement_team()
    bot.server.app[OUTBOX_NUDGE].connect(bot.jobs.send_soon)
    form = bot.server.payload(FORM)
    form["value"]["alvorlighet"] = "kritisk"
    before = len(bot.posts_to(CHANNEL_CONVERSATION))

    status, _ = await bot.server.post(form)

    assert status in {200, 201}
    alert = await bot.connector.wait_for(
        lambda r: (
            r.conversation_id == CHANNEL_CONVERSATION
            and "Kritisk avvik på KOM-2025-0147" in str(r.activity)
        ),
        timeout=10,
    )
    assert alert.method == "POST"
    assert len(bot.posts_to(CHANNEL_CONVERSATION)) == before + 1
    await bot.jobs.idle()
    (sent,) = [d for d in bot.deliveries() if d.kind is DeliveryKind.DEVIATION]
    assert sent.state is DeliveryState.SENT
