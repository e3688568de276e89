"""Domain 5 family: the last day a Medicare claim can reach the MAC and still be timely.

Cognitive model (note d5-claim-submission): a Medicare claim is filed when the MAC
receives it, no later than 12 months (one calendar year) after the date of service
(`medicare-timely-filing`); for a professional claim line with span dates the line's
"from" date starts the 12 months (`timely-filing-span-dates`); a claim rejected as
unprocessable was never filed, so the corrected claim is still due within 12 months of
the date of service (`rejected-claim-not-filed`).

Item models, each a billing-office situation with dates:
- single-date: one date of service, the claim held in a work queue;
- span-dates: a CMS-1500 line with a "from" date and a "to" date 10-27 days later;
- rejected-resubmission: the claim sent 20-200 days after the service and rejected as
  unprocessable 2-10 days later.

Variables: dates of service from January 2025 to December 2027 on day 1-23 of a month
(never February 29),
drawn so that the last timely day is a Tuesday to Thursday that is no federal holiday
(no weekend or holiday rule can move it).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, long_date, person
from generators.scenarios.d5_dates import (
    date_choice,
    distinct_dates,
    draw_start,
    end_of_month,
    plus_years,
)

FIRST_DAY, LAST_DAY = dt.date(2025, 1, 6), dt.date(2027, 12, 20)
QUESTION = (
    "For Medicare, what is the last date on which the MAC can receive the claim for it to be "
    "timely?"
)
REJECTIONS = (
    "the patient's Medicare Beneficiary Identifier was invalid",
    "the referring provider's NPI was missing",
    "the place-of-service code was missing",
)
HOLDS = (
    "was held in a work queue for a missing signature",
    "was left unsent after a software update",
    "was found unbilled during an audit of open encounters",
)


def _calendar_year_end(dos: dt.date, origin: dt.date) -> Choice:
    day = dt.date(dos.year + 1, 12, 31)
    return date_choice(
        day,
        f"{long_date(day)} reads 'one calendar year' as the end of the next calendar year; "
        "the 12 months run from the date of service itself.",
        "calendar-year-end",
        origin,
    )


def _end_of_month(start: dt.date, origin: dt.date) -> Choice:
    day = end_of_month(plus_years(start))
    return date_choice(
        day,
        f"{long_date(day)} stretches the limit to the end of the month; it ends on the same "
        "date one year after the service.",
        "end-of-month",
        origin,
    )


def _presumed_receipt(last: dt.date, origin: dt.date) -> Choice:
    day = last + dt.timedelta(days=5)
    return date_choice(
        day,
        f"{long_date(day)} adds the 5 days by which an appeal notice is presumed received; "
        "a claim counts as filed on the day the MAC receives it.",
        "presumed-receipt",
        origin,
    )


def _service_year_end(dos: dt.date, origin: dt.date) -> Choice:
    day = dt.date(dos.year, 12, 31)
    return date_choice(
        day,
        f"{long_date(day)} reads 'one calendar year' as the calendar year of the service; "
        "the limit is 12 months after the date of service.",
        "service-year-end",
        origin,
    )


def _commercial_limit(start: dt.date, origin: dt.date) -> Choice:
    day = start + dt.timedelta(days=90)
    return date_choice(
        day,
        f"{long_date(day)} applies a 90-day limit that some commercial contracts set; "
        "Medicare allows 12 months.",
        "commercial-limit",
        origin,
    )


def _appeal_window(start: dt.date, origin: dt.date) -> Choice:
    day = start + dt.timedelta(days=120)
    return date_choice(
        day,
        f"{long_date(day)} applies the 120-day redetermination window, which is for "
        "appealing a processed claim, not for filing one.",
        "appeal-window",
        origin,
    )


def _single_date(rng: random.Random) -> Scenario:
    dos, last = draw_start(rng, FIRST_DAY, LAST_DAY, plus_years, 23)
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    stem = (
        f"{clinician} saw {patient}, a Medicare Part B patient, on {long_date(dos)}. The "
        f"claim for the visit {rng.choice(HOLDS)}. {QUESTION}"
    )
    distractors = (
        _calendar_year_end(dos, dos),
        _service_year_end(dos, dos),
        _end_of_month(dos, dos),
        _appeal_window(dos, dos),
        _presumed_receipt(last, dos),
        _commercial_limit(dos, dos),
    )
    key = date_choice(
        last,
        f"A Medicare claim has to reach the MAC no later than one calendar year after the "
        f"date of service: {long_date(dos)} plus 12 months is {long_date(last)}.",
        None,
        dos,
    )
    return distinct_dates(
        Scenario(
            family=TimelyFiling.id,
            model="single-date",
            stem=stem,
            key=key,
            distractors=distractors,
            rules=("medicare-timely-filing",),
            steps=1,
            bloom="apply",
            variables={"dos": dos},
            ordered=True,
        ),
        rng,
    )


def _span_dates(rng: random.Random) -> Scenario:
    start, last = draw_start(rng, FIRST_DAY, LAST_DAY, plus_years, 23)
    end = start + dt.timedelta(days=rng.randrange(10, 28))
    patient = person(rng)
    stem = (
        f"One line of a CMS-1500 claim to Medicare for {patient} reports a service with span "
        f"dates: a 'from' date of {long_date(start)} and a 'to' date of {long_date(end)}. "
        f"{QUESTION}"
    )
    through = plus_years(end)
    distractors = (
        date_choice(
            through,
            f"{long_date(through)} counts from the 'to' date, the rule for institutional "
            "claims; a professional claim line counts from its 'from' date.",
            "through-date",
            start,
        ),
        _end_of_month(start, start),
        _service_year_end(start, start),
        _calendar_year_end(start, start),
        _appeal_window(start, start),
        _commercial_limit(start, start),
    )
    key = date_choice(
        last,
        f"For a professional claim line with span dates, the 12 months run from the line's "
        f"'from' date: {long_date(start)} plus one year is {long_date(last)}.",
        None,
        start,
    )
    return distinct_dates(
        Scenario(
            family=TimelyFiling.id,
            model="span-dates",
            stem=stem,
            key=key,
            distractors=distractors,
            rules=("medicare-timely-filing", "timely-filing-span-dates"),
            steps=2,
            bloom="analyze",
            variables={"from_date": start, "to_date": end},
            ordered=True,
        ),
        rng,
    )


def _rejected(rng: random.Random) -> Scenario:
    dos, last = draw_start(rng, FIRST_DAY, LAST_DAY, plus_years, 23)
    sent = dos + dt.timedelta(days=rng.randrange(20, 201))
    rejected = sent + dt.timedelta(days=rng.randrange(2, 11))
    patient = person(rng)
    name = first(patient)
    stem = (
        f"The office sent Medicare a Part B claim on {long_date(sent)} for {patient}'s visit "
        f"of {long_date(dos)}. On {long_date(rejected)} the claim came back rejected as "
        f"unprocessable because {rng.choice(REJECTIONS)}. The biller corrects it. For "
        f"Medicare, what is the last date on which the MAC can receive {name}'s corrected "
        "claim for it to be timely?"
    )
    from_rejection, from_sending = plus_years(rejected), plus_years(sent)
    distractors = (
        date_choice(
            from_rejection,
            f"{long_date(from_rejection)} restarts the clock at the rejection; a rejected claim "
            "was never filed, so the 12 months still run from the date of service.",
            "rejection-restarts-clock",
            dos,
        ),
        date_choice(
            from_sending,
            f"{long_date(from_sending)} counts from the first submission, which does not count "
            "as filing because the claim was rejected unprocessed.",
            "first-submission-counts",
            dos,
        ),
        _end_of_month(dos, dos),
        _appeal_window(rejected, dos),
        _service_year_end(dos, dos),
        _presumed_receipt(last, dos),
        _calendar_year_end(dos, dos),
    )
    key = date_choice(
        last,
        f"A claim rejected as unprocessable is not considered filed, so the corrected claim "
        f"is due within 12 months of the {long_date(dos)} date of service: {long_date(last)}.",
        None,
        dos,
    )
    return distinct_dates(
        Scenario(
            family=TimelyFiling.id,
            model="rejected-resubmission",
            stem=stem,
            key=key,
            distractors=distractors,
            rules=("rejected-claim-not-filed", "medicare-timely-filing"),
            steps=2,
            bloom="analyze",
            variables={"dos": dos, "sent": sent, "rejected": rejected},
            ordered=True,
        ),
        rng,
    )


class TimelyFiling:
    """Medicare's 12-month timely filing limit, computed from the dates of a claim."""

    id = "d5-timely-filing"
    domain = 5
    topic = "claim forms and submission"
    models: tuple[str, ...] = ("single-date", "span-dates", "rejected-resubmission")
    rules: tuple[str, ...] = (
        "medicare-timely-filing",
        "timely-filing-span-dates",
        "rejected-claim-not-filed",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One claim of `model`, its dates drawn with `rng`."""
        draw = {
            "single-date": _single_date,
            "span-dates": _span_dates,
            "rejected-resubmission": _rejected,
        }[model]
        return draw(rng)


FAMILIES = (TimelyFiling(),)
