"""The study plan: the invariants of plan-format.md for random inputs, golden cases with
fixed dates, bad input, and re-planning."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bank.blueprint import load_blueprint
from bank.models import Blueprint
from planner.plan import (
    BLOCK_KINDS,
    DOMAIN_KINDS,
    InsufficientTimeError,
    Plan,
    PlanInputError,
    PlanRequest,
)
from planner.schedule import build_plan

BLUEPRINT = load_blueprint()
NUMBERS = BLUEPRINT.numbers
DAY = dt.timedelta(days=1)
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def request(**changes: object) -> PlanRequest:
    """The spec's example learner: ana, 8 hours a week, 8 weeks to the exam."""
    fields: dict[str, object] = {
        "learner": "ana",
        "blueprint": BLUEPRINT,
        "mastery": {1: (0.62, 0.1), 4: (0.4, 0.1)},
        "exam_date": dt.date(2027, 1, 26),
        "start": dt.date(2026, 12, 1),
        "hours_per_week": 8.0,
        "today": dt.date(2026, 12, 1),
    }
    fields.update(changes)
    return PlanRequest(**fields)


def week_capacity(req: PlanRequest, start: dt.date, end: dt.date) -> float:
    """What the learner has in a week: stated hours, less blackout days and days from the
    exam on (computed here from the request, independently of the planner)."""
    if req.hours_per_week is not None:
        return req.hours_per_week
    by_day = req.hours_by_weekday or {}
    total, day = 0.0, start
    while day <= end:
        if day not in req.blackout and day < req.exam_date:
            total += by_day.get(day.weekday(), 0.0)
        day += DAY
    return total


def assert_invariants(plan: Plan, req: PlanRequest, blueprint: Blueprint = BLUEPRINT) -> None:
    assert plan.weeks, "a plan has weeks"
    assert plan.weeks[0].start == plan.start
    assert plan.weeks[-1].end == req.exam_date - DAY
    for i, week in enumerate(plan.weeks):
        assert week.index == i + 1
        if i:
            assert week.start == plan.weeks[i - 1].end + DAY
        assert week.start <= week.end <= week.start + 6 * DAY
        # A week's hours are the sum of its blocks and never more than the learner has.
        assert week.hours == pytest.approx(sum(b.hours for b in week.blocks), abs=1e-9)
        assert week.hours <= week_capacity(req, week.start, week.end) + 1e-9
        per_day: dict[dt.date, float] = {}
        for block in week.blocks:
            assert block.kind in BLOCK_KINDS
            assert block.date is not None
            assert week.start <= block.date <= week.end
            assert block.date < req.exam_date, "no block on or after the exam date"
            assert block.date not in req.blackout, "no block on a blackout date"
            assert block.hours > 0 and (block.hours * 4).is_integer()
            assert block.questions >= 1
            assert (block.domain is None) == (block.kind not in DOMAIN_KINDS)
            if block.domain is not None:
                assert block.domain in blueprint.numbers
            if req.hours_by_weekday is not None:
                assert req.hours_by_weekday.get(block.date.weekday(), 0) > 0
            if block.kind == "practice_exam":
                assert (block.hours, block.questions) == (2.0, 200)
            per_day[block.date] = per_day.get(block.date, 0.0) + block.hours
        assert all(hours <= 24 for hours in per_day.values())
    blocks = plan.blocks
    assert {b.domain for b in blocks if b.kind == "study"} == set(blueprint.numbers)
    if len(plan.weeks) >= 4:
        last_two = [b for w in plan.weeks[-2:] for b in w.blocks]
        assert any(b.kind == "practice_exam" for b in last_two)
    assert blocks[-1].kind == "final_review"
    if any(req.mastery.get(n) is None for n in blueprint.numbers):
        assert blocks[0].kind == "diagnostic"
    assert set(plan.allocation) == {str(n) for n in blueprint.numbers}
    for number in blueprint.numbers:
        spent = sum(b.hours for b in blocks if b.domain == number and b.kind in DOMAIN_KINDS)
        assert plan.allocation[str(number)] == pytest.approx(spent, abs=1e-9)
    assert 0.01 <= plan.pass_probability <= 0.99, "a pass chance is never 0 or 1"
    assert 0 <= plan.expected_scaled_score <= 100
    assert_interleaved(plan)
    assert Plan.from_json(plan.to_json()) == plan


