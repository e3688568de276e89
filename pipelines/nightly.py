"""The nightly refresh as plain functions: pool targets, item statistics, stale plans.

Targets: for each domain, the items that active learners have not yet seen (approved
plus pending) should reach the blueprint count × POOL_MULTIPLIER, raised by the share
of active learners who are weak in the domain. Item statistics: proportion correct
and point-biserial discrimination from responses; approved items that are too easy,
too hard or discriminate negatively go back to review with the numbers. Stale plans:
a learner whose latest answers are newer than their plan, or whose plan is a week old.
Every step compares with what is stored, so a second run in a row changes nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bank.models import Blueprint, Flaw, Item, Learner, Response, ReviewEvent, RunRecord
from planner.mastery import DomainMastery

POOL_MULTIPLIER = 3.0  # unseen items per blueprint item, before weakness raises it
WEAK_BELOW = 0.70  # a mastery under this counts the learner as weak in the domain
MAX_NEW_PER_DOMAIN = 60  # a night's generation per domain is capped
ACTIVE_DAYS = 30  # a learner with an answer this recent, or an exam ahead, is active
MIN_RESPONSES = 20  # item statistics need this many answers
TOO_EASY, TOO_HARD = 0.95, 0.25  # proportion correct bounds
NIGHTLY = "nightly"
STAT_FLAW = "item_statistics"


@dataclass(frozen=True)
class PoolTarget:
    """A domain's unseen-pool target, what is available, and the share of weak learners."""

    domain: int
    target: int
    available: int
    weak_share: float

    @property
    def deficit(self) -> int:
        """Items to generate tonight, within the nightly cap."""
        return min(MAX_NEW_PER_DOMAIN, max(0, self.target - self.available))


def active_learners(
    learners: list[Learner], responses: list[Response], today: date
) -> list[Learner]:
    """Learners with an answer in the last ACTIVE_DAYS days or an exam still ahead."""
    recent = {
        r.learner_id
        for r in responses
        if r.answered_at.date() >= today - timedelta(days=ACTIVE_DAYS)
    }
    return [
        lr
        for lr in learners
        if lr.id in recent or (lr.exam_date is not None and lr.exam_date >= today)
    ]


def pool_targets(
    blueprint: Blueprint,
    pool: list[Item],
    responses: list[Response],
    active: list[Learner],
    mastery: dict[str, dict[int, DomainMastery]],
) -> list[PoolTarget]:
    """Per-domain targets for the unseen pool, weighted by blueprint count and weakness."""
    seen: dict[str, set[str]] = defaultdict(set)
    for r in responses:
        seen[r.learner_id].add(r.item_id)
    by_domain: dict[int, list[str]] = defaultdict(list)
    for item in pool:
        by_domain[item.domain].append(item.id)
    out = []
    for d in blueprint.domains:
        ids = by_domain.get(d.number, [])
        if active:
            available = min(sum(1 for i in ids if i not in seen[lr.id]) for lr in active)
            weak = sum(
                1
                for lr in active
                if (m := mastery.get(lr.id, {}).get(d.number)) is not None
                and not m.unknown
                and m.mastery < WEAK_BELOW
            )
            weak_share = weak / len(active)
        else:
            available, weak_share = len(ids), 0.0
        target = math.ceil(d.count * POOL_MULTIPLIER * (1 + weak_share))
        out.append(PoolTarget(d.number, target, available, weak_share))
    return out


@dataclass(frozen=True)
class ItemStat:
    """An item's proportion correct and point-biserial discrimination, and what is off."""

    item_id: str
    n: int
    p: float
    r_pb: float | None
    flags: tuple[str, ...] = field(default=())

    def evidence(self) -> str:
        """The numbers as a reviewer reads them beside the flag."""
        r = "n/a" if self.r_pb is None else f"{self.r_pb:+.2f}"
        return f"{', '.join(self.flags)}: p={self.p:.2f}, r_pb={r}, n={self.n}"


