"""Today for a learner: the stored plan's next session in their zone, and reviews due.

The learner page opens on it ("Practise now" starts the block's next sitting); it reads
the stored plan and the learner's answers and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bank.models import Blueprint
from bank.store.protocols import SessionStore
from pipelines.plans import learner_today
from pipelines.practice import load_learner_model, practice_pool
from pipelines.practice_records import SessionRecord
from planner.plan import Block, Plan


@dataclass(frozen=True)
class Today:
    """What the learner does today: the plan's next session and the reviews due.

    Attributes:
        block: the next plan block from today on (in the learner's zone), or None.
        day: the block's date.
        done: questions already answered in sittings of that block.
        due: items whose FSRS review is due now.
    """

    block: Block | None
    day: date | None
    done: int
    due: int

    @property
    def block_id(self) -> str | None:
        """How sessions name the block they follow: its date and kind and domain."""
        if self.block is None or self.day is None:
            return None
        return f"{self.day.isoformat()}|{self.block.kind}|{self.block.domain or 'all'}"

    @property
    def left(self) -> int:
        """Questions of the block still to answer (none when there is no block)."""
        return max(0, self.block.questions - self.done) if self.block else 0


def next_block(plan: Plan, today: date) -> tuple[Block, date] | None:
    """The plan's first dated block from `today` on."""
    dated = sorted(
        ((b.date, i, b) for i, b in enumerate(plan.blocks) if b.date), key=lambda t: t[:2]
    )
    for day, _, block in dated:
        if day is not None and day >= today:
            return block, day
    return None


def today_for(
    store: SessionStore, learner_id: str, blueprint: Blueprint, now: datetime, plan: Plan | None
) -> Today:
    """Today for a learner: the stored plan's next block in their zone, and reviews due."""
    learner = store.get_learner(learner_id)
    model = load_learner_model(store, learner_id)
    pool = {it.id for it in practice_pool(store)[0]}
    due = sum(1 for item_id, card in model.cards.items() if item_id in pool and card.due <= now)
    found = next_block(plan, learner_today(learner, now)) if plan else None
    if found is None:
        return Today(None, None, 0, due)
    block, day = found
    today = Today(block, day, 0, due)
    done = sum(
        len(s.get("answers") or {})
        for s in store.practice_sessions(learner_id)
        if s.get("block") == today.block_id
    )
    return Today(block, day, done, due)


def recent_sessions(
    store: SessionStore, learner_id: str, limit: int = 5
) -> Sequence[SessionRecord]:
    """The learner's newest sessions, newest first."""
    found = [SessionRecord.model_validate(s) for s in store.practice_sessions(learner_id)]
    return list(reversed(found))[:limit]
