"""Check the fitted learning curve's forecasts on held-out learners (test files only).

For every test learner and skill with at least `MIN_HISTORY` answers, the first `SEEN`
answers are seen and every later answer is forecast from them and the number of practice
opportunities in between (not their outcomes). Three forecasts:

  fitted curve        the learner's start from the first answers (grid posterior over start
                      and own gain under the fitted population), then the fitted gain; each
                      answer's item ease (from the same fit) is known, as it is to the
                      product. Two settings of the forecast are chosen on train learners
                      only (`choose_design`): how far each skill's fitted gain is shrunk
                      toward the pooled gain, and how much of the fitted learner-gain
                      spread the posterior assumes
  no learning         the same start and item ease, no gain: the learner stays where the
                      first answers say
  population curve    accuracy at that opportunity on that skill over train learners,
                      whatever this learner's first answers

Scored by Brier score (lower is better) with a reliability table (predicted vs observed by
decile of the forecast). The curve is fitted on train (benchmarks/fit_learning.py).

Choosing the forecast's settings (never on the test learners): the curve is fitted again on
80% of the train learners (fit_learning.fit_inner), every pair of `GAIN_POOL` x
`GAIN_SPREAD` forecasts the other 20% by the protocol above, and the pair with the lowest
Brier score there is used with the full-train fit on the test learners. The unshrunk curve
(pool 0, spread 1: the design before this choice) is printed too, for comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.fit_learning import DATA, fit_dataset, fit_inner, opportunities

SEEN = 5
MIN_HISTORY = 10
START_GRID = np.linspace(-5.0, 6.0, 89)
GAIN_GRID = np.linspace(-2.5, 2.5, 11)
"""Learner gain deviations, in sds of the fitted learner spread."""
POP_PSEUDO = 20.0
"""Pseudo-count that shrinks a skill's curve toward the all-skill curve at the same step."""
GAIN_POOL = (0.0, 0.5, 1.0)
"""Share of the way each skill's fitted gain is moved toward the pooled gain."""
GAIN_SPREAD = (0.0, 0.25, 0.5, 1.0)
"""Share of the fitted learner-gain sd that the forecast's posterior assumes."""
Design = tuple[float, float]
"""(gain pool, gain spread) of the fitted-curve forecast."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _posterior_forecast(
    seen: np.ndarray,
    later_t: np.ndarray,
    mu: float,
    sd: float,
    gain: float,
    gain_sd: float,
    items: np.ndarray,
) -> np.ndarray:
    """Predictive chance of a right answer at each later step, from the seen answers.

    `items` is each answer's item offset (logits, centred within the skill; seen ones
    first): the item is known before it is answered, its outcome is not.
    """
    a = START_GRID[:, None]
    g = gain + gain_sd * GAIN_GRID[None, :]
    log_w = -0.5 * ((a - mu) / sd) ** 2 - 0.5 * GAIN_GRID[None, :] ** 2
    for t, y in enumerate(seen):
        p = _sigmoid(a + g * np.log1p(t) + items[t])
        log_w = log_w + np.log(np.where(y, p, 1.0 - p) + 1e-12)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    out = np.empty(len(later_t))
    for j, t in enumerate(later_t):
        out[j] = float((w * _sigmoid(a + g * np.log1p(t) + items[t])).sum())
    return out


def _population_curve(train: pd.DataFrame) -> tuple[dict[tuple[int, int], float], np.ndarray]:
    """Train accuracy per (skill, step), shrunk toward the all-skill accuracy at that step."""
    t = opportunities(train)
    frame = train.assign(t=np.minimum(t, 200))
    overall = frame.groupby("t").correct.mean().reindex(range(201)).ffill().to_numpy()
    grouped = frame.groupby(["skill_id", "t"]).correct.agg(["sum", "count"])
    curve = {
        (int(s), int(k)): float(
            (row["sum"] + POP_PSEUDO * overall[k]) / (row["count"] + POP_PSEUDO)
        )
        for (s, k), row in grouped.iterrows()
    }
    return curve, overall


def reliability(
    p: np.ndarray, y: np.ndarray, bins: int = 10
) -> list[tuple[str, int, float, float]]:
    """(bin, count, mean forecast, observed rate) for forecast bins 0-0.1, ..., 0.9-1."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = idx == b
        if mask.any():
            rows.append(
                (
                    f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    int(mask.sum()),
                    float(p[mask].mean()),
                    float(y[mask].mean()),
                )
            )
    return rows


Run = tuple[int, np.ndarray, np.ndarray]
"""(skill, outcomes in order, item offsets) of one learner and skill."""


def _sequences(frame: pd.DataFrame, ease: Mapping[int, float]) -> list[Run]:
    """Every learner-skill sequence of `frame` with at least `MIN_HISTORY` answers."""
    out = []
    for (_, skill), group in frame.groupby(["user_id", "skill_id"], sort=False):
        y = group.correct.to_numpy().astype(bool)
        if len(y) >= MIN_HISTORY:
            out.append((int(skill), y, np.array([ease.get(int(i), 0.0) for i in group.item_id])))
    return out


