"""Date helpers for the domain 5 deadline families: calendar arithmetic and date options.

A deadline item is only fair when its key cannot be argued: a last day that falls on a
weekend or a federal holiday may move to the next business day under some payer rules, so
the families draw dates whose computed deadline is a Tuesday, Wednesday or Thursday that
is no fixed-date federal holiday and not Thanksgiving (the Monday and Friday holidays and
their observed days never land there).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import draw_date, long_date

FIXED_HOLIDAYS = ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25))


def plus_years(day: dt.date, years: int = 1) -> dt.date:
    """The same month and day `years` later (February 29 becomes February 28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def end_of_month(day: dt.date) -> dt.date:
    """The last day of the month of `day`."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def is_clear_business_day(day: dt.date) -> bool:
    """A Tuesday to Thursday that is no fixed federal holiday and not Thanksgiving."""
    if day.weekday() not in (1, 2, 3) or (day.month, day.day) in FIXED_HOLIDAYS:
        return False
    thanksgiving = day.month == 11 and day.weekday() == 3 and 22 <= day.day <= 28
    return not thanksgiving


def draw_start(
    rng: random.Random,
    start: dt.date,
    end: dt.date,
    deadline: Callable[[dt.date], dt.date],
    last_day_of_month: int = 31,
) -> tuple[dt.date, dt.date]:
    """A start date in [start, end] whose deadline (a function of it) is a clear business day.

    February 29 is never drawn, so "one calendar year later" has one reading; a start on
    a day of the month after `last_day_of_month` is not drawn either (a deadline early
    in its month leaves room for same-month distractors, so the month is no cue).
    """
    while True:
        day = draw_date(rng, start, end)
        if (day.month, day.day) == (2, 29) or day.day > last_day_of_month:
            continue
        last = deadline(day)
        if is_clear_business_day(last):
            return day, last


def date_choice(day: dt.date, why: str, misconception: str | None, origin: dt.date) -> Choice:
    """A date option; its value is days after `origin`, for ordering and closeness."""
    return Choice(long_date(day), why, misconception, float((day - origin).days))


def distinct_dates(scenario: Scenario, rng: random.Random) -> Scenario:
    """The scenario without repeated dates, the key's rank drawn with `rng`.

    Distractors that repeat the key's or another option's date are dropped; then
    `spread_ranks` decides how many of the first three sit before the key.
    """
    seen = {scenario.key.text}
    kept = []
    for choice in scenario.distractors:
        if choice.text not in seen:
            seen.add(choice.text)
            kept.append(choice)
    return spread_ranks(rng, replace(scenario, distractors=tuple(kept)))


def spread_ranks(rng: random.Random, scenario: Scenario) -> Scenario:
    """The distractors reordered so the key's rank among four ordered options varies.

    Ordered options put the key wherever its value falls; when most misconceptions give
    larger (or smaller) values, the key would sit first (or last) every time, a cue. So
    the first three distractors, the ones the builder tries first, take k values below
    the key and 3 - k above it, k drawn with `rng`; each side keeps its plausibility
    order and the rest follow.
    """
    key = scenario.key.value or 0.0
    lower = [d for d in scenario.distractors if (d.value or 0.0) < key]
    higher = [d for d in scenario.distractors if (d.value or 0.0) > key]
    k = rng.randint(max(0, 3 - len(higher)), min(3, len(lower)))
    front = lower[:k] + higher[: 3 - k]
    rest = [d for d in scenario.distractors if d not in front]
    ordered = [d for d in scenario.distractors if d in front] + rest
    return replace(scenario, distractors=tuple(ordered))
