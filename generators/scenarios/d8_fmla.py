"""Domain 8 family: whether an employee of a covered practice is eligible for FMLA leave.

Cognitive model (note d8-employment-law): under the federal FMLA an employee of a covered
employer is eligible when all three tests are met on the day the leave starts: 12 months
of employment (`fmla-12-months`), 1,250 hours worked in the 12 months before the leave
(`fmla-1250-hours`), and 50 or more of the employer's employees within 75 miles of the
worksite (`fmla-50-within-75-miles`). The candidate checks each test against the facts.

Item models, each a leave request the office manager answers (exactly one test fails, or
none):
- eligible: every test is met (part-time hours that still reach 1,250 included);
- short-hours: a part-time schedule of 15-24 hours a week, under 1,250 hours a year;
- short-tenure: full-time, but hired 8-10 months before the leave;
- worksite: fewer than 50 employees within 75 miles, though the practice has 50 or more.

Variables: the employee, job, practice and reason (each an FMLA-qualifying reason); the
hire date and the leave start (2026-2027); weekly hours worked with no time off (15-40);
employees at the employee's office (20-90) and at a branch (0-60) 20-70 miles away (or
90-250 miles for the worksite model). The practice always has 50 or more employees all
year, so it is a covered employer and the question is the employee's eligibility.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import draw_date, first, long_date, person
from generators.scenarios.d8_calendar import add_years

JOBS = ("billing specialist", "medical receptionist", "medical assistant", "coding specialist")
PRACTICES = (
    "Lakeside Medical Group", "Valley Orthopedic Associates", "Greenfield Family Health",
    "Bayview Multispecialty Clinic", "Oak Ridge Primary Care",
)  # fmt: skip
REASONS = (
    "care for a parent recovering from heart surgery",
    "care for a spouse during cancer treatment",
    "recover from knee replacement surgery",
    "bond with a newborn child",
)
PART_TIME = 35  # hours a week below which the stem calls the job part-time


@dataclass(frozen=True)
class Request:
    """One drawn leave request and the facts of the three eligibility tests."""

    name: str
    job: str
    practice: str
    reason: str
    hired: dt.date
    leave: dt.date
    weekly: int
    at_office: int
    at_branch: int
    branch_miles: int

    @property
    def months_met(self) -> bool:
        """12 months of employment by the day the leave starts."""
        return self.leave >= add_years(self.hired, 1)

    @property
    def hours(self) -> int:
        """Hours worked in the 12 months before the leave (52 weeks at most)."""
        weeks = min(52, (self.leave - self.hired).days // 7)
        return self.weekly * weeks

    @property
    def within_75(self) -> int:
        """The employer's employees within 75 miles of the worksite."""
        return self.at_office + (self.at_branch if self.branch_miles <= 75 else 0)


def _request(rng: random.Random, model: str) -> Request:
    leave = draw_date(rng, dt.date(2026, 3, 2), dt.date(2027, 11, 26))
    tenure_days = rng.randint(245, 300) if model == "short-tenure" else rng.randint(430, 1800)
    weekly = {
        "short-hours": rng.randint(15, 24),
        "short-tenure": rng.randint(38, 40),
    }.get(model, rng.randint(26, 40))
    if model == "worksite":
        at_office = rng.randint(20, 45)
        at_branch = rng.randint(max(15, 50 - at_office), 60)
        miles = rng.randint(90, 250)
    elif rng.random() < 0.5:
        at_office, at_branch, miles = rng.randint(50, 90), 0, 0
    else:
        at_office = rng.randint(20, 45)
        at_branch = rng.randint(max(15, 50 - at_office), 60)
        miles = rng.randint(20, 70)
    return Request(
        person(rng), rng.choice(JOBS), rng.choice(PRACTICES), rng.choice(REASONS),
        leave - dt.timedelta(days=tenure_days), leave, weekly, at_office, at_branch, miles,
    )  # fmt: skip


def _cap(text: str) -> str:
    """The sentence with its first letter in capitals (dates and names kept as written)."""
    return text[:1].upper() + text[1:]


def _stem(r: Request) -> str:
    name = first(r.name)
    article = "an" if r.job[0] in "aeiou" else "a"
    schedule = "part-time " if r.weekly < PART_TIME else ""
    staff = (
        f"all of them at the office where {name} works"
        if not r.at_branch
        else f"{r.at_office} at the office where {name} works and {r.at_branch} at a branch "
        f"office {r.branch_miles} miles away"
    )
    return (
        f"{r.name} was hired as {article} {schedule}{r.job} at {r.practice} on "
        f"{long_date(r.hired)} and has worked exactly {r.weekly} hours every week since, with "
        f"no time off. {name} asks for leave starting {long_date(r.leave)} to {r.reason}. "
        f"The practice has had {r.at_office + r.at_branch} people on its payroll all year: "
        f"{staff}. "
        f"Under the federal FMLA, what is {name}'s eligibility for this leave?"
    )


