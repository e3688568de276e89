"""What the pages show, computed from bank objects as plain data (no I/O, no HTML strings).

Templates place these values with autoescape on; the only markup that reaches a page
unescaped is the planner's own chart SVG, itself rendered with autoescape.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from bank.models import LETTERS, Blueprint, Flaw, Item
from planner.calendar import KIND_LABELS, block_description
from planner.plan import DOMAIN_KINDS, Plan
from planner.report import KIND_COLORS, MIXED_COLOR, PALETTE, plan_to_html


@dataclass(frozen=True)
class Segment:
    """A run of text and the flaw codes that point at it (none: plain text)."""

    text: str
    codes: tuple[str, ...] = ()


def _needles(evidence: str) -> list[str]:
    """The phrases of a flaw's evidence worth finding in the text: whole, then its parts."""
    whole = evidence.strip().rstrip("…").strip()
    found = [whole] if whole else []
    for sep in (", ", "/"):
        if sep in whole:
            found.extend(p.strip() for p in whole.split(sep) if p.strip())
    return found


def _pattern(needle: str) -> re.Pattern[str]:
    # Word boundaries only where the needle itself starts or ends with a word character:
    # "NOT" must not light up "notice", but "____" has no word edge to respect.
    head = r"(?<!\w)" if re.match(r"\w", needle) else ""
    tail = r"(?!\w)" if re.search(r"\w$", needle) else ""
    return re.compile(head + re.escape(needle) + tail, re.IGNORECASE)


def highlight(text: str, flaws: list[Flaw]) -> tuple[list[Segment], list[Flaw]]:
    """Split `text` into segments marked with the flaws whose evidence stands there.

    Returns the segments and the flaws whose evidence was not found in the text (they
    concern the text as a whole, e.g. "key 57 chars; others 14, 10, 5").
    """
    marks: list[set[str]] = [set() for _ in text]
    unplaced = []
    for flaw in flaws:
        hit = False
        for needle in _needles(flaw.evidence):
            for match in _pattern(needle).finditer(text):
                for i in range(match.start(), match.end()):
                    marks[i].add(flaw.code)
                hit = True
            if hit:
                break
        if not hit:
            unplaced.append(flaw)
    segments: list[Segment] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            segments.append(Segment(text[start:i], tuple(sorted(marks[start]))))
            start = i
    return segments, unplaced


@dataclass
class OptionView:
    letter: str
    segments: list[Segment]
    key: bool
    flaws: list[Flaw] = field(default_factory=list)


@dataclass
class ItemView:
    """An item laid out for review: every flaw attached where it stands."""

    item: Item
    stem: list[Segment]
    stem_flaws: list[Flaw]
    stem_unplaced: list[Flaw]
    options: list[OptionView]
    options_flaws: list[Flaw]  # flaws of the options as a set ("options")
    other_flaws: list[Flaw]  # anywhere else


def item_view(item: Item) -> ItemView:
    stem_flaws = [f for f in item.flaws if f.where == "stem"]
    stem, unplaced = highlight(item.stem, stem_flaws)
    options = []
    for letter, text in zip(LETTERS, item.options, strict=True):
        mine = [f for f in item.flaws if f.where == letter]
        segments, _ = highlight(text, mine)
        options.append(OptionView(letter, segments, letter == item.answer, mine))
    placed = {"stem", "options", *LETTERS}
    return ItemView(
        item=item,
        stem=stem,
        stem_flaws=stem_flaws,
        stem_unplaced=unplaced,
        options=options,
        options_flaws=[f for f in item.flaws if f.where == "options"],
        other_flaws=[f for f in item.flaws if f.where not in placed],
    )


def domain_colors(blueprint: Blueprint) -> dict[int, str]:
    return {d.number: PALETTE[i % len(PALETTE)] for i, d in enumerate(blueprint.domains)}


