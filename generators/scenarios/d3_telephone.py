"""Domain 3 family: handling a telephone call at the front desk.

Cognitive model (note d3-telephone-communication): emergency signs send the caller to
911 (`emergency-signs-call-911`, `stroke-signs-call-911`); a refill request becomes a
message for the provider, who alone authorizes it (`refill-routed-to-provider`); a
message slip carries a fixed set of details (`phone-message-elements`); a voicemail for
a patient holds no more than the office's name and number and what confirms an
appointment (`voicemail-minimum-information`).

Item models:
- emergency-call: a relative reports emergency signs; the key is the 911 instruction.
- refill-request: a patient with no refills left asks for one; the key is a message
  routed to the provider.
- voicemail-message: staff reach a patient's voicemail; the key is the message that
  discloses nothing beyond name, number and (for a visit) the appointment.
- message-missing-element: a message slip lacks one required detail; the key names it.

Variables: caller, patient and staff names (common.person); clinician (common.CLINICIANS);
emergency signs (3 sets: chest, breathing, stroke); chest pain 15-45 minutes; drug
(6 maintenance drugs with doses); pharmacy (5 names); voicemail purpose (results,
appointment, referral); appointment date in 2027, hour 8-16; callback number
555-01xx; missing message element (4 of 7 elements); call date in 2027, time
8:05-16:55.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bank.text import starts_with_vowel_sound
from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, person

SIGNS = {
    "chest": (
        "has had crushing chest pressure for {m} minutes that spreads to the left arm, "
        "with sweating and shortness of breath",
        "emergency-signs-call-911",
    ),
    "breathing": (
        "is struggling for every breath, cannot finish a sentence and has blue lips",
        "emergency-signs-call-911",
    ),
    "stroke": (
        "suddenly has drooping on one side of the face, a weak right arm and slurred speech",
        "stroke-signs-call-911",
    ),
}
RELATIONS = ("parent", "spouse", "partner", "grandparent")
DRUGS = (
    "lisinopril 10 mg",
    "metformin 500 mg",
    "atorvastatin 20 mg",
    "levothyroxine 50 mcg",
    "amlodipine 5 mg",
    "sertraline 50 mg",
)
PHARMACIES = (
    "Main Street Pharmacy",
    "Oak Park Drugs",
    "Riverside Pharmacy",
    "Elm Grove Pharmacy",
    "Lakeview Drug",
)
TESTS = ("biopsy", "thyroid test", "cholesterol test", "pregnancy test", "HIV test")
SPECIALTIES = ("cardiologist", "oncologist", "psychiatrist", "gastroenterologist")
# Required message details: (key, option text, phrase in the slip when present).
ELEMENTS = (
    ("callback", "The callback number", "callback {phone}"),
    ("datetime", "The date and time of the call", "{date}, {time}"),
    ("reason", "The reason for the call", "wants to know if the {drug} dose can change"),
    ("initials", "The initials of the staff member", "taken by {initials}"),
)


@dataclass(frozen=True)
class Call:
    """The drawn people of one call."""

    caller: str
    patient: str
    staff: str
    clinician: str


def _call(rng: random.Random) -> Call:
    caller = person(rng)
    patient = f"{person(rng, [caller]).split()[0]} {caller.split()[1]}"
    staff = person(rng, [caller, patient])
    return Call(caller, patient, staff, rng.choice(CLINICIANS))


def _a(word: str) -> str:
    """The word with its indefinite article ("an HIV", "a biopsy")."""
    return f"{'an' if starts_with_vowel_sound(word) else 'a'} {word}"


def _clock(hour: int, minute: int) -> str:
    """A 24-hour time as a message slip writes it: "9:05 a.m.", "1:30 p.m."."""
    return f"{hour % 12 or 12}:{minute:02d} {'a.m.' if hour < 12 else 'p.m.'}"


def _phone(rng: random.Random) -> str:
    return f"555-01{rng.randrange(10, 100)}"


def _emergency(rng: random.Random) -> Scenario:
    c = _call(rng)
    signs = rng.choice(sorted(SIGNS))
    minutes = rng.randrange(15, 46, 5)
    text, rule = SIGNS[signs]
    relation = rng.choice(RELATIONS)
    p = first(c.patient)
    stem = (
        f"{c.caller} calls {c.clinician}'s office about {c.patient}, {first(c.caller)}'s "
        f"{relation} and a patient of the practice. {first(c.caller)} says {p} "
        f"{text.format(m=minutes)}. Following the office's emergency protocol, how should "
        "the medical administrative specialist handle the call?"
    )
    wrong = (
        Choice(
            "Offer the first open appointment this morning",
            "These are signs to call 911 now; an office visit, even the same morning, "
            "delays emergency care.",
            "booked-an-emergency",
        ),
        Choice(
            "Take a message for the nurse to call back",
            "A callback leaves a possible emergency waiting; the caller is told to call "
            "911 at once.",
            "routine-message",
        ),
        Choice(
            "Place the caller on hold and find the nurse",
            "A caller reporting emergency signs is not put on hold: every minute on hold "
            "delays the 911 call.",
            "put-on-hold",
        ),
        Choice(
            f"Ask the caller to drive {p} to the office",
            "A drive to the office delays the care paramedics start on the way; these "
            "signs call for 911.",
            "drive-to-office",
        ),
    )
    return Scenario(
        family=CallHandling.id,
        model="emergency-call",
        stem=stem,
        key=Choice(
            "Tell the caller to hang up and call 911 now",
            f"{p}'s signs are emergency warning signs, so the caller is sent to 911 at "
            "once instead of being booked, held or promised a callback.",
        ),
        distractors=wrong,
        rules=(rule,),
        steps=1,
        bloom="apply",
        variables={**c.__dict__, "signs": signs, "minutes": minutes, "relation": relation},
    )


def _refill(rng: random.Random) -> Scenario:
    c = _call(rng)
    drug, pharmacy = rng.choice(DRUGS), rng.choice(PHARMACIES)
    p = first(c.patient)
    stem = (
        f"{c.patient}, an established patient of {c.clinician}, calls to ask for a refill "
        f"of {drug} sent to {pharmacy}. The prescription has no refills left. Under the office's "
        "written policy, the front desk handles refill calls itself rather than sending "
        "patients back to the pharmacy. What should the medical administrative specialist do?"
    )
    wrong = (
        Choice(
            f"Phone {pharmacy} and approve the refill",
            "Only a licensed prescriber authorizes a refill; the front office takes the "
            "request and routes it to the provider.",
            "front-office-authorizes",
        ),
        Choice(
            f"Tell {p} that the refill has been approved",
            f"{c.clinician} has not reviewed the request yet, and staff may not promise an "
            "approval the prescriber has not given.",
            "promised-approval",
        ),
        Choice(
            f"Tell {p} to ask the pharmacy for the refill",
            "Some offices do route renewals through the pharmacy, but this office's policy is "
            "that the front desk takes the request itself and sends it to the prescriber.",
            "sent-back-to-pharmacy",
        ),
        Choice(
            f"Tell {p} to take half doses until seen",
            "Front-office staff give no medical advice; a change of dose is the "
            "prescriber's decision.",
            "gave-medical-advice",
        ),
    )
    return Scenario(
        family=CallHandling.id,
        model="refill-request",
        stem=stem,
        key=Choice(
            "Take the request as a message for the provider",
            f"The request is recorded with {p}'s date of birth, the drug, dose and pharmacy "
            f"and sent to {c.clinician}, who decides whether to authorize it.",
        ),
        distractors=wrong,
        rules=("refill-routed-to-provider",),
        steps=1,
        bloom="apply",
        variables={**c.__dict__, "drug": drug, "pharmacy": pharmacy},
    )


def _voicemail(rng: random.Random) -> Scenario:
    c = _call(rng)
    purpose = rng.choice(("results", "appointment", "referral"))
    phone = _phone(rng)
    day = draw_date(rng, dt.date(2027, 1, 4), dt.date(2027, 12, 17))
    hour = rng.randrange(8, 17)
    when = f"{long_date(day).rsplit(',', 1)[0]} at {_clock(hour, 0)}"
    test, specialty = rng.choice(TESTS), rng.choice(SPECIALTIES)
    s, p, office = first(c.staff), first(c.patient), f"{c.clinician}'s office"
    task = {
        "results": f"ask {p} to call about the result of {_a(test)}",
        "appointment": f"remind {p} of a visit on {when} to go over {_a(test)}",
        "referral": f"tell {p} that the referral to {_a(specialty)} was approved",
    }[purpose]
    stem = (
        f"{c.staff} calls {c.patient} to {task} and reaches the voicemail of {p}'s home "
        f"phone. {p} has agreed to receive messages at home, and office policy follows HHS "
        f"guidance on voicemail. Which message should {s} leave?"
    )
    if purpose == "appointment":
        key_text = (
            f"This is {s} at {office}, calling about your visit on {when}; please call {phone}."
        )
        key_why = (
            "The office's name, a callback number and the appointment time confirm the "
            "visit without saying what it is for."
        )
    else:
        key_text = f"This is {s} at {office}. Please call us back at {phone}."
        key_why = (
            "The office's name and a callback number get the patient to call back without "
            "revealing anything about the care."
        )
    hello, dr = f"This is {s} at {office}", c.clinician
    # Each wrong message says, in a different way, what the call is about.
    wrong = {
        "results": (
            (f"{hello} about your {test} result. Please call {phone}.", "named-the-test"),
            (
                f"{hello}; {dr} wants to discuss your {test} result. Call {phone}.",
                "disclosed-provider-concern",
            ),
            (f"{hello}. Your {test} result came back abnormal. Call {phone}.", "left-the-result"),
        ),
        "appointment": (
            (
                f"{hello} about your visit on {when} to go over your {test}. Please call {phone}.",
                "named-the-test",
            ),
            (
                f"{hello}; {dr} will review your {test} with you on {when}. Call {phone}.",
                "disclosed-provider-concern",
            ),
            (
                f"{hello}. Your {test} result is ready for your visit on {when}. Call {phone}.",
                "left-the-result",
            ),
        ),
        "referral": (
            (
                f"{hello} about your {specialty} referral. Please call {phone}.",
                "named-the-referral",
            ),
            (
                f"{hello}; your referral to {_a(specialty)} was approved. Call {phone}.",
                "disclosed-the-approval",
            ),
            (
                f"{hello}; {dr} has sent you to {_a(specialty)} for follow-up. Call {phone}.",
                "disclosed-provider-concern",
            ),
        ),
    }[purpose]
    detail = f"the {specialty} referral" if purpose == "referral" else f"the {test}"
    named = f"Naming {detail} tells anyone who plays the message what care {p} is getting."
    why = {
        "named-the-test": named,
        "named-the-referral": named,
        "disclosed-provider-concern": f"What {dr} plans for {p} is clinical information; the "
        "message gives the office's name and a callback number instead.",
        "left-the-result": "A result, or news that one is ready, is not left on a home "
        "answering machine; the patient hears it from the office.",
        "disclosed-the-approval": f"The approval reveals that {p} is being sent to "
        f"{_a(specialty)}, which the message leaves out.",
    }
    distractors = tuple(Choice(text, why[m], m) for text, m in wrong)
    return Scenario(
        family=CallHandling.id,
        model="voicemail-message",
        stem=stem,
        key=Choice(key_text, key_why),
        distractors=distractors,
        rules=("voicemail-minimum-information",),
        steps=1,
        bloom="apply",
        variables={
            **c.__dict__,
            "purpose": purpose,
            "test": test,
            "specialty": specialty,
            "phone": phone,
        },
    )


def _missing_element(rng: random.Random) -> Scenario:
    c = _call(rng)
    missing = rng.randrange(len(ELEMENTS))
    day = draw_date(rng, dt.date(2027, 1, 4), dt.date(2027, 12, 17))
    hour, minute = rng.randrange(8, 17), rng.randrange(5, 60, 5)
    values = {
        "phone": _phone(rng),
        "date": long_date(day),
        "time": _clock(hour, minute),
        "drug": rng.choice(DRUGS).split()[0],
        "initials": "".join(w[0] for w in c.staff.split()),
    }
    present = [e[2].format(**values) for i, e in enumerate(ELEMENTS) if i != missing]
    slip = "; ".join(
        [present[0], f"{c.caller} phoned about {c.patient} (DOB on file)", *present[1:]]
    )
    stem = (
        f'{c.staff} takes a telephone message for {c.clinician} and writes: "{slip}; '
        f'routine." What must {first(c.staff)} add before routing the message?'
    )
    key_name, key_text, _ = ELEMENTS[missing]
    shown = ELEMENTS[(missing + 1 + rng.randrange(len(ELEMENTS) - 1)) % len(ELEMENTS)]
    wrong = (
        Choice(
            shown[1],
            f"The slip already shows it ({shown[2].format(**values)}); the detail it lacks "
            "is another one.",
            "overlooked-what-is-there",
        ),
        Choice(
            "The caller's health plan member ID",
            "A member ID is needed for claims, not for a message; the slip lacks a "
            "required detail instead.",
            "insurance-id-on-message",
        ),
        Choice(
            "The caller's home mailing address",
            "The office answers a message by phone, so an address adds nothing; a "
            "required detail is missing.",
            "address-on-message",
        ),
        Choice(
            "The patient's Social Security number",
            "A Social Security number does not belong on a message slip; the chart is "
            "identified by name and date of birth.",
            "ssn-on-message",
        ),
    )
    return Scenario(
        family=CallHandling.id,
        model="message-missing-element",
        stem=stem,
        key=Choice(
            key_text,
            f"A complete message records {key_text[0].lower() + key_text[1:]}, and this "
            "slip has every other required detail but not that one.",
        ),
        distractors=wrong,
        rules=("phone-message-elements",),
        steps=2,
        bloom="analyze",
        variables={**c.__dict__, "missing": key_name, **values},
    )


class CallHandling:
    """What the front desk does with a call: emergencies, refills, voicemail, messages."""

    id = "d3-call-handling"
    domain = 3
    topic = "telephone communication"
    models: tuple[str, ...] = (
        "emergency-call",
        "refill-request",
        "voicemail-message",
        "message-missing-element",
    )
    rules: tuple[str, ...] = (
        "emergency-signs-call-911",
        "stroke-signs-call-911",
        "refill-routed-to-provider",
        "voicemail-minimum-information",
        "phone-message-elements",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One call of `model`, its people and details drawn with `rng`."""
        draw = {
            "emergency-call": _emergency,
            "refill-request": _refill,
            "voicemail-message": _voicemail,
            "message-missing-element": _missing_element,
        }[model]
        return draw(rng)


FAMILIES = (CallHandling(),)
