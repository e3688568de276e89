"""The mixed work of a plan, reserved before the domains share what is left.

Mixed work is not tied to one domain: a diagnostic on the first available day when any
mastery is unknown, interleaved practice sets from week 2, full-length practice exams in the
last two weeks (required when the plan spans `PRACTICE_EXAM_WEEKS` or more weeks) and a final
review on the last day. When time is short `build_plan` asks again with a higher `level`,
and each level gives up some of it (level 1: no practice sets; 2: a token diagnostic and
final review; 3: at most one practice exam, and none unless required).
"""

from __future__ import annotations

import math

from planner.weeks import UNIT, DraftWeek

PRACTICE_EXAM_UNITS = 8
"""A practice exam takes 2 hours, as the real exam does."""
PRACTICE_EXAM_WEEKS = 4
"""A plan this many weeks long must hold a practice exam in its last two weeks."""
DIAGNOSTIC_QUESTIONS_PER_DOMAIN = 10
FINAL_REVIEW_UNITS = 6
PRACTICE_SET_MIN_WEEK_UNITS = 12
"""Weeks with less than 3 hours get no practice set."""


def reserve_mixed_work(
    weeks: list[DraftWeek], n_unknown: int, pe_required: bool, level: int
) -> bool:
    """Set each week's mixed work; higher `level`s (0-3) shrink it when time is short.

    Args:
        weeks: the weeks still to plan; their mixed fields are overwritten.
        n_unknown: how many domains have no known mastery (they need the diagnostic).
        pe_required: a practice exam must go in one of the last two weeks.
        level: how short time is, from 0 (all the mixed work) to 3 (the least).

    Returns:
        False when a required practice exam finds no week with 2 free hours, else True.
    """
    live = [w for w in weeks if w.capacity > 0]
    for week in weeks:
        week.diagnostic = week.practice_exam = week.practice_set = week.final_review = 0
    if not live:
        return not pe_required
    last = live[-1]
    last.final_review = 1 if level >= 2 else min(FINAL_REVIEW_UNITS, last.days[-1].units)
    if n_unknown:
        first = live[0]
        wanted = math.ceil(n_unknown * DIAGNOSTIC_QUESTIONS_PER_DOMAIN / 50 / UNIT)
        room = max(1, (first.capacity - first.mixed) // 3)
        first.diagnostic = 1 if level >= 2 else max(1, min(wanted, room))
    total = weeks[-1].index
    last_two = [w for w in weeks if w.index >= total - 1]
    if pe_required:
        # Penultimate week first (time to act on the result); a second exam only with room
        # to spare and while time is not short.
        placed = 0
        for week in last_two:
            need = PRACTICE_EXAM_UNITS if not placed else PRACTICE_EXAM_UNITS * 3 // 2
            if (not placed or level < 3) and week.capacity - week.mixed >= need:
                week.practice_exam = PRACTICE_EXAM_UNITS
                placed += 1
        if not placed:
            return False
    elif total >= 2 and level < 3:
        # A short plan gets one practice exam near its end when study keeps as much time.
        for week in reversed(last_two):
            if week.capacity - week.mixed >= 2 * PRACTICE_EXAM_UNITS:
                week.practice_exam = PRACTICE_EXAM_UNITS
                break
    if level >= 1:
        return True
    for week in weeks:
        if (
            week.index >= 2
            and not week.practice_exam
            and week.capacity >= PRACTICE_SET_MIN_WEEK_UNITS
        ):
            free = week.capacity - week.mixed
            week.practice_set = max(0, min(4, max(2, week.capacity // 10), free - 4))
    return True
