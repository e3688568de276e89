"""A plan as one self-contained HTML page: inline CSS and SVG charts, no script, no assets.

The geometry of the charts is computed here (plain numbers); the Jinja2 template in
templates/plan_report.html.j2 only places it, with autoescape on, so every text that comes
from data (learner id, names, focus, warnings) is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from bank.models import Blueprint
from planner.calendar import KIND_LABELS
from planner.model import RAW_AT_PASS, ExamModel, FloatArray, build_model
from planner.plan import DOMAIN_KINDS, Plan

TEMPLATES = Path(__file__).resolve().parent / "templates"
PALETTE = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#D4A20B",
    "#B279A2",
    "#9D755D",
    "#5F6B7A",
    "#EF7FA6",
)
MIXED_COLOR = "#C3C7D1"
KIND_COLORS = {
    "diagnostic": "#7B61FF",
    "study": "#2F6FDE",
    "review": "#14976B",
    "practice_set": "#D97706",
    "practice_exam": "#DC2626",
    "final_review": "#0F766E",
}
WIDTH = 760


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _nice_step(top: float, ticks: int = 5) -> float:
    raw = max(top, 1e-9) / ticks
    power: float = 10 ** math.floor(math.log10(raw))  # int ** int is typed Any
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _model(plan: Plan, blueprint: Blueprint, since: dt.date) -> ExamModel:
    mastery = {int(k): (v, 0.1) for k, v in plan.mastery.items() if v is not None}
    return build_model(blueprint, mastery, max((plan.exam_date - since).days, 0))


def _hours_after(plan: Plan, blueprint: Blueprint, since: dt.date | None) -> list[FloatArray]:
    """Cumulative domain hours at the end of each week, counting blocks from `since`."""
    index = {n: i for i, n in enumerate(blueprint.numbers)}
    total, out = np.zeros(len(index)), []
    for week in plan.weeks:
        for block in week.blocks:
            late = since is None or block.date is None or block.date >= since
            if block.kind in DOMAIN_KINDS and block.domain in index and late:
                total[index[block.domain]] += block.hours
        out.append(total.copy())
    return out


def readiness_projection(
    plan: Plan,
    blueprint: Blueprint,
    since: dt.date | None = None,
    anchor: float | None = None,
) -> list[tuple[dt.date, float]]:
    """Expected scaled score week by week if the plan is followed from `since`.

    `since` defaults to the plan start; the line ends at the exam date with the model's
    forecast. With `anchor` (the latest measured readiness), the line starts there instead of at the
    model's view of now, and the gap between the two closes as the planned hours are done.
    """
    start = since or plan.start
    model = _model(plan, blueprint, start)
    zero = np.zeros(len(blueprint.domains))
    now = model.expected_score(zero)
    cumulative = _hours_after(plan, blueprint, since)
    final = cumulative[-1] if cumulative else zero
    total = float(final.sum()) or 1.0
    gap = 0.0 if anchor is None else anchor - now
    # The hours-only view spreads each domain evenly; the plan's own forecast scores its real
    # schedule (and its mixed work), so the line is bent to end at that forecast.
    from_start = since is None or since <= plan.start
    end_gap = plan.expected_scaled_score - model.expected_score(final) if from_start else 0.0

    def score(hours: FloatArray) -> float:
        done = float(hours.sum()) / total
        return model.expected_score(hours) + gap * (1.0 - done) + end_gap * done

    points = [(start, score(zero))]
    for week, hours in zip(plan.weeks, cumulative, strict=True):
        if start < week.end < plan.exam_date - dt.timedelta(days=1):
            points.append((week.end, score(hours)))
    points.append((plan.exam_date, score(final)))
    return points


def _bars(plan: Plan, blueprint: Blueprint, colors: dict[int, str]) -> dict[str, Any]:
    height, left, right, top, bottom = 260, 44, 12, 14, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    n = max(len(plan.weeks), 1)
    peak = max([w.hours for w in plan.weeks] + [plan.hours_per_week, 1.0])
    step = _nice_step(peak)
    y_max = step * math.ceil(peak / step)
    scale = plot_h / y_max
    slot = plot_w / n
    bar_w = min(48.0, slot * 0.66)
    bars, labels = [], []
    for i, week in enumerate(plan.weeks):
        x = left + slot * i + (slot - bar_w) / 2
        stack: dict[int | None, float] = {}
        for block in week.blocks:
            key = block.domain if block.kind in DOMAIN_KINDS else None
            stack[key] = stack.get(key, 0.0) + block.hours
        y: float = top + plot_h
        for key in [*blueprint.numbers, None]:
            hours = stack.get(key, 0.0)
            if hours <= 0:
                continue
            h = hours * scale
            y -= h
            what = "mixed practice and review" if key is None else f"domain {key}"
            bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(bar_w, 1),
                    "h": round(h, 1),
                    "color": MIXED_COLOR if key is None else colors[key],
                    "title": f"Week {week.index}, {what}: {hours:g} h",
                }
            )
        every = max(1, math.ceil(n / 16))
        if i % every == 0 or i == n - 1:
            labels.append({"x": round(x + bar_w / 2, 1), "text": f"W{week.index}"})
    ticks = [
        {"y": round(top + plot_h - v * scale, 1), "text": f"{v:g}"}
        for v in np.arange(0, y_max + step / 2, step)
    ]
    capacity_y = round(top + plot_h - plan.hours_per_week * scale, 1)
    return {
        "height": height,
        "left": left,
        "right": WIDTH - right,
        "base": top + plot_h,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "capacity_y": capacity_y,
        "capacity_text": f"{plan.hours_per_week:g} h a week",
    }


def _mastery(
    plan: Plan, blueprint: Blueprint, colors: dict[int, str], since: dt.date | None
) -> dict[str, Any]:
    start = since or plan.start
    model = _model(plan, blueprint, start)
    cumulative = _hours_after(plan, blueprint, since)
    final = cumulative[-1] if cumulative else np.zeros(len(blueprint.domains))
    at_exam = model.exam_mastery(final)
    left, right, row = 12, WIDTH - 150, 46
    track = right - left
    rows = []
    for i, domain in enumerate(blueprint.domains):
        now = plan.mastery.get(str(domain.number))
        shown = model.mastery[i] if now is None else now
        y = 8 + i * row
        rows.append(
            {
                "y": y,
                "label": f"{domain.number}. {domain.name} ({domain.weight:g}%)",
                "now_w": round(track * shown, 1),
                "exam_w": round(track * float(at_exam[i]), 1),
                "color": colors[domain.number],
                "unknown": now is None,
                "value": ("unknown" if now is None else f"{now:.0%}")
                + f" → {float(at_exam[i]):.0%}",
            }
        )
    return {
        "height": 16 + row * len(rows),
        "left": left,
        "track": track,
        "rows": rows,
        "need_x": round(left + track * RAW_AT_PASS, 1),
        "need_text": f"{RAW_AT_PASS:.0%} needed",
        "value_x": right + 12,
    }


def _readiness(
    plan: Plan, blueprint: Blueprint, history: list[tuple[dt.date, float]]
) -> dict[str, Any]:
    height, left, right, top, bottom = 250, 44, 70, 16, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    since, anchor = max(history) if history else (None, None)
    projection = readiness_projection(plan, blueprint, since, anchor)
    passing = float(blueprint.exam.passing_score)
    low_scale, high_scale = blueprint.exam.score_scale
    values = [v for _, v in history] + [v for _, v in projection] + [passing]
    y_min = max(float(low_scale), 10 * math.floor((min(values) - 8) / 10))
    y_max = float(high_scale)
    first = min([plan.start] + [d for d, _ in history])
    span = max((plan.exam_date - first).days, 1)

    def px(day: dt.date, value: float) -> tuple[float, float]:
        x = left + plot_w * (day - first).days / span
        y = top + plot_h * (y_max - value) / (y_max - y_min)
        return round(x, 1), round(y, 1)

    def line(points: list[tuple[dt.date, float]]) -> str:
        return " ".join(f"{x},{y}" for x, y in (px(d, v) for d, v in points))

    hist = [
        {"x": px(d, v)[0], "y": px(d, v)[1], "title": f"{d}: {v:.1f}"} for d, v in sorted(history)
    ]
    end_x, end_y = px(plan.exam_date, projection[-1][1])
    ticks = []
    for value in range(int(y_min), int(y_max) + 1, 10):
        ticks.append({"y": px(first, value)[1], "text": str(value)})
    months, day = [], dt.date(first.year, first.month, 1)
    while day <= plan.exam_date:
        if day >= first:
            months.append({"x": px(day, y_min)[0], "text": day.strftime("%b %Y")})
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return {
        "height": height,
        "left": left,
        "right": WIDTH - right,
        "top": top,
        "base": top + plot_h,
        "pass_y": px(first, passing)[1],
        "pass_text": f"pass {passing:g}",
        "history": hist,
        "history_line": line(sorted(history)),
        "projection_line": line(projection),
        "end_x": end_x,
        "end_y": end_y,
        "end_text": f"{projection[-1][1]:.1f}",
        "ticks": ticks,
        "months": months,
    }


def _weeks(plan: Plan, blueprint: Blueprint, colors: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for week in plan.weeks:
        rows = []
        for block in week.blocks:
            domain = blueprint.domain(block.domain) if block.domain is not None else None
            rows.append(
                {
                    "date": block.date.strftime("%a %d %b") if block.date else "",
                    "kind": KIND_LABELS[block.kind],
                    "kind_color": KIND_COLORS[block.kind],
                    "domain": f"{block.domain}. {domain.name}"
                    if domain
                    else ("mixed" if block.domain is None else f"domain {block.domain}"),
                    "color": colors.get(block.domain, MIXED_COLOR)
                    if block.domain is not None
                    else MIXED_COLOR,
                    "hours": f"{block.hours:g} h",
                    "questions": block.questions,
                    "focus": block.focus or "",
                }
            )
        out.append(
            {
                "index": week.index,
                "dates": f"{week.start:%d %b} – {week.end:%d %b %Y}",
                "hours": f"{week.hours:g} h",
                "rows": rows,
            }
        )
    return out


def plan_to_html(
    plan: Plan,
    blueprint: Blueprint,
    readiness_history: list[tuple[dt.date, float]] | None = None,
) -> str:
    """The plan as a self-contained HTML page a learner can open offline.

    Args:
        plan: the plan.
        blueprint: the plan's blueprint (domain names, weights, passing score).
        readiness_history: measured expected scaled scores so far, oldest first or in any
            order; the projection starts at the latest of them.
    """
    history = list(readiness_history or [])
    colors = {d.number: PALETTE[i % len(PALETTE)] for i, d in enumerate(blueprint.domains)}
    since = max(d for d, _ in history) if history else None
    total = sum(w.hours for w in plan.weeks)
    context = {
        "learner": plan.learner,
        "exam_name": blueprint.name,
        "exam_date": f"{plan.exam_date:%A %d %B %Y}",
        "start": f"{plan.start:%d %B %Y}",
        "days": (plan.exam_date - plan.start).days,
        "score": f"{plan.expected_scaled_score:.1f}",
        "passing": f"{blueprint.exam.passing_score:g}",
        "above": plan.expected_scaled_score >= blueprint.exam.passing_score,
        "probability": plan.pass_chance(),
        "total_hours": f"{total:g}",
        "week_count": len(plan.weeks),
        "hours_per_week": f"{plan.hours_per_week:g}",
        "warnings": list(plan.warnings),
        "legend": [
            {"color": colors[d.number], "text": f"{d.number}. {d.name}"} for d in blueprint.domains
        ]
        + [{"color": MIXED_COLOR, "text": "mixed: diagnostic, practice, final review"}],
        "bars": _bars(plan, blueprint, colors),
        "mastery": _mastery(plan, blueprint, colors, since),
        "readiness": _readiness(plan, blueprint, history),
        "has_history": bool(history),
        "weeks": _weeks(plan, blueprint, colors),
        "width": WIDTH,
    }
    return _environment().get_template("plan_report.html.j2").render(**context)
