"""Working days in Norway: Monday to Friday minus the public holidays, in Europe/Oslo.

The one place that knows which days are working days. Holidays come from the `holidays`
package (Norway, Sundays not counted as holidays: weekends are off anyway). Years are loaded
lazily and cached, so a calendar can be asked about any date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from holidays.countries.norway import Norway

OSLO = ZoneInfo("Europe/Oslo")

_SATURDAY = 5


class NonWorkingDayRule(StrEnum):
    """Where a date that falls on a non-working day is moved."""

    PREVIOUS = "previous"
    NEXT = "next"
    KEEP = "keep"


class WorkingCalendar:
    """Norwegian working days. Cheap to ask repeatedly: holidays are cached per year."""

    def __init__(self, *, extra_days_off: frozenset[date] = frozenset()) -> None:
        self._holidays: dict[date, str] = {}
        self._years: set[int] = set()
        self._extra = extra_days_off
        # Answers already worked out: the scheduler asks the same few hundred days over and
        # over (a tick's ladder steps, a refresh's notices). The days off never change.
        self._on_or_after: dict[date, date] = {}
        self._added: dict[tuple[date, int], date] = {}

    def _load(self, year: int) -> None:
        if year in self._years:
            return
        self._years.add(year)
        for day, name in Norway(years=year, include_sundays=False, language="no").items():
            self._holidays[day] = name

    def holiday_name(self, day: date) -> str | None:
        self._load(day.year)
        return self._holidays.get(day)

    def is_holiday(self, day: date) -> bool:
        self._load(day.year)
        return day in self._holidays or day in self._extra

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def working_day_on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def working_day_on_or_after(self, day: date) -> date:
        found = self._on_or_after.get(day)
        if found is None:
            found = day
            while not self.is_working_day(found):
                found += timedelta(days=1)
            self._on_or_after[day] = found
        return found

    def adjust(self, day: date, rule: NonWorkingDayRule) -> date:
        if rule is NonWorkingDayRule.PREVIOUS:
            return self.working_day_on_or_before(day)
        if rule is NonWorkingDayRule.NEXT:
            return self.working_day_on_or_after(day)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (before it when negative); 0 gives `day`."""
        found = self._added.get((day, count))
        if found is None:
            found = day
            step = 1 if count >= 0 else -1
            remaining = abs(count)
            while remaining:
                found += timedelta(days=step)
                if self.is_working_day(found):
                    remaining -= 1
            self._added[(day, count)] = found
        return found

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` lies after `start`."""
        if end <= start:
            return -self.working_days_between(end, start) if end < start else 0
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def last_working_day_of_month(self, year: int, month: int) -> date:
        first_next = date(year + month // 12, month % 12 + 1, 1)
        return self.working_day_on_or_before(first_next - timedelta(days=1))


def oslo_today(now: datetime) -> date:
    """The calendar date in Oslo at the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(OSLO).date()


def oslo_datetime(day: date, at: time) -> datetime:
    """An aware instant: `day` at wall-clock `at` in Oslo."""
    return datetime.combine(day, at, tzinfo=OSLO)


DEFAULT_CALENDAR = WorkingCalendar()
