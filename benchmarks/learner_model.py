"""Next-answer prediction of the product's learner model (planner/mastery.py) on public data.

Usage: python -m benchmarks.learner_model [assistments09] [statics]  (--help for help)

Data: ../shared/data/<dataset>/preprocessed_data_{train,test}.csv (read in place, never
copied; a missing folder is skipped with a message). Protocol (../shared/data/README.md): fit
on train only; for each test learner predict every answer from that learner's earlier answers
(row order) and what was fitted on train; ROC AUC over all test answers. Skills play the role
of domains. The test file is read once, for the final report.

Headline ("product path"): planner.learner_fit.fit_learner_model on the train learners, the
function the product runs on its stored answers (difficulties, then the prior's spread,
forgetting, practice gain and the weight of a learner's earlier answers to the same item,
all chosen on held-out train learners and checked by cross-validation over the train
learners, never on the test file), then the online model
(predict_correct / update, given the item) on each test learner. Also printed: item
difficulty alone, and the online model with the default prior (what the product ran before
it fitted its prior).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.learner_fit import by_learner, fit_learner_model, online_predictions
from planner.mastery import Prior, ResponseRecord

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = ("assistments09", "statics")
PUBLISHED = {  # AUCs from the README of theophilegervet/learner-performance-prediction
    "IRT": {"assistments09": 0.69, "statics": 0.79},
    "PFA": {"assistments09": 0.72, "statics": 0.69},
    "Best-LR": {"assistments09": 0.77, "statics": 0.82},
    "DKT": {"assistments09": 0.75, "statics": 0.83},
}
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


def run(name: str) -> dict[str, float] | None:
    """Fit on train with the product's function, then score the test learners online."""
    folder = DATA / name
    if not (folder / "preprocessed_data_train.csv").exists():
        print(f"[{name}] skipped: {folder} not found (data lives outside the repository)")
        return None
    start = time.perf_counter()
    train = load(folder / "preprocessed_data_train.csv")
    fitted = fit_learner_model(train)
    prior = fitted.prior
    test = list(by_learner(load(folder / "preprocessed_data_test.csv")).values())
    y_test = np.array([r.correct for g in test for r in g])
    cal = fitted.calibration
    p_diff = np.array([-cal.difficulty(r.item_id, r.domain) for g in test for r in g])
    p_product, _ = online_predictions(test, cal, prior)
    p_default, _ = online_predictions(test, cal, Prior(mean=cal.ability_mean))
    result = {
        "product path": roc_auc_score(y_test, p_product),
        "default prior": roc_auc_score(y_test, p_default),
        "difficulty only": roc_auc_score(y_test, p_diff),
    }
    print(
        f"[{name}] fitted on train: prior "
        + " ".join(f"{k}={v:.4g}" for k, v in dataclasses.asdict(prior).items())
        + f"; C={fitted.regularization}; held-out train AUC {fitted.holdout_auc:.4f}; "
        + ("" if fitted.cv_auc is None else f"cross-validated train AUC {fitted.cv_auc:.4f}; ")
        + f"{time.perf_counter() - start:.0f}s"
    )
    return result


def main(names: list[str]) -> None:
    """Run each data set and print the table, the product path first."""
    unknown = sorted(set(names) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown dataset(s) {unknown}; choose from {list(DATASETS)}")
    results = {name: run(name) for name in names}
    rows = ["product path", "default prior", "difficulty only", *PUBLISHED]
    print(f"\n{'model (test ROC AUC)':<26}" + "".join(f"{n:>15}" for n in names))
    for row in rows:
        cells = []
        for n in names:
            result = results[n]
            if row in PUBLISHED:
                cells.append(f"{PUBLISHED[row][n]:>15.2f}")
            elif result is None:
                cells.append(f"{'skipped':>15}")
            else:
                cells.append(f"{result[row]:>15.4f}")
        label = row if row not in PUBLISHED else f"{row} (published)"
        print(f"{label:<26}" + "".join(cells))
    summary = {
        n: {"auc": None if r is None else round(float(r["product path"]), 4)}
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
