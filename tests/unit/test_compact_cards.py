"""Open follow-ups as compact lines with their actions, on every card that lists them: the
reminder digest (each follow-up once, under one heading), `mine oppgaver`, `kontrakter`, `plan`,
an owner's `status <avtalenr>` and the card drawn again after an answer; and the deviation
list's filters as drop-downs. Every card a valid Adaptive Card 1.5 under Teams' size limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from bot.conversation.follow_up_cards import (
    ANSWER_VERB,
    CARD_ITEMS_INPUT,
    SNOOZE_VERB,
    UPLOAD_VERB,
    follow_ups_card,
)
from bot.conversation.follow_up_lines import comment_input_id, follow_up_line
from bot.owner.cards import contracts_card, plan_card, tasks_card
from bot.portfolio.cards import (
    DEVIATIONS_VERB,
    FILTER_ANY,
    FILTER_CATEGORY,
    FILTER_OPEN,
    FILTER_SEVERITY,
    DeviationQuery,
    deviations_card,
)
from bot.reminders.cards import ReminderCards
from followup.answers.services import FollowUpView
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    DeviationCategory,
    FollowUp,
    FollowUpState,
    Person,
    Severity,
    Supplier,
)
from followup.reminders.planning import Digest, DigestItem, ItemRole
from followup.tasks import ContractLine, ContractPlan, PlanLine, TaskItem
from followup.views import DeviationList, Page
from tests.card_schema import TEAMS_MESSAGE_LIMIT, assert_valid

TODAY = date(2026, 11, 23)
KARI = Person(display_name="Kari Nordmann", email="kari.nordmann@fjordvik.kommune.no")
OLA = Person(display_name="Ola Hansen", email="ola.hansen@fjordvik.kommune.no")
SUPPLIER = Supplier(name="Fjordbygg AS", organisation_number="974600951")
DOCUMENTS = ["dokumentasjon", "avvik", "ikke_relevant", "utsett"]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def action_sets(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [n["actions"] for n in walk(card) if n.get("type") == "ActionSet"]


def size(card: dict[str, Any]) -> int:
    """The card, its text as `fallbackText` and again as the activity's summary."""
    return len(json.dumps(card, ensure_ascii=False).encode()) + len(card["fallbackText"].encode())


def task(
    n: int,
    due: date,
    *,
    actions: list[str] | None = None,
    state: FollowUpState = FollowUpState.NOTIFIED,
) -> TaskItem:
    contract = Contract(
        reference=f"KOM-2026-{n:04d}",
        title=f"Brøyting og strøing, Fjordvik sentrum, rode {n}",
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
        owner_id=KARI.id,
        supplier_id=SUPPLIER.id,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code="levering",
        title="Leveranse etter avtale",
        question="Er leveransene i perioden levert som avtalt?",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        actions=actions or [],
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=contract.id,
        due_date=due,
        state=state,
    )
    return TaskItem(follow_up, checkpoint, contract, SUPPLIER)


def digest_item(item: TaskItem, *, new: bool = True, role: ItemRole = ItemRole.OWN) -> DigestItem:
    return DigestItem(
        follow_up=item.follow_up,
        checkpoint=item.checkpoint,
        contract=item.contract,
        role=role,
        owner=KARI,
        days_overdue=max(0, (TODAY - item.follow_up.due_date).days),
        new=new,
    )


def four() -> list[TaskItem]:
    """Overdue a week, overdue since Wednesday (documents), due today, due Wednesday."""
    return [
        task(1, TODAY - timedelta(days=7)),
        task(2, TODAY - timedelta(days=5), actions=DOCUMENTS),
        task(3, TODAY),
        task(4, TODAY + timedelta(days=2)),
    ]


