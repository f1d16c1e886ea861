"""The checks' forms asked one question at a time (issue 19, item 5), attacked as a careless or
hostile user and as a second instance would: the real HTTP endpoint, the Bot Connector
stand-in and the database (both stores).

Markdown and HTML typed as answers, very long and empty-ish answers, English end to end, a
button of a question already answered, the form card submitted while its dialog runs, another
dialog begun in the middle, no access, an unknown contract, `behold` / `hopp over` where they do
not apply, `hjelp` / `avbryt` / `nei` at the end, a restart on a new instance, the same «ja»
twice, a level overruled and then taken back, a low evaluation score without a comment."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import aiohttp
import pytest

from bot.app import create_app
from bot.settings import Settings
from followup.models import Contract, RiskLevel
from tests.card_schema import schema_errors
from tests.e2e.harness import BotServer, start_site
from tests.e2e.reminder_harness import KARI, OLA, Reminders, cleaning_contract

REFERENCE = "REN-2026-0042"
EN = "en-US"
AREAS = ("leveranse", "pris", "arbeidsvilkar", "hms", "leverandorkjede", "omdomme")


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def _world(bot: Reminders) -> Contract:
    """A cleaning contract owned by Kari (Ola has no role on it), medium risk, with its plan."""
    return cleaning_contract(bot, REFERENCE)


async def _post(
    bot: Reminders,
    name: str,
    said: str | None = None,
    *,
    value: dict[str, Any] | None = None,
    locale: str = "nb-NO",
    activity_id: str | None = None,
) -> list[dict[str, Any]]:
    """`name` types `said` (or presses a button sending `value`) in their 1:1 chat; every
    activity the bot answered it with."""
    if value is None:
        activity = bot._as(name, bot.server.payload("message_personal_text_status_command.json"))
        activity["text"] = said
    else:
        activity = bot._as(
            name, bot.server.payload("message_action_submit_value_deviation_report.json")
        )
        activity.pop("text", None)
        activity["value"] = value
    if activity_id is not None:
        activity["id"] = activity_id
    activity["locale"] = locale
    status, _ = await bot.server.post(activity)
    assert status in {200, 201}
    await bot.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
    return [r.activity for r in bot.connector.recorded if r.reply_to_id == activity["id"]]


async def _say(bot: Reminders, said: str, *, name: str = KARI, locale: str = "nb-NO") -> str:
    replies = await _post(bot, name, said, locale=locale)
    return "\n\n".join(str(r.get("text") or r.get("summary") or "") for r in replies)


async def _press(bot: Reminders, data: dict[str, Any]) -> str:
    replies = await _post(bot, KARI, value=data)
    return "\n\n".join(str(r.get("text") or "") for r in replies)


def _buttons(bot: Reminders) -> list[dict[str, Any]]:
    """The data of the buttons on the last question the bot asked Kari."""
    for activity in reversed(bot.posts_to(KARI)):
        for attachment in activity.get("attachments") or []:
            card = attachment["content"]
            assert schema_errors(card) == []
            return [a["data"] for row in card["body"] for a in row.get("actions", [])]
    return []


def _button(bot: Reminders, answer: str) -> dict[str, Any]:
    (found,) = [data for data in _buttons(bot) if data["avvikSvar"] == answer]
    return dict(found)


def _titles(bot: Reminders) -> list[str]:
    for activity in reversed(bot.posts_to(KARI)):
        for attachment in activity.get("attachments") or []:
            return [a["title"] for row in attachment["content"]["body"] for a in row["actions"]]
    return []


async def _answers(bot: Reminders, *answers: str, locale: str = "nb-NO") -> str:
    said = ""
    for answer in answers:
        said = await _say(bot, answer, locale=locale)
    return said


def _versions(bot: Reminders, contract: Contract) -> int:
    with bot.uow_factory() as uow:
        return len(uow.risk_assessments.versions(contract.id))


# --- what is typed ---------------------------------------------------------------------------


async def test_markdown_and_html_in_answers_are_shown_as_typed_and_stored_as_typed(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    hostile = "**fet** [lenke](http://x.no) </div> <at>Bot</at> _a_"
    await _say(bot, f"evaluer {REFERENCE} steg")
    summary = await _answers(bot, f"4 {hostile}", *(["3 ok"] * 5))
    assert r"\*\*fet\*\* \[lenke\](http://x.no) \</div> \<at>Bot\</at> \_a\_" in summary
    await _say(bot, "ja")
    with bot.uow_factory() as uow:
        evaluation = uow.supplier_evaluations.latest(contract.id)
    assert evaluation is not None
    comments = {s.heading.value: s.comment for s in evaluation.scores}
    assert comments["leveringssikkerhet"] == hostile

    # Offered again as «behold»: the message escapes it, the button's title (plain text) not.
    first = await _say(bot, f"evaluer {REFERENCE} steg")
    assert r"\*\*fet\*\*" in first
    keep = next(t for t in _titles(bot) if t.startswith("Behold"))
    assert keep.startswith("Behold: 4 godt: **fet** [lenke](http://x.no)")
    assert "\\" not in keep


async def test_long_and_empty_ish_answers_are_asked_again_with_why(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"kontroll {REFERENCE} steg")
    await _say(bot, "i går")
    too_long = await _say(bot, "Byggeplass " + "x" * 5000)
    assert "det kan være høyst" in too_long
    assert "Hvor var kontrollen" in too_long
    dot = await _say(bot, ".")
    assert "Jeg fikk ikke noe svar." in dot
    assert "Hvor var kontrollen" in dot
    # «-» skips an optional step as «hopp over» does.
    assert "Hvem deltok" in await _say(bot, "-")
    assert "Hvor mange arbeidere" in await _say(bot, "👍")  # a thumbs-up is a name here
    emoji = await _say(bot, "👍")
    assert "Skriv et helt tall" in emoji
    summary = await _answers(bot, "4", "alle", "0", "ja", "hopp over", "nei")
    assert "**Deltakere**: 👍" in summary or "👍" in summary
    stored = await _say(bot, "ja")
    assert "er lagret" in stored
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
    assert check.place is None
    assert check.participants == "👍"


async def test_hopp_over_and_behold_where_they_do_not_apply(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"kontroll {REFERENCE} steg")
    for answer in ("hopp over", "skip", "-", "ingen"):
        refused = await _say(bot, answer)
        assert "Dette spørsmålet må besvares; det kan ikke hoppes over." in refused, answer
        assert "Hvilken dag var kontrollen?" in refused
    kept = await _say(bot, "behold")
    assert "Her står det ingenting ennå som kan beholdes." in kept
    await _answers(bot, "i går", "hopp over", "hopp over")
    # «ingen» is an answer on a count: no workers.
    assert "Hvor mange HMS-kort" in await _say(bot, "ingen")
    await _answers(bot, "0", "0")
    assert "må besvares" in await _say(bot, "hopp over")  # the crew list
    await _answers(bot, "ikke kontrollert", "hopp over")
    # «nei takk» is an answer on the deviation step: no deviation.
    summary = await _say(bot, "nei takk")
    assert "Lagre?" in summary
    assert "Nei, ikke noe avvik" in summary
    with bot.uow_factory() as uow:
        assert uow.onsite_checks.for_contract(contract.id) == []


async def test_hjelp_avbryt_and_nei_at_the_confirmation_store_nothing(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["2 2"] * 6), "forslaget", "hopp over")
    helped = await _say(bot, "hjelp")
    assert "Svar «ja» for å lagre det som står over" in helped
    assert "dette lagres" in helped, "the summary again"
    other = await _say(bot, "kanskje")
    assert "Svar «ja» for å lagre eller «nei»" in other
    assert "Avbrutt. Ingenting er lagret." in await _say(bot, "avbryt")
    assert _versions(bot, contract) == 0
    # After `avbryt` the words are commands again: «ja» is no save.
    assert "lagret" not in await _say(bot, "ja")

    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["2 2"] * 6), "forslaget", "hopp over")
    assert "Ikke lagret. Ingenting er endret." in await _say(bot, "nei")
    assert _versions(bot, contract) == 0


# --- buttons of other questions ----------------------------------------------------------------


async def test_a_button_of_an_answered_question_is_not_taken_as_this_ones_answer(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"evaluer {REFERENCE} steg")
    first_four = _button(bot, "4")
    first_one = _button(bot, "1")
    await _say(bot, "3 ok")
    # Kari scrolls up and presses «4 godt» of the first heading while the second is asked.
    stale = await _press(bot, first_four)
    assert "Den knappen hører til et spørsmål som allerede er besvart" in stale
    assert "Kvalitet og kompetanse" in stale
    # The current question's own button works.
    assert "Samarbeid" in await _press(bot, _button(bot, "5"))
    assert "Den knappen" in await _press(bot, first_one)
    summary = await _answers(bot, *(["3 ok"] * 4))
    assert "**Leveringssikkerhet**: 3 som avtalt – ok" in summary
    assert "**Kvalitet og kompetanse**: 5 svært godt" in summary
    save = _button(bot, "ja")
    await _say(bot, "avbryt")

    # The «Ja, lagre» of that ended run, pressed at the end of a new run, saves nothing.
    await _say(bot, f"evaluer {REFERENCE} steg")
    await _answers(bot, *(["4"] * 6))
    assert "Den knappen" in await _press(bot, save)
    with bot.uow_factory() as uow:
        assert uow.supplier_evaluations.latest(contract.id) is None
    # A button of the deviation dialog is no answer here either.
    assert "Den knappen" in await _press(bot, {"avvikSvar": "ja"})
    stored = await _press(bot, _button(bot, "ja"))
    assert "Den knappen" not in stored
    with bot.uow_factory() as uow:
        latest = uow.supplier_evaluations.latest(contract.id)
    assert latest is not None
    assert latest.overall == 4
    # Once the dialog is over, its buttons are answered as over.
    assert "ikke aktivt lenger" in await _press(bot, save)


async def test_the_form_card_submitted_while_its_dialog_runs(bot: Reminders) -> None:
    """The card is the person's explicit choice: stored once, at once, and the chat's
    questions about the same form end (said first), so what is typed next is no answer to
    them."""
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"risiko {REFERENCE} steg")
    await _say(bot, "4 4")
    form = {"handling": "risikovurdering", "avtale": REFERENCE, "niva": "forslag"}
    for area in AREAS:
        form |= {f"konsekvens_{area}": "1", f"sannsynlighet_{area}": "1"}
    await _press(bot, form)
    ended, stored = (str(post.get("text")) for post in bot.posts_to(KARI)[-2:])
    assert "så jeg stiller ikke flere spørsmål om det her i chatten" in ended
    assert "er lagret (versjon 1): lav" in stored
    assert _versions(bot, contract) == 1
    # The dialog is over: «5 5» is no answer to it, «avbryt» has nothing to cancel.
    assert "Pris og økonomi" not in await _say(bot, "5 5")
    assert "Avbrutt" not in await _say(bot, "avbryt")
    assert _versions(bot, contract) == 1


# --- another dialog begun in the middle ----------------------------------------------------------


async def test_another_form_or_a_deviation_typed_in_the_middle_is_no_answer(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["2 2"] * 6), "høy")
    # At the reason (free text), a command is not taken as the reason.
    for command in (f"meld avvik {REFERENCE}", f"kontroll {REFERENCE} steg", "evaluer X-1 steg"):
        busy = await _say(bot, command)
        assert f"Du holder på med **Risikovurdering av {REFERENCE}**" in busy, command
        assert "«avbryt»" in busy
        assert "Hvorfor **høy** og ikke middels?" in busy
    # A reason that only mentions a deviation is a reason.
    await _say(bot, "Meld avvik ble vurdert, men leverandøren har rettet opp")
    summary = await _say(bot, "hopp over")
    assert "begrunnet: Meld avvik ble vurdert" in summary
    assert "Du holder på med" in await _say(bot, f"risiko {REFERENCE} steg")
    assert "er lagret (versjon 1): høy" in await _say(bot, "ja")
    with bot.uow_factory() as uow:
        (assessment,) = uow.risk_assessments.versions(contract.id)
        assert uow.deviations.for_contract(contract.id) == []
    assert assessment.reason == "Meld avvik ble vurdert, men leverandøren har rettet opp"


async def test_a_form_begun_while_a_deviation_is_reported_and_back(bot: Reminders) -> None:
    """The deviation dialog takes what is typed as its answer (its own rules); its draft is
    shown before anything is stored, so nothing is stored behind the person's back. The
    card's «Svar i chatten» replaces it and says so."""
    contract = _world(bot)
    await bot.install(KARI)
    await _answers(bot, f"meld avvik {REFERENCE}", "1", "lav")
    asked = await _say(bot, f"risiko {REFERENCE} steg")
    assert "Risikovurdering" not in asked.split("\n")[0]
    in_chat = {"handling": "risikovurdering", "avtale": REFERENCE, "steg": "chat"}
    replaced = await _press(bot, in_chat)
    assert "Leveranse og kvalitet" in replaced
    with bot.uow_factory() as uow:
        assert uow.deviations.for_contract(contract.id) == []
    assert "Avbrutt" in await _say(bot, "avbryt")


