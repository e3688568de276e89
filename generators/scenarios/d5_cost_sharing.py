"""Domain 5 family: what the patient owes for a visit under a deductible and coinsurance.

Cognitive model (note d5-managed-care-and-cost-sharing): the patient pays the allowed
amount until the deductible is met (`deductible-first`); coinsurance is a share of the
allowed amount, never of the charge (`coinsurance-of-allowed`); cost sharing stops at
the out-of-pocket maximum (`out-of-pocket-cap`); an in-network provider writes off the
difference between its charge and the allowed amount (`no-balance-billing-in-network`).

Item models, each a check-in or billing-office situation:
- deductible-met: coinsurance on the whole allowed amount;
- deductible-partly-met: the rest of the deductible, then coinsurance on what is left;
- deductible-not-met: the allowed amount is below what is left of the deductible;
- out-of-pocket-cap: the visit's cost sharing would pass the out-of-pocket maximum;
- contractual-write-off: what the office adjusts off for an in-network claim.

Variables (all amounts whole dollars): charge $80-$900, allowed amount 55-90% of it,
deductible $500-$3,000, coinsurance 10-40%, out-of-pocket maximum $3,000-$8,000.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import (
    CLINICIANS,
    first,
    money,
    money_choices,
    percent_of,
    person,
)

DEDUCTIBLES = (500, 750, 1000, 1500, 2000, 2500, 3000)
COINSURANCE = (10, 20, 25, 30, 40)


@dataclass(frozen=True)
class Visit:
    """The drawn numbers of one visit, in cents."""

    patient: str
    clinician: str
    charge: int
    allowed: int
    deductible: int
    deductible_paid: int
    coinsurance: int  # percent

    @property
    def remaining(self) -> int:
        """What is left of the deductible before this visit."""
        return max(0, self.deductible - self.deductible_paid)


def patient_share(allowed: int, remaining: int, coinsurance: int) -> int:
    """The patient's share of one allowed amount: deductible first, then coinsurance."""
    toward_deductible = min(allowed, remaining)
    return toward_deductible + percent_of(allowed - toward_deductible, coinsurance)


