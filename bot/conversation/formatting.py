"""Dates and numbers for replies and cards, in the user's language, through Babel (CLDR):
`fre. 27.11.` / `Fri 27 Nov`, `Uke 48 (23.–29. november)`, `1 234` / `1,234`.

Weekday and month names come from CLDR; the patterns below say which parts to show. The few
words around them (`fra … til …`, `Uke …`) are in the catalogue (`bot.conversation.texts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Final

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from bot.conversation.texts import babel_locale, language_of, text


@dataclass(frozen=True, slots=True)
class _Patterns:
    """CLDR date patterns for one language (LDML: `EEE` short weekday, `MMMM` month name …)."""

    due: str
    numeric: str
    day_month: str
    day_month_year: str
    long: str
    long_year: str
    span_first: str
    """The first day of a week within one month, before `span_dash` and the last day."""
    span_dash: str
    """Between the first and the last day of a week that crosses a month."""


_PATTERNS: Final = {
    "nb": _Patterns(
        due="EEE dd.MM.",
        numeric="dd.MM.y",
        day_month="d. MMMM",
        day_month_year="d. MMMM y",
        long="EEEE d. MMMM",
        long_year="EEEE d. MMMM y",
        span_first="d.–",
        span_dash="–",
    ),
    "en": _Patterns(
        due="EEE d MMM",
        numeric="d MMM y",
        day_month="d MMMM",
        day_month_year="d MMMM y",
        long="EEEE d MMMM",
        long_year="EEEE d MMMM y",
        span_first="d–",
        span_dash=" – ",
    ),
}


def _format(day: date, pick: str, locale: str | None) -> str:
    return _formatted(day, pick, language_of(locale))


@lru_cache(maxsize=4096)
def _formatted(day: date, pick: str, language: str) -> str:
    """Babel's formatting of a day, kept: a card shows the same few days again and again, and
    formatting one cost more than the rest of its line."""
    pattern: str = getattr(_PATTERNS[language], pick)
    return format_date(day, pattern, locale=babel_locale(language))


def number(value: int | float | Decimal, locale: str | None) -> str:
    """A count or an amount: `1 234` (with a no-break space) / `1,234`."""
    return str(format_decimal(value, locale=babel_locale(language_of(locale))))


def money(value: Decimal | int, locale: str | None) -> str:
    """Kroner with øre: `kr 1 234,50` / `NOK 1,234.50`."""
    language = language_of(locale)
    amount = format_decimal(value, format="#,##0.00", locale=babel_locale(language))
    return f"kr {amount}" if language == "nb" else f"NOK {amount}"


def percent(share: Decimal | float, locale: str | None) -> str:
    """A share as a percentage with one decimal, rounded half up as people round (Babel
    rounds half to even): `33,4 %` / `33.4%`."""
    rounded = (Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) / 100
    return str(
        format_percent(rounded, format="#,##0.0 %", locale=babel_locale(language_of(locale)))
    )


def due(day: date, locale: str | None) -> str:
    """A due date in a list: `fre. 27.11.` / `Fri 27 Nov`."""
    return _format(day, "due", locale)


def numeric(day: date, locale: str | None) -> str:
    """A full date: `31.12.2027` / `31 Dec 2027`."""
    return _format(day, "numeric", locale)


def day_month(day: date, locale: str | None, *, with_year: bool = False) -> str:
    """`4. desember` (`4. desember 2027`) / `4 December` (`4 December 2027`)."""
    return _format(day, "day_month_year" if with_year else "day_month", locale)


def long(day: date, locale: str | None, *, with_year: bool = False) -> str:
    """`mandag 7. desember` (`... 2026`) / `Monday 7 December` (`... 2026`)."""
    return _format(day, "long_year" if with_year else "long", locale)


def period(start: date, end: date, locale: str | None) -> str:
    """`fra mandag 7. desember til fredag 18. desember 2026`; one day: `mandag 7. desember 2026`."""
    if start == end:
        return text("fmt.on_day", locale, day=long(start, locale, with_year=True))
    return text(
        "fmt.period",
        locale,
        start=long(start, locale, with_year=start.year != end.year),
        end=long(end, locale, with_year=True),
    )


def span(first: date, last: date, locale: str | None) -> str:
    """Days in a row: `23.–29. november`, across months `30. november–6. desember`, across years
    `28. desember 2026–3. januar 2027` / `23–29 November`, `30 November – 6 December`."""
    if (first.year, first.month) == (last.year, last.month):
        return _format(first, "span_first", locale) + day_month(last, locale)
    other_year = first.year != last.year
    dash = _PATTERNS[language_of(locale)].span_dash
    return (
        day_month(first, locale, with_year=other_year)
        + dash
        + day_month(last, locale, with_year=other_year)
    )


def week_heading(monday: date, locale: str | None) -> str:
    """`Uke 48 (23.–29. november)`, across months `Uke 49 (30. november–6. desember)`."""
    sunday = monday + timedelta(days=6)
    return text(
        "fmt.week", locale, week=monday.isocalendar().week, span=span(monday, sunday, locale)
    )


def alternatives(days: Sequence[date], today: date, locale: str | None) -> str:
    """`4. desember eller 11. desember`: the readings of an ambiguous date, to ask back."""
    words = [day_month(d, locale, with_year=d.year != today.year) for d in days]
    if len(words) <= 1:
        return "".join(words)
    return str(format_list(words, style="or", locale=babel_locale(language_of(locale))))


def listing(words: Sequence[str], locale: str | None) -> str:
    """`1, 3 og 5` / `1, 3, and 5`."""
    return str(format_list(list(words), locale=babel_locale(language_of(locale))))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
