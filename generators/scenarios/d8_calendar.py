"""Calendar arithmetic the domain 8 families share: business days, federal holidays, years.

Deadlines counted in business days ("within 3 business days") are only unambiguous when
no holiday falls in the window, so the families draw start dates whose window holds none
and say in the stem that the office is open Monday through Friday. The federal holidays
are those of 5 U.S.C. 6103, with a Saturday holiday observed on the Friday before and a
Sunday holiday on the Monday after.
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.common import long_date

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday of a month (n = -1 for the last one)."""
    if n > 0:
        day = dt.date(year, month, 1)
        day += dt.timedelta(days=(weekday - day.weekday()) % 7)
        return day + dt.timedelta(weeks=n - 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return end - dt.timedelta(days=(end.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def federal_holidays(year: int) -> set[dt.date]:
    """The observed federal holidays of a year (and New Year's Day of the next)."""
    fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)]
    days = {_observed(dt.date(year, m, d)) for m, d in fixed}
    days.add(_observed(dt.date(year + 1, 1, 1)))
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    }
    return days


def is_business_day(day: dt.date) -> bool:
    """Monday to Friday and no federal holiday."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The n-th business day after `day` (the day itself not counted)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def quiet_start(rng: random.Random, start: dt.date, end: dt.date, span: int = 21) -> dt.date:
    """A business day between start and end with no holiday in the `span` days around it."""
    while True:
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        window = (day + dt.timedelta(days=k) for k in range(-span, span + 1))
        if day.weekday() < 5 and not any(d in federal_holidays(d.year) for d in window):
            return day


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day `years` later (February 29 becomes February 28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def weekday_date(day: dt.date) -> str:
    """A date as a schedule or a deadline writes it: "Thursday, March 4, 2027"."""
    return f"{WEEKDAYS[day.weekday()]}, {long_date(day)}"
