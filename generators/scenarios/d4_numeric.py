"""Domain 4 family: filing charts by number in terminal-digit and middle-digit order.

Cognitive model (note d4-numeric-filing): a six-digit chart number is read in pairs; in
terminal-digit order the last pair picks the section, the middle pair the place in it
and the first pair the final order (`terminal-digit-order`); in middle-digit order the
middle pair comes first, then the first pair, then the last (`middle-digit-order`).

Item models:
- terminal-section: the primary digits (section) a chart goes to under terminal-digit
  filing; distractors are the first pair (straight numeric reading), the middle pair
  (middle-digit reading) and the last pair reversed.
- middle-digit-section: the section under middle-digit filing; distractors are the last
  pair (terminal-digit reading), the first pair and the middle pair reversed.
- terminal-first-filed: four chart numbers; the key is the one filed first in
  terminal-digit order. Distractors are the first in straight numeric order, the first
  in middle-digit order and the first when the middle pair is skipped (last pair, then
  first pair).

Variables: chart numbers of three two-digit pairs 00-99 (distinct pairs in the section
models, and no pair that reads the same reversed); patient (common.person); clinician
(common.CLINICIANS).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, person

Chart = tuple[int, int, int]


def label(chart: Chart) -> str:
    """A chart number as written on the folder: "48-27-63"."""
    return "-".join(f"{pair:02d}" for pair in chart)


def terminal(chart: Chart) -> Chart:
    """Terminal-digit sort key: last pair, middle pair, first pair."""
    return (chart[2], chart[1], chart[0])


def middle_digit(chart: Chart) -> Chart:
    """Middle-digit sort key: middle pair, first pair, last pair."""
    return (chart[1], chart[0], chart[2])


def _skipped_middle(chart: Chart) -> Chart:
    return (chart[2], chart[0], chart[1])


def _reverse(pair: int) -> int:
    return int(f"{pair:02d}"[::-1])


def _pair(rng: random.Random, avoid: set[int]) -> int:
    while True:
        pair = rng.randrange(100)
        if pair not in avoid and _reverse(pair) != pair and _reverse(pair) not in avoid:
            return pair


def _section(rng: random.Random, middle: bool) -> Scenario:
    a = _pair(rng, set())
    b = _pair(rng, {a})
    c = _pair(rng, {a, b})
    chart = (a, b, c)
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    system = "middle-digit" if middle else "terminal-digit"
    key_pair = b if middle else c
    wrong = [
        Choice(
            f"{a:02d}",
            f"{a:02d} is the first pair, read left to right as in straight numeric filing; "
            f"{system} filing starts elsewhere.",
            "read-left-to-right",
            a,
        ),
        Choice(
            f"{c:02d}" if middle else f"{b:02d}",
            (
                f"{c:02d} is the last pair, the section in terminal-digit filing; "
                "middle-digit filing starts with the middle pair."
            )
            if middle
            else (
                f"{b:02d} is the middle pair, the section in middle-digit filing; "
                "terminal-digit filing starts with the last pair."
            ),
            "terminal-for-middle" if middle else "middle-for-terminal",
            c if middle else b,
        ),
        Choice(
            f"{_reverse(key_pair):02d}",
            f"{_reverse(key_pair):02d} reverses the digits of the pair; the pair is read as "
            f"written, {key_pair:02d}.",
            "reversed-pair",
            _reverse(key_pair),
        ),
    ]
    which = "middle pair" if middle else "last pair (the primary digits)"
    return Scenario(
        family=NumericFiling.id,
        model="middle-digit-section" if middle else "terminal-section",
        stem=(
            f"{clinician}'s office files charts in {system} order. The chart of "
            f"{patient}, a new patient, is numbered {label(chart)}. Which two digits name "
            "the section of the file the chart goes to?"
        ),
        key=Choice(
            f"{key_pair:02d}",
            f"In {system} filing the {which} names the section: {key_pair:02d}.",
            None,
            key_pair,
        ),
        distractors=tuple(wrong),
        rules=("middle-digit-order",) if middle else ("terminal-digit-order",),
        steps=1,
        bloom="apply",
        variables={"chart": label(chart), "patient": patient, "clinician": clinician},
        ordered=True,
    )


def _charts(rng: random.Random) -> tuple[Chart, Chart, Chart, Chart]:
    """Key, skipped-middle, straight and middle-digit charts, built to differ as named."""
    t = rng.randrange(5, 40)
    a_key, a_skip = rng.randrange(50, 95), rng.randrange(20, 45)
    b_key = rng.randrange(30, 60)
    b_skip = rng.randrange(b_key + 5, 95)
    straight = (rng.randrange(0, a_skip - 5), rng.randrange(40, 95), rng.randrange(t + 20, 99))
    middle = (rng.randrange(a_skip, 99), rng.randrange(0, 25), rng.randrange(t + 20, 99))
    return (a_key, b_key, t), (a_skip, b_skip, t), straight, middle


def _first_filed(rng: random.Random) -> Scenario:
    key, skip, straight, middle = _charts(rng)
    charts = [key, skip, straight, middle]
    firsts: dict[str, Callable[[Chart], Chart]] = {
        "terminal": terminal,
        "skipped-middle": _skipped_middle,
        "straight": lambda c: c,
        "middle-digit": middle_digit,
    }
    found = {name: min(charts, key=f) for name, f in firsts.items()}
    if found != {
        "terminal": key,
        "skipped-middle": skip,
        "straight": straight,
        "middle-digit": middle,
    }:
        raise AssertionError(f"chart set does not separate the orders: {charts}")
    clinician = rng.choice(CLINICIANS)
    same = f"{key[2]:02d}"
    wrong = (
        Choice(
            label(skip),
            f"{label(skip)} shares section {same}, but inside a section the middle pair "
            f"decides before the first pair: {key[1]:02d} comes before {skip[1]:02d}.",
            "skipped-secondary-digits",
        ),
        Choice(
            label(straight),
            f"{label(straight)} has the lowest first pair, which decides in straight "
            f"numeric filing; its last pair, {straight[2]:02d}, puts it after section {same}.",
            "straight-numeric-order",
        ),
        Choice(
            label(middle),
            f"{label(middle)} has the lowest middle pair, which decides in middle-digit "
            f"filing; its last pair, {middle[2]:02d}, puts it after section {same}.",
            "middle-digit-order",
        ),
    )
    return Scenario(
        family=NumericFiling.id,
        model="terminal-first-filed",
        stem=(
            f"{clinician}'s office files charts in terminal-digit order. Four charts are "
            "waiting on the filing cart. Which chart number is filed first?"
        ),
        key=Choice(
            label(key),
            f"{label(key)} is in section {same}, the lowest last pair of the four, and its "
            f"middle pair {key[1]:02d} places it ahead of {label(skip)} within that section.",
        ),
        distractors=wrong,
        rules=("terminal-digit-order",),
        steps=2,
        bloom="analyze",
        variables={"charts": [label(c) for c in charts], "clinician": clinician},
    )


class NumericFiling:
    """Where a numbered chart is filed under terminal-digit and middle-digit order."""

    id = "d4-numeric-filing"
    domain = 4
    topic = "filing systems"
    models: tuple[str, ...] = ("terminal-section", "middle-digit-section", "terminal-first-filed")
    rules: tuple[str, ...] = ("terminal-digit-order", "middle-digit-order")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One filing task of `model`, its chart numbers drawn with `rng`."""
        if model == "terminal-first-filed":
            return _first_filed(rng)
        return _section(rng, middle=model == "middle-digit-section")


FAMILIES = (NumericFiling(),)
