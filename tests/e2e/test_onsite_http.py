"""On-site checks end to end: the real HTTP endpoint, the Bot Connector stand-in, the database.
`kontroll <avtalenr>` opens the form (valid Adaptive Card 1.5), a submitted form is stored, makes
its deviation and answers the open on-site follow-up, a bad one comes back filled in with
nothing stored, the typed fallback stores a check, outsiders are refused, and `status
<avtalenr>` shows the latest check."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from followup.models import Category, Contract, DeviationCategory, FollowUpState, RiskLevel
from tests.card_schema import schema_errors
from tests.e2e.reminder_harness import (
    KARI,
    OLA,
    Reminders,
    card_inputs,
    form_card,
    planned_contract,
    submit_form,
)

REFERENCE = "REN-2026-0011"


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def _world(bot: Reminders) -> Contract:
    """A high-risk cleaning contract: on-site checks quarterly, one due 30.11.2026."""
    return planned_contract(
        bot,
        REFERENCE,
        title="Renhold skoler",
        category=Category.SERVICES,
        value_nok=2_000_000,
        risk=RiskLevel.HIGH,
        start_date=date(2026, 2, 1),
    )


def _form(card: dict[str, Any], **more: str) -> dict[str, Any]:
    action = card["actions"][0]
    value = dict(action["data"])
    value |= {
        "dato": "2026-11-20",
        "sted": "Byfjell skole",
        "deltakere": "Kari Nordmann",
        "arbeidere": "12",
        "hms_kort_kontrollert": "12",
        "uten_hms_kort": "0",
        "mannskapsliste": "ja",
        "avvik": "nei",
    }
    return value | more


def _checks(bot: Reminders, contract: Contract) -> int:
    with bot.uow_factory() as uow:
        return len(uow.onsite_checks.for_contract(contract.id))


async def test_the_form_stores_a_check_with_its_deviation_and_answers_the_follow_up(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    card = await form_card(bot, KARI, f"kontroll {REFERENCE}")
    inputs = card_inputs(card)
    assert inputs["dato"]["type"] == "Input.Date"
    assert inputs["arbeidere"]["type"] == "Input.Number"
    assert {"sted", "deltakere", "uten_hms_kort", "mannskapsliste", "notater", "avvik"} <= (
        inputs.keys()
    )
    shown = json.dumps(card, ensure_ascii=False)
    assert "Stedlig kontroll: REN-2026-0011" in shown
    assert "send dem her i chatten" in shown

    reply = await submit_form(
        bot,
        KARI,
        _form(card, uten_hms_kort="2", mannskapsliste="nei", avvik="høy", notater="To vikarer"),
    )
    said = str(reply["text"])
    assert "Stedlig kontroll nr. 1 av REN-2026-0011 er lagret" in said
    assert "12 arbeidere, 12 HMS-kort kontrollert, 2 uten gyldig kort" in said
    assert "er registrert: Seriøsitetsavvik" in said
    assert "Den åpne oppfølgingen «Stedlig kontroll» er besvart." in said
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
        deviation = uow.deviations.get(check.deviation_id or "")
        follow_up = uow.follow_ups.get_many([check.follow_up_id or ""])[check.follow_up_id or ""]
        events = uow.audit.for_entity("contract", contract.id)
    assert (check.checked_on, check.notes) == (date(2026, 11, 20), "To vikarer")
    assert deviation is not None
    assert deviation.category is DeviationCategory.INTEGRITY
    assert follow_up.state is FollowUpState.DEVIATION_REPORTED
    assert "onsite.recorded" in [e.action for e in events]

    status = json.dumps(await form_card(bot, KARI, f"status {REFERENCE}"), ensure_ascii=False)
    assert "Siste stedlige kontroll" in status
    # Numeric: a fact starting «20. » would be drawn as a numbered list from 1.
    assert "20.11.2026: 12 arbeidere, 2 uten HMS-kort" in status


async def test_a_bad_form_comes_back_filled_in_and_nothing_is_stored(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    card = await form_card(bot, KARI, f"kontroll {REFERENCE}")

    reply = await submit_form(bot, KARI, _form(card, uten_hms_kort="13", notater="Halvferdig"))
    (attachment,) = reply["attachments"]
    back = attachment["content"]
    assert schema_errors(back) == []
    shown = json.dumps(back, ensure_ascii=False)
    assert "Antallet uten gyldig HMS-kort kan ikke være større" in shown
    assert "Ingenting er lagret ennå" in shown
    inputs = card_inputs(back)
    assert inputs["uten_hms_kort"]["value"] == 13
    assert inputs["notater"]["value"] == "Halvferdig"
    assert inputs["dato"]["value"] == "2026-11-20"

    future = await submit_form(bot, KARI, _form(card, dato="2026-12-24"))
    (attachment,) = future["attachments"]
    assert "kan ikke være fram i tid" in json.dumps(attachment["content"], ensure_ascii=False)

    missing = _form(card)
    del missing["arbeidere"]
    (attachment,) = (await submit_form(bot, KARI, missing))["attachments"]
    assert "Fyll inn antall arbeidere." in json.dumps(attachment["content"], ensure_ascii=False)
    assert _checks(bot, contract) == 0


async def test_the_typed_fallback_stores_a_check(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    said = await bot.say(KARI, f"kontroll {REFERENCE} 20.11 9 arbeidere, 1 uten HMS-kort")
    assert "Stedlig kontroll nr. 1 av REN-2026-0011 er lagret" in said
    assert "9 arbeidere, 9 HMS-kort kontrollert, 1 uten gyldig kort" in said
    assert "du registrerte ikke avvik" in said
    with bot.uow_factory() as uow:
        (check,) = uow.onsite_checks.for_contract(contract.id)
    assert (check.checked_on, check.without_card, check.deviation_id) == (
        date(2026, 11, 20),
        1,
        None,
    )

    unclear = await bot.say(KARI, f"kontroll {REFERENCE} forrige uke mange folk")
    assert "Skriv «kontroll *avtalenr*» for skjemaet" in unclear.replace("\\", "")
    assert _checks(bot, contract) == 1


async def test_outsiders_are_refused(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(OLA)
    refused = await bot.say(OLA, f"kontroll {REFERENCE}")
    assert "Bare avtalens kontraktseier" in refused
    refused_typed = await bot.say(OLA, f"kontroll {REFERENCE} 20.11 9 arbeidere, 0 uten HMS-kort")
    assert "Bare avtalens kontraktseier" in refused_typed
    assert _checks(bot, contract) == 0
