"""Reporting a deviation through the dialog, driven by botbuilder's TestAdapter, on real SQLite
and PostgreSQL, with the dialog state in the database (`SqlAlchemyStorage`).

Kari owns KOM-2026-0001 (Kontorrekvisita, from Fjordbygg AS), Per manages it, two procurement
channels are registered. The clock is Monday 23 November 2026, 10:00 in Oslo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import Engine

from bot.conversation.dialog_question import ANSWER_KEY
from bot.conversation.follow_up_cards import DEVIATION_VERB
from bot.deviations.report_deviation_dialog import STEPS
from followup.models import (
    AnswerKind,
    DeliveryKind,
    Deviation,
    DeviationCategory,
    FollowUp,
    FollowUpState,
    Remedy,
    Severity,
)
from followup.ports import ScheduleChange
from followup.reminders.planning import message_from_json
from tests.builders import add_contract, add_person, add_supplier
from tests.card_schema import assert_valid
from tests.chat import Chat, kari_world, one, start_bot
from tests.worlds import (
    NOW,
    World,
    all_deliveries,
    answers_of,
    audit,
    of_kind,
    open_follow_up,
    stored_follow_up,
)

REFERENCE = "KOM-2026-0001"


@pytest.fixture
def world(db_engine: Engine) -> World:
    return kari_world(db_engine)


@pytest.fixture
def chat(world: World, db_url: str) -> Iterator[Chat]:
    made = start_bot(db_url)
    yield made
    made.engine.dispose()


def deviations(world: World) -> list[Deviation]:
    with world.uow_factory() as uow:
        return list(uow.deviations.for_contract(world.contract.id))


def says(*parts: str) -> Callable[[Activity, str], None]:
    """A TestFlow inspector (it must assert: TestFlow ignores what it returns)."""

    def inspect(activity: Activity, _description: str) -> None:
        for part in parts:
            assert part in (activity.text or ""), activity.text

    return inspect


QUESTIONS = {
    "contract": "Hvilken kontrakt gjelder avviket?",
    "category": "Hva slags avvik er det?",
    "severity": "Hvor alvorlig er avviket?",
    "date": "Når skjedde det",
    "description": "Beskriv hva som skjedde",
    "remedy": "Hvilket tiltak foreslår du?",
    "confirm": "Stemmer dette?",
}
ANSWERS = {
    "contract": "1",
    "category": "forsinkelse",
    "severity": "middels",
    "date": "i går",
    "description": "Tre av tolv paller strøsand manglet.",
    "remedy": "reklamasjon",
}


async def answer_up_to(chat: Chat, step: str) -> str:
    """`meld avvik`, then the usual answers until `step` is asked; its question's text."""
    asked = one(await chat.say("meld avvik"))
    for name in STEPS:
        assert QUESTIONS[name] in asked, (name, asked)
        if name == step:
            return asked
        asked = one(await chat.say(ANSWERS[name]))
    raise AssertionError(step)


# --- the paths ------------------------------------------------------------------------------------


async def test_the_full_happy_path(world: World, chat: Chat) -> None:
    flow = await chat.adapter.send(Activity(type="message", text="meld avvik"))
    flow = await flow.assert_reply(
        says(QUESTIONS["contract"], f"1 {REFERENCE} Kontorrekvisita", "avbryt")
    )
    flow = await flow.send("1")
    flow = await flow.assert_reply(says(QUESTIONS["category"], "1 Forsinkelse", "9 Annet"))
    flow = await flow.send("Forsinkelse")
    flow = await flow.assert_reply(says(QUESTIONS["severity"], "Lav", "Middels", "Høy", "Kritisk"))
    flow = await flow.send("2")
    flow = await flow.assert_reply(says(QUESTIONS["date"], "i går"))
    flow = await flow.send("i går")
    flow = await flow.assert_reply(says(QUESTIONS["description"], "4\u00a0000"))
    flow = await flow.send("Tre av tolv paller strøsand manglet.\nResten kommer fredag.")
    flow = await flow.assert_reply(says(QUESTIONS["remedy"], "1 Reklamasjon", "11 Ingen forslag"))
    flow = await flow.send("reklamasjon")

    def summary(activity: Activity, _d: str) -> None:
        assert QUESTIONS["confirm"] in activity.text
        card = activity.attachments[0].content
        assert_valid(card)
        shown = json.dumps(card, ensure_ascii=False)
        for part in (
            "Kontorrekvisita",
            "Forsinkelse",
            "Middels",
            "søndag 22. november 2026",
            "Tre av tolv paller",
            "Reklamasjon",
        ):
            assert part in shown, part

    flow = await flow.assert_reply(summary)
    assert deviations(world) == [], "nothing is stored before ja"
    flow = await flow.send("ja")
    (stored,) = deviations(world)

    await flow.assert_reply(
        says(
            f"Avvik {stored.code!s} er registrert på {REFERENCE} Kontorrekvisita",
            "Forsinkelse",
            "alvorlighetsgrad middels",
            "søndag 22. november 2026",
            "Foreslått tiltak: Reklamasjon",
        )
    )
    assert stored.category is DeviationCategory.DELAY
    assert stored.severity is Severity.MEDIUM
    assert stored.occurred_on == date(2026, 11, 22)
    assert stored.description == "Tre av tolv paller strøsand manglet.\nResten kommer fredag."
    assert stored.remedy is Remedy.NOTICE
    assert stored.reported_by_id == world.owner.id
    assert stored.follow_up_id is None
    assert [e.action for e in audit(world, "deviation", stored.id)] == ["deviation.reported"]
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []
    # The dialog is over: hjelp is the router's help again.
    assert "Slik bruker du Kontraktsvakt" in one(await chat.say("hjelp"))


