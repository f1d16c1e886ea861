"""`hjelp` by role: what each asker is shown, in Bokmål and English, as a valid Adaptive Card;
placeholders that survive Teams and Web Chat (never `<avtalenr>`, which both read as an HTML tag
and drop); «vis alle kommandoer» typed, as the card's button (`Action.Execute`) and as the
`Action.Submit` a client without Universal Actions sends; one look-up of the asker per help."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.commands import build_router
from bot.conversation.cards import MAX_BYTES
from bot.conversation.dependencies import BotDependencies
from bot.conversation.help_cards import (
    ALL_COMMANDS_WORD,
    HELP_ALL_VERB,
    TOPICS,
    all_commands_card,
    example_dates,
    help_card,
)
from bot.conversation.router import CardUpdate, CommandRouter, TurnRequest
from bot.conversation.texts import CATALOGUES, templates
from followup.help_profile import ContractExample, HelpProfile
from followup.models import ConversationKind
from followup.ports import UnitOfWork
from tests.card_schema import assert_valid

TODAY = date(2026, 11, 23)
"""A Monday: next week's Monday and Friday are 30 November and 4 December."""
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFERENCE = "KOM-2025-0147"
OWNER = HelpProfile(
    registered=True,
    examples=(ContractExample(REFERENCE, "Oppvekst"), ContractExample("KOM-2026-0012")),
)
PROCUREMENT = HelpProfile(
    registered=True,
    procurement=True,
    examples=(ContractExample("KOM-1"), ContractExample("KOM-2", "Helse og velferd")),
)
ADMIN = HelpProfile(registered=True, procurement=True, admin=True, examples=PROCUREMENT.examples)
NEWCOMER = HelpProfile(registered=True)
UNKNOWN = HelpProfile()
LOCALES = ("nb-NO", "en-GB")
TAG = re.compile(r"<[^<>]*>")
"""What Teams and Web Chat take for an HTML tag and drop."""
QUOTED = re.compile(r"«([^«»]*)»|“([^“”]*)”|\"([^\"\n]*)\"")
GAP = re.compile(r"\b(?:fra|from)\s+(?:til|to)\b|\s\s")
"""What is left where a placeholder was dropped: «fravær fra til», «plan  KOM-1»."""


def _no_database() -> UnitOfWork:
    raise AssertionError("help of these tests reads no database")


def _router() -> CommandRouter:
    deps = BotDependencies(
        uow_factory=_no_database, clock=lambda: NOW, procurement_addresses=frozenset()
    )
    return build_router(deps)


WORDS = {c.word for c in _router().commands}
PERSONAL = {c.word for c in _router().commands if "personal" in c.scopes}
TEAM = {c.word for c in _router().commands if "team" in c.scopes}


def _texts(card: dict[str, Any]) -> list[str]:
    return [
        str(n["text"]) for n in _walk(card["body"]) if n.get("type") == "TextBlock" and "text" in n
    ]


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def _rendered(card: dict[str, Any]) -> str:
    """The card's words as Teams and Web Chat show them: tags dropped, italics unmarked."""
    return "\n".join(TAG.sub("", t).replace("*", "") for t in _texts(card))


def _checked(card: dict[str, Any]) -> str:
    """A valid card whose placeholders survive rendering; its rendered words."""
    assert_valid(card)
    for shown in _texts(card):
        assert not TAG.search(shown), shown
    rendered = _rendered(card)
    for match in QUOTED.finditer(rendered):
        typed = next(part for part in match.groups() if part is not None)
        # «plan » is what is left of «plan <avtalenr>».
        assert typed.strip(), match[0]
        assert typed == typed.strip(), match[0]
        assert not GAP.search(typed), match[0]
    return rendered


@pytest.mark.parametrize("locale", LOCALES)
def test_an_owner_sees_their_own_loop_with_their_own_contract(locale: str) -> None:
    card = help_card(OWNER, PERSONAL, locale, TODAY)
    shown = _checked(card)
    english = locale.startswith("en")
    for typed in (
        "mine oppgaver" if not english else "my tasks",
        "kontrakter" if not english else "contracts",
        f"status {REFERENCE}",
        f"plan {REFERENCE}",
        f"levert {REFERENCE}" if not english else f"delivered {REFERENCE}",
        f"dokument {REFERENCE}" if not english else f"document {REFERENCE}",
        f"utsett {REFERENCE} fredag" if not english else f"snooze {REFERENCE} friday",
        "fravær fra 30.11 til 4.12" if not english else "away from 30.11 to 4.12",
    ):
        assert typed in shown, typed
    assert "stedfortreder e-postadresse" in shown or "deputy e-mail address" in shown
    for procurement in ("eksport", "export", "kontrollpunkt ", "checkpoint ", "rolle", "role "):
        assert f"«{procurement}" not in shown
        assert f'"{procurement}' not in shown
    (button,) = [n for n in _walk(card) if n.get("type") == "Action.Execute"]
    assert button["verb"] == HELP_ALL_VERB
    assert button["fallback"]["data"] == {"verb": HELP_ALL_VERB}


