"""Domain 6 family: posting to a patient ledger and reading the balance that results.

Cognitive model (notes d6-patient-accounts-and-fees and d6-banking): the balance is the
previous balance plus charges minus payments and adjustments, the contractual
adjustment being the fee above the allowed amount (`ledger-balance`); a check returned
for nonsufficient funds is added back to the balance with any returned-check fee the
office's policy allows (`nsf-check-reversal`); payments beyond what the patient owes
leave a credit balance refunded to the patient (`credit-balance-refund`).

Item models:
- posting: a previous balance of $0-$300, a fee of $120-$600, an allowed amount 55-90%
  of it, the plan's payment and a $10-$50 copayment paid at the visit;
- nsf-check: a balance of $0-$250 after a $40-$400 check was posted, the check
  returned, a $20-$35 fee under the office's written policy (and the bank's own
  $10-$15 returned-item charge to the practice, which the patient does not owe);
- credit-balance: a $100-$300 payment at the visit against a patient share the EOB
  later shows to be smaller.

All amounts are whole dollars.
"""

from __future__ import annotations

import random

from generators.scenarios.base import Scenario
from generators.scenarios.common import first, money, percent_of, person
from generators.scenarios.d6_amounts import cents_choice, money_scenario


def _fee_and_allowed(rng: random.Random) -> tuple[int, int]:
    fee = 100 * rng.randrange(120, 601, 5)
    allowed = 100 * (fee * rng.randrange(55, 91) // 10000 // 5 * 5)
    return fee, max(allowed, 6000)


def _posting(rng: random.Random) -> Scenario:
    patient = person(rng)
    previous = 100 * rng.randrange(0, 301, 5)
    fee, allowed = _fee_and_allowed(rng)
    copay = 100 * rng.randrange(10, 51, 5)
    paid = percent_of(allowed - copay, 80)
    paid -= paid % 100
    write_off = fee - allowed
    key = previous + fee - paid - write_off - copay
    stem = (
        f"{patient}'s ledger shows a previous balance of {money(previous)}. Today's visit is "
        f"posted at the practice's fee of {money(fee)}, and {first(patient)} pays the "
        f"{money(copay)} copayment at checkout. The participating plan's allowed amount is "
        f"{money(allowed)}, and its payment of {money(paid)} arrives and is posted with the "
        "contractual adjustment. What is the balance on the ledger now?"
    )
    distractors = (
        cents_choice(
            key + write_off,
            f"{money(key + write_off)} leaves out the {money(write_off)} contractual "
            "adjustment, the fee above the allowed amount, which is written off.",
            "forgot-contractual-adjustment",
        ),
        cents_choice(
            key - previous,
            f"{money(key - previous)} drops the {money(previous)} previous balance, which is "
            "still owed.",
            "dropped-previous-balance",
        ),
        cents_choice(
            key + copay,
            f"{money(key + copay)} leaves out the {money(copay)} copayment paid at checkout, "
            "which is posted as a payment.",
            "forgot-copayment",
        ),
        cents_choice(
            previous + allowed,
            f"{money(previous + allowed)} adds the allowed amount without posting the plan's "
            "payment and the copayment against it.",
            "posted-allowed-only",
        ),
        cents_choice(
            previous - copay,
            f"{money(previous - copay)} writes off all of the fee the plan did not pay; only "
            f"the {money(write_off)} above the allowed amount is written off, and the rest of "
            "the allowed amount stays the patient's to pay.",
            "wrote-off-unpaid-balance",
        ),
        cents_choice(
            key - allowed + write_off,
            f"{money(key - allowed + write_off)} posts the {money(allowed)} allowed amount as "
            f"the adjustment; the contractual adjustment is the fee above it, {money(write_off)}.",
            "allowed-as-adjustment",
        ),
    )
    why = (
        f"{money(previous)} + {money(fee)} fee - {money(paid)} plan payment - "
        f"{money(write_off)} adjustment ({money(fee)} - {money(allowed)}) - {money(copay)} "
        f"copayment = {money(key)}."
    )
    return money_scenario(
        Scenario(
            family=PatientLedger.id,
            model="posting",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("ledger-balance",),
            steps=3,
            bloom="apply",
            variables={
                "previous": previous,
                "fee": fee,
                "allowed": allowed,
                "paid": paid,
                "copay": copay,
            },
        ),
        rng,
    )


def _nsf(rng: random.Random) -> Scenario:
    patient = person(rng)
    balance = 100 * rng.randrange(0, 251, 5)
    check = 100 * rng.randrange(40, 401, 5)
    fee = 100 * rng.randrange(20, 36, 5)
    bank_fee = 100 * rng.randrange(10, 16)  # the bank's charge to the practice, under `fee`
    key = balance + check + fee
    stem = (
        f"After {patient}'s {money(check)} check was posted, the ledger balance was "
        f"{money(balance)}. The bank returns the check for nonsufficient funds and charges the "
        f"practice's account a {money(bank_fee)} returned-item fee. The office's written "
        f"policy, which state law allows, adds a {money(fee)} returned-check fee to the "
        f"patient's account. What is {first(patient)}'s balance after the return is posted?"
    )
    distractors = (
        cents_choice(
            balance + check,
            f"{money(balance + check)} reverses the check but leaves out the {money(fee)} "
            "returned-check fee in the office's policy.",
            "forgot-fee",
        ),
        cents_choice(
            balance + fee,
            f"{money(balance + fee)} adds only the fee; the {money(check)} payment never "
            "cleared, so it is added back too.",
            "fee-only",
        ),
        cents_choice(
            balance + 2 * check + fee,
            f"{money(balance + 2 * check + fee)} adds the check back twice; the reversal "
            "undoes one posted payment.",
            "doubled-reversal",
        ),
        cents_choice(
            balance,
            f"{money(balance)} leaves the payment standing, though the bank charged it back.",
            "payment-left-standing",
        ),
        cents_choice(
            key + bank_fee,
            f"{money(key + bank_fee)} also passes on the bank's {money(bank_fee)} charge; "
            "that is the practice's own bank fee, entered in its checkbook, and the patient "
            f"owes the {money(fee)} fee the policy sets.",
            "passed-on-bank-fee",
        ),
        cents_choice(
            balance + check + bank_fee,
            f"{money(balance + check + bank_fee)} charges the bank's {money(bank_fee)} fee to "
            f"the patient; the fee the office's policy sets is {money(fee)}.",
            "bank-fee-for-policy-fee",
        ),
    )
    why = (
        f"The returned check is no payment, so its {money(check)} goes back on the balance "
        f"with the {money(fee)} fee: {money(balance)} + {money(check)} + {money(fee)} = "
        f"{money(key)}."
    )
    return money_scenario(
        Scenario(
            family=PatientLedger.id,
            model="nsf-check",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("nsf-check-reversal",),
            steps=2,
            bloom="apply",
            variables={"balance": balance, "check": check, "fee": fee, "bank_fee": bank_fee},
        ),
        rng,
    )


def _credit(rng: random.Random) -> Scenario:
    patient = person(rng)
    while True:  # four different wrong amounts, none equal to the refund
        fee, allowed = _fee_and_allowed(rng)
        share = 100 * rng.randrange(10, max(11, allowed // 100 // 2), 5)
        paid_at_visit = share + 100 * rng.randrange(20, 201, 5)
        plan = allowed - share
        key = paid_at_visit - share
        if len({key, paid_at_visit, share, fee - allowed, plan}) == 5:
            break
    stem = (
        f"{patient} paid {money(paid_at_visit)} toward an estimate at the visit. The fee was "
        f"{money(fee)}; the participating plan's EOB shows an allowed amount of "
        f"{money(allowed)}, a plan payment of {money(plan)} and a patient responsibility of "
        f"{money(share)}. After the payment and the contractual adjustment are posted, how "
        f"much does the office refund to {first(patient)}?"
    )
    distractors = (
        cents_choice(
            paid_at_visit,
            f"{money(paid_at_visit)} refunds the whole payment, though {money(share)} of it "
            "is the patient's responsibility.",
            "refunded-everything",
        ),
        cents_choice(
            share,
            f"{money(share)} is what the patient owes for the visit, not what was overpaid.",
            "responsibility-as-refund",
        ),
        cents_choice(
            fee - allowed,
            f"{money(fee - allowed)} is the contractual adjustment the office writes off; it "
            "is not paid to anyone.",
            "write-off-as-refund",
        ),
        cents_choice(
            plan,
            f"{money(plan)} is the plan's payment, which the office keeps; only the patient's "
            "overpayment is refunded.",
            "plan-payment-as-refund",
        ),
        cents_choice(
            key - (fee - allowed),
            f"{money(key - (fee - allowed))} takes the write-off out of the refund; the "
            "write-off reduces the charge, not the patient's payment.",
            "write-off-from-refund",
        ),
    )
    why = (
        f"The patient owes {money(share)} but paid {money(paid_at_visit)}, so the account "
        f"has a {money(key)} credit balance, refunded to the patient who overpaid."
    )
    return money_scenario(
        Scenario(
            family=PatientLedger.id,
            model="credit-balance",
            stem=stem,
            key=cents_choice(key, why),
            distractors=distractors,
            rules=("ledger-balance", "credit-balance-refund"),
            steps=2,
            bloom="analyze",
            variables={
                "fee": fee,
                "allowed": allowed,
                "plan": plan,
                "share": share,
                "paid_at_visit": paid_at_visit,
            },
        ),
        rng,
    )


class PatientLedger:
    """Patient ledger balances after charges, payments, adjustments and returned checks."""

    id = "d6-patient-ledger"
    domain = 6
    topic = "patient accounts and fees"
    models: tuple[str, ...] = ("posting", "nsf-check", "credit-balance")
    rules: tuple[str, ...] = ("ledger-balance", "nsf-check-reversal", "credit-balance-refund")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One posting task of `model`, its amounts drawn with `rng`."""
        draw = {"posting": _posting, "nsf-check": _nsf, "credit-balance": _credit}[model]
        return draw(rng)


FAMILIES = (PatientLedger(),)