@pytest.mark.parametrize("command", [f"meld avvik {REFERENCE}", f"avvik {REFERENCE}"])
async def test_started_with_the_contract_known(world: World, chat: Chat, command: str) -> None:
    first = one(await chat.say(command))
    assert f"Avvik på {REFERENCE} Kontorrekvisita" in first
    assert QUESTIONS["category"] in first
    assert QUESTIONS["contract"] not in first
    for step in STEPS[1:-1]:
        one(await chat.say(ANSWERS[step]))
    done = one(await chat.say("ja"))
    assert "er registrert" in done
    assert len(deviations(world)) == 1


async def test_an_unknown_contract_then_the_right_one(world: World, chat: Chat) -> None:
    asked = await answer_up_to(chat, "contract")
    assert REFERENCE in asked

    again = one(await chat.say("KOM-9999-0001"))
    assert "Jeg finner ingen kontrakt med avtalenummer «KOM-9999-0001»" in again
    assert QUESTIONS["contract"] in again, "the question again"

    with world.uow_factory() as uow:
        other_owner = add_person(uow, "Nils Fremmed", NOW)
        add_contract(
            uow,
            NOW,
            owner=other_owner,
            supplier=add_supplier(uow, "Annen AS", seed=2),
            reference="KOM-2026-0002",
            title="Annen avtale",
        )
        uow.commit()
    refused = one(await chat.say("KOM-2026-0002"))
    assert "ikke tilgang" in refused, "someone else's contract"
    assert QUESTIONS["contract"] in refused

    assert QUESTIONS["category"] in one(await chat.say(f"meld avvik {REFERENCE}"))
    assert deviations(world) == []


async def test_someone_elses_contract_named_at_the_start_is_refused(
    world: World, chat: Chat
) -> None:
    with world.uow_factory() as uow:
        other = add_person(uow, "Nils Fremmed", NOW)
        add_contract(
            uow, NOW, owner=other, supplier=add_supplier(uow, "Annen AS", seed=2),
            reference="KOM-2026-0002", title="Annen avtale",
        )  # fmt: skip
        uow.commit()
    refused = one(await chat.say("meld avvik KOM-2026-0002"))
    assert "ikke tilgang" in refused
    assert "Slik bruker du" in one(await chat.say("hjelp")), "no dialog was started"
    assert deviations(world) == []


