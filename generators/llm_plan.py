"""How a request is cut into LLM calls: batches of items, each from a few notes, and their data."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bank.notes import Note

BLOOM_CYCLE = ("remember", "understand", "apply", "analyze")


@dataclass(frozen=True)
class BatchPlan:
    """One call's worth of work: how many items, from which notes, at what level."""

    index: int
    size: int
    notes: tuple[Note, ...]
    topic: str | None
    difficulty: str | None
    bloom: str

    @property
    def note_ids(self) -> list[str]:
        """The ids of the batch's notes."""
        return [n.id for n in self.notes]


def plan_batches(
    count: int,
    pool: list[Note],
    *,
    items_per_call: int,
    notes_per_call: int,
    seed: str,
    topic: str | None,
    difficulty: str | None,
) -> list[BatchPlan]:
    """Split a request into batches; notes rotate over a seeded shuffle of the pool."""
    rng = random.Random(seed)
    order = sorted(pool, key=lambda n: n.id)
    rng.shuffle(order)
    k = max(1, min(notes_per_call, len(order)))
    plans = []
    remaining, index = count, 0
    while remaining > 0:
        size = min(items_per_call, remaining)
        picks = [order[(index * k + j) % len(order)] for j in range(k)]
        chosen = tuple({n.id: n for n in picks}.values())
        plans.append(
            BatchPlan(
                index=index,
                size=size,
                notes=chosen,
                topic=topic,
                difficulty=difficulty,
                bloom=BLOOM_CYCLE[index % len(BLOOM_CYCLE)],
            )
        )
        remaining -= size
        index += 1
    return plans


def note_body(note: Note) -> str:
    """The note without its YAML front matter (sources and dates are not for the model)."""
    text = note.text
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) == 2:
            text = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return text.strip()


def notes_context(notes: tuple[Note, ...]) -> list[dict[str, str]]:
    """The notes of a batch as the prompt's data."""
    return [{"id": n.id, "topic": n.topic, "title": n.title, "text": note_body(n)} for n in notes]


__all__ = ["BatchPlan", "note_body", "notes_context", "plan_batches"]
