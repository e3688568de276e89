"""Packing a week's work onto its days, as the blocks of the plan.

Fixed sittings go first: the final review at the end of the last day and the practice
exam at the start of the longest day (not the final review's day when there is another).
Then the diagnostic, the domain tasks in their sequenced order and the practice set fill
the days in date order, a task split across days where a day runs out. Each block gets a
question target from its hours and a focus text: study walks its domain's topics in
blueprint order, so consecutive study blocks of a domain name consecutive topics.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from bank.models import Blueprint
from planner.mixed_work import PRACTICE_EXAM_UNITS
from planner.plan import Block, BlockKind
from planner.weeks import UNIT, DaySlot, DraftWeek, Task

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


def pack_week(
    week: DraftWeek, focus: TopicFocus, texts: dict[str, str], studied: set[int]
) -> list[Block]:
    """Put a week's work on its days: fixed sittings first, then the tasks in order.

    Args:
        week: the week with its mixed work and tasks.
        focus: the topic progression, shared by all weeks of the plan (updated).
        texts: focus texts of the mixed blocks: "diagnostic", "exam" and "final".
        studied: domains studied so far, for the practice set's focus; this week's study
            is added to it.

    Returns:
        The week's blocks in date order; within a day the diagnostic first, then the
        practice exam, the other work and the final review.
    """
    days = [DaySlot(slot.day, slot.units) for slot in week.days]
    head: dict[dt.date, list[Block]] = {}
    tail: dict[dt.date, list[Block]] = {}
    if week.final_review:
        days[-1].units -= week.final_review
        day = days[-1].day
        tail[day] = [make_block("final_review", None, week.final_review, day, texts["final"])]
    if week.practice_exam:
        candidates = days[:-1] if week.final_review and len(days) > 1 else days
        chosen = max(reversed(candidates), key=lambda slot: slot.units)
        need = PRACTICE_EXAM_UNITS
        for slot in [chosen, *reversed(days)]:
            take = min(need, slot.units)
            slot.units, need = slot.units - take, need - take
        day = chosen.day
        head[day] = [make_block("practice_exam", None, PRACTICE_EXAM_UNITS, day, texts["exam"])]
    tasks = [Task("diagnostic", None, week.diagnostic)] if week.diagnostic else []
    tasks += week.tasks
    studied.update(t.domain for t in week.tasks if t.kind == "study" and t.domain is not None)
    if week.practice_set:
        tasks.append(Task("practice_set", None, week.practice_set))
    body: dict[dt.date, list[Block]] = {}
    i = 0
    for task in tasks:
        kind, d, left = task.kind, task.domain, task.units
        while left:
            while days[i].units == 0:
                i += 1
            take = min(left, days[i].units)
            day = days[i].day
            if kind == "study":
                assert d is not None  # sequence_study gives every study task its domain
                text = focus.study(d, take)
            elif kind == "review":
                assert d is not None
                text = focus.review(d)
            elif kind == "practice_set":
                listed = ", ".join(str(n) for n in sorted(studied))
                text = f"timed, mixed: domains {listed}" if listed else "timed, mixed: all domains"
            else:
                text = texts["diagnostic"]
            body.setdefault(day, []).append(make_block(kind, d, take, day, text))
            days[i].units -= take
            left -= take
    blocks = []
    for slot in week.days:
        work = body.get(slot.day, [])
        first = [b for b in work if b.kind == "diagnostic"]  # the diagnostic opens the plan
        rest = [b for b in work if b.kind != "diagnostic"]
        blocks += first + head.get(slot.day, []) + rest + tail.get(slot.day, [])
    return blocks
