"""Interleaved, spaced study: which domain is studied on which day.

Each domain's quarter hours are spread over the whole plan in blocks of `block` quarter
hours: day by day, the free time goes to the domains furthest behind an even pace (their
share of the free time so far), a domain far behind in a longer block, and a domain a second
time in a day only when no other one is behind. So every week mixes domains, and each domain
comes back every few days until the exam (spaced retrieval; under FSRS-6 a domain studied on
five days running and then left for a month keeps about a fifth less of what was learned than
one revisited every few days).

A domain's first blocks walk its topics ("study"); once `STUDY_SHARE` of its time is done,
its blocks are "review" (retrieval practice on what was studied). Several block sizes are
tried and the one with the highest expected exam score under the fitted model is kept.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.plan import Block
from planner.weeks import UNIT

STUDY_SHARE = 0.6
"""Share of a domain's time that is first-pass study; the rest is spaced review."""
BLOCK_CHOICES = (2, 4)
"""Block sizes (quarter hours) the planner tries: half an hour and an hour."""
QUESTIONS_PER_HOUR_MIXED: Mapping[str, int] = {
    "diagnostic": 50,
    "practice_set": 50,
    "final_review": 30,
}


@dataclass(frozen=True)
class DomainBlock:
    """A domain's share of one day: its kind and quarter hours."""

    domain: int
    kind: str
    units: int


def assign_days(
    free: Sequence[tuple[dt.date, int]],
    units: Mapping[int, int],
    block: int = 2,
    study_share: float = STUDY_SHARE,
) -> dict[dt.date, list[DomainBlock]]:
    """Spread each domain's quarter hours over the free days, interleaved.

    Args:
        free: (date, free quarter hours) of every day with domain time, in date order.
        units: quarter hours per domain; they add up to the free time.
        block: the usual block length in quarter hours.
        study_share: share of a domain's time labelled study (the rest review).

    Returns:
        For each date, its domain blocks in order.
    """
    total = sum(n for _, n in free)
    order = sorted(units)
    left = dict(units)
    done = dict.fromkeys(order, 0)
    study = {d: math.ceil(units[d] * study_share) for d in order}
    out: dict[dt.date, list[DomainBlock]] = {}
    seen = 0
    for day, room in free:
        seen += room
        today: list[DomainBlock] = []
        used: set[int] = set()
        while room:
            live = [d for d in order if left[d]]
            if not live:
                break

            def behind(d: int, seen: int = seen) -> tuple[float, int, int]:
                return (units[d] * seen / max(total, 1) - done[d], left[d], -d)

            # a domain not yet studied today that is behind its pace; else the furthest behind
            fresh = [d for d in live if d not in used and behind(d)[0] > 0] or live
            d = max(fresh, key=behind)
            lag = math.floor(behind(d)[0])
            take = min(max(block, lag), room, left[d])
            if left[d] - take == 1 and room - take >= 1:  # no lone quarter hour left over
                take += 1
            kind = "study" if done[d] < study[d] else "review"
            if today and today[-1].domain == d and today[-1].kind == kind:
                today[-1] = DomainBlock(d, kind, today[-1].units + take)
            else:
                today.append(DomainBlock(d, kind, take))
            used.add(d)
            left[d] -= take
            done[d] += take
            room -= take
        if today:
            out[day] = today
    if any(left.values()):  # cannot happen: the units add up to the free time
        raise AssertionError("interleaving left domain time unplaced")
    return out


def sessions_of(
    blocks: Sequence[Block],
    numbers: Sequence[int],
    shares: Sequence[float],
    first: dt.date,
) -> list[list[tuple[int, float]]]:
    """Per domain, its study days as (day from `first`, questions) for the exam model.

    Mixed blocks (diagnostic, practice sets and exams, final review) count as practice of
    every domain in proportion to its blueprint share.
    """
    index = {n: i for i, n in enumerate(numbers)}
    per: list[dict[int, float]] = [{} for _ in numbers]
    for b in blocks:
        if b.date is None or b.date < first:
            continue
        day = (b.date - first).days
        if b.domain is not None:
            i = index[b.domain]
            per[i][day] = per[i].get(day, 0.0) + b.questions
        else:
            for i, share in enumerate(shares):
                per[i][day] = per[i].get(day, 0.0) + b.questions * share
    return [sorted(p.items()) for p in per]


def block_hours(n: int) -> float:
    """Hours of `n` quarter hours."""
    return n * UNIT
