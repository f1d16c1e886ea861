"""Each checkpoint kind's own answers on a card: decisions (an option's, and what happens when
a contract expires) as a small form with who decided and when, «I samsvar» and «Avvik funnet»
on a price check, «Møtet er holdt» and then the minutes; every code and answer with words in
both catalogues; the answer line of a decision; all as valid Adaptive Cards 1.5."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.conversation.answer_actions import (
    ANSWER_VERB,
    DEVIATION_VERB,
    UPLOAD_VERB,
    decided_by_input_id,
    decided_on_input_id,
    item_actions,
    offers_upload,
)
from bot.conversation.follow_up_cards import answer_line, follow_ups_card
from bot.conversation.texts import CATALOGUES
from followup.answers.actions import (
    ACTION_CODES,
    ANSWER_CODES,
    CLICKABLE,
    DECISION_KINDS,
    EXPIRY_KINDS,
    OPTION_KINDS,
    kind_of,
)
from followup.answers.services import AnswerSummary, FollowUpView
from followup.models import (
    MAX_DECIDED_BY,
    Answer,
    AnswerKind,
    Category,
    Checkpoint,
    Contract,
    ContractType,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.views import ANSWER_KIND_LABELS
from tests.card_schema import assert_valid

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 42, tzinfo=UTC)
KARI = Person(display_name="Kari Nordmann")
OPTION = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
EXPIRY = ["ny_anskaffelse", "forlenges", "avsluttes", "utsett"]
PRICE_CHECK = ["i_samsvar", "avvik", "ikke_relevant", "utsett"]
MEETING = ["holdt", "avvik", "ikke_relevant", "utsett"]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def view(
    actions: list[str],
    *,
    code: str = "opsjon-1",
    evidence: list[str] | None = None,
    answer: Answer | None = None,
    state: FollowUpState = FollowUpState.NOTIFIED,
) -> FollowUpView:
    contract = Contract(
        reference="KOM-2026-0042",
        title="Renhold av kommunale bygg",
        contract_type=ContractType.SINGLE,
        category=Category.SERVICES,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code=code,
        title="Opsjon: forleng eller ikke",
        rrule="FREQ=DAILY;COUNT=1",
        dtstart=date(2026, 12, 1),
        actions=actions,
        evidence=evidence or [],
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=TODAY, state=state
    )
    return FollowUpView(
        follow_up=follow_up,
        contract=contract,
        supplier_name="Fjordrent AS",
        checkpoint=checkpoint,
        latest=AnswerSummary(answer, KARI.display_name, None) if answer else None,
        versions=answer.version if answer else 0,
        documents=[],
        missing_evidence=list(evidence or []),
        deviations=[],
    )


def answered(actions: list[str], kind: AnswerKind, **values: Any) -> FollowUpView:
    bare = view(actions, evidence=values.pop("evidence", None))
    given = Answer(
        follow_up_id=bare.follow_up.id,
        kind=kind,
        answered_by_id=KARI.id,
        answered_at=NOW,
        **values,
    )
    return view(
        actions,
        evidence=bare.checkpoint.evidence,
        answer=given,
        state=FollowUpState.ANSWERED,
    )


# --- the codes and their words -----------------------------------------------------------------


def test_every_code_and_every_answer_has_words_in_both_catalogues() -> None:
    for language in ("nb", "en"):
        catalogue = CATALOGUES[language]
        for code in ANSWER_CODES:
            assert f"answer.action.{code}" in catalogue, (language, code)
        for kind in AnswerKind:
            assert f"answer.kind.{kind.value}" in catalogue, (language, kind)
    assert set(ANSWER_KIND_LABELS) == set(AnswerKind), "the export's words"
    assert CATALOGUES["nb"]["answer.kind.option_exercised"] == "Opsjonen utløses"
    assert CATALOGUES["nb"]["answer.kind.in_order"] == "I samsvar"


def test_the_codes_and_the_answers_they_record() -> None:
    assert kind_of("opsjon_utloses") is AnswerKind.OPTION_EXERCISED
    assert kind_of("opsjon_utloses_ikke") is AnswerKind.OPTION_NOT_EXERCISED
    assert kind_of("ny_anskaffelse") is AnswerKind.NEW_PROCUREMENT
    assert kind_of("forlenges") is AnswerKind.EXTENDED
    assert kind_of("avsluttes") is AnswerKind.ENDING
    assert kind_of("i_samsvar") is AnswerKind.IN_ORDER
    assert kind_of("holdt") is AnswerKind.MEETING_HELD
    assert kind_of("avvik") is None, "the deviation dialog, not one click"
    assert {"dokumentasjon", "avvik", "utsett"} <= ACTION_CODES
    assert DECISION_KINDS == OPTION_KINDS | EXPIRY_KINDS
    assert AnswerKind.DOCUMENTS not in CLICKABLE
    assert AnswerKind.DEVIATION not in CLICKABLE
    assert set(ANSWER_CODES.values()) == CLICKABLE


# --- decisions on the card -----------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
@pytest.mark.parametrize(
    ("codes", "kinds"),
    [
        (OPTION, [AnswerKind.OPTION_EXERCISED, AnswerKind.OPTION_NOT_EXERCISED]),
        (EXPIRY, [AnswerKind.NEW_PROCUREMENT, AnswerKind.EXTENDED, AnswerKind.ENDING]),
    ],
)
def test_a_decision_opens_a_form_with_who_decided_and_when(
    codes: list[str], kinds: list[AnswerKind], locale: str
) -> None:
    shown = view(codes)
    card = follow_ups_card([shown], TODAY, locale)
    assert_valid(card)

    follow_up_id = shown.follow_up.id
    forms = [n for n in _walk(card) if n.get("type") == "Action.ShowCard" and "card" in n]
    decisions = [f for f in forms if any(i.get("type") == "Input.Date" for i in _walk(f))]
    assert len(decisions) == len(kinds)
    for form, kind in zip(decisions, kinds, strict=True):
        inputs = {
            n["id"]: n for n in _walk(form["card"]) if str(n.get("type", "")).startswith("Input.")
        }
        assert set(inputs) == {
            decided_by_input_id(follow_up_id, kind),
            decided_on_input_id(follow_up_id, kind),
        }
        assert inputs[decided_by_input_id(follow_up_id, kind)]["type"] == "Input.Text"
        assert inputs[decided_by_input_id(follow_up_id, kind)]["maxLength"] == MAX_DECIDED_BY
        assert inputs[decided_on_input_id(follow_up_id, kind)]["type"] == "Input.Date"
        (confirm,) = [n for n in _walk(form["card"]) if n.get("type") == "Action.Execute"]
        assert confirm["verb"] == ANSWER_VERB
        assert confirm["data"] == {"followUpId": follow_up_id, "kind": kind.value}
        assert confirm["fallback"]["data"]["kind"] == kind.value
    # No decision is one click, and no two inputs of the card share an id.
    clicks = [
        n["data"].get("kind")
        for n in _walk(card)
        if n.get("type") == "Action.Execute" and n["verb"] == ANSWER_VERB
    ]
    assert sorted(k for k in clicks if k in {k.value for k in DECISION_KINDS}) == sorted(
        k.value for k in kinds
    )
    ids = [n["id"] for n in _walk(card) if str(n.get("type", "")).startswith("Input.")]
    assert len(ids) == len(set(ids))


def test_the_form_speaks_norwegian_and_the_button_says_what_is_recorded() -> None:
    (exercise, *_rest) = item_actions("f1", OPTION, "nb-NO")
    assert exercise["type"] == "Action.ShowCard"
    assert exercise["title"] == "Opsjonen utløses"
    text = json.dumps(exercise, ensure_ascii=False)
    assert "Besluttet av" in text
    assert "Dato for beslutningen" in text
    assert "Registrer: Opsjonen utløses" in text


def test_a_price_check_answers_i_samsvar_or_avvik_funnet() -> None:
    actions = item_actions("f1", PRICE_CHECK, "nb-NO")
    titles = [(a.get("verb"), a["title"]) for a in actions]
    assert titles[:3] == [
        (ANSWER_VERB, "I samsvar"),
        (DEVIATION_VERB, "Avvik funnet"),
        (ANSWER_VERB, "Ikke relevant"),
    ]
    assert actions[0]["data"]["kind"] == AnswerKind.IN_ORDER.value
    # Elsewhere the deviation button keeps its usual words.
    meeting = item_actions("f1", MEETING, "nb-NO")
    assert [a["title"] for a in meeting[:2]] == ["Møtet er holdt", "Meld avvik"]


# --- the answered card -----------------------------------------------------------------------


def test_the_answer_line_of_a_decision_says_who_decided_and_when() -> None:
    decided = answered(
        OPTION,
        AnswerKind.OPTION_EXERCISED,
        decided_by="Per *Olsen*",
        decided_on=date(2026, 11, 3),
    )
    line = answer_line(decided, "nb-NO")
    assert line is not None
    assert line.startswith("Opsjonen utløses – besluttet av Per \\*Olsen\\* 03.11.2026 (svart av")
    assert "Kari Nordmann" in line
    card = follow_ups_card([decided], TODAY, "nb-NO")
    assert_valid(card)
    english = answer_line(decided, "en-US")
    assert english is not None
    assert english.startswith("Option exercised – decided by Per \\*Olsen\\* ")

    plain = answered(PRICE_CHECK, AnswerKind.IN_ORDER)
    assert (answer_line(plain, "nb-NO") or "").startswith("I samsvar – svart av Kari Nordmann, ")


def test_after_a_meeting_held_the_card_asks_for_the_minutes() -> None:
    held = answered(MEETING, AnswerKind.MEETING_HELD, evidence=["referat"])
    card = follow_ups_card([held], TODAY, "nb-NO")
    assert_valid(card)
    content = json.dumps(card, ensure_ascii=False)
    assert "Møtet er holdt – svart av Kari Nordmann" in content
    assert "Mangler fortsatt: referat" in content
    uploads = [
        n for n in _walk(card) if n.get("type") == "Action.Execute" and n["verb"] == UPLOAD_VERB
    ]
    assert [u["data"]["followUpId"] for u in uploads] == [held.follow_up.id]
    # «Ikke relevant» asks for nothing more.
    skipped = answered(MEETING, AnswerKind.NOT_APPLICABLE, evidence=["referat"])
    card = follow_ups_card([skipped], TODAY, "nb-NO")
    assert not [
        n for n in _walk(card) if n.get("type") == "Action.Execute" and n["verb"] == UPLOAD_VERB
    ]


def test_who_offers_an_upload_after_the_answer() -> None:
    assert offers_upload(["dokumentasjon", "avvik"], AnswerKind.DOCUMENTS)
    assert offers_upload(["dokumentasjon"], None)
    assert offers_upload(MEETING, AnswerKind.MEETING_HELD)
    assert not offers_upload(MEETING, AnswerKind.NOT_APPLICABLE)
    assert not offers_upload(OPTION, AnswerKind.OPTION_EXERCISED)


def test_a_decision_is_never_dated_after_the_day_it_was_answered() -> None:
    with pytest.raises(ValueError, match="decided_on"):
        Answer(
            follow_up_id="f",
            kind=AnswerKind.EXTENDED,
            answered_by_id="p",
            answered_at=datetime(2026, 11, 23, 22, 30, tzinfo=UTC),  # 23:30 in Oslo
            decided_by="Kari Nordmann",
            decided_on=date(2026, 11, 24),
        )
    late_evening = Answer(
        follow_up_id="f",
        kind=AnswerKind.EXTENDED,
        answered_by_id="p",
        answered_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC),  # already the 24th in Oslo
        decided_by="Kari Nordmann",
        decided_on=date(2026, 11, 24),
    )
    assert late_evening.decided_on == date(2026, 11, 24)
    with pytest.raises(ValueError, match="decided_by"):
        Answer(
            follow_up_id="f",
            kind=AnswerKind.EXTENDED,
            answered_by_id="p",
            answered_at=NOW,
            decided_by="x" * (MAX_DECIDED_BY + 1),
        )