def calendar(plan: Plan, blueprint: Blueprint, today: dt.date) -> dict[str, Any]:
    """The plan as a grid: one row per plan week, one column per day of that week."""
    colors = domain_colors(blueprint)
    rows = []
    for week in plan.weeks:
        cells = []
        for offset in range(7):
            day = week.start + dt.timedelta(days=offset)
            blocks = []
            for block in week.blocks:
                if block.date != day:
                    continue
                domain = blueprint.domain(block.domain) if block.domain is not None else None
                blocks.append(
                    {
                        "kind": KIND_LABELS[block.kind],
                        "kind_color": KIND_COLORS[block.kind],
                        "color": colors.get(block.domain, MIXED_COLOR)
                        if block.kind in DOMAIN_KINDS and block.domain is not None
                        else KIND_COLORS[block.kind],
                        "what": f"{block.domain}. {domain.name}"
                        if domain
                        else ("All domains" if block.domain is None else f"Domain {block.domain}"),
                        "hours": f"{block.hours:g} h",
                        "questions": block.questions,
                        "title": block_description(block, blueprint),
                    }
                )
            cells.append(
                {
                    "date": day,
                    "day": day.day,
                    "month": day.strftime("%b") if day.day == 1 or offset == 0 else "",
                    "in_plan": day <= week.end,
                    "exam": day == plan.exam_date,
                    "today": day == today,
                    "past": day < today,
                    "blocks": blocks,
                }
            )
        rows.append(
            {
                "index": week.index,
                "hours": f"{week.hours:g}",
                "current": week.start <= today <= week.end,
                "cells": cells,
                "undated": [b for b in week.blocks if b.date is None],
            }
        )
    last = plan.weeks[-1].start if plan.weeks else plan.start
    if plan.exam_date >= last + dt.timedelta(days=7):
        # The exam falls after the last plan week: one more row holds exam day.
        first = plan.exam_date - dt.timedelta(days=(plan.exam_date - plan.start).days % 7)
        rows.append(
            {
                "index": None,
                "hours": "",
                "current": first <= today <= plan.exam_date,
                "cells": [
                    {
                        "date": day,
                        "day": day.day,
                        "month": day.strftime("%b") if day.day == 1 or offset == 0 else "",
                        "in_plan": False,
                        "exam": day == plan.exam_date,
                        "today": day == today,
                        "past": day < today,
                        "blocks": [],
                    }
                    for offset, day in ((o, first + dt.timedelta(days=o)) for o in range(7))
                ],
                "undated": [],
            }
        )
    return {
        "weekdays": [(plan.start + dt.timedelta(days=i)).strftime("%a") for i in range(7)],
        "rows": rows,
        "legend": [
            {"color": colors[d.number], "text": f"{d.number}. {d.name}"} for d in blueprint.domains
        ],
        "kinds": [{"color": KIND_COLORS[k], "text": v} for k, v in KIND_LABELS.items()],
    }


_SECTION = re.compile(r"<section>.*?</section>", re.DOTALL)


def report_charts(plan: Plan, blueprint: Blueprint) -> list[Markup]:
    """The SVG chart sections of the planner's HTML report, as they are rendered there.

    planner.report renders them with autoescape on, so any text from data inside them is
    already escaped; they are marked safe here so the page does not escape them twice.
    """
    html = plan_to_html(plan, blueprint)
    return [Markup(s) for s in _SECTION.findall(html) if "<svg" in s]


def coverage(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of `stats_record`: approved and pending against each domain's target."""
    rows = []
    for number, d in record["domains"].items():
        target = d["target"] or 1
        approved, pending = d["approved"], d["pending_review"]
        rows.append(
            {
                "number": number,
                "name": d["name"],
                "weight": f"{d['weight']:g}%",
                "target": d["target"],
                "approved": approved,
                "pending": pending,
                "rejected": d["rejected"],
                "coverage": approved / target,
                "approved_w": min(100.0, 100 * approved / target),
                "pending_w": max(0.0, min(100.0 - 100 * approved / target, 100 * pending / target)),
                "short": max(0, d["target"] - approved),
            }
        )
    return rows


def kappa_label(kappa: float | None) -> str:
    """Landis and Koch's words for a kappa, as reviewers read it."""
    if kappa is None:
        return "n/a"
    for bound, word in ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate")):
        if kappa > bound:
            return word
    if kappa > 0.2:
        return "fair"
    return "slight" if kappa >= 0 else "poor"
