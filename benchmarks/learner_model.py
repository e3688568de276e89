"""Next-answer prediction of the learner model (planner/mastery.py) on public data.

Usage: python -m benchmarks.learner_model [assistments09] [statics]  (--help for help)

Data: ../shared/data/<dataset>/preprocessed_data_{train,test}.csv (read in place, never
copied; a missing folder is skipped with a message). Protocol (../shared/data/README.md): fit
on train only; for each test learner predict every answer from that learner's earlier answers
(row order) and what was fitted on train; ROC AUC over all test answers. Skills play the role
of domains. Everything is tuned by 5-fold cross-validation over train learners; the test file
is read once, for the final report.

Models printed:
  difficulty only   item difficulty from the batch calibration, nothing about the learner
  online Rasch      planner.mastery: predict_correct / update (the product's mastery estimate)
  + logistic layer  benchmarks.answer_model.AnswerModel over answer_features of the same state,
                    fitted on out-of-fold features of train learners (the JSON's "auc")
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.answer_model import N_DENSE, AnswerModel, answer_features, fit_answer_model
from planner.calibration import Calibration, calibrate
from planner.mastery import Prior, ResponseRecord, initial_state, predict_correct, update

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = ("assistments09", "statics")
PUBLISHED = {  # AUCs from the README of theophilegervet/learner-performance-prediction
    "IRT": {"assistments09": 0.69, "statics": 0.79},
    "PFA": {"assistments09": 0.72, "statics": 0.69},
    "Best-LR": {"assistments09": 0.77, "statics": 0.82},
    "DKT": {"assistments09": 0.75, "statics": 0.83},
}
FOLDS = 5
SEED = 20240601
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def load(path: Path) -> list[ResponseRecord]:
    """Rows as responses; answered_at encodes row order (assistments09 has no timestamps)."""
    df = pd.read_csv(path, sep="\t")
    return [
        ResponseRecord(str(u), str(i), int(s), bool(c), T0 + timedelta(seconds=k))
        for k, (u, i, s, c) in enumerate(
            zip(df.user_id, df.item_id, df.skill_id, df.correct, strict=True)
        )
    ]


def by_learner(records: list[ResponseRecord]) -> dict[str, list[ResponseRecord]]:
    groups: dict[str, list[ResponseRecord]] = {}
    for r in records:
        groups.setdefault(r.learner_id, []).append(r)
    return groups


def online(
    groups: list[list[ResponseRecord]],
    cal: Calibration,
    prior: Prior,
    layer: AnswerModel | None = None,
    features: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predict each answer from the learner's earlier ones; return (p, features, y)."""
    preds: list[float] = []
    feats: list[np.ndarray] = []
    ys: list[bool] = []
    for answers in groups:
        state = initial_state(prior)
        for r in answers:
            b = cal.difficulty(r.item_id, r.domain)
            if layer is None:
                preds.append(predict_correct(state, r.domain, b))
            else:
                preds.append(layer.predict(state, r.domain, b))
            if features:
                feats.append(answer_features(state, r.domain, b))
            ys.append(r.correct)
            state = update(state, r.domain, b, r.correct)
    x = np.array(feats) if feats else np.empty((0, N_DENSE))
    return np.array(preds), x, np.array(ys)


Folds = list[tuple[list[ResponseRecord], list[list[ResponseRecord]]]]


