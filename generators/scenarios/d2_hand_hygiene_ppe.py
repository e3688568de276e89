"""Domain 2 family: which hand hygiene method a moment calls for, and the order of PPE.

Cognitive model (note d2-hand-hygiene-and-ppe): CDC prefers an alcohol-based hand
sanitizer whenever hands are not visibly soiled (`alcohol-rub-preferred`) and calls for
soap and water when hands are visibly soiled, before eating and after using the restroom
(`soap-and-water-when`); PPE goes on as gown, mask, goggles, gloves (`ppe-donning-order`)
and comes off as gloves, goggles, gown, mask, then hand hygiene (`ppe-doffing-order`).

Item models:
- soap-and-water: a moment that requires washing; which method;
- alcohol-rub: a routine moment with clean-looking hands; which method CDC prefers;
- donning-order / doffing-order: the office's exposure control plan names four items for
  a cleanup task; in which order they go on or come off.

Variables: the moment (from the lists below), the employee, the cleanup task. Removal
sequences that CDC also accepts (gown and gloves together first; gown before eye
protection) are kept out of the distractors, so one option alone follows a CDC sequence.
"""

from __future__ import annotations

import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, person

SOAP_MOMENTS = (
    ("{name} notices that both hands are visibly soiled after unpacking a dusty supply "
     "carton", "visibly soiled"),
    ("{name} is about to eat lunch in the break room after a morning at the front desk",
     "before eating"),
    ("{name} has just used the restroom and is going back to the check-in window",
     "after the restroom"),
)  # fmt: skip
WHEN = {
    "visibly soiled": "when hands are visibly soiled",
    "before eating": "before eating",
    "after the restroom": "after using the restroom",
}
RUB_MOMENTS = (
    "{name} is about to take a patient's blood pressure, and both hands look clean",
    "{name} has just removed gloves after a fingerstick glucose test, and both hands look clean",
    "{name} has wiped down an exam-room counter and is about to greet the next patient, "
    "and both hands look clean",
    "{name} is moving from one patient's exam room to the next, and both hands look clean",
)
SOAP = "Wash with soap and water"
RUB = "Use an alcohol-based hand sanitizer"
GLOVES = "Put on gloves instead of cleaning hands"
WIPE = "Wipe hands with a surface disinfectant wipe"
TASKS = (
    "a blood spill in the laboratory area",
    "a broken urine specimen container",
    "a splash of body fluid on an exam-room floor",
)
DONNING = ("gown", "mask", "goggles", "gloves")
DOFFING = ("gloves", "goggles", "gown", "mask")


def method(moment: str | None) -> str:
    """The method CDC gives for a moment: soap and water for the listed ones, else the rub."""
    return SOAP if moment in ("visibly soiled", "before eating", "after the restroom") else RUB


def _sequence(items: tuple[str, ...]) -> str:
    return ", ".join(items).capitalize()


def _hand_hygiene(rng: random.Random, soap: bool) -> Scenario:
    employee = person(rng)
    name = first(employee)
    if soap:
        index = rng.randrange(len(SOAP_MOMENTS))
        template, moment = SOAP_MOMENTS[index]
    else:
        index = rng.randrange(len(RUB_MOMENTS))
        template, moment = RUB_MOMENTS[index], None
    situation = template.format(name=name)
    stem = (
        f"{employee} works in a medical office. {situation[0].upper()}{situation[1:]}. "
        f"Which hand hygiene method does CDC guidance {'call for' if soap else 'prefer'}?"
    )
    key = method(moment)
    if key == SOAP:
        key_why = (
            f"CDC calls for soap and water {WHEN[moment or '']}; alcohol-based sanitizer is "
            "the choice only when hands are not visibly soiled and no such moment applies."
        )
        wrong: tuple[Choice, ...] = (
            Choice(
                RUB,
                "Sanitizer is preferred only when hands are not visibly soiled and none of "
                "CDC's soap-and-water moments applies.",
                "sanitizer-for-everything",
            ),
        )
        rules = ("soap-and-water-when",)
    else:
        key_why = (
            "When hands are not visibly soiled, CDC prefers an alcohol-based hand sanitizer "
            "in most clinical situations: it kills more germs and is easier to use."
        )
        wrong = (
            Choice(
                SOAP,
                "Soap and water is for visibly soiled hands, before eating and after the "
                "restroom; for clean-looking hands CDC prefers sanitizer.",
                "soap-always-better",
            ),
        )
        rules = ("alcohol-rub-preferred",)
    wrong += (
        Choice(
            GLOVES,
            "Gloves do not replace hand hygiene; CDC calls for clean hands before and right "
            "after glove use.",
            "gloves-replace-hand-hygiene",
        ),
        Choice(
            WIPE,
            "Surface disinfectants are for objects and surfaces; skin is cleaned with soap "
            "and water or an antiseptic hand rub.",
            "disinfectant-as-antiseptic",
        ),
    )
    return Scenario(
        family=HandHygienePPE.id,
        model="soap-and-water" if soap else "alcohol-rub",
        stem=stem,
        key=Choice(key, key_why),
        distractors=wrong,
        rules=rules,
        steps=1,
        bloom="apply",
        variables={"moment": moment, "situation": index, "employee": employee},
    )


