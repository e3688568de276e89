"""Domain 6 family: the month-end bank reconciliation and the day's deposit.

Cognitive model (note d6-banking): the bank statement balance plus deposits in transit
minus outstanding checks is the adjusted bank balance (`adjusted-bank-balance`); the
checkbook balance less bank service charges and returned NSF checks, plus interest
earned, is the adjusted book balance (`adjusted-book-balance`); the deposit slip lists
currency, coin and each check, and its total is their sum (`deposit-slip-total`).

Item models:
- adjusted-bank: a statement balance of $8,000-$40,000, one or two deposits in transit
  of $400-$3,500 and two or three outstanding checks of $60-$2,400;
- adjusted-book: a checkbook balance of $8,000-$40,000, a $5-$35 service charge, a
  returned NSF check of $40-$400 and $1-$25 of interest;
- deposit-total: currency of $80-$900, coin of $0.35-$9.95 and three to five checks of
  $15-$450; an insurance payment of $200-$1,500 that arrived by EFT directly in the
  bank account and $150-$900 of patient card payments that the card processor pays in
  are named in the stem and are not on the slip.
"""

from __future__ import annotations

import random

from generators.scenarios.base import Scenario
from generators.scenarios.common import first, money, person
from generators.scenarios.d6_amounts import cents_choice, money_scenario


def _m(cents: int) -> str:
    return money(cents, cents_always=True)


def _amounts(rng: random.Random, n: int, low: int, high: int) -> list[int]:
    return [rng.randrange(100 * low, 100 * high + 1, 5) for _ in range(n)]


def _join(amounts: list[int]) -> str:
    texts = [_m(a) for a in amounts]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _adjusted_bank(rng: random.Random) -> Scenario:
    statement = rng.randrange(800_000, 4_000_001, 5)
    deposits = _amounts(rng, rng.randrange(1, 3), 400, 3500)
    checks = _amounts(rng, rng.randrange(2, 4), 60, 2400)
    dit, oc = sum(deposits), sum(checks)
    key = statement + dit - oc
    numbers = rng.sample(range(1040, 1200), len(checks))
    listed = [f"No. {n} for {_m(a)}" for n, a in zip(sorted(numbers), checks, strict=True)]
    check_list = ", ".join(listed[:-1]) + " and " + listed[-1]
    # One deposit is named once: "total $1,898.35 ($1,898.35)" reads as a typo.
    in_transit = (
        f"A deposit of {_m(dit)} recorded in the checkbook is missing from the statement"
        if len(deposits) == 1
        else f"Deposits recorded in the checkbook but missing from the statement total "
        f"{_m(dit)} ({_join(deposits)})"
    )
    stem = (
        f"The office's bank statement for March shows an ending balance of {_m(statement)}. "
        f"{in_transit}, and these checks are still outstanding: {check_list}. What is "
        "the adjusted bank balance?"
    )
    distractors = (
        cents_choice(
            statement - dit + oc,
            f"{_m(statement - dit + oc)} reverses both adjustments: deposits in transit are "
            "added to the statement balance and outstanding checks subtracted.",
            "reversed-adjustments",
        ),
        cents_choice(
            statement - oc,
            f"{_m(statement - oc)} leaves out the deposits in transit, which the bank has not "
            "recorded yet and which are added.",
            "forgot-deposits-in-transit",
        ),
        cents_choice(
            statement + dit,
            f"{_m(statement + dit)} leaves out the outstanding checks, which will still clear "
            "the account and are subtracted.",
            "forgot-outstanding-checks",
        ),
        cents_choice(
            statement + dit + oc,
            f"{_m(statement + dit + oc)} adds the outstanding checks; money already written "
            "out of the account is subtracted.",
            "added-outstanding-checks",
        ),
    )
    why = (
        f"{_m(statement)} + {_m(dit)} in deposits in transit - {_m(oc)} in outstanding "
        f"checks = {_m(key)}."
    )
    return money_scenario(
        Scenario(
            family=BankReconciliation.id,
            model="adjusted-bank",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("adjusted-bank-balance",),
            steps=2,
            bloom="apply",
            variables={
                "statement": statement,
                "deposits": tuple(deposits),
                "checks": tuple(checks),
            },
        ),
        rng,
    )


