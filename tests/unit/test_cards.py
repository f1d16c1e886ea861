"""Every card the owners' commands send is a valid Adaptive Card 1.5 with a plain-text twin.

The schema is Microsoft's, kept in ``shared/schemas/adaptivecards/1.5.0/`` beside the
repository. It declares draft-06; like the manifest test, cards are validated with the declared
draft and with draft-07, and references resolve locally only.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.conversation import formatting
from bot.conversation.cards import MAX_ITEMS
from bot.conversation.replies import card_reply
from bot.owner.cards import contracts_card, plan_card, task_groups, tasks_card
from followup.models import (
    Category,
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractType,
    FollowUp,
    Person,
    Supplier,
)
from followup.tasks import ContractLine, ContractPlan, PlanLine, TaskItem
from tests.card_schema import TEAMS_MESSAGE_LIMIT, assert_valid

TODAY = date(2026, 11, 23)  # Monday of ISO week 48
# --- realistic inputs --------------------------------------------------------------------------

KARI = Person(display_name="Kari Nordmann", email="kari.nordmann@fjordvik.kommune.no")
OLA = Person(display_name="Ola Nordmann", email="ola.nordmann@fjordvik.kommune.no")
SUPPLIER = Supplier(name="Bygg & Anlegg Sør-Trøndelag AS", organisation_number="974600951")


def _contract(n: int, *, title: str = "Brøyting og strøing, Fjordvik sentrum") -> Contract:
    return Contract(
        reference=f"KOM-2025-{n:04d}",
        title=f"{title} ({n})",
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
        supplier_id=SUPPLIER.id,
        owner_id=KARI.id,
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
    )


def _checkpoint(contract: Contract, code: str = "levering") -> Checkpoint:
    return Checkpoint(
        contract_id=contract.id,
        code=code,
        title="Egenrapportering lønns- og arbeidsvilkår"
        if code != "levering"
        else "Bekreft levering",
        question="Har leverandøren levert egenrapportering om lønns- og arbeidsvilkår?",
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
        dtstart=date(2025, 1, 1),
        evidence=["egenrapportering", "lønnsslipper"],
    )


def _tasks(count: int) -> list[TaskItem]:
    items = []
    for n in range(count):
        contract = _contract(n)
        checkpoint = _checkpoint(contract, "levering" if n % 2 else "egenrapportering")
        due = TODAY + timedelta(days=n - 3)
        follow_up = FollowUp(checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=due)
        items.append(
            TaskItem(
                follow_up,
                checkpoint,
                contract,
                SUPPLIER if n % 3 else None,
                covering_for=OLA if n % 5 == 1 else None,
                covered_by=KARI if n % 7 == 2 else None,
            )
        )
    return items


# --- tasks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 12, MAX_ITEMS, 75])
def test_tasks_card_is_valid(count: int) -> None:
    card = tasks_card(_tasks(count), TODAY, "nb-NO", days=30)
    assert_valid(card)


def test_tasks_card_in_english_and_narrowed_is_valid() -> None:
    card = tasks_card(_tasks(8), TODAY, "en-GB", days=7, narrowed_by="Sør-Trøndelag")
    assert_valid(card)
    assert "My follow-ups" in card["fallbackText"]
    assert "Overdue" in card["fallbackText"]


def test_short_items_are_cut_when_the_card_is_full() -> None:
    items = [
        TaskItem(
            i.follow_up,
            i.checkpoint.model_copy(update={"title": "Levering"}),
            i.contract.model_copy(update={"title": "Strøsand"}),
            None,
        )
        for i in _tasks(45)
    ]
    card = tasks_card(items, TODAY, "nb-NO", days=30)
    shown = len([e for e in card["body"] if e["type"] == "Container"])
    # The first few carry their actions (about 4 KB each): the card is full before forty.
    assert 15 <= shown < MAX_ITEMS
    assert f"… og {45 - shown} til" in card["fallbackText"]
    assert_valid(card)


def test_tasks_are_grouped_overdue_first_then_by_iso_week() -> None:
    items = _tasks(12)
    groups = task_groups(items, TODAY)
    assert groups[0][0] is None
    assert [i.follow_up.due_date for i in groups[0][1]] == [
        TODAY - timedelta(days=d) for d in (3, 2, 1)
    ]
    assert [g[0] for g in groups[1:]] == [date(2026, 11, 23), date(2026, 11, 30)]
    text = tasks_card(items, TODAY, "nb-NO", days=30)["fallbackText"]
    assert text.index("Forfalt") < text.index("Uke 48 (23.–29. november)")
    assert "Uke 49 (30. november–6. desember)" in text
    assert "fre. 27.11." in text
    assert "for Ola Nordmann" in text
    assert "Kari Nordmann svarer mens du er borte" in text


def test_a_long_task_list_is_capped_with_a_line_on_how_to_narrow_it() -> None:
    card = tasks_card(_tasks(75), TODAY, "nb-NO", days=30)
    shown = len([e for e in card["body"] if e["type"] == "Container"])
    # Cut at 40 items, or earlier when the card would grow too big for Teams (the first few
    # carry their actions).
    assert 10 <= shown <= MAX_ITEMS
    assert f"… og {75 - shown} til" in card["fallbackText"]
    assert "mine oppgaver 7" in card["fallbackText"]
    activity = card_reply(card)
    assert activity.summary == card["fallbackText"]
    size = len(json.dumps(card, ensure_ascii=False).encode()) + len(activity.summary.encode())
    assert size < TEAMS_MESSAGE_LIMIT, size


# --- contracts ---------------------------------------------------------------------------------


def _lines(count: int) -> list[ContractLine]:
    lines = []
    for n in range(count):
        contract = _contract(n, title="Renhold av skoler og barnehager i Øvre Årdal")
        if n % 4 == 0:
            contract = contract.model_copy(update={"ongoing": True, "end_date": None})
        lines.append(
            ContractLine(
                contract=contract,
                supplier=SUPPLIER if n % 2 else None,
                role=("owner", "manager", "deputy")[n % 3],
                open_follow_ups=n,
                next_due=TODAY + timedelta(days=n) if n % 3 else None,
            )
        )
    return lines


@pytest.mark.parametrize("count", [0, 1, 9, MAX_ITEMS + 5])
@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_contracts_card_is_valid(count: int, locale: str) -> None:
    card = contracts_card(_lines(count), locale, today=TODAY)
    assert_valid(card)


def test_contracts_card_shows_role_supplier_end_and_next_due() -> None:
    card = contracts_card(_lines(3), "nb-NO", today=TODAY)
    text = card["fallbackText"]
    assert "Mine kontrakter (3)" in text
    assert "Rolle: kontraktsforvalter" in text
    assert "Leverandør: Bygg & Anlegg Sør-Trøndelag AS" in text
    assert "Slutt: 31.12.2027" in text
    assert "Slutt: løpende" in text
    assert "Neste frist: ons. 25.11." in text
    assert contracts_card(_lines(45), "nb-NO", today=TODAY)["fallbackText"].endswith(
        "«kontrakter *avtalenr eller leverandør*» for å snevre inn."
    )


# --- plan --------------------------------------------------------------------------------------


def _plan(count: int) -> ContractPlan:
    contract = _contract(147)
    lines = []
    for n in range(count):
        checkpoint = _checkpoint(contract, f"punkt-{n}")
        if n % 3 == 1:
            checkpoint.status = CheckpointStatus.PAUSED
        if n % 4 == 2:
            checkpoint.evidence = []
            checkpoint.question = ""
            checkpoint.rrule = "FREQ=YEARLY"
        lines.append(PlanLine(checkpoint, TODAY + timedelta(days=n) if n % 5 else None))
    return ContractPlan(contract=contract, supplier=SUPPLIER, owner=KARI, lines=lines)


@pytest.mark.parametrize("count", [0, 1, 8, MAX_ITEMS + 2])
@pytest.mark.parametrize("locale", ["nb-NO", "en"])
def test_plan_card_is_valid(count: int, locale: str) -> None:
    assert_valid(plan_card(_plan(count), locale, today=TODAY))


def test_plan_card_describes_cadence_evidence_next_due_and_status() -> None:
    text = plan_card(_plan(3), "nb-NO", today=TODAY)["fallbackText"]
    assert "Oppfølgingsplan: KOM-2025-0147" in text
    assert "Hyppighet: kvartalsvis" in text
    assert "Dokumentasjon: egenrapportering, lønnsslipper" in text
    assert "Neste frist: tir. 24.11." in text
    assert "Status: pauset" in text
    assert "Kontraktseier: Kari Nordmann" in text
    assert "Periode: 01.01.2025 – 31.12.2027" in text


def test_a_card_reply_carries_the_card_and_its_text() -> None:
    card = plan_card(_plan(2), "nb-NO", today=TODAY)
    activity = card_reply(card)
    assert activity.attachments[0].content_type == "application/vnd.microsoft.card.adaptive"
    assert activity.attachments[0].content == card
    assert activity.summary == card["fallbackText"]


def test_week_headings_across_months_and_years() -> None:
    assert formatting.week_heading(date(2026, 11, 23), "nb") == "Uke 48 (23.–29. november)"
    assert formatting.week_heading(date(2026, 12, 28), "nb") == (
        "Uke 53 (28. desember 2026–3. januar 2027)"
    )
    assert formatting.week_heading(date(2026, 11, 23), "en-GB") == "Week 48 (23–29 November)"
    assert formatting.period(date(2026, 12, 7), date(2026, 12, 18), "nb") == (
        "fra mandag 7. desember til fredag 18. desember 2026"
    )
    assert formatting.due(date(2026, 11, 27), "nb") == "fre. 27.11."
    assert datetime(2026, 11, 23, tzinfo=UTC).date() == TODAY


def test_a_formatted_day_is_kept_per_language_and_pattern() -> None:
    """Formatting is remembered (issue 15): the same day in another language or pattern is
    formatted on its own."""
    day = date(2026, 11, 27)
    assert [formatting.due(day, "nb"), formatting.due(day, "en-GB"), formatting.due(day, "nb")] == [
        "fre. 27.11.",
        "Fri 27 Nov",
        "fre. 27.11.",
    ]
    assert formatting.numeric(day, "nb") == "27.11.2026"
    assert formatting.due(date(2026, 11, 28), "nb") == "lør. 28.11."
