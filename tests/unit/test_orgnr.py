"""Organisation numbers: the forms people write, the MOD11 check digit, Norwegian messages."""

from __future__ import annotations

import pytest

from followup.orgnr import (
    InvalidOrganisationNumber,
    OrganisationNumberProblem,
    format_organisation_number,
    is_valid_organisation_number,
    make_organisation_number,
    normalise_organisation_number,
)

BERGEN_KOMMUNE = "974600951"


@pytest.mark.parametrize(
    "written",
    [
        "NO 974 600 951 MVA",
        "974600951",
        "Org.nr. 974 600 951",
        "974 600 951",
        "org nr: 974-600-951",
        "Org.nr: 974600951",
        "orgnr 974600951",
        "Organisasjonsnummer: 974 600 951",
        "NO974600951MVA",
        "no 974600951 mva",
        "  974 600 951  ",
        "974.600.951",
        "974\u00a0600\u00a0951",  # non-breaking spaces, as Excel and Word write them
        "Org.nr. NO 974 600 951 MVA",
    ],
)
def test_every_written_form_gives_the_nine_digits(written: str) -> None:
    assert normalise_organisation_number(written) == BERGEN_KOMMUNE


@pytest.mark.parametrize(
    "digits",
    [
        BERGEN_KOMMUNE,  # Bergen kommune
        "923609016",  # a check digit 11 - remainder
        "974601060",  # remainder 0 gives check digit 0
    ],
)
def test_valid_numbers(digits: str) -> None:
    assert is_valid_organisation_number(digits)
    assert normalise_organisation_number(digits) == digits


@pytest.mark.parametrize(
    "digits",
    [
        "974600952",  # one off in the check digit
        "974600950",
        "794600951",  # two digits swapped
        "97460095",  # too short
        "9746009510",  # too long
        "",
        "97460095a",
        "٩٧٤٦٠٠٩٥١",  # Arabic-Indic digits are digits to Python, not to the register
        " 974600951",  # is_valid takes digits only; normalise first
    ],
)
def test_invalid_numbers(digits: str) -> None:
    assert not is_valid_organisation_number(digits)


def test_wrong_check_digit_says_so_in_norwegian() -> None:
    with pytest.raises(InvalidOrganisationNumber) as caught:
        normalise_organisation_number("NO 974 600 952 MVA")
    assert caught.value.problem is OrganisationNumberProblem.CHECK_DIGIT
    assert "Kontrollsifferet stemmer ikke" in str(caught.value)
    assert "974 600 952" in str(caught.value)
    assert caught.value.text == "NO 974 600 952 MVA"


@pytest.mark.parametrize(("written", "count"), [("97460095", 8), ("974 600 951 0", 10)])
def test_wrong_length_says_nine_digits(written: str, count: int) -> None:
    with pytest.raises(InvalidOrganisationNumber) as caught:
        normalise_organisation_number(written)
    assert caught.value.problem is OrganisationNumberProblem.WRONG_LENGTH
    assert "Organisasjonsnummeret må ha 9 siffer" in str(caught.value)
    assert f"har {count}" in str(caught.value)


@pytest.mark.parametrize("written", ["", "   ", "Org.nr.", "MVA"])
def test_missing_number_says_it_is_missing(written: str) -> None:
    with pytest.raises(InvalidOrganisationNumber) as caught:
        normalise_organisation_number(written)
    assert caught.value.problem is OrganisationNumberProblem.WRONG_LENGTH
    assert "Organisasjonsnummeret mangler" in str(caught.value)


@pytest.mark.parametrize(
    "written",
    ["abc", "974 600 95l", "Bergen kommune", "974600951 og 923609016", "SE 974600951", "97460095½"],
)
def test_other_text_is_refused_in_norwegian(written: str) -> None:
    with pytest.raises(InvalidOrganisationNumber) as caught:
        normalise_organisation_number(written)
    assert caught.value.problem is OrganisationNumberProblem.NOT_DIGITS
    assert "9 siffer" in str(caught.value)


def test_the_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Kontrollsifferet"):
        normalise_organisation_number("974600952")


def test_make_appends_the_check_digit() -> None:
    assert make_organisation_number("97460095") == BERGEN_KOMMUNE
    assert make_organisation_number("97460106") == "974601060"  # remainder 0 → 0


def test_make_gives_none_when_the_check_digit_would_be_ten() -> None:
    assert make_organisation_number("97460096") is None


@pytest.mark.parametrize("prefix", ["9746009", "974600951", "9746009x", "", "٩٧٤٦٠٠٩٥"])
def test_make_refuses_anything_but_eight_digits(prefix: str) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        make_organisation_number(prefix)


def test_made_numbers_are_valid_and_about_one_prefix_in_eleven_has_none() -> None:
    made = [make_organisation_number(f"{n:08d}") for n in range(91_000_000, 91_011_000)]
    assert all(is_valid_organisation_number(number) for number in made if number is not None)
    missing = sum(number is None for number in made)
    assert 900 < missing < 1100


def test_exactly_one_check_digit_fits_each_prefix() -> None:
    for n in range(92_000_000, 92_000_200):
        prefix = f"{n:08d}"
        fitting = [d for d in "0123456789" if is_valid_organisation_number(prefix + d)]
        made = make_organisation_number(prefix)
        assert fitting == ([] if made is None else [made[-1]])


def test_format_groups_in_threes() -> None:
    assert format_organisation_number(BERGEN_KOMMUNE) == "974 600 951"
