"""Interleaving and spacing of the schedule, readable pass chances, and the learner-model fit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from planner.interleave import assign_days
from planner.learner_fit import fit_from_dict, fit_learner_model, fit_to_dict
from planner.mastery import Prior, ResponseRecord, domain_mastery, initial_state, update
from planner.readiness import bounded_chance, describe_pass_chance

DAY = dt.timedelta(days=1)
START = dt.date(2027, 1, 4)


def test_each_domain_is_spread_over_the_whole_plan_and_days_mix_domains() -> None:
    free = [(START + k * DAY, 6) for k in range(28)]
    units = {1: 40, 2: 30, 3: 28, 4: 70}
    assigned = assign_days(free, units, 2)
    placed = {
        d: sum(p.units for parts in assigned.values() for p in parts if p.domain == d)
        for d in units
    }
    assert placed == units
    for d in units:
        days = sorted(day for day, parts in assigned.items() if any(p.domain == d for p in parts))
        assert days[0] <= START + 3 * DAY and days[-1] >= START + 24 * DAY, "until the exam"
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        assert max(gaps) <= 4, "back every few days"
    assert all(len({p.domain for p in parts}) >= 2 for parts in assigned.values())
    kinds = [p.kind for day in sorted(assigned) for p in assigned[day] if p.domain == 1]
    assert kinds[0] == "study" and kinds[-1] == "review"
    assert kinds == sorted(kinds, key=lambda k: k != "study"), "study first, then review"


def test_a_pass_chance_reads_as_about_with_its_interval_and_never_0_or_100() -> None:
    assert describe_pass_chance(0.853, 0.702, 0.941) == "about 85% (70-94%)"
    assert describe_pass_chance(0.9996) == "about 99%"
    assert describe_pass_chance(0.0, 0.0, 0.02) == "about 1% (1-2%)"
    assert "100%" not in describe_pass_chance(1.0, 0.99, 1.0)
    assert bounded_chance(1.0) == 0.99 and bounded_chance(-1) == 0.01


def test_practice_gain_raises_mastery_with_practice() -> None:
    learning = Prior(practice_gain=0.3)
    fixed, grows = initial_state(), initial_state(learning)
    for _ in range(10):
        fixed = update(fixed, 1, 0.0, True)
        fixed = update(fixed, 1, 0.0, False)
        grows = update(grows, 1, 0.0, True)
        grows = update(grows, 1, 0.0, False)
    assert domain_mastery(grows, 1).mastery > domain_mastery(fixed, 1).mastery
    assert domain_mastery(fixed, 1).mastery == pytest.approx(0.5, abs=0.03)


def test_overall_forgetting_fades_the_other_domains() -> None:
    fading = Prior(overall_forgetting=0.9)
    state = initial_state(fading)
    for _ in range(10):
        state = update(state, 1, 0.0, True)
    before = domain_mastery(state, 1).mastery
    for _ in range(10):
        state = update(state, 2, 0.0, False)
    assert domain_mastery(state, 1).mastery < before
    with pytest.raises(ValueError):
        Prior(overall_forgetting=0.0)


def test_fit_learner_model_chooses_a_prior_on_held_out_learners() -> None:
    t0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    rows = []
    for learner in range(30):
        skill = learner % 3
        for k in range(12):
            right = (k * 7 + learner) % 10 < 4 + k // 3  # improves with practice
            rows.append(
                ResponseRecord(f"l{learner}", f"i{k % 6}", skill, right, t0 + k * dt.timedelta(1))
            )
    fitted = fit_learner_model(rows)
    assert 0.0 <= fitted.holdout_auc <= 1.0
    assert fitted.prior.practice_gain in (0.0, 0.15, 0.3)
    assert set(fitted.calibration.items) == {f"i{k}" for k in range(6)}


def test_a_stored_fit_round_trips_and_an_older_one_without_item_gains_still_reads() -> None:
    t0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    rows = [
        ResponseRecord(f"l{n}", f"i{k % 4}", 1, (n + k) % 3 > 0, t0 + k * dt.timedelta(1))
        for n in range(10)
        for k in range(8)
    ]
    fitted = fit_learner_model(rows)
    data = fit_to_dict(fitted)
    assert fit_from_dict(data) == fitted
    older = {**data, "prior": {k: v for k, v in data["prior"].items() if not k.startswith("item_")}}
    assert fit_from_dict(older).prior.item_success_gain == 0.0


def test_the_fit_checks_its_prior_by_cross_validation_and_an_older_fit_without_it_reads() -> None:
    t0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    rows = [
        ResponseRecord(
            f"l{n}", f"i{k % 5}", n % 2, (3 * n + k) % 4 < 1 + k // 4, t0 + k * dt.timedelta(1)
        )
        for n in range(20)
        for k in range(10)
    ]
    fitted = fit_learner_model(rows)
    assert fitted.cv_auc is not None and 0.0 <= fitted.cv_auc <= 1.0
    assert fitted.prior.forgetting in (0.9, 0.95, 1.0)
    data = fit_to_dict(fitted)
    older = {k: v for k, v in data.items() if k != "cv_auc"}
    assert fit_from_dict(older).cv_auc is None
    few = fit_learner_model([r for r in rows if int(r.learner_id[1:]) < 6])
    assert few.cv_auc is None