def assert_interleaved(plan: Plan) -> None:
    """The spacing and interleaving invariants of plan-format.md.

    Unless one domain holds more than half of the domain time (then the others run out), a
    week whose domain blocks fall on two or more days mixes at least two domains, and no
    domain is studied alone on more than three study days running.
    """
    blocks = [b for b in plan.blocks if b.kind in DOMAIN_KINDS and b.domain is not None]
    total = sum(b.hours for b in blocks)
    top = max((sum(b.hours for b in blocks if b.domain == d) for d in NUMBERS), default=0.0)
    if total == 0 or top > total / 2:
        return
    for week in plan.weeks:
        days = {b.date for b in week.blocks if b.kind in DOMAIN_KINDS}
        domains = {b.domain for b in week.blocks if b.kind in DOMAIN_KINDS}
        if len(days) >= 2:
            assert len(domains) >= 2, f"week {week.index} studies one domain only"
    by_day: dict[dt.date, set[int]] = {}
    for b in blocks:
        assert b.date is not None and b.domain is not None
        by_day.setdefault(b.date, set()).add(b.domain)
    run: dict[int, int] = {}
    for day in sorted(by_day):
        alone = by_day[day] if len(by_day[day]) == 1 else set()
        run = {d: run.get(d, 0) + 1 for d in alone}
        assert all(n <= 3 for n in run.values()), f"one domain alone for 4 days up to {day}"


