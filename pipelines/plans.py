"""Learners' profiles and plans: a plan is made from the stored profile, and kept.

Looking at a plan never changes it. A plan is made again when the learner asks, when
their profile changed after it was made, or when they answered questions since (the
mastery it was made from moved). Dates are the learner's: "today" is today in their
time zone, so no block lands on a day that is already over for them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bank.errors import NotFoundError
from bank.models import Blueprint, Learner
from bank.store import Store
from bank.store.protocols import LearnerStore
from pipelines.learners import learner_mastery
from planner.plan import Plan, PlanInputError, PlanRequest

DEFAULT_STUDY_TIME = time(18, 0)


@dataclass(frozen=True)
class ProfileChange:
    """What a learner changes in their profile; None (or empty) leaves a field as it is.

    Weekly hours and weekday hours replace each other. `blackouts` are added to the stored
    ones unless `clear_blackouts`.
    """

    exam_date: date | None = None
    hours_per_week: float | None = None
    hours_by_weekday: dict[int, float] | None = None
    blackouts: list[date] = field(default_factory=list)
    clear_blackouts: bool = False
    timezone: str | None = None
    study_time: time | None = None
    self_mastery: dict[int, float] | None = None

    def empty(self) -> bool:
        """Whether the change changes nothing."""
        return self == ProfileChange()


def changed_profile(learner: Learner, change: ProfileChange, now: datetime) -> Learner:
    """The learner with the change applied (validated by the model), stamped `now`."""
    update: dict[str, Any] = {}
    if change.exam_date is not None:
        update["exam_date"] = change.exam_date
    if change.hours_per_week is not None:
        update |= {"hours_per_week": change.hours_per_week, "hours_by_weekday": None}
    if change.hours_by_weekday is not None:
        update |= {"hours_by_weekday": change.hours_by_weekday, "hours_per_week": None}
    if change.clear_blackouts or change.blackouts:
        kept = [] if change.clear_blackouts else learner.blackouts
        update["blackouts"] = sorted(set(kept) | set(change.blackouts))
    if change.timezone is not None:
        update["timezone"] = change.timezone
    if change.study_time is not None:
        update["study_time"] = change.study_time
    if change.self_mastery is not None:
        update["self_mastery"] = {**(learner.self_mastery or {}), **change.self_mastery}
    data = learner.model_dump() | update | {"updated_at": now}
    if data.get("hours_by_weekday"):
        data["hours_per_week"] = None
    return Learner.model_validate(data)


def save_profile(
    store: Store, learner_id: str, change: ProfileChange, now: datetime
) -> tuple[Learner, bool]:
    """Apply a change to a learner's stored profile, creating the learner if new.

    Returns:
        The learner as stored, and whether they were created.

    Raises:
        PlanInputError: a new learner without an exam date or study hours.
    """
    try:
        learner = store.get_learner(learner_id)
    except NotFoundError:
        if change.exam_date is None or (
            change.hours_per_week is None and change.hours_by_weekday is None
        ):
            raise PlanInputError(
                f"no learner {learner_id!r}: give an exam date and study hours to create one"
            ) from None
        created = changed_profile(Learner(id=learner_id), change, now)
        store.add_learner(created, now)
        return created, True
    if change.empty():
        return learner, False
    updated = changed_profile(learner, change, now)
    store.update_learner(updated, now)
    return updated, False


def learner_today(learner: Learner, now: datetime, fallback_zone: str = "UTC") -> date:
    """Today's date where the learner lives (their zone, else `fallback_zone`)."""
    return now.astimezone(ZoneInfo(learner.timezone or fallback_zone)).date()


