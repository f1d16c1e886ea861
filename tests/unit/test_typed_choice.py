"""Which follow-up a typed command is about (`followup.answers.targets.choose`): never the
earliest by default. One fitting is chosen; several are asked about unless the words after the
contract number name the checkpoint; none fitting says so; overdue ones count whatever their
age; `utsett` and `endre svar` choose the same way. And the choice cards built from it are valid
Adaptive Cards 1.5. The clock is Monday 23 November 2026."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.answers.choices import (
    CHOICE_COMMENT,
    CHOICE_VERB,
    Typed,
    answer_choice_card,
    change_choice_card,
    none_fits_reply,
)
from bot.conversation.choice_cards import MAX_CHOICES
from followup.answers.actions import DEFAULT_ACTIONS, SNOOZE, UPLOAD
from followup.answers.targets import (
    AHEAD_DAYS,
    Candidate,
    ChoiceKind,
    action_of,
    choose,
    fits,
    name_checkpoint,
)
from followup.models import (
    AnswerKind,
    Category,
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractType,
    FollowUp,
    FollowUpState,
)
from tests.card_schema import assert_valid

TODAY = date(2026, 11, 23)
DELIVERY = ["levert", "delvis_levert", "ikke_levert", "avvik", "ikke_relevant", "utsett"]
DOCUMENTS = ["dokumentasjon", "avvik", "ikke_relevant", "utsett"]
LEVERT = action_of(AnswerKind.DELIVERED)


def checkpoint(code: str, title: str, actions: list[str]) -> Checkpoint:
    return Checkpoint(
        contract_id="c1",
        code=code,
        title=title,
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        actions=actions,
    )


LEVERING = checkpoint("levering", "Bekreft levering", DELIVERY)
SKATTEATTEST = checkpoint("skatteattest", "Skatteattest", DOCUMENTS)
HMS = checkpoint("hms-kort", "HMS-kort og mannskapsliste", DOCUMENTS)
LONN = checkpoint("lonnsdokumentasjon", "Lønnsslipper, timelister og arbeidsavtaler", DOCUMENTS)


def due(point: Checkpoint, day: date, state: FollowUpState = FollowUpState.NOTIFIED) -> Candidate:
    return Candidate(
        FollowUp(checkpoint_id=point.id, contract_id="c1", due_date=day, state=state), point
    )


def test_one_open_delivery_that_fits_is_chosen_with_the_whole_text_as_comment() -> None:
    delivery = due(LEVERING, date(2026, 11, 25))
    choice = choose(
        [delivery, due(SKATTEATTEST, date(2026, 11, 20))], "3 paller mangler", TODAY, action=LEVERT
    )
    assert choice.kind is ChoiceKind.ONE
    assert choice.chosen == delivery
    assert choice.rest == "3 paller mangler"
    assert choice.others_open == 1
    assert not choice.correction


def test_two_open_deliveries_are_asked_about_never_the_earliest_taken() -> None:
    overdue = due(LEVERING, date(2026, 10, 26), FollowUpState.REMINDED)
    upcoming = due(LEVERING, date(2026, 11, 25))
    choice = choose([upcoming, overdue], "", TODAY, action=LEVERT)
    assert choice.kind is ChoiceKind.ASK
    assert choice.chosen is None
    assert choice.candidates == (overdue, upcoming), "earliest due first"


def test_the_named_checkpoint_is_chosen_and_the_rest_is_the_comment() -> None:
    attest = due(SKATTEATTEST, date(2026, 11, 20))
    hms = due(HMS, date(2026, 11, 30))
    found = [attest, hms, due(LEVERING, date(2026, 11, 25))]

    named = choose(found, "Skatteattest alt i orden", TODAY, action=UPLOAD)
    assert named.kind is ChoiceKind.ONE
    assert named.chosen == attest
    assert named.named
    assert named.rest == "alt i orden"

    for text in ("hms-kort", "HMS-kortet", "«hms kort» ok", "hms-kort og mannskapsliste ok"):
        choice = choose(found, text, TODAY, action=UPLOAD)
        assert choice.chosen == hms, text
    assert choose(found, "hms-kort og mannskapsliste ok", TODAY, action=UPLOAD).rest == "ok"

    asked = choose(found, "alt i orden", TODAY, action=UPLOAD)
    assert asked.kind is ChoiceKind.ASK
    assert asked.rest == "alt i orden"


def test_names_are_read_in_ascii_spelling_and_in_the_definite_form() -> None:
    names = [LEVERING, SKATTEATTEST, LONN]
    assert name_checkpoint("lonnsslipper kommer", names) == (frozenset({LONN.id}), "kommer")
    assert name_checkpoint("Lønnsslippene", names) == (frozenset({LONN.id}), "")
    assert name_checkpoint("skatteattesten er sendt", names) == (
        frozenset({SKATTEATTEST.id}),
        "er sendt",
    )
    assert name_checkpoint("leveringen kom", names) == (frozenset({LEVERING.id}), "kom")
    # A word of no checkpoint is the comment, and so is a stop word or a generic one.
    assert name_checkpoint("alt kom i dag", names) == (None, "alt kom i dag")
    assert name_checkpoint("og levering", names) == (None, "og levering")
    assert name_checkpoint("kontrakten er fulgt", names) == (None, "kontrakten er fulgt")


def test_naming_a_checkpoint_whose_two_follow_ups_are_open_still_asks() -> None:
    found = [due(LEVERING, date(2026, 10, 26)), due(LEVERING, date(2026, 11, 25))]
    choice = choose(found, "levering kom i dag", TODAY, action=LEVERT)
    assert choice.kind is ChoiceKind.ASK
    assert choice.named
    assert choice.rest == "kom i dag"


def test_none_fitting_names_the_open_ones_and_chooses_nothing() -> None:
    attest = due(SKATTEATTEST, date(2026, 11, 20))
    hms = due(HMS, date(2026, 11, 30))
    answered_delivery = due(LEVERING, date(2026, 10, 26), FollowUpState.ANSWERED)
    choice = choose([hms, attest, answered_delivery], "", TODAY, action=LEVERT)
    assert choice.kind is ChoiceKind.NONE_FITS
    assert choice.candidates == (attest, hms)
    assert choice.chosen is None


def test_an_overdue_follow_up_counts_whatever_its_age() -> None:
    ancient = due(LEVERING, TODAY - timedelta(days=900), FollowUpState.ESCALATED)
    choice = choose([ancient], "", TODAY, action=LEVERT)
    assert choice.chosen == ancient
    assert ancient.overdue(TODAY)


def test_follow_ups_due_too_far_ahead_or_closed_are_no_candidates() -> None:
    later = due(LEVERING, TODAY + timedelta(days=AHEAD_DAYS + 1))
    skipped = due(LEVERING, date(2026, 11, 2), FollowUpState.SKIPPED)
    removed_point = LEVERING.model_copy(update={"status": CheckpointStatus.REMOVED})
    removed = due(removed_point, date(2026, 11, 25))
    choice = choose([later, skipped, removed], "", TODAY, action=LEVERT)
    assert choice.kind is ChoiceKind.NOTHING
    within = due(LEVERING, TODAY + timedelta(days=AHEAD_DAYS))
    assert choose([within, later], "", TODAY, action=LEVERT).chosen == within


def test_with_nothing_open_an_answer_corrects_the_answered_one_whatever_its_due_date() -> None:
    old = due(LEVERING, TODAY - timedelta(days=200), FollowUpState.DEVIATION_REPORTED)
    choice = choose([old], "kom likevel", TODAY, action=LEVERT)
    assert choice.kind is ChoiceKind.ONE
    assert choice.chosen == old
    assert choice.correction
    older = due(LEVERING, TODAY - timedelta(days=230), FollowUpState.ANSWERED)
    asked = choose([older, old], "", TODAY, action=LEVERT)
    assert asked.kind is ChoiceKind.ASK
    assert asked.correction
    assert asked.candidates == (old, older), "latest due first"


def test_utsett_fits_every_open_one_and_never_an_answered_one() -> None:
    attest = due(SKATTEATTEST, date(2026, 11, 20))
    delivery = due(LEVERING, date(2026, 11, 25))
    answered = due(LEVERING, date(2026, 10, 26), FollowUpState.ANSWERED)
    asked = choose([attest, delivery, answered], "fredag", TODAY, action=SNOOZE)
    assert asked.kind is ChoiceKind.ASK
    assert asked.candidates == (attest, delivery)
    assert asked.rest == "fredag"
    named = choose([attest, delivery, answered], "levering 4.12", TODAY, action=SNOOZE)
    assert (named.chosen, named.rest) == (delivery, "4.12")
    assert choose([answered], "fredag", TODAY, action=SNOOZE).kind is ChoiceKind.NOTHING


def test_endre_svar_chooses_among_the_answered_ones() -> None:
    delivery = due(LEVERING, date(2026, 11, 25))
    answered = due(LEVERING, date(2025, 3, 25), FollowUpState.ANSWERED)
    attest = due(SKATTEATTEST, date(2026, 5, 20), FollowUpState.ANSWERED)
    assert choose([delivery], "", TODAY, action=None).kind is ChoiceKind.NOTHING
    both = choose([delivery, answered, attest], "", TODAY, action=None)
    assert both.kind is ChoiceKind.ASK
    assert both.candidates == (attest, answered)
    named = choose([delivery, answered, attest], "levering", TODAY, action=None)
    assert named.chosen == answered


def test_what_fits_follows_the_checkpoints_actions() -> None:
    assert fits(LEVERING, "levert")
    assert not fits(SKATTEATTEST, "levert")
    assert fits(SKATTEATTEST, UPLOAD)
    assert fits(SKATTEATTEST, SNOOZE)
    unknown = checkpoint("opsjon", "Opsjon", ["opsjon_utloses", "ikke_relevant", "utsett"])
    assert not fits(unknown, "levert")
    # No actions listed: what its card offers.
    bare = checkpoint("levering", "Levering", [])
    assert all(fits(bare, code) for code in DEFAULT_ACTIONS)
    assert not fits(bare, UPLOAD)


# --- the cards and replies ---------------------------------------------------------------------

CONTRACT = Contract(
    reference="KOM-2026-0301",
    title="Brøyting",
    contract_type=ContractType.FRAMEWORK,
    category=Category.SERVICES,
)


@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_the_answer_choice_card_offers_each_with_one_button_and_the_comment(locale: str) -> None:
    overdue = due(LEVERING, date(2026, 10, 26), FollowUpState.REMINDED)
    upcoming = due(LEVERING, date(2026, 11, 25))
    choice = choose([overdue, upcoming], "3 paller mangler", TODAY, action=LEVERT)
    card = answer_choice_card(Typed(CONTRACT, choice), AnswerKind.DELIVERED, TODAY, locale)
    assert_valid(card)
    buttons = [a for a in _walk(card) if a.get("type") == "Action.Execute"]
    assert all(b["fallback"]["type"] == "Action.Submit" for b in buttons)
    assert [(b["verb"], b["data"]) for b in buttons] == [
        (CHOICE_VERB, {"followUpId": overdue.follow_up.id, "kind": "delivered"}),
        (CHOICE_VERB, {"followUpId": upcoming.follow_up.id, "kind": "delivered"}),
    ]
    (comment,) = [i for i in _walk(card) if i.get("id") == CHOICE_COMMENT]
    assert comment["value"] == "3 paller mangler"
    shown = card["fallbackText"]
    assert "KOM-2026-0301" in shown
    assert shown.count("Bekreft levering") == 2
    assert ("Forfalt" if locale == "nb-NO" else "Overdue") in shown


def test_a_long_list_is_cut_and_says_how_to_name_the_checkpoint() -> None:
    found = [due(LEVERING, date(2026, 11, d)) for d in range(1, 11)]
    found.append(due(HMS, date(2026, 11, 12)))
    choice = choose(found, "", TODAY, action=UPLOAD)
    assert choice.kind is ChoiceKind.ONE, "only HMS-kort takes documents"
    answered = [due(LEVERING, date(2026, 10, d), FollowUpState.ANSWERED) for d in range(1, 11)] + [
        due(HMS, date(2026, 10, 12), FollowUpState.ANSWERED)
    ]
    change = choose(answered, "", TODAY, action=None)
    card = change_choice_card(Typed(CONTRACT, change), TODAY, "nb-NO")
    assert_valid(card)
    changes = [a for a in _walk(card) if a.get("type") == "Action.Execute"]
    assert {a["verb"] for a in changes} == {"changeAnswer"}
    assert len(changes) == MAX_CHOICES
    assert "… og 3 til." in card["fallbackText"]
    assert "«endre svar KOM-2026-0301 hms-kort»" in card["fallbackText"]


def test_none_fitting_says_which_answers_the_open_ones_take() -> None:
    attest = due(SKATTEATTEST, date(2026, 11, 20))
    option = due(checkpoint("opsjon", "Opsjon", ["opsjon_utloses", "utsett"]), date(2026, 12, 1))
    choice = choose([attest, option], "", TODAY, action=LEVERT)
    said = none_fits_reply(Typed(CONTRACT, choice), AnswerKind.DELIVERED, TODAY, "nb-NO")
    assert "tar svaret «Levert»" in said
    assert "ingenting er lagret" in said
    assert "- Skatteattest (Forfalt" in said
    assert (
        "«dokument KOM-2026-0301», «meld avvik KOM-2026-0301», «ikke relevant "
        "KOM-2026-0301» eller «utsett KOM-2026-0301 fredag»" in said
    )
    assert "«utsett KOM-2026-0301 fredag» eller svar på kortet" in said
    english = none_fits_reply(Typed(CONTRACT, choice), AnswerKind.DELIVERED, TODAY, "en")
    assert "“document KOM-2026-0301”" in english


def _walk(node: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found
