"""Adaptive choice of the next item, with exposure control and spaced review (FSRS).

Each eligible candidate scores

    blueprint weight of its domain  x  (1 - mastery of the domain)  x  information  x  review

- weight: the domain's share of the blueprint form, so heavy domains count more;
- 1 - mastery: weak domains count more (an unknown domain has its prior, about 0.5);
- information: ``4 p (1 - p)`` with ``p`` the predicted chance of a right answer, the Rasch
  item information scaled to 0-1: items near the learner's level teach and measure most;
- review: ``1 + review_weight * (1 - R)`` for an item seen before and now due, with ``R`` its
  FSRS retrievability, so a missed item (low stability, low ``R``) comes back first.

Exposure control: an item answered in this session is never offered again in it, and an item
answered before is not offered until its FSRS card is due. Every answer goes through
:func:`record_answer` (right = ``Rating.Good``, wrong = ``Rating.Again``): with no same-day
learning steps, a missed item is due again the next day and a right one in a few days, then
at growing intervals. Time comes in as ``now``; FSRS's fuzz, which draws from the global
``random``, is switched off, and ties are broken by item id or by a ``random.Random`` passed in.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from planner.mastery import DomainMastery

REVIEW_WEIGHT = 2.0
"""How much a due review outranks a new item when it is fully forgotten (R = 0)."""


@dataclass(frozen=True)
class Candidate:
    """An item that may be offered: its domain and calibrated difficulty (logits)."""

    item_id: str
    domain: int
    difficulty: float = 0.0


@dataclass(frozen=True)
class ScoredItem:
    """A candidate with its score and the parts the score is made of."""

    item_id: str
    domain: int
    score: float
    weight: float
    need: float
    information: float
    review: bool
    retrievability: float | None


def make_scheduler(desired_retention: float = 0.9) -> Scheduler:
    """An FSRS scheduler for practice items: no same-day steps, no random fuzz."""
    return Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _utc(moment: datetime) -> datetime:
    """FSRS wants UTC-aware datetimes; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def card_id(item_id: str) -> int:
    """A stable FSRS card id for an item (FSRS would otherwise read the clock and sleep)."""
    return int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:6], "big")


def record_answer(
    cards: Mapping[str, Card],
    item_id: str,
    correct: bool,
    now: datetime,
    scheduler: Scheduler | None = None,
) -> dict[str, Card]:
    """The learner's review cards after one answer; ``cards`` is left unchanged."""
    now = _utc(now)
    card = cards.get(item_id)
    if card is None:
        card = Card(card_id=card_id(item_id), due=now)
    reviewed, _ = (scheduler or make_scheduler()).review_card(
        card, Rating.Good if correct else Rating.Again, review_datetime=now
    )
    return {**cards, item_id: reviewed}


def blueprint_weights(counts: Mapping[int, int]) -> dict[int, float]:
    """Each domain's share of the blueprint form, from its item counts."""
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("blueprint counts must have a positive total")
    return {d: n / total for d, n in counts.items()}


def _chance(mastery: DomainMastery, difficulty: float) -> float:
    z = (mastery.ability - difficulty) / math.sqrt(1.0 + math.pi / 8.0 * mastery.sd**2)
    return 1.0 / (1.0 + math.exp(-z))


def rank_candidates(
    candidates: Iterable[Candidate],
    mastery: Mapping[int, DomainMastery],
    counts: Mapping[int, int],
    now: datetime,
    cards: Mapping[str, Card] | None = None,
    session: Collection[str] = (),
    scheduler: Scheduler | None = None,
    review_weight: float = REVIEW_WEIGHT,
    rng: random.Random | None = None,
) -> list[ScoredItem]:
    """Eligible candidates, best first.

    Items in ``session``, items whose card is not yet due, and items of domains outside
    ``counts`` are left out. Ties go to the smaller item id, or at random with ``rng``.
    """
    now = _utc(now)
    cards = cards or {}
    scheduler = scheduler or make_scheduler()
    weights = blueprint_weights(counts)
    seen: set[str] = set()
    scored: list[ScoredItem] = []
    for item in candidates:
        if item.item_id in session or item.item_id in seen or item.domain not in weights:
            continue
        seen.add(item.item_id)
        card = cards.get(item.item_id)
        if card is not None and card.due > now:
            continue
        dm = mastery[item.domain]
        p = _chance(dm, item.difficulty)
        information = 4.0 * p * (1.0 - p)
        need = 1.0 - dm.mastery
        r = None if card is None else scheduler.get_card_retrievability(card, now)
        boost = 1.0 if r is None else 1.0 + review_weight * (1.0 - r)
        score = weights[item.domain] * need * information * boost
        scored.append(
            ScoredItem(
                item.item_id,
                item.domain,
                score,
                weights[item.domain],
                need,
                information,
                card is not None,
                r,
            )
        )
    ties = {s.item_id: rng.random() for s in scored} if rng is not None else None
    return sorted(scored, key=lambda s: (-s.score, ties[s.item_id] if ties else 0.0, s.item_id))


def select_next(
    candidates: Iterable[Candidate],
    mastery: Mapping[int, DomainMastery],
    counts: Mapping[int, int],
    now: datetime,
    cards: Mapping[str, Card] | None = None,
    session: Collection[str] = (),
    scheduler: Scheduler | None = None,
    review_weight: float = REVIEW_WEIGHT,
    rng: random.Random | None = None,
) -> ScoredItem | None:
    """The next item to offer, or None when nothing is eligible.

    Call again after each answer with the updated mastery, cards and session to adapt.
    """
    ranked = rank_candidates(
        candidates, mastery, counts, now, cards, session, scheduler, review_weight, rng
    )
    return ranked[0] if ranked else None


def select_session(
    candidates: Iterable[Candidate],
    mastery: Mapping[int, DomainMastery],
    counts: Mapping[int, int],
    now: datetime,
    size: int,
    cards: Mapping[str, Card] | None = None,
    session: Collection[str] = (),
    scheduler: Scheduler | None = None,
    review_weight: float = REVIEW_WEIGHT,
    rng: random.Random | None = None,
) -> list[ScoredItem]:
    """A block of up to ``size`` distinct items chosen ahead of time (no answers yet).

    Greedy on the same score, divided by ``1 + k`` for the k items already picked from the
    domain, so the block leans to weak heavy domains without being all one domain.
    """
    ranked = rank_candidates(
        candidates, mastery, counts, now, cards, session, scheduler, review_weight, rng
    )
    picked: list[ScoredItem] = []
    per_domain: dict[int, int] = {}
    remaining = list(ranked)
    while remaining and len(picked) < size:
        best = max(
            range(len(remaining)),
            key=lambda j: remaining[j].score / (1 + per_domain.get(remaining[j].domain, 0)),
        )
        choice = remaining.pop(best)
        picked.append(choice)
        per_domain[choice.domain] = per_domain.get(choice.domain, 0) + 1
    return picked
