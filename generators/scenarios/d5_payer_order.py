"""Domain 5 family: which payer the office bills first when a patient has two coverages.

Cognitive model (note d5-coordination-of-benefits): a dependent child covered by both
parents' plans is primary under the plan of the parent whose birthday, month and day
only, comes first in the calendar year (`naic-birthday-rule`); for a Medicare patient
with group health plan coverage the Medicare Secondary Payer rules decide: 65 or older
through current employment, the plan pays first at 20 or more employees
(`msp-working-aged`); retiree coverage pays after Medicare (`msp-retiree-coverage`);
Medicare by disability, the plan pays first at 100 or more employees (`msp-disability`);
Medicare by ESRD, the plan pays first during the 30-month coordination period
(`msp-esrd-coordination`).

Item models, each a registration or billing-office situation:
- birthday-rule: both parents' plans cover the child; their birth years mislead half the
  time (the parent with the earlier birthday is the younger one);
- working-aged: 65-79, still working (or a spouse working), employer of 5-19 or 20-900;
- retiree-coverage: 65-79, retired, retiree coverage from an employer of 25-4,000;
- disability: 35-64, Medicare by disability, employer of 20-99 or 100-4,000;
- esrd: 30-64, Medicare by ESRD; the visit 2-26 months (inside the 30-month
  coordination period) or 34-58 months (after it) from the first month of eligibility.

Variables: names, ages and dates as above; parents born 1975-1996 with different month
and day; employer sizes never within the gray zone of a threshold's wording ("20 or
more": 19 and 20 are both drawn, as the rule decides them exactly).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import (
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    draw_date,
    first,
    long_date,
    person,
)

EMPLOYERS = (
    "Harbor Point Bank", "Cedar Valley Schools", "Brightline Logistics", "Mesa Auto Repair",
    "Northgate Hardware", "Lakeside Dental Lab", "Summit Software", "Riverside Law Group",
    "Pine Street Bakery", "Keystone Printing",
)  # fmt: skip
GHP_FIRST = "The group health plan first, then Medicare"
MEDICARE_FIRST = "Medicare first, then the group health plan"
MEDICARE_ALONE = "Medicare alone, with no claim to the group health plan"
GHP_ALONE = "The group health plan alone, with no claim to Medicare"


def _month_day(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def _md(day: dt.date) -> tuple[int, int]:
    return day.month, day.day


def _family(rng: random.Random) -> tuple[str, str, str]:
    """Two parents and a child sharing a last name, with different first names."""
    last = rng.choice(LAST_NAMES)
    names = rng.sample(FIRST_NAMES, 3)
    return f"{names[0]} {last}", f"{names[1]} {last}", names[2]


def _birthday_rule(rng: random.Random) -> Scenario:
    one, two, child = _family(rng)
    while True:
        x, y = (draw_date(rng, dt.date(1975, 1, 1), dt.date(1996, 12, 31)) for _ in "ab")
        if _md(x) != _md(y) and x.year != y.year and (2, 29) not in (_md(x), _md(y)):
            break
    key_born, other_born = (x, y) if _md(x) < _md(y) else (y, x)
    # Half the time the earlier birthday belongs to the younger parent: the year misleads.
    if (key_born.year > other_born.year) != (rng.random() < 0.5):
        key_born, other_born = (
            key_born.replace(year=other_born.year),
            other_born.replace(year=key_born.year),
        )
    key_parent, other_parent = (one, two) if rng.random() < 0.5 else (two, one)
    a, b = first(key_parent), first(other_parent)
    brings = rng.choice((key_parent, other_parent))
    listed = [(key_parent, key_born), (other_parent, other_born)]
    rng.shuffle(listed)
    (p1, d1), (p2, d2) = listed
    stem = (
        f"{child} {key_parent.split()[1]}, age {rng.randrange(2, 17)}, is covered as a "
        f"dependent by the employer group health plans of both parents, {p1} and {p2}, who "
        f"are married and live together. {first(p1)} was born on {long_date(d1)} and "
        f"{first(p2)} on {long_date(d2)}. Both plans follow the NAIC order-of-benefit rules. "
        f"{first(brings)} brings {child} in for a sick visit. How does the office bill the "
        "claim for the visit?"
    )
    key_why = (
        f"Under the birthday rule the plan of the parent whose birthday comes first in the "
        f"calendar year pays first: {a}'s birthday ({_month_day(key_born)}) comes before "
        f"{b}'s ({_month_day(other_born)}), so {a}'s plan is primary and {b}'s secondary."
    )
    if other_born.year < key_born.year:
        reversed_why = (
            f"{b} is the older parent, but the birthday rule compares month and day only, "
            f"not the year of birth: {a}'s birthday comes earlier in the year."
        )
        reversed_miscon = "birth-year-counted"
    else:
        reversed_why = (
            f"{b}'s birthday ({_month_day(other_born)}) falls later in the calendar year; "
            "the plan of the parent whose birthday comes first pays first."
        )
        reversed_miscon = "later-birthday"
    if brings == key_parent:
        alone = Choice(
            f"{a}'s plan alone, with no claim to {b}'s plan",
            f"{a}'s plan does pay first, but {b}'s plan still pays as secondary toward what "
            "the primary plan leaves unpaid.",
            "no-secondary-claim",
        )
    else:
        alone = Choice(
            f"{b}'s plan alone, with no claim to {a}'s plan",
            f"The parent who brings {child} in does not decide the order, and {a}'s plan, "
            "the primary one, is billed first.",
            "accompanying-parent",
        )
    distractors = (
        Choice(f"{b}'s plan first, then {a}'s plan", reversed_why, reversed_miscon),
        alone,
        Choice(
            "Each parent's plan for half of the charge",
            "Coordination of benefits sets an order of payment, not a split: the primary "
            "plan pays first up to its limits, then the secondary plan.",
            "split-between-plans",
        ),
    )
    return Scenario(
        family=PayerOrder.id,
        model="birthday-rule",
        stem=stem,
        key=Choice(f"{a}'s plan first, then {b}'s plan", key_why),
        distractors=distractors,
        rules=("naic-birthday-rule",),
        steps=2,
        bloom="apply",
        variables={
            "parents": ((p1, d1), (p2, d2)),
            "brings": brings,
            "child": child,
        },
    )


def _msp(
    model: str,
    stem: str,
    ghp_primary: bool,
    key_why: str,
    wrong_order: tuple[str, str],
    rule: str,
    variables: Mapping[str, object],
) -> Scenario:
    """A Medicare Secondary Payer scenario: the same four billing orders, one of them right."""
    first_text, second_text = (GHP_FIRST, MEDICARE_FIRST) if ghp_primary else (
        MEDICARE_FIRST, GHP_FIRST,
    )  # fmt: skip
    why_medicare_alone = (
        "Medicare pays second here, after the group health plan, which has to be billed first."
        if ghp_primary
        else "Medicare does pay first, but the group health plan still pays second toward "
        "what Medicare leaves unpaid."
    )
    why_ghp_alone = (
        "The group health plan pays first, but Medicare then pays second toward what the "
        "plan leaves unpaid."
        if ghp_primary
        else "The group health plan pays second here, after Medicare, which has to be billed first."
    )
    alone = (
        Choice(MEDICARE_ALONE, why_medicare_alone, "one-payer-only"),
        Choice(GHP_ALONE, why_ghp_alone, "one-payer-only"),
    )
    return Scenario(
        family=PayerOrder.id,
        model=model,
        stem=stem,
        key=Choice(first_text, key_why),
        distractors=(Choice(second_text, wrong_order[1], wrong_order[0]), *alone),
        rules=(rule,),
        steps=2,
        bloom="analyze",
        variables={**variables, "ghp_primary": ghp_primary},
    )


QUESTION = "How does the office bill the claim for {name}'s visit?"


def _working_aged(rng: random.Random) -> Scenario:
    patient = person(rng)
    name, age = first(patient), rng.randrange(65, 80)
    employer = rng.choice(EMPLOYERS)
    size = rng.randrange(5, 20) if rng.random() < 0.5 else rng.randrange(20, 901)
    if rng.random() < 0.5:
        coverage = (
            f"{name} still works full time for {employer}, which has {size:,} employees, and "
            "is covered by its group health plan"
        )
        holder = "own"
    else:
        spouse = first(person(rng, exclude=[patient]))
        coverage = (
            f"{name} is covered as a spouse by the group health plan of {spouse}'s current "
            f"employer, {employer}, which has {size:,} employees"
        )
        holder = "spouse"
    stem = (
        f"{patient}, {age}, has Medicare Part A and Part B because of age. {coverage}. "
        + QUESTION.format(name=name)
    )
    big = size >= 20
    if big:
        key_why = (
            f"{name} is 65 or older with coverage from current employment at an employer with "
            f"{size:,} employees, 20 or more, so the group health plan pays first and Medicare "
            "second."
        )
        wrong = (
            "medicare-primary-at-65",
            "Medicare pays first for a working beneficiary 65 or older only when the employer "
            f"has fewer than 20 employees; {employer} has {size:,}.",
        )
    else:
        key_why = (
            f"{employer} has {size:,} employees, fewer than 20, so Medicare pays first and the "
            "group health plan from current employment pays second."
        )
        wrong = (
            "employer-plan-while-working",
            "A plan from current employment pays before Medicare only when the employer has 20 "
            f"or more employees; {employer} has {size:,}.",
        )
    variables = {"age": age, "size": size, "holder": holder}
    return _msp("working-aged", stem, big, key_why, wrong, "msp-working-aged", variables)


def _retiree(rng: random.Random) -> Scenario:
    patient = person(rng)
    name, age = first(patient), rng.randrange(65, 80)
    employer, size = rng.choice(EMPLOYERS), rng.randrange(25, 4001)
    stem = (
        f"{patient}, {age}, retired from {employer}, which has {size:,} employees, and has "
        f"retiree coverage through its group health plan. {name} also has Medicare Part A "
        "and Part B. " + QUESTION.format(name=name)
    )
    key_why = (
        f"{name}'s group health plan coverage comes from retirement, not current employment, "
        "so Medicare pays first and the retiree coverage pays second, whatever the employer's "
        "size."
    )
    wrong = (
        "size-rule-for-retiree",
        "The 20-employee rule applies only to coverage from current employment; retiree "
        "coverage pays after Medicare.",
    )
    variables = {"age": age, "size": size}
    return _msp("retiree-coverage", stem, False, key_why, wrong, "msp-retiree-coverage", variables)


def _disability(rng: random.Random) -> Scenario:
    patient = person(rng)
    name, age = first(patient), rng.randrange(35, 65)
    employer = rng.choice(EMPLOYERS)
    size = rng.randrange(20, 100) if rng.random() < 0.5 else rng.randrange(100, 4001)
    stem = (
        f"{patient}, {age}, has had Medicare for two years because of a disability and works part "
        f"time for {employer}, which has {size:,} employees, and is covered by its group "
        "health plan. " + QUESTION.format(name=name)
    )
    big = size >= 100
    if big:
        key_why = (
            "With Medicare based on disability, a group health plan from current employment "
            f"pays first when the employer has 100 or more employees; {employer} has {size:,}."
        )
        wrong = (
            "medicare-primary-for-disability",
            "Medicare pays first for a disabled beneficiary with employment coverage only when "
            f"the employer has fewer than 100 employees; {employer} has {size:,}.",
        )
    else:
        key_why = (
            f"For Medicare based on disability the threshold is 100 employees, not 20: with "
            f"{size:,} employees Medicare pays first and the group health plan second."
        )
        wrong = (
            "used-20-employee-rule",
            "The 20-employee threshold is for beneficiaries 65 or older; with Medicare by "
            "disability the plan pays first only at 100 or more employees.",
        )
    variables = {"age": age, "size": size}
    return _msp("disability", stem, big, key_why, wrong, "msp-disability", variables)


def _month_name(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{MONTHS[month]} {year}"


def _esrd(rng: random.Random) -> Scenario:
    patient = person(rng)
    name, age = first(patient), rng.randrange(30, 65)
    start = dt.date(rng.randrange(2023, 2027), rng.randrange(1, 13), 1)
    inside = rng.random() < 0.5
    elapsed = rng.randrange(2, 27) if inside else rng.randrange(34, 59)
    start_index = start.year * 12 + start.month - 1
    year, month = divmod(start_index + elapsed, 12)
    visit = dt.date(year, month + 1, rng.randrange(2, 28))
    employer = rng.choice(EMPLOYERS)
    stem = (
        f"{patient}, {age}, became eligible for Medicare because of end-stage renal disease "
        f"(ESRD) in {_month_name(start_index)}. {name} works for {employer} and is covered "
        f"by its group health plan through that current employment. {name} comes in for a "
        f"visit on "
        f"{long_date(visit)}. " + QUESTION.format(name=name)
    )
    last = _month_name(start_index + 29)
    if inside:
        key_why = (
            f"The visit falls in month {elapsed + 1} of the 30-month coordination period that "
            f"began with Medicare eligibility in {_month_name(start_index)}, so the group "
            "health plan pays first."
        )
        wrong = (
            "medicare-primary-once-eligible",
            f"During the 30-month ESRD coordination period, which runs through {last}, "
            "Medicare pays second; it becomes primary only after the period ends.",
        )
    else:
        key_why = (
            f"The 30-month coordination period that began in {_month_name(start_index)} "
            f"ended in {last}; after it, Medicare pays first and the group health plan second."
        )
        wrong = (
            "coordination-period-ignored",
            "The group health plan pays first only during the 30-month coordination period, "
            f"which ended in {last}, before this visit.",
        )
    variables = {"age": age, "start": start, "visit": visit, "elapsed": elapsed}
    return _msp("esrd", stem, inside, key_why, wrong, "msp-esrd-coordination", variables)


class PayerOrder:
    """Primary and secondary payer: the birthday rule and the Medicare Secondary Payer rules."""

    id = "d5-primary-payer"
    domain = 5
    topic = "insurance programs and plans"
    models: tuple[str, ...] = (
        "birthday-rule",
        "working-aged",
        "retiree-coverage",
        "disability",
        "esrd",
    )
    rules: tuple[str, ...] = (
        "naic-birthday-rule",
        "msp-working-aged",
        "msp-retiree-coverage",
        "msp-disability",
        "msp-esrd-coordination",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One registration situation of `model`, drawn with `rng`."""
        draw = {
            "birthday-rule": _birthday_rule,
            "working-aged": _working_aged,
            "retiree-coverage": _retiree,
            "disability": _disability,
            "esrd": _esrd,
        }[model]
        return draw(rng)


FAMILIES = (PayerOrder(),)
