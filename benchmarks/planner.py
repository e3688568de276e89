"""Benchmark of the study planner: forecasts on real learners, then simulated learners.

(a) Forecast check (benchmarks/forecast_check.py): the fitted learning curve against a
    no-learning baseline and the population learning curve on held-out learners of
    ASSISTments09 and Statics, Brier score and reliability table.
(b) Simulated learners (benchmarks/planner_sim.py) whose true parameters are drawn from the
    fitted population, not equal to the planner's estimates; the planner sees only their
    diagnostic answers. Each plan is scored with the true parameters: the mean gain in
    expected scaled score over no study for the planner and each baseline, the planner's
    mean lead over each with a 95% bootstrap interval, and the share of learners where the
    planner is ahead with a 95% Wilson interval.
(c) Calibration of the pass chance in the same simulation: predicted vs true pass rate by
    decile of the prediction; and the extremes printed.
(d) Wall time to plan one learner.

Run: nice -n 10 python -m benchmarks.planner [--learners 600] [--seed 7] [--skip-forecast]
Prints tables, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bank.blueprint import load_blueprint
from benchmarks.forecast_check import check, print_check
from benchmarks.planner_sim import METHODS, plans_of, simulate_learner, true_outcome, true_score
from planner.plan import InsufficientTimeError
from planner.schedule import build_plan

BOOTSTRAP = 2000


class Lead(TypedDict):
    """The planner's mean lead in scaled score over one baseline, with its 95% interval."""

    mean: float
    ci95: list[float]


class Ahead(TypedDict):
    """The share of learners where the planner is ahead of one baseline, with its interval."""

    share: float
    ci95: list[float]


class SimulationFigures(TypedDict):
    """The figures of (b) and (c), in the order the JSON line prints them."""

    learners: int
    planned: int
    skipped_insufficient_time: int
    score_no_study: float
    gain: dict[str, float]
    one_learner_ms_median: float
    lead: dict[str, Lead]
    ahead: dict[str, Ahead]
    calibration: list[tuple[float, float, int]]
    calibration_max_gap: float
    pass_probability_range: list[float]


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson interval of a share k / n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def bootstrap_mean(x: np.ndarray, seed: int) -> tuple[float, float]:
    """95% bootstrap interval of the mean of `x`."""
    rng = np.random.default_rng(seed)
    means = rng.choice(x, (BOOTSTRAP, len(x))).mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return float(low), float(high)


def simulate(learners: int, seed: int) -> SimulationFigures:
    """Plan and score every simulated learner; the figures of (b) and (c)."""
    blueprint = load_blueprint()
    scores: dict[str, list[float]] = {m: [] for m in METHODS}
    none: list[float] = []
    predicted: list[float] = []
    truth: list[float] = []
    times: list[float] = []
    skipped = 0
    for index in range(learners):
        learner = simulate_learner(blueprint, seed, index)
        began = time.perf_counter()
        try:
            plan = build_plan(learner.request)
        except InsufficientTimeError:
            skipped += 1
            continue
        times.append(time.perf_counter() - began)
        exam = learner.request.exam_date
        for method, blocks in plans_of(learner, plan).items():
            scaled, chance = true_score(learner, true_outcome(learner, blocks, exam))
            scores[method].append(scaled)
            if method == "planner":
                truth.append(chance)
        none.append(true_score(learner, true_outcome(learner, [], exam))[0])
        predicted.append(plan.pass_probability)
    base = np.array(none)
    arr = {m: np.array(v) for m, v in scores.items()}
    # Computed before the leads, as they always were (an empty run fails at the same place).
    score_no_study = float(base.mean())
    gain = {m: float((arr[m] - base).mean()) for m in METHODS}
    median_ms = statistics.median(times) * 1000
    lead: dict[str, Lead] = {}
    ahead: dict[str, Ahead] = {}
    for m in METHODS[1:]:
        diff = arr["planner"] - arr[m]
        lo, hi = bootstrap_mean(diff, seed)
        k = int((diff > 1e-9).sum())
        wl, wh = wilson(k, len(diff))
        lead[m] = {"mean": float(diff.mean()), "ci95": [lo, hi]}
        ahead[m] = {"share": k / len(diff), "ci95": [wl, wh]}
    p, t = np.array(predicted), np.array(truth)
    order = np.argsort(p, kind="stable")
    deciles: list[tuple[float, float, int]] = []
    for part in np.array_split(order, 10):
        deciles.append((float(p[part].mean()), float(t[part].mean()), len(part)))
    return {
        "learners": learners,
        "planned": len(base),
        "skipped_insufficient_time": skipped,
        "score_no_study": score_no_study,
        "gain": gain,
        "one_learner_ms_median": median_ms,
        "lead": lead,
        "ahead": ahead,
        "calibration": deciles,
        "calibration_max_gap": max(abs(a - b) for a, b, _ in deciles),
        "pass_probability_range": [float(p.min()), float(p.max())],
    }


def main() -> None:
    """Run (a) to (d) and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-forecast", action="store_true")
    args = parser.parse_args()
    forecast: dict[str, dict[str, Any] | None] = {}
    if not args.skip_forecast:
        forecast = {name: check(name) for name in ("assistments09", "statics")}
        print_check(forecast)
        print()
    q = simulate(args.learners, args.seed)
    print(
        f"Simulated learners: {q['planned']} planned of {q['learners']}, true parameters "
        "drawn from the fitted population; scored with the truth"
    )
    print(f"  expected scaled score with no study: {q['score_no_study']:.2f}")
    gain = q["gain"]
    for m in METHODS:
        print(f"  mean gain over no study, {m:<14} {gain[m]:6.2f} scaled points")
    lead, ahead = q["lead"], q["ahead"]
    print("  planner vs baseline: mean lead [95% CI]; share of learners ahead [95% CI]")
    for m in METHODS[1:]:
        lo, hi = lead[m]["ci95"]
        wl, wh = ahead[m]["ci95"]
        print(
            f"    {m:<14} {lead[m]['mean']:+.3f} [{lo:+.3f}, {hi:+.3f}]   "
            f"{ahead[m]['share']:.1%} [{wl:.1%}, {wh:.1%}]"
        )
    print("  pass chance calibration by decile: mean predicted, true pass rate, learners")
    for pred, true, n in q["calibration"]:
        print(f"    {pred:.3f}  {true:.3f}  {n}")
    low, high = q["pass_probability_range"]
    print(
        f"  largest gap {q['calibration_max_gap']:.3f}; pass chances printed from "
        f"{low:.2f} to {high:.2f}"
    )
    print(f"  plan one learner (median): {q['one_learner_ms_median']:.1f} ms")
    summary = {
        "forecast": {
            k: None
            if v is None
            else {m: v[m]["brier"] for m in ("fitted curve", "no learning", "population curve")}
            for k, v in forecast.items()
        },
        **q,
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
