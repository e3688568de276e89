"""Domain 5 family: what the coder reports from an office visit's documented diagnoses.

Cognitive model (notes d5-icd-10-cm-outpatient-reporting and d5-icd-10-cm-conventions):
in the outpatient setting an uncertain diagnosis ("probable", "suspected", "rule out",
"questionable") is not coded; the documented signs and symptoms are
(`outpatient-uncertain-diagnosis`); symptoms routinely associated with a confirmed
diagnosis are not coded beside it (`integral-symptoms-not-coded`); an etiology and its
manifestation are both coded, the underlying condition first
(`etiology-manifestation-sequencing`).

Item models, each a visit note the coder reads:
- uncertain-diagnosis: two documented symptoms and a qualified diagnosis, a test pending;
- integral-symptoms: a diagnosis confirmed at the visit and the symptoms that go with it;
- etiology-manifestation: dementia due to an underlying disease whose Tabular List codes
  carry "use additional code" and "code first" notes.

Variables: the clinical case (from the lists below, each pairing taken from the
guidelines' own examples or from the Tabular List's notes), the qualifier, the
clinician and the patient. Options name conditions, never code numbers.
"""

from __future__ import annotations

import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, person

# Condition, its two presenting symptoms, the test that will confirm or rule it out.
UNCERTAIN = (
    ("pneumonia", ("cough", "fever"), "a chest x-ray"),
    ("a urinary tract infection", ("painful urination", "urinary frequency"), "a urine culture"),
    ("strep throat", ("sore throat", "fever"), "a throat culture"),
    ("iron deficiency anemia", ("fatigue", "pale skin"), "a complete blood count"),
    ("gallstones", ("upper abdominal pain", "nausea"), "an abdominal ultrasound"),
)
QUALIFIERS = ("probable", "suspected", "rule out", "questionable")
# Condition confirmed at the visit, how, the symptoms routinely associated with it, and
# how the patient's complaint reads in the stem.
CONFIRMED = (
    (
        "influenza A",
        "a positive rapid influenza test",
        ("fever", "body aches"),
        "a fever and body aches",
    ),
    ("strep throat", "a positive rapid strep test", ("sore throat",), "a sore throat"),
    ("acute otitis media", "the ear examination", ("ear pain",), "ear pain"),
    (
        "a urinary tract infection",
        "a positive urine culture",
        ("painful urination",),
        "painful urination",
    ),
)
# Underlying conditions whose dementia is coded with category F02 ("code first" note).
ETIOLOGIES = ("Alzheimer's disease", "Parkinson's disease", "Huntington's disease")


def _bare(condition: str) -> str:
    """The condition without its article ("a urinary tract infection" -> "urinary ...")."""
    return condition.removeprefix("a ")


def _uncertain(rng: random.Random) -> Scenario:
    condition, (s1, s2), test = rng.choice(UNCERTAIN)
    qualifier = rng.choice(QUALIFIERS)
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    bare = _bare(condition)
    stem = (
        f"At an office visit, {clinician} documents {s1} and {s2} for {patient} and writes the "
        f"assessment '{qualifier} {bare}'. {clinician} orders {test}; the result will come back "
        "after the visit. What does the coder report for this visit?"
    )
    key_why = (
        f"The word '{qualifier}' marks an uncertain diagnosis, which is not coded in the "
        f"outpatient setting: the coder reports the documented {s1} and {s2}, the highest "
        "certainty reached at this visit."
    )
    distractors = (
        Choice(
            f"A code for {bare}",
            f"Coding {bare} treats an uncertain diagnosis as confirmed, which the guidelines "
            "allow for inpatient admissions, not for office visits.",
            "coded-uncertain-diagnosis",
        ),
        Choice(
            f"Codes for {bare}, the {s1} and the {s2}",
            f"The uncertain {bare} is left out, not added beside the symptoms; it is coded "
            "only once a provider confirms it.",
            "coded-both",
        ),
        Choice(
            f"A code for the {s1} alone",
            f"Both documented symptoms are reported; the {s2} is not explained by any "
            "confirmed diagnosis at this visit.",
            "first-symptom-only",
        ),
    )
    return Scenario(
        family=OutpatientDiagnosis.id,
        model="uncertain-diagnosis",
        stem=stem,
        key=Choice(f"Codes for the {s1} and the {s2}", key_why),
        distractors=distractors,
        rules=("outpatient-uncertain-diagnosis",),
        steps=2,
        bloom="apply",
        variables={"condition": bare, "symptoms": (s1, s2), "qualifier": qualifier},
    )


