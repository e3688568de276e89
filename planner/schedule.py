"""Week-by-week sequencing of a study plan: `build_plan(request) -> Plan`.

Time is counted in quarter-hour units (`UNIT`), so every sum of blocks is exact. The steps:

1. Check the request (`check_request`): every problem at once in one `PlanInputError`.
2. Lay out the learner's days: quarter hours per available weekday, none on blackout dates,
   none before `today` and none on or after the exam date; 7-day weeks from the start.
3. Reserve the mixed work: a diagnostic on the first available day when any mastery is
   unknown, interleaved practice sets from week 2, full-length practice exams in the last
   two weeks (required when the plan spans 4+ weeks), a final review on the last day.
4. Share what is left among the domains (`planner.allocation`).
5. Sequence study: foundations (domains 1 and 2) first, then the domains with the most
   hours; each domain is revisited ("review") 1, 3, 7 and 15 weeks after its study ends
   (gaps of 1, 2, 4, 8 weeks) as far as the horizon allows.
6. Pack each week's work onto its days in order, splitting across days where needed.

Re-planning: given `previous`, its weeks that ended before `today` are kept as they were,
and so are the blocks of the current week dated before `today` (history: new blocks only
fill what the week's hours leave after them). The remaining days are planned
from `today` with the request's (current) mastery, so the hours go to what is still weak;
each week is filled only up to what the learner has that week, which spreads missed study
over all remaining weeks instead of piling it on the next one. Domains studied in kept
weeks may get no new hours when time is very short; all others still get study time.

Every invariant of plan-format.md holds for every plan returned; when the hours cannot
hold one (say no week of the last two has the 2 hours of a practice exam), `build_plan`
raises `InsufficientTimeError` saying what is missing rather than break an invariant.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from bank.models import Blueprint
from planner.allocation import STEP_HOURS, allocate_units
from planner.model import ExamModel, build_model
from planner.plan import (
    DOMAIN_KINDS,
    Block,
    InsufficientTimeError,
    Plan,
    PlanInputError,
    PlanRequest,
    Week,
)

UNIT = STEP_HOURS
QUESTIONS_PER_HOUR = {
    "diagnostic": 50,  # untimed, with a look at each answer
    "study": 20,  # reading first, then questions on what was read
    "review": 30,  # retrieval practice on a domain studied earlier
    "practice_set": 50,  # timed, mixed
    "final_review": 30,
}
PRACTICE_EXAM_UNITS = 8  # 2 hours, as the real exam
PRACTICE_EXAM_QUESTIONS = 200
PRACTICE_EXAM_WEEKS = 4  # a plan this long must hold a practice exam in its last two weeks
DIAGNOSTIC_QUESTIONS_PER_DOMAIN = 10
FOUNDATION_DOMAINS = (1, 2)
REVIEW_OFFSETS_WEEKS = (1, 3, 7, 15)
REVIEW_SHARE = 0.08  # of a domain's hours per spaced revisit
MAX_REVIEW_UNITS = 4
FINAL_REVIEW_UNITS = 6
PRACTICE_SET_MIN_WEEK_UNITS = 12  # weeks with less than 3 hours get no practice set
CRAM_DAYS = 7
MAX_HOURS_PER_WEEK = 100.0
MAX_SESSION_HOURS = 12.0
# Weekdays used when only hours per week are given, most preferred first: spread out.
DEFAULT_DAY_ORDER = (5, 1, 3, 6, 0, 2, 4)


def _units(hours: float) -> int:
    return int(hours / UNIT + 1e-9)


def check_request(request: PlanRequest) -> None:
    """Raise `PlanInputError` listing every problem of a request, or return None."""
    req, problems = request, []
    if not req.learner.strip():
        problems.append("the learner id is empty")
    if req.exam_date <= req.start:
        problems.append(f"the exam date {req.exam_date} is not after the start {req.start}")
    elif req.exam_date <= req.today:
        problems.append(f"the exam date {req.exam_date} is in the past (today is {req.today})")
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


def weekday_units(request: PlanRequest) -> list[int]:
    """Quarter hours the learner has on each weekday (0 = Monday)."""
    if request.hours_by_weekday is not None:
        by_day = request.hours_by_weekday
        return [_units(by_day.get(day, 0.0)) for day in range(7)]
    total = _units(request.hours_per_week or 0.0)
    if total == 0:
        return [0] * 7
    n_days = min(7, max(1, round((request.hours_per_week or 0.0) / request.session_hours)), total)
    units = [0] * 7
    for i, day in enumerate(DEFAULT_DAY_ORDER[:n_days]):
        units[day] = total // n_days + (1 if i < total % n_days else 0)
    return units


@dataclass
class _Week:
    index: int
    start: dt.date
    end: dt.date
    days: list[list] = field(default_factory=list)  # [date, units] of available days
    diagnostic: int = 0
    practice_exam: int = 0
    practice_set: int = 0
    final_review: int = 0
    tasks: list[list] = field(default_factory=list)  # [kind, domain, units] in order
    past: list[Block] = field(default_factory=list)  # re-planning: blocks before today

    @property
    def capacity(self) -> int:
        return sum(units for _, units in self.days)

    @property
    def mixed(self) -> int:
        return self.diagnostic + self.practice_exam + self.practice_set + self.final_review


def _new_weeks(request: PlanRequest, first: dt.date, index0: int, from_day: dt.date) -> list[_Week]:
    """7-day weeks from `first` to the day before the exam, with the days one can study."""
    per_day = weekday_units(request)
    blackout = set(request.blackout)
    last = request.exam_date - dt.timedelta(days=1)
    weeks, start, index = [], first, index0
    while start <= last:
        end = min(start + dt.timedelta(days=6), last)
        week = _Week(index=index, start=start, end=end)
        for offset in range((end - start).days + 1):
            day = start + dt.timedelta(days=offset)
            if day >= from_day and day not in blackout and per_day[day.weekday()] > 0:
                week.days.append([day, per_day[day.weekday()]])
        weeks.append(week)
        start, index = end + dt.timedelta(days=1), index + 1
    return weeks


def _reserve_mixed(weeks: list[_Week], n_unknown: int, pe_required: bool, level: int) -> bool:
    """Set each week's mixed work; higher `level`s shrink it when time is short.

    Returns False when a required practice exam finds no week with 2 free hours.
    """
    live = [w for w in weeks if w.capacity > 0]
    for week in weeks:
        week.diagnostic = week.practice_exam = week.practice_set = week.final_review = 0
    if not live:
        return not pe_required
    last = live[-1]
    last.final_review = 1 if level >= 2 else min(FINAL_REVIEW_UNITS, last.days[-1][1])
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


def _study_order(blueprint: Blueprint, units: dict[int, int]) -> list[int]:
    first = [n for n in FOUNDATION_DOMAINS if n in units]
    rest = sorted((n for n in units if n not in first), key=lambda n: (-units[n], n))
    return first + rest


def _sequence(weeks: list[_Week], order: list[int], units: dict[int, int]) -> None:
    """Fill each week's domain time with reviews due, study in order, then early reviews."""
    budgets = [w.capacity - w.mixed for w in weeks]
    # Pass 1: where each domain's study would end if it had no reviews.
    end, p, room = {}, 0, budgets[0] if budgets else 0
    for d in order:
        left = units[d]
        while left:
            while room == 0:
                p += 1
                room = budgets[p]
            take = min(left, room)
            left, room = left - take, room - take
        end[d] = p
    study, reviews = {}, []
    for rank, d in enumerate(order):
        size = min(MAX_REVIEW_UNITS, max(1, round(units[d] * REVIEW_SHARE)))
        offsets = [o for o in REVIEW_OFFSETS_WEEKS if end[d] + o < len(weeks)]
        count = min(len(offsets), (units[d] // 2) // size)
        reviews += [[end[d] + o, rank, d, size] for o in offsets[:count]]
        study[d] = units[d] - count * size
    reviews.sort()
    # Pass 2: the real sequence.
    queue, done = deque(order), {}
    for p, week in enumerate(weeks):
        room = budgets[p]

        def add(kind: str, d: int, n: int, week: _Week = week) -> None:
            if week.tasks and week.tasks[-1][:2] == [kind, d]:
                week.tasks[-1][2] += n
            else:
                week.tasks.append([kind, d, n])

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


@dataclass
class _Focus:
    """Topic progression: each domain's study walks its topics in blueprint order."""

    blueprint: Blueprint
    total: dict[int, int]
    done: dict[int, int] = field(default_factory=dict)

    def study(self, d: int, n: int) -> str:
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
        domain = self.blueprint.domain(d)
        if domain is None or not domain.topics:
            return "recall what was studied"
        return "recall: " + ", ".join(domain.topics)


def _block(kind: str, d: int | None, n: int, day: dt.date, focus: str | None) -> Block:
    hours = n * UNIT
    if kind == "practice_exam":
        questions = PRACTICE_EXAM_QUESTIONS
    else:
        questions = max(1, round(hours * QUESTIONS_PER_HOUR[kind]))
    return Block.model_construct(
        domain=d, kind=kind, hours=hours, questions=questions, date=day, focus=focus
    )


def _pack(week: _Week, focus: _Focus, texts: dict[str, str], studied: set[int]) -> list[Block]:
    """Put a week's work on its days: fixed sittings first, then the tasks in order."""
    days = [[day, units] for day, units in week.days]
    head: dict[dt.date, list[Block]] = {}
    tail: dict[dt.date, list[Block]] = {}
    if week.final_review:
        days[-1][1] -= week.final_review
        day = days[-1][0]
        tail[day] = [_block("final_review", None, week.final_review, day, texts["final"])]
    if week.practice_exam:
        candidates = days[:-1] if week.final_review and len(days) > 1 else days
        chosen = max(reversed(candidates), key=lambda item: item[1])
        need = PRACTICE_EXAM_UNITS
        for item in [chosen, *reversed(days)]:
            take = min(need, item[1])
            item[1], need = item[1] - take, need - take
        day = chosen[0]
        head[day] = [_block("practice_exam", None, PRACTICE_EXAM_UNITS, day, texts["exam"])]
    tasks = [["diagnostic", None, week.diagnostic]] if week.diagnostic else []
    tasks += [list(t) for t in week.tasks]
    studied.update(d for kind, d, _ in week.tasks if kind == "study")
    if week.practice_set:
        tasks.append(["practice_set", None, week.practice_set])
    body: dict[dt.date, list[Block]] = {}
    i = 0
    for task in tasks:
        kind, d, left = task
        while left:
            while days[i][1] == 0:
                i += 1
            take = min(left, days[i][1])
            day = days[i][0]
            if kind == "study":
                text = focus.study(d, take)
            elif kind == "review":
                text = focus.review(d)
            elif kind == "practice_set":
                listed = ", ".join(str(n) for n in sorted(studied))
                text = f"timed, mixed: domains {listed}" if listed else "timed, mixed: all domains"
            else:
                text = texts["diagnostic"]
            body.setdefault(day, []).append(_block(kind, d, take, day, text))
            days[i][1] -= take
            left -= take
    blocks = []
    for day, _ in week.days:
        work = body.get(day, [])
        first = [b for b in work if b.kind == "diagnostic"]  # the diagnostic opens the plan
        rest = [b for b in work if b.kind != "diagnostic"]
        blocks += first + head.get(day, []) + rest + tail.get(day, [])
    return blocks


def _weakest(model: ExamModel, hours: np.ndarray, blueprint: Blueprint, k: int = 3) -> str:
    at_exam = model.exam_mastery(hours)
    ranked = sorted(range(len(model.numbers)), key=lambda i: (at_exam[i], -model.shares[i]))
    names = []
    for i in ranked[:k]:
        domain = blueprint.domain(model.numbers[i])
        names.append(f"{domain.name if domain else 'domain'} ({model.numbers[i]})")
    return "weakest first: " + "; ".join(names)


def _trim_current(request: PlanRequest, week: _Week, past: list[Block]) -> None:
    """Cut the current week's remaining days so past and new blocks fit the week's hours."""
    per_day = weekday_units(request)
    blackout = set(request.blackout)
    full = 0
    for offset in range((week.end - week.start).days + 1):
        day = week.start + dt.timedelta(days=offset)
        if day not in blackout and day < request.exam_date:
            full += per_day[day.weekday()]
    excess = week.capacity - max(0, full - sum(_units(b.hours) for b in past))
    for item in reversed(week.days):
        take = min(max(excess, 0), item[1])
        item[1], excess = item[1] - take, excess - take
    week.days = [item for item in week.days if item[1] > 0]


def build_plan(request: PlanRequest) -> Plan:
    """The learner's plan from today to the exam; see the module docstring for the steps.

    Raises:
        PlanInputError: the request has bad values (every problem listed), or
            `InsufficientTimeError` (a subclass) when the hours cannot hold a plan.
    """
    check_request(request)
    req, blueprint = request, request.blueprint
    numbers = blueprint.numbers
    kept: list[Week] = []
    past: list[Block] = []  # blocks of the current week before today, kept too
    plan_start = first = req.start
    if req.previous is not None:
        plan_start = first = req.previous.start
        kept = [w for w in req.previous.weeks if w.end < req.today]
        if kept:
            first = kept[-1].end + dt.timedelta(days=1)
        current = next((w for w in req.previous.weeks if w.start == first), None)
        if current is not None:
            past = [b for b in current.blocks if b.date is not None and b.date < req.today]
    from_day = max(first, req.today)
    weeks = _new_weeks(req, first, len(kept) + 1, from_day)
    if past and weeks:
        _trim_current(req, weeks[0], past)
    if sum(w.capacity for w in weeks) == 0:
        raise InsufficientTimeError(
            f"no study time between {from_day} and the exam on {req.exam_date}: "
            "check the hours and the blackout dates"
        )
    history = [b for w in kept for b in w.blocks] + past
    studied = {b.domain for b in history if b.kind == "study"}
    unknown = [n for n in numbers if req.mastery.get(n) is None]
    total_weeks = len(kept) + len(weeks)
    last_two_done = [b for w in kept if w.index >= total_weeks - 1 for b in w.blocks]
    if weeks and weeks[0].index >= total_weeks - 1:
        last_two_done += past
    pe_required = total_weeks >= PRACTICE_EXAM_WEEKS and not any(
        b.kind == "practice_exam" for b in last_two_done
    )
    required = sum(1 for n in numbers if n not in studied)
    budget, exam_ok = 0, False
    for level in range(4):
        exam_ok = _reserve_mixed(weeks, len(unknown), pe_required, level)
        budget = sum(w.capacity - w.mixed for w in weeks)
        if exam_ok and budget >= max(required, 1) and all(w.capacity >= w.mixed for w in weeks):
            break
    else:
        if not exam_ok:
            raise InsufficientTimeError(
                "neither of the last two weeks before the exam has the 2 free hours of the "
                "full-length practice exam: add hours or remove blackout dates"
            )
        raise InsufficientTimeError(
            f"too little time before the exam: each of the {len(numbers)} domains needs at "
            "least 15 minutes of study besides the diagnostic, practice exam and final review"
        )
    days_left = (req.exam_date - from_day).days
    model = build_model(blueprint, req.mastery, days_left)
    floors: int | list[int] | None = None
    if budget < len(numbers):  # re-planning with little time: what was studied may get none
        floors = [0 if n in studied else 1 for n in numbers]
    units = dict(zip(numbers, (int(u) for u in allocate_units(model, budget, floors)), strict=True))
    order = [n for n in _study_order(blueprint, units) if units[n]]
    _sequence(weeks, order, units)
    if past and weeks:
        weeks[0].past = past

    hours = np.array([units[n] * UNIT for n in numbers])
    forecast = model.forecast(hours)
    texts = {
        "diagnostic": "measure mastery: domains " + ", ".join(str(n) for n in unknown),
        "exam": "full length, timed, blueprint-weighted: 200 questions in 2 hours",
        "final": _weakest(model, hours, blueprint),
    }
    study_total = {
        d: sum(t[2] for w in weeks for t in w.tasks if t[:2] == ["study", d]) for d in numbers
    }
    focus, seen = _Focus(blueprint, study_total), set(studied)
    new_weeks = []
    for week in weeks:
        blocks = [*week.past, *_pack(week, focus, texts, seen)]
        new_weeks.append(
            Week.model_construct(
                index=week.index,
                start=week.start,
                end=week.end,
                hours=float(sum(b.hours for b in blocks)),
                blocks=blocks,
            )
        )
    allocation = {str(n): units[n] * UNIT for n in numbers}
    for b in history:
        if b.kind in DOMAIN_KINDS and b.domain is not None and str(b.domain) in allocation:
            allocation[str(b.domain)] += b.hours
    warnings = _warnings(req, weeks, kept, unknown, days_left, forecast.scaled, model.passing)
    if req.hours_per_week is not None:
        per_week = float(req.hours_per_week)
    else:
        per_week = float(sum((req.hours_by_weekday or {}).values()))
    return Plan(
        learner=req.learner,
        blueprint=blueprint.id,
        start=plan_start,
        exam_date=req.exam_date,
        hours_per_week=per_week,
        mastery={
            str(n): (None if req.mastery.get(n) is None else req.mastery[n][0]) for n in numbers
        },
        allocation={k: round(v, 2) for k, v in allocation.items()},
        expected_scaled_score=round(forecast.scaled, 1),
        pass_probability=round(forecast.pass_probability, 2),
        weeks=[*kept, *new_weeks],
        warnings=warnings,
    )


def _warnings(
    req: PlanRequest,
    weeks: list[_Week],
    kept: list[Week],
    unknown: list[int],
    days_left: int,
    scaled: float,
    passing: float,
) -> list[str]:
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
