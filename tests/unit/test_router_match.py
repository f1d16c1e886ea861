"""Which command a typed message runs: the longest command word or alias that is the whole
message or followed by a space, in any case; the rest is the command's argument. The router
looks words up instead of trying each; this pins that it picks what trying each would."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from followup.models import ConversationKind


def request() -> TurnRequest:
    return TurnRequest(
        teams_user_id="29:x",
        aad_object_id=None,
        conversation_id="a:1",
        kind=ConversationKind.PERSONAL,
        locale="nb-NO",
        activity_id="1",
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )


def command(word: str, *aliases: str) -> Command:
    async def handler(rest: str, _request: TurnRequest) -> Reply:
        return f"{word}|{rest}"

    return Command(
        word=word, aliases=aliases, description=word, scopes=("personal",), handler=handler
    )


WORDS = (
    command("status"),
    command("status leverandør", "status supplier"),
    command("mine", "mine oppgaver"),
    command("mine oppgaver i dag"),
    command("levert", "delivered"),
    command("lev"),
    command("first"),
    command("first", "second"),  # a word registered twice: the first registration keeps it
)


def router() -> CommandRouter:
    made = CommandRouter()
    for each in WORDS:
        made.register(each)
    return made


def tried_each(commands: tuple[Command, ...], message: str) -> tuple[str, str] | None:
    """The rule as its definition says it, trying every word of every command."""
    lowered = message.lower()
    best: tuple[str, str] | None = None
    length = 0
    for each in commands:
        for word in (each.word, *each.aliases):
            if (lowered == word or lowered.startswith(word + " ")) and len(word) > length:
                best, length = (f"{each.word}|{message[len(word) :].strip()}", word), len(word)
    return best


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("status", "status|"),
        ("STATUS KOM-2025-0147", "status|KOM-2025-0147"),
        ("status leverandør Renhold AS", "status leverandør|Renhold AS"),
        ("status leverandørene", "status|leverandørene"),
        ("mine oppgaver", "mine|"),
        ("mine oppgaver i dag", "mine oppgaver i dag|"),
        ("mine oppgaver i morgen", "mine|i morgen"),
        ("levert  KOM-1 ", "levert|KOM-1"),
        ("lever KOM-1", None),
        ("statusrapport", None),
        ("", None),
        ("   ", None),
        ("second x", "first|x"),
    ],
)
async def test_the_longest_word_at_a_word_boundary_runs(message: str, expected: str | None) -> None:
    reply = await router().handle_text(message, request())
    if expected is None:
        assert isinstance(reply, str)
        assert "|" not in reply  # the unknown-command answer
    else:
        assert reply == expected


async def test_every_prefix_of_every_word_picks_what_trying_each_word_picks() -> None:
    made = router()
    words = [w for c in WORDS for w in (c.word, *c.aliases)]
    tails = ["", " ", " x", "x", " oppgaver", " i dag", "  y"]
    for word, tail in itertools.product(words, tails):
        for cut in range(len(word) + 1):
            message = (word[:cut] + tail).upper() if cut % 2 else word[:cut] + tail
            expected = tried_each(made.commands, message)
            reply = await made.handle_text(message, request())
            if expected is None:
                assert isinstance(reply, str)
                assert "|" not in reply, message
            else:
                assert reply == expected[0], message