def _integral(rng: random.Random) -> Scenario:
    condition, confirmation, symptoms, complaint = rng.choice(CONFIRMED)
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    bare = _bare(condition)
    said = " and ".join(symptoms)
    stem = (
        f"{patient} comes in with {complaint}. {clinician} diagnoses {condition}, confirmed by "
        f"{confirmation}, and documents no other problem. What does the coder report for "
        "this visit?"
    )
    noun = "Codes" if len(symptoms) > 1 else "A code"
    distractors = (
        Choice(
            f"Codes for {bare} and the {said}",
            f"The {said} {'are' if len(symptoms) > 1 else 'is'} routinely part of {bare}, so "
            "the confirmed diagnosis is coded without separate symptom codes.",
            "coded-integral-symptoms",
        ),
        Choice(
            f"{noun} for the {said}",
            "Symptom codes stand in for a diagnosis that is not established; here the "
            f"provider confirmed {bare}.",
            "symptoms-instead-of-diagnosis",
        ),
        Choice(
            f"Codes for the {said} first, then {bare}",
            f"The confirmed {bare} is the reason for the visit, and symptoms that go with it "
            "are not coded at all, first or after it.",
            "symptoms-first",
        ),
    )
    return Scenario(
        family=OutpatientDiagnosis.id,
        model="integral-symptoms",
        stem=stem,
        key=Choice(
            f"A code for {bare}",
            f"{bare[0].upper() + bare[1:]} was confirmed, and the {said} routinely "
            f"accompan{'y' if len(symptoms) > 1 else 'ies'} it, so only the diagnosis is coded.",
        ),
        distractors=distractors,
        rules=("integral-symptoms-not-coded",),
        steps=2,
        bloom="apply",
        variables={"condition": bare, "symptoms": symptoms},
    )


def _etiology(rng: random.Random) -> Scenario:
    etiology = rng.choice(ETIOLOGIES)
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    stem = (
        f"{clinician} documents dementia due to {etiology} for {patient}. In the Tabular "
        "List, the dementia code (category F02) carries a 'code first the underlying "
        f"physiological condition' note that lists {etiology}. How does the coder report "
        f"the diagnoses for {first(patient)}'s visit?"
    )
    distractors = (
        Choice(
            f"The dementia first, then {etiology}",
            "The 'code first' note on the dementia code means it is the manifestation, which "
            "follows the underlying condition and is not listed first.",
            "manifestation-first",
        ),
        Choice(
            f"{etiology} alone",
            "The dementia is a condition of its own with its own code; the 'code first' note "
            "means both are reported, the underlying condition first.",
            "etiology-only",
        ),
        Choice(
            "The dementia alone",
            f"A manifestation code does not stand alone: {etiology}, its underlying cause, "
            "is coded and sequenced first.",
            "manifestation-only",
        ),
    )
    return Scenario(
        family=OutpatientDiagnosis.id,
        model="etiology-manifestation",
        stem=stem,
        key=Choice(
            f"{etiology} first, then the dementia",
            f"Under the etiology/manifestation convention both are coded, the underlying "
            f"condition ({etiology}) first and the dementia, its manifestation, after it.",
        ),
        distractors=distractors,
        rules=("etiology-manifestation-sequencing",),
        steps=2,
        bloom="apply",
        variables={"etiology": etiology},
    )


class OutpatientDiagnosis:
    """Which diagnoses an office visit reports: uncertain, integral and paired conditions."""

    id = "d5-outpatient-diagnosis"
    domain = 5
    topic = "diagnosis coding (ICD-10-CM)"
    models: tuple[str, ...] = ("uncertain-diagnosis", "integral-symptoms", "etiology-manifestation")
    rules: tuple[str, ...] = (
        "outpatient-uncertain-diagnosis",
        "integral-symptoms-not-coded",
        "etiology-manifestation-sequencing",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One visit note of `model`, drawn with `rng`."""
        draw = {
            "uncertain-diagnosis": _uncertain,
            "integral-symptoms": _integral,
            "etiology-manifestation": _etiology,
        }[model]
        return draw(rng)


FAMILIES = (OutpatientDiagnosis(),)
