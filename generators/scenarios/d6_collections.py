"""Domain 6 family: reading accounts receivable, one account or the whole practice.

Cognitive model (notes d6-collections and d6-collection-metrics-and-write-offs): the
aging report puts a balance in a 30-day column by the days since the date it ages from
(`aging-columns`); the adjusted (net) collection rate is payments less credits over
charges less contractual adjustments (`net-collection-rate`); the gross collection rate
is payments over total charges (`gross-collection-rate`); days in A/R is total A/R over
the average daily charges (`days-in-ar`).

Item models:
- aging-column: a balance first billed 4-177 days before the report date (never within
  3 days of a column edge; half the time 4-9 days short of one), the date of service
  10-25 days before the first statement;
- net-rate: charges net of contractual adjustments of $40,000-$600,000 (whole
  thousands) and a rate of 85.0-99.5%, credits of $500-$5,000;
- gross-rate: the same figures without refunds (so "payments" has one reading), the gross
  rate asked (payments over total charges);
- days-in-ar: average daily charges of $1,000-$6,000 (multiples of $10) over 90 days,
  25-70 days in A/R.

Percentages are exact to one decimal place by construction (no rounding question).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import draw_date, first, long_date, money, person
from generators.scenarios.d6_amounts import spread_ranks

COLUMNS = ((0, 30, "0-30 days"), (31, 60, "31-60 days"), (61, 90, "61-90 days"),
           (91, 120, "91-120 days"), (121, 10_000, "Over 120 days"))  # fmt: skip


def _column(days: int) -> int:
    return next(i for i, (low, high, _) in enumerate(COLUMNS) if low <= days <= high)


def _span(i: int, days: int) -> str:
    """Why a column is not this balance's: the ages it holds, against this one's age."""
    low, high, label = COLUMNS[i]
    holds = (
        f"balances over {low - 1} days old" if high > 1_000 else f"balances {low}-{high} days old"
    )
    if days > high:
        return f"The {label} column holds {holds}; at {days} days this balance is past it."
    return (
        f"The {label} column holds {holds}; this balance is only {days} days past its first "
        f"statement, short of {low} days."
    )


def _aging(rng: random.Random) -> Scenario:
    # Half the balances sit 4-9 days short of a column edge, where counting from the date
    # of service instead of the first statement crosses into the next column.
    if rng.random() < 0.5:
        days = rng.choice((30, 60, 90, 120)) - rng.randrange(4, 10)
    else:
        while True:
            days = rng.randrange(4, 178)
            if all(abs(days - edge) > 3 for edge in (30, 60, 90, 120)):
                break
    report = draw_date(rng, dt.date(2026, 2, 1), dt.date(2027, 12, 28))
    billed = report - dt.timedelta(days=days)
    dos = billed - dt.timedelta(days=rng.randrange(10, 26))
    patient = person(rng)
    stem = (
        f"The office ages patient balances from the date of the first statement. "
        f"{patient}'s balance is for a visit on {long_date(dos)}; the first statement went out "
        f"on {long_date(billed)}. In which column of the aging report run on "
        f"{long_date(report)} does {first(patient)}'s balance appear?"
    )
    key = _column(days)
    lures = {
        _column((report - dos).days): (
            "aged-from-service-date",
            "{label} counts from the date of service; this office ages balances from the "
            f"first statement, {days} days before the report.",
        ),
    }
    ranked = sorted(
        (i for i in range(len(COLUMNS)) if i != key),
        key=lambda i: (i not in lures, abs(i - key)),
    )
    distractors = []
    for i in ranked:
        low, _, label = COLUMNS[i]
        miscon, why = lures.get(i, ("wrong-column", _span(i, days)))
        distractors.append(Choice(label, why.format(label=label), miscon, float(low)))
    low, _, label = COLUMNS[key]
    return spread_ranks(
        rng,
        Scenario(
            family=CollectionMetrics.id,
            model="aging-column",
            stem=stem,
            key=Choice(
                label,
                f"{long_date(billed)} to {long_date(report)} is {days} days, which falls in the "
                f"{label} column.",
                None,
                float(low),
            ),
            distractors=tuple(distractors),
            rules=("aging-columns",),
            steps=2,
            bloom="apply",
            variables={"dos": dos, "billed": billed, "report": report},
            ordered=True,
        ),
    )


def _percent(numerator: int, denominator: int) -> Decimal:
    """A ratio as a percentage rounded half up to one decimal place."""
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _percent_choice(value: Decimal, why: str, misconception: str | None = None) -> Choice:
    return Choice(f"{value}%", why, misconception, float(value))


def _distinct_percents(rng: random.Random, scenario: Scenario) -> Scenario:
    seen = {scenario.key.text}
    kept = []
    for choice in scenario.distractors:
        if choice.text not in seen:
            seen.add(choice.text)
            kept.append(choice)
    return spread_ranks(rng, replace(scenario, distractors=tuple(kept), ordered=True))


def _rate_figures(rng: random.Random) -> dict[str, int]:
    """Whole-dollar figures (in cents) whose adjusted collection rate has one decimal."""
    net_charges = 1000 * rng.randrange(40, 601)
    rate = rng.randrange(850, 996)  # tenths of a percent
    collected = net_charges * rate // 1000
    credits = 100 * rng.randrange(500, 5001, 50)
    adjustments = 1000 * rng.randrange(net_charges // 5000, net_charges // 1500 + 1)
    return {
        "charges": 100 * (net_charges + adjustments),
        "adjustments": 100 * adjustments,
        "payments": 100 * collected + credits,
        "credits": credits,
    }


def _rates(rng: random.Random, model: str) -> Scenario:
    v = _rate_figures(rng)
    if model == "gross-rate":  # refunds would make "payments" read two ways: leave them out
        v = {**v, "payments": v["payments"] - v["credits"], "credits": 0}
    charges, adjustments, payments, credits = (
        v["charges"], v["adjustments"], v["payments"], v["credits"],
    )  # fmt: skip
    net = _percent(payments - credits, charges - adjustments)
    gross = _percent(payments, charges)
    no_credits = _percent(payments, charges - adjustments)
    credits_gross = _percent(payments - credits, charges)
    stem_figures = (
        f"For the year the practice posted {money(charges)} in charges and "
        f"{money(adjustments)} in contractual adjustments, and collected {money(payments)} "
        + (
            f"in payments, of which {money(credits)} was later refunded as credits."
            if credits
            else "in payments, with no refunds."
        )
    )
    if model == "net-rate":
        question = "What is the practice's adjusted (net) collection rate?"
        key = _percent_choice(
            net,
            f"Payments less credits over charges less contractual adjustments: "
            f"({money(payments)} - {money(credits)}) / ({money(charges)} - "
            f"{money(adjustments)}) x 100 = {net}%.",
        )
        distractors: tuple[Choice, ...] = (
            _percent_choice(
                gross,
                f"{gross}% is the gross rate, payments over all charges; the adjusted rate "
                "takes the contractual adjustments out of the charges.",
                "gross-for-net",
            ),
            _percent_choice(
                no_credits,
                f"{no_credits}% keeps the refunded credits in the payments; they are taken "
                "out first.",
                "kept-credits",
            ),
            _percent_choice(
                credits_gross,
                f"{credits_gross}% takes out the credits but leaves the contractual adjustments "
                "in the charges.",
                "adjustments-left-in",
            ),
            _percent_choice(
                _percent(payments + adjustments, charges),
                f"{_percent(payments + adjustments, charges)}% counts the contractual "
                "adjustments as collected; they are written off, not paid.",
                "adjustments-as-collections",
            ),
        )
        rule = "net-collection-rate"
    else:
        question = "What is the practice's gross collection rate?"
        key = _percent_choice(
            gross,
            f"The gross rate is payments over total charges, before any adjustment: "
            f"{money(payments)} / {money(charges)} x 100 = {gross}%.",
        )
        with_adjustments = _percent(payments + adjustments, charges)
        inverted = _percent(charges, payments)
        distractors = (
            _percent_choice(
                net,
                f"{net}% divides by the charges net of contractual adjustments, which gives the "
                "adjusted (net) rate; the gross rate divides by all charges.",
                "net-for-gross",
            ),
            _percent_choice(
                with_adjustments,
                f"{with_adjustments}% counts the contractual adjustments as collected; they are "
                "written off, not paid.",
                "adjustments-as-collections",
            ),
            _percent_choice(
                inverted,
                f"{inverted}% divides the charges by the payments, the ratio turned upside down.",
                "inverted-ratio",
            ),
            _percent_choice(
                _percent(adjustments, charges),
                f"{_percent(adjustments, charges)}% is the share of charges written off as "
                "contractual adjustments, not the share collected.",
                "adjustment-share",
            ),
            _percent_choice(
                _percent(charges - payments, charges),
                f"{_percent(charges - payments, charges)}% is the share of charges not "
                "collected, charges less payments over charges; the rate is the share "
                "collected.",
                "uncollected-share",
            ),
        )
        rule = "gross-collection-rate"
    return _distinct_percents(
        rng,
        Scenario(
            family=CollectionMetrics.id,
            model=model,
            stem=f"{stem_figures} {question}",
            key=key,
            distractors=distractors,
            rules=(rule,),
            steps=2 if model == "gross-rate" else 3,
            bloom="analyze",
            variables=v,
        ),
    )


def _days_in_ar(rng: random.Random) -> Scenario:
    daily = 100 * rng.randrange(1000, 6001, 10)
    days = rng.randrange(25, 71)
    receivable = daily * days
    charges = daily * 90
    stem = (
        f"The practice's total accounts receivable is {money(receivable)}. Its charges for "
        f"the last 90 days, net of credits, are {money(charges)}. How many days in accounts "
        "receivable does the practice have?"
    )
    annual = round(receivable / (charges / 365))
    monthly = round(receivable / (charges / 30))
    over = round(charges / receivable * 30)
    distractors = tuple(
        Choice(f"{n} days", why, miscon, float(n))
        for n, why, miscon in (
            (
                annual,
                f"{annual} days divides the 90 days of charges by 365, as if they were a "
                "year's charges.",
                "used-365-days",
            ),
            (
                monthly,
                f"{monthly} days divides the 90 days of charges by 30; the average is per day "
                "of the 90-day period.",
                "used-30-days",
            ),
            (
                90,
                "90 days is the length of the period, not the days of charges held in A/R.",
                "period-as-answer",
            ),
            (over, f"{over} days inverts the ratio, charges over receivables.", "inverted-ratio"),
        )
        if n != days
    )
    return spread_ranks(
        rng,
        Scenario(
            family=CollectionMetrics.id,
            model="days-in-ar",
            stem=stem,
            key=Choice(
                f"{days} days",
                f"Average daily charges are {money(charges)} / 90 = {money(daily)}, and "
                f"{money(receivable)} / {money(daily)} = {days} days.",
                None,
                float(days),
            ),
            distractors=tuple({d.text: d for d in distractors}.values()),
            rules=("days-in-ar",),
            steps=2,
            bloom="apply",
            variables={"receivable": receivable, "charges": charges},
            ordered=True,
        ),
    )


class CollectionMetrics:
    """Aging columns, gross and adjusted collection rates, and days in accounts receivable."""

    id = "d6-collection-metrics"
    domain = 6
    topic = "collections"
    models: tuple[str, ...] = ("aging-column", "net-rate", "gross-rate", "days-in-ar")
    rules: tuple[str, ...] = (
        "aging-columns",
        "net-collection-rate",
        "gross-collection-rate",
        "days-in-ar",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One accounts receivable question of `model`, drawn with `rng`."""
        if model == "aging-column":
            return _aging(rng)
        if model == "days-in-ar":
            return _days_in_ar(rng)
        return _rates(rng, model)


FAMILIES = (CollectionMetrics(),)