# --- who and what ------------------------------------------------------------------------------


async def test_steg_is_refused_as_the_card_is_and_an_unknown_contract_is_said(
    bot: Reminders,
) -> None:
    _world(bot)
    await bot.install(KARI)
    await bot.install(OLA)
    refused = {
        "risiko": "kan vurdere risikoen",
        "kontroll": "kan registrere stedlige kontroller",
        "evaluer": "kan evaluere leverandøren",
    }
    for command, why in refused.items():
        said = await _say(bot, f"{command} {REFERENCE} steg", name=OLA)
        assert f"Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp {why}" in said
        # No dialog was begun: the next message is a command again.
        pressed = await _post(
            bot, OLA, value={"handling": "risikovurdering", "avtale": REFERENCE, "steg": "chat"}
        )
        assert "Bare avtalens" in str(pressed[0].get("text"))
        unknown = await _say(bot, f"{command} NOPE-1 steg")
        assert "Jeg finner ingen kontrakt med avtalenummer «NOPE-1»" in unknown


# --- English ----------------------------------------------------------------------------------


async def test_english_end_to_end(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    first = await _say(bot, f"risk {REFERENCE} step by step", locale=EN)
    assert "one question at a time" in first
    assert "(question 1 of 8)" in first
    level = await _answers(bot, *(["3 3"] * 6), locale=EN)
    assert "suggested risk level is **high**" in level
    reason = await _say(bot, "low", locale=EN)
    assert "Why **low** and not high?" in reason
    assert "“suggestion” to use high" in reason
    assert "it cannot be skipped" in await _say(bot, "skip", locale=EN)
    await _say(bot, "Small volumes", locale=EN)
    summary = await _say(bot, "skip", locale=EN)
    assert "this will be saved" in summary
    assert "low, because: Small volumes" in summary
    stored = await _say(bot, "yes", locale=EN)
    assert "is saved (version 1): low" in stored

    # The on-site check: «yesterday», as the English question suggests.
    await _say(bot, f"kontroll {REFERENCE} step by step", locale=EN)
    assert "Where was the check" in await _say(bot, "yesterday", locale=EN)
    assert "Who took part" in await _say(bot, "skip", locale=EN)
    await _answers(bot, "skip", "3", "all", "none", "yes", "skip", "no", locale=EN)
    assert "is saved" in await _say(bot, "yes", locale=EN)
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
    assert check.checked_on == date(2026, 11, 22)
    assert (check.workers, check.cards_checked, check.without_card) == (3, 3, 0)

    # The evaluation: a low score needs a reason, said in English.
    await _say(bot, f"evaluate {REFERENCE} step by step", locale=EN)
    low = await _say(bot, "2", locale=EN)
    assert "A score of 2 needs a reason" in low
    assert "Reliability of delivery" in low
    helped = await _say(bot, "help", locale=EN)
    assert "Answer the question in text or with one of the buttons" in helped
    assert "Cancelled. Nothing was stored." in await _say(bot, "cancel", locale=EN)


# --- the risk level, overruled and taken back ----------------------------------------------------


async def test_a_level_overruled_then_taken_back_keeps_no_reason(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    # Version 1: medium against a suggested high, with a reason.
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["3 3"] * 6), "middels", "Kjent leverandør", "hopp over", "ja")
    # Version 2: the scores change so that medium is the suggestion; medium needs no reason.
    await _say(bot, f"risiko {REFERENCE} steg")
    level = await _answers(bot, *(["2 2"] * 6))
    assert "foreslås risikonivå **middels**" in level
    comment = await _say(bot, "middels")
    assert "En kommentar" in comment
    assert "Hvorfor" not in comment
    summary = await _say(bot, "hopp over")
    assert "middels (forslaget)" in summary
    assert "begrunnet" not in summary
    await _say(bot, "ja")
    # Version 3: overruled, then «forslaget» at the reason takes the suggestion after all.
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["behold"] * 6))
    reason = await _say(bot, "lav")
    assert "Eller svar «forslaget» for å bruke middels." in reason
    assert "må besvares" in await _say(bot, "hopp over")
    assert "må besvares" in await _say(bot, "ingen")
    summary = await _answers(bot, "forslaget", "hopp over")
    assert "middels (forslaget)" in summary
    await _say(bot, "ja")
    with bot.uow_factory() as uow:
        versions = uow.risk_assessments.versions(contract.id)
    assert [(v.chosen, v.suggested, v.reason) for v in versions] == [
        (RiskLevel.MEDIUM, RiskLevel.HIGH, "Kjent leverandør"),
        (RiskLevel.MEDIUM, RiskLevel.MEDIUM, None),
        (RiskLevel.MEDIUM, RiskLevel.MEDIUM, None),
    ]


