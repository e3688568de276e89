"""What the domain 2 families with figures share: exact rounding, calendar months, option order.

Kept apart from the other domains' helpers so that a domain 2 family changes only with its
own domain. Figures are rounded half up with Decimal (a float 24.95 may be 24.9499...), so a
key is the value a learner gets by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import long_date

FIXED_HOLIDAYS = ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25))


def tenths(value: Decimal) -> Decimal:
    """A value rounded half up to one decimal place."""
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def plus_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day when it is shorter.

    Keys are drawn on days 1-28, where the date always exists; only distractors clamp.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return day.replace(
        year=year, month=month, day=min(day.day, (following - dt.timedelta(days=1)).day)
    )


def is_midweek(day: dt.date) -> bool:
    """A Tuesday, Wednesday or Thursday that is no fixed federal holiday and not Thanksgiving.

    A deadline on such a day cannot be argued to move to the next business day.
    """
    if day.weekday() not in (1, 2, 3) or (day.month, day.day) in FIXED_HOLIDAYS:
        return False
    return not (day.month == 11 and day.weekday() == 3 and 22 <= day.day <= 28)


def date_choice(day: dt.date, why: str, misconception: str | None, origin: dt.date) -> Choice:
    """A date option; its value is the days after `origin`, for order and closeness."""
    return Choice(long_date(day), why, misconception, float((day - origin).days))


def distinct(scenario: Scenario, gap: float = 0.0) -> Scenario:
    """The scenario without distractors that repeat an earlier option or sit within `gap`.

    A distractor whose value lies within `gap` of the key's or of a kept one reads as a
    rounding difference, not as an error, so it goes.
    """
    kept: list[Choice] = []
    for choice in scenario.distractors:
        others = [scenario.key, *kept]
        if any(choice.text == c.text for c in others):
            continue
        if choice.value is not None and any(
            c.value is not None and abs(choice.value - c.value) < gap for c in others
        ):
            continue
        kept.append(choice)
    return replace(scenario, distractors=tuple(kept))


def spread_ranks(rng: random.Random, scenario: Scenario) -> Scenario:
    """The distractors reordered so that the key's rank among four ordered options varies.

    Ordered options put the key where its value falls; when most misconceptions err the
    same way the key would sit first or last every time, a cue. The first three
    distractors (those the builder tries first) take k values below the key and 3 - k
    above it, k drawn with `rng` among the splits the distractors allow; each side keeps
    its order of plausibility and the rest follow.
    """
    key = scenario.key.value or 0.0
    lower = [d for d in scenario.distractors if (d.value or 0.0) < key]
    higher = [d for d in scenario.distractors if (d.value or 0.0) > key]
    low, high = max(0, 3 - len(higher)), min(3, len(lower))
    if low > high:
        return scenario
    k = rng.randint(low, high)
    front = lower[:k] + higher[: 3 - k]
    ordered = [d for d in scenario.distractors if d in front]
    ordered += [d for d in scenario.distractors if d not in front]
    return replace(scenario, distractors=tuple(ordered))