def _choices(r: Request) -> tuple[Choice, tuple[Choice, ...]]:
    """Every answer option, the key being the one the three tests give."""
    hours, within = r.hours, r.within_75
    months_why = (
        f"{long_date(r.hired)} to {long_date(r.leave)} is at least 12 months"
        if r.months_met
        else f"{long_date(r.hired)} to {long_date(r.leave)} is less than 12 months"
    )
    hours_why = f"{r.weekly} hours a week comes to {hours:,} hours in the 12 months before it"
    site_why = f"{within} employees work within 75 miles"
    options = {
        "eligible": Choice(
            "Eligible: each of the three tests is met",
            f"Each test is met: {months_why}, {hours_why}, and {site_why}.",
        ),
        "short-hours": Choice(
            "Not eligible: under 1,250 hours in the past 12 months",
            f"{_cap(hours_why)}, "
            + ("short of 1,250." if hours < 1250 else "at least 1,250, so the hours test is met."),
        ),
        "short-tenure": Choice(
            "Not eligible: under 12 months of employment",
            f"{_cap(months_why)}"
            + (", so the 12-month test is met." if r.months_met else ", so the test fails."),
        ),
        "worksite": Choice(
            "Not eligible: under 50 employees within 75 miles of the worksite",
            f"{_cap(site_why)}"
            + (
                f", short of 50: the branch {r.branch_miles} miles away does not count."
                if within < 50
                else ", so the worksite test is met."
            ),
        ),
        "reason": Choice(
            "Not eligible: the reason for the leave is outside the FMLA",
            f"The FMLA covers leave to {r.reason}; the reason is not what decides this case.",
        ),
    }
    if r.weekly < PART_TIME:
        options["part-time"] = Choice(
            "Not eligible: part-time employees are outside the FMLA",
            "Part-time employees are eligible when they meet the tests; the schedule matters "
            "only through the 1,250-hour test.",
        )
    failing = [
        test
        for test, met in (
            ("short-tenure", r.months_met),
            ("short-hours", hours >= 1250),
            ("worksite", within >= 50),
        )
        if not met
    ]
    assert len(failing) <= 1, failing  # the draw keeps one answer defensible
    key_id = failing[0] if failing else "eligible"
    key = options.pop(key_id)
    if key_id != "eligible":  # the key names the failed test; say why the others pass
        key = Choice(key.text, _failed_why(r, key_id), None)
        text = options["eligible"].text
        if key_id == "worksite":  # the lure: every name on the payroll counted
            text = "Eligible: the 75-mile worksite test counts the whole payroll"
        elif key_id == "short-hours":  # the lure: a slip in weekly hours x 52
            text = "Eligible: the hours worked over the year reach 1,250"
        options["eligible"] = Choice(text, f"One test fails. {_failed_why(r, key_id)}", None)
    misconceptions = {
        "eligible": "overlooked-failed-test",
        "short-hours": "misread-hours-test",
        "short-tenure": "misread-service-test",
        "worksite": "counted-distant-employees" if r.at_branch else "misread-worksite-test",
        "reason": "reason-not-qualifying",
        "part-time": "part-time-excluded",
    }
    # most plausible first: the tests a hasty reader gets wrong, then the myths
    order = ["eligible", "short-hours", "worksite", "short-tenure", "part-time", "reason"]
    wrong = tuple(
        Choice(options[k].text, options[k].why, misconceptions[k]) for k in order if k in options
    )
    return key, wrong


def _failed_why(r: Request, test: str) -> str:
    if test == "short-hours":
        return (
            f"{r.weekly} hours a week for the 52 weeks before the leave is {r.hours:,} hours, "
            "short of the 1,250 the FMLA asks for; the other two tests are met."
        )
    if test == "short-tenure":
        return (
            f"{long_date(r.hired)} to {long_date(r.leave)} is less than 12 months of "
            f"employment, although the {r.hours:,} hours worked pass the hours test."
        )
    return (
        f"Only the {r.at_office} employees at {first(r.name)}'s office are within 75 miles; "
        f"the {r.at_branch} at the branch {r.branch_miles} miles away do not count, though "
        "they make the practice a covered employer."
    )


class FmlaEligibility:
    """FMLA eligibility of an employee of a covered practice: service, hours, worksite."""

    id: str = "d8-fmla-eligibility"
    domain: int = 8
    topic: str = "human resources and employment law"
    models: tuple[str, ...] = ("eligible", "short-hours", "short-tenure", "worksite")
    rules: tuple[str, ...] = ("fmla-12-months", "fmla-1250-hours", "fmla-50-within-75-miles")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One leave request of `model`, its dates, hours and headcounts drawn with `rng`."""
        r = _request(rng, model)
        key, wrong = _choices(r)
        return Scenario(
            family=self.id,
            model=model,
            stem=_stem(r),
            key=key,
            distractors=wrong,
            rules=self.rules,
            steps=3,
            bloom="analyze",
            variables={**r.__dict__},
        )


FAMILIES = (FmlaEligibility(),)
