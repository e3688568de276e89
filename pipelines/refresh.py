"""The nightly refresh's steps over the bank: read the state, generate, flag, re-plan.

`pipelines.flows.nightly_refresh_flow` sequences these same steps as Prefect tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from bank.models import Blueprint, Item, Learner, Response, RunRecord
from bank.store import Store
from pipelines.nightly import (
    PoolTarget,
    active_learners,
    delivered,
    item_statistics,
    pool_targets,
    stale_learners,
    statistics_updates,
)


@dataclass
class NightlyState:
    learners: list[Learner]
    active: list[Learner]
    pool: list[Item]
    responses: list[Response]
    items: dict[str, Item]
    targets: list[PoolTarget]
    latest_plans: dict[str, datetime | None]
    previous_runs: list[RunRecord]


def deficits(state: NightlyState, notes: str, generator: str, today: date) -> dict[int, int]:
    """What to generate tonight: each domain's shortfall within what is left of today's cap,
    unless the notes cannot supply more."""
    from pipelines.nightly import MAX_NEW_PER_DOMAIN, exhausted_domains, generated_today

    spent = exhausted_domains(state.previous_runs, notes, generator)
    done = generated_today(state.previous_runs, today)
    wanted = {
        t.domain: min(t.deficit, MAX_NEW_PER_DOMAIN - done.get(t.domain, 0))
        for t in state.targets
        if t.domain not in spent
    }
    return {d: n for d, n in wanted.items() if n > 0}


@dataclass
class NightlyReport:
    targets: list[PoolTarget]
    generated: dict[int, int] = field(default_factory=dict)
    run: RunRecord | None = None
    flagged: list[str] = field(default_factory=list)
    replanned: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.generated or self.flagged or self.replanned)

    def to_json(self) -> dict:
        return {
            "targets": [
                {
                    "domain": t.domain,
                    "target": t.target,
                    "available": t.available,
                    "weak_share": round(t.weak_share, 3),
                    "deficit": t.deficit,
                }
                for t in self.targets
            ],
            "generated": {str(k): v for k, v in self.generated.items()},
            "run": self.run.id if self.run else None,
            "flagged": self.flagged,
            "replanned": self.replanned,
        }


def read_state(store: Store, blueprint: Blueprint, now: datetime) -> NightlyState:
    from pipelines.learners import learner_mastery

    learners = store.learners()
    responses = store.responses()
    active = active_learners(learners, responses, now.date())
    pool = store.find_items(statuses=["approved", "pending_review"])
    mastery = {lr.id: learner_mastery(store, lr.id, blueprint) for lr in active}
    targets = pool_targets(blueprint, pool, responses, active, mastery)
    answered_ids = {r.item_id for r in responses}
    items = {it.id: it for it in store.find_items(ids=answered_ids)} if answered_ids else {}
    latest = {lr.id: (p[0] if (p := store.latest_plan(lr.id)) else None) for lr in learners}
    from pipelines.generation import FLOW_NAME

    return NightlyState(
        learners, active, pool, responses, items, targets, latest, store.runs(FLOW_NAME)
    )


def apply_statistics(store: Store, state: NightlyState, now: datetime) -> list[str]:
    updates = statistics_updates(state.items, item_statistics(state.responses), now)
    for item, event in updates:
        store.update_item(item, event)
    return [item.id for item, _ in updates]


def to_replan(state: NightlyState, now: datetime) -> list[str]:
    last: dict[str, datetime] = {}
    for r in state.responses:
        if r.learner_id not in last or r.answered_at > last[r.learner_id]:
            last[r.learner_id] = r.answered_at
    return stale_learners(state.learners, state.latest_plans, last, now)


def replan(store: Store, learner_id: str, blueprint: Blueprint, now: datetime) -> None:
    from pipelines.learners import plan_for

    learner = store.get_learner(learner_id)
    plan_for(store, learner_id, blueprint, today=now.date(), hours_per_week=learner.hours_per_week)


def refresh(
    open_store: Callable[[], object],
    blueprint: Blueprint,
    generate: Callable[[dict[int, int]], RunRecord],
    now: datetime,
    notes: str,
    generator: str,
) -> NightlyReport:
    """The whole nightly refresh without Prefect (the flow runs the same steps)."""
    with open_store() as store:  # type: ignore[attr-defined]
        state = read_state(store, blueprint, now)
    report = NightlyReport(state.targets)
    wanted = deficits(state, notes, generator, now.date())
    if wanted:
        report.run = generate(wanted)
        report.generated = delivered(report.run)
    with open_store() as store:  # type: ignore[attr-defined]
        report.flagged = apply_statistics(store, state, now)
        for learner_id in to_replan(state, now):
            replan(store, learner_id, blueprint, now)
            report.replanned.append(learner_id)
    return report
