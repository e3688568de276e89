"""Domain 8 family: Form I-9 deadlines for a new hire, computed from the start date.

Cognitive model (note d8-employment-law): the employee completes Section 1 of Form I-9 no
later than the first day of employment, and not before accepting the job offer
(`i9-section-1-deadline`); the employer completes Section 2 within 3 business days of the
first day, the first day not counted, so a Monday start is due by Thursday
(`i9-section-2-deadline`); a job of fewer than 3 business days has Section 2 completed by
the first day (`i9-short-employment`).

Item models, each a hire the office manager is onboarding:
- section-2-deadline: the latest date for the employer's Section 2;
- section-1-deadline: the latest date for the employee's Section 1;
- short-employment: Section 2 for a fill-in hired for 1-2 business days.

Variables: the new hire, the job and the practice; the first day of work, a business day
in 2027-2028 with no federal holiday within 21 days of it (the stem says the office is
open Monday through Friday, so "business day" has one reading); the day the offer was
accepted, 3-14 days before the first day; the length of a fill-in job, 1-2 business days.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, long_date, person
from generators.scenarios.d8_calendar import add_business_days, quiet_start, weekday_date

JOBS = ("medical receptionist", "billing specialist", "medical assistant", "scheduler")
PRACTICES = (
    "Brookside Family Medicine", "Summit Cardiology", "Willow Creek Pediatrics",
    "Eastside Women's Health", "Pinecrest Internal Medicine",
)  # fmt: skip
OPEN = "The office is open Monday through Friday, and no holiday falls in these weeks."


@dataclass(frozen=True)
class Hire:
    """One drawn new hire and the dates of the offer and the first day."""

    name: str
    job: str
    practice: str
    offer: dt.date
    start: dt.date
    job_days: int  # business days a fill-in job lasts (0 for a regular job)


def _hire(rng: random.Random, job_days: int) -> Hire:
    start = quiet_start(rng, dt.date(2027, 1, 11), dt.date(2028, 12, 8))
    offer = start - dt.timedelta(days=rng.randint(3, 14))
    while offer.weekday() > 4:  # offers are accepted on office days
        offer -= dt.timedelta(days=1)
    return Hire(person(rng), rng.choice(JOBS), rng.choice(PRACTICES), offer, start, job_days)


def _date_choice(day: dt.date, why: str, misconception: str | None) -> Choice:
    # The options are plain dates: the stem gives the weekdays, the candidate counts.
    return Choice(long_date(day), why, misconception, float(day.toordinal()))


def _distinct(key: Choice, wrong: list[Choice]) -> tuple[Choice, ...]:
    """Distractors with dates unlike the key's and each other's, in the order given."""
    seen = {key.value}
    kept = []
    for choice in wrong:
        if choice.value not in seen:
            seen.add(choice.value)
            kept.append(choice)
    return tuple(kept)


def _before_start(h: Hire, section: str) -> Choice:
    day = h.start - dt.timedelta(days=1)
    while day.weekday() > 4:
        day -= dt.timedelta(days=1)
    return _date_choice(
        day,
        f"Section {section} may be completed on the first day itself; the deadline is the "
        "first day of employment, not the business day before it.",
        "before-first-day",
    )


def _section2(h: Hire) -> tuple[Choice, tuple[Choice, ...]]:
    due = add_business_days(h.start, 3)
    key = _date_choice(
        due,
        f"Section 2 is due within 3 business days of the first day, not counting the first "
        f"day itself: 3 business days after {weekday_date(h.start)} is {weekday_date(due)}.",
        None,
    )
    wrong = [
        _date_choice(
            add_business_days(h.start, 2),
            "This counts the first day of work as day 1; the 3 business days start the day "
            "after it.",
            "counted-first-day",
        ),
        _date_choice(
            h.start + dt.timedelta(days=3),
            "This counts 3 calendar days; Saturdays and Sundays are not business days.",
            "calendar-days",
        ),
        _date_choice(
            h.start,
            "The first day of work is the deadline for the employee's Section 1; the "
            "employer has 3 business days for Section 2.",
            "section-1-deadline",
        ),
        _date_choice(
            add_business_days(h.offer, 3),
            "This counts from the day the offer was accepted; the 3 business days run from "
            "the first day of work.",
            "counted-from-offer",
        ),
        _date_choice(
            add_business_days(h.start, 5),
            "This allows a full work week; the rule allows 3 business days.",
            "one-work-week",
        ),
    ]
    return key, _distinct(key, wrong)


def _section1(h: Hire) -> tuple[Choice, tuple[Choice, ...]]:
    key = _date_choice(
        h.start,
        f"The employee completes Section 1 no later than the first day of employment, "
        f"{weekday_date(h.start)}.",
        None,
    )
    wrong = [
        _date_choice(
            add_business_days(h.start, 3),
            "Three business days after the first day is the employer's deadline for "
            "Section 2, not the employee's for Section 1.",
            "section-2-deadline",
        ),
        _date_choice(
            h.offer,
            "The day the offer is accepted is the earliest day Section 1 may be completed, "
            "not the latest.",
            "earliest-for-latest",
        ),
        _date_choice(
            add_business_days(h.start, 1),
            "Section 1 is due by the end of the first day of employment, not the day after it.",
            "day-after-start",
        ),
        _before_start(h, "1"),
        _date_choice(
            add_business_days(h.start, 5),
            "A full work week is allowed for neither section; Section 1 is due on the first day.",
            "one-work-week",
        ),
    ]
    return key, _distinct(key, wrong)


def _short(h: Hire) -> tuple[Choice, tuple[Choice, ...]]:
    last = add_business_days(h.start, h.job_days - 1)
    key = _date_choice(
        h.start,
        f"A job of fewer than 3 business days has Section 2 completed no later than the "
        f"first day of employment, {weekday_date(h.start)}.",
        None,
    )
    wrong = [
        _date_choice(
            add_business_days(h.start, 3),
            "The 3-business-day window is for jobs that last 3 business days or more; this "
            "one ends sooner.",
            "regular-deadline",
        ),
        _date_choice(
            last if h.job_days > 1 else add_business_days(h.start, 1),
            "Waiting until the job's last day is too late: for a job of fewer than 3 "
            "business days, Section 2 is due on the first day."
            if h.job_days > 1
            else "The day after the job is too late: for a job of fewer than 3 business "
            "days, Section 2 is due on the first day.",
            "end-of-job",
        ),
        _date_choice(
            add_business_days(h.start, 2),
            "This counts the first day as day 1 of the usual window, and the usual window "
            "does not apply to a job this short.",
            "counted-first-day",
        ),
        _before_start(h, "2"),
        _date_choice(
            h.offer,
            "The day the offer is accepted is the earliest day the form may be started, not "
            "the deadline for Section 2.",
            "earliest-for-latest",
        ),
        _date_choice(
            add_business_days(h.start, 5),
            "A full work week is allowed for neither section; a short job's Section 2 is due "
            "on the first day.",
            "one-work-week",
        ),
    ]
    return key, _distinct(key, wrong)


def _stem(h: Hire, model: str) -> str:
    name = first(h.name)
    article = "an" if h.job[0] in "aeiou" else "a"
    if model == "short-employment":
        days = (
            f"on {weekday_date(h.start)} only"
            if h.job_days == 1
            else f"for two days, {weekday_date(h.start)} and "
            f"{weekday_date(add_business_days(h.start, 1))}"
        )
        hired = (
            f"{h.practice} hires {h.name} as {article} {h.job} to fill in {days}, while a "
            f"staff member is away; {name} accepted the offer on {weekday_date(h.offer)}."
        )
        who = "the office manager completes Section 2 of Form I-9"
    else:
        hired = (
            f"{h.name} accepts an offer as {article} {h.job} at {h.practice} on "
            f"{weekday_date(h.offer)} and starts work on {weekday_date(h.start)}."
        )
        who = (
            "the office manager completes Section 2 of Form I-9"
            if model == "section-2-deadline"
            else f"{name} completes Section 1 of Form I-9"
        )
    return f"{hired} {OPEN} Under the USCIS rules, what is the latest date by which {who}?"


class FormI9:
    """Form I-9 Section 1 and Section 2 deadlines from a new hire's first day of work."""

    id: str = "d8-form-i9-deadlines"
    domain: int = 8
    topic: str = "human resources and employment law"
    models: tuple[str, ...] = ("section-2-deadline", "section-1-deadline", "short-employment")
    rules: tuple[str, ...] = (
        "i9-section-1-deadline",
        "i9-section-2-deadline",
        "i9-short-employment",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One hire of `model`, its dates drawn with `rng`."""
        h = _hire(rng, rng.randint(1, 2) if model == "short-employment" else 0)
        if model == "section-2-deadline":
            key, wrong = _section2(h)
            rules, steps = ("i9-section-2-deadline",), 2
        elif model == "section-1-deadline":
            key, wrong = _section1(h)
            rules, steps = ("i9-section-1-deadline",), 1
        else:
            key, wrong = _short(h)
            rules, steps = ("i9-short-employment",), 2
        return Scenario(
            family=self.id,
            model=model,
            stem=_stem(h, model),
            key=key,
            distractors=wrong,
            rules=rules,
            steps=steps,
            bloom="analyze" if model == "short-employment" else "apply",
            variables={**h.__dict__},
            ordered=True,
        )


FAMILIES = (FormI9(),)
