"""Domain 1 family: consent in the medical office, and what staff do when it is missing.

Cognitive model (note d1-consent-and-advance-directives): agreement shown by conduct, or
presumed for emergency care of a patient who cannot respond, is implied consent
(`implied-consent`); agreement stated in spoken or written words is expressed consent
(`expressed-consent`); informed consent rests on the physician's explanation of the
diagnosis, the purpose, risks and benefits of the options, including declining them
(`informed-consent-by-physician`); an adult with decision-making capacity may refuse any
recommended intervention, and the refusal goes to the physician and into the record
(`right-to-refuse`). Who consents for a minor varies by state, so every patient here is
an adult.

Item models:
- implied-by-conduct: a patient's action during intake; which type of consent it shows;
- expressed-in-words: a patient answers a request aloud; which type of consent;
- emergency-care: an adult collapses, unresponsive; on which consent the care relies;
- questions-after-signing: a signed form, but no explanation received; what staff do;
- patient-refuses: an adult declines a recommended service at checkout; what staff do.

Variables: the situation (from the lists below), the patient, the clinician, the
procedure or service.
"""

from __future__ import annotations

import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, person

# How the agreement was shown: the type of consent follows from it by rule.
CONDUCT = (
    "{first} rolls up a sleeve and holds out an arm when the medical assistant says a "
    "blood pressure reading is next",
    "{first} steps onto the scale when the medical assistant points to it at intake",
    "{first} opens wide when {clinician} picks up a tongue depressor to look at the throat",
    "{first} holds out a wrist when the medical assistant reaches to count the pulse",
)
WORDS = (
    "{clinician} asks whether it is all right to look in {first}'s ears, and {first} "
    'answers, "Yes, go ahead."',
    'The medical assistant asks to take a temperature, and {first} replies, "Yes, that\'s fine."',
    "{clinician} asks to press on {first}'s abdomen, and {first} says aloud that it is all right",
)
PROCEDURES = ("a skin biopsy", "a mole removal", "a cyst removal", "a joint injection")
SERVICES = (
    "the screening colonoscopy",
    "the sleep study",
    "the physical therapy referral",
    "the cardiology referral",
)


def consent_type(how: str) -> str:
    """The consent a patient's way of agreeing gives: conduct or emergency -> implied."""
    return {"conduct": "Implied consent", "emergency": "Implied consent"}.get(
        how, "Expressed consent"
    )


TYPES = ("Implied consent", "Expressed consent", "Informed consent", "Written consent")
WHY_TYPE = {
    ("conduct", "Expressed consent"): "Expressed consent is stated in spoken or written "
    "words; here the patient said nothing.",
    ("conduct", "Informed consent"): "Informed consent follows the physician's explanation "
    "of risks, benefits and alternatives, which this routine check did not involve.",
    ("conduct", "Written consent"): "Nothing was signed: the agreement was shown by an action.",
    ("words", "Implied consent"): "Implied consent is inferred from conduct without words; "
    "here the patient agreed aloud.",
    ("words", "Informed consent"): "No one explained risks, benefits or alternatives; a "
    "spoken yes to a routine exam is expressed consent.",
    ("words", "Written consent"): "Nothing was signed; spoken words are enough for "
    "expressed consent.",
    ("emergency", "Expressed consent"): "An unresponsive patient can state nothing in "
    "spoken or written words.",
    ("emergency", "Informed consent"): "No explanation of risks and alternatives is "
    "possible with an unresponsive patient; emergency care proceeds without it.",
    ("emergency", "Written consent"): "No form can be signed by an unresponsive patient, "
    "and emergency care does not wait for one.",
}
MISCONCEPTION = {
    "Implied consent": "implied-needs-no-words-confused",
    "Expressed consent": "any-agreement-is-expressed",
    "Informed consent": "any-consent-is-informed",
    "Written consent": "consent-needs-a-form",
}


def _people(rng: random.Random) -> tuple[str, str]:
    """A patient and a clinician who do not share a surname."""
    patient = person(rng)
    return patient, rng.choice([c for c in CLINICIANS if not c.endswith(patient.split()[-1])])


def _type_scenario(rng: random.Random, how: str) -> Scenario:
    patient, clinician = _people(rng)
    name = first(patient)
    if how == "emergency":
        situation = (
            f"{patient}, an adult, collapses in the waiting room and is unresponsive. "
            f"Staff call 911, and {clinician} begins CPR."
        )
        question = "On which type of consent does this emergency care rely?"
        model, index = "emergency-care", 0
        key_why = (
            "Emergency care of an unresponsive patient relies on implied consent: the law "
            "presumes a reasonable person would agree to life-saving care."
        )
    else:
        pool = CONDUCT if how == "conduct" else WORDS
        index = rng.randrange(len(pool))
        action = pool[index].format(first=name, clinician=clinician)
        end = "" if action.endswith(('."', ".")) else "."
        situation = f"{patient}, an adult, checks in for an office visit. {action}{end}"
        question = f"What type of consent has {name} given?"
        model = "implied-by-conduct" if how == "conduct" else "expressed-in-words"
        key_why = (
            "Agreement shown by an action, with no words, is implied consent."
            if how == "conduct"
            else "Agreement stated directly in spoken words is expressed consent."
        )
    key = consent_type(how)
    distractors = tuple(Choice(t, WHY_TYPE[(how, t)], MISCONCEPTION[t]) for t in TYPES if t != key)
    return Scenario(
        family=Consent.id,
        model=model,
        stem=f"{situation} {question}",
        key=Choice(key, key_why),
        distractors=distractors,
        rules=("implied-consent",) if key == "Implied consent" else ("expressed-consent",),
        steps=1,
        bloom="apply",
        variables={"how": how, "situation": index, "patient": patient},
    )


