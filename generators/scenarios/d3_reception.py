"""Domain 3 family: privacy at check-in and in the waiting room.

Cognitive model (note d3-reception-and-patient-registration): a direct-treatment
provider gives its Notice of Privacy Practices at the first service and seeks a written
acknowledgment (`npp-at-first-service`); when the patient will not sign, the office
documents its effort and the reason (`npp-acknowledgment-declined`); sign-in sheets and
calling names are allowed when the information is limited (`waiting-room-minimum-
information`, `no-condition-in-waiting-room`).

Item models:
- npp-first-visit: a new patient's first check-in; the key gives the notice and asks
  for the acknowledgment.
- npp-declined: the new patient will not sign the acknowledgment; the key documents
  the effort and the reason and goes on with check-in.
- sign-in-sheet: the office designs its sign-in sheet; the key is the layout without
  medical or identifying details.
- calling-patient: staff call the next patient from a full waiting room; the key uses
  the name alone.

Variables: patient, staff and manager names (common.person); clinician
(common.CLINICIANS); visit reason for the waiting-room call (5: pregnancy test, drug
screen, allergy shot, diabetes check, STD test); date of birth 1950-2005; practice
kind (family, internal medicine, pediatric, OB-GYN).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, person

REASONS = ("pregnancy test", "drug screen", "allergy shot", "diabetes check", "STD test")
PRACTICES = (
    "family practice",
    "internal medicine practice",
    "pediatric practice",
    "OB-GYN practice",
)


def _first_visit(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p = first(patient)
    stem = (
        f"{patient} checks in for a first visit with {clinician} as a new patient of the "
        "practice. What does the medical administrative specialist do about the practice's "
        "Notice of Privacy Practices?"
    )
    wrong = (
        Choice(
            f"Mail {p} a copy of the notice after today's visit",
            "The notice is due no later than the first service, so it is given at this "
            "check-in, not afterward.",
            "notice-after-service",
        ),
        Choice(
            f"Point {p} to the copy posted in the waiting room",
            "The posted copy is required as well, but a new patient is given the notice "
            "and asked to acknowledge it.",
            "posting-is-enough",
        ),
        Choice(
            f"Have {p} sign a HIPAA authorization before the visit",
            "An authorization covers uses outside treatment, payment and operations; the "
            "first visit calls for the notice and an acknowledgment.",
            "authorization-for-notice",
        ),
        Choice(
            f"Wait to hand {p} a copy until {p} asks for one",
            "A direct-treatment provider gives the notice at the first service without "
            "waiting to be asked.",
            "on-request-only",
        ),
    )
    return Scenario(
        family=ReceptionPrivacy.id,
        model="npp-first-visit",
        stem=stem,
        key=Choice(
            f"Give {p} a copy and ask for a signed acknowledgment",
            "A provider with a direct treatment relationship gives the notice no later than "
            "the first service and makes a good-faith effort to get a written "
            "acknowledgment of receipt.",
        ),
        distractors=wrong,
        rules=("npp-at-first-service",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "clinician": clinician},
    )


def _declined(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    p = first(patient)
    stem = (
        f"{patient}, a new patient of {clinician}, is handed the Notice of Privacy Practices "
        f"at check-in. {p} reads it and refuses to sign the acknowledgment of receipt. What "
        "should the medical administrative specialist do?"
    )
    wrong = (
        Choice(
            f"Reschedule the visit until {p} agrees to sign",
            "The rule asks for a good-faith effort, not a signature as the price of care; "
            "the office documents the refusal and goes on.",
            "signature-required-for-care",
        ),
        Choice(
            "Go on with check-in and keep no record of it",
            "Without a note of the effort and the reason, the office cannot show it met "
            "the acknowledgment requirement.",
            "refusal-not-documented",
        ),
        Choice(
            f"Ask a coworker to sign as a witness for {p}",
            "A witness cannot stand in for the patient's acknowledgment; the office records "
            "its effort and the reason instead.",
            "witness-signs",
        ),
        Choice(
            f"Have {clinician} sign it on {p}'s behalf",
            "No one signs for the patient; the office documents that the acknowledgment "
            "was sought and why it was not obtained.",
            "provider-signs",
        ),
    )
    return Scenario(
        family=ReceptionPrivacy.id,
        model="npp-declined",
        stem=stem,
        key=Choice(
            "Document the effort and the reason, then continue",
            "When the acknowledgment is not obtained, the provider documents its "
            "good-faith effort and the reason it was not obtained, and the visit goes on.",
        ),
        distractors=wrong,
        rules=("npp-acknowledgment-declined",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "clinician": clinician},
    )


def _sign_in(rng: random.Random) -> Scenario:
    manager, staff = person(rng), None
    staff = person(rng, [manager])
    clinician, practice = rng.choice(CLINICIANS), rng.choice(PRACTICES)
    stem = (
        f"{manager}, the office manager of {clinician}'s {practice}, asks {staff} to design "
        "a new sign-in sheet for the front desk. Which columns should the sheet have?"
    )
    wrong = (
        Choice(
            "Name, arrival time and reason for the visit",
            "The reason for the visit is medical information other patients can read; HHS "
            "gives it as its example of what a sign-in sheet may not display.",
            "reason-for-visit",
        ),
        Choice(
            "Name, arrival time and Social Security number",
            "A Social Security number is not needed to sign in and exposes the patient to "
            "identity theft.",
            "ssn-column",
        ),
        Choice(
            "Name, arrival time and home street address",
            "An address is not needed to sign in; the sheet shows only what signing in requires.",
            "address-column",
        ),
        Choice(
            "Name, arrival time and current medications",
            "Medications reveal the patient's conditions; they are gathered privately at "
            "intake, not on a public sheet.",
            "medications-column",
        ),
    )
    return Scenario(
        family=ReceptionPrivacy.id,
        model="sign-in-sheet",
        stem=stem,
        key=Choice(
            "Name, arrival time and appointment time",
            "A name and the arrival and appointment times are what signing in needs; HIPAA "
            "permits the incidental disclosure of names when the information is limited.",
        ),
        distractors=wrong,
        rules=("waiting-room-minimum-information",),
        steps=1,
        bloom="apply",
        variables={"manager": manager, "staff": staff, "practice": practice},
    )


def _calling(rng: random.Random) -> Scenario:
    patient, staff = person(rng), None
    staff = person(rng, [patient])
    reason, clinician = rng.choice(REASONS), rng.choice(CLINICIANS)
    born = draw_date(rng, dt.date(1950, 1, 1), dt.date(2005, 12, 31))
    stem = (
        f"{staff} is ready to bring {patient}, who is here for {_a(reason)}, back from a "
        f"full waiting room to see {clinician}. What should {first(staff)} say?"
    )
    wrong = (
        Choice(
            f'"{patient}, come on back for your {reason}."',
            f"Naming the {reason} tells everyone in the waiting room why the patient is there.",
            "named-the-reason",
        ),
        Choice(
            f'"{patient}, the nurse is ready for your {reason}."',
            f"The {reason} is health information; a waiting-room call uses the name alone.",
            "named-the-service",
        ),
        Choice(
            f'"{patient}, born {long_date(born)}, come back."',
            "A date of birth is an identifier the call does not need; the name alone "
            "calls the patient.",
            "added-birth-date",
        ),
    )
    return Scenario(
        family=ReceptionPrivacy.id,
        model="calling-patient",
        stem=stem,
        key=Choice(
            f'"{patient}, please come with me."',
            "Calling a patient by name is a permitted incidental disclosure; the call says "
            "nothing about the visit.",
        ),
        distractors=wrong,
        rules=("waiting-room-minimum-information", "no-condition-in-waiting-room"),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "staff": staff, "reason": reason},
    )


def _a(phrase: str) -> str:
    return f"{'an' if phrase[0] in 'aeiouAEIOU' or phrase.startswith('STD') else 'a'} {phrase}"


class ReceptionPrivacy:
    """The privacy notice at check-in, sign-in sheets and calling patients by name."""

    id = "d3-reception-privacy"
    domain = 3
    topic = "reception and patient registration"
    models: tuple[str, ...] = (
        "npp-first-visit",
        "npp-declined",
        "sign-in-sheet",
        "calling-patient",
    )
    rules: tuple[str, ...] = (
        "npp-at-first-service",
        "npp-acknowledgment-declined",
        "waiting-room-minimum-information",
        "no-condition-in-waiting-room",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One check-in or waiting-room situation of `model`, drawn with `rng`."""
        draw = {
            "npp-first-visit": _first_visit,
            "npp-declined": _declined,
            "sign-in-sheet": _sign_in,
            "calling-patient": _calling,
        }[model]
        return draw(rng)


FAMILIES = (ReceptionPrivacy(),)
