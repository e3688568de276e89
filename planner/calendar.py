"""A plan as a calendar (iCalendar bytes, with the parser that reads them back) or Markdown.

Every dated block becomes one event. Blocks of the same day follow one another from the
learner's preferred time. UIDs hash what the block is and where it sits (learner, exam,
date, kind, domain, its rank among like blocks that day), so re-exporting the same plan
gives the same UIDs and a calendar app updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bank.models import Blueprint
from planner.plan import Block, Plan

KIND_LABELS = {
    "diagnostic": "Diagnostic",
    "study": "Study",
    "review": "Review",
    "practice_set": "Practice set",
    "practice_exam": "Practice exam",
    "final_review": "Final review",
}
PRODID = "-//cmas-prep//study plan//EN"


@dataclass(frozen=True)
class IcsEvent:
    """One calendar event as written and as read back."""

    uid: str
    summary: str
    description: str
    start: dt.datetime
    end: dt.datetime


def _domain_name(blueprint: Blueprint | None, number: int) -> str:
    domain = blueprint.domain(number) if blueprint is not None else None
    return domain.name if domain is not None else f"Domain {number}"


def block_summary(block: Block, blueprint: Blueprint | None = None) -> str:
    """'Study: Medical Records Management', 'Practice exam' ..."""
    label = KIND_LABELS[block.kind]
    if block.domain is None:
        return label
    return f"{label}: {_domain_name(blueprint, block.domain)}"


def block_description(block: Block, blueprint: Blueprint | None = None) -> str:
    """The event text of a block: its domain (or mixed), its focus and its question target."""
    if block.domain is None:
        lines = ["Mixed: all domains"]
    else:
        lines = [f"Domain {block.domain}: {_domain_name(blueprint, block.domain)}"]
    if block.focus:
        lines.append(f"Focus: {block.focus}")
    lines.append(f"Target: {block.questions} questions in {block.hours:g} h")
    return "\n".join(lines)


def _zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def plan_events(
    plan: Plan,
    preferred_time: dt.time,
    tz: str | dt.tzinfo,
    *,
    blueprint: Blueprint | None = None,
) -> list[IcsEvent]:
    """The events `plan_to_ics` writes, in plan order."""
    zone = _zone(tz)
    events: list[IcsEvent] = []
    day_hours: dict[dt.date, float] = {}
    for block in plan.blocks:
        if block.date is not None:
            day_hours[block.date] = day_hours.get(block.date, 0.0) + block.hours
    next_start: dict[dt.date, dt.datetime] = {}
    seen: dict[tuple[dt.date, str, int | None], int] = {}
    preferred = preferred_time.replace(tzinfo=None)
    for block in plan.blocks:
        if block.date is None:
            continue
        if block.date not in next_start:
            # A long day starts earlier rather than running past midnight.
            late = dt.timedelta(hours=preferred.hour, minutes=preferred.minute)
            room = dt.timedelta(hours=24 - day_hours[block.date])
            first = dt.datetime.combine(block.date, dt.time(0, 0), tzinfo=zone)
            next_start[block.date] = first + min(late, max(room, dt.timedelta(0)))
        start = next_start[block.date]
        end = start + dt.timedelta(hours=block.hours)
        next_start[block.date] = end
        key = (block.date, block.kind, block.domain)
        rank = seen[key] = seen.get(key, -1) + 1
        ident = "|".join(str(p) for p in (plan.learner, plan.blueprint, plan.exam_date, *key, rank))
        uid = hashlib.sha256(ident.encode()).hexdigest()[:32] + "@cmas-prep"
        events.append(
            IcsEvent(
                uid=uid,
                summary=block_summary(block, blueprint),
                description=block_description(block, blueprint),
                start=start,
                end=end,
            )
        )
    return events


def plan_to_ics(
    plan: Plan,
    preferred_time: dt.time,
    tz: str | dt.tzinfo,
    *,
    blueprint: Blueprint | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """An iCalendar file with one event per dated block.

    Args:
        plan: the plan.
        preferred_time: when the first block of each day starts (local time in `tz`).
        tz: an IANA zone name ("Europe/Lisbon") or a tzinfo.
        blueprint: gives domain names to the summaries ("Domain 4" without it).
        stamp: DTSTAMP of every event; defaults to the plan start at midnight UTC so that
            the same plan always gives the same bytes.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # An X- property is not TEXT-escaped: no line breaks may reach it.
    name = " ".join(f"{plan.blueprint.upper()} study plan: {plan.learner}".split())
    calendar.add("x-wr-calname", name)
    when = stamp or dt.datetime.combine(plan.start, dt.time(0, 0), tzinfo=dt.UTC)
    for item in plan_events(plan, preferred_time, tz, blueprint=blueprint):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", when)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        event.add("description", item.description)
        calendar.add_component(event)
    # Only the span of the plan: a VTIMEZONE from 1970 would list every transition since.
    calendar.add_missing_timezones(
        first_date=plan.start - dt.timedelta(days=366),
        last_date=plan.exam_date + dt.timedelta(days=366),
    )
    data: bytes = calendar.to_ical()  # icalendar leaves to_ical unannotated
    return data


def ics_events(data: bytes) -> list[IcsEvent]:
    """Read the events of an iCalendar file back, in file order."""
    calendar = Calendar.from_ical(data)
    return [
        IcsEvent(
            uid=str(event.get("uid")),
            summary=str(event.get("summary", "")),
            description=str(event.get("description", "")),
            start=event.decoded("dtstart"),
            end=event.decoded("dtend"),
        )
        for event in calendar.walk("VEVENT")
    ]


def _md(text: str) -> str:
    """Text safe inside Markdown (and Markdown tables)."""
    out = text.replace("\\", "\\\\")
    for char in "`*_[]<>|#":
        out = out.replace(char, "\\" + char)
    return " ".join(out.split())


def plan_to_markdown(plan: Plan, blueprint: Blueprint) -> str:
    """The plan as a Markdown page: forecast, hours per domain, then each week's blocks."""
    passing = blueprint.exam.passing_score
    lines = [
        f"# Study plan for {_md(plan.learner)}: {_md(blueprint.name)}",
        "",
        f"Exam on **{plan.exam_date}**, plan from {plan.start}, {plan.hours_per_week:g} h a week.",
        "",
        f"Expected scaled score **{plan.expected_scaled_score:.1f}** (passing {passing:g}); "
        f"chance to pass **{plan.pass_chance()}**.",
        "",
    ]
    if plan.warnings:
        lines += [f"> - {_md(w)}" for w in plan.warnings] + [""]
    lines += [
        "## Hours by domain",
        "",
        "| Domain | Weight | Mastery now | Hours |",
        "|---|--:|--:|--:|",
    ]
    for domain in blueprint.domains:
        key = str(domain.number)
        mastery = plan.mastery.get(key)
        known = "unknown" if mastery is None else f"{mastery:.0%}"
        hours = plan.allocation.get(key, 0.0)
        lines.append(
            f"| {domain.number}. {_md(domain.name)} | {domain.weight:g}% | {known} | {hours:g} |"
        )
    for week in plan.weeks:
        lines += ["", f"## Week {week.index}: {week.start} to {week.end} ({week.hours:g} h)", ""]
        if not week.blocks:
            lines.append("- no study planned")
        for block in week.blocks:
            day = block.date.strftime("%a %Y-%m-%d") if block.date else "any day"
            focus = f": {_md(block.focus)}" if block.focus else ""
            lines.append(
                f"- {day}, {_md(block_summary(block, blueprint))}, {block.hours:g} h, "
                f"{block.questions} questions{focus}"
            )
    return "\n".join(lines) + "\n"
