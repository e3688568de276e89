"""Choosing the next question cheaply: the candidates that can win, with the same outcome.

`planner.selection.rank_candidates` scores every eligible item, and on the web that is
most of an answer's cost (a session, its whole pool, is rebuilt per request). These
helpers keep its result exactly and do less work: candidates are made once per item and
difficulty, and only the items that can come first are ranked.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from fsrs import Card

from planner.selection import Candidate


@lru_cache(maxsize=1 << 16)
def candidate(item_id: str, domain: int, difficulty: float) -> Candidate:
    """A candidate, made once (it is immutable): the web builds a pool per request."""
    return Candidate(item_id, domain, difficulty)


class _Replayed(random.Random):
    """Gives out tie-breaks drawn already, in order."""

    def __init__(self, values: Sequence[float]) -> None:
        super().__init__(0)
        self._values = iter(values)

    def random(self) -> float:
        """The next of the values drawn already."""
        return next(self._values)


def contenders(
    candidates: Sequence[Candidate],
    cards: Mapping[str, Card],
    counts: Mapping[int, int],
    excluded: frozenset[str],
    now: datetime,
    rng: random.Random | None,
) -> tuple[Sequence[Candidate], random.Random | None]:
    """The candidates that can win the ranking, and the tie-breaks they would have drawn.

    An item without an FSRS card scores by its domain and difficulty alone, so of the
    items sharing both only the one with the smallest tie-break (then id) can come
    first. The full ranking's tie-breaks are drawn here from `rng`, one per eligible item
    in its order (so `rng` ends where the full ranking leaves it), and handed back in
    order for the contenders: `select_next` over them returns the item, score and rng
    state of ranking every candidate. Without `rng` (ties go to the smaller id) every
    candidate is kept.
    """
    if rng is None:
        return candidates, None
    moment = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    eligible: list[Candidate] = []
    seen: set[str] = set()
    for c in candidates:  # rank_candidates' own filter, in its order
        if c.item_id in excluded or c.item_id in seen or c.domain not in counts:
            continue
        seen.add(c.item_id)
        card = cards.get(c.item_id)
        if card is None or card.due <= moment:
            eligible.append(c)
    ties = [rng.random() for _ in eligible]
    best: dict[tuple[int, float], int] = {}  # (domain, difficulty) -> index in eligible
    keep: list[int] = []
    for n, c in enumerate(eligible):
        if c.item_id in cards:
            keep.append(n)
            continue
        held = best.get((c.domain, c.difficulty))
        if held is None or (ties[n], c.item_id) < (ties[held], eligible[held].item_id):
            best[(c.domain, c.difficulty)] = n
    order = sorted([*keep, *best.values()])
    return [eligible[n] for n in order], _Replayed([ties[n] for n in order])
