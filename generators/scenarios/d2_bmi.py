"""Domain 2 family: an adult's BMI from height and weight at intake, and its CDC category.

Cognitive model (note d2-body-mass-index): BMI from pounds and inches is 703 times the
weight in pounds divided by the square of the height in inches, the height first converted
to inches (feet x 12 + inches) (`bmi-formula-pounds-inches`); CDC's adult categories are
underweight (below 18.5), healthy weight (18.5 to less than 25), overweight (25 to less
than 30) and obesity (30 or greater) (`bmi-adult-categories`).

Item models:
- bmi-value: the intake height and weight; the BMI to one decimal place;
- bmi-category: the intake height and weight; the CDC category (compute, then classify);
- chart-category: a BMI the EHR shows, 0.1-0.4 from a category boundary; the category.

Variables: an adult of 20-80; a height of 5 ft 3 in to 5 ft 9 in, 6 ft 3 in or 6 ft 4 in
(3-9 inches over the feet, so every height slip gives a clearly different number);
a weight of 85-330 lb, drawn for a category chosen uniformly so that the BMI lies between
16 and 45, at least 0.2 from
a category boundary (18.5, 25, 30: the brief asks 0.05; the wider margin keeps a slip of
one decimal from changing the category) and not within 0.01 of a rounding half.

Distractors come from the height slips examiners see (5 ft 7 in read as 57 inches, as
60 inches with the inches dropped, as 5.7 feet, or rounded up to 6 feet), from
multiplying by 703 after converting pounds to kilograms, and from the factor written as
730; a slip that lands within 0.5 of the key is left out (it reads as rounding, not as an
error), and so is one below 12 (no adult's BMI, so it gives itself away).
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, person
from generators.scenarios.d2_figures import distinct, spread_ranks, tenths

# Total inches with 3-9 inches over the feet: with 1 or 2 the slips land within 0.5 of each
# other or of the key, and too few distractors are left.
HEIGHTS = (*range(63, 70), 75, 76)
WEIGHTS = (85, 330)
BOUNDARIES = (Decimal("18.5"), Decimal(25), Decimal(30))
MARGIN = Decimal("0.2")
PLAUSIBLE = 12  # the lowest BMI a distractor shows
CATEGORIES = ("Underweight", "Healthy weight", "Overweight", "Obesity")
RANGES = ("below 18.5", "of 18.5 to less than 25", "of 25 to less than 30", "of 30 or greater")
SPANS = ((16, 18.5), (18.5, 25), (25, 30), (30, 45))  # the BMIs drawn for each category
STAFF = ("medical assistant", "intake coordinator", "clinical assistant")


def bmi(pounds: Fraction | int, inches: Fraction | int, factor: int = 703) -> Decimal:
    """`factor` x pounds / inches squared, to one decimal place (half up)."""
    exact = Fraction(factor) * Fraction(pounds) / Fraction(inches) ** 2
    return tenths(Decimal(exact.numerator) / Decimal(exact.denominator))


def category(value: Decimal) -> int:
    """The CDC adult category (0 underweight ... 3 obesity) of a BMI."""
    return sum(1 for b in BOUNDARIES if value >= b)


def _height(inches: int) -> str:
    return f"{inches // 12} ft {inches % 12} in"


def _fair(pounds: int, inches: int) -> bool:
    exact = Fraction(703 * pounds, inches * inches)
    hundredths = exact * 100 % 10  # the digit after the tenths, with its fraction
    value = Decimal(float(exact))
    return (
        16 <= value <= 45
        and all(abs(value - b) >= MARGIN for b in BOUNDARIES)
        and abs(hundredths - 5) >= 1  # not within 0.01 of a rounding half
    )


def _measure(rng: random.Random) -> tuple[int, int]:
    """A height and a weight whose BMI falls in a category drawn uniformly."""
    low, high = SPANS[rng.randrange(4)]
    while True:
        inches = rng.choice(HEIGHTS)
        lightest = max(WEIGHTS[0], math.ceil(low * inches * inches / 703))
        heaviest = min(WEIGHTS[1], math.floor(high * inches * inches / 703))
        if lightest > heaviest:
            continue
        pounds = rng.randint(lightest, heaviest)
        if _fair(pounds, inches):
            return inches, pounds


def _slips(pounds: int, inches: int) -> list[tuple[str, Decimal, str, str]]:
    """Each slip as (misconception, the BMI it gives, the error, the correction)."""
    feet, rest = divmod(inches, 12)
    height = _height(inches)
    as_tens = 10 * feet + rest
    decimal_feet = Fraction(12 * (10 * feet + rest), 10)
    kilograms = Fraction(pounds * 10, 22)
    return [
        (
            "feet-times-ten",
            bmi(pounds, as_tens),
            f"reads {height} as {as_tens} inches",
            f"a foot is 12 inches, so the height is {inches} inches",
        ),
        (
            "inches-dropped",
            bmi(pounds, 12 * feet),
            f"uses {12 * feet} inches, the feet alone",
            f"the extra {rest} inches make the height {inches} inches",
        ),
        (
            "decimal-feet",
            bmi(pounds, decimal_feet),
            f"treats {height} as {feet}.{rest} feet ({float(decimal_feet):g} inches)",
            f"{rest} inches is {rest}/12 of a foot, so the height is {inches} inches",
        ),
        (
            "next-whole-foot",
            bmi(pounds, 12 * (feet + 1)),
            f"takes the height as {feet + 1} feet ({12 * (feet + 1)} inches), the next whole foot",
            f"the height is {inches} inches",
        ),
        (
            "kilograms-times-703",
            bmi(kilograms, inches),
            "converts the pounds to kilograms and still multiplies by 703",
            "the factor 703 is for pounds and inches",
        ),
        (
            "factor-730",
            bmi(pounds, inches, factor=730),
            "multiplies by 730",
            "CDC's factor for pounds and inches is 703",
        ),
    ]


def _lead(rng: random.Random) -> tuple[str, str, str, int, int, int]:
    """The intake sentence, the patient's and the staff member's first names, the figures."""
    patient = person(rng)
    staff = person(rng, exclude=[patient])
    age = rng.randint(20, 80)
    inches, pounds = _measure(rng)
    lead = (
        f"At intake, {rng.choice(STAFF)} {staff} measures {patient}, {age}, at "
        f"{_height(inches)} and {pounds} lb. The office's EHR leaves the BMI for staff to "
        f"work out, and {first(staff)} uses CDC's formula for pounds and inches."
    )
    return lead, first(patient), first(staff), age, inches, pounds


def _category_why(level: int, value: Decimal) -> str:
    side = "above" if level < category(value) else "below"
    return f"{CATEGORIES[level]} is a BMI {RANGES[level]}; {value} is {side} that range."


class BodyMassIndex:
    """An adult's BMI from intake figures, and its CDC adult category."""

    id: str = "d2-bmi"
    domain: int = 2
    topic: str = "vital signs and patient intake"
    models: tuple[str, ...] = ("bmi-value", "bmi-category", "chart-category")
    rules: tuple[str, ...] = ("bmi-formula-pounds-inches", "bmi-adult-categories")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One intake (or chart) of `model`, its figures drawn with `rng`."""
        if model == "bmi-value":
            return self._value(rng)
        if model == "bmi-category":
            return self._category(rng)
        if model == "chart-category":
            return self._chart(rng)
        raise ValueError(f"unknown item model {model!r}")

    def _value(self, rng: random.Random) -> Scenario:
        lead, _, staff, age, inches, pounds = _lead(rng)
        key = bmi(pounds, inches)
        stem = f"{lead} What BMI, rounded to one decimal place, does {staff} enter?"
        key_why = (
            f"{_height(inches)} is {inches} inches, and {pounds} x 703 / ({inches} x "
            f"{inches}) = {key}."
        )
        wrong = tuple(
            Choice(str(value), f"{value} {error}; {fix}.", name, float(value))
            for name, value, error, fix in _slips(pounds, inches)
            if value >= PLAUSIBLE  # an adult BMI of 8 gives itself away
        )
        scenario = Scenario(
            family=self.id,
            model="bmi-value",
            stem=stem,
            key=Choice(str(key), key_why, None, float(key)),
            distractors=wrong,
            rules=("bmi-formula-pounds-inches",),
            steps=2,
            bloom="apply",
            variables={"inches": inches, "pounds": pounds, "age": age},
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario, gap=0.5))

    def _category(self, rng: random.Random) -> Scenario:
        lead, name, _, age, inches, pounds = _lead(rng)
        value = bmi(pounds, inches)
        key = category(value)
        stem = f"{lead} In which CDC adult BMI category does {name}'s result fall?"
        key_why = (
            f"{_height(inches)} is {inches} inches, so the BMI is {pounds} x 703 / "
            f"{inches * inches} = {value}, and a BMI {RANGES[key]} is "
            f"{CATEGORIES[key].lower()}."
        )
        wrong: dict[int, Choice] = {}
        for misconception, slipped, error, _ in _slips(pounds, inches):
            level = category(slipped)
            if level != key and level not in wrong:
                wrong[level] = Choice(
                    CATEGORIES[level],
                    f"{CATEGORIES[level]} is where {slipped} falls, a BMI that {error}; "
                    f"the correct BMI is {value}.",
                    misconception,
                    float(level),
                )
        for level in sorted(range(4), key=lambda lv: abs(lv - key)):
            if level != key and level not in wrong:
                wrong[level] = Choice(
                    CATEGORIES[level],
                    _category_why(level, value),
                    "one-category-off" if abs(level - key) == 1 else "far-category",
                    float(level),
                )
        return Scenario(
            family=self.id,
            model="bmi-category",
            stem=stem,
            key=Choice(CATEGORIES[key], key_why, None, float(key)),
            distractors=tuple(wrong.values()),
            rules=self.rules,
            steps=3,
            bloom="analyze",
            variables={"inches": inches, "pounds": pounds, "age": age, "bmi": str(value)},
            ordered=True,
        )

    def _chart(self, rng: random.Random) -> Scenario:
        patient = person(rng)
        staff = person(rng, exclude=[patient])
        boundary = rng.choice(BOUNDARIES)
        offset = Decimal(rng.randint(1, 4)) / 10
        value = boundary + offset if rng.random() < 0.5 else boundary - offset
        key = category(value)
        stem = (
            f"{patient}'s chart shows a BMI of {value} from today's intake. {staff} is "
            f"sorting adult patients by CDC BMI category for the office's outreach list. In "
            f"which category does {first(patient)}'s BMI fall?"
        )
        key_why = f"{value} is a BMI {RANGES[key]}, the range CDC calls {CATEGORIES[key].lower()}."
        wrong = []
        for level in sorted(range(4), key=lambda lv: abs(lv - key)):
            if level == key:
                continue
            crossed = abs(level - key) == 1 and (
                (level > key and BOUNDARIES[key] == boundary)
                or (level < key and BOUNDARIES[level] == boundary)
            )
            if crossed and level > key:
                why = f"{CATEGORIES[level]} starts at {boundary}; {value} is still below it."
            elif crossed:
                why = (
                    f"{CATEGORIES[level]} runs to less than {boundary}; {value} has reached "
                    "the next category."
                )
            else:
                why = _category_why(level, value)
            misconception = "boundary-misplaced" if crossed else "far-category"
            wrong.append(Choice(CATEGORIES[level], why, misconception, float(level)))
        wrong.sort(key=lambda c: c.misconception != "boundary-misplaced")
        return Scenario(
            family=self.id,
            model="chart-category",
            stem=stem,
            key=Choice(CATEGORIES[key], key_why, None, float(key)),
            distractors=tuple(wrong),
            rules=("bmi-adult-categories",),
            steps=1,
            bloom="apply",
            variables={"bmi": str(value), "boundary": str(boundary)},
            ordered=True,
        )


FAMILIES = (BodyMassIndex(),)
