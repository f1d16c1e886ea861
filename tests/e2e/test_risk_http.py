"""The risk assessment end to end: the real HTTP endpoint, the Bot Connector stand-in, the
database. `risiko <avtalenr>` opens the form (valid Adaptive Card 1.5), a submitted form is
stored and re-plans the contract, a bad one comes back filled in with nothing stored, the typed
fallback sets the level with a reason, outsiders are refused, and `risiko` alone gives
procurement the contracts never assessed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from followup.checks.models import RiskArea
from followup.models import CheckpointStatus, Contract, ContractType, RiskLevel
from followup.plans.plan_file import load_plan
from tests.card_schema import schema_errors
from tests.e2e.reminder_harness import (
    INGRID,
    KARI,
    OLA,
    Reminders,
    card_inputs,
    form_card,
    planned_contract,
    submit_form,
)

REFERENCE = "RA-2026-0007"
PLAN = load_plan()


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def _world(bot: Reminders) -> Contract:
    return planned_contract(
        bot,
        REFERENCE,
        calendar=False,
        title="Renhold skoler",
        contract_type=ContractType.FRAMEWORK,
        value_nok=1_500_000,
    )


def _form(card: dict[str, Any], c: int, lk: int, **more: str) -> dict[str, Any]:
    action = card["actions"][0]
    value = dict(action["data"])
    for area in RiskArea:
        value[f"konsekvens_{area.value}"] = str(c)
        value[f"sannsynlighet_{area.value}"] = str(lk)
    value["niva"] = "forslag"
    return value | more


def _versions(bot: Reminders, contract: Contract) -> int:
    with bot.uow_factory() as uow:
        return len(uow.risk_assessments.versions(contract.id))


async def test_the_form_stores_an_assessment_and_replans(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    card = await form_card(bot, KARI, f"risiko {REFERENCE}")
    inputs = card_inputs(card)
    for area in RiskArea:
        assert inputs[f"konsekvens_{area.value}"]["type"] == "Input.ChoiceSet"
        assert inputs[f"sannsynlighet_{area.value}"]["type"] == "Input.ChoiceSet"
    assert {"niva", "begrunnelse", "kommentar"} <= inputs.keys()
    shown = json.dumps(card, ensure_ascii=False)
    assert "Risikovurdering: RA-2026-0007" in shown
    assert "Nåværende risikonivå: middels (fra registeret" in shown
    assert "9–16 gir høy" in shown

    reply = await submit_form(bot, KARI, _form(card, 3, 3, kommentar="Mange vikarer"))
    said = str(reply["text"])
    assert "Risikovurderingen av RA-2026-0007 er lagret (versjon 1): høy." in said
    assert "Risikonivået er endret fra middels til høy." in said
    assert "Ny hyppighet for:" in said
    assert "«Statusmøte»" in said
    # The default plan's `[ladder]` escalates high risk sooner: the reply says so.
    assert "kommer nå 1, 3 og 5 arbeidsdager etter fristen (før 2, 5 og 10)" in said
    with bot.uow_factory() as uow:
        stored = uow.contracts.get(contract.id)
        (assessment,) = uow.risk_assessments.versions(contract.id)
        meeting = next(
            c
            for c in uow.checkpoints.for_contracts([contract.id])
            if c.code == "statusmote" and c.status is CheckpointStatus.ACTIVE
        )
        events = uow.audit.for_entity("contract", contract.id)
    assert stored is not None
    assert stored.risk is RiskLevel.HIGH
    assert assessment.comment == "Mange vikarer"
    assert assessment.assessed_by_id is not None
    template = {t.code: t for t in PLAN.checkpoint}["statusmote"]
    assert meeting.rrule == template.rule_for(RiskLevel.HIGH)
    assert "risk.assessed" in [e.action for e in events]

    # `status <avtalenr>` shows the latest assessment: the level, when and by whom.
    status = json.dumps(await form_card(bot, KARI, f"status {REFERENCE}"), ensure_ascii=False)
    assert "høy – vurdert 23. november 2026 av Kari Nordmann (versjon 1)" in status
    # The form opens again from the latest version, and says who assessed it.
    again = await form_card(bot, KARI, f"risiko {REFERENCE}")
    assert card_inputs(again)["konsekvens_hms"]["value"] == "3"
    assert "vurdert" in json.dumps(again, ensure_ascii=False)


async def test_a_bad_form_comes_back_filled_in_and_nothing_is_stored(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    card = await form_card(bot, KARI, f"risiko {REFERENCE}")

    missing = _form(card, 2, 2, kommentar="Halvferdig")
    del missing["sannsynlighet_omdomme"]
    reply = await submit_form(bot, KARI, missing)
    (attachment,) = reply["attachments"]
    back = attachment["content"]
    assert schema_errors(back) == []
    shown = json.dumps(back, ensure_ascii=False)
    assert "Velg konsekvens og sannsynlighet for «Omdømme»." in shown
    assert "Ingenting er lagret ennå" in shown
    inputs = card_inputs(back)
    assert inputs["konsekvens_omdomme"]["value"] == "2"
    assert "value" not in inputs["sannsynlighet_omdomme"]
    assert inputs["kommentar"]["value"] == "Halvferdig"

    overruled = await submit_form(bot, KARI, _form(card, 3, 3, niva="lav"))
    (attachment,) = overruled["attachments"]
    shown = json.dumps(attachment["content"], ensure_ascii=False)
    assert "Skriv en begrunnelse" in shown
    assert "Foreslått nivå ut fra det du har fylt inn: høy." in shown
    assert card_inputs(attachment["content"])["niva"]["value"] == "lav"
    assert _versions(bot, contract) == 0

    reasoned = await submit_form(
        bot, KARI, _form(card, 3, 3, niva="lav", begrunnelse="Kort avtale, kjent leverandør")
    )
    said = str(reasoned["text"])
    assert "(versjon 1): lav" in said
    assert "annet nivå enn forslaget (høy)" in said
    assert "Risikonivået er endret fra middels til lav." in said
    assert _versions(bot, contract) == 1


async def test_the_typed_fallback_sets_the_level_with_a_reason(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    refused = await bot.say(KARI, f"risiko {REFERENCE} høy")
    assert "Skriv en begrunnelse" in refused
    assert _versions(bot, contract) == 0

    said = await bot.say(KARI, f"risiko {REFERENCE} høy fordi mange underleverandører")
    assert "(versjon 1): høy" in said
    assert "endret fra middels til høy" in said
    with bot.uow_factory() as uow:
        (stored,) = uow.risk_assessments.versions(contract.id)
    assert stored.reason == "mange underleverandører"
    assert stored.scores == []

    unknown = await bot.say(KARI, "risiko FINNES-IKKE")
    assert "Jeg finner ingen kontrakt med avtalenummer «FINNES-IKKE»" in unknown


async def test_outsiders_are_refused_and_procurement_gets_the_overview(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(OLA)
    await bot.install(KARI)

    status = json.dumps(await form_card(bot, KARI, f"status {REFERENCE}"), ensure_ascii=False)
    assert "middels (fra registeret, ikke vurdert)" in status

    refused = await bot.say(OLA, f"risiko {REFERENCE}")
    assert (
        refused
        == "Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp kan vurdere risikoen."
    )
    assert "for innkjøp" in await bot.say(OLA, "risiko")

    bot.procurement_member()
    await bot.install(INGRID)
    overview = await bot.say(INGRID, "risiko")
    assert "1 avtale er aldri vurdert" in overview
    assert "RA-2026-0007 Renhold skoler (middels)" in overview

    # Procurement may assess it; then nothing is missing.
    card = await form_card(bot, INGRID, f"risiko {REFERENCE}")
    said = str((await submit_form(bot, INGRID, _form(card, 2, 2)))["text"])
    assert "(versjon 1): middels" in said
    assert "Risikonivået er uendret" in said
    assert _versions(bot, contract) == 1
    assert "Alle avtaler i kraft" in await bot.say(INGRID, "risiko")
