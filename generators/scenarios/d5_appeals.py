"""Domain 5 family: what the office does with a Medicare remittance, and by when.

Cognitive model (notes d5-medicare-appeals and d5-remittance-advice): a redetermination
is requested within 120 days of receiving the initial determination, the notice being
presumed received 5 days after its date (`redetermination-deadline`); a reconsideration
within 180 days of receiving the redetermination, with the same presumption
(`reconsideration-deadline`); a denied claim is appealed first by a redetermination
(`appeal-starts-with-redetermination`); a claim rejected as unprocessable has no appeal
rights and is corrected and sent as a new claim (`unprocessable-claim-resubmitted`); a
minor clerical error on a processed claim is fixed by a reopening (`clerical-error-reopening`).

Item models:
- redetermination-deadline: a remittance dated 20-60 days after the service denies a line;
- reconsideration-deadline: the redetermination decision is dated 40-90 days after the
  remittance;
- next-step: one of three remittance outcomes (rejected as unprocessable, denied as not
  reasonable and necessary with supporting notes, denied because of a transposed code).

Variables: services from January 2025 to June 2027 (notice dates drawn so the computed
last day is a Tuesday to Thursday that is no federal holiday).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, long_date, person
from generators.scenarios.d5_dates import date_choice, distinct_dates, draw_start, plus_years

SERVICES = ("a vitamin B12 injection", "an electrocardiogram", "a lipid panel", "a chest x-ray")
NEW_CLAIM = "Send the whole corrected claim as a new claim"
REDETERMINATION = "Ask the MAC for a redetermination of the claim"
REOPENING = "Ask the MAC to reopen the claim for a clerical error"
RECONSIDERATION = "Ask a QIC for a reconsideration of the claim"


def _days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


def _redetermination(rng: random.Random) -> Scenario:
    notice, last = draw_start(
        rng, dt.date(2025, 2, 1), dt.date(2027, 8, 31), lambda d: _days(d, 125)
    )
    dos = _days(notice, -rng.randrange(20, 61))
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    stem = (
        f"{patient}, an Original Medicare patient, had {rng.choice(SERVICES)} at "
        f"{clinician}'s office on {long_date(dos)}. The remittance advice dated "
        f"{long_date(notice)} denies the line for lack of medical necessity, and the office "
        "will appeal with the visit notes. What is the last date on which the MAC can receive "
        "the redetermination request?"
    )
    distractors = (
        date_choice(
            _days(notice, 120),
            f"{long_date(_days(notice, 120))} counts 120 days from the date on the notice; the "
            "120 days run from receipt, presumed 5 days after that date.",
            "skipped-presumed-receipt",
            notice,
        ),
        date_choice(
            _days(notice, 185),
            f"{long_date(_days(notice, 185))} uses 180 days, the window for a reconsideration "
            "by a QIC, which comes after the redetermination.",
            "reconsideration-window",
            notice,
        ),
        date_choice(
            _days(dos, 120),
            f"{long_date(_days(dos, 120))} counts from the date of service; the appeal clock "
            "starts with the notice of initial determination.",
            "counted-from-service",
            notice,
        ),
        date_choice(
            plus_years(dos),
            f"{long_date(plus_years(dos))} is the timely filing limit for the claim itself, "
            "not the deadline for appealing its denial.",
            "timely-filing-limit",
            notice,
        ),
        date_choice(
            _days(notice, 130),
            f"{long_date(_days(notice, 130))} adds the 5 days of presumed receipt twice; the "
            "last day is 125 days after the notice date.",
            "receipt-days-doubled",
            notice,
        ),
        date_choice(
            _days(notice, 65),
            f"{long_date(_days(notice, 65))} uses 60 days, the window for an ALJ hearing "
            "request, not for a redetermination.",
            "alj-window",
            notice,
        ),
    )
    key = date_choice(
        last,
        f"The notice dated {long_date(notice)} is presumed received 5 days later, and the "
        f"request is due within 120 days of receipt: {long_date(notice)} plus 125 days is "
        f"{long_date(last)}.",
        None,
        notice,
    )
    return distinct_dates(
        Scenario(
            family=MedicareAppeals.id,
            model="redetermination-deadline",
            stem=stem,
            key=key,
            distractors=distractors,
            rules=("redetermination-deadline",),
            steps=2,
            bloom="apply",
            variables={"dos": dos, "notice": notice},
            ordered=True,
        ),
        rng,
    )


def _reconsideration(rng: random.Random) -> Scenario:
    decision, last = draw_start(
        rng, dt.date(2025, 4, 1), dt.date(2027, 9, 30), lambda d: _days(d, 185)
    )
    notice = _days(decision, -rng.randrange(40, 91))
    patient = person(rng)
    stem = (
        f"Medicare denied {patient}'s claim on a remittance advice dated {long_date(notice)}. "
        f"The office asked for a redetermination, and the MAC's unfavorable redetermination "
        f"notice is dated {long_date(decision)}. The office decides to go to the next level. "
        "What is the last date on which the QIC can receive the reconsideration request?"
    )
    distractors = (
        date_choice(
            _days(decision, 180),
            f"{long_date(_days(decision, 180))} counts 180 days from the date on the notice; "
            "they run from receipt, presumed 5 days after that date.",
            "skipped-presumed-receipt",
            decision,
        ),
        date_choice(
            _days(notice, 185),
            f"{long_date(_days(notice, 185))} counts from the first remittance; the "
            "reconsideration window starts with the redetermination notice.",
            "counted-from-initial-determination",
            decision,
        ),
        date_choice(
            _days(decision, 125),
            f"{long_date(_days(decision, 125))} uses 120 days, the window for a "
            "redetermination, the level already taken.",
            "redetermination-window",
            decision,
        ),
        date_choice(
            _days(decision, 65),
            f"{long_date(_days(decision, 65))} uses 60 days, the window for asking for an ALJ "
            "hearing after a reconsideration.",
            "alj-window",
            decision,
        ),
        date_choice(
            _days(decision, 190),
            f"{long_date(_days(decision, 190))} adds the 5 days of presumed receipt twice; the "
            "last day is 185 days after the notice date.",
            "receipt-days-doubled",
            decision,
        ),
        date_choice(
            plus_years(decision),
            f"{long_date(plus_years(decision))} uses one year, the limit for asking for a "
            "reopening, not for a reconsideration.",
            "reopening-window",
            decision,
        ),
    )
    key = date_choice(
        last,
        f"The redetermination notice is presumed received 5 days after {long_date(decision)}, "
        f"and a reconsideration is due within 180 days of receipt: 185 days after the notice "
        f"date is {long_date(last)}.",
        None,
        decision,
    )
    return distinct_dates(
        Scenario(
            family=MedicareAppeals.id,
            model="reconsideration-deadline",
            stem=stem,
            key=key,
            distractors=distractors,
            rules=("reconsideration-deadline",),
            steps=2,
            bloom="apply",
            variables={"notice": notice, "decision": decision},
            ordered=True,
        ),
        rng,
    )


# For each outcome: the situation, the key, its rule, why it is right, and why each
# other action is wrong (misconception, sentence).
OUTCOMES: dict[str, tuple[str, str, str, str, dict[str, tuple[str, str]]]] = {
    "rejected": (
        "Medicare returned the claim as unprocessable (remark code MA130) because {reason}.",
        NEW_CLAIM,
        "unprocessable-claim-resubmitted",
        "An unprocessable claim was never processed, so it has no appeal rights: the office "
        "corrects the error and sends a new claim.",
        {
            REDETERMINATION: (
                "appealed-a-rejection",
                "A redetermination appeals an initial determination; an unprocessable claim "
                "never received one, so there is nothing to appeal.",
            ),
            REOPENING: (
                "reopened-unprocessed-claim",
                "A reopening changes a processed claim; a rejected claim was never processed.",
            ),
            RECONSIDERATION: (
                "skipped-a-level",
                "A QIC reconsideration follows a redetermination, and an unprocessable claim "
                "cannot be appealed at any level.",
            ),
        },
    ),
    "denied": (
        "Medicare processed the claim and denied the {service} for lack of medical necessity. "
        "The visit notes document why the service was needed.",
        REDETERMINATION,
        "appeal-starts-with-redetermination",
        "A denial after processing is an initial determination, and its first level of "
        "appeal is a redetermination by the MAC.",
        {
            NEW_CLAIM: (
                "resubmitted-a-denial",
                "Sending the same claim again does not dispute the decision: it would be "
                "denied as a duplicate, and the denial is disputed by an appeal.",
            ),
            REOPENING: (
                "reopening-for-a-dispute",
                "A clerical error reopening fixes minor errors; disagreeing with a coverage "
                "decision calls for an appeal.",
            ),
            RECONSIDERATION: (
                "skipped-a-level",
                "A QIC reconsideration is the second level; the appeal starts with a "
                "redetermination by the MAC.",
            ),
        },
    ),
    "clerical": (
        "Medicare processed the claim and denied one line; the biller finds that the line's "
        "procedure code was keyed with two digits transposed.",
        REOPENING,
        "clerical-error-reopening",
        "A transposed procedure code is a minor clerical error on a processed claim, which "
        "the MAC corrects through a reopening rather than an appeal.",
        {
            REDETERMINATION: (
                "appeal-for-a-clerical-error",
                "A redetermination disputes a decision; a keying error is corrected through a "
                "reopening, outside the appeals process.",
            ),
            NEW_CLAIM: (
                "duplicate-claim",
                "A new claim for a processed service would be denied as a duplicate; the "
                "processed claim is corrected through a reopening.",
            ),
            RECONSIDERATION: (
                "skipped-a-level",
                "A QIC reconsideration is a second-level appeal; a keying error is corrected "
                "through a reopening.",
            ),
        },
    ),
}
REASONS = (
    "the patient's Medicare Beneficiary Identifier was invalid",
    "the referring provider's NPI was missing",
)


def _next_step(rng: random.Random) -> Scenario:
    outcome = rng.choice(sorted(OUTCOMES))
    situation, key_text, rule, key_why, wrong = OUTCOMES[outcome]
    patient = person(rng)
    service = rng.choice(SERVICES)
    stem = (
        f"The office billed Medicare Part B for {patient}'s {service.split(' ', 1)[1]}. "
        + situation.format(reason=rng.choice(REASONS), service=service.split(" ", 1)[1])
        + f" What does the biller do next with {first(patient)}'s claim?"
    )
    distractors = tuple(Choice(text, why, miscon) for text, (miscon, why) in wrong.items())
    return Scenario(
        family=MedicareAppeals.id,
        model="next-step",
        stem=stem,
        key=Choice(key_text, key_why),
        distractors=distractors,
        rules=(rule,),
        steps=1,
        bloom="analyze",
        variables={"outcome": outcome},
    )


class MedicareAppeals:
    """Remittance outcomes and Original Medicare appeal deadlines."""

    id = "d5-medicare-appeals"
    domain = 5
    topic = "remittance, denials and appeals"
    models: tuple[str, ...] = ("redetermination-deadline", "reconsideration-deadline", "next-step")
    rules: tuple[str, ...] = (
        "redetermination-deadline",
        "reconsideration-deadline",
        "appeal-starts-with-redetermination",
        "unprocessable-claim-resubmitted",
        "clerical-error-reopening",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One remittance situation of `model`, drawn with `rng`."""
        draw = {
            "redetermination-deadline": _redetermination,
            "reconsideration-deadline": _reconsideration,
            "next-step": _next_step,
        }[model]
        return draw(rng)


FAMILIES = (MedicareAppeals(),)