def _after_signing(rng: random.Random) -> Scenario:
    patient, clinician = _people(rng)
    name = first(patient)
    procedure = rng.choice(PROCEDURES)
    stem = (
        f"{patient}, an adult, is scheduled for {procedure} with {clinician} this afternoon. "
        f"At check-in, {name} signs the office's consent form, then tells the medical "
        "administrative specialist that no one has explained the risks or the other "
        "options. What should the specialist do?"
    )
    return Scenario(
        family=Consent.id,
        model="questions-after-signing",
        stem=stem,
        key=Choice(
            f"Notify the physician of {name}'s questions before the procedure",
            "Informed consent rests on the physician's explanation of the risks, benefits "
            "and alternatives, so the physician hears of the gap before anything is done.",
        ),
        distractors=(
            Choice(
                f"Explain the risks and options to {name} from the form",
                "Explaining the procedure's risks and alternatives is the physician's part "
                "of informed consent, not the front office's.",
                "staff-explains-risks",
            ),
            Choice(
                f"File the form, since {name}'s signature completes consent",
                "A signature without the physician's explanation does not make the consent "
                "informed.",
                "form-equals-consent",
            ),
            Choice(
                f"Ask a family member to cosign the form for {name}",
                "An adult with decision-making capacity gives consent personally; a "
                "relative's signature does not replace the physician's explanation.",
                "proxy-for-competent-adult",
            ),
            Choice(
                f"Reassure {name} that the procedure is routine and safe",
                "Reassurance is medical advice outside the front office's scope, and it "
                "does not replace the physician's explanation.",
                "reassure-instead",
            ),
        ),
        rules=("informed-consent-by-physician",),
        steps=2,
        bloom="analyze",
        variables={"procedure": procedure, "patient": patient, "clinician": clinician},
    )


def _refuses(rng: random.Random) -> Scenario:
    patient, clinician = _people(rng)
    name = first(patient)
    service = rng.choice(SERVICES)
    stem = (
        f"At checkout, {patient}, an adult who understood {clinician}'s explanation, tells "
        f"the medical administrative specialist that {name} has decided against {service} "
        f"{clinician} recommended and asks the specialist to leave it off the schedule. What "
        "should the specialist do?"
    )
    return Scenario(
        family=Consent.id,
        model="patient-refuses",
        stem=stem,
        key=Choice(
            f"Notify the physician and record {name}'s refusal",
            "An adult with decision-making capacity may refuse a recommended service; the "
            "physician is told and the decision is documented in the record.",
        ),
        distractors=(
            Choice(
                f"Schedule it anyway, because {clinician} recommended it",
                "A recommendation does not override the refusal of an adult with capacity.",
                "order-overrides-refusal",
            ),
            Choice(
                f"Keep urging {name} to agree before leaving",
                "Consent has to be voluntary; pressing a patient who has decided is not "
                "respecting the decision.",
                "persuade-until-yes",
            ),
            Choice(
                f"Ask {name}'s spouse to consent on {name}'s behalf",
                "A surrogate decides only for a patient who lacks capacity, and this adult "
                "has capacity.",
                "proxy-for-competent-adult",
            ),
            Choice(
                f"Cancel {name}'s future appointments with {clinician}",
                "Refusing one service is the patient's right and no reason to end care.",
                "punish-refusal",
            ),
        ),
        rules=("right-to-refuse",),
        steps=2,
        bloom="analyze",
        variables={"service": service, "patient": patient, "clinician": clinician},
    )


class Consent:
    """Types of consent shown in the office, and what staff do with missing or refused consent."""

    id: str = "d1-consent"
    domain: int = 1
    topic: str = "legal and ethical considerations"
    models: tuple[str, ...] = (
        "implied-by-conduct",
        "expressed-in-words",
        "emergency-care",
        "questions-after-signing",
        "patient-refuses",
    )
    rules: tuple[str, ...] = (
        "implied-consent",
        "expressed-consent",
        "informed-consent-by-physician",
        "right-to-refuse",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One office situation of `model`, drawn with `rng`."""
        how = {
            "implied-by-conduct": "conduct",
            "expressed-in-words": "words",
            "emergency-care": "emergency",
        }.get(model)
        if how:
            return _type_scenario(rng, how)
        if model == "questions-after-signing":
            return _after_signing(rng)
        if model == "patient-refuses":
            return _refuses(rng)
        raise ValueError(f"unknown item model {model!r}")


FAMILIES = (Consent(),)
