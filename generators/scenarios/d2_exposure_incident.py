"""Domain 2 family: an employee's blood exposure - first aid, the order of actions, deadlines.

Cognitive model (note d2-exposure-incidents): CDC's first aid washes a needlestick or cut
with soap and water, flushes a splash to the nose or mouth with water and irrigates the
eyes with clean water or saline, never with a caustic agent such as bleach
(`exposure-first-aid`); then the employee reports the incident to the supervisor and seeks
medical care at once (`exposure-report-at-once`), and OSHA has the employer make the
confidential medical evaluation available following that report
(`bbp-evaluation-after-report`). Under OSHA's Bloodborne Pathogens Standard the employee
gets a copy of the evaluator's written opinion within 15 days of the completion of the
evaluation (`bbp-written-opinion-15-days`), and an employee who gave baseline blood but no
consent to HIV testing can still elect the test within 90 days of the exposure incident
(`bbp-hiv-sample-90-days`).

Item models:
- first-care: a needlestick, a cut on a broken tube, or a splash to the eyes, mouth or
  nose; what the employee does first;
- action-order: the same exposures; the order of first aid, report and evaluation;
- written-opinion: the exposure and the date the evaluation was completed; the last date
  for the copy of the written opinion;
- hiv-sample: the exposure and the day of the baseline draw (0-3 days later); the last
  date on which the employee can elect HIV testing of the sample.

Variables: the employee, the exposure (from EXPOSURES), a weekday exposure date in
2026-2027, the evaluation completed 1-6 days later, the draw 0-3 days after the exposure;
dates drawn so that every deadline is a Tuesday to Thursday and no fixed federal holiday
(no weekend rule can be argued). Squeezing the wound is kept out of the distractors: CDC
finds no benefit in it, but some guidance still suggests letting a puncture bleed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import draw_date, first, long_date, person
from generators.scenarios.d2_figures import (
    date_choice,
    distinct,
    is_midweek,
    plus_months,
    spread_ranks,
)

FIRST_DAY, LAST_DAY = dt.date(2026, 1, 5), dt.date(2027, 9, 30)


@dataclass(frozen=True)
class Exposure:
    """One way an employee meets a patient's blood, and the first aid CDC gives for it."""

    event: str
    part: str  # what first aid treats: "site", "eyes", "mouth", "nose"
    care: str  # the key of first-care
    short: str  # the first-aid step inside an order ("wash the site")
    wrong: tuple[tuple[str, str, str], ...]  # (option, why, misconception)


def _skin(event: str) -> Exposure:
    return Exposure(
        event,
        "site",
        "Wash the site with soap and water",
        "wash the site",
        (
            ("Report the injury before washing the site", "First aid comes before the "
             "report: the site is washed at once, then the injury is reported.",
             "report-before-care"),
            ("Soak the site in household bleach", "CDC does not recommend caustic agents "
             "such as bleach; the site is washed with soap and water.", "caustic-agent"),
            ("Finish the task, then wash the site", "Washing waits for nothing; CDC's first "
             "aid comes right away.", "care-delayed"),
            ("Wait for the source patient's test results", "First aid and the report come "
             "at once; the source patient's results come later, in the evaluation.",
             "wait-for-source"),
        ),
    )  # fmt: skip


def _membrane(event: str, part: str, care: str, short: str, rinse: str) -> Exposure:
    verb = "are" if part == "eyes" else "is"
    water = "clean water or saline" if part == "eyes" else "water"
    return Exposure(
        event,
        part,
        care,
        short,
        (
            (f"Report the splash before rinsing the {part}", "First aid comes before the "
             f"report: the {part} {verb} rinsed at once, then the splash is reported.",
             "report-before-care"),
            (rinse, "CDC does not recommend caustic agents such as bleach; the "
             f"{part} {verb} rinsed with {water}.", "caustic-agent"),
            (f"Finish the task, then rinse the {part}", "Rinsing waits for nothing; CDC's "
             "first aid comes right away.", "care-delayed"),
            ("Wait for the source patient's test results", "First aid and the report come "
             "at once; the source patient's results come later, in the evaluation.",
             "wait-for-source"),
        ),
    )  # fmt: skip