def plan_for(
    store: LearnerStore,
    learner_id: str,
    blueprint: Blueprint,
    *,
    today: date,
    exam_date: date | None = None,
    start: date | None = None,
    hours_per_week: float | None = None,
    hours_by_weekday: dict[int, float] | None = None,
    self_mastery: dict[int, float] | None = None,
    blackout: list[date] | None = None,
    preferred_time: time | None = None,
    now: datetime | None = None,
) -> Plan:
    """Build and store a plan: the stored profile, with any argument given instead.

    Mastery is measured where the learner has answers, else self-assessed, else unknown.
    The previous plan's past weeks are kept (planner.schedule).
    """
    learner = store.get_learner(learner_id)
    measured = learner_mastery(store, learner_id, blueprint)
    assessed = self_mastery if self_mastery is not None else (learner.self_mastery or {})
    mastery: dict[int, tuple[float, float] | None] = {}
    for d in blueprint.numbers:
        m = measured[d]
        if not m.unknown:
            mastery[d] = (m.mastery, max((m.hi - m.lo) / 2.56, 0.01))
        elif d in assessed:
            mastery[d] = (assessed[d], 0.15)
        else:
            mastery[d] = None
    exam = exam_date or learner.exam_date
    if exam is None:
        raise PlanInputError(f"{learner_id} has no exam date: give one")
    if hours_per_week is None and hours_by_weekday is None:
        hours_by_weekday = learner.hours_by_weekday
        hours_per_week = None if hours_by_weekday else learner.hours_per_week
    if hours_per_week is None and not hours_by_weekday:
        raise PlanInputError(f"{learner_id} has no study hours: give them")
    previous = store.latest_plan(learner_id)
    request = PlanRequest(
        learner=learner_id,
        blueprint=blueprint,
        mastery=mastery,
        exam_date=exam,
        start=start or today,
        hours_per_week=hours_per_week if not hours_by_weekday else None,
        hours_by_weekday=hours_by_weekday or None,
        blackout=learner.blackouts if blackout is None else blackout,
        preferred_time=preferred_time or learner.study_time or DEFAULT_STUDY_TIME,
        previous=Plan.from_json(json.dumps(previous[1])) if previous else None,
        today=today,
    )
    from planner.schedule import build_plan

    plan = build_plan(request)
    made = now or datetime.now(UTC)
    plan_id = f"{learner_id}-{made:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"
    store.save_plan(plan_id, learner_id, plan.to_dict(), now=made)
    return plan


@dataclass(frozen=True)
class PlanView:
    """A learner's plan as shown: the plan, when it was made, and why it was made now."""

    plan: Plan
    made_at: datetime
    learner: Learner
    replanned: str | None = None
    """Why this plan was made just now (None: the stored plan, unchanged)."""


def replan_reason(store: LearnerStore, learner: Learner, made_at: datetime | None) -> str | None:
    """Why a learner's stored plan no longer holds, or None when it does."""
    if made_at is None:
        return "no plan yet"
    if learner.updated_at is not None and learner.updated_at > made_at:
        return "the profile changed"
    newer = sum(1 for r in store.responses(learner.id) if r.answered_at > made_at)
    if newer:
        return f"{newer} new answer{'s' if newer != 1 else ''} since the last plan"
    return None


def current_plan(
    store: LearnerStore,
    learner_id: str,
    blueprint: Blueprint,
    now: datetime,
    *,
    replan: bool = False,
    start: date | None = None,
    fallback_zone: str = "UTC",
) -> PlanView:
    """The learner's plan: the stored one when it still holds, else a new one (stored).

    Raises:
        NotFoundError: no such learner.
        PlanInputError: the profile cannot make a plan (no exam date, no hours, no time).
    """
    learner = store.get_learner(learner_id)
    stored = store.latest_plan(learner_id)
    reason = "asked to re-plan" if replan or start else None
    reason = reason or replan_reason(store, learner, stored[0] if stored else None)
    if stored is not None and reason is None:
        return PlanView(Plan.from_json(json.dumps(stored[1])), stored[0], learner)
    today = learner_today(learner, now, fallback_zone)
    plan = plan_for(store, learner_id, blueprint, today=today, start=start, now=now)
    return PlanView(plan, now, learner, reason)