mastery_values = st.one_of(
    st.none(),
    st.tuples(st.floats(0, 1, allow_nan=False), st.floats(0, 0.3, allow_nan=False)),
)


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    start = draw(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
    days = draw(st.integers(1, 120))
    exam = start + days * DAY
    if draw(st.booleans()):
        hours: dict[str, object] = {"hours_per_week": draw(st.floats(3, 60))}
    else:
        by_day = draw(
            st.dictionaries(st.integers(0, 6), st.sampled_from([0, 0.5, 1, 1.5, 2, 3, 4.5, 8]))
        )
        assume(sum(by_day.values()) >= 3)
        hours = {"hours_by_weekday": by_day}
    blackout = draw(st.lists(st.integers(0, days), max_size=6))
    mastery = draw(st.dictionaries(st.sampled_from(NUMBERS), mastery_values))
    return PlanRequest(
        learner=draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        blueprint=BLUEPRINT,
        mastery=mastery,
        exam_date=exam,
        start=start,
        blackout=[start + k * DAY for k in blackout],
        session_hours=draw(st.sampled_from([0.5, 1.0, 1.5, 2.0])),
        today=start + draw(st.integers(0, min(3, days - 1))) * DAY,
        **hours,
    )


@FAST
@given(requests())
def test_every_plan_keeps_the_spec_invariants(req: PlanRequest) -> None:
    try:
        plan = build_plan(req)
    except InsufficientTimeError:
        assume(False)  # too few hours left by the blackout dates: refused with a message
        raise
    assert_invariants(plan, req)
    assert all(b.date >= req.today for b in plan.blocks)
    if (req.exam_date - max(req.start, req.today)).days < 7:
        assert any("cram plan" in w for w in plan.warnings)


def test_a_short_plan_opens_with_the_diagnostic_and_its_exam_fits_one_day() -> None:
    # Found by Hypothesis: 8 days, Monday 0.5 h and Tuesday 8 h, nothing known. The practice
    # exam went on the Monday (2 h on a day of 0.5 h), ahead of the diagnostic.
    req = request(
        learner="0",
        mastery={},
        exam_date=dt.date(2026, 1, 9),
        start=dt.date(2026, 1, 1),
        today=dt.date(2026, 1, 1),
        hours_per_week=None,
        hours_by_weekday={0: 0.5, 1: 8.0},
        session_hours=0.5,
    )
    plan = build_plan(req)
    assert_invariants(plan, req)
    assert plan.blocks[0].kind == "diagnostic"
    exams = [b for b in plan.blocks if b.kind == "practice_exam"]
    assert [b.date.weekday() for b in exams] == [1]  # the Tuesday: the only day with 2 h


def test_golden_spec_example() -> None:
    plan = build_plan(request())
    assert_invariants(plan, request())
    assert (plan.learner, plan.blueprint, plan.hours_per_week) == ("ana", "cmas", 8.0)
    assert (plan.weeks[0].start, plan.weeks[0].end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 7))
    assert len(plan.weeks) == 8 and plan.weeks[-1].end == dt.date(2027, 1, 25)
    assert all(w.hours == 8.0 for w in plan.weeks)
    assert plan.mastery == {
        "1": 0.62, "2": None, "3": None, "4": 0.4, "5": None, "6": None, "7": None, "8": None
    }  # fmt: skip
    assert plan.allocation == {
        "1": 5.25, "2": 5.25, "3": 5.25, "4": 10.75, "5": 8.0, "6": 8.0, "7": 5.25, "8": 5.75
    }  # fmt: skip
    assert (plan.expected_scaled_score, plan.pass_probability) == (66.3, 0.49)
    assert plan.pass_interval == [0.19, 0.81]
    first = plan.weeks[0].blocks
    assert (first[0].kind, first[0].date, first[0].domain) == (
        "diagnostic",
        dt.date(2026, 12, 1),
        None,
    )
    assert [b.domain for b in first if b.kind == "study"][:4] == [4, 5, 6, 8], "interleaved"
    exams = [b.date for b in plan.blocks if b.kind == "practice_exam"]
    assert exams == [dt.date(2027, 1, 16), dt.date(2027, 1, 23)]
    assert plan.blocks[-1].kind == "final_review" and plan.blocks[-1].date == dt.date(2027, 1, 25)
    sets = [w.index for w in plan.weeks for b in w.blocks if b.kind == "practice_set"]
    assert sets == [2, 3, 4, 5, 6]
    # Every week mixes every domain, and each domain comes back until the exam: its last
    # 40% are reviews of what was studied, the last in the final week.
    assert all({b.domain for b in w.blocks if b.domain} == set(NUMBERS) for w in plan.weeks)
    reviews = [w.index for w in plan.weeks for b in w.blocks if (b.kind, b.domain) == ("review", 1)]
    assert reviews == [6, 6, 7, 8]
    data = json.loads(plan.to_json())
    assert list(data) == [
        "learner", "blueprint", "start", "exam_date", "hours_per_week", "mastery",
        "allocation", "expected_scaled_score", "pass_probability", "weeks", "warnings",
        "pass_interval",
    ]  # fmt: skip
    assert data["weeks"][0]["blocks"][0] == {
        "domain": None,
        "kind": "diagnostic",
        "hours": 1.25,
        "questions": 62,
        "date": "2026-12-01",
        "focus": "measure mastery: domains 2, 3, 5, 6, 7, 8",
    }
    assert list(data["weeks"][0]) == ["index", "start", "end", "hours", "blocks"]


def test_golden_the_17_percent_domains_get_more_time_than_the_7_percent_ones() -> None:
    # Time follows weight, and topics: a domain's questions spread over its topics, so a
    # domain with fewer topics climbs its curve faster (domain 1: 4 topics, domain 6: 6).
    plan = build_plan(request(mastery={n: (0.5, 0.1) for n in NUMBERS}))
    hours = {n: plan.allocation[str(n)] for n in NUMBERS}
    assert min(hours[4], hours[5], hours[6]) > max(hours[2], hours[7])
    assert not any(b.kind == "diagnostic" for b in plan.blocks), "mastery known: no diagnostic"
    assert not any("unknown" in w for w in plan.warnings)


