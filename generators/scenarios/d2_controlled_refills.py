"""Domain 2 family: federal refill rules for a named controlled substance, computed from dates.

Cognitive model (note d2-controlled-substances): the drug's DEA schedule comes first
(`dea-schedule-examples`); under federal (DEA) rules a Schedule III or IV prescription is
not filled or refilled more than six months after the date it was issued, nor refilled more
than five times, and the original fill is no refill (`dea-refills-iii-iv`); a Schedule II
prescription is never refilled, but the prescriber may issue several prescriptions, each
with its earliest fill date, for a total of up to a 90-day supply where the state allows
it (`dea-schedule-ii-multiple`). State law can be stricter, so every stem says "Under
federal (DEA) rules".

Item models:
- refills-left: a Schedule III or IV drug, the refills written and those dispensed; how
  many refills remain (the next refills all fall well inside the six months);
- refill-window: a Schedule III or IV drug issued, first filled a few days later and
  refilled since; the last date on which a refill can be dispensed;
- schedule-ii-supply: a Schedule II drug prescribed as separate prescriptions of a given
  days' supply; the most such prescriptions one visit can issue.

Variables: the drug (only those the note cites with the DEA list), the patient and the
prescriber; an issue date in 2026-2027 on day 1-28 of its month (so "six months later"
has one reading); refills written 1-5 and dispensed 0-4 (30-day supplies, a month apart);
a first fill 2-9 days after the issue date and 1-3 refills since; a days' supply of 20,
21, 28, 30 or 45 days (not 14, 15 or 18: their keys, 6 and 5, would equal the
Schedule III-IV misreadings).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, long_date, person, plural
from generators.scenarios.d2_figures import date_choice, distinct, plus_months, spread_ranks

REFILLABLE = (
    ("Tylenol with codeine", "III"),
    ("testosterone", "III"),
    ("alprazolam (Xanax)", "IV"),
    ("diazepam (Valium)", "IV"),
    ("tramadol", "IV"),
)
SCHEDULE_II = (
    ("methylphenidate (Ritalin)", "ADHD"),
    ("oxycodone (OxyContin)", "chronic pain"),
)
SUPPLIES = (20, 21, 28, 30, 45)
# (refills written, refills dispensed so far), every pair equally likely
REFILL_COUNTS = tuple((w, u) for w in range(1, 6) for u in range(w))
FIRST_ISSUE, LAST_ISSUE = dt.date(2026, 1, 2), dt.date(2027, 12, 28)
FEDERAL = "Under federal (DEA) rules"


def _issue_date(rng: random.Random) -> dt.date:
    while True:
        day = draw_date(rng, FIRST_ISSUE, LAST_ISSUE)
        if day.day <= 28:
            return day


def _people(rng: random.Random) -> tuple[str, str]:
    patient = person(rng)
    clinician = rng.choice([c for c in CLINICIANS if not c.endswith(patient.split()[-1])])
    return patient, clinician


def _count(value: int, why: str, misconception: str | None) -> Choice:
    return Choice(str(value), why, misconception, float(value))


class ControlledRefills:
    """Federal refill limits for a named controlled drug, from its schedule and the dates."""

    id: str = "d2-controlled-substance-refills"
    domain: int = 2
    topic: str = "pharmacology basics"
    models: tuple[str, ...] = ("refills-left", "refill-window", "schedule-ii-supply")
    rules: tuple[str, ...] = (
        "dea-schedule-examples",
        "dea-refills-iii-iv",
        "dea-schedule-ii-multiple",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One prescription of `model`, drawn with `rng`."""
        if model == "refills-left":
            return self._refills_left(rng)
        if model == "refill-window":
            return self._refill_window(rng)
        if model == "schedule-ii-supply":
            return self._schedule_ii(rng)
        raise ValueError(f"unknown item model {model!r}")

    def _refills_left(self, rng: random.Random) -> Scenario:
        drug, schedule = rng.choice(REFILLABLE)
        patient, clinician = _people(rng)
        issued = _issue_date(rng)
        written, used = rng.choice(REFILL_COUNTS)
        called = issued + dt.timedelta(days=30 * (used + 1) - rng.randint(0, 3))
        key = written - used
        since = (
            f"has dispensed {plural(used, 'refill')} since"
            if used
            else "has dispensed no refill yet"
        )
        stem = (
            f"On {long_date(called)}, {patient} calls {clinician}'s office to ask how many "
            f"refills are left on a prescription for {drug}, a 30-day supply. {clinician} "
            f"issued it on {long_date(issued)} with {plural(written, 'refill')}; the pharmacy "
            f"filled it that day and {since}. {FEDERAL}, how many refills remain?"
        )
        key_why = (
            f"{drug[0].upper()}{drug[1:]} is a Schedule {schedule} drug, so the "
            f"{plural(written, 'refill')} written can be used within six months of issue: "
            f"{written} - {used} = {key}."
        )
        wrong = [
            _count(
                key - 1,
                f"{key - 1} counts the original fill as one of the refills; the first fill "
                "is not a refill.",
                "original-fill-counted",
            ),
            _count(
                key + 1,
                f"{key + 1} adds the original fill to the refills left; it was dispensed on "
                f"{long_date(issued)}.",
                "original-fill-still-due",
            ),
            _count(
                5 - used,
                f"{5 - used} starts from the federal maximum of five refills; only the "
                f"{plural(written, 'refill')} {clinician} wrote can be "
                "dispensed.",
                "federal-maximum-as-written",
            ),
            _count(
                written,
                f"{written} leaves out the {plural(used, 'refill')} already dispensed.",
                "used-refills-ignored",
            ),
            _count(
                0,
                f"0 applies the Schedule II rule; {drug} is in Schedule {schedule}, whose "
                "refills are allowed as written within six months.",
                "schedule-ii-rule",
            ),
        ]
        scenario = Scenario(
            family=self.id,
            model="refills-left",
            stem=stem,
            key=_count(key, key_why, None),
            distractors=tuple(c for c in wrong if c.value is not None and c.value >= 0),
            rules=("dea-schedule-examples", "dea-refills-iii-iv"),
            steps=2,
            bloom="analyze",
            variables={
                "drug": drug,
                "issued": issued,
                "called": called,
                "written": written,
                "used": used,
            },
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario))

    def _refill_window(self, rng: random.Random) -> Scenario:
        drug, schedule = rng.choice(REFILLABLE)
        patient, clinician = _people(rng)
        issued = _issue_date(rng)
        filled = issued + dt.timedelta(days=rng.randint(2, 9))
        used = rng.randint(1, 3)
        written = rng.randint(used + 1, 5)
        latest = filled + dt.timedelta(days=30 * used)
        last = plus_months(issued, 6)
        stem = (
            f"{clinician} issued a prescription for {drug}, a 30-day supply, to {patient} on "
            f"{long_date(issued)} with {plural(written, 'refill')}. The pharmacy first "
            f"filled it on {long_date(filled)} and dispensed the latest refill on "
            f"{long_date(latest)}. {FEDERAL}, what is the last date on which the pharmacy "
            "can dispense a refill of this prescription?"
        )
        key_why = (
            f"{drug[0].upper()}{drug[1:]} is a Schedule {schedule} drug, and no fill comes "
            f"more than six months after the date issued: {long_date(issued)} plus six "
            f"months is {long_date(last)}."
        )
        from_fill, from_latest = plus_months(filled, 6), plus_months(latest, 6)
        ninety, year = issued + dt.timedelta(days=90), plus_months(issued, 12)
        month = issued + dt.timedelta(days=30)
        wrong = (
            date_choice(
                from_fill,
                f"{long_date(from_fill)} counts six months from the first fill; they run "
                "from the date the prescription was issued.",
                "from-first-fill",
                issued,
            ),
            date_choice(
                from_latest,
                f"{long_date(from_latest)} counts six months from the latest refill; they run "
                "from the date the prescription was issued.",
                "from-latest-refill",
                issued,
            ),
            date_choice(
                ninety,
                f"{long_date(ninety)} applies the 90-day total supply of the Schedule II "
                "multiple-prescription rule; Schedule III and IV refills have six months.",
                "schedule-ii-90-days",
                issued,
            ),
            date_choice(
                year,
                f"{long_date(year)} applies a one-year limit; federal rules give Schedule "
                "III and IV prescriptions six months from the date issued.",
                "one-year-limit",
                issued,
            ),
            date_choice(
                month,
                f"{long_date(month)} ends with the first 30-day supply; the refills written "
                "can be dispensed for six months from the date issued.",
                "days-supply-as-window",
                issued,
            ),
        )
        scenario = Scenario(
            family=self.id,
            model="refill-window",
            stem=stem,
            key=date_choice(last, key_why, None, issued),
            distractors=wrong,
            rules=("dea-schedule-examples", "dea-refills-iii-iv"),
            steps=2,
            bloom="analyze",
            variables={
                "drug": drug,
                "issued": issued,
                "filled": filled,
                "latest": latest,
                "written": written,
            },
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario))

    def _schedule_ii(self, rng: random.Random) -> Scenario:
        drug, condition = rng.choice(SCHEDULE_II)
        patient, clinician = _people(rng)
        days = rng.choice(SUPPLIES)
        key = 90 // days
        stem = (
            f"{clinician} treats {patient} for {condition} with {drug} and plans to issue "
            f"separate prescriptions at one visit, each for a {days}-day supply with the "
            f"earliest fill date written on it; the state permits this. {FEDERAL}, what is "
            f"the largest number of such prescriptions {clinician} can issue at that visit?"
        )
        key_why = (
            f"{drug[0].upper()}{drug[1:]} is a Schedule II drug, which cannot be refilled, "
            f"but separate prescriptions can total up to a 90-day supply: {key} x {days} = "
            f"{key * days} days, and one more would pass 90."
        )
        rounded = -(-90 // days)
        wrong = (
            _count(
                rounded,
                f"{rounded} rounds 90 / {days} up, for {rounded * days} days; the total "
                "stays within a 90-day supply.",
                "rounded-up",
            ),
            _count(
                6,
                "6 counts one prescription and five refills, the Schedule III and IV limit; "
                f"{drug} is in Schedule II.",
                "schedule-iii-iv-refills",
            ),
            _count(
                180 // days,
                f"{180 // days} covers six months, the Schedule III and IV window; the "
                "Schedule II limit is a 90-day supply.",
                "six-month-window",
            ),
            _count(
                5,
                "5 is the number of refills a Schedule III or IV prescription can carry; "
                f"{drug} is in Schedule II.",
                "five-refills",
            ),
            _count(
                1,
                "1 forgets that federal rules let the prescriber issue several dated "
                "Schedule II prescriptions at once.",
                "single-prescription",
            ),
        )
        scenario = Scenario(
            family=self.id,
            model="schedule-ii-supply",
            stem=stem,
            key=_count(key, key_why, None),
            distractors=wrong,
            rules=("dea-schedule-examples", "dea-schedule-ii-multiple"),
            steps=2,
            bloom="analyze",
            variables={"drug": drug, "days": days},
            ordered=True,
        )
        return spread_ranks(rng, distinct(scenario))


FAMILIES = (ControlledRefills(),)
