"""What `hjelp` shows: a short card by role, and every command grouped by topic.

The short help (`help_card`) shows the handful of commands the asker uses most, with examples
that work as typed: a contract owner's own contract number (`status KOM-2025-0147`), dates of
next week, procurement's contracts and units from the portfolio. In a channel it shows the
channel's commands with placeholders only (an example could name a contract not everyone in the
channel may see). Someone the register does not know is told how to get registered. Its button
«Vis alle kommandoer» (`HELP_ALL_VERB`, also typed) shows `all_commands_card`: every command the
asker may use here, grouped by topic, each with its `help.cmd.<word>` line.

Placeholders are written in italics (`«plan *avtalenr*»`), never in angle brackets: Teams and
Web Chat read `<avtalenr>` as an HTML tag and drop it, leaving «plan ». A line is shown only
when the router answers every command it names in this scope (`available`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    execute_button,
    text_block,
    title_block,
)
from bot.conversation.markdown import plain
from bot.conversation.texts import text
from followup.help_profile import HelpProfile

HELP_ALL_VERB: Final = "helpAll"
"""The button (`Action.Execute`, or `Action.Submit` with the verb in its data) that shows every
command."""
ALL_COMMANDS_WORD: Final = "vis alle kommandoer"


@dataclass(frozen=True, slots=True)
class HelpLine:
    """A line of the short help: its catalogue key and the command words it names."""

    key: str
    words: tuple[str, ...]


OWNER_LINES: Final = (
    HelpLine("help.owner.tasks", ("mine oppgaver",)),
    HelpLine("help.owner.contracts", ("kontrakter",)),
    HelpLine("help.owner.status", ("status", "plan")),
    HelpLine("help.owner.answer", ("levert", "delvis", "ikke levert")),
    HelpLine("help.owner.document", ("dokument",)),
    HelpLine("help.owner.deviation", ("meld avvik",)),
    HelpLine("help.owner.snooze", ("utsett",)),
    HelpLine("help.owner.away", ("fravær", "stedfortreder")),
)
PROCUREMENT_LINES: Final = (
    HelpLine("help.procurement.status", ("status",)),
    HelpLine("help.procurement.overdue", ("forfalt",)),
    HelpLine("help.procurement.deviations", ("avvik",)),
    HelpLine("help.procurement.export", ("eksport",)),
    HelpLine("help.procurement.history", ("historikk",)),
    HelpLine("help.procurement.checkpoint", ("kontrollpunkt", "plan")),
    HelpLine("help.procurement.channel", ("innkjøpskanal",)),
    HelpLine("help.procurement.own", ("mine oppgaver", "kontrakter")),
)
ADMIN_LINES: Final = (HelpLine("help.admin.role", ("rolle",)),)
CHANNEL_LINES: Final = (
    HelpLine("help.channel.status", ("status",)),
    HelpLine("help.channel.overdue", ("forfalt",)),
    HelpLine("help.channel.deviations", ("avvik",)),
    HelpLine("help.channel.plan", ("plan", "historikk")),
    HelpLine("help.channel.export", ("eksport",)),
    HelpLine("help.channel.procurement", ("innkjøpskanal",)),
    HelpLine("help.channel.checkpoint", ("kontrollpunkt",)),
)
NEWCOMER_LINES: Final = (HelpLine("help.newcomer.tasks", ("mine oppgaver",)),)

TOPICS: Final = (
    ("help.topic.follow_up", ("mine oppgaver", "kontrakter", "plan", "kalenderlenke")),
    (
        "help.topic.answer",
        (
            "levert",
            "delvis",
            "ikke levert",
            "ikke relevant",
            "endre svar",
            "dokument",
            "meld avvik",
            "avbryt",
        ),
    ),
    ("help.topic.reminders", ("påminnelser", "utsett", "pause", "fortsett")),
    ("help.topic.away", ("fravær", "tilbake", "stedfortreder")),
    (
        "help.topic.portfolio",
        (
            "status",
            "forfalt",
            "avvik",
            "avviksstatus",
            "mer",
            "historikk",
            "eksport",
            "analyse",
            "eksport analyse",
            "risiko",
            "kontroll",
            "evaluer",
        ),
    ),
    ("help.topic.procurement", ("kontrollpunkt", "innkjøpskanal", "rolle", "lekkasje", "arkiv")),
    ("help.topic.help", ("hjelp",)),
)
"""The full list's groups, in order; a command in none of them is listed last, under
`help.topic.other`."""

_MARKUP: Final = re.compile(r"(?<!\\)[*_]")


def _unmarked(value: str) -> str:
    """A line as plain text (for `fallbackText`): italics and escapes dropped."""
    return _MARKUP.sub("", value).replace("\\", "")


def example_dates(today: date) -> tuple[str, str]:
    """Monday and Friday of next week, as typed (`7.12`, `11.12`)."""
    monday = today + timedelta(days=7 - today.weekday())
    friday = monday + timedelta(days=4)
    return f"{monday.day}.{monday.month}", f"{friday.day}.{friday.month}"


def _lines(
    chosen: Sequence[HelpLine], available: Collection[str], locale: str | None, **values: str
) -> list[str]:
    return [
        text(line.key, locale, **values)
        for line in chosen
        if all(word in available for word in line.words)
    ]


def _role(profile: HelpProfile, channel: bool) -> tuple[str, tuple[HelpLine, ...]]:
    """The intro's key and the lines of the asker's short help."""
    if channel:
        return "help.channel.intro", CHANNEL_LINES
    if not profile.registered:
        return "help.unregistered", ()
    if profile.procurement:
        lines = PROCUREMENT_LINES + (ADMIN_LINES if profile.admin else ())
        return "help.procurement.intro", lines
    if profile.owner:
        return "help.intro", OWNER_LINES + (ADMIN_LINES if profile.admin else ())
    return "help.newcomer", NEWCOMER_LINES + (ADMIN_LINES if profile.admin else ())


def help_card(
    profile: HelpProfile,
    available: Collection[str],
    locale: str | None,
    today: date,
    *,
    channel: bool = False,
) -> Card:
    """The short help for the asker (`profile`); `available`: the command words answered here
    (for this asker); `channel`: asked in a channel (no contract of anyone's in the examples)."""
    start, end = example_dates(today)
    reference = profile.reference
    unit = profile.unit
    values = {
        "reference": plain(reference, line_starts=False) if reference else "*avtalenr*",
        "unit": plain(unit, line_starts=False) if unit else text("help.placeholder.unit", locale),
        "start": start,
        "end": end,
    }
    intro_key, chosen = _role(profile, channel)
    title = text("help.title", locale)
    intro = text(intro_key, locale)
    lines = _lines(chosen, available, locale, **values)
    body: list[Element] = [title_block(title), text_block(intro)]
    if lines:
        body.append(text_block(f"**{text('help.commands', locale)}**", spacing="Medium"))
        body += [text_block(line, spacing="Small") for line in lines]
    more = text("help.more", locale)
    body.append(text_block(more, isSubtle=True, spacing="Medium"))
    body.append(
        {
            "type": "ActionSet",
            "actions": [execute_button(text("help.button.all", locale), HELP_ALL_VERB, {})],
        }
    )
    fallback = [title, intro, *(f"- {line}" for line in lines), more]
    return adaptive_card(body, "\n".join(_unmarked(line) for line in fallback))


def _grouped(words: Sequence[str]) -> list[tuple[str, list[str]]]:
    placed = {word for _, topic in TOPICS for word in topic}
    groups = [(key, [w for w in topic if w in words]) for key, topic in TOPICS]
    groups.append(("help.topic.other", [w for w in words if w not in placed]))
    return [(key, found) for key, found in groups if found]


def all_commands_card(words: Sequence[str], locale: str | None, *, channel: bool = False) -> Card:
    """Every command in `words` (those the asker may use here), grouped by topic."""
    title = text("help.all.title", locale)
    intro = text("help.all.channel" if channel else "help.all.intro", locale)
    body: list[Element] = [title_block(title), text_block(intro)]
    fallback = [title, intro]
    for key, found in _grouped(words):
        heading = text(key, locale)
        lines = [text(f"help.cmd.{word}", locale) for word in found]
        # A topic is one text block (its lines as paragraphs): a block per line cost a fifth
        # of the card in JSON alone, and the list grows with every capability.
        body.append(text_block(f"**{heading}**", spacing="Medium"))
        body.append(text_block("\n\n".join(lines), spacing="Small"))
        fallback.append(heading)
        fallback += [f"- {line}" for line in lines]
    return adaptive_card(body, "\n".join(_unmarked(line) for line in fallback))
