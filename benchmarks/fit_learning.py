"""Fit the planner's learning curve on public response data and write planner/learning_fit.json.

Usage: python -m benchmarks.fit_learning [--out planner/learning_fit.json]

Data: ../shared/data/{assistments09,statics}/preprocessed_data_train.csv (train learners only;
read in place, never copied). Each skill plays the role of one topic of a CMAS domain.

Model (additive factors with learner variation): the t-th answer (t = 0, 1, ...) of learner i
on skill s is right with probability

    sigmoid(c + b_s + e_j + theta_i + delta_is + (g + g_s + u_i) * log(1 + t))

with e_j the ease of the item answered (so the gain is net of which items come late),
fitted as one L2-penalised logistic regression: the penalty is a Gaussian prior on each group
of effects (b_s sd 3, e_j sd 1, theta_i sd 1, delta_is sd 0.7, g sd 3, g_s sd 0.3, u_i sd 0.3; the
column scales set these). `g` is the mean logit gain per unit of log(1 + practice items), and
the learner-slope spread is the sd of u_i over learners with at least 100 answers (the least
shrunk; a lower bound). The product takes the mean of the two data sets' `g` and counts half
their difference as the uncertainty of transferring it to CMAS learners.

`fit_inner` runs the same fit with a seeded 20% of the train learners left out, so that a
benchmark can choose a setting on train learners the fit has not seen
(benchmarks/forecast_check.py does); both fits are cached under /tmp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = ("assistments09", "statics")
OUT = Path(__file__).resolve().parents[1] / "planner" / "learning_fit.json"
SCALES = {
    "item": 1.0,
    "skill": 3.0,
    "learner": 1.0,
    "pair": 0.7,
    "gain": 3.0,
    "skill_gain": 0.3,
    "learner_gain": 0.3,
}
MIN_ANSWERS_FOR_SPREAD = 100
INNER_SHARE = 0.2
"""Share of the train learners held out by `fit_inner` to choose settings on."""
CACHE = Path("/tmp/cmas-prep-bench")
"""Where fitted results are cached between runs (the fit takes minutes)."""


def opportunities(df: pd.DataFrame) -> np.ndarray:
    """How many earlier answers the learner gave on the same skill (row order)."""
    counts: np.ndarray = df.groupby(["user_id", "skill_id"]).cumcount().to_numpy()
    return counts


def fit_dataset(name: str, cache: Path | None = CACHE) -> dict[str, Any]:
    """Fit the additive-factors model on one data set's train file; return its figures.

    The result (with per-skill starts and gains) is cached as JSON under `cache`.
    """
    path = None if cache is None else cache / f"fit2_{name}.json"
    if path is not None and path.exists():
        cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    result = _fit(name)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result), encoding="utf-8")
    return result


def inner_split(users: Iterable[int], seed: int = 0) -> set[int]:
    """The train learners `fit_inner` holds out: a seeded `INNER_SHARE` of them."""
    ids = np.array(sorted(set(users)))
    np.random.default_rng(seed).shuffle(ids)
    return {int(u) for u in ids[: round(len(ids) * INNER_SHARE)]}


def fit_inner(name: str, cache: Path | None = CACHE) -> dict[str, Any]:
    """The same fit on the train learners outside `inner_split`; "held" lists the others.

    For choosing a setting on train learners the fit has not seen (never on the test file).
    Cached like `fit_dataset`.
    """
    path = None if cache is None else cache / f"fit2_inner_{name}.json"
    if path is not None and path.exists():
        cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    users = pd.read_csv(DATA / name / "preprocessed_data_train.csv", sep="\t").user_id
    held = inner_split(users)
    result = _fit(name, held)
    result["held"] = sorted(held)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result), encoding="utf-8")
    return result


def _fit(name: str, exclude: Collection[int] = ()) -> dict[str, Any]:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    df = pd.read_csv(DATA / name / "preprocessed_data_train.csv", sep="\t")
    if exclude:  # fit_inner: leave these learners out
        df = df[~df.user_id.isin(set(exclude))].reset_index(drop=True)
    t = opportunities(df)
    x_log = np.log1p(t)
    skill = pd.factorize(df.skill_id)[0]
    learner = pd.factorize(df.user_id)[0]
    pair = pd.factorize(df.user_id.astype(str) + ":" + df.skill_id.astype(str))[0]
    item, item_ids = pd.factorize(df.item_id)
    n = len(df)
    ns, nl, npair = skill.max() + 1, learner.max() + 1, pair.max() + 1
    rows = np.arange(n)
    blocks = [
        sparse.csr_matrix((np.full(n, SCALES["skill"]), (rows, skill)), shape=(n, ns)),
        sparse.csr_matrix((np.full(n, SCALES["learner"]), (rows, learner)), shape=(n, nl)),
        sparse.csr_matrix((np.full(n, SCALES["pair"]), (rows, pair)), shape=(n, npair)),
        sparse.csr_matrix((x_log * SCALES["gain"])[:, None]),
        sparse.csr_matrix((x_log * SCALES["skill_gain"], (rows, skill)), shape=(n, ns)),
        sparse.csr_matrix((x_log * SCALES["learner_gain"], (rows, learner)), shape=(n, nl)),
        sparse.csr_matrix((np.full(n, SCALES["item"]), (rows, item)), shape=(n, item.max() + 1)),
    ]
    design = sparse.hstack(blocks, format="csr")
    began = time.perf_counter()
    fit = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, tol=1e-4)
    fit.fit(design, df.correct.to_numpy())
    coef = fit.coef_[0]
    offsets = np.cumsum([0, ns, nl, npair, 1, ns, nl, item.max() + 1])
    gain = float(coef[offsets[3]] * SCALES["gain"])
    skill_gain = coef[offsets[4] : offsets[5]] * SCALES["skill_gain"]
    learner_gain = coef[offsets[5] : offsets[6]] * SCALES["learner_gain"]
    answers = np.bincount(learner, minlength=nl)
    spread = float(np.std(learner_gain[answers >= MIN_ANSWERS_FOR_SPREAD]))
    theta = coef[offsets[1] : offsets[2]] * SCALES["learner"]
    delta = coef[offsets[2] : offsets[3]] * SCALES["pair"]
    intercept = float(fit.intercept_[0])
    skill_ids = pd.factorize(df.skill_id)[1]
    b = coef[offsets[0] : offsets[1]] * SCALES["skill"]
    start_sd = float(np.sqrt(np.var(theta) + np.var(delta)))
    return {
        "rows": n,
        "learners": int(nl),
        "skills": int(ns),
        "gain_per_log_item": round(gain, 4),
        "skill_gain_sd": round(float(np.std(skill_gain)), 4),
        "learner_gain_sd": round(spread, 4),
        "learner_ability_sd": round(float(np.std(theta[answers >= MIN_ANSWERS_FOR_SPREAD])), 4),
        "learner_skill_sd": round(float(np.std(delta)), 4),
        "seconds": round(time.perf_counter() - began, 1),
        "start_sd": round(start_sd, 4),
        "skill_start": {
            str(k): round(intercept + float(v), 4) for k, v in zip(skill_ids, b, strict=True)
        },
        "skill_item": {
            str(k): round(float(v) * SCALES["item"], 4)
            for k, v in zip(item_ids, coef[offsets[6] : offsets[7]], strict=True)
        },
        "skill_gain": {
            str(k): round(gain + float(v), 4) for k, v in zip(skill_ids, skill_gain, strict=True)
        },
    }


def main(argv: list[str]) -> None:
    """Fit both data sets and write the product's constants with where each came from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    missing = [n for n in DATASETS if not (DATA / n / "preprocessed_data_train.csv").exists()]
    if missing:
        raise SystemExit(f"skipped: {missing} not found under {DATA} (data lives outside)")
    fits = {}
    for name in DATASETS:
        fits[name] = {k: v for k, v in fit_dataset(name).items() if not isinstance(v, dict)}
        print(name, json.dumps(fits[name]), flush=True)
    gains = [fits[n]["gain_per_log_item"] for n in DATASETS]
    spreads = [fits[n]["learner_gain_sd"] for n in DATASETS]
    procedure = (
        "additive-factors logistic regression, L2-penalised (benchmarks/fit_learning.py), "
        "train file of each data set only"
    )
    today = dt.date.today().isoformat()
    out = {
        "gain_per_log_item": {
            "value": round(float(np.mean(gains)), 4),
            "source": "mean over ASSISTments09 and Statics train learners of g",
            "procedure": procedure,
            "date": today,
        },
        "gain_transfer_sd": {
            "value": round(abs(gains[0] - gains[1]) / 2, 4),
            "source": "half the difference of the two data sets' g: the uncertainty of "
            "carrying the fitted gain over to CMAS learners",
            "procedure": procedure,
            "date": today,
        },
        "learner_gain_sd": {
            "value": round(float(np.mean(spreads)), 4),
            "source": "mean over the two data sets of the sd of the learner slope u_i "
            f"(learners with >= {MIN_ANSWERS_FOR_SPREAD} answers)",
            "procedure": procedure,
            "date": today,
        },
        "domain_gain_sd": {
            "value": round(float(np.mean([fits[n]["skill_gain_sd"] for n in DATASETS])), 4),
            "source": "mean over the two data sets of the sd of the skill slopes g_s: how much "
            "a learner's gain differs between domains",
            "procedure": procedure,
            "date": today,
        },
        "fits": fits,
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
