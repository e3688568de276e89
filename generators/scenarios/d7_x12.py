"""Domain 7 family: which HIPAA standard X12 transaction a front-office task uses.

Cognitive model (note d7-electronic-data-interchange): HIPAA adopted ASC X12 standards for
the transactions a practice conducts electronically with health plans. The provider asks
about eligibility and benefits with the 270 and the plan answers with the 271
(`x12-eligibility`); the provider asks where a claim stands with the 276 and the plan
answers with the 277 (`x12-claim-status`); a prior authorization or referral request and
its answer travel as the 278 (`x12-authorization`); the claim itself is the 837
(`x12-claim`); the plan's payment and remittance advice is the 835 (`x12-remittance`).

Item models, each a task at the front desk or in the billing office:
- eligibility-inquiry (270), claim-status-inquiry (276), prior-authorization (278),
  claim-submission (837), remittance-posting (835).

Variables: the patient, the staff member, the health plan, the visit date (2027), the
service and the days a claim has waited (30-45), and which of two wordings of the task.
Distractors are the transactions a candidate confuses with the key: the response for the
request, the neighbouring request, the claim for the payment. Options name the transaction
("X12 270"), so they are names, not quantities, and the key takes the position asked.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, person

PLANS = (
    "a commercial PPO", "the patient's Medicare Advantage plan", "a regional HMO",
    "the state Medicaid managed care plan", "a Blue Cross plan",
)  # fmt: skip
SERVICES = ("an MRI of the knee", "a sleep study", "a CT scan of the abdomen", "physical therapy")
QUESTION = "Which HIPAA standard X12 transaction does this use?"

# What each transaction is, for the explanations of keys and distractors.
WHAT = {
    "270": "the eligibility and benefit inquiry a provider sends to a health plan",
    "271": "the health plan's response to a 270 eligibility inquiry",
    "276": "the claim status request a provider sends about a claim already submitted",
    "277": "the health plan's response to a 276 claim status request",
    "278": "the request for a referral certification or prior authorization and its answer",
    "820": "the payment of health plan premiums",
    "835": "the health plan's claim payment and remittance advice",
    "837": "the health care claim itself, the electronic counterpart of the claim form",
}


@dataclass(frozen=True)
class Task:
    """The people, plan and dates of one front-office task."""

    patient: str
    staff: str
    clinician: str
    plan: str
    visit: dt.date
    service: str
    waited: int  # days since a claim was sent
    wording: int  # which of two stems


def _task(rng: random.Random) -> Task:
    patient = person(rng)
    return Task(
        patient, person(rng, exclude=[patient]), rng.choice(CLINICIANS), rng.choice(PLANS),
        draw_date(rng, dt.date(2027, 1, 4), dt.date(2027, 12, 17)), rng.choice(SERVICES),
        rng.randint(30, 45), rng.randrange(2),
    )  # fmt: skip


def _stem(t: Task, model: str) -> str:
    p, s = t.patient, first(t.staff)
    when = long_date(t.visit)
    stems = {
        "eligibility-inquiry": (
            f"Before {p}'s appointment on {when}, {t.staff} at the front desk uses the "
            f"practice management system to ask {t.plan} electronically whether the "
            "patient's coverage is active and what the office visit copayment is.",
            f"{t.staff} is preregistering {p} for a new-patient visit on {when} and sends "
            f"{t.plan} an electronic request to confirm the coverage dates and the "
            "deductible left to meet.",
        ),
        "claim-status-inquiry": (
            f"{t.staff} notices that the claim for {p}'s visit on {when} went to {t.plan} "
            f"{t.waited} days ago and has been neither paid nor denied. {s} sends the plan "
            "an electronic request asking where the claim stands.",
            f"The aging report shows no payment or denial from {t.plan} for {p}'s visit on "
            f"{when}, billed {t.waited} days ago. {t.staff} electronically asks the plan "
            "whether the claim is pending, and why.",
        ),
        "prior-authorization": (
            f"{t.clinician} orders {t.service} for {p}, and {t.plan} requires approval "
            f"before the service is performed. {t.staff} submits the approval request "
            "electronically.",
            f"{p} is scheduled for {t.service} on {when}, which {t.plan} pays for only with "
            f"approval in advance, so {t.staff} sends the request for approval "
            "electronically.",
        ),
        "claim-submission": (
            f"After {p}'s office visit with {t.clinician} on {when}, {t.staff} in the "
            f"billing office sends the visit's charges, codes and provider details to "
            f"{t.plan} electronically for payment.",
            f"{t.staff} finishes coding {p}'s visit of {when} and transmits the bill for "
            f"the professional services to {t.plan} through the clearinghouse.",
        ),
        "remittance-posting": (
            f"{t.plan} sends the practice an electronic file that lists, for a batch of "
            "claims, the amounts paid, the contractual adjustments and the reason codes for "
            f"each denial. {t.staff} posts the payments from it.",
            f"A deposit from {t.plan} arrives with an electronic file explaining how each "
            f"claim in it was paid or adjusted, including {p}'s visit of {when}. {t.staff} "
            "uses the file to post the payments.",
        ),
    }
    return f"{stems[model][t.wording]} {QUESTION}"


def _choice(code: str, why: str, misconception: str | None) -> Choice:
    """An option naming a transaction ("X12 270"): a name, not a quantity to sort by.

    Bare numbers would be options with a natural order, and 270 is the smallest code of
    any confusion for an eligibility inquiry, so the key would always come first; named
    "X12 270", the options have no order and the key goes wherever the builder puts it.
    """
    return Choice(f"X12 {code}", why, misconception)


def _wrong(code: str, why: str, misconception: str) -> Choice:
    return _choice(code, f"The {code} is {WHAT[code]}; {why}", misconception)


# key, its explanation, and the confusions that lead to each distractor
MODELS: dict[str, tuple[str, str, str, tuple[tuple[str, str, str], ...]]] = {
    "eligibility-inquiry": (
        "270",
        "x12-eligibility",
        "Asking a plan whether coverage is active and what the patient owes is an "
        "eligibility and benefit inquiry, the X12 270.",
        (
            ("271", "the office sends the 270 and receives the 271.", "response-for-request"),
            ("278", "checking coverage asks for no approval of a service.", "auth-for-eligibility"),
            ("276", "no claim exists yet to ask about.", "claim-status-for-eligibility"),
            ("837", "no services have been billed yet.", "claim-for-inquiry"),
        ),
    ),
    "claim-status-inquiry": (
        "276",
        "x12-claim-status",
        "Asking a plan where a submitted claim stands is a claim status request, the X12 276.",
        (
            ("277", "the office sends the 276 and receives the 277.", "response-for-request"),
            ("837", "sending the claim again would duplicate it.", "resubmitted-claim"),
            ("270", "the question is about a claim, not coverage.", "eligibility-for-status"),
            ("835", "no payment has been made yet.", "remittance-for-status"),
        ),
    ),
    "prior-authorization": (
        "278",
        "x12-authorization",
        "Asking a plan to approve a service before it is performed is a prior "
        "authorization request, the X12 278.",
        (
            ("270", "confirming coverage does not approve a service.", "eligibility-for-auth"),
            ("837", "no service has been performed or billed yet.", "claim-for-auth"),
            ("276", "no claim has been sent to ask about.", "claim-status-for-auth"),
            ("271", "a coverage response approves no service.", "eligibility-response-for-auth"),
        ),
    ),
    "claim-submission": (
        "837",
        "x12-claim",
        "Sending a visit's charges to a plan for payment is a health care claim, the X12 837.",
        (
            ("835", "the plan sends the 835 after it pays the claim.", "remittance-for-claim"),
            ("276", "a status request asks about a claim already sent.", "status-for-claim"),
            ("270", "an eligibility inquiry bills nothing.", "eligibility-for-claim"),
            ("278", "an authorization request bills nothing.", "auth-for-claim"),
        ),
    ),
    "remittance-posting": (
        "835",
        "x12-remittance",
        "A plan's electronic explanation of payments, adjustments and denials is the "
        "claim payment and remittance advice, the X12 835.",
        (
            ("837", "the office sends the 837 and receives the 835.", "claim-for-remittance"),
            ("277", "a status response reports no payment.", "status-for-remittance"),
            ("820", "it pays premiums, not claims.", "premium-for-remittance"),
            ("271", "a coverage response carries no payments.", "eligibility-for-remittance"),
        ),
    ),
}


class X12Transaction:
    """The HIPAA standard X12 transaction for a described front-office task."""

    id: str = "d7-x12-transaction"
    domain: int = 7
    topic: str = "electronic data interchange"
    models: tuple[str, ...] = tuple(MODELS)
    rules: tuple[str, ...] = tuple(rule for _, rule, _, _ in MODELS.values())

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One task of `model`, its people, plan and dates drawn with `rng`."""
        t = _task(rng)
        code, rule, why, confusions = MODELS[model]
        key = _choice(code, why, None)
        distractors = tuple(_wrong(c, w, m) for c, w, m in confusions)
        return Scenario(
            family=self.id,
            model=model,
            stem=_stem(t, model),
            key=key,
            distractors=distractors,
            rules=(rule,),
            steps=1,
            bloom="apply",
            variables={**t.__dict__, "task": model},
        )


FAMILIES = (X12Transaction(),)
