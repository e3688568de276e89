"""Domain 4 family: HIPAA breach notification: who is told, and by which date.

Cognitive model (note d4-breach-notification, 45 CFR 164.404-408): each affected person
is notified no later than 60 calendar days after discovery (`breach-notice-to-
individuals`); more than 500 residents of one State also means notice to that State's
media within the same 60 days (`breach-notice-to-media`); 500 or more individuals means
HHS is notified at the same time (`breach-report-500-or-more`), fewer than 500 means an
annual report no later than 60 days after the end of the calendar year of discovery
(`breach-report-under-500`).

Item models:
- individual-deadline: PHI of a few hundred patients is exposed on one date and the
  breach discovered later; the key is discovery + 60 days.
- annual-report-deadline: a breach of fewer than 500 is logged; the key is December 31
  of the discovery year + 60 days (March 1, or February 29 in a leap year).
- who-is-notified: the count of affected patients by State decides HHS timing and media
  notice (exactly 500 in one State is not "more than 500").

Variables: breach date 2026-01-05 to 2030-10-15, discovered 3-40 days later; incident
(5 kinds, all unsecured PHI with no low-probability finding); patients affected 20-480
for the deadline models; for who-is-notified, totals of 120-480, 500-990 with no State
above 500, 500 in one State exactly, or 560-900 in one State plus 40-300 in another;
two neighboring States (5 pairs); practice and privacy officer (common.person,
common.CLINICIANS).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, long_date, person

INCIDENTS = (
    "an unencrypted laptop holding the records of {n} patients was stolen from an employee's car",
    "a spreadsheet with the names, diagnoses and insurance numbers of {n} patients was "
    "e-mailed to the wrong outside address",
    "a box of paper charts for {n} patients was left in an unlocked recycling bin behind "
    "the office",
    "an unencrypted flash drive with the billing records of {n} patients went missing",
    "a former employee's login was used to view the records of {n} patients",
)
STATES = (
    ("Ohio", "Indiana"),
    ("Oregon", "Washington"),
    ("Kansas", "Missouri"),
    ("Vermont", "New Hampshire"),
    ("Georgia", "Alabama"),
)
SIXTY = dt.timedelta(days=60)


def _dates(rng: random.Random, months: tuple[int, int] = (1, 10)) -> tuple[dt.date, dt.date]:
    year = rng.randrange(2026, 2031)
    occurred = draw_date(rng, dt.date(year, months[0], 5), dt.date(year, months[1], 15))
    return occurred, occurred + dt.timedelta(days=rng.randrange(3, 41))


def _date_choices(key: Choice, wrong: list[Choice]) -> tuple[Choice, tuple[Choice, ...]]:
    """Distractor dates that differ from the key and from each other."""
    seen = {key.value}
    kept = []
    for c in wrong:
        if c.value not in seen:
            seen.add(c.value)
            kept.append(c)
    return key, tuple(kept)


def _choice(day: dt.date, why: str, misconception: str | None = None) -> Choice:
    return Choice(long_date(day), why, misconception, float(day.toordinal()))


def _setting(
    rng: random.Random, n: int, months: tuple[int, int] = (1, 10)
) -> tuple[str, dt.date, dt.date]:
    clinician, officer = rng.choice(CLINICIANS), person(rng)
    occurred, discovered = _dates(rng, months)
    incident = rng.choice(INCIDENTS).format(n=n)
    text = (
        # Discovery is when anyone in the workforce first knew (45 CFR 164.404(a)(2)), so
        # the stem says the practice first learned of it then, not only its officer.
        f"On {long_date(occurred)}, at {clinician}'s practice, {incident}. The practice "
        f"first learned of it on {long_date(discovered)}, when the privacy officer, "
        f"{officer}, was told, and the practice's "
        "risk assessment gave no basis for finding a low probability that the PHI was "
        "compromised."
    )
    return text, occurred, discovered


def _individual(rng: random.Random) -> Scenario:
    n = rng.randrange(20, 481)
    text, occurred, discovered = _setting(rng, n)
    year_end = dt.date(discovered.year, 12, 31)
    wrong = [
        _choice(
            occurred + SIXTY,
            "That counts from the day of the incident; the 60 days run from the day the "
            "breach was discovered.",
            "counted-from-incident",
        ),
        _choice(
            discovered + dt.timedelta(days=30),
            "Thirty days is the clock for a patient's access request; breach notice has up "
            "to 60 calendar days from discovery.",
            "thirty-day-clock",
        ),
        _choice(
            year_end + SIXTY,
            "That is the deadline for the annual report of small breaches to HHS; the "
            "patients themselves are told within 60 days of discovery.",
            "annual-report-date",
        ),
        _choice(
            discovered + dt.timedelta(days=90),
            "Ninety days is how long a substitute notice stays on a website; the individual "
            "notices are due within 60 days.",
            "ninety-day-posting",
        ),
    ]
    key, distractors = _date_choices(
        _choice(
            discovered + SIXTY,
            f"Notice is due without unreasonable delay and no later than 60 calendar days "
            f"after discovery: {long_date(discovered)} + 60 days = "
            f"{long_date(discovered + SIXTY)}.",
        ),
        wrong,
    )
    return Scenario(
        family=BreachNotification.id,
        model="individual-deadline",
        stem=(
            f"{text} Under the HIPAA Breach Notification Rule, what is the latest date by "
            "which the affected patients must be notified?"
        ),
        key=key,
        distractors=distractors,
        rules=("breach-notice-to-individuals",),
        steps=2,
        bloom="apply",
        variables={"n": n, "occurred": occurred, "discovered": discovered},
        ordered=True,
    )


def _annual(rng: random.Random) -> Scenario:
    n = rng.randrange(20, 481)
    # April to October, so no stem date shares a month name with the key (March 1).
    text, occurred, discovered = _setting(rng, n, (4, 10))
    year_end = dt.date(discovered.year, 12, 31)
    wrong = [
        _choice(
            discovered + SIXTY,
            f"Sixty days after discovery is the HHS deadline for a breach of 500 or more; "
            f"with {n} patients the report may wait for the annual log.",
            "large-breach-timing",
        ),
        _choice(
            year_end,
            "The report is due 60 days after the end of the calendar year, not on its last day.",
            "year-end-itself",
        ),
        _choice(
            year_end + dt.timedelta(days=30),
            "That allows 30 days after the year ends; the rule gives 60.",
            "thirty-days-after-year-end",
        ),
        _choice(
            discovered + dt.timedelta(days=365),
            "The annual report is tied to the calendar year of discovery, not to a year "
            "after the breach was found.",
            "one-year-after-discovery",
        ),
    ]
    key, distractors = _date_choices(
        _choice(
            year_end + SIXTY,
            f"A breach of fewer than 500 is reported no later than 60 days after the end of "
            f"the calendar year of discovery: {long_date(year_end)} + 60 days = "
            f"{long_date(year_end + SIXTY)}.",
        ),
        wrong,
    )
    return Scenario(
        family=BreachNotification.id,
        model="annual-report-deadline",
        stem=(
            f"{text} The practice notified the patients within two weeks and logged the breach. "
            "Under the HIPAA Breach Notification Rule, what is the latest date for reporting it "
            "to the Secretary of HHS?"
        ),
        key=key,
        distractors=distractors,
        rules=("breach-report-under-500",),
        steps=2,
        bloom="apply",
        variables={"n": n, "occurred": occurred, "discovered": discovered},
        ordered=True,
    )


def who_is_told(counts: dict[str, int]) -> tuple[bool, list[str]]:
    """HHS within 60 days (True) or in the annual report, and the States whose media are told."""
    return sum(counts.values()) >= 500, [s for s, k in counts.items() if k > 500]


def _who(rng: random.Random) -> Scenario:
    home, other = rng.choice(STATES)
    case = rng.choice(("small", "large-no-media", "exactly-500", "media"))
    if case == "small":
        first = rng.randrange(100, 400)
        counts = {home: first, other: rng.randrange(20, 481 - first)}
    elif case == "large-no-media":
        first = rng.randrange(300, 501)
        counts = {home: first, other: rng.randrange(max(20, 500 - first), 491)}
    elif case == "exactly-500":
        counts = {home: 500, other: 0}
    else:
        counts = {home: rng.randrange(560, 901), other: rng.randrange(40, 301)}
    hhs_now, media = who_is_told(counts)
    total = sum(counts.values())
    where = (
        f"all {total} live in {home}"
        if counts[other] == 0
        else f"{counts[home]} live in {home} and {counts[other]} in {other}"
    )
    texts = {
        "hhs-media": f"HHS and {home} media, within 60 days of discovery",
        "hhs-only": "HHS within 60 days of discovery; no media notice",
        "annual": "HHS within 60 days after the year ends; no media notice",
        "media-both": f"HHS and media in {home} and {other}, within 60 days",
    }
    why = {
        "hhs-media": f"Media notice needs more than 500 residents of one State; {home} has "
        f"{counts[home]}.",
        "hhs-only": f"{home} has {counts[home]} affected residents, more than 500, so its "
        "media are told as well.",
        "annual": f"{total} affected is 500 or more, so HHS is told within 60 days, not in "
        "the annual log.",
        "media-both": f"Only a State with more than 500 affected residents gets media "
        f"notice; {other} has {counts[other]}.",
    }
    key_name = "annual" if not hhs_now else ("hhs-media" if media else "hhs-only")
    if key_name == "annual":
        why["hhs-only"] = f"With {total} affected, fewer than 500, HHS is told in the annual log."
        why["hhs-media"] = (
            f"With {total} affected, no State has more than 500, and HHS waits for the annual log."
        )
        why["media-both"] = why["hhs-media"]
    misconception = {
        "hhs-media": "media-at-500" if key_name == "hhs-only" else "media-for-small-breach",
        "hhs-only": "missed-media-notice" if key_name == "hhs-media" else "small-breach-as-large",
        "annual": "large-breach-as-small",
        "media-both": "media-in-every-state",
    }
    key_why = {
        "annual": f"{total} affected is fewer than 500, so HHS is told in the report due 60 "
        "days after the calendar year, and no State has more than 500 residents affected.",
        "hhs-only": f"{total} affected is 500 or more, so HHS is told with the patients "
        "within 60 days; no State has more than 500 residents affected, so no media notice.",
        "hhs-media": f"{total} affected means HHS within 60 days, and {counts[home]} "
        f"residents of {home} is more than 500, so {home} media are told too.",
    }[key_name]
    order: tuple[str, ...] = {
        "annual": ("hhs-only", "hhs-media", "media-both"),
        "hhs-only": ("hhs-media", "annual", "media-both"),
        "hhs-media": ("hhs-only", "media-both", "annual"),
    }[key_name]
    if counts[other] == 0:
        order = tuple(o for o in order if o != "media-both")
        texts["media-both"] = ""
    wrong = [Choice(texts[o], why[o], misconception[o]) for o in order]
    if len(wrong) < 3:
        wrong.append(
            Choice(
                f"{home} media within 60 days; HHS after the year ends",
                f"{total} affected is 500 or more, so HHS is told within 60 days; and "
                f"{counts[home]} residents is not more than 500, so no media notice.",
                "thresholds-swapped",
            )
        )
    rules = ["breach-notice-to-media"]
    rules.insert(0, "breach-report-500-or-more" if hhs_now else "breach-report-under-500")
    return Scenario(
        family=BreachNotification.id,
        model="who-is-notified",
        stem=(
            f"A breach of unsecured PHI at a medical practice affects {total} patients: "
            f"{where}. Under the HIPAA Breach Notification Rule (state laws can add notices), "
            "besides notifying each patient, whom else must the practice notify, and when?"
        ),
        key=Choice(texts[key_name], key_why),
        distractors=tuple(wrong),
        rules=tuple(rules),
        steps=2,
        bloom="analyze",
        variables={"counts": counts, "case": case},
    )


class BreachNotification:
    """Breach notification under 45 CFR 164.404-408: deadlines and recipients."""

    id = "d4-breach-notification"
    domain = 4
    topic = "confidentiality and HIPAA privacy"
    models: tuple[str, ...] = ("individual-deadline", "annual-report-deadline", "who-is-notified")
    rules: tuple[str, ...] = (
        "breach-notice-to-individuals",
        "breach-notice-to-media",
        "breach-report-500-or-more",
        "breach-report-under-500",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One breach of `model`, its dates and counts drawn with `rng`."""
        if model == "individual-deadline":
            return _individual(rng)
        if model == "annual-report-deadline":
            return _annual(rng)
        return _who(rng)


FAMILIES = (BreachNotification(),)
