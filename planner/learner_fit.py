"""Fitting the learner model on everyone's answers: item difficulties and the prior.

`fit_learner_model` is what the product runs on its stored answers (once there are enough
learners) and what benchmarks/learner_model.py runs on a data set's train learners: the same
function, so the benchmark's headline is the product's own path.

1. Calibrate item difficulties (planner.calibration) on a fitting share of the learners.
2. Choose the prior's domain spread, evidence forgetting (of the answered domain and of the
   others) and practice gain on the other
   learners, by the next-answer ROC AUC of the online model (planner.mastery), each answer
   predicted from that learner's earlier answers only.
3. Refine that prior one setting at a time (`REFINEMENTS`: faster fading of the other
   domains, and the learner's earlier answers to the same item), keeping a change only when
   it raises the held-out AUC.
4. With that prior, choose the calibration strength the same way.
5. Check the choice by `CV_FOLDS`-fold cross-validation over all the learners (each fold's
   answers predicted with difficulties calibrated on the other folds): move each setting of
   the grid to its neighbouring grid value, one at a time, keeping a move only when it
   raises the pooled cross-validated AUC. One held-out fifth chooses the grid cheaply but
   noisily (on Statics it holds 45 learners); the folds see every learner. Calibrate again
   on every learner.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.calibration import Calibration, calibrate
from planner.mastery import Prior, ResponseRecord, initial_state, predict_correct, update

FORGETTING = (1.0, 0.95, 0.9)
DOMAIN_SD = (0.7, 1.0)
PRACTICE_GAIN = (0.0, 0.15, 0.3)
OVERALL_FORGETTING = (1.0, 0.995)
HOLDOUT_SHARE = 0.2
REFINEMENTS: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("overall_forgetting", (0.98,)),
    ("item_success_gain", (-0.3, -0.6)),
    ("item_failure_gain", (-0.3, 0.3)),
)
"""Prior settings tried one at a time after the grid (greedy, on the held-out learners)."""
REGULARIZATION = (1.0, 3.0)
"""Calibration strengths tried (inverse L2 penalty), the first for choosing the prior."""
CV_FOLDS = 5
"""Folds of the cross-validation that checks the chosen prior (step 5)."""
NEIGHBOURS: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("forgetting", tuple(sorted(FORGETTING))),
    ("domain_sd", tuple(sorted(DOMAIN_SD))),
    ("practice_gain", tuple(sorted(PRACTICE_GAIN))),
    ("overall_forgetting", tuple(sorted({*OVERALL_FORGETTING, 0.98}))),
)
"""The grid settings step 5 moves, each over its ordered grid values."""


@dataclass(frozen=True)
class LearnerModelFit:
    """Fitted difficulties and prior, and the held-out AUC that chose them."""

    calibration: Calibration
    prior: Prior
    holdout_auc: float
    regularization: float = 1.0
    cv_auc: float | None = None
    """Pooled cross-validated AUC of the prior (step 5); None when too few learners."""


def by_learner(responses: Iterable[ResponseRecord]) -> dict[str, list[ResponseRecord]]:
    """Each learner's answers, in the order given."""
    groups: dict[str, list[ResponseRecord]] = {}
    for r in responses:
        groups.setdefault(r.learner_id, []).append(r)
    return groups


def online_predictions(
    groups: Iterable[Sequence[ResponseRecord]], calibration: Calibration, prior: Prior
) -> tuple[list[float], list[bool]]:
    """Each answer's predicted chance from the learner's earlier answers, and the outcomes."""
    preds: list[float] = []
    ys: list[bool] = []
    for answers in groups:
        state = initial_state(prior)
        for r in answers:
            b = calibration.difficulty(r.item_id, r.domain)
            preds.append(predict_correct(state, r.domain, b, r.item_id))
            ys.append(r.correct)
            state = update(state, r.domain, b, r.correct, r.item_id)
    return preds, ys


def auc(scores: Sequence[float], outcomes: Sequence[bool]) -> float:
    """ROC AUC (rank statistic, ties counted half)."""
    from sklearn.metrics import roc_auc_score

    if len(set(outcomes)) < 2:
        return 0.5
    return float(roc_auc_score(list(outcomes), list(scores)))


