"""Domain 2 family: the ACC/AHA category of an adult blood pressure reading.

Cognitive model (note d2-vital-signs, rule `bp-category-higher`): each number is placed
in its band (systolic: below 120, 120-129, 130-139, 140 or higher; diastolic: below 80,
80-89, 90 or higher); elevated needs a diastolic below 80; when the two numbers fall in
different categories, the higher category applies.

Item models, each a reading the front office sorts for a quality report:
- systolic-decides: the systolic number is in the higher category;
- diastolic-decides: the diastolic number is in the higher category (the classic miss:
  reading the systolic number only);
- both-agree: both numbers point to one category (normal, elevated, stage 1 or stage 2).

Variables: systolic 100-179 mm Hg, diastolic 60-109 mm Hg (severe readings of 180/120
and above are left out: their name and the action they call for are a clinical matter),
systolic at least 20 above diastolic (a plausible pulse pressure), patient age 20-85, the
patient and the clinician (never sharing a surname).
"""

from __future__ import annotations

import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, person

CATEGORIES = ("Normal", "Elevated", "Stage 1 hypertension", "Stage 2 hypertension")
# The band of each number, as (level, low, high) with both ends included.
SYSTOLIC = ((0, 100, 119), (1, 120, 129), (2, 130, 139), (3, 140, 179))
DIASTOLIC = ((0, 60, 79), (2, 80, 89), (3, 90, 109))  # diastolic has no "elevated" band
MIN_PULSE_PRESSURE = 20  # systolic minus diastolic, so that every reading is plausible
REQUIRES = {
    0: "systolic below 120 and diastolic below 80",
    1: "systolic 120-129 and diastolic below 80",
    2: "systolic 130-139 or diastolic 80-89",
    3: "systolic 140 or higher or diastolic 90 or higher",
}


def systolic_level(value: int) -> int:
    """The category level (0 normal ... 3 stage 2) of a systolic number alone."""
    return 0 if value < 120 else 1 if value < 130 else 2 if value < 140 else 3


def diastolic_level(value: int) -> int:
    """The category level of a diastolic number alone (below 80 sets no floor)."""
    return 0 if value < 80 else 2 if value < 90 else 3


def category(systolic: int, diastolic: int) -> int:
    """The reading's category: the higher of the two numbers' levels."""
    return max(systolic_level(systolic), diastolic_level(diastolic))


def _pick(rng: random.Random, bands: tuple[tuple[int, int, int], ...], level: int) -> int:
    band = next(b for b in bands if b[0] == level)
    return rng.randint(band[1], band[2])


def _levels(rng: random.Random, model: str) -> tuple[int, int]:
    """(systolic level, diastolic level) that fit the item model."""
    if model == "systolic-decides":
        s = rng.choice((1, 2, 3))
        return s, rng.choice([d for d in (0, 2, 3) if d < s])
    if model == "diastolic-decides":
        d = rng.choice((2, 3))
        return rng.choice([s for s in (0, 1, 2, 3) if s < d]), d
    level = rng.choice((0, 1, 2, 3))
    return level, (0 if level < 2 else level)


def _why(level: int, s: int, d: int, key: int) -> tuple[str, str]:
    """Why the category `level` is wrong for s/d, and the misconception that picks it."""
    name = CATEGORIES[level]
    if level == systolic_level(s) and level != diastolic_level(d):
        return (
            f"{name} is where the systolic {s} alone falls; the diastolic {d} is in a higher "
            "category, and the higher category applies.",
            "read-systolic-only",
        )
    if level == diastolic_level(d) and level != systolic_level(s):
        return (
            f"{name} is where the diastolic {d} alone falls; the systolic {s} is in a higher "
            "category, and the higher category applies.",
            "read-diastolic-only",
        )
    if level == 1 and d >= 80:
        return (
            f"Elevated needs a diastolic below 80; a diastolic of {d} makes the reading at "
            "least stage 1.",
            "elevated-ignores-diastolic",
        )
    if level < key:
        return (
            f"{name} needs {REQUIRES[level]}; this reading is higher than that.",
            "one-band-low" if key - level == 1 else "under-classified",
        )
    return (
        f"{name} needs {REQUIRES[level]}; neither {s} nor {d} reaches it.",
        "one-band-high" if level - key == 1 else "over-classified",
    )


class BloodPressureCategory:
    """The ACC/AHA category of an adult reading, under the higher-category rule."""

    id: str = "d2-blood-pressure-category"
    domain: int = 2
    topic: str = "vital signs and patient intake"
    models: tuple[str, ...] = ("systolic-decides", "diastolic-decides", "both-agree")
    rules: tuple[str, ...] = ("bp-category-higher",)

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One reading of `model`, its numbers drawn with `rng`."""
        if model not in self.models:
            raise ValueError(f"unknown item model {model!r}")
        s_level, d_level = _levels(rng, model)
        s, d = _pick(rng, SYSTOLIC, s_level), _pick(rng, DIASTOLIC, d_level)
        while s - d < MIN_PULSE_PRESSURE:  # a reading like 117/106 would read as a typo
            s, d = _pick(rng, SYSTOLIC, s_level), _pick(rng, DIASTOLIC, d_level)
        key = category(s, d)
        patient = person(rng)
        clinician = rng.choice([c for c in CLINICIANS if not c.endswith(patient.split()[-1])])
        age = rng.randint(20, 85)
        stem = (
            f"{patient}, {age}, has a seated blood pressure of {s}/{d} mm Hg at today's "
            f"visit. For a quality report, {clinician} asks the front office to sort adult "
            f"readings into the ACC/AHA blood pressure categories. In which category does "
            f"{first(patient)}'s reading belong?"
        )
        if model == "both-agree":
            key_why = (
                f"{s}/{d} mm Hg is {CATEGORIES[key].lower()}: that category needs "
                f"{REQUIRES[key]}, and neither number reaches a higher one."
            )
            steps, bloom = 1, "apply"
        else:
            decider = "systolic" if model == "systolic-decides" else "diastolic"
            key_why = (
                f"The {decider} number sets the category: a systolic of {s} alone is "
                f"{CATEGORIES[systolic_level(s)].lower()} and a diastolic of {d} alone is "
                f"{CATEGORIES[diastolic_level(d)].lower()}, and the higher category, "
                f"{CATEGORIES[key].lower()}, applies."
            )
            steps, bloom = 2, "analyze"
        wrong = []
        for level in range(4):
            if level != key:
                why, misconception = _why(level, s, d, key)
                wrong.append(Choice(CATEGORIES[level], why, misconception, float(level)))
        # the most tempting first: a one-number reading, then neighbours of the key
        wrong.sort(key=lambda c: (not c.misconception.startswith("read-"), abs(c.value - key)))  # type: ignore[union-attr,operator]
        return Scenario(
            family=self.id,
            model=model,
            stem=stem,
            key=Choice(CATEGORIES[key], key_why, None, float(key)),
            distractors=tuple(wrong),
            rules=self.rules,
            steps=steps,
            bloom=bloom,  # type: ignore[arg-type]
            variables={"systolic": s, "diastolic": d, "age": age, "patient": patient},
            ordered=True,
        )


FAMILIES = (BloodPressureCategory(),)
