"""The learner model is fitted on stored answers once, stored, and read by every caller."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bank.models import Blueprint, Learner, Response
from bank.store import open_store
from pipelines.learners import learner_evidence, learner_mastery, refit_learner_model
from pipelines.practice import load_learner_model
from tests.conftest import make_item

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _bank(db: Path, learners: int) -> list[str]:
    """Items of two domains, the odd ones hard; learners answer by a Rasch model."""
    items = [make_item(i, domain=1 + i % 2) for i in range(20)]
    hard = {it.id: (1.5 if n % 4 >= 2 else -1.5) for n, it in enumerate(items)}
    rng = random.Random(7)
    answers = []
    with open_store(db) as store:
        store.save_items(items)
        for k in range(learners):
            store.add_learner(Learner(id=f"l{k:02d}"))
            ability = rng.gauss(0, 1)
            for n, it in enumerate(items):
                p = 1 / (1 + math.exp(-(ability - hard[it.id])))
                answers.append(
                    Response(
                        learner_id=f"l{k:02d}",
                        item_id=it.id,
                        answered_at=NOW - timedelta(days=3, minutes=-n),
                        correct=rng.random() < p,
                    )
                )
        store.save_responses(answers)
    return [it.id for it in items if hard[it.id] > 0]


def test_a_fit_is_stored_once_per_new_answers_and_read_by_mastery_and_practice(
    db: Path, blueprint: Blueprint
) -> None:
    hard = set(_bank(db, 30))
    with open_store(db) as store:
        before = learner_mastery(store, "l00", blueprint)
        assert learner_evidence(store, "l00").prior is None
        report = refit_learner_model(store, NOW)
        assert report.stored and report.learners == 30 and report.holdout_auc is not None
        assert report.holdout_auc > 0.6
        again = refit_learner_model(store, NOW)
        assert not again.stored and again.reason == "no new answers since the last fit"
        evidence = learner_evidence(store, "l00")
        assert evidence.prior is not None
        fitted = evidence.calibration.items
        # The fit found the hard items hard.
        assert min(fitted[i] for i in hard) > max(v for i, v in fitted.items() if i not in hard)
        model = load_learner_model(store, "l00")
        assert model.calibration.items == fitted
        after = learner_mastery(store, "l00", blueprint)
    assert after != before


def test_no_fit_with_too_few_learners(db: Path) -> None:
    _bank(db, 5)
    with open_store(db) as store:
        report = refit_learner_model(store, NOW)
        assert not report.stored and report.reason == "fewer than 20 learners"
        assert store.learner_model() is None
