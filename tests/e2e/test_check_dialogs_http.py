"""The structured checks' forms asked one question at a time (issue 19, item 5), end to end: the
real HTTP endpoint, the Bot Connector stand-in, the database (both stores).

`risiko|kontroll|evaluer <avtalenr> steg`, or the card's «Svar i chatten» button, asks the form
in the chat; a bad answer is asked again with why, nothing is stored before `ja`, `avbryt`
stores nothing, and `ja` stores exactly what the card would (through the card's own handler)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from followup.models import Contract, DeviationCategory, RiskLevel
from tests.card_schema import schema_errors
from tests.e2e.reminder_harness import (
    KARI,
    Reminders,
    card_inputs,
    cleaning_contract,
    form_card,
    submit_form,
    typed_reply,
)

REFERENCE = "REN-2026-0042"


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def _world(bot: Reminders) -> Contract:
    """A cleaning contract above the thresholds, medium risk, with its plan."""
    return cleaning_contract(bot, REFERENCE)


def _said(reply: dict[str, Any]) -> str:
    return str(reply.get("text") or "")


def _buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
    """A question's buttons: (title, the answer it sends)."""
    found = []
    for attachment in reply.get("attachments") or []:
        card = attachment["content"]
        assert schema_errors(card) == []
        for row in card["body"]:
            for action in row.get("actions", []):
                found.append((action["title"], action["data"]["avvikSvar"]))
    return found


async def _answers(bot: Reminders, *answers: str) -> dict[str, Any]:
    reply: dict[str, Any] = {}
    for answer in answers:
        reply = await typed_reply(bot, KARI, answer)
    return reply