async def test_an_ambiguous_date_is_asked_back(world: World, chat: Chat) -> None:
    await answer_up_to(chat, "date")
    # 20.11.2026 is a Friday: "torsdag 20.11" is Friday the 20th or Thursday the 19th.
    asked_back = one(await chat.say("torsdag 20.11"))
    assert "Mente du 20. november eller 19. november?" in asked_back
    assert QUESTIONS["date"] in asked_back
    assert QUESTIONS["description"] in one(await chat.say("19.11"))
    one(await chat.say(ANSWERS["description"]))
    one(await chat.say(ANSWERS["remedy"]))
    one(await chat.say("ja"))
    (stored,) = deviations(world)
    assert stored.occurred_on == date(2026, 11, 19)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("i morgen", "frem i tid"),
        ("neste fredag", "frem i tid"),
        ("12.9.2019", "mer enn 5 år tilbake"),
        ("1.1.2025", "lenge før kontrakten startet (01.01.2026)"),
        ("blåbærsyltetøy", "Jeg forstod ikke datoen"),
    ],
)
async def test_a_date_in_the_future_or_too_old_is_refused(
    world: World, chat: Chat, typed: str, said: str
) -> None:
    await answer_up_to(chat, "date")
    refused = one(await chat.say(typed))
    assert said in refused
    assert QUESTIONS["date"] in refused, "the question again"
    assert QUESTIONS["description"] in one(await chat.say("20.11"))
    assert deviations(world) == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("   ", "kan ikke være tom"),
        ("x" * 4001, "for lang (4\u00a0001 tegn; grensen er 4\u00a0000)"),
    ],
)
async def test_an_empty_or_overlong_description_is_refused(
    world: World, chat: Chat, typed: str, said: str
) -> None:
    await answer_up_to(chat, "description")
    refused = one(await chat.say(typed))
    assert said in refused
    assert QUESTIONS["description"] in refused
    assert QUESTIONS["remedy"] in one(await chat.say("Paller manglet."))
    assert deviations(world) == []


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("word", ["avbryt", "cancel"])
async def test_avbryt_at_any_step_stores_nothing(
    world: World, chat: Chat, step: str, word: str
) -> None:
    await answer_up_to(chat, step)

    assert one(await chat.say(word)) == "Avbrutt. Ingenting er lagret."

    assert deviations(world) == []
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []
    assert "Slik bruker du" in one(await chat.say("hjelp")), "the dialog is gone"
    assert one(await chat.say("avbryt")) == "Det er ingenting å avbryte."


@pytest.mark.parametrize(
    ("step", "number", "explains"),
    [
        ("contract", 1, "avtalenummeret"),
        ("severity", 3, "Høye og kritiske avvik varsles til innkjøp"),
        ("date", 4, "ikke være frem i tid eller mer enn 5 år tilbake"),
        ("confirm", 7, "«ja» melder avviket"),
    ],
)
async def test_hjelp_explains_the_step_and_asks_again(
    world: World, chat: Chat, step: str, number: int, explains: str
) -> None:
    await answer_up_to(chat, step)

    helped = one(await chat.say("hjelp"))

    assert f"Steg {number} av 7." in helped
    assert explains in helped
    assert "«avbryt»" in helped
    assert QUESTIONS[step] in helped, "the question again"
    assert "Slik bruker du" not in helped, "not the router's help"
    # The step goes on as before.
    if step != "confirm":
        next_step = STEPS[STEPS.index(step) + 1]
        assert QUESTIONS[next_step] in one(await chat.say(ANSWERS[step]))


async def test_a_restart_continues_at_the_same_step_on_a_new_bot(
    world: World, chat: Chat, db_url: str
) -> None:
    await answer_up_to(chat, "date")
    chat.engine.dispose()  # the first instance goes away

    restarted = start_bot(db_url)
    try:
        assert QUESTIONS["description"] in one(await restarted.say("i går"))
        assert QUESTIONS["remedy"] in one(await restarted.say(ANSWERS["description"]))
        assert QUESTIONS["confirm"] in one(await restarted.say("ingen forslag"))
        assert "er registrert" in one(await restarted.say("ja"))
    finally:
        restarted.engine.dispose()
    (stored,) = deviations(world)
    assert stored.category is DeviationCategory.DELAY
    assert stored.occurred_on == date(2026, 11, 22)
    assert stored.remedy is None


async def test_nei_at_the_end_stores_nothing(world: World, chat: Chat) -> None:
    await answer_up_to(chat, "confirm")
    unclear = one(await chat.say("kanskje"))
    assert "Svar «ja» eller «nei»" in unclear
    assert "ikke meldt" in one(await chat.say("nei"))
    assert deviations(world) == []


async def test_buttons_answer_as_typing_does_and_a_stale_button_is_told(
    world: World, chat: Chat
) -> None:
    replies = await chat.say(f"meld avvik {REFERENCE}")
    (question,) = replies
    card = question.attachments[0].content
    assert_valid(card)
    buttons = [a for row in card["body"] for a in row["actions"]]
    assert [b["data"][ANSWER_KEY] for b in buttons] == [c.value for c in DeviationCategory]
    assert QUESTIONS["severity"] in one(await chat.say({ANSWER_KEY: "hms"}))
    assert QUESTIONS["date"] in one(await chat.say({ANSWER_KEY: "kritisk"}))
    assert one(await chat.say("avbryt")) == "Avbrutt. Ingenting er lagret."
    assert "ikke aktivt lenger" in one(await chat.say({ANSWER_KEY: "lav"}))
    assert deviations(world) == []