@pytest.mark.parametrize("locale", LOCALES)
def test_procurement_sees_its_questions_with_contracts_and_a_unit_of_the_portfolio(
    locale: str,
) -> None:
    shown = _checked(help_card(PROCUREMENT, PERSONAL, locale, TODAY))
    english = locale.startswith("en")
    for typed in (
        "status KOM-1",
        "status Helse og velferd",
        "forfalt Helse og velferd" if not english else "overdue Helse og velferd",
        "avvik kritisk" if not english else "deviations critical",
        "eksport forfalt" if not english else "export overdue",
        "historikk KOM-1" if not english else "history KOM-1",
        "kontrollpunkt KOM-1 legg til skatteattest"
        if not english
        else "checkpoint KOM-1 add skatteattest",
        "innkjøpskanal på" if not english else "procurement channel on",
    ):
        assert typed in shown, typed
    assert "rolle gi" not in shown
    assert "role grant" not in shown
    assert "rolle gi" in _checked(help_card(ADMIN, PERSONAL, "nb-NO", TODAY))


def test_without_a_unit_the_unit_is_a_placeholder() -> None:
    no_unit = HelpProfile(registered=True, procurement=True, examples=(ContractExample("KOM-1"),))
    card = help_card(no_unit, PERSONAL, "nb-NO", TODAY)
    _checked(card)
    assert any("«status *enhet*»" in t for t in _texts(card))


@pytest.mark.parametrize("locale", LOCALES)
def test_someone_not_registered_is_told_how_to_get_registered(locale: str) -> None:
    card = help_card(UNKNOWN, PERSONAL, locale, TODAY)
    shown = _checked(card)
    assert ("be innkjøpsteamet føre deg opp" in shown) or ("ask the procurement team" in shown)
    assert REFERENCE not in shown
    assert "oftest" not in shown, "no commands to use yet"
    assert "most" not in shown, "no commands to use yet"


def test_someone_registered_without_contracts_is_told_why_nothing_comes() -> None:
    shown = _checked(help_card(NEWCOMER, PERSONAL, "nb-NO", TODAY))
    assert "står ikke som kontraktseier" in shown
    assert "«mine oppgaver»" in shown


@pytest.mark.parametrize("profile", [OWNER, PROCUREMENT, ADMIN])
def test_a_channel_gets_its_commands_and_nobodys_contract(profile: HelpProfile) -> None:
    card = help_card(profile, TEAM, "nb-NO", TODAY, channel=True)
    shown = _checked(card)
    for reference in ("KOM-", "Oppvekst", "Helse og velferd"):
        assert reference not in shown
    assert "@Kontraktsvakt status" in shown
    assert "«plan avtalenr»" in shown
    assert "mine oppgaver" not in shown, "a personal command"
    assert any("«plan *avtalenr*»" in t for t in _texts(card)), "the placeholder in italics"


def test_a_line_is_shown_only_when_its_commands_are_answered_here() -> None:
    shown = _checked(help_card(OWNER, {"mine oppgaver", "kontrakter"}, "nb-NO", TODAY))
    assert "«mine oppgaver»" in shown
    assert REFERENCE not in shown


def test_examples_are_next_week_as_typed() -> None:
    assert example_dates(TODAY) == ("30.11", "4.12")
    assert example_dates(date(2026, 11, 29)) == ("30.11", "4.12")
    assert example_dates(date(2026, 12, 28)) == ("4.1", "8.1")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("scope", ["personal", "team"])
