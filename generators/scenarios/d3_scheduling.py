"""Domain 3 family: booking patients under a scheduling method, and missed appointments.

Cognitive model (note d3-appointment-scheduling): each method fills slots its own way
(`stream-scheduling`, `wave-scheduling`, `modified-wave-scheduling`,
`cluster-scheduling`, `double-booking`, `open-office-hours`); the matrix blocks the
provider's unavailable time before anyone is booked (`scheduling-matrix`); a no-show or
a cancellation goes into the patient's medical record (`no-show-documented`).

Item models:
- method-from-practice: a practice's booking pattern; the key names the method.
- wave-count: patients booked in a morning under wave scheduling (waves on the hour,
  none at the closing time).
- modified-wave-count: the same under modified wave scheduling (some on the hour, some
  at half past).
- stream-open-slots: 15-minute stream slots left after the matrix block and a 30-minute
  new-patient visit.
- missed-or-cancelled: a no-show or a same-day cancellation; the key records it in the
  medical record.

Variables: clinician (common.CLINICIANS), patient (common.person); method (6); wave size
3-4; modified wave 2-3 on the hour and 1-2 at half past; sessions 8:00-12:00,
9:00-12:00, 1:00-4:00, 1:00-5:00 and 2:00-5:00; stream session 2-3 hours from 8, 9 or
1 o'clock, block of 30-60 minutes (a staff meeting, hospital rounds, a phone
conference) starting at least 30 minutes in; visit date in 2027, hour 8-16.
"""

from __future__ import annotations

import random
from dataclasses import replace

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, first, person, plural

# method: (name, what the practice does, its rule, what the method is)
METHODS = {
    "stream": (
        "Stream scheduling",
        "gives every patient a specific appointment time, allowing 15 minutes for a "
        "recheck, 30 minutes for a new patient and 45 minutes for a physical exam",
        "stream-scheduling",
        "Stream scheduling gives each patient a set time sized to the reason for the visit.",
    ),
    "wave": (
        "Wave scheduling",
        "has {n} patients booked at 9:00, {n} more at 10:00 and {n} at 11:00, and sees "
        "each group in the order its patients arrive",
        "wave-scheduling",
        "Wave scheduling books several patients at the start of each hour, seen in "
        "order of arrival.",
    ),
    "modified": (
        "Modified wave scheduling",
        "has three patients booked at 9:00 and one at 9:30, three at 10:00 and one at "
        "10:30, and so on through the morning",
        "modified-wave-scheduling",
        "Modified wave scheduling books some patients on the hour and others at set "
        "points later in the hour.",
    ),
    "cluster": (
        "Cluster scheduling",
        "keeps Tuesday mornings for immunizations and Thursday afternoons for physical "
        "exams, and fills each block with those visits",
        "cluster-scheduling",
        "Cluster scheduling groups similar visits into set blocks of time.",
    ),
    "double": (
        "Double booking",
        "agrees to see two patients, each needing a brief blood pressure recheck, in the "
        "same 2:15 p.m. slot",
        "double-booking",
        "Double booking puts two patients into one slot with the same provider.",
    ),
    "open": (
        "Open office hours",
        "runs a walk-in clinic from 8:00 to 10:00 a.m. each weekday, seeing patients "
        "without appointments in the order they arrive",
        "open-office-hours",
        "Open office hours see walk-in patients without appointments in order of arrival.",
    ),
}
# The distractors for each key, most plausible first; a method arguably also true of the
# pattern (double booking beside a wave) is left out.
CONFUSIONS = {
    "stream": ("modified", "cluster", "wave", "open"),
    "wave": ("modified", "open", "stream", "cluster"),
    "modified": ("wave", "stream", "cluster", "open"),
    "cluster": ("stream", "modified", "wave", "double"),
    "double": ("wave", "modified", "stream", "cluster"),
    "open": ("wave", "modified", "stream", "cluster"),
}
SESSIONS = ((8, 12), (9, 12), (13, 16), (13, 17), (14, 17))
BLOCKS = ("a staff meeting", "hospital rounds", "a phone conference")
REASONS = ("a blood pressure recheck", "a diabetes follow-up", "an annual physical")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _clock(hour: int, minute: int = 0) -> str:
    """A 24-hour time as a schedule writes it: "9:00 a.m.", "noon", "1:30 p.m."."""
    if (hour, minute) == (12, 0):
        return "noon"
    return f"{hour % 12 or 12}:{minute:02d} {'a.m.' if hour < 12 else 'p.m.'}"


