"""The layout of a plan's calendar: quarter hours per weekday and 7-day draft weeks.

Time is counted in quarter-hour units (`UNIT`), so every sum of blocks is exact. A
`DraftWeek` is the mutable working copy of one week while a plan is built: its available
days, the mixed work reserved in it (`planner.mixed_work`) and,
when re-planning, the blocks of the current week before today.
`planner.packing` turns it into the blocks of a `planner.plan.Week`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.allocation import STEP_HOURS
from planner.plan import Block, BlockKind, PlanRequest

UNIT = STEP_HOURS
"""Hours in one unit of planned time (a quarter hour)."""
DEFAULT_DAY_ORDER = (5, 1, 3, 6, 0, 2, 4)
"""Weekdays used when only hours per week are given, most preferred first: spread out."""


def to_units(hours: float) -> int:
    """Whole quarter hours in `hours`, rounded down (a float's last bit does not lose one)."""
    return int(hours / UNIT + 1e-9)


def weekday_units(request: PlanRequest) -> list[int]:
    """Quarter hours the learner has on each weekday (0 = Monday).

    With only hours per week, the week is cut into sessions of about `session_hours` on
    the days of `DEFAULT_DAY_ORDER`, the first days taking the odd quarter hours.
    """
    if request.hours_by_weekday is not None:
        by_day = request.hours_by_weekday
        return [to_units(by_day.get(day, 0.0)) for day in range(7)]
    total = to_units(request.hours_per_week or 0.0)
    if total == 0:
        return [0] * 7
    n_days = min(7, max(1, round((request.hours_per_week or 0.0) / request.session_hours)), total)
    units = [0] * 7
    for i, day in enumerate(DEFAULT_DAY_ORDER[:n_days]):
        units[day] = total // n_days + (1 if i < total % n_days else 0)
    return units


@dataclass
class DaySlot:
    """A day the learner can study and the quarter hours still free on it."""

    day: dt.date
    units: int


@dataclass
class Task:
    """A run of one kind of work on one domain (None: mixed), in quarter hours."""

    kind: BlockKind
    domain: int | None
    units: int


@dataclass
class DraftWeek:
    """One week while the plan is built; the steps of `build_plan` fill it in turn.

    Attributes:
        index: the week's number in the whole plan, from 1.
        start: its first day.
        end: its last day (the day before the exam for the last week).
        days: the days one can study, in date order, with their free quarter hours.
        diagnostic: quarter hours reserved for the diagnostic.
        practice_exam: quarter hours reserved for a full-length practice exam.
        practice_set: quarter hours reserved for a timed mixed practice set.
        final_review: quarter hours reserved for the final review.
        tasks: domain study and review, in the order they are to be done.
        past: re-planning only: the blocks of the current week dated before today.
    """

    index: int
    start: dt.date
    end: dt.date
    days: list[DaySlot] = field(default_factory=list)
    diagnostic: int = 0
    practice_exam: int = 0
    practice_set: int = 0
    final_review: int = 0
    tasks: list[Task] = field(default_factory=list)
    past: list[Block] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        """Quarter hours the learner has this week."""
        return sum(slot.units for slot in self.days)

    @property
    def mixed(self) -> int:
        """Quarter hours reserved for mixed work (not tied to one domain)."""
        return self.diagnostic + self.practice_exam + self.practice_set + self.final_review


def lay_out_weeks(
    request: PlanRequest, first: dt.date, index0: int, from_day: dt.date
) -> list[DraftWeek]:
    """7-day weeks from `first` to the day before the exam, with the days one can study.

    Args:
        request: gives the hours per weekday, the blackout dates and the exam date.
        first: the first day of the first week.
        index0: the index of the first week (weeks kept from a previous plan come before).
        from_day: no study before this day (today, when re-planning mid-week).
    """
    per_day = weekday_units(request)
    blackout = set(request.blackout)
    last = request.exam_date - dt.timedelta(days=1)
    weeks, start, index = [], first, index0
    while start <= last:
        end = min(start + dt.timedelta(days=6), last)
        week = DraftWeek(index=index, start=start, end=end)
        for offset in range((end - start).days + 1):
            day = start + dt.timedelta(days=offset)
            if day >= from_day and day not in blackout and per_day[day.weekday()] > 0:
                week.days.append(DaySlot(day, per_day[day.weekday()]))
        weeks.append(week)
        start, index = end + dt.timedelta(days=1), index + 1
    return weeks


def trim_current_week(request: PlanRequest, week: DraftWeek, past: list[Block]) -> None:
    """Cut the current week's remaining days so past and new blocks fit the week's hours.

    The hours are taken from the last days first; days left with none are dropped.
    """
    per_day = weekday_units(request)
    blackout = set(request.blackout)
    full = 0
    for offset in range((week.end - week.start).days + 1):
        day = week.start + dt.timedelta(days=offset)
        if day not in blackout and day < request.exam_date:
            full += per_day[day.weekday()]
    excess = week.capacity - max(0, full - sum(to_units(b.hours) for b in past))
    for slot in reversed(week.days):
        take = min(max(excess, 0), slot.units)
        slot.units, excess = slot.units - take, excess - take
    week.days = [slot for slot in week.days if slot.units > 0]