# --- one follow-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "primary"),
    [([], (ANSWER_VERB, "delivered")), (DOCUMENTS, (UPLOAD_VERB, None))],
)
def test_the_first_action_is_the_button_and_the_rest_are_in_the_overflow(
    codes: list[str], primary: tuple[str, str | None]
) -> None:
    item = task(1, TODAY, actions=codes)
    element, line = follow_up_line(item, TODAY, "nb-NO")

    (actions,) = action_sets(element)
    first, *rest = actions
    assert (first["verb"], first["data"].get("kind")) == primary
    assert "mode" not in first
    assert "mode" not in first["fallback"]
    assert rest, "the rest are in the overflow"
    assert all(a["mode"] == "secondary" for a in rest)
    assert all(a["fallback"]["mode"] == "secondary" for a in rest if "fallback" in a)
    assert rest[-1]["type"] == "Action.ShowCard"
    assert rest[-1]["title"] == "Utsett"
    assert line.startswith("- Frist i dag: KOM-2026-0001")


def test_the_comment_is_hidden_until_legg_til_kommentar_shows_it() -> None:
    item = task(1, TODAY)
    element, _ = follow_up_line(item, TODAY, "nb-NO")

    (comment,) = [n for n in walk(element) if n.get("id", "").startswith("comment-")]
    assert comment["id"] == comment_input_id(item.follow_up.id)
    assert comment["isVisible"] is False
    (toggle,) = [n for n in walk(element) if n.get("type") == "Action.ToggleVisibility"]
    assert toggle["title"] == "Legg til kommentar"
    assert toggle["targetElements"] == [comment["id"]]
    assert toggle["mode"] == "secondary"


def test_a_line_without_actions_has_neither_buttons_nor_a_comment() -> None:
    element, line = follow_up_line(
        task(1, TODAY - timedelta(days=3)), TODAY, "en-GB", actions=False
    )

    assert action_sets(element) == []
    assert not [n for n in walk(element) if n.get("type", "").startswith("Input.")]
    assert "Overdue since Fri 20 Nov (3 days)" in line


# --- the reminder digest ------------------------------------------------------------------------


def test_a_digest_shows_each_follow_up_once_under_one_heading() -> None:
    items = [digest_item(i) for i in four()]
    # The planner may name one follow-up twice (new, and again among the other overdue ones,
    # or for two roles): the card shows it once.
    twice = [*items, replace(items[0], new=False), replace(items[0], role=ItemRole.ESCALATED)]
    message = ReminderCards().digest(Digest(recipient=KARI, today=TODAY, items=twice))
    card = message.card
    assert card is not None
    assert_valid(card)

    ids = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert sorted(ids) == sorted(i.follow_up.id for i in items), "each item once"
    (items_input,) = [n for n in walk(card) if n.get("id") == CARD_ITEMS_INPUT]
    assert sorted(items_input["value"].split(",")) == sorted(ids)
    headings = [
        n["text"]
        for n in card["body"]
        if n.get("type") == "TextBlock" and n.get("weight") and not n.get("size")
    ]
    assert headings == ["Forfalt", "Frist i dag", "Kommende frister"]
    text = card["fallbackText"]
    first = text.index("KOM-2026-0001 Brøyting")
    assert text.index("Forfalt\n") < first < text.index("Frist i dag\n")
    assert text.count("KOM-2026-0001 Brøyting") == 1
    assert "Påminnelse: 4 oppfølginger" in text


def test_every_item_of_a_digest_has_its_actions_in_one_compact_row() -> None:
    message = ReminderCards().digest(
        Digest(recipient=KARI, today=TODAY, items=[digest_item(i) for i in four()])
    )
    assert message.card is not None
    rows = action_sets(message.card)
    assert len(rows) == 4
    for actions in rows:
        primary = [a for a in actions if a.get("mode") != "secondary"]
        assert len(primary) == 1, "one button per item; the rest behind …"
    comments = [n for n in walk(message.card) if n.get("id", "").startswith("comment-")]
    assert len(comments) == 4
    assert not [c for c in comments if c["isVisible"]], "no comment box until asked for"


