"""A digest's lines from templates (`bot.reminders.digest_lines`) are exactly the card kit's:
the same element, plain-text line and size as `follow_up_line` and `item_size`, for every shape
(each checkpoint's actions in the default plan, each language, overdue or not, with notes,
with and without actions) and for values the JSON encoder escapes; and `DigestLines` takes the
same items onto a card as the kit's `ItemLines`, with the same hint."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from bot.conversation.cards import MAX_BYTES, CardBudget, item_size
from bot.conversation.follow_up_lines import ItemLines, follow_up_line
from bot.reminders import digest_lines
from bot.reminders.digest_lines import DigestLines, LineTemplates
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.plans.plan_file import load_plan
from followup.ports import ListedCheckpoint, ListedContract, ListedFollowUp
from followup.reminders.planning import DigestItem, ItemRole

TODAY = date(2026, 11, 23)
KARI = Person(display_name="Kari Nordmann", email="kari.nordmann@fjordvik.kommune.no")
PLAN_ACTIONS = [*sorted({tuple(t.actions) for t in load_plan().checkpoint}), ()]
LOCALES = ["nb-NO", "en-US", None]
AWKWARD = [
    "Brøyting og strøing, Fjordvik sentrum",
    'Vask av «Rådhuset» og "Kulturhuset" \\ bygg C',
    "Linje\nskift\tog\u2028rare tegn \x01 \u00e6\u00f8\u00e5 \U0001f600",
    "Mellomrom    som   skal   slås   sammen, og en tittel som er så lang at den må kuttes "
    "et sted langt ute i teksten, etter mange ord",
    "\ue000id\ue001 ser ut som en markør",
    "",
]


def item(
    number: int,
    due: date,
    *,
    actions: tuple[str, ...] = (),
    title: str = "Kontorrekvisita",
    checkpoint_title: str = "Leveranse etter avtale",
    state: FollowUpState = FollowUpState.NOTIFIED,
) -> DigestItem:
    contract = Contract(
        reference=f"KOM-2026-{number:04d}",
        title=title,
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
        owner_id=KARI.id,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code="levering",
        title=checkpoint_title,
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        actions=list(actions),
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=due, state=state
    )
    return DigestItem(follow_up, checkpoint, contract, ItemRole.OWN, KARI, 0, True)


def kit(
    one: DigestItem,
    locale: str | None,
    notes: list[str],
    actions: bool,
    overdue: bool | None = None,
) -> tuple[str, str, int]:
    element, line = follow_up_line(
        one,  # type: ignore[arg-type]  # DigestItem has the kit's models here
        TODAY,
        locale,
        notes=notes,
        actions=actions,
        overdue=overdue,
    )
    return json.dumps(element, ensure_ascii=False), line, item_size(element, line)


def ours(
    templates: LineTemplates,
    one: DigestItem,
    locale: str | None,
    notes: list[str],
    actions: bool,
    overdue: bool | None = None,
) -> tuple[str, str, int]:
    body, line = templates.line(one, TODAY, locale, notes=notes, actions=actions, overdue=overdue)
    return body, line, len(body.encode()) + 2 * len(line.encode())


@pytest.mark.parametrize("actions", PLAN_ACTIONS)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_shape_of_line_is_the_kits(actions: tuple[str, ...], locale: str | None) -> None:
    templates = LineTemplates()
    for days in (-400, -1, 0, 1, 30):
        for notes in ([], ["for Ola Hansen"], ["eskalert fra Per Berg", "utsatt"]):
            for with_actions in (True, False):
                one = item(7, TODAY + timedelta(days=days), actions=actions)
                expected = kit(one, locale, notes, with_actions)
                assert ours(templates, one, locale, notes, with_actions) == expected


def test_values_are_escaped_as_the_json_encoder_does() -> None:
    templates = LineTemplates()
    for n, title in enumerate(AWKWARD):
        for checkpoint_title in AWKWARD:
            one = item(n, TODAY - timedelta(days=3), title=title, checkpoint_title=checkpoint_title)
            notes = [title] if title else []
            for with_actions in (True, False):
                expected = kit(one, "nb-NO", notes, with_actions)
                found = ours(templates, one, "nb-NO", notes, with_actions)
                assert found == expected
                assert json.loads(found[0]) == json.loads(expected[0])


def test_an_overdue_override_is_the_kits() -> None:
    templates = LineTemplates()
    one = item(1, TODAY + timedelta(days=2))
    for overdue in (True, False):
        expected = kit(one, "nb-NO", [], True, overdue=overdue)
        assert ours(templates, one, "nb-NO", [], True, overdue=overdue) == expected


def test_a_shape_without_a_template_is_drawn_by_the_kit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest_lines, "_template", lambda *args: None)
    templates = LineTemplates()
    one = item(3, TODAY - timedelta(days=10), title=AWKWARD[1])
    assert ours(templates, one, "nb-NO", ["for Ola"], True) == kit(one, "nb-NO", ["for Ola"], True)


def test_a_line_read_without_models_is_the_same_line() -> None:
    templates = LineTemplates()
    full = item(5, TODAY - timedelta(days=12), actions=("i_samsvar", "avvik", "ikke_relevant"))
    contract = ListedContract(full.contract.id, full.contract.reference, full.contract.title)
    checkpoint = ListedCheckpoint("cp", full.checkpoint.title, tuple(full.checkpoint.actions))
    listed = ListedFollowUp(
        full.follow_up.id,
        KARI.id,
        full.follow_up.due_date,
        full.follow_up.state,
        contract,
        checkpoint,
    )
    slim = DigestItem(listed, checkpoint, contract, ItemRole.OWN, KARI, 12, False)
    for with_actions in (True, False):
        assert templates.line(slim, TODAY, "nb-NO", actions=with_actions) == templates.line(
            full, TODAY, "nb-NO", actions=with_actions
        )


def taken(lines: Any, items: list[DigestItem]) -> list[Any]:
    return [
        lines.take(one, TODAY, "nb-NO", notes=["for Ola Hansen"] if n % 3 == 0 else [])
        for n, one in enumerate(items)
    ]


@pytest.mark.parametrize(
    ("with_actions", "action_bytes"), [(40, MAX_BYTES), (5, 16_000), (2, 3_000)]
)
def test_digest_lines_take_what_the_kits_item_lines_take(
    with_actions: int, action_bytes: int
) -> None:
    """Forty items, more than a card holds: the same elements and lines in the same order,
    the same point where actions stop and where the card is full, and the same hint."""
    items = [
        item(
            n,
            TODAY + timedelta(days=n % 7 - 4),
            actions=PLAN_ACTIONS[n % len(PLAN_ACTIONS)],
            title=AWKWARD[n % len(AWKWARD)] or "Kontorrekvisita",
        )
        for n in range(40)
    ]
    theirs = ItemLines(CardBudget(40), with_actions=with_actions, action_bytes=action_bytes)
    mine = DigestLines(
        CardBudget(40), LineTemplates(), with_actions=with_actions, action_bytes=action_bytes
    )
    expected = taken(theirs, items)
    assert taken(mine, items) == expected
    assert None in expected, "the card should fill up"
    assert mine.acted == theirs.acted
    assert mine.listed == theirs.listed
    assert [i.follow_up.id for i in mine.without] == [i.follow_up.id for i in theirs.without]
    assert mine.budget.shown == theirs.budget.shown
    assert mine.actions_left == theirs.actions_left
    for locale in LOCALES:
        assert mine.hint(locale) == theirs.hint(locale)
