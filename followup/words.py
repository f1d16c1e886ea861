"""Words people type, made comparable: the one normaliser of user text.

`normalise_words` is what every reader of typed words starts from (commands, choices, date
phrases, cadences, register cells). Æ, ø and å stay letters. `fold_letters` goes further, for
matching ASCII spellings (`lonnsslipp` for `lønnsslipp`, `Orgnr` for `Org.nr`): æ → ae, ø → o,
å → a, and accents dropped.

A reader that needs more (separators as spaces, punctuation at the ends dropped) does that
itself, on top of these.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_NORWEGIAN_LETTERS: Final = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def normalise_words(text: str) -> str:
    """NFKC, case folded, one space between words and none at the ends: ` Hver  Uke ` →
    `hver uke`, `Ærlig` → `ærlig` (æ, ø and å stay as they are)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold_letters(text: str) -> str:
    """`normalise_words`, then æ → ae, ø → o, å → a and accents dropped (é → e, ä → a, ü → u):
    `Lønnsslipp Ærlig Café` → `lonnsslipp aerlig cafe`."""
    folded = unicodedata.normalize("NFKD", normalise_words(text).translate(_NORWEGIAN_LETTERS))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


__all__ = ["fold_letters", "normalise_words"]