def _adjusted_book(rng: random.Random) -> Scenario:
    book = rng.randrange(800_000, 4_000_001, 5)
    fee = 100 * rng.randrange(5, 36)
    nsf = rng.randrange(4000, 40001, 5)
    interest = rng.randrange(100, 2501)
    key = book - fee - nsf + interest
    patient = person(rng)
    stem = (
        f"The office's checkbook shows a balance of {_m(book)}. The bank statement lists a "
        f"{_m(fee)} service charge, {patient}'s {_m(nsf)} check returned for nonsufficient "
        f"funds, and {_m(interest)} of interest earned, none of them yet in the checkbook. "
        "What is the adjusted checkbook balance?"
    )
    distractors = (
        cents_choice(
            book - fee + interest,
            f"{_m(book - fee + interest)} leaves out the NSF check, which the bank took back "
            "out of the account.",
            "forgot-nsf-check",
        ),
        cents_choice(
            book - fee + nsf + interest,
            f"{_m(book - fee + nsf + interest)} adds the returned check; a returned NSF check "
            "reduces the balance.",
            "nsf-added",
        ),
        cents_choice(
            book - fee - nsf - interest,
            f"{_m(book - fee - nsf - interest)} subtracts the interest; interest the bank "
            "credited increases the balance.",
            "interest-subtracted",
        ),
        cents_choice(
            book + fee + nsf + interest,
            f"{_m(book + fee + nsf + interest)} adds every item; the fee and the returned "
            "check are deductions.",
            "added-everything",
        ),
    )
    why = (
        f"{_m(book)} - {_m(fee)} service charge - {_m(nsf)} NSF check + {_m(interest)} "
        f"interest = {_m(key)}."
    )
    return money_scenario(
        Scenario(
            family=BankReconciliation.id,
            model="adjusted-book",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("adjusted-book-balance",),
            steps=3,
            bloom="apply",
            variables={"book": book, "fee": fee, "nsf": nsf, "interest": interest},
        ),
        rng,
    )


def _deposit(rng: random.Random) -> Scenario:
    currency = 100 * rng.randrange(80, 901)
    coin = rng.randrange(35, 996, 5)
    checks = _amounts(rng, rng.randrange(3, 6), 15, 450)
    cards = rng.randrange(20_000, 150_001, 5)
    card_batch = 100 * rng.randrange(150, 901, 5)
    key = currency + coin + sum(checks)
    clerk = person(rng)
    stem = (
        f"At the end of the day {clerk} prepares the bank deposit: currency of {_m(currency)}, "
        f"coin of {_m(coin)} and patient checks of {_join(checks)}. An insurance payment of "
        f"{_m(cards)} also arrived today by EFT, directly in the practice's bank account, and "
        f"the {_m(card_batch)} of patient card payments taken at the front desk settles to the "
        f"account through the card processor. What total does {first(clerk)} write on the "
        "deposit slip?"
    )
    distractors = (
        cents_choice(
            key + cards,
            f"{_m(key + cards)} adds the EFT payment, which is already in the account and is "
            "not taken to the bank on the slip.",
            "added-eft-payment",
        ),
        cents_choice(
            key + card_batch,
            f"{_m(key + card_batch)} adds the card payments, which the processor pays into the "
            "account electronically; only the currency, coin and checks go on the slip.",
            "added-card-payments",
        ),
        cents_choice(
            currency + sum(checks),
            f"{_m(currency + sum(checks))} leaves out the {_m(coin)} of coin, which is listed "
            "and deposited too.",
            "forgot-coin",
        ),
        cents_choice(
            key - max(checks),
            f"{_m(key - max(checks))} leaves out one check; every check is listed on the slip.",
            "missed-a-check",
        ),
        cents_choice(
            sum(checks),
            f"{_m(sum(checks))} lists the checks only; the currency and coin go on the same slip.",
            "checks-only",
        ),
    )
    why = (
        f"The slip lists currency, coin and each check: {_m(currency)} + {_m(coin)} + "
        f"{_m(sum(checks))} in checks = {_m(key)}."
    )
    return money_scenario(
        Scenario(
            family=BankReconciliation.id,
            model="deposit-total",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("deposit-slip-total",),
            steps=1,
            bloom="apply",
            variables={
                "currency": currency,
                "coin": coin,
                "checks": tuple(checks),
                "eft": cards,
                "card_batch": card_batch,
            },
        ),
        rng,
    )


class BankReconciliation:
    """Adjusted bank and book balances at month end, and the daily deposit total."""

    id = "d6-bank-reconciliation"
    domain = 6
    topic = "banking"
    models: tuple[str, ...] = ("adjusted-bank", "adjusted-book", "deposit-total")
    rules: tuple[str, ...] = (
        "adjusted-bank-balance",
        "adjusted-book-balance",
        "deposit-slip-total",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One banking task of `model`, its amounts drawn with `rng`."""
        draw = {
            "adjusted-bank": _adjusted_bank,
            "adjusted-book": _adjusted_book,
            "deposit-total": _deposit,
        }[model]
        return draw(rng)


FAMILIES = (BankReconciliation(),)