def _count_choices(
    key: Choice, wrong: list[Choice], unit: str
) -> tuple[Choice, tuple[Choice, ...]]:
    """Key and distractors as "12 patients", distinct positive values only."""
    seen = {key.value}
    kept = []
    for c in wrong:
        if c.value is not None and c.value > 0 and c.value not in seen:
            seen.add(c.value)
            kept.append(c)

    def label(c: Choice) -> Choice:
        return replace(c, text=plural(int(c.value or 0), unit))

    return label(key), tuple(label(c) for c in kept)


def _method(rng: random.Random) -> Scenario:
    method = rng.choice(sorted(METHODS))
    name, practice, rule, fits = METHODS[method]
    clinician, n = rng.choice(CLINICIANS), rng.randrange(3, 5)
    stem = f"{clinician} {practice.format(n=n)}. Which scheduling method is this?"
    wrong = tuple(
        Choice(
            METHODS[other][0],
            f"{METHODS[other][3]} The pattern described is {name[0].lower() + name[1:]}.",
            f"confused-with-{other}",
        )
        for other in CONFUSIONS[method]
    )
    return Scenario(
        family=Scheduling.id,
        model="method-from-practice",
        stem=stem,
        key=Choice(name, f"{fits} That is the pattern described."),
        distractors=wrong,
        rules=(rule,),
        steps=1,
        bloom="apply",
        variables={"clinician": clinician, "method": method, "n": n},
    )


