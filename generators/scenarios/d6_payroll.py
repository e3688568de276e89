"""Domain 6 family: one employee's paycheck, from hours to gross pay, taxes and net pay.

Cognitive model (notes d6-payroll and d6-payroll-deductions-and-tax-deposits): under the
FLSA a nonexempt employee earns 1.5 times the regular rate for hours over 40 in the
workweek (`flsa-overtime`), and hours over 8 in a day earn no premium by themselves
(`flsa-workweek-not-day`); the employer withholds 6.2% Social Security and 1.45%
Medicare tax (`fica-withholding`), Social Security only up to the year's wage base
(`social-security-wage-base`); a section 125 premium comes off before those taxes
(`section-125-pretax`); net pay is gross pay less every deduction (`net-pay`).

Item models, each a payroll clerk's task:
- overtime-gross: $15.00-$35.00 an hour (50-cent steps), 41-52 hours in the workweek;
- daily-hours: five days of 6-11 hours, 36-40 in all, one day or more over 8 (every
  daily-overtime slip, and a full 40-hour week, pays more; only leaving the hours past 8
  unpaid pays less, so the key is first or second of four, never lower);
- fica: gross wages $1,200-$4,800 (multiples of $20), year-to-date far below the base;
- wage-base: this year's base given in the stem; $100-$3,000 of it left (multiples of
  $20) and a paycheck of $3,200-$6,000 that crosses it;
- net-pay: gross $1,400-$3,600, a $40-$200 section 125 premium (multiples of $20),
  federal and state withholding given as figures from the tax tables.

Amounts are drawn so that every tax is a whole number of cents (no rounding question).
"""

from __future__ import annotations

import random

from generators.scenarios.base import Scenario
from generators.scenarios.common import first, money, person, plural
from generators.scenarios.d6_amounts import basis_points, cents_choice, money_scenario

JOBS = ("medical receptionist", "billing clerk", "scheduling coordinator", "medical assistant")
WAGE_BASES = (168_600, 176_100, 184_500)  # dollars: stated in the stem as this year's base
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _rate(rng: random.Random) -> int:
    return rng.randrange(1500, 3501, 50)


def _overtime(rng: random.Random) -> Scenario:
    employee, rate, hours = person(rng), _rate(rng), rng.randrange(41, 53)
    name, extra = first(employee), hours - 40
    key = 40 * rate + extra * rate * 3 // 2
    stem = (
        f"{employee} is a nonexempt {rng.choice(JOBS)} paid {money(rate, cents_always=True)} an "
        f"hour. The time records show {hours} hours worked in the workweek. Under the FLSA, "
        f"what is {name}'s gross pay for the week?"
    )
    distractors = (
        cents_choice(
            hours * rate,
            f"{money(hours * rate)} pays every hour at the regular rate; each hour over 40 "
            "earns 1.5 times it.",
            "no-overtime-premium",
        ),
        cents_choice(
            40 * rate + extra * rate * 2,
            f"{money(40 * rate + extra * rate * 2)} pays the overtime at double time; the FLSA "
            "premium is 1.5 times the regular rate.",
            "double-time",
        ),
        cents_choice(
            40 * rate + extra * rate // 2,
            f"{money(40 * rate + extra * rate // 2)} pays the overtime hours only the half-time "
            "premium; each of them earns the full 1.5 times the rate.",
            "premium-only",
        ),
        cents_choice(
            hours * rate * 3 // 2,
            f"{money(hours * rate * 3 // 2)} pays all {hours} hours at 1.5 times the rate; only "
            "the hours over 40 earn the premium.",
            "all-hours-at-overtime",
        ),
    )
    why = (
        f"40 hours at {money(rate)} is {money(40 * rate)}, and overtime of "
        f"{plural(extra, 'hour')} at 1.5 times the rate ({money(rate * 3 // 2)}) is "
        f"{money(extra * rate * 3 // 2)}: "
        f"{money(key)} in all."
    )
    return money_scenario(
        Scenario(
            family=Payroll.id,
            model="overtime-gross",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("flsa-overtime",),
            steps=3,
            bloom="apply",
            variables={"rate": rate, "hours": hours},
        ),
        rng,
    )


