"""Benchmark of the study planner: quality against baselines and a solver, and speed.

(a) 1,000 simulated learners (seeded): random starting mastery (some unknown), 3-20 hours
    a week, the exam 2-16 weeks away. For each, the expected scaled score at the exam under
    the planner's allocation, under equal hours per domain and under hours proportional to
    blueprint weight (same domain hours, same model), and the optimum of the same model found
    by SLSQP on the continuous relaxation (same budget and floors). Ratios planner / optimum,
    on the score and on the gain over no study.
(b) Wall time to plan one learner, and 10,000 learners on every core.

Run: python benchmarks/planner.py [--learners 1000] [--many 10000] [--seed 7]
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bank.blueprint import load_blueprint
from bank.models import Blueprint
from planner.allocation import STEP_HOURS, equal_hours, proportional_hours
from planner.model import ExamModel, build_model
from planner.plan import InsufficientTimeError, PlanRequest
from planner.schedule import build_plan

START = dt.date(2027, 1, 4)


def simulated_request(blueprint: Blueprint, seed: int, index: int) -> PlanRequest:
    """One random learner, the same for the same (seed, index) in any process."""
    rng = random.Random(seed * 1_000_003 + index)
    mastery: dict[int, tuple[float, float] | None] = {}
    for number in blueprint.numbers:
        if rng.random() < 0.8:
            mastery[number] = (rng.uniform(0.2, 0.9), rng.uniform(0.05, 0.2))
    return PlanRequest(
        learner=f"sim-{index}",
        blueprint=blueprint,
        mastery=mastery,
        exam_date=START + dt.timedelta(days=rng.randint(14, 112)),
        start=START,
        hours_per_week=round(rng.uniform(3, 20), 2),
        today=START,
    )


def solve(model: ExamModel, budget: float, floor: float) -> np.ndarray:
    """The model's optimum by SLSQP: max expected raw s.t. sum(h) = budget, h >= floor."""
    n = len(model.numbers)
    weights = model.gain_weights()

    def negative(h: np.ndarray) -> float:
        return -model.expected_raw(h)

    def gradient(h: np.ndarray) -> np.ndarray:
        return -weights * np.exp(-h / model.tau) / model.tau

    result = minimize(
        negative,
        np.full(n, budget / n),
        jac=gradient,
        method="SLSQP",
        bounds=[(floor, budget)] * n,
        constraints=[
            {"type": "eq", "fun": lambda h: h.sum() - budget, "jac": lambda h: np.ones(n)}
        ],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    return np.asarray(result.x)


def quality(blueprint: Blueprint, learners: int, seed: int) -> dict[str, float]:
    rows, skipped = [], 0
    for index in range(learners):
        request = simulated_request(blueprint, seed, index)
        try:
            plan = build_plan(request)
        except InsufficientTimeError:
            skipped += 1
            continue
        model = build_model(blueprint, request.mastery, (request.exam_date - request.today).days)
        hours = np.array([plan.allocation[str(n)] for n in blueprint.numbers])
        budget = float(hours.sum())
        units = round(budget / STEP_HOURS)
        floor = max(1, min(2, units // len(hours))) * STEP_HOURS
        optimum = solve(model, budget, floor)
        free = solve(model, budget, 0.0)
        none = model.expected_score(np.zeros(len(hours)))
        planner = model.expected_score(hours)
        best = max(model.expected_score(optimum), planner)
        rows.append(
            {
                "planner": planner,
                "equal": model.expected_score(equal_hours(model, budget)),
                "proportional": model.expected_score(proportional_hours(model, budget)),
                "optimum": model.expected_score(optimum),
                "optimum_no_floor": model.expected_score(free),
                "none": none,
                "ratio": planner / model.expected_score(optimum),
                "gain_ratio": (planner - none) / (best - none) if best > none else 1.0,
                "ratio_no_floor": planner / model.expected_score(free),
                "hours": budget,
            }
        )

    def mean(key: str) -> float:
        return statistics.fmean(r[key] for r in rows)

    return {
        "learners": learners,
        "planned": len(rows),
        "skipped_insufficient_time": skipped,
        "mean_domain_hours": mean("hours"),
        "score_none": mean("none"),
        "score_planner": mean("planner"),
        "score_equal": mean("equal"),
        "score_proportional": mean("proportional"),
        "score_optimum": mean("optimum"),
        "ratio_to_optimum_mean": mean("ratio"),
        "ratio_to_optimum_min": min(r["ratio"] for r in rows),
        "gain_ratio_to_optimum_mean": mean("gain_ratio"),
        "gain_ratio_to_optimum_min": min(r["gain_ratio"] for r in rows),
        "ratio_to_unfloored_optimum_min": min(r["ratio_no_floor"] for r in rows),
        "share_ahead_of_equal": statistics.fmean(r["planner"] >= r["equal"] - 1e-9 for r in rows),
        "share_ahead_of_proportional": statistics.fmean(
            r["planner"] >= r["proportional"] - 1e-9 for r in rows
        ),
        "planner_minus_equal": mean("planner") - mean("equal"),
        "planner_minus_proportional": mean("planner") - mean("proportional"),
    }


def _plan_range(args: tuple[int, int, int]) -> int:
    seed, first, last = args
    blueprint = load_blueprint()
    planned = 0
    for index in range(first, last):
        try:
            build_plan(simulated_request(blueprint, seed, index))
            planned += 1
        except InsufficientTimeError:
            pass
    return planned


def speed(blueprint: Blueprint, many: int, seed: int) -> dict[str, float]:
    requests = [simulated_request(blueprint, seed, i) for i in range(50)]
    times = []
    for request in requests:
        began = time.perf_counter()
        try:
            build_plan(request)
        except InsufficientTimeError:
            continue
        times.append(time.perf_counter() - began)
    cores = os.cpu_count() or 1
    chunks = [(seed, i, min(i + 500, many)) for i in range(0, many, 500)]
    began = time.perf_counter()
    with Pool(cores) as pool:
        planned = sum(pool.map(_plan_range, chunks))
    elapsed = time.perf_counter() - began
    return {
        "one_learner_ms_median": statistics.median(times) * 1000,
        "many_learners": many,
        "many_planned": planned,
        "many_seconds": elapsed,
        "cores": cores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--many", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    blueprint = load_blueprint()
    q = quality(blueprint, args.learners, args.seed)
    s = speed(blueprint, args.many, args.seed)
    rows = [
        ("learners planned", f"{q['planned']} of {q['learners']}"),
        ("mean domain hours", f"{q['mean_domain_hours']:.1f}"),
        ("expected scaled score, no study", f"{q['score_none']:.2f}"),
        ("expected scaled score, equal hours", f"{q['score_equal']:.2f}"),
        ("expected scaled score, weight-proportional", f"{q['score_proportional']:.2f}"),
        ("expected scaled score, planner", f"{q['score_planner']:.2f}"),
        ("expected scaled score, SLSQP optimum", f"{q['score_optimum']:.2f}"),
        (
            "planner / optimum (mean, min)",
            f"{q['ratio_to_optimum_mean']:.5f}, {q['ratio_to_optimum_min']:.5f}",
        ),
        (
            "gain over no study / optimum's (mean, min)",
            f"{q['gain_ratio_to_optimum_mean']:.5f}, {q['gain_ratio_to_optimum_min']:.5f}",
        ),
        (
            "planner >= equal, >= proportional",
            f"{q['share_ahead_of_equal']:.1%}, {q['share_ahead_of_proportional']:.1%}",
        ),
        ("plan one learner (median)", f"{s['one_learner_ms_median']:.2f} ms"),
        (
            f"plan {s['many_learners']:,} learners on {s['cores']} cores",
            f"{s['many_seconds']:.1f} s",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps({**q, **s}, separators=(",", ":")))


if __name__ == "__main__":
    main()