async def test_risk_assessment_in_the_chat_overruled_with_a_reason(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    first = await typed_reply(bot, KARI, f"risiko {REFERENCE} steg")
    assert "ett spørsmål om gangen" in _said(first)
    assert f"Risikovurdering av {REFERENCE}" in _said(first)
    assert "spørsmål 1 av 8" in _said(first)
    assert "Leveranse og kvalitet" in _said(first)

    # A bad answer is asked again, with why; nothing stored.
    again = await typed_reply(bot, KARI, "5 1")
    assert "Skriv to tall fra 1 til 4" in _said(again)
    assert "Leveranse og kvalitet" in _said(again)

    level = await _answers(bot, "3 3", "3,2", "3 og 4", "2 2", "1 1", "2 1")
    assert "foreslås risikonivå **høy**" in _said(level)
    assert ("Bruk forslaget: høy", "forslag") in _buttons(level)

    reason = await typed_reply(bot, KARI, "middels")
    assert "Hvorfor **middels** og ikke høy?" in _said(reason)
    comment = await typed_reply(bot, KARI, "Kjent leverandør med gode rutiner")
    assert "Kan stå tomt" in _said(comment)
    summary = await typed_reply(bot, KARI, "hopp over")
    shown = _said(summary)
    assert "dette lagres" in shown
    assert "**Pris og økonomi**: konsekvens 3, sannsynlighet 2" in shown
    assert "middels, begrunnet: Kjent leverandør med gode rutiner" in shown
    with bot.uow_factory() as uow:
        assert uow.risk_assessments.versions(contract.id) == []

    stored = await typed_reply(bot, KARI, "ja")
    said = _said(stored)
    assert f"Risikovurderingen av {REFERENCE} er lagret (versjon 1): middels." in said
    with bot.uow_factory() as uow:
        (assessment,) = uow.risk_assessments.versions(contract.id)
        kept = uow.contracts.get(contract.id)
    assert assessment.suggested is RiskLevel.HIGH
    assert assessment.chosen is RiskLevel.MEDIUM
    assert assessment.reason == "Kjent leverandør med gode rutiner"
    assert assessment.comment is None
    scores = {s.area.value: (s.consequence, s.likelihood) for s in assessment.scores}
    assert scores["hms"] == (2, 2)
    assert scores["arbeidsvilkar"] == (3, 4)
    assert kept is not None
    assert kept.risk is RiskLevel.MEDIUM

    # The dialog is over: the next message is a command again.
    help_reply = await typed_reply(bot, KARI, "hjelp")
    assert "spørsmål" not in _said(help_reply)[:40]


async def test_the_cards_button_asks_in_the_chat_and_keeps_the_latest_scores(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    card = await form_card(bot, KARI, f"risiko {REFERENCE}")
    in_chat = card["actions"][1]
    assert in_chat["associatedInputs"] == "none"
    assert "Svar i chatten" in in_chat["title"]

    first = await submit_form(bot, KARI, dict(in_chat["data"]))
    assert "Leveranse og kvalitet" in _said(first)
    level = await _answers(bot, *(["4 4"] * 6))
    assert "**høy**" in _said(level)
    await _answers(bot, "forslaget", "hopp over")
    stored = await typed_reply(bot, KARI, "ja")
    assert "(versjon 1): høy" in _said(stored)

    # Again in the chat: each area offers what the latest version says, «behold» keeps it.
    first = await typed_reply(bot, KARI, f"risiko {REFERENCE} steg for steg")
    assert ("Behold: konsekvens 4, sannsynlighet 4", "behold") in _buttons(first)
    level = await _answers(bot, "behold", "behold", "behold", "behold", "behold", "1 1")
    summary = await _answers(bot, "forslaget", "Ny vurdering etter oppstartsmøtet")
    assert "**Omdømme**: konsekvens 1, sannsynlighet 1" in _said(summary)
    await typed_reply(bot, KARI, "ja")
    with bot.uow_factory() as uow:
        latest = uow.risk_assessments.versions(contract.id)[-1]
    assert latest.version == 2
    assert latest.comment == "Ny vurdering etter oppstartsmøtet"
    assert {(s.consequence, s.likelihood) for s in latest.scores} == {(4, 4), (1, 1)}


async def test_the_form_sent_from_its_card_ends_the_same_forms_questions_in_the_chat(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    card = await form_card(bot, KARI, f"risiko {REFERENCE}")
    first = await typed_reply(bot, KARI, f"risiko {REFERENCE} steg")
    assert "Leveranse og kvalitet" in _said(first)
    await _answers(bot, "2 2")

    # The card's form for another contract leaves the chat's questions as they are, and so
    # does the same contract's card refused (no scores): nothing was stored from it.
    other = {**dict(card["actions"][0]["data"]), "avtale": "REN-2026-9999"}
    await submit_form(bot, KARI, other)
    refused = await submit_form(bot, KARI, {**dict(card["actions"][0]["data"]), "niva": "hoy"})
    assert "Ingenting er lagret" in json.dumps(refused, ensure_ascii=False)
    assert "(spørsmål 3 av 8)" in _said(await typed_reply(bot, KARI, "2 2")), "still asking"
    # The same contract's card, filled in and sent: stored, and the chat asks no more.
    sent = dict(card["actions"][0]["data"])
    sent["avtale"] = f" {REFERENCE.lower()} "
    for name, node in card_inputs(card).items():
        if name.startswith(("konsekvens_", "sannsynlighet_")):
            sent[name] = "2"
        elif "value" in node:
            sent[name] = str(node["value"])
    sent["niva"] = "forslag"
    await submit_form(bot, KARI, sent)
    said = [_said(post) for post in bot.posts_to(KARI)[-2:]]
    assert "så jeg stiller ikke flere spørsmål om det her i chatten" in said[0], said
    assert f"Risikovurderingen av {REFERENCE} er lagret (versjon 1)" in said[1], said
    after = await typed_reply(bot, KARI, "3 3")
    assert "Leveranse og kvalitet" not in _said(after), "not the chat's next question"
    with bot.uow_factory() as uow:
        assert len(uow.risk_assessments.versions(contract.id)) == 1

    # The card's «Svar i chatten» while the chat asks: the questions begin again (said so),
    # they are not ended as if the form had been sent.
    await typed_reply(bot, KARI, f"risiko {REFERENCE} steg")
    await _answers(bot, "2 2")
    again = await submit_form(bot, KARI, dict(card["actions"][1]["data"]))
    assert "Skjemaet du holdt på med i chatten, er lagt bort" in _said(again)
    assert "så jeg stiller ikke flere spørsmål" not in json.dumps(
        bot.posts_to(KARI)[-2:], ensure_ascii=False
    )
    assert "Leveranse og kvalitet" in _said(again)


async def test_cancel_and_no_store_nothing(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    await typed_reply(bot, KARI, f"evaluer {REFERENCE} steg")
    await typed_reply(bot, KARI, "4")
    helped = await typed_reply(bot, KARI, "hjelp")
    assert "Ingenting lagres" in _said(helped)
    assert "Kvalitet og kompetanse" in _said(helped)
    cancelled = await typed_reply(bot, KARI, "avbryt")
    assert "Avbrutt. Ingenting er lagret." in _said(cancelled)

    await typed_reply(bot, KARI, f"evaluer {REFERENCE} steg")
    await _answers(bot, *(["3"] * 6))
    declined = await typed_reply(bot, KARI, "nei")
    assert "Ikke lagret" in _said(declined)
    with bot.uow_factory() as uow:
        assert uow.supplier_evaluations.latest(contract.id) is None


async def test_supplier_evaluation_in_the_chat(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    first = await typed_reply(bot, KARI, f"evaluer {REFERENCE} steg")
    assert "Leveringssikkerhet" in _said(first)
    assert ("5 svært godt", "5") in _buttons(first)
    refused = await typed_reply(bot, KARI, "seks")
    assert "Begynn svaret med en karakter fra 1 til 5" in _said(refused)
    summary = await _answers(
        bot,
        "4 leverte alltid til avtalt tid",
        "4: Faste folk",
        "5",
        "3 – to fakturaer med feil",
        "4",
        "4 Godt samarbeid, følges opp ved opsjon",
    )
    shown = _said(summary)
    assert "**Fakturering og økonomi**: 3 som avtalt – to fakturaer med feil" in shown
    stored = await typed_reply(bot, KARI, "ja")
    (attachment,) = stored["attachments"]
    assert schema_errors(attachment["content"]) == []
    # The plan's evaluation at the end of the contract (due a month before it) is answered.
    assert (
        "Den åpne oppfølgingen «Sluttevaluering av leverandøren (31.01.2027)» (31. desember 2026) "
        "er besvart." in json.dumps(attachment["content"], ensure_ascii=False)
    )
    with bot.uow_factory() as uow:
        evaluation = uow.supplier_evaluations.latest(contract.id)
    assert evaluation is not None
    assert evaluation.overall == 4
    comments = {s.heading.value: s.comment for s in evaluation.scores}
    assert comments["leveringssikkerhet"] == "leverte alltid til avtalt tid"
    assert comments["kvalitet"] == "Faste folk"
    assert comments["samarbeid"] is None


async def test_on_site_check_in_the_chat_with_a_deviation(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    first = await typed_reply(bot, KARI, f"kontroll {REFERENCE} steg")
    assert "Hvilken dag var kontrollen?" in _said(first)
    future = await typed_reply(bot, KARI, "i morgen")
    assert "Hvilken dag var kontrollen?" in _said(future)
    workers = await _answers(bot, "i går", "Solsiden barnehage", "hopp over")
    assert "Hvor mange arbeidere" in _said(workers)
    cards = await typed_reply(bot, KARI, "12")
    assert ("Alle (12)", "12") in _buttons(cards)
    without = await typed_reply(bot, KARI, "alle")
    too_many = await typed_reply(bot, KARI, "13")
    assert "flere enn antall HMS-kort som ble kontrollert (12)" in _said(too_many)
    assert without["text"] != too_many["text"]
    summary = await _answers(bot, "2", "nei", "To uten kort ble sendt hjem", "høy")
    shown = _said(summary)
    assert "Solsiden barnehage" in shown
    assert "Ja, alvorlighetsgrad høy" in shown
    stored = await typed_reply(bot, KARI, "ja")
    said = _said(stored)
    assert f"Stedlig kontroll nr. 1 av {REFERENCE} er lagret" in said
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
        deviations = uow.deviations.for_contract(contract.id)
    assert check.checked_on == date(2026, 11, 22)
    assert (check.workers, check.cards_checked, check.without_card) == (12, 12, 2)
    assert check.place == "Solsiden barnehage"
    assert check.participants is None
    assert check.notes == "To uten kort ble sendt hjem"
    (deviation,) = deviations
    assert deviation.category is DeviationCategory.INTEGRITY