def test_golden_cram_plan() -> None:
    req = request(
        exam_date=dt.date(2026, 12, 6),
        hours_per_week=None,
        hours_by_weekday={0: 2, 1: 2, 2: 2, 3: 2, 4: 2, 5: 4, 6: 4},
    )
    plan = build_plan(req)
    assert_invariants(plan, req)
    assert len(plan.weeks) == 1 and plan.weeks[0].hours == 12.0
    assert plan.warnings[0].startswith("cram plan: the exam is 5 day(s) away")
    assert not any(b.kind == "practice_exam" for b in plan.blocks)
    assert plan.allocation["4"] == max(plan.allocation.values()), "weak and heavy first"


def test_weekday_hours_and_blackout_dates_are_respected() -> None:
    blackout = [dt.date(2026, 12, 5), dt.date(2026, 12, 12), dt.date(2026, 12, 24)]
    req = request(hours_per_week=None, hours_by_weekday={1: 1.5, 3: 1.5, 5: 3.0}, blackout=blackout)
    plan = build_plan(req)
    assert_invariants(plan, req)
    assert {b.date.weekday() for b in plan.blocks} <= {1, 3, 5}
    assert plan.weeks[0].hours == 3.0  # Tue 1st and Thu 3rd; Sat 5th is blacked out
    assert plan.hours_per_week == 6.0


def test_time_too_short_for_a_practice_exam_is_refused_clearly() -> None:
    with pytest.raises(InsufficientTimeError, match="practice exam"):
        build_plan(request(hours_per_week=1.0))


def test_time_too_short_for_every_domain_is_refused_clearly() -> None:
    with pytest.raises(InsufficientTimeError, match="each of the 8 domains"):
        build_plan(request(exam_date=dt.date(2026, 12, 3), hours_per_week=3.0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exam_date": dt.date(2026, 11, 30)}, "is not after the start"),
        ({"exam_date": dt.date(2026, 12, 1)}, "is not after the start"),
        ({"today": dt.date(2027, 2, 1)}, "is in the past"),
        ({"hours_per_week": 0.0}, "more than 0"),
        ({"hours_per_week": -2.0}, "more than 0"),
        ({"hours_per_week": 101.0}, "at most 100"),
        ({"hours_per_week": None}, "no hours given"),
        ({"hours_by_weekday": {0: 1.0}}, "not both"),
        ({"hours_per_week": None, "hours_by_weekday": {0: 0.0}}, "add up to zero"),
        ({"hours_per_week": None, "hours_by_weekday": {7: 1.0}}, "weekday 7"),
        ({"hours_per_week": None, "hours_by_weekday": {0: 30.0}}, "must be 0-24"),
        ({"mastery": {1: (1.5, 0.1)}}, "between 0 and 1, got 1.5"),
        ({"mastery": {2: (-0.1, 0.1)}}, "between 0 and 1, got -0.1"),
        ({"mastery": {3: (float("nan"), 0.1)}}, "between 0 and 1"),
        ({"mastery": {9: (0.5, 0.1)}}, "unknown domain 9"),
        ({"session_hours": 0.0}, "session hours"),
        ({"learner": " "}, "learner id is empty"),
    ],
)
def test_bad_input_raises_a_clear_plan_input_error(changes: dict, message: str) -> None:
    with pytest.raises(PlanInputError, match=message) as caught:
        build_plan(request(**changes))
    assert isinstance(caught.value, ValueError)


def test_every_problem_is_reported_at_once() -> None:
    bad = request(hours_per_week=0.0, mastery={1: (2.0, 0.1), 12: (0.5, 0.1)})
    with pytest.raises(PlanInputError) as caught:
        build_plan(bad)
    assert len(caught.value.problems) == 3


