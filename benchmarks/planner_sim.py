"""Simulated learners for the planner benchmark: true parameters the planner does not know.

Each simulated learner draws from the fitted population (planner/learning_fit.json): starting
abilities (an overall ability and domain deviations, logits), an own learning gain (the
transferred gain's uncertainty, the learner spread, and a per-domain spread: the planner
optimises with the mean gain, one for every domain, and knows these only as uncertainty),
and an own forgetting speed. The planner sees only the answers of a
diagnostic drawn from those abilities (read by planner.mastery, as the product does); every
plan is then scored with the learner's true parameters on its own schedule.

Plans compared, all on the same days and mixed work as the planner's plan:
  planner        the plan of planner.schedule.build_plan
  equal          the same hours for every domain, interleaved like the planner's
  proportional   hours in proportion to blueprint weight, interleaved like the planner's
  generic        the seed site's plan: weight-proportional, domains one after the other in
                 order of weight, week by week (blocked)
  weakest-first  hours in proportion to weight x (1 - estimated mastery), the weakest domain
                 studied first, blocked
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bank.models import Blueprint
from planner.interleave import assign_days, sessions_of
from planner.learning import exam_gain, load_params
from planner.mastery import Prior, ResponseRecord, estimate_mastery
from planner.model import RAW_AT_PASS, raw_to_scaled
from planner.packing import make_block
from planner.plan import DOMAIN_KINDS, Block, BlockKind, Plan, PlanRequest

START = dt.date(2027, 1, 4)
POPULATION = Prior(mean=0.3, sd=0.8, domain_sd=0.7)
"""Starting abilities of the simulated population (the planner's prior is the same)."""
DIAGNOSTIC_ITEMS = (5, 15)
ITEM_SD = 0.6
METHODS = ("planner", "equal", "proportional", "generic", "weakest-first")


@dataclass(frozen=True)
class Learner:
    """One simulated learner: what is true, and the request the planner gets."""

    ability: np.ndarray
    gain: np.ndarray
    pace: float
    request: PlanRequest


def simulate_learner(blueprint: Blueprint, seed: int, index: int) -> Learner:
    """One learner, the same for the same (seed, index)."""
    rng = np.random.default_rng([seed, index])
    lp = load_params()
    n = len(blueprint.numbers)
    overall = rng.normal(POPULATION.mean, POPULATION.sd)
    ability = overall + rng.normal(0.0, POPULATION.domain_sd, n)
    own = rng.normal(lp.gain, lp.gain_sd) + rng.normal(0.0, lp.learner_gain_sd)
    gain = own + rng.normal(0.0, lp.domain_gain_sd, n)
    pace = float(np.exp(rng.normal(0.0, lp.stability_sd)))
    answers: list[ResponseRecord] = []
    moment = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    difficulties: dict[str, float] = {}
    for i, number in enumerate(blueprint.numbers):
        for k in range(int(rng.integers(*DIAGNOSTIC_ITEMS, endpoint=True))):
            item = f"d{number}-{k}"
            b = float(rng.normal(0.0, ITEM_SD))
            difficulties[item] = b
            right = rng.random() < 1.0 / (1.0 + math.exp(-(ability[i] - b)))
            answers.append(ResponseRecord(f"sim-{index}", item, number, bool(right), moment))
            moment += dt.timedelta(seconds=30)
    estimate = estimate_mastery(answers, difficulties, blueprint.numbers, POPULATION)
    mastery: dict[int, tuple[float, float] | None] = {
        d: (m.mastery, max((m.hi - m.lo) / 2.56, 0.01)) for d, m in estimate.items()
    }
    pick = random.Random(seed * 1_000_003 + index)
    request = PlanRequest(
        learner=f"sim-{index}",
        blueprint=blueprint,
        mastery=mastery,
        exam_date=START + dt.timedelta(days=pick.randint(28, 112)),
        start=START,
        hours_per_week=round(pick.uniform(3, 20), 2),
        today=START,
    )
    return Learner(ability, gain, pace, request)


def _domain_slots(plan: Plan) -> list[tuple[dt.date, int]]:
    """The planner's domain time per day: (date, quarter hours), in date order."""
    per: dict[dt.date, int] = {}
    for b in plan.blocks:
        if b.kind in DOMAIN_KINDS and b.date is not None:
            per[b.date] = per.get(b.date, 0) + round(b.hours * 4)
    return sorted(per.items())


def _split(total: int, weights: np.ndarray, numbers: Sequence[int]) -> dict[int, int]:
    """Quarter hours in proportion to `weights` (largest remainders), at least one each."""
    share = weights / weights.sum() * total
    units = np.maximum(np.floor(share).astype(int), 1)
    while units.sum() > total:
        units[int(np.argmax(units))] -= 1
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    for j in range(total - int(units.sum())):
        units[order[j % len(order)]] += 1
    return dict(zip(numbers, (int(u) for u in units), strict=True))


def _blocked(
    slots: list[tuple[dt.date, int]], units: dict[int, int], order: list[int]
) -> list[Block]:
    """Domains one after the other in `order`, filling the days (first 60% study)."""
    blocks: list[Block] = []
    queue = [(d, units[d]) for d in order if units[d]]
    for day, room in slots:
        while room and queue:
            d, left = queue[0]
            take = min(room, left)
            kind: BlockKind = "study" if left > 0.4 * units[d] else "review"
            blocks.append(make_block(kind, d, take, day, None))
            room -= take
            queue[0] = (d, left - take)
            if queue[0][1] == 0:
                queue.pop(0)
    return blocks


def _interleaved(slots: list[tuple[dt.date, int]], units: dict[int, int]) -> list[Block]:
    assigned = assign_days(slots, units, 2)
    return [
        make_block("study" if p.kind == "study" else "review", p.domain, p.units, day, None)
        for day, parts in assigned.items()
        for p in parts
    ]


def _known_mean(request: PlanRequest, domain: int) -> float:
    """The estimated mastery mean of a domain; a simulated learner's diagnostic covers all."""
    known = request.mastery[domain]
    if known is None:
        raise ValueError(f"domain {domain} has no mastery estimate")
    return known[0]


def plans_of(learner: Learner, plan: Plan) -> dict[str, list[Block]]:
    """Every method's blocks: the planner's own, and each baseline on the same days."""
    bp = learner.request.blueprint
    numbers = bp.numbers
    weights = np.array([d.weight for d in bp.domains], dtype=float)
    mixed = [b for b in plan.blocks if b.kind not in DOMAIN_KINDS]
    slots = _domain_slots(plan)
    total = sum(n for _, n in slots)
    estimate = np.array([_known_mean(learner.request, d) for d in numbers])
    by_weight = sorted(numbers, key=lambda d: (-weights[numbers.index(d)], d))
    weakest = sorted(numbers, key=lambda d: (estimate[numbers.index(d)], d))
    proportional = _split(total, weights, numbers)
    return {
        "planner": plan.blocks,
        "equal": mixed + _interleaved(slots, _split(total, np.ones(len(numbers)), numbers)),
        "proportional": mixed + _interleaved(slots, proportional),
        "generic": mixed + _blocked(slots, proportional, by_weight),
        "weakest-first": mixed
        + _blocked(slots, _split(total, weights * (1.0 - estimate), numbers), weakest),
    }


def true_outcome(learner: Learner, blocks: list[Block], exam: dt.date) -> np.ndarray:
    """True chance of a right answer per domain on exam day after these blocks."""
    bp = learner.request.blueprint
    weights = np.array([d.weight for d in bp.domains], dtype=float)
    sessions = sessions_of(blocks, bp.numbers, list(weights / weights.sum()), START)
    days = (exam - START).days
    gained = np.array(
        [
            float(exam_gain(s, days, float(max(len(d.topics), 1)), learner.gain[i], learner.pace))
            for i, (s, d) in enumerate(zip(sessions, bp.domains, strict=True))
        ]
    )
    return np.asarray(1.0 / (1.0 + np.exp(-(learner.ability + gained))), dtype=float)


def true_score(learner: Learner, right: np.ndarray) -> tuple[float, float]:
    """(expected scaled score, true pass chance over exam forms) from per-domain chances."""
    bp = learner.request.blueprint
    counts = np.array([d.count for d in bp.domains], dtype=float)
    shares = counts / counts.sum()
    raw = float(shares @ right)
    mean = raw
    sd = math.sqrt(float((counts * right * (1 - right)).sum())) / counts.sum()
    z = (mean - RAW_AT_PASS + 0.5 / counts.sum()) / max(sd, 1e-9)
    chance = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    return raw_to_scaled(raw, float(bp.exam.passing_score)), chance