def fit_learner_model(responses: Sequence[ResponseRecord], seed: int = 0) -> LearnerModelFit:
    """Fit difficulties and choose the prior on held-out learners (see the module docstring).

    Answers are taken in the order given within each learner (sort by time first).
    """
    groups = by_learner(responses)
    ids = sorted(groups)
    random.Random(seed).shuffle(ids)
    held = set(ids[: max(1, round(len(ids) * HOLDOUT_SHARE))]) if len(ids) > 1 else set()
    fitting = [r for r in responses if r.learner_id not in held]
    first = calibrate(fitting, REGULARIZATION[0])
    mean = first.ability_mean
    best = (-1.0, Prior(mean=mean))
    held_groups = [groups[i] for i in sorted(held)]
    if held_groups:
        for forgetting, domain_sd, gain, fade in itertools.product(
            FORGETTING, DOMAIN_SD, PRACTICE_GAIN, OVERALL_FORGETTING
        ):
            prior = Prior(
                mean=mean,
                domain_sd=domain_sd,
                forgetting=forgetting,
                practice_gain=gain,
                overall_forgetting=fade,
            )
            score = auc(*online_predictions(held_groups, first, prior))
            if score > best[0] + 1e-6:
                best = (score, prior)
        for name, values in REFINEMENTS:
            for value in values:
                prior = dataclasses.replace(best[1], **{name: value})
                score = auc(*online_predictions(held_groups, first, prior))
                if score > best[0] + 1e-6:
                    best = (score, prior)
    strength = REGULARIZATION[0]
    if held_groups:
        for c in REGULARIZATION[1:]:
            score = auc(*online_predictions(held_groups, calibrate(fitting, c), best[1]))
            if score > best[0] + 1e-6:
                best, strength = (score, best[1]), c
    chosen, cv = best[1], None
    if len(ids) >= 2 * CV_FOLDS:
        chosen, cv = cross_validated_choice(groups, ids, chosen, strength)
    final = calibrate(responses, strength)
    prior = dataclasses.replace(chosen, mean=final.ability_mean)
    return LearnerModelFit(final, prior, best[0], strength, cv)


def _neighbours(prior: Prior) -> list[Prior]:
    """The prior with one grid setting moved to a neighbouring grid value."""
    out: list[Prior] = []
    for name, values in NEIGHBOURS:
        current = getattr(prior, name)
        if current not in values:
            continue
        j = values.index(current)
        for k in (j - 1, j + 1):
            if 0 <= k < len(values):
                out.append(dataclasses.replace(prior, **{name: values[k]}))
    return out


def cross_validated_choice(
    groups: Mapping[str, Sequence[ResponseRecord]],
    ids: Sequence[str],
    prior: Prior,
    strength: float,
) -> tuple[Prior, float]:
    """Step 5: greedy moves to neighbouring grid values, kept when the pooled CV AUC rises.

    `ids` (shuffled learner ids) are dealt into `CV_FOLDS` folds; each fold is predicted
    online with difficulties calibrated on the other folds, and the prior's ability mean
    set to that calibration's. One sweep over the settings, each move judged from the best
    prior so far.

    Returns:
        The chosen prior and its pooled cross-validated AUC.
    """
    folds = [[groups[i] for i in sorted(ids[f::CV_FOLDS])] for f in range(CV_FOLDS)]
    cals = [
        calibrate(
            [r for g in folds[:f] + folds[f + 1 :] for answers in g for r in answers], strength
        )
        for f in range(CV_FOLDS)
    ]

    def score(candidate: Prior) -> float:
        preds: list[float] = []
        ys: list[bool] = []
        for fold, cal in zip(folds, cals, strict=True):
            p, y = online_predictions(
                fold, cal, dataclasses.replace(candidate, mean=cal.ability_mean)
            )
            preds += p
            ys += y
        return auc(preds, ys)

    best, best_score = prior, score(prior)
    for name, _ in NEIGHBOURS:
        for candidate in _neighbours(best):
            if getattr(candidate, name) == getattr(best, name):
                continue
            s = score(candidate)
            if s > best_score + 1e-6:
                best, best_score = candidate, s
    return best, best_score


def fit_to_dict(fit: LearnerModelFit) -> dict[str, Any]:
    """A fit as plain JSON data (stored in the bank; read back with `fit_from_dict`)."""
    c = fit.calibration
    return {
        "calibration": {
            "items": dict(c.items),
            "domains": {str(d): v for d, v in c.domains.items()},
            "default": c.default,
            "ability_mean": c.ability_mean,
            "ability_sd": c.ability_sd,
        },
        "prior": dataclasses.asdict(fit.prior),
        "holdout_auc": fit.holdout_auc,
        "regularization": fit.regularization,
        "cv_auc": fit.cv_auc,
    }


def fit_from_dict(data: Mapping[str, Any]) -> LearnerModelFit:
    """A fit from `fit_to_dict`'s data.

    Raises:
        ValueError: the data is not a stored fit.
    """
    try:
        c = data["calibration"]
        calibration = Calibration(
            items={str(k): float(v) for k, v in c["items"].items()},
            domains={int(k): float(v) for k, v in c["domains"].items()},
            default=float(c["default"]),
            ability_mean=float(c["ability_mean"]),
            ability_sd=float(c["ability_sd"]),
        )
        prior = Prior(**{k: float(v) for k, v in data["prior"].items()})
        cv = data.get("cv_auc")  # absent in fits stored before step 5
        return LearnerModelFit(
            calibration,
            prior,
            float(data["holdout_auc"]),
            float(data["regularization"]),
            None if cv is None else float(cv),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a stored learner-model fit: {exc}") from exc
