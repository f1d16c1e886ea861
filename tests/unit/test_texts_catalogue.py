"""Every text in the catalogue (`bot.conversation.texts` and each room's `texts.py`) renders in
Bokmål and English with the numbers 0, 1, 2 and 5: nothing left unfilled, no «1 kontrakter».

Plural forms come from Babel (CLDR): Bokmål and English have `one` and `other`; numbers are
written the language's way (`1 234` with a no-break space, `1,234`).
"""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from bot.conversation import texts
from bot.conversation.texts import EN, NB, Entry, Plural, render, templates, text

ROOT: Final = Path(__file__).resolve().parents[2]
for _path in sorted((ROOT / "bot").glob("*/texts.py")):  # every room's words join the catalogue
    importlib.import_module(f"bot.{_path.parent.name}.texts")

NUMBERS: Final = frozenset(
    {
        "count",
        "days",
        "total",
        "rows",
        "minutes",
        "seconds",
        "years",
        "limit",
        "length",
        "max_mb",
        "on_time",
        "percent",
        "number",
        "week",
        "version",
        "late",
        "open",
    }
)
"""Parameters that carry a count or an amount (and the `by` of every `Plural`)."""

# Words that must not follow the number 1: plural nouns and adjectives.
PLURAL_AFTER_ONE: Final = {
    "nb": re.compile(
        r"\b1 (?:kontrakter|oppfølginger|oppfølgingene|rader|dager|dagene|påminnelser|filer|"
        r"filene|minutter|sekunder|versjoner|kontrollpunkter|advarsler|dokumenter|uker|måneder|"
        r"ganger|åpne|andre|fremtidige|høye|lave|kritiske|forfalte)\b"
    ),
    "en": re.compile(
        r"\b1 (?:\w+ )?(?:contracts|follow-ups|rows|days|reminders|files|minutes|seconds|"
        r"versions|checkpoints|deviations|characters|years|weeks|months|times|documents|"
        r"warnings)\b"
    ),
}

# What may follow a number in a text that is not a `Plural`: words that do not change with it.
INVARIANT_AFTER_NUMBER: Final = frozenset(
    {"til", "per", "av", "a", "of", "more", "d", "dok.", "doc.", "MB", "%", "innen", "on"}
    | {"eller", "or", "besvart", "answered", "første"}
)


