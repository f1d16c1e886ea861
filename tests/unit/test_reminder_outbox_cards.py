"""A digest made for the outbox (`ReminderCards(outbox=True)`: its lines kept as JSON text,
`orjson.Fragment`) serialises byte for byte as the same digest made of dicts, whatever it holds:
every checkpoint's actions, every role and language, values the JSON encoder escapes, more
items than a card lists, a follow-up named twice. And a line's compact JSON text
(`LineTemplates.sized`) is the kit's line as `orjson.dumps` writes it, with the kit's size."""

from __future__ import annotations

import json
from datetime import date, timedelta

import orjson
import pytest

from bot.conversation.cards import item_size
from bot.conversation.follow_up_lines import follow_up_line
from bot.reminders.cards import ReminderCards
from bot.reminders.digest_lines import LineTemplates
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
from followup.reminders.planning import Digest, DigestItem, ItemRole, message_json
from tests.card_schema import assert_valid

TODAY = date(2026, 11, 23)
KARI = Person(display_name="Kari Nordmann", email="kari.nordmann@fjordvik.kommune.no")
OLA = Person(display_name='Ola "Sjefen" Hansen', email="ola.hansen@fjordvik.kommune.no")
ACTIONS = [*sorted({tuple(t.actions) for t in load_plan().checkpoint}), ()]
TITLES = [
    "Brøyting og strøing, Fjordvik sentrum",
    'Vask av «Rådhuset» og "Kulturhuset" \\ bygg C',
    "Linje\nskift\tog\u2028rare tegn \x01 \u00e6\u00f8\u00e5 \U0001f600",
    "\ue000id\ue001 ser ut som en markør",
]


def one(
    number: int,
    due: date,
    *,
    role: ItemRole = ItemRole.OWN,
    actions: tuple[str, ...] | None = None,
) -> DigestItem:
    contract = Contract(
        reference=f"KOM-2026-{number:04d}",
        title=TITLES[number % len(TITLES)],
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
        owner_id=OLA.id,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code="levering",
        title=TITLES[(number + 1) % len(TITLES)],
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        actions=list(ACTIONS[number % len(ACTIONS)] if actions is None else actions),
    )
    state = FollowUpState.SNOOZED if number % 5 == 0 else FollowUpState.NOTIFIED
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=due, state=state
    )
    owner = OLA if role is not ItemRole.OWN else KARI
    return DigestItem(follow_up, checkpoint, contract, role, owner, 0, True)


def listed(item: DigestItem) -> DigestItem:
    """The same item as the planner lists the recipient's other overdue ones (no models)."""
    contract = ListedContract(item.contract.id, item.contract.reference, item.contract.title)
    checkpoint = ListedCheckpoint("cp", item.checkpoint.title, tuple(item.checkpoint.actions))
    line = ListedFollowUp(
        item.follow_up.id,
        KARI.id,
        item.follow_up.due_date,
        item.follow_up.state,
        contract,
        checkpoint,
    )
    return DigestItem(line, checkpoint, contract, ItemRole.OWN, KARI, 0, False)


def digests() -> list[Digest]:
    roles = [ItemRole.OWN, ItemRole.COVERING, ItemRole.ESCALATED]
    made = []
    for size in (1, 3, 12, 45):
        items = [one(n, TODAY + timedelta(days=n % 9 - 6), role=roles[n % 3]) for n in range(size)]
        items += [listed(i) for i in items[: size // 3]]  # named twice: shown once
        for locale in ("nb-NO", "en-GB", None):
            recipient = KARI.model_copy(update={"locale": locale})
            made.append(Digest(recipient, TODAY, items, more=size // 4))
    return made


def stored(cards: ReminderCards, digest: Digest) -> bytes:
    """As the outbox keeps it (`storage.outbox_repositories`)."""
    return orjson.dumps(message_json(cards.digest(digest)), option=orjson.OPT_NON_STR_KEYS)


def test_a_digest_for_the_outbox_is_the_same_json_byte_for_byte() -> None:
    for digest in digests():
        as_dicts = stored(ReminderCards(), digest)
        assert stored(ReminderCards(outbox=True), digest) == as_dicts
        card = json.loads(as_dicts)["card"]
        assert_valid(card)


def test_a_digest_for_the_outbox_keeps_its_lines_as_json_text() -> None:
    digest = digests()[6]
    message = ReminderCards(outbox=True).digest(digest)
    plain = ReminderCards().digest(digest)
    assert message.card is not None
    assert plain.card is not None
    fragments = [e for e in message.card["body"] if isinstance(e, orjson.Fragment)]
    lines = [e for e in plain.card["body"] if str(e.get("id", "")).startswith("item-")]
    assert len(lines) > 3
    assert [orjson.dumps(f) for f in fragments] == [orjson.dumps(e) for e in lines]
    assert all(isinstance(e, dict) for e in plain.card["body"])
    assert message.text == plain.text


@pytest.mark.parametrize("actions", ACTIONS)
@pytest.mark.parametrize("locale", ["nb-NO", "en-US", None])
def test_a_lines_compact_json_is_the_kits_line_as_orjson_writes_it(
    actions: tuple[str, ...], locale: str | None
) -> None:
    templates = LineTemplates()
    for days in (-400, -1, 0, 30):
        for notes in ([], ["for Ola Hansen"], [TITLES[1], TITLES[2]]):
            for with_actions in (True, False):
                item = one(7, TODAY + timedelta(days=days), actions=actions)
                element, line = follow_up_line(
                    item,  # type: ignore[arg-type]  # the kit's models
                    TODAY,
                    locale,
                    notes=notes,
                    actions=with_actions,
                )
                body, text, size = templates.sized(
                    item, TODAY, locale, notes=notes, actions=with_actions
                )
                assert body == orjson.dumps(element).decode()
                assert (text, size) == (line, item_size(element, line))
