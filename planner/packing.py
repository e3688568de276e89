"""Packing a week's work onto its days, as the blocks of the plan.

Mixed sittings go first (`mixed_sittings`): the final review at the end of the last day, the
practice exam at the start of the longest day (not the final review's day when there is
another), the diagnostic on the first days and the practice set on the last ones. The domain
blocks that planner.interleave assigned to each day fill what is left (`pack_week`). Each
block gets a question target from its hours and a focus text: study walks its domain's topics
in blueprint order, so consecutive study blocks of a domain name consecutive topics.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bank.models import Blueprint
from planner.interleave import DomainBlock
from planner.mixed_work import PRACTICE_EXAM_UNITS
from planner.plan import Block, BlockKind
from planner.weeks import UNIT, DaySlot, DraftWeek

QUESTIONS_PER_HOUR: dict[str, int] = {
    "diagnostic": 50,  # untimed, with a look at each answer
    "study": 20,  # reading first, then questions on what was read
    "review": 30,  # retrieval practice on a domain studied earlier
    "practice_set": 50,  # timed, mixed
    "final_review": 30,
}
PRACTICE_EXAM_QUESTIONS = 200


@dataclass
class TopicFocus:
    """Topic progression: each domain's study walks its topics in blueprint order.

    Attributes:
        blueprint: gives each domain's name and topics.
        total: quarter hours of study each domain gets in the weeks being packed.
        done: quarter hours of study already packed per domain (updated by `study`).
    """

    blueprint: Blueprint
    total: dict[int, int]
    done: dict[int, int] = field(default_factory=dict)

    def study(self, d: int, n: int) -> str:
        """The topics of domain `d` covered by its next `n` quarter hours of study."""
        domain = self.blueprint.domain(d)
        topics = domain.topics if domain else []
        start = self.done.get(d, 0)
        self.done[d] = start + n
        if not topics:
            return domain.name if domain else f"domain {d}"
        k, total = len(topics), max(self.total[d], 1)
        first = min(k - 1, start * k // total)
        last = min(k - 1, max(first, math.ceil((start + n) * k / total) - 1))
        return ", ".join(topics[first : last + 1])

    def review(self, d: int) -> str:
        """The focus of a revisit of domain `d`: all of its topics."""
        domain = self.blueprint.domain(d)
        if domain is None or not domain.topics:
            return "recall what was studied"
        return "recall: " + ", ".join(domain.topics)


def make_block(kind: BlockKind, d: int | None, n: int, day: dt.date, focus: str | None) -> Block:
    """A block of `n` quarter hours, with its question target.

    Built with `model_construct` (no validation): every field comes from checked values.
    """
    hours = n * UNIT
    if kind == "practice_exam":
        questions = PRACTICE_EXAM_QUESTIONS
    else:
        questions = max(1, round(hours * QUESTIONS_PER_HOUR[kind]))
    return Block.model_construct(
        domain=d, kind=kind, hours=hours, questions=questions, date=day, focus=focus
    )


def mixed_sittings(
    week: DraftWeek, texts: dict[str, str], studied: set[int]
) -> tuple[dict[dt.date, list[Block]], dict[dt.date, list[Block]], list[tuple[dt.date, int]]]:
    """Place a week's mixed work on its days; return (head, tail, free days).

    The final review ends the last day; the diagnostic takes the first days; the practice
    exam goes on the longest day that holds the whole sitting (not the final review's day
    when another does; after the diagnostic on a day they share); the timed practice set
    takes the last days. `head` blocks open a day and `tail` blocks close it;
    the free days are what is left for domain blocks, (date, quarter hours) in date order.
    """
    days = [DaySlot(slot.day, slot.units) for slot in week.days]
    head: dict[dt.date, list[Block]] = {}
    tail: dict[dt.date, list[Block]] = {}
    if week.final_review:
        days[-1].units -= week.final_review
        day = days[-1].day
        tail[day] = [make_block("final_review", None, week.final_review, day, texts["final"])]
    # The diagnostic first, on the first days, so that it opens the plan; then the practice
    # exam, one sitting, on the longest day that holds all of it (not the final review's day
    # when another will do).
    left = week.diagnostic
    for slot in days:
        take = min(left, slot.units)
        if take:
            slot.units, left = slot.units - take, left - take
            block = make_block("diagnostic", None, take, slot.day, texts["diagnostic"])
            head[slot.day] = [block]
    if week.practice_exam:
        others = days[:-1] if week.final_review and len(days) > 1 else days
        need = PRACTICE_EXAM_UNITS
        fits = [s for s in others if s.units >= need] or [s for s in days if s.units >= need]
        chosen = max(reversed(fits or others), key=lambda slot: slot.units)
        for slot in [chosen, *reversed(days)]:
            take = min(need, slot.units)
            slot.units, need = slot.units - take, need - take
        day = chosen.day
        exam = make_block("practice_exam", None, PRACTICE_EXAM_UNITS, day, texts["exam"])
        head[day] = [*head.get(day, []), exam]
    left = week.practice_set
    listed = ", ".join(str(n) for n in sorted(studied))
    text = f"timed, mixed: domains {listed}" if listed else "timed, mixed: all domains"
    for slot in reversed(days):
        take = min(left, slot.units)
        if take:
            slot.units, left = slot.units - take, left - take
            block = make_block("practice_set", None, take, slot.day, text)
            tail[slot.day] = [block, *tail.get(slot.day, [])]
    return head, tail, [(slot.day, slot.units) for slot in days if slot.units > 0]


def pack_week(
    week: DraftWeek,
    head: dict[dt.date, list[Block]],
    tail: dict[dt.date, list[Block]],
    assigned: Mapping[dt.date, Sequence[DomainBlock]],
    focus: TopicFocus,
) -> list[Block]:
    """A week's blocks in date order: each day's head, its domain blocks, then its tail.

    Args:
        week: the week (its days give the order).
        head: the mixed sittings that open a day (:func:`mixed_sittings`).
        tail: the mixed sittings that close a day.
        assigned: the domain blocks of each day (planner.interleave.assign_days).
        focus: the topic progression, shared by all weeks of the plan (updated).
    """
    blocks: list[Block] = []
    for slot in week.days:
        day = slot.day
        work = []
        for part in assigned.get(day, ()):
            kind: BlockKind = "study" if part.kind == "study" else "review"
            if kind == "study":
                text = focus.study(part.domain, part.units)
            else:
                text = focus.review(part.domain)
            work.append(make_block(kind, part.domain, part.units, day, text))
        blocks += head.get(day, []) + work + tail.get(day, [])
    return blocks
