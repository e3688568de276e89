"""Domain 6 family: the petty cash fund and vendor invoices the office pays.

Cognitive model (note d6-accounts-payable-and-petty-cash): an imprest fund is
replenished by a check for the fund amount minus the cash left, which restores the fund
(`petty-cash-replenishment`); cash plus vouchers short of the fund amount is a shortage
recorded as cash over and short (`petty-cash-over-short`); under terms such as 2/10,
net 30 the discount applies only when the invoice is paid within the discount period
(`cash-discount-terms`).

Item models:
- replenish: a $100-$300 fund, three to five vouchers, cash that balances;
- replenish-short: the same, the cash count $0.25-$4.75 short;
- cash-short: how much is recorded as cash over and short (a shortage of cents: every
  slip that mixes in the fund, the cash or the vouchers gives more, and only recording
  nothing gives less, so the key is first or second of four, never lower);
- invoice-terms: an invoice of $250-$4,000 (multiples of $50) with 2/10 or 1/10, net 30
  terms, paid 3-8 days (inside the discount period) or 14-28 days after its date.

Voucher amounts are $1.25-$38.00; every figure is in whole cents.
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Scenario
from generators.scenarios.common import draw_date, first, long_date, money, person
from generators.scenarios.d6_amounts import cents_choice, money_scenario

FUNDS = (10000, 15000, 20000, 25000, 30000)
PURPOSES = (
    "postage due", "printer paper", "a courier fee", "coffee filters", "batteries",
    "a parking fee", "cleaning wipes", "a key copy",
)  # fmt: skip
VENDORS = ("Apex Medical Supply", "Northline Office Products", "Clearview Forms", "MedStock")


def _vouchers(rng: random.Random, fund: int) -> list[int]:
    while True:
        amounts = [rng.randrange(125, 3801, 5) for _ in range(rng.randrange(3, 6))]
        if sum(amounts) < fund - 1500:
            return amounts


def _m(cents: int) -> str:
    """Petty cash amounts always show cents, as the vouchers and the count do."""
    return money(cents, cents_always=True)


def _listing(rng: random.Random, amounts: list[int]) -> str:
    purposes = rng.sample(PURPOSES, len(amounts))
    items = [f"{_m(a)} for {p}" for a, p in zip(amounts, purposes, strict=True)]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _fund_stem(rng: random.Random, fund: int, amounts: list[int], cash: int, ask: str) -> str:
    custodian = person(rng)
    return (
        f"{custodian}, the custodian of the office's {_m(fund)} imprest petty cash fund, "
        f"replenishes it at month end. The paid vouchers are {_listing(rng, amounts)}; the "
        f"cash count is {_m(cash)}. {ask}"
    )


def _replenish(rng: random.Random, short: bool) -> Scenario:
    fund = rng.choice(FUNDS)
    amounts = _vouchers(rng, fund)
    spent = sum(amounts)
    shortage = 5 * rng.randrange(5, 96) if short else 0
    cash = fund - spent - shortage
    key = fund - cash
    stem = _fund_stem(
        rng, fund, amounts, cash, "What amount is the check that replenishes the fund?"
    )
    distractors = [
        cents_choice(
            cash,
            f"{_m(cash)} is the cash still in the box; the check replaces what has left it.",
            "cash-on-hand-as-check",
        ),
        cents_choice(
            fund,
            f"{_m(fund)} is the whole fund; the cash on hand stays, so the check covers only "
            "the difference.",
            "whole-fund",
        ),
        cents_choice(
            fund + spent,
            f"{_m(fund + spent)} adds the vouchers to the fund amount, which would leave "
            "the fund larger than its set amount.",
            "added-to-fund",
        ),
    ]
    if short:
        distractors.insert(
            0,
            cents_choice(
                spent,
                f"{_m(spent)} covers the vouchers only and leaves the fund "
                f"{_m(shortage)} short of its set amount.",
                "vouchers-only",
            ),
        )
        why = (
            f"The check restores the fund to {_m(fund)}: {_m(fund)} - "
            f"{_m(cash)} in the box = {_m(key)}, the {_m(spent)} of vouchers plus the "
            f"{_m(shortage)} shortage recorded as cash over and short."
        )
    else:
        distractors.insert(
            0,
            cents_choice(
                spent - min(amounts),
                f"{_m(spent - min(amounts))} leaves out one voucher; every paid voucher is "
                "replaced.",
                "missed-a-voucher",
            ),
        )
        why = (
            f"The vouchers total {_m(spent)}, and {_m(cash)} in cash plus the vouchers "
            f"equals the {_m(fund)} fund, so a {_m(key)} check restores it."
        )
    return money_scenario(
        Scenario(
            family=PettyCash.id,
            model="replenish-short" if short else "replenish",
            stem=stem,
            key=cents_choice(key, why),
            distractors=tuple(distractors),
            rules=("petty-cash-replenishment", "petty-cash-over-short")
            if short
            else ("petty-cash-replenishment",),
            steps=3 if short else 2,
            bloom="analyze" if short else "apply",
            variables={"fund": fund, "vouchers": tuple(amounts), "cash": cash},
        ),
        rng,
    )


def _cash_short(rng: random.Random) -> Scenario:
    fund = rng.choice(FUNDS)
    amounts = _vouchers(rng, fund)
    spent = sum(amounts)
    shortage = 5 * rng.randrange(5, 96)
    cash = fund - spent - shortage
    stem = _fund_stem(
        rng,
        fund,
        amounts,
        cash,
        "What amount does the custodian record as cash over and short?",
    )
    distractors = (
        cents_choice(
            fund - cash,
            f"{_m(fund - cash)} is the replenishment check, vouchers and shortage together.",
            "check-as-shortage",
        ),
        cents_choice(
            fund - spent,
            f"{_m(fund - spent)} is the cash that should be in the box; the shortage is how "
            "far the count falls below it.",
            "expected-cash-as-shortage",
        ),
        cents_choice(
            spent,
            f"{_m(spent)} is the total of the vouchers, expenses charged to their accounts; "
            "the shortage is what neither the cash nor the vouchers account for.",
            "vouchers-as-shortage",
        ),
        cents_choice(
            cash,
            f"{_m(cash)} is the cash counted, not the gap between the count and the cash "
            "the vouchers leave.",
            "cash-count-as-shortage",
        ),
        cents_choice(
            2 * shortage,
            f"{_m(2 * shortage)} counts the gap twice; cash plus vouchers is "
            f"{_m(shortage)} under the fund.",
            "doubled-gap",
        ),
        cents_choice(
            0,
            f"{_m(0)} records nothing because the check restores the fund; the check covers "
            f"the {_m(shortage)} gap, and cash over and short is where that gap is recorded.",
            "check-hides-shortage",
        ),
    )
    why = (
        f"Cash {_m(cash)} plus vouchers {_m(spent)} is {_m(cash + spent)}, "
        f"{_m(shortage)} less than the {_m(fund)} fund: that shortage is recorded as cash "
        "over and short."
    )
    return money_scenario(
        Scenario(
            family=PettyCash.id,
            model="cash-short",
            stem=stem,
            key=cents_choice(shortage, why),
            distractors=distractors,
            rules=("petty-cash-over-short",),
            steps=2,
            bloom="apply",
            variables={"fund": fund, "vouchers": tuple(amounts), "cash": cash},
        ),
        rng,
    )


def _invoice(rng: random.Random) -> Scenario:
    amount = 100 * rng.randrange(250, 4001, 50)
    rate = rng.choice((1, 2))
    dated = draw_date(rng, dt.date(2026, 1, 5), dt.date(2027, 11, 20))
    inside = rng.random() < 0.5
    days = rng.randrange(3, 9) if inside else rng.randrange(14, 29)
    paid = dated + dt.timedelta(days=days)
    discount = amount * rate // 100
    key = amount - discount if inside else amount
    clerk = person(rng)
    stem = (
        f"An invoice from {rng.choice(VENDORS)} for {money(amount)} of supplies is dated "
        f"{long_date(dated)}, with terms {rate}/10, net 30. {clerk} pays it on "
        f"{long_date(paid)}. How much does {first(clerk)} pay the vendor?"
    )
    if inside:
        why = (
            f"Paid {days} days after the invoice date, within the 10-day discount period, the "
            f"invoice earns the {rate}% discount: {money(amount)} - {money(discount)} = "
            f"{money(key)}."
        )
        wrong_full = (
            amount,
            f"{money(amount)} is the full invoice amount; paid within 10 days, the invoice "
            f"earns the {rate}% discount.",
        )
    else:
        why = (
            f"Paid {days} days after the invoice date, past the 10-day discount period but "
            f"within the 30 days, the invoice is due in full: {money(key)}."
        )
        wrong_full = (
            amount - discount,
            f"{money(amount - discount)} takes the {rate}% discount, which is earned only by "
            f"paying within 10 days; this payment came {days} days after the invoice date.",
        )
    distractors = (
        cents_choice(wrong_full[0], wrong_full[1], "discount-period-misread"),
        cents_choice(
            discount,
            f"{money(discount)} is the {rate}% discount itself, not the amount paid.",
            "discount-as-payment",
        ),
        cents_choice(
            amount - amount // 10,
            f"{money(amount - amount // 10)} takes 10% off, reading the 10 days of the terms as "
            "the discount rate.",
            "days-as-rate",
        ),
        cents_choice(
            amount - amount * 30 // 100,
            f"{money(amount - amount * 30 // 100)} takes 30% off, reading the net 30 as a "
            "discount.",
            "net-as-discount",
        ),
    )
    return money_scenario(
        Scenario(
            family=PettyCash.id,
            model="invoice-terms",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("cash-discount-terms",),
            steps=2,
            bloom="apply",
            variables={"amount": amount, "rate": rate, "dated": dated, "paid": paid},
        ),
        rng,
    )


class PettyCash:
    """Petty cash replenishment and shortages, and paying invoices under discount terms."""

    id = "d6-petty-cash-and-invoices"
    domain = 6
    topic = "accounts payable and petty cash"
    models: tuple[str, ...] = ("replenish", "replenish-short", "cash-short", "invoice-terms")
    rules: tuple[str, ...] = (
        "petty-cash-replenishment",
        "petty-cash-over-short",
        "cash-discount-terms",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One month-end or bill-paying task of `model`, drawn with `rng`."""
        if model == "replenish":
            return _replenish(rng, short=False)
        if model == "replenish-short":
            return _replenish(rng, short=True)
        if model == "cash-short":
            return _cash_short(rng)
        return _invoice(rng)


FAMILIES = (PettyCash(),)
