"""Domain 8 scenario families: every key recomputed independently from the drawn variables."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d8 import FAMILIES
from generators.scenarios.d8_calendar import federal_holidays
from generators.scenarios.d8_fmla import FmlaEligibility
from generators.scenarios.d8_i9 import FormI9
from generators.scenarios.d8_inventory import ReorderPoint
from generators.scenarios.d8_osha import OshaDeadlines
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789")
CASES = [(f, m) for f in FAMILIES for m in f.models]
IDS = [f"{f.id}/{m}" for f, m in CASES]
# The observed federal holidays of 2027 and 2028, read off the OPM calendar by hand.
HOLIDAYS = {
    dt.date(*d)
    for d in [
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 5, 31), (2027, 6, 18),
        (2027, 7, 5), (2027, 9, 6), (2027, 10, 11), (2027, 11, 11), (2027, 11, 25),
        (2027, 12, 24), (2027, 12, 31), (2028, 1, 17), (2028, 2, 21), (2028, 5, 29),
        (2028, 6, 19), (2028, 7, 4), (2028, 9, 4), (2028, 10, 9), (2028, 11, 10),
        (2028, 11, 23), (2028, 12, 25),
    ]
}  # fmt: skip


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


def parse_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%B %d, %Y").date()


def plus_years(day: dt.date, years: int) -> dt.date:
    return dt.date(day.year + years, day.month, day.day)


def weekdays_after(day: dt.date, n: int) -> dt.date:
    """The n-th Monday-to-Friday day after `day`, the day itself not counted."""
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


def test_the_holiday_calendar_matches_the_published_one() -> None:
    computed = {d for y in (2027, 2028) for d in federal_holidays(y) if d.year in (2027, 2028)}
    assert computed == HOLIDAYS


# --- FMLA -------------------------------------------------------------------------------


def fmla_tests(v: dict) -> dict[str, bool]:
    """The three eligibility tests, as the FMLA rule statements put them."""
    anniversary = (
        plus_years(v["hired"], 1) if (v["hired"].month, v["hired"].day) != (2, 29) else None
    )
    weeks = min(52, (v["leave"] - v["hired"]).days // 7)
    nearby = v["at_office"] + (v["at_branch"] if v["branch_miles"] <= 75 else 0)
    return {
        "short-tenure": anniversary is not None and v["leave"] >= anniversary,
        "short-hours": v["weekly"] * weeks >= 1250,
        "worksite": nearby >= 50,
    }


FMLA_KEY = {
    "eligible": "Eligible:",
    "short-tenure": "Not eligible: under 12 months",
    "short-hours": "Not eligible: under 1,250 hours",
    "worksite": "Not eligible: under 50 employees within 75 miles",
}


@pytest.mark.parametrize("model", FmlaEligibility.models)
def test_fmla_keys_match_an_independent_computation(model: str) -> None:
    for s in draws(FmlaEligibility(), model):
        v = s.variables
        failed = [test for test, met in fmla_tests(v).items() if not met]
        assert len(failed) <= 1, v  # one defensible answer
        expected = failed[0] if failed else "eligible"
        assert expected == model, v
        assert s.key.text.startswith(FMLA_KEY[expected]), s.key.text
        assert v["at_office"] + v["at_branch"] >= 50  # a covered employer in every draw


# --- Form I-9 ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", FormI9.models)
def test_i9_keys_match_an_independent_computation(model: str) -> None:
    for s in draws(FormI9(), model):
        v = s.variables
        start = v["start"]
        window = [start + dt.timedelta(days=k) for k in range(-15, 10)]
        assert not HOLIDAYS.intersection(window), start  # "business day" has one reading
        # Section 2 counts 3 weekdays (Monday -> Thursday); Section 1, and Section 2 of a
        # job of under 3 business days, are due on the first day
        expected = weekdays_after(start, 3) if model == "section-2-deadline" else start
        assert parse_date(s.key.text) == expected, (v, s.key.text)


def test_i9_section_2_follows_the_monday_thursday_example() -> None:
    monday = dt.date(2027, 3, 1)
    assert weekdays_after(monday, 3) == dt.date(2027, 3, 4)


# --- OSHA -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", OshaDeadlines.models)
def test_osha_keys_match_an_independent_computation(model: str) -> None:
    for s in draws(OshaDeadlines(), model):
        v = s.variables
        if model in ("hospitalization-report", "fatality-report"):
            hours = 8 if model == "fatality-report" else 24
            due = v["learned"] + dt.timedelta(hours=hours)
            assert s.key.value == due.timestamp()
            assert s.key.text.startswith(f"{due.hour % 12 or 12}:{due.minute:02d} ")
            assert due.strftime("%B") in s.key.text and str(due.year) in s.key.text
        elif model == "training-records":
            assert parse_date(s.key.text) == plus_years(v["held"], 3)
        else:
            assert parse_date(s.key.text) == plus_years(v["left"], 30)


def osha_slips(s: Scenario) -> dict[str, float]:
    """The value (timestamp or date ordinal) each named slip gives, from the drawn facts."""
    v = s.variables
    if s.model.endswith("-report"):
        hours = dt.timedelta(hours=8 if v["fatal"] else 24)
        what = "death" if v["fatal"] else "admission"
        return {
            f"counted-from-{what}": (v["event"] + hours).timestamp(),
            "counted-from-fall": (v["fell"] + hours).timestamp(),
            "recording-deadline": (v["learned"] + dt.timedelta(days=7)).timestamp(),
            "thirty-day-window": (v["learned"] + dt.timedelta(days=30)).timestamp(),
        }
    if s.model == "training-records":
        years = {"annual-retraining": 1, "time-card-retention": 2, "injury-log-retention": 5}
        return {name: plus_years(v["held"], n).toordinal() for name, n in years.items()}
    worked = v["left"].year - v["hired"].year
    return {
        "employment-counted-twice": plus_years(v["left"], 30 + worked).toordinal(),
        "counted-to-year-end": dt.date(v["left"].year + 30, 12, 31).toordinal(),
        "counted-from-exposure": plus_years(v["exposed"], 30).toordinal(),
        "counted-from-hire": plus_years(v["hired"], 30).toordinal(),
    }


@pytest.mark.parametrize("model", OshaDeadlines.models)
def test_osha_distractors_follow_their_slips_and_miss_the_key(model: str) -> None:
    for s in draws(OshaDeadlines(), model):
        v, slips = s.variables, osha_slips(s)
        for d in s.distractors:
            if d.misconception in slips:
                assert d.value == slips[d.misconception] != s.key.value, (v, d)
        below = sum((d.value or 0) < (s.key.value or 0) for d in s.distractors)
        assert below >= 2 and len(s.distractors) - below >= 2, v  # the key's rank can move
        if "fell" in v:  # three different clock starts, in order, the same day
            assert v["fell"] + dt.timedelta(minutes=30) <= v["event"]
            assert v["event"] + dt.timedelta(minutes=30) <= v["learned"]
            assert v["fell"].date() == v["learned"].date()


# --- Reorder point ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ReorderPoint.models)
def test_reorder_keys_match_an_independent_computation(model: str) -> None:
    for s in draws(ReorderPoint(), model):
        v = s.variables
        reorder_at = v["usage"] * v["lead"] + v["safety"]
        if model == "days-until-reorder":
            above = v["on_hand"] - reorder_at
            assert above % v["usage"] == 0
            expected = above // v["usage"]
        else:
            expected = reorder_at
        assert int(s.key.text.split()[0]) == expected, (v, s.key.text)


def test_reorder_point_distractors_follow_their_slips_and_miss_the_key() -> None:
    for model in ("reorder-point-daily", "reorder-point-weekly"):
        for s in draws(ReorderPoint(), model):
            v = s.variables
            demand, key = v["usage"] * v["lead"], v["usage"] * v["lead"] + v["safety"]
            slips = {
                "forgot-safety-stock": demand,
                "subtracted-safety-stock": demand - v["safety"],
                "safety-stock-twice": demand + 2 * v["safety"],
                "safety-stock-as-time": v["usage"] * (v["lead"] + v["safety"]),
                "added-usage-and-lead-time": v["usage"] + v["lead"] + v["safety"],
                "lead-time-in-days": 7 * demand + v["safety"],
            }
            for d in s.distractors:
                assert int(d.text.split()[0]) == slips[d.misconception] != key, (v, d)
            if model == "reorder-point-weekly":
                assert "lead-time-in-days" in {d.misconception for d in s.distractors}


# The item models whose key once sat on one letter whatever position was asked.
LISTED: list[tuple[Family, str]] = [
    *((OshaDeadlines(), m) for m in OshaDeadlines.models),
    (ReorderPoint(), "reorder-point-daily"),
    (ReorderPoint(), "reorder-point-weekly"),
    (FmlaEligibility(), "short-hours"),
    (FmlaEligibility(), "worksite"),
]


@pytest.mark.parametrize(("family", "model"), LISTED, ids=[m for _, m in LISTED])
def test_keys_do_not_sit_on_one_letter(family: Family, model: str, repo_notes: NoteSet) -> None:
    letters: Counter[str] = Counter()
    for seed, s in zip(SEEDS, draws(family, model), strict=True):
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None
        letters[item.answer] += 1
    assert max(letters.values()) <= 0.6 * len(SEEDS), letters


# --- Every family -----------------------------------------------------------------------


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(set(texts)) >= 3
        assert s.key.text not in texts
        assert all(d.misconception for d in s.distractors)
        assert s.key.misconception is None
        for choice in (s.key, *s.distractors):
            assert choice.why.endswith(".") and choice.why[0] in SENTENCE_START, choice.why
        if s.ordered:
            values = [c.value for c in (s.key, *s.distractors)]
            assert None not in values and len(set(values)) == len(values)
        assert s.stem.endswith("?")
        assert set(s.rules) <= set(family.rules)


def test_variables_stay_in_their_ranges() -> None:
    for model in FmlaEligibility.models:
        for s in draws(FmlaEligibility(), model):
            v = s.variables
            assert 15 <= v["weekly"] <= 40
            assert 20 <= v["at_office"] <= 90 and 0 <= v["at_branch"] <= 60
            assert dt.date(2026, 3, 2) <= v["leave"] <= dt.date(2027, 11, 26)
    for model in FormI9.models:
        for s in draws(FormI9(), model):
            v = s.variables
            assert v["start"].weekday() < 5 and v["offer"].weekday() < 5
            assert 3 <= (v["start"] - v["offer"]).days <= 16
            assert v["job_days"] in ((1, 2) if model == "short-employment" else (0,))
    for model in OshaDeadlines.models:
        for s in draws(OshaDeadlines(), model):
            v = s.variables
            if "learned" in v:
                assert v["learned"].weekday() < 5 and 8 <= v["learned"].hour <= 17
            if "left" in v:
                assert v["hired"] < v["exposed"] < v["left"] <= dt.date(2026, 6, 28)
    for model in ReorderPoint.models:
        for s in draws(ReorderPoint(), model):
            v = s.variables
            assert 2 <= v["usage"] <= 30 and 2 <= v["lead"] <= 10 and v["safety"] >= 2


def expected_notes(family: Family, model: str) -> set[str]:
    if family.id == OshaDeadlines.id:
        if model.endswith("-report"):
            return {"d8-hazard-communication-and-fire-safety"}
        return {"d8-bloodborne-pathogens-standard"}
    if family.id == ReorderPoint.id:
        return {"d8-supplies-equipment-facility"}
    return {"d8-employment-law"}


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_items_are_flaw_free_cited_and_ordered(
    family: Family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed, s in zip(SEEDS, draws(family, model), strict=True):
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws)
        assert item is not None, (seed, model)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == expected_notes(family, model)
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(8, item.topic or "") == item.topic
        if s.ordered:
            value = {c.text: c.value for c in (s.key, *s.distractors)}
            values = [value[o] for o in item.options]
            assert values == sorted(values), item.options
