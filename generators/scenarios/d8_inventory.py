"""Domain 8 family: the reorder point of an office supply, and when stock will reach it.

Cognitive model (note d8-supplies-equipment-facility): the reorder point is the usage
expected during the supplier's lead time plus the safety stock, average usage per day (or
week) times the lead time in days (or weeks), plus the safety stock (`reorder-point`); the
office orders when stock on hand falls to it.

Item models, each a supply the office manager keeps in stock:
- reorder-point-daily: usage per day and lead time in days;
- reorder-point-weekly: usage per week and lead time in weeks;
- days-until-reorder: how many days of usage until stock on hand reaches the reorder point.

Variables: the supply and its unit; daily usage 2-8 (weekly 5-30); lead time 3-10 days
(2-4 weeks); safety stock 20-60% of the usage during the lead time, at least 2 units
(for days-until-reorder, 1-4 days of usage, so that every count of days is whole); stock
on hand 2-12 days of usage above the reorder point.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, person, plural

SUPPLIES = (
    ("exam gloves", "box", "boxes"),
    ("exam-table paper", "roll", "rolls"),
    ("printer paper", "ream", "reams"),
    ("alcohol prep pads", "box", "boxes"),
    ("specimen cups", "pack", "packs"),
)
PRACTICES = (
    "Fairview Family Medicine", "Northside Pediatrics", "Creekside Podiatry",
    "Highland Allergy and Asthma", "Parkway Internal Medicine",
)  # fmt: skip


@dataclass(frozen=True)
class Supply:
    """One drawn supply, its usage, lead time, safety stock and stock on hand."""

    practice: str
    manager: str
    item: str
    unit: str
    units: str
    usage: int  # per day, or per week for the weekly model
    period: str  # "day" or "week"
    lead: int  # in days or weeks, as `period`
    safety: int
    on_hand: int  # 0 unless the model asks when stock reaches the reorder point


def _draw(rng: random.Random, model: str) -> Supply:
    item, unit, units = rng.choice(SUPPLIES)
    common = (rng.choice(PRACTICES), person(rng), item, unit, units)
    if model == "reorder-point-weekly":
        usage, lead = rng.randint(5, 30), rng.randint(2, 4)
        return Supply(*common, usage, "week", lead, _safety(rng, usage * lead), 0)
    usage, lead = rng.randint(2, 8), rng.randint(3, 10)
    if model == "reorder-point-daily":
        return Supply(*common, usage, "day", lead, _safety(rng, usage * lead), 0)
    safety = usage * rng.randint(1, 4)
    on_hand = usage * lead + safety + usage * rng.randint(2, 12)
    return Supply(*common, usage, "day", lead, safety, on_hand)


def _safety(rng: random.Random, demand: int) -> int:
    """A safety stock of 20-60% of the usage during the lead time, at least 2 units."""
    return max(2, round(demand * rng.uniform(0.2, 0.6)))


def _count(s: Supply, n: int, why: str, misconception: str | None) -> Choice:
    return Choice(plural(n, s.unit, s.units), why, misconception, n)


def _days(n: int, why: str, misconception: str | None) -> Choice:
    return Choice(plural(n, "day"), why, misconception, n)


def _facts(s: Supply) -> str:
    return (
        f"{s.practice} uses an average of {plural(s.usage, s.unit, s.units)} of {s.item} a "
        f"{s.period}. The supplier delivers {plural(s.lead, s.period)} after an order is "
        f"placed, and the office keeps a safety stock of {plural(s.safety, s.unit, s.units)}."
    )


def _reorder_point(s: Supply, model: str) -> Scenario:
    demand = s.usage * s.lead
    rop = demand + s.safety
    per = f"{s.units} a {s.period}"
    key = _count(
        s,
        rop,
        f"Usage during the lead time is {s.usage} {per} x {plural(s.lead, s.period)} = "
        f"{demand}; adding the safety stock of {s.safety} gives {rop}.",
        None,
    )
    wrong = [
        _count(
            s,
            demand,
            f"{demand} covers the lead time but leaves out the {s.safety} {s.units} of "
            "safety stock that guard against late deliveries.",
            "forgot-safety-stock",
        ),
        _count(
            s,
            demand + 2 * s.safety,
            f"{demand + 2 * s.safety} adds the safety stock twice; it is added once, on top "
            "of the usage during the lead time.",
            "safety-stock-twice",
        ),
        _count(
            s,
            s.usage + s.lead + s.safety,
            f"{s.usage + s.lead + s.safety} adds the usage to the lead time; usage is "
            f"multiplied by the lead time to give the {s.units} used while waiting.",
            "added-usage-and-lead-time",
        ),
    ]
    if s.usage * (s.lead + s.safety) <= 2 * rop:  # larger figures stay within reason
        wrong.insert(
            1,
            _count(
                s,
                s.usage * (s.lead + s.safety),
                f"{s.usage * (s.lead + s.safety)} treats the safety stock as {s.safety} more "
                f"{s.period}s of usage; it is already a count of {s.units}.",
                "safety-stock-as-time",
            ),
        )
    if s.period == "week":
        wrong.append(
            _count(
                s,
                7 * demand + s.safety,
                f"{7 * demand + s.safety} multiplies the weekly usage by the lead time in days "
                f"({7 * s.lead}); usage a week times {plural(s.lead, 'week')} gives {demand}.",
                "lead-time-in-days",
            )
        )
    if demand - s.safety > 0:
        wrong.insert(
            1,
            _count(
                s,
                demand - s.safety,
                f"{demand - s.safety} subtracts the safety stock; it is added on top of the "
                "usage during the lead time.",
                "subtracted-safety-stock",
            ),
        )
    return Scenario(
        family=ReorderPoint.id,
        model=model,
        stem=f"{_facts(s)} What is the reorder point for the {s.item}?",
        key=key,
        distractors=_unique(key, wrong),
        rules=("reorder-point",),
        steps=2,
        bloom="apply",
        variables={**s.__dict__},
        ordered=True,
    )


def _until_reorder(s: Supply) -> Scenario:
    rop = s.usage * s.lead + s.safety
    days = (s.on_hand - rop) // s.usage
    name = first(s.manager)
    stem = (
        f"{_facts(s)} Today {s.manager}, the office manager, counts "
        f"{plural(s.on_hand, s.unit, s.units)} on the shelf. If usage stays at the average, "
        f"in how many days will the stock fall to the reorder point, when {name} places the "
        "next order?"
    )
    key = _days(
        days,
        f"The reorder point is {s.usage} x {s.lead} + {s.safety} = {rop}; the "
        f"{s.on_hand - rop} {s.units} above it last {s.on_hand - rop} / {s.usage} = "
        f"{plural(days, 'day')}.",
        None,
    )
    wrong = [
        _days(
            (s.on_hand - s.usage * s.lead) // s.usage,
            "This leaves the safety stock out of the reorder point, so the order would go "
            "out too late.",
            "forgot-safety-stock",
        ),
        _days(
            days - s.lead,
            f"This orders {plural(s.lead, 'day')} before the reorder point; the reorder point "
            "already includes the usage during the lead time.",
            "ordered-a-lead-time-early",
        ),
        _days(
            days - s.safety // s.usage,
            "This holds the safety stock back twice, once in the reorder point and again "
            "from the stock on hand.",
            "safety-stock-twice",
        ),
        _days(
            (s.on_hand - s.safety) // s.usage,
            "This counts the days until stock falls to the safety stock; the order has to go "
            "out a full lead time earlier.",
            "days-until-safety-stock",
        ),
        _days(
            s.on_hand // s.usage,
            "This counts the days until the shelf is empty; the order goes out at the "
            "reorder point, well before that.",
            "days-until-empty",
        ),
        _days(
            s.on_hand - rop,
            f"{s.on_hand - rop} is the number of {s.units} above the reorder point; divided "
            f"by the {s.usage} used each day it gives the days.",
            "forgot-to-divide",
        ),
    ]
    return Scenario(
        family=ReorderPoint.id,
        model="days-until-reorder",
        stem=stem,
        key=key,
        distractors=_unique(key, wrong),
        rules=("reorder-point",),
        steps=3,
        bloom="analyze",
        variables={**s.__dict__},
        ordered=True,
    )


def _unique(key: Choice, wrong: list[Choice]) -> tuple[Choice, ...]:
    """Distractors whose amounts differ from the key's and from each other's."""
    seen = {key.value}
    kept = []
    for choice in wrong:
        if choice.value not in seen and (choice.value or 0) > 0:
            seen.add(choice.value)
            kept.append(choice)
    return tuple(kept)


class ReorderPoint:
    """Reorder point of an office supply and the days until stock reaches it."""

    id: str = "d8-reorder-point"
    domain: int = 8
    topic: str = "supplies, equipment and facility"
    models: tuple[str, ...] = ("reorder-point-daily", "reorder-point-weekly", "days-until-reorder")
    rules: tuple[str, ...] = ("reorder-point",)

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One supply of `model`, its usage and lead time drawn with `rng`."""
        s = _draw(rng, model)
        if model == "days-until-reorder":
            return _until_reorder(s)
        return _reorder_point(s, model)


FAMILIES = (ReorderPoint(),)