# --- the evaluation's low scores ---------------------------------------------------------------


async def test_a_low_score_without_a_comment_is_asked_at_once_and_nothing_is_lost(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"evaluer {REFERENCE} steg")
    await _say(bot, "4")
    low = await _say(bot, "2")
    assert "Karakter 2 må begrunnes, for evalueringen sendes til leverandøren." in low
    assert "Kvalitet og kompetanse" in low
    assert "Karakter 1 må begrunnes" in await _press(bot, _button(bot, "1"))
    assert "må begrunnes" in await _say(bot, "1 .")
    summary = await _answers(bot, "1 bemanningen byttet hver uke", *(["3"] * 4))
    assert "**Leveringssikkerhet**: 4 godt" in summary, "the first answer is kept"
    assert "**Kvalitet og kompetanse**: 1 svært dårlig – bemanningen byttet hver uke" in summary
    await _say(bot, "ja")
    with bot.uow_factory() as uow:
        evaluation = uow.supplier_evaluations.latest(contract.id)
    assert evaluation is not None
    scores = {s.heading.value: (s.score, s.comment) for s in evaluation.scores}
    assert scores["kvalitet"] == (1, "bemanningen byttet hver uke")
    assert scores["leveringssikkerhet"] == (4, None)


# --- restart, and the same «ja» twice ---------------------------------------------------------


