"""Week-by-week sequencing of a study plan: `build_plan(request) -> Plan`.

Time is counted in quarter-hour units (`planner.weeks.UNIT`), so every sum of blocks is
exact. The steps, each in the module named for it:

1. Check the request (`planner.request_checks.check_request`): every problem at once in one
   `PlanInputError`.
2. Lay out the learner's days (`planner.weeks`): quarter hours per available weekday, none
   on blackout dates, none before `today` and none on or after the exam date; 7-day weeks
   from the start.
3. Reserve the mixed work (`planner.mixed_work`): a diagnostic on the first available day
   when any mastery is unknown, interleaved practice sets from week 2, full-length practice
   exams in the last two weeks (required when the plan spans 4+ weeks), a final review on
   the last day.
4. Place the mixed sittings on their days (`planner.packing.mixed_sittings`) and share the
   free time left among the domains (`planner.allocation`, under the fitted model of
   `planner.model`: learning curve and FSRS-6 forgetting).
5. Interleave and space the domains (`planner.interleave`): every domain comes back every few
   days until the exam, several domains a day; the block size with the highest expected exam
   score is kept. A domain's first 60% is "study" (walking its topics), the rest "review".
6. Pack each day's blocks (`planner.packing.pack_week`), forecast the exam with every
   uncertainty drawn (`ExamModel.forecast`) and say what the learner should know
   (`planner.plan_warnings`).

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

from bank.models import Blueprint
from planner.allocation import allocate_units
from planner.interleave import BLOCK_CHOICES, DomainBlock, assign_days, sessions_of
from planner.mixed_work import PRACTICE_EXAM_WEEKS, reserve_mixed_work
from planner.model import ExamModel, Sessions, build_model
from planner.packing import TopicFocus, make_block, mixed_sittings, pack_week
from planner.plan import DOMAIN_KINDS, Block, InsufficientTimeError, Plan, PlanRequest, Week
from planner.plan_warnings import plan_warnings
from planner.request_checks import check_request
from planner.weeks import UNIT, DraftWeek, lay_out_weeks, trim_current_week

__all__ = ["build_plan", "check_request"]


def build_plan(request: PlanRequest) -> Plan:
    """The learner's plan from today to the exam; see the module docstring for the steps.

    Args:
        request: the learner's situation; with `previous`, a re-plan of that plan.

    Returns:
        The plan, every invariant of plan-format.md kept.

    Raises:
        PlanInputError: the request has bad values (every problem listed), or
            `InsufficientTimeError` (a subclass) when the hours cannot hold a plan.
    """
    check_request(request)
    req, blueprint = request, request.blueprint
    numbers = blueprint.numbers
    plan_start, first, kept, past = _kept_from_previous(req)
    from_day = max(first, req.today)
    weeks = lay_out_weeks(req, first, len(kept) + 1, from_day)
    if past and weeks:
        trim_current_week(req, weeks[0], past)
    if sum(w.capacity for w in weeks) == 0:
        raise InsufficientTimeError(
            f"no study time between {from_day} and the exam on {req.exam_date}: "
            "check the hours and the blackout dates"
        )
    history = [b for w in kept for b in w.blocks] + past
    studied = {b.domain for b in history if b.kind == "study" and b.domain is not None}
    unknown = [n for n in numbers if req.mastery.get(n) is None]
    total_weeks = len(kept) + len(weeks)
    last_two_done = [b for w in kept if w.index >= total_weeks - 1 for b in w.blocks]
    if weeks and weeks[0].index >= total_weeks - 1:
        last_two_done += past
    pe_required = total_weeks >= PRACTICE_EXAM_WEEKS and not any(
        b.kind == "practice_exam" for b in last_two_done
    )
    required = sum(1 for n in numbers if n not in studied)
    budget = _reserve_within_time(weeks, len(unknown), pe_required, required, len(numbers))
    days_left = (req.exam_date - from_day).days
    model = build_model(blueprint, req.mastery, days_left)
    floors: int | list[int] | None = None
    if budget < len(numbers):  # re-planning with little time: what was studied may get none
        floors = [0 if n in studied else 1 for n in numbers]
    placeholder = {"diagnostic": "", "exam": "", "final": ""}
    layout = [mixed_sittings(week, placeholder, set()) for week in weeks]
    free = [slot for _, _, days in layout for slot in days]
    mixed = [
        b for head, tail, _ in layout for part in (head, tail) for bs in part.values() for b in bs
    ]
    day_index = [(day - from_day).days for day, _ in free]
    counts = allocate_units(model, budget, floors, day_index)
    units = dict(zip(numbers, (int(u) for u in counts), strict=True))
    assigned, sessions = _best_interleaving(model, free, units, mixed, from_day)
    if past and weeks:
        weeks[0].past = past

    forecast = model.forecast(sessions)
    texts = {
        "diagnostic": "measure mastery: domains " + ", ".join(str(n) for n in unknown),
        "exam": "full length, timed, blueprint-weighted: 200 questions in 2 hours",
        "final": _weakest(model, sessions, blueprint),
    }
    study_total = dict.fromkeys(numbers, 0)
    for parts in assigned.values():
        for part in parts:
            if part.kind == "study":
                study_total[part.domain] += part.units
    focus, seen = TopicFocus(blueprint, study_total), set(studied)
    new_weeks = []
    for week in weeks:
        seen.update(
            p.domain for slot in week.days for p in assigned.get(slot.day, ()) if p.kind == "study"
        )
        head, tail, _ = mixed_sittings(week, texts, seen)
        blocks = [*week.past, *pack_week(week, head, tail, assigned, focus)]
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
    warnings = plan_warnings(req, weeks, kept, unknown, days_left, forecast.scaled, model.passing)
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
            str(n): (None if (known := req.mastery.get(n)) is None else known[0]) for n in numbers
        },
        allocation={k: round(v, 2) for k, v in allocation.items()},
        expected_scaled_score=round(forecast.scaled, 1),
        pass_probability=round(forecast.pass_probability, 2),
        weeks=[*kept, *new_weeks],
        warnings=warnings,
        pass_interval=[round(forecast.pass_low, 2), round(forecast.pass_high, 2)],
    )


def _kept_from_previous(req: PlanRequest) -> tuple[dt.date, dt.date, list[Week], list[Block]]:
    """What re-planning keeps: (plan start, first day to plan, kept weeks, past blocks).

    Without a previous plan nothing is kept and planning starts at the request's start.
    The past blocks are those of the current week dated before today.
    """
    if req.previous is None:
        return req.start, req.start, [], []
    plan_start = first = req.previous.start
    kept = [w for w in req.previous.weeks if w.end < req.today]
    if kept:
        first = kept[-1].end + dt.timedelta(days=1)
    past: list[Block] = []
    current = next((w for w in req.previous.weeks if w.start == first), None)
    if current is not None:
        past = [b for b in current.blocks if b.date is not None and b.date < req.today]
    return plan_start, first, kept, past


def _reserve_within_time(
    weeks: list[DraftWeek], n_unknown: int, pe_required: bool, required: int, n_domains: int
) -> int:
    """Reserve the mixed work at the first level that leaves study time; return that time.

    `required` domains must each get a quarter hour of study.

    Raises:
        InsufficientTimeError: when not even the least mixed work leaves room.
    """
    budget, exam_ok = 0, False
    for level in range(4):
        exam_ok = reserve_mixed_work(weeks, n_unknown, pe_required, level)
        budget = sum(w.capacity - w.mixed for w in weeks)
        if exam_ok and budget >= max(required, 1) and all(w.capacity >= w.mixed for w in weeks):
            return budget
    if not exam_ok:
        raise InsufficientTimeError(
            "neither of the last two weeks before the exam has the 2 free hours of the "
            "full-length practice exam: add hours or remove blackout dates"
        )
    raise InsufficientTimeError(
        f"too little time before the exam: each of the {n_domains} domains needs at "
        "least 15 minutes of study besides the diagnostic, practice exam and final review"
    )


def _best_interleaving(
    model: ExamModel,
    free: list[tuple[dt.date, int]],
    units: dict[int, int],
    mixed: list[Block],
    first: dt.date,
) -> tuple[dict[dt.date, list[DomainBlock]], Sessions]:
    """The interleaved day assignment whose expected exam score is highest, and its sessions.

    Tries each block size of `BLOCK_CHOICES` (ties go to the shorter blocks).
    """
    best: tuple[float, dict[dt.date, list[DomainBlock]], Sessions] | None = None
    for size in BLOCK_CHOICES:
        assigned = assign_days(free, units, size)
        blocks = [
            make_block("study" if p.kind == "study" else "review", p.domain, p.units, day, None)
            for day, parts in assigned.items()
            for p in parts
        ]
        sessions = sessions_of([*blocks, *mixed], model.numbers, list(model.shares), first)
        score = model.score_of(sessions)
        if best is None or score > best[0] + 1e-9:
            best = (score, assigned, sessions)
    assert best is not None
    return best[1], best[2]


def _weakest(model: ExamModel, sessions: Sessions, blueprint: Blueprint, k: int = 3) -> str:
    """The final review's focus: the `k` domains weakest at the exam, the heavier first."""
    at_exam = model.exam_mastery_of(sessions)
    ranked = sorted(range(len(model.numbers)), key=lambda i: (at_exam[i], -model.shares[i]))
    names = []
    for i in ranked[:k]:
        domain = blueprint.domain(model.numbers[i])
        names.append(f"{domain.name if domain else 'domain'} ({model.numbers[i]})")
    return "weakest first: " + "; ".join(names)
