"""The warnings a plan carries: what the learner should know about how it was built."""

from __future__ import annotations

from planner.mixed_work import PRACTICE_EXAM_WEEKS
from planner.plan import PlanRequest, Week
from planner.weeks import DraftWeek

CRAM_DAYS = 7
"""An exam fewer days away than this makes a cram plan."""


def plan_warnings(
    req: PlanRequest,
    weeks: list[DraftWeek],
    kept: list[Week],
    unknown: list[int],
    days_left: int,
    scaled: float,
    passing: float,
) -> list[str]:
    """The plan's warnings, in a fixed order.

    Args:
        req: the request.
        weeks: the newly planned weeks, their mixed work reserved.
        kept: weeks kept from the previous plan (re-planning).
        unknown: domains whose mastery is unknown.
        days_left: days from the first planned day to the exam.
        scaled: the expected scaled score at the exam.
        passing: the passing scaled score.
    """
    out = []
    if days_left < CRAM_DAYS:
        out.append(
            f"cram plan: the exam is {days_left} day(s) away; the hours go to the domains "
            "where a little study gains the most, and rest the night before"
        )
    if unknown:
        text = ", ".join(str(n) for n in unknown)
        out.append(f"mastery unknown for domains {text}: take the diagnostic first, then re-plan")
        where = next((w for w in weeks if w.diagnostic), None)
        if not kept and where is not None and where.index != 1:
            out.append(f"week 1 has no study time; the diagnostic moves to week {where.index}")
    if kept:
        out.append(
            f"re-planned on {req.today}: {len(kept)} past week(s) kept as they were; "
            "the remaining hours go to what is still weak"
        )
    short = 2 <= len(kept) + len(weeks) < PRACTICE_EXAM_WEEKS
    if short and not any(w.practice_exam for w in weeks) and days_left >= CRAM_DAYS:
        out.append("no full-length practice exam: too little time before the exam for one")
    if scaled < passing:
        out.append(
            f"the expected scaled score {scaled:.1f} is below the passing score {passing:g}: "
            "more hours a week or a later exam date would help"
        )
    return out
