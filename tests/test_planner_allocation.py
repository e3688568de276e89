"""The learning model and the allocation of hours: shape of the model, spacing, provenance,
bounded pass chances, optimality of the greedy allocation, and monotonicity (above 50%, a
weaker domain never gets fewer hours)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.blueprint import load_blueprint
from planner.allocation import allocate_units
from planner.learning import FIT_FILE, exam_gain, load_params
from planner.model import DEFAULT_PARAMS, RAW_AT_PASS, build_model, raw_to_scaled
from planner.plan import PlanRequest
from planner.schedule import build_plan

BLUEPRINT = load_blueprint()
NUMBERS = BLUEPRINT.numbers
FAST = settings(max_examples=50, deadline=None)
means = st.floats(0.0, 1.0, allow_nan=False)
upper = st.floats(0.5, 0.97, allow_nan=False)
"""Above 50% the logistic's slope falls as mastery rises, so a weaker domain gains more."""


def model_of(values: list[float], days: int = 56):
    return build_model(BLUEPRINT, {n: (m, 0.1) for n, m in zip(NUMBERS, values, strict=True)}, days)


def test_raw_to_scaled_is_the_documented_linear_map() -> None:
    assert raw_to_scaled(RAW_AT_PASS) == 70.0
    assert raw_to_scaled(0.85) == pytest.approx(85.0)
    assert raw_to_scaled(1.3) == 100.0 and raw_to_scaled(-0.2) == 0.0


def test_gain_rises_with_study_and_stays_below_certainty() -> None:
    model = model_of([0.4] * len(NUMBERS))
    hours = np.arange(0, 60, 2.0)
    mastery = np.array([model.exam_mastery(np.full(len(NUMBERS), h))[3] for h in hours])
    assert np.all(np.diff(mastery) > 0), "more study, more mastery"
    assert mastery[-1] < 1.0
    assert np.diff(mastery)[-1] < np.diff(mastery)[0], "diminishing returns"


def test_spaced_study_keeps_more_than_massed_study() -> None:
    lp = load_params()
    massed = exam_gain([(d, 40.0) for d in range(5)], 56, 5.0, lp.gain)
    spaced = exam_gain([(d, 40.0) for d in range(0, 56, 11)], 56, 5.0, lp.gain)
    assert float(spaced) > float(massed) > 0
    recent = exam_gain([(50, 200.0)], 56, 5.0, lp.gain)
    old = exam_gain([(0, 200.0)], 56, 5.0, lp.gain)
    assert float(recent) > float(old), "what was learned long ago is partly forgotten"
    assert float(exam_gain([], 56, 5.0, lp.gain)) == 0.0


def test_fitted_parameters_record_where_they_came_from() -> None:
    data = json.loads(FIT_FILE.read_text(encoding="utf-8"))
    for key in ("gain_per_log_item", "gain_transfer_sd", "learner_gain_sd", "domain_gain_sd"):
        assert {"value", "source", "procedure", "date"} <= set(data[key])
    assert set(data["fits"]) == {"assistments09", "statics"}
    assert 0 < load_params().gain < 1


def test_pass_probability_rises_with_study_and_is_never_certain() -> None:
    model = model_of([0.55] * len(NUMBERS))
    low = model.forecast(model.spread(np.full(len(NUMBERS), 0.5)))
    high = model.forecast(model.spread(np.full(len(NUMBERS), 12.0)))
    assert low.pass_probability < high.pass_probability
    assert low.scaled < high.scaled
    assert 0.01 <= low.pass_low <= low.pass_probability <= low.pass_high <= 0.99
    top = model_of([0.99] * len(NUMBERS)).forecast(model.spread(np.full(len(NUMBERS), 20.0)))
    bottom = model_of([0.02] * len(NUMBERS)).forecast(model.spread(np.zeros(len(NUMBERS))))
    assert top.pass_probability == 0.99 and bottom.pass_probability == 0.01


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
    upper,
    upper,
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
@given(st.lists(means, min_size=8, max_size=8), st.integers(0, 7), upper, upper)
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


def test_greedy_is_near_exhaustive_search_on_small_budgets() -> None:
    """Blocks are half hours, so small counts are not quite concave: near, not equal."""
    rng = np.random.default_rng(3)
    n = len(NUMBERS)
    for _ in range(10):
        model = model_of(list(rng.uniform(0.5, 0.9, n)))
        budget = int(rng.integers(8, 14))
        table = model.value_table(budget, list(range(model.days)))
        greedy = table[np.arange(n), allocate_units(model, budget, 1)].sum()
        best = -1.0
        for combo in itertools.combinations_with_replacement(range(n), budget - n):
            units = 1 + np.bincount(combo, minlength=n)
            best = max(best, table[np.arange(n), units].sum())
        assert greedy <= best + 1e-12 and greedy == pytest.approx(best, rel=2e-3)


def test_greedy_beats_equal_and_weight_proportional_hours() -> None:
    model = model_of([0.8, 0.5, 0.7, 0.3, 0.6, 0.4, 0.9, 0.5])
    budget = 160
    n = len(NUMBERS)
    table = model.value_table(budget, list(range(model.days)))
    planned = table[np.arange(n), allocate_units(model, budget)].sum()
    equal = table[np.arange(n), np.full(n, budget // n)].sum()
    proportional = table[np.arange(n), np.round(model.shares * budget).astype(int)].sum()
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
