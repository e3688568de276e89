"""The nightly refresh without Prefect: targets, item statistics, stale plans, idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from bank.models import Blueprint, Learner, Response, RunRecord
from bank.notes import load_notes
from bank.store import open_store
from bank.store.access import BankFile
from generators.offline import OfflineGenerator
from pipelines.nightly import (
    STAT_FLAW,
    active_learners,
    exhausted_domains,
    item_statistics,
    pool_targets,
    stale_learners,
    statistics_updates,
)
from pipelines.refresh import refresh
from planner.mastery import DomainMastery
from tests.conftest import make_item
from validators.flaws import check_flaws

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


def _m(domain: int, value: float, n: int = 10) -> DomainMastery:
    return DomainMastery(domain, 0.0, 0.5, n, n // 2, value, value - 0.1, value + 0.1)


def test_targets_weigh_blueprint_counts_and_weak_learners(blueprint: Blueprint) -> None:
    pool = [make_item(i, domain=5) for i in range(10)] + [
        make_item(100 + i, domain=2) for i in range(50)
    ]
    learners = [
        Learner(id="a", exam_date=date(2027, 1, 1)),
        Learner(id="b", exam_date=date(2027, 1, 1)),
    ]
    seen = [Response(learner_id="a", item_id=pool[0].id, answered_at=NOW, correct=True)]
    mastery = {"a": {5: _m(5, 0.4)}, "b": {5: _m(5, 0.9)}}
    targets = {t.domain: t for t in pool_targets(blueprint, pool, seen, learners, mastery)}
    assert targets[5].available == 9 and targets[5].weak_share == 0.5
    assert targets[5].target == int(np.ceil(34 * 3 * 1.5)) and targets[5].deficit == 60
    assert targets[2].available == 50 and targets[2].deficit == 0


def test_active_learners_have_an_exam_ahead_or_recent_answers() -> None:
    learners = [
        Learner(id="future", exam_date=date(2027, 1, 1)),
        Learner(id="past", exam_date=date(2026, 1, 1)),
        Learner(id="recent"),
    ]
    responses = [
        Response(
            learner_id="recent", item_id="x", answered_at=NOW - timedelta(days=3), correct=True
        )
    ]
    assert [lr.id for lr in active_learners(learners, responses, NOW.date())] == [
        "future",
        "recent",
    ]


def test_item_statistics_match_numpy_and_flag_bad_items() -> None:
    rng = np.random.default_rng(3)
    responses = []
    for k in range(40):
        ability = rng.normal()
        for j in range(6):
            p = 1 / (1 + np.exp(-(ability - (j - 2.5))))
            responses.append(
                Response(
                    learner_id=f"l{k}",
                    item_id=f"i{j}",
                    answered_at=NOW,
                    correct=bool(rng.random() < p),
                )
            )
        # an item everyone gets right, and one the strong learners miss
        responses.append(
            Response(learner_id=f"l{k}", item_id="easy", answered_at=NOW, correct=True)
        )
        responses.append(
            Response(learner_id=f"l{k}", item_id="bad", answered_at=NOW, correct=bool(ability < 0))
        )
    stats = {s.item_id: s for s in item_statistics(responses)}
    assert "too_easy" in stats["easy"].flags
    assert "negative_discrimination" in stats["bad"].flags
    x = np.array([r.correct for r in responses if r.item_id == "i2"], float)
    totals = {}
    for r in responses:
        totals.setdefault(r.learner_id, []).append(r.correct)
    rest = np.array(
        [
            (sum(totals[r.learner_id]) - r.correct) / (len(totals[r.learner_id]) - 1)
            for r in responses
            if r.item_id == "i2"
        ]
    )
    assert (
        stats["i2"].r_pb == np.corrcoef(x, rest)[0, 1].round(12)
        or abs(stats["i2"].r_pb - np.corrcoef(x, rest)[0, 1]) < 1e-9
    )
    assert stats["i2"].p == x.mean()


def test_statistics_updates_requeue_approved_items_once() -> None:
    item = make_item(1, status="approved")
    responses = [
        Response(learner_id=f"l{k}", item_id=item.id, answered_at=NOW, correct=True)
        for k in range(25)
    ]
    updates = statistics_updates({item.id: item}, item_statistics(responses), NOW)
    (updated, event) = updates[0]
    assert updated.status == "pending_review" and updated.flaws[-1].code == STAT_FLAW
    assert "p=1.00" in updated.flaws[-1].evidence and event.decision == "requeue"
    assert statistics_updates({item.id: updated}, item_statistics(responses), NOW) == []


def test_stale_learners_are_those_with_new_answers_or_a_new_profile() -> None:
    learners = [Learner(id=x, exam_date=date(2027, 2, 1), hours_per_week=5) for x in "abcd"]
    learners.append(Learner(id="nohours", exam_date=date(2027, 2, 1)))
    learners.append(
        Learner(id="e", exam_date=date(2027, 2, 1), hours_by_weekday={5: 3.0}, updated_at=NOW)
    )
    plans = {
        "a": NOW - timedelta(days=1),
        "b": NOW - timedelta(days=1),
        "c": NOW - timedelta(days=30),  # old, but nothing changed: kept
        "d": None,
        "e": NOW - timedelta(days=1),  # weekday hours changed since
    }
    answers = {"b": NOW - timedelta(hours=2), "a": NOW - timedelta(days=2)}
    assert stale_learners(learners, plans, answers, NOW) == ["b", "d", "e"]


def test_exhausted_domains() -> None:
    run = RunRecord(
        id="r",
        flow="generate_items",
        started_at=NOW,
        status="completed",
        params={
            "purpose": "nightly",
            "notes": "n1",
            "generator": "offline",
            "counts": {"3": 10, "4": 5},
        },
        counts={"domains": {"3": {"clean": 7, "flagged": 0}, "4": {"clean": 4, "flagged": 1}}},
    )
    assert exhausted_domains([run], "n1", "offline") == {3}
    assert exhausted_domains([run], "n2", "offline") == set()


def test_refresh_end_to_end_is_idempotent(db: Path, blueprint: Blueprint) -> None:
    notes = load_notes(NOTES, blueprint)
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.add_learner(
            Learner(id="ana", exam_date=NOW.date() + timedelta(weeks=6), hours_per_week=6)
        )

    bank = BankFile(db)
    generator = OfflineGenerator(check_flaws)
    first = refresh(bank, blueprint, notes, generator, NOW)
    assert first.changed and sum(first.generated.values()) > 200 and first.replanned == ["ana"]
    with open_store(db, read_only=True) as store:
        before = store.content_digest()
    second = refresh(bank, blueprint, notes, generator, NOW)
    assert not second.changed
    with open_store(db, read_only=True) as store:
        assert store.content_digest() == before