def _names(entry: Entry) -> set[str]:
    return {
        name
        for template in templates(entry)
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def _values(entry: Entry, n: int) -> dict[str, object]:
    by = entry.by if isinstance(entry, Plural) else None
    return {name: n if name in NUMBERS or name == by else f"‹{name}›" for name in _names(entry)}


def test_the_rooms_have_added_their_words() -> None:
    assert "weekly.title" in NB, "bot/reminders/texts.py"
    assert "portfolio.status.title" in NB, "bot/portfolio/texts.py"
    assert len(NB) > 600


def test_both_languages_have_the_same_keys_and_the_same_plurals() -> None:
    assert set(NB) == set(EN)
    for key, entry in NB.items():
        english = EN[key]
        assert isinstance(entry, Plural) == isinstance(english, Plural), key
        if isinstance(entry, Plural) and isinstance(english, Plural):
            assert entry.by == english.by, key


def test_both_languages_fill_in_the_same_values() -> None:
    for key, entry in NB.items():
        assert _names(entry) == _names(EN[key]), key


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_every_text_renders_with_every_count(n: int, locale: str) -> None:
    language = texts.language_of(locale)
    catalogue = texts.CATALOGUES[language]
    for key in sorted(catalogue):
        entry = catalogue[key]
        shown = text(key, locale, **_values(entry, n))
        assert shown.strip(), key
        assert "{" not in shown, (key, shown)
        assert "}" not in shown, (key, shown)
        assert not PLURAL_AFTER_ONE[language].search(shown), (key, shown)


def test_a_number_before_a_word_that_agrees_with_it_is_a_plural() -> None:
    """`{count} oppfølginger` must be a `Plural`; `… og {count} til` need not be."""
    number_then_word = re.compile(r"\{(\w+)\}\)?\s+([^\s{(]+)")
    offending = []
    for language, catalogue in texts.CATALOGUES.items():
        for key, entry in catalogue.items():
            if isinstance(entry, Plural):
                continue
            for match in number_then_word.finditer(entry):
                name, word = match.groups()
                invariant = {word, word.rstrip(".,;:)?!")} & INVARIANT_AFTER_NUMBER
                if name in NUMBERS and not invariant:
                    offending.append((language, key, match.group(0)))
    assert offending == []


def test_the_hand_made_singular_keys_are_gone() -> None:
    assert not [key for key in NB if re.search(r"[._](one|many|singular|plural)$", key)]


# --- plurals and numbers, through Babel --------------------------------------------------------


def test_a_plural_agrees_with_its_number_in_both_languages() -> None:
    assert text("welcome.owner", "nb", count=1) == (
        "Du står som kontraktseier for 1 kontrakt i kontraktsregisteret."
    )
    assert text("welcome.owner", "nb", count=0).startswith(
        "Du står som kontraktseier for 0 kontrakter"
    )
    assert text("welcome.owner", "en", count=1).startswith(
        "You are the contract owner of 1 contract in"
    )
    assert text("reminder.title", "nb", count=1) == "Påminnelse: 1 oppfølging"
    assert text("reminder.title", "nb", count=3) == "Påminnelse: 3 oppfølginger"
    assert text("answer.card_title", "en", count=1) == "1 follow-up waiting for an answer"
    assert text("reminder.overdue", "nb", date="fre. 27.11.", days=1) == (
        "Forfalt fre. 27.11. (for 1 dag siden)"
    )
    assert text("reminder.overdue", "nb", date="fre. 27.11.", days=4) == (
        "Forfalt fre. 27.11. (for 4 dager siden)"
    )
    assert text("answer.deviations", "nb", count=1) == "1 åpent avvik på denne oppfølgingen"


def test_a_plural_can_be_chosen_by_another_parameter() -> None:
    entry = NB["export.summary"]
    assert isinstance(entry, Plural)
    assert entry.by == "rows"
    values = {"what": "svar", "period": "", "scope": "hele porteføljen"}
    assert text("export.summary", "nb", rows=1, **values) == "svar i hele porteføljen: 1 rad"
    assert text("export.summary", "nb", rows=2, **values) == "svar i hele porteføljen: 2 rader"


def test_numbers_are_written_the_languages_way() -> None:
    assert text("reminder.title", "nb", count=1234) == "Påminnelse: 1\u00a0234 oppfølginger"
    assert text("reminder.title", "en", count=1234) == "Reminder: 1,234 follow-ups"
    assert text("too.long", "nb", length=12345, limit=2000).startswith(
        "Meldingen er for lang (12\u00a0345 tegn; grensen er 2\u00a0000)"
    )
    # What is already text (a reference, a year in a date) is left as it is.
    assert text("plan.title", "nb", reference="KOM-2025-0147", title="Brøyting") == (
        "Oppfølgingsplan: KOM-2025-0147 Brøyting"
    )


def test_render_serves_words_kept_outside_the_catalogue() -> None:
    rows = Plural(one="Lest {rows} rad", other="Lest {rows} rader", by="rows")
    assert render(rows, rows=1) == "Lest 1 rad"
    assert render(rows, rows=25) == "Lest 25 rader"
    assert render(rows, "en", rows=1000) == "Lest 1,000 rader"


# --- the words themselves ------------------------------------------------------------------------


def _bokmal_texts(*, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    for key, entry in NB.items():
        if key.startswith(skip):
            continue
        for template in templates(entry):
            yield key, template


def test_the_owner_is_called_kontraktseier() -> None:
    # Help and command descriptions quote what people type (`status <… | eier>`).
    words = re.compile(r"\b(avtaleeier\w*|kontraktsansvarlig\w*|[Ee]ier(e|en|ne)?)\b")
    found = [(k, t) for k, t in _bokmal_texts(skip=("help.", "command.")) if words.search(t)]
    assert found == []


def test_norwegian_comes_first() -> None:
    """Teams' own buttons are named in Norwegian, with the English name after if at all."""
    for key, template in _bokmal_texts():
        for english, norwegian in (("Allow", "Tillat"), ("Decline", "Avslå")):
            if english in template:
                assert norwegian in template, key
                assert template.index(norwegian) < template.index(english), key


def test_no_text_reads_as_a_web_address() -> None:
    """Teams and Web Chat turn `org.nr` into a link (`nr` is a top-level domain)."""
    for key, entry in {**NB, **{f"en:{k}": v for k, v in EN.items()}}.items():
        for template in templates(entry):
            assert "org.nr" not in template.lower(), key


def test_a_severity_before_avvik_agrees_with_the_neuter_noun() -> None:
    from bot.conversation.labels import severity_before_noun, severity_label
    from followup.models import Severity

    title = text(
        "deviation.alert.title",
        "nb",
        severity=severity_before_noun(Severity.HIGH, "nb"),
        reference="KOM-2025-0147",
    )
    assert title == "Høyt avvik på KOM-2025-0147"
    assert severity_before_noun(Severity.LOW, "nb") == "Lavt"
    assert severity_before_noun(Severity.CRITICAL, "nb") == "Kritisk"
    assert severity_before_noun(Severity.HIGH, "en") == "High"
    assert severity_label(Severity.HIGH, "nb") == "Høy"
    assert text("weekly.severity.høy", "nb", count=1) == "1 høyt"
    assert text("weekly.severity.høy", "nb", count=2) == "2 høye"
    assert text("weekly.severity.kritisk", "nb", count=3) == "3 kritiske"


def test_no_text_shows_a_rule_or_an_iso_week() -> None:
    rule_or_week = re.compile(r"FREQ=|RRULE|BYMONTHDAY|\b\d{4}-W\d{2}\b")
    for key, template in [*_bokmal_texts(), *((k, t) for k, e in EN.items() for t in templates(e))]:
        assert not rule_or_week.search(template), key


def test_a_deadline_ahead_is_not_in_the_past_tense() -> None:
    values = {
        "date": "man. 30.11.",
        "reference": "KOM-1",
        "title": "Levering",
        "due": "fre. 27.11.",
    }
    assert "fristen er fre. 27.11." in text("reminder.snooze_ok_after_due", "nb", **values)
    assert "fristen var fre. 27.11." in text("reminder.snooze_ok_overdue", "nb", **values)
    assert "it is due fre. 27.11." in text("reminder.snooze_ok_after_due", "en", **values)