def _wave(rng: random.Random, modified: bool) -> Scenario:
    clinician = rng.choice(CLINICIANS)
    start, end = rng.choice(SESSIONS)
    hours = end - start
    on_hour, half = rng.randrange(2, 4), rng.randrange(1, 3)
    if modified:
        pattern = (
            f"the office uses modified wave scheduling, booking {plural(on_hour, 'patient')} "
            f"at the top of each hour and {plural(half, 'patient')} at half past"
        )
        per_hour = on_hour + half
    else:
        on_hour = rng.randrange(3, 5)
        pattern = (
            "the office uses wave scheduling, booking "
            f"{plural(on_hour, 'patient')} at the start of each hour"
        )
        per_hour, half = on_hour, 0
    stem = (
        f"{clinician} sees patients from {_clock(start)} until the office closes at "
        f"{_clock(end)}, and {pattern}, from {_clock(start)} on. How many patients are "
        "booked for the session?"
    )
    total = per_hour * hours
    wrong = [
        Choice(
            "",
            f"That count adds a group at {_clock(end)}, when the session ends; the last "
            f"group goes at {_clock(end - 1)}, an hour before closing.",
            "booked-at-closing-time",
            total + on_hour,
        ),
        Choice(
            "",
            f"That counts {hours - 1} hours; from {_clock(start)} to {_clock(end)} the "
            f"office books {hours} hourly groups.",
            "one-hour-short",
            per_hour * (hours - 1),
        ),
        Choice(
            "",
            f"That is a single hour's bookings; the session runs {hours} hours.",
            "one-hour-only",
            per_hour,
        ),
        Choice(
            "",
            f"That counts the {hours * (2 if modified else 1)} groups booked, not the "
            "patients in them; the question asks how many patients are booked.",
            "counted-groups",
            hours * (2 if modified else 1),
        ),
    ]
    if modified:
        # the half-past patients taken for a second full wave of top-of-hour size, and the
        # hour marks counted with both ends (a full hour of both groups at closing)
        wrong[1:1] = [
            Choice(
                "",
                f"That books {plural(on_hour, 'patient')} at half past as well; the office "
                f"books only {plural(half, 'patient')} then, fewer than on the hour.",
                "half-past-as-full-wave",
                2 * on_hour * hours,
            ),
            Choice(
                "",
                f"That counts {hours + 1} hours, every hour mark from {_clock(start)} to "
                f"{_clock(end)} with both ends; the session holds {hours} hours of bookings.",
                "counted-hour-marks",
                per_hour * (hours + 1),
            ),
        ]
    else:
        # wave confused with modified wave: a second wave every half hour
        wrong.insert(
            1,
            Choice(
                "",
                "That books a second wave at half past each hour, as modified wave "
                "scheduling would; wave scheduling books once, at the start of each hour.",
                "wave-every-half-hour",
                2 * total,
            ),
        )
    if modified:
        wrong.insert(
            0,
            Choice(
                "",
                "That counts only the top-of-the-hour patients; the half-past bookings "
                f"add {half} each hour.",
                "top-of-hour-only",
                on_hour * hours,
            ),
        )
    key = Choice(
        "",
        f"{hours} hours ({_clock(start)} to {_clock(end)}) x {per_hour} patients an hour "
        f"= {total} patients, with no group at the closing time.",
        None,
        total,
    )
    key, distractors = _count_choices(key, wrong, "patient")
    return Scenario(
        family=Scheduling.id,
        model="modified-wave-count" if modified else "wave-count",
        stem=stem,
        key=key,
        distractors=distractors,
        rules=("modified-wave-scheduling",) if modified else ("wave-scheduling",),
        steps=2,
        bloom="apply",
        variables=dict(clinician=clinician, start=start, end=end, on_hour=on_hour, half=half),
        ordered=True,
    )


