"""Norwegian words for the public register's search, the same on SQLite and PostgreSQL.

PostgreSQL indexes a public agreement's text with its `norwegian` configuration: the text's
runs of letters and digits (everything else made a space first, so that e-mail addresses, links
and hyphenated words split the same way on both stores), each word lower-cased, Norwegian stop
words dropped and the rest reduced by the Snowball Norwegian stemmer (words with digits are
kept whole). `document_terms` does exactly that in Python for SQLite's FTS5 index, with the
Snowball 2 Norwegian stemmer of `snowballstemmer` (the algorithm PostgreSQL 15-17 ship) and
PostgreSQL's own stop-word list (`norwegian.stop`); tests compare the two on the test set.

A query (`query_terms`) is split and stemmed the same way; every word must match (AND), each
as the beginning of an indexed word (a prefix), so that «kontor» finds «Kontorrekvisita» and
«kontormøbler» and «renhold» finds «renholdstjenester» (compound words). A word may match in
several forms (OR), which the stemmer alone does not join:

- a noun in -el that drops its e before an ending: «sykkel» / «sykler», «møbel» / «møbler»:
  `sykkel` also searches `sykl`, and `sykl` also searches `sykel` and `sykkel`;
- a verbal noun in -ing searches its verb stem too: «brøyting» → `brøyt` (finds «brøyte»,
  «brøytetjenester»), «rengjøring» → `rengjør`.

Terms contain only letters and digits: safe in an FTS5 string and in a `to_tsquery`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import snowballstemmer  # type: ignore[import-untyped]

_STOP_WORDS_FILE: Final = """
    og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men
    ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans
    hvor eller hva skal selv sjøl her alle vil bli ble blei blitt kunne inn når være kom noen
    noe ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor
    dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver
    hvem vors hvis både bare enn fordi før mange også slik vært båe begge siden dykk dykkar
    dei deira deires deim di då eg ein eit eitt elles honom hjå ho hoe henne hennar hennes hoss
    hossen ingi inkje korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi mine mykje
    no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore verte vort varte
    vart
    """
NORWEGIAN_STOP_WORDS: Final = frozenset(_STOP_WORDS_FILE.split())
"""PostgreSQL's `tsearch_data/norwegian.stop` (from Snowball), word for word."""

MAX_QUERY_WORDS: Final = 8
"""Words of a query past this are not searched (each is one more condition)."""

_NOT_WORD: Final = re.compile(r"[\W_]+")
"""Anything but letters and digits: what PostgreSQL's `[^[:alnum:]]+` matches, but for the
"other numbers" below."""
_OTHER_NUMBER: Final = "No"
"""Superscripts, fractions, circled numbers («m²», «½», «②»): Python counts them as word
characters, PostgreSQL's `[:alnum:]` (glibc) does not; they separate words on both stores.
(Left different: a few combining marks of non-Latin scripts and circled letters, which
PostgreSQL joins to a word and Python does not.)"""
_VOWELS: Final = frozenset("aeiouyæøåéèêóòôàáâäöü")
_STEMMER: Final = snowballstemmer.stemmer("norwegian")

PG_TEXT_PATTERN: Final = "[^[:alnum:]]+"
"""The same as `_NOT_WORD`, as PostgreSQL spells it (`regexp_replace(…, '[^[:alnum:]]+', ' ',
'g')`)."""


def words(text: str) -> list[str]:
    """The text's words: runs of letters and digits, lower case."""
    normal = unicodedata.normalize("NFC", text).lower()
    if not normal.isascii():
        normal = "".join(" " if unicodedata.category(ch) == _OTHER_NUMBER else ch for ch in normal)
    return [w for w in _NOT_WORD.split(normal) if w]


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str | None:
    """The indexed form of one lower-case word; None for a stop word."""
    if word.isdigit() or not word.isalpha():
        return word  # numbers and words with digits are kept whole, as PostgreSQL does
    if word in NORWEGIAN_STOP_WORDS:
        return None
    stemmed: str = _STEMMER.stemWord(word)
    return stemmed


def document_terms(text: str) -> str:
    """The text as FTS5 indexes it: its stems, space-separated, in order."""
    return " ".join(s for s in map(stem, words(text)) if s)


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """A query's words, each a set of stems any of which may begin an indexed word."""

    words: tuple[tuple[str, ...], ...]
    had_words: bool
    """The query had words (all of them stop words when `words` is empty)."""

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return iter(self.words)


def query_terms(text: str) -> QueryTerms:
    found: list[tuple[str, ...]] = []
    raw = words(text)
    for word in raw:
        stemmed = stem(word)
        if stemmed is None:
            continue
        forms = _forms(stemmed) if word.isalpha() else (stemmed,)
        if forms not in found:
            found.append(forms)
        if len(found) == MAX_QUERY_WORDS:
            break
    return QueryTerms(words=tuple(found), had_words=bool(raw))


def _consonant(ch: str) -> bool:
    return ch.isalpha() and ch not in _VOWELS


def _forms(stemmed: str) -> tuple[str, ...]:
    forms = [stemmed]
    if len(stemmed) >= 5 and stemmed.endswith("el") and _consonant(stemmed[-3]):
        # sykkel → sykl (sykler), møbel → møbl (møbler)
        base = stemmed[:-2]
        forms.append((base[:-1] if base[-1] == base[-2] else base) + "l")
    elif (
        len(stemmed) >= 4
        and stemmed[-1] == "l"
        and stemmed[-2] != "l"
        and _consonant(stemmed[-2])
        and not _consonant(stemmed[-3])
    ):
        # sykl → sykel, sykkel; møbl → møbel
        base = stemmed[:-1]
        forms.extend((base[:-1] + base[-1] + "el", base + base[-1] + "el"))
    if len(stemmed) >= 6 and stemmed.endswith("ing"):
        forms.append(stemmed[:-3])  # brøyting → brøyt, rengjøring → rengjør
    return tuple(dict.fromkeys(forms))


def fts5_match(terms: QueryTerms) -> str:
    """An FTS5 MATCH expression: every word, each in any of its forms, as a prefix."""
    return " AND ".join("(" + " OR ".join(f'"{form}"*' for form in forms) + ")" for forms in terms)


def tsquery(forms: tuple[str, ...]) -> str:
    """One word's forms as a `to_tsquery('simple', …)` text: `sykl:* | sykkel:*`."""
    return " | ".join(f"{form}:*" for form in forms)


__all__ = [
    "MAX_QUERY_WORDS",
    "NORWEGIAN_STOP_WORDS",
    "PG_TEXT_PATTERN",
    "QueryTerms",
    "document_terms",
    "fts5_match",
    "query_terms",
    "stem",
    "tsquery",
    "words",
]