EXPOSURES = (
    _skin("sticks a finger with a used needle while dropping it into the sharps container"),
    _skin("cuts a hand on a blood tube that breaks while unpacking a specimen rack"),
    _membrane(
        "is splashed in the eyes with blood when a specimen tube breaks",
        "eyes",
        "Irrigate the eyes with clean water or saline",
        "irrigate the eyes",
        "Rinse the eyes with a disinfectant solution",
    ),
    _membrane(
        "is splashed in the mouth with blood when a specimen tube breaks",
        "mouth",
        "Flush the mouth with water",
        "flush the mouth",
        "Gargle with diluted bleach",
    ),
    _membrane(
        "is splashed in the nose with blood when a specimen tube breaks",
        "nose",
        "Flush the nose with water",
        "flush the nose",
        "Rinse the nose with diluted bleach",
    ),
)
REPORT, EVALUATE = "report to the supervisor", "get the medical evaluation"
# Wrong orders of (first aid, report, evaluation), as indexes into the three steps.
ORDERS = (
    ((1, 0, 2), "The report comes right after first aid; the exposed area is cleaned at once.",
     "report-before-care"),
    ((0, 2, 1), "Under OSHA the employer makes the evaluation available following the "
     "report, so the report comes before the evaluation.", "evaluation-before-report"),
    ((2, 0, 1), "First aid comes before anything else, and the evaluation follows the report.",
     "clinic-first"),
    ((1, 2, 0), "First aid waits for nothing; it comes before the report and the evaluation.",
     "care-last"),
)  # fmt: skip


def _order_text(steps: tuple[str, str, str], order: tuple[int, int, int]) -> str:
    text = ", ".join(steps[i] for i in order)
    return text[0].upper() + text[1:]


def _incident(rng: random.Random) -> tuple[str, Exposure, str]:
    employee = person(rng)
    exposure = rng.choice(EXPOSURES)
    lead = f"{employee}, a medical assistant in a family practice, {exposure.event}."
    return first(employee), exposure, lead


def _weekday(rng: random.Random) -> dt.date:
    while True:
        day = draw_date(rng, FIRST_DAY, LAST_DAY)
        if day.weekday() < 5:
            return day


