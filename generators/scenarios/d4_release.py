"""Domain 4 family: release of information: authorizations and the patient's access clock.

Cognitive model (notes d4-release-of-information and d4-hipaa-individual-rights):
treatment and payment disclosures need no authorization (`treatment-payment-without-
authorization`); most others, such as to an employer or a life insurer, need one
(`authorization-for-other-disclosures`); a patient's own request is a right of access,
not an authorization, and is not held up by an unpaid bill (`own-records-by-right-of-
access`); a valid authorization has fixed core elements and statements
(`authorization-core-elements`); the office acts on an access request within 30
calendar days, with one 30-day extension given in writing within the first 30
(`access-within-30-days`).

Item models:
- authorization-needed: a request from a specialist, a hospital, the health plan, an
  employer, a life insurer or the patient; the key is what the office needs first.
- missing-element: an authorization form with every element but one; the key names it.
- access-deadline: a written access request reaches the office days after its date; the
  key is the date of receipt + 30 days.
- access-extension: the office sends a timely written extension notice; the key is the
  date of receipt + 60 days.

Variables: patient (common.person); clinician and specialist (common.CLINICIANS);
hospital, employer and insurer names (4 each); balance owed $40-$400; visit, letter and
receipt dates in 2026-2030 (a letter 3-12 days in the mail, received on day 2-27 of a
month); extension notice 5-25 days after receipt; missing element (6: description,
recipient, purpose, expiration, revocation statement, redisclosure statement).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, money, person

HOSPITALS = (
    "Mercy General Hospital",
    "St. Luke's Hospital",
    "County Medical Center",
    "Valley Hospital",
)
EMPLOYERS = ("Harbor Logistics", "Summit Foods", "Brightline Software", "Keystone Builders")
INSURERS = ("Guardian Life", "Northstar Life", "Pinnacle Life", "Beacon Life")
# request: (category, what is asked, by whom)
REQUESTS = {
    "specialist": "treatment",
    "hospital": "treatment",
    "health-plan": "payment",
    "employer": "authorization",
    "life-insurer": "authorization",
    "patient": "access",
}
# missing element: (option text, how the form shows it when present)
ELEMENTS = {
    "description": (
        "A description of the information",
        "covers office notes and lab results from {year}",
    ),
    "recipient": ("The name of the recipient", "names {recipient} as the recipient"),
    "purpose": ("The purpose of the disclosure", "gives the purpose as {purpose}"),
    "expiration": ("An expiration date or event", "expires on {expires}"),
    "revocation": (
        "A statement of the right to revoke",
        "explains that {p} may revoke it in writing",
    ),
    "redisclosure": (
        "A warning about redisclosure of the PHI",
        "warns that what is released may be redisclosed",
    ),
}


OPTIONS = {
    "treatment": "No authorization, as a disclosure for treatment",
    "payment": "No authorization, as a disclosure for payment",
    "authorization": "A valid HIPAA authorization signed by the patient",
    "access": "The patient's request, under the right of access",
    "court": "A subpoena or a court order for the records",
    "balance": "Payment of the patient's balance before release",
}


def _authorization_needed(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    specialist = rng.choice([c for c in CLINICIANS if c != clinician])
    p, request = first(patient), rng.choice(sorted(REQUESTS))
    category = REQUESTS[request]
    visit = draw_date(rng, dt.date(2026, 1, 5), dt.date(2030, 11, 20))
    balance = 100 * rng.randrange(40, 401, 5)
    ask = {
        "specialist": f"{specialist}, the cardiologist to whom {clinician} referred {patient}, "
        f"asks for {p}'s recent office notes before {p}'s first visit next week.",
        "hospital": f"The emergency department of {rng.choice(HOSPITALS)}, where {patient} was "
        f"admitted last night, asks {clinician}'s office for {p}'s medication list and allergies.",
        "health-plan": f"The health plan of {patient} asks {clinician}'s office for the notes "
        f"that support its claim for {p}'s visit on {long_date(visit)}.",
        "employer": f"The employer of {patient}, {rng.choice(EMPLOYERS)}, asks {clinician}'s "
        f"office for a copy of {p}'s last physical exam for its personnel file.",
        "life-insurer": f"{rng.choice(INSURERS)}, a life insurance company reviewing an "
        f"application from {patient}, asks {clinician}'s office for {p}'s records from the past "
        "five years.",
        "patient": f"{patient} shows a photo ID at {clinician}'s front desk and asks in writing "
        f"for a copy of {p}'s lab results from last month; {p} still owes {money(balance)} on "
        "the account.",
    }[request]
    texts = OPTIONS
    why = {
        "treatment": "A disclosure to a provider for the patient's care needs no "
        "authorization; the request is for treatment.",
        "payment": "Sending the plan what supports its claim is a payment disclosure, which "
        "needs no authorization.",
        "authorization": "An authorization is needed for disclosures outside treatment, "
        "payment and operations; this one is within them.",
        "access": "The right of access is the patient's own; a request from anyone else is "
        "judged as a disclosure.",
        "court": "A subpoena or order is one route for legal proceedings; routine requests "
        "are judged by their purpose.",
        "balance": "Records are not held back for an unpaid bill; the balance is collected "
        "separately.",
    }
    if category == "authorization":
        why["payment"] = (
            "A life insurer or an employer is not paying for the patient's care, "
            "so this is no payment disclosure."
        )
        why["treatment"] = "No one here is treating the patient, so it is no treatment disclosure."
    if category == "access":
        why["authorization"] = (
            "A patient asking for the patient's own records uses the right "
            "of access, not an authorization."
        )
    distractors = {
        "treatment": ("authorization", "court", "access"),
        "payment": ("authorization", "court", "access"),
        "authorization": ("payment", "treatment", "court")
        if request == "life-insurer"
        else ("treatment", "court", "payment"),
        "access": ("authorization", "balance", "court"),
    }[category]
    key_why = {
        "treatment": "Disclosures for treatment need no authorization, and the request comes "
        "from a provider caring for the patient.",
        "payment": "Disclosures for payment need no authorization, and the plan asks for what "
        "supports its claim.",
        "authorization": "The request falls outside treatment, payment and operations, so the "
        "patient's signed authorization is needed first.",
        "access": "A patient's own request is handled under the right of access, and the "
        "unpaid balance does not delay the copies.",
    }[category]
    rule = {
        "treatment": "treatment-payment-without-authorization",
        "payment": "treatment-payment-without-authorization",
        "authorization": "authorization-for-other-disclosures",
        "access": "own-records-by-right-of-access",
    }[category]
    return Scenario(
        family=ReleaseOfInformation.id,
        model="authorization-needed",
        stem=f"{ask} What does the office need before it releases the information?",
        key=Choice(texts[category], key_why),
        distractors=tuple(Choice(texts[d], why[d], f"{d}-for-{request}") for d in distractors),
        rules=(rule,),
        steps=2,
        bloom="analyze",
        variables={"patient": patient, "request": request, "category": category},
    )


def _missing_element(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p, missing = first(patient), rng.choice(sorted(ELEMENTS))
    year = rng.randrange(2026, 2031)
    values = {
        "year": year - 1,
        "recipient": rng.choice(INSURERS),
        "purpose": "a life insurance application",
        "expires": long_date(dt.date(year + 1, rng.randrange(1, 13), rng.randrange(1, 29))),
        "p": p,
    }
    clauses = [ELEMENTS[e][1].format(**values) for e in ELEMENTS if e != missing]
    signed = draw_date(rng, dt.date(year, 1, 5), dt.date(year, 12, 20))
    stem = (
        f"{patient} brings {clinician}'s office a form, signed by {p} on {long_date(signed)}, "
        f"allowing the office to disclose {p}'s PHI. The form names the office as the discloser, "
        f"{', '.join(clauses[:-1])} and {clauses[-1]}. What must be added before the office "
        "can release anything under it?"
    )
    wrong = (
        Choice(
            "A notary's seal beside the signature",
            "HIPAA does not require notarization; the form lacks one of the required "
            "elements instead.",
            "notary-required",
        ),
        Choice(
            "A witness's signature and printed name",
            "No witness is required on an authorization; a required element is missing.",
            "witness-required",
        ),
        Choice(
            "The codes of the patient's diagnoses",
            "Diagnosis codes are not an element of an authorization; the description of the "
            "information is what the rule asks for.",
            "diagnosis-codes-required",
        ),
        Choice(
            "The patient's Social Security number",
            "An authorization identifies the patient by the signature; a Social Security "
            "number is not an element.",
            "ssn-required",
        ),
    )
    key_text = ELEMENTS[missing][0]
    return Scenario(
        family=ReleaseOfInformation.id,
        model="missing-element",
        stem=stem,
        key=Choice(
            key_text,
            f"{key_text} is required of a valid authorization and is the one element this "
            "form lacks.",
        ),
        distractors=wrong,
        rules=("authorization-core-elements",),
        steps=2,
        bloom="analyze",
        variables={"patient": patient, "missing": missing, **values},
    )


def _date_choice(day: dt.date, why: str, misconception: str | None = None) -> Choice:
    return Choice(long_date(day), why, misconception, float(day.toordinal()))


def _distinct(key: Choice, wrong: list[Choice]) -> tuple[Choice, ...]:
    seen, kept = {key.value}, []
    for c in wrong:
        if c.value not in seen:
            seen.add(c.value)
            kept.append(c)
    return tuple(kept)


def _business_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        days -= day.weekday() < 5
    return day


def _received(rng: random.Random) -> dt.date:
    return dt.date(rng.randrange(2026, 2031), rng.randrange(1, 13), rng.randrange(2, 28))


def _access(rng: random.Random, extension: bool) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p, received = first(patient), _received(rng)
    d30, d60 = dt.timedelta(days=30), dt.timedelta(days=60)
    if extension:
        notice = received + dt.timedelta(days=rng.randrange(5, 26))
        stem = (
            f"On {long_date(received)}, {clinician}'s office receives a written request from "
            f"{patient} for copies of records kept in offsite storage. On {long_date(notice)}, "
            f"the office sends {p} a written statement of the reason for the delay and the "
            "date it will act. Under the HIPAA Privacy Rule, what is the latest date that "
            "statement may set?"
        )
        key = _date_choice(
            received + d60,
            f"A timely written notice extends the 30 days once by up to 30 more, counted from "
            f"receipt: {long_date(received)} + 60 days.",
        )
        wrong = [
            _date_choice(
                notice + d30,
                "The extension adds 30 days to the first 30, not to the date of the notice.",
                "extension-from-notice",
            ),
            _date_choice(
                received + d30,
                "That ignores the extension; a timely written notice allows up to 30 more days.",
                "ignored-extension",
            ),
            _date_choice(
                notice + d60,
                "The clock runs from receipt of the request, not from the notice.",
                "counted-from-notice",
            ),
            _date_choice(
                received + dt.timedelta(days=90),
                "Ninety days is the amendment clock with its extension; access allows 60 at most.",
                "amendment-clock",
            ),
        ]
        variables = {"patient": patient, "received": received, "notice": notice}
    else:
        written = received - dt.timedelta(days=rng.randrange(3, 13))
        stem = (
            f"{patient} mails {clinician}'s office a written request for a copy of {p}'s "
            f"records. The letter is dated {long_date(written)}, and it arrives on "
            f"{long_date(received)}. The records are in the office's EHR, and the office sends "
            "no extension notice. Under the HIPAA Privacy Rule, what is the latest date by which "
            "it must act on the request?"
        )
        key = _date_choice(
            received + d30,
            f"The office acts no later than 30 calendar days after receiving the request: "
            f"{long_date(received)} + 30 days.",
        )
        wrong = [
            _date_choice(
                written + d30,
                "The 30 days run from the day the office receives the "
                "request, not from the date on the letter.",
                "counted-from-letter-date",
            ),
            _date_choice(
                _business_days(received, 30),
                "The deadline counts calendar days, not business days.",
                "business-days",
            ),
            _date_choice(
                received + d60,
                "Sixty days needs a written extension notice, and none was sent.",
                "assumed-extension",
            ),
            _date_choice(
                received + dt.timedelta(days=15),
                "HIPAA allows 30 calendar days; 15 days is no deadline of the rule.",
                "fifteen-days",
            ),
            _date_choice(
                received + dt.timedelta(days=29),
                "That counts the day the request arrived as day 1; the 30 days start the day "
                "after receipt, so they end a day later.",
                "counted-receipt-day",
            ),
        ]
        variables = {"patient": patient, "written": written, "received": received}
    return Scenario(
        family=ReleaseOfInformation.id,
        model="access-extension" if extension else "access-deadline",
        stem=stem,
        key=key,
        distractors=_distinct(key, wrong),
        rules=("access-within-30-days",),
        steps=2,
        bloom="analyze" if extension else "apply",
        variables=variables,
        ordered=True,
    )


class ReleaseOfInformation:
    """Whether a release needs an authorization, what makes one valid, the access clock."""

    id = "d4-release-of-information"
    domain = 4
    topic = "release of information"
    models: tuple[str, ...] = (
        "authorization-needed",
        "missing-element",
        "access-deadline",
        "access-extension",
    )
    rules: tuple[str, ...] = (
        "treatment-payment-without-authorization",
        "authorization-for-other-disclosures",
        "own-records-by-right-of-access",
        "authorization-core-elements",
        "access-within-30-days",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One release-of-information situation of `model`, drawn with `rng`."""
        if model == "authorization-needed":
            return _authorization_needed(rng)
        if model == "missing-element":
            return _missing_element(rng)
        return _access(rng, extension=model == "access-extension")


FAMILIES = (ReleaseOfInformation(),)