def test_the_full_list_has_every_command_under_a_topic(locale: str, scope: str) -> None:
    words = sorted((PERSONAL if scope == "personal" else TEAM) - {ALL_COMMANDS_WORD})
    card = all_commands_card(words, locale, channel=scope == "team")
    shown = _checked(card)
    lines = [line for block in _texts(card) for line in block.split("\n\n")]
    assert len(lines) >= len(words)
    headings = [t for t in _texts(card) if t.startswith("**")]
    placed = {w for _, topic in TOPICS for w in topic}
    assert not set(words) - placed, "every command has a topic (else it lands under «Annet»)"
    assert len(headings) == len({key for key, topic in TOPICS if set(topic) & set(words)})
    if locale == "nb-NO":
        assert "plan avtalenr" in shown
    # The card and its text twice (`fallbackText` and the activity's `summary`) fit a message.
    size = len(json.dumps(card, ensure_ascii=False).encode())
    assert size + 2 * len(card["fallbackText"].encode()) < MAX_BYTES


def test_every_command_has_its_help_line_in_both_languages() -> None:
    for word in WORDS:
        for catalogue in CATALOGUES.values():
            assert f"help.cmd.{word}" in catalogue, word


def test_no_text_anywhere_has_an_angle_bracket_placeholder() -> None:
    """Teams and Web Chat read `<avtalenr>` as an HTML tag and show nothing."""
    found = [
        (language, key)
        for language, catalogue in CATALOGUES.items()
        for key, entry in catalogue.items()
        for template in templates(entry)
        if re.search(r"<[a-zæøåA-Z][\wæøå .|-]*>", template)
    ]
    assert found == []


# --- the router --------------------------------------------------------------------------------


class Reader:
    """Who asks (a fixed profile), and how often the router asked, with or without examples."""

    def __init__(self, profile: HelpProfile) -> None:
        self.profile = profile
        self.asked: list[bool] = []

    async def __call__(self, _request: TurnRequest, with_examples: bool) -> HelpProfile:
        self.asked.append(with_examples)
        return self.profile


def _request(kind: ConversationKind = ConversationKind.PERSONAL) -> TurnRequest:
    return TurnRequest(
        teams_user_id="29:kari",
        aad_object_id=None,
        conversation_id="a:kari" if kind is ConversationKind.PERSONAL else "19:channel",
        kind=kind,
        locale="nb-NO",
        activity_id="1",
        now=NOW,
    )


def _card_of(reply: object) -> dict[str, Any]:
    assert isinstance(reply, Activity), reply
    (attachment,) = reply.attachments
    card: dict[str, Any] = attachment.content
    assert reply.summary == card["fallbackText"]
    return card


async def test_hjelp_asks_who_asks_once_with_examples_in_a_personal_chat() -> None:
    reader = Reader(OWNER)
    router = _router_with(reader)
    card = _card_of(await router.handle_text("hjelp", _request()))
    assert reader.asked == [True]
    assert f"«status {REFERENCE}»" in card["fallbackText"]
    channel = _card_of(await router.handle_text("hjelp", _request(ConversationKind.CHANNEL)))
    assert reader.asked == [True, False], "no examples (and no query for them) in a channel"
    assert REFERENCE not in channel["fallbackText"]


@pytest.mark.parametrize("typed", ["vis alle kommandoer", "alle kommandoer", "show all commands"])
async def test_all_commands_typed(typed: str) -> None:
    reader = Reader(OWNER)
    router = _router_with(reader)
    card = _card_of(await router.handle_text(typed, _request()))
    assert "Alle kommandoer" in card["fallbackText"]
    assert "«kalenderlenke»" in card["fallbackText"]
    assert "«kontrollpunkt" not in card["fallbackText"], "procurement's, not Kari's"
    assert reader.asked == [False]


async def test_all_commands_by_the_button_replace_the_help_card() -> None:
    reader = Reader(ADMIN)
    router = _router_with(reader)
    response = await router.handle_card_action(
        {"action": {"type": "Action.Execute", "verb": HELP_ALL_VERB, "data": {}}}, _request()
    )
    assert response.status == 200
    card = response.body["value"]
    assert_valid(card)
    assert "«rolle gi e-post innkjøp | admin»" in card["fallbackText"]
    # A client without Universal Actions sends the fallback's Action.Submit.
    update = await router.handle_form({"verb": HELP_ALL_VERB}, _request())
    assert isinstance(update, CardUpdate)
    assert update.card["fallbackText"] == card["fallbackText"]


def _router_with(reader: Reader) -> CommandRouter:
    """The bot's router (every command), with `reader` for who asks."""
    router = CommandRouter(help_profile=reader)
    for command in _router().commands:
        if command.word not in {c.word for c in router.commands}:
            router.register(command)
    return router