def _fitted_forecasts(seqs: list[Run], fit: Mapping[str, Any], design: Design) -> np.ndarray:
    """The fitted curve's forecasts of every later answer, under a (pool, spread) design."""
    pool, spread = design
    starts: Mapping[str, float] = fit["skill_start"]
    gains: Mapping[str, float] = fit["skill_gain"]
    pooled = float(fit["gain_per_log_item"])
    mean_start = float(np.mean(list(starts.values())))
    out = []
    for skill, y, items in seqs:
        g = (1.0 - pool) * gains.get(str(skill), pooled) + pool * pooled
        mu = starts.get(str(skill), mean_start)
        out.append(
            _posterior_forecast(
                y[:SEEN],
                np.arange(SEEN, len(y)),
                mu,
                fit["start_sd"],
                g,
                spread * fit["learner_gain_sd"],
                items,
            )
        )
    return np.concatenate(out)


def _later(seqs: list[Run]) -> np.ndarray:
    return np.concatenate([y[SEEN:] for _, y, _ in seqs]).astype(float)


def choose_design(name: str) -> tuple[Design, dict[Design, float]]:
    """The (pool, spread) with the lowest Brier score on held-out train learners.

    Fitted on 80% of the train learners, scored on the other 20% (fit_learning.fit_inner);
    the test file is not read.
    """
    inner = fit_inner(name)
    train = pd.read_csv(DATA / name / "preprocessed_data_train.csv", sep="\t")
    held = train[train.user_id.isin(set(inner["held"]))]
    ease = {int(k): float(v) for k, v in inner["skill_item"].items()}
    seqs = _sequences(held, ease)
    y = _later(seqs)
    scores = {
        (pool, spread): float(np.mean((_fitted_forecasts(seqs, inner, (pool, spread)) - y) ** 2))
        for pool in GAIN_POOL
        for spread in GAIN_SPREAD
    }
    return min(scores, key=lambda d: (scores[d], d)), scores


def check(name: str) -> dict[str, Any] | None:
    """The forecast check on one data set; None when its files are absent."""
    folder = DATA / name
    if not (folder / "preprocessed_data_test.csv").exists():
        print(f"[{name}] skipped: {folder} not found (data lives outside the repository)")
        return None
    design, inner_scores = choose_design(name)
    fit = fit_dataset(name)
    train = pd.read_csv(folder / "preprocessed_data_train.csv", sep="\t")
    test = pd.read_csv(folder / "preprocessed_data_test.csv", sep="\t")
    curve, overall = _population_curve(train)
    ease = {int(k): float(v) for k, v in fit["skill_item"].items()}
    flat = train.groupby("skill_id").correct.mean()
    seqs = _sequences(test, ease)
    still, pop = [], []
    for skill, y, items in seqs:
        later = np.arange(SEEN, len(y))
        rate = float(flat.get(skill, train.correct.mean()))
        mu0 = float(np.log(rate / (1.0 - rate)))
        still.append(_posterior_forecast(y[:SEEN], later, mu0, fit["start_sd"], 0.0, 0.0, items))
        pop.append(
            np.array(
                [
                    curve.get((int(skill), min(int(t), 200)), overall[min(int(t), 200)])
                    for t in later
                ]
            )
        )
    y_all = _later(seqs)
    result: dict[str, Any] = {
        "sequences": len(seqs),
        "forecasts": len(y_all),
        "design": {"gain_pool": design[0], "gain_spread": design[1]},
        "inner_brier": {f"pool={p} spread={s}": b for (p, s), b in inner_scores.items()},
    }
    for label, p in (
        ("fitted curve", _fitted_forecasts(seqs, fit, design)),
        ("unshrunk curve", _fitted_forecasts(seqs, fit, (0.0, 1.0))),
        ("no learning", np.concatenate(still)),
        ("population curve", np.concatenate(pop)),
    ):
        result[label] = {"brier": float(np.mean((p - y_all) ** 2)), "table": reliability(p, y_all)}
    return result


LABELS = ("fitted curve", "unshrunk curve", "no learning", "population curve")
"""The forecasts compared, the fitted curve (with its chosen settings) first."""


def print_check(results: Mapping[str, dict[str, Any] | None]) -> None:
    """Print the Brier scores and the fitted curve's reliability table per data set."""
    print("Forecast check on held-out learners (test files): Brier score, lower is better")
    for name, r in results.items():
        if r is None:
            continue
        print(
            f"  {name}: {r['sequences']} learner-skill sequences with >= {MIN_HISTORY} answers, "
            f"first {SEEN} seen, {r['forecasts']} later answers forecast"
        )
        d = r["design"]
        inner = r["inner_brier"][f"pool={d['gain_pool']} spread={d['gain_spread']}"]
        print(
            f"    chosen on held-out train learners: gain pool {d['gain_pool']}, learner-gain "
            f"spread {d['gain_spread']} (their Brier {inner:.4f}; "
            f"{len(r['inner_brier'])} settings tried)"
        )
        for label in LABELS:
            print(f"    {label:<18} Brier {r[label]['brier']:.4f}")
        print("    reliability of the fitted curve: bin, n, mean forecast, observed")
        for b, n, p, o in r["fitted curve"]["table"]:
            print(f"      {b}  {n:>6}  {p:.3f}  {o:.3f}")
