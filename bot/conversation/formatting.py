"""Dates in words for replies and cards, in the user's language (`fre. 27.11.`, `Uke 48 (...)`).

The words themselves (weekday and month names, the patterns) live in `bot/conversation/texts.py`;
this module
only picks them and fills them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.conversation.texts import text


def _parts(day: date, locale: str | None) -> dict[str, object]:
    return {
        "day": day.day,
        "month": day.month,
        "year": day.year,
        "weekday": text(f"weekday.{day.weekday()}", locale),
        "weekday_short": text(f"weekday.short.{day.weekday()}", locale),
        "month_name": text(f"month.{day.month}", locale),
        "month_short": text(f"month.short.{day.month}", locale),
    }


def due(day: date, locale: str | None) -> str:
    """A due date in a list: `fre. 27.11.` / `Fri 27 Nov`."""
    return text("fmt.due", locale, **_parts(day, locale))


def numeric(day: date, locale: str | None) -> str:
    """A full date: `31.12.2027` / `31 Dec 2027`."""
    return text("fmt.date", locale, **_parts(day, locale))


def day_month(day: date, locale: str | None, *, with_year: bool = False) -> str:
    """`4. desember` (`4. desember 2027`) / `4 December` (`4 December 2027`)."""
    key = "fmt.day_month_year" if with_year else "fmt.day_month"
    return text(key, locale, **_parts(day, locale))


def long(day: date, locale: str | None, *, with_year: bool = False) -> str:
    """`mandag 7. desember` (`... 2026`) / `Monday 7 December` (`... 2026`)."""
    key = "fmt.long_year" if with_year else "fmt.long"
    return text(key, locale, **_parts(day, locale))


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


def week_heading(monday: date, locale: str | None) -> str:
    """`Uke 48 (23.–29. november)`, across months `Uke 49 (30. november–6. desember)`."""
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        span = text(
            "fmt.span_month",
            locale,
            first=monday.day,
            last=sunday.day,
            month_name=text(f"month.{monday.month}", locale),
        )
    else:
        other_year = monday.year != sunday.year
        span = text(
            "fmt.span",
            locale,
            first=day_month(monday, locale, with_year=other_year),
            last=day_month(sunday, locale, with_year=other_year),
        )
    return text("fmt.week", locale, week=monday.isocalendar().week, span=span)


def alternatives(days: Sequence[date], today: date, locale: str | None) -> str:
    """`4. desember eller 11. desember`: the readings of an ambiguous date, to ask back."""
    words = [day_month(d, locale, with_year=d.year != today.year) for d in days]
    if len(words) <= 1:
        return "".join(words)
    return text("fmt.or", locale, first=", ".join(words[:-1]), last=words[-1])


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