class ExposureIncident:
    """CDC first aid and OSHA follow-up after an employee's exposure to a patient's blood."""

    id: str = "d2-exposure-incident"
    domain: int = 2
    topic: str = "infection control"
    models: tuple[str, ...] = ("first-care", "action-order", "written-opinion", "hiv-sample")
    rules: tuple[str, ...] = (
        "exposure-first-aid",
        "exposure-report-at-once",
        "bbp-evaluation-after-report",
        "bbp-written-opinion-15-days",
        "bbp-hiv-sample-90-days",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One exposure of `model`, drawn with `rng`."""
        if model == "first-care":
            return self._first_care(rng)
        if model == "action-order":
            return self._action_order(rng)
        if model == "written-opinion":
            return self._written_opinion(rng)
        if model == "hiv-sample":
            return self._hiv_sample(rng)
        raise ValueError(f"unknown item model {model!r}")

    def _first_care(self, rng: random.Random) -> Scenario:
        name, exposure, lead = _incident(rng)
        stem = f"{lead} Following CDC's first aid for blood exposures, what does {name} do first?"
        key_why = (
            f"CDC's first step is to clean the exposed area at once: "
            f"{exposure.care[0].lower()}{exposure.care[1:]}, then report the exposure."
        )
        return Scenario(
            family=self.id,
            model="first-care",
            stem=stem,
            key=Choice(exposure.care, key_why),
            distractors=tuple(Choice(t, w, m) for t, w, m in exposure.wrong),
            rules=("exposure-first-aid",),
            steps=1,
            bloom="apply",
            variables={"exposure": exposure.event, "part": exposure.part},
        )

    def _action_order(self, rng: random.Random) -> Scenario:
        name, exposure, lead = _incident(rng)
        steps = (exposure.short, REPORT, EVALUATE)
        stem = (
            f"{lead} The office's exposure control plan follows CDC and OSHA. In which order "
            f"does {name} act?"
        )
        key_why = (
            "First aid comes at once, then the report to the supervisor, and the employer "
            "makes the confidential medical evaluation available following that report."
        )
        return Scenario(
            family=self.id,
            model="action-order",
            stem=stem,
            key=Choice(_order_text(steps, (0, 1, 2)), key_why),
            distractors=tuple(Choice(_order_text(steps, o), w, m) for o, w, m in ORDERS),
            rules=("exposure-first-aid", "exposure-report-at-once", "bbp-evaluation-after-report"),
            steps=2,
            bloom="analyze",
            variables={"exposure": exposure.event, "part": exposure.part},
        )

    def _written_opinion(self, rng: random.Random) -> Scenario:
        name, exposure, lead = _incident(rng)
        while True:
            exposed = _weekday(rng)
            evaluated = exposed + dt.timedelta(days=rng.randint(1, 6))
            due = evaluated + dt.timedelta(days=15)
            if evaluated.weekday() < 5 and is_midweek(due):
                break
        stem = (
            f"{lead} It happened on {long_date(exposed)}, {name} reported it at once, and the "
            f"post-exposure evaluation was completed on {long_date(evaluated)}. Under OSHA's "
            f"Bloodborne Pathogens Standard, what is the last date on which the employer can "
            f"give {name} a copy of the evaluator's written opinion?"
        )
        key_why = (
            f"The copy is due within 15 days of the completion of the evaluation: "
            f"{long_date(evaluated)} plus 15 days is {long_date(due)}."
        )
        from_exposure = exposed + dt.timedelta(days=15)
        ten, thirty = evaluated + dt.timedelta(days=10), evaluated + dt.timedelta(days=30)
        ninety = exposed + dt.timedelta(days=90)
        wrong = (
            date_choice(
                from_exposure,
                f"{long_date(from_exposure)} counts the 15 days from the exposure; they run "
                "from the completion of the evaluation.",
                "from-exposure",
                exposed,
            ),
            date_choice(
                ten,
                f"{long_date(ten)} allows only 10 days; the standard gives 15 days from the "
                "completion of the evaluation.",
                "ten-days",
                exposed,
            ),
            date_choice(
                thirty,
                f"{long_date(thirty)} allows 30 days; the standard gives 15 days from the "
                "completion of the evaluation.",
                "thirty-days",
                exposed,
            ),
            date_choice(
                ninety,
                f"{long_date(ninety)} applies the 90-day window for electing HIV testing of "
                "a baseline sample; the opinion is due within 15 days.",
                "hiv-sample-90-days",
                exposed,
            ),
        )
        scenario = Scenario(
            family=self.id,
            model="written-opinion",
            stem=stem,
            key=date_choice(due, key_why, None, exposed),
            distractors=wrong,
            rules=("bbp-written-opinion-15-days",),
            steps=2,
            bloom="apply",
            variables={"exposed": exposed, "evaluated": evaluated, "part": exposure.part},
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario))

    def _hiv_sample(self, rng: random.Random) -> Scenario:
        name, exposure, lead = _incident(rng)
        while True:
            exposed = _weekday(rng)
            drawn = exposed + dt.timedelta(days=rng.randint(0, 3))
            last = exposed + dt.timedelta(days=90)
            if drawn.weekday() < 5 and is_midweek(last):
                break
        when = "the same day" if drawn == exposed else f"on {long_date(drawn)}"
        stem = (
            f"{lead} It happened on {long_date(exposed)}. At the post-exposure evaluation "
            f"{when}, {name} consents to baseline blood collection but is undecided about "
            f"HIV testing of the sample. Under OSHA's Bloodborne Pathogens Standard, what is "
            f"the last date on which {name} can elect to have the sample tested for HIV?"
        )
        key_why = (
            f"The choice stays open within 90 days of the exposure incident: "
            f"{long_date(exposed)} plus 90 days is {long_date(last)}."
        )
        from_draw = drawn + dt.timedelta(days=90)
        fifteen, thirty = exposed + dt.timedelta(days=15), exposed + dt.timedelta(days=30)
        half_year, year = plus_months(exposed, 6), plus_months(exposed, 12)
        wrong = (
            date_choice(
                from_draw,
                f"{long_date(from_draw)} counts the 90 days from the blood draw; they run from "
                "the exposure incident.",
                "from-blood-draw",
                exposed,
            ),
            date_choice(
                thirty,
                f"{long_date(thirty)} allows only 30 days; the standard keeps the choice open "
                "for 90 days after the exposure.",
                "thirty-days",
                exposed,
            ),
            date_choice(
                fifteen,
                f"{long_date(fifteen)} uses the 15 days for the written opinion; the HIV "
                "testing choice stays open for 90 days.",
                "written-opinion-15-days",
                exposed,
            ),
            date_choice(
                half_year,
                f"{long_date(half_year)} allows six months; the standard's window is 90 days "
                "from the exposure.",
                "six-months",
                exposed,
            ),
            date_choice(
                year,
                f"{long_date(year)} allows a year; the standard's window is 90 days from the "
                "exposure.",
                "one-year",
                exposed,
            ),
        )
        scenario = Scenario(
            family=self.id,
            model="hiv-sample",
            stem=stem,
            key=date_choice(last, key_why, None, exposed),
            distractors=wrong,
            rules=("bbp-hiv-sample-90-days",),
            steps=2,
            bloom="apply",
            variables={"exposed": exposed, "drawn": drawn, "part": exposure.part},
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario))


FAMILIES = (ExposureIncident(),)