def test_a_long_digest_stays_under_teams_limit_and_says_how_many_more() -> None:
    items = [digest_item(task(n, TODAY - timedelta(days=n % 9))) for n in range(1, 41)]
    message = ReminderCards().digest(Digest(recipient=KARI, today=TODAY, items=items, more=3))
    card = message.card
    assert card is not None
    assert_valid(card)
    assert size(card) < TEAMS_MESSAGE_LIMIT
    acted = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert 3 <= len(acted) < 40
    listed = card["fallbackText"].count("Brøyting og strøing")
    assert f"… og {40 - listed + 3} til." in card["fallbackText"]
    assert "Svarknappene står på de" in card["fallbackText"]


# --- mine oppgaver, kontrakter, plan -------------------------------------------------------------


def test_my_tasks_carry_their_actions_and_their_ids() -> None:
    items = four()
    card = tasks_card(items, TODAY, "nb-NO", days=30)
    assert_valid(card)

    acted = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert acted == [i.follow_up.id for i in items]
    (items_input,) = [n for n in walk(card) if n.get("id") == CARD_ITEMS_INPUT]
    assert items_input["value"].split(",") == acted


def test_an_answered_task_has_no_actions() -> None:
    answered = task(5, TODAY + timedelta(days=3), state=FollowUpState.ANSWERED)
    card = tasks_card([answered], TODAY, "nb-NO", days=30)
    assert_valid(card)
    assert action_sets(card) == []
    assert "Besvart" in card["fallbackText"]


@pytest.mark.parametrize(
    ("actions", "example"),
    [
        ([], "«levert KOM-2026-"),
        (["dokumentasjon", "avvik", "ikke_relevant", "utsett"], "«dokument KOM-2026-"),
        (["i_samsvar", "avvik", "utsett"], "«meld avvik KOM-2026-"),
        (["opsjon_utloses", "opsjon_utloses_ikke", "utsett"], "«utsett KOM-2026-"),
    ],
)
def test_the_hint_for_items_without_buttons_gives_an_answer_they_take(
    actions: list[str], example: str
) -> None:
    items = [task(n, TODAY + timedelta(days=n % 30), actions=actions) for n in range(20)]
    card = tasks_card(items, TODAY, "nb-NO", days=30)
    hint = next(line for line in card["fallbackText"].splitlines() if "Svarknappene" in line)
    assert example in hint


@pytest.mark.parametrize("count", [6, 40, 75])
def test_a_long_task_list_gives_the_first_their_actions_and_lists_the_rest(count: int) -> None:
    items = [task(n, TODAY + timedelta(days=n % 30)) for n in range(count)]
    card = tasks_card(items, TODAY, "nb-NO", days=30)
    assert_valid(card)
    assert size(card) < TEAMS_MESSAGE_LIMIT

    acted = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert 3 <= len(acted) <= 5
    assert "Svarknappene står på de" in card["fallbackText"]
    listed = card["fallbackText"].count("Brøyting og strøing")
    assert listed > len(acted)


def test_contracts_show_their_waiting_follow_ups_with_actions() -> None:
    items = four()
    lines = [
        ContractLine(
            contract=i.contract,
            supplier=SUPPLIER,
            role="owner",
            open_follow_ups=3,
            next_due=TODAY + timedelta(days=2),
            waiting=[i],
        )
        for i in items
    ]
    card = contracts_card(lines, "nb-NO", today=TODAY)
    assert_valid(card)
    acted = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert len(acted) >= 2, "the first contracts' follow-ups carry their actions"
    assert acted == [i.follow_up.id for i in items][: len(acted)]
    (items_input,) = [n for n in walk(card) if n.get("id") == CARD_ITEMS_INPUT]
    assert items_input["value"].split(",") == acted
    text = card["fallbackText"]
    assert text.index("KOM-2026-0001 Brøyting") < text.index("Leveranse etter avtale")


def test_many_contracts_keep_their_list_and_stop_giving_actions() -> None:
    lines = [
        ContractLine(
            contract=i.contract,
            supplier=SUPPLIER,
            role="owner",
            open_follow_ups=2,
            next_due=TODAY,
            waiting=[i, task(100 + n, TODAY + timedelta(days=4))],
        )
        for n, i in enumerate(task(n, TODAY) for n in range(30))
    ]
    card = contracts_card(lines, "nb-NO", today=TODAY)
    assert_valid(card)
    assert size(card) < TEAMS_MESSAGE_LIMIT
    assert card["fallbackText"].count("Rolle: kontraktseier") >= 15
    assert "Svarknappene står på de" in card["fallbackText"]


