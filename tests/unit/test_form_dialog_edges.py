"""The edges of the checks' form dialogs (bot/conversation/form_dialog.py,
bot/checks/dialogs.py) that need no database: what counts as another command, a reason that is
no reason, a low evaluation score without a comment, English day words, and which question a
button answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.schema import Activity, ActivityTypes

from bot.checks.dialogs import evaluation_dialog, onsite_dialog, risk_dialog
from bot.commands import STARTS_ANOTHER_DIALOG, build_router
from bot.conversation.cards import ANSWER_KEY, choices_card
from bot.conversation.dependencies import BotDependencies
from bot.conversation.dialog_question import NotAnswered
from bot.conversation.form_dialog import QUESTION_KEY, FormSpec, FormStep, start_options
from bot.conversation.form_dialog import _pressed as pressed
from bot.conversation.form_dialog import _tag as tag
from bot.conversation.form_dialog import _tagged as tagged
from followup.ports import UnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NB = "nb-NO"
HIGH_SCORES = {
    f"{kind}_{area}": "3"
    for kind in ("konsekvens", "sannsynlighet")
    for area in ("leveranse", "pris", "arbeidsvilkar", "hms", "leverandorkjede", "omdomme")
}


def _step(spec: FormSpec, name: str) -> FormStep:
    return next(s for s in spec.steps if s.name == name)


@pytest.mark.parametrize(
    "said",
    [
        "risiko REN-2026-0042 steg",
        "Kontroll KOM-1 steg for steg",
        "evaluer KOM-7 i chatten",
        "stedlig kontroll KOM-1 step by step",
        "meld avvik",
        "Meld avvik REN-2026-0042",
        # Found by a hostile review: the English aliases and `avvik <avtalenr>` slipped through.
        "report deviation",
        "report deviation KOM-2026-0203",
        "new deviation",
        "avvik KOM-2026-0203",
        "risk assessment KOM-2026-0203 step by step",
        "on-site check KOM-2026-0203 steg",
        "evaluer RAMME-IKT i chatten",
        # Every alias of the commands, as registered (`bot.commands` composes the check).
        "mine avvik KOM-2026-0203",
        "deviation KOM-2026-0203",
        "leverandørevaluering KOM-7 steg",
        "evaluation KOM-7 step by step",
    ],
)
def test_a_command_that_begins_another_form(said: str) -> None:
    assert STARTS_ANOTHER_DIALOG(said)


def test_the_check_knows_every_word_the_router_registers_for_those_commands() -> None:
    deps = BotDependencies(
        uow_factory=_no_database,
        clock=lambda: NOW,
        procurement_addresses=frozenset(),
    )
    registered = {
        command.word: (command.word, *command.aliases) for command in build_router(deps).commands
    }
    starters = STARTS_ANOTHER_DIALOG
    assert tuple(starters.alone_or_with_reference) == registered["meld avvik"]
    assert tuple(starters.with_reference) == registered["avvik"]
    assert tuple(starters.step_by_step) == (
        registered["risiko"] + registered["kontroll"] + registered["evaluer"]
    )
    for words in (*starters.alone_or_with_reference, *starters.with_reference):
        assert STARTS_ANOTHER_DIALOG(f"{words} KOM-2026-0203"), words
    for words in starters.step_by_step:
        assert STARTS_ANOTHER_DIALOG(f"{words} KOM-2026-0203 steg"), words


def _no_database() -> UnitOfWork:
    raise AssertionError("the check must not open a unit of work")


@pytest.mark.parametrize(
    "said",
    [
        "risiko REN-2026-0042",  # the card, not a dialog: an answer like any other
        "Meld avvik ble vurdert, men leverandøren rettet opp",
        "avvik på leveransen i mai",
        "kontrollen gikk fint",
        "3 2",
        # Found by a hostile review: sentences shaped like a command without a contract number.
        "Kontroll utført trinnvis.",
        "Evaluering gjort steg for steg",
        "Risiko vurdert i chatten",
        "Meld avvik straks",
        "Meld avvik igjen",
        "Risk increased step by step",
        "Site check failed step by step",
        "avvik oppdaget",
    ],
)
def test_words_that_only_mention_a_command_are_an_answer(said: str) -> None:
    assert not STARTS_ANOTHER_DIALOG(said)


def test_the_reason_takes_the_suggestion_back_and_refuses_no_reason() -> None:
    read = _step(risk_dialog(), "begrunnelse").read
    overruled = {**HIGH_SCORES, "niva": "middels"}
    assert read("forslaget", overruled, NB) == {"niva": "forslag", "begrunnelse": ""}
    assert read("Bruk forslaget.", overruled, NB) == {"niva": "forslag", "begrunnelse": ""}
    for answer in ("ingen", "nei", "hopp over", "none"):
        with pytest.raises(NotAnswered, match="må besvares"):
            read(answer, overruled, NB)
    assert read(" Kjent leverandør ", overruled, NB) == {"begrunnelse": "Kjent leverandør"}


def test_the_reason_question_offers_the_suggestion() -> None:
    question = _step(risk_dialog(), "begrunnelse").question
    asked = question({**HIGH_SCORES, "niva": "lav"}, NB)
    assert "Hvorfor **lav** og ikke høy?" in asked
    assert "Eller svar «forslaget» for å bruke høy." in asked


@pytest.mark.parametrize("answer", ["1", "2", "2 ", "2 .", "1 –"])
def test_a_low_evaluation_score_needs_a_comment_at_once(answer: str) -> None:
    read = _step(evaluation_dialog(), "samarbeid").read
    with pytest.raises(NotAnswered, match="må begrunnes"):
        read(answer, {}, NB)


def test_a_low_score_with_a_comment_and_a_fair_score_without_one() -> None:
    read = _step(evaluation_dialog(), "samarbeid").read
    assert read("2 svarte sent", {}, NB) == {
        "karakter_samarbeid": "2",
        "kommentar_samarbeid": "svarte sent",
    }
    assert read("3", {}, NB) == {"karakter_samarbeid": "3", "kommentar_samarbeid": ""}


def test_the_english_day_words_the_question_suggests() -> None:
    read = _step(onsite_dialog(lambda: NOW), "dato").read
    assert read("yesterday", {}, "en-US") == {"dato": "2026-11-22"}
    assert read("Today", {}, "en-US") == {"dato": "2026-11-23"}


@pytest.mark.parametrize("answer", ["nei takk", "No thanks", "ingen"])
def test_no_thanks_is_no_deviation(answer: str) -> None:
    read = _step(onsite_dialog(lambda: NOW), "avvik").read
    assert read(answer, {}, NB) == {"avvik": "nei"}


def test_a_questions_buttons_say_which_run_and_step_they_answer() -> None:
    state = start_options({}, "Risikovurdering", {}, "")
    other = start_options({}, "Risikovurdering", {}, "")
    assert tag(state, "hms") != tag(other, "hms"), "each run has its own token"
    card = tagged(choices_card([("Ja", "ja"), ("Nei", "nei")], "Lagre?"), tag(state, "lagre"))
    datas = [a["data"] for row in card["body"] for a in row["actions"]]
    assert datas == [
        {ANSWER_KEY: "ja", QUESTION_KEY: tag(state, "lagre")},
        {ANSWER_KEY: "nei", QUESTION_KEY: tag(state, "lagre")},
    ]


def test_a_pressed_button_and_a_typed_answer_are_told_apart() -> None:
    def message(text: str | None, value: object) -> Activity:
        return Activity(type=ActivityTypes.message, text=text, value=value)

    assert pressed(message(None, {ANSWER_KEY: "ja", QUESTION_KEY: "abc:lagre"})) == "abc:lagre"
    assert pressed(message(None, {ANSWER_KEY: "ja"})) == "", "another dialog's button"
    assert pressed(message("ja", None)) is None
    assert pressed(message(None, {"handling": "risikovurdering"})) is None