def _ppe(rng: random.Random, donning: bool) -> Scenario:
    employee = person(rng)
    name = first(employee)
    task = rng.choice(TASKS)
    lead = (
        f"The office's exposure control plan calls for a gown, a mask, goggles and gloves "
        f"when staff clean up {task}, and {employee} is assigned the cleanup."
    )
    if donning:
        question = f"Following CDC's sequence, in which order does {name} put them on?"
        key = DONNING
        key_why = (
            "CDC's sequence puts on the gown first, then the mask, then goggles, and gloves "
            "last so that they cover the gown's cuffs."
        )
        wrong = (
            (("gloves", "gown", "mask", "goggles"), "Gloves go on last, over the gown's "
             "cuffs; gloves put on first are contaminated while the rest is adjusted.",
             "gloves-first"),
            (("gown", "gloves", "mask", "goggles"), "Gloved hands would then touch the face "
             "to fit the mask and goggles; gloves go on last.", "gloves-before-face"),
            (("mask", "goggles", "gown", "gloves"), "CDC starts with the gown; the mask and "
             "goggles follow it.", "face-first"),
            (("gloves", "goggles", "gown", "mask"), "That is the removal order; putting on "
             "runs gown, mask, goggles, gloves.", "removal-order-for-donning"),
        )  # fmt: skip
        rules = ("ppe-donning-order",)
    else:
        question = (
            f"After the cleanup, following CDC's sequence, in which order does {name} take "
            "them off before performing hand hygiene?"
        )
        key = DOFFING
        key_why = (
            "CDC's sequence removes the gloves first as the most contaminated item, then "
            "goggles, then the gown, and the mask last, followed by hand hygiene."
        )
        wrong = (
            (("gloves", "goggles", "mask", "gown"), "Reversing the putting-on order leaves "
             "the gown for last; CDC removes the mask last.", "reverse-of-donning"),
            (("mask", "goggles", "gown", "gloves"), "Contaminated gloves would touch the face "
             "while removing the mask and goggles; gloves come off first.", "face-first"),
            (("gown", "mask", "goggles", "gloves"), "That is the putting-on order; removal "
             "starts with the gloves.", "donning-order-for-removal"),
            (("goggles", "mask", "gloves", "gown"), "Gloved hands would touch the face; "
             "gloves come off first and the mask last.", "face-before-gloves"),
        )  # fmt: skip
        rules = ("ppe-doffing-order",)
    return Scenario(
        family=HandHygienePPE.id,
        model="donning-order" if donning else "doffing-order",
        stem=f"{lead} {question}",
        key=Choice(_sequence(key), key_why),
        distractors=tuple(Choice(_sequence(seq), why, name) for seq, why, name in wrong),
        rules=rules,
        steps=1,
        bloom="apply",
        variables={"task": task, "employee": employee, "sequence": key},
    )


class HandHygienePPE:
    """CDC hand hygiene method for a moment, and CDC's PPE sequences."""

    id: str = "d2-hand-hygiene-and-ppe"
    domain: int = 2
    topic: str = "infection control"
    models: tuple[str, ...] = ("soap-and-water", "alcohol-rub", "donning-order", "doffing-order")
    rules: tuple[str, ...] = (
        "soap-and-water-when",
        "alcohol-rub-preferred",
        "ppe-donning-order",
        "ppe-doffing-order",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One moment or cleanup of `model`, drawn with `rng`."""
        if model in ("soap-and-water", "alcohol-rub"):
            return _hand_hygiene(rng, soap=model == "soap-and-water")
        if model in ("donning-order", "doffing-order"):
            return _ppe(rng, donning=model == "donning-order")
        raise ValueError(f"unknown item model {model!r}")


FAMILIES = (HandHygienePPE(),)
