"""The learning model and the allocation of hours: shape of the model, optimality of the
greedy allocation, and monotonicity (a weaker domain never gets fewer hours)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.blueprint import load_blueprint
from planner.allocation import STEP_HOURS, allocate_hours, allocate_units
from planner.model import (
    DEFAULT_PARAMS,
    RAW_AT_PASS,
    build_model,
    raw_to_scaled,
    retention_factor,
)
from planner.plan import PlanRequest
from planner.schedule import build_plan

BLUEPRINT = load_blueprint()
NUMBERS = BLUEPRINT.numbers
FAST = settings(max_examples=50, deadline=None)
means = st.floats(0.0, 1.0, allow_nan=False)


def model_of(values: list[float], days: int = 56):
    return build_model(BLUEPRINT, {n: (m, 0.1) for n, m in zip(NUMBERS, values, strict=True)}, days)


def test_raw_to_scaled_is_the_documented_linear_map() -> None:
    assert raw_to_scaled(RAW_AT_PASS) == 70.0
    assert raw_to_scaled(0.85) == pytest.approx(85.0)
    assert raw_to_scaled(1.3) == 100.0 and raw_to_scaled(-0.2) == 0.0


def test_gain_is_concave_and_capped_by_the_room_to_improve() -> None:
    model = model_of([0.4] * len(NUMBERS))
    hours = np.arange(0, 60, 0.5)
    mastery = np.array([model.exam_mastery(np.full(len(NUMBERS), h))[3] for h in hours])
    steps = np.diff(mastery)
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0), "increasing, diminishing"
    assert mastery[-1] < DEFAULT_PARAMS.ceiling
    strong = model_of([0.97] * len(NUMBERS))
    assert np.allclose(strong.exam_mastery(np.full(len(NUMBERS), 10.0)), 0.97), "no room"


def test_forgetting_lengthens_with_reviews_and_has_a_floor() -> None:
    short, long = retention_factor(3), retention_factor(60)
    assert DEFAULT_PARAMS.retention_floor < short < long <= 1.0
    assert retention_factor(10_000) > retention_factor(30)


def test_pass_probability_rises_with_study_and_matches_the_expected_score() -> None:
    model = model_of([0.55] * len(NUMBERS))
    low = model.forecast(np.full(len(NUMBERS), 1.0))
    high = model.forecast(np.full(len(NUMBERS), 8.0))
    assert low.pass_probability < high.pass_probability
    assert low.scaled < 70 < high.scaled
    assert (low.pass_probability < 0.5) and (high.pass_probability > 0.5)


@FAST
@given(st.lists(means, min_size=8, max_size=8), st.integers(8, 400))
def test_allocation_spends_the_budget_and_gives_every_domain_time(
    values: list[float], budget: int
) -> None:
    units = allocate_units(model_of(values), budget)
    assert units.sum() == budget
    assert units.min() >= 1


@FAST
@given(
    st.lists(means, min_size=8, max_size=8),
    st.integers(0, 7),
    means,
    means,
    st.integers(8, 400),
)
def test_a_weaker_domain_never_gets_fewer_hours(
    values: list[float], domain: int, a: float, b: float, budget: int
) -> None:
    weak, strong = min(a, b), max(a, b)
    weaker = [*values[:domain], weak, *values[domain + 1 :]]
    stronger = [*values[:domain], strong, *values[domain + 1 :]]
    assert (
        allocate_units(model_of(weaker), budget)[domain]
        >= (allocate_units(model_of(stronger), budget)[domain])
    )


@settings(max_examples=15, deadline=None)
@given(st.lists(means, min_size=8, max_size=8), st.integers(0, 7), means, means)
def test_a_weaker_domain_never_gets_fewer_hours_in_a_whole_plan(
    values: list[float], domain: int, a: float, b: float
) -> None:
    def hours(m: float) -> float:
        mastery = {n: (v, 0.1) for n, v in zip(NUMBERS, values, strict=True)}
        mastery[NUMBERS[domain]] = (m, 0.1)
        req = PlanRequest(
            learner="m",
            blueprint=BLUEPRINT,
            mastery=mastery,
            exam_date=dt.date(2027, 3, 1),
            start=dt.date(2027, 1, 4),
            hours_per_week=7.0,
            today=dt.date(2027, 1, 4),
        )
        return build_plan(req).allocation[str(NUMBERS[domain])]

    assert hours(min(a, b)) >= hours(max(a, b))


def test_greedy_matches_exhaustive_search_on_small_budgets() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        model = model_of(list(rng.uniform(0.2, 0.9, len(NUMBERS))))
        budget = int(rng.integers(8, 14))
        greedy = model.expected_raw(allocate_units(model, budget, 1) * STEP_HOURS)
        best = -1.0
        extra = budget - len(NUMBERS)
        for combo in itertools.combinations_with_replacement(range(len(NUMBERS)), extra):
            units = np.ones(len(NUMBERS)) + np.bincount(combo, minlength=len(NUMBERS))
            best = max(best, model.expected_raw(units * STEP_HOURS))
        assert greedy == pytest.approx(best, abs=1e-12)


def test_greedy_beats_equal_and_weight_proportional_hours() -> None:
    model = model_of([0.8, 0.5, 0.7, 0.3, 0.6, 0.4, 0.9, 0.5])
    budget = 40.0
    planned = model.expected_score(allocate_hours(model, budget))
    equal = model.expected_score(np.full(len(NUMBERS), budget / len(NUMBERS)))
    proportional = model.expected_score(model.shares * budget)
    assert planned > proportional and planned > equal


def test_unknown_mastery_uses_the_prior() -> None:
    model = build_model(BLUEPRINT, {1: (0.9, 0.05)}, 30)
    assert model.mastery[0] == 0.9 and model.unknown[0] is False
    assert model.mastery[1] == DEFAULT_PARAMS.prior_mean and model.unknown[1] is True
    assert model.sd[1] == DEFAULT_PARAMS.prior_sd


def test_per_domain_floors() -> None:
    model = model_of([0.5] * len(NUMBERS))
    units = allocate_units(model, 20, [0, 0, 3, 0, 0, 0, 0, 0])
    assert units.sum() == 20 and units[2] >= 3
    with pytest.raises(ValueError, match="do not fit"):
        allocate_units(model, 2, [1] * len(NUMBERS))
    with pytest.raises(ValueError, match="cannot give each"):
        allocate_units(model, 5)
