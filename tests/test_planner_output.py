"""A plan as JSON, iCalendar, Markdown and HTML."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.blueprint import load_blueprint
from planner.calendar import ics_events, plan_events, plan_to_ics, plan_to_markdown
from planner.plan import Plan, PlanRequest
from planner.report import plan_to_html, readiness_projection
from planner.schedule import build_plan

BLUEPRINT = load_blueprint()
START = dt.date(2026, 12, 1)


def plan_for(learner: str = "ana", weeks: int = 8, hours: float = 8.0) -> Plan:
    return build_plan(
        PlanRequest(
            learner=learner,
            blueprint=BLUEPRINT,
            mastery={1: (0.62, 0.1), 4: (0.4, 0.1)},
            exam_date=START + dt.timedelta(days=7 * weeks),
            start=START,
            hours_per_week=hours,
            today=START,
        )
    )


PLAN = plan_for()


def test_json_round_trip_and_shape() -> None:
    text = PLAN.to_json()
    assert Plan.from_json(text) == PLAN
    data = json.loads(text)
    assert data["mastery"]["2"] is None and data["allocation"]["4"] == 10.75
    block = data["weeks"][0]["blocks"][1]
    assert list(block) == ["domain", "kind", "hours", "questions", "date", "focus"]


def test_ics_has_one_event_per_dated_block_at_the_preferred_time() -> None:
    events = ics_events(plan_to_ics(PLAN, dt.time(18, 30), "Europe/Lisbon", blueprint=BLUEPRINT))
    dated = [b for b in PLAN.blocks if b.date is not None]
    assert len(events) == len(dated)
    first = events[0]
    assert first.start == dt.datetime(2026, 12, 1, 18, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    assert first.end - first.start == dt.timedelta(hours=dated[0].hours)
    assert events[1].start == first.end, "blocks of one day follow one another"
    assert first.summary == "Diagnostic"
    study = next(e for e, b in zip(events, dated, strict=True) if b.kind == "study")
    assert study.summary == "Study: Medical Records Management"
    assert "Domain 4: Medical Records Management" in study.description
    assert re.search(r"Target: \d+ questions", study.description)
    assert len({e.uid for e in events}) == len(events)


@settings(max_examples=10, deadline=None)
@given(
    st.integers(2, 12),
    st.floats(3, 30),
    st.sampled_from(["UTC", "Europe/Lisbon", "America/New_York", "Asia/Kolkata"]),
    st.times(),
    st.text(min_size=1, max_size=20).filter(str.strip),
)
def test_ics_round_trip(weeks: int, hours: float, tz: str, at: dt.time, learner: str) -> None:
    plan = plan_for(learner, weeks, hours)
    at = at.replace(second=0, microsecond=0)
    written = plan_events(plan, at, tz, blueprint=BLUEPRINT)
    data = plan_to_ics(plan, at, tz, blueprint=BLUEPRINT)
    assert ics_events(data) == written
    assert plan_to_ics(plan, at, tz, blueprint=BLUEPRINT) == data, "stable bytes and UIDs"
    assert all(e.start.date() == e.end.date() or e.end.time() == dt.time(0) for e in written)


def test_markdown_lists_every_week_and_escapes_text() -> None:
    plan = plan_for("*ana* | <b>")
    text = plan_to_markdown(plan, BLUEPRINT)
    assert text.startswith("# Study plan for \\*ana\\* \\| \\<b\\>: Certified Medical")
    for week in plan.weeks:
        assert f"## Week {week.index}: {week.start} to {week.end}" in text
    assert "| 4. Medical Records Management | 17% | 40% | 10.75 |" in text
    assert "Practice exam, 2 h, 200 questions" in text


def test_html_is_self_contained_and_escapes_the_learner_id() -> None:
    plan = plan_for("<script>alert(1)</script>")
    history = [(dt.date(2026, 11, 20), 58.0), (START, 61.5)]
    page = plan_to_html(plan, BLUEPRINT, history)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<svg") == 3
    for external in ("http://", "https://", "<link", "@import", "src="):
        assert external not in page
    assert "pass 70" in page and "Medical Records Management" in page
    assert "Week 8" in page


def test_html_without_history() -> None:
    page = plan_to_html(PLAN, BLUEPRINT, None)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_readiness_projection_ends_at_the_plan_forecast() -> None:
    points = readiness_projection(PLAN, BLUEPRINT)
    assert points[0][0] == PLAN.start and points[-1][0] == PLAN.exam_date
    assert points[-1][1] == pytest.approx(PLAN.expected_scaled_score, abs=0.06)
    scores = [s for _, s in points]
    assert scores == sorted(scores), "readiness grows as planned hours are done"
    anchored = readiness_projection(PLAN, BLUEPRINT, START, anchor=65.0)
    assert anchored[0][1] == pytest.approx(65.0)
    assert anchored[-1][1] == pytest.approx(points[-1][1])