@pytest.fixture
async def second_instance(bot: Reminders, db_url: str) -> AsyncIterator[Reminders]:
    """Another instance of the bot on the same database and connector (the first keeps
    running, as a second instance behind a load balancer, or one that replaced it)."""
    settings = Settings(DATABASE_URL=db_url, DEV_CHANNEL=False, SEND_RATE_PER_TENANT=0)
    app = create_app(settings, clock=bot.clock)
    runner, url = await start_site(app)
    session = aiohttp.ClientSession()
    server = BotServer(url, app, session, bot.connector, bot.server.service_url)
    try:
        yield Reminders(server, bot.jobs, bot.clock, bot.uow_factory)
    finally:
        await session.close()
        await runner.cleanup()


async def test_a_new_instance_continues_at_the_same_question(
    bot: Reminders, second_instance: Reminders
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"kontroll {REFERENCE} steg")
    await _answers(bot, "i går", "Solsiden", "hopp over", "7")
    stale = _button(bot, "7")  # «Alle (7)» of the cards question
    asked = await _say(second_instance, "alle")
    assert "Hvor mange av dem var uten gyldig HMS-kort?" in asked
    assert "Den knappen" in await _press(second_instance, stale)
    summary = await _answers(second_instance, "1", "nei", "hopp over", "middels")
    assert "**Sted**: Solsiden" in summary or "Solsiden" in summary
    assert "er lagret" in await _say(second_instance, "ja")
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
    assert (check.workers, check.cards_checked, check.without_card) == (7, 7, 1)


async def test_the_same_ja_delivered_twice_stores_once(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["2 2"] * 6), "forslaget", "hopp over")
    activity_id = f"f:{uuid.uuid4()}"
    first = await _post(bot, KARI, "ja", activity_id=activity_id)
    assert "er lagret (versjon 1)" in str(first[0]["text"])
    await _post(bot, KARI, "ja", activity_id=activity_id)
    assert _versions(bot, contract) == 1

    # Two copies at once (the connector retries while the first is still running).
    await _say(bot, f"risiko {REFERENCE} steg")
    await _answers(bot, *(["behold"] * 6), "forslaget", "hopp over")
    activity_id = f"f:{uuid.uuid4()}"
    await asyncio.gather(
        _post(bot, KARI, "ja", activity_id=activity_id),
        _post(bot, KARI, "ja", activity_id=activity_id),
    )
    assert _versions(bot, contract) == 2
    # A second tap on «Ja, lagre» (a new activity) after the save is told it is over.
    assert "ikke aktivt lenger" in await _press(bot, _button(bot, "ja"))
    assert _versions(bot, contract) == 2