# Re-planning ------------------------------------------------------------------------------


def test_replanning_keeps_past_weeks_and_shifts_hours_to_what_is_still_weak() -> None:
    before = build_plan(request(mastery={n: (0.6, 0.1) for n in NUMBERS}))
    today = dt.date(2026, 12, 23)  # weeks 1-3 ended
    now = {n: (0.8, 0.05) for n in NUMBERS} | {5: (0.35, 0.05)}
    req = request(mastery=now, previous=before, today=today, start=today)
    after = build_plan(req)
    assert_invariants(after, req)
    assert after.start == before.start
    assert after.weeks[:3] == before.weeks[:3], "past weeks kept exactly"
    blocks_before = [b for w in before.weeks[3:] for b in w.blocks if b.date and b.date < today]
    assert [b for b in after.weeks[3].blocks if b.date < today] == blocks_before
    assert all(b.date >= today for w in after.weeks[4:] for b in w.blocks)

    def remaining(plan: Plan, number: int) -> float:
        return sum(
            b.hours
            for w in plan.weeks[3:]
            for b in w.blocks
            if b.domain == number and b.kind in DOMAIN_KINDS and b.date >= today
        )

    assert remaining(after, 5) > remaining(before, 5)
    assert remaining(after, 5) == max(remaining(after, n) for n in NUMBERS)
    assert any("re-planned" in w for w in after.warnings)


def test_replanning_spreads_missed_study_over_the_remaining_weeks() -> None:
    before = build_plan(request())
    today = dt.date(2026, 12, 22)  # three weeks missed: nothing measured, mastery unchanged
    req = request(previous=before, today=today, start=today)
    after = build_plan(req)
    assert_invariants(after, req)
    future = after.weeks[3:]
    assert all(w.hours <= 8.0 for w in future)
    assert [w.hours for w in future] == [8.0] * len(future), "every remaining week used evenly"
    weeks_with_study = {
        d: {w.index for w in future for b in w.blocks if b.domain == d} for d in NUMBERS
    }
    assert max(len(ws) for ws in weeks_with_study.values()) >= 2
    biggest = max(sum(b.hours for b in w.blocks if b.domain is not None) for w in future)
    assert biggest <= 8.0


@FAST
@given(requests(), st.integers(1, 120), st.floats(3, 40))
def test_replanning_keeps_every_invariant(req: PlanRequest, offset: int, hours: float) -> None:
    try:
        before = build_plan(req)
    except InsufficientTimeError:
        assume(False)
        raise
    today = req.today + offset * DAY
    assume(today < req.exam_date)
    again = req.model_copy(
        update={
            "previous": before,
            "today": today,
            "hours_per_week": hours,
            "hours_by_weekday": None,
        }
    )
    try:
        after = build_plan(again)
    except InsufficientTimeError:
        assume(False)
        raise
    kept = [w for w in before.weeks if w.end < today]
    assert after.weeks[: len(kept)] == kept
    for week in after.weeks[len(kept) :]:
        past = sum(b.hours for b in week.blocks if b.date < today)
        assert week.hours - past <= hours + 1e-9
        assert all(b.date < again.exam_date and b.date not in again.blackout for b in week.blocks)
        assert week.hours == pytest.approx(sum(b.hours for b in week.blocks), abs=1e-9)
    assert {b.domain for b in after.blocks if b.kind == "study"} == set(NUMBERS)
    if len(after.weeks) >= 4:
        assert any(b.kind == "practice_exam" for w in after.weeks[-2:] for b in w.blocks)


def test_replanning_another_learners_plan_is_refused() -> None:
    before = build_plan(request())
    with pytest.raises(PlanInputError, match="previous plan is learner 'ana'"):
        build_plan(request(learner="ben", previous=before))
