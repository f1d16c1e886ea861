"""The words people read on cards: dates and numbers through Babel, Markdown escapes only where
Markdown is rendered, the weekly summary's week, the organisation number, ended contracts."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.conversation import formatting
from bot.conversation.labels import with_ended_mark
from bot.conversation.markdown import echo, plain, unescape
from bot.owner.cards import contracts_card, plan_card
from bot.portfolio.cards import STATUS_VERB, candidates_card
from bot.reminders.cards import ReminderCards
from followup.models import Category, Contract, ContractStatus, ContractType, Person, Supplier
from followup.reminders.planning import WeeklySummary
from followup.tasks import ContractLine, ContractPlan
from followup.views import PortfolioCounts, StatusTarget, TargetKind
from tests.card_schema import assert_valid

TODAY = date(2026, 12, 14)  # Monday of ISO week 51
SUPPLIER = Supplier(name="Rent & Pent AS", organisation_number="974600951")


def _contract(status: ContractStatus = ContractStatus.ACTIVE) -> Contract:
    return Contract(
        reference="KOM-2023-0012",
        title="Renhold av rådhuset",
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
        supplier_id=SUPPLIER.id,
        start_date=date(2023, 1, 1),
        end_date=date(2026, 6, 30),
        status=status,
    )


# --- dates and numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        (
            "nb-NO",
            (
                "fre. 04.12.",
                "04.12.2026",
                "4. desember",
                "4. desember 2026",
                "fredag 4. desember",
                "Uke 49 (30. november–6. desember)",
                "4. desember eller 11. desember",
                "1\u00a0234\u00a0567",
            ),
        ),
        (
            "en-US",
            (
                "Fri 4 Dec",
                "4 Dec 2026",
                "4 December",
                "4 December 2026",
                "Friday 4 December",
                "Week 49 (30 November – 6 December)",
                "4 December or 11 December",
                "1,234,567",
            ),
        ),
    ],
)
def test_dates_and_numbers_in_both_languages(locale: str, shown: tuple[str, ...]) -> None:
    day = date(2026, 12, 4)
    assert (
        formatting.due(day, locale),
        formatting.numeric(day, locale),
        formatting.day_month(day, locale),
        formatting.day_month(day, locale, with_year=True),
        formatting.long(day, locale),
        formatting.week_heading(date(2026, 11, 30), locale),
        formatting.alternatives([day, date(2026, 12, 11)], day, locale),
        formatting.number(1234567, locale),
    ) == shown


def test_three_readings_are_listed_with_or() -> None:
    days = [date(2026, 12, 4), date(2026, 12, 11), date(2027, 1, 8)]
    assert formatting.alternatives(days, date(2026, 12, 1), "nb") == (
        "4. desember, 11. desember eller 8. januar 2027"
    )


# --- Markdown ----------------------------------------------------------------------------------


def test_only_what_markdown_would_change_is_escaped() -> None:
    assert plain("Rent & Pent AS") == "Rent & Pent AS"
    assert plain("Bygg *Sør* _AS_") == "Bygg \\*Sør\\* \\_AS\\_"
    assert plain("[lenke](http://x.example)") == "\\[lenke\\](http://x.example)"
    assert plain("<b>Fare</b>") == "\\<b>Fare\\</b>"
    assert plain("a &amp; b") == "a \\&amp; b", "an entity would be read as `&`"
    assert plain("# Overskrift\n1. punkt\n- punkt") == "\\# Overskrift\n1\\. punkt\n\\- punkt"
    assert plain("3 > 2, 1-2") == "3 > 2, 1-2"
    assert echo("Renhold & vask *nå*") == "Renhold & vask \\*nå\\*"


@pytest.mark.parametrize(
    "typed",
    ["Rent & Pent AS", "C:\\mappe\\*.pdf", "<script>alert(1)</script> **fet**", "# 1. a|b ~c~"],
)
def test_unescape_gives_back_what_was_typed(typed: str) -> None:
    assert unescape(plain(typed)) == typed


# --- the weekly summary ------------------------------------------------------------------------


def _weekly(since: date, until: date) -> dict[str, object]:
    counts = PortfolioCounts(
        answered=1234,
        answered_on_time=1,
        overdue=3,
        escalated=1,
        open_deviations={"kritisk": 1, "høy": 2, "lav": 1},
        unreachable_people=[Person(display_name="Ola Nordmann")],
    )
    summary = WeeklySummary("2026-W51", since, until, TODAY, counts)
    message = ReminderCards().weekly(summary)
    assert message.card is not None
    assert_valid(message.card)
    return {"text": message.text, "card": json.dumps(message.card, ensure_ascii=False)}


def test_the_weekly_summary_names_the_week_it_covers_in_words() -> None:
    shown = _weekly(date(2026, 12, 7), date(2026, 12, 13))
    assert shown["text"] == "Ukesoppsummering for uke 50"
    card = str(shown["card"])
    assert "fra mandag 7. desember til søndag 13. desember 2026" in card
    assert "1\u00a0234 (1 innen fristen)" in card
    assert "1 kritisk, 2 høye, 1 lavt" in card
    assert "W51" not in card
    assert "W50" not in card


def test_a_summary_across_two_iso_weeks_names_both() -> None:
    shown = _weekly(date(2026, 12, 3), date(2026, 12, 9))
    assert shown["text"] == "Ukesoppsummering for uke 49–50"


# --- the organisation number -------------------------------------------------------------------


def test_the_organisation_number_is_spelt_out_and_not_a_link() -> None:
    target = StatusTarget(TargetKind.SUPPLIER, SUPPLIER.id, SUPPLIER.name, "974600951")
    card = candidates_card("rent", [target], STATUS_VERB, {}, "nb-NO")
    assert_valid(card)
    shown = json.dumps(card, ensure_ascii=False)
    assert "Rent & Pent AS (leverandør, organisasjonsnummer 974\u00a0600\u00a0951)" in shown
    assert "org.nr" not in shown
    english = json.dumps(candidates_card("rent", [target], STATUS_VERB, {}, "en"))
    assert "organisation number 974\\u00a0600\\u00a0951" in english


# --- ended contracts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "nb", "en"),
    [
        (ContractStatus.EXPIRED, " (utløpt)", " (expired)"),
        (ContractStatus.TERMINATED, " (avsluttet)", " (terminated)"),
        (ContractStatus.ACTIVE, "", ""),
        (ContractStatus.PLANNED, "", ""),
    ],
)
def test_an_ended_contract_is_marked(status: ContractStatus, nb: str, en: str) -> None:
    contract = _contract(status)
    assert with_ended_mark("KOM-2023-0012", contract, "nb") == "KOM-2023-0012" + nb
    assert with_ended_mark("KOM-2023-0012", contract, "en") == "KOM-2023-0012" + en


def test_the_contracts_card_and_the_plan_mark_an_expired_contract() -> None:
    expired = _contract(ContractStatus.EXPIRED)
    line = ContractLine(expired, SUPPLIER, "owner", open_follow_ups=0, next_due=None)
    contracts = contracts_card([line], "nb-NO", today=TODAY)
    assert_valid(contracts)
    assert "KOM-2023-0012 Renhold av rådhuset (utløpt)" in contracts["fallbackText"]
    plan = plan_card(
        ContractPlan(contract=expired, supplier=SUPPLIER, owner=None, lines=[]),
        "nb-NO",
        today=TODAY,
    )
    assert_valid(plan)
    assert plan["body"][0]["text"].endswith("Renhold av rådhuset (utløpt)")
    running = contracts_card(
        [ContractLine(_contract(), SUPPLIER, "owner", 0, None)], "nb-NO", today=TODAY
    )
    assert "(utløpt)" not in running["fallbackText"]