def _stream(rng: random.Random) -> Scenario:
    clinician, patient = rng.choice(CLINICIANS), person(rng)
    start = rng.choice((8, 9, 13))
    hours = rng.randrange(2, 4)
    block_len = rng.choice((30, 45, 60))
    # The block starts after the new patient's 30 minutes and ends by the session's end.
    block_start = 30 + 15 * rng.randrange(0, (hours * 60 - 30 - block_len) // 15 + 1)
    what, weekday = rng.choice(BLOCKS), rng.choice(DAYS)
    total, blocked = hours * 4, block_len // 15
    bh, bm = divmod(start * 60 + block_start, 60)
    eh, em = divmod(start * 60 + block_start + block_len, 60)
    stem = (
        f"{clinician}'s office uses stream scheduling, with 15-minute slots from "
        f"{_clock(start)} to {_clock(start + hours)} on {weekday}. The matrix blocks "
        f"{_clock(bh, bm)} to {_clock(eh, em)} for {what}, and {patient}, a new patient, is "
        f"booked at {_clock(start)} for the 30 minutes the office allows new patients. How "
        "many 15-minute slots are still open for other patients?"
    )
    key_value = total - blocked - 2
    where = dict(clinician=clinician, patient=patient, start=start, hours=hours)
    where.update(block_start=block_start, block_len=block_len)
    wrong = [
        Choice(
            "",
            "That books the new patient into one slot; a 30-minute new-patient visit fills "
            "two 15-minute slots.",
            "new-patient-one-slot",
            total - blocked - 1,
        ),
        Choice(
            "",
            f"That leaves out the matrix: the {block_len} minutes blocked for {what} "
            "cannot be booked.",
            "ignored-matrix",
            total - 2,
        ),
        Choice(
            "",
            f"That blocks {blocked + 1} slots, counting {_clock(eh, em)} too; the block "
            f"ends there, so it covers {blocked} slots.",
            "block-end-counted",
            key_value - 1,
        ),
        Choice(
            "",
            f"That forgets {first(patient)}'s visit, which already fills the first two slots.",
            "forgot-booked-visit",
            total - blocked,
        ),
    ]
    key = Choice(
        "",
        f"{hours} hours hold {total} slots; the matrix removes {blocked} for {what} and "
        f"the new patient fills 2, so {total} - {blocked} - 2 = {key_value} stay open.",
        None,
        key_value,
    )
    key, distractors = _count_choices(key, wrong, "slot")
    return Scenario(
        family=Scheduling.id,
        model="stream-open-slots",
        stem=stem,
        key=key,
        distractors=distractors,
        rules=("scheduling-matrix", "stream-scheduling"),
        steps=3,
        bloom="analyze",
        variables=where,
        ordered=True,
    )


def _missed(rng: random.Random) -> Scenario:
    clinician, patient = rng.choice(CLINICIANS), person(rng)
    p = first(patient)
    cancelled = rng.random() < 0.5
    reason = rng.choice(REASONS)
    # No clock time or date: neither plays a part in how the event is recorded.
    booked = f"{patient} has an appointment with {clinician} today, for {reason}."
    event = "cancellation" if cancelled else "no-show"
    if cancelled:
        stem = f"{booked} That morning {p} calls the office to cancel."
    else:
        stem = f"{booked} {p} neither arrives nor calls the office."
    # The natural first act (offering another time) is no option, so the question asks
    # how the event is recorded, which every option answers.
    stem += f" How does the medical administrative specialist record the {event}?"
    wrong = (
        Choice(
            "Delete the appointment from the schedule",
            f"Deleting it erases the record of the {event}; it is documented in the medical "
            "record so the provider sees the gap in care.",
            "erased-from-schedule",
        ),
        Choice(
            "Note it on the day's sign-in sheet",
            "A sign-in sheet is not part of the patient's record; the provider reviews the "
            "medical record.",
            "noted-on-sign-in-sheet",
        ),
        Choice(
            f"Tell {clinician} in passing and make no written note",
            f"A word in passing leaves nothing in the record; the {event} is written in the "
            "chart, where the provider and later staff see it.",
            "told-not-written",
        ),
        Choice(
            f"Rebook {p} and make no note of it",
            f"A new booking without a note leaves no record of the {event} or of the "
            "office's follow-up.",
            "left-undocumented",
        ),
    )
    return Scenario(
        family=Scheduling.id,
        model="missed-or-cancelled",
        stem=stem,
        key=Choice(
            f"Document it in {p}'s chart",
            f"The {event} and any follow-up go in the medical record, which protects the "
            "practice and keeps the provider aware of the gap in care.",
        ),
        distractors=wrong,
        rules=("no-show-documented",),
        steps=1,
        bloom="apply",
        variables={"clinician": clinician, "patient": patient, "event": event, "reason": reason},
    )


class Scheduling:
    """Scheduling methods, the patients or slots they give, and missed appointments."""

    id = "d3-appointment-scheduling"
    domain = 3
    topic = "appointment scheduling"
    models: tuple[str, ...] = (
        "method-from-practice",
        "wave-count",
        "modified-wave-count",
        "stream-open-slots",
        "missed-or-cancelled",
    )
    rules: tuple[str, ...] = (
        "stream-scheduling",
        "wave-scheduling",
        "modified-wave-scheduling",
        "cluster-scheduling",
        "double-booking",
        "open-office-hours",
        "scheduling-matrix",
        "no-show-documented",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One booking situation of `model`, drawn with `rng`."""
        if model in ("wave-count", "modified-wave-count"):
            return _wave(rng, modified=model == "modified-wave-count")
        draw = {"method-from-practice": _method, "stream-open-slots": _stream}
        return draw.get(model, _missed)(rng)


FAMILIES = (Scheduling(),)