def item_statistics(
    responses: list[Response], min_responses: int = MIN_RESPONSES
) -> list[ItemStat]:
    """Proportion correct and point-biserial discrimination (item vs rest-of-test score)."""
    per_learner: dict[str, list[Response]] = defaultdict(list)
    per_item: dict[str, list[Response]] = defaultdict(list)
    for r in responses:
        per_learner[r.learner_id].append(r)
        per_item[r.item_id].append(r)
    totals = {lid: (sum(x.correct for x in rs), len(rs)) for lid, rs in per_learner.items()}
    stats = []
    for item_id, rs in sorted(per_item.items()):
        if len(rs) < min_responses:
            continue
        x = [1.0 if r.correct else 0.0 for r in rs]
        rest = []
        for r in rs:
            right, n = totals[r.learner_id]
            others = n - 1
            rest.append((right - r.correct) / others if others else 0.0)
        p = sum(x) / len(x)
        r_pb = _correlation(x, rest)
        flags = []
        if p > TOO_EASY:
            flags.append("too_easy")
        if p < TOO_HARD:
            flags.append("too_hard")
        if r_pb is not None and r_pb < 0:
            flags.append("negative_discrimination")
        stats.append(ItemStat(item_id, len(rs), p, r_pb, tuple(flags)))
    return stats


def _correlation(a: list[float], b: list[float]) -> float | None:
    """The point-biserial correlation of a 0/1 list with a score list (None when undefined)."""
    if len(set(a)) < 2 or len(set(b)) < 2:  # a constant input has no correlation
        return None
    from scipy.stats import pointbiserialr

    return float(pointbiserialr(a, b).statistic)


def statistics_updates(
    items: dict[str, Item], stats: list[ItemStat], now: datetime
) -> list[tuple[Item, ReviewEvent]]:
    """Flag items whose numbers are off; approved ones go back to review; unchanged ones skip."""
    updates = []
    for stat in stats:
        item = items.get(stat.item_id)
        if item is None or not stat.flags or item.status not in ("approved", "pending_review"):
            continue
        flaw = Flaw(code=STAT_FLAW, where="stem", evidence=stat.evidence())
        others = [f for f in item.flaws if f.code != STAT_FLAW]
        if flaw in item.flaws and item.status == "pending_review":
            continue
        updated = item.model_copy(update={"status": "pending_review", "flaws": [*others, flaw]})
        event = ReviewEvent(
            item_id=item.id,
            reviewer=NIGHTLY,
            at=now,
            decision="requeue" if item.status == "approved" else "flag",
            reason=STAT_FLAW,
            note=stat.evidence(),
            before={"status": item.status},
            after={"status": "pending_review"},
        )
        updates.append((updated, event))
    return updates


def stale_learners(
    learners: list[Learner],
    latest_plans: dict[str, datetime | None],
    last_answer: dict[str, datetime],
    now: datetime,
) -> list[str]:
    """Learners who can be planned and whose plan is missing or no longer holds.

    A plan no longer holds when the learner answered questions after it was made or
    changed their profile since. Age alone is no reason: a plan is not overwritten
    because nobody looked at it.
    """
    out = []
    for lr in learners:
        if lr.exam_date is None or lr.weekly_hours() is None or lr.exam_date <= now.date():
            continue
        planned = latest_plans.get(lr.id)
        answered = last_answer.get(lr.id)
        if (
            planned is None
            or (answered is not None and answered > planned)
            or (lr.updated_at is not None and lr.updated_at > planned)
        ):
            out.append(lr.id)
    return out


def exhausted_domains(previous: list[RunRecord], notes: str, generator: str) -> set[int]:
    """Domains the notes cannot supply more of, with this generator.

    Their last nightly generation, with these notes and this generator, delivered
    fewer items than it asked for: asking again would change nothing.
    """
    same = [
        r
        for r in previous
        if r.params.get("purpose") == "nightly"
        and r.params.get("notes") == notes
        and r.params.get("generator") == generator
        and r.status == "completed"
    ]
    if not same:
        return set()
    last = same[-1]
    asked = {int(d): n for d, n in last.params.get("counts", {}).items()}
    got = delivered(last)
    return {d for d, n in asked.items() if got.get(d, 0) < n}


def delivered(run: RunRecord) -> dict[int, int]:
    """Items a generation run put in the review queue, per domain (clean plus flagged)."""
    return {
        int(d): c.get("clean", 0) + c.get("flagged", 0)
        for d, c in run.counts.get("domains", {}).items()
    }


def generated_today(previous: list[RunRecord], today: date) -> dict[int, int]:
    """Items nightly runs already delivered per domain today: the nightly cap is per day."""
    out: dict[int, int] = defaultdict(int)
    for r in previous:
        if r.params.get("purpose") != "nightly" or r.started_at.date() != today:
            continue
        for d, n in delivered(r).items():
            out[d] += n
    return dict(out)