def _visit(rng: random.Random, remaining: str) -> Visit:
    charge = 100 * rng.randrange(80, 901, 5)
    allowed = 100 * (charge * rng.randrange(55, 91) // 10000 // 5 * 5)
    allowed = max(allowed, 5000)
    deductible = 100 * rng.choice(DEDUCTIBLES)
    if remaining == "not":  # a deductible larger than the visit, so some is surely left
        deductible = 100 * rng.choice([d for d in DEDUCTIBLES if 100 * d > allowed + 5000])
    if remaining == "met":
        paid = deductible
    elif remaining == "partly":  # something left, but less than the allowed amount
        left = 100 * rng.randrange(10, max(11, allowed // 100 - 4), 5)
        paid = max(0, deductible - left)
    else:  # more left than this visit's allowed amount
        paid = max(0, deductible - allowed - 100 * rng.randrange(50, 400, 25))
    return Visit(
        person(rng), rng.choice(CLINICIANS), charge, allowed, deductible, paid,
        rng.choice(COINSURANCE),
    )  # fmt: skip


def _money_scenario(scenario: Scenario) -> Scenario:
    """The scenario with distractors of distinct amounts, all written alike."""
    seen = {scenario.key.value}
    kept = []
    for c in scenario.distractors:
        if c.value not in seen:
            seen.add(c.value)
            kept.append(c)
    key, *distractors = money_choices([scenario.key, *kept])
    return replace(scenario, key=key, distractors=tuple(distractors))


def _stem(v: Visit, question: str) -> str:
    name = first(v.patient)
    paid = (
        "has met it for the year"
        if v.remaining == 0
        else f"has paid {money(v.deductible_paid)} toward it so far this year"
    )
    return (
        f"{v.patient} sees {v.clinician}, an in-network physician, for a sick visit, a service "
        "the plan's deductible applies to. "
        f"The practice's charge is {money(v.charge)} and the plan's allowed amount is "
        f"{money(v.allowed)}. {name}'s plan has a {money(v.deductible)} annual deductible, "
        f"and {name} {paid}; after the deductible the plan pays {100 - v.coinsurance}% and "
        f"{name} pays {v.coinsurance}% coinsurance. No copayment applies. {question}"
    )


def _owed(v: Visit) -> Scenario:
    key_value = patient_share(v.allowed, v.remaining, v.coinsurance)
    toward = min(v.allowed, v.remaining)
    rest = v.allowed - toward
    c = v.coinsurance
    if toward == 0:
        key_why = (
            f"The deductible is met, so coinsurance applies to the whole allowed amount: "
            f"{c}% of {money(v.allowed)} is {money(key_value)}."
        )
        model = "deductible-met"
    elif rest == 0:
        key_why = (
            f"{money(v.remaining)} of the deductible is still unmet, more than the "
            f"{money(v.allowed)} allowed, so the patient pays the whole allowed amount and "
            "no coinsurance applies yet."
        )
        model = "deductible-not-met"
    else:
        key_why = (
            f"The patient first pays the {money(toward)} left on the deductible; coinsurance "
            f"then applies to the remaining {money(rest)} of the allowed amount: {c}% of "
            f"{money(rest)} is {money(percent_of(rest, c))}, so {money(toward)} + "
            f"{money(percent_of(rest, c))} = {money(key_value)}."
        )
        model = "deductible-partly-met"
    wrong = [
        Choice(
            money(percent_of(v.allowed, c)),
            f"{money(percent_of(v.allowed, c))} is {c}% of the whole allowed amount: it "
            "skips the part of the deductible the patient still owes before coinsurance starts.",
            "skipped-deductible",
            percent_of(v.allowed, c),
        ),
        Choice(
            money(percent_of(v.charge, c)),
            f"{money(percent_of(v.charge, c))} is {c}% of the practice's charge; coinsurance "
            "is a share of the allowed amount, and the difference is written off.",
            "coinsurance-on-charge",
            percent_of(v.charge, c),
        ),
        Choice(
            money(toward + percent_of(rest, 100 - c)),
            f"{money(toward + percent_of(rest, 100 - c))} takes the plan's {100 - c}% as the "
            f"patient's share; after the deductible the patient pays {c}%.",
            "plan-share",
            toward + percent_of(rest, 100 - c),
        ),
        Choice(
            money(v.charge),
            f"{money(v.charge)} is the full charge: an in-network provider may not bill the "
            "patient more than the allowed amount.",
            "billed-full-charge",
            v.charge,
        ),
        Choice(
            money(v.allowed),
            f"{money(v.allowed)} is the whole allowed amount: once the deductible is met, "
            "the patient pays only the coinsurance share.",
            "whole-allowed",
            v.allowed,
        ),
    ]
    if toward:
        wrong.insert(
            1,
            Choice(
                money(toward),
                f"{money(toward)} covers only the rest of the deductible; the patient also owes "
                f"{c}% of the {money(rest)} of allowed amount left after it.",
                "forgot-coinsurance",
                toward,
            ),
        )
    if model == "deductible-met":  # smaller figures: the coverage taken as complete
        plan_pays = percent_of(v.allowed, 100 - c)
        wrong.insert(
            1,
            Choice(
                money(0),
                "A met deductible does not make the visit free: the patient still pays "
                f"{c}% coinsurance until the out-of-pocket maximum is reached.",
                "met-deductible-means-covered",
                0,
            ),
        )
        wrong.append(
            Choice(
                money(percent_of(plan_pays, c)),
                f"{money(percent_of(plan_pays, c))} is {c}% of the plan's "
                f"{money(plan_pays)} payment; coinsurance is {c}% of the whole allowed amount.",
                "coinsurance-of-plan-payment",
                percent_of(plan_pays, c),
            )
        )
    if model == "deductible-not-met":  # larger figures: the deductible billed, not the visit
        wrong[2:2] = [
            Choice(
                money(v.remaining),
                f"{money(v.remaining)} is all that is left of the deductible; this visit "
                f"applies only its {money(v.allowed)} allowed amount toward it.",
                "billed-rest-of-deductible",
                v.remaining,
            ),
            Choice(
                money(v.deductible),
                f"{money(v.deductible)} is the whole annual deductible; {money(v.deductible_paid)} "
                f"of it is paid, and this visit adds only its {money(v.allowed)} allowed amount.",
                "billed-whole-deductible",
                v.deductible,
            ),
        ]
    distractors = tuple(wrong)
    return Scenario(
        family=CostSharing.id,
        model=model,
        stem=_stem(
            v, f"How much of the allowed amount does {first(v.patient)} owe for this visit?"
        ),
        key=Choice(money(key_value), key_why, None, key_value),
        distractors=distractors,
        rules=("deductible-first", "coinsurance-of-allowed"),
        steps=1 if model == "deductible-not-met" else (2 if toward == 0 else 3),
        bloom="apply" if toward == 0 else "analyze",
        variables={**v.__dict__, "remaining": v.remaining},
        ordered=True,
    )


def _write_off(v: Visit) -> Scenario:
    key_value = v.charge - v.allowed
    share = patient_share(v.allowed, v.remaining, v.coinsurance)
    wrong = [
        Choice(
            money(v.allowed),
            f"{money(v.allowed)} is the allowed amount, which the plan and patient pay "
            "between them; it is not written off.",
            "allowed-as-adjustment",
            v.allowed,
        ),
        Choice(
            money(percent_of(key_value, 100 - v.coinsurance)),
            f"{money(percent_of(key_value, 100 - v.coinsurance))} writes off only "
            f"{100 - v.coinsurance}% of the {money(key_value)} above the allowed amount, as if "
            f"the patient owed {v.coinsurance}% of it; coinsurance is a share of the allowed "
            "amount, and the whole difference is written off.",
            "coinsurance-on-difference",
            percent_of(key_value, 100 - v.coinsurance),
        ),
        Choice(
            money(0),
            "Nothing written off would mean billing the patient the difference, which an "
            "in-network provider may not do.",
            "balance-bills-patient",
            0,
        ),
        Choice(
            money(v.charge - share),
            f"{money(v.charge - share)} subtracts the patient's share from the charge; the "
            "contractual adjustment is the charge minus the allowed amount.",
            "charge-minus-patient-share",
            v.charge - share,
        ),
        Choice(
            money(v.allowed - share),
            f"{money(v.allowed - share)} is what the plan pays; the write-off is what no one "
            "pays: the charge above the allowed amount.",
            "plan-payment-as-adjustment",
            v.allowed - share,
        ),
        Choice(
            money(share),
            f"{money(share)} is the patient's share of the allowed amount, billed to the "
            "patient; the adjustment is the part of the charge above the allowed amount.",
            "patient-share-as-adjustment",
            share,
        ),
        Choice(
            money(v.charge),
            f"{money(v.charge)} is the whole charge; only the part above the "
            f"{money(v.allowed)} allowed amount is written off.",
            "whole-charge",
            v.charge,
        ),
    ]
    return Scenario(
        family=CostSharing.id,
        model="contractual-write-off",
        stem=_stem(
            v,
            "When the claim is paid, what contractual adjustment does the billing office "
            "post to the account?",
        ),
        key=Choice(
            money(key_value),
            f"An in-network provider writes off its charge above the allowed amount: "
            f"{money(v.charge)} - {money(v.allowed)} = {money(key_value)}.",
            None,
            key_value,
        ),
        distractors=tuple(wrong),
        rules=("no-balance-billing-in-network",),
        steps=1,
        bloom="apply",
        variables={**v.__dict__},
        ordered=True,
    )


def _capped(rng: random.Random) -> Scenario:
    v = _visit(rng, "met")
    share = percent_of(v.allowed, v.coinsurance)
    oop_max = 100 * rng.randrange(3000, 8001, 250)
    spent = oop_max - 100 * rng.randrange(5, max(6, share // 100 - 4), 5)
    key_value = max(0, min(share, oop_max - spent))
    name = first(v.patient)
    stem = _stem(
        v,
        f"{name}'s out-of-pocket maximum is {money(oop_max)}, and {name} has paid "
        f"{money(spent)} in deductible, copayments and coinsurance this plan year. How much "
        "does the patient owe for this visit?",
    )
    wrong = [
        Choice(
            money(share),
            f"{money(share)} is the full {v.coinsurance}% coinsurance; cost sharing stops once "
            f"the year's total reaches the {money(oop_max)} out-of-pocket maximum.",
            "ignored-out-of-pocket-maximum",
            share,
        ),
        Choice(
            money(0),
            f"The maximum is not reached yet: {money(oop_max - spent)} of it is left, and the "
            "patient pays up to that amount.",
            "treated-as-reached",
            0,
        ),
        Choice(
            money(percent_of(v.charge, v.coinsurance)),
            f"{money(percent_of(v.charge, v.coinsurance))} is coinsurance on the charge, and it "
            "ignores the out-of-pocket maximum.",
            "coinsurance-on-charge",
            percent_of(v.charge, v.coinsurance),
        ),
        Choice(
            money(v.allowed - key_value),
            f"{money(v.allowed - key_value)} is what the plan pays for this visit, not the "
            "patient.",
            "plan-share",
            v.allowed - key_value,
        ),
        Choice(
            money(percent_of(oop_max - spent, v.coinsurance)),
            f"{money(percent_of(oop_max - spent, v.coinsurance))} takes {v.coinsurance}% of "
            f"the {money(oop_max - spent)} left before the maximum; the patient pays "
            f"coinsurance until the maximum is reached, so all {money(oop_max - spent)} of it.",
            "coinsurance-of-room-left",
            percent_of(oop_max - spent, v.coinsurance),
        ),
        Choice(
            money(share - key_value),
            f"{money(share - key_value)} is the part of the coinsurance above the maximum, "
            "which the plan pays; the patient pays the part up to it.",
            "billed-part-over-maximum",
            share - key_value,
        ),
    ]
    return Scenario(
        family=CostSharing.id,
        model="out-of-pocket-cap",
        stem=stem,
        key=Choice(
            money(key_value),
            f"The coinsurance would be {money(share)}, but only {money(oop_max - spent)} is "
            f"left before the {money(oop_max)} maximum, so the patient pays "
            f"{money(key_value)} and the plan pays the rest.",
            None,
            key_value,
        ),
        distractors=tuple(wrong),
        rules=("coinsurance-of-allowed", "out-of-pocket-cap"),
        steps=3,
        bloom="analyze",
        variables={**v.__dict__, "oop_max": oop_max, "spent": spent},
        ordered=True,
    )


class CostSharing:
    """Patient responsibility for an in-network visit: deductible, coinsurance, caps."""

    id = "d5-patient-responsibility"
    domain = 5
    topic = "insurance programs and plans"
    models: tuple[str, ...] = (
        "deductible-met",
        "deductible-partly-met",
        "deductible-not-met",
        "out-of-pocket-cap",
        "contractual-write-off",
    )
    rules: tuple[str, ...] = (
        "deductible-first",
        "coinsurance-of-allowed",
        "out-of-pocket-cap",
        "no-balance-billing-in-network",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One visit of `model`, its amounts drawn with `rng`."""
        if model == "out-of-pocket-cap":
            return _money_scenario(_capped(rng))
        if model == "contractual-write-off":
            return _money_scenario(_write_off(_visit(rng, rng.choice(("met", "partly", "not")))))
        remaining = {"deductible-met": "met", "deductible-partly-met": "partly"}.get(model, "not")
        return _money_scenario(_owed(_visit(rng, remaining)))


FAMILIES = (CostSharing(),)
