"""Domain 4 family: correcting the record, and a patient's request to amend it.

Cognitive model (notes d4-record-corrections and d4-hipaa-individual-rights): a paper
error gets a single line, the correct entry, the date and initials, never fluid or
blackout (`paper-single-line-correction`); information left out is a late entry,
information not yet available an addendum, a wrong entry a correction, each with the
current date (`late-entry-addendum-correction`); a request to amend is acted on within
60 days (`amendment-within-60-days`); after a denial the patient may file a statement
of disagreement (`amendment-denial-disagreement`).

Item models:
- paper-error: a wrong callback number or visit date in a paper chart; the key is the
  single-line correction.
- entry-type: an omission, a late result or a wrong value after a note is signed; the
  key is the kind of entry, dated the day it is made.
- amendment-deadline: a written request to amend; the key is receipt + 60 days.
- amendment-denied: the office denies the request in writing; the key is the
  statement of disagreement.

Variables: patient and staff (common.person); clinician (common.CLINICIANS); phone
numbers 555-01xx; visit dates in 2026-2030, the change 1-20 days later; weights 110-240
lb with two digits swapped; omitted topic (3), test (3), amended item (4); request
received on day 2-27 of a month.
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, person

OMITTED = (
    "smoking-cessation counseling",
    "instructions for home blood pressure checks",
    "discussion of the new medication's side effects",
)
TESTS = ("lipid panel", "throat culture", "urine culture")
ITEMS = ("the list of allergies", "the smoking history", "the family history", "the home address")


def _paper(rng: random.Random) -> Scenario:
    patient, staff = person(rng), None
    staff = person(rng, [patient])
    s = first(staff)
    thing = rng.choice(("number", "date"))
    if thing == "number":
        right = f"555-01{rng.choice([n for n in range(10, 100) if n % 11])}"
        wrong_value = right[:-2] + right[-1] + right[-2]
        what = "the callback number on a telephone message"
    else:
        day = draw_date(rng, dt.date(2026, 1, 5), dt.date(2030, 12, 20))
        right, wrong_value = long_date(day), long_date(day + dt.timedelta(days=7))
        what = "the date of the next visit on a recall note"
    stem = (
        f"{staff} finds that {what} in {patient}'s paper chart reads {wrong_value}; it should "
        f"read {right}. {s} made the entry. How should {s} correct it?"
    )
    wrong = (
        Choice(
            f"Cover it with correction fluid and write the right {thing} on top",
            "Correction fluid hides the original entry, which looks like tampering; the "
            "error stays readable under a single line.",
            "correction-fluid",
        ),
        Choice(
            f"Black out the wrong {thing} and write the right one beside it",
            "Blacking out makes the original unreadable; a single line leaves it legible.",
            "blacked-out",
        ),
        Choice(
            f"Write the right {thing} over the wrong one and initial it",
            "Writing over an entry obscures what it said; the correction goes beside a "
            "single line through the error.",
            "wrote-over",
        ),
        Choice(
            "Recopy the page without the error and shred the original",
            "Removing a page destroys the original entry; errors are corrected in place.",
            "replaced-page",
        ),
    )
    return Scenario(
        family=RecordCorrections.id,
        model="paper-error",
        stem=stem,
        key=Choice(
            f"Draw one line through it, write the right {thing}, then initial and date it",
            "A single line keeps the error readable, and the correction carries the date and "
            "the initials of the person who made it.",
        ),
        distractors=wrong,
        rules=("paper-single-line-correction",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "staff": staff, "thing": thing},
    )


def _entry_type(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p = first(patient)
    visit = draw_date(rng, dt.date(2026, 1, 5), dt.date(2030, 11, 30))
    today = visit + dt.timedelta(days=rng.randrange(1, 21))
    kind = rng.choice(("late", "addendum", "correction"))
    situation = {
        "late": f"{clinician} realizes that the signed note for {p}'s visit on "
        f"{long_date(visit)}, left out the {rng.choice(OMITTED)} given at that visit.",
        "addendum": f"the {rng.choice(TESTS)} result for {p}'s visit on {long_date(visit)}, "
        f"arrives after {clinician} signed the note for that visit.",
        "correction": f"{clinician} sees that the signed note for {p}'s visit on "
        f"{long_date(visit)}, gives the weight as {{w1}} lb; the scale read {{w2}} lb.",
    }[kind]
    w2 = rng.randrange(110, 241)
    w1 = int(str(w2)[0] + str(w2)[2] + str(w2)[1]) if str(w2)[1] != str(w2)[2] else w2 + 10
    stem = (
        f"{patient} is a patient of {clinician}. On {long_date(today)}, "
        f"{situation.format(w1=w1, w2=w2)} How should the change be entered in the record?"
    )
    dated = long_date(today)
    names = {"late": "A late entry", "addendum": "An addendum", "correction": "A correction"}
    why = {
        "late": "A late entry supplies what was known at the visit but left out of the note.",
        "addendum": "An addendum adds what was not available when the note was written, "
        "such as a result that came later.",
        "correction": "A correction fixes information that was recorded wrongly.",
    }
    fit = {
        "late": "Here the information was known at the visit and omitted.",
        "addendum": "Here the information did not exist when the note was signed.",
        "correction": "Here the note recorded a wrong value.",
    }
    wrong = [
        Choice(f"{names[k]} dated {dated}", f"{why[k]} {fit[kind]}", f"{k}-for-{kind}")
        for k in names
        if k != kind
    ]
    wrong.append(
        Choice(
            f"A new note dated {long_date(visit)} that replaces the original",
            "A backdated note that replaces the signed one hides the original; every change "
            "carries the date it is made and leaves the original in place.",
            "backdated-replacement",
        )
    )
    return Scenario(
        family=RecordCorrections.id,
        model="entry-type",
        stem=stem,
        key=Choice(
            f"{names[kind]} dated {dated}",
            f"{why[kind]} {fit[kind]} It carries the "
            "current date and its author, and the signed note stays as it was.",
        ),
        distractors=tuple(wrong),
        rules=("late-entry-addendum-correction",),
        steps=2,
        bloom="analyze",
        variables={
            "patient": patient,
            "clinician": clinician,
            "kind": kind,
            "visit": visit,
            "today": today,
        },
    )


def _business_days(start: dt.date, days: int) -> dt.date:
    """The day `days` Monday-to-Friday days after `start`, the start not counted."""
    day = start
    while days:
        day += dt.timedelta(days=1)
        days -= day.weekday() < 5
    return day


def _amendment_deadline(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    received = dt.date(rng.randrange(2026, 2031), rng.randrange(1, 13), rng.randrange(2, 28))
    item = rng.choice(ITEMS)
    stem = (
        f"On {long_date(received)}, {patient} gives {clinician}'s office a written request to "
        f"amend {item} in {first(patient)}'s record. The office sends no extension notice. "
        "What is the latest date by which it must act on the request?"
    )

    def choice(days: int, why: str, misconception: str | None = None) -> Choice:
        day = received + dt.timedelta(days=days)
        return Choice(long_date(day), why, misconception, float(day.toordinal()))

    return Scenario(
        family=RecordCorrections.id,
        model="amendment-deadline",
        stem=stem,
        key=choice(
            60,
            f"A request to amend is acted on no later than 60 days after receipt: "
            f"{long_date(received)} + 60 days.",
        ),
        distractors=(
            choice(
                30,
                "Thirty days is the clock for a request for access; an amendment allows 60.",
                "access-clock",
            ),
            choice(
                90,
                "Ninety days needs the one 30-day extension, given in writing, and none was sent.",
                "assumed-extension",
            ),
            choice(
                59,
                "That counts the day the request arrived as day 1; the 60 days start the day "
                "after receipt, so they end a day later.",
                "counted-receipt-day",
            ),
            choice(
                (_business_days(received, 60) - received).days,
                "That counts 60 business days; the HIPAA deadline counts calendar days, "
                "weekends and holidays included.",
                "business-days",
            ),
            choice(
                180,
                "One hundred eighty days is the window for a complaint to HHS, not a "
                "deadline for amendments.",
                "complaint-window",
            ),
        ),
        rules=("amendment-within-60-days",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "received": received, "item": item},
        ordered=True,
    )


def _amendment_denied(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p, item = first(patient), rng.choice(ITEMS)
    stem = (
        f"{patient} asks in writing that {clinician}'s office amend {item} in {p}'s record. "
        "The office finds the entry accurate and complete and sends a written denial. What "
        f"may {p} do next under the HIPAA Privacy Rule?"
    )
    wrong = (
        Choice(
            "Have the disputed entry deleted from the chart",
            "A denial leaves the entry in place; the patient's disagreement is linked to it "
            "instead of erasing it.",
            "entry-deleted",
        ),
        Choice(
            "Sign an authorization that makes the change",
            "An authorization permits a disclosure; it cannot change what the record says.",
            "authorization-changes-record",
        ),
        Choice(
            "Ask for an accounting of disclosures to fix it",
            "An accounting lists disclosures of the PHI; it does not change an entry.",
            "accounting-for-amendment",
        ),
    )
    return Scenario(
        family=RecordCorrections.id,
        model="amendment-denied",
        stem=stem,
        key=Choice(
            "Submit a statement of disagreement",
            "After a denial the patient may submit a written statement of disagreement, "
            "which the office links to the disputed entry.",
        ),
        distractors=wrong,
        rules=("amendment-denial-disagreement",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "clinician": clinician, "item": item},
    )


class RecordCorrections:
    """Correcting paper and signed entries, and a patient's request to amend."""

    id = "d4-record-corrections"
    domain = 4
    topic = "documentation and corrections"
    models: tuple[str, ...] = (
        "paper-error",
        "entry-type",
        "amendment-deadline",
        "amendment-denied",
    )
    rules: tuple[str, ...] = (
        "paper-single-line-correction",
        "late-entry-addendum-correction",
        "amendment-within-60-days",
        "amendment-denial-disagreement",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One correction or amendment situation of `model`, drawn with `rng`."""
        draw = {
            "paper-error": _paper,
            "entry-type": _entry_type,
            "amendment-deadline": _amendment_deadline,
            "amendment-denied": _amendment_denied,
        }[model]
        return draw(rng)


FAMILIES = (RecordCorrections(),)