def test_a_plan_lists_what_waits_for_the_askers_answer_first() -> None:
    items = four()[:2]
    contract = items[0].contract
    plan = ContractPlan(
        contract=contract,
        supplier=SUPPLIER,
        owner=KARI,
        lines=[PlanLine(items[0].checkpoint, TODAY)],
        waiting=items,
    )
    card = plan_card(plan, "nb-NO", today=TODAY)
    assert_valid(card)
    text = card["fallbackText"]
    assert text.index("Venter på svar fra deg (2)") < text.index("Kontrollpunktene")
    acted = [a["data"]["followUpId"] for actions in action_sets(card) for a in actions[:1]]
    assert acted == [i.follow_up.id for i in items]

    without = plan_card(
        ContractPlan(contract=contract, supplier=SUPPLIER, owner=KARI, lines=plan.lines),
        "nb-NO",
        today=TODAY,
    )
    assert action_sets(without) == []
    assert CARD_ITEMS_INPUT not in json.dumps(without)


# --- after an answer ----------------------------------------------------------------------------


def test_the_card_after_an_answer_keeps_the_open_ones_compact() -> None:
    views = [
        FollowUpView(
            follow_up=i.follow_up,
            contract=i.contract,
            supplier_name=SUPPLIER.name,
            checkpoint=i.checkpoint,
            latest=None,
            versions=0,
            documents=[],
            missing_evidence=[],
            deviations=[],
        )
        for i in four()
    ]
    card = follow_ups_card(views, TODAY, "nb-NO")
    assert_valid(card)
    rows = action_sets(card)
    assert len(rows) == 4
    assert all(len([a for a in r if a.get("mode") != "secondary"]) == 1 for r in rows)
    snoozes = [
        n for n in walk(card) if n.get("type") == "Action.Execute" and n["verb"] == SNOOZE_VERB
    ]
    assert len(snoozes) == 3 * 4


# --- the deviation list's filters ---------------------------------------------------------------


def test_deviation_filters_are_drop_downs_with_one_button() -> None:
    listing = DeviationList(
        page=Page(items=[], next_cursor=None, total=0),
        by_severity={Severity.HIGH: 2, Severity.CRITICAL: 1},
        by_category={DeviationCategory.HSE.value: 1},
    )
    query = DeviationQuery(open_only=True, severity=Severity.HIGH)
    card = deviations_card(listing, query, "Hele porteføljen", None, "nb-NO", offset=0)
    assert_valid(card)

    choices = {n["id"]: n for n in walk(card) if n.get("type") == "Input.ChoiceSet"}
    assert set(choices) == {FILTER_OPEN, FILTER_SEVERITY, FILTER_CATEGORY}
    assert all(c["style"] == "compact" for c in choices.values())
    assert choices[FILTER_OPEN]["value"] == "true"
    assert choices[FILTER_SEVERITY]["value"] == Severity.HIGH.value
    assert choices[FILTER_CATEGORY]["value"] == FILTER_ANY
    titles = [c["title"] for c in choices[FILTER_SEVERITY]["choices"]]
    assert titles[:3] == ["Alle grader", "Kritisk (1)", "Høy (2)"]
    assert [c["title"] for c in choices[FILTER_CATEGORY]["choices"]] == [
        "Alle kategorier",
        "HMS-avvik (1)",
    ]
    filters = [
        a for actions in action_sets(card) for a in actions if a["data"].get("filter") is True
    ]
    assert [(a["title"], a["verb"]) for a in filters] == [("Filtrer", DEVIATIONS_VERB)]
    buttons = [a for actions in action_sets(card) for a in actions]
    assert len(buttons) <= 3, "no stacked filter buttons"