def _daily(rng: random.Random) -> Scenario:
    while True:
        days = [rng.randrange(6, 12) for _ in DAYS]
        if 36 <= sum(days) <= 40 and max(days) > 8:
            break
    employee, rate = person(rng), _rate(rng)
    total = sum(days)
    over = sum(max(0, d - 8) for d in days)
    key = total * rate
    listed = ", ".join(f"{day} {hours}" for day, hours in zip(DAYS, days, strict=True))
    stem = (
        f"{employee}, a nonexempt {rng.choice(JOBS)} paid {money(rate, cents_always=True)} an "
        f"hour, worked these hours in one workweek: {listed}. The practice's state has no "
        f"daily overtime law. Under the FLSA, what is {first(employee)}'s gross pay for the week?"
    )
    distractors = (
        cents_choice(
            key + over * rate // 2,
            f"{money(key + over * rate // 2)} pays daily overtime for {plural(over, 'hour')} "
            "over 8 a day; the FLSA counts overtime only past 40 hours in the workweek.",
            "daily-overtime",
        ),
        cents_choice(
            key + over * rate,
            f"{money(key + over * rate)} pays the hours over 8 a day at double time; with "
            f"{total} hours in the week no premium is due.",
            "daily-double-time",
        ),
        cents_choice(
            (total - over) * rate,
            f"{money((total - over) * rate)} leaves out {plural(over, 'hour')} past 8 a day; "
            "every hour worked is paid.",
            "unpaid-extra-hours",
        ),
        cents_choice(
            40 * rate,
            f"{money(40 * rate)} pays a full 40-hour week; an hourly employee is paid for the "
            f"{total} hours worked.",
            "paid-scheduled-week",
        ),
    )
    why = (
        f"The week totals {total} hours, not more than 40, so no overtime is due under the "
        f"FLSA even for the long days: {total} hours at {money(rate)} is {money(key)}."
    )
    return money_scenario(
        Scenario(
            family=Payroll.id,
            model="daily-hours",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("flsa-workweek-not-day", "flsa-overtime"),
            steps=2,
            bloom="analyze",
            variables={"rate": rate, "days": tuple(days)},
        ),
        rng,
    )


def _fica(rng: random.Random) -> Scenario:
    employee = person(rng)
    wages = 100 * rng.randrange(1200, 4801, 20)
    base = rng.choice(WAGE_BASES)
    ytd = 100 * rng.randrange(8000, 60001, 500)
    ss, medicare = basis_points(wages, 620), basis_points(wages, 145)
    key = ss + medicare
    stem = (
        f"{employee}'s gross wages for this pay period are {money(wages)}, with no pretax "
        f"deductions. Year-to-date wages before this paycheck are {money(ytd)}, well under "
        f"this year's Social Security wage base of ${base:,}. How much Social Security and "
        f"Medicare tax does the practice withhold from {first(employee)}'s paycheck?"
    )
    distractors = (
        cents_choice(
            2 * key,
            f"{money(2 * key)} adds the employer's matching share, which the practice pays "
            "itself and does not withhold.",
            "added-employer-share",
        ),
        cents_choice(
            ss,
            f"{money(ss)} is the 6.2% Social Security tax alone; the 1.45% Medicare tax is "
            "withheld too.",
            "forgot-medicare",
        ),
        cents_choice(
            medicare,
            f"{money(medicare)} is the 1.45% Medicare tax alone; the 6.2% Social Security tax "
            "is withheld too.",
            "forgot-social-security",
        ),
        cents_choice(
            ss + basis_points(wages, 90),
            f"{money(ss + basis_points(wages, 90))} takes 0.9%, the Additional Medicare Tax rate "
            "for wages over $200,000, as the Medicare rate.",
            "additional-medicare-rate",
        ),
    )
    why = (
        f"6.2% of {money(wages)} is {money(ss)} and 1.45% is {money(medicare)}: "
        f"{money(key)} withheld in all."
    )
    return money_scenario(
        Scenario(
            family=Payroll.id,
            model="fica",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("fica-withholding",),
            steps=2,
            bloom="apply",
            variables={"wages": wages, "ytd": ytd, "base": base},
        ),
        rng,
    )