# --- from a card, from a form ---------------------------------------------------------------------


async def test_the_card_button_begins_the_dialog_in_the_chat(world: World, chat: Chat) -> None:
    follow_up = open_follow_up(world)

    question, response = await chat.click(DEVIATION_VERB, {"followUpId": follow_up.id})

    assert question.type == "message"
    assert "Levering etter avtalen" in question.text
    assert QUESTIONS["category"] in question.text
    assert response.type == "invokeResponse"
    assert response.value.status == 200
    assert response.value.body["value"] == "Svar på spørsmålene i chatten for å melde avviket."
    for step in STEPS[1:-1]:
        one(await chat.say(ANSWERS[step]))
    done = one(await chat.say("ja"))
    assert "Oppfølgingen «Levering etter avtalen» er besvart med «Avvik meldt»" in done
    (stored,) = deviations(world)
    assert stored.follow_up_id == follow_up.id
    (answer,) = answers_of(world, follow_up.id)
    assert answer.kind is AnswerKind.DEVIATION
    assert stored_follow_up(world.uow_factory, follow_up.id).state is (
        FollowUpState.DEVIATION_REPORTED
    )


async def test_a_closed_follow_up_takes_no_deviation(world: World, chat: Chat) -> None:
    follow_up = open_follow_up(world)
    with world.uow_factory() as uow:
        uow.follow_ups.reschedule([ScheduleChange(follow_up.id, FollowUpState.SKIPPED, 1, None)])
        uow.commit()

    (response,) = await chat.click(DEVIATION_VERB, {"followUpId": follow_up.id})

    assert "avsluttet" in response.value.body["value"]
    assert f"meld avvik {REFERENCE}" in response.value.body["value"]
    assert "Slik bruker du" in one(await chat.say("hjelp")), "no dialog was started"
    assert deviations(world) == []
    assert answers_of(world, follow_up.id) == []


def form(follow_up: FollowUp | None, **changes: Any) -> dict[str, Any]:
    """The deviation form of /work/shared/payloads, on this world's contract."""
    value: dict[str, Any] = {
        "handling": "rapporterAvvik",
        "kontraktId": REFERENCE,
        "avviksType": "forsinket_levering",
        "alvorlighet": "middels",
        "beskrivelse": "3 av 12 paller strøsand mangler. Leverandør lover restlevering.",
        "nyFrist": "2026-11-27",
    }
    if follow_up is not None:
        value["oppfolgingId"] = follow_up.id
    value.update(changes)
    return {k: v for k, v in value.items() if v is not None}


async def test_a_complete_form_is_stored_at_once_and_once(world: World, chat: Chat) -> None:
    follow_up = open_follow_up(world)

    stored_reply = one(await chat.say(form(follow_up), reply_to_id="card-1"))
    again = one(await chat.say(form(follow_up), reply_to_id="card-1"))

    (stored,) = deviations(world)
    assert f"Avvik {stored.code!s} er registrert" in stored_reply
    assert "allerede registrert" in again
    assert stored.category is DeviationCategory.DELAY
    assert stored.severity is Severity.MEDIUM
    assert stored.occurred_on == date(2026, 11, 23), "the form's day"
    assert stored.description.startswith("3 av 12 paller strøsand mangler.")
    assert stored.description.endswith("Ny frist: 27.11.2026.")
    assert stored.follow_up_id == follow_up.id
    assert [a.kind for a in answers_of(world, follow_up.id)] == [AnswerKind.DEVIATION]


async def test_an_incomplete_form_starts_the_dialog_with_what_it_had(
    world: World, chat: Chat
) -> None:
    first = one(await chat.say(form(None, beskrivelse=None, avviksType="noe rart")))

    assert "Jeg kjente ikke igjen avvikstypen «noe rart»" in first
    assert "Skjemaet manglet noe" in first
    assert QUESTIONS["category"] in first
    assert QUESTIONS["description"] in one(await chat.say("mangel")), "severity and date known"
    assert QUESTIONS["remedy"] in one(await chat.say("Sandsekkene var våte."))
    assert QUESTIONS["confirm"] in one(await chat.say("11"))
    assert "er registrert" in one(await chat.say("ja"))
    (stored,) = deviations(world)
    assert stored.category is DeviationCategory.DEFECT
    assert stored.severity is Severity.MEDIUM
    assert stored.description == "Sandsekkene var våte."


