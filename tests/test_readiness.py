"""Readiness: the scaled-score assumption, seeds, and movement with right and wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.mastery import domain_mastery, initial_state, update
from planner.readiness import (
    PASS_PROPORTION,
    SCALING_ASSUMPTION,
    predict_readiness,
    scaled_score,
)

CMAS = {1: 26, 2: 14, 3: 20, 4: 34, 5: 34, 6: 34, 7: 14, 8: 24}


def mastery_after(history):
    state = initial_state()
    for domain, difficulty, correct in history:
        state = update(state, domain, difficulty, correct)
    return state, {d: domain_mastery(state, d) for d in CMAS}


def test_the_scaling_assumption_is_stated_and_applied():
    assert "70%" in SCALING_ASSUMPTION and "does not publish" in SCALING_ASSUMPTION
    assert PASS_PROPORTION == 0.70
    assert scaled_score(0.0) == 0.0
    assert scaled_score(PASS_PROPORTION) == pytest.approx(70.0)
    assert scaled_score(1.0) == pytest.approx(100.0)
    assert scaled_score(0.35) == pytest.approx(35.0)
    # a stricter cut: 80% raw earns the passing 70, linear on both sides
    assert scaled_score(0.8, pass_proportion=0.8) == pytest.approx(70.0)
    assert scaled_score(0.9, pass_proportion=0.8) == pytest.approx(85.0)
    assert scaled_score(1.5) == 100.0 and scaled_score(-0.2) == 0.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.05, 0.95))
def test_scaled_score_is_monotone_and_bounded(a, b, cut):
    lo, hi = sorted((a, b))
    assert 0.0 <= scaled_score(lo, cut) <= scaled_score(hi, cut) <= 100.0


def test_same_seed_same_result_and_different_seeds_agree_closely():
    _, mastery = mastery_after([(4, 0.0, True)] * 12 + [(6, 0.5, False)] * 5)
    first = predict_readiness(mastery, CMAS, rng=42)
    assert first == predict_readiness(mastery, CMAS, rng=np.random.default_rng(42))
    other = predict_readiness(mastery, CMAS, rng=43)
    assert other != first
    assert abs(other.expected_score - first.expected_score) < 0.5
    assert abs(other.p_pass - first.p_pass) < 0.02


def test_a_new_learner_is_unknown_everywhere_with_a_wide_interval():
    _, mastery = mastery_after([])
    r = predict_readiness(mastery, CMAS, rng=1)
    assert r.unknown_domains == tuple(CMAS) and r.unknown_share == 1.0
    assert 45 < r.expected_score < 55
    assert r.hi - r.lo > 40
    assert 0.05 < r.p_pass < 0.4
    assert r.lo <= r.expected_score <= r.hi


def test_known_domains_are_not_listed_as_unknown():
    _, mastery = mastery_after([(4, 0.0, True), (5, 0.0, False)])
    r = predict_readiness(mastery, CMAS, rng=1)
    assert 4 not in r.unknown_domains and 5 not in r.unknown_domains
    assert r.unknown_share == pytest.approx(1 - 68 / 200)


def test_a_strong_learner_is_likely_to_pass_and_a_weak_one_is_not():
    _, strong = mastery_after([(d, 0.0, i % 10 != 0) for d in CMAS for i in range(30)])
    _, weak = mastery_after([(d, 0.0, i % 2 == 0) for d in CMAS for i in range(30)])
    good, poor = predict_readiness(strong, CMAS, 5), predict_readiness(weak, CMAS, 5)
    assert good.p_pass > 0.9 > 0.1 > poor.p_pass
    assert good.expected_score > 80 and 40 < poor.expected_score < 60
    assert good.hi - good.lo < 15  # many answers: a narrow interval
    assert good.unknown_domains == ()


history = st.lists(
    st.tuples(st.sampled_from(list(CMAS)), st.floats(-2.0, 2.0, allow_nan=False), st.booleans()),
    max_size=20,
)


@settings(max_examples=20, deadline=None)
@given(history=history, domain=st.sampled_from(list(CMAS)), b=st.floats(-2.0, 2.0))
def test_readiness_rises_after_right_answers_and_falls_after_wrong_ones(history, domain, b):
    state, before = mastery_after(history)
    right, wrong = state, state
    for _ in range(3):
        right = update(right, domain, b, True)
        wrong = update(wrong, domain, b, False)
    seed = 2024
    r0 = predict_readiness(before, CMAS, seed, draws=8_000)
    r_up = predict_readiness({d: domain_mastery(right, d) for d in CMAS}, CMAS, seed, draws=8_000)
    r_dn = predict_readiness({d: domain_mastery(wrong, d) for d in CMAS}, CMAS, seed, draws=8_000)
    # up to Monte Carlo error (same seed, so most of it cancels)
    assert r_up.expected_score >= r0.expected_score - 0.1 >= r_dn.expected_score - 0.2
    assert r_up.p_pass >= r0.p_pass - 0.005
    assert r_dn.p_pass <= r0.p_pass + 0.005
    assert r_up.expected_score > r_dn.expected_score


def test_missing_domains_and_empty_blueprints_are_refused():
    _, mastery = mastery_after([])
    with pytest.raises(ValueError, match="no mastery"):
        predict_readiness({1: mastery[1]}, CMAS, rng=0)
    with pytest.raises(ValueError):
        predict_readiness(mastery, {}, rng=0)
