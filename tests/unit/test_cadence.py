"""Cadences: words to rules, rules to descriptions, rules to dates."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr

from followup.calendar import cadence
from followup.calendar.cadence import (
    EVERY_OTHER_MONTH,
    EVERY_OTHER_WEEK,
    EVERY_OTHER_YEAR,
    HALF_YEARLY,
    MONTHLY,
    ONCE,
    PER_TERTIAL,
    QUARTERLY,
    WEEKLY,
    YEARLY,
    describe_cadence,
    occurrences,
    parse_cadence,
    validate_rule,
)
from followup.errors import InvalidInput

SALES_STATISTICS = (
    "RRULE:FREQ=YEARLY;BYMONTH=1,4,10;BYMONTHDAY=20\nRRULE:FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=5"
)


# --- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("ukentlig", WEEKLY),
        ("hver uke", WEEKLY),
        ("weekly", WEEKLY),
        ("Ukentlig.", WEEKLY),
        ("en gang i uka", WEEKLY),
        ("annenhver uke", EVERY_OTHER_WEEK),
        ("hver 2. uke", EVERY_OTHER_WEEK),
        ("hver andre uke", EVERY_OTHER_WEEK),
        ("hver annen uke", EVERY_OTHER_WEEK),
        ("hver 14. dag", EVERY_OTHER_WEEK),
        ("every other week", EVERY_OTHER_WEEK),
        ("every 2 weeks", EVERY_OTHER_WEEK),
        ("hver 3. uke", "FREQ=WEEKLY;INTERVAL=3"),
        ("månedlig", MONTHLY),
        ("hver måned", MONTHLY),
        ("monthly", MONTHLY),
        ("MÅNEDLIG", MONTHLY),
        ("en gang i måneden", MONTHLY),
        ("hver 2. måned", EVERY_OTHER_MONTH),
        ("annenhver måned", EVERY_OTHER_MONTH),
        ("every other month", EVERY_OTHER_MONTH),
        ("hver tredje måned", QUARTERLY),
        ("hver 3. måned", QUARTERLY),
        ("kvartalsvis", QUARTERLY),
        ("hvert kvartal", QUARTERLY),
        ("quarterly", QUARTERLY),
        ("every 3 months", QUARTERLY),
        ("fire ganger i året", QUARTERLY),
        ("tertialvis", PER_TERTIAL),
        ("hvert tertial", PER_TERTIAL),
        ("tre ganger i året", PER_TERTIAL),
        ("halvårlig", HALF_YEARLY),
        ("hvert halvår", HALF_YEARLY),
        ("to ganger i året", HALF_YEARLY),
        ("hver 6. måned", HALF_YEARLY),
        ("twice a year", HALF_YEARLY),
        ("årlig", YEARLY),
        ("hvert år", YEARLY),
        ("en gang i året", YEARLY),
        ("én gang i året", YEARLY),
        ("yearly", YEARLY),
        ("annually", YEARLY),
        ("annethvert år", EVERY_OTHER_YEAR),
        ("hvert andre år", EVERY_OTHER_YEAR),
        ("hvert annet år", EVERY_OTHER_YEAR),
        ("hvert 2. år", EVERY_OTHER_YEAR),
        ("every other year", EVERY_OTHER_YEAR),
        ("hvert tredje år", "FREQ=YEARLY;INTERVAL=3"),
        ("en gang", ONCE),
        ("én gang", ONCE),
        ("once", ONCE),
        ("  En   gang ", ONCE),
    ],
)
def test_words_become_rules(text: str, rule: str) -> None:
    assert parse_cadence(text) == rule


def test_word_rules_are_valid_and_normalised() -> None:
    for rule in (
        ONCE,
        WEEKLY,
        EVERY_OTHER_WEEK,
        MONTHLY,
        EVERY_OTHER_MONTH,
        QUARTERLY,
        PER_TERTIAL,
        HALF_YEARLY,
        YEARLY,
        EVERY_OTHER_YEAR,
    ):
        assert validate_rule(rule) == rule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=-1", MONTHLY),
        ("freq=monthly;bymonthday=-1", MONTHLY),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", MONTHLY),
        ("BYMONTHDAY=-1;FREQ=MONTHLY", MONTHLY),
        ("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1;WKST=MO", MONTHLY),
        ("FREQ=MONTHLY;BYMONTHDAY=-1;", MONTHLY),
        ("FREQ=YEARLY;BYMONTH=10,01,4;BYMONTHDAY=20", "FREQ=YEARLY;BYMONTH=1,4,10;BYMONTHDAY=20"),
        ("FREQ=MONTHLY;UNTIL=20271231T235959Z", "FREQ=MONTHLY;UNTIL=20271231"),
        ("FREQ=MONTHLY;BYDAY=+1mo", "FREQ=MONTHLY;BYDAY=1MO"),
        (SALES_STATISTICS, SALES_STATISTICS),
        (
            "RRULE:FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=5\r\n"
            "RDATE;VALUE=DATE:20270615\nRDATE:20270115\nEXDATE;VALUE=DATE:20270805",
            "RRULE:FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=5\n"
            "RDATE;VALUE=DATE:20270115,20270615\nEXDATE;VALUE=DATE:20270805",
        ),
        ("RDATE;VALUE=DATE:20270115", "RDATE;VALUE=DATE:20270115"),
    ],
)
def test_rules_are_accepted_and_normalised(text: str, rule: str) -> None:
    assert parse_cadence(text) == rule
    assert validate_rule(text) == rule


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Skriv hvor ofte"),
        ("   ", "Skriv hvor ofte"),
        ("av og til", "forstod ikke «av og til»"),
        ("hver blå måne", "forstod ikke"),
        ("to ganger i måneden", "forstod ikke"),
        ("hver 0. uke", "forstod ikke"),
        ("daglig", "hyppigste er ukentlig"),
        ("hver dag", "hyppigste er ukentlig"),
        ("hver 10. dag", "hyppigste er ukentlig"),
        ("x" * 501, "for lang"),
    ],
)
def test_words_not_understood_are_refused_in_norwegian(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cadence(text)
    assert fragment in str(caught.value)
    assert caught.value.code in CODES


CODES = {
    "cadence.invalid_rule",
    "cadence.not_understood",
    "cadence.too_frequent",
    "cadence.too_long",
}


@pytest.mark.parametrize(
    ("text", "code", "values"),
    [
        ("av og til", "cadence.not_understood", {"text": "av og til"}),
        ("", "cadence.not_understood", {"text": ""}),
        ("daglig", "cadence.too_frequent", {}),
        ("hver 3. dag", "cadence.too_frequent", {}),
        ("FREQ=DAILY", "cadence.too_frequent", {}),
        ("FREQ=HOURLY", "cadence.too_frequent", {}),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "cadence.too_frequent", {}),
        ("x" * 501, "cadence.too_long", {"limit": 500}),
        (
            "FREQ=MONTHLY;BYMONTHDAY=99",
            "cadence.invalid_rule",
            {"text": "FREQ=MONTHLY;BYMONTHDAY=99"},
        ),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "cadence.invalid_rule",
            {"text": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
        ),
        (
            "RRULE:FREQ=MONTHLY\nRDATE:2027",
            "cadence.invalid_rule",
            {"text": "RRULE:FREQ=MONTHLY RDATE:2027"},
        ),
    ],
)
def test_refusals_carry_a_code_for_the_text_catalogue(
    text: str, code: str, values: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cadence(text)
    assert caught.value.code == code
    assert caught.value.values == values


def test_the_refusal_lists_the_accepted_words() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cadence("når det passer")
    message = str(caught.value)
    for word in ("ukentlig", "annenhver uke", "månedlig", "kvartalsvis", "tertialvis"):
        assert word in message
    for word in ("halvårlig", "årlig", "annethvert år", "en gang", "FREQ=MONTHLY"):
        assert word in message


def test_echoed_input_is_cut_short() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cadence("tull " * 60)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("FREQ=SECONDLY", "for ofte"),
        ("FREQ=MINUTELY", "for ofte"),
        ("FREQ=HOURLY", "for ofte"),
        ("FREQ=DAILY", "Daglig er for ofte"),
        ("FREQ=DAILY;INTERVAL=14", "Daglig er for ofte"),
        ("FREQ=DAILY;COUNT=2", "Daglig er for ofte"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "for mange datoer"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,8,15,22,29", "for mange datoer"),
        ("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20200101", "for mange datoer"),
        (
            "RRULE:FREQ=WEEKLY\nRDATE;VALUE=DATE:20270101,20270102,20270103",
            "for mange datoer",
        ),
        ("FREQ=FORTNIGHTLY", "Ukjent FREQ"),
        ("BYMONTHDAY=-1", "må ha FREQ"),
        ("FREQ=MONTHLY;BYHOUR=9", "ikke klokkeslett"),
        ("FREQ=MONTHLY;FOO=1", "Ukjent del"),
        ("FREQ=MONTHLY;BYMONTHDAY", "mangler en verdi"),
        ("FREQ=MONTHLY;FREQ=YEARLY", "to ganger"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20271231", "både COUNT og UNTIL"),
        ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL må være mellom 1 og 999"),
        ("FREQ=MONTHLY;INTERVAL=x", "heltall"),
        ("FREQ=MONTHLY;COUNT=0", "COUNT må være mellom"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "utenfor det tillatte"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "utenfor det tillatte"),
        ("FREQ=YEARLY;BYMONTH=13", "utenfor det tillatte"),
        ("FREQ=YEARLY;BYMONTH=-1", "utenfor det tillatte"),
        ("FREQ=MONTHLY;BYDAY=6MO", "utenfor det tillatte"),
        ("FREQ=WEEKLY;BYDAY=1MO", "Nummererte ukedager"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY forstår ikke"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "går ikke med FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYWEEKNO=1", "bare med FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYYEARDAY=1", "bare med FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS trenger"),
        ("FREQ=MONTHLY;WKST=XX", "WKST må være en ukedag"),
        ("FREQ=MONTHLY;UNTIL=2027", "dato som ÅÅÅÅMMDD"),
        ("FREQ=MONTHLY;UNTIL=20270231", "er ingen dato"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "gir aldri noen dato"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;UNTIL=20300101", "gir aldri noen dato"),
        ("DTSTART:20260101\nRRULE:FREQ=MONTHLY", "Startdatoen settes på kontrollpunktet"),
        ("RRULE:FREQ=MONTHLY\nEXRULE:FREQ=YEARLY", "EXRULE er utgått"),
        ("RRULE;X=1:FREQ=MONTHLY", "RRULE tar ingen parametre"),
        ("RRULE:FREQ=MONTHLY\nRDATE;VALUE=PERIOD:20270101/P1D", "tar bare datoer"),
        ("RRULE:FREQ=MONTHLY\nRDATE:20270101T090000", "datoer som ÅÅÅÅMMDD"),
        ("RRULE:FREQ=MONTHLY\nVEVENT:X", "Ukjent linje"),
        ("RRULE:FREQ=MONTHLY\nnonsense", "ingen regel"),
        ("EXDATE;VALUE=DATE:20270101", "gir ingen datoer"),
        ("FREQ=MONTHLY;" + "BYMONTHDAY=1;" * 40, "for lang"),
        (  # 500 characters typed, 511 once normalised
            "RRULE:FREQ=YEARLY\nRDATE:" + ",".join(f"{y}0101" for y in range(2027, 2080)),
            "for lang",
        ),
    ],
)
def test_rules_are_refused_in_norwegian(rule: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_rule(rule)
    assert fragment in str(caught.value)
    assert caught.value.code in CODES
    if caught.value.code == "cadence.invalid_rule":
        assert caught.value.values["text"]


def test_a_rule_typed_as_the_cadence_is_checked_like_any_rule() -> None:
    with pytest.raises(InvalidInput, match="for ofte"):
        parse_cadence("FREQ=HOURLY")
    with pytest.raises(InvalidInput, match="Startdatoen"):
        parse_cadence("DTSTART:20260101")


# --- descriptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "nb", "en"),
    [
        (ONCE, "én gang", "once"),
        (WEEKLY, "ukentlig", "weekly"),
        (EVERY_OTHER_WEEK, "annenhver uke", "every other week"),
        ("FREQ=WEEKLY;INTERVAL=3", "hver 3. uke", "every 3 weeks"),
        (MONTHLY, "månedlig (siste dag i måneden)", "monthly (last day of the month)"),
        (
            EVERY_OTHER_MONTH,
            "annenhver måned (siste dag i måneden)",
            "every other month (last day of the month)",
        ),
        (QUARTERLY, "kvartalsvis", "quarterly"),
        (PER_TERTIAL, "tertialvis", "every four months (per tertial)"),
        (HALF_YEARLY, "hvert halvår", "half-yearly"),
        (
            "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=-1",
            "hver 12. måned (siste dag i måneden)",
            "every 12 months (last day of the month)",
        ),
        ("FREQ=MONTHLY", "månedlig", "monthly"),
        ("FREQ=MONTHLY;INTERVAL=3", "hver 3. måned", "every 3 months"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "månedlig (den 15.)", "monthly (on day 15)"),
        (YEARLY, "årlig", "yearly"),
        (EVERY_OTHER_YEAR, "annethvert år", "every other year"),
        ("FREQ=YEARLY;INTERVAL=5", "hvert 5. år", "every 5 years"),
        (
            SALES_STATISTICS,
            "20.01, 20.04, 05.08 og 20.10 hvert år",
            "20 Jan, 20 Apr, 5 Aug and 20 Oct every year",
        ),
        (
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
            "01.03 hvert år",
            "1 Mar every year",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
            "månedlig (siste dag i måneden), 3 ganger",
            "monthly (last day of the month), 3 times",
        ),
        ("FREQ=YEARLY;COUNT=1", "årlig, bare én gang", "yearly, once"),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20271231",
            "kvartalsvis, til og med 31.12.2027",
            "quarterly, until 31 Dec 2027",
        ),
        (
            SALES_STATISTICS + "\nRDATE;VALUE=DATE:20270115\nEXDATE;VALUE=DATE:20270805",
            "20.01, 20.04, 05.08 og 20.10 hvert år, og i tillegg 15.01.2027, unntatt 05.08.2027",
            "20 Jan, 20 Apr, 5 Aug and 20 Oct every year, plus 15 Jan 2027, except 5 Aug 2027",
        ),
        (
            "RDATE;VALUE=DATE:20270115,20270615",
            "15.01.2027 og 15.06.2027",
            "on 15 Jan 2027 and 15 Jun 2027",
        ),
        # Rules without a name are described in words too, never as RFC 5545 text.
        ("FREQ=MONTHLY;BYDAY=1MO", "månedlig (første mandag)", "monthly (first Monday)"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-2",
            "månedlig (nest siste dag i måneden)",
            "monthly (the second-to-last day of the month)",
        ),
        (
            "RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20\nRRULE:FREQ=MONTHLY;BYDAY=1MO",
            "20.01 hvert år og månedlig (første mandag)",
            "20 Jan every year and monthly (first Monday)",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "ukentlig (mandag og torsdag)", "weekly (Monday and Thursday)"),
        (
            "FREQ=YEARLY;BYMONTH=3,9;BYDAY=-1FR",
            "årlig (i mars og september, siste fredag)",
            "yearly (in March and September, last Friday)",
        ),
        ("FREQ=YEARLY;BYWEEKNO=10,20", "årlig (i uke 10 og 20)", "yearly (in weeks 10 and 20)"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "månedlig (mandag, tirsdag, onsdag, torsdag og fredag, bare den siste av de dagene)",
            "monthly (Monday, Tuesday, Wednesday, Thursday and Friday, only the last of those "
            "days)",
        ),
    ],
)
def test_descriptions(rule: str, nb: str, en: str) -> None:
    assert describe_cadence(rule) == nb
    assert describe_cadence(rule, "nb-NO") == nb
    assert describe_cadence(rule, "nn") == nb
    assert describe_cadence(rule, "en") == en
    assert describe_cadence(rule, "en-US") == en


def test_every_word_has_a_name() -> None:
    for word in ("ukentlig", "annenhver uke", "månedlig", "hver 2. måned", "kvartalsvis"):
        assert not describe_cadence(parse_cadence(word)).startswith("etter regelen")
    for word in ("tertialvis", "halvårlig", "årlig", "annethvert år", "en gang"):
        assert not describe_cadence(parse_cadence(word)).startswith("etter regelen")


def test_describing_an_unreadable_rule_does_not_fail() -> None:
    assert describe_cadence("FREQ=BLAH") == "etter en regel jeg ikke kan lese"
    assert describe_cadence("FREQ=BLAH", "en") == "by a rule I cannot read"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYYEARDAY=100,-1",
        "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=MO",
        "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=1,15,-3;COUNT=4",
        "FREQ=MONTHLY;BYDAY=2TU,-2TH;UNTIL=20271231",
        "RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=SU\nEXDATE;VALUE=DATE:20270103",
    ],
)
def test_no_description_shows_the_rule_text(rule: str) -> None:
    for locale in ("nb", "en"):
        described = describe_cadence(rule, locale)
        assert not re.search(r"FREQ|BY[A-Z]+|RRULE|EXDATE|=|;", described), described


# --- occurrences -----------------------------------------------------------------------------


def test_monthly_falls_on_the_last_day_including_february() -> None:
    assert occurrences(MONTHLY, date(2026, 1, 15), date(2026, 1, 1), date(2026, 4, 30)) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    )
    leap = occurrences(MONTHLY, date(2028, 1, 1), date(2028, 2, 1), date(2028, 3, 1))
    assert leap == (date(2028, 2, 29),)


def test_dtstart_is_an_occurrence_only_when_it_matches() -> None:
    assert occurrences(MONTHLY, date(2026, 1, 31), date(2026, 1, 1), date(2026, 2, 28)) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
    )
    assert occurrences(MONTHLY, date(2026, 1, 15), date(2026, 1, 1), date(2026, 1, 30)) == ()


def test_quarterly_counts_quarters_from_dtstart() -> None:
    got = occurrences(QUARTERLY, date(2026, 3, 1), date(2026, 1, 1), date(2027, 3, 31))
    assert got == (
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 3, 31),
    )
    later = occurrences(QUARTERLY, date(2019, 3, 1), date(2026, 5, 1), date(2026, 12, 31))
    assert later == (date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31))


def test_tertial_and_half_year() -> None:
    # The first date is the end of DTSTART's month: tertials ending 30.04 start in April.
    tertial = occurrences(PER_TERTIAL, date(2026, 4, 1), date(2026, 1, 1), date(2026, 12, 31))
    assert tertial == (date(2026, 4, 30), date(2026, 8, 31), date(2026, 12, 31))
    from_january = occurrences(PER_TERTIAL, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    assert from_january == (date(2026, 1, 31), date(2026, 5, 31), date(2026, 9, 30))
    half = occurrences(HALF_YEARLY, date(2026, 6, 1), date(2026, 1, 1), date(2027, 12, 31))
    assert half == (date(2026, 6, 30), date(2026, 12, 31), date(2027, 6, 30), date(2027, 12, 31))


def test_yearly_from_29_february_falls_on_28_february_in_other_years() -> None:
    got = occurrences(YEARLY, date(2028, 2, 29), date(2028, 1, 1), date(2032, 12, 31))
    assert got == (
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    )
    every_other = occurrences(
        EVERY_OTHER_YEAR, date(2028, 2, 29), date(2028, 1, 1), date(2034, 12, 31)
    )
    assert every_other == (
        date(2028, 2, 29),
        date(2030, 2, 28),
        date(2032, 2, 29),
        date(2034, 2, 28),
    )


def test_monthly_from_the_31st_is_clamped_to_short_months() -> None:
    got = occurrences("FREQ=MONTHLY", date(2026, 1, 31), date(2026, 1, 1), date(2026, 5, 31))
    assert got == (
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    )


def test_an_explicit_monthday_is_skipped_where_it_does_not_exist() -> None:
    got = occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 1, 1), date(2026, 1, 1), date(2026, 5, 31)
    )
    assert got == (date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31))


def test_multi_line_sets_merge_rdate_and_drop_exdate() -> None:
    rule = SALES_STATISTICS + "\nRDATE;VALUE=DATE:20270115\nEXDATE;VALUE=DATE:20270420"
    got = occurrences(rule, date(2026, 1, 1), date(2026, 11, 1), date(2027, 12, 31))
    assert got == (
        date(2027, 1, 15),
        date(2027, 1, 20),
        date(2027, 8, 5),
        date(2027, 10, 20),
    )
    plain = occurrences(SALES_STATISTICS, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    assert plain == (date(2026, 1, 20), date(2026, 4, 20), date(2026, 8, 5), date(2026, 10, 20))


def test_rdate_only() -> None:
    rule = "RDATE;VALUE=DATE:20270115,20270615"
    assert occurrences(rule, date(2026, 1, 1), date(2027, 1, 1), date(2027, 3, 1)) == (
        date(2027, 1, 15),
    )


def test_once_is_dtstart_and_nothing_more() -> None:
    assert occurrences(ONCE, date(2026, 5, 4), date(2026, 1, 1), date(2030, 1, 1)) == (
        date(2026, 5, 4),
    )
    assert occurrences(ONCE, date(2026, 5, 4), date(2026, 5, 4), date(2026, 5, 4)) == (
        date(2026, 5, 4),
    )
    assert occurrences(ONCE, date(2026, 5, 4), date(2026, 5, 5), date(2030, 1, 1)) == ()
    assert occurrences(ONCE, date(2026, 5, 4), date(2020, 1, 1), date(2026, 5, 3)) == ()


def test_count_counts_from_dtstart_not_from_the_window() -> None:
    rule = "FREQ=MONTHLY;COUNT=3;BYMONTHDAY=-1"
    assert occurrences(rule, date(2026, 1, 1), date(2026, 2, 1), date(2027, 12, 31)) == (
        date(2026, 2, 28),
        date(2026, 3, 31),
    )
    weekly = "FREQ=WEEKLY;COUNT=2"
    assert occurrences(weekly, date(2026, 1, 5), date(2026, 1, 1), date(2026, 12, 31)) == (
        date(2026, 1, 5),
        date(2026, 1, 12),
    )


def test_until_is_inclusive() -> None:
    rule = "FREQ=MONTHLY;UNTIL=20260331;BYMONTHDAY=-1"
    assert occurrences(rule, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    )


def test_window_bounds_are_inclusive() -> None:
    got = occurrences(MONTHLY, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 31))
    assert got == (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))
    inside = occurrences(MONTHLY, date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 30))
    assert inside == (date(2026, 2, 28),)
    assert occurrences(MONTHLY, date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 1)) == ()


def test_a_window_before_dtstart_is_empty() -> None:
    assert occurrences(WEEKLY, date(2027, 1, 4), date(2026, 1, 1), date(2026, 12, 31)) == ()


def test_weekly_far_from_dtstart() -> None:
    got = occurrences(EVERY_OTHER_WEEK, date(2010, 1, 4), date(2026, 11, 23), date(2026, 12, 31))
    assert got == (date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 28))


def test_rules_with_byday_are_expanded_by_dateutil() -> None:
    rule = "FREQ=MONTHLY;BYDAY=-1FR"
    got = occurrences(rule, date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31))
    assert got == (date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27))


def test_invalid_rules_raise() -> None:
    with pytest.raises(InvalidInput):
        occurrences("FREQ=BLAH", date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))


def test_expansions_are_cached() -> None:
    args = (QUARTERLY, date(2026, 3, 1), date(2026, 1, 1), date(2027, 1, 31))
    assert occurrences(*args) is occurrences(*args)


def _dateutil(rule: str, dtstart: date, start: date, end: date) -> tuple[date, ...]:
    parsed = rrulestr(rule, dtstart=datetime.combine(dtstart, time()), forceset=True)
    window = parsed.between(
        datetime.combine(start, time()), datetime.combine(end, time()), inc=True
    )
    return tuple(d.date() for d in window)


def _random_rule(rng: random.Random) -> str:
    freq = rng.choice(["WEEKLY", "MONTHLY", "YEARLY"])
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.5:
        parts.append(f"INTERVAL={rng.randint(1, 5)}")
    if rng.random() < 0.2:
        parts.append(f"COUNT={rng.randint(1, 12)}")
    elif rng.random() < 0.2:
        parts.append(f"UNTIL=20{rng.randint(24, 30)}{rng.randint(1, 12):02d}15")
    if rng.random() < 0.4:
        months = rng.sample(range(1, 13), rng.randint(1, 4))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    if freq != "WEEKLY" and rng.random() < 0.7:
        days = rng.sample([*range(1, 32), -1, -2, -3], rng.randint(1, 3))
        parts.append("BYMONTHDAY=" + ",".join(map(str, days)))
    return ";".join(parts)


def test_date_arithmetic_agrees_with_dateutil() -> None:
    """The fast expansion must give RFC 5545's (dateutil's) dates wherever clamping is moot."""
    rng = random.Random(5545)
    checked = 0
    for _ in range(1500):
        rule = _random_rule(rng)
        dtstart = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
        if "BYMONTHDAY" not in rule and dtstart.day > 28:
            continue  # month-end clamping: deliberately not RFC 5545
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 3500))
        end = start + timedelta(days=rng.randint(0, 800))
        try:
            normalised = validate_rule(rule)
        except InvalidInput:
            continue  # e.g. BYMONTH=4;BYMONTHDAY=31: no dates at all
        assert occurrences(normalised, dtstart, start, end) == _dateutil(
            rule, dtstart, start, end
        ), (rule, dtstart, start, end)
        checked += 1
    assert checked > 1000


def test_cache_clearing_keeps_results() -> None:
    args = (SALES_STATISTICS, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    before = occurrences(*args)
    cadence.clear_caches()
    assert occurrences(*args) == before