async def test_a_form_on_an_unknown_contract_is_refused(world: World, chat: Chat) -> None:
    refused = one(await chat.say(form(None, kontraktId="KOM-0000-0000")))
    assert "finner ikke kontrakten" in refused
    assert deviations(world) == []


# --- alerts, hostile text, language ------------------------------------------------------------


async def test_a_high_deviation_alerts_every_procurement_channel(world: World, chat: Chat) -> None:
    await answer_up_to(chat, "severity")
    one(await chat.say("høy"))
    one(await chat.say("i dag"))
    one(await chat.say("Stillaset manglet rekkverk. <b>Fare</b> for fall."))
    one(await chat.say("heving"))
    done = one(await chat.say("ja"))

    assert "Innkjøp er varslet." in done
    (stored,) = deviations(world)
    alerts = of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)
    assert len(alerts) == 2
    assert {a.conversation_ref_id for a in alerts} == {c.id for c in world.channels}
    for alert in alerts:
        message = message_from_json(alert.message)
        assert message.card is not None
        assert_valid(message.card)
        shown = json.dumps(message.card, ensure_ascii=False)
        assert "Høyt avvik på KOM-2026-0001" in shown
        assert str(stored.code) in shown
        assert "Kari Nordmann" in shown
        assert "Fjordbygg AS" in shown
        assert "Heving" in shown
        assert "\\\\<b>Fare\\\\</b>" in shown, "markup shown as typed"


async def test_a_low_deviation_alerts_nobody(world: World, chat: Chat) -> None:
    await answer_up_to(chat, "confirm")
    done = one(await chat.say("ja"))
    assert "varslet" not in done
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []


async def test_markup_and_script_are_stored_and_shown_as_text(world: World, chat: Chat) -> None:
    hostile = "<script>alert(1)</script> **fet** [lenke](http://x.example) # overskrift"
    await answer_up_to(chat, "description")
    one(await chat.say(hostile))
    (summary,) = await chat.say("ingen")
    content = summary.attachments[0].content
    assert_valid(content)
    # What is rendered (the card's body); fallbackText is plain text and keeps it as typed.
    card = json.dumps(content["body"], ensure_ascii=False)
    assert not re.search(r"(?<!\\)<script>", card), "every `<` is escaped where it is rendered"
    assert "**fet**" not in card
    assert "[lenke](" not in card
    assert "\\\\<script>" in card
    one(await chat.say("ja"))
    (stored,) = deviations(world)
    assert stored.description == hostile, "stored as written"


async def test_the_dialog_speaks_english_to_an_english_client(world: World, db_url: str) -> None:
    chat = start_bot(db_url, locale="en-GB")
    try:
        first = one(await chat.say(f"report deviation {REFERENCE}"))
        assert "What kind of deviation is it?" in first
        assert "1 Delay" in first
        assert "How serious is it?" in one(await chat.say("Delay"))
        assert "When did it happen" in one(await chat.say("High"))
        assert "Describe what happened" in one(await chat.say("yesterday"))
        assert "Which remedy" in one(await chat.say("Late again."))
        assert "Is this right?" in one(await chat.say("No proposal"))
        assert "is recorded" in one(await chat.say("yes"))
        assert one(await chat.say("cancel")) == "There is nothing to cancel."
    finally:
        chat.engine.dispose()
    (stored,) = deviations(world)
    assert stored.severity is Severity.HIGH


async def test_someone_not_in_the_register_is_told(world: World, db_url: str) -> None:
    chat = start_bot(db_url, teams_id="29:nobody")
    try:
        assert "fant deg ikke i kontraktsregisteret" in one(await chat.say("meld avvik"))
    finally:
        chat.engine.dispose()


async def test_a_form_with_a_date_in_the_future_asks_for_the_date_again(
    world: World, chat: Chat
) -> None:
    first = one(await chat.say(form(None, dato="2099-01-01")))

    assert QUESTIONS["date"] in first, "the date is asked again, not refused at the end"
    assert deviations(world) == []
    assert QUESTIONS["remedy"] in one(await chat.say("i går"))
    assert QUESTIONS["confirm"] in one(await chat.say("11"))
    assert "er registrert" in one(await chat.say("ja"))
    (stored,) = deviations(world)
    assert stored.occurred_on == date(2026, 11, 22)
