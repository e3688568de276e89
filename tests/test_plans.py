"""Learner profiles and stored plans: looking never re-plans; the calendar is in their zone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.models import Blueprint, Learner, Response
from bank.store import open_store
from pipelines.plans import ProfileChange, changed_profile, current_plan, save_profile
from planner.calendar import ics_events
from tests.conftest import make_item

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def run(runner: CliRunner, *args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [*map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def _plans(db: Path, learner: str) -> int:
    with open_store(db, read_only=True) as store:
        return len(
            store.con.execute("SELECT id FROM plans WHERE learner_id = ?", [learner]).fetchall()
        )


def test_a_profile_change_keeps_what_it_does_not_name() -> None:
    ana = Learner(
        id="ana",
        exam_date=date(2027, 3, 1),
        hours_by_weekday={0: 1.0, 5: 3.0},
        blackouts=[date(2027, 1, 1)],
        timezone="America/Chicago",
    )
    moved = changed_profile(ana, ProfileChange(blackouts=[date(2027, 1, 8)]), NOW)
    assert moved.hours_by_weekday == {0: 1.0, 5: 3.0} and moved.timezone == "America/Chicago"
    assert moved.blackouts == [date(2027, 1, 1), date(2027, 1, 8)] and moved.updated_at == NOW
    weekly = changed_profile(moved, ProfileChange(hours_per_week=6), NOW)
    assert weekly.hours_per_week == 6 and weekly.hours_by_weekday is None
    cleared = changed_profile(weekly, ProfileChange(clear_blackouts=True), NOW)
    assert cleared.blackouts == [] and ProfileChange().empty()
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        changed_profile(ana, ProfileChange(timezone="Mars/Olympus"), NOW)
    with pytest.raises(ValueError, match="days 0-6"):
        changed_profile(ana, ProfileChange(hours_by_weekday={9: 1.0}), NOW)


def test_looking_shows_the_stored_plan_and_new_answers_replan(
    db: Path, blueprint: Blueprint
) -> None:
    items = [make_item(i, domain=1 + i % 8) for i in range(16)]
    with open_store(db) as store:
        store.save_items(items)
        change = ProfileChange(
            exam_date=date(2027, 2, 20), hours_by_weekday={1: 1.5, 3: 1.5, 5: 3.0}
        )
        learner, created = save_profile(store, "ana", change, NOW)
        assert created and learner.weekly_hours() == 6.0
        first = current_plan(store, "ana", blueprint, NOW)
        assert first.replanned == "no plan yet"
        # Study only on the weekdays of the stored profile.
        assert {b.date.weekday() for b in first.plan.blocks if b.date} <= {1, 3, 5}
        later = NOW + timedelta(days=2)
        again = current_plan(store, "ana", blueprint, later)
        assert again.replanned is None and again.made_at == first.made_at
        assert again.plan == first.plan
        store.save_responses(
            [Response(learner_id="ana", item_id=items[0].id, answered_at=later, correct=False)]
        )
        after = current_plan(store, "ana", blueprint, later + timedelta(minutes=5))
        assert after.replanned == "1 new answer since the last plan"
        assert {b.date.weekday() for b in after.plan.blocks if b.date} <= {1, 3, 5}
        assert current_plan(store, "ana", blueprint, later + timedelta(hours=1)).replanned is None
        asked = current_plan(store, "ana", blueprint, later + timedelta(hours=2), replan=True)
        assert asked.replanned == "asked to re-plan"


def test_cli_plan_without_changes_shows_the_stored_plan(runner: CliRunner, db: Path) -> None:
    exam = date.today() + timedelta(days=45)
    code, out, err = run(
        runner, "plan", "--learner", "ana", "--exam-date", exam, "--hours", "mon=1,sat=3",
        "--tz", "America/Chicago", "--at", "07:30", "--json", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert "Added learner ana." in err and "New plan (no plan yet)" in err
    made = json.loads(out)
    code, out, err = run(runner, "plan", "--learner", "ana", "--json", "--db", db)
    assert code == 0 and "The stored plan of" in err and json.loads(out) == made
    assert _plans(db, "ana") == 1
    with open_store(db, read_only=True) as store:
        ana = store.get_learner("ana")
    assert ana.hours_by_weekday == {0: 1.0, 5: 3.0} and ana.timezone == "America/Chicago"
    assert ana.study_time == time(7, 30) and ana.exam_date == exam
    code, out, err = run(runner, "plan", "--learner", "ana", "--blackout", exam - timedelta(days=3),
                         "--json", "--db", db)  # fmt: skip
    assert code == 0 and "New plan (the profile changed)" in err and _plans(db, "ana") == 2
    blocks = [b for w in json.loads(out)["weeks"] for b in w["blocks"]]
    assert all(b["date"] != (exam - timedelta(days=3)).isoformat() for b in blocks)
    code, _, err = run(runner, "plan", "--learner", "ana", "--replan", "--db", db)
    assert code == 0 and _plans(db, "ana") == 3


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Lisbon"])
def test_ics_is_in_the_learners_zone_and_nothing_lands_on_exam_day(
    runner: CliRunner, db: Path, tmp_path: Path, zone: str
) -> None:
    exam = date.today() + timedelta(days=30)
    ics = tmp_path / "plan.ics"
    # Late blocks: 22:30 local on the eve of the exam must still end that day.
    code, _, err = run(
        runner, "plan", "--learner", "kim", "--exam-date", exam, "--hours-per-week", 20,
        "--tz", zone, "--at", "22:30", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(runner, "plan", "--learner", "kim", "--ics", ics, "--db", db)
    assert code == 0 and f"times in {zone}" in err
    events = ics_events(ics.read_bytes())
    assert events
    here = ZoneInfo(zone)
    for event in events:
        start, end = event.start.astimezone(here), event.end.astimezone(here)
        assert (
            start.date() < exam
            and end.date() <= exam
            and end <= datetime.combine(exam, time(0, 0), tzinfo=here)
        ), (start, end)
    code, _, err = run(runner, "plan", "--learner", "kim", "--ics", ics, "--tz", "UTC",
                       "--db", db)  # fmt: skip
    assert code == 0 and "times in UTC" in err


def test_a_bad_profile_is_refused_and_nothing_is_stored(runner: CliRunner, db: Path) -> None:
    exam = date.today() + timedelta(days=40)
    code, _, err = run(
        runner, "plan", "--learner", "zed", "--exam-date", exam, "--hours-per-week", 5,
        "--tz", "Mars/Olympus", "--db", db,
    )  # fmt: skip
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in err
    with open_store(db, read_only=True) as store:
        assert [lr.id for lr in store.learners()] == []
    code, _, err = run(
        runner, "plan", "--learner", "zed", "--exam-date", exam, "--hours", "mon=30", "--db", db
    )
    assert code == 2 and "0-24 hours" in err
