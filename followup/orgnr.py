"""Norwegian organisation numbers (*organisasjonsnummer*): 9 digits, the last a MOD11 check digit.

People write them in many ways: `NO 974 600 951 MVA` (the VAT form), `974600951`,
`Org.nr. 974 600 951`, `974 600 951`, `org nr: 974-600-951`. `normalise_organisation_number`
reads all of them and returns the 9 digits, or raises `InvalidOrganisationNumber` with a
Norwegian message the edge can show as it is. Standard library only.
"""

from __future__ import annotations

import re
from enum import StrEnum

ORGANISATION_NUMBER_LENGTH = 9
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)

# A label in front: "Org.nr.", "org nr:", "orgnr", "organisasjonsnummer", "Foretaksnr."
_LABEL = r"(?:org(?:anisasjons)?\.?\s*(?:nr|nummer)\.?|foretaks(?:nr|nummer)\.?)\s*[:.]?"
_FORM = re.compile(
    rf"""
    \s*(?:{_LABEL})?           # optional label
    \s*(?:NO)?                 # optional country prefix of the VAT form
    \s*(?P<number>[0-9][0-9 .\-\u00a0\u2009\u202f]*[0-9]|[0-9])?
    \s*(?:MVA)?                # optional VAT suffix
    \s*
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATORS = re.compile(r"[ .\-\u00a0\u2009\u202f]")


class OrganisationNumberProblem(StrEnum):
    """Why a text is not an organisation number (for callers; never match on the message)."""

    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    CHECK_DIGIT = "check_digit"


class InvalidOrganisationNumber(ValueError):
    """The text is not a valid organisation number; the message is Norwegian and user-facing."""

    def __init__(self, message: str, *, problem: OrganisationNumberProblem, text: str) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem
        self.text = text


def normalise_organisation_number(text: str) -> str:
    """The 9 digits of the organisation number written in `text`.

    Raises `InvalidOrganisationNumber` when the text holds something other than an organisation
    number with its usual decorations, when it does not have 9 digits, or when the check digit
    is wrong.
    """
    match = _FORM.fullmatch(text)
    if match is None:
        raise InvalidOrganisationNumber(
            f"«{text.strip()}» er ikke et organisasjonsnummer. "
            "Organisasjonsnummeret må ha 9 siffer, for eksempel 974 600 951.",
            problem=OrganisationNumberProblem.NOT_DIGITS,
            text=text,
        )
    digits = _SEPARATORS.sub("", match.group("number") or "")
    if not digits:
        raise InvalidOrganisationNumber(
            "Organisasjonsnummeret mangler. Det må ha 9 siffer, for eksempel 974 600 951.",
            problem=OrganisationNumberProblem.WRONG_LENGTH,
            text=text,
        )
    if len(digits) != ORGANISATION_NUMBER_LENGTH:
        raise InvalidOrganisationNumber(
            f"Organisasjonsnummeret må ha 9 siffer, men «{text.strip()}» har {len(digits)}.",
            problem=OrganisationNumberProblem.WRONG_LENGTH,
            text=text,
        )
    if not is_valid_organisation_number(digits):
        raise InvalidOrganisationNumber(
            "Kontrollsifferet stemmer ikke for organisasjonsnummeret "
            f"{format_organisation_number(digits)}. Sjekk at alle sifrene er riktige.",
            problem=OrganisationNumberProblem.CHECK_DIGIT,
            text=text,
        )
    return digits


def is_valid_organisation_number(digits: str) -> bool:
    """True when `digits` is exactly 9 ASCII digits with a correct MOD11 check digit."""
    if len(digits) != ORGANISATION_NUMBER_LENGTH or not _is_ascii_digits(digits):
        return False
    return _check_digit(digits[:8]) == int(digits[8])


def make_organisation_number(first_eight: str) -> str | None:
    """`first_eight` with its check digit appended, or None when no check digit fits.

    About one in eleven 8-digit prefixes has remainder 1 (check digit "10"); such numbers are
    never issued. Raises ValueError when `first_eight` is not 8 ASCII digits.
    """
    if len(first_eight) != ORGANISATION_NUMBER_LENGTH - 1 or not _is_ascii_digits(first_eight):
        raise ValueError(f"expected 8 digits, got {first_eight!r}")
    check = _check_digit(first_eight)
    return None if check is None else f"{first_eight}{check}"


def format_organisation_number(digits: str) -> str:
    """`974600951` as people read it: `974 600 951`."""
    return f"{digits[0:3]} {digits[3:6]} {digits[6:9]}"


def _check_digit(first_eight: str) -> int | None:
    total = sum(int(digit) * weight for digit, weight in zip(first_eight, _WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
