"""The nightly refresh use case: read the state, refill pools, flag items, re-plan.

`refresh` is the one orchestration of the refresh; `pipelines.flows.nightly_refresh_flow`
runs it with Prefect steps, the tests and `generate --no-flow` users inline. The policy
(targets, statistics, staleness) is pure and lives in pipelines/nightly.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bank.models import Blueprint, Item, Learner, Response, RunRecord
from bank.notes import NoteSet
from bank.store import Store
from bank.store.access import BankAccess
from generators.base import Generator
from pipelines.generation import FLOW_NAME, RunSpec, notes_digest, run_generation
from pipelines.learners import FitReport, learner_mastery, refit_learner_model
from pipelines.nightly import (
    MAX_NEW_PER_DOMAIN,
    PoolTarget,
    active_learners,
    delivered,
    exhausted_domains,
    generated_today,
    item_statistics,
    pool_targets,
    stale_learners,
    statistics_updates,
)
from pipelines.plans import learner_today, plan_for
from pipelines.steps import InlineSteps, Steps


@dataclass
class NightlyState:
    """What the refresh reads of the bank before it decides anything."""

    learners: list[Learner]
    active: list[Learner]
    pool: list[Item]
    responses: list[Response]
    items: dict[str, Item]
    targets: list[PoolTarget]
    latest_plans: dict[str, datetime | None]
    previous_runs: list[RunRecord]


def deficits(state: NightlyState, notes: str, generator: str, today: date) -> dict[int, int]:
    """What to generate tonight, per domain.

    Each domain's shortfall within what is left of today's cap, unless the notes cannot
    supply more.
    """
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
    """What one refresh did: targets, items generated, items flagged, learners re-planned."""

    targets: list[PoolTarget]
    generated: dict[int, int] = field(default_factory=dict)
    run: RunRecord | None = None
    flagged: list[str] = field(default_factory=list)
    replanned: list[str] = field(default_factory=list)
    fit: FitReport | None = None

    @property
    def changed(self) -> bool:
        """Whether the refresh wrote anything."""
        refit = self.fit is not None and self.fit.stored
        return bool(self.generated or self.flagged or self.replanned or refit)

    def to_json(self) -> dict[str, Any]:
        """The report as the CLI and a deployment print it."""
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
            "learner_model": None
            if self.fit is None
            else {
                "refitted": self.fit.stored,
                "learners": self.fit.learners,
                "responses": self.fit.responses,
                "holdout_auc": None
                if self.fit.holdout_auc is None
                else round(self.fit.holdout_auc, 4),
                "reason": self.fit.reason,
            },
        }


def state_of(store: Store, blueprint: Blueprint, now: datetime) -> NightlyState:
    """Learners, answers, the unseen pool and its targets, plans and earlier runs."""
    learners = store.learners()
    responses = store.responses()
    active = active_learners(learners, responses, now.date())
    pool = store.find_items(statuses=["approved", "pending_review"])
    mastery = {lr.id: learner_mastery(store, lr.id, blueprint) for lr in active}
    targets = pool_targets(blueprint, pool, responses, active, mastery)
    answered_ids = {r.item_id for r in responses}
    items = {it.id: it for it in store.find_items(ids=answered_ids)} if answered_ids else {}
    latest = {lr.id: (p[0] if (p := store.latest_plan(lr.id)) else None) for lr in learners}
    return NightlyState(
        learners, active, pool, responses, items, targets, latest, store.runs(FLOW_NAME)
    )


def to_replan(state: NightlyState, now: datetime) -> list[str]:
    """Learners whose plan is missing, older than their newest answer, or a week old."""
    last: dict[str, datetime] = {}
    for r in state.responses:
        if r.learner_id not in last or r.answered_at > last[r.learner_id]:
            last[r.learner_id] = r.answered_at
    return stale_learners(state.learners, state.latest_plans, last, now)


# ---- the I/O steps ------------------------------------------------------------------------
def refit(bank: BankAccess, now: datetime) -> FitReport:
    """Refit the learner model on every answer when there are new ones (one write)."""
    with bank.write() as store:
        return refit_learner_model(store, now)


def read_state(bank: BankAccess, blueprint: Blueprint, now: datetime) -> NightlyState:
    """Read the refresh's state in one short read."""
    with bank.read() as store:
        return state_of(store, blueprint, now)


def apply_statistics(bank: BankAccess, state: NightlyState, now: datetime) -> list[str]:
    """Send items whose statistics are off back to review; returns their ids."""
    updates = statistics_updates(state.items, item_statistics(state.responses), now)
    if updates:
        with bank.write() as store:
            for item, event in updates:
                store.update_item(item, event)
    return [item.id for item, _ in updates]


def replan(bank: BankAccess, learner_id: str, blueprint: Blueprint, now: datetime) -> str:
    """Re-plan one learner from their stored profile; returns their id."""
    with bank.write() as store:
        learner = store.get_learner(learner_id)
        plan_for(store, learner_id, blueprint, today=learner_today(learner, now), now=now)
    return learner_id


def refresh(
    bank: BankAccess,
    blueprint: Blueprint,
    notes: NoteSet,
    generator: Generator,
    now: datetime,
    *,
    detector: Any = None,
    steps: Steps | None = None,
) -> NightlyReport:
    """The whole nightly refresh; a second run in a row changes nothing."""
    steps = steps or InlineSteps(getattr(generator, "concurrency", 1))
    fit = steps.call(refit, bank, now)
    state = steps.call(read_state, bank, blueprint, now)
    report = NightlyReport(state.targets, fit=fit)
    digest = notes_digest(notes)
    wanted = deficits(state, digest, generator.name, now.date())
    if wanted:
        spec = RunSpec(
            counts=wanted,
            generator=generator.name,
            model=getattr(generator, "model_name", None),
            prompt_version=getattr(generator, "prompt_version", None),
            notes=digest,
            purpose="nightly",
        )
        report.run = run_generation(
            bank,
            spec,
            generator,
            notes,
            blueprint,
            detector=detector,
            steps=steps,
            clock=lambda: now,
        )
        report.generated = delivered(report.run)
    report.flagged = steps.call(apply_statistics, bank, state, now)
    report.replanned = [
        steps.call(replan, bank, learner_id, blueprint, now) for learner_id in to_replan(state, now)
    ]
    return report
