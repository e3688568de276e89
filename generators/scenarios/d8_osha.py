"""Domain 8 family: OSHA deadlines a practice computes, for severe-injury reports and records.

Cognitive model (notes d8-hazard-communication-and-fire-safety and
d8-bloodborne-pathogens-standard): under federal OSHA an employer reports a work-related
in-patient hospitalization within 24 hours of learning of it (`osha-report-hospitalization`)
and a work-related death within 8 hours (`osha-report-fatality`), whatever its size or
industry; under the Bloodborne Pathogens Standard a training record is kept 3 years from
the training (`bbp-training-records`) and an employee's medical record for the duration of
employment plus 30 years (`bbp-medical-records`).

Item models:
- hospitalization-report: the latest time to report an employee's in-patient admission;
- fatality-report: the latest time to report an employee's death from a workplace fall;
- training-records: how long the record of a bloodborne pathogens training is kept;
- medical-records: how long an exposed employee's medical record is kept after she leaves.

Variables: the practice, the office manager and the employee; the moment the manager
learns of the event, a weekday of 2027 (day of month 1-26) between 12:00 and 5:55 p.m.,
the fall 2.5-5 hours before it and the admission or the death in between, 30 minutes or
more from each (all that day, so the 30-day and 24-hour windows after the incident are
met; the family's call is the first the practice hears, so the clock starts then); a
training date in 2024-2027; a hire date in 2010-2018, an exposure 1-4 years later and a
last day 1-6 years after that, no later than June 28, 2026. Day of month at most 28, so
added years keep the date.

Three clock starts (the fall, the admission or death, the call) and the other deadlines
put honest wrong times on both sides of a report's key; retention periods of other
records (the FLSA's 2 years for time cards, the 300 Log's 5) and misreadings of
"employment plus 30 years" do the same for the record dates.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import draw_date, first, long_date, person
from generators.scenarios.d8_calendar import WEEKDAYS, add_years

PRACTICES = (
    "Meadowbrook Family Practice", "Clearwater Urology", "Hillcrest Pediatrics",
    "Rosewood Internal Medicine", "Stonegate Ear, Nose and Throat",
)  # fmt: skip
JOBS = ("medical assistant", "phlebotomist", "receptionist", "billing clerk")
INJURIES = (
    "a fall from a step stool in the supply room",
    "a fall on a wet floor in the laboratory",
    "a fall down the back stairs while carrying records",
)
LAST_DAY = dt.date(2026, 6, 28)  # the latest last day of work a stem may give
FEDERAL = "The practice is in a state where federal OSHA has jurisdiction."


@dataclass(frozen=True)
class People:
    """The practice and the two people every model names."""

    practice: str
    manager: str
    employee: str
    job: str


def _people(rng: random.Random) -> People:
    manager = person(rng)
    employee = person(rng, exclude=[manager])
    return People(rng.choice(PRACTICES), manager, employee, rng.choice(JOBS))


def _moment(day: dt.datetime) -> str:
    """A moment as a report log writes it: "2:35 p.m. on Wednesday, March 10, 2027"."""
    hour = day.hour % 12 or 12
    half = "a.m." if day.hour < 12 else "p.m."
    return f"{hour}:{day.minute:02d} {half} on {WEEKDAYS[day.weekday()]}, {long_date(day.date())}"


def _time_choice(day: dt.datetime, why: str, misconception: str | None) -> Choice:
    return Choice(_moment(day), why, misconception, day.timestamp())


def _date_choice(day: dt.date, why: str, misconception: str | None) -> Choice:
    return Choice(long_date(day), why, misconception, float(day.toordinal()))


def _clock(day: dt.datetime) -> str:
    """The time of day alone: "2:35 p.m."."""
    return f"{day.hour % 12 or 12}:{day.minute:02d} {'a.m.' if day.hour < 12 else 'p.m.'}"


def _report(rng: random.Random, p: People, fatal: bool) -> Scenario:
    day = draw_date(rng, dt.date(2027, 1, 4), dt.date(2027, 12, 17))
    day = day.replace(day=min(day.day, 24))  # the next day stays in the month: no month cue
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    learned = dt.datetime.combine(day, dt.time(rng.randint(12, 17), 5 * rng.randrange(12)))
    # The fall comes 2.5-5 hours before the manager hears, the admission or the death in
    # between, at least 30 minutes from each: three clock starts a candidate can confuse.
    gap = 5 * rng.randrange(30, 61)
    fell = learned - dt.timedelta(minutes=gap)
    event = fell + dt.timedelta(minutes=5 * rng.randrange(6, gap // 5 - 5))
    injury = rng.choice(INJURIES)
    name = first(p.employee)
    what = "death" if fatal else "admission"
    happened = (
        f"At {_clock(event)} {name} dies of the injuries at the hospital."
        if fatal
        else f"At {_clock(event)} {name} is admitted to the hospital as an in-patient."
    )
    stem = (
        f"At {_moment(fell)}, {p.employee}, a {p.job} at {p.practice}, is hurt in {injury}. "
        f"{happened} At {_clock(learned)} {name}'s family tells {p.manager}, the office "
        f"manager, of the {what}, the first anyone at the practice hears of it. {FEDERAL} "
        f"Under federal OSHA rules, what is the latest time by which the practice reports the "
        f"{'death' if fatal else 'hospitalization'} to OSHA?"
    )
    hours = 8 if fatal else 24
    due = learned + dt.timedelta(hours=hours)
    key = _time_choice(
        due,
        f"A work-related {'death' if fatal else 'in-patient hospitalization'} is reported "
        f"within {hours} hours of the employer learning of it: {hours} hours after "
        f"{_moment(learned)}.",
        None,
    )
    other = (
        _time_choice(
            learned + dt.timedelta(hours=24),
            "24 hours is the window for an in-patient hospitalization, amputation or loss of "
            "an eye; a death is reported within 8 hours.",
            "hospitalization-deadline",
        )
        if fatal
        else _time_choice(
            learned + dt.timedelta(hours=8),
            "8 hours is the window for a work-related death; an in-patient hospitalization "
            "is reported within 24 hours.",
            "fatality-deadline",
        )
    )
    wrong = (
        other,
        _time_choice(
            event + dt.timedelta(hours=hours),
            f"That counts the {hours} hours from the {what} itself; the practice learned of "
            f"it only at {_clock(learned)}, and the {hours} hours run from then.",
            f"counted-from-{what}",
        ),
        _time_choice(
            learned + dt.timedelta(days=7),
            "7 calendar days is the time to record a case on the injury and illness forms; "
            "the report to OSHA is due much sooner.",
            "recording-deadline",
        ),
        _time_choice(
            fell + dt.timedelta(hours=hours),
            f"That counts the {hours} hours from the fall; the report is of the {what}, and "
            f"its {hours} hours start when the practice learns of it.",
            "counted-from-fall",
        ),
        _time_choice(
            learned + dt.timedelta(days=30),
            "30 days is how long after an incident a death still has to be reported, not the "
            "time allowed for the report.",
            "thirty-day-window",
        ),
    )
    return Scenario(
        family=OshaDeadlines.id,
        model="fatality-report" if fatal else "hospitalization-report",
        stem=stem,
        key=key,
        distractors=wrong,
        rules=("osha-report-fatality" if fatal else "osha-report-hospitalization",),
        steps=2,
        bloom="apply",
        variables={**p.__dict__, "learned": learned, "fell": fell, "event": event,
                   "fatal": fatal},
        ordered=True,
    )  # fmt: skip


def _training(rng: random.Random, p: People) -> Scenario:
    held = draw_date(rng, dt.date(2024, 1, 8), dt.date(2027, 12, 28)).replace(
        day=rng.randint(1, 28)
    )
    stem = (
        f"{p.practice} held its annual bloodborne pathogens training for the clinical staff on "
        f"{long_date(held)}, and {p.manager}, the office manager, files the training record. "
        "Under the OSHA Bloodborne Pathogens Standard, until what date does the practice "
        "have to keep this record?"
    )
    key = _date_choice(
        add_years(held, 3),
        f"Training records are kept for 3 years from the date of the training: 3 years after "
        f"{long_date(held)}.",
        None,
    )
    wrong = (
        _date_choice(
            add_years(held, 1),
            "One year is how often the training is repeated, not how long its record is kept.",
            "annual-retraining",
        ),
        _date_choice(
            add_years(held, 2),
            "Two years is how long time cards and wage records are kept under the FLSA, not "
            "how long a bloodborne pathogens training record is kept.",
            "time-card-retention",
        ),
        _date_choice(
            add_years(held, 5),
            "Five years is the retention of the OSHA injury and illness log, not of "
            "bloodborne pathogens training records.",
            "injury-log-retention",
        ),
        _date_choice(
            add_years(held, 6),
            "Six years is the HIPAA retention period for privacy and security documentation.",
            "hipaa-documentation",
        ),
        _date_choice(
            add_years(held, 30),
            "Thirty years applies to employees' medical records, counted from the end of "
            "employment.",
            "medical-record-retention",
        ),
    )
    return Scenario(
        family=OshaDeadlines.id,
        model="training-records",
        stem=stem,
        key=key,
        distractors=wrong,
        rules=("bbp-training-records",),
        steps=1,
        bloom="apply",
        variables={**p.__dict__, "held": held},
        ordered=True,
    )


def _medical(rng: random.Random, p: People) -> Scenario:
    hired = dt.date(rng.randint(2010, 2018), rng.randint(1, 12), rng.randint(1, 28))
    exposed = draw_date(rng, add_years(hired, 1), add_years(hired, 4))
    exposed = exposed.replace(day=min(exposed.day, 28))
    latest = min(add_years(exposed, 6), LAST_DAY)  # she has left by the time of the item
    left = draw_date(rng, add_years(exposed, 1), latest)
    left = left.replace(day=min(left.day, 28))
    name = first(p.employee)
    stem = (
        f"{p.employee} worked as a medical assistant with occupational exposure at "
        f"{p.practice} from {long_date(hired)} until {long_date(left)}. {name}'s medical "
        f"record holds the hepatitis B vaccination status and the evaluation of a "
        f"needlestick on {long_date(exposed)}. Under the OSHA Bloodborne Pathogens Standard, "
        "until what date does the practice have to keep this medical record?"
    )
    key = _date_choice(
        add_years(left, 30),
        f"Medical records are kept for the duration of employment plus 30 years: 30 years "
        f"after the last day, {long_date(left)}.",
        None,
    )
    wrong = (
        _date_choice(
            add_years(exposed, 30),
            "Counting from the needlestick leaves out the rest of the employment; the 30 "
            "years start when employment ends.",
            "counted-from-exposure",
        ),
        _date_choice(
            add_years(hired, 30),
            "Counting from the hire date leaves out the years worked; the 30 years start "
            "when employment ends.",
            "counted-from-hire",
        ),
        _date_choice(
            add_years(left, 30 + left.year - hired.year),
            f"That adds the {left.year - hired.year} years worked on top of 30 years after the "
            "last day; the duration of employment plus 30 years ends 30 years after "
            "employment ends.",
            "employment-counted-twice",
        ),
        _date_choice(
            add_years(left, 3),
            "Three years is the retention of training records, not of medical records.",
            "training-record-retention",
        ),
        _date_choice(
            dt.date(left.year + 30, 12, 31),
            "That runs to the end of the calendar year, the way the OSHA 300 Log's retention "
            "is counted; the medical record's 30 years run from the last day of employment.",
            "counted-to-year-end",
        ),
        _date_choice(
            add_years(left, 5),
            "Five years is the retention of the OSHA injury and illness log, not of "
            "employee medical records.",
            "injury-log-retention",
        ),
    )
    return Scenario(
        family=OshaDeadlines.id,
        model="medical-records",
        stem=stem,
        key=key,
        distractors=wrong,
        rules=("bbp-medical-records",),
        steps=2,
        bloom="analyze",
        variables={**p.__dict__, "hired": hired, "exposed": exposed, "left": left},
        ordered=True,
    )


class OshaDeadlines:
    """OSHA severe-injury report deadlines and bloodborne pathogens record retention."""

    id: str = "d8-osha-deadlines"
    domain: int = 8
    topic: str = "workplace safety (OSHA)"
    models: tuple[str, ...] = (
        "hospitalization-report",
        "fatality-report",
        "training-records",
        "medical-records",
    )
    rules: tuple[str, ...] = (
        "osha-report-hospitalization",
        "osha-report-fatality",
        "bbp-training-records",
        "bbp-medical-records",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One situation of `model`, its people and dates drawn with `rng`."""
        p = _people(rng)
        if model in ("hospitalization-report", "fatality-report"):
            return _report(rng, p, fatal=model == "fatality-report")
        if model == "training-records":
            return _training(rng, p)
        return _medical(rng, p)


FAMILIES = (OshaDeadlines(),)
