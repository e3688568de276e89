"""The range checks of a plan request: every problem found at once, in one error.

`PlanRequest` (planner.plan) checks types only; `check_request` checks the values a plan
needs (an exam after the start, some hours, mastery between 0 and 1 ...) and raises a
`PlanInputError` that lists every problem, so a form can show them all together.
"""

from __future__ import annotations

import math

from planner.plan import PlanInputError, PlanRequest

MAX_HOURS_PER_WEEK = 100.0
"""Most hours a week a request may give."""
MAX_SESSION_HOURS = 12.0
"""Longest study session a request may ask for."""


def check_request(request: PlanRequest) -> None:
    """Check the values of a plan request.

    Raises:
        PlanInputError: listing every problem of the request; nothing is raised (and
            None returned) when the request can be planned.
    """
    req, problems = request, []
    if not req.learner.strip():
        problems.append("the learner id is empty")
    if req.exam_date <= req.start:
        problems.append(f"the exam date {req.exam_date} is not after the start {req.start}")
    elif req.exam_date <= req.today:
        problems.append(f"the exam date {req.exam_date} is in the past (today is {req.today})")
    problems += _hour_problems(req)
    numbers = req.blueprint.numbers
    for number, known in sorted(req.mastery.items()):
        if number not in numbers:
            problems.append(
                f"unknown domain {number}: blueprint {req.blueprint.id} has domains "
                + ", ".join(str(n) for n in numbers)
            )
        elif known is not None:
            mean, sd = known
            if not (math.isfinite(mean) and 0 <= mean <= 1):
                problems.append(f"mastery of domain {number} must be between 0 and 1, got {mean:g}")
            if not (math.isfinite(sd) and 0 <= sd <= 1):
                problems.append(f"the sd of domain {number}'s mastery must be 0-1, got {sd:g}")
    if not (math.isfinite(req.session_hours) and 0 < req.session_hours <= MAX_SESSION_HOURS):
        problems.append(
            f"session hours must be more than 0 and at most 12, got {req.session_hours:g}"
        )
    if req.previous is not None:
        if req.previous.learner != req.learner:
            problems.append(
                f"the previous plan is learner {req.previous.learner!r}'s, not {req.learner!r}'s"
            )
        if req.previous.blueprint != req.blueprint.id:
            problems.append(
                f"the previous plan is for blueprint {req.previous.blueprint!r}, "
                f"not {req.blueprint.id!r}"
            )
    if problems:
        raise PlanInputError(problems)


def _hour_problems(req: PlanRequest) -> list[str]:
    """The problems of the hours a request gives: per week or by weekday, one of the two."""
    problems: list[str] = []
    if req.hours_per_week is None and req.hours_by_weekday is None:
        problems.append("no hours given: give hours per week or hours by weekday")
    elif req.hours_per_week is not None and req.hours_by_weekday is not None:
        problems.append("give hours per week or hours by weekday, not both")
    elif req.hours_per_week is not None:
        hours = req.hours_per_week
        if not math.isfinite(hours) or hours <= 0:
            problems.append(f"hours per week must be more than 0, got {hours:g}")
        elif hours > MAX_HOURS_PER_WEEK:
            problems.append(f"hours per week must be at most {MAX_HOURS_PER_WEEK:g}, got {hours:g}")
    else:
        by_day = req.hours_by_weekday or {}
        for day, hours in sorted(by_day.items()):
            if not 0 <= day <= 6:
                problems.append(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
            if not math.isfinite(hours) or not 0 <= hours <= 24:
                problems.append(f"hours on weekday {day} must be 0-24, got {hours:g}")
        total = sum(h for h in by_day.values() if math.isfinite(h))
        if total <= 0:
            problems.append("hours by weekday add up to zero hours a week")
        elif total > MAX_HOURS_PER_WEEK:
            problems.append(f"hours by weekday add up to {total:g}, more than 100 a week")
    return problems
