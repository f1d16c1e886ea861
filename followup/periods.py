"""Calendar months: the one month arithmetic on dates."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months (back when negative); a day the month lacks
    becomes its last day: 31 January + 1 month = 28 (or 29) February. Raises `ValueError`
    outside years 1 to 9999."""
    return day + relativedelta(months=months)


__all__ = ["add_months"]