def oof(
    folds: Folds, cals: list[Calibration], prior: Prior, features: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Out-of-fold online predictions (and features) over all train learners."""
    ps, xs, ys, doms = [], [], [], []
    for (_, held), cal in zip(folds, cals, strict=True):
        p, x, y = online(held, cal, prior, features=features)
        ps.append(p)
        xs.append(x)
        ys.append(y)
        doms += [r.domain for g in held for r in g]
    return np.concatenate(ps), np.concatenate(xs), np.concatenate(ys), doms


def cv_auc(folds: Folds, cals: list[Calibration], prior: Prior) -> float:
    p, _, y, _ = oof(folds, cals, prior)
    return float(roc_auc_score(y, p))


def tune_prior(folds: Folds, cals: list[Calibration], start: Prior) -> tuple[float, Prior]:
    """Coordinate search over the prior's spreads and forgetting, by CV AUC."""
    best = (cv_auc(folds, cals, start), start)
    for name, values in (
        ("domain_sd", (0.4, 0.7, 1.0)),
        ("forgetting", (1.0, 0.95, 0.9, 0.8)),
        ("sd", (0.7, 1.0, 1.4, 2.0)),
        ("domain_sd", (0.4, 0.7, 1.0, 1.4)),
    ):
        for v in values:
            q = replace(best[1], **{name: v})
            if q != best[1]:
                best = max(best, (cv_auc(folds, cals, q), q), key=lambda s: s[0])
    return best


def run(name: str) -> dict[str, float] | None:
    folder = DATA / name
    if not (folder / "preprocessed_data_train.csv").exists():
        print(f"[{name}] skipped: {folder} not found (data lives outside the repository)")
        return None
    start = time.perf_counter()
    train = load(folder / "preprocessed_data_train.csv")
    groups = by_learner(train)
    learners = np.array(sorted(groups))
    fold_ids = np.random.default_rng(SEED).permutation(len(learners)) % FOLDS
    fold_of = dict(zip(learners, fold_ids, strict=True))
    folds = []
    for k in range(FOLDS):
        fit_rows = [r for r in train if fold_of[r.learner_id] != k]
        held = [g for lid, g in groups.items() if fold_of[lid] == k]
        folds.append((fit_rows, held))

    # 1. calibration strength, with the default prior
    tried = []
    for c in (0.3, 1.0, 3.0):
        cals = [calibrate(fit_rows, c) for fit_rows, _ in folds]
        prior = Prior(mean=float(np.mean([x.ability_mean for x in cals])))
        tried.append((cv_auc(folds, cals, prior), c, prior, cals))
    _, c_best, prior, cals = max(tried, key=lambda t: t[0])
    # 2. the prior's spreads and forgetting
    cv_online, prior = tune_prior(folds, cals, prior)
    # 3. logistic layer on out-of-fold features of the tuned online model
    _, x_oof, y_oof, d_oof = oof(folds, cals, prior, features=True)
    layer = fit_answer_model(x_oof, d_oof, y_oof, c=1.0)
    p_fit = [layer.predict_features(x, d) for x, d in zip(x_oof, d_oof, strict=True)]
    layer_fit = roc_auc_score(y_oof, p_fit)  # in-sample on out-of-fold features

    # 4. final fit on all of train; test read once
    cal = calibrate(train, c_best)
    test = by_learner(load(folder / "preprocessed_data_test.csv"))
    y_test = np.array([r.correct for g in test.values() for r in g])
    p_diff = np.array([-cal.difficulty(r.item_id, r.domain) for g in test.values() for r in g])
    p_online, _, _ = online(list(test.values()), cal, prior)
    p_layer, _, _ = online(list(test.values()), cal, prior, layer)
    result = {
        "difficulty only": roc_auc_score(y_test, p_diff),
        "online Rasch": roc_auc_score(y_test, p_online),
        "+ logistic layer": roc_auc_score(y_test, p_layer),
    }
    print(
        f"[{name}] tuned on train ({FOLDS}-fold CV over learners): calibration C={c_best}, "
        f"prior mean={prior.mean:.2f} sd={prior.sd} domain_sd={prior.domain_sd} "
        f"forgetting={prior.forgetting}; CV AUC online={cv_online:.4f}, "
        f"layer on its fit rows={layer_fit:.4f}; {time.perf_counter() - start:.0f}s"
    )
    return result


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown dataset(s) {unknown}; choose from {list(DATASETS)}")
    results = {name: run(name) for name in names}
    rows = ["difficulty only", "online Rasch", "+ logistic layer", *PUBLISHED]
    print(f"\n{'model (test ROC AUC)':<26}" + "".join(f"{n:>15}" for n in names))
    for row in rows:
        cells = []
        for n in names:
            if row in PUBLISHED:
                cells.append(f"{PUBLISHED[row][n]:>15.2f}")
            elif results[n] is None:
                cells.append(f"{'skipped':>15}")
            else:
                cells.append(f"{results[n][row]:>15.4f}")
        label = row if row not in PUBLISHED else f"{row} (published)"
        print(f"{label:<26}" + "".join(cells))
    summary = {
        n: {"auc": None if r is None else round(float(r["+ logistic layer"]), 4)}
        for n, r in results.items()
    }
    print(json.dumps(summary))


def _parse(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(
        description="Next-answer ROC AUC of the learner model on public data sets.",
        epilog="example: python -m benchmarks.learner_model statics",
    )
    parser.add_argument(
        "datasets", nargs="*", metavar="DATASET", help=f"any of {', '.join(DATASETS)} (all)"
    )
    return parser.parse_args(argv).datasets or list(DATASETS)


if __name__ == "__main__":
    main(_parse(sys.argv[1:]))
