"""The learner model: online updates, priors for unknown domains, shrinkage, calibration."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.answer_model import answer_features, fit_answer_model
from planner.calibration import Calibration, calibrate, calibrate_items
from planner.mastery import (
    Prior,
    ResponseRecord,
    domain_mastery,
    estimate_mastery,
    initial_state,
    overall_ability,
    predict_correct,
    replay,
    update,
)

DOMAINS = list(range(1, 9))
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

answers = st.lists(
    st.tuples(
        st.sampled_from(DOMAINS),
        st.floats(-3.0, 3.0, allow_nan=False),
        st.booleans(),
    ),
    max_size=25,
)


def build(history: list[tuple[int, float, bool]], prior: Prior | None = None):
    state = initial_state(prior)
    for domain, difficulty, correct in history:
        state = update(state, domain, difficulty, correct)
    return state


@given(history=answers, domain=st.sampled_from(DOMAINS), b=st.floats(-3.0, 3.0))
def test_a_right_answer_never_lowers_and_a_wrong_one_never_raises_any_mastery(history, domain, b):
    before = build(history)
    right = update(before, domain, b, True)
    wrong = update(before, domain, b, False)
    for d in DOMAINS:
        m0 = domain_mastery(before, d)
        assert domain_mastery(right, d).ability >= m0.ability - 1e-12
        assert domain_mastery(right, d).mastery >= m0.mastery - 1e-12
        assert domain_mastery(wrong, d).ability <= m0.ability + 1e-12
        assert domain_mastery(wrong, d).mastery <= m0.mastery + 1e-12
    # the answered domain itself always moves
    assert domain_mastery(right, domain).ability > domain_mastery(before, domain).ability
    assert domain_mastery(wrong, domain).ability < domain_mastery(before, domain).ability


@given(history=answers, domain=st.sampled_from(DOMAINS), b=st.floats(-3.0, 3.0))
def test_an_answer_narrows_the_answered_domain_and_leaves_the_input_alone(history, domain, b):
    before = build(history)
    snapshot = dict(before.domains)
    after = update(before, domain, b, True)
    assert dict(before.domains) == snapshot
    assert domain_mastery(after, domain).sd < domain_mastery(before, domain).sd
    assert domain_mastery(after, domain).n == domain_mastery(before, domain).n + 1


@given(history=answers, domain=st.sampled_from(DOMAINS))
def test_predictions_fall_as_items_get_harder(history, domain):
    state = build(history)
    chances = [predict_correct(state, domain, b) for b in np.linspace(-4, 4, 9)]
    assert all(0.0 < p < 1.0 for p in chances)
    assert all(a > b for a, b in itertools.pairwise(chances))


def test_a_domain_without_answers_reports_the_prior_as_unknown():
    prior = Prior(mean=0.0, sd=1.0, domain_sd=0.7)
    fresh = domain_mastery(initial_state(prior), 3)
    assert fresh.unknown and fresh.n == 0
    assert fresh.ability == 0.0 and fresh.mastery == 0.5
    assert math.isclose(fresh.sd, math.sqrt(1.0 + 0.49))
    assert fresh.hi - fresh.lo > 0.6  # wide: "we do not know yet"

    state = build([(1, 0.0, True)] * 20)
    known, unknown = domain_mastery(state, 1), domain_mastery(state, 3)
    assert not known.unknown and known.n == 20 and known.n_correct == 20
    assert unknown.unknown and unknown.n == 0
    assert unknown.sd > known.sd
    assert unknown.hi - unknown.lo > known.hi - known.lo


def test_an_unanswered_domain_borrows_from_the_others():
    strong = build([(d, 0.0, True) for d in (1, 2, 4) for _ in range(10)])
    weak = build([(d, 0.0, False) for d in (1, 2, 4) for _ in range(10)])
    g_strong, _ = overall_ability(strong)
    assert domain_mastery(strong, 7).ability == g_strong > 0
    assert domain_mastery(strong, 7).mastery > 0.5 > domain_mastery(weak, 7).mastery


def test_a_domain_with_few_answers_is_shrunk_toward_the_overall_ability():
    few = [(5, 0.0, True), (5, 0.0, True)]
    alone = domain_mastery(build(few), 5).ability
    among_weak = domain_mastery(build([(1, 0.0, False)] * 30 + few), 5).ability
    among_strong = domain_mastery(build([(1, 0.0, True)] * 30 + few), 5).ability
    assert among_weak < alone < among_strong
    # with many answers of its own, the domain depends much less on the others
    many = [(5, 0.0, True), (5, 0.0, False)] * 40
    gap_few = among_strong - among_weak
    gap_many = (
        domain_mastery(build([(1, 0.0, True)] * 30 + many), 5).ability
        - domain_mastery(build([(1, 0.0, False)] * 30 + many), 5).ability
    )
    assert 0 < gap_many < gap_few / 2


def test_a_smaller_domain_spread_shrinks_harder():
    history = [(1, 0.0, False)] * 20 + [(2, 0.0, True)] * 3
    tight = domain_mastery(build(history, Prior(domain_sd=0.2)), 2).ability
    loose = domain_mastery(build(history, Prior(domain_sd=2.0)), 2).ability
    assert tight < loose


def test_forgetting_follows_a_learner_who_improves():
    history = [(1, 0.0, False)] * 30 + [(1, 0.0, True)] * 10
    fixed = domain_mastery(build(history, Prior(forgetting=1.0)), 1).mastery
    fading = domain_mastery(build(history, Prior(forgetting=0.9)), 1).mastery
    assert fading > fixed


def records(learner: str, rows: list[tuple[str, int, bool]]) -> list[ResponseRecord]:
    return [
        ResponseRecord(learner, item, domain, correct, T0 + timedelta(minutes=k))
        for k, (item, domain, correct) in enumerate(rows)
    ]


def test_estimate_mastery_replays_answers_in_time_order_and_covers_every_domain():
    rows = records("ann", [("a", 1, True), ("b", 1, False), ("c", 2, True)])
    shuffled = [rows[2], rows[0], rows[1]]
    difficulties = {"a": -1.0, "b": 0.5, "c": 1.0}
    result = estimate_mastery(shuffled, difficulties, DOMAINS)
    assert sorted(result) == DOMAINS
    assert result == estimate_mastery(rows, difficulties, DOMAINS)
    assert (result[1].n, result[1].n_correct, result[2].n, result[3].n) == (2, 1, 1, 0)
    assert result[1] == domain_mastery(replay(rows, difficulties), 1)


def synthetic(seed: int, learners: int = 150, items: int = 24) -> tuple[list, np.ndarray]:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, learners)
    difficulty = np.linspace(-2, 2, items)
    rows = []
    for u in range(learners):
        for i in rng.permutation(items)[:16]:
            p = 1 / (1 + math.exp(-(ability[u] - difficulty[i])))
            rows.append((f"u{u}", f"i{i}", 1 + i % 2, bool(rng.random() < p)))
    recs = [
        ResponseRecord(u, i, d, c, T0 + timedelta(seconds=k)) for k, (u, i, d, c) in enumerate(rows)
    ]
    return recs, difficulty


def test_calibration_recovers_the_order_of_item_difficulties():
    recs, truth = synthetic(7)
    fitted = calibrate_items(recs)
    est = np.array([fitted[f"i{i}"] for i in range(len(truth))])
    assert np.corrcoef(est, truth)[0, 1] > 0.9
    cal = calibrate(recs)
    assert isinstance(cal, Calibration)
    assert cal.difficulty("never-seen", 2) == cal.domains[2]
    assert cal.difficulty("never-seen", 99) == cal.default
    assert calibrate_items(recs) == fitted  # deterministic


def test_the_logistic_layer_fits_and_predicts_like_the_online_model():
    recs, _ = synthetic(11, learners=120)
    cal = calibrate(recs)
    rng = random.Random(3)
    xs, doms, ys = [], [], []
    for u in range(120):
        state = initial_state()
        for r in (r for r in recs if r.learner_id == f"u{u}"):
            b = cal.difficulty(r.item_id, r.domain)
            xs.append(answer_features(state, r.domain, b))
            doms.append(r.domain)
            ys.append(r.correct)
            state = update(state, r.domain, b, r.correct)
    layer = fit_answer_model(np.array(xs), doms, ys)
    state = build([(1, 0.0, rng.random() < 0.7) for _ in range(10)])
    easy, hard = layer.predict(state, 1, -2.0), layer.predict(state, 1, 2.0)
    assert 0.0 < hard < easy < 1.0


def test_a_prior_can_be_moved_and_is_validated():
    prior = Prior()
    assert replace(prior, mean=1.0).sd == prior.sd
    assert domain_mastery(initial_state(replace(prior, mean=1.0)), 4).ability == 1.0
    for bad in ({"sd": 0.0}, {"domain_sd": -1.0}, {"forgetting": 0.0}, {"forgetting": 1.5}):
        with pytest.raises(ValueError):
            Prior(**bad)


def test_item_gains_read_the_learners_earlier_answers_to_the_same_item() -> None:
    prior = Prior(item_success_gain=-0.3, item_failure_gain=-0.5)
    state = update(initial_state(prior), 1, 0.0, False, "a")
    assert state.items == {"a": (0, 1)}
    # Got "a" wrong before: less likely right on it than on a fresh item just as hard.
    assert predict_correct(state, 1, 0.0, "a") < predict_correct(state, 1, 0.0, "b")
    assert predict_correct(state, 1, 0.0) == predict_correct(state, 1, 0.0, "b")
    history = [
        ResponseRecord("l", "a", 1, c, T0 + timedelta(minutes=k))
        for k, c in enumerate([False, True])
    ]
    assert replay(history, {"a": 0.0}, prior).items == {"a": (1, 1)}


@given(answers)
def test_without_item_gains_an_item_id_changes_nothing(
    history: list[tuple[int, float, bool]],
) -> None:
    plain = initial_state()
    named = initial_state()
    for k, (domain, b, right) in enumerate(history):
        plain = update(plain, domain, b, right)
        named = update(named, domain, b, right, f"i{k % 3}")
    assert named == plain and not named.items
