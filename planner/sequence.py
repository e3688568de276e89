"""Study sequencing: which domain is studied in which week, and when it is revisited.

Foundations (domains 1 and 2) come first, then the domains with the most hours. Each domain
is revisited ("review") 1, 3, 7 and 15 weeks after its study ends (gaps of 1, 2, 4, 8 weeks)
as far as the horizon allows; each revisit takes `REVIEW_SHARE` of the domain's hours (at
most `MAX_REVIEW_UNITS`) and at most half of them go to revisits.
"""

from __future__ import annotations

from collections import deque

from planner.plan import BlockKind
from planner.weeks import DraftWeek, Task

FOUNDATION_DOMAINS = (1, 2)
"""Domains studied before all others: what the rest builds on."""
REVIEW_OFFSETS_WEEKS = (1, 3, 7, 15)
"""Weeks after a domain's study ends when it is revisited."""
REVIEW_SHARE = 0.08
"""Share of a domain's hours per spaced revisit."""
MAX_REVIEW_UNITS = 4


def study_order(units: dict[int, int]) -> list[int]:
    """The order domains are studied in: foundations, then by hours (most first), then number."""
    first = [n for n in FOUNDATION_DOMAINS if n in units]
    rest = sorted((n for n in units if n not in first), key=lambda n: (-units[n], n))
    return first + rest


def sequence_study(weeks: list[DraftWeek], order: list[int], units: dict[int, int]) -> None:
    """Fill each week's domain time with reviews due, study in order, then early reviews.

    Args:
        weeks: the weeks, their mixed work reserved; their `tasks` are filled in.
        order: the domains in study order (`study_order`), each with some `units`.
        units: quarter hours of study and review per domain; they add up to the weeks'
            free time (capacity less mixed work).
    """
    budgets = [w.capacity - w.mixed for w in weeks]
    # Pass 1: where each domain's study would end if it had no reviews.
    end: dict[int, int] = {}
    p, room = 0, budgets[0] if budgets else 0
    for d in order:
        left = units[d]
        while left:
            while room == 0:
                p += 1
                room = budgets[p]
            take = min(left, room)
            left, room = left - take, room - take
        end[d] = p
    study: dict[int, int] = {}
    reviews: list[list[int]] = []  # [week due, rank, domain, units left], mutated as placed
    for rank, d in enumerate(order):
        size = min(MAX_REVIEW_UNITS, max(1, round(units[d] * REVIEW_SHARE)))
        offsets = [o for o in REVIEW_OFFSETS_WEEKS if end[d] + o < len(weeks)]
        count = min(len(offsets), (units[d] // 2) // size)
        reviews += [[end[d] + o, rank, d, size] for o in offsets[:count]]
        study[d] = units[d] - count * size
    reviews.sort()
    # Pass 2: the real sequence.
    queue: deque[int] = deque(order)
    done: dict[int, int] = {}  # domain -> week its study ended
    for p, week in enumerate(weeks):
        room = budgets[p]

        def add(kind: BlockKind, d: int, n: int, week: DraftWeek = week) -> None:
            last = week.tasks[-1] if week.tasks else None
            if last is not None and last.kind == kind and last.domain == d:
                last.units += n
            else:
                week.tasks.append(Task(kind, d, n))

        for review in reviews:
            due, _, d, left = review
            if room and left and due <= p and done.get(d, p) < p:
                take = min(left, room)
                add("review", d, take)
                review[3], room = left - take, room - take
        while queue and room:
            d = queue[0]
            take = min(study[d], room)
            add("study", d, take)
            study[d], room = study[d] - take, room - take
            if study[d] == 0:
                done[d] = p
                queue.popleft()
        for review in reviews:
            _, _, d, left = review
            if room and left and d in done:
                take = min(left, room)
                add("review", d, take)
                review[3], room = left - take, room - take
        reviews = [r for r in reviews if r[3]]
    if queue or reviews:  # cannot happen: domain time equals the weeks' free time
        raise AssertionError("sequencing left domain time unplaced")
