"""Check the fitted learning curve's forecasts on held-out learners (test files only).

For every test learner and skill with at least `MIN_HISTORY` answers, the first `SEEN`
answers are seen and every later answer is forecast from them and the number of practice
opportunities in between (not their outcomes). Three forecasts:

  fitted curve        the learner's start from the first answers (grid posterior over start
                      and own gain under the fitted population), then the fitted gain; each
                      answer's item ease (from the same fit) is known, as it is to the
                      product
  no learning         the same start and item ease, no gain: the learner stays where the
                      first answers say
  population curve    accuracy at that opportunity on that skill over train learners,
                      whatever this learner's first answers

Scored by Brier score (lower is better) with a reliability table (predicted vs observed by
decile of the forecast). The curve is fitted on train (benchmarks/fit_learning.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.fit_learning import DATA, fit_dataset, opportunities

SEEN = 5
MIN_HISTORY = 10
START_GRID = np.linspace(-5.0, 6.0, 89)
GAIN_GRID = np.linspace(-2.5, 2.5, 11)
"""Learner gain deviations, in sds of the fitted learner spread."""
POP_PSEUDO = 20.0
"""Pseudo-count that shrinks a skill's curve toward the all-skill curve at the same step."""


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


def check(name: str) -> dict[str, Any] | None:
    """The forecast check on one data set; None when its files are absent."""
    folder = DATA / name
    if not (folder / "preprocessed_data_test.csv").exists():
        print(f"[{name}] skipped: {folder} not found (data lives outside the repository)")
        return None
    fit = fit_dataset(name)
    train = pd.read_csv(folder / "preprocessed_data_train.csv", sep="\t")
    test = pd.read_csv(folder / "preprocessed_data_test.csv", sep="\t")
    curve, overall = _population_curve(train)
    ease = {int(k): float(v) for k, v in fit["skill_item"].items()}
    starts: Mapping[str, float] = fit["skill_start"]
    gains: Mapping[str, float] = fit["skill_gain"]
    flat = train.groupby("skill_id").correct.mean()
    mean_start = float(np.mean(list(starts.values())))
    ys, model, still, pop = [], [], [], []
    for (_, skill), group in test.groupby(["user_id", "skill_id"], sort=False):
        y = group.correct.to_numpy().astype(bool)
        if len(y) < MIN_HISTORY:
            continue
        items = np.array([ease.get(int(i), 0.0) for i in group.item_id])
        later = np.arange(SEEN, len(y))
        mu = starts.get(str(skill), mean_start)
        g = gains.get(str(skill), fit["gain_per_log_item"])
        model.append(
            _posterior_forecast(
                y[:SEEN], later, mu, fit["start_sd"], g, fit["learner_gain_sd"], items
            )
        )
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
        ys.append(y[SEEN:])
    y_all = np.concatenate(ys).astype(float)
    result: dict[str, Any] = {"sequences": len(ys), "forecasts": len(y_all)}
    for label, preds in (
        ("fitted curve", model),
        ("no learning", still),
        ("population curve", pop),
    ):
        p = np.concatenate(preds)
        result[label] = {"brier": float(np.mean((p - y_all) ** 2)), "table": reliability(p, y_all)}
    return result


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
        for label in ("fitted curve", "no learning", "population curve"):
            print(f"    {label:<18} Brier {r[label]['brier']:.4f}")
        print("    reliability of the fitted curve: bin, n, mean forecast, observed")
        for b, n, p, o in r["fitted curve"]["table"]:
            print(f"      {b}  {n:>6}  {p:.3f}  {o:.3f}")
