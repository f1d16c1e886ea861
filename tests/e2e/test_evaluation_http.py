"""The supplier evaluation end to end: the real HTTP endpoint, the Bot Connector stand-in, the
database (SQLite and PostgreSQL). `evaluer <avtalenr>` opens the form (valid Adaptive Card 1.5),
a submitted form is stored, answers the open evaluation follow-up and offers the letter; a bad
one comes back filled in with nothing stored; the typed fallback stores six scores; the letter
comes through Teams' file consent as a workbook; outsiders are refused; `status <leverandør>`
lists the supplier's evaluations over time."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.exports.commands import FILE_CONSENT
from followup.checks.evaluation import RecordEvaluation, record_evaluation
from followup.checks.evaluation_models import EvaluationHeading
from followup.models import Contract, FollowUpState
from storage.export_store import FolderExportStore
from tests.card_schema import schema_errors
from tests.e2e.reminder_harness import (
    INGRID,
    KARI,
    MONDAY_10_OSLO,
    OLA,
    Reminders,
    card_inputs,
    due_follow_up,
    form_card,
    people,
    planned_contract,
    submit_form,
    typed_reply,
)

REFERENCE = "EV-2026-0011"


@pytest.fixture
def bot(reminders: Reminders) -> Reminders:
    return reminders


def _world(bot: Reminders) -> Contract:
    """Kari owns a NOK 3 million cleaning contract with Fjordbygg AS: significant, so its plan
    has a yearly evaluation (due 31.12.2026)."""
    return planned_contract(
        bot,
        REFERENCE,
        title="Renhold rådhuset",
        value_nok=3_000_000,
    )


def _form(card: dict[str, Any], score: int, **more: str) -> dict[str, Any]:
    action = card["actions"][0]
    value = dict(action["data"])
    for heading in EvaluationHeading:
        value[f"karakter_{heading.value}"] = str(score)
    return value | more


def _versions(bot: Reminders, contract: Contract) -> int:
    with bot.uow_factory() as uow:
        return len(uow.supplier_evaluations.versions(contract.id))


async def test_the_form_stores_an_evaluation_answers_the_follow_up_and_makes_the_letter(
    bot: Reminders,
) -> None:
    contract = _world(bot)
    await bot.install(KARI)

    card = await form_card(bot, KARI, f"evaluer {REFERENCE}")
    inputs = card_inputs(card)
    for heading in EvaluationHeading:
        assert inputs[f"karakter_{heading.value}"]["type"] == "Input.ChoiceSet"
        assert inputs[f"kommentar_{heading.value}"]["type"] == "Input.Text"
    shown = json.dumps(card, ensure_ascii=False)
    for words in ("Leveringssikkerhet", "Kvalitet og kompetanse", "Samarbeid",
                  "Fakturering og økonomi", "Samfunnsansvar", "Samlet vurdering"):  # fmt: skip
        assert words in shown
    assert "Leverandørevaluering: EV-2026-0011" in shown
    assert "Ikke evaluert før." in shown
    assert "3 som avtalt" in shown

    reply = await submit_form(
        bot, KARI, _form(card, 4, kommentar_samarbeid="Rask respons", kommentar_samlet="Bra år")
    )
    (attachment,) = reply["attachments"]
    result = attachment["content"]
    assert schema_errors(result) == []
    said = json.dumps(result, ensure_ascii=False)
    assert "Leverandørevalueringen av EV-2026-0011 er lagret (versjon 1): samlet 4 av 5." in said
    assert "Den åpne oppfølgingen «Leverandørevaluering» (31. desember 2026) er besvart." in said
    with bot.uow_factory() as uow:
        (stored,) = uow.supplier_evaluations.versions(contract.id)
        events = [e.action for e in uow.audit.for_entity("contract", contract.id)]
        states = {
            f.state
            for f in uow.follow_ups.for_contracts_between(
                [contract.id], MONDAY_10_OSLO.date(), MONDAY_10_OSLO.date().replace(year=2027)
            )
            if f.due_date.isoformat() == "2026-12-31"
        }
    assert stored.score_of(EvaluationHeading.COOPERATION).comment == "Rask respons"
    assert stored.overall == 4
    assert "evaluation.recorded" in events
    assert FollowUpState.ANSWERED in states

    # The result card's button makes the letter: Teams' file consent with a workbook.
    (button,) = result["actions"]
    consent = await submit_form(bot, KARI, dict(button["data"]))
    (offered,) = consent["attachments"]
    assert offered["contentType"] == FILE_CONSENT
    assert offered["name"].startswith("leverandorevaluering-EV-2026-0011-")
    export_id = offered["content"]["acceptContext"]["exportId"]
    store = FolderExportStore(Path("var") / "exports")
    made = store.get(export_id)
    assert made is not None
    rows = list(load_workbook(store.path(made)).active.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("Til: Fjordbygg AS, organisasjonsnummer ")
    assert ("Samarbeid", "4 godt", "Rask respons", None) in rows
    assert ("Tema", "Karakter", "Vår kommentar", "Leverandørens kommentar") in rows

    # Typed, the same letter.
    typed = await typed_reply(bot, KARI, f"evaluer {REFERENCE} brev")
    assert typed["attachments"][0]["contentType"] == FILE_CONSENT

    # `status <leverandør>` lists the supplier's evaluations.
    status = json.dumps(await form_card(bot, KARI, "status Fjordbygg"), ensure_ascii=False)
    assert "Leverandørevalueringer" in status
    assert "23.11.2026 – EV-2026-0011: samlet 4 av 5" in status
    # The form opens again from the latest version.
    again = await form_card(bot, KARI, f"evaluer {REFERENCE}")
    assert card_inputs(again)["karakter_samlet"]["value"] == "4"
    assert "Forrige evaluering: 23. november 2026, samlet 4 av 5." in json.dumps(
        again, ensure_ascii=False
    )


async def test_a_bad_form_comes_back_filled_in_and_nothing_is_stored(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(KARI)
    card = await form_card(bot, KARI, f"evaluer {REFERENCE}")

    missing = _form(card, 4, kommentar_samlet="Halvferdig")
    del missing["karakter_samfunnsansvar"]
    reply = await submit_form(bot, KARI, missing)
    (attachment,) = reply["attachments"]
    back = attachment["content"]
    assert schema_errors(back) == []
    shown = json.dumps(back, ensure_ascii=False)
    assert "Velg en karakter for «Samfunnsansvar»." in shown
    assert "Ingenting er lagret ennå" in shown
    inputs = card_inputs(back)
    assert inputs["karakter_samarbeid"]["value"] == "4"
    assert "value" not in inputs["karakter_samfunnsansvar"]
    assert inputs["kommentar_samlet"]["value"] == "Halvferdig"

    low = await submit_form(bot, KARI, _form(card, 4, karakter_fakturering="1"))
    (attachment,) = low["attachments"]
    shown = json.dumps(attachment["content"], ensure_ascii=False)
    assert "Skriv en kommentar til «Fakturering og økonomi»" in shown
    assert card_inputs(attachment["content"])["karakter_fakturering"]["value"] == "1"
    assert _versions(bot, contract) == 0

    none_yet = await bot.say(KARI, f"evaluer {REFERENCE} brev")
    assert "EV-2026-0011 er ikke evaluert ennå." in none_yet


async def test_the_typed_fallback_and_who_may_evaluate(bot: Reminders) -> None:
    contract = _world(bot)
    await bot.install(OLA)
    await bot.install(KARI)

    assert "Skriv «evaluer *avtalenr*» for skjemaet" in await bot.say(
        KARI, f"evaluer {REFERENCE} 4 4"
    )
    refused = await bot.say(KARI, f"evaluer {REFERENCE} 4 4 2 4 4 4")
    assert "Skriv en kommentar til «Samarbeid»" in refused
    assert _versions(bot, contract) == 0
    said = await bot.say(KARI, f"evaluer {REFERENCE} 4 5 3 4 4 4 Stabil leveranse")
    assert "er lagret (versjon 1): samlet 4 av 5" in said
    with bot.uow_factory() as uow:
        (stored,) = uow.supplier_evaluations.versions(contract.id)
    assert stored.score_of(EvaluationHeading.QUALITY).score == 5
    assert stored.score_of(EvaluationHeading.OVERALL).comment == "Stabil leveranse"

    refused = await bot.say(OLA, f"evaluer {REFERENCE}")
    assert refused == (
        "Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp kan evaluere "
        "leverandøren."
    )
    assert "Jeg finner ingen kontrakt" in await bot.say(KARI, "evaluer FINNES-IKKE")

    bot.procurement_member()
    await bot.install(INGRID)
    card = await form_card(bot, INGRID, f"evaluer {REFERENCE}")
    reply = await submit_form(bot, INGRID, _form(card, 3))
    said = json.dumps(reply["attachments"][0]["content"], ensure_ascii=False)
    assert "(versjon 2): samlet 3 av 5" in said
    assert _versions(bot, contract) == 2


async def test_an_option_decisions_reminder_shows_the_latest_evaluation(bot: Reminders) -> None:
    """The tick's digest for an option decision says the contract's latest evaluation; another
    follow-up's line does not."""
    kari = people(bot.uow_factory, KARI)[KARI]
    option = due_follow_up(
        bot.uow_factory,
        kari,
        "OP-2026-0001",
        seed=41,
        code="opsjon",
        title="Opsjon: forleng eller ikke",
        actions=["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"],
    )
    due_follow_up(bot.uow_factory, kari, "OP-2026-0002", seed=42)
    evaluated = dict.fromkeys(EvaluationHeading, (3, None))
    for reference in ("OP-2026-0001", "OP-2026-0002"):
        with bot.uow_factory() as uow:
            record_evaluation(
                RecordEvaluation(kari.id, reference, evaluated),
                uow,
                MONDAY_10_OSLO - timedelta(days=200),
            )
            uow.commit()
    await bot.install(KARI)
    before = len(bot.posts_to(KARI))
    assert (await bot.tick()).send.sent >= 1
    (post,) = bot.posts_to(KARI)[before:]
    (attachment,) = post["attachments"]
    assert schema_errors(attachment["content"]) == []
    shown = json.dumps(attachment["content"], ensure_ascii=False)
    assert "Siste leverandørevaluering: 07.05.2026, samlet 3 av 5" in shown
    lines = str(attachment["content"]["fallbackText"]).split("\n")
    (noted,) = [line for line in lines if "leverandørevaluering" in line]
    assert option.contract_reference in noted
    assert "OP-2026-0002" not in noted
