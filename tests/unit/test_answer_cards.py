"""The answer cards and the reminder cards: valid Adaptive Cards 1.5 (Microsoft's schema), the
actions each checkpoint asks for, the answer shown after it was given, and what a person wrote
shown as written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.conversation.follow_up_cards import (
    ANSWER_VERB,
    CARD_ITEMS_INPUT,
    CHANGE_VERB,
    DEVIATION_VERB,
    SNOOZE_VERB,
    UPLOAD_VERB,
    card_items_from,
    follow_ups_card,
)
from bot.reminders.cards import ReminderCards
from followup.answers.services import AnswerSummary, FollowUpView
from followup.models import (
    Answer,
    AnswerKind,
    Category,
    Checkpoint,
    Contract,
    ContractType,
    Deviation,
    DeviationCategory,
    Document,
    FollowUp,
    FollowUpState,
    Person,
    Severity,
)
from followup.reminders.planning import Digest, DigestItem, ItemRole
from tests.card_schema import assert_valid

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 42, tzinfo=UTC)
KARI = Person(display_name="Kari Nordmann", email="kari@fjordvik.kommune.no")
OLA = Person(display_name="Ola Hansen")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def actions(card: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (n["verb"], n["data"].get("kind")) for n in _walk(card) if n.get("type") == "Action.Execute"
    ]


def view(
    n: int = 1,
    *,
    actions: list[str] | None = None,
    evidence: list[str] | None = None,
    state: FollowUpState = FollowUpState.NOTIFIED,
    answer: Answer | None = None,
    documents: list[Document] | None = None,
    deviations: list[Deviation] | None = None,
    due: date = TODAY,
) -> FollowUpView:
    contract = Contract(
        reference=f"KOM-2026-{n:04d}",
        title="Brøyting og strøing, Fjordvik sentrum",
        contract_type=ContractType.FRAMEWORK,
        category=Category.SERVICES,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code="levering",
        title="Leveranse etter avtale",
        question="Er leveransene i perioden levert som avtalt?",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        actions=actions or [],
        evidence=evidence or [],
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=due, state=state
    )
    summary = (
        AnswerSummary(
            answer, KARI.display_name, OLA.display_name if answer.on_behalf_of_id else None
        )
        if answer
        else None
    )
    return FollowUpView(
        follow_up=follow_up,
        contract=contract,
        supplier_name="Fjordbygg AS",
        checkpoint=checkpoint,
        latest=summary,
        versions=answer.version if answer else 0,
        documents=documents or [],
        missing_evidence=[e for e in evidence or [] if not documents],
        deviations=deviations or [],
    )


def answer(follow_up: FollowUpView, kind: AnswerKind, **values: Any) -> Answer:
    return Answer(
        follow_up_id=follow_up.follow_up.id,
        kind=kind,
        answered_by_id=KARI.id,
        answered_at=NOW,
        **values,
    )


@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_an_open_follow_up_has_the_default_actions_and_is_valid(locale: str) -> None:
    card = follow_ups_card([view()], TODAY, locale)

    assert_valid(card)
    assert actions(card) == [
        (ANSWER_VERB, "delivered"),
        (ANSWER_VERB, "partly_delivered"),
        (ANSWER_VERB, "not_delivered"),
        (DEVIATION_VERB, None),
        (ANSWER_VERB, "not_applicable"),
        (SNOOZE_VERB, None),
        (SNOOZE_VERB, None),
        (SNOOZE_VERB, None),
    ]


def test_the_checkpoints_actions_decide_the_buttons_in_its_order() -> None:
    documents = view(actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"])
    card = follow_ups_card([documents], TODAY, "nb-NO")

    assert_valid(card)
    assert [verb for verb, _ in actions(card)][:3] == [UPLOAD_VERB, DEVIATION_VERB, ANSWER_VERB]
    titles = [n["title"] for n in _walk(card) if n.get("type") == "Action.Execute"]
    assert titles[:3] == ["Last opp dokumentasjon", "Meld avvik", "Ikke relevant"]


def test_every_action_falls_back_to_a_submit_with_the_same_data_and_its_verb() -> None:
    card = follow_ups_card([view()], TODAY, "nb-NO")
    for node in _walk(card):
        if node.get("type") == "Action.Execute":
            fallback = node["fallback"]
            assert fallback["type"] == "Action.Submit"
            assert fallback["data"] == {**node["data"], "verb": node["verb"]}


def test_the_card_carries_its_follow_ups_in_one_invisible_input() -> None:
    views = [view(1), view(2), view(3)]
    card = follow_ups_card(views, TODAY, "nb-NO")
    (items,) = [n for n in _walk(card) if n.get("id") == CARD_ITEMS_INPUT]

    assert items["isVisible"] is False
    ids = [v.follow_up.id for v in views]
    assert items["value"] == ",".join(ids)
    assert card_items_from({CARD_ITEMS_INPUT: items["value"]}, ids[1]) == ids
    assert card_items_from({}, ids[1]) == [ids[1]]
    assert card_items_from({CARD_ITEMS_INPUT: "x" * 5000}, ids[0]) == [ids[0]]


def test_an_answered_follow_up_shows_who_when_and_what_and_offers_endre_svar() -> None:
    shown = view(state=FollowUpState.ANSWERED)
    given = answer(shown, AnswerKind.PARTLY_DELIVERED, text="3 av 12 paller mangler", version=2)
    answered = view(state=FollowUpState.ANSWERED, answer=given)
    card = follow_ups_card([answered], TODAY, "nb-NO")

    assert_valid(card)
    content = json.dumps(card, ensure_ascii=False)
    assert "Delvis levert – svart av Kari Nordmann, man. 23.11. kl. 10.42" in content
    assert "svar nr. 2" in content
    assert "3 av 12 paller mangler" in content
    assert actions(card) == [(CHANGE_VERB, None)]

    editing = follow_ups_card([answered], TODAY, "nb-NO", editing=answered.follow_up.id)
    assert_valid(editing)
    assert (ANSWER_VERB, "delivered") in actions(editing)


def test_an_answer_for_someone_else_names_both() -> None:
    shown = view(state=FollowUpState.ANSWERED)
    given = answer(shown, AnswerKind.DELIVERED, on_behalf_of_id=OLA.id)
    card = follow_ups_card([view(state=FollowUpState.ANSWERED, answer=given)], TODAY, "en-GB")

    content = json.dumps(card, ensure_ascii=False)
    assert "Delivered – answered by Kari Nordmann for Ola Hansen, Mon 23 Nov at 10:42" in content


def test_a_comment_is_shown_as_written_not_as_markdown() -> None:
    shown = view(state=FollowUpState.ANSWERED)
    hostile = "[klikk her](https://evil.example) **viktig** <script>alert(1)</script>"
    given = answer(shown, AnswerKind.DELIVERED, text=hostile)
    card = follow_ups_card([view(state=FollowUpState.ANSWERED, answer=given)], TODAY, "nb-NO")

    assert_valid(card)
    runs = [n for n in _walk(card) if n.get("type") == "TextRun"]
    assert [r["text"] for r in runs] == [f"«{hostile}»"]
    blocks = [n["text"] for n in _walk(card) if n.get("type") == "TextBlock"]
    assert not any("evil.example" in b for b in blocks), "never in a Markdown TextBlock"


def test_documents_missing_evidence_and_deviations_are_shown() -> None:
    base = view(state=FollowUpState.ANSWERED, actions=["dokumentasjon", "avvik"])
    given = answer(base, AnswerKind.DOCUMENTS)
    document = Document(
        file_name="Egenrapportering Q3.pdf",
        media_type="application/pdf",
        size_bytes=1024,
        sha256="a" * 64,
        storage_key="ab/cd/x.pdf",
        uploaded_at=NOW,
    )
    deviation = Deviation(
        contract_id=base.contract.id,
        category=DeviationCategory.DOCUMENTATION,
        severity=Severity.HIGH,
        occurred_on=TODAY,
        description="Mangler",
        reported_by_id=KARI.id,
        reported_at=NOW,
    )
    with_documents = view(
        state=FollowUpState.ANSWERED,
        actions=["dokumentasjon", "avvik"],
        evidence=["skatteattest"],
        answer=given,
        documents=[document],
        deviations=[deviation],
    )
    missing = FollowUpView(
        **{
            **{f: getattr(with_documents, f) for f in FollowUpView.__dataclass_fields__},
            "missing_evidence": ["skatteattest"],
        }
    )
    card = follow_ups_card([missing], TODAY, "nb-NO")

    assert_valid(card)
    content = json.dumps(card, ensure_ascii=False)
    assert "Dokument: Egenrapportering Q3.pdf" in content
    assert "Mangler fortsatt: skatteattest" in content
    assert "1 åpent avvik" in content, "avvik is neuter: «1 åpent avvik», «2 åpne avvik»"
    assert (UPLOAD_VERB, None) in actions(card), "documents are still missing"


def test_an_overdue_open_follow_up_says_so() -> None:
    card = follow_ups_card([view(due=date(2026, 11, 16))], TODAY, "nb-NO")
    assert "7 dager siden" in json.dumps(card, ensure_ascii=False)


def test_the_reminder_digest_is_valid_and_every_item_can_be_answered() -> None:
    views = [view(1), view(2, actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"])]
    items = [
        DigestItem(
            follow_up=v.follow_up,
            checkpoint=v.checkpoint,
            contract=v.contract,
            role=ItemRole.OWN,
            owner=KARI,
            days_overdue=0,
            new=True,
        )
        for v in views
    ]
    message = ReminderCards().digest(Digest(recipient=KARI, today=TODAY, items=items))

    assert message.card is not None
    assert_valid(message.card)
    answerable = {
        n["data"]["followUpId"]
        for n in _walk(message.card)
        if n.get("type") == "Action.Execute" and n["verb"] in (ANSWER_VERB, UPLOAD_VERB)
    }
    assert answerable == {v.follow_up.id for v in views}
    (items_input,) = [n for n in _walk(message.card) if n.get("id") == CARD_ITEMS_INPUT]
    assert items_input["value"] == ",".join(v.follow_up.id for v in views)
