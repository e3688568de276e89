"""A learner's page, reached through their own token link: Today, plan, readiness.

The token in the path is the only key: it is hashed and looked up, and the page shows
that one learner and nothing of anyone else. Both routes are GET and change nothing.
The page opens on Today (the plan's next session in the learner's zone, the reviews
due, "Practise now"), then the ways to practise (app.web.practice), the plan as a
calendar (an agenda list on a phone) and where the learner stands, every number with
what it rests on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from app.web.app import context, render
from app.web.auth import token_hash
from app.web.practice_views import KIND_NAMES
from app.web.views import calendar, report_charts
from bank.models import Blueprint, Learner
from bank.store.replica import Replica
from pipelines.components import blueprint_for
from pipelines.learners import learner_mastery, learner_readiness
from pipelines.plans import learner_today
from pipelines.practice import exam_seconds
from pipelines.practice_sessions import MEASURED_AT, MOCK_SIZES, SITTING
from pipelines.practice_today import recent_sessions, today_for
from planner.calendar import KIND_LABELS, plan_to_ics
from planner.plan import Plan
from planner.readiness import SCALING_ASSUMPTION

router = APIRouter()
TOKEN_MAX = 128
NOT_FOUND = "This plan link is not valid: it may have been replaced by a newer one."


def _learner(
    request: Request, token: str
) -> tuple[Learner, Plan | None, Blueprint, dict[str, Any]]:
    """The link's learner, their latest plan, the blueprint and their measured standing."""
    if not token or len(token) > TOKEN_MAX:
        raise HTTPException(404, NOT_FOUND)
    store = context(request).replica
    learner_id = store.learner_for_token_hash(token_hash(token))
    if learner_id is None:
        raise HTTPException(404, NOT_FOUND)
    learner = store.get_learner(learner_id)
    latest = store.latest_plan(learner_id)
    blueprint = blueprint_for(store)
    mastery = learner_mastery(store, learner_id, blueprint)
    answered = len(store.responses(learner_id))
    plan = Plan.model_validate(latest[1]) if latest else None
    return learner, plan, blueprint, {"mastery": mastery, "answered": answered}


@router.get("/learner/{token}")
def learner_page(request: Request, token: str) -> Response:
    learner, plan, blueprint, measured = _learner(request, token)
    web = context(request)
    now = web.clock()
    today = now.date()
    ready = learner_readiness(measured["mastery"], blueprint)
    domains = [
        {
            "number": d.number,
            "name": d.name,
            "weight": f"{d.weight:g}%",
            "mastery": measured["mastery"][d.number],
            "measured": measured["mastery"][d.number].n >= MEASURED_AT,
        }
        for d in blueprint.domains
    ]
    grid = calendar(plan, blueprint, today) if plan else None
    return render(
        request,
        "learner.html",
        {
            "learner": learner,
            "plan": plan,
            "token": token,
            "exam_name": blueprint.name,
            "passing": blueprint.exam.passing_score,
            "ready": ready,
            "answered": measured["answered"],
            "domains": domains,
            "days_left": (plan.exam_date - today).days if plan else None,
            "calendar": grid,
            "agenda": _agenda(grid),
            "today": _today(web.replica, learner.id, blueprint, now, plan),
            "mocks": [
                {"size": n, "minutes": round(exam_seconds(n, blueprint) / 60)} for n in MOCK_SIZES
            ],
            "sitting": SITTING,
            "measured_at": MEASURED_AT,
            "unmeasured": sum(1 for d in domains if not d["measured"]),
            "sessions": [
                {
                    "kind": KIND_NAMES[s.kind],
                    "id": s.id,
                    "when": s.created_at,
                    "done": s.finished,
                    "score": f"{s.summary.correct}/{s.summary.asked}" if s.summary else None,
                    "answered": len(s.answers),
                    "planned": s.planned,
                }
                for s in recent_sessions(web.replica, learner.id)
            ],
            "charts": report_charts(plan, blueprint) if plan else [],
            "assumption": SCALING_ASSUMPTION,
        },
        session=False,
    )


def _today(
    store: Replica, learner_id: str, blueprint: Blueprint, now: dt.datetime, plan: Plan | None
) -> dict[str, Any]:
    """Today's card: the next block written out, its sitting, the reviews due."""
    today = today_for(store, learner_id, blueprint, now, plan)
    block = today.block
    if block is None or today.day is None:
        return {"block": None, "due": today.due}
    domain = blueprint.domain(block.domain) if block.domain is not None else None
    return {
        "block": block,
        "block_id": today.block_id,
        "kind": KIND_LABELS[block.kind],
        "what": f"{domain.number}. {domain.name}" if domain else "All domains",
        "minutes": round(block.hours * 60),
        "questions": block.questions,
        "done": today.done,
        "left": today.left,
        "sitting": min(SITTING, today.left) if today.left else SITTING,
        "day": today.day,
        "is_today": today.day == learner_today(store.get_learner(learner_id), now),
        "due": today.due,
    }


def _agenda(grid: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The calendar as a phone reads it: one row a day with sessions, no hover needed."""
    if grid is None:
        return []
    days = []
    for row in grid["rows"]:
        for cell in row["cells"]:
            if (cell["blocks"] or cell["exam"]) and not cell["past"]:
                days.append(cell)
    return days


@router.get("/learner/{token}/plan.ics")
def learner_calendar(
    request: Request,
    token: str,
    at: Annotated[
        str | None,
        Query(description="Start of the day's first block, HH:MM [default: the profile's]."),
    ] = None,
    tz: Annotated[
        str | None, Query(description="IANA time zone [default: the profile's, else UTC].")
    ] = None,
) -> Response:
    """The plan as an iCalendar file (a download: it changes nothing)."""
    learner, plan, blueprint, _ = _learner(request, token)
    at = at or (learner.study_time or dt.time(18, 0)).strftime("%H:%M")
    tz = tz or learner.timezone or "UTC"
    if plan is None:
        raise HTTPException(404, f"{learner.id} has no plan yet.")
    try:
        start = dt.time.fromisoformat(at)
    except ValueError:
        raise HTTPException(400, f"at={at!r} is not a time (HH:MM).") from None
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HTTPException(400, f"tz={tz!r} is not a time zone (e.g. Europe/Lisbon).") from None
    body = plan_to_ics(plan, start, zone, blueprint=blueprint)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", learner.id).strip("-") or "learner"
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-study-plan.ics"'},
    )