def _wage_base(rng: random.Random) -> Scenario:
    employee = person(rng)
    base = rng.choice(WAGE_BASES)
    left = 100 * rng.randrange(100, 3001, 20)
    wages = 100 * rng.randrange(3200, 6001, 20)
    ytd = 100 * base - left
    key = basis_points(left, 620)
    stem = (
        f"This year's Social Security wage base is ${base:,}. Before this paycheck, "
        f"{employee}, the practice manager, has year-to-date wages of {money(ytd)}. This "
        f"paycheck's gross wages are {money(wages)}. How much Social Security tax does the "
        f"practice withhold from {first(employee)}'s paycheck?"
    )
    distractors = (
        cents_choice(
            basis_points(wages, 620),
            f"{money(basis_points(wages, 620))} taxes the whole paycheck; Social Security tax "
            f"stops at the wage base, {money(left)} away.",
            "ignored-wage-base",
        ),
        cents_choice(
            basis_points(wages - left, 620),
            f"{money(basis_points(wages - left, 620))} taxes the part of the paycheck above the "
            "wage base, the part that is not taxed.",
            "taxed-the-excess",
        ),
        cents_choice(
            basis_points(left, 765),
            f"{money(basis_points(left, 765))} applies 7.65%, Social Security and Medicare "
            "together; Social Security alone is 6.2%.",
            "combined-rate",
        ),
        cents_choice(
            0,
            f"Nothing withheld treats the wage base as reached; {money(left)} of it is left.",
            "base-treated-as-reached",
        ),
    )
    why = (
        f"Only {money(left)} of wages remain below the ${base:,} wage base, so Social Security "
        f"tax is 6.2% of {money(left)}: {money(key)}."
    )
    return money_scenario(
        Scenario(
            family=Payroll.id,
            model="wage-base",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("social-security-wage-base",),
            steps=2,
            bloom="analyze",
            variables={"base": base, "ytd": ytd, "wages": wages},
        ),
        rng,
    )


def _net(rng: random.Random) -> Scenario:
    employee = person(rng)
    gross = 100 * rng.randrange(1400, 3601, 20)
    premium = 100 * rng.randrange(40, 201, 20)
    federal = rng.randrange(8000, 32001, 1)
    state = rng.randrange(2000, 9001, 1)
    fica = basis_points(gross - premium, 765)
    key = gross - premium - fica - federal - state
    stem = (
        f"{employee}'s gross pay for the period is {money(gross)}. {first(employee)} pays a "
        f"{money(premium)} health insurance premium through the practice's section 125 "
        f"cafeteria plan. The tax tables give {money(federal, cents_always=True)} of federal "
        f"income tax and {money(state, cents_always=True)} of state income tax to withhold. "
        "Social Security and Medicare tax are withheld at 7.65% in all. What is the net pay?"
    )
    fica_gross = basis_points(gross, 765)
    distractors = (
        cents_choice(
            gross - premium - fica_gross - federal - state,
            f"{money(gross - premium - fica_gross - federal - state)} figures Social Security "
            "and Medicare tax on the full gross pay; the section 125 premium comes off first.",
            "fica-before-pretax",
        ),
        cents_choice(
            gross - premium - federal - state,
            f"{money(gross - premium - federal - state)} leaves out the {money(fica)} of Social "
            "Security and Medicare tax.",
            "forgot-fica",
        ),
        cents_choice(
            gross - fica - federal - state,
            f"{money(gross - fica - federal - state)} leaves the {money(premium)} premium in "
            "the paycheck; it is deducted too.",
            "forgot-premium",
        ),
        cents_choice(
            gross - premium - 2 * fica - federal - state,
            f"{money(gross - premium - 2 * fica - federal - state)} also deducts the employer's "
            "matching share, which is not withheld from the employee.",
            "deducted-employer-share",
        ),
    )
    why = (
        f"7.65% of the {money(gross - premium)} left after the pretax premium is {money(fica)}; "
        f"{money(gross)} - {money(premium)} - {money(fica)} - {money(federal)} - "
        f"{money(state)} = {money(key)}."
    )
    return money_scenario(
        Scenario(
            family=Payroll.id,
            model="net-pay",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("section-125-pretax", "fica-withholding", "net-pay"),
            steps=4,
            bloom="analyze",
            variables={"gross": gross, "premium": premium, "federal": federal, "state": state},
        ),
        rng,
    )


class Payroll:
    """Gross pay with FLSA overtime, Social Security and Medicare withholding, net pay."""

    id = "d6-paycheck"
    domain = 6
    topic = "payroll"
    models: tuple[str, ...] = ("overtime-gross", "daily-hours", "fica", "wage-base", "net-pay")
    rules: tuple[str, ...] = (
        "flsa-overtime",
        "flsa-workweek-not-day",
        "fica-withholding",
        "social-security-wage-base",
        "section-125-pretax",
        "net-pay",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One paycheck of `model`, its figures drawn with `rng`."""
        draw = {
            "overtime-gross": _overtime,
            "daily-hours": _daily,
            "fica": _fica,
            "wage-base": _wage_base,
            "net-pay": _net,
        }[model]
        return draw(rng)


FAMILIES = (Payroll(),)
